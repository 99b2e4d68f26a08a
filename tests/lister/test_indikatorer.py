"""The kommune's capacity indicators (SSB table 12005 / Helsedirektoratet) on a day and month by
month: hand-computed values on a fixed small data set, half-open boundaries, None for shares
without a denominator, and one query whatever the number of lists or months."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lister import indikatorer, selectors, services
from lister.indikatorer import DEFINISJONER
from tests import register
from tests.conftest import in_kommune

D = dt.date(2026, 6, 15)  # the fixed day the expected values are computed for


def vikar_lege(k):
    """A vikar with competence (a specialist), so the § 4 exception check has nothing to say."""
    return register.lege(k, spesialist_allmennmedisin_fra=dt.date(2010, 1, 1))


def build_data_set(k) -> SimpleNamespace:
    """The fixed data set the expected values below are computed from by hand.

    L1 ordinary, listetak 1000, LOCKED by hand; fastlege A from 2025-01-01; vikar W 2026-05-01..2026-06-01
       (half-open: the last day is 31.5); figures 1.5: 950, 1.6: 980, 1.7: 2000.
    L2 ordinary, listetak 800; fastlege B 2024-01-01..2026-03-01 (half-open); vikar V 2026-03-01..2026-09-01;
       figures 1.1.2026: 650, 1.6: 700.
    L3 ordinary, listetak 600; never a fastlege, no vikar; figure 1.4: 500.
    L4 fellesliste, listetak 700 + 800 = 1500; fastleger C and E from 2025-06-01; figure 1.6: 1500 (full).
    L5 ended 2026-01-01 (valid 2020–2025), listetak 500; figure 1.12.2025: 400.
    L6 valid from 2026-07-01, listetak 900; no figures.
    """
    kontor = register.legekontor(k)
    l1 = register.liste(k, listetak=1000, kontor=kontor, manuelt_last=True)
    register.avtale(k, liste_=l1, startdato=dt.date(2025, 1, 1), listetak=1000)
    services.add_legeperiode(liste=l1, lege=vikar_lege(k), rolle="LPVI", fra=dt.date(2026, 5, 1), til=dt.date(2026, 6, 1))
    for dato, lengde in ((dt.date(2026, 5, 1), 950), (dt.date(2026, 6, 1), 980), (dt.date(2026, 7, 1), 2000)):
        services.record_listetall(liste=l1, dato=dato, listelengde=lengde)

    l2 = register.liste(k, listetak=800, kontor=kontor)
    register.avtale(k, liste_=l2, startdato=dt.date(2024, 1, 1), listetak=800, sluttdato=dt.date(2026, 3, 1))
    services.add_legeperiode(liste=l2, lege=vikar_lege(k), rolle="LPVI", fra=dt.date(2026, 3, 1), til=dt.date(2026, 9, 1))
    services.record_listetall(liste=l2, dato=dt.date(2026, 1, 1), listelengde=650)
    services.record_listetall(liste=l2, dato=dt.date(2026, 6, 1), listelengde=700)

    l3 = register.liste(k, listetak=600, kontor=kontor)
    services.record_listetall(liste=l3, dato=dt.date(2026, 4, 1), listelengde=500)

    l4 = register.liste(k, listetak=1500, kontor=kontor, er_fellesliste=True)
    register.avtale(k, liste_=l4, startdato=dt.date(2025, 6, 1), listetak=700)
    register.avtale(k, liste_=l4, startdato=dt.date(2025, 6, 1), listetak=800)
    services.record_listetall(liste=l4, dato=dt.date(2026, 6, 1), listelengde=1500)

    l5 = register.liste(k, listetak=500, kontor=kontor)
    services.record_listetall(liste=l5, dato=dt.date(2025, 12, 1), listelengde=400)
    services.end_pasientliste(liste=l5, expected_version=l5.versjon, gyldig_til=dt.date(2026, 1, 1), sluttarsak="nedlagt")

    l6 = register.liste(k, listetak=900, kontor=kontor, fra=dt.date(2026, 7, 1))
    return SimpleNamespace(l1=l1, l2=l2, l3=l3, l4=l4, l5=l5, l6=l6)


# On D: the valid lists are L1–L4 (L5 ended 1.1.2026, L6 starts 1.7.2026).
EXPECTED_ON_D = {
    "lister": 4,
    "fastlegeavtaler": 3,  # A on L1 + C and E on the fellesliste L4 (B ended 1.3)
    "lister_uten_fastlege": 2,  # L2 (B gone, only a vikar) and L3
    "lister_uten_listetall": 0,
    "listeinnbyggere": 3680,  # 980 (L1's 1.6 figure, not 1.7's) + 700 + 500 + 1500
    "listeinnbyggere_uten_fastlege": 1200,  # L2 700 + L3 500
    "listeinnbyggere_med_fastlege": 2480,  # L1 980 + L4 1500
    "andel_listeinnbyggere_uten_fastlege": Decimal("32.6"),  # 1200 / 3680 × 100 = 32.608…
    "apne_lister": 2,  # L2 (700 < 800), L3 (500 < 600); L1 locked by hand, L4 full (1500 = 1500)
    "gjennomsnittlig_listelengde": Decimal("826.7"),  # 2480 / 3 avtaler = 826.66…
    "kapasitet": 3900,  # 1000 + 800 + 600 + 1500
    "kapasitet_med_fastlege": 2500,  # 1000 + 1500
    "ledige_plasser": 220,  # 3900 − 3680
    "ledige_plasser_med_fastlege": 20,  # 2500 − 2480
    "reservekapasitet": Decimal("106.0"),  # 3900 / 3680 × 100 = 105.97…
    "lister_med_vikar": 1,  # L2 (V); W on L1 ended 1.6 (half-open: not on 15.6)
    "andel_lister_med_vikar": Decimal("25.0"),  # 1 / 4 × 100
}


@pytest.fixture
def k(bergen):
    with in_kommune(bergen):
        yield bergen


@pytest.fixture
def data(k):
    return build_data_set(k)


def test_indicators_equal_hand_computed_values_on_the_fixed_data_set(data):
    tall = indikatorer.indikatorer(on=D)
    assert tall.dato == D
    assert {key: tall.as_dict()[key] for key in EXPECTED_ON_D} == EXPECTED_ON_D


def test_indicators_agree_with_the_registers_capacity_figures(data):
    tall, kapasitet = indikatorer.indikatorer(on=D), selectors.kapasitet(on=D)
    assert (kapasitet.lister, kapasitet.lister_uten_fastlege, kapasitet.apne_lister) == (
        tall.lister, tall.lister_uten_fastlege, tall.apne_lister)
    assert (kapasitet.listetak, kapasitet.listelengde, kapasitet.ledige_plasser) == (
        tall.kapasitet, tall.listeinnbyggere, tall.ledige_plasser)
    assert (kapasitet.listetak_med_fastlege, kapasitet.ledige_plasser_med_fastlege) == (
        tall.kapasitet_med_fastlege, tall.ledige_plasser_med_fastlege)


def test_a_period_ending_on_a_day_does_not_cover_it_and_one_starting_does(data):
    # B's fastlege period on L2 runs to 1.3 (half-open): on 28.2 L2 has a fastlege, on 1.3 not; V starts 1.3.
    before, after = indikatorer.indikatorer(on=dt.date(2026, 2, 28)), indikatorer.indikatorer(on=dt.date(2026, 3, 1))
    assert (before.fastlegeavtaler, before.lister_uten_fastlege, before.lister_med_vikar) == (4, 1, 0)
    assert (after.fastlegeavtaler, after.lister_uten_fastlege, after.lister_med_vikar) == (3, 2, 1)
    # W on L1 covers 31.5 but not 1.6.
    assert indikatorer.indikatorer(on=dt.date(2026, 5, 31)).lister_med_vikar == 2
    assert indikatorer.indikatorer(on=dt.date(2026, 6, 1)).lister_med_vikar == 1


def test_an_ended_list_and_a_list_not_yet_valid_are_not_counted(data):
    # 31.12.2025: L5 still valid (ends 1.1.2026), with no fastlege and 400 listeinnbyggere.
    old = indikatorer.indikatorer(on=dt.date(2025, 12, 31))
    assert (old.lister, old.lister_uten_fastlege, old.listeinnbyggere_uten_fastlege) == (5, 2, 400)
    assert indikatorer.indikatorer(on=dt.date(2026, 1, 1)).lister == 4
    # 1.7.2026: L6 starts (900 listetak, no figures) and L1's 1.7 figure (2000) applies.
    july = indikatorer.indikatorer(on=dt.date(2026, 7, 1))
    assert (july.lister, july.lister_uten_listetall, july.kapasitet) == (5, 1, 3900 + 900)
    assert july.listeinnbyggere == 2000 + 700 + 500 + 1500


def test_shares_are_none_without_figures_and_lists(k):
    assert indikatorer.indikatorer(on=D).as_dict() | {"dato": None} == {
        "dato": None, "lister": 0, "fastlegeavtaler": 0, "lister_uten_fastlege": 0, "lister_uten_listetall": 0,
        "listeinnbyggere": 0, "listeinnbyggere_uten_fastlege": 0, "listeinnbyggere_med_fastlege": 0, "apne_lister": 0,
        "kapasitet": 0, "kapasitet_med_fastlege": 0, "lister_med_vikar": 0, "andel_listeinnbyggere_uten_fastlege": None,
        "gjennomsnittlig_listelengde": None, "ledige_plasser": 0, "ledige_plasser_med_fastlege": 0,
        "reservekapasitet": None, "andel_lister_med_vikar": None,
    }
    register.liste(k, listetak=1000)  # a vacant list with no figures
    tall = indikatorer.indikatorer(on=D)
    assert (tall.lister, tall.lister_uten_listetall, tall.apne_lister, tall.kapasitet) == (1, 1, 1, 1000)
    assert tall.andel_listeinnbyggere_uten_fastlege is None and tall.reservekapasitet is None
    assert tall.gjennomsnittlig_listelengde is None  # no fastlegeavtaler
    assert tall.andel_lister_med_vikar == Decimal("0.0")


def test_trend_is_the_first_of_each_of_the_last_24_months(data):
    punkter = indikatorer.trend(til=D)
    assert [p.dato for p in punkter] == indikatorer.month_starts(til=D)
    assert (punkter[0].dato, punkter[-1].dato, len(punkter)) == (dt.date(2024, 7, 1), dt.date(2026, 6, 1), 24)
    by_day = {p.dato: p for p in punkter}

    # 1.12.2025: L1–L5 valid; fastleger A, B, C, E; without: L3, L5; the only figure so far is L5's 400.
    dec = by_day[dt.date(2025, 12, 1)]
    assert (dec.lister, dec.fastlegeavtaler, dec.lister_uten_fastlege, dec.listeinnbyggere) == (5, 4, 2, 400)
    assert dec.andel_listeinnbyggere_uten_fastlege == Decimal("100.0")

    # The month before B's period ends: L2 has its fastlege and the only figure (650), nobody is without.
    feb = by_day[dt.date(2026, 2, 1)]
    assert (feb.lister, feb.fastlegeavtaler, feb.lister_uten_fastlege, feb.lister_uten_listetall) == (4, 4, 1, 3)
    assert (feb.listeinnbyggere, feb.listeinnbyggere_uten_fastlege) == (650, 0)
    assert (feb.andel_listeinnbyggere_uten_fastlege, feb.andel_lister_med_vikar) == (Decimal("0.0"), Decimal("0.0"))
    assert feb.gjennomsnittlig_listelengde == Decimal("162.5")  # 650 / 4 avtaler

    # The month after: L2 has no fastlege but vikar V, so all 650 are on a list without a fastlege.
    mar = by_day[dt.date(2026, 3, 1)]
    assert (mar.fastlegeavtaler, mar.lister_uten_fastlege, mar.listeinnbyggere_uten_fastlege) == (3, 2, 650)
    assert (mar.andel_listeinnbyggere_uten_fastlege, mar.andel_lister_med_vikar) == (Decimal("100.0"), Decimal("25.0"))

    # 1.6.2026 has the same figures as 15.6.
    june = by_day[dt.date(2026, 6, 1)].as_dict()
    assert {key: june[key] for key in EXPECTED_ON_D} == EXPECTED_ON_D

    # 1.7.2024: L1–L5 valid, only B is fastlege yet, and no list has a figure: the people shares are None.
    first = punkter[0]
    assert (first.lister, first.fastlegeavtaler, first.lister_uten_fastlege, first.lister_uten_listetall) == (5, 1, 4, 5)
    assert (first.listeinnbyggere, first.andel_listeinnbyggere_uten_fastlege, first.reservekapasitet) == (0, None, None)
    assert (first.gjennomsnittlig_listelengde, first.andel_lister_med_vikar) == (Decimal("0.0"), Decimal("0.0"))


def test_trend_months_and_length(k):
    assert [p.dato for p in indikatorer.trend(til=dt.date(2026, 3, 31), maneder=3)] == [
        dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)]
    assert len(indikatorer.trend(til=dt.date(2026, 3, 31), maneder=60)) == 60
    assert [p.dato for p in indikatorer.trend(til=dt.date(2026, 1, 1), maneder=1)] == [dt.date(2026, 1, 1)]
    with pytest.raises(ValueError):
        indikatorer.trend(til=D, maneder=61)


def _lists(k, n: int) -> None:
    kontor = register.legekontor(k)
    for i in range(n):
        liste = register.liste(k, listetak=1000, kontor=kontor)
        services.record_listetall(liste=liste, dato=dt.date(2026, 1, 1), listelengde=500 + i)
        if i % 2:
            register.avtale(k, liste_=liste, startdato=dt.date(2025, 1, 1), listetak=1000)
        if i % 3 == 0:
            services.add_legeperiode(liste=liste, lege=vikar_lege(k), rolle="LPVI", fra=dt.date(2025, 6, 1))


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as ctx:
        call()
    return len(ctx.captured_queries)


def test_indicators_and_trend_are_one_query_each_for_1_and_10_lists(k):
    _lists(k, 1)
    one = (_queries(lambda: indikatorer.indikatorer(on=D)), _queries(lambda: indikatorer.trend(til=D)))
    _lists(k, 9)
    ten = (_queries(lambda: indikatorer.indikatorer(on=D)), _queries(lambda: indikatorer.trend(til=D, maneder=60)))
    assert one == ten == (1, 1)
    assert indikatorer.indikatorer(on=D).lister == 10


def test_every_indicator_has_a_definition_with_a_source():
    for key, definisjon in DEFINISJONER.items():
        assert str(definisjon.navn) and str(definisjon.tekst), key
        assert definisjon.kilde, key
    assert "12005" in DEFINISJONER["reservekapasitet"].kilde and DEFINISJONER["reservekapasitet"].url.startswith("https://www.ssb.no")
    assert DEFINISJONER["lister_uten_fastlege"].url.startswith("https://www.helsedirektoratet.no")
    assert "Over 100" in str(DEFINISJONER["reservekapasitet"].tekst)


def test_the_indicators_need_a_kommune_in_scope(db):
    from core.tenancy import NoTenantScope

    with pytest.raises(NoTenantScope):
        indikatorer.indikatorer(on=D)


def test_indicators_only_count_the_kommune_in_scope(data, sunnfjord):
    with in_kommune(sunnfjord):
        register.liste(sunnfjord, listetak=2000)
        assert indikatorer.indikatorer(on=D).kapasitet == 2000
