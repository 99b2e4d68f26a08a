"""The ALIS pages through the real middleware and login (the page client is Bergen's
kommuneoverlege with TOTP): the overview with every ALIS doctor's progress and next shortfall,
creating and changing an avtale with the services' refusals shown on the field, the grant claim
basis with its exports, the rate table, the history; another kommune's avtale is 404 and a
reader cannot write."""

from __future__ import annotations

import csv
import datetime as dt
import html as html_lib
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from avtaler import alis_services
from avtaler.models import Alisavtale, AlisElement, AlisFravaer, AlisSats, AlisTjeneste, AlisVeiledning
from tests import alis_helpers
from tests.conftest import in_kommune, user_with_role

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()
START = alis_helpers.SIGNERT


def page(response) -> str:
    return html_lib.unescape(response.content.decode())


def field_error(response, field: str) -> str:
    match = re.search(rf'<p class="error" id="id_{field}_error">(.*?)</p>', response.content.decode(), re.S)
    return html_lib.unescape(match.group(1)) if match else ""


def general_errors(response) -> str:
    match = re.search(r'<div class="error" role="alert">(.*?)</div>', response.content.decode(), re.S)
    return html_lib.unescape(match.group(1)) if match else ""


def fresh(model, pk, k):
    with in_kommune(k):
        return model.objects.get(pk=pk)


@pytest.fixture
def alis(bergen):
    """A running ALIS-avtale (fastlege, 100 %, from 5 January 2026) with a specialist veileder."""
    with in_kommune(bergen):
        return alis_helpers.alisavtale(bergen, lege_=alis_helpers.alis_lege(bergen, fornavn="Astrid", etternavn="Alisen"))


def url(avtale, suffix: str = "") -> str:
    return f"/avtaler/alis/{avtale.pk}/{suffix}"


# --- the overview -----------------------------------------------------------------------------------


def test_overview_shows_each_doctors_progress_and_next_shortfall(page_client, bergen):
    with in_kommune(bergen):
        uten_veileder = alis_helpers.alisavtale(
            bergen, lege_=alis_helpers.alis_lege(bergen, fornavn="Uno", etternavn="Utenveileder"), veileder=None)
        i_rute = alis_helpers.alisavtale(bergen, lege_=alis_helpers.alis_lege(bergen, fornavn="Ida", etternavn="Irute"))
        for month in range(1, TODAY.month + 1):
            alis_services.record_veiledning(avtale=i_rute, maned=dt.date(2026, month, 1), individuelle_timer=Decimal("5"),
                                            gruppetimer=Decimal("3"))
    response = page_client.get("/avtaler/alis/")
    assert response.status_code == 200
    text = page(response)
    row = text[text.index("Utenveileder"):text.index("</tr>", text.index("Utenveileder"))]
    assert "ALIS uten veileder" in row and "Fristen er passert" in row and f"Frist {START:%-d.%-m.%Y}" in row
    assert "Henger etter" in row  # no supervision recorded
    ok_row = text[text.index("Irute"):text.index("</tr>", text.index("Irute"))]
    assert "ALIS uten veileder" not in ok_row and "Henger etter" not in ok_row
    assert "<progress" in ok_row and "Veiledning år 1" in ok_row and "av 42 t" in ok_row
    assert f'href="/avtaler/alis/{uten_veileder.pk}/"' in text


def test_overview_filters_by_relasjon_status_and_search(page_client, bergen):
    with in_kommune(bergen):
        alis_helpers.alisavtale(bergen, lege_=alis_helpers.alis_lege(bergen, etternavn="Fastlegesen"))
        alis_helpers.alisavtale(bergen, relasjon="annen", lege_=alis_helpers.alis_lege(bergen, etternavn="Sykehjemsen"),
                                relasjon_til=dt.date(2026, 6, 1))
    text = page(page_client.get("/avtaler/alis/?relasjon=annen"))
    assert "Sykehjemsen" in text and "Fastlegesen" not in text
    text = page(page_client.get("/avtaler/alis/?status=opphort"))
    assert "Sykehjemsen" in text and "Fastlegesen" not in text
    text = page(page_client.get("/avtaler/alis/?status=aktiv"))
    assert "Fastlegesen" in text and "Sykehjemsen" not in text
    text = page(page_client.get("/avtaler/alis/?sok=fastlegesen"))
    assert "Fastlegesen" in text and "Sykehjemsen" not in text
    assert page_client.get("/avtaler/alis/?status=ukjent").status_code == 400


