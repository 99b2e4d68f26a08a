"""Kompetanseforskriften § 4: the exceptions from the specialisation requirement, counted in days
worked, and the yearly report to statsforvalteren.

STUB (issue 6): the functions below keep their signatures; the implementation fills them in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from kommune.models import Lege


@dataclass(frozen=True)
class Unntaksstatus:
    """A doctor's use of the § 4 exceptions as of a day (counting only days before `on` … see implementation)."""

    lege_id: int
    i_unntak: bool  # neither specialist, in specialisation nor godkjent allmennlege, and not § 5
    dager_totalt: int  # days worked in exception relationships since the counting start
    dager_i_ar: int  # … in the calendar year of `on`
    grense_totalt: int
    grense_ar: int


def check_unntak(*, lege: Lege, fra: dt.date, til: dt.date | None, arbeidsdager: Iterable[int],
                 kompetanse_begrunnelse: str = "", exclude_id: int | None = None) -> Unntaksstatus | None:
    """Refuse (ValidationError on `kompetanse_begrunnelse`) a new or extended vikar period that takes
    a doctor in exception beyond both § 4 limits, unless a justification is given. Call inside the
    transaction that holds `lister.services.lock_lege(lege)`."""
    return None


def unntak_oversikt(*, lege_ids: Iterable[int], on: dt.date) -> dict[int, Unntaksstatus]:
    """Each doctor's § 4 status on `on`, in a constant number of queries (for candidate ranking)."""
    return {}


def ready() -> None:
    """Registrations (the report's deadline) made from ListerConfig.ready()."""
