"""Legevakt districts through the services: creating one (the vertskommune's own membership with
it), memberships of any kommune in time bands with the one-district-per-band rule across all
districts, population and the SFS 2305 band, stations, agreements, the vertskommune-only rule, and
linking a doctor's user account."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.exceptions import StaleVersion
from core.tenancy import unscoped
from kommune.models import Innbyggertall, Kommune, Lege
from legevakt import distrikt_selectors as selectors
from legevakt import distrikt_services as services
from legevakt.models import Legevaktdistrikt, Medlemskap, Stasjon, Vaktavtale
from tests import register
from tests.api_helpers import service_messages
from tests.conftest import in_kommune, kommune, user_with_role

FRA = dt.date(2026, 1, 1)


SMA = ("1825", "1826", "1828")  # Grane, Hattfjelldal, Nesna: sentralitetsklasse 6 (SSB 2024)


def sentralitet_6(n: int = 3) -> list[Kommune]:
    """Three kommuner of sentralitetsklasse 6 (the class is set if the register in the test database lacks it)."""
    with unscoped(reason="tests: pick small rural kommuner"):
        found = list(Kommune.objects.filter(sentralitetsklasse=6).order_by("kommunenummer")[:n])
        if len(found) < n:
            Kommune.objects.filter(kommunenummer__in=SMA).update(sentralitetsklasse=6)
            found = list(Kommune.objects.filter(sentralitetsklasse=6).order_by("kommunenummer")[:n])
    assert len(found) == n
    return found


def innbyggere(k, antall: int, fra: dt.date = dt.date(2025, 1, 1), *, erstatt: bool = True) -> None:
    """Give the kommune this population from `fra` (replacing the figures the register shipped, unless erstatt=False)."""
    with in_kommune(k):
        if erstatt:
            Innbyggertall.objects.filter(kommune=k).delete()
        Innbyggertall.objects.create(kommune=k, gjelder_fra=fra, antall=antall, kilde="SSB (test)")


def distrikt(k, navn="Legevakt", type="interkommunal", medlemmer=(), tidsbolk="dogn", fra=FRA):
    with in_kommune(k):
        return services.create_distrikt(kommune=k, navn=navn, type=type, fra=fra, tidsbolk=tidsbolk, medlemmer=medlemmer)


# --- creating a district -----------------------------------------------------------------------------

def test_en_kommune_district_gets_the_vertskommunes_own_membership(bergen):
    d = distrikt(bergen, navn="Bergen legevakt", type="en_kommune")
    with in_kommune(bergen):
        rows = list(Medlemskap.objects.filter(distrikt=d).values_list("medlem_id", "tidsbolk", "fra", "til"))
    assert rows == [(bergen.pk, "dogn", FRA, None)]


def test_en_kommune_district_refuses_other_members(bergen, sunnfjord):
    with in_kommune(bergen):
        messages = service_messages("medlemmer", lambda: services.create_distrikt(
            kommune=bergen, navn="X", type="en_kommune", fra=FRA, medlemmer=["4647"]))
        assert "bare vertskommunen som medlem" in messages[0]
        assert not Legevaktdistrikt.objects.exists()


def test_interkommunal_district_of_three_small_rural_kommuner_has_their_population(db):
    vert, *andre = sentralitet_6(3)
    for k, antall in zip([vert, *andre], (4100, 1400, 2300), strict=True):
        innbyggere(k, antall)
        innbyggere(k, antall + 1000, fra=dt.date(2027, 1, 1), erstatt=False)  # a later figure: not yet in force
    d = distrikt(vert, navn="Indre Helgeland", medlemmer=[k.kommunenummer for k in andre])
    with in_kommune(vert):
        assert selectors.befolkning(d, dt.date(2026, 6, 1)) == 4100 + 1400 + 2300
        assert selectors.befolkningsgruppe(d, dt.date(2026, 6, 1)) == "I"
        assert selectors.befolkning(d, dt.date(2027, 6, 1)) == 4100 + 1400 + 2300 + 3000
        assert sorted(m.medlem_id for m in selectors.medlemmer(d, dt.date(2026, 6, 1))) == sorted(k.pk for k in (vert, *andre))
        # before the memberships begin: nobody
        assert selectors.befolkning(d, dt.date(2025, 6, 1)) == 0
        listed = selectors.distrikt_list(on=dt.date(2026, 6, 1)).get(pk=d.pk)
        assert listed.befolkning == 7800 and len(listed.medlemmer_pa_dagen) == 3


def test_a_kommune_in_two_bands_counts_once(bergen):
    vert, annen = sentralitet_6(2)
    innbyggere(vert, 3000)
    innbyggere(annen, 2000)
    d = distrikt(vert, tidsbolk="dagtid")
    with in_kommune(vert):
        services.add_medlemskap(distrikt=d, medlem=vert.kommunenummer, tidsbolk="utenfor_dagtid", fra=FRA)
        services.add_medlemskap(distrikt=d, medlem=annen.pk, tidsbolk="dogn", fra=FRA)
        assert selectors.befolkning(d, FRA) == 5000


@pytest.mark.parametrize(("antall", "gruppe"), [
    (0, "I"), (29_999, "I"), (30_000, "II"), (59_999, "II"), (60_000, "II"), (60_001, "III"), (90_000, "III"),
    (90_001, "IV"), (300_000, "IV"),
])
def test_sfs_2305_band_on_the_boundaries(antall, gruppe):
    assert selectors.gruppe_for(antall, dt.date(2026, 1, 1)) == gruppe


def test_band_of_a_district_from_its_population(bergen):
    innbyggere(bergen, 60_001)
    d = distrikt(bergen, type="en_kommune")
    with in_kommune(bergen):
        assert selectors.befolkningsgruppe(d, FRA) == "III"


def test_district_refusals(bergen):
    with in_kommune(bergen):
        assert "navn" in service_messages("navn", lambda: services.create_distrikt(
            kommune=bergen, navn=" ", type="en_kommune", fra=FRA))[0]
        assert service_messages("type", lambda: services.create_distrikt(kommune=bergen, navn="X", type="tull", fra=FRA))
        assert service_messages("fra", lambda: services.create_distrikt(kommune=bergen, navn="X", type="en_kommune",
                                                                         fra=dt.date(1800, 1, 1)))
        assert service_messages("medlemmer", lambda: services.create_distrikt(
            kommune=bergen, navn="X", type="interkommunal", fra=FRA, medlemmer=["9999"]))
        assert service_messages("tidsbolk", lambda: services.create_distrikt(
            kommune=bergen, navn="X", type="en_kommune", fra=FRA, tidsbolk="natt"))
        assert not Legevaktdistrikt.objects.exists()
    d = distrikt(bergen, navn="Bergen legevakt")
    with in_kommune(bergen):
        assert "allerede" in service_messages("navn", lambda: services.create_distrikt(
            kommune=bergen, navn="Bergen legevakt", type="en_kommune", fra=dt.date(2030, 1, 1)))[0]
        assert Legevaktdistrikt.objects.count() == 1 and Medlemskap.objects.filter(distrikt=d).count() == 1


def test_update_district_and_type_change_refused_with_other_members(bergen, sunnfjord):
    d = distrikt(bergen, medlemmer=["4647"])
    with in_kommune(bergen):
        messages = service_messages("type", lambda: services.update_distrikt(
            distrikt=d, expected_version=d.versjon, type="en_kommune"))
        assert "andre medlemmer" in messages[0]
        d = services.update_distrikt(distrikt=d, expected_version=d.versjon, navn="Vest legevakt", aktiv=False)
        assert (d.navn, d.aktiv) == ("Vest legevakt", False)
        with pytest.raises(StaleVersion):
            services.update_distrikt(distrikt=d, expected_version=d.versjon - 1, navn="Gammel")


# --- memberships and the band rule -------------------------------------------------------------------

def test_one_district_per_band_across_districts_of_different_vertskommuner(bergen, sunnfjord):
    """A kommune in district A (døgn) cannot join B for utenfor_dagtid in an overlapping period;
    dagtid in A + utenfor_dagtid in B is fine."""
    medlem = kommune("4602")  # Kinn
    a = distrikt(bergen, navn="A", medlemmer=[medlem.kommunenummer])
    b = distrikt(sunnfjord, navn="B")
    with in_kommune(sunnfjord):
        messages = service_messages("tidsbolk", lambda: services.add_medlemskap(
            distrikt=b, medlem="4602", tidsbolk="utenfor_dagtid", fra=dt.date(2026, 3, 1)))
        assert "ett distrikt per tidsbånd" in messages[0]
        assert not Medlemskap.objects.filter(distrikt=b, medlem=medlem).exists()
    with in_kommune(bergen):
        a_medlem = Medlemskap.objects.get(distrikt=a, medlem=medlem)
        services.update_medlemskap(medlemskap=a_medlem, expected_version=a_medlem.versjon, tidsbolk="dagtid")
    with in_kommune(sunnfjord):
        m = services.add_medlemskap(distrikt=b, medlem="4602", tidsbolk="utenfor_dagtid", fra=dt.date(2026, 3, 1))
        assert m.medlem_id == medlem.pk and m.kommune_id == sunnfjord.pk
        # and dagtid in B as well would overlap A's dagtid
        assert service_messages("tidsbolk", lambda: services.add_medlemskap(
            distrikt=b, medlem="4602", tidsbolk="dagtid", fra=dt.date(2026, 3, 1)))
    with in_kommune(bergen):
        a_medlem.refresh_from_db()
        # changing A back to døgn now collides with B's evening band
        assert "ett distrikt per tidsbånd" in service_messages("tidsbolk", lambda: services.update_medlemskap(
            medlemskap=a_medlem, expected_version=a_medlem.versjon, tidsbolk="dogn"))[0]
        a_medlem.refresh_from_db()
        assert a_medlem.tidsbolk == "dagtid"


def test_membership_can_follow_after_another_ends(bergen, sunnfjord):
    a = distrikt(bergen, navn="A", medlemmer=["4602"])
    b = distrikt(sunnfjord, navn="B")
    with in_kommune(bergen):
        m = Medlemskap.objects.get(distrikt=a, medlem__kommunenummer="4602")
        m = services.avslutt_medlemskap(medlemskap=m, expected_version=m.versjon, til=dt.date(2026, 7, 1))
        assert m.til == dt.date(2026, 7, 1)
    with in_kommune(sunnfjord):
        assert service_messages("tidsbolk", lambda: services.add_medlemskap(
            distrikt=b, medlem="4602", fra=dt.date(2026, 6, 30)))
        assert services.add_medlemskap(distrikt=b, medlem="4602", fra=dt.date(2026, 7, 1)).fra == dt.date(2026, 7, 1)


def test_membership_refusals(bergen):
    d = distrikt(bergen)
    kinn = kommune("4602")
    en = distrikt(kinn, navn="Én", type="en_kommune")
    with in_kommune(kinn):
        assert "bare vertskommunen" in service_messages("medlem", lambda: services.add_medlemskap(
            distrikt=en, medlem="4647", fra=dt.date(2040, 1, 1)))[0]
    with in_kommune(bergen):
        assert "Ukjent kommune" in service_messages("medlem", lambda: services.add_medlemskap(
            distrikt=d, medlem="0000", fra=FRA))[0]
        assert service_messages("medlem", lambda: services.add_medlemskap(distrikt=d, medlem=None, fra=FRA))
        assert service_messages("til", lambda: services.add_medlemskap(
            distrikt=d, medlem="4647", fra=FRA, til=FRA))
        assert service_messages("fra", lambda: services.add_medlemskap(
            distrikt=d, medlem="4647", fra=None))
        assert service_messages("til", lambda: services.add_medlemskap(
            distrikt=d, medlem="4647", fra=FRA, til=dt.date(2300, 1, 1)))
        assert service_messages("tidsbolk", lambda: services.add_medlemskap(
            distrikt=d, medlem="4647", fra=FRA, tidsbolk="natt"))
        assert Medlemskap.objects.filter(medlem__kommunenummer="4647").count() == 0
        m = Medlemskap.objects.get(distrikt=d)
        assert service_messages("medlem", lambda: services.update_medlemskap(
            medlemskap=m, expected_version=m.versjon, medlem=kommune("4647")))
        assert service_messages("til", lambda: services.avslutt_medlemskap(medlemskap=m, expected_version=m.versjon, til=None))


# --- stations and agreements -------------------------------------------------------------------------

def test_station_with_address_and_postnummer(bergen):
    d = distrikt(bergen)
    with in_kommune(bergen):
        assert "fire siffer" in service_messages("postnummer", lambda: services.create_stasjon(
            distrikt=d, navn="Sentrum", adresse="Vestre Strømkaien 19", postnummer="50O3"))[0]
        assert service_messages("adresse", lambda: services.create_stasjon(distrikt=d, navn="Sentrum", adresse=" "))
        s = services.create_stasjon(distrikt=d, navn="Sentrum", adresse="Vestre Strømkaien 19", postnummer="50 03",
                                    poststed="Bergen")
        assert s.postnummer == "5003"
        assert "allerede" in service_messages("navn", lambda: services.create_stasjon(
            distrikt=d, navn="Sentrum", adresse="Et annet sted 1"))[0]
        s = services.update_stasjon(stasjon=s, expected_version=s.versjon, telefon="116117", aktiv=False)
        assert (s.telefon, s.aktiv) == ("116117", False)
        assert service_messages("postnummer", lambda: services.update_stasjon(
            stasjon=s, expected_version=s.versjon, postnummer="123"))
        assert Stasjon.objects.count() == 1


def test_agreement_needs_a_doctor_registered_in_the_vertskommune(bergen, sunnfjord):
    d = distrikt(bergen)
    with in_kommune(sunnfjord):
        fremmed = register.lege(sunnfjord)
    with in_kommune(bergen):
        lege = register.lege(bergen)
        assert "Ukjent lege" in service_messages("lege", lambda: services.create_vaktavtale(
            distrikt=d, lege=fremmed.pk, fra=FRA))[0]
        a = services.create_vaktavtale(distrikt=d, lege=lege, fra=FRA, til=dt.date(2026, 7, 1), merknad=" LIS1 ")
        assert a.merknad == "LIS1"
        assert "allerede en vaktavtale" in service_messages("fra", lambda: services.create_vaktavtale(
            distrikt=d, lege=lege, fra=dt.date(2026, 6, 1)))[0]
        assert service_messages("til", lambda: services.update_vaktavtale(
            vaktavtale=a, expected_version=a.versjon, til=dt.date(2025, 1, 1)))
        a = services.update_vaktavtale(vaktavtale=a, expected_version=a.versjon, til=None)
        assert a.til is None
        assert Vaktavtale.objects.count() == 1


# --- only the vertskommune writes ----------------------------------------------------------------------

def test_a_deltakerkommune_cannot_change_anything(bergen, sunnfjord):
    d = distrikt(bergen, medlemmer=["4647"])
    with in_kommune(bergen):
        s = services.create_stasjon(distrikt=d, navn="Sentrum", adresse="Gata 1")
        a = services.create_vaktavtale(distrikt=d, lege=register.lege(bergen), fra=FRA)
        m = Medlemskap.objects.get(distrikt=d, medlem=sunnfjord)
    with in_kommune(sunnfjord):
        d = Legevaktdistrikt.objects.get(pk=d.pk)  # visible to the member
        calls = [
            lambda: services.update_distrikt(distrikt=d, expected_version=d.versjon, navn="Kapret"),
            lambda: services.add_medlemskap(distrikt=d, medlem="4602", fra=FRA),
            lambda: services.update_medlemskap(medlemskap=m, expected_version=m.versjon, til=dt.date(2026, 2, 1)),
            lambda: services.create_stasjon(distrikt=d, navn="Ny", adresse="Gata 2"),
            lambda: services.update_stasjon(stasjon=s, expected_version=s.versjon, navn="Kapret"),
            lambda: services.create_vaktavtale(distrikt=d, lege=a.lege_id, fra=dt.date(2030, 1, 1)),
            lambda: services.update_vaktavtale(vaktavtale=a, expected_version=a.versjon, merknad="Kapret"),
        ]
        for call in calls:
            with pytest.raises(PermissionDenied, match="Bare vertskommunen"):
                call()
    with in_kommune(bergen):
        assert Legevaktdistrikt.objects.get(pk=d.pk).navn == "Legevakt"
        assert Medlemskap.objects.filter(distrikt=d).count() == 2 and Stasjon.objects.count() == 1
        assert Vaktavtale.objects.count() == 1 and Medlemskap.objects.get(pk=m.pk).til is None


# --- the doctor's user account -------------------------------------------------------------------------

def test_link_a_doctor_to_a_user_with_the_lege_role(bergen, sunnfjord):
    med_rolle = user_with_role("lege", bergen)
    annen_kommune = user_with_role("lege", sunnfjord)
    saksbehandler = user_with_role("saksbehandler", bergen)
    with in_kommune(bergen):
        lege, annen = register.lege(bergen), register.lege(bergen)
        assert "rollen «lege»" in service_messages("bruker", lambda: services.koble_bruker(lege, saksbehandler))[0]
        assert service_messages("bruker", lambda: services.koble_bruker(lege, annen_kommune))
        lege = services.koble_bruker(lege, med_rolle)
        assert Lege.objects.get(pk=lege.pk).bruker_id == med_rolle.pk
        assert "annen lege" in service_messages("bruker", lambda: services.koble_bruker(annen, med_rolle))[0]
        assert Lege.objects.get(pk=annen.pk).bruker_id is None
        services.koble_bruker(lege, None)
        assert Lege.objects.get(pk=lege.pk).bruker_id is None
        with pytest.raises(ValidationError):
            services.koble_bruker(999999, med_rolle)


def test_link_refuses_a_user_linked_to_a_doctor_in_another_kommune(bergen, sunnfjord):
    bruker = user_with_role("lege", bergen, sunnfjord)
    with in_kommune(sunnfjord):
        services.koble_bruker(register.lege(sunnfjord), bruker)
    with in_kommune(bergen):
        lege = register.lege(bergen)
        assert "annen lege" in service_messages("bruker", lambda: services.koble_bruker(lege, bruker))[0]