def _overview_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/avtaler/alis/").status_code == 200
    return len(ctx.captured_queries)


def _add_avtaler(k, n: int, offset: int) -> None:
    with in_kommune(k):
        for i in range(n):
            relasjon = ("fastlege", "vikar", "introduksjonslege", "annen")[(i + offset) % 4]
            avtale = alis_helpers.alisavtale(k, relasjon=relasjon)
            alis_services.add_alis_fravaer(avtale=avtale, type="sykdom", fra=dt.date(2026, 3, 1), til=dt.date(2026, 3, 10))
            alis_services.add_alis_tjeneste(avtale=avtale, type="apen_uselektert", sted="Sentrum", stillingsprosent=100,
                                            fra=START, til=dt.date(2026, 6, 1))
            alis_services.record_veiledning(avtale=avtale, maned=dt.date(2026, 2, 1), individuelle_timer=4, gruppetimer=3)


def test_overview_uses_constant_queries(page_client, bergen):
    _add_avtaler(bergen, 2, 0)
    small = _overview_queries(page_client)
    _add_avtaler(bergen, 6, 2)
    assert _overview_queries(page_client) == small
    with CaptureQueriesContext(connection) as ctx:
        assert page_client.get("/avtaler/alis/?status=aktiv&relasjon=fastlege").status_code == 200
    filtered = len(ctx.captured_queries)
    _add_avtaler(bergen, 4, 1)
    with CaptureQueriesContext(connection) as ctx:
        assert page_client.get("/avtaler/alis/?status=aktiv&relasjon=fastlege").status_code == 200
    assert len(ctx.captured_queries) == filtered


# --- creating ----------------------------------------------------------------------------------------


def new_payload(lege_, **overrides):
    payload = {
        "lege": lege_.pk, "relasjon": "fastlege", "fastlegeavtale": "", "vikarperiode": "", "introduksjonsavtale": "",
        "stilling": "", "stilling_til": "", "arbeidssted": "Sentrum legekontor", "stillingsprosent": "80",
        "signert": START.isoformat(), "startdato": "", "veileder": "", "veileder_unntak": "", "tilskuddsstatus": "ikke_sokt",
        "tilskudd_avslatt": "", "utdanningsplan": "",
    }
    return {**payload, **overrides}


def test_create_via_the_form_with_a_fastlegeavtale(page_client, bergen):
    with in_kommune(bergen):
        lege = alis_helpers.alis_lege(bergen, fornavn="Nina", etternavn="Nyalis")
        fastlegeavtale = alis_helpers.fastlegeavtale(bergen, lege_=lege, startdato=START)
        veileder = alis_helpers.veileder(bergen)
        vikar = alis_helpers.vikarperiode(bergen, lege_=alis_helpers.alis_lege(bergen), fra=START)
    form = page_client.get("/avtaler/alis/ny/")
    assert form.status_code == 200
    assert "Det underliggende forholdet" in page(form) and "Nyalis" in page(form)
    created = page_client.post("/avtaler/alis/ny/", new_payload(
        lege, fastlegeavtale=fastlegeavtale.pk, vikarperiode=vikar.pk, veileder=veileder.pk))  # the vikar field is ignored
    assert created.status_code == 302, general_errors(created) or page(created)
    with in_kommune(bergen):
        avtale = Alisavtale.objects.get(lege=lege)
    assert created["Location"] == f"/avtaler/alis/{avtale.pk}/"
    assert (avtale.fastlegeavtale_id, avtale.vikarperiode_id, avtale.stillingsprosent, avtale.startdato) == (
        fastlegeavtale.pk, None, 80, START)
    detail = page(page_client.get(created["Location"]))
    assert "ALIS-avtale: Nina Nyalis" in detail and "Fastlegeavtale på listen" in detail


