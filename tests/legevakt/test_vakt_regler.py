"""legevakt.vakt_regler: who takes part, exemptions, competence (§ 3, § 3a, § 4 days), work periods
and rest breaches with office hours, and real hours across the summer-time changes."""

from __future__ import annotations

import datetime as dt

import pytest

from kommune.models import Lege
from legevakt import tid, vakt_regler
from legevakt.models import Fritak, Medlemskap, Vakt
from tests import register
from tests.conftest import in_kommune, kommune
from tests.legevakt import helpers
from tests.legevakt.helpers import oslo

pytestmark = pytest.mark.django_db

MANDAG = dt.date(2027, 3, 1)  # an ordinary week: Monday 1 – Sunday 7 March 2027


def _vakt(d, lege, start, slutt, *, type="tilstedevakt", status="aktiv", unntak=False, **fields):
    with in_kommune(d.kommune):
        return Vakt.objects.create(
            kommune=d.kommune, distrikt=d, lege=lege, type=type, vaktklasse=3 if type == "tilstedevakt" else 1, start=start,
            slutt=slutt, dagkategori=tid.dagkategori(start), status=status, avlyst_arsak="annet" if status == "avlyst" else "",
            unntak_kompetanse=unntak, **fields)


# --- participants ---------------------------------------------------------------------------------

def test_participants_are_fastleger_in_every_member_kommune_and_doctors_under_agreement(bergen, sunnfjord):
    grane = kommune("1825")
    d = helpers.distrikt(bergen, grane)
    bergenslege = helpers.fastlege(bergen, etternavn="Aas")
    granelege = helpers.fastlege(grane, etternavn="Berg")
    utenfor = helpers.fastlege(sunnfjord, etternavn="Dahl")  # a fastlege in a kommune outside the district
    with in_kommune(bergen):
        avtalelege = register.lege(bergen, etternavn="Eng")
    helpers.vaktavtale(d, avtalelege, fra=dt.date(2027, 1, 1), til=dt.date(2027, 4, 1))

    with in_kommune(bergen):
        deltakere = vakt_regler.deltakere(d, MANDAG)
        assert [(x.lege.pk, x.grunnlag) for x in deltakere] == [
            (bergenslege.pk, "fastlege"), (granelege.pk, "fastlege"), (avtalelege.pk, "avtale")]
        assert {x.kommune_id for x in deltakere if x.grunnlag == "fastlege"} == {bergen.pk, grane.pk}
        assert vakt_regler.er_deltaker(d, granelege, MANDAG)
        assert not vakt_regler.er_deltaker(d, utenfor, MANDAG)
        assert not vakt_regler.er_deltaker(d, avtalelege, dt.date(2027, 4, 1))  # the agreement has ended
        assert not vakt_regler.er_deltaker(d, bergenslege, dt.date(2024, 12, 31))  # before the fastlegeavtale


def test_a_member_kommune_that_has_left_no_longer_brings_its_fastleger(bergen):
    grane = kommune("1825")
    d = helpers.distrikt(bergen, grane)
    granelege = helpers.fastlege(grane)
    with in_kommune(bergen):
        Medlemskap.objects.filter(distrikt=d, medlem=grane).update(til=dt.date(2027, 1, 1))
        assert vakt_regler.er_deltaker(d, granelege, dt.date(2026, 12, 31))
        assert not vakt_regler.er_deltaker(d, granelege, MANDAG)
        assert granelege.pk not in {x.lege.pk for x in vakt_regler.deltakere(d, MANDAG)}


# --- exemptions -------------------------------------------------------------------------------------

def test_only_granted_exemptions_count_whichever_kommune_decided_them(bergen, sunnfjord):
    lege = helpers.fastlege(sunnfjord)
    with in_kommune(sunnfjord):
        rett = Fritak.objects.create(kommune=sunnfjord, lege=lege, type="rett_alder", fra=dt.date(2027, 2, 1), krevd=dt.date(2027, 1, 15))
        Fritak.objects.create(kommune=sunnfjord, lege=lege, type="skjonn_helse", omfang="all", fra=dt.date(2027, 2, 1),
                              vedtaksdato=dt.date(2027, 1, 20), utfall="avslatt")
        Fritak.objects.create(kommune=sunnfjord, lege=lege, type="skjonn_sosial", omfang="all", fra=dt.date(2026, 1, 1),
                              til=dt.date(2027, 1, 1), vedtaksdato=dt.date(2025, 12, 1))
    with in_kommune(bergen):  # read from another kommune: the exemption holds in every district
        result = vakt_regler.aktive_fritak([lege.pk], oslo(2027, 3, 1, 20), oslo(2027, 3, 2, 8))
    assert result == {lege.pk: [rett]}


