"""The fastlegeavtale pages through the real middleware and login (the page client is Bergen's
kommuneoverlege with TOTP): the issue's «done when» in the browser, and every refusal naming its
rule next to the field it concerns."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from avtaler.models import (
    Fastlegeavtale,
    HelfoMelding,
    KommunalOppgave,
    ListetakEndring,
    Meldingsstatus,
    Meldingstype,
    Oppsigelse,
    Vedtak,
)
from core.dates import add_months
from tests import register
from tests.conftest import in_kommune, user_with_role

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()


def page(response) -> str:
    return html_lib.unescape(response.content.decode())


def field_error(response, field: str) -> str:
    """The error text shown next to the form field `field` (empty when there is none)."""
    match = re.search(rf'<p class="error" id="id_{field}_error">(.*?)</p>', response.content.decode(), re.S)
    return html_lib.unescape(match.group(1)) if match else ""


def general_errors(response) -> str:
    match = re.search(r'<div class="error" role="alert">(.*?)</div>', response.content.decode(), re.S)
    return html_lib.unescape(match.group(1)) if match else ""


@pytest.fixture
def avtale(bergen):
    """A signed avtale (næringsdrivende, listetak 1500) in Bergen."""
    with in_kommune(bergen):
        return register.avtale(bergen, listetak=1500)


def fresh(model, pk, k):
    with in_kommune(k):
        return model.objects.get(pk=pk)


def new_avtale_payload(lege_, liste_, **overrides):
    payload = {
        "lege": lege_.pk, "pasientliste": liste_.pk, "tilknytningsform": "naeringsdrivende", "okonomisk_modell": "asa4310_8_1",
        "startdato": TODAY.isoformat(), "listetak": "1500", "omfang_prosent": "100", "apningstid": "man–fre 08–16",
        "lokalisering": "Sentrum", "utekontor": "", "godkjenning_under_500": "",
    }
    return {**payload, **overrides}


# --- done when: register a new fastlege on a list and print the Helfo message -------------------------------

def test_kommuneoverlege_registers_a_new_fastlege_and_opens_the_printable_helfo_message(page_client, bergen):
    with in_kommune(bergen):
        lege = register.lege(bergen, fornavn="Ingrid", etternavn="Fjellstad", spesialist_allmennmedisin_fra=dt.date(2015, 1, 1))
        liste = register.liste(bergen, listetak=1200)
    form = page_client.get("/avtaler/ny/")
    assert form.status_code == 200
    assert "Kommunens godkjenning av listetak under 500 — begrunnelse" in page(form)

    created = page_client.post("/avtaler/ny/", new_avtale_payload(lege, liste))
    assert created.status_code == 302
    with in_kommune(bergen):
        avtale = Fastlegeavtale.objects.get(lege=lege)
    assert created["Location"] == f"/avtaler/{avtale.pk}/"
    assert avtale.signert is None

    signed = page_client.post(f"/avtaler/{avtale.pk}/signer/", {"signert": TODAY.isoformat(), "versjon": avtale.versjon})
    assert signed.status_code == 302
    with in_kommune(bergen):
        avtale.refresh_from_db()
        liste.refresh_from_db()
        melding = HelfoMelding.objects.get(avtale=avtale, type=Meldingstype.NY)
        orgnr = liste.legekontor.organisasjonsnummer
    assert avtale.signert == TODAY and avtale.legeperiode_id is not None
    assert liste.listetak == 1500

    detail = page(page_client.get(f"/avtaler/{avtale.pk}/"))
    assert "Ingrid Fjellstad" in detail and f'href="/avtaler/helfo/{melding.pk}/"' in detail

    printable = page_client.get(f"/avtaler/helfo/{melding.pk}/")
    assert printable.status_code == 200
    text = page(printable)
    assert "Melding til fastlegeregisteret" in text and "05-04.27" in text
    assert "Ingrid Fjellstad" in text and lege.hpr_nummer in text
    assert "Spesialist i allmennmedisin" in text  # point 4: competence
    assert orgnr in text
    assert "@media print" in text and "Merk som sendt" in text


def test_helfo_message_is_marked_sent_then_confirmed(page_client, bergen, avtale):
    with in_kommune(bergen):
        melding = HelfoMelding.objects.get(avtale=avtale, type=Meldingstype.NY)
    assert "Ny fastlegeavtale" in page(page_client.get("/avtaler/helfo/"))
    sent = page_client.post(f"/avtaler/helfo/{melding.pk}/sendt/", {"sendt": TODAY.isoformat(), "versjon": melding.versjon})
    assert sent.status_code == 302
    melding = fresh(HelfoMelding, melding.pk, bergen)
    assert (melding.status, melding.sendt) == (Meldingsstatus.SENDT, TODAY)
    assert "Merk som bekreftet av Helfo" in page(page_client.get(f"/avtaler/helfo/{melding.pk}/"))

    stale = page_client.post(f"/avtaler/helfo/{melding.pk}/bekreftet/", {"bekreftet": TODAY.isoformat(), "versjon": melding.versjon - 1})
    assert "endret av noen andre" in general_errors(stale)
    future = page_client.post(f"/avtaler/helfo/{melding.pk}/bekreftet/", {
        "bekreftet": (TODAY + dt.timedelta(days=3)).isoformat(), "versjon": melding.versjon})
    assert "mellom sendedatoen og i dag" in field_error(future, "bekreftet")

    confirmed = page_client.post(f"/avtaler/helfo/{melding.pk}/bekreftet/", {"bekreftet": TODAY.isoformat(), "versjon": melding.versjon})
    assert confirmed.status_code == 302
    assert fresh(HelfoMelding, melding.pk, bergen).status == Meldingsstatus.BEKREFTET
    assert "Ingen meldinger venter på Helfo" in page(page_client.get("/avtaler/helfo/"))


def test_new_avtale_with_listetak_under_500_needs_the_recorded_approval(page_client, bergen):
    with in_kommune(bergen):
        lege, liste = register.lege(bergen), register.liste(bergen, listetak=400)
    refused = page_client.post("/avtaler/ny/", new_avtale_payload(lege, liste, listetak="499"))
    assert refused.status_code == 200
    assert "under 500" in field_error(refused, "listetak") and "§ 10" in field_error(refused, "listetak")
    with in_kommune(bergen):
        assert not Fastlegeavtale.objects.filter(lege=lege).exists()

    approved = page_client.post("/avtaler/ny/", new_avtale_payload(
        lege, liste, listetak="499", godkjenning_under_500="Deltidspraksis ved siden av sykehjemslege"))
    assert approved.status_code == 302
    with in_kommune(bergen):
        vedtak = Vedtak.objects.get(avtale__lege=lege)
    assert (vedtak.type, vedtak.listetak) == ("listetak_under_500", 499)
    assert "Deltidspraksis" in page(page_client.get(approved["Location"]))


def test_listetak_2501_is_refused_naming_paragraph_10(page_client, bergen):
    with in_kommune(bergen):
        lege, liste = register.lege(bergen), register.liste(bergen)
    refused = page_client.post("/avtaler/ny/", new_avtale_payload(lege, liste, listetak="2501"))
    assert refused.status_code == 200 and "§ 10" in field_error(refused, "listetak")
    with in_kommune(bergen):
        assert not Fastlegeavtale.objects.filter(lege=lege).exists()


def test_ansatt_above_1500_needs_the_agreement_box(page_client, bergen):
    with in_kommune(bergen):
        lege, liste = register.lege(bergen), register.liste(bergen)
    payload = new_avtale_payload(lege, liste, tilknytningsform="ansatt", okonomisk_modell="fastlonn", listetak="1700")
    refused = page_client.post("/avtaler/ny/", payload)
    assert "SFS 2305 § 3.1" in field_error(refused, "listetak")
    assert page_client.post("/avtaler/ny/", {**payload, "listetak_avtalt_over_grense": "on"}).status_code == 302


@pytest.mark.parametrize(("field", "value"), [("startdato", "2026-02-30"), ("listetak", "mange"), ("lege", "999999999"),
                                              ("pasientliste", "abc")])
def test_malformed_input_is_a_form_error_naming_the_field_not_a_500(page_client, bergen, field, value):
    with in_kommune(bergen):
        lege, liste = register.lege(bergen), register.liste(bergen)
    response = page_client.post("/avtaler/ny/", new_avtale_payload(lege, liste, **{field: value}))
    assert response.status_code == 200 and field_error(response, field)
    with in_kommune(bergen):
        assert not Fastlegeavtale.objects.exists()


# --- done when: change a listetak within the rules; refusals name § 11 -----------------------------------------

def test_gp_reduction_is_registered_with_six_months_frist(page_client, bergen, avtale):
    response = page_client.post(f"/avtaler/{avtale.pk}/listetak/", {
        "initiativ": "lege", "mottatt": TODAY.isoformat(), "til_listetak": "1200"})
    assert response.status_code == 302 and response["Location"].endswith("#listetak")
    with in_kommune(bergen):
        endring = ListetakEndring.objects.get(avtale=avtale)
        steps = [(t.gjelder_fra, t.listetak) for t in endring.trinn.all()]
    assert (endring.fra_listetak, endring.til_listetak) == (1500, 1200)
    assert steps == [(add_months(TODAY, 6), 1200)]
    detail = page(page_client.get(f"/avtaler/{avtale.pk}/"))
    assert "1500 → 1200" in detail and add_months(TODAY, 6).strftime("%-d.%-m.%Y") in detail


def test_agreed_increase_in_steps_takes_effect(page_client, bergen, avtale):
    response = page_client.post(f"/avtaler/{avtale.pk}/listetak/", {
        "initiativ": "enighet", "mottatt": TODAY.isoformat(), "til_listetak": "1800", "avtale_notat": "Avtalt i møte",
        "trinn_1_dato": TODAY.isoformat(), "trinn_1_listetak": "1600",
        "trinn_2_dato": (TODAY + dt.timedelta(days=60)).isoformat(), "trinn_2_listetak": "1800"})
    assert response.status_code == 302
    assert fresh(Fastlegeavtale, avtale.pk, bergen).listetak == 1600  # the first step applies today


def test_reduction_earlier_than_six_months_is_refused_naming_paragraph_11(page_client, bergen, avtale):
    early = add_months(TODAY, 3)
    payload = {"initiativ": "lege", "mottatt": TODAY.isoformat(), "til_listetak": "1200",
               "trinn_1_dato": early.isoformat(), "trinn_1_listetak": "1200"}
    refused = page_client.post(f"/avtaler/{avtale.pk}/listetak/", payload)
    assert refused.status_code == 200
    assert "§ 11" in field_error(refused, "trinn") and "seks måneder" in field_error(refused, "trinn")
    with in_kommune(bergen):
        assert not ListetakEndring.objects.exists()
    agreed = page_client.post(f"/avtaler/{avtale.pk}/listetak/", {
        **payload, "kortere_frist_avtalt": "on", "avtale_notat": "Særlig tilfelle, avtalt i møte"})
    assert agreed.status_code == 302


def test_kommune_cannot_reduce_unilaterally_naming_paragraph_11(page_client, bergen, avtale):
    refused = page_client.post(f"/avtaler/{avtale.pk}/listetak/", {
        "initiativ": "kommune", "mottatt": TODAY.isoformat(), "til_listetak": "1200"})
    assert "§ 11" in field_error(refused, "initiativ") and "ensidig" in field_error(refused, "initiativ")
    assert fresh(Fastlegeavtale, avtale.pk, bergen).listetak == 1500


def test_half_filled_step_row_is_a_form_error(page_client, avtale):
    response = page_client.post(f"/avtaler/{avtale.pk}/listetak/", {
        "initiativ": "lege", "mottatt": TODAY.isoformat(), "til_listetak": "1200", "trinn_1_listetak": "1200"})
    assert response.status_code == 200 and field_error(response, "trinn_1_dato")


def test_requested_increase_is_refused_as_a_decision_and_its_appeal_followed(page_client, bergen, avtale):
    page_client.post(f"/avtaler/{avtale.pk}/listetak/", {
        "initiativ": "lege", "mottatt": TODAY.isoformat(), "til_listetak": "1700",
        "trinn_1_dato": (TODAY + dt.timedelta(days=30)).isoformat(), "trinn_1_listetak": "1700"})
    with in_kommune(bergen):
        endring = ListetakEndring.objects.get(avtale=avtale)
    assert f"/avtaler/{avtale.pk}/listetak/{endring.pk}/avslag/" in page(page_client.get(f"/avtaler/{avtale.pk}/"))
    refused = page_client.post(f"/avtaler/{avtale.pk}/listetak/{endring.pk}/avslag/", {
        "begrunnelse": "Kontoret mangler rom", "vedtaksdato": TODAY.isoformat()})
    assert refused.status_code == 302
    with in_kommune(bergen):
        vedtak = Vedtak.objects.get(listetak_endring=endring)
    detail = page(page_client.get(f"/avtaler/{avtale.pk}/"))
    assert "Kontoret mangler rom" in detail and "Ikke påklaget" in detail

    missing_date = page_client.post(f"/avtaler/vedtak/{vedtak.pk}/klage/", {"klagestatus": "mottatt", "versjon": vedtak.versjon})
    assert "når klagen ble mottatt" in field_error(missing_date, "klage_mottatt")
    appealed = page_client.post(f"/avtaler/vedtak/{vedtak.pk}/klage/", {
        "klagestatus": "oversendt", "klage_mottatt": TODAY.isoformat(), "versjon": vedtak.versjon})
    assert appealed.status_code == 302
    assert fresh(Vedtak, vedtak.pk, bergen).klagestatus == "oversendt"
    assert "Oversendt statsforvalteren" in page(page_client.get(f"/avtaler/{avtale.pk}/"))


def test_gp_reduction_cannot_be_refused(page_client, bergen, avtale):
    page_client.post(f"/avtaler/{avtale.pk}/listetak/", {"initiativ": "lege", "mottatt": TODAY.isoformat(), "til_listetak": "1200"})
    with in_kommune(bergen):
        endring = ListetakEndring.objects.get(avtale=avtale)
    refused = page_client.post(f"/avtaler/{avtale.pk}/listetak/{endring.pk}/avslag/", {
        "begrunnelse": "Trenger kapasitet", "vedtaksdato": TODAY.isoformat()})
    assert refused.status_code == 200 and "§ 11" in general_errors(refused)
    with in_kommune(bergen):
        assert not Vedtak.objects.exists()


# --- done when: record a notice and see its deadline ---------------------------------------------------------

def test_notice_shows_the_computed_end_the_email_and_the_deadline(page_client, bergen, avtale):
    response = page_client.post(f"/avtaler/{avtale.pk}/oppsigelse/", {"part": "lege", "type": "oppsigelse", "mottatt": TODAY.isoformat()})
    assert response.status_code == 302
    end = add_months(TODAY, 6)
    with in_kommune(bergen):
        assert Oppsigelse.objects.get(avtale=avtale).virkning == end
        melding = HelfoMelding.objects.get(avtale=avtale, type=Meldingstype.OPPSIGELSE)
        navn = avtale.lege.navn
    detail = page(page_client.get(response["Location"]))
    assert f"Avtalen opphører {end.strftime('%d.%m.%Y')}" in detail  # the success message
    assert f'<a href="/avtaler/helfo/{melding.pk}/">E-post til Helfo om oppsigelsen</a>' in detail

    email = page(page_client.get(f"/avtaler/helfo/{melding.pk}/"))
    assert '<pre class="epost"' in email and "post@helfo.no" in email and end.strftime("%d.%m.%Y") in email

    frister = page(page_client.get("/frister/"))
    assert end.strftime("%-d.%-m.%Y") in frister
    assert f'<a href="/avtaler/{avtale.pk}/">Fastlegeavtalen med {navn} opphører</a>' in frister


def test_kommunes_notice_without_saklig_grunn_is_refused_naming_paragraph_12(page_client, bergen, avtale):
    refused = page_client.post(f"/avtaler/{avtale.pk}/oppsigelse/", {"part": "kommune", "type": "oppsigelse", "mottatt": TODAY.isoformat()})
    assert refused.status_code == 200
    assert "saklig" in field_error(refused, "saklig_grunn") and "§ 12" in field_error(refused, "saklig_grunn")
    with in_kommune(bergen):
        assert not Oppsigelse.objects.exists()
    accepted = page_client.post(f"/avtaler/{avtale.pk}/oppsigelse/", {
        "part": "kommune", "type": "oppsigelse", "mottatt": TODAY.isoformat(), "saklig_grunn": "Gjentatte brudd på avtalen"})
    assert accepted.status_code == 302


def test_heving_needs_vesentlig_mislighold(page_client, avtale):
    refused = page_client.post(f"/avtaler/{avtale.pk}/oppsigelse/", {"part": "kommune", "type": "heving", "mottatt": TODAY.isoformat()})
    assert "§ 12" in field_error(refused, "mislighold")


# --- § 32 and extension beyond 70 ------------------------------------------------------------------------------

def oppgave_payload(**overrides):
    payload = {"oppgavetype": "sykehjem", "institusjon": "Fana sykehjem", "timer_per_uke": "5", "form": "palagt",
               "frivillig_avtale_forsokt": (TODAY - dt.timedelta(days=10)).isoformat(), "frivillig_notat": "Legen takket nei",
               "lonnsgrunnlag": "asa4310_12_5", "fra": TODAY.isoformat()}
    return {**payload, **overrides}


def test_palagt_hours_above_the_limit_are_refused_naming_paragraph_32(page_client, bergen, avtale):
    assert page_client.post(f"/avtaler/{avtale.pk}/oppgaver/ny/", oppgave_payload()).status_code == 302
    refused = page_client.post(f"/avtaler/{avtale.pk}/oppgaver/ny/", oppgave_payload(institusjon="Fana helsestasjon", timer_per_uke="3"))
    assert refused.status_code == 200
    assert "§ 32" in field_error(refused, "timer_per_uke") and "7,50" in field_error(refused, "timer_per_uke")
    with in_kommune(bergen):
        assert KommunalOppgave.objects.count() == 1
    detail = page(page_client.get(f"/avtaler/{avtale.pk}/"))
    assert "Pålagt nå: 5,00 timer per uke av høyst 7,50" in detail
    agreed = page_client.post(f"/avtaler/{avtale.pk}/oppgaver/ny/", oppgave_payload(institusjon="Fana helsestasjon", timer_per_uke="3,5",
                                                                                    form="avtalt"))
    assert agreed.status_code == 302


def test_palagt_without_trying_a_voluntary_agreement_is_refused(page_client, avtale):
    refused = page_client.post(f"/avtaler/{avtale.pk}/oppgaver/ny/", oppgave_payload(frivillig_avtale_forsokt=""))
    assert "§ 32" in field_error(refused, "frivillig_avtale_forsokt")


def test_extension_beyond_70_is_a_decision_and_never_beyond_80(page_client, bergen):
    born = dt.date(TODAY.year - 69, 1, 15)
    with in_kommune(bergen):
        avtale = register.avtale(bergen, lege_=register.lege(bergen, fodselsdato=born), startdato=dt.date(2026, 1, 5))
    page_html = page(page_client.get(f"/avtaler/{avtale.pk}/"))
    assert "legen fyller 70 år" in page_html and dt.date(born.year + 70, 1, 15).strftime("%-d.%-m.%Y") in page_html
    too_far = page_client.post(f"/avtaler/{avtale.pk}/forlengelse/", {
        "forlenget_til": dt.date(born.year + 81, 1, 1).isoformat(), "begrunnelse": "Rekruttering", "vedtaksdato": TODAY.isoformat()})
    assert "§ 12" in field_error(too_far, "forlenget_til")
    until = dt.date(born.year + 72, 1, 15)
    granted = page_client.post(f"/avtaler/{avtale.pk}/forlengelse/", {
        "forlenget_til": until.isoformat(), "begrunnelse": "Rekruttering pågår", "vedtaksdato": TODAY.isoformat()})
    assert granted.status_code == 302
    assert fresh(Fastlegeavtale, avtale.pk, bergen).forlenget_til == until


# --- the register, fellesliste, history --------------------------------------------------------------------------

def test_register_filters_by_list_status_and_tilknytningsform_and_searches_names(page_client, bergen):
    with in_kommune(bergen):
        liste = register.liste(bergen)
        a = register.avtale(bergen, liste_=liste, lege_=register.lege(bergen, fornavn="Solveig", etternavn="Brekke"))
        register.avtale(bergen, lege_=register.lege(bergen, fornavn="Per", etternavn="Aasen"), tilknytningsform="ansatt", listetak=1400)
        register.avtale(bergen, lege_=register.lege(bergen, fornavn="Ola", etternavn="Utkastsen"), signed=False)

    def names(params):
        html = page(page_client.get("/avtaler/", params))
        return {name for name in ("Brekke", "Aasen", "Utkastsen") if name in html}

    assert names({}) == {"Brekke", "Aasen", "Utkastsen"}
    assert names({"liste": liste.pk}) == {"Brekke"}
    assert names({"tilknytningsform": "ansatt"}) == {"Aasen"}
    assert names({"status": "utkast"}) == {"Utkastsen"}
    assert names({"sok": "solveig"}) == {"Brekke"}
    assert f'href="/avtaler/{a.pk}/"' in page(page_client.get("/avtaler/"))
    bad = page_client.get("/avtaler/", {"status": "tull"})
    assert bad.status_code == 400 and field_error(bad, "status")


def test_register_uses_the_same_number_of_queries_for_10_and_100_avtaler(page_client, bergen):
    counts = []
    for total in (10, 100):
        with in_kommune(bergen):
            while Fastlegeavtale.objects.count() < total:
                register.avtale(bergen, signed=False)
        with CaptureQueriesContext(connection) as ctx:
            response = page_client.get("/avtaler/")
        assert response.status_code == 200 and f"{total} fastlegeavtaler" in page(response)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_fellesliste_shows_each_gps_part_of_the_listetak(page_client, bergen):
    with in_kommune(bergen):
        liste = register.liste(bergen, listetak=1000, er_fellesliste=True)
        first = register.avtale(bergen, liste_=liste, listetak=1000, lege_=register.lege(bergen, etternavn="Førstelege"))
        register.avtale(bergen, liste_=liste, listetak=800, lege_=register.lege(bergen, etternavn="Andrelege"))
        liste.refresh_from_db()
    assert liste.listetak == 1800
    html = page(page_client.get(f"/avtaler/{first.pk}/"))
    assert "Fellesliste: legenes deler av listetaket" in html and "§ 20" in html
    section = html[html.index('id="fellesliste"'):html.index('id="listetak"')]
    assert "Førstelege" in section and "Andrelege" in section and "1000" in section and "800" in section and "1800" in section


def test_history_page_shows_the_avtale_changes(page_client, bergen, avtale):
    page_client.post(f"/avtaler/{avtale.pk}/oppsigelse/", {"part": "lege", "type": "oppsigelse", "mottatt": TODAY.isoformat()})
    response = page_client.get(f"/avtaler/{avtale.pk}/historikk/")
    assert response.status_code == 200
    assert "sluttdato" in page(response)


def test_landing_page_has_the_avtaler_panel(page_client, avtale):
    html = page(page_client.get("/kommuner/4601/"))
    assert "Fastlegeavtaler" in html and 'href="/avtaler/"' in html and 'href="/frister/"' in html


# --- access ---------------------------------------------------------------------------------------------------

def test_lesetilgang_reads_but_cannot_post(client, bergen, avtale):
    leser = user_with_role("lesetilgang", bergen)
    client.force_login(leser)
    with in_kommune(bergen):
        melding = HelfoMelding.objects.get(avtale=avtale)
        lege, liste = register.lege(bergen), register.liste(bergen)
    for url in ("/avtaler/", f"/avtaler/{avtale.pk}/", f"/avtaler/{avtale.pk}/historikk/", "/avtaler/helfo/",
                f"/avtaler/helfo/{melding.pk}/", "/frister/"):
        assert client.get(url).status_code == 200, url
    detail = page(client.get(f"/avtaler/{avtale.pk}/"))
    assert "Registrer oppsigelse" not in detail and "Merk som sendt" not in page(client.get(f"/avtaler/helfo/{melding.pk}/"))
    posts = {
        "/avtaler/ny/": new_avtale_payload(lege, liste),
        f"/avtaler/{avtale.pk}/listetak/": {"initiativ": "lege", "mottatt": TODAY.isoformat(), "til_listetak": "1200"},
        f"/avtaler/{avtale.pk}/oppsigelse/": {"part": "lege", "type": "oppsigelse", "mottatt": TODAY.isoformat()},
        f"/avtaler/{avtale.pk}/oppgaver/ny/": oppgave_payload(),
        f"/avtaler/{avtale.pk}/forlengelse/": {"forlenget_til": "2050-01-01", "begrunnelse": "x", "vedtaksdato": TODAY.isoformat()},
        f"/avtaler/helfo/{melding.pk}/sendt/": {"sendt": TODAY.isoformat(), "versjon": melding.versjon},
    }
    for url, payload in posts.items():
        assert client.post(url, payload).status_code == 403, url
    with in_kommune(bergen):
        assert Fastlegeavtale.objects.count() == 1
        assert not ListetakEndring.objects.exists() and not Oppsigelse.objects.exists()
        assert HelfoMelding.objects.get(pk=melding.pk).status == Meldingsstatus.UTKAST


def test_another_kommunes_avtale_and_messages_are_404(page_client, sunnfjord):
    with in_kommune(sunnfjord):
        theirs = register.avtale(sunnfjord, lege_=register.lege(sunnfjord, etternavn="Sunnfjordlege"))
        melding = HelfoMelding.objects.get(avtale=theirs)
        endring_id = ListetakEndring.objects.create(
            kommune=sunnfjord, avtale=theirs, initiativ="lege", mottatt=TODAY, fra_listetak=1500, til_listetak=1700).pk
        vedtak = Vedtak.objects.create(kommune=sunnfjord, avtale=theirs, type="avslag_listetak", utfall="avslatt",
                                       begrunnelse="x", vedtaksdato=TODAY, vedtatt_av_navn="x")
    for url in (f"/avtaler/{theirs.pk}/", f"/avtaler/{theirs.pk}/historikk/", f"/avtaler/{theirs.pk}/signer/",
                f"/avtaler/{theirs.pk}/listetak/", f"/avtaler/{theirs.pk}/oppsigelse/", f"/avtaler/{theirs.pk}/forlengelse/",
                f"/avtaler/{theirs.pk}/oppgaver/ny/", f"/avtaler/{theirs.pk}/listetak/{endring_id}/avslag/",
                f"/avtaler/helfo/{melding.pk}/", f"/avtaler/vedtak/{vedtak.pk}/klage/"):
        response = page_client.get(url)
        assert response.status_code == 404, url
        assert "Sunnfjordlege" not in page(response)
    assert page_client.post(f"/avtaler/{theirs.pk}/oppsigelse/", {
        "part": "lege", "type": "oppsigelse", "mottatt": TODAY.isoformat()}).status_code == 404
    assert page_client.post(f"/avtaler/helfo/{melding.pk}/sendt/", {"sendt": TODAY.isoformat(), "versjon": melding.versjon}).status_code == 404
    assert "Sunnfjordlege" not in page(page_client.get("/avtaler/")) + page(page_client.get("/avtaler/helfo/")) + page(page_client.get("/frister/"))
    with in_kommune(sunnfjord):
        assert not Oppsigelse.objects.exists()
        assert HelfoMelding.objects.get(pk=melding.pk).status == Meldingsstatus.UTKAST


def test_malformed_ids_are_404(page_client):
    for url in ("/avtaler/abc/", "/avtaler/999999999/", "/avtaler/helfo/999999999/", "/avtaler/vedtak/0/klage/"):
        assert page_client.get(url).status_code == 404, url
