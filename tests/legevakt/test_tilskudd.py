"""The grant page: the kommuner meeting the small-district legevakt grant criteria in a year (all
kommuner, population from the latest figure on or before 1 January), priority from the memberships,
unknown sentralitet listed apart, the criteria and their source, and the CSV."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from kommune.models import Innbyggertall
from legevakt import tilskudd
from tests.conftest import in_kommune, kommune, user_with_role
from tests.legevakt.test_belastning_jobb import distrikt, sentralitet


@pytest.fixture
def world(db):
    grane, hattfjelldal = sentralitet("1825", 6), sentralitet("1826", 6)
    sentralitet("1867", 1)  # Bø, 2 634 inhabitants, but central: not eligible
    sentralitet("1868", 5)  # Øksnes, 4 569: eligible from 2023
    sentralitet("4601", 1)
    distrikt(grane, hattfjelldal)
    return grane, hattfjelldal


def _numbers(rows):
    return [r.kommunenummer for r in rows]


def test_grane_and_hattfjelldal_meet_the_2026_criteria_with_priority(world):
    grane, _hattfjelldal = world
    with in_kommune(grane):
        data = tilskudd.oversikt(2026)
    assert data.kriterier.sentralitet == (5, 6) and data.kriterier.innbyggere_under == 5000
    assert "legevakt i distriktskommuner" in data.kriterier.kilde
    rows = {r.kommunenummer: r for r in data.oppfyller}
    assert {"1825", "1826", "1868"} <= set(rows) and "1867" not in rows and "4601" not in rows
    assert rows["1825"].innbyggere == 1447 and rows["1825"].prioritet is True and rows["1825"].distriktsstorrelse == 2
    assert rows["1868"].prioritet is None  # no district known
    assert _numbers(data.oppfyller)[:2] == ["1826", "1825"]  # priority first, then the smallest
    unknown = _numbers(data.ukjent_sentralitet)
    assert "1825" not in unknown and "1867" not in unknown and "4601" not in unknown
    assert "1824" not in unknown  # Vefsn: 13 469 inhabitants


def test_another_kommunes_cooperation_is_not_shown(world):
    """Bergen sees Grane meets the criteria (public figures) but not how Grane cooperates (Grane's data)."""
    with in_kommune(kommune("4601")):
        rows = {r.kommunenummer: r for r in tilskudd.oversikt(2026).oppfyller}
    assert "1825" in rows and rows["1825"].prioritet is None and rows["1825"].distriktsstorrelse is None


def test_2022_counted_sentralitet_6_only_and_had_no_priority_rule(world):
    for nummer, antall in (("1825", 1480), ("1868", 4500)):
        k = kommune(nummer)
        with in_kommune(k):
            Innbyggertall.objects.create(kommune=k, gjelder_fra=dt.date(2022, 1, 1), antall=antall, kilde="SSB")
    with in_kommune(world[0]):
        data = tilskudd.oversikt(2022)
    assert data.kriterier.sentralitet == (6,) and data.kriterier.prioritet_kommuner is None
    numbers = _numbers(data.oppfyller)
    assert "1825" in numbers and "1868" not in numbers  # Øksnes is class 5
    assert data.oppfyller[numbers.index("1825")].innbyggere == 1480
    # Only kommuner with a figure on or before 1 January 2022 are judged.
    assert "1826" not in numbers
    assert all(r.prioritet is None for r in data.oppfyller)


def test_the_page_and_the_csv(client, world):
    client.force_login(user_with_role("lesetilgang", world[0]))
    response = client.get(reverse("legevakt:tilskudd"), {"ar": "2026"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Grane (1825)" in html and "Hattfjelldal (1826)" in html and "Bø (1867)" not in html
    assert "Sentralitetsklasse 5, 6" in html and "tilskudd til styrking av legevakt i distriktskommuner" in html
    assert "Ja: samarbeider med én annen kommune" in html
    assert "<caption>" in html and 'scope="col"' in html
    assert "Sentralitetsklassen er ukjent" in html

    csv = client.get(reverse("legevakt:tilskudd_csv"), {"ar": "2026"})
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert "1825;Grane;" in text and ";1447;" in text and "1867;" not in text
    assert client.get(reverse("legevakt:tilskudd"), {"ar": "1999"}).status_code == 400
    assert client.get(reverse("legevakt:tilskudd_csv"), {"ar": "x"}).status_code == 400
