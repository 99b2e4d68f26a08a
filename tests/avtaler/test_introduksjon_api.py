"""The introduksjonsavtale API: CRUD through the services' rules and messages, ETag/If-Match,
Idempotency-Key, history, permissions, other kommuner and constant queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from avtaler import introduksjon_services
from avtaler.models import Introduksjonsavtale, IntroduksjonsFastlege
from tests import register
from tests.api_helpers import error, if_match, service_messages
from tests.conftest import in_kommune, token_client

URL = "/api/v1/introduksjonsavtaler/"
START = dt.date(2026, 3, 2)


def detail(pk):
    return f"{URL}{pk}/"


@pytest.fixture(autouse=True)
def k(bergen):
    with in_kommune(bergen):
        yield bergen


@pytest.fixture
def kontor(k):
    return register.legekontor(k, navn="Fjellsiden legesenter")


@pytest.fixture
def fastlege(k, kontor):
    return register.avtale(k, lege_=register.lege(k, fornavn="Frida", etternavn="Fastlege"), liste_=register.liste(k, kontor=kontor))


@pytest.fixture
def intro_lege(k):
    return register.lege(k, fornavn="Ivar", etternavn="Introlege")


def payload(kontor, fastlege, intro, **fields):
    return {"lege": intro.pk, "legekontor": kontor.pk, "godkjenning_referanse": "HDIR 22/1234", "godkjent_dato": "2026-01-15",
            "tilknytning": "fastlonn", "kostnadsfordeling": "Kommunen dekker lønn", "startdato": START.isoformat(),
            "fastlegeavtaler": [fastlege.pk], **fields}


@pytest.fixture
def avtale(k, kontor, fastlege, intro_lege):
    return introduksjon_services.create_introduksjonsavtale(
        kommune=k, lege=intro_lege, legekontor=kontor, godkjenning_referanse="HDIR 22/1234", tilknytning="fastlonn",
        kostnadsfordeling="Kommunen dekker lønn", startdato=START, fastlegeavtaler=[fastlege])


def test_avtale_is_created_with_the_default_end_and_its_participants(api, kontor, fastlege, intro_lege):
    response = api.post(URL, payload(kontor, fastlege, intro_lege), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["sluttdato"], body["status"], body["antall_fastleger"], body["alisavtale"]) == ("2028-03-02", "utkast", 1, None)
    assert body["deltakere"] == [{"fastlegeavtale": fastlege.pk, "lege": fastlege.lege_id, "lege_navn": "Frida Fastlege",
                                  "pasientliste": fastlege.pasientliste_id, "pasientliste_navn": str(fastlege.pasientliste)}]
    assert "fastlegeavtaler" not in body and body["lege_navn"] == "Ivar Introlege"
    assert response["Location"] == detail(body["id"]) and response["ETag"] == f'"{body["versjon"]}"'


def test_idempotency_key_replays_the_first_answer(api, kontor, fastlege, intro_lege):
    first = api.post(URL, payload(kontor, fastlege, intro_lege), format="json", HTTP_IDEMPOTENCY_KEY="intro-1")
    again = api.post(URL, payload(kontor, fastlege, intro_lege), format="json", HTTP_IDEMPOTENCY_KEY="intro-1")
    assert (first.status_code, again.status_code) == (201, 201) and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json() and Introduksjonsavtale.objects.count() == 1


def test_participant_at_another_office_is_400_with_the_services_message(api, k, kontor, intro_lege):
    elsewhere = register.avtale(k, liste_=register.liste(k, kontor=register.legekontor(k, navn="Sentrum")))
    body = error(api.post(URL, payload(kontor, elsewhere, intro_lege), format="json"))
    assert body["felt"]["fastlegeavtaler"] == service_messages("fastlegeavtaler", lambda: introduksjon_services.create_introduksjonsavtale(
        kommune=k, lege=intro_lege, legekontor=kontor, godkjenning_referanse="HDIR", tilknytning="fastlonn",
        kostnadsfordeling="x", startdato=START, fastlegeavtaler=[elsewhere]))
    assert "trygderefusjonsforskriften" in body["felt"]["fastlegeavtaler"][0]
    assert not Introduksjonsavtale.objects.exists() and not IntroduksjonsFastlege.objects.exists()


@pytest.mark.parametrize(("fields", "field"), [
    ({"sluttdato": "2026-03-01"}, "sluttdato"),
    ({"godkjent_dato": "2026-03-03"}, "godkjent_dato"),
    ({"fastlegeavtaler": []}, "fastlegeavtaler"),
    ({"fastlegeavtaler": [987654321]}, "fastlegeavtaler"),
    ({"lege": 987654321}, "lege"),
    ({"legekontor": "x"}, "legekontor"),
    ({"tilknytning": "ansatt"}, "tilknytning"),
    ({"startdato": "2026-02-30"}, "startdato"),
])
def test_bad_input_is_400_naming_the_field_and_nothing_is_saved(api, kontor, fastlege, intro_lege, fields, field):
    body = error(api.post(URL, payload(kontor, fastlege, intro_lege, **fields), format="json"))
    assert field in body["felt"]
    assert not Introduksjonsavtale.objects.exists()


def test_missing_participants_are_refused_naming_the_rule(api, kontor, fastlege, intro_lege):
    data = payload(kontor, fastlege, intro_lege)
    del data["fastlegeavtaler"]
    body = error(api.post(URL, data, format="json"))
    assert "Velg minst én deltakende fastlege" in body["felt"]["fastlegeavtaler"][0]


def test_specialist_is_refused(api, k, kontor, fastlege):
    spesialist = register.lege(k, spesialist_allmennmedisin_fra=dt.date(2019, 1, 1))
    body = error(api.post(URL, payload(kontor, fastlege, spesialist), format="json"))
    assert "spesialist i allmennmedisin" in body["felt"]["lege"][0]


def test_overlapping_avtale_for_the_same_doctor_is_400_on_lege(api, avtale, kontor, fastlege, intro_lege):
    body = error(api.post(URL, payload(kontor, fastlege, intro_lege, startdato="2027-01-04", godkjent_dato=None), format="json"))
    assert body["felt"]["lege"] == ["Legen har allerede en introduksjonsavtale i perioden."]


def test_retrieve_has_an_etag_and_patch_needs_if_match(api, k, kontor, avtale):
    got = api.get(detail(avtale.pk))
    assert got.status_code == 200 and got["ETag"] == f'"{avtale.versjon}"'
    assert api.get(detail(avtale.pk), HTTP_IF_NONE_MATCH=got["ETag"]).status_code == 304
    other = register.avtale(k, lege_=register.lege(k, etternavn="Andrelege"), liste_=register.liste(k, kontor=kontor))
    error(api.patch(detail(avtale.pk), {"kostnadsfordeling": "Delt"}, format="json"), status=428)
    changed = api.patch(detail(avtale.pk), {"kostnadsfordeling": "Delt", "fastlegeavtaler": [other.pk], "signert": "2026-02-01"},
                        format="json", **if_match(avtale.versjon))
    assert changed.status_code == 200, changed.content
    body = changed.json()
    assert (body["kostnadsfordeling"], body["signert"], [d["fastlegeavtale"] for d in body["deltakere"]]) == (
        "Delt", "2026-02-01", [other.pk])
    assert changed["ETag"] == f'"{body["versjon"]}"' and body["versjon"] > avtale.versjon
    stale = error(api.patch(detail(avtale.pk), {"kostnadsfordeling": "Eldre"}, format="json", **if_match(avtale.versjon)), status=412)
    assert stale["kode"] == "versjonskonflikt"
    assert Introduksjonsavtale.objects.get(pk=avtale.pk).kostnadsfordeling == "Delt"


def test_patch_refusal_is_400_and_changes_nothing(api, avtale):
    body = error(api.patch(detail(avtale.pk), {"sluttdato": "2026-01-01"}, format="json", **if_match(avtale.versjon)))
    assert body["felt"]["sluttdato"] == ["Avtalen må opphøre etter startdatoen."]
    body = error(api.patch(detail(avtale.pk), {"fastlegeavtaler": []}, format="json", **if_match(avtale.versjon)))
    assert "fastlegeavtaler" in body["felt"]
    assert Introduksjonsavtale.objects.get(pk=avtale.pk).versjon == avtale.versjon


def test_avslutt_ends_the_avtale_early_with_if_match(api, avtale):
    error(api.post(f"{detail(avtale.pk)}avslutt/", {"sluttdato": "2027-01-01"}, format="json"), status=428)
    response = api.post(f"{detail(avtale.pk)}avslutt/", {"sluttdato": "2027-01-01"}, format="json", **if_match(avtale.versjon))
    assert response.status_code == 200 and response.json()["sluttdato"] == "2027-01-01"
    body = error(api.post(f"{detail(avtale.pk)}avslutt/", {"sluttdato": "2029-01-01"}, format="json",
                          **if_match(response.json()["versjon"])))
    assert "en lengre periode registreres som en endring" in body["felt"]["sluttdato"][0]


def test_history_shows_the_changes(api, avtale):
    api.patch(detail(avtale.pk), {"kostnadsfordeling": "Delt"}, format="json", **if_match(avtale.versjon))
    entries = api.get(f"{detail(avtale.pk)}historikk/").json()["resultater"]
    assert {"felt": "kostnadsfordeling", "fra": "Kommunen dekker lønn", "til": "Delt"} in entries[0]["endringer"]


def test_reader_reads_but_cannot_write(reader_api, avtale, kontor, fastlege, k):
    assert reader_api.get(URL).status_code == 200 and reader_api.get(detail(avtale.pk)).status_code == 200
    error(reader_api.post(URL, payload(kontor, fastlege, register.lege(k)), format="json"), status=403)
    error(reader_api.patch(detail(avtale.pk), {"kostnadsfordeling": "x"}, format="json", **if_match(avtale.versjon)), status=403)
    assert Introduksjonsavtale.objects.count() == 1


def test_token_needs_the_avtaler_scope(bergen, avtale):
    assert token_client(["lister:les"], bergen).get(URL).status_code == 403
    assert token_client(["avtaler:les"], bergen).get(URL).status_code == 200


def test_another_kommunes_avtale_is_404(api, sunnfjord):
    with in_kommune(sunnfjord):
        kontor = register.legekontor(sunnfjord)
        fastlege = register.avtale(sunnfjord, liste_=register.liste(sunnfjord, kontor=kontor))
        theirs = introduksjon_services.create_introduksjonsavtale(
            kommune=sunnfjord, lege=register.lege(sunnfjord), legekontor=kontor, godkjenning_referanse="HDIR",
            tilknytning="naering", kostnadsfordeling="Delt", startdato=START, fastlegeavtaler=[fastlege])
    for url in (detail(theirs.pk), f"{detail(theirs.pk)}historikk/"):
        error(api.get(url), status=404)
    error(api.patch(detail(theirs.pk), {"kostnadsfordeling": "x"}, format="json", **if_match(theirs.versjon)), status=404)
    error(api.post(f"{detail(theirs.pk)}avslutt/", {"sluttdato": "2027-01-01"}, format="json", **if_match(theirs.versjon)), status=404)
    assert api.get(URL).json()["resultater"] == []
    with in_kommune(sunnfjord):
        assert Introduksjonsavtale.objects.get(pk=theirs.pk).kostnadsfordeling == "Delt"


def test_list_uses_the_same_number_of_queries_for_2_and_12_avtaler(api, k, kontor, fastlege):
    counts = []
    for total in (2, 12):
        while Introduksjonsavtale.objects.count() < total:
            introduksjon_services.create_introduksjonsavtale(
                kommune=k, lege=register.lege(k), legekontor=kontor, godkjenning_referanse="HDIR", tilknytning="naering",
                kostnadsfordeling="Delt", startdato=START, fastlegeavtaler=[fastlege])
        with CaptureQueriesContext(connection) as ctx:
            response = api.get(URL)
        assert response.status_code == 200 and len(response.json()["resultater"]) == total
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_default_end_beyond_the_calendar_is_a_400_not_a_server_error(api, kontor, fastlege, intro_lege):
    body = error(api.post(URL, payload(kontor, fastlege, intro_lege, startdato="9999-06-01", godkjent_dato=None), format="json"))
    assert "startdato" in body["felt"]
