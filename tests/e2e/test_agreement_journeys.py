"""Issue 5's «done when» in the browser: a kommuneoverlege sees every ALIS doctor's progress and the
next shortfall before it happens, exports the grant claim basis, shows the three-year 8.2 sum for
a practice being sold, and imports this month's list figures in one step (a file with a
fødselsnummer is refused). Every page visited passes axe-core."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from avtaler import alis_services, okonomi_services
from lister.models import Listetall
from tests import alis_helpers, register
from tests.conftest import in_kommune, user_with_role
from tests.e2e.flows import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("kommune_data")]


def test_kommuneoverlege_follows_alis_shows_the_8_2_sum_and_imports_figures(page, live_server, axe, bergen, tmp_path):
    user = user_with_role("kommuneoverlege", bergen)
    today = dt.date.today()
    with in_kommune(bergen):
        alis = alis_helpers.alisavtale(bergen, lege_=alis_helpers.alis_lege(bergen, fornavn="Berit", etternavn="Bakpå"),
                                       signert=dt.date(2026, 1, 5))
        alis_services.record_veiledning(avtale=alis, maned=dt.date(2026, 2, 1), individuelle_timer=Decimal(1), gruppetimer=0)
        aasen = register.avtale(bergen, okonomisk_modell="asa4310_8_2", startdato=dt.date(2020, 1, 6))
        okonomi = okonomi_services.create_okonomiavtale(
            kommune=bergen, fastlegeavtale=aasen, ytelser=["driftstilskudd"], beskrivelse="Driftstilskudd", startdato=dt.date(2021, 1, 1))
        for year in (2022, 2024, 2025):
            okonomi_services.record_betaling(avtale=okonomi, dato=dt.date(year, 6, 1), retning="til_lege", kategori="driftstilskudd",
                                             belop=Decimal("10000"))
        liste = aasen.pasientliste
    log_in(page, live_server.url, user, axe=axe)

    # ALIS: the overview shows the doctor behind on supervision and the next shortfall's deadline.
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="ALIS").click()
    row = page.get_by_role("row").filter(has_text="Bakpå, Berit")
    expect(row).to_contain_text(re.compile("veiledning", re.IGNORECASE))
    axe.check(page)
    row.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Berit Bakpå")
    axe.check(page)

    # The grant claim basis, with its CSV export.
    page.goto(f"{live_server.url}/avtaler/alis/tilskudd/?fra=2026-01-01&til=2026-06-30")
    expect(page.get_by_role("main")).to_contain_text("Bakpå")
    axe.check(page)
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("CSV")).first.click()
    assert "Bakpå" in download.value.path().read_text(encoding="utf-8-sig")

    # The 8.2 sum for a practice being sold: the three years before the date (2024 and 2025 payments).
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="8.2-avtaler").click()
    axe.check(page)
    page.goto(f"{live_server.url}/avtaler/okonomi/{okonomi.pk}/")
    page.get_by_label("Vis sum per dato").fill("2026-03-01")
    page.get_by_role("button", name="Vis sum").click()
    expect(page.locator("#tilbakeblikk").locator("xpath=following::dl[1]")).to_contain_text(re.compile(r"20[\s\u00a0.]?000"))
    axe.check(page)

    # This month's list figures in one step; a file with a fødselsnummer is refused, nothing kept.
    page.goto(f"{live_server.url}/lister/import/")
    axe.check(page)
    bad = tmp_path / "med-fnr.csv"
    bad.write_text(f"liste;dato;listelengde;venteliste;fnr\n{liste.pk};{today.replace(day=1)};900;0;01010112345\n", encoding="utf-8")
    page.get_by_label("Fil med listetall (.csv eller .xlsx)").set_input_files(str(bad))
    page.get_by_role("button", name="Importer").click()
    expect(page.get_by_role("main")).to_contain_text("fødselsnummer")
    axe.check(page)
    good = tmp_path / "listetall.csv"
    good.write_text(f"liste;dato;listelengde;venteliste\n{liste.pk};{today.replace(day=1)};1432;12\n", encoding="utf-8")
    page.get_by_label("Fil med listetall (.csv eller .xlsx)").set_input_files(str(good))
    page.get_by_role("button", name="Importer").click()
    expect(page.get_by_role("progressbar")).to_have_attribute("value", "100", timeout=15000)
    axe.check(page)
    with in_kommune(bergen):
        figure = Listetall.objects.get(pasientliste=liste, dato=today.replace(day=1))
        assert (figure.listelengde, figure.venteliste) == (1432, 12)
