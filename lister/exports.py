"""The register's exports — the lists, their size history, the import template — as CSV (for
Norwegian Excel: UTF-8 with BOM, semicolon) and XLSX, with the same filtered rows as the page. The rows come from one annotated query; nothing here
queries per row.

Text a spreadsheet would run as a formula (starting with =, +, -, @) is written as text: in the
CSV with a leading apostrophe, in the XLSX as a string cell.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from lister.forms import STATUS_TEKST
from lister.models import Pasientliste

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Kolonne:
    header: Any
    value: Callable[[Pasientliste], Any]
    width: int = 14


def _yes_no(value: bool) -> str:
    return gettext("Ja") if value else gettext("Nei")


KOLONNER: tuple[Kolonne, ...] = (
    Kolonne(_("Legekontor"), lambda r: r.legekontor.navn, 30),
    Kolonne(_("Organisasjonsnummer"), lambda r: r.legekontor.organisasjonsnummer, 16),
    Kolonne(_("Liste"), lambda r: r.navn, 24),
    Kolonne(_("Listenummer"), lambda r: r.pk, 12),
    Kolonne(_("FLO-nummer"), lambda r: r.flo_id, 14),
    Kolonne(_("Fastleger"), lambda r: r.fastleger, 30),
    Kolonne(_("Vikarer"), lambda r: r.vikarer, 30),
    Kolonne(_("Listetak"), lambda r: r.listetak),
    Kolonne(_("Listelengde"), lambda r: r.listelengde),
    Kolonne(_("Listelengde per"), lambda r: r.listelengde_dato),
    Kolonne(_("Ledige plasser"), lambda r: r.ledige_plasser),
    Kolonne(_("Venteliste"), lambda r: r.venteliste),
    Kolonne(_("Status"), lambda r: str(STATUS_TEKST.get(r.status, r.status))),
    Kolonne(_("Fellesliste"), lambda r: _yes_no(r.er_fellesliste)),
    Kolonne(_("Gyldig fra"), lambda r: r.gyldig_fra),
    Kolonne(_("Opphører"), lambda r: r.gyldig_til),
)


# The list-size history (lister.selectors.listetall_historikk rows).
HISTORIKK_KOLONNER: tuple[Kolonne, ...] = (
    Kolonne(_("Listenummer"), lambda t: t.pasientliste_id, 12),
    Kolonne(_("FLO-nummer"), lambda t: t.pasientliste.flo_id, 14),
    Kolonne(_("Liste"), lambda t: t.pasientliste.navn, 24),
    Kolonne(_("Legekontor"), lambda t: t.pasientliste.legekontor.navn, 30),
    Kolonne(_("Dato"), lambda t: t.dato, 12),
    Kolonne(_("Listelengde"), lambda t: t.listelengde),
    Kolonne(_("Venteliste"), lambda t: t.venteliste),
)

# The import template (lister.listetall_import.template_rows): the import's own column names.
MAL_KOLONNER: tuple[Kolonne, ...] = tuple(
    Kolonne(name, (lambda r, name=name: r[name]), 14) for name in ("liste", "flo_id", "dato", "listelengde", "venteliste")
)


def headers(kolonner: tuple[Kolonne, ...] = KOLONNER) -> list[str]:
    return [str(k.header) for k in kolonner]


def rows(queryset: Iterable[Any], kolonner: tuple[Kolonne, ...] = KOLONNER) -> Iterable[list[Any]]:
    for item in queryset:
        yield [k.value(item) for k in kolonner]


def _csv_text(value: Any) -> Any:
    """One CSV cell for Norwegian Excel: dates ISO, amounts with decimal comma (the delimiter is
    ;), text a spreadsheet would run as a formula written as text."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def csv_response(queryset: Iterable[Any], *, filename: str, kolonner: tuple[Kolonne, ...] = KOLONNER) -> HttpResponse:
    """UTF-8 with BOM and semicolons, so Excel with Norwegian settings opens it as columns."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers(kolonner))
    for row in rows(queryset, kolonner):
        writer.writerow([_csv_text(value) for value in row])
    return _attachment(HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8"), filename)


def xlsx_bytes(queryset: Iterable[Any], *, title: str, kolonner: tuple[Kolonne, ...] = KOLONNER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    bold = Font(bold=True)
    for col, kolonne in enumerate(kolonner, start=1):
        cell = sheet.cell(row=1, column=col, value=str(kolonne.header))
        cell.font = bold
        sheet.column_dimensions[get_column_letter(col)].width = kolonne.width
    row_number = 1
    for row_number, row in enumerate(rows(queryset, kolonner), start=2):
        for col, value in enumerate(row, start=1):
            if isinstance(value, str):
                cell = sheet.cell(row=row_number, column=col)
                cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
                cell.data_type = "s"  # never a formula
            else:
                cell = sheet.cell(row=row_number, column=col, value=value)
                if isinstance(value, dt.date):
                    cell.number_format = "DD.MM.YYYY"
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(kolonner))}{row_number}"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_response(queryset: Iterable[Any], *, filename: str, title: str, kolonner: tuple[Kolonne, ...] = KOLONNER) -> HttpResponse:
    return _attachment(HttpResponse(xlsx_bytes(queryset, title=title, kolonner=kolonner), content_type=XLSX_CONTENT_TYPE), filename)
