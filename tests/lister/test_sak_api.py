"""The vacancy-case API: cases (filters, hjemfall, Idempotency-Key, If-Match, history), nested
advertisements and applicants, cover, the avtale's bortfall action; 400s with the service's
message, 412/428, permissions, another kommune's objects 404, constant queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from avtaler import services as avtaler_services
from avtaler.models import Fastlegeavtale
from core.dates import add_months
from lister import sak_services
from lister.models import Dekning, Ledighetssak, Soker, Utlysning
from tests import register
from tests.api_helpers import error, if_match
from tests.conftest import in_kommune, token_client

SAKER = "/api/v1/ledighetssaker/"
DEKNINGER = "/api/v1/dekninger/"
TODAY = dt.date.today()
START = TODAY - dt.timedelta(days=900)
MOTTATT = TODAY - dt.timedelta(days=400)


@pytest.fixture(autouse=True)
def k(bergen):
    with in_kommune(bergen):
        yield bergen


@pytest.fixture
def avtale(k):
    return register.avtale(k, startdato=START)


@pytest.fixture
def sak(avtale):
    avtaler_services.record_oppsigelse(avtale=avtale, part="lege", mottatt=MOTTATT)
    return Ledighetssak.objects.get(pasientliste=avtale.pasientliste, fastlege=avtale.lege)


def test_case_list_filters_and_retrieve_with_hjemfall_and_etag(api, sak, k):
    other = register.liste(k, fra=START)  # its ny_liste case
    body = api.get(SAKER, {"pasientliste": sak.pasientliste_id}).json()
    assert [(r["arsak"], r["fase"]) for r in body["resultater"]] == [("oppsigelse_lege", "ledig"), ("ny_liste", "avsluttet")]
    body = api.get(SAKER, {"pasientliste": sak.pasientliste_id, "apen": "true"}).json()
    assert [r["id"] for r in body["resultater"]] == [sak.pk]
    assert {r["pasientliste"] for r in api.get(SAKER, {"apen": "true"}).json()["resultater"]} >= {sak.pasientliste_id, other.pk}
    response = api.get(f"{SAKER}{sak.pk}/")
    assert response.status_code == 200 and response["ETag"] == f'"{sak.versjon}"'
    data = response.json()
    assert data["fase"] == "ledig" and data["kostnadsperiode_til"] == add_months(sak.fastlege_slutt, 6).isoformat()
    assert data["hjemfall"]["mulig"] is False
    assert {v["kode"]: v["oppfylt"] for v in data["hjemfall"]["vilkar"]} == {
        "asa4310": True, "naeringsdrivende": True, "tid": True, "utlysninger": False, "ingen_kvalifisert": True}
    assert error(api.get(SAKER, {"pasientliste": "999999"}))["felt"]["pasientliste"]


def test_case_list_queries_are_constant(api, k):
    for _ in range(2):
        register.liste(k, fra=START)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(SAKER).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for _ in range(5):
        register.liste(k, fra=START)
    assert count() == few


def test_open_a_case_with_idempotency_key_and_refuse_a_second(api, avtale):
    payload = {"pasientliste": avtale.pasientliste_id, "fastlege": avtale.lege_id, "arsak": "annet",
               "kjent": TODAY.isoformat(), "merknad": "Varslet muntlig"}
    first = api.post(SAKER, payload, format="json", HTTP_IDEMPOTENCY_KEY="sak-1")
    assert first.status_code == 201, first.content
    replay = api.post(SAKER, payload, format="json", HTTP_IDEMPOTENCY_KEY="sak-1")
    assert replay.status_code == 201 and replay.json()["id"] == first.json()["id"] and replay["Idempotent-Replayed"] == "true"
    assert first["Location"] == f"{SAKER}{first.json()['id']}/"
    body = error(api.post(SAKER, payload, format="json"))
    assert "allerede en åpen ledighetssak" in body["felt"]["fastlege"][0]
    assert Ledighetssak.objects.filter(pasientliste=avtale.pasientliste, fastlege=avtale.lege).count() == 1


def test_open_a_case_bad_input_is_400(api, avtale, sunnfjord):
    with in_kommune(sunnfjord):
        foreign = register.lege(sunnfjord)
    base = {"pasientliste": avtale.pasientliste_id, "arsak": "annet", "kjent": TODAY.isoformat()}
    assert "fastlege" in error(api.post(SAKER, {**base, "fastlege": foreign.pk}, format="json"))["felt"]
    assert "kjent" in error(api.post(SAKER, {**base, "kjent": (TODAY + dt.timedelta(days=3)).isoformat()}, format="json"))["felt"]
    assert "arsak" in error(api.post(SAKER, {**base, "arsak": "x"}, format="json"))["felt"]


def test_patch_needs_if_match(api, sak):
    path = f"{SAKER}{sak.pk}/"
    assert api.patch(path, {"merknad": "x"}, format="json").status_code == 428
    assert api.patch(path, {"merknad": "x"}, format="json", **if_match(sak.versjon + 5)).status_code == 412
    response = api.patch(path, {"merknad": "Overtakelse drøftet", "fastlege_slutt": (sak.fastlege_slutt + dt.timedelta(days=30)).isoformat()},
                         format="json", **if_match(sak.versjon))
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["merknad"] == "Overtakelse drøftet" and response["ETag"] == f'"{data["versjon"]}"'
    assert data["kostnadsperiode_til"] == add_months(sak.fastlege_slutt + dt.timedelta(days=30), 6).isoformat()
    history = api.get(f"{path}historikk/").json()["resultater"]
    assert any(c["felt"] == "merknad" for entry in history for c in entry["endringer"])


def test_advertisements_and_applicants_nested(api, sak):
    ads = f"{SAKER}{sak.pk}/utlysninger/"
    created = api.post(ads, {"dato": TODAY.isoformat(), "soknadsfrist": (TODAY + dt.timedelta(days=21)).isoformat(),
                             "kanal": "Nettsiden"}, format="json", HTTP_IDEMPOTENCY_KEY="u-1")
    assert created.status_code == 201, created.content
    u = created.json()
    assert u["korrekt"] is True and api.get(ads).json()["resultater"][0]["id"] == u["id"]
    assert "dato" in error(api.post(ads, {"dato": (TODAY + dt.timedelta(days=1)).isoformat()}, format="json"))["felt"]
    assert "soknadsfrist" in error(api.post(ads, {"dato": TODAY.isoformat(),
                                                  "soknadsfrist": (TODAY - dt.timedelta(days=1)).isoformat()}, format="json"))["felt"]
    patched = api.patch(f"{ads}{u['id']}/", {"korrekt": False}, format="json", **if_match(u["versjon"]))
    assert patched.status_code == 200 and patched.json()["korrekt"] is False
    assert api.delete(f"{ads}{u['id']}/").status_code == 428
    assert api.delete(f"{ads}{u['id']}/", **if_match(patched.json()["versjon"])).status_code == 204
    assert not Utlysning.objects.exists()

    sokere = f"{SAKER}{sak.pk}/sokere/"
    s = api.post(sokere, {"navn": "Kari Søker", "mottatt": TODAY.isoformat()}, format="json")
    assert s.status_code == 201 and s.json()["vurdering"] == "til_vurdering"
    assert "navn" in error(api.post(sokere, {"navn": "", "mottatt": TODAY.isoformat()}, format="json"))["felt"]
    changed = api.patch(f"{sokere}{s.json()['id']}/", {"vurdering": "kvalifisert"}, format="json", **if_match(s.json()["versjon"]))
    assert changed.status_code == 200 and Soker.objects.get().vurdering == "kvalifisert"
    assert api.get(f"{SAKER}{sak.pk}/").json()["har_kvalifisert_soker"] is True


def test_cover_create_list_limit_overlap_and_delete(api, sak):
    liste = sak.pasientliste_id
    fra = dt.date(2025, 3, 1)
    created = api.post(DEKNINGER, {"pasientliste": liste, "type": "kollegial", "fra": fra.isoformat(),
                                   "til": (fra + dt.timedelta(days=56)).isoformat(), "leger": "Dr. A og Dr. B"},
                       format="json", HTTP_IDEMPOTENCY_KEY="d-1")
    assert created.status_code == 201, created.content
    d = created.json()
    assert api.get(DEKNINGER, {"pasientliste": liste, "type": "kollegial"}).json()["resultater"][0]["id"] == d["id"]
    over = error(api.post(DEKNINGER, {"pasientliste": liste, "type": "kollegial", "fra": "2025-06-01", "til": "2025-06-02"},
                          format="json"))
    assert "vikarbruk" in over["felt"]["til"][0]
    overlap = error(api.post(DEKNINGER, {"pasientliste": liste, "type": "kontoret", "fra": "2025-03-10", "til": "2025-05-01"},
                             format="json"))
    assert "overlapper" in overlap["felt"]["fra"][0]
    assert "til" in error(api.post(DEKNINGER, {"pasientliste": liste, "type": "kontoret", "fra": "2025-08-01",
                                               "til": "2025-08-01"}, format="json"))["felt"]
    assert Dekning.objects.count() == 1
    shortened = api.patch(f"{DEKNINGER}{d['id']}/", {"til": "2025-03-10"}, format="json", **if_match(d["versjon"]))
    assert shortened.status_code == 200 and shortened.json()["til"] == "2025-03-10"
    assert api.delete(f"{DEKNINGER}{d['id']}/", **if_match(d["versjon"])).status_code == 412
    assert api.delete(f"{DEKNINGER}{d['id']}/", **if_match(shortened.json()["versjon"])).status_code == 204
    assert not Dekning.objects.exists()


def test_read_token_cannot_write_and_another_kommunes_case_is_404(k, sak, sunnfjord):
    reader = token_client(["lister:les"], k)
    assert reader.get(f"{SAKER}{sak.pk}/").status_code == 200
    assert reader.post(f"{SAKER}{sak.pk}/utlysninger/", {"dato": TODAY.isoformat()}, format="json").status_code == 403
    foreign = token_client(["lister:les", "lister:skriv"], sunnfjord)
    assert foreign.get(f"{SAKER}{sak.pk}/").status_code == 404
    assert foreign.post(f"{SAKER}{sak.pk}/utlysninger/", {"dato": TODAY.isoformat()}, format="json").status_code == 404
    assert foreign.get(SAKER).json()["resultater"] == []


def test_bortfall_action_with_if_match(k):
    a = register.avtale(k, startdato=START)
    client = token_client(["avtaler:les", "avtaler:skriv"], k)
    path = f"/api/v1/fastlegeavtaler/{a.pk}/bortfall/"
    assert client.post(path, {"arsak": "dodsfall", "dato": TODAY.isoformat()}, format="json").status_code == 428
    body = error(client.post(path, {"arsak": "dodsfall", "dato": (TODAY + dt.timedelta(days=1)).isoformat()}, format="json",
                             **if_match(a.versjon)))
    assert "fremtiden" in body["felt"]["dato"][0]
    assert "arsak" in error(client.post(path, {"arsak": "flytting", "dato": TODAY.isoformat()}, format="json",
                                        **if_match(a.versjon)))["felt"]
    response = client.post(path, {"arsak": "autorisasjon", "dato": TODAY.isoformat()}, format="json", **if_match(a.versjon))
    assert response.status_code == 200, response.content
    assert response.json()["sluttdato"] == TODAY.isoformat() and Fastlegeavtale.objects.get(pk=a.pk).sluttdato == TODAY
    assert Ledighetssak.objects.get(pasientliste=a.pasientliste, fastlege=a.lege).arsak == "autorisasjon"


def test_service_and_api_give_the_same_message(api, sak):
    with pytest.raises(Exception) as exc:
        sak_services.add_utlysning(sak=sak, dato=TODAY + dt.timedelta(days=1))
    body = error(api.post(f"{SAKER}{sak.pk}/utlysninger/", {"dato": (TODAY + dt.timedelta(days=1)).isoformat()}, format="json"))
    assert body["felt"]["dato"] == exc.value.message_dict["dato"]
