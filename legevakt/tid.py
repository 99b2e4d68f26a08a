"""Time for legevakt: Oslo local time, day categories and holidays of a shift, and the time bands
(dagtid / utenfor dagtid / døgn) as concrete aware intervals.

All arithmetic that crosses a daylight-saving change is done on local *dates and wall-clock
times* and only then made aware (zoneinfo), so a band "08:00–16:00" is 08:00–16:00 on every day,
and elapsed hours are real hours (core.dates.elapsed_hours: a 20:00–08:00 night is 13 h on the
night summer time ends and 11 h on the night it starts).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from core.dates import elapsed_hours
from kommune import helligdager, regler

OSLO = ZoneInfo("Europe/Oslo")
Interval = tuple[dt.datetime, dt.datetime]

__all__ = ["OSLO", "Interval", "elapsed_hours", "lokal", "dagstart", "dagkategori", "hoytid", "dagtid",
           "dagtid_intervaller", "bolk_intervaller", "slå_sammen", "trekk_fra"]


def lokal(value: dt.datetime) -> dt.datetime:
    """The aware datetime in Oslo time."""
    return value.astimezone(OSLO)


def dagstart(day: dt.date) -> dt.datetime:
    """Local midnight at the start of `day`, aware (midnight exists every day in Norway)."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=OSLO)


def paa_dag(day: dt.date, klokken: dt.time) -> dt.datetime:
    """`day` at the wall-clock time `klokken`, aware. (Times inside the skipped hour move forward;
    the bands use 08:00 and 16:00, which always exist.)"""
    return dt.datetime.combine(day, klokken, tzinfo=OSLO)


def dagkategori(start: dt.datetime) -> str:
    """hverdag / helg / helligdag of the local date the shift starts on."""
    return helligdager.dagkategori(lokal(start).date())


def hoytid(start: dt.datetime, slutt: dt.datetime | None = None) -> str:
    """"jul" or "paske" when the shift touches that season (any local date in it), else ""."""
    first = lokal(start).date()
    last = lokal(slutt - dt.timedelta(microseconds=1)).date() if slutt else first
    day = first
    while day <= last:
        season = helligdager.hoytid(day)
        if season:
            return season
        day += dt.timedelta(days=1)
    return ""


def dagtid(on: dt.date | None = None) -> tuple[dt.time, dt.time]:
    """The band «dagtid» (ordinary opening hours) as wall-clock times (kommune.regler legevakt_dagtid)."""
    start, end = regler.verdi("legevakt_dagtid", on=on)
    return dt.time.fromisoformat(start), dt.time.fromisoformat(end)


def dagtid_intervaller(fra: dt.date, til: dt.date) -> list[Interval]:
    """Weekdays that are not public holidays, 08–16 local, for the dates [fra, til)."""
    result = []
    day = fra
    while day < til:
        if helligdager.dagkategori(day) == "hverdag":
            start, end = dagtid(day)
            result.append((paa_dag(day, start), paa_dag(day, end)))
        day += dt.timedelta(days=1)
    return result


def slå_sammen(intervals: list[Interval]) -> list[Interval]:
    """Merge overlapping or touching intervals."""
    merged: list[list[dt.datetime]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def trekk_fra(base: list[Interval], minus: list[Interval]) -> list[Interval]:
    """`base` minus `minus` (both lists of intervals)."""
    result = []
    minus = slå_sammen(minus)
    for start, end in slå_sammen(base):
        cursor = start
        for m_start, m_end in minus:
            if m_end <= cursor or m_start >= end:
                continue
            if m_start > cursor:
                result.append((cursor, m_start))
            cursor = max(cursor, m_end)
            if cursor >= end:
                break
        if cursor < end:
            result.append((cursor, end))
    return result


def bolk_intervaller(tidsbolk: str, fra: dt.date, til: dt.date) -> list[Interval]:
    """The time band `tidsbolk` ("dogn", "dagtid", "utenfor_dagtid") over the dates [fra, til)."""
    whole = [(dagstart(fra), dagstart(til))] if fra < til else []
    if tidsbolk == "dogn":
        return whole
    days = dagtid_intervaller(fra, til)
    if tidsbolk == "dagtid":
        return days
    if tidsbolk == "utenfor_dagtid":
        return trekk_fra(whole, days)
    raise ValueError(f"Ukjent tidsbånd: {tidsbolk}")
