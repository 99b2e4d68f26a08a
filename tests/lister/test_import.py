"""The monthly import of list figures, through the pages and the API: CSV and XLSX, the personal
data guard (nothing stored), every row checked with its error, all or nothing, upserts with
counts, the upload kept only while the job runs, permissions, other kommuner, constant queries.

The job runs eagerly here (on commit, in the test's transaction); tests/lister/test_import_worker.py
runs it in a real Celery worker and watches the progress bar move."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.dates import add_months
from core.history import history_for
from core.tenancy import unscoped
from kommune.models import Bakgrunnsjobb
from lister import listetall_import, services
from lister.models import Listetall
from tests import register
from tests.api_helpers import error
from tests.conftest import api_client_for, in_kommune, token_client

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()
MONTH = TODAY.replace(day=1)
LAST_MONTH = add_months(MONTH, -1)
IMPORT = "/lister/import/"
API_IMPORT = "/api/v1/listetall-import/"
PII_MESSAGE = "Filen ser ut til å inneholde fødselsnummer"


@pytest.fixture
def k(bergen):
    with in_kommune(bergen):
        yield bergen


@pytest.fixture
def lists(k):
    kontor = register.legekontor(k, navn="Sentrum legekontor")
    return [register.liste(k, kontor=kontor, navn=f"Liste {i}", flo_id=f"77{i:03d}") for i in range(3)]


def csv_bytes(rows, *, delimiter=";", bom=True, encoding="utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode(encoding)


def xlsx_bytes(rows, *, extra_sheet=None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    if extra_sheet:
        other = workbook.create_sheet("Notater")
        for row in extra_sheet:
            other.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(client, data: bytes, name: str = "listetall.csv"):
    return client.post(IMPORT, {"fil": _file(data, name)})


def _file(data: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    """Run the jobs queued on commit (the import job), as the worker would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def only_job(k) -> Bakgrunnsjobb:
    with in_kommune(k):
        return Bakgrunnsjobb.objects.get()


def figures(k) -> list[tuple]:
    with in_kommune(k):
        return sorted(Listetall.objects.values_list("pasientliste_id", "dato", "listelengde", "venteliste"))


def header(id_column="liste"):
    return [id_column, "dato", "listelengde", "venteliste"]


# --- happy paths --------------------------------------------------------------------------------------


def test_csv_import_writes_every_row_in_one_step_and_reports_counts(page_client, k, lists, run_jobs):
    rows = [header()] + [[liste.pk, MONTH.isoformat(), 1000 + i, i] for i, liste in enumerate(lists)]
    with run_jobs():
        response = upload(page_client, csv_bytes(rows))
    jobb = only_job(k)
    assert response.status_code == 302 and response["Location"] == f"/jobber/{jobb.pk}/"
    assert jobb.status == "fullfort", jobb.feil
    assert jobb.resultat == {"rader": 3, "nye": 3, "oppdaterte": 0, "uendret": 0}
    assert (jobb.behandlet, jobb.totalt, jobb.prosent) == (6, 6, 100)
    assert jobb.inndata is None and jobb.inndata_navn == "listetall.csv"
    assert figures(k) == [(liste.pk, MONTH, 1000 + i, i) for i, liste in enumerate(lists)]
    page = page_client.get(response["Location"]).content.decode()
    assert "Nye listetall" in page and "Status: fullført." in page
    assert 'value="100"' in page and "hx-trigger" not in page  # finished: no more polling


def test_xlsx_import_by_flo_number_with_date_cells_and_text_dates(page_client, k, lists, run_jobs):
    rows = [["FLO-nummer", "Dato", "Listelengde", "Antall på venteliste"],
            [lists[0].flo_id, dt.datetime.combine(LAST_MONTH, dt.time()), 1200, 4],
            [int(lists[1].flo_id), LAST_MONTH.strftime("%d.%m.%Y"), 900.0, None]]
    with run_jobs():
        upload(page_client, xlsx_bytes(rows), "mars.xlsx")
    jobb = only_job(k)
    assert jobb.status == "fullfort", jobb.feil
    assert figures(k) == [(lists[0].pk, LAST_MONTH, 1200, 4), (lists[1].pk, LAST_MONTH, 900, 0)]


