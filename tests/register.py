"""Arranging the GP register in tests, through the services (so the rules apply)."""

from __future__ import annotations

import datetime as dt
import itertools

from avtaler import services as avtaler_services
from kommune import services as kommune_services
from lister import services as lister_services

_hpr = itertools.count(1000001)
# Valid organisasjonsnummer (modulus 11), for distinct offices.
ORGNR = ["974760673", "971524960", "983887457", "912345675", "987654321", "910000001"]


def valid_orgnr(seed: int) -> str:
    """A valid organisasjonsnummer derived from `seed` (modulus 11, weights 3 2 7 6 5 4 3 2)."""
    for base in itertools.count(80000000 + seed * 97):
        digits = str(base)[:8]
        total = sum(int(d) * w for d, w in zip(digits, (3, 2, 7, 6, 5, 4, 3, 2), strict=True))
        check = (11 - total % 11) % 11
        if check != 10:
            return digits + str(check)
    raise AssertionError  # pragma: no cover


_orgnr_seed = itertools.count(1)


def lege(k, *, fodselsdato=dt.date(1975, 5, 17), fornavn="Kari", etternavn=None, **fields):
    number = str(next(_hpr))
    return kommune_services.register_lege(
        kommune=k, hpr_nummer=number, fornavn=fornavn, etternavn=etternavn or f"Lege{number}", fodselsdato=fodselsdato, **fields,
    )


def legekontor(k, navn="Sentrum legekontor"):
    return lister_services.create_legekontor(
        kommune=k, navn=navn, organisasjonsnummer=valid_orgnr(next(_orgnr_seed)), adresse="Storgata 1", postnummer="5003",
        poststed="Bergen",
    )


def liste(k, *, listetak=1500, kontor=None, fra=dt.date(2020, 1, 1), **fields):
    return lister_services.create_pasientliste(
        kommune=k, legekontor=kontor or legekontor(k), listetak=listetak, gyldig_fra=fra, **fields,
    )


def avtale(k, *, lege_=None, liste_=None, tilknytningsform="naeringsdrivende", okonomisk_modell=None,
           startdato=dt.date(2026, 1, 5), listetak=1500, signed=True, **fields):
    modell = okonomisk_modell or ("fastlonn" if tilknytningsform == "ansatt" else "asa4310_8_1")
    a = avtaler_services.create_avtale(
        kommune=k, lege=lege_ or lege(k), pasientliste=liste_ or liste(k, listetak=listetak), tilknytningsform=tilknytningsform,
        okonomisk_modell=modell, startdato=startdato, listetak=listetak, **fields,
    )
    if signed:
        a = avtaler_services.sign_avtale(avtale=a, expected_version=a.versjon, signert=startdato if startdato <= dt.date.today() else dt.date.today())
    return a
