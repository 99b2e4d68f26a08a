"""Issue 6's «done when» in the browser: a saksbehandler opens «Ubesatte lister», sees which list
needs a vikar and from when, assigns the system's top-ranked vikar in under a minute, and gets the
printable confirmation for Helfo; the next nightly run clears the uncovered-days flag. Every page
visited passes axe-core."""

import datetime as dt
import re
import time

import pytest
from playwright.sync_api import expect

from avtaler import services as avtaler_services
from core.dates import add_months
from lister import ledighet_jobb, vikar_services
from lister.models import Ledighetsvarsel, Legeperiode, Varseltype
from tests import register
from tests.conftest import in_kommune, user_with_role
from tests.e2e.flows import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("kommune_data")]


def test_saksbehandler_assigns_the_top_ranked_vikar_to_a_vacant_list(page, live_server, axe, bergen):
    user = user_with_role("saksbehandler", bergen)
    today = dt.date.today()
    with in_kommune(bergen):
        kontor = register.legekontor(bergen, navn="Fjordsiden legesenter")
        liste = register.liste(bergen, kontor=kontor, navn="Fjordlista", listetak=1200)
        avtale = register.avtale(bergen, liste_=liste, listetak=1200, startdato=dt.date(2024, 1, 8))
        # The fastlege gave notice eight months ago: the list has stood without a fastlege for two months.
        avtaler_services.record_oppsigelse(avtale=avtale, part="lege", mottatt=add_months(today, -8))
        best = register.lege(bergen, fornavn="Tuva", etternavn="Toppvikar", spesialist_allmennmedisin_fra=dt.date(2012, 1, 1))
        other = register.lege(bergen, fornavn="Odd", etternavn="Opptatt")
        for lege, fra in ((best, today - dt.timedelta(days=30)), (other, today + dt.timedelta(days=200))):
            vikar = vikar_services.add_vikar(kommune=bergen, lege=lege)
            vikar_services.add_tilgjengelighet(vikar=vikar, fra=fra, til=today + dt.timedelta(days=400))
    with in_kommune(bergen):
        ledighet_jobb.run(kommune_id=bergen.pk)
        assert Ledighetsvarsel.objects.filter(pasientliste=liste, type=Varseltype.UDEKKET, lost__isnull=True).exists()

    log_in(page, live_server.url, user, axe=axe)
    started = time.monotonic()
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Ubesatte lister").click()
    row = page.get_by_role("row").filter(has_text="Fjordlista")
    expect(row).to_contain_text("Ingen dekning")
    axe.check(page)

    row.get_by_role("link", name=re.compile("Tildel vikar")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tildel vikar")
    # The link prefilled the first uncovered day and 100 %; the period's end is the saksbehandler's choice.
    page.get_by_label("Opphører").fill((today + dt.timedelta(days=92)).isoformat())
    page.get_by_role("button", name="Vis forslag").click()
    candidates = page.get_by_role("region", name="Forslag fra vikarpoolen")
    expect(candidates.get_by_role("row").nth(1)).to_contain_text("Toppvikar")
    expect(candidates.get_by_role("row").nth(1)).to_contain_text("Valgt")
    axe.check(page)
    page.get_by_role("button", name="Tildel vikar").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Bekreftelse på vikaravtale")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Tuva Toppvikar")
    expect(main).to_contain_text("100 %")
    expect(page.get_by_role("button", name="Skriv ut")).to_be_visible()
    axe.check(page)
    assert time.monotonic() - started < 60, "the assignment took more than a minute"

    with in_kommune(bergen):
        periode = Legeperiode.objects.get(pasientliste=liste, rolle="LPVI")
        assert (periode.lege_id, periode.fra, periode.stillingsprosent) == (best.pk, today, 100)
    # The next nightly run clears the uncovered-days flag.
    with in_kommune(bergen):
        ledighet_jobb.run(kommune_id=bergen.pk)
        flag = Ledighetsvarsel.objects.get(pasientliste=liste, type=Varseltype.UDEKKET)
        assert flag.lost is not None
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Ubesatte lister").click()
    expect(page.get_by_role("row").filter(has_text="Fjordlista")).to_contain_text("Tuva Toppvikar")
