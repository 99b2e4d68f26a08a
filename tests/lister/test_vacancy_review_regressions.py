"""Regressions found in the review of issue 6: a departing GP with the larger share of a fellesliste,
listeinnbyggere on a vacant part, far-off dates answering 400 (never 500), vikar service across a
weekend, the kommune's vikar duty only after the 2024 revision, continuity only from past service,
strict boolean filters."""

from __future__ import annotations

import datetime as dt

import pytest

from avtaler import services as avtaler_services
from lister import ledighet_selectors, sak_services, vikar_selectors, vikar_services
from lister import services as lister_services
from lister.models import Ledighetssak, Legeperiode
from tests import register
from tests.api_helpers import error
from tests.conftest import in_kommune

TODAY = dt.date.today()


@pytest.fixture(autouse=True)
def k(bergen):
    with in_kommune(bergen):
        yield bergen


def spesialist(k, **kw):
    return register.lege(k, spesialist_allmennmedisin_fra=dt.date(2010, 1, 1), **kw)


def fellesliste(k, parts):
    liste = register.liste(k, listetak=sum(parts), er_fellesliste=True)
    avtaler = [register.avtale(k, liste_=liste, listetak=part, startdato=dt.date(2024, 1, 8)) for part in parts]
    return liste, avtaler


def test_death_of_the_gp_with_the_larger_share_of_a_fellesliste_opens_the_case(k):
    liste, (a, _b) = fellesliste(k, [1000, 500])
    avtaler_services.record_bortfall(avtale=a, arsak="dodsfall", dato=TODAY)
    sak = Ledighetssak.objects.get(pasientliste=liste, fastlege=a.lege)
    assert (sak.arsak, sak.andel_listetak, sak.fastlege_slutt) == ("dodsfall", 1000, TODAY)
    liste.refresh_from_db()
    assert liste.listetak == 500  # the remaining GP's part
    # The case can still be changed after the list's listetak dropped.
    sak_services.update_sak(sak=sak, expected_version=sak.versjon, merknad="Utlyses i januar")


def test_people_on_a_vacant_part_are_the_departed_share_of_the_list(k):
    liste, (a, _b) = fellesliste(k, [700, 800])
    lister_services.record_listetall(liste=liste, dato=TODAY.replace(day=1), listelengde=1400)
    avtaler_services.record_bortfall(avtale=a, arsak="dodsfall", dato=TODAY)
    row = next(r for r in ledighet_selectors.tilstand(on=TODAY) if r.liste_id == liste.pk)
    assert row.listeinnbyggere == round(1400 * 700 / 1500)  # 653, not more than the list holds


def test_a_weekend_between_two_vikar_contracts_is_unbroken_service(k):
    liste = register.liste(k)
    friday = dt.date(2025, 6, 6)
    assert friday.weekday() == 4
    lister_services.add_legeperiode(liste=liste, lege=spesialist(k), rolle="LPVI", fra=dt.date(2025, 1, 6),
                                    til=friday + dt.timedelta(days=1))
    lister_services.add_legeperiode(liste=liste, lege=spesialist(k), rolle="LPVI", fra=friday + dt.timedelta(days=3))
    row = next(r for r in ledighet_selectors.tilstand(on=dt.date(2026, 3, 4)) if r.liste_id == liste.pk)
    assert row.vikar_lang_fra == dt.date(2025, 1, 6)


def test_no_vikar_duty_for_a_notice_period_that_ended_before_the_2024_revision(k):
    assert sak_services.compute_kostnadsperiode_til(kommune=k, naeringsdrivende=True, fastlege_slutt=dt.date(2023, 6, 1)) is None
    assert sak_services.compute_kostnadsperiode_til(
        kommune=k, naeringsdrivende=True, fastlege_slutt=dt.date(2024, 6, 1)) == dt.date(2024, 12, 1)


def test_a_future_booking_is_not_continuity(k):
    liste = register.liste(k)
    lege = spesialist(k, etternavn="Framtid")
    vikar_services.add_vikar(kommune=k, lege=lege)
    lister_services.add_legeperiode(liste=liste, lege=lege, rolle="LPVI", fra=TODAY + dt.timedelta(days=200),
                                    til=TODAY + dt.timedelta(days=230))
    (kandidat,) = vikar_selectors.kandidater(liste=liste, fra=TODAY + dt.timedelta(days=10), til=TODAY + dt.timedelta(days=40),
                                             stillingsprosent=50, arbeidsdager=[])
    assert not any("Har vært" in str(grunn) for grunn in kandidat.grunner)


@pytest.mark.parametrize(("url", "body", "field"), [
    ("/api/v1/dekninger/", {"type": "kollegial", "fra": "2026-05-04", "til": "9999-12-31"}, "til"),
    ("/api/v1/ledighetssaker/", {"arsak": "annet", "kjent": "2026-03-02", "fastlege_slutt": "9999-12-31"}, "fastlege_slutt"),
])
def test_far_off_dates_in_writes_are_400(api, k, url, body, field):
    liste = register.liste(k)
    Ledighetssak.objects.filter(pasientliste=liste).update(avsluttet=dt.date(2020, 1, 1))
    response = api.post(url, {**body, "pasientliste": liste.pk}, format="json")
    assert field in error(response)["felt"]


@pytest.mark.parametrize(("query", "field"), [
    ("fra=9999-12-01&til=9999-12-31", "fra"), ("fra=9999-12-15", "fra"), ("fra=0001-01-01&til=0001-02-01", "fra"),
    ("fra=2026-01-05&til=2099-01-01", "til"),
])
def test_far_off_or_overlong_candidate_periods_are_400(api, k, query, field):
    liste = register.liste(k)
    response = api.get(f"/api/v1/pasientlister/{liste.pk}/vikarkandidater/?{query}")
    assert field in error(response)["felt"]


def test_far_off_candidate_period_on_the_page_is_a_form_error(client, overlege, k):
    liste = register.liste(k)
    client.force_login(overlege)
    response = client.get(f"/lister/{liste.pk}/tildel/?fra=9999-12-01&til=9999-12-31&stillingsprosent=100")
    assert response.status_code == 200
    assert "Velg en dato mellom 1900 og 2199" in response.content.decode()


def test_a_vikar_period_in_year_9999_is_400_not_500(api, k):
    liste = register.liste(k)
    lege = register.lege(k)  # no specialisation: the § 4 count would run past year 9999
    response = api.post(f"/api/v1/pasientlister/{liste.pk}/vikartildeling/",
                        {"lege": lege.pk, "fra": "9999-01-04", "til": "9999-02-01", "stillingsprosent": 50}, format="json")
    assert "fra" in error(response)["felt"]
    assert not Legeperiode.objects.filter(pasientliste=liste).exists()


@pytest.mark.parametrize("url", ["/api/v1/ledighetssaker/?apen=maybe", "/api/v1/ledighetsvarsler/?apen=777032"])
def test_a_boolean_filter_that_is_not_true_or_false_is_400(api, url):
    assert "apen" in error(api.get(url))["felt"]
