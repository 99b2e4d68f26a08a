"""The 8.2-avtale pages through the real middleware and login (the page client is Bergen's
kommuneoverlege): the issue's «done when» — the kommuneoverlege shows the 3-year sum beyond
basistilskudd for a practice being sold, for any date — plus the ledger, the chart, payments and
their corrections, exports, refusals on their field, readers, other kommuner and constant queries."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from avtaler import okonomi_services
from avtaler.models import Okonomiavtale, Okonomibetaling
from tests import register
from tests.conftest import in_kommune, user_with_role

pytestmark = pytest.mark.django_db

START = dt.date(2020, 1, 6)


def page(response) -> str:
    return html_lib.unescape(response.content.decode()).replace("\xa0", " ")


def field_error(response, field: str) -> str:
    match = re.search(rf'<p class="error" id="id_{field}_error">(.*?)</p>', response.content.decode(), re.S)
    return html_lib.unescape(match.group(1)) if match else ""


def fastlegeavtale_8_2(k, **fields):
    return register.avtale(k, okonomisk_modell="asa4310_8_2", startdato=START,
                           liste_=register.liste(k, fra=dt.date(2019, 1, 1), navn=fields.pop("navn", "Solsiden")), **fields)


@pytest.fixture
def fastlege(bergen):
    with in_kommune(bergen):
        return fastlegeavtale_8_2(bergen, lege_=register.lege(bergen, fornavn="Selma", etternavn="Selger"))


@pytest.fixture
def avtale(bergen, fastlege):
    with in_kommune(bergen):
        return okonomi_services.create_okonomiavtale(
            kommune=bergen, fastlegeavtale=fastlege, ytelser=["lokaler", "driftstilskudd"], beskrivelse="Lokaler i helsehuset",
            driftstilskudd_per_ar=Decimal("120000"), startdato=START, signert=START)


def pay(k, avtale, dato, belop, *, retning="til_lege", kategori="driftstilskudd", **fields):
    with in_kommune(k):
        return okonomi_services.record_betaling(avtale=avtale, dato=dato, retning=retning, kategori=kategori,
                                               belop=Decimal(str(belop)), **fields)


def new_payload(fastlege, **overrides):
    data = {"fastlegeavtale": fastlege.pk, "ytelser": ["lokaler", "inntektsgaranti"], "beskrivelse": "Lokaler",
            "kommunen_mottar": "", "inntektsgaranti_per_ar": "450 000,50", "driftstilskudd_per_ar": "",
            "startdato": START.isoformat(), "sluttdato": "", "signert": "", "avslutning": ""}
    return {**data, **overrides}


# --- done when: the 3-year sum for a practice being sold ----------------------------------------------------

def test_kommuneoverlege_shows_the_three_year_sum_for_a_practice_being_sold(page_client, bergen, fastlege):
    created = page_client.post("/avtaler/okonomi/ny/", new_payload(fastlege))
    assert created.status_code == 302, page(created)
    with in_kommune(bergen):
        avtale = Okonomiavtale.objects.get(fastlegeavtale=fastlege)
    assert avtale.inntektsgaranti_per_ar == Decimal("450000.50")
    url = f"/avtaler/okonomi/{avtale.pk}/"
    assert created["Location"] == url
    for dato, belop, kategori in (("2023-06-14", "1", "inntektsgaranti"), ("2023-06-15", "10000", "inntektsgaranti"),
                                  ("2025-01-10", "2500,50", "lokaler"), ("2025-02-01", "90000", "basistilskudd"),
                                  ("2026-06-15", "7", "inntektsgaranti")):
        response = page_client.post(f"{url}betalinger/ny/", {"dato": dato, "retning": "til_lege", "kategori": kategori,
                                                              "belop": belop, "referanse": "", "beskrivelse": ""})
        assert response.status_code == 302, field_error(response, "belop") or field_error(response, "dato")
    response = page_client.post(f"{url}betalinger/ny/", {"dato": "2025-03-01", "retning": "til_kommune",
                                                          "kategori": "andel_basistilskudd", "belop": "3000"})
    assert response.status_code == 302

    sold = page_client.get(url, {"per": "2026-06-15"})
    assert sold.status_code == 200
    html = page(sold)
    section = html[html.index('id="tilbakeblikk"'):html.index('id="per-ar"')]
    assert re.search(r'<strong id="tilbakeblikk-sum">12 500,50 kr</strong>', section)
    assert "15.6.2023–14.6.2026 (de 3 årene før 15.6.2026)" in section
    assert "90 000,00 kr" in section and "3 000,00 kr" in section  # basistilskudd and payments to the kommune beside it
    assert "ASA 4310" in section
    # Another date, another window.
    later = page(page_client.get(url, {"per": "2026-06-16"}))
    assert '<strong id="tilbakeblikk-sum">2 507,50 kr</strong>' in later.replace("\n", "")


def test_invalid_date_is_shown_on_the_field(page_client, avtale):
    response = page_client.get(f"/avtaler/okonomi/{avtale.pk}/", {"per": "2026-02-30"})
    assert response.status_code == 400 and field_error(response, "per")
    assert 'id="tilbakeblikk-sum"' not in page(response)


def test_detail_shows_the_ledger_the_chart_and_its_table(page_client, bergen, avtale):
    pay(bergen, avtale, dt.date(2024, 5, 1), 1000, referanse="Bilag 1")
    pay(bergen, avtale, dt.date(2025, 5, 1), 400, retning="til_kommune", kategori="andel_refusjon")
    html = page(page_client.get(f"/avtaler/okonomi/{avtale.pk}/"))
    assert "Lokaler, Driftstilskudd" in html and "120 000,00 kr" in html
    chart = html[html.index("<svg"):html.index("</svg>")]
    assert 'role="img"' in chart and 'aria-labelledby="chart-title chart-desc"' in chart and "<title" in chart
    assert chart.count("<rect x=") == 4 and ">2024<" in chart and ">2025<" in chart  # two years, two directions
    table = html[html.index("Betalinger per år (kr)"):html.index('id="betalinger"')]
    assert "1 000,00" in table and "400,00" in table and '<th scope="row">2024</th>' in table
    ledger = html[html.index('id="betalinger"'):]
    assert "Bilag 1" in ledger and "Fra legen til kommunen" in ledger and "Andel av refusjoner" in ledger


def test_new_avtale_on_a_pure_8_1_fastlegeavtale_is_refused_on_its_field(page_client, bergen):
    with in_kommune(bergen):
        ren = register.avtale(bergen, startdato=START, liste_=register.liste(bergen, fra=dt.date(2019, 1, 1)))
    response = page_client.post("/avtaler/okonomi/ny/", new_payload(ren))
    assert response.status_code == 200
    error = field_error(response, "fastlegeavtale")
    assert "ASA 4310 pkt. 8.2" in error and "uten økonomisk medvirkning" in error
    with in_kommune(bergen):
        assert not Okonomiavtale.objects.exists()


@pytest.mark.parametrize(("overrides", "field", "text"), [
    ({"sluttdato": "2020-01-01"}, "sluttdato", "Avtalen må opphøre etter startdatoen."),
    ({"ytelser": ["lokaler"]}, "inntektsgaranti_per_ar", "Beløpet gjelder bare når kommunen stiller med «Inntektsgaranti»"),
    ({"inntektsgaranti_per_ar": "1,005"}, "inntektsgaranti_per_ar", "høyst to desimaler"),
    ({"ytelser": [], "beskrivelse": "", "inntektsgaranti_per_ar": ""}, "ytelser", "Oppgi hva kommunen stiller med"),
    ({"fastlegeavtale": "999999"}, "fastlegeavtale", "gyldig"),
])
def test_bad_input_is_shown_on_its_field_and_nothing_is_saved(page_client, bergen, fastlege, overrides, field, text):
    response = page_client.post("/avtaler/okonomi/ny/", new_payload(fastlege, **overrides))
    assert response.status_code == 200
    assert text in field_error(response, field)
    with in_kommune(bergen):
        assert not Okonomiavtale.objects.exists()


def test_payment_refusal_is_shown_on_its_field_and_nothing_is_saved(page_client, bergen, avtale):
    url = f"/avtaler/okonomi/{avtale.pk}/betalinger/ny/"
    wrong_way = page_client.post(url, {"dato": "2024-01-01", "retning": "til_lege", "kategori": "andel_basistilskudd", "belop": "10"})
    assert "betales fra legen til kommunen" in field_error(wrong_way, "retning")
    before = page_client.post(url, {"dato": "2019-12-31", "retning": "til_lege", "kategori": "lokaler", "belop": "10"})
    assert "periode" in field_error(before, "dato")
    zero = page_client.post(url, {"dato": "2024-01-01", "retning": "til_lege", "kategori": "lokaler", "belop": "0"})
    assert "større enn null" in field_error(zero, "belop")
    with in_kommune(bergen):
        assert not Okonomibetaling.objects.exists()


def test_corrected_payment_shows_the_old_value_in_its_history(page_client, bergen, avtale):
    betaling = pay(bergen, avtale, dt.date(2024, 5, 1), 1000)
    url = f"/avtaler/okonomi/{avtale.pk}/betalinger/{betaling.pk}/endre/"
    assert "1000" in page(page_client.get(url)).replace(" ", "")
    response = page_client.post(url, {"dato": "2024-05-01", "retning": "til_lege", "kategori": "driftstilskudd",
                                      "belop": "1250", "referanse": "Rettet", "beskrivelse": "", "versjon": betaling.versjon})
    assert response.status_code == 302
    with in_kommune(bergen):
        assert Okonomibetaling.objects.get(pk=betaling.pk).belop == Decimal("1250.00")
    history = page(page_client.get(f"/avtaler/okonomi/{avtale.pk}/betalinger/{betaling.pk}/historikk/"))
    assert "belop" in history and "1000" in history and "1250" in history
    stale = page_client.post(url, {"dato": "2024-05-01", "retning": "til_lege", "kategori": "driftstilskudd", "belop": "9",
                                   "versjon": betaling.versjon})
    assert stale.status_code == 200 and "endret av noen andre" in page(stale)


def test_change_and_end_pages(page_client, bergen, avtale):
    response = page_client.post(f"/avtaler/okonomi/{avtale.pk}/endre/", {
        "ytelser": ["lokaler", "driftstilskudd", "epj"], "beskrivelse": "Lokaler og EPJ", "kommunen_mottar": "",
        "inntektsgaranti_per_ar": "", "driftstilskudd_per_ar": "100000", "startdato": START.isoformat(), "sluttdato": "",
        "signert": START.isoformat(), "avslutning": "", "versjon": avtale.versjon})
    assert response.status_code == 302, page(response)
    with in_kommune(bergen):
        avtale = Okonomiavtale.objects.get(pk=avtale.pk)
    assert avtale.ytelser == ["lokaler", "driftstilskudd", "epj"] and avtale.driftstilskudd_per_ar == Decimal("100000.00")
    ended = page_client.post(f"/avtaler/okonomi/{avtale.pk}/avslutt/", {"sluttdato": "2025-01-01", "avslutning": "Praksisen solgt",
                                                                         "versjon": avtale.versjon})
    assert ended.status_code == 302
    with in_kommune(bergen):
        assert Okonomiavtale.objects.get(pk=avtale.pk).sluttdato == dt.date(2025, 1, 1)
    history = page(page_client.get(f"/avtaler/okonomi/{avtale.pk}/historikk/"))
    assert "sluttdato" in history and "Praksisen solgt" in history


# --- exports -------------------------------------------------------------------------------------------------

def test_ledger_csv_is_for_norwegian_excel_and_safe_from_formulas(page_client, bergen, avtale):
    pay(bergen, avtale, dt.date(2024, 5, 1), "1234.5", referanse="=HYPERLINK(\"x\")", beskrivelse="Husleie")
    pay(bergen, avtale, dt.date(2024, 6, 1), 300, retning="til_kommune", kategori="andel_refusjon")
    response = page_client.get(f"/avtaler/okonomi/{avtale.pk}/betalinger.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0].split(";")[:4] == ["Dato", "Retning", "Kategori", "Beløp (kr)"]
    assert lines[1] == f'2024-05-01;Fra kommunen til legen;Driftstilskudd;1234,50;Ja;"\'=HYPERLINK(""x"")";Husleie;Selma Selger;{avtale.pk}'
    assert lines[2].startswith("2024-06-01;Fra legen til kommunen;Andel av refusjoner;300,00;Nei;")
    assert len(lines) == 3


def test_ledger_xlsx_has_dates_numbers_and_text_cells(page_client, bergen, avtale):
    pay(bergen, avtale, dt.date(2024, 5, 1), "1234.5", referanse="=1+1")
    response = page_client.get(f"/avtaler/okonomi/{avtale.pk}/betalinger.xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Dato", "Retning", "Kategori", "Beløp (kr)")
    assert rows[1][0].date() == dt.date(2024, 5, 1) and rows[1][3] == 1234.5 and rows[1][5] == "=1+1"
    assert sheet.cell(row=2, column=6).data_type == "s"
    assert len(rows) == 2


# --- list, access ------------------------------------------------------------------------------------------

def test_list_shows_the_running_sum_and_uses_constant_queries(page_client, bergen):
    counts = []
    today = dt.date.today()
    for total in (2, 10):
        with in_kommune(bergen):
            while Okonomiavtale.objects.count() < total:
                fl = fastlegeavtale_8_2(bergen)
                a = okonomi_services.create_okonomiavtale(kommune=bergen, fastlegeavtale=fl, ytelser=["utstyr"], beskrivelse="",
                                                          startdato=START)
                okonomi_services.record_betaling(avtale=a, dato=today - dt.timedelta(days=10), retning="til_lege",
                                                 kategori="utstyr", belop=Decimal("1000"))
        with CaptureQueriesContext(connection) as ctx:
            response = page_client.get("/avtaler/okonomi/")
        html = page(response)
        assert response.status_code == 200 and f"{total} 8.2-avtaler" in html
        assert html.count(">1 000,00</td>") == total
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_lesetilgang_reads_but_cannot_write(client, bergen, fastlege, avtale):
    betaling = pay(bergen, avtale, dt.date(2024, 5, 1), 1000)
    client.force_login(user_with_role("lesetilgang", bergen))
    base = f"/avtaler/okonomi/{avtale.pk}/"
    for url in ("/avtaler/okonomi/", base, f"{base}historikk/", f"{base}betalinger.csv", f"{base}betalinger.xlsx",
                f"{base}betalinger/{betaling.pk}/historikk/"):
        assert client.get(url).status_code == 200, url
    assert "Registrer betaling" not in page(client.get(base))
    posts = {
        "/avtaler/okonomi/ny/": new_payload(fastlege, startdato="2027-01-01"),
        f"{base}endre/": {"beskrivelse": "x", "startdato": START.isoformat(), "versjon": avtale.versjon},
        f"{base}avslutt/": {"sluttdato": "2025-01-01", "versjon": avtale.versjon},
        f"{base}betalinger/ny/": {"dato": "2024-01-01", "retning": "til_lege", "kategori": "lokaler", "belop": "10"},
        f"{base}betalinger/{betaling.pk}/endre/": {"dato": "2024-05-01", "retning": "til_lege", "kategori": "lokaler",
                                                    "belop": "10", "versjon": betaling.versjon},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 403, url
    with in_kommune(bergen):
        assert Okonomiavtale.objects.count() == 1 and Okonomibetaling.objects.count() == 1
        assert Okonomibetaling.objects.get(pk=betaling.pk).belop == Decimal("1000.00")


def test_another_kommunes_avtale_and_payments_are_404(page_client, sunnfjord):
    with in_kommune(sunnfjord):
        fl = fastlegeavtale_8_2(sunnfjord, lege_=register.lege(sunnfjord, etternavn="Sunnfjordlege"))
        theirs = okonomi_services.create_okonomiavtale(kommune=sunnfjord, fastlegeavtale=fl, ytelser=["lokaler"],
                                                       beskrivelse="", startdato=START)
        betaling = okonomi_services.record_betaling(avtale=theirs, dato=dt.date(2024, 1, 1), retning="til_lege",
                                                    kategori="lokaler", belop=Decimal("987654"))
    base = f"/avtaler/okonomi/{theirs.pk}/"
    for url in (base, f"{base}endre/", f"{base}avslutt/", f"{base}historikk/", f"{base}betalinger/ny/",
                f"{base}betalinger/{betaling.pk}/endre/", f"{base}betalinger/{betaling.pk}/historikk/",
                f"{base}betalinger.csv", f"{base}betalinger.xlsx"):
        response = page_client.get(url)
        assert response.status_code == 404, url
        assert "Sunnfjordlege" not in page(response) and "987654" not in page(response)
    assert page_client.post(f"{base}betalinger/ny/", {"dato": "2024-01-02", "retning": "til_lege", "kategori": "lokaler",
                                                      "belop": "1"}).status_code == 404
    assert "Sunnfjordlege" not in page(page_client.get("/avtaler/okonomi/"))
    with in_kommune(sunnfjord):
        assert Okonomibetaling.objects.count() == 1


def test_a_payment_of_another_avtale_is_404_under_this_one(page_client, bergen, fastlege, avtale):
    with in_kommune(bergen):
        other = okonomi_services.create_okonomiavtale(kommune=bergen, fastlegeavtale=fastlegeavtale_8_2(bergen),
                                                      ytelser=["epj"], beskrivelse="", startdato=START)
    betaling = pay(bergen, other, dt.date(2024, 1, 1), 5, kategori="epj")
    assert page_client.get(f"/avtaler/okonomi/{avtale.pk}/betalinger/{betaling.pk}/endre/").status_code == 404
