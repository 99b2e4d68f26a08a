"""Issue 9's «done when», with real commits: Grane closes October on the page; in November a Saturday shift in
October turns out two hours longer. The payroll system is notified by a signed webhook it verifies, reads the feed
through the API (lonnsperiode.lukket, the shift's new version and korreksjon.vakt with the reversal and the new
values), and November's payroll file carries the difference line a payroll clerk expects."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from standardwebhooks import Webhook

from kommune.models import LegeKommune
from legevakt.models import Vakt
from lonn import tasks
from lonn.models import Lonnsartregel
from tests.conftest import in_kommune, kommune, token_client, user_with_role
from tests.legevakt.helpers import distrikt, kvalifisert, oslo
from tests.lonn.test_webhooks import _register, _visible, mottaker, sertifikat  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("kommune_data")]


def _les_strommen(klient, etter: str | None) -> tuple[list[dict], str]:
    """Follow `neste` until the feed has no more (as a payroll system does)."""
    hendelser, markor = [], etter
    while True:
        svar = klient.get("/api/v1/lonn/hendelser/", {"etter": markor, "antall": 100} if markor else {"antall": 100})
        assert svar.status_code == 200, svar.content
        side = svar.json()
        hendelser += side["hendelser"]
        markor = side["neste"]
        if not side["flere"]:
            return hendelser, markor


def test_october_closed_a_shift_corrected_in_november_notified_by_a_signed_webhook(mottaker, client):  # noqa: F811
    grane = kommune("1825")
    overlege = user_with_role("kommuneoverlege", grane)
    d = distrikt(grane, navn="Grane legevakt")
    lege = kvalifisert(grane)
    with in_kommune(grane):
        LegeKommune.objects.filter(kommune=grane, lege=lege).update(ansattnummer="10077")
        Lonnsartregel.objects.create(kommune=grane, kategori="vakt", lonnsart="2301", sats=Decimal("223"),
                                     gyldig_fra=dt.date(2026, 1, 1), kostnadssted="4110 Legevakt", vakttype="hjemmevakt",
                                     dagkategori="helg")
        Lonnsartregel.objects.create(kommune=grane, kategori="vakt", lonnsart="2300", sats=Decimal("168"),
                                     gyldig_fra=dt.date(2026, 1, 1), kostnadssted="4110 Legevakt")
        lordag = Vakt.objects.create(kommune=grane, distrikt=d, lege=lege, type="hjemmevakt", vaktklasse=1,
                                     dagkategori="helg", start=oslo(2026, 10, 17, 10), slutt=oslo(2026, 10, 17, 14))
    endepunkt, hemmelighet = _register(grane, mottaker.url("/lonn/varsel"), av=overlege)
    lonnssystem = token_client(["lonn:les"], grane)

    # the payroll system is up to date before October is closed
    _visible(grane)
    _hendelser, markor = _les_strommen(lonnssystem, None)
    tasks.varsle_webhooks.apply().get()
    mottaker.mottatt.clear()

    # the kommuneoverlege closes October on the page
    client.force_login(overlege)
    assert client.post("/lonn/perioder/lukk/", {"periode": "2026-10"}).status_code == 302
    oktober = lonnssystem.get("/api/v1/lonn/lonnsfiler/2026-10/").content.decode().splitlines()
    assert oktober[1:] == ["10077;2301;4,00;223,00;892,00;2026-10;4110 Legevakt"]

    # in November the Saturday shift is found to have lasted until 16:00
    with in_kommune(grane):
        Vakt.objects.filter(pk=lordag.pk).update(slutt=oslo(2026, 10, 17, 16))
    _visible(grane)

    # the periodic task notifies; the payroll system verifies the signature with its secret
    assert tasks.varsle_webhooks.apply().get()["levert"] == 1
    ((headers, body, path),) = mottaker.mottatt
    assert path == "/lonn/varsel"
    varsel = Webhook(hemmelighet).verify(body, headers)
    assert varsel["type"] == "lonn.hendelser_tilgjengelig" and varsel["data"]["kommunenummer"] == "1825"
    assert "10077" not in body and lege.etternavn not in body  # thin: no personal data

    # ...and reads the feed from where it stood, up to the notified marker
    hendelser, markor = _les_strommen(lonnssystem, markor)
    assert hendelser[-1]["id"] == varsel["data"]["til_markor"]  # the last event is the one notified
    typer = [h["type"] for h in hendelser]
    assert typer == ["lonnsperiode.lukket", "vakt.endret", "korreksjon.vakt"]
    lukket, vakt, korreksjon = hendelser
    assert lukket["objekt_id"] == "lonnsperiode:2026-10" and lukket["data"]["sum"] == "892.00"
    assert korreksjon["data"]["objekt_id"] == vakt["objekt_id"] == f"vakt:{lordag.pk}"
    assert korreksjon["data"]["objekt_versjon"] == vakt["versjon"]
    assert (korreksjon["data"]["periode"], korreksjon["data"]["posteres_i"]) == ("2026-10", "2026-11")
    assert [(r["ansattnummer"], r["lonnsart"], r["antall"], r["sats"], r["belop"], r["kostnadssted"])
            for r in korreksjon["data"]["reversering"]] == [("10077", "2301", "-4.00", "223", "-892.00", "4110 Legevakt")]
    assert [(r["antall"], r["belop"]) for r in korreksjon["data"]["ny"]] == [("6.00", "1338.00")]

    # October's file is what was attested; November's carries the difference for October
    assert lonnssystem.get("/api/v1/lonn/lonnsfiler/2026-10/").content.decode().splitlines() == oktober
    november = lonnssystem.get("/api/v1/lonn/lonnsfiler/2026-11/").content.decode().splitlines()
    assert november[1:] == ["10077;2301;2,00;223,00;446,00;2026-10;4110 Legevakt"]
    side = client.get("/lonn/perioder/2026-11/").content.decode()
    assert "korreksjon" in side and "446" in side