def test_a_right_based_exemption_covers_nights_but_not_daytime_emergency_duty(sunnfjord):
    lege = helpers.fastlege(sunnfjord)
    with in_kommune(sunnfjord):
        rett = Fritak.objects.create(kommune=sunnfjord, lege=lege, type="rett_alder", fra=dt.date(2027, 1, 1), krevd=dt.date(2027, 1, 1))
    assert vakt_regler.fritak_blokkerer(rett, oslo(2027, 3, 1, 8), oslo(2027, 3, 1, 16)) == []
    assert vakt_regler.fritak_blokkerer(rett, oslo(2027, 3, 1, 15), oslo(2027, 3, 1, 17)) == [(oslo(2027, 3, 1, 16), oslo(2027, 3, 1, 17))]
    assert vakt_regler.fritak_blokkerer(rett, oslo(2027, 3, 6, 8), oslo(2027, 3, 6, 16))  # Saturday is not dagtid
    assert vakt_regler.fritak_blokkerer(rett, oslo(2027, 3, 25, 8), oslo(2027, 3, 25, 16))  # Maundy Thursday 2027


# --- competence -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("fields", "uten_bakvakt", "paragraf_3"), [
    (helpers.KVALIFISERT, True, True),
    ({**helpers.KVALIFISERT, "kurs_vold_overgrep": None}, False, True),
    ({**helpers.KVALIFISERT, "kurs_akuttmedisin": dt.date(2027, 3, 2)}, False, True),  # course taken the day after
    ({"under_spesialisering_fra": dt.date(2026, 1, 1), "kurs_akuttmedisin": dt.date(2026, 1, 1),
      "kurs_vold_overgrep": dt.date(2026, 1, 1)}, True, True),
    ({"lis1_fullfort": dt.date(2026, 1, 1), "kurs_akuttmedisin": dt.date(2026, 1, 1), "kurs_vold_overgrep": dt.date(2026, 1, 1)},
     True, False),
    ({"turnus_godkjent": dt.date(2010, 1, 1), "kurs_akuttmedisin": dt.date(2026, 1, 1), "kurs_vold_overgrep": dt.date(2026, 1, 1)},
     True, False),
    ({"hjemmel_1_mars_2017": True, "kurs_akuttmedisin": dt.date(2026, 1, 1), "kurs_vold_overgrep": dt.date(2026, 1, 1)}, True, True),
    ({"lis1_fullfort": dt.date(2026, 1, 1)}, False, False),
    ({}, False, False),
])
def test_competence_for_legevakt_without_bakvakt(fields, uten_bakvakt, paragraf_3):
    lege = Lege(hpr_nummer="1234567", fornavn="A", etternavn="B", fodselsdato=dt.date(1980, 1, 1), **fields)
    assert vakt_regler.kan_vakt_uten_bakvakt(lege, MANDAG) is uten_bakvakt
    assert vakt_regler.oppfyller_paragraf_3(lege, MANDAG) is paragraf_3


def test_exception_days_count_local_dates_a_night_as_the_day_it_starts(bergen):
    d = helpers.distrikt(bergen)
    lege = helpers.fastlege(bergen)
    annen = helpers.fastlege(bergen)
    _vakt(d, lege, oslo(2027, 3, 1, 20), oslo(2027, 3, 2, 8), unntak=True)  # 1 March
    _vakt(d, lege, oslo(2027, 3, 2, 9), oslo(2027, 3, 2, 12), unntak=True)  # 2 March
    _vakt(d, lege, oslo(2027, 3, 5, 16), oslo(2027, 3, 8, 8), type="hjemmevakt", unntak=True)  # 5, 6, 7 March
    _vakt(d, lege, oslo(2027, 3, 10, 16), oslo(2027, 3, 10, 20), unntak=True, status="avlyst")  # cancelled: not counted
    _vakt(d, lege, oslo(2027, 3, 11, 16), oslo(2027, 3, 11, 20))  # not under the exception
    _vakt(d, lege, oslo(2026, 12, 31, 20), oslo(2027, 1, 1, 8), unntak=True)  # last year
    with in_kommune(bergen):
        assert vakt_regler.unntak_dager_brukt([lege.pk, annen.pk], 2027) == {lege.pk: 5, annen.pk: 0}
        assert vakt_regler.unntak_dager_brukt([lege.pk], 2026) == {lege.pk: 1}


# --- work periods and rest ----------------------------------------------------------------------------

