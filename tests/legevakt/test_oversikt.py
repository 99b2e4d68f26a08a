"""The «Legevakt: oversikt» page: every district the kommune sees with its small-district status and
why, the open flags in words, marking a flag seen (vertskommune only; a deltakerkommune reads but
gets 403), and nothing of other kommuners' districts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.tenancy import unscoped
from legevakt.models import Belastningsvarsel, Legevaktdistrikt, Medlemskap
from tests.conftest import in_kommune, kommune, token_client, user_with_role
from tests.legevakt.test_belastning_jobb import distrikt, leger, rotasjon, run, sentralitet

URL = reverse("legevakt:oversikt")


@pytest.fixture
def world(db):
    grane, hattfjelldal = sentralitet("1825", 6), sentralitet("1826", 6)
    d = distrikt(grane, hattfjelldal)
    doctors = leger(grane, 3)
    rotasjon(d, doctors)
    run(grane)
    with unscoped(reason="test"):
        flag = Belastningsvarsel.objects.get(distrikt=d, type="fa_leger")
    return grane, hattfjelldal, d, doctors, flag


def reload(flag) -> None:
    with unscoped(reason="test: inspect the flag"):
        flag.refresh_from_db()


def client_for(client, rolle, k):
    client.force_login(user_with_role(rolle, k))
    return client


def test_vertskommune_sees_status_reasons_and_flags_and_marks_one_seen(client, world):
    grane, _hattfjelldal, d, doctors, flag = world
    c = client_for(client, "saksbehandler", grane)
    response = c.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Indre Helgeland legevakt" in html and "Kommunen er vertskommune" in html
    assert "Grane (1825)" in html and "Hattfjelldal (1826)" in html and "tilskudd til legevakt" in html
    assert "Tre eller færre leger" in html and "Lege på vakt oftere enn hver fjerde" in html
    assert doctors[0].navn in html  # the frequency flag names the doctors
    assert "et synspunkt, ikke en regel" in html
    assert reverse("legevakt:varsel_sett", args=[flag.pk]) in html and "Merk som sett" in html

    response = c.post(reverse("legevakt:varsel_sett", args=[flag.pk]), {"neste": URL})
    assert response.status_code == 302 and response["Location"] == URL
    reload(flag)
    assert flag.sett is not None and flag.sett_av is not None
    first = flag.sett
    response = c.post(reverse("legevakt:varsel_sett", args=[flag.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "sett" in response.content.decode()
    reload(flag)
    assert flag.sett == first


def test_deltakerkommune_reads_the_overview_but_cannot_mark_seen(client, world):
    _grane, hattfjelldal, _d, _doctors, flag = world
    c = client_for(client, "saksbehandler", hattfjelldal)
    response = c.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Indre Helgeland legevakt" in html and "Deltakerkommune; vertskommune Grane" in html
    assert "Tre eller færre leger" in html
    assert reverse("legevakt:varsel_sett", args=[flag.pk]) not in html
    response = c.post(reverse("legevakt:varsel_sett", args=[flag.pk]))
    assert response.status_code == 403
    reload(flag)
    assert flag.sett is None


def test_other_kommuner_see_nothing_and_readers_cannot_mark(client, world):
    grane, _hattfjelldal, _d, _doctors, flag = world
    c = client_for(client, "saksbehandler", kommune("4601"))
    html = c.get(URL).content.decode()
    assert "Indre Helgeland legevakt" not in html and "Kommunen er ikke med i noe aktivt legevaktdistrikt." in html
    assert c.post(reverse("legevakt:varsel_sett", args=[flag.pk])).status_code == 404
    reader = client_for(client, "lesetilgang", grane)
    assert reader.post(reverse("legevakt:varsel_sett", args=[flag.pk])).status_code == 403
    reload(flag)
    assert flag.sett is None


def test_marking_seen_needs_post(client, world):
    grane, *_rest, flag = world
    c = client_for(client, "saksbehandler", grane)
    assert c.get(reverse("legevakt:varsel_sett", args=[flag.pk])).status_code == 405


# --- the API (basename belastningsvarsel) -------------------------------------------------------------

API = "/api/v1/belastningsvarsler/"


def test_api_lists_filters_retrieves_and_marks_seen(world):
    grane, hattfjelldal, d, _doctors, flag = world
    vert = token_client(["legevakt:les", "legevakt:skriv"], grane)
    response = vert.get(API, {"distrikt": d.pk, "apne": "true"})
    assert response.status_code == 200, response.content
    rows = response.json()["resultater"]
    assert {r["type"] for r in rows} == {"fa_leger", "hyppighet", "beredskap"}
    assert all(r["apen"] and r["distrikt_navn"] == "Indre Helgeland legevakt" for r in rows)
    only = vert.get(API, {"type": "fa_leger"}).json()["resultater"]
    assert [r["id"] for r in only] == [flag.pk] and only[0]["detaljer"] == {"leger": 3, "grense": 3}
    assert vert.get(API, {"apne": "false"}).json()["resultater"] == []
    assert vert.get(API, {"type": "ukjent"}).status_code == 400
    assert vert.get(f"{API}{flag.pk}/").json()["type_tekst"] == "Tre eller færre leger i vaktordningen"

    deltaker = token_client(["legevakt:les", "legevakt:skriv"], hattfjelldal)
    assert len(deltaker.get(API).json()["resultater"]) == 3
    refused = deltaker.post(f"{API}{flag.pk}/sett/")
    assert refused.status_code == 403 and refused.json()["kode"]
    reload(flag)
    assert flag.sett is None

    marked = vert.post(f"{API}{flag.pk}/sett/")
    assert marked.status_code == 200 and marked.json()["sett"] and marked.json()["sett_av"] is None

    other = token_client(["legevakt:les", "legevakt:skriv"], kommune("4601"))
    assert other.get(API).json()["resultater"] == []
    assert other.get(f"{API}{flag.pk}/").status_code == 404
    assert other.post(f"{API}{flag.pk}/sett/").status_code == 404
    reader = token_client(["legevakt:les"], grane)
    assert reader.post(f"{API}{flag.pk}/sett/").status_code == 403


def test_api_list_query_count_does_not_grow_with_flags(world):
    grane, *_rest = world
    client = token_client(["legevakt:les"], grane)
    with CaptureQueriesContext(connection) as small:
        assert len(client.get(API).json()["resultater"]) == 3
    # A second district of Grane's serving Øksnes only (Grane is in the first one around the clock).
    oksnes = sentralitet("1868", 5)
    with in_kommune(grane):
        d2 = Legevaktdistrikt.objects.create(kommune=grane, navn="Øksnes legevakt", type="interkommunal")
        Medlemskap.objects.create(kommune=grane, distrikt=d2, medlem=oksnes, tidsbolk="dogn", fra=dt.date(2026, 1, 1))
    rotasjon(d2, leger(grane, 2))
    run(grane)
    with CaptureQueriesContext(connection) as large:
        assert len(client.get(API).json()["resultater"]) == 6
    assert len(small.captured_queries) == len(large.captured_queries)
