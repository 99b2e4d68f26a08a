"""The ALIS-avtale's rules (Helsedirektoratets mal, the specialisation requirements, the grant scheme
Nasjonal ALIS og veiledning), through the services and selectors with a real PostgreSQL. Each rule
has a test that fails when the rule is removed."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from avtaler import alis_exports, alis_selectors, alis_services
from avtaler import services as avtaler_services
from avtaler.alis_selectors import Opphorsgrunn
from avtaler.models import Alisavtale, AlisElement, AlisFravaer, AlisVeiledning
from core.dates import add_months, birthday
from core.exceptions import StaleVersion
from kommune import regler
from tests import alis_helpers, register
from tests.conftest import in_kommune

START = dt.date(2026, 1, 5)
ALIS_START = dt.date(2025, 1, 1)  # for avtaler with a year behind them


def codes(exc: pytest.ExceptionInfo) -> set[str]:
    return {e.code for errors in exc.value.error_dict.values() for e in errors}


def messages(exc: pytest.ExceptionInfo) -> str:
    return " ".join(m for errors in exc.value.message_dict.values() for m in errors)


@pytest.fixture
def k(bergen):
    with in_kommune(bergen):
        yield bergen


def create(k, lege_, **overrides):
    """create_alisavtale with a valid fastlege relationship unless overridden."""
    fields = {
        "kommune": k, "lege": lege_, "relasjon": "fastlege", "arbeidssted": "Sentrum legekontor", "stillingsprosent": 100,
        "signert": START, "veileder": alis_helpers.veileder(k),
    }
    if "fastlegeavtale" not in overrides and overrides.get("relasjon", "fastlege") == "fastlege":
        fields["fastlegeavtale"] = register.avtale(k, lege_=lege_, startdato=START)
    fields.update(overrides)
    return alis_services.create_alisavtale(**fields)


# --- stillingsprosent, dates, the doctor ------------------------------------------------------------------

def test_under_50_percent_refused_and_nothing_saved(k):
    lege = alis_helpers.alis_lege(k)
    with pytest.raises(ValidationError) as exc:
        create(k, lege, stillingsprosent=49)
    assert codes(exc) == {"under_minimum"} and set(exc.value.message_dict) == {"stillingsprosent"}
    assert regler.kilde("alis_stillingsprosent_min") in messages(exc) and "50 %" in messages(exc)
    assert not Alisavtale.objects.exists()


def test_50_percent_accepted(k):
    assert alis_helpers.alisavtale(k, stillingsprosent=50).stillingsprosent == 50


@pytest.mark.parametrize("value, code", [(101, "over_100"), (0, "under_minimum"), ("60", "ugyldig"), (None, "ugyldig")])
def test_stillingsprosent_out_of_range_refused(k, value, code):
    with pytest.raises(ValidationError) as exc:
        create(k, alis_helpers.alis_lege(k), stillingsprosent=value)
    assert codes(exc) == {code} and set(exc.value.message_dict) == {"stillingsprosent"}
    assert not Alisavtale.objects.exists()


def test_start_before_signing_refused(k):
    with pytest.raises(ValidationError) as exc:
        create(k, alis_helpers.alis_lege(k), signert=START + dt.timedelta(days=1), startdato=START)
    assert codes(exc) == {"start_for_signering"} and set(exc.value.message_dict) == {"startdato"}
    assert regler.ALIS_MAL in messages(exc)
    assert not Alisavtale.objects.exists()


def test_start_defaults_to_signing_date_and_may_be_later(k):
    a = alis_helpers.alisavtale(k)
    assert a.startdato == a.signert == alis_helpers.SIGNERT
    lege = alis_helpers.alis_lege(k)
    later = create(k, lege, startdato=START + dt.timedelta(days=10))
    assert (later.signert, later.startdato) == (START, START + dt.timedelta(days=10))


def test_signing_in_the_future_refused(k):
    future = dt.date.today() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        create(k, alis_helpers.alis_lege(k), signert=future)
    assert codes(exc) == {"fremtidig_dato"} and set(exc.value.message_dict) == {"signert"}


def test_unknown_doctor_refused(k, sunnfjord):
    with in_kommune(sunnfjord):
        other = register.lege(sunnfjord)
    with pytest.raises(ValidationError) as exc:
        alis_services.create_alisavtale(kommune=k, lege=other, relasjon="annen", stilling="Sykehjemslege",
                                        arbeidssted="Fana sykehjem", stillingsprosent=100, signert=START)
    assert codes(exc) == {"ukjent_lege"} and set(exc.value.message_dict) == {"lege"}
    assert not Alisavtale.objects.exists()


def test_a_specialist_cannot_have_an_alis_avtale(k):
    lege = register.lege(k, spesialist_allmennmedisin_fra=START)
    with pytest.raises(ValidationError) as exc:
        create(k, lege)
    assert codes(exc) == {"allerede_spesialist"} and set(exc.value.message_dict) == {"lege"}
    becomes_specialist_later = register.lege(k, spesialist_allmennmedisin_fra=START + dt.timedelta(days=1))
    assert create(k, becomes_specialist_later).pk


def test_arbeidssted_required(k):
    with pytest.raises(ValidationError) as exc:
        create(k, alis_helpers.alis_lege(k), arbeidssted="  ")
    assert set(exc.value.message_dict) == {"arbeidssted"}


# --- the underlying relationship ----------------------------------------------------------------------------

def test_fastlegeavtale_must_be_the_doctors_own(k):
    lege = alis_helpers.alis_lege(k)
    someone_elses = register.avtale(k, startdato=START)
    with pytest.raises(ValidationError) as exc:
        create(k, lege, fastlegeavtale=someone_elses)
    assert codes(exc) == {"annen_lege"} and set(exc.value.message_dict) == {"fastlegeavtale"}


def test_fastlegeavtale_must_be_signed(k):
    lege = alis_helpers.alis_lege(k)
    draft = register.avtale(k, lege_=lege, startdato=START, signed=False)
    with pytest.raises(ValidationError) as exc:
        create(k, lege, fastlegeavtale=draft)
    assert codes(exc) == {"ikke_signert"}


def test_fastlegeavtale_required_for_a_fastlege(k):
    with pytest.raises(ValidationError) as exc:
        create(k, alis_helpers.alis_lege(k), fastlegeavtale=None)
    assert codes(exc) == {"relasjon_mangler"} and set(exc.value.message_dict) == {"fastlegeavtale"}


def test_relationship_must_run_on_the_start_date(k):
    lege = alis_helpers.alis_lege(k)
    starts_later = register.avtale(k, lege_=lege, startdato=START + dt.timedelta(days=30))
    with pytest.raises(ValidationError) as exc:
        create(k, lege, fastlegeavtale=starts_later)
    assert codes(exc) == {"relasjon_ikke_lopende"} and set(exc.value.message_dict) == {"startdato"}
    vikar = alis_helpers.alis_lege(k)
    ended = alis_helpers.vikarperiode(k, lege_=vikar, fra=dt.date(2025, 6, 1), til=START)
    with pytest.raises(ValidationError) as exc:
        create(k, vikar, relasjon="vikar", vikarperiode=ended)
    assert codes(exc) == {"relasjon_ikke_lopende"}
    assert not Alisavtale.objects.exists()


def test_vikarperiode_must_be_a_vikar_period_of_the_doctor(k):
    lege = alis_helpers.alis_lege(k)
    fastlege = register.avtale(k, lege_=lege, startdato=START)
    with pytest.raises(ValidationError) as exc:
        create(k, lege, relasjon="vikar", vikarperiode=fastlege.legeperiode, fastlegeavtale=None)
    assert codes(exc) == {"annen_lege"} and set(exc.value.message_dict) == {"vikarperiode"}
    other = alis_helpers.vikarperiode(k, lege_=alis_helpers.alis_lege(k), fra=START)
    with pytest.raises(ValidationError) as exc:
        create(k, lege, relasjon="vikar", vikarperiode=other, fastlegeavtale=None)
    assert codes(exc) == {"annen_lege"}


def test_introduksjonsavtale_must_be_the_doctors_own(k):
    lege = alis_helpers.alis_lege(k)
    other = alis_helpers.introduksjonsavtale(k, lege_=alis_helpers.alis_lege(k), startdato=START)
    with pytest.raises(ValidationError) as exc:
        create(k, lege, relasjon="introduksjonslege", introduksjonsavtale=other)
    assert codes(exc) == {"annen_lege"} and set(exc.value.message_dict) == {"introduksjonsavtale"}


def test_other_municipal_doctor_needs_the_post(k):
    with pytest.raises(ValidationError) as exc:
        create(k, alis_helpers.alis_lege(k), relasjon="annen", stilling="")
    assert codes(exc) == {"relasjon_mangler"} and set(exc.value.message_dict) == {"stilling"}
    with pytest.raises(ValidationError) as exc:
        create(k, alis_helpers.alis_lege(k), relasjon="annen", stilling="Sykehjemslege", stilling_til=START)
    assert set(exc.value.message_dict) == {"stilling_til"}


def test_link_not_matching_the_relationship_refused(k):
    lege = alis_helpers.alis_lege(k)
    fastlege = register.avtale(k, lege_=lege, startdato=START)
    with pytest.raises(ValidationError) as exc:
        create(k, lege, relasjon="annen", stilling="Sykehjemslege", fastlegeavtale=fastlege)
    assert codes(exc) == {"gjelder_ikke_tilknytning"} and set(exc.value.message_dict) == {"fastlegeavtale"}
    with pytest.raises(ValidationError) as exc:
        create(k, lege, relasjon="vikar", fastlegeavtale=None)
    assert set(exc.value.message_dict) == {"vikarperiode"}
    with pytest.raises(ValidationError) as exc:
        create(k, lege, relasjon="kollega")
    assert set(exc.value.message_dict) == {"relasjon"}


# --- the veileder ----------------------------------------------------------------------------------------------

def test_veileder_must_be_specialist_unless_exemption_recorded(k):
    not_specialist = register.lege(k)
    with pytest.raises(ValidationError) as exc:
        create(k, alis_helpers.alis_lege(k), veileder=not_specialist)
    assert codes(exc) == {"veileder_ikke_spesialist"} and set(exc.value.message_dict) == {"veileder"}
    assert "spesialistforskriften § 25" in messages(exc)
    a = create(k, alis_helpers.alis_lege(k), veileder=not_specialist, veileder_unntak="Hdir 26/4411")
    assert (a.veileder_id, a.veileder_unntak) == (not_specialist.pk, "Hdir 26/4411")


def test_veileder_must_be_specialist_on_the_start_date(k):
    later = alis_helpers.veileder(k, spesialist_fra=START + dt.timedelta(days=1))
    with pytest.raises(ValidationError) as exc:
        create(k, alis_helpers.alis_lege(k), veileder=later)
    assert codes(exc) == {"veileder_ikke_spesialist"}
    on_the_day = alis_helpers.veileder(k, spesialist_fra=START)
    assert create(k, alis_helpers.alis_lege(k), veileder=on_the_day).veileder_id == on_the_day.pk


def test_alis_cannot_supervise_themself(k):
    lege = alis_helpers.alis_lege(k)
    with pytest.raises(ValidationError) as exc:
        create(k, lege, veileder=lege, veileder_unntak="Hdir 1")
    assert codes(exc) == {"egen_veileder"}


def test_veileder_from_another_kommune_refused(k, sunnfjord):
    with in_kommune(sunnfjord):
        other = alis_helpers.veileder(sunnfjord)
    with pytest.raises(ValidationError) as exc:
        create(k, alis_helpers.alis_lege(k), veileder=other)
    assert codes(exc) == {"ukjent_lege"} and set(exc.value.message_dict) == {"veileder"}


# --- one avtale at a time ---------------------------------------------------------------------------------------

def test_overlapping_avtale_for_the_same_doctor_refused_on_the_doctor_field(k):
    a = alis_helpers.alisavtale(k)
    with pytest.raises(ValidationError) as exc:
        create(k, a.lege, fastlegeavtale=a.fastlegeavtale, startdato=START + dt.timedelta(days=40))
    assert set(exc.value.message_dict) == {"lege"}
    assert "allerede en ALIS-avtale" in messages(exc)
    assert Alisavtale.objects.count() == 1


def test_overlap_written_concurrently_is_translated_to_the_doctor_field(k, monkeypatch):
    """A concurrent writer can pass validation at the same time: the exclusion constraint in the
    database then refuses the insert, with the same message on the same field, and nothing is saved."""
    a = alis_helpers.alisavtale(k)
    fastlege = a.fastlegeavtale
    veileder = alis_helpers.veileder(k)
    monkeypatch.setattr(Alisavtale, "full_clean", lambda self, *args, **kwargs: None)
    monkeypatch.setattr(alis_services, "_close_ended", lambda **kwargs: None)
    with pytest.raises(ValidationError) as exc:
        create(k, a.lege, fastlegeavtale=fastlege, veileder=veileder, startdato=START + dt.timedelta(days=40))
    assert exc.value.message_dict == {"lege": ["Legen har allerede en ALIS-avtale i kommunen i perioden."]}
    assert Alisavtale.objects.count() == 1


def test_moving_the_start_into_another_avtale_refused(k):
    lege = alis_helpers.alis_lege(k)
    first = alis_helpers.alisavtale(k, lege_=lege, relasjon="annen", signert=dt.date(2025, 1, 6), relasjon_til=dt.date(2026, 1, 6))
    alis_services.end_alisavtale(avtale=first, expected_version=first.versjon, sluttdato=dt.date(2026, 1, 6), sluttarsak="oppsagt")
    second = alis_helpers.alisavtale(k, lege_=lege, relasjon="annen", signert=dt.date(2026, 2, 1))
    with pytest.raises(ValidationError) as exc:
        alis_services.update_alisavtale(avtale=second, expected_version=second.versjon, signert=dt.date(2025, 12, 1),
                                        startdato=dt.date(2025, 12, 1))
    assert set(exc.value.message_dict) == {"lege"} and "allerede en ALIS-avtale" in messages(exc)
    second.refresh_from_db()
    assert second.startdato == dt.date(2026, 2, 1)


def test_a_new_avtale_can_follow_one_that_ended_with_its_relationship(k):
    lege = alis_helpers.alis_lege(k)
    vikar_end = dt.date(2026, 3, 1)
    first = alis_helpers.alisavtale(k, lege_=lege, relasjon="vikar", signert=dt.date(2025, 9, 1), relasjon_til=vikar_end)
    assert first.sluttdato is None and alis_selectors.opphorer(first)[0] == vikar_end
    second = alis_helpers.alisavtale(k, lege_=lege, relasjon="fastlege", signert=dt.date(2026, 4, 1))
    first.refresh_from_db()
    assert (first.sluttdato, first.sluttarsak) == (vikar_end, "annet")  # the end it had by itself is recorded
    assert second.startdato == dt.date(2026, 4, 1)


# --- the end comes by itself --------------------------------------------------------------------------------------

def test_ends_when_the_fastlegeavtale_ends_by_notice(k):
    a = alis_helpers.alisavtale(k)
    avtaler_services.record_oppsigelse(avtale=a.fastlegeavtale, part="lege", mottatt=dt.date(2026, 3, 1))
    a = alis_selectors.get_alisavtale(pk=a.pk)
    assert alis_selectors.opphorer(a) == (dt.date(2026, 9, 1), Opphorsgrunn.RELASJON)
    assert a.opphorer_kjent == a.relasjon_til == dt.date(2026, 9, 1)
    assert alis_selectors.status(a, on=dt.date(2026, 8, 31)) == "aktiv"
    assert alis_selectors.status(a, on=dt.date(2026, 9, 1)) == "opphort"


def test_ends_when_the_fastlege_turns_70(k):
    lege = alis_helpers.alis_lege(k, fodselsdato=dt.date(1957, 6, 1))
    a = alis_helpers.alisavtale(k, lege_=lege)
    assert alis_selectors.opphorer(a) == (dt.date(2027, 6, 1), Opphorsgrunn.RELASJON)


@pytest.mark.parametrize("relasjon", ["vikar", "introduksjonslege", "annen"])
def test_ends_when_the_vikariat_introduksjonsavtale_or_post_ends(k, relasjon):
    end = dt.date(2026, 10, 1)
    a = alis_selectors.get_alisavtale(pk=alis_helpers.alisavtale(k, relasjon=relasjon, relasjon_til=end).pk)
    assert alis_selectors.opphorer(a) == (end, Opphorsgrunn.RELASJON)
    assert a.opphorer_kjent == end


def test_declined_grant_ends_the_avtale(k):
    a = alis_helpers.alisavtale(k)
    a = alis_services.record_tilskudd(avtale=a, expected_version=a.versjon, tilskuddsstatus="avslatt",
                                      tilskudd_avslatt=dt.date(2026, 5, 2))
    assert alis_selectors.opphorer(a) == (dt.date(2026, 5, 2), Opphorsgrunn.TILSKUDD)
    assert alis_selectors.get_alisavtale(pk=a.pk).opphorer_kjent == dt.date(2026, 5, 2)
    assert alis_selectors.tilskudd_berettiget(a)[0] is False


def test_declined_grant_needs_a_date_not_in_the_future(k):
    a = alis_helpers.alisavtale(k)
    with pytest.raises(ValidationError) as exc:
        alis_services.record_tilskudd(avtale=a, expected_version=a.versjon, tilskuddsstatus="avslatt")
    assert codes(exc) == {"avslag_uten_dato"} and set(exc.value.message_dict) == {"tilskudd_avslatt"}
    with pytest.raises(ValidationError) as exc:
        alis_services.record_tilskudd(avtale=a, expected_version=a.versjon, tilskuddsstatus="avslatt",
                                      tilskudd_avslatt=dt.date.today() + dt.timedelta(days=1))
    assert codes(exc) == {"fremtidig_dato"}
    with pytest.raises(ValidationError) as exc:
        alis_services.record_tilskudd(avtale=a, expected_version=a.versjon, tilskuddsstatus="innvilget",
                                      tilskudd_avslatt=dt.date(2026, 5, 2))
    assert codes(exc) == {"ikke_avslatt"}
    a.refresh_from_db()
    assert a.tilskuddsstatus == "ikke_sokt"


def test_recorded_end_and_its_limits(k):
    a = alis_helpers.alisavtale(k, relasjon="vikar", relasjon_til=dt.date(2026, 10, 1))
    with pytest.raises(ValidationError) as exc:
        alis_services.end_alisavtale(avtale=a, expected_version=a.versjon, sluttdato=START, sluttarsak="oppsagt")
    assert set(exc.value.message_dict) == {"sluttdato"}
    with pytest.raises(ValidationError) as exc:
        alis_services.end_alisavtale(avtale=a, expected_version=a.versjon, sluttdato=dt.date(2026, 10, 2), sluttarsak="oppsagt")
    assert codes(exc) == {"etter_opphor"}
    with pytest.raises(ValidationError) as exc:
        alis_services.end_alisavtale(avtale=a, expected_version=a.versjon, sluttdato=dt.date(2026, 6, 1), sluttarsak="")
    assert set(exc.value.message_dict) == {"sluttarsak"}
    element = alis_services.add_alis_element(avtale=a, element="veiledning", finansiering="standard", fra=START)
    a = alis_services.end_alisavtale(avtale=a, expected_version=a.versjon, sluttdato=dt.date(2026, 6, 1), sluttarsak="oppsagt")
    element.refresh_from_db()
    assert alis_selectors.opphorer(a) == (dt.date(2026, 6, 1), Opphorsgrunn.SLUTTDATO)
    assert element.til == dt.date(2026, 6, 1)
    with pytest.raises(StaleVersion):
        alis_services.end_alisavtale(avtale=a, expected_version=a.versjon - 1, sluttdato=dt.date(2026, 5, 1), sluttarsak="oppsagt")


# --- the five-year limit ---------------------------------------------------------------------------------------------

def test_five_years_at_full_time(k):
    a = alis_helpers.alisavtale(k)
    assert alis_selectors.maks_slutt(a) == dt.date(2031, 1, 5)
    assert alis_selectors.opphorer(a) == (dt.date(2031, 1, 5), Opphorsgrunn.MAKS)
    assert alis_selectors.status(a, on=dt.date(2031, 1, 4)) == "aktiv"
    assert alis_selectors.status(a, on=dt.date(2031, 1, 5)) == "opphort"


def test_five_year_limit_extended_for_60_percent(k):
    a = alis_helpers.alisavtale(k, stillingsprosent=60)
    days_5y = (dt.date(2031, 1, 5) - START).days
    assert days_5y == 1826  # 2028 is a leap year
    assert alis_selectors.maks_slutt(a) == START + dt.timedelta(days=3044)  # ceil(1826 × 100 / 60) = ceil(3043.33)
    assert alis_selectors.maks_slutt(a) == dt.date(2034, 5, 7)


def test_five_year_limit_extended_for_absence(k):
    a = alis_helpers.alisavtale(k)
    alis_services.add_alis_fravaer(avtale=a, type="foreldrepermisjon", fra=dt.date(2027, 3, 1), til=dt.date(2027, 3, 1) + dt.timedelta(days=49))
    assert alis_selectors.maks_slutt(a) == dt.date(2031, 1, 5) + dt.timedelta(days=49)


def test_part_time_and_absence_together(k):
    a = alis_helpers.alisavtale(k, stillingsprosent=60)
    alis_services.add_alis_fravaer(avtale=a, type="sykdom", fra=dt.date(2026, 6, 1), til=dt.date(2026, 6, 11))
    assert alis_selectors.maks_slutt(a) == START + dt.timedelta(days=3044 + 10)


def test_absence_beyond_the_base_limit_counts_once_the_limit_is_extended(k):
    """Iterate until stable: the first absence moves the limit past the start of the second."""
    a = alis_helpers.alisavtale(k)
    base = dt.date(2031, 1, 5)
    first = AlisFravaer(fra=dt.date(2027, 1, 1), til=dt.date(2027, 1, 1) + dt.timedelta(days=100))
    second = AlisFravaer(fra=base + dt.timedelta(days=50), til=base + dt.timedelta(days=80))  # inside [base, base+100)
    third = AlisFravaer(fra=base + dt.timedelta(days=200), til=base + dt.timedelta(days=210))  # beyond base+130
    assert alis_selectors.maks_slutt(a, fravaer=[third, second, first]) == base + dt.timedelta(days=130)
    straddling = AlisFravaer(fra=base - dt.timedelta(days=10), til=base + dt.timedelta(days=20))
    assert alis_selectors.maks_slutt(a, fravaer=[straddling]) == base + dt.timedelta(days=30)
    before_start = AlisFravaer(fra=START - dt.timedelta(days=10), til=START + dt.timedelta(days=5))
    assert alis_selectors.maks_slutt(a, fravaer=[before_start]) == base + dt.timedelta(days=5)


def test_five_year_limit_from_29_february(k):
    lege = alis_helpers.alis_lege(k)
    a = alis_helpers.alisavtale(k, lege_=lege, relasjon="annen", signert=dt.date(2024, 2, 29))
    assert alis_selectors.maks_slutt(a) == dt.date(2029, 3, 1)


def test_date_math_is_calendar_days_across_daylight_saving_changes(k):
    """Summer time starts 29 March 2026 and ends 25 October 2026 in Norway: no day is lost or gained."""
    a = alis_helpers.alisavtale(k, relasjon="annen", signert=dt.date(2026, 3, 28), stillingsprosent=50)
    full = (dt.date(2031, 3, 28) - dt.date(2026, 3, 28)).days
    assert alis_selectors.maks_slutt(a) == dt.date(2026, 3, 28) + dt.timedelta(days=2 * full)
    alis_services.add_alis_fravaer(avtale=a, type="sykdom", fra=dt.date(2026, 10, 24), til=dt.date(2026, 10, 27))
    assert alis_selectors.maks_slutt(a) == dt.date(2026, 3, 28) + dt.timedelta(days=2 * full + 3)


# --- absence, elements, service --------------------------------------------------------------------------------------

def test_absence_out_of_order_or_outside_the_avtale_refused(k):
    a = alis_helpers.alisavtale(k, relasjon="vikar", relasjon_til=dt.date(2026, 10, 1))
    with pytest.raises(ValidationError) as exc:
        alis_services.add_alis_fravaer(avtale=a, type="sykdom", fra=dt.date(2026, 5, 10), til=dt.date(2026, 5, 1))
    assert set(exc.value.message_dict) == {"til"}
    with pytest.raises(ValidationError) as exc:
        alis_services.add_alis_fravaer(avtale=a, type="sykdom", fra=dt.date(2025, 12, 1), til=dt.date(2026, 2, 1))
    assert codes(exc) == {"for_tidlig"}
    with pytest.raises(ValidationError) as exc:
        alis_services.add_alis_fravaer(avtale=a, type="sykdom", fra=dt.date(2026, 10, 1), til=dt.date(2026, 10, 5))
    assert codes(exc) == {"etter_opphor"}
    with pytest.raises(ValidationError) as exc:
        alis_services.add_alis_fravaer(avtale=a, type="ferie", fra=dt.date(2026, 5, 1), til=dt.date(2026, 5, 5))
    assert set(exc.value.message_dict) == {"type"}
    assert not AlisFravaer.objects.exists()


def test_overlapping_absence_refused_and_deletion_restores_the_limit(k):
    a = alis_helpers.alisavtale(k)
    f = alis_services.add_alis_fravaer(avtale=a, type="sykdom", fra=dt.date(2026, 5, 1), til=dt.date(2026, 5, 11))
    with pytest.raises(ValidationError) as exc:
        alis_services.add_alis_fravaer(avtale=a, type="permisjon", fra=dt.date(2026, 5, 10), til=dt.date(2026, 5, 20))
    assert set(exc.value.message_dict) == {"fra"}
    assert alis_selectors.maks_slutt(a) == dt.date(2031, 1, 15)
    alis_services.delete_alis_fravaer(fravaer=f)
    assert alis_selectors.maks_slutt(a) == dt.date(2031, 1, 5)


def test_elements_inside_the_avtale_without_overlap(k):
    a = alis_helpers.alisavtale(k)
    e = alis_services.add_alis_element(avtale=a, element="veiledning", finansiering="standard", fra=START, beskrivelse=" 4 t/mnd ")
    assert e.beskrivelse == "4 t/mnd" and e.til is None
    with pytest.raises(ValidationError) as exc:
        alis_services.add_alis_element(avtale=a, element="veiledning", finansiering="tillegg", fra=dt.date(2026, 3, 1))
    assert set(exc.value.message_dict) == {"fra"} and "allerede dette elementet" in messages(exc)
    with pytest.raises(ValidationError) as exc:
        alis_services.add_alis_element(avtale=a, element="kurs", finansiering="standard", fra=dt.date(2025, 12, 1))
    assert codes(exc) == {"for_tidlig"}
    with pytest.raises(ValidationError) as exc:
        alis_services.add_alis_element(avtale=a, element="kurs", finansiering="stat", fra=START)
    assert set(exc.value.message_dict) == {"finansiering"}
    with pytest.raises(ValidationError):
        alis_services.end_alis_element(element=e, expected_version=e.versjon, til=START)
    e = alis_services.end_alis_element(element=e, expected_version=e.versjon, til=dt.date(2026, 6, 1))
    assert e.til == dt.date(2026, 6, 1)
    with pytest.raises(StaleVersion):
        alis_services.end_alis_element(element=e, expected_version=e.versjon - 1, til=dt.date(2026, 7, 1))
    assert AlisElement.objects.count() == 1


def test_service_time_rules(k):
    a = alis_helpers.alisavtale(k)
    with pytest.raises(ValidationError) as exc:
        alis_services.add_alis_tjeneste(avtale=a, type="institusjon", sted="Haukeland", stillingsprosent=40,
                                        fra=dt.date(2026, 2, 1), til=dt.date(2026, 8, 1))
    assert codes(exc) == {"under_minimum"} and set(exc.value.message_dict) == {"stillingsprosent"}
    with pytest.raises(ValidationError) as exc:
        alis_services.add_alis_tjeneste(avtale=a, type="institusjon", sted="", stillingsprosent=100,
                                        fra=dt.date(2026, 2, 1), til=dt.date(2026, 8, 1))
    assert set(exc.value.message_dict) == {"sted"}
    with pytest.raises(ValidationError) as exc:
        alis_services.add_alis_tjeneste(avtale=a, type="institusjon", sted="Haukeland", stillingsprosent=100,
                                        fra=dt.date(2026, 8, 1), til=dt.date(2026, 2, 1))
    assert set(exc.value.message_dict) == {"til"}
    earlier = alis_services.add_alis_tjeneste(avtale=a, type="annen_allmenn", sted="Fana sykehjem", stillingsprosent=100,
                                              fra=dt.date(2025, 1, 1), til=START)  # service before the avtale counts
    assert earlier.pk
    alis_services.add_alis_tjeneste(avtale=a, type="apen_uselektert", sted="Sentrum", stillingsprosent=100,
                                    fra=START, til=dt.date(2027, 1, 5))
    with pytest.raises(ValidationError) as exc:
        alis_services.add_alis_tjeneste(avtale=a, type="institusjon", sted="Haukeland", stillingsprosent=100,
                                        fra=dt.date(2026, 12, 1), til=dt.date(2027, 6, 1))
    assert set(exc.value.message_dict) == {"fra"} and "overlapper" in messages(exc)


# --- updates ---------------------------------------------------------------------------------------------------------

def test_update_rechecks_the_rules_and_saves_nothing_on_refusal(k):
    a = alis_helpers.alisavtale(k)
    version = a.versjon
    with pytest.raises(ValidationError) as exc:
        alis_services.update_alisavtale(avtale=a, expected_version=version, stillingsprosent=40)
    assert codes(exc) == {"under_minimum"}
    with pytest.raises(ValidationError) as exc:
        alis_services.update_alisavtale(avtale=a, expected_version=version, startdato=START - dt.timedelta(days=1))
    assert codes(exc) == {"start_for_signering"}
    with pytest.raises(ValidationError) as exc:
        alis_services.update_alisavtale(avtale=a, expected_version=version, veileder=register.lege(k))
    assert codes(exc) == {"veileder_ikke_spesialist"}
    with pytest.raises(ValidationError) as exc:
        alis_services.update_alisavtale(avtale=a, expected_version=version, lege=register.lege(k))
    assert set(exc.value.message_dict) == {"lege"}
    a.refresh_from_db()
    assert (a.versjon, a.stillingsprosent, a.startdato) == (version, 100, START)
    a = alis_services.update_alisavtale(avtale=a, expected_version=version, stillingsprosent=80, arbeidssted=" Fana ")
    assert (a.stillingsprosent, a.arbeidssted, a.versjon) == (80, "Fana", version + 1)
    assert alis_selectors.maks_slutt(a) == START + dt.timedelta(days=-(-1826 * 100 // 80))
    with pytest.raises(StaleVersion):
        alis_services.update_alisavtale(avtale=a, expected_version=version, stillingsprosent=90)


def test_update_to_another_relationship(k):
    a = alis_helpers.alisavtale(k)
    a = alis_services.update_alisavtale(avtale=a, expected_version=a.versjon, relasjon="annen", stilling="Sykehjemslege",
                                        stilling_til=dt.date(2027, 1, 1))
    assert (a.relasjon, a.fastlegeavtale_id, a.stilling) == ("annen", None, "Sykehjemslege")
    assert alis_selectors.opphorer(a) == (dt.date(2027, 1, 1), Opphorsgrunn.RELASJON)
    a = alis_services.update_alisavtale(avtale=a, expected_version=a.versjon, relasjon="annen", stilling="Legevaktlege")
    assert (a.stilling, a.stilling_til) == ("Legevaktlege", dt.date(2027, 1, 1))  # same relationship: the link is kept
    intro = alis_helpers.introduksjonsavtale(k, lege_=a.lege, startdato=START)
    a = alis_services.update_alisavtale(avtale=a, expected_version=a.versjon, relasjon="introduksjonslege",
                                        introduksjonsavtale=intro)
    assert (a.relasjon, a.introduksjonsavtale_id, a.stilling_til) == ("introduksjonslege", intro.pk, None)


# --- supervision ---------------------------------------------------------------------------------------------------------

def months(fra: dt.date, count: int) -> list[dt.date]:
    return [add_months(fra, n) for n in range(count)]


def test_supervision_average_over_10_5_months_and_a_shortfall_flagged(k):
    on_pace = alis_helpers.alisavtale(k, signert=ALIS_START)
    behind = alis_helpers.alisavtale(k, signert=ALIS_START)
    for maned in months(ALIS_START, 12):  # year 1: 12 months
        alis_services.record_veiledning(avtale=on_pace, maned=maned, individuelle_timer=Decimal("3.5"), gruppetimer=0)
        alis_services.record_veiledning(avtale=behind, maned=maned, individuelle_timer=3, gruppetimer=0)
    for maned in months(dt.date(2026, 1, 1), 10):  # year 2 so far: January–October
        alis_services.record_veiledning(avtale=on_pace, maned=maned, individuelle_timer=4, gruppetimer=0)
        alis_services.record_veiledning(avtale=behind, maned=maned, individuelle_timer=3, gruppetimer=0)
    on = dt.date(2026, 11, 24)
    good, bad = alis_selectors.progresjon(on_pace, on=on), alis_selectors.progresjon(behind, on=on)

    year1, year2 = good.veiledningsar
    assert (year1.timer, year1.krav, year1.snitt, year1.fullfort, year1.etter) == (Decimal(42), Decimal(42), Decimal("4.00"), True, False)
    assert (year2.fra, year2.til, year2.timer, year2.forventet, year2.etter) == (
        dt.date(2026, 1, 1), dt.date(2027, 1, 1), Decimal(40), Decimal(40), False)  # 10 whole months × 4 h
    assert not [m for m in good.mangler if m.type == "veiledning"]

    year1, year2 = bad.veiledningsar
    assert (year1.timer, year1.snitt, year1.etter, year1.mangler_timer) == (Decimal(36), Decimal("3.43"), True, Decimal(6))
    assert (year2.timer, year2.forventet, year2.etter, year2.mangler_timer) == (Decimal(30), Decimal(40), True, Decimal(12))
    shortfalls = [m for m in bad.mangler if m.type == "veiledning"]
    assert [m.frist for m in shortfalls] == [dt.date(2026, 1, 1), dt.date(2027, 1, 1)]
    assert "12 timer mangler" in shortfalls[1].beskrivelse and regler.kilde("alis_veiledning_timer_per_maned") in shortfalls[1].beskrivelse


def test_lawful_absence_lowers_the_years_supervision_requirement_in_proportion(k):
    """No supervision is owed while the doctor is away: 92 of 365 days absent in year 2 leave
    42 × 273/365 = 31.41 hours required, and the pace by 1 November counts only days present."""
    a = alis_helpers.alisavtale(k, signert=ALIS_START)
    alis_services.add_alis_fravaer(avtale=a, type="foreldrepermisjon", fra=dt.date(2026, 3, 1), til=dt.date(2026, 6, 1))
    for maned in (*months(dt.date(2026, 1, 1), 2), *months(dt.date(2026, 6, 1), 5)):  # Jan–Feb, Jun–Oct
        alis_services.record_veiledning(avtale=a, maned=maned, individuelle_timer=4, gruppetimer=0)
    year2 = alis_selectors.progresjon(a, on=dt.date(2026, 11, 1)).veiledningsar[1]
    assert year2.krav == Decimal("31.41")
    # 10 whole months elapsed, 92 of 304 days absent: 4 × 10 × 212/304 = 27.89 expected; 28 recorded.
    assert (year2.timer, year2.forventet, year2.etter) == (Decimal(28), Decimal("27.89"), False)
    without = alis_helpers.alisavtale(k, signert=ALIS_START)
    for maned in (*months(dt.date(2026, 1, 1), 2), *months(dt.date(2026, 6, 1), 5)):
        alis_services.record_veiledning(avtale=without, maned=maned, individuelle_timer=4, gruppetimer=0)
    assert alis_selectors.progresjon(without, on=dt.date(2026, 11, 1)).veiledningsar[1].etter  # the control: behind


def test_expected_supervision_stops_at_10_5_months(k):
    a = alis_helpers.alisavtale(k, signert=ALIS_START)
    for maned in months(dt.date(2026, 1, 1), 10):
        alis_services.record_veiledning(avtale=a, maned=maned, individuelle_timer=Decimal("4.2"), gruppetimer=0)
    year2 = alis_selectors.progresjon(a, on=dt.date(2026, 12, 20)).veiledningsar[1]
    assert year2.forventet == Decimal(42) and year2.timer == Decimal(42) and not year2.etter  # 11 months elapsed, capped
    assert alis_selectors.progresjon(a, on=dt.date(2026, 10, 31)).veiledningsar[1].forventet == Decimal(36)  # 9 whole months


def test_supervision_month_is_counted_in_the_avtale_year_it_falls_in(k):
    a = alis_helpers.alisavtale(k, relasjon="annen", signert=dt.date(2025, 3, 15))
    alis_services.record_veiledning(avtale=a, maned=dt.date(2025, 3, 1), individuelle_timer=2, gruppetimer=0)  # the start month
    alis_services.record_veiledning(avtale=a, maned=dt.date(2026, 3, 1), individuelle_timer=5, gruppetimer=0)  # before 15 March
    alis_services.record_veiledning(avtale=a, maned=dt.date(2026, 4, 1), individuelle_timer=7, gruppetimer=0)
    year1, year2 = alis_selectors.progresjon(a, on=dt.date(2026, 11, 1)).veiledningsar
    assert (year1.fra, year1.til, year1.timer) == (dt.date(2025, 3, 15), dt.date(2026, 3, 15), Decimal(7))
    assert (year2.fra, year2.timer) == (dt.date(2026, 3, 15), Decimal(7))
    assert alis_selectors.progresjon(a, on=dt.date(2026, 3, 15)).veiledningsar[1].forventet == 0  # first day of year 2


def test_record_veiledning_rules(k):
    a = alis_helpers.alisavtale(k, relasjon="vikar", relasjon_til=dt.date(2026, 6, 1))
    bad = [
        ({"maned": dt.date(2026, 2, 2)}, "ikke_forste"),
        ({"maned": add_months(dt.date.today().replace(day=1), 1)}, "fremtidig_dato"),
        ({"maned": dt.date(2025, 12, 1)}, "for_tidlig"),
        ({"maned": dt.date(2026, 6, 1)}, "etter_opphor"),
    ]
    for change, code in bad:
        with pytest.raises(ValidationError) as exc:
            alis_services.record_veiledning(avtale=a, **({"individuelle_timer": 4, "gruppetimer": 0} | change))
        assert codes(exc) == {code} and set(exc.value.message_dict) == {"maned"}
    with pytest.raises(ValidationError) as exc:
        alis_services.record_veiledning(avtale=a, maned=dt.date(2026, 2, 1), individuelle_timer=-1, gruppetimer=0)
    assert set(exc.value.message_dict) == {"individuelle_timer"}
    with pytest.raises(ValidationError) as exc:
        alis_services.record_veiledning(avtale=a, maned=dt.date(2026, 2, 1), individuelle_timer=4, gruppetimer="mye")
    assert set(exc.value.message_dict) == {"gruppetimer"}
    assert not AlisVeiledning.objects.exists()
    # The January month of a start on 5 January is inside the avtale; a second entry updates the month.
    row = alis_services.record_veiledning(avtale=a, maned=dt.date(2026, 1, 1), individuelle_timer=3, gruppetimer=6)
    row = alis_services.record_veiledning(avtale=a, maned=dt.date(2026, 1, 1), individuelle_timer="4.5", gruppetimer=6,
                                          expected_version=row.versjon)
    assert AlisVeiledning.objects.get().individuelle_timer == Decimal("4.5")
    with pytest.raises(StaleVersion):
        alis_services.record_veiledning(avtale=a, maned=dt.date(2026, 1, 1), individuelle_timer=5, gruppetimer=6,
                                        expected_version=row.versjon - 1)
    assert AlisVeiledning.objects.get().individuelle_timer == Decimal("4.5")


def test_group_supervision_total_and_in_open_practice(k):
    a = alis_helpers.alisavtale(k)
    alis_services.add_alis_tjeneste(avtale=a, type="institusjon", sted="Haukeland", stillingsprosent=100,
                                    fra=START, til=dt.date(2026, 4, 1))
    alis_services.add_alis_tjeneste(avtale=a, type="apen_uselektert", sted="Sentrum", stillingsprosent=100,
                                    fra=dt.date(2026, 4, 1), til=dt.date(2028, 4, 1))
    for maned in months(dt.date(2026, 1, 1), 10):
        alis_services.record_veiledning(avtale=a, maned=maned, individuelle_timer=4, gruppetimer=6)
    p = alis_selectors.progresjon(a, on=dt.date(2026, 11, 24))
    assert (p.gruppetimer, p.gruppetimer_apen) == (Decimal(60), Decimal(42))  # April–October in open practice
    assert (p.gruppetimer_krav, p.gruppetimer_apen_krav) == (Decimal(120), Decimal(60))
    group = {m.type: m for m in p.mangler if m.type.startswith("gruppe")}
    end = dt.date(2031, 1, 5)  # five years at full time
    assert group["gruppeveiledning"].frist == end - dt.timedelta(days=366)  # 60 h at 60 h/year = 365.25 days → 366
    assert group["gruppeveiledning_apen"].frist == end - dt.timedelta(days=110)  # 18 h: 109.575 days → 110
    assert regler.kilde("alis_gruppeveiledning_timer") in group["gruppeveiledning"].beskrivelse


def test_group_supervision_frist_is_set_by_the_five_year_limit(k):
    """The specialisation's time frame is the five years (stretched for part time), not a short
    underlying relationship: a nine-month vikariat does not make the group hours late from day one."""
    a = alis_helpers.alisavtale(k, relasjon="vikar", relasjon_til=dt.date(2026, 10, 1), stillingsprosent=50)
    p = alis_selectors.progresjon(a, on=dt.date(2026, 2, 1))
    group = {m.type: m for m in p.mangler}
    assert p.maks_slutt == START + dt.timedelta(days=2 * 1826)
    assert group["gruppeveiledning"].frist == p.maks_slutt - dt.timedelta(days=731)  # 120 h at 60 h/year: 730.5 days


def test_service_time_progress_and_latest_start(k):
    a = alis_helpers.alisavtale(k, stillingsprosent=80)
    alis_services.add_alis_tjeneste(avtale=a, type="apen_uselektert", sted="Sentrum", stillingsprosent=100,
                                    fra=START, til=dt.date(2026, 7, 5))
    alis_services.add_alis_tjeneste(avtale=a, type="apen_uselektert", sted="Sentrum", stillingsprosent=50,
                                    fra=dt.date(2026, 7, 5), til=dt.date(2027, 7, 5))
    p = alis_selectors.progresjon(a, on=dt.date(2026, 11, 24))
    apen, institusjon = p.tjenestetid("apen_uselektert"), p.tjenestetid("institusjon")
    done_days = Decimal(181) + Decimal(142) / 2  # 5 Jan–5 Jul at 100 %, 5 Jul–24 Nov at 50 %
    assert apen.dager == done_days and apen.maneder == (done_days / alis_selectors.DAGER_PER_MANED).quantize(Decimal("0.1"))
    assert apen.planlagt_maneder == (Decimal(223) / 2 / alis_selectors.DAGER_PER_MANED).quantize(Decimal("0.1"))
    assert apen.krav_maneder == 24 and apen.gjenstar_maneder > 0
    assert (institusjon.maneder, institusjon.krav_maneder, institusjon.gjenstar_maneder) == (0, 6, 6)
    maks = alis_selectors.maks_slutt(a)
    shortfalls = {m.type: m for m in p.mangler}
    # 6 months = 182.625 full-time days; at 80 % 228.28 calendar days → 229
    assert shortfalls["tjeneste_institusjon"].frist == maks - dt.timedelta(days=229)
    # 24 months = 730.5 days, less 252 served and 111.5 planned = 367 full-time days; at 80 % 458.75 → 459
    assert apen.gjenstar_dager == Decimal("367.0000") and shortfalls["tjeneste_apen_uselektert"].frist == maks - dt.timedelta(days=459)
    assert regler.kilde("alis_institusjon_min_maneder") in shortfalls["tjeneste_institusjon"].beskrivelse


def test_service_requirement_met_gives_no_shortfall(k):
    a = alis_helpers.alisavtale(k)
    alis_services.add_alis_tjeneste(avtale=a, type="institusjon", sted="Haukeland", stillingsprosent=100,
                                    fra=dt.date(2024, 1, 1), til=dt.date(2024, 7, 2))  # 183 days ≥ 182.625
    p = alis_selectors.progresjon(a, on=dt.date(2026, 11, 24))
    assert p.tjenestetid("institusjon").gjenstar_maneder == 0
    assert "tjeneste_institusjon" not in {m.type for m in p.mangler}


def test_missing_veileder_is_a_shortfall_from_the_start(k):
    a = alis_helpers.alisavtale(k, veileder=None)
    p = alis_selectors.progresjon(a, on=dt.date(2026, 2, 1))
    assert p.neste_mangel.type == "veileder" and p.neste_mangel.frist == START
    assert [m.frist for m in p.mangler] == sorted(m.frist for m in p.mangler)
    with_veileder = alis_selectors.progresjon(alis_helpers.alisavtale(k), on=dt.date(2026, 2, 1))
    assert "veileder" not in {m.type for m in with_veileder.mangler}


def test_an_ended_avtale_has_no_shortfalls(k):
    a = alis_helpers.alisavtale(k, relasjon="vikar", relasjon_til=dt.date(2026, 6, 1), veileder=None)
    assert alis_selectors.progresjon(a, on=dt.date(2026, 5, 31)).mangler
    p = alis_selectors.progresjon(a, on=dt.date(2026, 6, 1))
    assert p.mangler == [] and p.neste_mangel is None and p.opphorer == dt.date(2026, 6, 1)


# --- grant eligibility ---------------------------------------------------------------------------------------------------

def test_vikarbyra_doctor_is_not_grant_eligible(k):
    a = alis_helpers.alisavtale(k, relasjon="vikar", vikarbyra=True)
    ok, reasons = alis_selectors.tilskudd_berettiget(a)
    assert not ok and len(reasons) == 1 and "vikarbyrå" in reasons[0] and regler.ALIS_TILSKUDD in reasons[0]
    with pytest.raises(ValidationError) as exc:
        alis_services.record_tilskudd(avtale=a, expected_version=a.versjon, tilskuddsstatus="sokt")
    assert codes(exc) == {"ikke_berettiget"}
    a.refresh_from_db()
    assert a.tilskuddsstatus == "ikke_sokt"
    assert alis_selectors.tilskudd_berettiget(alis_helpers.alisavtale(k))[0] is True


def test_ineligible_avtale_cannot_be_created_or_updated_as_granted(k):
    with pytest.raises(ValidationError) as exc:
        alis_helpers.alisavtale(k, relasjon="vikar", vikarbyra=True, tilskuddsstatus="innvilget")
    assert codes(exc) == {"ikke_berettiget"} and set(exc.value.message_dict) == {"tilskuddsstatus"}
    assert not Alisavtale.objects.filter(vikarbyra=True).exists()
    a = alis_helpers.alisavtale(k, tilskuddsstatus="innvilget")
    with pytest.raises(ValidationError) as exc:
        alis_services.update_alisavtale(avtale=a, expected_version=a.versjon, vikarbyra=True)
    assert codes(exc) == {"ikke_berettiget"}
    a.refresh_from_db()
    assert a.vikarbyra is False
    a = alis_services.update_alisavtale(avtale=a, expected_version=a.versjon, vikarbyra=True, tilskuddsstatus="ikke_sokt")
    assert (a.vikarbyra, a.tilskuddsstatus) == (True, "ikke_sokt")


@pytest.mark.parametrize("fra, til, eligible", [
    (dt.date(2026, 1, 5), dt.date(2026, 4, 5), False),  # exactly three months
    (dt.date(2026, 1, 5), dt.date(2026, 4, 6), True),  # three months and a day
    (dt.date(2026, 1, 5), dt.date(2026, 2, 5), False),
    (dt.date(2025, 11, 30), dt.date(2026, 2, 28), False),  # three months, at a month's end
    (dt.date(2025, 11, 30), dt.date(2026, 3, 1), True),
    (dt.date(2026, 1, 5), None, True),  # open-ended
])
def test_vikar_of_three_months_or_less_is_not_grant_eligible(k, fra, til, eligible):
    a = alis_helpers.alisavtale(k, relasjon="vikar", signert=fra, relasjon_til=til)
    ok, reasons = alis_selectors.tilskudd_berettiget(a)
    assert ok is eligible
    if not eligible:
        assert "tre måneder" in reasons[0] or "3 måneder" in reasons[0]
        assert regler.kilde("alis_vikar_tilskudd_min_maneder") in reasons[0]


def test_grant_can_be_applied_for_and_granted(k):
    a = alis_helpers.alisavtale(k)
    a = alis_services.record_tilskudd(avtale=a, expected_version=a.versjon, tilskuddsstatus="sokt")
    a = alis_services.record_tilskudd(avtale=a, expected_version=a.versjon, tilskuddsstatus="innvilget")
    assert a.tilskuddsstatus == "innvilget" and alis_selectors.opphorer(a)[1] == Opphorsgrunn.MAKS
    with pytest.raises(StaleVersion):
        alis_services.record_tilskudd(avtale=a, expected_version=a.versjon - 1, tilskuddsstatus="sokt")


# --- rates and the claim basis --------------------------------------------------------------------------------------------

def test_rate_table_rules(k):
    s = alis_services.create_alis_sats(kommune=k, element="veiledning", gyldig_fra=dt.date(2026, 1, 1), manedsbelop="3100",
                                       kilde=" Hdir 2026 ")
    assert (s.manedsbelop, s.relasjon, s.kilde) == (Decimal("3100"), "", "Hdir 2026")
    with pytest.raises(ValidationError) as exc:
        alis_services.create_alis_sats(kommune=k, element="veiledning", gyldig_fra=dt.date(2026, 1, 1), manedsbelop=1)
    assert set(exc.value.message_dict) == {"gyldig_fra"}
    specific = alis_services.create_alis_sats(kommune=k, element="veiledning", relasjon="vikar", gyldig_fra=dt.date(2026, 1, 1),
                                              manedsbelop=1)
    assert specific.pk
    for bad in ({"manedsbelop": -1}, {"manedsbelop": "x"}, {"element": "ferie"}, {"relasjon": "kollega"}):
        with pytest.raises(ValidationError) as exc:
            alis_services.create_alis_sats(**({"kommune": k, "element": "kurs", "gyldig_fra": dt.date(2026, 1, 1),
                                                "manedsbelop": 1} | bad))
        assert set(exc.value.message_dict) == set(bad)
    s = alis_services.update_alis_sats(sats=s, expected_version=s.versjon, manedsbelop="3200.50")
    assert s.manedsbelop == Decimal("3200.50")
    with pytest.raises(StaleVersion):
        alis_services.update_alis_sats(sats=s, expected_version=s.versjon - 1, manedsbelop=1)
    with pytest.raises(ValidationError):
        alis_services.update_alis_sats(sats=s, expected_version=s.versjon, kommune=k)


def claim_data(k):
    """A fixed data set: rates that change on 1 March, a fastlege at 100 % with absence, another
    municipal doctor at 60 % with institutional service outside the kommune, a vikarbyrå vikar."""
    for element, relasjon, fra, belop in [
        ("veiledning", "", dt.date(2025, 1, 1), "3100"),
        ("veiledning", "", dt.date(2026, 3, 1), "6000"),  # the rate changes mid-period
        ("praksiskompensasjon", "", dt.date(2025, 1, 1), "1000"),
        ("praksiskompensasjon", "fastlege", dt.date(2026, 1, 1), "2800"),  # beats the general rate
        ("kurs", "", dt.date(2025, 1, 1), "500"),
    ]:
        alis_services.create_alis_sats(kommune=k, element=element, relasjon=relasjon, gyldig_fra=fra, manedsbelop=belop)
    a = alis_helpers.alisavtale(k, lege_=alis_helpers.alis_lege(k, etternavn="Aasen"))
    alis_services.add_alis_fravaer(avtale=a, type="sykdom", fra=dt.date(2026, 4, 10), til=dt.date(2026, 4, 20))
    alis_services.add_alis_element(avtale=a, element="veiledning", finansiering="standard", fra=START)
    alis_services.add_alis_element(avtale=a, element="praksiskompensasjon", finansiering="tillegg",
                                   fra=dt.date(2026, 2, 15), til=dt.date(2026, 4, 1))
    alis_services.add_alis_element(avtale=a, element="kurs", finansiering="kommune", fra=START)
    b = alis_helpers.alisavtale(k, lege_=alis_helpers.alis_lege(k, etternavn="Berg"), relasjon="annen", stillingsprosent=60,
                                signert=dt.date(2026, 2, 10), relasjon_til=dt.date(2026, 4, 16))
    alis_services.add_alis_tjeneste(avtale=b, type="institusjon", sted="Førde sjukehus", stillingsprosent=100,
                                    fra=dt.date(2026, 3, 1), til=dt.date(2026, 3, 16), utenfor_kommunen=True)
    alis_services.add_alis_element(avtale=b, element="veiledning", finansiering="standard", fra=dt.date(2026, 2, 10))
    c = alis_helpers.alisavtale(k, lege_=alis_helpers.alis_lege(k, etternavn="Carlsen"), relasjon="vikar", vikarbyra=True)
    alis_services.add_alis_element(avtale=c, element="veiledning", finansiering="standard", fra=START)
    # Ended before the period (declined grant), and one signed after it: not in the claim.
    d = alis_helpers.alisavtale(k, lege_=alis_helpers.alis_lege(k, etternavn="Dahl"), signert=dt.date(2025, 6, 1))
    alis_services.record_tilskudd(avtale=d, expected_version=d.versjon, tilskuddsstatus="avslatt",
                                  tilskudd_avslatt=dt.date(2025, 12, 1))
    alis_helpers.alisavtale(k, lege_=alis_helpers.alis_lege(k, etternavn="Eide"), signert=dt.date(2026, 5, 4))
    return a, b, c


def test_claim_basis_on_a_fixed_data_set_with_a_rate_change(k):
    a, b, c = claim_data(k)
    rows = {row.avtale_id: row for row in alis_selectors.tilskuddsgrunnlag(fra=dt.date(2026, 1, 1), til=dt.date(2026, 4, 30))}
    assert set(rows) == {a.pk, b.pk, c.pk}

    ra = rows[a.pk]
    # Jan 27/31 (from signing on the 5th) + Feb + Mar + Apr 20/30 (ten days' absence) = 3.5376…
    assert (ra.fra, ra.til, ra.maneder, ra.stillingsandel) == (START, dt.date(2026, 4, 30), Decimal("3.54"), Decimal(1))
    elements = {e.element: e for e in ra.elementer}
    # veiledning: 3100 × 27/31 + 3100 + 6000 + 6000 × 20/30 = 2700 + 3100 + 6000 + 4000
    assert elements["veiledning"].belop == Decimal("15800.00") and elements["veiledning"].kreves
    # praksiskompensasjon at the fastlege rate 2800: Feb 14/28 + all of March
    assert elements["praksiskompensasjon"].belop == Decimal("4200.00") and elements["praksiskompensasjon"].maneder == Decimal("1.50")
    assert elements["kurs"].kreves is False and elements["kurs"].belop == 0  # the kommune pays it: not claimed
    assert ra.total == Decimal("20000.00") and ra.berettiget and ra.grunner == []

    rb = rows[b.pk]
    # Feb 19/28 + Mar 16/31 (institution outside the kommune 1–15 March) + Apr 15/30 (the post ends 16 April)
    assert (rb.fra, rb.til, rb.maneder) == (dt.date(2026, 2, 10), dt.date(2026, 4, 15), Decimal("1.69"))
    # 0.6 × (3100 × 19/28 + 6000 × 16/31 + 6000 × 15/30) = 1262.142… + 1858.064… + 1800
    assert rb.total == Decimal("4920.21") and rb.stillingsprosent == 60

    rc = rows[c.pk]
    assert not rc.berettiget and rc.total == 0 and "vikarbyrå" in rc.grunner[0]
    assert rc.maneder == Decimal("3.87")  # still listed with its months


def test_claim_basis_missing_rate_is_flagged_and_bad_period_refused(k):
    a = alis_helpers.alisavtale(k)
    alis_services.add_alis_element(avtale=a, element="legevakt", finansiering="standard", fra=START)
    row = alis_selectors.tilskuddsgrunnlag(fra=dt.date(2026, 2, 1), til=dt.date(2026, 2, 28))[0]
    assert row.maneder == Decimal("1.00") and row.elementer[0].mangler_sats and row.total == 0
    with pytest.raises(ValidationError) as exc:
        alis_selectors.tilskuddsgrunnlag(fra=dt.date(2026, 3, 1), til=dt.date(2026, 2, 1))
    assert set(exc.value.message_dict) == {"til"}


def test_claim_basis_export_csv_and_xlsx(k):
    a, b, c = claim_data(k)
    alis_services.update_alisavtale(avtale=a, expected_version=a.versjon, arbeidssted="=HYPERLINK(\"x\")")
    rows = alis_selectors.tilskuddsgrunnlag(fra=dt.date(2026, 1, 1), til=dt.date(2026, 4, 30))
    response = alis_exports.grunnlag_csv_response(rows, filename="alis.csv")
    assert response["Content-Disposition"] == 'attachment; filename="alis.csv"'
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert table[0][:3] == ["Lege", "HPR-nummer", "Tilknytning"]
    assert len(table) == 1 + 3 + 1 + 1 + 1  # header, Aasen's three elements, Berg, Carlsen, sum
    aasen = [line for line in table if line[0].endswith("Aasen")]
    assert {line[8]: line[11] for line in aasen} == {
        "Individuell veiledning": "15800,00", "Praksiskompensasjon": "4200,00", "Kurs og utdanningsaktiviteter": "0,00"}
    assert all(line[3] == "'=HYPERLINK(\"x\")" for line in aasen)  # formula-injection safe
    assert table[-1][0] == "Sum" and table[-1][11] == "24920,21"

    response = alis_exports.grunnlag_xlsx_response(rows, filename="alis.xlsx", title="ALIS-tilskudd 2026")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "ALIS-tilskudd 2026"
    assert sheet.cell(row=2, column=4).data_type == "s" and sheet.cell(row=2, column=4).value == "=HYPERLINK(\"x\")"
    last = sheet.max_row
    assert sheet.cell(row=last, column=1).value == "Sum" and Decimal(str(sheet.cell(row=last, column=12).value)) == Decimal("24920.21")


# --- reads: scoping and constant queries -------------------------------------------------------------------------------------

def test_other_kommune_avtale_is_not_found(k, sunnfjord):
    a = alis_helpers.alisavtale(k)
    with in_kommune(sunnfjord):
        with pytest.raises(Http404):
            alis_selectors.get_alisavtale(pk=a.pk)
        assert not alis_selectors.alisavtale_list().exists()
        assert alis_selectors.tilskuddsgrunnlag(fra=dt.date(2026, 1, 1), til=dt.date(2026, 12, 31)) == []
    assert alis_selectors.get_alisavtale(pk=a.pk).pk == a.pk


def arrange(k, count: int):
    relasjoner = ["fastlege", "vikar", "introduksjonslege", "annen"]
    for n in range(count):
        a = alis_helpers.alisavtale(k, relasjon=relasjoner[n % 4], relasjon_til=None if n % 4 == 0 else dt.date(2027, 6, 1))
        alis_services.add_alis_fravaer(avtale=a, type="sykdom", fra=dt.date(2026, 3, 1), til=dt.date(2026, 3, 8))
        alis_services.add_alis_tjeneste(avtale=a, type="apen_uselektert", sted="Sentrum", stillingsprosent=100,
                                        fra=START, til=dt.date(2026, 9, 1))
        alis_services.add_alis_element(avtale=a, element="veiledning", finansiering="standard", fra=START)
        alis_services.record_veiledning(avtale=a, maned=dt.date(2026, 2, 1), individuelle_timer=4, gruppetimer=6)


def count_queries(call) -> int:
    with CaptureQueriesContext(connection) as ctx:
        call()
    return len(ctx.captured_queries)


def read_list():
    for a in alis_selectors.alisavtale_list():
        alis_selectors.opphorer(a)
        alis_selectors.tilskudd_berettiget(a)
        str(a.lege), str(a.veileder), a.relasjon_til


def read_progress():
    alis_selectors.progresjon_for(alis_selectors.alisavtale_list(), on=dt.date(2026, 11, 24))


def read_claim():
    rows = alis_selectors.tilskuddsgrunnlag(fra=dt.date(2026, 1, 1), til=dt.date(2026, 12, 31))
    alis_exports.grunnlag_csv_response(rows, filename="x.csv")


@pytest.mark.parametrize("read", [read_list, read_progress, read_claim])
def test_reads_use_a_constant_number_of_queries(k, read):
    alis_services.create_alis_sats(kommune=k, element="veiledning", gyldig_fra=dt.date(2025, 1, 1), manedsbelop=3000)
    arrange(k, 2)
    small = count_queries(read)
    arrange(k, 6)
    assert Alisavtale.objects.count() == 8
    assert count_queries(read) == small
    assert small <= 8


def test_progresjon_for_matches_progresjon(k):
    arrange(k, 4)
    on = dt.date(2026, 11, 24)
    many = alis_selectors.progresjon_for(Alisavtale.objects.all(), on=on)
    for a in Alisavtale.objects.all():
        one = alis_selectors.progresjon(a, on=on)
        assert (one.mangler, one.opphorer, one.gruppetimer) == (many[a.pk].mangler, many[a.pk].opphorer, many[a.pk].gruppetimer)


def test_med_status_sets_the_derived_end_and_status(k):
    running = alis_helpers.alisavtale(k)
    ended = alis_helpers.alisavtale(k, relasjon="vikar", relasjon_til=dt.date(2026, 6, 1))
    future = alis_helpers.alisavtale(k, relasjon="annen", signert=dt.date(2026, 3, 1), startdato=dt.date(2026, 9, 1))
    with CaptureQueriesContext(connection) as ctx:
        rows = {a.pk: a for a in alis_selectors.med_status(alis_selectors.alisavtale_list(), on=dt.date(2026, 7, 1))}
    assert len(ctx.captured_queries) == 2
    assert (rows[running.pk].status, rows[running.pk].opphorer_dato, rows[running.pk].opphorsgrunn) == ("aktiv", dt.date(2031, 1, 5), "maks")
    assert (rows[ended.pk].status, rows[ended.pk].opphorer_dato, rows[ended.pk].opphorsgrunn) == ("opphort", dt.date(2026, 6, 1), "relasjon")
    assert rows[future.pk].status == "kommende"


def test_relationship_end_of_a_fastlegeavtale_matches_the_periods_end(k):
    """The SQL annotation and the Python rule agree (the list page may filter on the annotation)."""
    lege = alis_helpers.alis_lege(k, fodselsdato=dt.date(1960, 2, 29))
    a = alis_selectors.get_alisavtale(pk=alis_helpers.alisavtale(k, lege_=lege).pk)
    assert a.relasjon_til == alis_selectors.relasjon_slutt(a) == birthday(dt.date(1960, 2, 29), 70) == dt.date(2030, 3, 1)