def test_work_periods_are_shifts_and_office_hours_on_working_days_not_holidays(bergen):
    d = helpers.distrikt(bergen)
    lege = helpers.fastlege(bergen)
    _vakt(d, lege, oslo(2027, 3, 24, 16), oslo(2027, 3, 24, 20))
    with in_kommune(bergen):
        perioder = vakt_regler.arbeidsperioder([lege.pk], dt.date(2027, 3, 24), dt.date(2027, 3, 30))[lege.pk]
    # Wednesday office hours and the evening shift merge; Maundy Thursday, Good Friday, the weekend and
    # Easter Monday (29 March) have no office hours.
    assert perioder == [(oslo(2027, 3, 24, 8), oslo(2027, 3, 24, 20))]


def test_a_night_shift_before_an_office_day_breaches_the_rest(bergen):
    lege = helpers.fastlege(bergen)
    with in_kommune(bergen):
        brudd = vakt_regler.hvilebrudd(lege, oslo(2027, 3, 2, 20), oslo(2027, 3, 3, 8))  # Tuesday night
    assert [(b.kilde, b.start, b.hvile_timer, b.etter) for b in brudd] == [
        ("kontortid", oslo(2027, 3, 2, 8), 4.0, False),  # Tuesday's office day ended 16:00
        ("kontortid", oslo(2027, 3, 3, 8), 0.0, True),  # morning surgery straight after the night
    ]
    with in_kommune(bergen):  # Sunday night: only Monday's surgery
        brudd = vakt_regler.hvilebrudd(lege, oslo(2027, 2, 28, 20), oslo(2027, 3, 1, 8))
    assert [(b.start, b.hvile_timer) for b in brudd] == [(oslo(2027, 3, 1, 8), 0.0)]


def test_duty_continuing_from_or_inside_the_office_day_is_one_work_period(bergen):
    d = helpers.distrikt(bergen)
    lege = helpers.fastlege(bergen)
    with in_kommune(bergen):
        assert vakt_regler.hvilebrudd(lege, oslo(2027, 3, 2, 8), oslo(2027, 3, 2, 16)) == []  # daytime duty in practice hours
        assert vakt_regler.hvilebrudd(lege, oslo(2027, 3, 2, 16), oslo(2027, 3, 2, 23)) == []  # straight after, 9 h before next day
        assert [b.hvile_timer for b in vakt_regler.hvilebrudd(lege, oslo(2027, 3, 2, 17), oslo(2027, 3, 2, 23))] == [1.0]
    evening = _vakt(d, lege, oslo(2027, 3, 2, 16), oslo(2027, 3, 2, 23))
    with in_kommune(bergen):
        # a hjemmevakt joining the evening shift runs into Wednesday's surgery
        brudd = vakt_regler.hvilebrudd(lege, oslo(2027, 3, 2, 23), oslo(2027, 3, 3, 7))
        assert [(b.kilde, b.hvile_timer) for b in brudd] == [("kontortid", 1.0)]
        # the shift being changed is left out: without it, 18–22 is two hours after the office day
        assert vakt_regler.hvilebrudd(lege, oslo(2027, 3, 2, 18), oslo(2027, 3, 2, 22)) == []
        brudd = vakt_regler.hvilebrudd(lege, oslo(2027, 3, 2, 18), oslo(2027, 3, 2, 22), exclude_vakt=evening)
        assert [(b.kilde, b.hvile_timer) for b in brudd] == [("kontortid", 2.0)]


def test_rest_between_two_shifts_in_different_districts(bergen, sunnfjord):
    d1 = helpers.distrikt(bergen, tidsbolk="dagtid")
    d2 = helpers.distrikt(sunnfjord, bergen, tidsbolk="utenfor_dagtid")
    with in_kommune(bergen):
        lege = register.lege(bergen)  # not a fastlege: no office hours
    _vakt(d2, lege, oslo(2027, 3, 6, 8), oslo(2027, 3, 6, 20))  # Saturday, in Sunnfjord's district
    with in_kommune(bergen):
        brudd = vakt_regler.hvilebrudd(lege, oslo(2027, 3, 7, 2), oslo(2027, 3, 7, 8))
    assert [(b.kilde, b.hvile_timer) for b in brudd] == [("vakt", 6.0)]
    assert d1.pk != d2.pk


# --- real hours across the summer-time changes ----------------------------------------------------------

def test_a_night_shift_counts_13_hours_in_october_and_11_in_march(bergen):
    d = helpers.distrikt(bergen)
    lege = helpers.fastlege(bergen)
    oktober = _vakt(d, lege, oslo(2026, 10, 24, 20), oslo(2026, 10, 25, 8))
    mars = _vakt(d, lege, oslo(2026, 3, 28, 20), oslo(2026, 3, 29, 8))
    with in_kommune(bergen):
        oktober.refresh_from_db()
        mars.refresh_from_db()
    assert oktober.timer == 13
    assert mars.timer == 11
    assert tid.elapsed_hours(oktober.start, oktober.slutt) == 13
