"""The per-doctor duty-load figures (legevakt.belastning.legefigurer) as CSV for Norwegian Excel: UTF-8
with BOM, semicolons, decimal commas, dates ISO; text a spreadsheet would run as a formula is written
as text (lister.exports' helpers). One line per doctor; `Til` is the first day not included.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from legevakt.belastning import Legebelastning
from lister.exports import Kolonne
from lister.exports import csv_response as _csv_response


def _desimal(value: float | None) -> Decimal | None:
    """Two decimals with a comma in the CSV (lister.exports writes Decimal that way)."""
    return None if value is None else Decimal(str(round(value, 2)))


KOLONNER: tuple[Kolonne, ...] = (
    Kolonne(_("Lege"), lambda r: r.lege_navn, 26),
    Kolonne(_("Fra"), lambda r: r.fra, 12),
    Kolonne(_("Til (ikke medregnet)"), lambda r: r.til, 12),
    Kolonne(_("Dager"), lambda r: r.dager),
    Kolonne(_("Vakter"), lambda r: r.vakter),
    Kolonne(_("Timer"), lambda r: _desimal(r.timer)),
    Kolonne(_("Timer per 4 uker"), lambda r: _desimal(r.timer_per_4_uker)),
    Kolonne(_("Beredskapstimer"), lambda r: _desimal(r.beredskapstimer)),
    Kolonne(_("Beredskapstimer per uke"), lambda r: _desimal(r.beredskapstimer_per_uke)),
    Kolonne(_("Tilstedevakttimer"), lambda r: _desimal(r.tilstedevakttimer)),
    Kolonne(_("Netter"), lambda r: r.netter),
    Kolonne(_("Helger"), lambda r: r.helger),
    Kolonne(_("Helligdager"), lambda r: r.helligdager),
    Kolonne(_("Juledager"), lambda r: r.juledager),
    Kolonne(_("Påskedager"), lambda r: r.paskedager),
    Kolonne(_("Vaktdøgn"), lambda r: r.vaktdogn),
    Kolonne(_("Hyppighet (1 av N dager)"), lambda r: _desimal(r.hyppighet)),
)


def csv_response(rows: list[Legebelastning], *, filename: str) -> HttpResponse:
    result: Any = _csv_response(rows, filename=filename, kolonner=KOLONNER)
    return result
