"""ALIS deadlines on the kommune's Frister list: avtaler ending (derived end) and the next shortfall
of each running avtale, in a constant number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from avtaler import alis_frister, alis_services
from core.dates import add_months
from kommune import frister
from tests import alis_helpers
from tests.conftest import in_kommune

START = alis_helpers.SIGNERT


@pytest.fixture
def k(bergen):
    with in_kommune(bergen):
        yield bergen


def url(pk: int) -> str:
    try:
        return reverse("avtaler:alis_detalj", args=[pk])
    except NoReverseMatch:
        return ""


def test_sources_are_registered():
    registered = frister.registered()
    assert alis_frister.alis_opphorer in registered and alis_frister.alis_mangler in registered
    assert alis_frister.SOURCES == [alis_frister.alis_opphorer, alis_frister.alis_mangler]


def test_avtale_ending_with_its_relationship_in_the_window(k):
    a = alis_helpers.alisavtale(k, relasjon="vikar", relasjon_til=dt.date(2026, 12, 15),
                                lege_=alis_helpers.alis_lege(k, etternavn="Vikarsen"))
    items = alis_frister.alis_opphorer(k, dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert [(f.dato, f.type, f.objekt.pk) for f in items] == [(dt.date(2026, 12, 15), "alis_opphorer", a.pk)]
    assert items[0].tittel == "ALIS-avtalen med Kari Vikarsen opphører"
    assert "Det underliggende forholdet opphører" in items[0].beskrivelse and "14.12.2026" in items[0].beskrivelse
    assert items[0].url == url(a.pk)
    assert alis_frister.alis_opphorer(k, dt.date(2026, 12, 16), dt.date(2027, 1, 31)) == []
    assert alis_frister.alis_opphorer(k, dt.date(2026, 11, 1), dt.date(2026, 12, 14)) == []
    # Through the kommune's registry as well.
    assert any(f.type == "alis_opphorer" and f.objekt.pk == a.pk for f in frister.collect(k, dt.date(2026, 12, 1), dt.date(2026, 12, 31)))


def test_declined_grant_and_five_year_limit_end_in_the_window(k):
    declined = alis_helpers.alisavtale(k)
    alis_services.record_tilskudd(avtale=declined, expected_version=declined.versjon, tilskuddsstatus="avslatt",
                                  tilskudd_avslatt=dt.date(2026, 6, 10))
    five_years = alis_helpers.alisavtale(k, relasjon="annen", signert=dt.date(2021, 6, 20))
    ended = alis_helpers.alisavtale(k, relasjon="annen", signert=dt.date(2025, 1, 6))
    alis_services.end_alisavtale(avtale=ended, expected_version=ended.versjon, sluttdato=dt.date(2026, 1, 1), sluttarsak="oppsagt")
    items = alis_frister.alis_opphorer(k, dt.date(2026, 6, 1), dt.date(2026, 6, 30))
    assert sorted((f.dato, f.objekt.pk) for f in items) == [(dt.date(2026, 6, 10), declined.pk), (dt.date(2026, 6, 20), five_years.pk)]
    texts = {f.objekt.pk: f.beskrivelse for f in items}
    assert "Tilskudd er ikke gitt" in texts[declined.pk] and "Fem år ved full tid" in texts[five_years.pk]


def test_next_shortfall_listed_when_due_in_the_window_or_outstanding(k):
    no_veileder = alis_helpers.alisavtale(k, veileder=None, lege_=alis_helpers.alis_lege(k, etternavn="Uveiledet"))
    behind = alis_helpers.alisavtale(k, lege_=alis_helpers.alis_lege(k, etternavn="Etterslep"))
    alis_services.record_veiledning(avtale=behind, maned=dt.date(2026, 1, 1), individuelle_timer=4, gruppetimer=0)
    on_pace = alis_helpers.alisavtale(k, lege_=alis_helpers.alis_lege(k, etternavn="Ajoursen"))
    for n in range(10):
        alis_services.record_veiledning(avtale=on_pace, maned=add_months(dt.date(2026, 1, 1), n), individuelle_timer=4,
                                        gruppetimer=Decimal(6))

    items = alis_frister.alis_mangler(k, dt.date(2026, 11, 1), dt.date(2026, 12, 31))
    by_avtale = {f.objekt.pk: f for f in items}
    assert set(by_avtale) == {no_veileder.pk}  # outstanding since the start; the others' frister are later
    assert (by_avtale[no_veileder.pk].dato, by_avtale[no_veileder.pk].type) == (START, "alis_veileder")
    assert by_avtale[no_veileder.pk].tittel.startswith("Kari Uveiledet (ALIS):")
    assert by_avtale[no_veileder.pk].url == url(no_veileder.pk)

    items = alis_frister.alis_mangler(k, dt.date(2026, 11, 1), dt.date(2027, 1, 31))
    by_avtale = {f.objekt.pk: f for f in items}
    assert set(by_avtale) == {no_veileder.pk, behind.pk}
    shortfall = by_avtale[behind.pk]
    # End of avtale-year 1 (5 January 2027): 4 of 42 hours, 9 whole months × 4 h = 36 expected on 1 November.
    assert (shortfall.dato, shortfall.type) == (dt.date(2027, 1, 5), "alis_veiledning")
    assert "38 timer mangler" in shortfall.beskrivelse


def test_only_the_next_shortfall_of_each_avtale_and_none_after_the_end(k):
    a = alis_helpers.alisavtale(k, veileder=None, relasjon="vikar", relasjon_til=dt.date(2026, 10, 1))
    items = alis_frister.alis_mangler(k, dt.date(2026, 9, 1), dt.date(2026, 9, 30))
    assert [(f.objekt.pk, f.type) for f in items] == [(a.pk, "alis_veileder")]  # one per avtale, though more are due
    assert alis_frister.alis_mangler(k, dt.date(2026, 10, 1), dt.date(2026, 12, 31)) == []


def test_other_kommune_sees_nothing(k, sunnfjord):
    alis_helpers.alisavtale(k, veileder=None, relasjon="vikar", relasjon_til=dt.date(2026, 12, 15))
    with in_kommune(sunnfjord):
        assert alis_frister.alis_opphorer(sunnfjord, dt.date(2026, 1, 1), dt.date(2027, 12, 31)) == []
        assert alis_frister.alis_mangler(sunnfjord, dt.date(2026, 11, 1), dt.date(2027, 12, 31)) == []


def arrange(k, count):
    for n in range(count):
        a = alis_helpers.alisavtale(k, veileder=None if n % 2 else alis_helpers.veileder(k), relasjon="vikar",
                                    relasjon_til=dt.date(2026, 12, 1 + n))
        alis_services.add_alis_fravaer(avtale=a, type="sykdom", fra=dt.date(2026, 3, 1), til=dt.date(2026, 3, 5))
        alis_services.add_alis_tjeneste(avtale=a, type="apen_uselektert", sted="Sentrum", stillingsprosent=100,
                                        fra=START, til=dt.date(2026, 12, 1))
        alis_services.record_veiledning(avtale=a, maned=dt.date(2026, 2, 1), individuelle_timer=4, gruppetimer=6)


@pytest.mark.parametrize("source", alis_frister.SOURCES)
def test_sources_use_a_constant_number_of_queries(k, source):
    def run():
        with CaptureQueriesContext(connection) as ctx:
            items = source(k, dt.date(2026, 11, 1), dt.date(2026, 12, 31))
        return len(ctx.captured_queries), len(items)

    arrange(k, 2)
    small, small_items = run()
    arrange(k, 6)
    large, large_items = run()
    assert large == small and large_items > small_items > 0
