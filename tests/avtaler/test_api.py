"""The avtaler API: fastlegeavtaler, signing, notice, extension, listetak changes, § 32 tasks,
decisions and Helfo messages — the rules and messages of avtaler.services, ETags, permissions,
constant queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from avtaler import services
from avtaler.models import Fastlegeavtale, HelfoMelding, KommunalOppgave, ListetakEndring, Oppsigelse, Vedtak
from core.dates import add_months
from lister import services as lister_services
from lister.models import Legeperiode
from tests import register
from tests.api_helpers import error, if_match, service_messages
from tests.conftest import in_kommune, token_client

AVTALER = "/api/v1/fastlegeavtaler/"
VEDTAK = "/api/v1/vedtak/"
HELFO = "/api/v1/helfomeldinger/"
TODAY = dt.date.today()


def detail(base, pk):
    return f"{base}{pk}/"


def endringer(avtale_pk):
    return f"{AVTALER}{avtale_pk}/listetaksendringer/"


def oppgaver(avtale_pk):
    return f"{AVTALER}{avtale_pk}/kommunale-oppgaver/"








@pytest.fixture(autouse=True)
def k(bergen):
    with in_kommune(bergen):
        yield bergen


@pytest.fixture
def lege(k):
    return register.lege(k, fornavn="Kari", etternavn="Fastlege")


@pytest.fixture
def liste(k):
    return register.liste(k, listetak=1500)


def payload(lege, liste, **fields):
    return {"lege": lege.pk, "pasientliste": liste.pk, "tilknytningsform": "naeringsdrivende", "okonomisk_modell": "asa4310_8_1",
            "startdato": "2026-01-05", "listetak": 1500, "apningstid": "man–fre 08–16", **fields}


@pytest.fixture
def signed(k, lege, liste):
    return register.avtale(k, lege_=lege, liste_=liste)


def fresh(avtale) -> Fastlegeavtale:
    return Fastlegeavtale.objects.get(pk=avtale.pk)


# --- creating -----------------------------------------------------------------------------------


def test_avtale_is_created_as_a_draft(api, lege, liste):
    response = api.post(AVTALER, payload(lege, liste), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["signert"], body["lege_navn"], body["listetak"]) == ("utkast", None, "Kari Fastlege", 1500)
    assert body["opphorer"] is None and "godkjenning_under_500" not in body
    assert response["Location"] == detail(AVTALER, body["id"]) and response["ETag"] == '"1"'


def test_listetak_2501_is_refused_with_the_services_message(api, k, lege, liste):
    body = error(api.post(AVTALER, payload(lege, liste, listetak=2501), format="json"))
    assert body["felt"]["listetak"] == service_messages("listetak", lambda: services.create_avtale(
        kommune=k, lege=lege, pasientliste=liste, tilknytningsform="naeringsdrivende", okonomisk_modell="asa4310_8_1",
        startdato=dt.date(2026, 1, 5), listetak=2501))
    assert "§ 10" in body["felt"]["listetak"][0]
    assert not Fastlegeavtale.objects.exists()


def test_listetak_499_needs_a_recorded_approval(api, lege, liste):
    body = error(api.post(AVTALER, payload(lege, liste, listetak=499), format="json"))
    assert "§ 10" in body["felt"]["listetak"][0] and "godkjennes" in body["felt"]["listetak"][0]
    assert not Fastlegeavtale.objects.exists() and not Vedtak.objects.exists()
    response = api.post(AVTALER, payload(lege, liste, listetak=499, godkjenning_under_500="Deltid ved siden av sykehjem"),
                        format="json")
    assert response.status_code == 201, response.content
    vedtak = api.get(VEDTAK).json()["resultater"]
    assert [(v["type"], v["utfall"], v["listetak"], v["avtale"]) for v in vedtak] == [
        ("listetak_under_500", "innvilget", 499, response.json()["id"])]


@pytest.mark.parametrize("field", ["lege", "pasientliste"])
@pytest.mark.parametrize("value", [987654321, "x", 99999999999999999999])
def test_unknown_doctor_or_list_in_the_body_is_400(api, lege, liste, field, value):
    body = error(api.post(AVTALER, {**payload(lege, liste), field: value}, format="json"))
    assert field in body["felt"]


def test_duplicate_avtale_is_400_naming_the_doctor(api, lege, liste):
    assert api.post(AVTALER, payload(lege, liste), format="json").status_code == 201
    body = error(api.post(AVTALER, payload(lege, liste, startdato="2026-03-01"), format="json"))
    assert body["felt"]["lege"] == ["Legen har allerede en fastlegeavtale på denne listen i perioden."]
    assert Fastlegeavtale.objects.count() == 1


def test_end_before_start_is_400_on_sluttdato_not_a_server_error(api, k, lege, liste):
    body = error(api.post(AVTALER, payload(lege, liste, sluttdato="2026-01-01"), format="json"))
    assert body["felt"]["sluttdato"] == ["Avtalen må opphøre etter startdatoen."]
    assert not Fastlegeavtale.objects.exists()
    draft = register.avtale(k, lege_=lege, liste_=liste, signed=False)
    body = error(api.patch(detail(AVTALER, draft.pk), {"sluttdato": "2025-12-31"}, format="json", **if_match(draft.versjon)))
    assert body["felt"]["sluttdato"] == ["Avtalen må opphøre etter startdatoen."]
    assert fresh(draft).sluttdato is None


def test_asa_4310_model_is_refused_in_an_oslo_regime_kommune(api, k, lege, liste):
    from kommune.models import Kommune

    Kommune.objects.filter(pk=k.pk).update(avtaleregime="oslo")
    body = error(api.post(AVTALER, payload(lege, liste), format="json"))
    assert "ASA 4310" in body["felt"]["okonomisk_modell"][0]


def test_ansatt_over_1500_is_refused_unless_agreed(api, lege, liste):
    body = error(api.post(AVTALER, payload(lege, liste, tilknytningsform="ansatt", okonomisk_modell="fastlonn", listetak=1600),
                          format="json"))
    assert "SFS 2305" in body["felt"]["listetak"][0]
    response = api.post(AVTALER, payload(lege, liste, tilknytningsform="ansatt", okonomisk_modell="fastlonn", listetak=1600,
                                         listetak_avtalt_over_grense=True), format="json")
    assert response.status_code == 201, response.content


# --- signing -------------------------------------------------------------------------------------


def test_signing_needs_if_match_then_makes_the_doctor_fastlege(api, k, lege, liste):
    avtale = register.avtale(k, lege_=lege, liste_=liste, signed=False)
    url = f"{detail(AVTALER, avtale.pk)}signer/"
    assert error(api.post(url, {"signert": "2026-01-05"}, format="json"), 428)["kode"] == "if_match_mangler"
    assert error(api.post(url, {"signert": "2026-01-05"}, format="json", **if_match(avtale.versjon + 1)), 412)
    assert not Legeperiode.objects.exists()
    response = api.post(url, {"signert": "2026-01-05"}, format="json", **if_match(avtale.versjon))
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["signert"]) == ("aktiv", "2026-01-05") and body["legeperiode"]
    assert response["ETag"] == f'"{fresh(avtale).versjon}"'
    periode = Legeperiode.objects.get()
    assert (periode.rolle, periode.lege_id, periode.fra, periode.pasientliste_id) == ("LPFL", lege.pk, dt.date(2026, 1, 5), liste.pk)
    assert [(m["type"], m["status"]) for m in api.get(HELFO).json()["resultater"]] == [("ny_avtale", "utkast")]


def test_signing_twice_is_400(api, signed):
    avtale = fresh(signed)
    body = error(api.post(f"{detail(AVTALER, avtale.pk)}signer/", {"signert": "2026-01-05"}, format="json",
                          **if_match(avtale.versjon)))
    assert "allerede signert" in body["felt"]["signert"][0]


def test_signing_in_the_future_is_400(api, k, lege, liste):
    avtale = register.avtale(k, lege_=lege, liste_=liste, signed=False)
    body = error(api.post(f"{detail(AVTALER, avtale.pk)}signer/", {"signert": (TODAY + dt.timedelta(days=3)).isoformat()},
                          format="json", **if_match(avtale.versjon)))
    assert "signert" in body["felt"]


# --- changing the terms ----------------------------------------------------------------------------


def test_terms_change_with_if_match_and_a_helfo_message(api, signed):
    avtale = fresh(signed)
    url = detail(AVTALER, avtale.pk)
    assert error(api.patch(url, {"lokalisering": "Nytt bygg"}, format="json"), 428)
    response = api.patch(url, {"lokalisering": "Nytt bygg"}, format="json", **if_match(avtale.versjon))
    assert response.status_code == 200, response.content
    assert response.json()["lokalisering"] == "Nytt bygg" and response["ETag"] == f'"{avtale.versjon + 1}"'
    assert HelfoMelding.objects.filter(type="endring").count() == 1
    assert api.put(url, {}, format="json", **if_match(avtale.versjon + 1)).status_code == 405


def test_listetak_is_not_changed_by_patch_but_by_a_listetak_change(api, signed):
    avtale = fresh(signed)
    body = error(api.patch(detail(AVTALER, avtale.pk), {"listetak": 1000}, format="json", **if_match(avtale.versjon)))
    assert body["felt"]["listetak"] == service_messages(
        "listetak", lambda: services.update_avtale(avtale=avtale, expected_version=avtale.versjon, listetak=1000))
    assert fresh(avtale).listetak == 1500


def test_avtale_filters(api, k, signed):
    register.avtale(k, signed=False)
    assert api.get(AVTALER, {"status": "aktiv"}).json()["antall"] == 1
    assert api.get(AVTALER, {"status": "utkast"}).json()["antall"] == 1
    assert api.get(AVTALER, {"sok": "kari fastlege"}).json()["antall"] == 1
    assert api.get(AVTALER, {"lege": signed.lege_id}).json()["antall"] == 1
    assert "status" in error(api.get(AVTALER, {"status": "ukjent"}))["felt"]


# --- notice, extension ------------------------------------------------------------------------------


def test_kommunes_notice_without_saklig_grunn_is_refused(api, signed):
    body = error(api.post(f"{detail(AVTALER, signed.pk)}oppsigelse/", {"part": "kommune", "mottatt": "2026-06-01"}, format="json"))
    assert "§ 12" in body["felt"]["saklig_grunn"][0]
    assert not Oppsigelse.objects.exists()


def test_doctors_notice_ends_the_avtale_six_months_later(api, signed):
    response = api.post(f"{detail(AVTALER, signed.pk)}oppsigelse/", {"part": "lege", "mottatt": "2026-06-15"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["virkning"] == add_months(dt.date(2026, 6, 15), 6).isoformat() == "2026-12-15"
    shown = api.get(detail(AVTALER, signed.pk)).json()
    assert (shown["status"], shown["opphorer"]) == ("oppsagt", "2026-12-15")
    assert Legeperiode.objects.get().til == dt.date(2026, 12, 15)
    melding = HelfoMelding.objects.get(type="oppsigelse")
    assert "post@helfo.no" in melding.epost_tekst


def test_notice_is_idempotent_with_a_key(api, signed):
    url = f"{detail(AVTALER, signed.pk)}oppsigelse/"
    first = api.post(url, {"part": "lege", "mottatt": "2026-06-15"}, format="json", HTTP_IDEMPOTENCY_KEY="opp-1")
    again = api.post(url, {"part": "lege", "mottatt": "2026-06-15"}, format="json", HTTP_IDEMPOTENCY_KEY="opp-1")
    assert (first.status_code, again.status_code, again["Idempotent-Replayed"]) == (201, 201, "true")
    assert Oppsigelse.objects.count() == 1


def test_extension_beyond_80_is_refused_and_within_it_is_a_decision(api, k):
    old = register.lege(k, fodselsdato=dt.date(1957, 3, 1))
    avtale = register.avtale(k, lege_=old)
    url = f"{detail(AVTALER, avtale.pk)}forlengelse/"
    body = error(api.post(url, {"forlenget_til": "2037-03-02", "begrunnelse": "Rekruttering", "vedtaksdato": "2026-11-01"},
                          format="json"))
    assert "80" in body["felt"]["forlenget_til"][0]
    response = api.post(url, {"forlenget_til": "2029-03-01", "begrunnelse": "Rekruttering", "vedtaksdato": "2026-11-01"},
                        format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["type"], response.json()["forlenget_til"]) == ("forlengelse_over_70", "2029-03-01")
    assert response["Location"] == detail(VEDTAK, response.json()["id"])
    assert api.get(detail(AVTALER, avtale.pk)).json()["opphorer"] == "2029-03-01"


# --- listetak changes ---------------------------------------------------------------------------------


def test_kommunes_unilateral_reduction_is_refused_with_the_services_message(api, signed):
    avtale = fresh(signed)
    body = error(api.post(endringer(avtale.pk), {"initiativ": "kommune", "mottatt": "2026-06-01", "til_listetak": 1200},
                          format="json"))
    assert body["felt"]["initiativ"] == service_messages("initiativ", lambda: services.request_listetak_change(
        avtale=avtale, initiativ="kommune", mottatt=dt.date(2026, 6, 1), til_listetak=1200))
    assert "§ 11" in body["felt"]["initiativ"][0]
    assert not ListetakEndring.objects.exists()


def test_listetak_change_to_2501_is_refused_with_the_services_message(api, signed):
    avtale = fresh(signed)
    body = error(api.post(endringer(avtale.pk), {"initiativ": "enighet", "mottatt": "2026-06-01", "til_listetak": 2501},
                          format="json"))
    assert body["felt"]["til_listetak"] == service_messages("til_listetak", lambda: services.request_listetak_change(
        avtale=avtale, initiativ="enighet", mottatt=dt.date(2026, 6, 1), til_listetak=2501))


def test_doctors_reduction_takes_effect_six_months_after_the_request(api, signed):
    response = api.post(endringer(signed.pk), {"initiativ": "lege", "mottatt": "2026-11-01", "til_listetak": 1200}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["fra_listetak"], body["til_listetak"], body["status"]) == (1500, 1200, "registrert")
    assert body["trinn"] == [{"gjelder_fra": "2027-05-01", "listetak": 1200, "gjennomfort": None}]
    assert response["Location"] == f"{endringer(signed.pk)}{body['id']}/"
    assert api.get(response["Location"])["ETag"] == f'"{body["versjon"]}"'


def test_reduction_earlier_than_six_months_is_refused_unless_agreed(api, signed):
    steps = [{"gjelder_fra": "2026-12-01", "listetak": 1200}]
    body = error(api.post(endringer(signed.pk), {"initiativ": "lege", "mottatt": "2026-11-01", "til_listetak": 1200,
                                                 "trinn": steps}, format="json"))
    assert "seks måneder" in body["felt"]["trinn"][0]
    response = api.post(endringer(signed.pk), {"initiativ": "lege", "mottatt": "2026-11-01", "til_listetak": 1200, "trinn": steps,
                                               "kortere_frist_avtalt": True, "avtale_notat": "Avtalt i møte 1.11."}, format="json")
    assert response.status_code == 201, response.content


def test_malformed_steps_are_400_naming_the_field(api, signed):
    body = error(api.post(endringer(signed.pk), {"initiativ": "lege", "mottatt": "2026-11-01", "til_listetak": 1200,
                                                 "trinn": [{"gjelder_fra": "ikke-dato", "listetak": "x"}]}, format="json"))
    assert "trinn" in body["felt"]


def test_doctors_reduction_cannot_be_refused_but_an_increase_can(api, signed):
    reduction = services.request_listetak_change(avtale=fresh(signed), initiativ="lege", mottatt=dt.date(2026, 11, 1),
                                                 til_listetak=1200)
    url = f"{endringer(signed.pk)}{reduction.pk}/avslag/"
    body = error(api.post(url, {"begrunnelse": "Nei", "vedtaksdato": "2026-11-10"}, format="json", **if_match(reduction.versjon)))
    assert "§ 11" in body["felt"]["status"][0]
    increase = services.request_listetak_change(avtale=fresh(signed), initiativ="lege", mottatt=dt.date(2026, 11, 1),
                                                til_listetak=1700, trinn=[(TODAY + dt.timedelta(days=30), 1700)])
    url = f"{endringer(signed.pk)}{increase.pk}/avslag/"
    assert error(api.post(url, {"begrunnelse": "Kapasitet", "vedtaksdato": "2026-11-10"}, format="json"), 428)
    response = api.post(url, {"begrunnelse": "Kapasitet", "vedtaksdato": "2026-11-10"}, format="json", **if_match(increase.versjon))
    assert response.status_code == 201, response.content
    assert (response.json()["type"], response.json()["utfall"], response.json()["listetak_endring"]) == (
        "avslag_listetak", "avslatt", increase.pk)
    assert api.get(f"{endringer(signed.pk)}{increase.pk}/").json()["status"] == "avslatt"


# --- § 32 tasks ---------------------------------------------------------------------------------------


def oppgave(**fields):
    return {"oppgavetype": "sykehjem", "institusjon": "Fana sykehjem", "timer_per_uke": "5", "form": "palagt",
            "frivillig_avtale_forsokt": "2026-01-10", "lonnsgrunnlag": "asa4310_12_5", "fra": "2026-02-01", **fields}


def test_palagt_hours_above_the_limit_are_refused_naming_the_rule(api, signed):
    assert api.post(oppgaver(signed.pk), oppgave(), format="json").status_code == 201
    body = error(api.post(oppgaver(signed.pk), oppgave(institusjon="Fana helsestasjon", timer_per_uke="3"), format="json"))
    assert "§ 32" in body["felt"]["timer_per_uke"][0] and "7,50" in body["felt"]["timer_per_uke"][0]
    assert KommunalOppgave.objects.count() == 1
    response = api.post(oppgaver(signed.pk), oppgave(institusjon="Fana helsestasjon", timer_per_uke="3", form="avtalt"),
                        format="json")
    assert response.status_code == 201, response.content


def test_palagt_without_a_voluntary_attempt_is_refused(api, signed):
    body = error(api.post(oppgaver(signed.pk), oppgave(frivillig_avtale_forsokt=None), format="json"))
    assert "frivillig" in body["felt"]["frivillig_avtale_forsokt"][0]


def test_task_is_ended_with_if_match_and_not_before_it_starts(api, signed):
    created = api.post(oppgaver(signed.pk), oppgave(), format="json").json()
    url = f"{oppgaver(signed.pk)}{created['id']}/"
    assert error(api.patch(url, {"til": "2026-06-01"}, format="json"), 428)
    body = error(api.patch(url, {"til": "2026-01-01"}, format="json", **if_match(created["versjon"])))
    assert body["felt"]["til"] == ["Oppgaven må opphøre etter at den begynner."]
    response = api.patch(url, {"til": "2026-06-01", "timer_per_uke": "40"}, format="json", **if_match(created["versjon"]))
    assert response.status_code == 200, response.content
    assert (response.json()["til"], response.json()["timer_per_uke"]) == ("2026-06-01", "5.00")


# --- decisions ---------------------------------------------------------------------------------------


def test_appeal_status_changes_with_if_match(api, k, lege, liste):
    avtale = register.avtale(k, lege_=lege, liste_=liste, listetak=450, godkjenning_under_500="Deltid")
    vedtak = Vedtak.objects.get(avtale=avtale)
    url = detail(VEDTAK, vedtak.pk)
    assert api.get(url)["ETag"] == f'"{vedtak.versjon}"'
    assert error(api.patch(url, {"klagestatus": "mottatt"}, format="json"), 428)
    body = error(api.patch(url, {"klagestatus": "mottatt"}, format="json", **if_match(vedtak.versjon)))
    assert "klage_mottatt" in body["felt"]
    response = api.patch(url, {"klagestatus": "oversendt", "klage_mottatt": TODAY.isoformat()}, format="json",
                         **if_match(vedtak.versjon))
    assert response.status_code == 200, response.content
    assert response.json()["klagestatus"] == "oversendt"
    assert api.get(VEDTAK, {"klagestatus": "oversendt"}).json()["antall"] == 1
    assert api.get(VEDTAK, {"klagestatus": "ingen"}).json()["antall"] == 0


# --- Helfo ---------------------------------------------------------------------------------------------


def test_helfo_message_is_sent_then_confirmed_with_if_match(api, signed):
    melding = HelfoMelding.objects.get()
    assert melding.innhold["hjemmelshaver"]["navn"] == "Kari Fastlege"
    sendt, bekreftet = f"{detail(HELFO, melding.pk)}sendt/", f"{detail(HELFO, melding.pk)}bekreftet/"
    assert "status" in error(api.post(bekreftet, {"bekreftet": TODAY.isoformat()}, format="json", **if_match(melding.versjon)))["felt"]
    assert error(api.post(sendt, {"sendt": TODAY.isoformat()}, format="json"), 428)
    response = api.post(sendt, {"sendt": TODAY.isoformat()}, format="json", **if_match(melding.versjon))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "sendt" and response["ETag"] == f'"{melding.versjon + 1}"'
    assert [m["id"] for m in api.get(HELFO, {"status": "sendt"}).json()["resultater"]] == [melding.pk]
    assert error(api.post(bekreftet, {"bekreftet": TODAY.isoformat()}, format="json", **if_match(melding.versjon)), 412)
    response = api.post(bekreftet, {"bekreftet": TODAY.isoformat()}, format="json", HTTP_IF_MATCH=response["ETag"])
    assert response.status_code == 200 and response.json()["status"] == "bekreftet"
    assert api.get(HELFO, {"status": "sendt"}).json()["antall"] == 0


def test_helfo_history_shows_the_status_change(api, signed, overlege):
    melding = HelfoMelding.objects.get()
    api.post(f"{detail(HELFO, melding.pk)}sendt/", {"sendt": TODAY.isoformat()}, format="json", **if_match(melding.versjon))
    newest = api.get(f"{detail(HELFO, melding.pk)}historikk/").json()["resultater"][0]
    assert newest["aktor"] == f"bruker:{overlege.pk}"
    assert {"felt": "status", "fra": "utkast", "til": "sendt"} in newest["endringer"]


# --- tenancy and permissions ------------------------------------------------------------------------------


def test_another_kommunes_avtale_and_what_hangs_on_it_are_404(api, sunnfjord):
    with in_kommune(sunnfjord):
        theirs = register.avtale(sunnfjord)
        melding = HelfoMelding.objects.get(avtale=theirs)
    for url in (detail(AVTALER, theirs.pk), endringer(theirs.pk), oppgaver(theirs.pk), detail(HELFO, melding.pk),
                f"{detail(AVTALER, theirs.pk)}historikk/"):
        assert error(api.get(url), 404)
    assert error(api.post(f"{detail(AVTALER, theirs.pk)}oppsigelse/", {"part": "lege", "mottatt": "2026-06-01"}, format="json"), 404)
    assert error(api.post(f"{detail(HELFO, melding.pk)}sendt/", {"sendt": "2026-06-01"}, format="json", **if_match(1)), 404)
    with in_kommune(sunnfjord):
        assert not Oppsigelse.objects.exists()


def test_token_with_lister_les_cannot_read_or_write_avtaler(k, lege, liste):
    client = token_client(["lister:les"], k)
    assert error(client.get(AVTALER), 403)["kode"] == "mangler_tilgang"
    assert error(client.post(AVTALER, payload(lege, liste), format="json"), 403)
    assert not Fastlegeavtale.objects.exists()


def test_token_with_avtaler_les_reads_but_cannot_write(k, signed):
    client = token_client(["avtaler:les"], k)
    assert client.get(AVTALER).json()["antall"] == 1
    assert error(client.post(f"{detail(AVTALER, signed.pk)}oppsigelse/", {"part": "lege", "mottatt": "2026-06-01"},
                             format="json"), 403)
    melding = HelfoMelding.objects.get()
    assert error(client.post(f"{detail(HELFO, melding.pk)}sendt/", {"sendt": TODAY.isoformat()}, format="json",
                             **if_match(melding.versjon)), 403)
    assert not Oppsigelse.objects.exists()


def test_read_only_user_cannot_sign(reader_api, k, lege, liste):
    avtale = register.avtale(k, lege_=lege, liste_=liste, signed=False)
    response = reader_api.post(f"{detail(AVTALER, avtale.pk)}signer/", {"signert": "2026-01-05"}, format="json",
                               **if_match(avtale.versjon))
    assert error(response, 403)["kode"] == "mangler_tilgang"
    assert fresh(avtale).signert is None


def test_token_with_avtaler_skriv_signs(k, lege, liste):
    avtale = register.avtale(k, lege_=lege, liste_=liste, signed=False)
    client = token_client(["avtaler:les", "avtaler:skriv"], k)
    response = client.post(f"{detail(AVTALER, avtale.pk)}signer/", {"signert": "2026-01-05"}, format="json",
                           **if_match(avtale.versjon))
    assert response.status_code == 200, response.content
    assert fresh(avtale).signert == dt.date(2026, 1, 5)


# --- constant queries ---------------------------------------------------------------------------------


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"antall": 1000})
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


def _add_avtaler(k, kontor, n, *, sign_every=3):
    for i in range(n):
        liste = lister_services.create_pasientliste(kommune=k, legekontor=kontor, listetak=1500, gyldig_fra=dt.date(2020, 1, 1))
        avtale = register.avtale(k, liste_=liste, signed=i % sign_every == 0)
        if i % sign_every == 0:
            services.request_listetak_change(avtale=fresh(avtale), initiativ="lege", mottatt=dt.date(2026, 11, 1), til_listetak=1400)


@pytest.mark.parametrize(("url", "rows_at_10", "rows_at_100"), [(AVTALER, 10, 100), (VEDTAK, 1, 61), (HELFO, 8, 68)])
def test_lists_use_the_same_number_of_queries_for_10_and_100_avtaler(api, k, url, rows_at_10, rows_at_100,
                                                                      django_assert_num_queries):
    kontor = register.legekontor(k)
    _add_avtaler(k, kontor, 10)
    services.record_vedtak(avtale=Fastlegeavtale.objects.first(), type="avslag_listetak", utfall="avslatt", begrunnelse="x",
                           vedtaksdato=TODAY)
    api.get(url)
    assert api.get(url).json()["antall"] == rows_at_10
    queries = _count(api, url)
    _add_avtaler(k, kontor, 90)
    for avtale in Fastlegeavtale.objects.all()[:60]:
        services.record_vedtak(avtale=avtale, type="avslag_listetak", utfall="avslatt", begrunnelse="x", vedtaksdato=TODAY)
    with django_assert_num_queries(queries):
        rows = api.get(url, {"antall": 1000}).json()["resultater"]
    assert len(rows) == rows_at_100


def test_listetak_changes_list_uses_constant_queries(api, k, signed, django_assert_num_queries):
    avtale = fresh(signed)
    services.request_listetak_change(avtale=avtale, initiativ="lege", mottatt=dt.date(2026, 11, 1), til_listetak=1400)
    api.get(endringer(avtale.pk))
    queries = _count(api, endringer(avtale.pk))
    for i in range(9):
        services.request_listetak_change(avtale=fresh(avtale), initiativ="lege", mottatt=dt.date(2026, 11, 1),
                                         til_listetak=1300 - i, trinn=[(dt.date(2027, 5, 1), 1350 - i), (dt.date(2027, 6, 1), 1300 - i)])
    with django_assert_num_queries(queries):
        assert len(api.get(endringer(avtale.pk), {"antall": 1000}).json()["resultater"]) == 10
