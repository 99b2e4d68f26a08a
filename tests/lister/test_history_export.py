"""The list-size history exports (CSV and XLSX): every figure of the kommune with the list's
numbers and office, filtered by list and date range, one list's own export from its page, the
register export's numbers and latest figures, constant queries whatever the rows."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.dates import add_months
from lister import services
from tests import register
from tests.conftest import in_kommune, user_with_role

pytestmark = pytest.mark.django_db

MONTH = dt.date.today().replace(day=1)
CSV = "/lister/listetall.csv"
XLSX = "/lister/listetall.xlsx"
HEADER = ["Listenummer", "FLO-nummer", "Liste", "Legekontor", "Dato", "Listelengde", "Venteliste"]


@pytest.fixture
def k(bergen):
    with in_kommune(bergen):
        yield bergen


@pytest.fixture
def history(k):
    """Two lists at two offices, three months each."""
    fjell = register.legekontor(k, navn="Fjellsiden legesenter")
    sentrum = register.legekontor(k, navn="Sentrum legekontor")
    a = register.liste(k, kontor=sentrum, navn="Liste A", flo_id="123456")
    b = register.liste(k, kontor=fjell, navn="=Formel")
    for m in range(3):
        day = add_months(MONTH, -m)
        services.record_listetall(liste=a, dato=day, listelengde=1000 + m, venteliste=m)
        services.record_listetall(liste=b, dato=day, listelengde=500 + m)
    return {"a": a, "b": b}


def parse_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:]), delimiter=";"))


def test_history_csv_has_every_figure_by_office_list_and_date(page_client, history):
    response = page_client.get(CSV)
    assert 'attachment; filename="listetall-4601-' in response["Content-Disposition"]
    rows = parse_csv(response)
    assert rows[0] == HEADER
    a, b = history["a"], history["b"]
    oldest = add_months(MONTH, -2).isoformat()
    assert rows[1] == [str(b.pk), "", "'=Formel", "Fjellsiden legesenter", oldest, "502", "0"]  # formula written as text
    assert rows[4] == [str(a.pk), "123456", "Liste A", "Sentrum legekontor", oldest, "1002", "2"]
    assert [row[4] for row in rows[4:]] == [add_months(MONTH, -m).isoformat() for m in (2, 1, 0)]
    assert len(rows) == 7


def test_history_is_filtered_by_list_and_half_open_date_range(page_client, history):
    a = history["a"]
    rows = parse_csv(page_client.get(f"{CSV}?liste={a.pk}&fra={add_months(MONTH, -1).isoformat()}&til={MONTH.isoformat()}"))
    assert [(row[0], row[4], row[5]) for row in rows[1:]] == [(str(a.pk), add_months(MONTH, -1).isoformat(), "1001")]
    assert f"-liste{a.pk}-" in page_client.get(f"{CSV}?liste={a.pk}")["Content-Disposition"]


def test_another_kommunes_list_number_gives_no_rows(page_client, history, sunnfjord):
    with in_kommune(sunnfjord):
        theirs = register.liste(sunnfjord, navn="Sunnfjord-liste")
        services.record_listetall(liste=theirs, dato=MONTH, listelengde=77)
    assert parse_csv(page_client.get(f"{CSV}?liste={theirs.pk}")) == [HEADER]
    assert "Sunnfjord-liste" not in page_client.get(CSV).content.decode()


def test_history_xlsx_has_numbers_and_date_cells(page_client, history):
    response = page_client.get(f"{XLSX}?liste={history['a'].pk}")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    values = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    assert list(values[0]) == HEADER
    first = dict(zip(HEADER, values[1], strict=True))
    assert first["Dato"].date() == add_months(MONTH, -2) and first["Listelengde"] == 1002 and first["FLO-nummer"] == "123456"


def test_every_role_may_export_the_history(client, k, history):
    client.force_login(user_with_role("lesetilgang", k))
    assert client.get(CSV).status_code == 200 and client.get(XLSX).status_code == 200


def test_the_lists_page_links_to_its_own_history_and_shows_its_numbers(page_client, history):
    a = history["a"]
    page = page_client.get(f"/lister/{a.pk}/").content.decode()
    assert f'href="/lister/listetall.csv?liste={a.pk}"' in page and f'href="/lister/listetall.xlsx?liste={a.pk}"' in page
    assert "<dt>Nummer i Fastlegeregisteret (FLO)</dt><dd>123456</dd>" in page
    assert f"<dt>Listenummer</dt><dd>{a.pk}</dd>" in page


def test_the_register_export_has_the_lists_numbers_and_latest_figures(page_client, history):
    rows = parse_csv(page_client.get("/lister/eksport.csv"))
    row = dict(zip(rows[0], next(r for r in rows[1:] if r[2] == "Liste A"), strict=True))
    assert (row["Listenummer"], row["FLO-nummer"]) == (str(history["a"].pk), "123456")
    assert (row["Listelengde"], row["Listelengde per"], row["Venteliste"]) == ("1000", MONTH.isoformat(), "0")
    page = page_client.get("/lister/").content.decode()
    assert "FLO 123456" in page and 'href="/lister/listetall.csv"' in page and 'href="/lister/import/"' in page


@pytest.mark.parametrize("url", [CSV, XLSX, f"{CSV}?fra=2000-01-01", "/lister/import/mal.csv", "/lister/import/mal.xlsx"])
def test_the_exports_use_a_constant_number_of_queries(page_client, k, url):
    kontor = register.legekontor(k)

    def add(count: int, start: int) -> None:
        for i in range(count):
            liste = register.liste(k, kontor=kontor, listetak=1000 + start + i)
            for m in range(3):
                services.record_listetall(liste=liste, dato=add_months(MONTH, -m), listelengde=100 + i)

    def count() -> int:
        page_client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            response = page_client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    add(3, 0)
    small = count()
    add(30, 3)
    assert count() == small
    if url.startswith(CSV):
        assert len(parse_csv(page_client.get(url))) == 1 + 33 * 3