def test_create_under_50_percent_is_refused_on_the_field_and_nothing_saved(page_client, bergen):
    with in_kommune(bergen):
        lege = alis_helpers.alis_lege(bergen)
        fastlegeavtale = alis_helpers.fastlegeavtale(bergen, lege_=lege, startdato=START)
    refused = page_client.post("/avtaler/alis/ny/", new_payload(lege, fastlegeavtale=fastlegeavtale.pk, stillingsprosent="40"))
    assert refused.status_code == 200
    message = field_error(refused, "stillingsprosent")
    assert "minst 50 %" in message and "legeforening" in message
    with in_kommune(bergen):
        assert not Alisavtale.objects.exists()


def test_create_without_the_underlying_relationship_is_refused_on_its_field(page_client, bergen):
    with in_kommune(bergen):
        lege = alis_helpers.alis_lege(bergen)
    refused = page_client.post("/avtaler/alis/ny/", new_payload(lege, relasjon="vikar"))
    assert "vikarperiode" in field_error(refused, "vikarperiode").lower()
    refused = page_client.post("/avtaler/alis/ny/", new_payload(lege, relasjon="annen"))
    assert "stillingen" in field_error(refused, "stilling").lower()
    with in_kommune(bergen):
        assert not Alisavtale.objects.exists()
    created = page_client.post("/avtaler/alis/ny/", new_payload(lege, relasjon="annen", stilling="Sykehjemslege",
                                                                stilling_til="2027-01-01"))
    assert created.status_code == 302
    with in_kommune(bergen):
        assert Alisavtale.objects.get(lege=lege).stilling_til == dt.date(2027, 1, 1)


# --- one avtale ------------------------------------------------------------------------------------------


def test_detail_shows_parties_end_limit_grant_and_shortfalls(page_client, bergen, alis):
    with in_kommune(bergen):
        alis_services.add_alis_fravaer(avtale=alis, type="foreldrepermisjon", fra=dt.date(2026, 3, 1), til=dt.date(2026, 4, 1))
        alis_services.add_alis_element(avtale=alis, element="veiledning", finansiering="standard", fra=START)
        alis_services.add_alis_tjeneste(avtale=alis, type="apen_uselektert", sted="Sentrum legekontor", stillingsprosent=100,
                                        fra=START, til=dt.date(2026, 7, 1))
        alis_services.record_veiledning(avtale=alis, maned=dt.date(2026, 2, 1), individuelle_timer=Decimal("4.5"),
                                        gruppetimer=Decimal("3"), merknad="Første måned")
    response = page_client.get(url(alis))
    assert response.status_code == 200
    text = page(response)
    assert "Astrid Alisen" in text and alis.lege.hpr_nummer in text and "Sentrum legekontor" in text
    assert "Signert" in text and f"{START:%-d.%-m.%Y}" in text
    # five years from 5.1.2026 plus 31 days of absence
    assert "Femårsgrense" in text and "5.2.2031" in text
    assert "(Fem år ved full tid er nådd)" in text  # the fastlege turns 70 long after
    assert "Foreldrepermisjon" in text and "Individuell veiledning" in text and "Standardelement" in text
    assert "Første måned" in text and "År 1" in text and "Snitt per veiledningsmåned" in text
    assert "Henger etter" in text and "Mangler og frister" in text
    assert "Gir rett til tilskudd" in text
    assert f'href="/avtaler/alis/{alis.pk}/veiledning/?maned=2026-02"' in text


