"""The ALIS grant claim basis (alis_selectors.tilskuddsgrunnlag) as CSV and XLSX, for the kommune's
refusjon claim (Nasjonal ALIS og veiledning). One line per avtale and element (an avtale without
elements gets one line), then a total line. The CSV is for Norwegian Excel (UTF-8 with BOM,
semicolons, decimal comma); text a spreadsheet would run as a formula is written as text
(lister.exports' helpers).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from avtaler.alis_selectors import Grunnlagsrad
from lister.exports import XLSX_CONTENT_TYPE, _attachment, _csv_text

KOLONNER: tuple[tuple[Any, int], ...] = (
    (_("Lege"), 26),
    (_("HPR-nummer"), 12),
    (_("Tilknytning"), 18),
    (_("Arbeidssted"), 24),
    (_("Stillingsprosent"), 10),
    (_("Fra"), 12),
    (_("Til og med"), 12),
    (_("Måneder"), 10),
    (_("Element"), 24),
    (_("Finansiering"), 30),
    (_("Element måneder"), 10),
    (_("Beløp (kr)"), 14),
    (_("Berettiget"), 10),
    (_("Merknad"), 60),
)


def headers() -> list[str]:
    return [str(header) for header, _width in KOLONNER]


def _yes_no(value: bool) -> str:
    return gettext("Ja") if value else gettext("Nei")


def _note(row: Grunnlagsrad, missing_rate: bool) -> str:
    notes = list(row.grunner)
    if missing_rate:
        notes.append(gettext("Ingen sats registrert for elementet i hele perioden."))
    return " ".join(notes)


def lines(rows: Iterable[Grunnlagsrad]) -> Iterable[list[Any]]:
    """The table: one line per avtale and element, then the total (values, not yet formatted)."""
    total = Decimal(0)
    for row in rows:
        base = [row.lege, row.hpr_nummer, str(row.relasjon_tekst), row.arbeidssted, row.stillingsprosent, row.fra, row.til,
                row.maneder]
        if not row.elementer:
            yield [*base, "", "", None, Decimal("0.00"), _yes_no(row.berettiget), _note(row, False)]
        for element in row.elementer:
            financing = str(element.finansiering_tekst) if element.kreves else gettext("%(tekst)s (kreves ikke)") % {
                "tekst": element.finansiering_tekst}
            yield [*base, str(element.tekst), financing, element.maneder, element.belop if element.kreves else Decimal("0.00"),
                   _yes_no(row.berettiget), _note(row, element.mangler_sats)]
        total += row.total
    yield [gettext("Sum"), "", "", "", None, None, None, None, "", "", None, total, "", ""]


def grunnlag_csv_response(rows: Iterable[Grunnlagsrad], *, filename: str) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers())
    for line in lines(rows):
        writer.writerow([_csv_text(value) for value in line])
    return _attachment(HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8"), filename)


def grunnlag_xlsx_bytes(rows: Iterable[Grunnlagsrad], *, title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = (title or "ALIS")[:31]
    bold = Font(bold=True)
    for col, (header, width) in enumerate(KOLONNER, start=1):
        cell = sheet.cell(row=1, column=col, value=str(header))
        cell.font = bold
        sheet.column_dimensions[get_column_letter(col)].width = width
    table = list(lines(rows))
    row_number = 1
    for row_number, line in enumerate(table, start=2):
        for col, value in enumerate(line, start=1):
            cell = sheet.cell(row=row_number, column=col)
            if isinstance(value, str):
                cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
                cell.data_type = "s"  # never a formula
            elif isinstance(value, Decimal):
                cell.value = value
                cell.number_format = "#,##0.00"
            elif isinstance(value, dt.date):
                cell.value = value
                cell.number_format = "DD.MM.YYYY"
            else:
                cell.value = value
    for col in range(1, len(KOLONNER) + 1):  # the total line
        sheet.cell(row=row_number, column=col).font = bold
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(KOLONNER))}{max(row_number - 1, 1)}"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def grunnlag_xlsx_response(rows: Iterable[Grunnlagsrad], *, filename: str, title: str) -> HttpResponse:
    return _attachment(HttpResponse(grunnlag_xlsx_bytes(rows, title=title), content_type=XLSX_CONTENT_TYPE), filename)
