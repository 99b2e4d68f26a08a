"""Vacancy derivation (lister.ledighet_selectors): which lists are without a fastlege on a day
(half-open periods: boundary days), the vacant part of a fellesliste, cover by vikar periods on
their weekdays and by kollegial fraværsdekning, uncovered weekdays ahead, listeinnbyggere affected,
hjemfall — in one query whatever the number of lists."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lister import ledighet_selectors as sel
from lister import services as lister_services
from lister.models import Dekning, Ledighetssak, Listetall, Pasientliste, Soker, Utlysning
from tests import register
from tests.conftest import in_kommune

D = dt.date(2026, 3, 4)  # a Wednesday
START = dt.date(2026, 1, 5)


@pytest.fixture
def k(bergen):
    with in_kommune(bergen):
        yield bergen


def vikarlege(k):
    """A doctor with competence (no § 4 exception limits apply)."""
    return register.lege(k, spesialist_allmennmedisin_fra=dt.date(2010, 1, 1))


def vikar(k, liste, fra, til=None, **kwargs):
    return lister_services.add_legeperiode(liste=liste, lege=vikarlege(k), rolle="LPVI", fra=fra, til=til, **kwargs)


def fastlege(k, liste, *, fra=START, til=None, **kwargs):
    return register.avtale(k, liste_=liste, startdato=fra, sluttdato=til, **kwargs)


def sak(k, liste, **fields):
    """A vacancy case, arranged directly. A new list's own case (opened when the list is made, for no
    GP) is removed first when the new one is for no GP either (one open case per list and GP)."""
    if fields.get("fastlege") is None:
        Ledighetssak.objects.filter(pasientliste=liste, fastlege__isnull=True, avsluttet__isnull=True).delete()
    fields.setdefault("arsak", "oppsigelse_lege")
    fields.setdefault("kjent", dt.date(2026, 2, 1))
    return Ledighetssak.objects.create(kommune=k, pasientliste=liste, **fields)


def rows(day=D, **kwargs) -> dict[int, sel.Tilstand]:
    return {row.liste_id: row for row in sel.tilstand(on=day, detaljer=True, **kwargs)}


def weekdays(fra: dt.date, til: dt.date, days=(0, 1, 2, 3, 4)) -> list[dt.date]:
    """Days in [fra, til) whose Python weekday (Monday 0) is in `days`."""
    return [fra + dt.timedelta(n) for n in range((til - fra).days) if (fra + dt.timedelta(n)).weekday() in days]


HORIZON_END = D + dt.timedelta(days=30)


def test_fastlege_period_ending_yesterday_today_or_tomorrow_half_open(k):
    """`til` is the first day not covered: a period with til = yesterday or today leaves the list
    without a fastlege today (since til); til = tomorrow still covers today."""
    yesterday, today, tomorrow = (register.liste(k) for _ in range(3))
    fastlege(k, yesterday, til=D - dt.timedelta(days=1))
    fastlege(k, today, til=D)
    fastlege(k, tomorrow, til=D + dt.timedelta(days=1))

    state = rows()
    assert state[yesterday.pk].hel and state[yesterday.pk].ledig_fra == D - dt.timedelta(days=1)
    assert state[today.pk].hel and state[today.pk].ledig_fra == D
    assert not state[tomorrow.pk].hel and state[tomorrow.pk].ledig_fra is None
    # Tomorrow's list becomes vacant tomorrow: its uncovered weekdays start then.
    assert state[tomorrow.pk].ledighet == "kommer"
    assert state[tomorrow.pk].forste_udekket == D + dt.timedelta(days=1)
    assert state[tomorrow.pk].udekket_dager == len(weekdays(D + dt.timedelta(days=1), HORIZON_END))
    assert state[today.pk].udekket_dager == len(weekdays(D, HORIZON_END)) == 22

    assert sel.er_ledig(liste_ids=[yesterday.pk, today.pk, tomorrow.pk], on=D) == {yesterday.pk: "hel", today.pk: "hel"}
    assert sel.er_ledig(liste_ids=[yesterday.pk, today.pk, tomorrow.pk], on=D - dt.timedelta(days=1)) == {yesterday.pk: "hel"}
    assert sel.er_ledig(liste_ids=[tomorrow.pk], on=D + dt.timedelta(days=1)) == {tomorrow.pk: "hel"}
    # The ubesatte list shows the vacant ones and the one becoming vacant within the horizon.
    assert {row.liste_id for row in sel.ubesatte(on=D)} == {yesterday.pk, today.pk, tomorrow.pk}


def test_list_without_any_fastlege_is_vacant_since_it_began_and_a_list_with_one_is_not_listed(k):
    empty = register.liste(k, fra=dt.date(2025, 6, 1))
    served = register.liste(k)
    fastlege(k, served)
    state = rows()
    assert state[empty.pk].hel and state[empty.pk].ledig_fra == dt.date(2025, 6, 1)
    assert served.pk not in state
    assert sel.er_ledig(liste_ids=[served.pk], on=D) == {}


def test_list_not_valid_on_the_day_is_not_vacant(k):
    ended = register.liste(k, fra=dt.date(2020, 1, 1))
    Pasientliste.objects.filter(pk=ended.pk).update(gyldig_til=D, sluttarsak="nedlagt")
    future = register.liste(k, fra=D + dt.timedelta(days=60))
    state = rows()
    assert ended.pk not in state and future.pk not in state
    assert rows(D - dt.timedelta(days=1))[ended.pk].hel


def test_fellesliste_vacant_part_from_the_departed_gps_notice_end(k):
    felles = register.liste(k, listetak=1500, er_fellesliste=True)
    a, b = register.lege(k), register.lege(k)
    leaves = D - dt.timedelta(days=5)
    fastlege(k, felles, lege_=a, listetak=700, til=leaves)
    fastlege(k, felles, lege_=b, listetak=800)
    Listetall.objects.create(kommune=k, pasientliste=felles, dato=dt.date(2026, 3, 1), listelengde=1600)

    # Without a case the list still has a fastlege: nothing to show.
    assert felles.pk not in rows()

    case = sak(k, felles, fastlege=a, fastlege_slutt=leaves, andel_listetak=700)
    felles.refresh_from_db()
    row = rows()[felles.pk]
    assert (row.hel, row.del_, row.ledighet) == (False, True, "del")
    assert row.ledig_fra == leaves and row.sak_id == case.pk
    # The list's listetak is now the remaining GP's part (800): the departed share is 700 of 1 500.
    assert row.listeinnbyggere == round(1600 * 700 / (felles.listetak + 700))
    assert row.udekket_dager == 22
    assert sel.er_ledig(liste_ids=[felles.pk], on=D) == {felles.pk: "del"}

    # Before the notice ends the case is announced, not a vacant part.
    before = rows(leaves - dt.timedelta(days=1))[felles.pk]
    assert (before.hel, before.del_, before.ledighet) == (False, False, "varslet")
    assert leaves.weekday() == 4 and before.forste_udekket == leaves  # a Friday

    # A closed case (a new GP took over) ends the vacant part.
    Ledighetssak.objects.filter(pk=case.pk).update(avsluttet=D)
    assert felles.pk not in rows()


def test_vikar_covers_only_its_weekdays_and_kollegial_dekning_closes_the_gap(k):
    liste = register.liste(k)
    fastlege(k, liste, til=dt.date(2026, 2, 1))
    # Vikar Monday–Wednesday (FLR: 1–3) for the whole horizon.
    vikar(k, liste, fra=dt.date(2026, 2, 1), til=D + dt.timedelta(days=60), arbeidsdager=[1, 2, 3], stillingsprosent=60)
    row = rows()[liste.pk]
    thursdays_fridays = weekdays(D, HORIZON_END, days=(3, 4))
    assert row.udekket_dager == len(thursdays_fridays) == 9
    assert row.forste_udekket == D + dt.timedelta(days=1)  # Thursday
    assert [(v.lege_navn.split()[0], v.stillingsprosent, v.arbeidsdager) for v in row.vikarer_i_dag] == [("Kari", 60, [1, 2, 3])]

    # Kollegial fraværsdekning for the first two weeks closes those Thursdays and Fridays.
    Dekning.objects.create(kommune=k, pasientliste=liste, type="kollegial", fra=D, til=D + dt.timedelta(days=14),
                           leger="Dr. Nabo")
    row = rows()[liste.pk]
    assert row.udekket_dager == len([d for d in thursdays_fridays if d >= D + dt.timedelta(days=14)]) == 5
    assert row.forste_udekket == D + dt.timedelta(days=15)  # the Thursday after
    assert [(d.type, d.leger) for d in row.dekning_i_dag] == [("kollegial", "Dr. Nabo")]

    # Other GPs at the office for the rest: no gaps left (the list is still without a fastlege).
    Dekning.objects.create(kommune=k, pasientliste=liste, type="kontoret", fra=D + dt.timedelta(days=14),
                           til=D + dt.timedelta(days=40))
    row = rows()[liste.pk]
    assert (row.hel, row.udekket_dager, row.forste_udekket) == (True, 0, None)
    assert [r.liste_id for r in sel.ubesatte(on=D, kun_udekket=True)] == []
    assert [r.liste_id for r in sel.ubesatte(on=D)] == [liste.pk]


def test_vikar_without_weekdays_covers_every_day_and_weekends_are_never_gaps(k):
    liste = register.liste(k)
    vikar(k, liste, fra=D, til=D + dt.timedelta(days=9))  # Wednesday to the Thursday after, every day
    row = rows()[liste.pk]
    assert row.forste_udekket == D + dt.timedelta(days=9)  # Friday 13 March
    assert row.udekket_dager == len(weekdays(D + dt.timedelta(days=9), HORIZON_END))


def test_uncovered_days_ahead_are_sorted_soonest_first(k):
    later, sooner, covered = (register.liste(k) for _ in range(3))
    vikar(k, later, fra=dt.date(2026, 1, 1), til=D + dt.timedelta(days=7))
    vikar(k, sooner, fra=dt.date(2026, 1, 1), til=D + dt.timedelta(days=2))
    vikar(k, covered, fra=dt.date(2026, 1, 1), til=D + dt.timedelta(days=100))
    assert [r.liste_id for r in sel.ubesatte(on=D)] == [sooner.pk, later.pk, covered.pk]


def test_hjemfall_needs_twelve_months_three_correct_advertisements_and_no_qualified_applicant(k):
    liste = register.liste(k)
    mottatt = dt.date(2025, 2, 1)
    case = sak(k, liste, kjent=mottatt, oppsigelse_mottatt=mottatt, fastlege_slutt=dt.date(2025, 8, 1),
               naeringsdrivende=True)
    for day in (dt.date(2025, 5, 1), dt.date(2025, 8, 1)):
        Utlysning.objects.create(kommune=k, sak=case, dato=day)
    Utlysning.objects.create(kommune=k, sak=case, dato=dt.date(2025, 9, 1), korrekt=False)
    assert not rows()[liste.pk].sak_hjemfall  # two correct advertisements

    Utlysning.objects.create(kommune=k, sak=case, dato=dt.date(2026, 1, 10))
    row = rows()[liste.pk]
    assert row.sak_hjemfall and row.hjemfall_sak_id == case.pk
    assert row.hjemfall_fra == dt.date(2026, 2, 1)  # twelve months after the notice, the third ad was earlier
    assert not rows(dt.date(2026, 1, 31))[liste.pk].sak_hjemfall  # under twelve months

    Soker.objects.create(kommune=k, sak=case, navn="Søker", mottatt=dt.date(2026, 1, 20), vurdering="ikke_kvalifisert")
    assert rows()[liste.pk].sak_hjemfall
    Soker.objects.create(kommune=k, sak=case, navn="Søker 2", mottatt=dt.date(2026, 1, 20), vurdering="kvalifisert")
    assert not rows()[liste.pk].sak_hjemfall

    # Not for an employed GP (not næringsdrivende).
    Soker.objects.filter(sak=case).delete()
    Ledighetssak.objects.filter(pk=case.pk).update(naeringsdrivende=False)
    assert not rows()[liste.pk].sak_hjemfall


def test_hjemfall_not_under_the_oslo_agreement(k):
    from kommune.models import Kommune

    liste = register.liste(k)
    mottatt = dt.date(2025, 1, 1)
    case = sak(k, liste, kjent=mottatt, oppsigelse_mottatt=mottatt, fastlege_slutt=dt.date(2025, 7, 1), naeringsdrivende=True)
    for month in (3, 6, 9):
        Utlysning.objects.create(kommune=k, sak=case, dato=dt.date(2025, month, 1))
    assert rows()[liste.pk].sak_hjemfall
    Kommune.objects.filter(pk=k.pk).update(avtaleregime="oslo")
    assert not rows()[liste.pk].sak_hjemfall


def test_one_statement_for_ten_or_a_hundred_lists(k, django_assert_num_queries):
    kontor = register.legekontor(k)
    lists = Pasientliste.objects.bulk_create([
        Pasientliste(kommune=k, legekontor=kontor, listetak=1000, gyldig_fra=dt.date(2020, 1, 1)) for _ in range(100)
    ])
    Listetall.objects.bulk_create([Listetall(kommune=k, pasientliste=lst, dato=dt.date(2026, 2, 1), listelengde=900) for lst in lists])
    for lst in lists[:5]:
        vikar(k, lst, fra=dt.date(2026, 1, 1), til=D + dt.timedelta(days=10))
        Dekning.objects.create(kommune=k, pasientliste=lst, type="kollegial", fra=D + dt.timedelta(days=10),
                               til=D + dt.timedelta(days=20))
        sak(k, lst)
    # One statement; inside an atomic block (as every test is) a second puts the planner settings back.
    with django_assert_num_queries(2):
        few = sel.ubesatte(on=D, legekontor_id=kontor.pk)
    assert len(few) == 100
    with CaptureQueriesContext(connection) as ctx:
        sel.tilstand(on=D, lister=[lst.pk for lst in lists[:10]], detaljer=True)
    assert len(ctx.captured_queries) == 2


def test_another_kommunes_lists_are_never_read(k, sunnfjord):
    liste = register.liste(k)
    with in_kommune(sunnfjord):
        theirs = register.liste(sunnfjord)
        assert [r.liste_id for r in sel.ubesatte(on=D)] == [theirs.pk]
    assert [r.liste_id for r in sel.ubesatte(on=D)] == [liste.pk]
