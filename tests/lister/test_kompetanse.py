"""Kompetanseforskriften § 4 (lister.kompetanse): days worked in exception counted from 31 December
2025, per arbeidsdager, once per day across lists and kommuner; the two alternative exceptions (260
days in total or 86 in the calendar year: this system's interpretation) enforced when vikar periods
are added or extended, with the kommuneoverlege's justification as the way past them; the status
overview for many doctors in one query.

Hand-counted figures used below (Monday–Friday):
- 2026-01-01 … 2026-12-31 (til 2027-01-01): 261 weekdays; til 2026-12-31: 260 (the 261st is 2026-12-31).
- 2026-01-01 … 2026-06-30: 129 weekdays; 2026-07-01 … 2026-12-31: 132.
- 2027-01-01 … 2027-04-30 (til 2027-05-01): 86 weekdays; the 87th weekday of 2027 is Monday 2027-05-03.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kommune import services as kommune_services
from lister import kompetanse, services
from lister.models import Legeperiode
from tests import register
from tests.conftest import in_kommune

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def k(bergen):
    with in_kommune(bergen):
        yield bergen


def vikar(liste, lege, fra, til=None, *, dager=(), prosent=100, begrunnelse="", over_100=""):
    return services.add_legeperiode(liste=liste, lege=lege, rolle="LPVI", fra=fra, til=til, arbeidsdager=dager,
                                    stillingsprosent=prosent, kompetanse_begrunnelse=begrunnelse,
                                    begrunnelse_over_100=over_100)


def status(lege, on):
    return kompetanse.unntak_oversikt(lege_ids=[lege.pk], on=on)[lege.pk]


def error_of(excinfo, field="kompetanse_begrunnelse"):
    errors = excinfo.value.error_dict[field]
    return errors[0].code, " ".join(m for e in errors for m in e.messages)


# --- counting ------------------------------------------------------------------------------------------


def test_relationship_begun_in_2025_counts_from_31_december_2025(k):
    lege = register.lege(k)
    vikar(register.liste(k), lege, D(2025, 12, 1), D(2026, 1, 10))
    assert (status(lege, D(2025, 12, 31)).dager_totalt, status(lege, D(2025, 12, 31)).dager_i_ar) == (1, 1)
    s = status(lege, D(2026, 1, 9))
    # 31.12.2025 (Wednesday), then 1, 2, 5–9 January 2026.
    assert (s.dager_totalt, s.dager_i_ar) == (8, 7)
    assert status(lege, D(2025, 12, 30)).dager_totalt == 0
    assert s.i_unntak and s.kompetansestatus == "ingen"
    assert (s.grense_totalt, s.grense_ar) == (260, 86)


def test_days_are_counted_across_calendar_years(k):
    lege = register.lege(k)
    vikar(register.liste(k), lege, D(2026, 12, 28), D(2027, 1, 9))
    s = status(lege, D(2027, 1, 8))
    assert (s.dager_totalt, s.dager_i_ar) == (10, 6)  # 28–31 Dec 2026, then 1 and 4–8 Jan 2027
    s = status(lege, D(2026, 12, 31))
    assert (s.dager_totalt, s.dager_i_ar, s.dager_planlagt) == (4, 4, 10)
    assert s.dager_planlagt_i_ar == 4


def test_arbeidsdager_count_only_those_weekdays_and_empty_means_monday_to_friday(k):
    mon_wed, weekend, default = register.lege(k), register.lege(k), register.lege(k)
    vikar(register.liste(k), mon_wed, D(2026, 3, 2), D(2026, 3, 16), dager=[1, 3])
    vikar(register.liste(k), weekend, D(2026, 3, 2), D(2026, 3, 16), dager=[6, 0])
    vikar(register.liste(k), default, D(2026, 3, 2), D(2026, 3, 16))
    result = kompetanse.unntak_oversikt(lege_ids=[mon_wed.pk, weekend.pk, default.pk], on=D(2026, 3, 31))
    assert result[mon_wed.pk].dager_totalt == 4  # 2, 4, 9, 11 March
    assert result[weekend.pk].dager_totalt == 4  # 7, 8, 14, 15 March
    assert result[default.pk].dager_totalt == 10


def test_a_day_worked_on_two_lists_counts_once(k):
    lege = register.lege(k)
    vikar(register.liste(k), lege, D(2026, 3, 2), D(2026, 3, 9), prosent=50)
    vikar(register.liste(k), lege, D(2026, 3, 2), D(2026, 3, 9), prosent=50, dager=[1, 2, 3, 4, 5, 6])
    assert status(lege, D(2026, 3, 31)).dager_totalt == 6  # Monday–Saturday once, not 5 + 6


def test_fastlege_periods_count_too(k):
    lege = register.lege(k)
    services.add_legeperiode(liste=register.liste(k), lege=lege, rolle="LPFL", via_fastlegeavtale=True,
                             fra=D(2026, 1, 1), til=D(2026, 7, 1))
    assert status(lege, D(2026, 12, 31)).dager_totalt == 129


# --- the two exceptions when assigning ------------------------------------------------------------------


def test_one_year_full_time_is_refused_on_day_261(k):
    lege = register.lege(k)
    with pytest.raises(ValidationError) as excinfo:
        vikar(register.liste(k), lege, D(2026, 1, 1), D(2027, 1, 1))
    code, message = error_of(excinfo)
    assert code == "kompetanse_unntak_overskredet"
    assert "31.12.2026" in message and "261" in message and "260" in message and "86" in message
    assert "kompetanseforskriften (FOR-2017-02-17-192) § 4" in message
    assert "denne løsningens tolkning" in message
    assert not Legeperiode.objects.filter(lege=lege).exists()
    vikar(register.liste(k), lege, D(2026, 1, 1), D(2026, 12, 31))  # 260 days: within the one-year exception


def test_allowed_under_the_one_year_limit_though_over_four_months_in_the_year(k):
    lege = register.lege(k)
    periode = vikar(register.liste(k), lege, D(2026, 1, 1), D(2026, 7, 1))
    s = status(lege, D(2026, 6, 30))
    assert s.dager_i_ar == 129 > s.grense_ar and s.dager_totalt <= s.grense_totalt
    assert periode.kompetanse_begrunnelse == ""


def test_allowed_under_four_months_in_the_year_though_over_one_year_in_total(k):
    lege = register.lege(k)
    vikar(register.liste(k), lege, D(2026, 1, 1), D(2026, 12, 31))  # 260 days
    vikar(register.liste(k), lege, D(2027, 1, 1), D(2027, 5, 1))  # 86 days in 2027: the four-month exception
    s = status(lege, D(2027, 4, 30))
    assert (s.dager_totalt, s.dager_i_ar) == (346, 86)
    assert s.forste_dag_utover is None


def test_refused_beyond_both_limits_names_the_first_day_and_the_counts(k):
    lege = register.lege(k)
    vikar(register.liste(k), lege, D(2026, 1, 1), D(2026, 12, 31))
    liste = register.liste(k)
    with pytest.raises(ValidationError) as excinfo:
        vikar(liste, lege, D(2027, 1, 1), D(2027, 6, 1))
    code, message = error_of(excinfo)
    assert code == "kompetanse_unntak_overskredet"
    assert "03.05.2027" in message and "347" in message and "87 i 2027" in message
    assert not liste.perioder.exists()


def test_beyond_both_limits_allowed_with_justification_which_is_stored(k):
    lege = register.lege(k)
    vikar(register.liste(k), lege, D(2026, 1, 1), D(2026, 12, 31))
    periode = vikar(register.liste(k), lege, D(2027, 1, 1), D(2027, 6, 1), begrunnelse="  Ingen andre søkere; legen starter ALIS.  ")
    periode.refresh_from_db()
    assert periode.kompetanse_begrunnelse == "Ingen andre søkere; legen starter ALIS."
    s = status(lege, D(2027, 1, 1))
    assert s.forste_dag_utover == D(2027, 5, 3)


def test_the_next_calendar_year_opens_the_four_month_exception_again(k):
    lege = register.lege(k)
    vikar(register.liste(k), lege, D(2026, 1, 1), D(2026, 12, 31))
    vikar(register.liste(k), lege, D(2027, 1, 1), D(2027, 5, 1))
    vikar(register.liste(k), lege, D(2028, 1, 3), D(2028, 2, 1))  # a new year: within 86 again
    with pytest.raises(ValidationError):
        vikar(register.liste(k), lege, D(2027, 5, 3), D(2027, 5, 4))


def test_open_ended_period_is_checked_ahead(k):
    lege = register.lege(k)
    with pytest.raises(ValidationError) as excinfo:
        vikar(register.liste(k), lege, D(2026, 1, 1))
    assert "31.12.2026" in error_of(excinfo)[1]
    # One day a week never exceeds 86 days in a year: allowed open-ended.
    vikar(register.liste(k), lege, D(2026, 1, 1), dager=[3])


@pytest.mark.parametrize("kompetanse_felt", [
    {"spesialist_allmennmedisin_fra": D(2015, 1, 1)},
    {"godkjent_allmennlege_fra": D(2010, 1, 1)},
    {"under_spesialisering_fra": D(2025, 9, 1)},
    {"hjemmel_1_mars_2017": True},
])
def test_a_doctor_with_competence_or_section_5_is_never_refused(k, kompetanse_felt):
    lege = register.lege(k, **kompetanse_felt)
    vikar(register.liste(k), lege, D(2026, 1, 1), D(2027, 1, 1))
    vikar(register.liste(k), lege, D(2027, 1, 1))
    s = status(lege, D(2027, 6, 30))
    assert not s.i_unntak and s.dager_totalt == 0 and s.forste_dag_utover is None
    assert kompetanse.check_unntak(lege=lege, fra=D(2030, 1, 1), til=None, arbeidsdager=[]) is None


def test_doctor_who_becomes_under_spesialisering_mid_period_counts_only_the_days_before(k):
    lege = register.lege(k, under_spesialisering_fra=D(2026, 7, 1))
    vikar(register.liste(k), lege, D(2026, 1, 1), D(2028, 1, 1))  # would be refused without the date
    s = status(lege, D(2027, 6, 30))
    assert s.dager_totalt == 129 and not s.i_unntak and s.kompetansestatus == "under_spesialisering"
    assert status(lege, D(2026, 6, 30)).i_unntak
    other = register.lege(k)
    with pytest.raises(ValidationError):
        vikar(register.liste(k), other, D(2026, 1, 1), D(2028, 1, 1))


# --- extending a period -----------------------------------------------------------------------------------


def test_extending_a_vikar_period_is_checked_and_needs_a_justification_beyond_the_limits(k):
    lege = register.lege(k)
    vikar(register.liste(k), lege, D(2026, 1, 1), D(2026, 12, 31))
    periode = vikar(register.liste(k), lege, D(2027, 1, 1), D(2027, 4, 1))
    services.change_legeperiode_end(periode=periode, til=D(2027, 5, 1))  # to day 86 of 2027: fine
    with pytest.raises(ValidationError) as excinfo:
        services.change_legeperiode_end(periode=periode, til=D(2027, 7, 1))
    code, message = error_of(excinfo)
    assert code == "kompetanse_unntak_overskredet" and "03.05.2027" in message
    periode.refresh_from_db()
    assert periode.til == D(2027, 5, 1)
    with pytest.raises(ValidationError):
        services.change_legeperiode_end(periode=periode, til=None)  # open-ended: checked too
    services.change_legeperiode_end(periode=periode, til=D(2027, 7, 1), kompetanse_begrunnelse="Vedtak om forlengelse.")
    periode.refresh_from_db()
    assert (periode.til, periode.kompetanse_begrunnelse) == (D(2027, 7, 1), "Vedtak om forlengelse.")
    services.change_legeperiode_end(periode=periode, til=D(2027, 6, 1))  # shortening is never refused
    periode.refresh_from_db()
    assert periode.til == D(2027, 6, 1) and periode.kompetanse_begrunnelse == "Vedtak om forlengelse."


def test_extension_counts_the_period_once(k):
    """The saved version of the period is left out (exclude_id): extending a 200-day period by 10
    days counts 210, not 410."""
    lege = register.lege(k)
    periode = vikar(register.liste(k), lege, D(2026, 1, 1), D(2026, 10, 1))
    services.change_legeperiode_end(periode=periode, til=D(2026, 12, 31))
    assert status(lege, D(2026, 12, 31)).dager_totalt == 260


# --- across kommuner ---------------------------------------------------------------------------------------


def test_days_in_two_kommuner_add_up_and_the_refusal_names_no_other_kommunes_list(k, sunnfjord):
    lege = register.lege(k)
    liste_bergen = register.liste(k, navn="Bergens hemmelige liste")
    vikar(liste_bergen, lege, D(2026, 1, 1), D(2026, 7, 1))  # 129
    with in_kommune(sunnfjord):
        linked = kommune_services.register_lege(kommune=sunnfjord, hpr_nummer=lege.hpr_nummer, fornavn=lege.fornavn,
                                                etternavn=lege.etternavn, fodselsdato=lege.fodselsdato)
        liste_sunnfjord = register.liste(sunnfjord)
        with pytest.raises(ValidationError) as excinfo:
            vikar(liste_sunnfjord, linked, D(2026, 7, 1), D(2027, 1, 1))  # 132 more: 261 on 31.12.2026
        code, message = error_of(excinfo)
        assert code == "kompetanse_unntak_overskredet" and "31.12.2026" in message and "261" in message
        assert "Bergen" not in message and "hemmelige" not in message
        vikar(liste_sunnfjord, linked, D(2026, 7, 1), D(2026, 12, 31))
        s = status(linked, D(2026, 12, 31))
        assert s.dager_totalt == 260


# --- the overview for ranking -------------------------------------------------------------------------


def test_overview_is_one_query_for_2_and_20_doctors(k):
    leger = [register.lege(k) for _ in range(20)]
    for i, lege in enumerate(leger):
        vikar(register.liste(k), lege, D(2026, 1, 1), D(2026, 3, 1) if i % 2 else None, dager=[] if i % 3 else [2],
              begrunnelse="Vedtak.")
    counts = []
    for group in (leger[:2], leger):
        with CaptureQueriesContext(connection) as ctx:
            result = kompetanse.unntak_oversikt(lege_ids=[lg.pk for lg in group], on=D(2026, 6, 1))
        assert len(result) == len(group)
        counts.append(len(ctx.captured_queries))
    assert counts == [1, 1]


def test_overview_gives_the_first_day_beyond_both_limits_and_checks_a_proposed_period(k):
    near, free = register.lege(k), register.lege(k)
    vikar(register.liste(k), near, D(2026, 1, 1), D(2026, 12, 31))
    result = kompetanse.unntak_oversikt(lege_ids=[near.pk, free.pk, 999_999_999], on=D(2026, 6, 1))
    assert 999_999_999 not in result
    assert result[near.pk].forste_dag_utover is None and result[near.pk].gjenstaende_totalt == 0
    assert result[free.pk].dager_planlagt == 0 and result[free.pk].gjenstaende_totalt == 260
    proposed = kompetanse.unntak_oversikt(lege_ids=[near.pk, free.pk], on=D(2026, 6, 1), fra=D(2027, 1, 1), til=D(2027, 6, 1))
    assert proposed[near.pk].forste_dag_utover_i_perioden == D(2027, 5, 3)
    assert (proposed[near.pk].utover_totalt, proposed[near.pk].utover_i_ar) == (347, 87)
    assert proposed[free.pk].forste_dag_utover_i_perioden is None
    # An open-ended period (justified): the first future day beyond both limits is day 261, 31.12.2027.
    vikar(register.liste(k), free, D(2027, 1, 1), begrunnelse="Vedtak.")
    assert status(free, D(2027, 1, 1)).forste_dag_utover == D(2027, 12, 31)
    assert status(free, D(2028, 6, 1)).forste_dag_utover == D(2028, 6, 1)