def test_history_page_lists_the_changes(page_client, bergen, alis):
    response = page_client.post(url(alis, "endre/"), {
        "versjon": alis.versjon, "arbeidssted": "Nytt kontor", "stillingsprosent": "100", "stilling": "", "stilling_til": "",
        "veileder": alis.veileder_id, "veileder_unntak": "", "utdanningsplan": ""})
    assert response.status_code == 302
    text = page(page_client.get(url(alis, "historikk/")))
    assert "Historikk for ALIS-avtalen med Astrid Alisen" in text and "Nytt kontor" in text


def test_edit_form_refuses_under_50_and_a_stale_version(page_client, bergen, alis):
    base = {"arbeidssted": "Sentrum legekontor", "stilling": "", "stilling_til": "", "veileder": alis.veileder_id,
            "veileder_unntak": "", "utdanningsplan": ""}
    refused = page_client.post(url(alis, "endre/"), {**base, "versjon": alis.versjon, "stillingsprosent": "30"})
    assert "minst 50 %" in field_error(refused, "stillingsprosent")
    assert fresh(Alisavtale, alis.pk, bergen).stillingsprosent == 100
    stale = page_client.post(url(alis, "endre/"), {**base, "versjon": alis.versjon - 1, "stillingsprosent": "60"})
    assert "endret av noen andre" in general_errors(stale)
    ok = page_client.post(url(alis, "endre/"), {**base, "versjon": alis.versjon, "stillingsprosent": "60"})
    assert ok.status_code == 302
    assert fresh(Alisavtale, alis.pk, bergen).stillingsprosent == 60


def test_end_form(page_client, bergen, alis):
    late = page_client.post(url(alis, "avslutt/"), {"versjon": alis.versjon, "sluttdato": "2040-01-01", "sluttarsak": "oppsagt"})
    assert "kan ikke avsluttes senere" in field_error(late, "sluttdato")
    ended = page_client.post(url(alis, "avslutt/"), {"versjon": alis.versjon, "sluttdato": "2026-10-01", "sluttarsak": "oppsagt"})
    assert ended.status_code == 302
    avtale = fresh(Alisavtale, alis.pk, bergen)
    assert (avtale.sluttdato, avtale.sluttarsak) == (dt.date(2026, 10, 1), "oppsagt")
    text = page(page_client.get(url(alis)))
    assert "Avtalen er avsluttet" in text and "Opphørt" in text


def test_grant_decision_form(page_client, bergen, alis):
    no_date = page_client.post(url(alis, "tilskudd/"), {"versjon": alis.versjon, "tilskuddsstatus": "avslatt"})
    assert "Oppgi når tilskuddet ble avslått" in field_error(no_date, "tilskudd_avslatt")
    granted = page_client.post(url(alis, "tilskudd/"), {"versjon": alis.versjon, "tilskuddsstatus": "innvilget"})
    assert granted.status_code == 302
    assert fresh(Alisavtale, alis.pk, bergen).tilskuddsstatus == "innvilget"


def test_grant_cannot_be_recorded_for_a_vikarbyra_doctor(page_client, bergen):
    with in_kommune(bergen):
        avtale = alis_helpers.alisavtale(bergen, vikarbyra=True)
    form = page(page_client.get(url(avtale, "tilskudd/")))
    assert "Avtalen gir ikke rett til tilskudd" in form and "vikarbyrå" in form
    refused = page_client.post(url(avtale, "tilskudd/"), {"versjon": avtale.versjon, "tilskuddsstatus": "sokt"})
    assert "vikarbyrå" in field_error(refused, "tilskuddsstatus")


def test_element_forms_add_and_end(page_client, bergen, alis):
    early = page_client.post(url(alis, "elementer/ny/"), {
        "element": "kurs", "finansiering": "kommune", "fra": "2025-01-01", "til": "", "beskrivelse": ""})
    assert "før avtalen" in field_error(early, "fra")
    added = page_client.post(url(alis, "elementer/ny/"), {
        "element": "kurs", "finansiering": "kommune", "fra": "2026-02-01", "til": "", "beskrivelse": "Kurspakke"})
    assert added.status_code == 302
    with in_kommune(bergen):
        element = AlisElement.objects.get(avtale=alis)
    assert page_client.post(url(alis, f"elementer/{element.pk}/avslutt/"), {
        "versjon": element.versjon, "til": "2026-02-01"}).status_code == 200  # not after its start
    ended = page_client.post(url(alis, f"elementer/{element.pk}/avslutt/"), {"versjon": element.versjon, "til": "2026-09-01"})
    assert ended.status_code == 302
    assert fresh(AlisElement, element.pk, bergen).til == dt.date(2026, 9, 1)


