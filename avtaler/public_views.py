"""The public page (fastlegeforskriften § 6): per kommune, without login, the fastleger with free
places and their office. Nothing else about the doctors: no date of birth, no HPR number, no
list sizes beyond the number of free places."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_GET

from core.context import scope
from kommune import regler
from kommune import selectors as kommune_selectors
from lister import selectors as lister_selectors


@require_GET
def ledige_plasser(request, kommunenummer: str):
    kommune = kommune_selectors.public_kommune(kommunenummer=kommunenummer)
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        translation.activate(kommune.language_code)
        request.LANGUAGE_CODE = kommune.language_code
    with scope(kommune_id=kommune.pk, actor="anonym"):
        # Only what § 6 asks for is copied out; the template never sees the doctor's record.
        rader = [
            {
                "lege": f"{p.lege.fornavn} {p.lege.etternavn}",
                "kontor": p.pasientliste.legekontor.navn,
                "adresse": p.pasientliste.legekontor.adresse,
                "postnummer": p.pasientliste.legekontor.postnummer,
                "poststed": p.pasientliste.legekontor.poststed,
                "telefon": p.pasientliste.legekontor.telefon,
                "ledige_plasser": p.ledige_plasser,
            }
            for p in lister_selectors.public_free_places()
        ]
    return render(request, "avtaler/offentlig.html", {
        "kommune_navn": kommune.navn, "kommunenummer": kommune.kommunenummer, "rader": rader,
        "kilde": regler.OFFENTLIG_INFORMASJON_KILDE,
    })
