"""The district pages through the real middleware: the list (members with bands, population, SFS
2305 band, roster link), a district (members, stations, participants, the normtall note), the
forms with the services' refusals on their fields, the history, and a deltakerkommune that reads
everything but can change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.tenancy import unscoped
from kommune.models import Kommune
from legevakt import distrikt_services as services
from legevakt.models import Legevaktdistrikt, Medlemskap, Normtall, Stasjon, Vaktavtale
from tests import register
from tests.conftest import in_kommune, kommune, user_with_role
from tests.legevakt.test_distrikt_services import innbyggere

pytestmark = pytest.mark.django_db

FRA = dt.date(2026, 1, 1)


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def world(bergen, sunnfjord):
    innbyggere(bergen, 291_000)
    innbyggere(sunnfjord, 22_000)
    with in_kommune(bergen):
        d = services.create_distrikt(kommune=bergen, navn="Vest legevakt", type="interkommunal", fra=FRA,
                                     tidsbolk="utenfor_dagtid", medlemmer=["4647"])
        stasjon = services.create_stasjon(distrikt=d, navn="Sentrum", adresse="Vestre Strømkaien 19", postnummer="5008",
                                          poststed="Bergen")
        vikar = register.lege(bergen, fornavn="Vera", etternavn="Vikarsen")
        avtale = services.create_vaktavtale(distrikt=d, lege=vikar, fra=FRA)
        annet = services.create_distrikt(kommune=bergen, navn="Bare Bergen dagtid", type="en_kommune", fra=FRA,
                                         tidsbolk="dagtid")
        egen = Medlemskap.objects.get(distrikt=annet)
        services.avslutt_medlemskap(medlemskap=egen, expected_version=egen.versjon, til=dt.date(2030, 1, 1))
    return {"d": d, "stasjon": stasjon, "vikar": vikar, "avtale": avtale, "annet": annet}


@pytest.fixture
def deltaker(sunnfjord):
    return user_with_role("saksbehandler", sunnfjord)


def test_list_shows_members_population_band_and_roster_link(client, saksbehandler, world):
    client.force_login(saksbehandler)
    page = html(client.get(reverse("legevakt:distrikter") + "?dato=2026-06-01"))
    assert "Vest legevakt" in page and "Sunnfjord: Kveld, natt, helg og helligdager" in page and "Bergen: Kveld" in page
    assert "313000" in page and "<td>IV</td>" in page
    assert reverse("legevakt:vaktplan", args=[world["d"].pk]) in page
    assert reverse("legevakt:distrikt_ny") in page


def test_list_is_constant_queries(client, saksbehandler, bergen, world):
    client.force_login(saksbehandler)
    url = reverse("legevakt:distrikter") + "?dato=2040-06-01"
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    with unscoped(reason="tests: five other kommuner"):
        andre = list(Kommune.objects.filter(fylkesnummer="46").exclude(kommunenummer__in=["4601", "4647"])
                     .order_by("kommunenummer").values_list("kommunenummer", flat=True)[:5])
    with in_kommune(bergen):
        for i, nummer in enumerate(andre):
            d = services.create_distrikt(kommune=bergen, navn=f"Ekstra {i}", type="interkommunal",
                                         fra=dt.date(2030 + i, 1, 1), tidsbolk="dagtid")
            egen = Medlemskap.objects.get(distrikt=d)
            services.avslutt_medlemskap(medlemskap=egen, expected_version=egen.versjon, til=dt.date(2031 + i, 1, 1))
            services.add_medlemskap(distrikt=d, medlem=nummer, fra=dt.date(2030 + i, 1, 1),
                                    til=dt.date(2031 + i, 1, 1))
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(small.captured_queries) == len(large.captured_queries)


def test_detail_shows_members_stations_participants_and_normtall_note(client, saksbehandler, bergen, world):
    with in_kommune(bergen):
        fastlege = register.lege(bergen, fornavn="Frida", etternavn="Fastlegesen")
        register.avtale(bergen, lege_=fastlege, startdato=dt.date(2026, 1, 5))
    client.force_login(saksbehandler)
    page = html(client.get(reverse("legevakt:distrikt", args=[world["d"].pk]) + "?dato=2026-06-01"))
    assert "Sunnfjord" in page and "Vestre Strømkaien 19, 5008 Bergen" in page
    assert "Vera Vikarsen" in page and "Frida Fastlegesen" in page and "Fastlege (plikt)" in page
    assert "Normtall for minste antall leger (SFS 2305, 2024) er ikke lagt inn" in page
    assert reverse("legevakt:medlemskap_ny", args=[world["d"].pk]) in page
    Normtall.objects.create(befolkningsgruppe="IV", vakttype="tilstedevakt", min_leger=3, kilde="SFS 2305 (test)",
                            gyldig_fra=dt.date(2024, 1, 1))
    page = html(client.get(reverse("legevakt:distrikt", args=[world["d"].pk]) + "?dato=2026-06-01"))
    assert "er ikke lagt inn" not in page and "SFS 2305 (test)" in page


def test_create_district_and_refusal_on_the_field(client, saksbehandler, bergen):
    client.force_login(saksbehandler)
    url = reverse("legevakt:distrikt_ny")
    response = client.post(url, {"navn": "Ny", "type": "en_kommune", "fra": "2026-01-01", "tidsbolk": "dogn",
                                 "medlemmer": "4647"})
    assert response.status_code == 200 and "bare vertskommunen som medlem" in html(response)
    response = client.post(url, {"navn": "Ny", "type": "interkommunal", "fra": "2026-01-01", "tidsbolk": "dogn",
                                 "medlemmer": "4647, 4602"})
    assert response.status_code == 302
    with in_kommune(bergen):
        d = Legevaktdistrikt.objects.get(navn="Ny")
        assert sorted(Medlemskap.objects.filter(distrikt=d).values_list("medlem__kommunenummer", flat=True)) == [
            "4601", "4602", "4647"]


def test_forms_show_the_services_refusals(client, saksbehandler, bergen, world):
    client.force_login(saksbehandler)
    d = world["d"]
    with in_kommune(kommune("4602")):
        services.create_distrikt(kommune=kommune("4602"), navn="Kinn", type="en_kommune", fra=FRA)
    response = client.post(reverse("legevakt:medlemskap_ny", args=[d.pk]),
                           {"medlem": "4602", "tidsbolk": "utenfor_dagtid", "fra": "2026-03-01"})
    assert response.status_code == 200 and "ett distrikt per tidsbånd" in html(response)
    response = client.post(reverse("legevakt:stasjon_ny", args=[d.pk]), {"navn": "Åsane", "adresse": "Gata 1",
                                                                         "postnummer": "ABCD"})
    assert "fire siffer" in html(response)
    response = client.post(reverse("legevakt:vaktavtale_ny", args=[d.pk]), {"lege": world["vikar"].pk, "fra": "2026-05-01"})
    assert "allerede en vaktavtale" in html(response)
    with in_kommune(bergen):
        assert Medlemskap.objects.filter(distrikt=d).count() == 2 and Stasjon.objects.count() == 1
        assert Vaktavtale.objects.count() == 1
    m = world["d"].medlemskap.model.objects
    with in_kommune(bergen):
        sunnfjord_m = m.get(distrikt=d, medlem__kommunenummer="4647")
    response = client.post(reverse("legevakt:medlemskap_endre", args=[sunnfjord_m.pk]),
                           {"tidsbolk": "utenfor_dagtid", "fra": "2026-01-01", "til": "2026-07-01",
                            "versjon": sunnfjord_m.versjon})
    assert response.status_code == 302
    response = client.post(reverse("legevakt:stasjon_endre", args=[world["stasjon"].pk]),
                           {"navn": "Sentrum", "adresse": "Ny gate 2", "postnummer": "5003", "versjon": 0})
    assert response.status_code == 200 and "endret" in html(response).lower()
    response = client.post(reverse("legevakt:distrikt_endre", args=[d.pk]),
                           {"navn": "Vest", "type": "interkommunal", "merknad": "", "aktiv": "on", "versjon": d.versjon})
    assert response.status_code == 302
    history = html(client.get(reverse("legevakt:distrikt_historikk", args=[d.pk])))
    assert "Medlemskap: Sunnfjord" in history and "Stasjon: Sentrum" in history and "Vaktavtale: Vera Vikarsen" in history


def test_a_deltakerkommune_reads_but_cannot_change(client, deltaker, bergen, world):
    d = world["d"]
    client.force_login(deltaker)
    listing = html(client.get(reverse("legevakt:distrikter")))
    assert "Vest legevakt" in listing and "Bare Bergen dagtid" not in listing
    assert reverse("legevakt:distrikt_ny") in listing  # it may create its own districts
    page = client.get(reverse("legevakt:distrikt", args=[d.pk]))
    assert page.status_code == 200
    page = html(page)
    assert "Vera Vikarsen" in page and "Sentrum" in page and "deltakerkommune og kan lese" in page
    for name in ("distrikt_endre", "medlemskap_ny", "stasjon_ny", "vaktavtale_ny"):
        assert reverse(f"legevakt:{name}", args=[d.pk]) not in page
        assert client.get(reverse(f"legevakt:{name}", args=[d.pk])).status_code == 403
    with in_kommune(bergen):
        m = Medlemskap.objects.get(distrikt=d, medlem=bergen)
    posts = [
        (reverse("legevakt:distrikt_endre", args=[d.pk]), {"navn": "Kapret", "type": "interkommunal", "versjon": d.versjon}),
        (reverse("legevakt:medlemskap_ny", args=[d.pk]), {"medlem": "4602", "tidsbolk": "dogn", "fra": "2026-01-01"}),
        (reverse("legevakt:medlemskap_endre", args=[m.pk]), {"tidsbolk": "dogn", "fra": "2026-01-01", "versjon": m.versjon}),
        (reverse("legevakt:stasjon_ny", args=[d.pk]), {"navn": "Kapret", "adresse": "Gata 1"}),
        (reverse("legevakt:stasjon_endre", args=[world["stasjon"].pk]),
         {"navn": "Kapret", "adresse": "Gata 1", "versjon": world["stasjon"].versjon}),
        (reverse("legevakt:vaktavtale_ny", args=[d.pk]), {"lege": world["vikar"].pk, "fra": "2030-01-01"}),
        (reverse("legevakt:vaktavtale_endre", args=[world["avtale"].pk]),
         {"fra": "2026-01-01", "merknad": "Kapret", "versjon": world["avtale"].versjon}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    with in_kommune(bergen):
        assert Legevaktdistrikt.objects.get(pk=d.pk).navn == "Vest legevakt"
        assert Medlemskap.objects.filter(distrikt=d).count() == 2 and Medlemskap.objects.get(pk=m.pk).tidsbolk == "utenfor_dagtid"
        assert list(Stasjon.objects.values_list("navn", flat=True)) == ["Sentrum"]
        assert list(Vaktavtale.objects.values_list("merknad", flat=True)) == [""]
    # the vertskommune's district it is not a member of, and its doctors, stay hidden
    assert client.get(reverse("legevakt:distrikt", args=[world["annet"].pk])).status_code == 404
    assert client.get(reverse("kommune:lege", args=[world["vikar"].pk])).status_code == 404
    assert client.get(reverse("legevakt:distrikt_historikk", args=[d.pk])).status_code == 200


def test_reading_roles(client, leser, world):
    client.force_login(leser)
    page = html(client.get(reverse("legevakt:distrikt", args=[world["d"].pk])))
    assert "Vest legevakt" in page and reverse("legevakt:distrikt_endre", args=[world["d"].pk]) not in page
    assert client.post(reverse("legevakt:distrikt_ny"), {"navn": "X"}).status_code == 403
