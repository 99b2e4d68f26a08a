"""The roster API: shifts and swap requests over HTTP, with real authentication — bad input is 400
on its field with nothing saved, a deltakerkommune reads but cannot write, a doctor sees and swaps
only their own shifts, lists take a constant number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from legevakt import vakt_services
from legevakt.models import Vakt, Vaktbytte
from tests.api_helpers import error, if_match
from tests.conftest import api_client_for, in_kommune, kommune, token_client, user_with_role
from tests.legevakt import helpers
from tests.legevakt.helpers import oslo

pytestmark = pytest.mark.django_db

URL = "/api/v1/vakter/"
BYTTER = "/api/v1/vaktbytter/"


@pytest.fixture
def d(bergen):
    return helpers.distrikt(bergen, kommune("1825"), navn="Bergen og Grane legevakt")


@pytest.fixture
def lege(bergen):
    return helpers.kvalifisert(bergen, etternavn="Aas")


@pytest.fixture
def annen(bergen):
    return helpers.kvalifisert(bergen, etternavn="Berg")


def _ny(d, lege, start, slutt, type="tilstedevakt", **kwargs):
    with in_kommune(d.kommune):
        return vakt_services.create_vakt(distrikt=d, lege=lege, type=type, start=start, slutt=slutt, **kwargs)


def _body(d, lege, **overrides) -> dict:
    return {"distrikt": d.pk, "lege": lege.pk, "type": "tilstedevakt", "start": "2027-03-06T08:00", "slutt": "2027-03-06T20:00",
            **overrides}


def _antall(k) -> int:
    with in_kommune(k):
        return Vakt.objects.count()


# --- create, read, change ---------------------------------------------------------------------------

def test_create_returns_the_shift_with_etag_and_location_and_replays_with_the_same_key(api, bergen, d, lege):
    response = api.post(URL, _body(d, lege), format="json", HTTP_IDEMPOTENCY_KEY="vakt-1")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["lege"], body["lege_navn"], body["vaktklasse"], body["dagkategori"], body["timer"]) == (
        lege.pk, lege.navn, 3, "helg", 12.0)
    assert body["start"] == "2027-03-06T08:00:00+01:00"
    assert response["ETag"] == f'"{body["versjon"]}"' and response["Location"] == f"{URL}{body['id']}/"
    again = api.post(URL, _body(d, lege), format="json", HTTP_IDEMPOTENCY_KEY="vakt-1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true" and again.json()["id"] == body["id"]
    assert _antall(bergen) == 1

    detail = api.get(f"{URL}{body['id']}/")
    assert detail.status_code == 200 and detail["ETag"] == response["ETag"]
    assert api.get(f"{URL}{body['id']}/", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_hours_are_real_hours_across_the_summer_time_changes(api, d, lege):
    oktober = api.post(URL, _body(d, lege, type="hjemmevakt", start="2026-10-24T20:00", slutt="2026-10-25T08:00"), format="json")
    mars = api.post(URL, _body(d, lege, type="hjemmevakt", start="2026-03-28T20:00", slutt="2026-03-29T08:00"), format="json")
    assert (oktober.json()["timer"], mars.json()["timer"]) == (13.0, 11.0)


@pytest.mark.parametrize(("overrides", "felt"), [
    ({"start": "2027-03-06T20:00", "slutt": "2027-03-06T08:00"}, "slutt"),
    ({"start": "2027-03-06T08:00", "slutt": "2027-03-09T08:01"}, "slutt"),
    ({"start": "2026-03-29T02:30", "slutt": "2026-03-29T08:00"}, "start"),
    ({"type": "nattevakt"}, "type"),
    ({"vaktklasse": 1}, "vaktklasse"),
    ({"lege": "fremmed"}, "lege"),
    ({"distrikt": "fremmed"}, "distrikt"),
])
def test_bad_input_is_400_on_its_field_and_nothing_is_saved(api, bergen, sunnfjord, d, lege, overrides, felt):
    if overrides.get("lege") == "fremmed":
        overrides = {"lege": helpers.kvalifisert(sunnfjord).pk}
    if overrides.get("distrikt") == "fremmed":
        overrides = {"distrikt": helpers.distrikt(sunnfjord).pk}
    body = error(api.post(URL, {**_body(d, lege), **overrides}, format="json"))
    assert felt in body["felt"], body
    assert _antall(bergen) == 0


def test_a_rest_breach_is_400_and_accepted_with_a_reason(api, bergen, d, lege):
    natt = _body(d, lege, type="hjemmevakt", start="2027-03-02T20:00", slutt="2027-03-03T08:00")
    body = error(api.post(URL, natt, format="json"))
    assert "SFS 2305 § 7.4" in body["felt"]["hvilebrudd_begrunnelse"][0]
    sjekk = api.post(f"{URL}sjekk/", natt, format="json").json()
    assert [(b["kode"], b["kan_begrunnes"]) for b in sjekk["resultater"]] == [("hvilebrudd", True)]
    assert _antall(bergen) == 0
    response = api.post(URL, {**natt, "hvilebrudd_begrunnelse": "Fri onsdag"}, format="json")
    assert response.status_code == 201 and response.json()["hvilebrudd_begrunnelse"] == "Fri onsdag"


def test_patch_needs_if_match_and_rechecks_the_rules(api, d, lege):
    vakt = _ny(d, lege, oslo(2027, 3, 6, 8), oslo(2027, 3, 6, 20))
    url = f"{URL}{vakt.pk}/"
    error(api.patch(url, {"merknad": "x"}, format="json"), 428)
    error(api.patch(url, {"merknad": "x"}, format="json", **if_match(vakt.versjon + 5)), 412)
    body = error(api.patch(url, {"vaktklasse": 1}, format="json", **if_match(vakt.versjon)))
    assert "SFS 2305 § 8.3" in body["felt"]["vaktklasse"][0]
    response = api.patch(url, {"slutt": "2027-03-06T22:00", "merknad": "Lengre"}, format="json", **if_match(vakt.versjon))
    assert response.status_code == 200, response.content
    assert (response.json()["slutt"], response.json()["merknad"], response.json()["timer"]) == ("2027-03-06T22:00:00+01:00",
                                                                                                "Lengre", 14.0)
    assert response["ETag"] == f'"{vakt.versjon + 1}"'
    historikk = api.get(f"{url}historikk/").json()
    assert {e["felt"] for e in historikk["resultater"][0]["endringer"]} >= {"slutt", "merknad"}


def test_cancel_and_sick_call_with_ranked_replacements(api, bergen, d, lege, annen):
    vakt = _ny(d, lege, oslo(2027, 3, 6, 8), oslo(2027, 3, 6, 20))
    kandidater = api.get(f"{URL}{vakt.pk}/erstattere/").json()
    assert [(k["lege"], k["rangering"], k["kvalifisert"]) for k in kandidater["resultater"]] == [(annen.pk, 1, True)]
    error(api.post(f"{URL}{vakt.pk}/syk/", {"erstatter": annen.pk}, format="json"), 428)
    body = error(api.post(f"{URL}{vakt.pk}/syk/", {"erstatter": 999999}, format="json", **if_match(vakt.versjon)))
    assert "erstatter" in body["felt"]
    response = api.post(f"{URL}{vakt.pk}/syk/", {"erstatter": annen.pk, "fra": "2027-03-06T12:00"}, format="json",
                        **if_match(vakt.versjon))
    assert response.status_code == 201, response.content
    assert (response.json()["lege"], response.json()["erstatter"], response.json()["start"]) == (
        annen.pk, vakt.pk, "2027-03-06T12:00:00+01:00")
    forkortet = api.get(f"{URL}{vakt.pk}/").json()  # ill during the shift: it ends at `fra`, the hours worked stay
    assert (forkortet["status"], forkortet["slutt"]) == ("aktiv", "2027-03-06T12:00:00+01:00")
    with in_kommune(bergen):
        ny = Vakt.objects.get(pk=response.json()["id"])
    assert api.post(f"{URL}{ny.pk}/avlys/", {"arsak": "annet"}, format="json", **if_match(ny.versjon)).json()["status"] == "avlyst"


# --- lists --------------------------------------------------------------------------------------------

def test_the_list_filters_and_takes_the_same_number_of_queries_for_more_shifts(api, bergen, d, lege, annen):
    for i in range(3):
        _ny(d, lege, oslo(2027, 3, 6 + 7 * i, 8), oslo(2027, 3, 6 + 7 * i, 20))
    _ny(d, annen, oslo(2027, 3, 7, 8), oslo(2027, 3, 7, 20), type="hjemmevakt")
    assert api.get(URL, {"lege": lege.pk}).json()["antall"] == 3
    assert api.get(URL, {"type": "hjemmevakt"}).json()["antall"] == 1
    assert api.get(URL, {"fra": "2027-03-07", "til": "2027-03-13"}).json()["antall"] == 1
    assert api.get(URL, {"distrikt": d.pk, "status": "aktiv"}).json()["antall"] == 4
    assert "til" in error(api.get(URL, {"fra": "2027-03-07", "til": "2027-03-01"}))["felt"]
    assert "type" in error(api.get(URL, {"type": "nattevakt"}))["felt"]

    with CaptureQueriesContext(connection) as few:
        assert api.get(URL).status_code == 200
    for i in range(3, 12):
        uke = dt.timedelta(weeks=i)
        _ny(d, annen, oslo(2027, 3, 6, 8) + uke, oslo(2027, 3, 6, 20) + uke)
    with CaptureQueriesContext(connection) as many:
        assert api.get(URL).json()["antall"] == 13
    assert len(many) == len(few)


# --- who may do what --------------------------------------------------------------------------------

def test_a_deltakerkommune_user_and_token_read_the_roster_but_cannot_write(bergen, d, lege):
    grane = kommune("1825")
    vakt = _ny(d, lege, oslo(2027, 3, 6, 8), oslo(2027, 3, 6, 20))
    for client in (api_client_for(user_with_role("saksbehandler", grane)),
                   token_client(["legevakt:les", "legevakt:skriv"], grane)):
        assert [v["id"] for v in client.get(URL).json()["resultater"]] == [vakt.pk]
        assert client.get(f"{URL}{vakt.pk}/").status_code == 200
        error(client.post(URL, _body(d, lege, start="2027-03-07T08:00", slutt="2027-03-07T20:00"), format="json"), 403)
        error(client.patch(f"{URL}{vakt.pk}/", {"merknad": "x"}, format="json", **if_match(vakt.versjon)), 403)
        error(client.post(f"{URL}{vakt.pk}/avlys/", {}, format="json", **if_match(vakt.versjon)), 403)
    assert _antall(bergen) == 1
    with in_kommune(bergen):
        assert Vakt.objects.get().status == "aktiv"


def test_a_token_needs_the_legevakt_scopes(bergen, d, lege):
    vakt = _ny(d, lege, oslo(2027, 3, 6, 8), oslo(2027, 3, 6, 20))
    error(token_client(["lister:les"], bergen).get(URL), 403)
    leser = token_client(["legevakt:les"], bergen)
    assert leser.get(f"{URL}{vakt.pk}/").status_code == 200
    error(leser.post(URL, _body(d, lege, start="2027-03-07T08:00", slutt="2027-03-07T20:00"), format="json"), 403)


def test_a_doctor_sees_only_their_own_shifts_and_asks_to_swap_them(bergen, d, lege, annen):
    user = user_with_role("lege", bergen)
    with in_kommune(bergen):
        type(lege).objects.filter(pk=lege.pk).update(bruker=user)
    egen = _ny(d, lege, oslo(2027, 3, 6, 8), oslo(2027, 3, 6, 20))
    andres = _ny(d, annen, oslo(2027, 3, 13, 8), oslo(2027, 3, 13, 20))
    client = api_client_for(user)
    assert [v["id"] for v in client.get(URL).json()["resultater"]] == [egen.pk]
    assert client.get(f"{URL}{egen.pk}/").status_code == 200
    error(client.get(f"{URL}{andres.pk}/"), 404)
    error(client.get(f"{URL}{egen.pk}/erstattere/"), 403)
    error(client.post(URL, _body(d, lege, start="2027-03-20T08:00", slutt="2027-03-20T20:00"), format="json"), 403)

    error(client.post(BYTTER, {"vakt": andres.pk, "mot_vakt": egen.pk}, format="json"), 403)
    assert "mot_vakt" in error(client.post(BYTTER, {"vakt": egen.pk, "mot_vakt": egen.pk}, format="json"))["felt"]
    response = client.post(BYTTER, {"vakt": egen.pk, "mot_vakt": andres.pk}, format="json")
    assert response.status_code == 201, response.content
    bytte = response.json()
    assert (bytte["status"], bytte["vakt_lege"], bytte["mot_vakt_lege"]) == ("foreslatt", lege.pk, annen.pk)
    assert [b["id"] for b in client.get(BYTTER).json()["resultater"]] == [bytte["id"]]
    error(client.post(f"{BYTTER}{bytte['id']}/godkjenn/", {}, format="json", **if_match(bytte["versjon"])), 403)
    trukket = client.post(f"{BYTTER}{bytte['id']}/trekk/", {}, format="json", **if_match(bytte["versjon"]))
    assert trukket.status_code == 200 and trukket.json()["status"] == "trukket"


def test_a_saksbehandler_approves_a_swap_and_a_swap_with_oneself_is_400(bergen, d, lege, annen):
    client = api_client_for(user_with_role("saksbehandler", bergen))
    a = _ny(d, lege, oslo(2027, 3, 6, 8), oslo(2027, 3, 6, 20))
    a2 = _ny(d, lege, oslo(2027, 3, 20, 8), oslo(2027, 3, 20, 20))
    c = _ny(d, annen, oslo(2027, 3, 13, 8), oslo(2027, 3, 13, 20))
    for mot in (a, a2):
        assert "mot_vakt" in error(client.post(BYTTER, {"vakt": a.pk, "mot_vakt": mot.pk}, format="json"))["felt"]
    with in_kommune(bergen):
        assert not Vaktbytte.objects.exists()
    bytte = client.post(BYTTER, {"vakt": a.pk, "mot_vakt": c.pk}, format="json").json()
    error(client.post(f"{BYTTER}{bytte['id']}/godkjenn/", {}, format="json"), 428)
    response = client.post(f"{BYTTER}{bytte['id']}/godkjenn/", {}, format="json", **if_match(bytte["versjon"]))
    assert response.status_code == 200 and response.json()["status"] == "godkjent"
    assert client.get(f"{URL}{a.pk}/").json()["lege"] == annen.pk
    assert client.get(f"{URL}{c.pk}/").json()["lege"] == lege.pk