@pytest.mark.parametrize(("delimiter", "bom"), [(";", True), (",", False), ("\t", False)])
def test_csv_delimiter_and_bom_are_detected(page_client, k, lists, run_jobs, delimiter, bom):
    rows = [header(), [lists[0].pk, MONTH.isoformat(), "1 234", "0"]]
    with run_jobs():
        upload(page_client, csv_bytes(rows, delimiter=delimiter, bom=bom))
    assert only_job(k).status == "fullfort"
    assert figures(k) == [(lists[0].pk, MONTH, 1234, 0)]


def test_reimport_updates_changed_figures_counts_unchanged_ones_and_is_audited(page_client, overlege, k, lists, run_jobs):
    first = [header(), [lists[0].pk, MONTH.isoformat(), 1000, 5], [lists[1].pk, MONTH.isoformat(), 800, 0]]
    with run_jobs():
        upload(page_client, csv_bytes(first))
    second = [header(), [lists[0].pk, MONTH.isoformat(), 1010, 5], [lists[1].pk, MONTH.isoformat(), 800, 0],
              [lists[2].pk, MONTH.isoformat(), 10, 0]]
    with run_jobs():
        upload(page_client, csv_bytes(second))
    with in_kommune(k):
        latest = Bakgrunnsjobb.objects.order_by("-id").first()
        assert latest.resultat == {"rader": 3, "nye": 1, "oppdaterte": 1, "uendret": 1}
        changed = Listetall.objects.get(pasientliste=lists[0], dato=MONTH)
        same = Listetall.objects.get(pasientliste=lists[1], dato=MONTH)
        assert (changed.listelengde, changed.versjon) == (1010, 2)
        assert same.versjon == 1
        events = history_for(changed)
    assert [e.hendelse for e in events] == ["update", "insert"]
    assert {e.aktor for e in events} == {f"bruker:{overlege.pk}"}
    assert ("listelengde", 1000, 1010) in events[0].endringer


def test_the_template_lists_the_current_lists_and_imports_once_filled(page_client, k, lists, run_jobs):
    ended = register.liste(k, navn="Nedlagt", fra=dt.date(2020, 1, 1))
    services.end_pasientliste(liste=ended, expected_version=ended.versjon, gyldig_til=dt.date(2021, 1, 1), sluttarsak="nedlagt")
    response = page_client.get("/lister/import/mal.csv")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["liste", "flo_id", "dato", "listelengde", "venteliste"]
    assert [row[0] for row in rows[1:]] == [str(liste.pk) for liste in lists]  # not the ended list
    assert {row[2] for row in rows[1:]} == {MONTH.isoformat()} and {row[3] for row in rows[1:]} == {""}
    filled = [rows[0]] + [[*row[:3], "500", ""] for row in rows[1:]]
    with run_jobs():
        upload(page_client, csv_bytes(filled))
    assert only_job(k).status == "fullfort"
    assert [f[2] for f in figures(k)] == [500, 500, 500]

    sheet = openpyxl.load_workbook(io.BytesIO(page_client.get("/lister/import/mal.xlsx").content)).active
    values = list(sheet.values)
    assert list(values[0]) == ["liste", "flo_id", "dato", "listelengde", "venteliste"]
    assert [row[0] for row in values[1:]] == [liste.pk for liste in lists]


def test_import_page_documents_the_format_and_lists_recent_imports(page_client, overlege, k, lists, run_jobs):
    with run_jobs():
        upload(page_client, csv_bytes([header(), [lists[0].pk, MONTH.isoformat(), 10, 0]]), "april.csv")
    page = page_client.get(IMPORT).content.decode()
    for text in ("<code>liste</code>", "<code>flo_id</code>", "den 1. i hver måned", "fødselsnummer",
                 "/lister/import/mal.csv", "/lister/import/mal.xlsx", 'enctype="multipart/form-data"'):
        assert text in page, text
    assert "april.csv" in page and "1 nye, 0 oppdaterte, 0 uendret" in page and overlege.email in page


# --- the personal data guard: refused at upload, never stored --------------------------------------------


