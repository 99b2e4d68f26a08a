"""Issue 7 in the browser: a saksbehandler builds next week's roster for a small district through the
shift form, sees the rules refuse a night before the doctor's office day (SFS 2305 § 7.4, with the
reason) — first in the dry run, then on saving — and a doctor finds their shift on «Mine legevakter».
Every page visited passes axe-core."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from legevakt import vakt_services
from legevakt.models import Legevaktdistrikt, Medlemskap, Stasjon, Vakt
from legevakt.tid import OSLO
from tests import register
from tests.conftest import in_kommune, kommune, user_with_role
from tests.e2e.flows import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("kommune_data")]

KVALIFISERT = {"spesialist_allmennmedisin_fra": dt.date(2010, 1, 1), "kurs_akuttmedisin": dt.date(2015, 1, 1),
               "kurs_vold_overgrep": dt.date(2015, 1, 1)}


def local(day: dt.date, hour: int) -> str:
    return f"{day.isoformat()}T{hour:02d}:00"


@pytest.fixture
def grane():
    """Grane (sentralitet 6): one district, one station, three fastleger working Monday–Friday 08–16."""
    k = kommune("1825")
    with in_kommune(k):
        distrikt = Legevaktdistrikt.objects.create(kommune=k, navn="Grane legevakt", type="en_kommune")
        Medlemskap.objects.create(kommune=k, distrikt=distrikt, medlem=k, fra=dt.date(2020, 1, 1))
        stasjon = Stasjon.objects.create(kommune=k, distrikt=distrikt, navn="Grane legevaktstasjon", adresse="Hattfjelldalsveien 1",
                                         postnummer="8680", poststed="Trofors")
        leger = [
            register.avtale(k, lege_=register.lege(k, fornavn=fornavn, etternavn=etternavn, **KVALIFISERT),
                            startdato=dt.date(2024, 1, 8)).lege
            for fornavn, etternavn in (("Anna", "Aasen"), ("Bjørn", "Berg"), ("Cecilie", "Dahl"))
        ]
    return {"kommune": k, "distrikt": distrikt, "stasjon": stasjon, "leger": leger}


def next_monday() -> dt.date:
    today = dt.date.today()
    return today + dt.timedelta(days=7 - today.weekday())


def add_shift(page, lege, start: str, slutt: str, stasjon=None) -> None:
    page.get_by_label("Lege", exact=True).select_option(str(lege.pk))
    page.get_by_label("Type", exact=True).select_option("tilstedevakt")
    page.get_by_label("Start", exact=True).fill(start)
    page.get_by_label("Slutt", exact=True).fill(slutt)
    if stasjon is not None:
        page.get_by_label("Stasjon", exact=True).select_option(str(stasjon.pk))


def test_saksbehandler_builds_a_week_and_sees_a_rest_breach_refused(page, live_server, axe, grane):
    user = user_with_role("saksbehandler", grane["kommune"])
    anna, bjorn, cecilie = grane["leger"]
    monday = next_monday()
    saturday, sunday, tuesday = (monday + dt.timedelta(days=n) for n in (5, 6, 1))
    year, week, _ = monday.isocalendar()
    vaktplan = f"{live_server.url}/legevakt/distrikter/{grane['distrikt'].pk}/vaktplan/?uke={year}-W{week:02d}"

    log_in(page, live_server.url, user, axe=axe)
    page.goto(vaktplan)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Vaktplan for Grane legevakt")
    # Nothing rostered yet: every day shows the time without a doctor on duty.
    expect(page.get_by_role("table")).to_contain_text("Ingen lege på vakt 00:00 – 24:00")
    axe.check(page)

    # The weekend: three shifts through the form, each saved back to the week.
    for lege, start, slutt in ((anna, local(saturday, 8), local(saturday, 20)),
                               (cecilie, local(saturday, 20), local(sunday, 8)),
                               (bjorn, local(sunday, 8), local(sunday, 20))):
        page.get_by_role("link", name="Ny vakt", exact=True).first.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Ny vakt i Grane legevakt")
        add_shift(page, lege, start, slutt, grane["stasjon"])
        page.get_by_role("button", name="Lagre vakten").click()
        expect(page.get_by_role("status")).to_contain_text("Vakten er lagret")
    table = page.get_by_role("table")
    for navn in ("Anna Aasen", "Bjørn Berg", "Cecilie Dahl"):
        expect(table).to_contain_text(navn)
    expect(table).to_contain_text("20:00 – ")
    axe.check(page)

    # Monday night for Anna, whose office day starts at 08:00 on Tuesday: the dry run says why.
    page.get_by_role("link", name="Ny vakt", exact=True).first.click()
    add_shift(page, anna, local(monday, 20), local(tuesday, 8))
    check = page.get_by_role("region", name="Kontroll av reglene")
    expect(check).to_contain_text("SFS 2305 § 7.4")
    axe.check(page)
    page.get_by_role("button", name="Lagre vakten").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Vakten ble ikke lagret")
    expect(alert).to_contain_text("7.4")
    axe.check(page)
    with in_kommune(grane["kommune"]):
        assert Vakt.objects.filter(distrikt=grane["distrikt"]).count() == 3

    # With a recorded reason the shortened rest is accepted, and the roster shows it.
    add_shift(page, anna, local(monday, 20), local(tuesday, 8))
    page.get_by_label("Begrunnelse for kortere hvile").fill("Ingen andre leger ledig; kontordagen starter kl. 10.")
    page.get_by_role("button", name="Lagre vakten").click()
    expect(page.get_by_role("status")).to_contain_text("Vakten er lagret")
    expect(page.get_by_role("table")).to_contain_text("Kortere hvile (SFS 2305 § 7.4)")
    axe.check(page)
    with in_kommune(grane["kommune"]):
        assert Vakt.objects.filter(distrikt=grane["distrikt"]).count() == 4


def test_a_doctor_sees_their_shift_on_mine_vakter(page, live_server, axe, grane):
    anna = grane["leger"][0]
    user = user_with_role("lege", grane["kommune"])
    saturday = next_monday() + dt.timedelta(days=5)
    with in_kommune(grane["kommune"]):
        anna.bruker = user
        anna.save(update_fields=["bruker"])
        vakt_services.create_vakt(
            distrikt=grane["distrikt"], lege=anna, type="tilstedevakt", stasjon=grane["stasjon"],
            start=dt.datetime.combine(saturday, dt.time(8), tzinfo=OSLO),
            slutt=dt.datetime.combine(saturday, dt.time(20), tzinfo=OSLO),
        )
    log_in(page, live_server.url, user, axe=axe)
    page.get_by_role("link", name="Mine legevakter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mine legevakter")
    row = page.get_by_role("row").filter(has_text=re.compile(saturday.strftime("%-d.%-m.%Y")))
    expect(row).to_contain_text("08:00 – 20:00")
    expect(row).to_contain_text("Grane legevakt")
    expect(row.get_by_role("link", name=re.compile("Be om bytte"))).to_be_visible()
    axe.check(page)
    page.get_by_role("link", name="Vaktene i kalenderen din").click()
    page.get_by_role("button", name="Lag kalenderadresse").click()
    expect(page.get_by_label("Kalenderadresse (iCalendar)")).to_have_value(re.compile(r"/legevakt/kalender/[\w-]+\.ics$"))
    axe.check(page)
