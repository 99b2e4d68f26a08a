"""The "Ubesatte lister" page, its CSV and marking a flag seen, and the vacancy API
(`ubesatte-lister/`, `ledighetsvarsler/`): what they show, who may do what, bad input."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from lister import ledighet_jobb
from lister.models import Dekning, Ledighetssak, Ledighetsvarsel, Listetall
from tests import register
from tests.api_helpers import error
from tests.conftest import api_client_for, in_kommune, token_client, user_with_role
from tests.lister.test_ledighet import D, fastlege, vikar

URL = "/lister/ubesatte/"


@pytest.fixture
def world(bergen):
    """Three lists: one vacant with no cover (gaps from today), one covered by a vikar for a week
    (gaps after), one long served by vikar; the nightly job has run."""
    with in_kommune(bergen):
        nord = register.legekontor(bergen, navn="Nordnes legekontor")
        sor = register.legekontor(bergen, navn="Sørsida legekontor")
        naked = register.liste(bergen, kontor=nord, navn="Uten dekning", fra=dt.date(2025, 1, 1))
        Listetall.objects.create(kommune=bergen, pasientliste=naked, dato=dt.date(2026, 3, 1), listelengde=1450)
        week = register.liste(bergen, kontor=sor, navn="Vikar en uke")
        fastlege(bergen, week, til=D - dt.timedelta(days=10))
        week_vikar = vikar(bergen, week, fra=D - dt.timedelta(days=10), til=D + dt.timedelta(days=7), stillingsprosent=80)
        long_ = register.liste(bergen, kontor=sor, navn="Lang vikarbruk", fra=dt.date(2024, 1, 1))
        vikar(bergen, long_, fra=dt.date(2024, 6, 1), til=D + dt.timedelta(days=100))
        ledighet_jobb.run(on=D, now=dt.datetime(2026, 3, 4, 1, 30, tzinfo=dt.UTC), kommune_id=bergen.pk)
        case = Ledighetssak.objects.filter(pasientliste=naked, avsluttet__isnull=True).get()
    return {"naked": naked, "week": week, "long": long_, "case": case, "week_vikar": week_vikar, "nord": nord}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def saksbehandler_client(saksbehandler):
    return _client(saksbehandler)


# --- the page ---------------------------------------------------------------------------------------

def test_page_lists_vacancies_most_urgent_first_one_click_from_assignment(saksbehandler_client, world):
    response = saksbehandler_client.get(URL, {"dato": D.isoformat()})
    assert response.status_code == 200
    html = response.content.decode()
    # Gaps from today first, then the one covered for a week; the long-served list has no gaps.
    assert html.index("Uten dekning") < html.index("Vikar en uke") < html.index("Lang vikarbruk")
    naked, week = world["naked"], world["week"]
    assert f'{reverse("lister:tildel", args=[naked.pk])}?fra={D.isoformat()}&amp;stillingsprosent=100' in html
    first_gap = D + dt.timedelta(days=7)
    assert f'{reverse("lister:tildel", args=[week.pk])}?fra={first_gap.isoformat()}&amp;stillingsprosent=100' in html
    assert reverse("lister:sak", args=[world["case"].pk]) in html
    assert "Vikar: Kari" in html and "(80 %)" in html
    assert re.search(r">1\s?450<", html)  # listeinnbyggere affected (with the locale's thousands space)
    assert "Merk som sett" in html
    # The sections: vikar ending without a successor, long vikar use with the unconfirmed limit.
    assert "Vikarperioder som slutter snart uten etterfølger" in html
    assert (D + dt.timedelta(days=6)).strftime("%-d.%-m.%Y") in html  # the vikar's last day
    assert "Langvarig vikarbruk" in html and "ikke bekreftet" in html and "ASA 4313" in html


def test_page_filters_by_office_and_only_gaps(saksbehandler_client, world):
    html = saksbehandler_client.get(URL, {"dato": D.isoformat(), "legekontor": world["nord"].pk}).content.decode()
    assert "Uten dekning" in html and "Vikar en uke" not in html
    covered = D + dt.timedelta(days=1)
    with in_kommune(world["naked"].kommune):
        Dekning.objects.create(kommune=world["naked"].kommune, pasientliste=world["naked"], type="kontoret", fra=covered,
                               til=covered + dt.timedelta(days=60))
    html = saksbehandler_client.get(URL, {"dato": covered.isoformat(), "kun_udekket": "on"}).content.decode()
    assert "Vikar en uke" in html
    assert f'{reverse("lister:liste", args=[world["naked"].pk])}"' not in html


def test_page_refuses_a_bad_date_with_400_and_a_field_error(saksbehandler_client, world):
    response = saksbehandler_client.get(URL, {"dato": "2026-02-30"})
    assert response.status_code == 400
    assert "Uten dekning" not in response.content.decode()
    assert saksbehandler_client.get(reverse("lister:ubesatte_csv"), {"dato": "i morgen"}).status_code == 400
    response = saksbehandler_client.get(URL, {"dato": "9999-12-31"})  # no horizon after it
    assert response.status_code == 400 and "Velg en dato mellom 1900 og 2199." in response.content.decode()


def test_reader_sees_the_page_without_write_actions_and_lege_role_is_refused(leser, bergen, world):
    html = _client(leser).get(URL, {"dato": D.isoformat()}).content.decode()
    assert "Uten dekning" in html
    assert "Merk som sett" not in html and "Tildel vikar" not in html
    lege_user = user_with_role("lege", bergen)
    assert _client(lege_user).get(URL).status_code == 403
    assert _client(lege_user).get(reverse("lister:ubesatte_csv")).status_code == 403


def test_page_query_count_does_not_grow_with_vacancies(saksbehandler_client, bergen, world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        saksbehandler_client.get(URL, {"dato": D.isoformat()})
    with in_kommune(bergen):
        for _ in range(15):
            liste = register.liste(bergen, fra=dt.date(2025, 1, 1))
            vikar(bergen, liste, fra=D, til=D + dt.timedelta(days=3))
        ledighet_jobb.run(on=D, now=dt.datetime(2026, 3, 4, 1, 30, tzinfo=dt.UTC), kommune_id=bergen.pk)
    with CaptureQueriesContext(connection) as many:
        html = saksbehandler_client.get(URL, {"dato": D.isoformat()}).content.decode()
    assert html.count("Tildel vikar</a>") + html.count("Tildel vikar<span") >= 18
    assert len(many.captured_queries) == len(few.captured_queries)


def test_csv_has_the_pages_rows(saksbehandler_client, world):
    response = saksbehandler_client.get(reverse("lister:ubesatte_csv"), {"dato": D.isoformat()})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    lines = text.strip().split("\r\n")
    assert lines[0].startswith("Legekontor;Liste;Listenummer;Status")
    assert len(lines) == 1 + 3
    naked_line = next(line for line in lines if "Uten dekning" in line)
    assert ";Uten fastlege;2025-01-01;" in naked_line and ";22;2026-03-04;1450;" in naked_line


def test_marking_a_flag_seen_by_form_post_and_htmx(saksbehandler, saksbehandler_client, world):
    with in_kommune(world["naked"].kommune):
        first, second = Ledighetsvarsel.objects.filter(pasientliste=world["naked"]).order_by("id")[:2]
    url = reverse("lister:varsel_sett", args=[first.pk])
    response = saksbehandler_client.post(url, {"neste": f"{URL}?dato={D.isoformat()}"})
    assert response.status_code == 302 and response["Location"] == f"{URL}?dato={D.isoformat()}"
    with in_kommune(world["naked"].kommune):
        first.refresh_from_db()
    assert first.sett is not None and first.sett_av_id == saksbehandler.pk
    seen_at = first.sett
    saksbehandler_client.post(url)  # again: the first marking stands
    with in_kommune(world["naked"].kommune):
        first.refresh_from_db()
    assert first.sett == seen_at

    fragment = saksbehandler_client.post(reverse("lister:varsel_sett", args=[second.pk]), HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    html = fragment.content.decode()
    assert f'id="varsel-{second.pk}"' in html and "sett " in html and "Merk som sett" not in html
    # An outside address is not followed.
    response = saksbehandler_client.post(url, {"neste": "https://example.org/"})
    assert response["Location"] == URL


def test_marking_seen_needs_skriv_and_another_kommunes_flag_is_404(leser, sunnfjord, world):
    with in_kommune(world["naked"].kommune):
        flag = Ledighetsvarsel.objects.filter(pasientliste=world["naked"]).first()
    assert _client(leser).post(reverse("lister:varsel_sett", args=[flag.pk])).status_code == 403
    other = _client(user_with_role("saksbehandler", sunnfjord))
    assert other.post(reverse("lister:varsel_sett", args=[flag.pk])).status_code == 404
    assert other.get(reverse("lister:varsel_sett", args=[flag.pk])).status_code == 405


# --- the API ----------------------------------------------------------------------------------------

def test_api_vacancies_on_a_day(bergen, world):
    client = token_client(["lister:les"], bergen)
    response = client.get("/api/v1/ubesatte-lister/", {"dato": D.isoformat()})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["antall"] == 3 and set(body) == {"antall", "neste", "forrige", "resultater"}
    first = body["resultater"][0]
    assert first["liste"] == world["naked"].pk and first["ledighet"] == "hel"
    assert first["ledig_fra"] == "2025-01-01" and first["udekkede_dager"] == 22 and first["forste_udekkede_dag"] == "2026-03-04"
    assert first["listeinnbyggere_berort"] == 1450
    assert first["sak"]["id"] == world["case"].pk and first["sak"]["arsak"] == "ny_liste"
    assert {v["type"] for v in first["varsler"]} >= {"ble_ledig", "ledig_365", "udekket"}
    week = body["resultater"][1]
    assert [(v["periode_id"], v["stillingsprosent"]) for v in week["vikarer"]] == [(world["week_vikar"].pk, 80)]
    assert client.get("/api/v1/ubesatte-lister/", {"dato": D.isoformat(), "antall": 1}).json()["neste"]


def test_api_bad_date_is_400_naming_the_field_and_scopes_are_checked(bergen, world):
    client = token_client(["lister:les"], bergen)
    body = error(client.get("/api/v1/ubesatte-lister/", {"dato": "2026-13-01"}))
    assert "dato" in body["felt"]
    assert error(client.get("/api/v1/ubesatte-lister/", {"dato": "9999-12-31"}))["felt"]["dato"] == ["Velg en dato mellom 1900 og 2199."]
    assert token_client(["avtaler:les"], bergen).get("/api/v1/ubesatte-lister/").status_code == 403
    assert token_client(["avtaler:les"], bergen).get("/api/v1/ledighetsvarsler/").status_code == 403


def test_api_flags_filtered_by_open_type_and_list(bergen, sunnfjord, world):
    client = token_client(["lister:les"], bergen)
    naked = world["naked"]
    all_flags = client.get("/api/v1/ledighetsvarsler/").json()
    assert all_flags["antall"] >= 5
    udekket = client.get("/api/v1/ledighetsvarsler/", {"type": "udekket", "pasientliste": naked.pk, "apen": "true"}).json()
    assert udekket["antall"] == 1
    flag = udekket["resultater"][0]
    assert flag["apen"] is True and flag["detaljer"]["dager"] == 22 and flag["type_tekst"]
    assert client.get("/api/v1/ledighetsvarsler/", {"apen": "false"}).json()["antall"] == 0
    assert client.get(f"/api/v1/ledighetsvarsler/{flag['id']}/").json()["id"] == flag["id"]
    assert client.get(f"/api/v1/ledighetsvarsler/{flag['id']}/historikk/").status_code == 200
    assert "type" in error(client.get("/api/v1/ledighetsvarsler/", {"type": "ukjent"}))["felt"]
    with in_kommune(sunnfjord):
        theirs = register.liste(sunnfjord)
    assert "pasientliste" in error(client.get("/api/v1/ledighetsvarsler/", {"pasientliste": theirs.pk}))["felt"]
    assert token_client(["lister:les"], sunnfjord).get(f"/api/v1/ledighetsvarsler/{flag['id']}/").status_code == 404


def test_api_marks_a_flag_seen_with_lister_skriv(bergen, saksbehandler, leser, world):
    with in_kommune(bergen):
        first, second = Ledighetsvarsel.objects.filter(pasientliste=world["naked"]).order_by("id")[:2]
    reader = token_client(["lister:les"], bergen)
    assert error(reader.post(f"/api/v1/ledighetsvarsler/{first.pk}/sett/", {}, format="json"), 403)["kode"] == "mangler_tilgang"
    writer = token_client(["lister:les", "lister:skriv"], bergen)
    response = writer.post(f"/api/v1/ledighetsvarsler/{first.pk}/sett/", {}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["sett"] is not None and response.json()["sett_av"] is None
    # A person through the API is recorded as the one who saw it; a reader may not.
    assert api_client_for(leser).post(f"/api/v1/ledighetsvarsler/{second.pk}/sett/", {}, format="json").status_code == 403
    response = api_client_for(saksbehandler).post(f"/api/v1/ledighetsvarsler/{second.pk}/sett/", {}, format="json")
    assert response.status_code == 200 and response.json()["sett_av"] == saksbehandler.pk
    assert writer.post("/api/v1/ledighetsvarsler/999999/sett/", {}, format="json").status_code == 404