@pytest.mark.parametrize("name", ["Fødselsnummer", "fnr", "D-nummer", "Pasient", "Navn", "personnummer"])
def test_a_file_with_a_personal_identifier_column_is_refused_and_not_stored(page_client, k, lists, name):
    rows = [[*header(), name], [lists[0].pk, MONTH.isoformat(), 1000, 0, "x"]]
    response = upload(page_client, csv_bytes(rows))
    assert response.status_code == 200
    page = response.content.decode()
    assert PII_MESSAGE in page and "ikke lagret" in page and 'id="id_fil_error"' in page
    with in_kommune(k):
        assert not Bakgrunnsjobb.objects.exists()
    assert figures(k) == []


@pytest.mark.parametrize("value", ["01017012345", "010170 12345", "Ola 01017012345"])
def test_an_11_digit_number_in_any_csv_cell_refuses_the_file(page_client, k, lists, value):
    rows = [header(), [lists[0].pk, MONTH.isoformat(), 1000, 0], [lists[1].pk, MONTH.isoformat(), value, 0]]
    assert PII_MESSAGE in upload(page_client, csv_bytes(rows)).content.decode()
    with in_kommune(k):
        assert not Bakgrunnsjobb.objects.exists()


@pytest.mark.parametrize("cell", [1017012345, 12345678901, "12345678901"])
def test_an_xlsx_with_a_fodselsnummer_anywhere_even_another_sheet_is_refused(page_client, k, lists, cell):
    rows = [header(), [lists[0].pk, MONTH, 1000, 0]]
    response = upload(page_client, xlsx_bytes(rows, extra_sheet=[["notat"], [cell]]), "fil.xlsx")
    assert PII_MESSAGE in response.content.decode()
    with in_kommune(k):
        assert not Bakgrunnsjobb.objects.exists()


def test_the_guard_also_runs_in_the_job(k, lists):
    """A file that reached a job some other way is refused whole by the runner as well."""
    data = csv_bytes([header(), [lists[0].pk, MONTH.isoformat(), "01017012345", 0]])
    with pytest.raises(listetall_import.Filfeil, match="fødselsnummer"):
        listetall_import.read(data, "x.csv")


def test_the_api_refuses_a_personal_data_file_with_400_on_fil(api, k, lists):
    data = csv_bytes([["fodselsnummer", "dato", "listelengde", "venteliste"], ["01017012345", MONTH.isoformat(), 1, 0]])
    body = error(api.post(API_IMPORT, {"fil": _file(data, "x.csv")}, format="multipart"), 400)
    assert PII_MESSAGE in body["felt"]["fil"][0]
    with in_kommune(k):
        assert not Bakgrunnsjobb.objects.exists()


# --- every row checked; all or nothing --------------------------------------------------------------------


def test_one_bad_row_among_many_refuses_the_whole_file_with_that_rows_error(page_client, k, run_jobs):
    kontor = register.legekontor(k)
    many = [register.liste(k, kontor=kontor, listetak=1000 + i) for i in range(12)]
    rows = [header()]
    for month in range(4):
        rows += [[liste.pk, add_months(LAST_MONTH, -month).isoformat(), 900, 1] for liste in many]
    rows[27][1] = add_months(LAST_MONTH, -2).replace(day=15).isoformat()  # row 28 in the file
    with run_jobs():
        upload(page_client, csv_bytes(rows))
    jobb = only_job(k)
    assert jobb.status == "feilet"
    assert len(jobb.feil) == 1
    assert jobb.feil[0]["rad"] == 28 and jobb.feil[0]["felt"] == "dato"
    assert "ikke den 1. i måneden" in jobb.feil[0]["melding"] and "Helfo" in jobb.feil[0]["melding"]
    assert jobb.inndata is None
    assert figures(k) == []
    page = page_client.get(f"/jobber/{jobb.pk}/").content.decode()
    assert "1 feil – ingenting ble lagret" in page and "<th scope=\"row\">28</th>" in page


