"""The § 4 report (lister.kompetanse.kompetanserapport) as CSV and XLSX: one line per doctor and
relationship, with the doctor's figures repeated on each of their lines, so a spreadsheet can filter
and sum (use "Dager i året i kommunen" once per doctor: it is distinct days over the relationships).
The CSV is for Norwegian Excel (UTF-8 with BOM, semicolons); text a spreadsheet would run as a
formula is written as text (lister.exports' helpers).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook
from openpyxl.styles import Alignment, Font

from lister import kompetanse
from lister.exports import XLSX_CONTENT_TYPE, Kolonne, _attachment, xlsx_bytes
from lister.exports import csv_response as _csv_response
from lister.kompetanse import Kompetanserapport, Rapportforhold, Rapportlege
from lister.models import Ukedag


def dager_tekst(arbeidsdager: Iterable[int]) -> str:
    """Weekdays Monday first; empty means Monday–Friday."""
    days = sorted(arbeidsdager or (), key=lambda d: (d == 0, d))
    if not days:
        return gettext("mandag–fredag (standard)")
    return ", ".join(str(Ukedag(d).label) for d in days)


class Linje:
    """One line: a doctor and one of their relationships."""

    def __init__(self, rapport: Kompetanserapport, lege: Rapportlege, forhold: Rapportforhold):
        self.rapport, self.lege, self.forhold = rapport, lege, forhold


KOLONNER: tuple[Kolonne, ...] = (
    Kolonne(_("År"), lambda r: r.rapport.ar, 8),
    Kolonne(_("Lege"), lambda r: r.lege.navn, 26),
    Kolonne(_("HPR-nummer"), lambda r: r.lege.hpr_nummer, 12),
    Kolonne(_("Legekontor"), lambda r: r.forhold.legekontor, 26),
    Kolonne(_("Liste"), lambda r: r.forhold.liste, 24),
    Kolonne(_("Listenummer"), lambda r: r.forhold.liste_id, 12),
    Kolonne(_("Rolle"), lambda r: r.forhold.rolle_tekst, 10),
    Kolonne(_("Fra"), lambda r: r.forhold.fra, 12),
    Kolonne(_("Til og med"), lambda r: r.forhold.til_og_med, 12),
    Kolonne(_("Stillingsprosent"), lambda r: r.forhold.stillingsprosent, 10),
    Kolonne(_("Arbeidsdager"), lambda r: dager_tekst(r.forhold.arbeidsdager), 20),
    Kolonne(_("Dager i unntak i året i forholdet"), lambda r: r.forhold.dager_i_ar, 12),
    Kolonne(_("Dager i året i kommunen"), lambda r: r.lege.dager_i_ar, 12),
    Kolonne(_("Dager i året i alle kommuner"), lambda r: r.lege.dager_i_ar_alle_kommuner, 12),
    Kolonne(_("Dager til sammen ved årets slutt (alle kommuner)"), lambda r: r.lege.dager_totalt_arsslutt, 14),
    Kolonne(_("Dager etter ettårsunntaket"), lambda r: r.lege.dager_ett_ar, 12),
    Kolonne(_("Dager etter firemånedersunntaket"), lambda r: r.lege.dager_fire_maneder, 12),
    Kolonne(_("Dager ut over begge unntakene"), lambda r: r.lege.dager_utover, 12),
    Kolonne(_("Unntak brukt"), lambda r: r.lege.unntak_tekst, 30),
    Kolonne(_("Kommuneoverlegens begrunnelse"), lambda r: r.forhold.kompetanse_begrunnelse, 50),
)


def lines(rapport: Kompetanserapport) -> list[Linje]:
    return [Linje(rapport, lege, forhold) for lege in rapport.leger for forhold in lege.forhold]


def csv_response(rapport: Kompetanserapport, *, filename: str) -> Any:
    return _csv_response(lines(rapport), filename=filename, kolonner=KOLONNER)


def _om_rapporten(rapport: Kompetanserapport) -> list[tuple[str, str]]:
    frist = rapport.frist.strftime("%d.%m.%Y") if rapport.frist else gettext("Ingen rapporteringsplikt for dette året.")
    return [
        (gettext("År"), str(rapport.ar)),
        (gettext("Frist til statsforvalteren"), frist),
        (gettext("Foreløpige tall"), gettext("Ja, året er ikke omme.") if rapport.forelopig else gettext("Nei")),
        (gettext("Regelen"), kompetanse.regel_tekst()),
        (gettext("Grense ett år (arbeidede dager)"), f"{rapport.grense_totalt} ({rapport.kilde_totalt})"),
        (gettext("Grense per kalenderår (arbeidede dager)"), f"{rapport.grense_ar} ({rapport.kilde_ar})"),
        (gettext("Tolkning"), rapport.tolkning),
    ]


def xlsx_bytes_for(rapport: Kompetanserapport, *, title: str) -> bytes:
    """The table, and a second sheet with the rule, the interpretation note and the due date."""
    workbook = load_workbook(io.BytesIO(xlsx_bytes(lines(rapport), title=title, kolonner=KOLONNER)))
    sheet = workbook.create_sheet(gettext("Om rapporten")[:31])
    sheet.column_dimensions["A"].width = 36
    sheet.column_dimensions["B"].width = 110
    for row, (label, value) in enumerate(_om_rapporten(rapport), start=1):
        sheet.cell(row=row, column=1, value=label).font = Font(bold=True)
        cell = sheet.cell(row=row, column=2)
        cell.value = value
        cell.data_type = "s"
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_response(rapport: Kompetanserapport, *, filename: str, title: str) -> HttpResponse:
    return _attachment(HttpResponse(xlsx_bytes_for(rapport, title=title), content_type=XLSX_CONTENT_TYPE), filename)
