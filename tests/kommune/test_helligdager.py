"""Norwegian public holidays computed (Easter for several years), day categories, the jul and påske
seasons, and real elapsed hours of a night shift across the summer-time changes."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from core.dates import elapsed_hours
from kommune import helligdager as h

D = dt.date
OSLO = ZoneInfo("Europe/Oslo")


@pytest.mark.parametrize(("year", "easter"), [
    (2000, D(2000, 4, 23)), (2008, D(2008, 3, 23)), (2011, D(2011, 4, 24)), (2019, D(2019, 4, 21)), (2024, D(2024, 3, 31)),
    (2025, D(2025, 4, 20)), (2026, D(2026, 4, 5)), (2027, D(2027, 3, 28)), (2028, D(2028, 4, 16)), (2038, D(2038, 4, 25)),
    (2285, D(2285, 3, 22)),
])
def test_easter_sunday(year, easter):
    assert h.paskedag(year) == easter


def test_the_holidays_of_2026():
    assert list(h.helligdager(2026)) == [
        D(2026, 1, 1), D(2026, 4, 2), D(2026, 4, 3), D(2026, 4, 5), D(2026, 4, 6), D(2026, 5, 1), D(2026, 5, 14),
        D(2026, 5, 17), D(2026, 5, 24), D(2026, 5, 25), D(2026, 12, 25), D(2026, 12, 26),
    ]
    assert str(h.helligdager(2026)[D(2026, 5, 14)]) == "Kristi himmelfartsdag"


@pytest.mark.parametrize(("day", "kategori"), [
    (D(2026, 3, 4), h.HVERDAG), (D(2026, 3, 7), h.HELG), (D(2026, 3, 8), h.HELG), (D(2026, 4, 2), h.HELLIGDAG),
    (D(2026, 5, 1), h.HELLIGDAG), (D(2026, 5, 17), h.HELLIGDAG), (D(2026, 12, 24), h.HVERDAG), (D(2026, 12, 26), h.HELLIGDAG),
])
def test_day_categories(day, kategori):
    assert h.dagkategori(day) == kategori


@pytest.mark.parametrize(("day", "season"), [
    (D(2026, 12, 23), None), (D(2026, 12, 24), h.JUL), (D(2026, 12, 31), h.JUL), (D(2027, 1, 1), h.JUL), (D(2027, 1, 2), None),
    (D(2026, 4, 1), None), (D(2026, 4, 2), h.PASKE), (D(2026, 4, 6), h.PASKE), (D(2026, 4, 7), None),
])
def test_holiday_seasons(day, season):
    assert h.hoytid(day) == season


def test_a_night_shift_across_the_summer_time_changes():
    october = (dt.datetime(2026, 10, 24, 20, tzinfo=OSLO), dt.datetime(2026, 10, 25, 8, tzinfo=OSLO))
    march = (dt.datetime(2026, 3, 28, 20, tzinfo=OSLO), dt.datetime(2026, 3, 29, 8, tzinfo=OSLO))
    ordinary = (dt.datetime(2026, 6, 1, 20, tzinfo=OSLO), dt.datetime(2026, 6, 2, 8, tzinfo=OSLO))
    assert elapsed_hours(*october) == 13
    assert elapsed_hours(*march) == 11
    assert elapsed_hours(*ordinary) == 12
    with pytest.raises(ValueError):
        elapsed_hours(dt.datetime(2026, 6, 1, 20), ordinary[1])
