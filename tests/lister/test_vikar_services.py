"""The vikar pool, availability windows and assigning a vikar to a list, through the services: every
bad input is refused with a clear error on the field it concerns, and nothing is saved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from core.exceptions import StaleVersion
from lister import services, vikar_services
from lister.models import Legeperiode, Tilgjengelighet, Vikar
from tests import register
from tests.conftest import in_kommune

pytestmark = pytest.mark.django_db

FRA = dt.date(2026, 9, 1)
TIL = dt.date(2026, 10, 1)


@pytest.fixture
def k(bergen):
    with in_kommune(bergen):
        yield bergen


@pytest.fixture
def liste(k):
    return register.liste(k, navn="Liste Ledig")


@pytest.fixture
def lege(k):
    return register.lege(k, fornavn="Vera", etternavn="Vikarsen", spesialist_allmennmedisin_fra=dt.date(2015, 1, 1))


@pytest.fixture
def fremmed_lege(sunnfjord):
    with in_kommune(sunnfjord):
        return register.lege(sunnfjord, fornavn="Frida", etternavn="Fremmed")


def errors(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        call()
    return exc.value.message_dict


def periods() -> int:
    return Legeperiode.objects.count()


def tildel(liste, vikar, **overrides):
    arguments = {"liste": liste, "lege": vikar, "fra": FRA, "til": TIL, "stillingsprosent": 100, "arbeidsdager": [1, 2, 3, 4, 5]}
    return vikar_services.tildel_vikar(**{**arguments, **overrides})


# --- the pool -------------------------------------------------------------------------------------

def test_add_vikar_puts_a_registered_doctor_in_the_pool(k, lege):
    vikar = vikar_services.add_vikar(kommune=k, lege=lege, tilknytning="vikarbyra", vikarbyra=" Legevikar AS ", merknad="Ringes")
    assert (vikar.lege_id, vikar.tilknytning, vikar.vikarbyra, vikar.aktiv) == (lege.pk, "vikarbyra", "Legevikar AS", True)


def test_add_vikar_refuses_a_doctor_of_another_kommune_on_lege(k, fremmed_lege):
    assert "lege" in errors(lambda: vikar_services.add_vikar(kommune=k, lege=fremmed_lege))
    assert "lege" in errors(lambda: vikar_services.add_vikar(kommune=k, lege=999999999))
    assert Vikar.objects.count() == 0


def test_add_vikar_refuses_the_same_doctor_twice(k, lege):
    vikar_services.add_vikar(kommune=k, lege=lege)
    assert "allerede i kommunens vikarpool" in errors(lambda: vikar_services.add_vikar(kommune=k, lege=lege))["lege"][0]
    assert Vikar.objects.count() == 1


@pytest.mark.parametrize(("tilknytning", "vikarbyra"), [("vikarbyra", ""), ("kommune", "Byrå AS")])
def test_vikarbyra_is_named_exactly_when_the_vikar_comes_through_one(k, lege, tilknytning, vikarbyra):
    assert "vikarbyra" in errors(lambda: vikar_services.add_vikar(kommune=k, lege=lege, tilknytning=tilknytning, vikarbyra=vikarbyra))
    assert Vikar.objects.count() == 0


def test_update_and_deactivate_vikar_check_the_version(k, lege):
    vikar = vikar_services.add_vikar(kommune=k, lege=lege, tilknytning="vikarbyra", vikarbyra="Byrå AS")
    version = vikar.versjon
    vikar = vikar_services.update_vikar(vikar=vikar, expected_version=version, tilknytning="kommune", merknad="Fast")
    assert (vikar.tilknytning, vikar.vikarbyra, vikar.merknad) == ("kommune", "", "Fast")
    with pytest.raises(StaleVersion):
        vikar_services.deactivate_vikar(vikar=vikar, expected_version=version)
    vikar = vikar_services.deactivate_vikar(vikar=vikar, expected_version=vikar.versjon)
    assert vikar.aktiv is False


def test_availability_windows_cannot_overlap_and_are_checked(k, lege):
    vikar = vikar_services.add_vikar(kommune=k, lege=lege)
    first = vikar_services.add_tilgjengelighet(vikar=vikar, fra=FRA, til=TIL, stillingsprosent=80)
    assert "fra" in errors(lambda: vikar_services.add_tilgjengelighet(vikar=vikar, fra=dt.date(2026, 9, 15), til=None))
    assert "til" in errors(lambda: vikar_services.add_tilgjengelighet(vikar=vikar, fra=TIL, til=TIL))
    for prosent in (0, 120):
        assert "stillingsprosent" in errors(lambda p=prosent: vikar_services.add_tilgjengelighet(
            vikar=vikar, fra=dt.date(2027, 1, 1), stillingsprosent=p))
    assert Tilgjengelighet.objects.count() == 1
    second = vikar_services.add_tilgjengelighet(vikar=vikar, fra=TIL, til=dt.date(2026, 11, 1))  # adjacent: half-open
    changed = vikar_services.update_tilgjengelighet(tilgjengelighet=first, expected_version=first.versjon, stillingsprosent=100,
                                                    merknad="Hele høsten")
    assert (changed.stillingsprosent, changed.merknad) == (100, "Hele høsten")
    message = errors(lambda: vikar_services.update_tilgjengelighet(
        tilgjengelighet=second, expected_version=second.versjon, fra=dt.date(2026, 9, 20)))
    assert "allerede tilgjengelighet" in message["fra"][0]
    vikar_services.delete_tilgjengelighet(tilgjengelighet=second, expected_version=second.versjon)
    assert list(Tilgjengelighet.objects.values_list("pk", flat=True)) == [first.pk]


# --- assignment -----------------------------------------------------------------------------------

def test_tildel_vikar_makes_a_vikar_period(k, liste, lege):
    fastlege = register.lege(k)
    periode = tildel(liste, lege, stillingsprosent=60, arbeidsdager=[3, 1, 1], vikar_for=fastlege)
    assert (periode.rolle, periode.lege_id, periode.fra, periode.til, periode.stillingsprosent, periode.arbeidsdager,
            periode.vikar_for_id) == ("LPVI", lege.pk, FRA, TIL, 60, [1, 3], fastlege.pk)


def test_a_vikar_on_a_list_with_a_fastlege_is_allowed(k, liste, lege):
    fastlege = register.lege(k)
    services.add_legeperiode(liste=liste, lege=fastlege, rolle="LPFL", via_fastlegeavtale=True, fra=dt.date(2024, 1, 1))
    periode = tildel(liste, lege, vikar_for=fastlege, stillingsprosent=50)
    assert periode.pk and periode.vikar_for_id == fastlege.pk


@pytest.mark.parametrize(("overrides", "field"), [
    ({"til": FRA}, "til"),
    ({"til": FRA - dt.timedelta(days=1)}, "til"),
    ({"til": None}, "til"),
    ({"stillingsprosent": 0}, "stillingsprosent"),
    ({"stillingsprosent": 120}, "stillingsprosent"),
    ({"lege": 999999999}, "lege"),
    ({"lege": None}, "lege"),
    ({"arbeidsdager": [1, 9]}, "arbeidsdager"),
    ({"fra": dt.date(2019, 6, 1)}, "fra"),
    ({"vikar_for": 999999999}, "vikar_for"),
])
def test_bad_input_is_refused_on_its_field_and_nothing_is_saved(k, liste, lege, overrides, field):
    before = periods()
    assert field in errors(lambda: tildel(liste, lege, **overrides))
    assert periods() == before


def test_a_doctor_of_another_kommune_is_refused_on_lege(k, liste, fremmed_lege):
    before = periods()
    message = errors(lambda: tildel(liste, fremmed_lege))["lege"][0]
    assert "registrert i kommunen" in message
    assert periods() == before


def test_a_period_beyond_the_lists_end_is_refused(k, lege):
    ending = register.liste(k)
    services.end_pasientliste(liste=ending, expected_version=ending.versjon, gyldig_til=dt.date(2026, 9, 15), sluttarsak="nedlagt")
    ending.refresh_from_db()
    before = periods()
    assert "opphører" in errors(lambda: tildel(ending, lege))["til"][0]
    assert periods() == before


def test_overlapping_periods_of_the_same_doctor_on_the_list_are_refused_on_fra(k, liste, lege):
    tildel(liste, lege, stillingsprosent=40)
    before = periods()
    message = errors(lambda: tildel(liste, lege, fra=dt.date(2026, 9, 20), til=dt.date(2026, 11, 1), stillingsprosent=20))
    assert "overlapper" in message["fra"][0]
    assert periods() == before


def test_more_than_100_percent_across_engagements_needs_a_reason(k, liste, lege):
    other = register.liste(k)
    tildel(other, lege, stillingsprosent=60)
    before = periods()
    message = errors(lambda: tildel(liste, lege, stillingsprosent=60))["begrunnelse_over_100"][0]
    assert "120 %" in message and "begrunnelse" in message
    assert periods() == before
    periode = tildel(liste, lege, stillingsprosent=60, begrunnelse_over_100="Kortvarig overlapp ved overlevering")
    assert periode.begrunnelse_over_100 == "Kortvarig overlapp ved overlevering"


def test_engagements_in_another_kommune_count_towards_100_percent(k, liste, lege, sunnfjord):
    from kommune import services as kommune_services

    with in_kommune(sunnfjord):
        kommune_services.register_lege(kommune=sunnfjord, hpr_nummer=lege.hpr_nummer, fornavn=lege.fornavn,
                                       etternavn=lege.etternavn, fodselsdato=lege.fodselsdato)
        tildel(register.liste(sunnfjord), lege, stillingsprosent=70)
    assert "begrunnelse_over_100" in errors(lambda: tildel(liste, lege, stillingsprosent=40))


def test_only_the_kommuneoverlege_may_record_a_competence_justification(k, liste, lege):
    before = periods()
    message = errors(lambda: tildel(liste, lege, kompetanse_begrunnelse="Ingen andre tilgjengelig"))
    assert "Bare kommuneoverlegen" in message["kompetanse_begrunnelse"][0]
    assert periods() == before
    periode = tildel(liste, lege, kompetanse_begrunnelse="Ingen andre tilgjengelig", kan_begrunne_kompetanse=True)
    assert periode.kompetanse_begrunnelse == "Ingen andre tilgjengelig"
