"""The list's number in Fastlegeregisteret (flo_id), which the monthly import can match on: set on
the create and edit forms and in the API, digits only, unique in the kommune (a field error with
the same message on the page and in the API), free to repeat in another kommune, searchable."""

from __future__ import annotations

import datetime as dt

import pytest

from lister import services
from lister.models import Pasientliste
from tests import register
from tests.api_helpers import error, if_match, service_messages
from tests.conftest import in_kommune

pytestmark = pytest.mark.django_db

LISTER = "/api/v1/pasientlister/"
TAKEN = "En annen liste i kommunen har allerede dette nummeret i Fastlegeregisteret."


@pytest.fixture
def k(bergen):
    with in_kommune(bergen):
        yield bergen


@pytest.fixture
def kontor(k):
    return register.legekontor(k)


def new_list(kontor, **changes):
    return {"legekontor": kontor.pk, "navn": "Ny liste", "listetak": "1200", "gyldig_fra": "2025-01-01",
            "samarbeidskommuner": "", **changes}


def edit(liste, **changes):
    return {"legekontor": liste.legekontor_id, "navn": liste.navn, "listetak": str(liste.listetak), "flo_id": liste.flo_id,
            "samarbeidskommuner": "", "versjon": str(liste.versjon), **changes}


def test_the_forms_set_and_change_the_flo_number(page_client, k, kontor):
    response = page_client.post("/lister/ny/", new_list(kontor, flo_id=" 4711 0042 "))
    assert response.status_code == 302
    liste = Pasientliste.objects.get()
    assert liste.flo_id == "47110042"  # spaces removed
    form = page_client.get(f"/lister/{liste.pk}/endre/").content.decode()
    assert 'name="flo_id"' in form and 'value="47110042"' in form
    assert page_client.post(f"/lister/{liste.pk}/endre/", edit(liste, flo_id="99")).status_code == 302
    liste.refresh_from_db()
    assert liste.flo_id == "99"
    assert "<dd>99</dd>" in page_client.get(f"/lister/{liste.pk}/").content.decode()


def test_a_taken_or_malformed_flo_number_is_a_field_error_on_the_forms(page_client, k, kontor):
    taken = register.liste(k, kontor=kontor, flo_id="123")
    response = page_client.post("/lister/ny/", new_list(kontor, flo_id="123"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_flo_id_error"' in page and TAKEN in page
    other = register.liste(k, kontor=kontor)
    response = page_client.post(f"/lister/{other.pk}/endre/", edit(other, flo_id="123"))
    assert response.status_code == 200 and TAKEN in response.content.decode()
    response = page_client.post(f"/lister/{other.pk}/endre/", edit(other, flo_id="12A"))
    assert "bare av siffer" in response.content.decode()
    assert sorted(Pasientliste.objects.values_list("flo_id", flat=True)) == ["", taken.flo_id]


def test_the_same_flo_number_may_be_used_in_another_kommune(k, kontor, sunnfjord):
    register.liste(k, kontor=kontor, flo_id="555")
    with in_kommune(sunnfjord):
        assert register.liste(sunnfjord, flo_id="555").flo_id == "555"


def test_the_api_sets_and_shows_the_flo_number(api, k, kontor):
    response = api.post(LISTER, {"legekontor": kontor.pk, "listetak": 1200, "gyldig_fra": "2025-01-01", "flo_id": "4711"},
                        format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["flo_id"] == "4711"
    changed = api.patch(f"{LISTER}{body['id']}/", {"flo_id": "4712"}, format="json", **if_match(body["versjon"]))
    assert changed.status_code == 200 and changed.json()["flo_id"] == "4712"
    cleared = api.patch(f"{LISTER}{body['id']}/", {"flo_id": ""}, format="json", **if_match(changed.json()["versjon"]))
    assert cleared.status_code == 200 and cleared.json()["flo_id"] == ""


def test_the_api_refuses_a_taken_or_malformed_flo_number_with_the_services_message(api, k, kontor):
    existing = register.liste(k, kontor=kontor, flo_id="123")
    body = error(api.post(LISTER, {"legekontor": kontor.pk, "listetak": 1200, "gyldig_fra": "2025-01-01", "flo_id": "123"},
                          format="json"))
    assert body["felt"]["flo_id"] == service_messages("flo_id", lambda: services.create_pasientliste(
        kommune=k, legekontor=kontor, listetak=1200, gyldig_fra=dt.date(2025, 1, 1), flo_id="123")) == [TAKEN]
    other = register.liste(k, kontor=kontor)
    body = error(api.patch(f"{LISTER}{other.pk}/", {"flo_id": "123"}, format="json", **if_match(other.versjon)))
    assert body["felt"]["flo_id"] == [TAKEN]
    body = error(api.patch(f"{LISTER}{other.pk}/", {"flo_id": "x1"}, format="json", **if_match(other.versjon)))
    assert "bare av siffer" in body["felt"]["flo_id"][0]
    body = error(api.post(LISTER, {"legekontor": kontor.pk, "listetak": 1200, "gyldig_fra": "2025-01-01", "flo_id": "1" * 21},
                          format="json"))
    assert "flo_id" in body["felt"]
    assert Pasientliste.objects.filter(flo_id="123").get() == existing


def test_the_register_finds_a_list_by_its_flo_number(page_client, api, k, kontor):
    register.liste(k, kontor=kontor, navn="Med nummer", flo_id="90210")
    register.liste(k, kontor=kontor, navn="Uten nummer")
    page = page_client.get("/lister/?sok=90210").content.decode()
    assert "Med nummer" in page and "Uten nummer" not in page
    assert [row["navn"] for row in api.get(f"{LISTER}?sok=90210").json()["resultater"]] == ["Med nummer"]
