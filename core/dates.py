"""Calendar arithmetic for notice periods and ages."""

from __future__ import annotations

import calendar
import datetime as dt

# The dates the system accepts anywhere a date is entered: far enough back for old lists and
# agreements, far enough ahead for any plan, and clear of date arithmetic overflowing year 9999.
FORSTE_DAG = dt.date(1900, 1, 1)
SISTE_DAG = dt.date(2199, 12, 31)


def check_range(day: dt.date | None, field: str) -> dt.date | None:
    """Refuse a date outside FORSTE_DAG–SISTE_DAG with a ValidationError on `field` (400, not 500)."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if day is not None and not FORSTE_DAG <= day <= SISTE_DAG:
        raise ValidationError({field: [ValidationError(
            _("Velg en dato mellom %(fra)s og %(til)s.") % {"fra": FORSTE_DAG.year, "til": SISTE_DAG.year},
            code="utenfor_omrade")]})
    return day


def elapsed_hours(start: dt.datetime, end: dt.datetime) -> float:
    """Real hours between two aware datetimes. Subtracting two datetimes that share a tzinfo gives the
    wall-clock difference (Python ignores the offsets then), so both are taken to UTC first: a
    20:00–08:00 night is 13 hours when summer time ends and 11 when it starts."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("elapsed_hours needs aware datetimes")
    return (end.astimezone(dt.UTC) - start.astimezone(dt.UTC)).total_seconds() / 3600


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later; the month's last day when it has no such day (31 Aug + 6 = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def birthday(born: dt.date, years: int) -> dt.date:
    """The day a person born on `born` turns `years` (someone born 29 February: 1 March in other years)."""
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return dt.date(born.year + years, 3, 1)


def age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