def test_absence_forms_add_and_delete(page_client, bergen, alis):
    reversed_ = page_client.post(url(alis, "fravaer/ny/"), {"type": "sykdom", "fra": "2026-05-01", "til": "2026-04-01"})
    assert "slutte etter" in field_error(reversed_, "til")
    added = page_client.post(url(alis, "fravaer/ny/"), {"type": "sykdom", "fra": "2026-04-01", "til": "2026-05-01"})
    assert added.status_code == 302
    with in_kommune(bergen):
        fravaer = AlisFravaer.objects.get(avtale=alis)
    assert "Slett fraværet" in page(page_client.get(url(alis, f"fravaer/{fravaer.pk}/slett/")))
    assert page_client.post(url(alis, f"fravaer/{fravaer.pk}/slett/")).status_code == 302
    with in_kommune(bergen):
        assert not AlisFravaer.objects.filter(avtale=alis).exists()


def test_service_form(page_client, bergen, alis):
    low = page_client.post(url(alis, "tjeneste/ny/"), {
        "type": "institusjon", "sted": "Haukeland", "stillingsprosent": "40", "fra": "2026-02-01", "til": "2026-08-01"})
    assert "minst 50 %" in field_error(low, "stillingsprosent")
    ok = page_client.post(url(alis, "tjeneste/ny/"), {
        "type": "institusjon", "sted": "Haukeland", "stillingsprosent": "100", "fra": "2026-02-01", "til": "2026-08-01",
        "utenfor_kommunen": "on"})
    assert ok.status_code == 302
    with in_kommune(bergen):
        tjeneste = AlisTjeneste.objects.get(avtale=alis)
    assert (tjeneste.sted, tjeneste.utenfor_kommunen) == ("Haukeland", True)


def test_supervision_form_records_and_replaces_a_month(page_client, bergen, alis):
    future = page_client.post(url(alis, "veiledning/"), {
        "maned": "2030-01", "individuelle_timer": "4", "gruppetimer": "0", "merknad": ""})
    assert "fremtiden" in field_error(future, "maned")
    first = page_client.post(url(alis, "veiledning/"), {
        "maned": "2026-03", "individuelle_timer": "4,5", "gruppetimer": "3", "merknad": ""})
    assert first.status_code == 302
    reopened = page(page_client.get(url(alis, "veiledning/?maned=2026-03")))
    assert 'value="2026-03"' in reopened and 'value="4,50"' in reopened
    again = page_client.post(url(alis, "veiledning/"), {
        "maned": "2026-03", "individuelle_timer": "6", "gruppetimer": "0", "merknad": "Rettet"})
    assert again.status_code == 302
    with in_kommune(bergen):
        rows = list(AlisVeiledning.objects.filter(avtale=alis))
    assert [(r.maned, r.individuelle_timer, r.merknad) for r in rows] == [(dt.date(2026, 3, 1), Decimal("6.00"), "Rettet")]


# --- the grant claim basis and the rates ---------------------------------------------------------------------


@pytest.fixture
def claim(bergen, alis):
    with in_kommune(bergen):
        alis_services.record_tilskudd(avtale=alis, expected_version=alis.versjon, tilskuddsstatus="innvilget")
        alis_services.add_alis_element(avtale=alis, element="veiledning", finansiering="standard", fra=START)
        alis_services.create_alis_sats(kommune=bergen, element="veiledning", gyldig_fra=dt.date(2026, 1, 1),
                                       manedsbelop=Decimal("1000"), kilde="Regelverket 2026")
    return alis