def test_every_row_error_is_reported_with_row_field_and_message(page_client, k, sunnfjord, lists, run_jobs):
    ended = register.liste(k, navn="Gammel", fra=dt.date(2020, 1, 1))
    services.end_pasientliste(liste=ended, expected_version=ended.versjon, gyldig_til=dt.date(2021, 1, 1), sluttarsak="nedlagt")
    with in_kommune(sunnfjord):
        other = register.liste(sunnfjord, navn="Sunnfjord-liste")
    future = add_months(MONTH, 1).isoformat()
    rows = [
        header(),
        [lists[0].pk, MONTH.isoformat(), 1000, 0],        # 2: fine
        [other.pk, MONTH.isoformat(), 1000, 0],           # 3: another kommune's list
        [lists[1].pk, "2026-13-01", 1000, 0],             # 4: not a date
        [lists[1].pk, future, 1000, 0],                   # 5: in the future
        [lists[1].pk, add_months(MONTH, -2).isoformat(), -3, 0],      # 6: negative
        [lists[1].pk, add_months(MONTH, -3).isoformat(), "12,5", 0],  # 7: not a whole number
        [lists[2].pk, MONTH.isoformat(), 10001, "x"],     # 8: too large; venteliste not a number
        [lists[0].pk, MONTH.isoformat(), 999, 0],         # 9: duplicate of row 2
        [ended.pk, MONTH.isoformat(), 5, 0],              # 10: ended before the date
        [lists[2].pk, LAST_MONTH.isoformat(), "", 0],     # 11: listelengde missing
        ["", LAST_MONTH.isoformat(), 5, 0],               # 12: no list
    ]
    with run_jobs():
        upload(page_client, csv_bytes(rows))
    jobb = only_job(k)
    assert jobb.status == "feilet"
    errors = [(f["rad"], f["felt"]) for f in jobb.feil]
    assert errors == [(3, "liste"), (4, "dato"), (5, "dato"), (6, "listelengde"), (7, "listelengde"),
                      (8, "listelengde"), (8, "venteliste"), (9, "dato"), (10, "liste"), (11, "listelengde"), (12, "liste")]
    messages = {(f["rad"], f["felt"]): f["melding"] for f in jobb.feil}
    assert "finnes ikke i kommunens register" in messages[(3, "liste")]
    assert "fram i tid" in messages[(5, "dato")]
    assert "helt tall fra 0 til 10" in messages[(8, "listelengde")]
    assert "rad 2" in messages[(9, "dato")]
    assert "opphørte 01.01.2021" in messages[(10, "liste")]
    assert figures(k) == []
    with in_kommune(sunnfjord):
        assert not Listetall.objects.exists()


# --- bad files: a clear error, nothing saved ----------------------------------------------------------------


@pytest.mark.parametrize(("data", "name", "message"), [
    ("liste;dato;listelengde;Antall på venteliste\r\n1;2026-01-01;5;0\r\n".encode("cp1252"), "x.csv", "ikke UTF-8-kodet"),
    (b"this is not a workbook", "x.xlsx", "ikke en gyldig Excel-arbeidsbok"),
    (b"PK\x03\x04garbage", "x.csv", "Excel-fil, men navnet slutter på .csv"),
    (b"liste;dato\x00;x", "x.csv", "kan ikke leses som tekst"),
    (b"liste;dato;listelengde;venteliste\r\n", "x.csv", "bare overskriftsraden"),
    (b"", "x.csv", "filen er tom."),
    (b"\r\n\r\n", "x.csv", "mangler overskriftsraden"),
    (b"liste;dato;listelengde;venteliste\r\n1;2026-01-01;5;0\r\n", "x.xls", "Bare CSV- og Excel-filer"),
    (b"liste;dato;listelengde;venteliste;kommentar\r\n1;2026-01-01;5;0;x\r\n", "x.csv",
     "Kolonnen «kommentar» (kolonne E) er ikke tillatt: kun aggregerte kolonner er tillatt"),
    (b"liste;dato;listelengde\r\n1;2026-01-01;5\r\n", "x.csv", "Kolonnen «venteliste» mangler."),
    (b"dato;listelengde;venteliste\r\n2026-01-01;5;0\r\n", "x.csv", "Kolonnen «liste»"),
    (b"liste;dato;dato;listelengde;venteliste\r\n", "x.csv", "Kolonnen «dato» står to ganger."),
])
def test_malformed_files_get_a_clear_error_and_nothing_is_saved(page_client, k, lists, data, name, message):
    response = upload(page_client, data, name)
    assert response.status_code == 200
    assert message in response.content.decode()
    with in_kommune(k):
        assert not Bakgrunnsjobb.objects.exists()
    assert figures(k) == []


