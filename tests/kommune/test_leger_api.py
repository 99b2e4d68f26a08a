"""The doctors' API (/api/v1/leger/): the national record shared by kommuner, the kommune's
employee number, derived competence status, ETags, permissions and constant queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.tenancy import unscoped
from kommune import services
from kommune.models import Lege, LegeKommune
from tests import register
from tests.api_helpers import error, if_match
from tests.conftest import api_client_for, in_kommune, token_client, user_with_role

URL = "/api/v1/leger/"


def detail(pk):
    return f"{URL}{pk}/"






NEW = {"hpr_nummer": "9144889", "fornavn": "Kari", "etternavn": "Nordmann", "fodselsdato": "1975-05-17"}


@pytest.fixture(autouse=True)
def k(bergen):
    with in_kommune(bergen):
        yield bergen


def test_doctor_is_registered_with_employee_number_and_competence_status(api):
    response = api.post(URL, {**NEW, "ansattnummer": "A-17", "spesialist_allmennmedisin_fra": "2015-06-01"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["hpr_nummer"], body["navn"], body["ansattnummer"]) == ("9144889", "Kari Nordmann", "A-17")
    assert (body["kompetansestatus"], body["kompetansestatus_tekst"]) == ("spesialist", "Spesialist i allmennmedisin")
    assert response["Location"] == detail(body["id"]) and response["ETag"] == '"1"'
    assert LegeKommune.objects.get(lege_id=body["id"]).ansattnummer == "A-17"


@pytest.mark.parametrize("hpr", ["12AB567", "123", "1234567890", ""])
def test_invalid_hpr_number_is_400_naming_the_rule_and_saves_nothing(api, k, hpr):
    body = error(api.post(URL, {**NEW, "hpr_nummer": hpr}, format="json"))
    assert "hpr_nummer" in body["felt"]
    with unscoped(reason="test: nothing saved anywhere"):
        assert not Lege.objects.exists()


def test_invalid_hpr_message_is_the_services(api, k):
    body = error(api.post(URL, {**NEW, "hpr_nummer": "12AB567"}, format="json"))
    with pytest.raises(ValidationError) as exc:
        services.register_lege(kommune=k, hpr_nummer="12AB567", fornavn="Kari", etternavn="Nordmann",
                               fodselsdato=dt.date(1975, 5, 17))
    assert body["felt"]["hpr_nummer"] == exc.value.message_dict["hpr_nummer"]
    assert "7 til 9 siffer" in body["felt"]["hpr_nummer"][0]


def test_registering_the_same_doctor_twice_is_400(api):
    assert api.post(URL, NEW, format="json").status_code == 201
    body = error(api.post(URL, NEW, format="json"))
    assert body["felt"]["hpr_nummer"] == ["Legen er allerede registrert i kommunen."]


def test_doctor_registered_elsewhere_is_shared_and_must_match(api, sunnfjord):
    with in_kommune(sunnfjord):
        theirs = services.register_lege(kommune=sunnfjord, hpr_nummer="9144889", fornavn="Kari", etternavn="Nordmann",
                                        fodselsdato=dt.date(1975, 5, 17), ansattnummer="S-1")
    body = error(api.post(URL, {**NEW, "fodselsdato": "1976-05-17"}, format="json"))
    assert "Helsepersonellregisteret" in body["felt"]["hpr_nummer"][0]
    response = api.post(URL, {**NEW, "ansattnummer": "B-9"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["id"] == theirs.pk and response.json()["ansattnummer"] == "B-9"  # the kommune's own number


def test_doctor_of_another_kommune_only_is_404(api, sunnfjord):
    with in_kommune(sunnfjord):
        theirs = register.lege(sunnfjord)
    assert error(api.get(detail(theirs.pk)), 404)
    assert error(api.patch(detail(theirs.pk), {"fornavn": "X"}, format="json", **if_match(theirs.versjon)), 404)
    assert api.get(URL).json()["antall"] == 0


def test_correction_needs_if_match_and_changes_the_competence_status(api, k):
    lege = register.lege(k, under_spesialisering_fra=dt.date(2024, 1, 1))
    url = detail(lege.pk)
    assert api.get(url).json()["kompetansestatus"] == "under_spesialisering"
    assert error(api.patch(url, {"godkjent_allmennlege_fra": "2026-01-01"}, format="json"), 428)
    assert error(api.patch(url, {"godkjent_allmennlege_fra": "2026-01-01"}, format="json", **if_match(lege.versjon + 1)), 412)
    response = api.patch(url, {"godkjent_allmennlege_fra": "2026-01-01", "hpr_nummer": "7654321"}, format="json",
                         **if_match(lege.versjon))
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["kompetansestatus"], body["hpr_nummer"]) == ("godkjent_allmennlege", lege.hpr_nummer)
    assert response["ETag"] == f'"{lege.versjon + 1}"'
    changes = api.get(f"{url}historikk/").json()["resultater"][0]["endringer"]
    assert {"felt": "godkjent_allmennlege_fra", "fra": None, "til": "2026-01-01"} in changes


def test_put_replaces_the_record(api, k):
    lege = register.lege(k, kurs_akuttmedisin=dt.date(2020, 1, 1))
    response = api.put(detail(lege.pk), {"fornavn": "Per", "etternavn": "Hansen", "fodselsdato": "1970-01-01"}, format="json",
                       **if_match(lege.versjon))
    assert response.status_code == 200, response.content
    lege.refresh_from_db()
    assert (lege.navn, lege.fodselsdato, lege.kurs_akuttmedisin) == ("Per Hansen", dt.date(1970, 1, 1), dt.date(2020, 1, 1))


def test_employee_number_is_changed_and_must_be_unique_in_the_kommune(api, k):
    first, second = register.lege(k, ansattnummer="A-1"), register.lege(k)
    response = api.patch(detail(second.pk), {"ansattnummer": "A-2"}, format="json", **if_match(second.versjon))
    assert response.status_code == 200 and response.json()["ansattnummer"] == "A-2"
    body = error(api.patch(detail(second.pk), {"ansattnummer": "A-1", "fornavn": "Endret"}, format="json",
                           **if_match(second.versjon)))
    assert "Ansattnummeret er allerede brukt" in body["feil"]  # the constraint's message (general, from full_clean)
    second.refresh_from_db()
    assert second.fornavn == "Kari"  # nothing partly saved
    assert api.get(URL, {"sok": "A-1"}).json()["resultater"][0]["id"] == first.pk


def test_search_by_name_and_hpr(api, k):
    lege = register.lege(k, fornavn="Ola", etternavn="Nordmann")
    register.lege(k, fornavn="Kari", etternavn="Hansen")
    assert [r["id"] for r in api.get(URL, {"sok": "ola nord"}).json()["resultater"]] == [lege.pk]
    assert api.get(URL, {"hpr_nummer": lege.hpr_nummer}).json()["antall"] == 1


def test_retried_registration_with_the_same_key_is_replayed(api):
    first = api.post(URL, NEW, format="json", HTTP_IDEMPOTENCY_KEY="lege-1")
    again = api.post(URL, NEW, format="json", HTTP_IDEMPOTENCY_KEY="lege-1")
    assert (first.status_code, again.status_code, again["Idempotent-Replayed"]) == (201, 201, "true")
    assert first.json() == again.json()


def test_token_with_lister_les_reads_but_cannot_register(k):
    register.lege(k)
    client = token_client(["lister:les"], k)
    assert client.get(URL).json()["antall"] == 1
    assert error(client.post(URL, NEW, format="json"), 403)["kode"] == "mangler_tilgang"
    assert not Lege.objects.filter(hpr_nummer=NEW["hpr_nummer"]).exists()


def test_token_with_lister_skriv_registers(k):
    client = token_client(["lister:les", "lister:skriv"], k)
    assert client.post(URL, NEW, format="json").status_code == 201


def test_read_only_user_cannot_correct(k):
    lege = register.lege(k)
    client = api_client_for(user_with_role("lesetilgang", k))
    assert error(client.patch(detail(lege.pk), {"fornavn": "X"}, format="json", **if_match(lege.versjon)), 403)


def test_doctor_list_uses_the_same_number_of_queries_for_10_and_100_rows(api, k, django_assert_num_queries):
    for i in range(10):
        register.lege(k, ansattnummer=f"N{i}", spesialist_allmennmedisin_fra=dt.date(2010, 1, 1))
    api.get(URL)
    with CaptureQueriesContext(connection) as ctx:
        assert api.get(URL, {"antall": 1000}).json()["antall"] == 10
    for i in range(10, 100):
        register.lege(k, ansattnummer=f"N{i}")
    with django_assert_num_queries(len(ctx.captured_queries)):
        assert len(api.get(URL, {"antall": 1000}).json()["resultater"]) == 100