def test_claim_page_defaults_to_the_last_refusjon_period_and_shows_totals(page_client, claim):
    text = page(page_client.get("/avtaler/alis/tilskudd/"))
    assert 'value="2025-09-01"' in text and 'value="2026-05-31"' in text
    assert "Astrid Alisen" in text and "Sum" in text
    assert "/avtaler/alis/tilskudd.csv?fra=2025-09-01&amp;til=2026-05-31" in page_client.get("/avtaler/alis/tilskudd/").content.decode()
    # 5.1.–31.5.2026 at 1 000 kr per month, full time
    assert "4,87" in text or "4,88" in text


def test_claim_csv_and_xlsx_have_the_same_rows(page_client, claim):
    response = page_client.get("/avtaler/alis/tilskudd.csv?fra=2026-01-01&til=2026-03-31")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "alis-tilskuddsgrunnlag-4601-2026-01-01-2026-03-31.csv" in response["Content-Disposition"]
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][0] == "Lege" and rows[1][0] == "Astrid Alisen" and rows[-1][0] == "Sum"
    amount = rows[1][11]
    assert amount.startswith("2") and "," in amount  # 27/31 of January + February + March

    workbook = load_workbook(io.BytesIO(page_client.get("/avtaler/alis/tilskudd.xlsx?fra=2026-01-01&til=2026-03-31").content))
    sheet = workbook.active
    assert sheet.cell(row=2, column=1).value == "Astrid Alisen"
    assert f"{Decimal(str(sheet.cell(row=2, column=12).value)):.2f}".replace(".", ",") == amount


def test_claim_period_must_be_valid(page_client, claim):
    response = page_client.get("/avtaler/alis/tilskudd/?fra=2026-05-01&til=2026-01-01")
    assert response.status_code == 400 and "slutte etter" in field_error(response, "til")
    assert page_client.get("/avtaler/alis/tilskudd.csv?fra=x&til=2026-01-01").status_code == 400


def test_rate_table_says_the_kommune_maintains_it_and_rates_are_added_and_edited(page_client, bergen):
    text = page(page_client.get("/avtaler/alis/satser/"))
    assert "Kommunen vedlikeholder satsene selv" in text
    negative = page_client.post("/avtaler/alis/satser/ny/", {
        "element": "veiledning", "relasjon": "", "gyldig_fra": "2026-01-01", "manedsbelop": "-5", "kilde": ""})
    assert "negativt" in field_error(negative, "manedsbelop")
    added = page_client.post("/avtaler/alis/satser/ny/", {
        "element": "veiledning", "relasjon": "vikar", "gyldig_fra": "2026-01-01", "manedsbelop": "1250,50", "kilde": "HDIR"})
    assert added.status_code == 302, page(added)
    with in_kommune(bergen):
        sats = AlisSats.objects.get()
    assert (sats.relasjon, sats.manedsbelop) == ("vikar", Decimal("1250.50"))
    duplicate = page_client.post("/avtaler/alis/satser/ny/", {
        "element": "veiledning", "relasjon": "vikar", "gyldig_fra": "2026-01-01", "manedsbelop": "1", "kilde": ""})
    assert "allerede en sats" in field_error(duplicate, "gyldig_fra")
    edited = page_client.post(f"/avtaler/alis/satser/{sats.pk}/endre/", {
        "versjon": sats.versjon, "element": "veiledning", "relasjon": "vikar", "gyldig_fra": "2026-01-01",
        "manedsbelop": "1300", "kilde": "HDIR"})
    assert edited.status_code == 302
    assert fresh(AlisSats, sats.pk, bergen).manedsbelop == Decimal("1300")
    assert "1300,00" in page(page_client.get("/avtaler/alis/satser/")).replace("\xa0", "").replace(" ", "")


# --- the doctor page -----------------------------------------------------------------------------------


