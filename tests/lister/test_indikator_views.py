"""The kommune dashboard panel on the landing page (indicators for a chosen date with definitions,
open flags, deadlines, the trend chart with its table), its htmx partial, the CSV and the API."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kommune import frister
from lister import services
from lister.models import Ledighetsvarsel
from tests import register
from tests.api_helpers import error
from tests.conftest import in_kommune, token_client, user_with_role
from tests.lister.test_indikatorer import D, build_data_set, vikar_lege

LANDING = "/kommuner/4601/"
PANEL = "/lister/indikatorer/panel/"
CSV = "/lister/indikatorer.csv"
API = "/api/v1/indikatorer/"
TREND = "/api/v1/indikatorer/trend/"


@pytest.fixture
def k(bergen):
    with in_kommune(bergen):
        yield bergen


@pytest.fixture
def data(k):
    return build_data_set(k)


@pytest.fixture
def leser_client(client, leser):
    client.force_login(leser)
    return client


def _panel(html: str) -> str:
    start = html.index('id="indikatorer-panel"')
    return html[start:html.index("</section>", start)]


# --- the panel ---------------------------------------------------------------------------------------------


def test_panel_shows_the_indicators_for_the_chosen_date_to_a_reader(leser_client, data):
    html = leser_client.get(LANDING, {"dato": D.isoformat()}).content.decode()
    # After the key figures, before the avtaler panel.
    assert html.index(">Nøkkeltall</h2>") < html.index(">Fastlegeordningen i tall</h2>") < html.index(">Fastlegeavtaler</h2>")
    panel = _panel(html)
    assert "Indikatorer per 15.6.2026" in panel
    assert 'value="2026-06-15"' in panel
    for text in ("32,6\xa0%", "826,7", "106,0", "25,0\xa0%"):
        assert text in panel
    assert "3\xa0680" in panel or "3 680" in panel  # listeinnbyggere with a thousands separator
    assert "Definisjoner og kilder" in panel and "https://www.ssb.no/statbank/table/12005/" in panel
    assert "begrepsforklaringer-og-definisjoner" in panel and "Over 100 betyr" in panel


def test_date_chooser_changes_the_figures(leser_client, data):
    feb = _panel(leser_client.get(LANDING, {"dato": "2026-02-28"}).content.decode())
    assert "Indikatorer per 28.2.2026" in feb
    rows = dict(_rows(feb))
    assert (rows["Fastlegeavtaler"], rows["Lister uten fast lege"], rows["Andel lister med vikar"]) == ("4", "1", "0,0\xa0%")
    mar = dict(_rows(_panel(leser_client.get(LANDING, {"dato": "2026-03-01"}).content.decode())))
    assert (mar["Fastlegeavtaler"], mar["Lister uten fast lege"], mar["Andel lister med vikar"]) == ("3", "2", "25,0\xa0%")


def _rows(panel: str) -> list[tuple[str, str]]:
    return re.findall(r'<tr><th scope="row">([^<]+)</th><td class="num">([^<]+)</td></tr>', panel)


def test_invalid_date_is_explained_and_today_shown(leser_client, data):
    panel = _panel(leser_client.get(LANDING, {"dato": "2026-13-01"}).content.decode())
    assert 'aria-invalid="true"' in panel and "Viser i dag i stedet" in panel
    assert f"Indikatorer per {timezone.localdate():%-d.%-m.%Y}" in panel
    far = _panel(leser_client.get(LANDING, {"dato": "1850-01-01"}).content.decode())
    assert "Velg en dato mellom 1.1.1990 og 31.12.2100" in far


def test_htmx_partial_returns_the_panel_and_pushes_the_landing_url(leser_client, data):
    response = leser_client.get(PANEL, {"dato": D.isoformat()}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="indikatorer-panel"') and "<html" not in html
    assert "Indikatorer per 15.6.2026" in html and "32,6\xa0%" in html
    assert response["HX-Push-Url"] == f"{LANDING}?dato=2026-06-15"


def test_panel_shows_trend_chart_with_a_table_alternative(leser_client, data):
    panel = _panel(leser_client.get(LANDING, {"dato": D.isoformat()}).content.decode())
    svg = panel[panel.index("<svg role=\"img\""):panel.index("</svg>")]
    assert 'aria-label="Linjediagram fra 7.2024 til 6.2026' in svg
    assert "<polyline" in svg and "<circle" in svg and "<rect" in svg
    # Coordinates are written with a decimal point, never the locale's comma.
    for points in re.findall(r'points="([^"]+)"', svg):
        assert re.fullmatch(r"[0-9.]+,[0-9.]+( [0-9.]+,[0-9.]+)*", points), points
    table = panel[panel.index("Tabell: utviklingen måned for måned"):]
    assert table.count('<tr><th scope="row">') == 24
    assert '<tr><th scope="row">1.3.2026</th><td class="num">3</td><td class="num">2</td><td class="num">650</td>' \
           '<td class="num">100,0\xa0%</td><td class="num">25,0\xa0%</td>' in table
    assert '<tr><th scope="row">1.7.2024</th><td class="num">1</td><td class="num">4</td><td class="num">0</td>' \
           '<td class="num">–</td>' in table


def test_panel_shows_open_flags_by_kind_and_links_to_ubesatte(leser_client, data, k):
    now = timezone.now()
    Ledighetsvarsel.objects.create(kommune=k, pasientliste=data.l2, type="ble_ledig", reist=now)
    Ledighetsvarsel.objects.create(kommune=k, pasientliste=data.l3, type="ble_ledig", reist=now)
    Ledighetsvarsel.objects.create(kommune=k, pasientliste=data.l3, type="ledig_90", reist=now)
    Ledighetsvarsel.objects.create(kommune=k, pasientliste=data.l2, type="udekket", reist=now, lost=now)  # resolved
    panel = _panel(leser_client.get(LANDING).content.decode())
    assert "<li>Listen er uten fastlege: 2</li>" in panel and "<li>Uten fastlege i over 90 dager: 1</li>" in panel
    assert "Udekkede dager" not in panel
    assert 'href="/lister/ubesatte/"' in panel


def test_panel_counts_deadlines_in_the_next_30_days_and_links_to_frister(leser_client, data):
    def source(kommune, fra, til):
        days = [fra, fra + dt.timedelta(days=30), fra + dt.timedelta(days=31)]
        return [frister.Frist(dato=d, type="test", tittel=f"Testfrist {d:%d.%m}") for d in days if fra <= d <= til]

    frister.register(source)
    try:
        panel = _panel(leser_client.get(LANDING, {"dato": D.isoformat()}).content.decode())
        expected = len(frister.collect(data.l1.kommune, D, D + dt.timedelta(days=30)))
    finally:
        frister.unregister(source)
    assert "Testfrist 15.06" in panel and "Testfrist 15.07" in panel and "Testfrist 16.07" not in panel
    assert f"{expected} frist" in panel and "fra 15.6.2026 til 15.7.2026" in panel
    assert 'href="/frister/"' in panel


def test_panel_needs_les_a_doctor_role_does_not_see_it(client, k, data):
    client.force_login(user_with_role("lege", k))
    response = client.get(LANDING)
    assert response.status_code == 200 and 'id="indikatorer-panel"' not in response.content.decode()
    assert client.get(PANEL).status_code == 403
    assert client.get(CSV).status_code == 403


def test_panel_uses_a_constant_number_of_queries(leser_client, k):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert leser_client.get(LANDING, {"dato": D.isoformat()}).status_code == 200
        return len(ctx.captured_queries)

    kontor = register.legekontor(k)
    register.liste(k, kontor=kontor)
    few = count()
    for i in range(10):
        liste = register.liste(k, kontor=kontor)
        services.record_listetall(liste=liste, dato=dt.date(2026, 1, 1), listelengde=100 + i)
        services.add_legeperiode(liste=liste, lege=vikar_lege(k), rolle="LPVI", fra=dt.date(2026, 1, 1))
        Ledighetsvarsel.objects.create(kommune=k, pasientliste=liste, type="ble_ledig", reist=timezone.now())
    assert count() == few


# --- CSV ---------------------------------------------------------------------------------------------------


def _csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:]), delimiter=";"))


def test_csv_has_the_chosen_date_then_the_24_month_trend(leser_client, data):
    response = leser_client.get(CSV, {"dato": D.isoformat()})
    assert response["Content-Disposition"] == 'attachment; filename="indikatorer-4601-2026-06-15.csv"'
    rows = _csv(response)
    assert len(rows) == 1 + 24
    first = rows[0]
    assert (first["Rad"], first["Dato"], first["Fastlegeavtaler"], first["Listeinnbyggere"]) == ("Valgt dato", "2026-06-15", "3", "3680")
    assert first["Andel listeinnbyggere på lister uten fast lege"] == "32,6"
    assert (first["Gjennomsnittlig listelengde"], first["Reservekapasitet"], first["Andel lister med vikar"]) == ("826,7", "106,0", "25,0")
    assert (first["Ledige plasser, alle lister"], first["Ledige plasser, lister med fast lege"]) == ("220", "20")
    assert [r["Rad"] for r in rows[1:]] == ["Månedstrend"] * 24
    assert (rows[1]["Dato"], rows[-1]["Dato"]) == ("2024-07-01", "2026-06-01")
    assert rows[1]["Andel listeinnbyggere på lister uten fast lege"] == ""  # no figures then: no share
    march = next(r for r in rows if r["Dato"] == "2026-03-01")
    assert (march["Lister uten fast lege"], march["Listeinnbyggere på lister uten fast lege"]) == ("2", "650")


def test_csv_refuses_a_malformed_date(leser_client, k):
    response = leser_client.get(CSV, {"dato": "15.13.2026"})
    assert response.status_code == 400


# --- API ---------------------------------------------------------------------------------------------------


def test_api_indicators_on_a_date_with_definitions(api, data):
    body = api.get(API, {"dato": D.isoformat()}).json()
    assert body["dato"] == "2026-06-15"
    assert (body["lister"], body["fastlegeavtaler"], body["lister_uten_fastlege"], body["apne_lister"]) == (4, 3, 2, 2)
    assert (body["listeinnbyggere"], body["listeinnbyggere_uten_fastlege"], body["kapasitet"]) == (3680, 1200, 3900)
    assert (body["ledige_plasser"], body["ledige_plasser_med_fastlege"], body["lister_med_vikar"]) == (220, 20, 1)
    assert (body["andel_listeinnbyggere_uten_fastlege"], body["gjennomsnittlig_listelengde"]) == ("32.6", "826.7")
    assert (body["reservekapasitet"], body["andel_lister_med_vikar"]) == ("106.0", "25.0")
    assert "12005" in body["definisjoner"]["reservekapasitet"]["kilde"]
    assert body["definisjoner"]["lister_uten_fastlege"]["url"].startswith("https://www.helsedirektoratet.no/")


def test_api_shares_are_null_without_figures(api, k):
    register.liste(k)
    body = api.get(API).json()
    assert body["dato"] == timezone.localdate().isoformat()
    assert (body["andel_listeinnbyggere_uten_fastlege"], body["reservekapasitet"], body["gjennomsnittlig_listelengde"]) == (
        None, None, None)


def test_api_trend(api, data):
    body = api.get(TREND, {"til": D.isoformat(), "maneder": 4}).json()
    assert (body["til"], body["maneder"]) == ("2026-06-15", 4)
    assert [p["dato"] for p in body["resultater"]] == ["2026-03-01", "2026-04-01", "2026-05-01", "2026-06-01"]
    march = body["resultater"][0]
    assert (march["lister_uten_fastlege"], march["listeinnbyggere_uten_fastlege"], march["andel_lister_med_vikar"]) == (2, 650, "25.0")
    assert len(api.get(TREND).json()["resultater"]) == 24


@pytest.mark.parametrize(("params", "field"), [
    ({"maneder": 0}, "maneder"), ({"maneder": 61}, "maneder"), ({"maneder": "abc"}, "maneder"), ({"maneder": ""}, "maneder"),
    ({"til": "2026-13-01"}, "til"), ({"til": "1800-01-01"}, "til"),
])
def test_api_trend_bad_input_is_400_naming_the_field(api, k, params, field):
    assert field in error(api.get(TREND, params))["felt"]


@pytest.mark.parametrize("value", ["2026-13-01", "abc", "0001-01-01", "9999-12-31"])
def test_api_bad_date_is_400_naming_dato(api, k, value):
    assert "dato" in error(api.get(API, {"dato": value}))["felt"]


def test_token_with_lister_les_can_read_without_cannot(k, data):
    reader = token_client(["lister:les"], k)
    assert reader.get(API, {"dato": D.isoformat()}).json()["fastlegeavtaler"] == 3
    assert reader.get(TREND).status_code == 200
    other = token_client(["avtaler:les", "legevakt:les"], k)
    assert error(other.get(API), 403) and error(other.get(TREND), 403)


def test_api_is_documented_with_the_definitions(api):
    schema = yaml.load(api.get("/api/v1/schema/").content, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    operation = schema["paths"]["/api/v1/indikatorer/"]["get"]
    assert "lister" in operation["tags"] and "Reservekapasitet" in operation["description"]
    assert "/api/v1/indikatorer/trend/" in schema["paths"]
