"""The ALIS API: ALIS-avtaler with elements, absence, service time and supervision, progress,
rates and the grant claim basis — the rules and messages of avtaler.alis_services, ETags and
If-Match, idempotency, permissions, another kommune's objects, constant queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from avtaler import alis_services
from avtaler.models import Alisavtale, AlisElement, AlisFravaer, AlisSats, AlisTjeneste, AlisVeiledning
from tests import alis_helpers
from tests.api_helpers import error, if_match, service_messages
from tests.conftest import in_kommune, token_client

ALIS = "/api/v1/alisavtaler/"
SATSER = "/api/v1/alis-satser/"
GRUNNLAG = "/api/v1/alis-tilskuddsgrunnlag/"
START = alis_helpers.SIGNERT


def detail(base, pk, suffix=""):
    return f"{base}{pk}/{suffix}"


def child(avtale_pk, name):
    return f"{ALIS}{avtale_pk}/{name}/"


@pytest.fixture(autouse=True)
def k(bergen):
    with in_kommune(bergen):
        yield bergen


@pytest.fixture
def lege(k):
    return alis_helpers.alis_lege(k, fornavn="Astrid", etternavn="Alisen")


@pytest.fixture
def fastlegeavtale(k, lege):
    return alis_helpers.fastlegeavtale(k, lege_=lege, startdato=START)


@pytest.fixture
def veileder(k):
    return alis_helpers.veileder(k)


def payload(lege, fastlegeavtale, veileder, **fields):
    return {"lege": lege.pk, "relasjon": "fastlege", "fastlegeavtale": fastlegeavtale.pk, "arbeidssted": "Sentrum legekontor",
            "stillingsprosent": 80, "signert": START.isoformat(), "veileder": veileder.pk, **fields}


@pytest.fixture
def alis(k, lege, fastlegeavtale, veileder):
    return alis_helpers.alisavtale(k, lege_=lege, fastlegeavtale=fastlegeavtale, veileder_=veileder)


def fresh(avtale) -> Alisavtale:
    return Alisavtale.objects.get(pk=avtale.pk)


# --- creating -----------------------------------------------------------------------------------


def test_avtale_is_created_with_its_derived_end(api, lege, fastlegeavtale, veileder):
    response = api.post(ALIS, payload(lege, fastlegeavtale, veileder), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["lege_navn"], body["relasjon"], body["fastlegeavtale"], body["stillingsprosent"]) == (
        "Astrid Alisen", "fastlege", fastlegeavtale.pk, 80)
    assert body["startdato"] == START.isoformat() and body["status"] == "aktiv"
    # five years at 80 %: 6.25 years from 5.1.2026
    assert body["opphorsgrunn"] == "maks" and body["opphorer"] == body["maks_slutt"] and body["maks_slutt"].startswith("2032-04")
    assert response["Location"] == detail(ALIS, body["id"]) and response["ETag"] == '"1"'


def test_under_50_percent_is_400_with_the_services_message_and_nothing_saved(api, k, lege, fastlegeavtale, veileder):
    body = error(api.post(ALIS, payload(lege, fastlegeavtale, veileder, stillingsprosent=40), format="json"))
    assert body["felt"]["stillingsprosent"] == service_messages("stillingsprosent", lambda: alis_services.create_alisavtale(
        kommune=k, lege=lege, relasjon="fastlege", fastlegeavtale=fastlegeavtale, arbeidssted="X", stillingsprosent=40,
        signert=START, veileder=veileder))
    assert "minst 50 %" in body["felt"]["stillingsprosent"][0]
    assert not Alisavtale.objects.exists()


def test_start_before_signing_is_400_naming_the_template(api, lege, fastlegeavtale, veileder):
    body = error(api.post(ALIS, payload(lege, fastlegeavtale, veileder, signert="2026-02-01", startdato="2026-01-10"),
                          format="json"))
    assert "Helsedirektoratets mal" in body["felt"]["startdato"][0]
    assert not Alisavtale.objects.exists()


@pytest.mark.parametrize("field", ["lege", "fastlegeavtale", "veileder"])
def test_unknown_or_other_kommunes_reference_is_400(api, sunnfjord, lege, fastlegeavtale, veileder, field):
    with in_kommune(sunnfjord):
        other = {"lege": alis_helpers.alis_lege(sunnfjord), "veileder": alis_helpers.veileder(sunnfjord)}
        other["fastlegeavtale"] = alis_helpers.fastlegeavtale(sunnfjord, lege_=other["lege"], startdato=START)
    body = error(api.post(ALIS, {**payload(lege, fastlegeavtale, veileder), field: other[field].pk}, format="json"))
    assert field in body["felt"]
    assert not Alisavtale.objects.exists()


def test_create_with_idempotency_key_is_replayed(api, lege, fastlegeavtale, veileder):
    headers = {"HTTP_IDEMPOTENCY_KEY": "alis-1"}
    first = api.post(ALIS, payload(lege, fastlegeavtale, veileder), format="json", **headers)
    again = api.post(ALIS, payload(lege, fastlegeavtale, veileder), format="json", **headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Alisavtale.objects.count() == 1
    other = api.post(ALIS, payload(lege, fastlegeavtale, veileder, stillingsprosent=90), format="json", **headers)
    assert error(other, 422)


# --- reading and changing ---------------------------------------------------------------------------


def test_retrieve_has_an_etag_and_patch_needs_if_match(api, alis):
    url = detail(ALIS, alis.pk)
    response = api.get(url)
    assert response.status_code == 200 and response["ETag"] == f'"{alis.versjon}"'
    assert api.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    assert error(api.patch(url, {"arbeidssted": "Nytt kontor"}, format="json"), 428)["kode"] == "if_match_mangler"
    assert error(api.patch(url, {"arbeidssted": "Nytt kontor"}, format="json", **if_match(alis.versjon + 1)), 412)
    assert fresh(alis).arbeidssted == "Sentrum legekontor"
    changed = api.patch(url, {"arbeidssted": "Nytt kontor", "stillingsprosent": 60}, format="json", **if_match(alis.versjon))
    assert changed.status_code == 200, changed.content
    assert (changed.json()["arbeidssted"], changed.json()["stillingsprosent"]) == ("Nytt kontor", 60)
    assert changed["ETag"] == f'"{alis.versjon + 1}"'
    assert api.put(url, {}, format="json", **if_match(alis.versjon + 1)).status_code == 405


def test_patch_refuses_under_50_and_the_grant_status(api, alis):
    url = detail(ALIS, alis.pk)
    body = error(api.patch(url, {"stillingsprosent": 30}, format="json", **if_match(alis.versjon)))
    assert "minst 50 %" in body["felt"]["stillingsprosent"][0]
    # the grant is recorded through tilskudd/ (its eligibility rules); PATCH leaves it alone
    response = api.patch(url, {"tilskuddsstatus": "innvilget"}, format="json", **if_match(alis.versjon))
    assert response.status_code == 200 and fresh(alis).tilskuddsstatus == "ikke_sokt"


def test_history_shows_the_change(api, alis):
    api.patch(detail(ALIS, alis.pk), {"arbeidssted": "Nytt kontor"}, format="json", **if_match(alis.versjon))
    entries = api.get(detail(ALIS, alis.pk, "historikk/")).json()["resultater"]
    assert entries[0]["hendelse"] == "update"
    assert {"felt": "arbeidssted", "fra": "Sentrum legekontor", "til": "Nytt kontor"} in entries[0]["endringer"]


def test_end_needs_if_match_and_respects_the_derived_end(api, alis):
    url = detail(ALIS, alis.pk, "avslutt/")
    body = {"sluttdato": "2026-10-01", "sluttarsak": "oppsagt"}
    assert error(api.post(url, body, format="json"), 428)
    assert error(api.post(url, body, format="json", **if_match(alis.versjon + 1)), 412)
    late = error(api.post(url, {**body, "sluttdato": "2040-01-01"}, format="json", **if_match(alis.versjon)))
    assert "kan ikke avsluttes senere" in late["felt"]["sluttdato"][0]
    bad = error(api.post(url, {**body, "sluttarsak": "lei"}, format="json", **if_match(alis.versjon)))
    assert "sluttarsak" in bad["felt"]
    response = api.post(url, body, format="json", **if_match(alis.versjon))
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["sluttdato"], data["sluttarsak"], data["opphorer"], data["opphorsgrunn"], data["status"]) == (
        "2026-10-01", "oppsagt", "2026-10-01", "sluttdato", "opphort")


def test_grant_decision(api, alis):
    url = detail(ALIS, alis.pk, "tilskudd/")
    no_date = error(api.post(url, {"tilskuddsstatus": "avslatt"}, format="json", **if_match(alis.versjon)))
    assert "tilskudd_avslatt" in no_date["felt"]
    response = api.post(url, {"tilskuddsstatus": "avslatt", "tilskudd_avslatt": "2026-09-01"}, format="json",
                        **if_match(alis.versjon))
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["tilskuddsstatus"], body["opphorer"], body["opphorsgrunn"]) == ("avslatt", "2026-09-01", "tilskudd")


def test_grant_refused_for_a_vikarbyra_doctor(api, k):
    avtale = alis_helpers.alisavtale(k, vikarbyra=True)
    body = error(api.post(detail(ALIS, avtale.pk, "tilskudd/"), {"tilskuddsstatus": "sokt"}, format="json",
                          **if_match(avtale.versjon)))
    assert "vikarbyrå" in body["felt"]["tilskuddsstatus"][0]


# --- progress -----------------------------------------------------------------------------------------


def test_progresjon_json_has_decimals_as_strings_and_the_next_shortfall(api, k):
    avtale = alis_helpers.alisavtale(k, veileder=None)
    alis_services.add_alis_tjeneste(avtale=avtale, type="apen_uselektert", sted="Sentrum", stillingsprosent=100,
                                    fra=START, til=dt.date(2027, 1, 5))
    alis_services.record_veiledning(avtale=avtale, maned=dt.date(2026, 2, 1), individuelle_timer=Decimal("4.5"), gruppetimer=3)
    response = api.get(detail(ALIS, avtale.pk, "progresjon/") + "?dato=2026-06-01")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["avtale"] == avtale.pk and body["dato"] == "2026-06-01"
    assert body["maks_slutt"] == "2031-01-05" and body["opphorsgrunn"] == "maks"
    apen = next(t for t in body["tjeneste"] if t["type"] == "apen_uselektert")
    assert apen["krav_maneder"] == 24 and isinstance(apen["maneder"], str) and Decimal(apen["maneder"]) > Decimal("4")
    year = body["veiledningsar"][0]
    assert (year["nr"], year["fra"], year["timer"], year["krav"], year["etter"]) == (1, "2026-01-05", "4.50", "42.00", True)
    assert body["gruppetimer"] == "3.00" and body["gruppetimer_krav"] == "120.00"
    assert body["neste_mangel"]["type"] == "veileder" and body["neste_mangel"]["frist"] == "2026-01-05"
    assert body["mangler"][0] == body["neste_mangel"] and len(body["mangler"]) > 1
    assert error(api.get(detail(ALIS, avtale.pk, "progresjon/") + "?dato=x"))["felt"]["dato"]


# --- nested: elements, absence, service, supervision -----------------------------------------------------


def test_elements_are_added_and_ended_with_if_match(api, alis):
    url = child(alis.pk, "elementer")
    early = error(api.post(url, {"element": "veiledning", "finansiering": "standard", "fra": "2025-01-01"}, format="json"))
    assert "før avtalen" in early["felt"]["fra"][0]
    created = api.post(url, {"element": "veiledning", "finansiering": "standard", "fra": "2026-02-01"}, format="json")
    assert created.status_code == 201, created.content
    element = created.json()
    assert created["Location"] == detail(url, element["id"]) and element["til"] is None
    overlap = error(api.post(url, {"element": "veiledning", "finansiering": "tillegg", "fra": "2026-03-01"}, format="json"))
    assert overlap["felt"]["fra"] == ["Avtalen har allerede dette elementet i perioden."]
    ended_url = detail(url, element["id"])
    assert error(api.patch(ended_url, {"til": "2026-09-01"}, format="json"), 428)
    response = api.patch(ended_url, {"til": "2026-09-01"}, format="json", **if_match(element["versjon"]))
    assert response.status_code == 200 and response.json()["til"] == "2026-09-01"
    assert [e["id"] for e in api.get(url).json()["resultater"]] == [element["id"]]


def test_absence_extends_the_limit_and_is_deleted_with_if_match(api, alis):
    url = child(alis.pk, "fravaer")
    reversed_ = error(api.post(url, {"type": "sykdom", "fra": "2026-05-01", "til": "2026-04-01"}, format="json"))
    assert "til" in reversed_["felt"]
    created = api.post(url, {"type": "foreldrepermisjon", "fra": "2026-03-01", "til": "2026-04-01"}, format="json")
    assert created.status_code == 201, created.content
    assert api.get(detail(ALIS, alis.pk)).json()["maks_slutt"] == "2031-02-05"
    fravaer = created.json()
    assert error(api.delete(detail(url, fravaer["id"])), 428)
    assert error(api.delete(detail(url, fravaer["id"]), **if_match(fravaer["versjon"] + 1)), 412)
    assert api.delete(detail(url, fravaer["id"]), **if_match(fravaer["versjon"])).status_code == 204
    assert not AlisFravaer.objects.exists()
    assert api.get(detail(ALIS, alis.pk)).json()["maks_slutt"] == "2031-01-05"


def test_service_time_under_50_percent_is_400(api, alis):
    url = child(alis.pk, "tjeneste")
    body = error(api.post(url, {"type": "institusjon", "sted": "Haukeland", "stillingsprosent": 40, "fra": "2026-02-01",
                                "til": "2026-08-01"}, format="json"))
    assert "minst 50 %" in body["felt"]["stillingsprosent"][0]
    assert not AlisTjeneste.objects.exists()
    created = api.post(url, {"type": "institusjon", "sted": "Haukeland", "stillingsprosent": 100, "fra": "2026-02-01",
                             "til": "2026-08-01", "utenfor_kommunen": True}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["utenfor_kommunen"] is True


def test_supervision_post_is_an_upsert_per_month(api, alis):
    url = child(alis.pk, "veiledning")
    not_first = error(api.post(url, {"maned": "2026-03-15", "individuelle_timer": "4"}, format="json"))
    assert "første dagen" in not_first["felt"]["maned"][0]
    too_many = error(api.post(url, {"maned": "2026-03-01", "individuelle_timer": "250"}, format="json"))
    assert "individuelle_timer" in too_many["felt"]
    created = api.post(url, {"maned": "2026-03-01", "individuelle_timer": "4.5", "gruppetimer": "3"}, format="json")
    assert created.status_code == 201, created.content
    first = created.json()
    assert (first["individuelle_timer"], first["gruppetimer"]) == ("4.50", "3.00")
    stale = api.post(url, {"maned": "2026-03-01", "individuelle_timer": "6"}, format="json", **if_match(first["versjon"] + 1))
    assert error(stale, 412)
    replaced = api.post(url, {"maned": "2026-03-01", "individuelle_timer": "6"}, format="json", **if_match(first["versjon"]))
    assert replaced.status_code == 200, replaced.content
    assert replaced.json()["id"] == first["id"] and replaced.json()["individuelle_timer"] == "6.00"
    assert list(AlisVeiledning.objects.values_list("individuelle_timer", "gruppetimer")) == [(Decimal("6.00"), Decimal("0.00"))]


# --- rates and the claim basis -------------------------------------------------------------------------------


def test_rates_crud_with_if_match(api):
    negative = error(api.post(SATSER, {"element": "veiledning", "gyldig_fra": "2026-01-01", "manedsbelop": "-1"}, format="json"))
    assert "negativt" in negative["felt"]["manedsbelop"][0]
    created = api.post(SATSER, {"element": "veiledning", "gyldig_fra": "2026-01-01", "manedsbelop": "1000.00",
                                "kilde": "Regelverket 2026"}, format="json")
    assert created.status_code == 201, created.content
    sats = created.json()
    assert (sats["relasjon"], sats["manedsbelop"]) == ("", "1000.00")
    duplicate = error(api.post(SATSER, {"element": "veiledning", "gyldig_fra": "2026-01-01", "manedsbelop": "5"}, format="json"))
    assert "allerede en sats" in duplicate["felt"]["gyldig_fra"][0]
    url = detail(SATSER, sats["id"])
    assert api.get(url)["ETag"] == f'"{sats["versjon"]}"'
    assert error(api.patch(url, {"manedsbelop": "1200"}, format="json", **if_match(sats["versjon"] + 1)), 412)
    changed = api.patch(url, {"manedsbelop": "1200"}, format="json", **if_match(sats["versjon"]))
    assert changed.status_code == 200 and changed.json()["manedsbelop"] == "1200.00"
    assert AlisSats.objects.get().manedsbelop == Decimal("1200")
    assert [s["id"] for s in api.get(SATSER + "?element=veiledning&relasjon=alle").json()["resultater"]] == [sats["id"]]
    assert api.get(SATSER + "?relasjon=vikar").json()["resultater"] == []


def test_claim_basis_json(api, k, alis):
    alis_services.record_tilskudd(avtale=alis, expected_version=alis.versjon, tilskuddsstatus="innvilget")
    alis_services.add_alis_element(avtale=alis, element="veiledning", finansiering="standard", fra=START)
    alis_services.add_alis_element(avtale=alis, element="kurs", finansiering="kommune", fra=START)
    alis_services.create_alis_sats(kommune=k, element="veiledning", gyldig_fra=dt.date(2026, 1, 1), manedsbelop=Decimal("1000"))
    response = api.get(GRUNNLAG + "?fra=2026-02-01&til=2026-03-31")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["fra"], body["til"], body["antall_berettiget"]) == ("2026-02-01", "2026-03-31", 1)
    (row,) = body["rader"]
    assert (row["avtale"], row["lege"], row["maneder"], row["berettiget"], row["grunner"]) == (
        alis.pk, "Astrid Alisen", "2.00", True, [])
    assert [m["maned"] for m in row["per_maned"]] == ["2026-02-01", "2026-03-01"]
    elements = {e["element"]: e for e in row["elementer"]}
    assert (elements["veiledning"]["belop"], elements["veiledning"]["kreves"]) == ("2000.00", True)
    assert (elements["kurs"]["belop"], elements["kurs"]["kreves"]) == ("0.00", False)
    assert body["sum"] == row["total"] == "2000.00"
    assert error(api.get(GRUNNLAG + "?fra=2026-03-01&til=2026-01-01"))["felt"]["til"]
    assert error(api.get(GRUNNLAG + "?fra=mars"))["felt"]["fra"]


def test_claim_basis_defaults_to_the_last_refusjon_period(api):
    body = api.get(GRUNNLAG).json()
    today = dt.date.today()
    year = today.year if today >= dt.date(today.year, 6, 1) else today.year - 1
    assert (body["fra"], body["til"]) == (f"{year - 1}-09-01", f"{year}-05-31")


# --- access ---------------------------------------------------------------------------------------------


def test_another_kommunes_avtale_and_children_are_404(api, sunnfjord):
    with in_kommune(sunnfjord):
        other = alis_helpers.alisavtale(sunnfjord)
        fravaer = alis_services.add_alis_fravaer(avtale=other, type="sykdom", fra=dt.date(2026, 3, 1), til=dt.date(2026, 3, 5))
        sats = alis_services.create_alis_sats(kommune=sunnfjord, element="kurs", gyldig_fra=START, manedsbelop=1)
    for url in (detail(ALIS, other.pk), detail(ALIS, other.pk, "historikk/"), detail(ALIS, other.pk, "progresjon/"),
                child(other.pk, "elementer"), child(other.pk, "fravaer"), child(other.pk, "tjeneste"),
                child(other.pk, "veiledning"), detail(SATSER, sats.pk)):
        assert error(api.get(url), 404), url
    assert error(api.patch(detail(ALIS, other.pk), {"arbeidssted": "X"}, format="json", **if_match(other.versjon)), 404)
    assert error(api.post(detail(ALIS, other.pk, "avslutt/"), {"sluttdato": "2026-10-01", "sluttarsak": "annet"},
                          format="json", **if_match(other.versjon)), 404)
    assert error(api.post(child(other.pk, "fravaer"), {"type": "sykdom", "fra": "2026-04-01", "til": "2026-04-05"},
                          format="json"), 404)
    assert error(api.delete(detail(child(other.pk, "fravaer"), fravaer.pk), **if_match(fravaer.versjon)), 404)
    assert api.get(ALIS).json()["resultater"] == [] and api.get(SATSER).json()["resultater"] == []
    assert api.get(GRUNNLAG + "?fra=2026-01-01&til=2026-12-31").json()["rader"] == []
    with in_kommune(sunnfjord):
        assert AlisFravaer.objects.filter(pk=fravaer.pk).exists() and fresh(other).sluttdato is None


def test_reader_cannot_write(reader_api, alis, lege, fastlegeavtale, veileder):
    assert reader_api.get(detail(ALIS, alis.pk)).status_code == 200
    assert reader_api.get(detail(ALIS, alis.pk, "progresjon/")).status_code == 200
    assert error(reader_api.patch(detail(ALIS, alis.pk), {"arbeidssted": "X"}, format="json", **if_match(alis.versjon)), 403)
    assert error(reader_api.post(child(alis.pk, "fravaer"), {"type": "sykdom", "fra": "2026-04-01", "til": "2026-04-05"},
                                 format="json"), 403)
    assert error(reader_api.post(SATSER, {"element": "kurs", "gyldig_fra": "2026-01-01", "manedsbelop": "1"}, format="json"), 403)
    assert fresh(alis).arbeidssted == "Sentrum legekontor" and not AlisFravaer.objects.exists()


def test_token_scopes(k, alis):
    reader = token_client(["avtaler:les"], k)
    assert reader.get(ALIS).status_code == 200 and reader.get(GRUNNLAG).status_code == 200
    assert error(reader.post(child(alis.pk, "fravaer"), {"type": "sykdom", "fra": "2026-04-01", "til": "2026-04-05"},
                             format="json"), 403)
    writer = token_client(["avtaler:les", "avtaler:skriv"], k)
    assert writer.post(child(alis.pk, "fravaer"), {"type": "sykdom", "fra": "2026-04-01", "til": "2026-04-05"},
                       format="json").status_code == 201
    assert error(token_client(["lister:les"], k).get(ALIS), 403)


# --- constant queries ------------------------------------------------------------------------------------


def _add(k, n: int, offset: int) -> None:
    for i in range(n):
        avtale = alis_helpers.alisavtale(k, relasjon=("fastlege", "vikar", "introduksjonslege", "annen")[(i + offset) % 4])
        alis_services.add_alis_fravaer(avtale=avtale, type="sykdom", fra=dt.date(2026, 3, 1), til=dt.date(2026, 3, 10))
        alis_services.add_alis_element(avtale=avtale, element="veiledning", finansiering="standard", fra=START)
        alis_services.create_alis_sats(kommune=k, element="kurs", gyldig_fra=dt.date(2020, 1, 1) + dt.timedelta(days=i + 10 * offset),
                                       manedsbelop=1)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", [ALIS, ALIS + "?status=aktiv", SATSER, GRUNNLAG + "?fra=2026-01-01&til=2026-12-31"])
def test_list_endpoints_use_constant_queries(api, k, url):
    _add(k, 2, 0)
    small = _queries(api, url)
    _add(k, 5, 1)
    assert _queries(api, url) == small


def _add_children(avtale, month: int) -> None:
    alis_services.add_alis_element(avtale=avtale, element=("kurs", "legevakt", "annet", "inntektsgaranti")[month - 2],
                                   finansiering="kommune", fra=dt.date(2026, month, 1))
    alis_services.add_alis_fravaer(avtale=avtale, type="sykdom", fra=dt.date(2026, month, 1), til=dt.date(2026, month, 5))
    alis_services.add_alis_tjeneste(avtale=avtale, type="annen_allmenn", sted="X", stillingsprosent=100,
                                    fra=dt.date(2026, month, 10), til=dt.date(2026, month, 20))
    alis_services.record_veiledning(avtale=avtale, maned=dt.date(2026, month, 1), individuelle_timer=4, gruppetimer=0)


def test_nested_lists_use_constant_queries(api, k, alis):
    urls = [child(alis.pk, name) for name in ("elementer", "fravaer", "tjeneste", "veiledning")]
    _add_children(alis, 2)
    before = [_queries(api, url) for url in urls]
    for month in (3, 4, 5):
        _add_children(alis, month)
    assert [_queries(api, url) for url in urls] == before
    assert AlisElement.objects.count() == 4


def test_the_kind_of_absence_is_health_data_shown_to_the_kommuneoverlege_only(k, api, reader_api, saksbehandler):
    """Sick or parental leave is health-related: other roles and tokens see that there was lawful
    absence and its period, never its kind — not in the object, the list, nor the history."""
    from tests.conftest import api_client_for

    alis = alis_helpers.alisavtale(k)
    fravaer = alis_services.add_alis_fravaer(avtale=alis, type="sykdom", fra=dt.date(2026, 3, 1), til=dt.date(2026, 3, 10))
    AlisFravaer.objects.filter(pk=fravaer.pk).update(type="foreldrepermisjon")  # a change, so the history has values
    url = child(alis.pk, "fravaer")
    assert api.get(f"{url}{fravaer.pk}/").json()["type"] == "foreldrepermisjon"
    changes = [c for e in api.get(f"{url}{fravaer.pk}/historikk/").json()["resultater"] for c in e["endringer"] if c["felt"] == "type"]
    assert (changes[0]["fra"], changes[0]["til"]) == ("sykdom", "foreldrepermisjon")
    for client in (reader_api, api_client_for(saksbehandler), token_client(["avtaler:les"], k)):
        one = client.get(f"{url}{fravaer.pk}/")
        assert one.status_code == 200 and one.json()["type"] is None
        assert [row["type"] for row in client.get(url).json()["resultater"]] == [None]
        history = client.get(f"{url}{fravaer.pk}/historikk/")
        assert history.status_code == 200
        assert "sykdom" not in history.content.decode() and "foreldrepermisjon" not in history.content.decode()