def test_doctor_page_section_shows_the_alis_avtale(page_client, bergen, alis):
    from avtaler.alis_views import LEGE_ALIS, register_lege_seksjon
    from kommune import lege_views

    register_lege_seksjon()
    try:
        text = page(page_client.get(f"/leger/{alis.lege_id}/"))
    finally:
        lege_views.unregister_seksjon(LEGE_ALIS.key)
    assert "ALIS-avtaler" in text and f'href="/avtaler/alis/{alis.pk}/"' in text


# --- access ----------------------------------------------------------------------------------------------


WRITE_PAGES = ("endre/", "avslutt/", "tilskudd/", "elementer/ny/", "fravaer/ny/", "tjeneste/ny/", "veiledning/")


def test_another_kommunes_avtale_is_404(page_client, sunnfjord):
    with in_kommune(sunnfjord):
        other = alis_helpers.alisavtale(sunnfjord)
        fravaer = alis_services.add_alis_fravaer(avtale=other, type="sykdom", fra=dt.date(2026, 3, 1), til=dt.date(2026, 3, 5))
        element = alis_services.add_alis_element(avtale=other, element="kurs", finansiering="kommune", fra=START)
        sats = alis_services.create_alis_sats(kommune=sunnfjord, element="kurs", gyldig_fra=START, manedsbelop=1)
    for suffix in ("", "historikk/", *WRITE_PAGES, f"fravaer/{fravaer.pk}/slett/", f"elementer/{element.pk}/avslutt/"):
        assert page_client.get(url(other, suffix)).status_code == 404, suffix
    assert page_client.post(url(other, f"fravaer/{fravaer.pk}/slett/")).status_code == 404
    assert page_client.get(f"/avtaler/alis/satser/{sats.pk}/endre/").status_code == 404
    assert "Sunnfjord" not in page(page_client.get("/avtaler/alis/"))
    with in_kommune(sunnfjord):
        assert AlisFravaer.objects.filter(pk=fravaer.pk).exists()


def test_reader_sees_but_cannot_write(client, bergen, alis):
    client.force_login(user_with_role("lesetilgang", bergen))
    assert client.get("/avtaler/alis/").status_code == 200
    detail = page(client.get(url(alis)))
    assert "Astrid Alisen" in detail and "Endre avtalen" not in detail
    assert client.get("/avtaler/alis/tilskudd/").status_code == 200
    assert client.get("/avtaler/alis/satser/").status_code == 200
    for suffix in WRITE_PAGES:
        assert client.get(url(alis, suffix)).status_code == 403, suffix
    assert client.get("/avtaler/alis/ny/").status_code == 403
    assert client.get("/avtaler/alis/satser/ny/").status_code == 403
    response = client.post(url(alis, "endre/"), {"versjon": alis.versjon, "arbeidssted": "X", "stillingsprosent": "60"})
    assert response.status_code == 403
    assert fresh(Alisavtale, alis.pk, bergen).arbeidssted == "Sentrum legekontor"


def test_saksbehandler_can_write(client, bergen, alis):
    client.force_login(user_with_role("saksbehandler", bergen))
    response = client.post(url(alis, "fravaer/ny/"), {"type": "sykdom", "fra": "2026-04-01", "til": "2026-04-10"})
    assert response.status_code == 302
    with in_kommune(bergen):
        assert AlisFravaer.objects.filter(avtale=alis).count() == 1


def test_the_kind_of_absence_is_shown_to_the_kommuneoverlege_only(client, bergen, overlege, saksbehandler):
    with in_kommune(bergen):
        alis = alis_helpers.alisavtale(bergen)
        alis_services.add_alis_fravaer(avtale=alis, type="sykdom", fra=dt.date(2026, 3, 1), til=dt.date(2026, 3, 10))
    client.force_login(overlege)
    assert "Sykefravær" in client.get(f"/avtaler/alis/{alis.pk}/").content.decode()
    client.force_login(saksbehandler)
    shown = client.get(f"/avtaler/alis/{alis.pk}/").content.decode()
    assert "Sykefravær" not in shown and "Lovfestet fravær" in shown
