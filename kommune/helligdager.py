"""Norwegian public holidays and day categories, computed (no table to keep up to date).

Sources: lov om helligdager og helligdagsfred (LOV-1995-02-24-12) § 2 — the Sundays, nyttårsdag,
skjærtorsdag, langfredag, påskedag, andre påskedag, Kristi himmelfartsdag, pinsedag, andre pinsedag,
juledag and andre juledag; lov om 1. og 17. mai som høgtidsdager (LOV-1947-04-26-1). Easter Sunday by
the Gregorian computus (the «anonymous Gregorian algorithm», Meeus/Jones/Butcher).

Used for legevakt day categories (SFS 2305 rates: hverdag, lørdag–søndag, helg/høytid) and for
sharing the jul and påske shifts fairly. Dates are local (Europe/Oslo) calendar days.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from django.utils.translation import gettext_lazy as _

KILDE = "helligdagsloven (LOV-1995-02-24-12) § 2 og lov om 1. og 17. mai som høgtidsdager (LOV-1947-04-26-1)"

HVERDAG, HELG, HELLIGDAG = "hverdag", "helg", "helligdag"
DAGKATEGORIER = {
    HVERDAG: _("Hverdag (mandag–fredag)"),
    HELG: _("Lørdag og søndag"),
    HELLIGDAG: _("Helligdag eller høytidsdag"),
}
JUL, PASKE = "jul", "paske"
HOYTIDER = {JUL: _("Jul (julaften–første nyttårsdag)"), PASKE: _("Påske (skjærtorsdag–andre påskedag)")}


def paskedag(year: int) -> dt.date:
    """Easter Sunday in the Gregorian calendar."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


@lru_cache(maxsize=256)
def helligdager(year: int) -> dict[dt.date, str]:
    """The year's public holidays and høytidsdager (not the ordinary Sundays), with their names."""
    easter = paskedag(year)
    days = {
        dt.date(year, 1, 1): _("Første nyttårsdag"),
        easter - dt.timedelta(days=3): _("Skjærtorsdag"),
        easter - dt.timedelta(days=2): _("Langfredag"),
        easter: _("Første påskedag"),
        easter + dt.timedelta(days=1): _("Andre påskedag"),
        dt.date(year, 5, 1): _("Offentlig høytidsdag (1. mai)"),
        dt.date(year, 5, 17): _("Grunnlovsdag (17. mai)"),
        easter + dt.timedelta(days=39): _("Kristi himmelfartsdag"),
        easter + dt.timedelta(days=49): _("Første pinsedag"),
        easter + dt.timedelta(days=50): _("Andre pinsedag"),
        dt.date(year, 12, 25): _("Første juledag"),
        dt.date(year, 12, 26): _("Andre juledag"),
    }
    return dict(sorted(days.items()))


def er_helligdag(day: dt.date) -> bool:
    return day in helligdager(day.year)


def dagkategori(day: dt.date) -> str:
    """hverdag, helg (Saturday–Sunday) or helligdag (a public holiday on any weekday)."""
    if er_helligdag(day):
        return HELLIGDAG
    return HELG if day.weekday() >= 5 else HVERDAG


def hoytid(day: dt.date) -> str | None:
    """The holiday season a day belongs to, for sharing those shifts fairly: jul (24 December to
    1 January) or påske (skjærtorsdag to andre påskedag); None otherwise."""
    if (day.month == 12 and day.day >= 24) or (day.month == 1 and day.day == 1):
        return JUL
    easter = paskedag(day.year)
    if easter - dt.timedelta(days=3) <= day <= easter + dt.timedelta(days=1):
        return PASKE
    return None
