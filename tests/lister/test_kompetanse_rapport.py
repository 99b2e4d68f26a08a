"""The yearly report to statsforvalteren on the kommune's use of the § 4 exceptions: its figures on a
fixed data set (hand-counted), the page, CSV and XLSX, the API (with 400 on a bad year), the
deadline on the Frister list, the doctor page's § 4 section, and that another kommune's lists never
show.

The data set (Monday–Friday unless said):
- Aas (no competence): Bergen «Liste Nord» 1.12.2025–28.2.2026 → 31.12.2025 + 42 days in 2026;
  Bergen «Liste Lørdag» Saturdays in June 2026 (50 %) → 4; Sunnfjord 2.3.–30.6.2026 → 87.
  2026 in Bergen: 46; all kommuner: 133; cumulative at the end of 2026: 134; all within one year.
- Berg (no competence): Bergen «Liste Sør» 1.1.–30.12.2026 → 260; Bergen «Liste Vest» 31.12.2026–
  31.1.2027 with a justification → 1 day in 2026 beyond both limits (day 261, 261 in the year),
  21 days in January 2027 within the four-month exception (cumulative 282).
- Tveit (under spesialisering from 1.2.2026): Bergen 5.1.–28.2.2026 → 20 days counted.
- Spesialist (specialist): Bergen, all 2026 → not in the report.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kommune import frister
from kommune import services as kommune_services
from lister import kompetanse, services
from tests import register
from tests.api_helpers import error
from tests.conftest import api_client_for, in_kommune, kommune, token_client, user_with_role

pytestmark = pytest.mark.django_db

D = dt.date
PAGE = "/vikarer/kompetanse/rapport/"
API = "/api/v1/kompetanserapport/"


def vikar(liste, lege, fra, til=None, **fields):
    return services.add_legeperiode(liste=liste, lege=lege, rolle="LPVI", fra=fra, til=til, **fields)


@pytest.fixture
def data(bergen, sunnfjord):
    with in_kommune(bergen):
        nord = register.legekontor(bergen, navn="Nord legekontor")
        aas = register.lege(bergen, fornavn="Anne", etternavn="Aas")
        berg = register.lege(bergen, fornavn="Bjørn", etternavn="Berg")
        tveit = register.lege(bergen, fornavn="Tone", etternavn="Tveit", under_spesialisering_fra=D(2026, 2, 1))
        spes = register.lege(bergen, fornavn="Siri", etternavn="Spesialist", spesialist_allmennmedisin_fra=D(2010, 1, 1))
        vikar(register.liste(bergen, kontor=nord, navn="Liste Nord"), aas, D(2025, 12, 1), D(2026, 3, 1))
        vikar(register.liste(bergen, kontor=nord, navn="Liste Lørdag"), aas, D(2026, 6, 1), D(2026, 7, 1), arbeidsdager=[6],
              stillingsprosent=50)
        vikar(register.liste(bergen, navn="Liste Sør"), berg, D(2026, 1, 1), D(2026, 12, 31))
        vikar(register.liste(bergen, navn="Liste Vest"), berg, D(2026, 12, 31), D(2027, 2, 1),
              kompetanse_begrunnelse="Ingen annen vikar tilgjengelig.")
        vikar(register.liste(bergen, navn="Liste Tveit"), tveit, D(2026, 1, 5), D(2026, 3, 1))
        vikar(register.liste(bergen, navn="Liste Spesialist"), spes, D(2026, 1, 1), D(2027, 1, 1))
    with in_kommune(sunnfjord):
        linked = kommune_services.register_lege(kommune=sunnfjord, hpr_nummer=aas.hpr_nummer, fornavn="Anne", etternavn="Aas",
                                                fodselsdato=aas.fodselsdato)
        vikar(register.liste(sunnfjord, kontor=register.legekontor(sunnfjord, navn="Førde helsehus"), navn="Sunnfjord-lista"),
              linked, D(2026, 3, 2), D(2026, 7, 1), stillingsprosent=50)
    return {"aas": aas, "berg": berg, "tveit": tveit, "spes": spes}


def rapport(k, ar):
    with in_kommune(k):
        return kompetanse.kompetanserapport(kommune_id=k.pk, ar=ar)


# --- the figures ---------------------------------------------------------------------------------------


def test_report_2026_figures_equal_the_hand_counted_ones(bergen, data):
    r = rapport(bergen, 2026)
    assert (r.ar, r.frist, r.grense_totalt, r.grense_ar) == (2026, D(2027, 3, 31), 260, 86)
    rows = {row.navn: row for row in r.leger}
    assert [row.navn for row in r.leger] == ["Anne Aas", "Bjørn Berg", "Tone Tveit"]
    aas, berg, tveit = rows["Anne Aas"], rows["Bjørn Berg"], rows["Tone Tveit"]
    assert aas.hpr_nummer == data["aas"].hpr_nummer
    assert (aas.dager_i_ar, aas.dager_i_ar_alle_kommuner, aas.dager_totalt_arsslutt) == (46, 133, 134)
    assert (aas.dager_ett_ar, aas.dager_fire_maneder, aas.dager_utover, aas.unntak) == (46, 0, 0, ["ett_ar"])
    assert [(f.liste, f.legekontor, f.rolle, f.fra, f.til_og_med, f.stillingsprosent, f.dager_i_ar) for f in aas.forhold] == [
        ("Liste Nord", "Nord legekontor", "LPVI", D(2025, 12, 1), D(2026, 2, 28), 100, 42),
        ("Liste Lørdag", "Nord legekontor", "LPVI", D(2026, 6, 1), D(2026, 6, 30), 50, 4),
    ]
    assert (berg.dager_i_ar, berg.dager_totalt_arsslutt, berg.dager_ett_ar, berg.dager_utover) == (261, 261, 260, 1)
    assert berg.unntak == ["ett_ar", "utover"] and berg.begrunnelser == ["Ingen annen vikar tilgjengelig."]
    assert [(f.liste, f.dager_i_ar) for f in berg.forhold] == [("Liste Sør", 260), ("Liste Vest", 1)]
    assert (tveit.dager_i_ar, tveit.dager_totalt_arsslutt, tveit.unntak) == (20, 20, ["ett_ar"])
    assert r.dager_i_ar == 46 + 261 + 20 and r.antall_forhold == 5


def test_report_2027_uses_the_four_month_exception_and_2025_counts_only_31_december(bergen, data):
    r2027 = rapport(bergen, 2027)
    assert [(row.navn, row.dager_i_ar, row.dager_totalt_arsslutt, row.dager_fire_maneder, row.unntak) for row in r2027.leger] == [
        ("Bjørn Berg", 21, 282, 21, ["fire_maneder"])]
    r2025 = rapport(bergen, 2025)
    assert [(row.navn, row.dager_i_ar, row.dager_totalt_arsslutt) for row in r2025.leger] == [("Anne Aas", 1, 1)]
    assert r2025.frist == D(2026, 3, 31)


def test_report_of_the_other_kommune_has_only_its_own_relationships(sunnfjord, data):
    r = rapport(sunnfjord, 2026)
    assert len(r.leger) == 1
    row = r.leger[0]
    assert (row.dager_i_ar, row.dager_i_ar_alle_kommuner, row.dager_totalt_arsslutt) == (87, 133, 134)
    assert [f.liste for f in row.forhold] == ["Sunnfjord-lista"]


def test_report_uses_a_constant_number_of_queries(bergen, data):
    with in_kommune(bergen), CaptureQueriesContext(connection) as ctx:
        kompetanse.kompetanserapport(kommune_id=bergen.pk, ar=2026)
    assert len(ctx.captured_queries) == 3


def test_due_dates_run_through_2029():
    assert kompetanse.rapportfrist(2028) == D(2029, 3, 31)
    assert kompetanse.rapportfrist(2029) is None


# --- the deadline ----------------------------------------------------------------------------------------


def test_deadline_is_listed_when_the_kommune_used_an_exception(bergen, sunnfjord, data):
    assert kompetanse.rapportfrister in frister.registered()
    with in_kommune(bergen):
        items = [f for f in frister.collect(bergen, D(2027, 1, 1), D(2027, 12, 31)) if f.type == "kompetanse_rapport"]
        assert [(f.dato, f.url) for f in items] == [(D(2027, 3, 31), f"{PAGE}?ar=2026")]
        assert "2026" in items[0].tittel and "31.03.2027" in items[0].beskrivelse
        assert [f.dato for f in kompetanse.rapportfrister(bergen, D(2026, 1, 1), D(2028, 12, 31))] == [
            D(2026, 3, 31), D(2027, 3, 31), D(2028, 3, 31)]
        with CaptureQueriesContext(connection) as ctx:
            kompetanse.rapportfrister(bergen, D(2026, 1, 1), D(2030, 12, 31))
        assert len(ctx.captured_queries) == 1
    with in_kommune(sunnfjord):
        assert [f.dato for f in kompetanse.rapportfrister(sunnfjord, D(2026, 1, 1), D(2030, 12, 31))] == [D(2027, 3, 31)]
    grane = kommune("1825")
    with in_kommune(grane):
        assert kompetanse.rapportfrister(grane, D(2026, 1, 1), D(2030, 12, 31)) == []


def test_no_deadline_after_2029(bergen):
    with in_kommune(bergen):
        lege = register.lege(bergen)
        vikar(register.liste(bergen), lege, D(2029, 1, 1), D(2029, 3, 1))
        assert [f.dato for f in kompetanse.rapportfrister(bergen, D(2029, 1, 1), D(2030, 12, 31))] == []


# --- page and exports --------------------------------------------------------------------------------


def test_page_shows_the_report_rule_interpretation_and_due_date(client, leser, data):
    client.force_login(leser)
    response = client.get(f"{PAGE}?ar=2026")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Anne Aas" in text and data["aas"].hpr_nummer in text and "Bjørn Berg" in text and "Tone Tveit" in text
    assert "Siri Spesialist" not in text
    assert "Ingen annen vikar tilgjengelig." in text
    assert "denne løsningens tolkning" in text and "31.3.2027" in text
    assert "Sunnfjord-lista" not in text and "Førde helsehus" not in text
    assert "<caption>" in text and 'scope="row"' in text


def test_page_defaults_to_last_year_and_refuses_a_bad_year(client, leser, data):
    client.force_login(leser)
    response = client.get(PAGE)
    assert response.status_code == 200
    assert response.context["rapport"].ar == kompetanse.standard_rapport_ar()
    assert client.get(f"{PAGE}?ar=1999").status_code == 400
    assert client.get(f"{PAGE}?ar=abc").status_code == 400
    assert client.get("/vikarer/kompetanse/rapport.csv?ar=abc").status_code == 400


def test_csv_export(client, leser, data):
    client.force_login(leser)
    response = client.get("/vikarer/kompetanse/rapport.csv?ar=2026")
    assert response.status_code == 200 and "kompetanseunntak-4601-2026.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    header, lines = rows[0], rows[1:]
    assert header[:3] == ["År", "Lege", "HPR-nummer"]
    assert len(lines) == 5
    col = {name: header.index(name) for name in header}
    nord = next(line for line in lines if line[col["Liste"]] == "Liste Nord")
    assert nord[col["Fra"]] == "2025-12-01" and nord[col["Til og med"]] == "2026-02-28"
    assert nord[col["Dager i unntak i året i forholdet"]] == "42" and nord[col["Dager i året i kommunen"]] == "46"
    assert nord[col["Dager til sammen ved årets slutt (alle kommuner)"]] == "134"
    vest = next(line for line in lines if line[col["Liste"]] == "Liste Vest")
    assert vest[col["Kommuneoverlegens begrunnelse"]] == "Ingen annen vikar tilgjengelig."
    assert "Sunnfjord" not in response.content.decode("utf-8-sig")


def test_xlsx_export_has_the_table_and_the_note(client, leser, data):
    client.force_login(leser)
    response = client.get("/vikarer/kompetanse/rapport.xlsx?ar=2026")
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    table, note = workbook.worksheets
    assert table.max_row == 6 and table.cell(row=1, column=2).value == "Lege"
    notes = {row[0].value: row[1].value for row in note.iter_rows()}
    assert notes["Frist til statsforvalteren"] == "31.03.2027"
    assert "denne løsningens tolkning" in notes["Tolkning"]


# --- API --------------------------------------------------------------------------------------------------


def test_api_gives_the_report(data, bergen):
    client = token_client(["lister:les"], bergen)
    response = client.get(f"{API}?ar=2026")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["ar"], body["frist"], body["grense_totalt"], body["grense_ar"]) == (2026, "2027-03-31", 260, 86)
    assert "denne løsningens tolkning" in body["tolkning"]
    berg = next(row for row in body["leger"] if row["navn"] == "Bjørn Berg")
    assert (berg["dager_i_ar"], berg["dager_utover"], berg["unntak"]) == (261, 1, ["ett_ar", "utover"])
    assert berg["forhold"][1]["til"] == "2027-02-01" and berg["forhold"][1]["til_og_med"] == "2027-01-31"


def test_api_refuses_a_bad_year_with_400(data, bergen):
    client = token_client(["lister:les"], bergen)
    for bad in ("abc", "1999", "20261"):
        body = error(client.get(f"{API}?ar={bad}"))
        assert "ar" in body["felt"]


def test_api_needs_the_lister_scope(bergen):
    assert token_client(["avtaler:les"], bergen).get(f"{API}?ar=2026").status_code == 403


def test_api_in_the_other_kommune_shows_only_its_own_lists(data, sunnfjord):
    user = user_with_role("lesetilgang", sunnfjord)
    body = api_client_for(user).get(f"{API}?ar=2026").json()
    assert [f["liste"] for row in body["leger"] for f in row["forhold"]] == ["Sunnfjord-lista"]
    assert "Liste Nord" not in str(body)


# --- the doctor page's section ----------------------------------------------------------------------


def test_doctor_page_shows_the_section_4_status(client, leser, data):
    client.force_login(leser)
    response = client.get(f"/leger/{data['berg'].pk}/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "kompetanseforskriften § 4" in text and "denne løsningens tolkning" in text
    assert "(grense 260)" in text and "(grense 86)" in text


def test_frister_page_lists_the_report_deadline(client, leser, bergen, data):
    from core.dates import add_months

    today = dt.date.today()
    with in_kommune(bergen):
        expected = kompetanse.rapportfrister(bergen, today, add_months(today, 12))
    if today < D(2027, 3, 31):
        assert [f.dato for f in expected] == [D(2027, 3, 31)]
    client.force_login(leser)
    page = client.get("/frister/").content.decode()
    for frist in expected:
        assert frist.tittel in page and f"{PAGE}?ar={frist.dato.year - 1}" in page
