"""A shift's supplements for payroll (Vakttillegg, issue 8): the services' rules (which field goes with
which art, 1–1440 minutes, hours at most the shift's real length, an active shift, the vertskommune
only), the API nested under the shift (400 on the field with nothing saved, 403 for a
deltakerkommune, Idempotency-Key, If-Match on delete, constant queries) and the pages (the section
on the shift's page, adding with an error summary, deleting)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.context import scope
from core.exceptions import StaleVersion
from legevakt import tillegg_services, vakt_services
from legevakt.models import Vakt, Vakttillegg
from tests.api_helpers import error, if_match
from tests.conftest import api_client_for, in_kommune, kommune, token_client, user_with_role
from tests.legevakt import helpers
from tests.legevakt.helpers import oslo

pytestmark = pytest.mark.django_db


@pytest.fixture
def grane(bergen):
    return kommune("1825")


@pytest.fixture
def d(bergen, grane):
    """Bergen's district with Grane as deltakerkommune."""
    return helpers.distrikt(bergen, grane, navn="Bergen og Grane legevakt")


@pytest.fixture
def lege(bergen):
    return helpers.kvalifisert(bergen, etternavn="Aas")


def _ny_vakt(d, lege, start, slutt, type="tilstedevakt", **kwargs) -> Vakt:
    with in_kommune(d.kommune):
        return vakt_services.create_vakt(distrikt=d, lege=lege, type=type, start=start, slutt=slutt, **kwargs)


@pytest.fixture
def vakt(d, lege):
    """A 12-hour Saturday shift, 08:00–20:00."""
    return _ny_vakt(d, lege, oslo(2027, 3, 6, 8), oslo(2027, 3, 6, 20))


def _add(vakt, **kwargs) -> Vakttillegg:
    with scope(kommune_id=vakt.kommune_id, actor="test"):
        return tillegg_services.add_tillegg(vakt=vakt, **kwargs)


def _antall(k) -> int:
    with in_kommune(k):
        return Vakttillegg.objects.count()


