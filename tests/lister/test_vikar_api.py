"""The vikar API: the pool with availability and history, assigning a vikar (Idempotency-Key, 201
with a link to the confirmation), the ranked candidates (400 naming the parameter), and the
confirmation's content — with the services' rules and messages, and the token scopes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lister import services, vikar_services
from lister.models import Legeperiode, Tilgjengelighet, Vikar
from tests import register
from tests.api_helpers import error, if_match
from tests.conftest import api_client_for, in_kommune, token_client

VIKARER = "/api/v1/vikarer/"
FRA, TIL = "2026-09-01", "2026-10-01"


def tildeling(liste):
    return f"/api/v1/pasientlister/{liste.pk}/vikartildeling/"


def kandidater(liste):
    return f"/api/v1/pasientlister/{liste.pk}/vikarkandidater/"


@pytest.fixture(autouse=True)
def k(bergen):
    with in_kommune(bergen):
        yield bergen


@pytest.fixture
def liste(k):
    return register.liste(k, navn="Liste Ledig", flo_id="998877")


@pytest.fixture
def lege(k):
    return register.lege(k, fornavn="Siri", etternavn="Spesialistsen", spesialist_allmennmedisin_fra=dt.date(2010, 1, 1))


@pytest.fixture
def vikar(k, lege):
    vikar = vikar_services.add_vikar(kommune=k, lege=lege)
    vikar_services.add_tilgjengelighet(vikar=vikar, fra=dt.date(2026, 1, 1), til=dt.date(2030, 1, 1))
    return vikar


@pytest.fixture
def saksbehandler_api(saksbehandler):
    return api_client_for(saksbehandler)


# --- the pool -------------------------------------------------------------------------------------

def test_pool_crud_with_etag_and_history(saksbehandler_api, k, lege):
    response = saksbehandler_api.post(VIKARER, {"lege": lege.pk, "tilknytning": "vikarbyra", "vikarbyra": "Legevikar AS"},
                                      format="json", HTTP_IDEMPOTENCY_KEY="vikar-1")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["lege_navn"], body["kompetansestatus"], body["vikarbyra"], body["aktiv"]) == (
        "Siri Spesialistsen", "spesialist", "Legevikar AS", True)
    assert response["Location"] == f"{VIKARER}{body['id']}/" and response["ETag"] == f'"{body["versjon"]}"'
    url = f"{VIKARER}{body['id']}/"
    assert error(saksbehandler_api.patch(url, {"aktiv": False}, format="json"), 428)
    response = saksbehandler_api.patch(url, {"aktiv": False}, format="json", **if_match(body["versjon"]))
    assert response.status_code == 200 and response.json()["aktiv"] is False
    assert saksbehandler_api.get(VIKARER).json()["resultater"] == []
    assert [v["id"] for v in saksbehandler_api.get(f"{VIKARER}?alle=true").json()["resultater"]] == [body["id"]]
    history = saksbehandler_api.get(f"{url}historikk/").json()["resultater"]
    assert {entry["hendelse"] for entry in history} >= {"insert", "update"}


def test_pool_refuses_a_foreign_doctor_and_a_missing_agency(saksbehandler_api, k, sunnfjord, lege):
    with in_kommune(sunnfjord):
        foreign = register.lege(sunnfjord)
    assert "lege" in error(saksbehandler_api.post(VIKARER, {"lege": foreign.pk}, format="json"))["felt"]
    assert "vikarbyra" in error(saksbehandler_api.post(VIKARER, {"lege": lege.pk, "tilknytning": "vikarbyra"}, format="json"))["felt"]
    assert Vikar.objects.count() == 0


def test_availability_windows_through_the_api(saksbehandler_api, vikar):
    url = f"{VIKARER}{vikar.pk}/tilgjengelighet/"
    response = saksbehandler_api.post(url, {"fra": "2030-01-01", "til": "2030-06-01", "stillingsprosent": 50}, format="json")
    assert response.status_code == 201, response.content
    window = response.json()
    body = error(saksbehandler_api.post(url, {"fra": "2029-12-01", "stillingsprosent": 50}, format="json"))
    assert body["felt"]["fra"] == ["Vikaren har allerede tilgjengelighet registrert i denne perioden."]
    assert "stillingsprosent" in error(saksbehandler_api.post(url, {"fra": "2031-01-01", "stillingsprosent": 0}, format="json"))["felt"]
    response = saksbehandler_api.patch(f"{url}{window['id']}/", {"stillingsprosent": 80}, format="json", **if_match(window["versjon"]))
    assert response.status_code == 200 and response.json()["stillingsprosent"] == 80
    assert len(saksbehandler_api.get(url).json()["resultater"]) == 2
    assert saksbehandler_api.get(VIKARER).json()["resultater"][0]["tilgjengelighet"][0]["fra"] == "2026-01-01"
    assert saksbehandler_api.delete(f"{url}{window['id']}/", **if_match(response.json()["versjon"])).status_code == 204
    assert Tilgjengelighet.objects.count() == 1


def test_the_pool_list_is_a_constant_number_of_queries(saksbehandler_api, k):
    def add(n):
        for _ in range(n):
            v = vikar_services.add_vikar(kommune=k, lege=register.lege(k))
            vikar_services.add_tilgjengelighet(vikar=v, fra=dt.date(2030, 1, 1))

    add(2)
    with CaptureQueriesContext(connection) as small:
        saksbehandler_api.get(VIKARER)
    add(10)
    with CaptureQueriesContext(connection) as large:
        assert len(saksbehandler_api.get(VIKARER).json()["resultater"]) == 12
    assert len(small.captured_queries) == len(large.captured_queries)


# --- assignment -----------------------------------------------------------------------------------

def test_assignment_happy_path_is_idempotent_and_links_the_confirmation(saksbehandler_api, liste, lege, vikar):
    body = {"lege": lege.pk, "fra": FRA, "til": TIL, "stillingsprosent": 60, "arbeidsdager": [1, 3]}
    first = saksbehandler_api.post(tildeling(liste), body, format="json", HTTP_IDEMPOTENCY_KEY="tildel-1")
    assert first.status_code == 201, first.content
    data = first.json()
    assert (data["rolle"], data["lege"], data["stillingsprosent"], data["arbeidsdager"]) == ("LPVI", lege.pk, 60, [1, 3])
    assert data["bekreftelse"] == f"/api/v1/vikarperioder/{data['id']}/bekreftelse/"
    assert data["bekreftelse_side"] == f"/lister/vikarperioder/{data['id']}/bekreftelse/"
    assert first["Location"] == f"/api/v1/pasientlister/{liste.pk}/perioder/{data['id']}/"
    again = saksbehandler_api.post(tildeling(liste), body, format="json", HTTP_IDEMPOTENCY_KEY="tildel-1")
    assert again.status_code == 201 and again.json()["id"] == data["id"] and again["Idempotent-Replayed"] == "true"
    assert Legeperiode.objects.count() == 1


@pytest.mark.parametrize(("overrides", "field"), [
    ({"til": "2026-08-01"}, "til"),
    ({"til": FRA}, "til"),
    ({"stillingsprosent": 0}, "stillingsprosent"),
    ({"stillingsprosent": 120}, "stillingsprosent"),
    ({"lege": 999999999}, "lege"),
    ({"arbeidsdager": [9]}, "arbeidsdager"),
    ({"fra": "ikke-en-dato"}, "fra"),
])
def test_assignment_bad_input_is_400_on_the_field_and_saves_nothing(saksbehandler_api, liste, lege, overrides, field):
    body = {"lege": lege.pk, "fra": FRA, "til": TIL, "stillingsprosent": 60, **overrides}
    assert field in error(saksbehandler_api.post(tildeling(liste), body, format="json"))["felt"]
    assert Legeperiode.objects.count() == 0


def test_assignment_of_a_foreign_doctor_and_an_overlap_are_refused(saksbehandler_api, liste, lege, sunnfjord):
    with in_kommune(sunnfjord):
        foreign = register.lege(sunnfjord)
    assert "lege" in error(saksbehandler_api.post(tildeling(liste), {"lege": foreign.pk, "fra": FRA, "til": TIL,
                                                                     "stillingsprosent": 60}, format="json"))["felt"]
    vikar_services.tildel_vikar(liste=liste, lege=lege, fra=dt.date(2026, 9, 1), til=dt.date(2026, 10, 1), stillingsprosent=20)
    body = error(saksbehandler_api.post(tildeling(liste), {"lege": lege.pk, "fra": "2026-09-15", "til": "2026-11-01",
                                                          "stillingsprosent": 20}, format="json"))
    assert body["felt"]["fra"] == ["Legen har allerede en periode på denne listen som overlapper."]
    assert Legeperiode.objects.count() == 1


def test_assignment_over_100_percent_needs_a_reason(saksbehandler_api, k, liste, lege):
    services.add_legeperiode(liste=register.liste(k), lege=lege, rolle="LPVI", fra=dt.date(2026, 9, 1), til=dt.date(2026, 10, 1),
                             stillingsprosent=60)
    body = {"lege": lege.pk, "fra": FRA, "til": TIL, "stillingsprosent": 60}
    assert "begrunnelse_over_100" in error(saksbehandler_api.post(tildeling(liste), body, format="json"))["felt"]
    response = saksbehandler_api.post(tildeling(liste), {**body, "begrunnelse_over_100": "Overlevering"}, format="json")
    assert response.status_code == 201


def test_tokens_and_saksbehandlere_cannot_record_a_competence_justification(saksbehandler_api, api, k, liste, lege):
    body = {"lege": lege.pk, "fra": FRA, "til": TIL, "stillingsprosent": 60, "kompetanse_begrunnelse": "Ingen andre"}
    client = token_client(["lister:les", "lister:skriv"], k)
    for c in (client, saksbehandler_api):
        assert "kompetanse_begrunnelse" in error(c.post(tildeling(liste), body, format="json"))["felt"]
    assert Legeperiode.objects.count() == 0
    assert api.post(tildeling(liste), body, format="json").status_code == 201  # the kommuneoverlege


def test_assignment_needs_lister_skriv(k, liste, lege):
    body = {"lege": lege.pk, "fra": FRA, "til": TIL, "stillingsprosent": 60}
    assert error(token_client(["lister:les"], k).post(tildeling(liste), body, format="json"), 403)
    assert token_client(["lister:skriv"], k).post(tildeling(liste), body, format="json").status_code == 201


def test_another_kommunes_list_is_404(saksbehandler_api, sunnfjord, lege):
    with in_kommune(sunnfjord):
        foreign = register.liste(sunnfjord)
    body = {"lege": lege.pk, "fra": FRA, "til": TIL, "stillingsprosent": 60}
    assert error(saksbehandler_api.post(tildeling(foreign), body, format="json"), 404)
    assert error(saksbehandler_api.get(f"{kandidater(foreign)}?fra={FRA}&til={TIL}&stillingsprosent=50"), 404)


# --- candidates -----------------------------------------------------------------------------------

def test_candidates_are_ranked_with_reasons(saksbehandler_api, k, liste, vikar):
    vikar_services.add_vikar(kommune=k, lege=register.lege(k, etternavn="Utilgjengelig"))
    response = saksbehandler_api.get(f"{kandidater(liste)}?fra={FRA}&til={TIL}&stillingsprosent=60&arbeidsdager=1,2")
    assert response.status_code == 200, response.content
    rows = response.json()["resultater"]
    assert [r["lege_navn"] for r in rows][0] == "Siri Spesialistsen"
    assert rows[0]["poeng"] == 85 and rows[0]["poengdeler"] == {"tilgjengelighet": 60, "kompetanse": 25, "kontinuitet": 0}
    assert "Tilgjengelig hele perioden" in rows[0]["grunner"] and rows[0]["kan_velges"] is True
    assert rows[1]["tilgjengelige_dager"] == 0 and rows[1]["kompetanse"] == "ingen"


@pytest.mark.parametrize(("query", "field"), [
    ("fra=&til=2026-10-01&stillingsprosent=50", "fra"),
    ("fra=2026-09-01&til=2026-08-01", "til"),
    ("fra=2026-09-01&til=2026-10-01&stillingsprosent=0", "stillingsprosent"),
    ("fra=2026-09-01&til=2026-10-01&stillingsprosent=120", "stillingsprosent"),
    ("fra=2026-09-01&til=2026-10-01&stillingsprosent=abc", "stillingsprosent"),
    ("fra=2026-09-01&til=2026-09-01&stillingsprosent=50", "til"),
    ("fra=2026-13-01&til=2026-10-01&stillingsprosent=50", "fra"),
    ("fra=2026-09-01&til=2026-10-01&stillingsprosent=50&arbeidsdager=1,8", "arbeidsdager"),
])
def test_candidates_bad_parameters_are_400_naming_the_field(saksbehandler_api, liste, query, field):
    assert field in error(saksbehandler_api.get(f"{kandidater(liste)}?{query}"))["felt"]


def test_candidates_default_to_a_month_from_today_at_100_percent(saksbehandler_api, liste, vikar):
    from core.dates import add_months

    rows = saksbehandler_api.get(kandidater(liste)).json()["resultater"]
    today = dt.date.today()
    assert rows[0]["periodedager"] == (add_months(today, 1) - today).days


# --- the confirmation ------------------------------------------------------------------------------

def test_the_confirmation_as_json(saksbehandler_api, saksbehandler, k, liste, lege):
    periode = vikar_services.tildel_vikar(liste=liste, lege=lege, fra=dt.date(2026, 9, 1), til=dt.date(2026, 10, 1),
                                          stillingsprosent=60, arbeidsdager=[1, 3])
    data = saksbehandler_api.get(f"/api/v1/vikarperioder/{periode.pk}/bekreftelse/").json()
    assert (data["kommune_navn"], data["kommunenummer"], data["vikar_navn"], data["vikar_hpr_nummer"]) == (
        "Bergen", "4601", "Siri Spesialistsen", lege.hpr_nummer)
    assert (data["liste_navn"], data["flo_id"], data["ubesatt_liste"], data["fra"], data["siste_dag"], data["stillingsprosent"],
            data["arbeidsdager_tekst"]) == ("Liste Ledig", "998877", True, "2026-09-01", "2026-09-30", 60, "mandag, onsdag")
    assert saksbehandler.navn in data["bekreftet_av"] and data["rolle"] == "Saksbehandler"
    assert "direkte oppgjør med Helfo" in data["merknad"]
    token = token_client(["lister:les"], k)
    assert "Testklient" in token.get(f"/api/v1/vikarperioder/{periode.pk}/bekreftelse/").json()["bekreftet_av"]


def test_no_confirmation_for_a_fastlege_period(saksbehandler_api, liste):
    fastlege = services.add_legeperiode(liste=liste, lege=register.lege(liste.kommune), rolle="LPFL", via_fastlegeavtale=True,
                                        fra=dt.date(2024, 1, 1))
    assert error(saksbehandler_api.get(f"/api/v1/vikarperioder/{fastlege.pk}/bekreftelse/"), 404)
