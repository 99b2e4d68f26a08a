"""Vacancy cases: opening and closing rules, the kommune's vikar period, hjemfall (each condition
alone, the boundary day), advertisements, applicants, cover (eight weeks of kollegial cover a
calendar year, overlap), nothing saved on errors, deadlines and constant queries. Services and
selectors with real PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from avtaler import services as avtaler_services
from core.dates import add_months
from core.exceptions import StaleVersion
from kommune import frister
from kommune.models import Kommune
from lister import sak_selectors, sak_services
from lister.models import Dekning, Ledighetssak, Soker, Utlysning
from tests import register
from tests.conftest import in_kommune, kommune

TODAY = dt.date.today()
START = TODAY - dt.timedelta(days=900)
MOTTATT = TODAY - dt.timedelta(days=400)
HJEMFALL_DAG = add_months(MOTTATT, 12)


def codes(exc) -> set[str]:
    return {e.code for errors in exc.value.error_dict.values() for e in errors}


def text(exc) -> str:
    return " ".join(m for errors in exc.value.message_dict.values() for m in errors)


@pytest.fixture
def k(bergen):
    with in_kommune(bergen):
        yield bergen


def noticed(k, *, tilknytningsform="naeringsdrivende", mottatt=MOTTATT, **fields):
    """A signed avtale from START and its notice received on `mottatt`: returns the open case."""
    extra = {"listetak": 1200} if tilknytningsform == "ansatt" else {}
    a = register.avtale(k, startdato=START, tilknytningsform=tilknytningsform, **extra, **fields)
    virkning = mottatt + dt.timedelta(days=90) if tilknytningsform == "ansatt" else None
    avtaler_services.record_oppsigelse(avtale=a, part="lege", mottatt=mottatt, virkning=virkning)
    return Ledighetssak.objects.get(pasientliste=a.pasientliste, fastlege=a.lege)


def ads(sak, n, *, korrekt=True, first=MOTTATT + dt.timedelta(days=10)):
    for i in range(n):
        sak_services.add_utlysning(sak=sak, dato=first + dt.timedelta(days=10 * i), korrekt=korrekt, kanal="Nettsiden")


def status(sak, day=TODAY):
    return sak_selectors.hjemfall(sak_selectors.get_sak(pk=sak.pk, on=day), day)


def failing(st) -> set[str]:
    return {v.kode for v in st.vilkar if not v.oppfylt}


# --- opening and closing ------------------------------------------------------------------------

def test_a_second_open_case_for_the_same_list_and_gp_is_refused_with_a_clear_message(k):
    sak = noticed(k)
    with pytest.raises(ValidationError) as exc:
        sak_services.open_sak(liste=sak.pasientliste, fastlege=sak.fastlege, arsak="annet", kjent=TODAY)
    assert codes(exc) == {"apen_sak_finnes"} and f"sak {sak.pk}" in exc.value.message_dict["fastlege"][0]
    assert Ledighetssak.objects.filter(pasientliste=sak.pasientliste, fastlege=sak.fastlege).count() == 1


def test_a_second_open_new_list_case_is_refused_too(k):
    liste = register.liste(k, fra=START)
    with pytest.raises(ValidationError) as exc:
        sak_services.open_sak(liste=liste, arsak="ny_liste", kjent=START)
    assert codes(exc) == {"apen_sak_finnes"}


def test_the_database_refuses_a_second_open_case_too(k):
    sak = noticed(k)
    dup = Ledighetssak(kommune_id=sak.kommune_id, pasientliste=sak.pasientliste, fastlege=sak.fastlege, arsak="annet", kjent=TODAY)
    with pytest.raises(ValidationError) as exc:
        from core.constraints import save_new

        save_new(dup, fields=sak_services.OPEN_FIELDS)
    assert "allerede en åpen ledighetssak" in text(exc)


def test_a_closed_case_does_not_block_a_new_one(k):
    sak = noticed(k)
    sak_services.update_sak(sak=sak, expected_version=sak.versjon, avsluttet=TODAY)
    again = sak_services.open_sak(liste=sak.pasientliste, fastlege=sak.fastlege, arsak="annet", kjent=TODAY)
    assert again.pk != sak.pk


def test_andel_listetak_is_kept_only_on_a_fellesliste(k):
    a = register.avtale(k, startdato=START)
    sak = sak_services.open_sak(liste=a.pasientliste, fastlege=a.lege, arsak="annet", kjent=TODAY, andel_listetak=500)
    assert sak.andel_listetak is None


def test_open_sak_refuses_bad_input_and_saves_nothing(k):
    a = register.avtale(k, startdato=START)
    other = register.lege(k)
    liste = a.pasientliste
    before = Ledighetssak.objects.count()
    bad = [
        ({"arsak": "ferie", "kjent": TODAY}, "arsak"),
        ({"arsak": "annet", "kjent": TODAY + dt.timedelta(days=1), "fastlege": a.lege}, "kjent"),
        ({"arsak": "annet", "kjent": dt.date(2019, 12, 31), "fastlege": a.lege}, "kjent"),
        ({"arsak": "annet", "kjent": TODAY, "fastlege": other}, "fastlege"),
        ({"arsak": "annet", "kjent": TODAY, "naeringsdrivende": True}, "naeringsdrivende"),
        ({"arsak": "oppsigelse_lege", "kjent": TODAY, "fastlege": a.lege, "oppsigelse_mottatt": TODAY,
          "fastlege_slutt": TODAY - dt.timedelta(days=1)}, "fastlege_slutt"),
    ]
    for kwargs, field in bad:
        with pytest.raises(ValidationError) as exc:
            sak_services.open_sak(liste=liste, **kwargs)
        assert field in exc.value.message_dict, (kwargs, exc.value)
    assert Ledighetssak.objects.count() == before


def test_a_foreign_kommunes_doctor_is_unknown(k, sunnfjord):
    with in_kommune(sunnfjord):
        foreign = register.lege(sunnfjord)
    liste = register.liste(k, fra=START)
    with pytest.raises(ValidationError) as exc:
        sak_services.open_sak(liste=liste, fastlege=foreign, arsak="annet", kjent=TODAY)
    assert codes(exc) == {"ukjent_lege"}


def test_new_period_closes_cases_of_other_gps_known_by_then_but_not_the_same_gps(k):
    sak = noticed(k)
    liste = sak.pasientliste
    assert sak_services.close_saker_for_new_period(liste=liste, lege=sak.fastlege, fra=TODAY) == 0
    assert sak_services.close_saker_for_new_period(liste=liste, lege=register.lege(k), fra=MOTTATT - dt.timedelta(days=1)) == 0
    sak.refresh_from_db()
    assert sak.avsluttet is None
    assert sak_services.close_saker_for_new_period(liste=liste, lege=register.lege(k), fra=MOTTATT) == 1
    sak.refresh_from_db()
    assert sak.avsluttet == MOTTATT


# --- the kommune's vikar period -------------------------------------------------------------------

def test_kostnadsperiode_only_for_naeringsdrivende_in_an_asa4310_kommune(k):
    sak = noticed(k)
    assert sak.kostnadsperiode_til == add_months(sak.fastlege_slutt, 6)
    assert noticed(k, tilknytningsform="ansatt").kostnadsperiode_til is None
    oslo = kommune("0301")
    with in_kommune(oslo):
        Kommune.objects.filter(pk=oslo.pk).update(avtaleregime="oslo")
        oslo.refresh_from_db()
        o = noticed(oslo, okonomisk_modell="oslo")
        assert o.naeringsdrivende and o.kostnadsperiode_til is None


def test_changing_the_notice_end_moves_the_vikar_period(k):
    sak = noticed(k)
    new_end = sak.fastlege_slutt + dt.timedelta(days=31)
    sak = sak_services.update_sak(sak=sak, expected_version=sak.versjon, fastlege_slutt=new_end, merknad="  Avtalt senere  ")
    assert sak.kostnadsperiode_til == add_months(new_end, 6) and sak.merknad == "Avtalt senere"


def test_update_sak_with_a_stale_version_is_refused(k):
    sak = noticed(k)
    with pytest.raises(StaleVersion):
        sak_services.update_sak(sak=sak, expected_version=sak.versjon - 1, merknad="x")
    with pytest.raises(ValidationError) as exc:
        sak_services.update_sak(sak=sak, expected_version=sak.versjon, fastlege=None)
    assert "fastlege" in exc.value.message_dict


# --- phase --------------------------------------------------------------------------------------------

def test_phase_is_derived_from_the_dates(k):
    sak = noticed(k, mottatt=TODAY - dt.timedelta(days=10))
    assert sak_selectors.get_sak(pk=sak.pk).fase == "kunngjort"
    assert sak_selectors.get_sak(pk=sak.pk, on=sak.fastlege_slutt - dt.timedelta(days=1)).fase == "kunngjort"
    assert sak_selectors.get_sak(pk=sak.pk, on=sak.fastlege_slutt).fase == "ledig"
    sak_services.close_saker_for_new_period(liste=sak.pasientliste, lege=register.lege(k), fra=sak.fastlege_slutt + dt.timedelta(days=5))
    closes = sak.fastlege_slutt + dt.timedelta(days=5)
    assert sak_selectors.get_sak(pk=sak.pk, on=closes - dt.timedelta(days=1)).fase == "ledig"
    assert sak_selectors.get_sak(pk=sak.pk, on=closes).fase == "avsluttet"
    assert sak_selectors.get_sak(pk=sak.pk).apen is True


def test_a_new_lists_case_is_ledig_from_its_first_day(k):
    liste = register.liste(k, fra=START)
    sak = Ledighetssak.objects.get(pasientliste=liste)
    assert sak_selectors.get_sak(pk=sak.pk).fase == "ledig"
    assert sak_selectors.get_sak(pk=sak.pk, on=START - dt.timedelta(days=1)).fase == "kunngjort"


# --- hjemfall -------------------------------------------------------------------------------------------

def test_hjemfall_possible_when_every_condition_holds(k):
    sak = noticed(k)
    ads(sak, 3)
    st = status(sak)
    assert st.mulig and not failing(st) and st.tid_oppfylt_fra == HJEMFALL_DAG and st.antall_korrekte_utlysninger == 3


def test_hjemfall_on_the_exact_day_twelve_months_after_the_notice(k):
    sak = noticed(k)
    ads(sak, 3)
    assert status(sak, HJEMFALL_DAG).mulig
    before = status(sak, HJEMFALL_DAG - dt.timedelta(days=1))
    assert not before.mulig and failing(before) == {"tid"}


def test_hjemfall_needs_three_correct_advertisements(k):
    sak = noticed(k)
    ads(sak, 2)
    ads(sak, 1, korrekt=False, first=MOTTATT + dt.timedelta(days=50))
    st = status(sak)
    assert not st.mulig and failing(st) == {"utlysninger"} and st.antall_korrekte_utlysninger == 2


def test_advertisements_after_the_day_do_not_count(k):
    sak = noticed(k)
    ads(sak, 2)
    ads(sak, 1, first=TODAY)
    assert failing(status(sak, TODAY - dt.timedelta(days=1))) == {"utlysninger"}
    assert status(sak, TODAY).mulig


@pytest.mark.parametrize("vurdering", ["kvalifisert", "tilsatt"])
def test_a_qualified_applicant_rules_out_hjemfall(k, vurdering):
    sak = noticed(k)
    ads(sak, 3)
    sak_services.add_soker(sak=sak, navn="Per Søker", mottatt=TODAY, vurdering=vurdering)
    st = status(sak)
    assert not st.mulig and failing(st) == {"ingen_kvalifisert"}


def test_an_unqualified_applicant_does_not(k):
    sak = noticed(k)
    ads(sak, 3)
    sak_services.add_soker(sak=sak, navn="Per Søker", mottatt=TODAY, vurdering="ikke_kvalifisert")
    assert status(sak).mulig


def test_hjemfall_only_for_naeringsdrivende(k):
    sak = noticed(k, tilknytningsform="ansatt")
    ads(sak, 3)
    st = status(sak)
    assert not st.mulig and failing(st) == {"naeringsdrivende"}


def test_hjemfall_not_under_oslos_agreement(db):
    oslo = kommune("0301")
    with in_kommune(oslo):
        Kommune.objects.filter(pk=oslo.pk).update(avtaleregime="oslo")
        sak = noticed(oslo, okonomisk_modell="oslo")
        ads(sak, 3)
        st = status(sak)
        assert not st.mulig and failing(st) == {"asa4310"}


def test_hjemfall_needs_a_notice_and_an_open_case(k):
    sak = noticed(k)
    ads(sak, 3)
    sak_services.update_sak(sak=sak, expected_version=Ledighetssak.objects.get(pk=sak.pk).versjon, avsluttet=TODAY)
    st = status(sak)
    assert not st.mulig and not failing(st) and not st.apen
    a = register.avtale(k, startdato=START)
    avtaler_services.record_bortfall(avtale=a, arsak="dodsfall", dato=TODAY - dt.timedelta(days=2))
    no_notice = Ledighetssak.objects.get(pasientliste=a.pasientliste, fastlege=a.lege)
    assert failing(status(no_notice)) >= {"tid"}


# --- advertisements and applicants ---------------------------------------------------------------------

def test_advertisement_rules_and_nothing_saved(k):
    sak = noticed(k)
    for kwargs, field in [
        ({"dato": TODAY + dt.timedelta(days=1)}, "dato"),
        ({"dato": MOTTATT - dt.timedelta(days=1)}, "dato"),
        ({"dato": TODAY - dt.timedelta(days=5), "soknadsfrist": TODAY - dt.timedelta(days=6)}, "soknadsfrist"),
    ]:
        with pytest.raises(ValidationError) as exc:
            sak_services.add_utlysning(sak=sak, **kwargs)
        assert field in exc.value.message_dict
    assert not Utlysning.objects.filter(sak=sak).exists()
    u = sak_services.add_utlysning(sak=sak, dato=TODAY, soknadsfrist=TODAY + dt.timedelta(days=21), kanal=" Nettsiden ")
    assert u.kanal == "Nettsiden" and u.korrekt
    u = sak_services.update_utlysning(utlysning=u, expected_version=u.versjon, korrekt=False)
    assert not u.korrekt
    with pytest.raises(StaleVersion):
        sak_services.delete_utlysning(utlysning=u, expected_version=u.versjon - 1)
    sak_services.delete_utlysning(utlysning=u, expected_version=u.versjon)
    assert not Utlysning.objects.filter(sak=sak).exists()


def test_a_new_list_may_be_advertised_before_it_starts(k):
    liste = register.liste(k, fra=TODAY + dt.timedelta(days=60))
    sak = Ledighetssak.objects.get(pasientliste=liste)
    assert sak_services.add_utlysning(sak=sak, dato=TODAY).dato == TODAY


def test_applicant_rules(k, sunnfjord):
    sak = noticed(k)
    with in_kommune(sunnfjord):
        foreign = register.lege(sunnfjord)
    for kwargs, field in [
        ({"navn": "  ", "mottatt": TODAY}, "navn"),
        ({"navn": "A", "mottatt": TODAY, "vurdering": "kanskje"}, "vurdering"),
        ({"navn": "A", "mottatt": TODAY + dt.timedelta(days=1)}, "mottatt"),
        ({"navn": "A", "mottatt": TODAY, "lege": foreign}, "lege"),
    ]:
        with pytest.raises(ValidationError) as exc:
            sak_services.add_soker(sak=sak, **kwargs)
        assert field in exc.value.message_dict
    assert not Soker.objects.filter(sak=sak).exists()
    own = register.lege(k)
    s = sak_services.add_soker(sak=sak, navn="Kari Søker", mottatt=TODAY, lege=own)
    assert s.vurdering == "til_vurdering" and s.lege_id == own.pk
    s = sak_services.update_soker(soker=s, expected_version=s.versjon, vurdering="kvalifisert")
    assert s.vurdering == "kvalifisert"


# --- cover ------------------------------------------------------------------------------------------------

D = dt.date


@pytest.fixture
def liste(k):
    return register.liste(k, fra=D(2020, 1, 1))


def test_kollegial_cover_up_to_56_days_a_calendar_year(liste):
    sak_services.add_dekning(liste=liste, type="kollegial", fra=D(2025, 3, 1), til=D(2025, 3, 1) + dt.timedelta(days=56))
    with pytest.raises(ValidationError) as exc:
        sak_services.add_dekning(liste=liste, type="kollegial", fra=D(2025, 6, 1), til=D(2025, 6, 2))
    assert codes(exc) == {"kollegial_over_grense"}
    message = exc.value.message_dict["til"][0]
    assert "57 dager i 2025" in message and "vikarbruk" in message and "Helsedirektoratet" in message
    assert Dekning.objects.filter(pasientliste=liste).count() == 1
    # cover by the office's other GPs has no such limit
    sak_services.add_dekning(liste=liste, type="kontoret", fra=D(2025, 6, 1), til=D(2025, 12, 1))


def test_kollegial_limit_counts_each_calendar_year_separately_across_the_boundary(liste):
    sak_services.add_dekning(liste=liste, type="kollegial", fra=D(2025, 11, 5), til=D(2025, 12, 31))  # 56 days in 2025
    with pytest.raises(ValidationError) as exc:
        sak_services.add_dekning(liste=liste, type="kollegial", fra=D(2025, 12, 31), til=D(2026, 1, 10))  # 1 more in 2025
    assert "57 dager i 2025" in text(exc)
    sak_services.add_dekning(liste=liste, type="kollegial", fra=D(2026, 1, 1), til=D(2026, 2, 26))  # 56 in 2026
    with pytest.raises(ValidationError) as exc:
        sak_services.add_dekning(liste=liste, type="kollegial", fra=D(2026, 12, 31), til=D(2027, 1, 20))  # 2026 again
    assert "57 dager i 2026" in text(exc)
    assert Dekning.objects.filter(pasientliste=liste).count() == 2


def test_a_period_across_new_year_counts_its_days_in_each_year(liste):
    sak_services.add_dekning(liste=liste, type="kollegial", fra=D(2025, 12, 1), til=D(2026, 1, 26))  # 31 + 25
    sak_services.add_dekning(liste=liste, type="kollegial", fra=D(2026, 3, 1), til=D(2026, 3, 1) + dt.timedelta(days=31))
    with pytest.raises(ValidationError):
        sak_services.add_dekning(liste=liste, type="kollegial", fra=D(2026, 5, 1), til=D(2026, 5, 2))
    sak_services.add_dekning(liste=liste, type="kollegial", fra=D(2025, 5, 1), til=D(2025, 5, 26))  # 2025: 31 + 25 = 56


def test_overlapping_cover_is_refused_with_the_other_period(liste):
    sak_services.add_dekning(liste=liste, type="kontoret", fra=D(2025, 1, 6), til=D(2025, 1, 20))
    with pytest.raises(ValidationError) as exc:
        sak_services.add_dekning(liste=liste, type="kollegial", fra=D(2025, 1, 19), til=D(2025, 1, 25))
    assert codes(exc) == {"overlapp"} and "06.01.2025–19.01.2025" in exc.value.message_dict["fra"][0]
    sak_services.add_dekning(liste=liste, type="kollegial", fra=D(2025, 1, 20), til=D(2025, 1, 25))  # half-open: touching is fine
    assert Dekning.objects.filter(pasientliste=liste).count() == 2


def test_cover_period_rules(liste):
    for kwargs, field in [
        ({"type": "vikar", "fra": D(2025, 1, 1), "til": D(2025, 1, 2)}, "type"),
        ({"type": "kontoret", "fra": D(2025, 1, 2), "til": D(2025, 1, 2)}, "til"),
        ({"type": "kontoret", "fra": D(2019, 12, 1), "til": D(2020, 1, 2)}, "fra"),
    ]:
        with pytest.raises(ValidationError) as exc:
            sak_services.add_dekning(liste=liste, **kwargs)
        assert field in exc.value.message_dict
    assert not Dekning.objects.filter(pasientliste=liste).exists()


def test_extending_kollegial_cover_is_checked_like_a_new_period(liste):
    d = sak_services.add_dekning(liste=liste, type="kollegial", fra=D(2025, 3, 1), til=D(2025, 3, 31))
    with pytest.raises(ValidationError):
        sak_services.end_dekning(dekning=d, expected_version=d.versjon, til=D(2025, 6, 1))
    d = sak_services.end_dekning(dekning=d, expected_version=d.versjon, til=D(2025, 4, 26))  # 56 days
    assert d.til == D(2025, 4, 26)
    with pytest.raises(StaleVersion):
        sak_services.delete_dekning(dekning=d, expected_version=d.versjon - 1)
    sak_services.delete_dekning(dekning=d, expected_version=d.versjon)
    assert not Dekning.objects.exists()


def test_days_are_split_at_year_boundaries():
    assert sak_services.kollegial_days_per_year([(D(2025, 12, 30), D(2026, 1, 3))]) == {2025: 2, 2026: 2}


# --- deadlines and queries ---------------------------------------------------------------------------------

def test_deadlines_list_notice_end_vikar_period_end_and_hjemfall_by_time(k):
    sak = noticed(k)
    window = frister.collect(k, MOTTATT, add_months(TODAY, 12))
    mine = {(f.type, f.dato) for f in window if getattr(f.objekt, "pk", None) == sak.pk and isinstance(f.objekt, Ledighetssak)}
    assert mine == {("ledig_liste", sak.fastlege_slutt), ("vikarplikt", sak.kostnadsperiode_til), ("hjemfall", HJEMFALL_DAG)}
    hjemfall = next(f for f in window if f.type == "hjemfall" and f.objekt.pk == sak.pk)
    assert f"/lister/saker/{sak.pk}/" == hjemfall.url and "(nå 0)" in hjemfall.beskrivelse
    assert not [f for f in frister.collect(k, HJEMFALL_DAG + dt.timedelta(days=1), TODAY) if f.type == "hjemfall"]


def test_case_list_is_one_query_for_few_and_many_cases(k):
    for _ in range(2):
        ads(noticed(k), 1)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            sak_selectors.with_status(sak_selectors.sak_list())
        return len(ctx.captured_queries)

    few = count()
    for _ in range(4):
        ads(noticed(k), 2)
    assert count() == few == 1
