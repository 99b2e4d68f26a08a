"""Arranging ALIS-avtaler in tests, through the services (so the rules apply).

`alisavtale(k, relasjon=...)` builds the underlying relationship first, through tests/register.py
and the lister/avtaler services: a signed fastlegeavtale, a vikar period (LPVI) on a list, an
introduksjonsavtale, or a municipal post ("annen").
"""

from __future__ import annotations

import datetime as dt

from avtaler import alis_services
from avtaler.models import Introduksjonsavtale
from core.constraints import save_new
from core.dates import add_months
from lister import services as lister_services
from tests import register

SIGNERT = dt.date(2026, 1, 5)


def alis_lege(k, **fields):
    """A doctor in specialisation in allmennmedisin (not yet a specialist)."""
    fields.setdefault("under_spesialisering_fra", dt.date(2025, 9, 1))
    return register.lege(k, **fields)


def veileder(k, *, spesialist_fra=dt.date(2015, 1, 1), **fields):
    """A specialist in allmennmedisin who can supervise."""
    return register.lege(k, fornavn="Vera", spesialist_allmennmedisin_fra=spesialist_fra, **fields)


def fastlegeavtale(k, *, lege_, startdato):
    return register.avtale(k, lege_=lege_, startdato=startdato)


def vikarperiode(k, *, lege_, fra, til=None, stillingsprosent=100):
    return lister_services.add_legeperiode(
        liste=register.liste(k, fra=min(fra, dt.date(2020, 1, 1))), lege=lege_, rolle="LPVI", fra=fra, til=til,
        stillingsprosent=stillingsprosent, arbeidsdager=[1, 2, 3, 4, 5],
    )


def introduksjonsavtale(k, *, lege_, startdato, sluttdato=None):
    return save_new(Introduksjonsavtale(
        kommune=k, lege=lege_, legekontor=register.legekontor(k, navn="Introkontoret"), godkjenning_referanse="HDIR 22/1234",
        godkjent_dato=startdato, tilknytning="fastlonn", kostnadsfordeling="Kommunen dekker kostnadene.",
        startdato=startdato, sluttdato=sluttdato or add_months(startdato, 24), signert=startdato,
    ))


def alisavtale(k, *, lege_=None, relasjon="fastlege", stillingsprosent=100, signert=SIGNERT, startdato=None,
               relasjon_fra=None, relasjon_til=None, veileder_=None, **fields):
    """An ALIS-avtale for `lege_` (default: a new doctor in specialisation) with its underlying
    relationship running from `relasjon_fra` (default the start date). `relasjon_til` ends a vikar
    period, an introduksjonsavtale or a municipal post. `veileder_=None` gives a new specialist as
    veileder; pass `veileder=None` in `fields` for none."""
    lege_ = lege_ or alis_lege(k)
    start = startdato or signert
    relasjon_fra = relasjon_fra or start
    if relasjon == "fastlege" and "fastlegeavtale" not in fields:
        fields["fastlegeavtale"] = fastlegeavtale(k, lege_=lege_, startdato=relasjon_fra)
    elif relasjon == "vikar" and "vikarperiode" not in fields:
        fields["vikarperiode"] = vikarperiode(k, lege_=lege_, fra=relasjon_fra, til=relasjon_til)
    elif relasjon == "introduksjonslege" and "introduksjonsavtale" not in fields:
        fields["introduksjonsavtale"] = introduksjonsavtale(k, lege_=lege_, startdato=relasjon_fra, sluttdato=relasjon_til)
    elif relasjon == "annen":
        fields.setdefault("stilling", "Sykehjemslege")
        fields.setdefault("stilling_til", relasjon_til)
    if "veileder" not in fields:
        fields["veileder"] = veileder_ or veileder(k)
    fields.setdefault("arbeidssted", "Sentrum legekontor")
    return alis_services.create_alisavtale(
        kommune=k, lege=lege_, relasjon=relasjon, stillingsprosent=stillingsprosent, signert=signert, startdato=start, **fields,
    )
