"""legevakt.vakt_services: every rule of a shift refused with its rule and field, nothing saved;
swaps (atomic, deferred overlap constraint), sick calls and the ranking of replacements."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from core.exceptions import StaleVersion
from legevakt import tid, vakt_services
from legevakt.models import Fritak, Vakt, Vaktbytte
from tests import register
from tests.conftest import in_kommune, kommune
from tests.legevakt import helpers
from tests.legevakt.helpers import oslo

pytestmark = pytest.mark.django_db


def _messages(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        call()
    return exc.value.message_dict


@pytest.fixture
def d(bergen):
    return helpers.distrikt(bergen, navn="Bergen legevakt")


@pytest.fixture
def lege(bergen):
    return helpers.kvalifisert(bergen, etternavn="Aas")


def _ny(d, lege, start, slutt, type="tilstedevakt", **kwargs):
    with in_kommune(d.kommune):
        return vakt_services.create_vakt(distrikt=d, lege=lege, type=type, start=start, slutt=slutt, **kwargs)


def _antall(k) -> int:
    with in_kommune(k):
        return Vakt.objects.count()


# --- a shift and its computed fields ---------------------------------------------------------------

def test_create_sets_day_category_holiday_default_class_and_competence_flag(bergen, d, lege):
    vakt = _ny(d, lege, oslo(2027, 3, 26, 16), oslo(2027, 3, 26, 23))  # Good Friday 2027
    assert (vakt.kommune_id, vakt.vaktklasse, vakt.dagkategori, vakt.hoytid, vakt.unntak_kompetanse) == (
        bergen.pk, 3, "helligdag", "paske", False)
    hjemme = _ny(d, lege, oslo(2027, 3, 30, 16), oslo(2027, 3, 31, 8), type="hjemmevakt", hvilebrudd_begrunnelse="test")
    assert (hjemme.vaktklasse, hjemme.dagkategori, hjemme.hoytid) == (1, "hverdag", "")


def test_naive_times_are_oslo_time_and_hours_are_real_across_summer_time(d, lege):
    oktober = _ny(d, lege, dt.datetime(2026, 10, 24, 20), dt.datetime(2026, 10, 25, 8), type="hjemmevakt")
    mars = _ny(d, lege, dt.datetime(2026, 3, 28, 20), dt.datetime(2026, 3, 29, 8), type="hjemmevakt")
    assert (oktober.timer, mars.timer) == (13, 11)
    assert tid.lokal(oktober.start).hour == 20 and tid.lokal(mars.slutt).hour == 8


# --- bad input --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("kwargs", "felt", "tekst"), [
    ({"start": oslo(2027, 3, 6, 20), "slutt": oslo(2027, 3, 6, 8)}, "slutt", "slutte etter"),
    ({"start": oslo(2027, 3, 6, 8), "slutt": oslo(2027, 3, 9, 9)}, "slutt", "høyst 72 timer"),
    ({"start": dt.datetime(2026, 3, 29, 2, 30), "slutt": dt.datetime(2026, 3, 29, 8)}, "start", "finnes ikke"),
    ({"type": "nattevakt"}, "type", "Ukjent vakttype"),
    ({"type": "tilstedevakt", "vaktklasse": 1}, "vaktklasse", "SFS 2305 § 8.3"),
    ({"type": "hjemmevakt", "vaktklasse": 3}, "vaktklasse", "SFS 2305 § 8.3"),
    ({"type": "tilstedevakt", "vaktklasse": 2}, "vaktklasse", "lokal avtale"),
])
def test_bad_input_is_refused_on_its_field_and_nothing_is_saved(bergen, d, lege, kwargs, felt, tekst):
    args = {"type": "tilstedevakt", "start": oslo(2027, 3, 6, 8), "slutt": oslo(2027, 3, 6, 16), **kwargs}
    errors = _messages(lambda: _ny(d, lege, **args))
    assert tekst in " ".join(errors[felt]), errors
    assert _antall(bergen) == 0


def test_class_2_tilstedevakt_is_allowed_with_a_recorded_local_agreement(d, lege):
    vakt = _ny(d, lege, oslo(2027, 3, 6, 8), oslo(2027, 3, 6, 16), vaktklasse=2, lokal_avtale="Lokal avtale 2027-01")
    assert (vakt.vaktklasse, vakt.lokal_avtale) == (2, "Lokal avtale 2027-01")


def test_a_doctor_or_district_of_another_kommune_is_refused_like_an_unknown_one(bergen, sunnfjord, d, lege):
    fremmed = helpers.kvalifisert(sunnfjord)
    annet = helpers.distrikt(sunnfjord)
    tider = {"start": oslo(2027, 3, 6, 8), "slutt": oslo(2027, 3, 6, 16)}
    ukjent = _messages(lambda: _ny(d, 999999999, **tider))["lege"]
    assert _messages(lambda: _ny(d, fremmed, **tider))["lege"] == ukjent
    with in_kommune(bergen):
        errors = _messages(lambda: vakt_services.create_vakt(distrikt=annet, lege=lege, type="tilstedevakt", **tider))
    assert errors == {"distrikt": ["Ukjent legevaktdistrikt."]}
    assert _antall(bergen) == 0


def test_a_deltakerkommune_reads_but_cannot_create_or_change(bergen):
    grane = kommune("1825")
    d = helpers.distrikt(bergen, grane)
    granelege = helpers.kvalifisert(grane)
    vakt = _ny(d, granelege, oslo(2027, 3, 6, 8), oslo(2027, 3, 6, 16))  # the vertskommune rosters Grane's fastlege
    with in_kommune(grane):
        assert Vakt.objects.get().pk == vakt.pk
        with pytest.raises(PermissionDenied):
            vakt_services.create_vakt(distrikt=d, lege=granelege, type="tilstedevakt", start=oslo(2027, 3, 7, 8),
                                      slutt=oslo(2027, 3, 7, 16))
        with pytest.raises(PermissionDenied):
            vakt_services.avlys_vakt(vakt=vakt, expected_version=vakt.versjon)
    assert _antall(bergen) == 1


# --- participation ----------------------------------------------------------------------------------

def test_a_doctor_who_does_not_take_part_is_refused_with_how_to_fix_it(bergen, d):
    with in_kommune(bergen):
        lege = register.lege(bergen, **helpers.KVALIFISERT)  # registered, but neither fastlege nor under agreement
    errors = _messages(lambda: _ny(d, lege, oslo(2027, 3, 6, 8), oslo(2027, 3, 6, 16)))
    assert "deltar ikke i vaktordningen" in errors["lege"][0] and "vaktavtale" in errors["lege"][0]
    helpers.vaktavtale(d, lege)
    assert _ny(d, lege, oslo(2027, 3, 6, 8), oslo(2027, 3, 6, 16)).lege_id == lege.pk


# --- overlap ------------------------------------------------------------------------------------------

def test_overlap_is_refused_by_the_database_even_when_the_service_is_bypassed(bergen, d, lege):
    _ny(d, lege, oslo(2027, 3, 6, 8), oslo(2027, 3, 6, 16))
    with in_kommune(bergen), pytest.raises(IntegrityError, match="vakt_no_overlap_same_doctor"), transaction.atomic():
        Vakt.objects.create(kommune=bergen, distrikt=d, lege=lege, type="hjemmevakt", vaktklasse=1, start=oslo(2027, 3, 6, 15),
                            slutt=oslo(2027, 3, 6, 20), dagkategori="helg")
    with in_kommune(bergen):  # half-open: a shift starting when the other ends is fine
        Vakt.objects.create(kommune=bergen, distrikt=d, lege=lege, type="hjemmevakt", vaktklasse=1, start=oslo(2027, 3, 6, 16),
                            slutt=oslo(2027, 3, 6, 20), dagkategori="helg")


def test_overlap_with_a_shift_in_another_kommunes_district_is_refused(bergen, sunnfjord, lege):
    egen = helpers.distrikt(bergen, tidsbolk="dagtid")
    natt = helpers.distrikt(sunnfjord, bergen, tidsbolk="utenfor_dagtid")
    _ny(natt, lege, oslo(2027, 3, 6, 8), oslo(2027, 3, 6, 20))
    errors = _messages(lambda: _ny(egen, lege, oslo(2027, 3, 6, 18), oslo(2027, 3, 6, 22)))
    assert "overlapper" in errors["start"][0] and "06.03.2027 08:00" in errors["start"][0]
    with in_kommune(bergen):
        assert not Vakt.objects.filter(distrikt=egen).exists()


# --- rest ---------------------------------------------------------------------------------------------

def test_a_night_before_an_office_day_is_refused_and_accepted_with_a_reason(bergen, d, lege):
    natt = {"start": oslo(2027, 3, 2, 20), "slutt": oslo(2027, 3, 3, 8)}  # Tuesday night, office days 08–16
    errors = _messages(lambda: _ny(d, lege, type="hjemmevakt", **natt))
    melding = errors["hvilebrudd_begrunnelse"][0]
    assert "SFS 2305 § 7.4" in melding and "kontortid 03.03.2027 08:00–16:00 (0,0 timer hvile)" in melding
    assert "kontortid 02.03.2027 08:00–16:00 (4,0 timer hvile)" in melding
    assert _antall(bergen) == 0
    with in_kommune(bergen):
        brudd = vakt_services.sjekk_vakt(distrikt=d, lege=lege, type="hjemmevakt", **natt)
    assert [(b.kode, b.felt, b.kan_begrunnes) for b in brudd] == [("hvilebrudd", "hvilebrudd_begrunnelse", True)]
    vakt = _ny(d, lege, type="hjemmevakt", hvilebrudd_begrunnelse="Fri onsdag formiddag etter avtale", **natt)
    assert vakt.hvilebrudd_begrunnelse == "Fri onsdag formiddag etter avtale"


def test_evening_duty_straight_after_the_office_day_needs_no_reason(d, lege):
    assert _ny(d, lege, oslo(2027, 3, 2, 16), oslo(2027, 3, 2, 23)).hvilebrudd_begrunnelse == ""


# --- competence ---------------------------------------------------------------------------------------

def test_a_doctor_without_competence_needs_a_qualified_kompetansebakvakt_over_the_whole_shift(bergen, d, lege):
    ny = helpers.ukvalifisert(bergen, etternavn="Ny")
    annen_ukvalifisert = helpers.ukvalifisert(bergen, etternavn="Ung")
    lørdag = {"start": oslo(2027, 3, 6, 8), "slutt": oslo(2027, 3, 6, 20)}
    errors = _messages(lambda: _ny(d, ny, **lørdag))
    assert "kompetanseforskriften § 3a" in errors["lege"][0] and "akuttmedisinforskriften § 7" in errors["lege"][0]
    # a bakvakt must itself be qualified
    errors = _messages(lambda: _ny(d, annen_ukvalifisert, type="kompetansebakvakt", **lørdag))
    assert "kan ikke være bakvakt" in errors["lege"][0]
    # a qualified bakvakt over part of the shift is not enough
    _ny(d, lege, oslo(2027, 3, 6, 8), oslo(2027, 3, 6, 14), type="kompetansebakvakt")
    errors = _messages(lambda: _ny(d, ny, **lørdag))
    assert "06.03.2027 14:00–06.03.2027 20:00" in errors["lege"][0]
    assert _antall(bergen) == 1
    _ny(d, lege, oslo(2027, 3, 6, 14), oslo(2027, 3, 6, 20), type="kompetansebakvakt")
    vakt = _ny(d, ny, **lørdag)
    assert vakt.unntak_kompetanse is True


def test_days_under_the_paragraph_4_exception_are_limited_per_calendar_year(bergen, d):
    lis1 = helpers.fastlege(bergen, lis1_fullfort=dt.date(2026, 1, 1), kurs_akuttmedisin=dt.date(2026, 1, 1),
                            kurs_vold_overgrep=dt.date(2026, 1, 1))
    with in_kommune(bergen):
        Vakt.objects.bulk_create([
            Vakt(kommune=bergen, distrikt=d, lege=lis1, type="hjemmevakt", vaktklasse=1, dagkategori="hverdag",
                 start=oslo(2027, 1, 1, 20) + dt.timedelta(days=i), slutt=oslo(2027, 1, 1, 21) + dt.timedelta(days=i),
                 unntak_kompetanse=True)
            for i in range(129)])
    vakt = _ny(d, lis1, oslo(2027, 6, 5, 20), oslo(2027, 6, 5, 22), type="hjemmevakt")  # day 130: the last one
    assert vakt.unntak_kompetanse is True
    errors = _messages(lambda: _ny(d, lis1, oslo(2027, 6, 12, 20), oslo(2027, 6, 12, 22), type="hjemmevakt"))
    assert "unntaket i § 4" in errors["lege"][0] and "130 av 130" in errors["lege"][0]
    assert _ny(d, lis1, oslo(2028, 1, 8, 20), oslo(2028, 1, 8, 22), type="hjemmevakt").unntak_kompetanse  # a new year


# --- exemptions ---------------------------------------------------------------------------------------

def test_a_right_based_exemption_blocks_nights_but_not_daytime_emergency_duty(bergen, d, lege):
    with in_kommune(bergen):
        Fritak.objects.create(kommune=bergen, lege=lege, type="rett_alder", fra=dt.date(2027, 1, 1), krevd=dt.date(2027, 1, 1))
    errors = _messages(lambda: _ny(d, lege, oslo(2027, 3, 1, 16), oslo(2027, 3, 1, 23)))
    assert "fritatt fra legevakt utenom ordinær åpningstid fra 01.01.2027" in errors["lege"][0]
    assert "rett_alder" not in errors["lege"][0] and "alder" not in errors["lege"][0]  # the ground is health-related data
    assert _ny(d, lege, oslo(2027, 3, 2, 8), oslo(2027, 3, 2, 16)).pk  # Tuesday 08–16: daytime emergency duty
    assert _antall(bergen) == 1


def test_an_exemption_from_all_legevakt_blocks_daytime_duty_too(bergen, d, lege):
    with in_kommune(bergen):
        Fritak.objects.create(kommune=bergen, lege=lege, type="skjonn_helse", omfang="all", fra=dt.date(2027, 1, 1),
                              til=dt.date(2027, 7, 1), vedtaksdato=dt.date(2026, 12, 1))
    errors = _messages(lambda: _ny(d, lege, oslo(2027, 3, 2, 8), oslo(2027, 3, 2, 16)))
    assert "fritatt fra all legevakt fra 01.01.2027 til 30.06.2027" in errors["lege"][0]
    assert _ny(d, lege, oslo(2027, 7, 1, 8), oslo(2027, 7, 1, 16)).pk


# --- change and cancel ----------------------------------------------------------------------------------

def test_update_rechecks_the_rules_and_needs_the_current_version(bergen, d, lege):
    vakt = _ny(d, lege, oslo(2027, 3, 6, 8), oslo(2027, 3, 6, 16))
    with in_kommune(bergen):
        endret = vakt_services.update_vakt(vakt=vakt, expected_version=vakt.versjon, slutt=oslo(2027, 3, 6, 20), merknad="Lengre")
        assert (tid.lokal(endret.slutt).hour, endret.merknad, endret.versjon) == (20, "Lengre", vakt.versjon + 1)
        with pytest.raises(StaleVersion):
            vakt_services.update_vakt(vakt=endret, expected_version=vakt.versjon, merknad="x")
        errors = _messages(lambda: vakt_services.update_vakt(vakt=endret, expected_version=endret.versjon, vaktklasse=1))
        assert "SFS 2305 § 8.3" in errors["vaktklasse"][0]
        avlyst = vakt_services.avlys_vakt(vakt=endret, expected_version=endret.versjon, arsak="annet")
        assert (avlyst.status, avlyst.avlyst_arsak) == ("avlyst", "annet")
    # a cancelled shift no longer blocks the doctor
    assert _ny(d, lege, oslo(2027, 3, 6, 10), oslo(2027, 3, 6, 14)).pk


# --- swaps ------------------------------------------------------------------------------------------------

def _lege_ids(k, *vakter) -> list[int]:
    with in_kommune(k):
        return [Vakt.objects.get(pk=v.pk).lege_id for v in vakter]


def test_a_swap_exchanges_the_doctors_of_two_shifts(bergen, d, lege):
    annen = helpers.kvalifisert(bergen, etternavn="Berg")
    a = _ny(d, lege, oslo(2027, 3, 6, 8), oslo(2027, 3, 6, 20))
    c = _ny(d, annen, oslo(2027, 3, 13, 8), oslo(2027, 3, 13, 20))
    with in_kommune(bergen):
        bytte = vakt_services.be_om_bytte(vakt=a, mot_vakt=c)
        bytte = vakt_services.godkjenn_bytte(bytte=bytte, expected_version=bytte.versjon)
    assert bytte.status == "godkjent" and bytte.behandlet is not None
    assert _lege_ids(bergen, a, c) == [annen.pk, lege.pk]


def test_a_swap_of_two_simultaneous_shifts_needs_and_gets_the_deferred_constraint(bergen, d, lege):
    annen = helpers.kvalifisert(bergen, etternavn="Berg")
    a = _ny(d, lege, oslo(2027, 3, 6, 8), oslo(2027, 3, 6, 20))
    b = _ny(d, annen, oslo(2027, 3, 6, 8), oslo(2027, 3, 6, 20), type="hjemmevakt")
    with in_kommune(bergen):
        bytte = vakt_services.be_om_bytte(vakt=a, mot_vakt=b)
        vakt_services.godkjenn_bytte(bytte=bytte, expected_version=bytte.versjon)
    assert _lege_ids(bergen, a, b) == [annen.pk, lege.pk]


def test_a_swap_that_would_overlap_is_refused_and_nothing_changes(bergen, d, lege):
    annen = helpers.kvalifisert(bergen, etternavn="Berg")
    a = _ny(d, lege, oslo(2027, 3, 6, 8), oslo(2027, 3, 6, 20))
    c = _ny(d, annen, oslo(2027, 3, 13, 8), oslo(2027, 3, 13, 20))
    _ny(d, lege, oslo(2027, 3, 13, 18), oslo(2027, 3, 13, 22), type="hjemmevakt")  # lege is busy on the 13th
    with in_kommune(bergen):
        bytte = vakt_services.be_om_bytte(vakt=a, mot_vakt=c)
        errors = _messages(lambda: vakt_services.godkjenn_bytte(bytte=bytte, expected_version=bytte.versjon))
        assert "overlapper" in errors["mot_vakt"][0]
        assert Vaktbytte.objects.get().status == "foreslatt"
    assert _lege_ids(bergen, a, c) == [lege.pk, annen.pk]


def test_a_swap_with_a_rest_breach_needs_a_reason(bergen, d, lege):
    annen = helpers.kvalifisert(bergen, etternavn="Berg")
    a = _ny(d, lege, oslo(2027, 3, 6, 8), oslo(2027, 3, 6, 20))
    natt = _ny(d, annen, oslo(2027, 3, 2, 20), oslo(2027, 3, 3, 8), type="hjemmevakt", hvilebrudd_begrunnelse="Fri onsdag")
    with in_kommune(bergen):
        bytte = vakt_services.be_om_bytte(vakt=a, mot_vakt=natt)
        errors = _messages(lambda: vakt_services.godkjenn_bytte(bytte=bytte, expected_version=bytte.versjon))
        assert "SFS 2305 § 7.4" in errors["hvilebrudd_begrunnelse"][0]
        assert _lege_ids(bergen, a, natt) == [lege.pk, annen.pk]
        vakt_services.godkjenn_bytte(bytte=bytte, expected_version=bytte.versjon, hvilebrudd_begrunnelse="Fri onsdag for Aas")
        natt.refresh_from_db()
    assert (natt.lege_id, natt.hvilebrudd_begrunnelse) == (lege.pk, "Fri onsdag for Aas")


def test_a_swap_with_oneself_is_refused_and_one_request_per_shift(bergen, d, lege):
    annen = helpers.kvalifisert(bergen, etternavn="Berg")
    a = _ny(d, lege, oslo(2027, 3, 6, 8), oslo(2027, 3, 6, 20))
    a2 = _ny(d, lege, oslo(2027, 3, 20, 8), oslo(2027, 3, 20, 20))
    c = _ny(d, annen, oslo(2027, 3, 13, 8), oslo(2027, 3, 13, 20))
    with in_kommune(bergen):
        assert "seg selv" in _messages(lambda: vakt_services.be_om_bytte(vakt=a, mot_vakt=a))["mot_vakt"][0]
        assert "legens egne" in _messages(lambda: vakt_services.be_om_bytte(vakt=a, mot_vakt=a2))["mot_vakt"][0]
        bytte = vakt_services.be_om_bytte(vakt=a, mot_vakt=c)
        assert "allerede et bytteønske" in _messages(lambda: vakt_services.be_om_bytte(vakt=a, mot_vakt=c))["vakt"][0]
        assert Vaktbytte.objects.count() == 1
        trukket = vakt_services.trekk_bytte(bytte=bytte, expected_version=bytte.versjon)
        assert trukket.status == "trukket"
        with pytest.raises(ValidationError):
            vakt_services.godkjenn_bytte(bytte=trukket, expected_version=trukket.versjon)
        ny = vakt_services.be_om_bytte(vakt=a, mot_vakt=c)
        avslatt = vakt_services.avslaa_bytte(bytte=ny, expected_version=ny.versjon, merknad="Nei")
        assert (avslatt.status, avslatt.merknad) == ("avslatt", "Nei")
    assert _lege_ids(bergen, a, c) == [lege.pk, annen.pk]


# --- sick calls --------------------------------------------------------------------------------------------

@pytest.fixture
def sykefall(bergen, d, lege):
    """Saturday 6 March 2027, 08–20: lege falls ill. Candidates, by design of the ranking:
    k1 qualified, rested, no hours lately; k2 the same with 20 h in the last 28 days; k3 exempt;
    k4 short of rest; k5 not qualified; k6 busy (left out)."""
    k = {name: helpers.kvalifisert(bergen, etternavn=name) for name in ("K1", "K2", "K3", "K4", "K6")}
    k["K5"] = helpers.ukvalifisert(bergen, etternavn="K5")
    syk = _ny(d, lege, oslo(2027, 3, 6, 8), oslo(2027, 3, 6, 20))
    _ny(d, k["K1"], oslo(2027, 1, 20, 16), oslo(2027, 1, 20, 23))  # outside the 28 days
    _ny(d, k["K2"], oslo(2027, 2, 20, 8), oslo(2027, 2, 20, 20))
    _ny(d, k["K2"], oslo(2027, 2, 27, 8), oslo(2027, 2, 27, 16))
    with in_kommune(bergen):
        Fritak.objects.create(kommune=bergen, lege=k["K3"], type="rett_alder", fra=dt.date(2027, 1, 1), krevd=dt.date(2027, 1, 1))
    _ny(d, k["K4"], oslo(2027, 3, 6, 0), oslo(2027, 3, 6, 4), type="hjemmevakt")
    _ny(d, k["K6"], oslo(2027, 3, 6, 18), oslo(2027, 3, 6, 23))
    return syk, k


def test_replacements_are_ranked_qualified_rested_not_exempt_lowest_recent_load(bergen, sykefall, django_assert_max_num_queries):
    syk, k = sykefall
    with in_kommune(bergen), django_assert_max_num_queries(12):
        kandidater = vakt_services.erstattere(vakt=syk)
    assert [c.lege.etternavn for c in kandidater] == ["K1", "K2", "K3", "K4", "K5"]
    assert [c.rangering for c in kandidater] == [1, 2, 3, 4, 5]
    assert [(c.kvalifisert, c.uthvilt, c.fritatt, c.timer_siste_28) for c in kandidater] == [
        (True, True, False, 0.0), (True, True, False, 20.0), (True, True, True, 0.0), (True, False, False, 4.0),
        (False, True, False, 0.0)]
    assert any("§ 7.4" in g for g in kandidater[3].grunner)


def test_the_sick_call_cancels_and_hands_the_rest_of_the_shift_to_the_replacement(bergen, d, sykefall):
    syk, k = sykefall
    with in_kommune(bergen):
        errors = _messages(lambda: vakt_services.meld_syk(vakt=syk, expected_version=syk.versjon, erstatter=k["K5"]))
        assert "§ 3a" in errors["erstatter"][0]
        assert Vakt.objects.get(pk=syk.pk).status == "aktiv"  # nothing changed
        slutt = syk.slutt
        ny = vakt_services.meld_syk(vakt=syk, expected_version=syk.versjon, erstatter=k["K1"], fra=oslo(2027, 3, 6, 12))
        syk.refresh_from_db()
    assert (ny.lege_id, ny.erstatter_id, ny.start, ny.slutt, ny.type, ny.vaktklasse) == (
        k["K1"].pk, syk.pk, oslo(2027, 3, 6, 12), slutt, syk.type, syk.vaktklasse)
    # Ill during the shift (08–20, from 12:00): the four hours worked stay, the shift ends at `fra`.
    assert (syk.status, syk.slutt) == ("aktiv", oslo(2027, 3, 6, 12)) and "Syk fra 06.03.2027 12:00" in syk.merknad


def test_a_sick_call_before_the_shift_begins_cancels_it(bergen, d, sykefall):
    syk, k = sykefall
    with in_kommune(bergen):
        ny = vakt_services.meld_syk(vakt=syk, expected_version=syk.versjon, erstatter=k["K1"])
        syk.refresh_from_db()
    assert (syk.status, syk.avlyst_arsak, syk.slutt) == ("avlyst", "sykdom", oslo(2027, 3, 6, 20))
    assert (ny.lege_id, ny.erstatter_id, ny.start, ny.slutt) == (k["K1"].pk, syk.pk, oslo(2027, 3, 6, 8), oslo(2027, 3, 6, 20))