def test_a_file_over_the_size_limit_is_refused_without_being_kept(page_client, k, monkeypatch):
    data = b"liste;dato;listelengde;venteliste\r\n" + b"1;2026-01-01;5;0\r\n" * 70_000  # > 1 MB
    assert len(data) > listetall_import.MAKS_FILSTORRELSE
    response = upload(page_client, data)
    assert "Filen er for stor: høyst 1 MB er tillatt." in response.content.decode()
    with in_kommune(k):
        assert not Bakgrunnsjobb.objects.exists()


def test_a_workbook_that_unpacks_to_something_huge_is_refused(page_client, k, lists):
    import zipfile

    buffer = io.BytesIO(xlsx_bytes([header(), [lists[0].pk, MONTH, 5, 0]]))
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/fyll.bin", b"\0" * (listetall_import.MAKS_XLSX_UTPAKKET + 1))
    assert len(buffer.getvalue()) < listetall_import.MAKS_FILSTORRELSE
    response = upload(page_client, buffer.getvalue(), "fil.xlsx")
    assert "Excel-filen er for stor eller har for mange deler" in response.content.decode()
    with in_kommune(k):
        assert not Bakgrunnsjobb.objects.exists()


def test_a_row_with_cells_beyond_the_header_is_an_error(page_client, k, lists, run_jobs):
    with run_jobs():
        upload(page_client, csv_bytes([header(), [lists[0].pk, MONTH.isoformat(), 5, 0, "ekstra"]]))
    jobb = only_job(k)
    assert jobb.status == "feilet" and jobb.feil[0]["rad"] == 2 and "utenfor kolonnene" in jobb.feil[0]["melding"]


# --- who may import ----------------------------------------------------------------------------------------


def test_a_reader_may_not_import(client, leser, k, lists):
    client.force_login(leser)
    assert client.get(IMPORT).status_code == 403
    assert upload(client, csv_bytes([header(), [lists[0].pk, MONTH.isoformat(), 5, 0]])).status_code == 403
    assert client.get("/lister/import/mal.csv").status_code == 200  # the template is only a read
    with in_kommune(k):
        assert not Bakgrunnsjobb.objects.exists()


def test_a_saksbehandler_may_import(client, saksbehandler, k, lists, run_jobs):
    client.force_login(saksbehandler)
    with run_jobs():
        response = upload(client, csv_bytes([header(), [lists[0].pk, MONTH.isoformat(), 5, 0]]))
    assert response.status_code == 302 and only_job(k).status == "fullfort"


def test_another_kommunes_user_cannot_see_the_job_nor_import_into_its_lists(client, k, sunnfjord, lists, run_jobs, page_client):
    with run_jobs():
        upload(page_client, csv_bytes([header(), [lists[0].pk, MONTH.isoformat(), 5, 0]]))
    jobb = only_job(k)
    from tests.conftest import user_with_role

    other = user_with_role("kommuneoverlege", sunnfjord)
    client.force_login(other)
    for url in (f"/jobber/{jobb.pk}/", f"/jobber/{jobb.pk}/status/"):
        assert client.get(url).status_code == 404
    assert api_client_for(other).get(f"/api/v1/bakgrunnsjobber/{jobb.pk}/").status_code == 404
    with run_jobs():
        client.post(IMPORT, {"fil": _file(csv_bytes([header(), [lists[1].pk, MONTH.isoformat(), 7, 0]]), "x.csv")})
    with in_kommune(sunnfjord):
        theirs = Bakgrunnsjobb.objects.get()
        assert theirs.status == "feilet" and theirs.feil[0]["felt"] == "liste"
    assert figures(k) == [(lists[0].pk, MONTH, 5, 0)]


# --- the API -------------------------------------------------------------------------------------------------


def test_api_import_answers_202_with_the_jobs_location_and_the_job_reports_its_result(api, k, lists, run_jobs):
    data = csv_bytes([header(), [lists[0].pk, MONTH.isoformat(), 321, 2]])
    with run_jobs():
        response = api.post(API_IMPORT, {"fil": _file(data, "x.csv")}, format="multipart")
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "venter"
    location = response["Location"]
    jobb = only_job(k)
    assert location == f"/api/v1/bakgrunnsjobber/{jobb.pk}/"
    body = api.get(location).json()
    assert (body["status"], body["prosent"], body["feil"]) == ("fullfort", 100, [])
    assert body["resultat"] == {"rader": 1, "nye": 1, "oppdaterte": 0, "uendret": 0}
    assert figures(k) == [(lists[0].pk, MONTH, 321, 2)]


