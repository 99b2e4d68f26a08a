"""The avtaler app opens and closes vacancy cases: a new list opens one, notice/heving/bortfall open
(or update) the departing GP's case in the same transaction, and signing a new avtale closes the
list's open cases for other GPs. Through the services, real PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from avtaler import services
from avtaler.models import Fastlegeavtale, HelfoMelding, Meldingstype
from core.dates import add_months
from kommune.models import Kommune
from lister import sak_services
from lister.models import Ledighetssak, Legeperiode
from tests import register
from tests.conftest import in_kommune, kommune

TODAY = dt.date.today()
START = TODAY - dt.timedelta(days=800)


@pytest.fixture
def k(bergen):
    with in_kommune(bergen):
        yield bergen


@pytest.fixture
def oslo(db):
    o = kommune("0301")
    with in_kommune(o):
        Kommune.objects.filter(pk=o.pk).update(avtaleregime="oslo")
        o.refresh_from_db()
        yield o


def cases(**filters):
    return list(Ledighetssak.objects.filter(**filters).order_by("id"))


def test_a_new_list_opens_a_ny_liste_case_that_the_first_avtale_closes(k):
    liste = register.liste(k, fra=START)
    (sak,) = cases(pasientliste=liste)
    assert (sak.arsak, sak.kjent, sak.fastlege_id, sak.avsluttet) == ("ny_liste", START, None, None)
    register.avtale(k, liste_=liste, startdato=START + dt.timedelta(days=10))
    sak.refresh_from_db()
    assert sak.avsluttet == START + dt.timedelta(days=10)


def test_a_list_starting_in_the_future_opens_its_case_from_that_day(k):
    fra = TODAY + dt.timedelta(days=30)
    liste = register.liste(k, fra=fra)
    assert [(s.arsak, s.kjent) for s in cases(pasientliste=liste)] == [("ny_liste", fra)]


def test_notice_by_the_gp_opens_the_case_with_notice_end_and_the_kommunes_vikar_period(k):
    a = register.avtale(k, startdato=START)
    mottatt = TODAY - dt.timedelta(days=20)
    oppsigelse = services.record_oppsigelse(avtale=a, part="lege", mottatt=mottatt)
    (sak,) = cases(pasientliste=a.pasientliste, avsluttet__isnull=True)
    assert sak.arsak == "oppsigelse_lege" and sak.fastlege_id == a.lege_id
    assert (sak.kjent, sak.oppsigelse_mottatt, sak.fastlege_slutt) == (mottatt, mottatt, oppsigelse.virkning)
    assert oppsigelse.virkning == add_months(mottatt, 6)
    assert sak.naeringsdrivende and sak.kostnadsperiode_til == add_months(oppsigelse.virkning, 6)
    assert sak.andel_listetak is None


def test_notice_by_the_kommune_and_heving_get_their_causes(k):
    a = register.avtale(k, startdato=START)
    services.record_oppsigelse(avtale=a, part="kommune", mottatt=TODAY, saklig_grunn="Omorganisering")
    assert cases(pasientliste=a.pasientliste, avsluttet__isnull=True)[0].arsak == "oppsigelse_kommune"
    b = register.avtale(k, startdato=START)
    services.record_oppsigelse(avtale=b, part="kommune", type="heving", mottatt=TODAY, mislighold="Stengt kontor i tre måneder")
    (sak,) = cases(pasientliste=b.pasientliste, avsluttet__isnull=True)
    assert sak.arsak == "heving" and sak.fastlege_slutt == TODAY and sak.kostnadsperiode_til == add_months(TODAY, 6)


def test_an_ansatt_gps_notice_opens_a_case_without_the_kommunes_vikar_period(k):
    a = register.avtale(k, startdato=START, tilknytningsform="ansatt", listetak=1200)
    services.record_oppsigelse(avtale=a, part="lege", mottatt=TODAY, virkning=TODAY + dt.timedelta(days=90))
    (sak,) = cases(pasientliste=a.pasientliste, avsluttet__isnull=True)
    assert not sak.naeringsdrivende and sak.kostnadsperiode_til is None
    assert sak.fastlege_slutt == TODAY + dt.timedelta(days=90)


def test_in_oslo_a_naeringsdrivende_gps_notice_gives_no_asa4310_vikar_period(oslo):
    a = register.avtale(oslo, startdato=START, okonomisk_modell="oslo")
    services.record_oppsigelse(avtale=a, part="lege", mottatt=TODAY)
    (sak,) = cases(pasientliste=a.pasientliste, avsluttet__isnull=True)
    assert sak.naeringsdrivende and sak.fastlege_slutt == add_months(TODAY, 6) and sak.kostnadsperiode_til is None


def test_notice_on_a_fellesliste_records_the_departing_gps_part(k):
    liste = register.liste(k, fra=START, er_fellesliste=True, listetak=1500)
    a = register.avtale(k, liste_=liste, startdato=START, listetak=700)
    register.avtale(k, liste_=liste, startdato=START, listetak=800)
    services.record_oppsigelse(avtale=a, part="lege", mottatt=TODAY)
    (sak,) = cases(pasientliste=liste, avsluttet__isnull=True)
    assert sak.andel_listetak == 700 and sak.fastlege_id == a.lege_id


def test_notice_updates_an_open_case_for_the_gp_instead_of_failing(k):
    a = register.avtale(k, startdato=START)
    kjent = TODAY - dt.timedelta(days=40)
    hand = sak_services.open_sak(liste=a.pasientliste, fastlege=a.lege, arsak="annet", kjent=kjent, merknad="Ryktes")
    oppsigelse = services.record_oppsigelse(avtale=a, part="lege", mottatt=TODAY - dt.timedelta(days=5))
    (sak,) = cases(pasientliste=a.pasientliste, avsluttet__isnull=True)
    assert sak.pk == hand.pk and sak.arsak == "oppsigelse_lege" and sak.kjent == kjent and sak.merknad == "Ryktes"
    assert sak.fastlege_slutt == oppsigelse.virkning and sak.oppsigelse_mottatt == TODAY - dt.timedelta(days=5)
    assert sak.kostnadsperiode_til == add_months(oppsigelse.virkning, 6)


def test_a_refused_notice_opens_no_case(k):
    a = register.avtale(k, startdato=START)
    with pytest.raises(ValidationError):
        services.record_oppsigelse(avtale=a, part="kommune", mottatt=TODAY)  # no saklig grunn
    assert not cases(pasientliste=a.pasientliste, fastlege=a.lege)


def test_signing_a_successor_closes_the_departing_gps_case_on_its_start(k):
    liste = register.liste(k, fra=START)
    first = register.avtale(k, liste_=liste, startdato=START)
    ends = services.record_oppsigelse(avtale=first, part="lege", mottatt=TODAY - dt.timedelta(days=200)).virkning
    successor = register.avtale(k, liste_=liste, startdato=ends + dt.timedelta(days=3))
    (sak,) = cases(pasientliste=liste, fastlege=first.lege)
    assert sak.avsluttet == successor.startdato


def test_a_successor_starting_in_the_future_closes_the_case_on_that_day(k):
    liste = register.liste(k, fra=START)
    first = register.avtale(k, liste_=liste, startdato=START)
    ends = services.record_oppsigelse(avtale=first, part="lege", mottatt=TODAY).virkning
    draft = register.avtale(k, liste_=liste, startdato=ends, signed=False)
    services.sign_avtale(avtale=draft, expected_version=draft.versjon, signert=TODAY)
    assert cases(pasientliste=liste, fastlege=first.lege)[0].avsluttet == ends


def test_bortfall_ends_the_avtale_at_once_makes_the_helfo_message_and_opens_the_case(k):
    a = register.avtale(k, startdato=START)
    dato = TODAY - dt.timedelta(days=3)
    services.record_bortfall(avtale=a, arsak="dodsfall", dato=dato)
    a.refresh_from_db()
    assert a.sluttdato == dato and Legeperiode.objects.get(pk=a.legeperiode_id).til == dato
    melding = HelfoMelding.objects.get(avtale=a, type=Meldingstype.OPPHOR)
    assert "post@helfo.no" in melding.epost_tekst and "dødsfall" in melding.epost_tekst
    assert melding.innhold["avtale"]["opphorer"] == dato.isoformat() and melding.innhold["bortfall"]["dato"] == dato.isoformat()
    (sak,) = cases(pasientliste=a.pasientliste, avsluttet__isnull=True)
    assert (sak.arsak, sak.kjent, sak.fastlege_slutt, sak.oppsigelse_mottatt) == ("dodsfall", dato, dato, None)
    assert sak.naeringsdrivende and sak.kostnadsperiode_til == add_months(dato, 6)


def test_bortfall_after_notice_updates_the_case_and_keeps_the_notice_date(k):
    a = register.avtale(k, startdato=START)
    mottatt = TODAY - dt.timedelta(days=30)
    services.record_oppsigelse(avtale=a, part="lege", mottatt=mottatt)
    services.record_bortfall(avtale=a, arsak="autorisasjon", dato=TODAY)
    (sak,) = cases(pasientliste=a.pasientliste, avsluttet__isnull=True)
    assert (sak.arsak, sak.fastlege_slutt, sak.oppsigelse_mottatt, sak.kjent) == ("autorisasjon", TODAY, mottatt, mottatt)
    a.refresh_from_db()
    assert a.sluttdato == TODAY


@pytest.mark.parametrize("dato, code", [
    (TODAY + dt.timedelta(days=1), "fremtidig_dato"),
    (START, "for_tidlig"),
])
def test_refused_bortfall_saves_nothing(k, dato, code):
    a = register.avtale(k, startdato=START)
    before = (a.sluttdato, a.versjon)
    with pytest.raises(ValidationError) as exc:
        services.record_bortfall(avtale=a, arsak="dodsfall", dato=dato)
    assert code in {e.code for errors in exc.value.error_dict.values() for e in errors}
    a.refresh_from_db()
    assert (a.sluttdato, a.versjon) == before
    assert not HelfoMelding.objects.filter(avtale=a, type=Meldingstype.OPPHOR).exists()
    assert not cases(pasientliste=a.pasientliste, fastlege=a.lege)


def test_bortfall_of_an_unsigned_avtale_or_with_an_unknown_cause_is_refused(k):
    draft = register.avtale(k, startdato=START, signed=False)
    with pytest.raises(ValidationError) as exc:
        services.record_bortfall(avtale=draft, arsak="dodsfall", dato=TODAY)
    assert "avtale" in exc.value.message_dict
    signed = register.avtale(k, startdato=START)
    with pytest.raises(ValidationError) as exc:
        services.record_bortfall(avtale=signed, arsak="pensjon", dato=TODAY)
    assert "arsak" in exc.value.message_dict
    assert Fastlegeavtale.objects.get(pk=signed.pk).sluttdato is None