def _messages(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        call()
    return exc.value.message_dict


def _url(vakt) -> str:
    return f"/api/v1/vakter/{vakt.pk}/tillegg/"


# --- the services ------------------------------------------------------------------------------------

def test_a_journey_and_legevaktsentral_hours_are_recorded(bergen, vakt):
    reise = _add(vakt, art="reise", minutter_hver_vei=45, merknad="  Til Ytre Arna  ")
    sentral = _add(vakt, art="legevaktsentral", timer="2,5")
    assert (reise.kommune_id, reise.vakt_id, reise.minutter_hver_vei, reise.timer, reise.merknad) == (
        bergen.pk, vakt.pk, 45, None, "Til Ytre Arna")
    assert (sentral.minutter_hver_vei, sentral.timer) == (None, Decimal("2.50"))
    with in_kommune(bergen):
        assert list(vakt.tillegg.order_by("id").values_list("art", flat=True)) == ["reise", "legevaktsentral"]


@pytest.mark.parametrize(("kwargs", "felt", "tekst"), [
    ({"art": "fly"}, "art", "Velg art"),
    ({"art": ""}, "art", "Velg art"),
    ({"art": "reise"}, "minutter_hver_vei", "krever reisetiden"),
    ({"art": "reise", "minutter_hver_vei": 0}, "minutter_hver_vei", "fra 1 til 1440"),
    ({"art": "reise", "minutter_hver_vei": 1441}, "minutter_hver_vei", "fra 1 til 1440"),
    ({"art": "reise", "minutter_hver_vei": 10**30}, "minutter_hver_vei", "fra 1 til 1440"),
    ({"art": "reise", "minutter_hver_vei": "12,5"}, "minutter_hver_vei", "hele minutter"),
    ({"art": "reise", "minutter_hver_vei": True}, "minutter_hver_vei", "hele minutter"),
    ({"art": "reise", "minutter_hver_vei": 30, "timer": 2}, "timer", "En reise har ingen timer"),
    ({"art": "legevaktsentral"}, "timer", "krever timene"),
    ({"art": "legevaktsentral", "timer": 0}, "timer", "flere enn null"),
    ({"art": "legevaktsentral", "timer": "-1"}, "timer", "flere enn null"),
    ({"art": "legevaktsentral", "timer": "NaN"}, "timer", "som et tall"),
    ({"art": "legevaktsentral", "timer": "1.234"}, "timer", "høyst to desimaler"),
    ({"art": "legevaktsentral", "timer": "12.01"}, "timer", "vaktens lengde (12 timer)"),
    ({"art": "legevaktsentral", "timer": 2, "minutter_hver_vei": 20}, "minutter_hver_vei", "ingen reisetid"),
    ({"art": "reise", "minutter_hver_vei": 20, "merknad": "x" * 301}, "merknad", "høyst 300 tegn"),
])
def test_bad_input_is_refused_on_its_field_and_nothing_is_saved(bergen, vakt, kwargs, felt, tekst):
    messages = _messages(lambda: _add(vakt, **kwargs))
    assert tekst in " ".join(messages[felt]), messages
    assert _antall(bergen) == 0


def test_the_limits_are_inclusive_and_hours_are_real_hours_across_summer_time(bergen, d, lege, vakt):
    assert _add(vakt, art="reise", minutter_hver_vei=1).minutter_hver_vei == 1
    assert _add(vakt, art="reise", minutter_hver_vei=1440).minutter_hver_vei == 1440
    assert _add(vakt, art="legevaktsentral", timer=12).timer == Decimal("12.00")
    # Summer time ends on 25 October 2026: the night 20:00–08:00 has 13 real hours.
    natt = _ny_vakt(d, lege, oslo(2026, 10, 24, 20), oslo(2026, 10, 25, 8), type="hjemmevakt")
    assert _add(natt, art="legevaktsentral", timer="13").timer == Decimal("13.00")
    assert "vaktens lengde (13 timer)" in _messages(lambda: _add(natt, art="legevaktsentral", timer="13.01"))["timer"][0]


def test_a_cancelled_shift_takes_no_supplement_changes(bergen, vakt):
    tillegg = _add(vakt, art="reise", minutter_hver_vei=40)
    with in_kommune(bergen):
        vakt_services.avlys_vakt(vakt=vakt, expected_version=vakt.versjon)
    assert "avlyst" in _messages(lambda: _add(vakt, art="reise", minutter_hver_vei=40))["vakt"][0]
    with in_kommune(bergen):
        tillegg.refresh_from_db()
        assert "avlyst" in _messages(lambda: tillegg_services.delete_tillegg(
            tillegg=tillegg, expected_version=tillegg.versjon))["vakt"][0]
    assert _antall(bergen) == 1


def test_a_deltakerkommune_may_not_write_or_see_supplements(bergen, grane, vakt):
    tillegg = _add(vakt, art="reise", minutter_hver_vei=40)
    with in_kommune(grane):
        sett = Vakt.objects.select_related("distrikt").get(pk=vakt.pk)  # the shift itself is visible to a member
        with pytest.raises(PermissionDenied):
            tillegg_services.add_tillegg(vakt=sett, art="reise", minutter_hver_vei=10)
        with pytest.raises(PermissionDenied):
            tillegg_services.krev_innsyn(sett)
        assert not Vakttillegg.objects.filter(pk=tillegg.pk).exists()  # tenancy: not even readable
    assert _antall(bergen) == 1


def test_delete_needs_the_current_version(bergen, vakt):
    tillegg = _add(vakt, art="reise", minutter_hver_vei=40)
    with in_kommune(bergen):
        with pytest.raises(StaleVersion):
            tillegg_services.delete_tillegg(tillegg=tillegg, expected_version=tillegg.versjon + 1)
        tillegg_services.delete_tillegg(tillegg=tillegg, expected_version=tillegg.versjon)
    assert _antall(bergen) == 0


def test_update_checks_the_result_as_a_whole(bergen, vakt):
    tillegg = _add(vakt, art="reise", minutter_hver_vei=40)
    with in_kommune(bergen):
        messages = _messages(lambda: tillegg_services.update_tillegg(
            tillegg=tillegg, expected_version=tillegg.versjon, art="legevaktsentral"))
        assert set(messages) == {"timer", "minutter_hver_vei"}
        assert "dette feltet kan ikke endres" in _messages(lambda: tillegg_services.update_tillegg(
            tillegg=tillegg, expected_version=tillegg.versjon, vakt=1))["vakt"][0].lower()
        versjon = tillegg.versjon
        endret = tillegg_services.update_tillegg(tillegg=tillegg, expected_version=tillegg.versjon, art="legevaktsentral",
                                                 minutter_hver_vei=None, timer="3", merknad="Sentralen")
        assert (endret.art, endret.minutter_hver_vei, endret.timer, endret.merknad, endret.versjon) == (
            "legevaktsentral", None, Decimal("3.00"), "Sentralen", versjon + 1)
        with pytest.raises(StaleVersion):
            tillegg_services.update_tillegg(tillegg=endret, expected_version=endret.versjon - 1, merknad="x")


# --- the API ------------------------------------------------------------------------------------------

def test_create_with_location_etag_and_replay_then_read_and_history(api, bergen, vakt):
    body = {"art": "reise", "minutter_hver_vei": 35, "merknad": "Hjemmebesøk"}
    response = api.post(_url(vakt), body, format="json", HTTP_IDEMPOTENCY_KEY="tillegg-1")
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["vakt"], created["art"], created["art_navn"], created["minutter_hver_vei"], created["timer"]) == (
        vakt.pk, "reise", "Reise (SFS 2305 § 9.4)", 35, None)
    assert response["Location"] == f"{_url(vakt)}{created['id']}/" and response["ETag"] == f'"{created["versjon"]}"'
    again = api.post(_url(vakt), body, format="json", HTTP_IDEMPOTENCY_KEY="tillegg-1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true" and again.json()["id"] == created["id"]
    assert _antall(bergen) == 1

    sentral = api.post(_url(vakt), {"art": "legevaktsentral", "timer": "2.5"}, format="json")
    assert sentral.status_code == 201 and sentral.json()["timer"] == "2.50"
    listed = api.get(_url(vakt)).json()
    assert (listed["antall"], [t["art"] for t in listed["resultater"]]) == (2, ["reise", "legevaktsentral"])
    detail = api.get(response["Location"])
    assert detail.status_code == 200 and detail["ETag"] == response["ETag"]
    assert api.get(response["Location"], HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    historikk = api.get(f"{response['Location']}historikk/").json()
    assert historikk["resultater"][0]["hendelse"] == "insert"


@pytest.mark.parametrize(("body", "felt"), [
    ({"minutter_hver_vei": 30}, "art"),
    ({"art": "fly", "minutter_hver_vei": 30}, "art"),
    ({"art": "reise"}, "minutter_hver_vei"),
    ({"art": "reise", "minutter_hver_vei": 0}, "minutter_hver_vei"),
    ({"art": "reise", "minutter_hver_vei": 99999999999999999999}, "minutter_hver_vei"),
    ({"art": "reise", "minutter_hver_vei": "tretti"}, "minutter_hver_vei"),
    ({"art": "reise", "minutter_hver_vei": 30, "timer": "1"}, "timer"),
    ({"art": "legevaktsentral", "timer": "0"}, "timer"),
    ({"art": "legevaktsentral", "timer": "13"}, "timer"),
    ({"art": "legevaktsentral", "timer": "1000"}, "timer"),
    ({"art": "legevaktsentral", "timer": "1.234"}, "timer"),
    ({"art": "legevaktsentral", "timer": "2", "minutter_hver_vei": 5}, "minutter_hver_vei"),
    ({"art": "reise", "minutter_hver_vei": 30, "merknad": "x" * 301}, "merknad"),
])
def test_bad_input_is_400_on_its_field_and_nothing_is_saved(api, bergen, vakt, body, felt):
    result = error(api.post(_url(vakt), body, format="json"))
    assert felt in result["felt"], result
    assert _antall(bergen) == 0


def test_delete_needs_if_match(api, bergen, vakt):
    tillegg = _add(vakt, art="reise", minutter_hver_vei=40)
    url = f"{_url(vakt)}{tillegg.pk}/"
    error(api.delete(url), 428)
    error(api.delete(url, **if_match(tillegg.versjon + 1)), 412)
    assert _antall(bergen) == 1
    assert api.delete(url, **if_match(tillegg.versjon)).status_code == 204
    assert _antall(bergen) == 0
    error(api.get(url), 404)


def test_a_cancelled_shift_refuses_new_supplements_and_deletes_with_400(api, bergen, vakt):
    tillegg = _add(vakt, art="reise", minutter_hver_vei=40)
    with in_kommune(bergen):
        vakt_services.avlys_vakt(vakt=vakt, expected_version=vakt.versjon)
    assert "vakt" in error(api.post(_url(vakt), {"art": "reise", "minutter_hver_vei": 30}, format="json"))["felt"]
    assert "vakt" in error(api.delete(f"{_url(vakt)}{tillegg.pk}/", **if_match(tillegg.versjon)))["felt"]
    assert _antall(bergen) == 1


def test_a_deltakerkommune_user_and_token_get_403_for_every_method(bergen, grane, vakt):
    tillegg = _add(vakt, art="reise", minutter_hver_vei=40)
    for client in (api_client_for(user_with_role("saksbehandler", grane)),
                   token_client(["legevakt:les", "legevakt:skriv"], grane)):
        assert client.get(f"/api/v1/vakter/{vakt.pk}/").status_code == 200  # the shift itself is visible
        error(client.get(_url(vakt)), 403)
        error(client.post(_url(vakt), {"art": "reise", "minutter_hver_vei": 30}, format="json"), 403)
        error(client.get(f"{_url(vakt)}{tillegg.pk}/"), 403)
        error(client.delete(f"{_url(vakt)}{tillegg.pk}/", **if_match(tillegg.versjon)), 403)
    assert _antall(bergen) == 1


def test_scopes_roles_and_another_kommunes_shift(bergen, sunnfjord, vakt):
    error(token_client(["lister:les"], bergen).get(_url(vakt)), 403)
    leser = token_client(["legevakt:les"], bergen)
    assert leser.get(_url(vakt)).status_code == 200
    error(leser.post(_url(vakt), {"art": "reise", "minutter_hver_vei": 30}, format="json"), 403)
    error(api_client_for(user_with_role("lesetilgang", bergen)).post(
        _url(vakt), {"art": "reise", "minutter_hver_vei": 30}, format="json"), 403)
    fremmed = api_client_for(user_with_role("saksbehandler", sunnfjord))
    error(fremmed.get(_url(vakt)), 404)
    error(fremmed.post(_url(vakt), {"art": "reise", "minutter_hver_vei": 30}, format="json"), 404)
    error(api_client_for(user_with_role("saksbehandler", bergen)).get("/api/v1/vakter/99999999999999999999/tillegg/"), 404)
    assert _antall(bergen) == 0


def test_the_list_takes_a_constant_number_of_queries(api, bergen, vakt, django_assert_max_num_queries):
    def legg_til(n):
        with in_kommune(bergen):
            Vakttillegg.objects.bulk_create([
                Vakttillegg(kommune=bergen, vakt=vakt, art="reise", minutter_hver_vei=10 + i % 60) for i in range(n)])

    legg_til(10)
    with CaptureQueriesContext(connection) as few:
        assert api.get(_url(vakt)).json()["antall"] == 10
    legg_til(90)
    with django_assert_max_num_queries(len(few)):
        assert api.get(_url(vakt)).json()["antall"] == 100


# --- the pages ----------------------------------------------------------------------------------------

def _html(response) -> str:
    return response.content.decode()


def _page(name, *args) -> str:
    return reverse(f"legevakt:{name}", args=args)


def test_the_shift_page_has_the_section_for_the_vertskommune_only(client, bergen, grane, vakt):
    _add(vakt, art="legevaktsentral", timer="2.5", merknad="Sentralen om kvelden")
    client.force_login(user_with_role("saksbehandler", bergen))
    page = _html(client.get(_page("vakt", vakt.pk)))
    assert 'id="tillegg"' in page and "Sentralen om kvelden" in page and "2,50 timer" in page
    assert f'action="{_page("vakt_tillegg", vakt.pk)}"' in page and 'name="minutter_hver_vei"' in page

    client.force_login(user_with_role("lesetilgang", bergen))
    page = _html(client.get(_page("vakt", vakt.pk)))
    assert "Sentralen om kvelden" in page and f'action="{_page("vakt_tillegg", vakt.pk)}"' not in page

    client.force_login(user_with_role("saksbehandler", grane))
    response = client.get(_page("vakt", vakt.pk))
    assert response.status_code == 200 and 'id="tillegg"' not in _html(response)
    assert "Sentralen om kvelden" not in _html(response)
    assert client.get(_page("vakt_tillegg", vakt.pk)).status_code == 403
    assert client.post(_page("vakt_tillegg", vakt.pk), {"art": "reise", "minutter_hver_vei": "30"}).status_code == 403
    assert _antall(bergen) == 1


def test_adding_on_the_page_and_refusals_with_an_error_summary(client, bergen, vakt):
    client.force_login(user_with_role("saksbehandler", bergen))
    response = client.post(_page("vakt_tillegg", vakt.pk), {"art": "reise", "minutter_hver_vei": "", "merknad": "x"})
    assert response.status_code == 200
    page = _html(response)
    assert 'class="feiloppsummering"' in page and "krever reisetiden hver vei" in page
    assert 'href="#id_minutter_hver_vei"' in page
    response = client.post(_page("vakt_tillegg", vakt.pk), {"art": "legevaktsentral", "timer": "13"})
    assert "vaktens lengde (12 timer)" in _html(response)
    assert _antall(bergen) == 0

    response = client.post(_page("vakt_tillegg", vakt.pk), {"art": "legevaktsentral", "timer": "2,5", "merknad": "Natt"})
    assert response.status_code == 302 and response["Location"] == _page("vakt", vakt.pk) + "#tillegg"
    response = client.post(_page("vakt_tillegg", vakt.pk), {"art": "reise", "minutter_hver_vei": "45"})
    assert response.status_code == 302
    with in_kommune(bergen):
        assert sorted(Vakttillegg.objects.values_list("art", "timer", "minutter_hver_vei")) == [
            ("legevaktsentral", Decimal("2.50"), None), ("reise", None, 45)]
    page = _html(client.get(_page("vakt_tillegg", vakt.pk)))
    assert "45 minutter hver vei" in page and "2,50 timer" in page


def test_deleting_on_the_page_needs_the_current_version(client, bergen, vakt):
    tillegg = _add(vakt, art="reise", minutter_hver_vei=40)
    slett = _page("vakt_tillegg_slett", vakt.pk, tillegg.pk)
    client.force_login(user_with_role("lesetilgang", bergen))
    assert client.post(slett, {"versjon": tillegg.versjon}).status_code == 403
    client.force_login(user_with_role("saksbehandler", bergen))
    assert client.get(slett).status_code == 405
    response = client.post(slett, {"versjon": tillegg.versjon + 1}, follow=True)
    assert "endret av noen andre" in _html(response)
    assert _antall(bergen) == 1
    response = client.post(slett, {"versjon": tillegg.versjon})
    assert response.status_code == 302 and response["Location"] == _page("vakt", vakt.pk) + "#tillegg"
    assert _antall(bergen) == 0
    assert client.post(slett, {"versjon": tillegg.versjon}).status_code == 404


def test_a_cancelled_shift_shows_the_supplements_without_the_form(client, bergen, vakt):
    _add(vakt, art="reise", minutter_hver_vei=40, merknad="Før avlysning")
    with in_kommune(bergen):
        vakt_services.avlys_vakt(vakt=vakt, expected_version=vakt.versjon)
    client.force_login(user_with_role("saksbehandler", bergen))
    page = _html(client.get(_page("vakt", vakt.pk)))
    assert "Før avlysning" in page and 'name="minutter_hver_vei"' not in page
    page = _html(client.get(_page("vakt_tillegg", vakt.pk)))
    assert "Vakten er avlyst" in page and 'name="minutter_hver_vei"' not in page
    response = client.post(_page("vakt_tillegg", vakt.pk), {"art": "reise", "minutter_hver_vei": "30"})
    assert response.status_code == 200 and "avlyst" in _html(response)
    assert _antall(bergen) == 1