def test_api_import_reports_row_errors_on_the_job(api, k, lists, run_jobs):
    data = csv_bytes([header(), [lists[0].pk, MONTH.replace(day=2).isoformat(), 321, 2]])
    with run_jobs():
        location = api.post(API_IMPORT, {"fil": _file(data, "x.csv")}, format="multipart")["Location"]
    body = api.get(location).json()
    assert body["status"] == "feilet"
    assert [(f["rad"], f["felt"]) for f in body["feil"]] == [(2, "dato")]


def test_api_import_needs_a_file_and_write_access(api, reader_api, k, lists):
    assert "fil" in error(api.post(API_IMPORT, {}, format="multipart"), 400)["felt"]
    assert "fil" in error(api.post(API_IMPORT, {"fil": _file(b"", "x.csv")}, format="multipart"), 400)["felt"]
    data = csv_bytes([header(), [lists[0].pk, MONTH.isoformat(), 321, 2]])
    error(reader_api.post(API_IMPORT, {"fil": _file(data, "x.csv")}, format="multipart"), 403)
    error(token_client(["lister:les"], k).post(API_IMPORT, {"fil": _file(data, "x.csv")}, format="multipart"), 403)
    assert token_client(["lister:skriv"], k).post(API_IMPORT, {"fil": _file(data, "x.csv")}, format="multipart").status_code == 202
    error(api.post(API_IMPORT, {"x": 1}, format="json"), 415)


def test_job_api_needs_read_access_in_the_jobs_area(api, k, lists, run_jobs):
    with run_jobs():
        location = api.post(API_IMPORT, {"fil": _file(csv_bytes([header(), [lists[0].pk, MONTH.isoformat(), 1, 0]]), "x.csv")},
                            format="multipart")["Location"]
    assert token_client(["lister:les"], k).get(location).status_code == 200
    error(token_client(["avtaler:les"], k).get(location), 403)
    assert api.get("/api/v1/bakgrunnsjobber/999999999/").status_code == 404


# --- constant queries -----------------------------------------------------------------------------------------


def test_the_import_uses_a_constant_number_of_queries_whatever_the_rows(page_client, k, django_capture_on_commit_callbacks):
    kontor = register.legekontor(k)
    lists = [register.liste(k, kontor=kontor, listetak=1000 + i) for i in range(20)]

    def measure(months: int, offset: int) -> int:
        rows = [header()] + [[liste.pk, add_months(MONTH, -m - offset).isoformat(), 100 + m, 0]
                             for m in range(months) for liste in lists]
        with CaptureQueriesContext(connection) as ctx, django_capture_on_commit_callbacks(execute=True):
            upload(page_client, csv_bytes(rows))
        with in_kommune(k):
            assert Bakgrunnsjobb.objects.order_by("-id").first().resultat["nye"] == len(rows) - 1
        return len(ctx.captured_queries)

    assert measure(1, 0) == measure(20, 1)  # 20 rows, then 400 rows


def test_constraint_refuses_a_finished_job_that_still_holds_its_input(k):
    from django.db import IntegrityError, transaction

    with transaction.atomic(), pytest.raises(IntegrityError), unscoped(reason="test"):
        Bakgrunnsjobb.objects.create(kommune=k, type="x", tittel="x", status="fullfort", inndata=b"x",
                                     ferdig=dt.datetime.now(dt.UTC), opprettet_av="test")


def test_the_import_page_uses_a_constant_number_of_queries_whatever_the_recent_imports(page_client, k, saksbehandler):
    def add(count: int) -> None:
        with in_kommune(k):
            for i in range(count):
                Bakgrunnsjobb.objects.create(
                    kommune=k, type=listetall_import.JOBBTYPE, tittel="x", status="feilet", ferdig=dt.datetime.now(dt.UTC),
                    feil=[{"rad": 2, "felt": "dato", "melding": "x"}], opprettet_av=f"bruker:{saksbehandler.pk if i % 2 else 0}")

    def count() -> int:
        page_client.get(IMPORT)
        with CaptureQueriesContext(connection) as ctx:
            assert page_client.get(IMPORT).status_code == 200
        return len(ctx.captured_queries)

    add(2)
    small = count()
    add(20)
    assert count() == small
