"""The payable detail the triggers publish (lonn/sql.py), read from the payroll state and the events
the writing transaction itself produced: hours by day category and day/night across DST and on public
holidays, rest compensation, supplements, vikariat days per month, ALIS supervision, 8.2 payments,
versions and event types. (Serving events in order is tested through the API in test_feed_api.py.)"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from avtaler.models import AlisVeiledning, Okonomiavtale, Okonomibetaling
from kommune import helligdager
from kommune.models import LegeKommune
from legevakt import vakt_services
from legevakt.models import Vakt, Vakttillegg
from lister import services as lister_services
from lister.models import Legeperiode
from lonn import sql
from lonn.models import Hendelse, Lonnobjekt
from tests import alis_helpers, register
from tests.conftest import in_kommune, kommune
from tests.legevakt.helpers import distrikt, kvalifisert, oslo

pytestmark = pytest.mark.django_db


@pytest.fixture
def grane(db):
    return kommune("1825")


@pytest.fixture
def vakt_oppsett(grane):
    d = distrikt(grane, navn="Grane legevakt")
    lege = kvalifisert(grane)
    return d, lege


def _vakt(d, lege, start, slutt, type_="hjemmevakt", **fields) -> Vakt:
    with in_kommune(d.kommune):
        return Vakt.objects.create(kommune=d.kommune, distrikt=d, lege=lege, type=type_, start=start, slutt=slutt,
                                   vaktklasse=1 if type_ != "tilstedevakt" else 3, dagkategori="hverdag", **fields)


def _objekt(k, objekt_id: str) -> Lonnobjekt:
    with in_kommune(k):
        return Lonnobjekt.objects.get(objekt_id=objekt_id)


def _hendelser(k, objekt_id: str) -> list[Hendelse]:
    with in_kommune(k):
        return list(Hendelse.objects.filter(objekt_id=objekt_id).order_by("id"))


def test_the_holidays_in_sql_are_the_holidays_in_python():
    with connection.cursor() as cursor:
        cursor.execute("SELECT d::date FROM generate_series('1990-01-01'::date, '2100-12-31'::date, interval '1 day') d "
                       "WHERE lonn_helligdag(d::date)")
        in_sql = {row[0] for row in cursor.fetchall()}
    in_python = {d for year in range(1990, 2101) for d in helligdager.helligdager(year)}
    assert in_sql == in_python


def test_the_installed_sql_is_what_the_code_generates():
    with connection.cursor() as cursor:
        assert sql.installed_fingerprint(cursor) == sql.fingerprint(), \
            "lonn/sql.py changed (or a rule it reads): add a migration that calls lonn.sql.install()"


@pytest.mark.parametrize(("start", "slutt", "totalt", "helg_dag", "helg_natt"), [
    # the night summer time ends: 20:00–08:00 is 13 hours, 10 of them at night (21–06)
    (oslo(2026, 10, 24, 20), oslo(2026, 10, 25, 8), "13.00", "3.00", "10.00"),
    # the night summer time starts: 11 hours, 8 at night
    (oslo(2026, 3, 28, 20), oslo(2026, 3, 29, 8), "11.00", "3.00", "8.00"),
])
def test_hours_across_daylight_saving_changes(vakt_oppsett, start, slutt, totalt, helg_dag, helg_natt):
    d, lege = vakt_oppsett
    vakt = _vakt(d, lege, start, slutt)
    data = _objekt(d.kommune, f"vakt:{vakt.pk}").data
    assert data["timer"]["totalt"] == totalt
    assert data["timer"]["helg"] == {"dag": helg_dag, "natt": helg_natt}
    assert data["timer"]["hverdag"] == {"dag": "0.00", "natt": "0.00"}
    assert data["minutter"]["totalt"] == int(Decimal(totalt) * 60)
    assert data["start"] == start.isoformat() and data["slutt"] == slutt.isoformat()


def test_hours_on_public_holidays_and_the_day_before(vakt_oppsett):
    d, lege = vakt_oppsett
    # Thursday 24 December 08:00 to Saturday 26 December 08:00: 25 and 26 December are holidays
    vakt = _vakt(d, lege, oslo(2026, 12, 24, 8), oslo(2026, 12, 26, 8), type_="tilstedevakt")
    timer = _objekt(d.kommune, f"vakt:{vakt.pk}").data["timer"]
    assert timer == {"totalt": "48.00", "hverdag": {"dag": "13.00", "natt": "3.00"},
                     "helg": {"dag": "0.00", "natt": "0.00"}, "helligdag": {"dag": "17.00", "natt": "15.00"}}
    # Friday 1 May (a public holiday on a weekday)
    mai = _vakt(d, lege, oslo(2026, 5, 1, 8), oslo(2026, 5, 1, 20), type_="tilstedevakt")
    assert _objekt(d.kommune, f"vakt:{mai.pk}").data["timer"]["helligdag"] == {"dag": "12.00", "natt": "0.00"}


def test_rest_compensation_after_a_night_before_office_hours(vakt_oppsett):
    d, lege = vakt_oppsett  # a fastlege with office hours Monday–Friday 08–16
    natt = _vakt(d, lege, oslo(2026, 11, 24, 22), oslo(2026, 11, 25, 6))  # Tuesday night
    hvile = _objekt(d.kommune, f"vakt:{natt.pk}").data["hviletid"]
    # 8 hours' rest 06–14 on Wednesday: 08–14 of it is office time
    assert hvile["timer"] == "6.00" and hvile["minutter"] == 360
    assert hvile["hvile_fra"] == "2026-11-25T06:00:00+01:00" and hvile["hvile_til"] == "2026-11-25T14:00:00+01:00"
    assert "7.4" in hvile["hjemmel"]
    helg = _vakt(d, lege, oslo(2026, 11, 28, 22), oslo(2026, 11, 29, 6))  # Saturday night: no office on Sunday
    assert _objekt(d.kommune, f"vakt:{helg.pk}").data["hviletid"] is None
    kveld = _vakt(d, lege, oslo(2026, 11, 30, 16), oslo(2026, 11, 30, 20))  # no night work
    assert _objekt(d.kommune, f"vakt:{kveld.pk}").data["hviletid"] is None
    # the office hours change: the shift is published again with the new rest compensation
    with in_kommune(d.kommune):
        periode = Legeperiode.objects.get(lege=lege)
        lister_services.change_kontortid(periode=periode, kontortid_start=dt.time(10), kontortid_slutt=dt.time(18))
    assert _objekt(d.kommune, f"vakt:{natt.pk}").data["hviletid"]["timer"] == "4.00"
    assert _hendelser(d.kommune, f"vakt:{natt.pk}")[-1].versjon == 2


def test_supplements_and_the_employee_number(vakt_oppsett):
    d, lege = vakt_oppsett
    vakt = _vakt(d, lege, oslo(2026, 11, 24, 16), oslo(2026, 11, 24, 23))
    with in_kommune(d.kommune):
        Vakttillegg.objects.create(kommune=d.kommune, vakt=vakt, art="reise", minutter_hver_vei=50)
        Vakttillegg.objects.create(kommune=d.kommune, vakt=vakt, art="reise", minutter_hver_vei=30)
        Vakttillegg.objects.create(kommune=d.kommune, vakt=vakt, art="legevaktsentral", timer=Decimal("2.5"))
        LegeKommune.objects.filter(kommune=d.kommune, lege=lege).update(ansattnummer="A-77")
    data = _objekt(d.kommune, f"vakt:{vakt.pk}").data
    # 50 minutes each way: one started half hour beyond 30 minutes, each way
    assert [r["pabegynte_halvtimer"] for r in data["tillegg"]["reiser"]] == [2, 0]
    assert Decimal(data["tillegg"]["legevaktsentral_timer"]) == Decimal("2.5")
    assert data["lege"]["ansattnummer"] == "A-77" and data["lege"]["hpr_nummer"] == lege.hpr_nummer
    assert [h.versjon for h in _hendelser(d.kommune, f"vakt:{vakt.pk}")] == [1, 2, 3, 4, 5]


def test_versions_and_event_types_of_a_shift(vakt_oppsett):
    d, lege = vakt_oppsett
    with in_kommune(d.kommune):
        vakt = vakt_services.create_vakt(distrikt=d, lege=lege, type="hjemmevakt",
                                         start=oslo(2026, 12, 5, 16), slutt=oslo(2026, 12, 6, 8))
        vakt = vakt_services.update_vakt(vakt=vakt, expected_version=vakt.versjon, merknad="ikke lønn")
        vakt = vakt_services.update_vakt(vakt=vakt, expected_version=vakt.versjon, slutt=oslo(2026, 12, 5, 23))
        vakt_services.avlys_vakt(vakt=vakt, expected_version=vakt.versjon, arsak="annet")
    events = _hendelser(d.kommune, f"vakt:{vakt.pk}")
    # the merknad is not payroll data: no event for it
    assert [(e.type, e.versjon) for e in events] == [("vakt.opprettet", 1), ("vakt.endret", 2), ("vakt.slettet", 3)]
    assert events[1].data["slutt"] == "2026-12-05T23:00:00+01:00"
    assert events[2].data["status"] == "avlyst"
    assert _objekt(d.kommune, f"vakt:{vakt.pk}").aktiv is False


def test_a_vikariat_days_per_month_and_who_pays(grane):
    with in_kommune(grane):
        lege = register.lege(grane)
        liste = register.liste(grane)
        periode = lister_services.add_legeperiode(
            liste=liste, lege=lege, rolle="LPVI", fra=dt.date(2026, 12, 1), til=dt.date(2027, 2, 1),
            stillingsprosent=50, arbeidsdager=[1, 2, 3, 4, 5])
        privat = lister_services.add_legeperiode(
            liste=register.liste(grane), lege=register.lege(grane), rolle="LPVI", fra=dt.date(2026, 12, 1),
            til=dt.date(2026, 12, 8), oppdragsgiver="fastlegen")
    data = _objekt(grane, f"vikariat:{periode.pk}").data
    # December 2026: 23 weekdays, 25 December a holiday (26th is a Saturday); January 2027: 21 weekdays, 1 January a holiday
    assert data["maneder"] == [{"maned": "2026-12", "dager": 22, "dagsverk": "11.00"},
                               {"maned": "2027-01", "dager": 20, "dagsverk": "10.00"}]
    assert data["lonn"] is True and data["oppdragsgiver"] == "kommunen"
    assert _objekt(grane, f"vikariat:{privat.pk}").data["lonn"] is False
    with in_kommune(grane):
        Legeperiode.objects.filter(pk=privat.pk).delete()
    assert [e.type for e in _hendelser(grane, f"vikariat:{privat.pk}")] == ["vikariat.opprettet", "vikariat.slettet"]


def test_agreements_supervision_hours_and_82_payments(grane):
    with in_kommune(grane):
        alis = alis_helpers.alisavtale(grane)
        AlisVeiledning.objects.create(kommune=grane, avtale=alis, maned=dt.date(2026, 11, 1),
                                      individuelle_timer=Decimal("4"), gruppetimer=Decimal("2.5"))
        avtale = register.avtale(grane, okonomisk_modell="asa4310_8_2")
        okonomi = Okonomiavtale.objects.create(kommune=grane, fastlegeavtale=avtale, startdato=dt.date(2026, 1, 1),
                                              beskrivelse="Lokaler og hjelpepersonell")
        Okonomibetaling.objects.create(kommune=grane, avtale=okonomi, dato=dt.date(2026, 11, 20), retning="til_lege",
                                       kategori="driftstilskudd", belop=Decimal("12500.00"))
        avtale.sluttdato = dt.date(2027, 6, 1)
        avtale.save()
    alis_data = _objekt(grane, f"alisavtale:{alis.pk}").data
    assert alis_data["veiledning"] == [{"maned": "2026-11", "individuelle_timer": "4.0", "gruppetimer": "2.5",
                                        "timer": "6.5"}] or alis_data["veiledning"][0]["timer"] in ("6.5", "6.50")
    okonomi_data = _objekt(grane, f"okonomiavtale:{okonomi.pk}").data
    assert okonomi_data["betalingstype"] == "leverandorbetaling" and okonomi_data["lonn"] is False
    assert okonomi_data["betalinger"][0]["belop"] == "12500.00" and okonomi_data["betalinger"][0]["dato"] == "2026-11-20"
    assert [e.type for e in _hendelser(grane, f"okonomiavtale:{okonomi.pk}")] == [
        "okonomiavtale.opprettet", "okonomiavtale.endret"]
    assert _hendelser(grane, f"fastlegeavtale:{avtale.pk}")[-1].type == "fastlegeavtale.avsluttet"


def test_the_epoch_command_declares_a_new_epoch():
    from io import StringIO

    from django.core.management import call_command

    from lonn.models import Epoke

    out = StringIO()
    call_command("lonn_epoke", stdout=out)
    first = Epoke.objects.order_by("-id").first()
    call_command("lonn_epoke", "--ny", "--arsak", "gjenopprettet i test", stdout=out)
    latest = Epoke.objects.order_by("-id").first()
    assert latest.pk != first.pk and latest.arsak == "gjenopprettet i test" and latest.nokkel in out.getvalue()
