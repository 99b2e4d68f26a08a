"""Issue 9 in the browser: the kommuneoverlege loads the SFS 2305 example rates (clearly labelled), sees what is not
yet covered, closes October on the pay-period page after reading its file, registers a webhook (the secret shown
once) and finds it, the clients and the closed month on the integration page. Every page visited passes axe-core."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from kommune.models import LegeKommune
from legevakt.models import Vakt
from lonn.models import Lonnsperiode
from tests.conftest import in_kommune, kommune, token_client, user_with_role
from tests.e2e.flows import log_in
from tests.legevakt.helpers import distrikt, kvalifisert, oslo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("kommune_data")]


def test_kommuneoverlege_sets_rates_closes_october_and_registers_a_webhook(page, live_server, axe):
    grane = kommune("1825")
    overlege = user_with_role("kommuneoverlege", grane)
    d = distrikt(grane, navn="Grane legevakt")
    lege = kvalifisert(grane, fornavn="Anna", etternavn="Aasen")
    with in_kommune(grane):
        LegeKommune.objects.filter(kommune=grane, lege=lege).update(ansattnummer="10077")
        Vakt.objects.create(kommune=grane, distrikt=d, lege=lege, type="hjemmevakt", vaktklasse=1, dagkategori="helg",
                            start=oslo(2026, 10, 17, 10), slutt=oslo(2026, 10, 17, 14))
    token_client(["lonn:les"], grane)

    log_in(page, live_server.url, overlege, axe=axe)
    page.goto(f"{live_server.url}/lonn/lonnsarter/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Grane")
    axe.check(page)
    page.get_by_label("Eksempelsatsene gjelder fra").fill("2026-01-01")
    page.get_by_role("button", name="Last inn eksempeltabellen").click()
    expect(page.get_by_text("Eksempel – ikke gjeldende sats").first).to_be_visible()
    expect(page.locator("body")).to_contain_text("ALIS")  # supervision and vikar days are not covered by the example
    axe.check(page)

    page.goto(f"{live_server.url}/lonn/perioder/")
    axe.check(page)
    page.get_by_role("link", name="Oktober 2026").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lønnsfil for Oktober 2026")
    linjer = page.get_by_role("table", name="Linjene i lønnsfilen")
    expect(linjer).to_contain_text("Anna Aasen")
    expect(linjer).to_contain_text("10077")
    expect(linjer).to_contain_text("892,00")  # 4 weekend hours of hjemmevakt at the example's 223 kr
    axe.check(page)
    page.get_by_role("button", name="Lukk oktober 2026").click()
    expect(page.get_by_role("status")).to_contain_text("er lukket")
    expect(page.get_by_role("button", name="Gjenåpne oktober 2026")).to_be_visible()
    axe.check(page)
    with in_kommune(grane):
        assert Lonnsperiode.objects.get(maned=dt.date(2026, 10, 1)).status == "lukket"

    page.goto(f"{live_server.url}/lonn/webhooks/")
    axe.check(page)
    page.get_by_label("Adresse (HTTPS)").fill("http://lonn.example.invalid/varsel")
    page.get_by_role("button", name="Registrer endepunkt").click()
    expect(page.locator("body")).to_contain_text("HTTPS")
    axe.check(page)
    page.get_by_label("Adresse (HTTPS)").fill("https://1.1.1.1/grane-lonn")
    page.get_by_label("Beskrivelse").fill("Lønnssystemet")
    page.get_by_role("button", name="Registrer endepunkt").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Endepunktet er registrert")
    expect(page.locator("body")).to_contain_text("whsec_")
    axe.check(page)

    page.goto(f"{live_server.url}/lonn/integrasjon/")
    expect(page.locator("body")).to_contain_text("https://1.1.1.1/grane-lonn")
    expect(page.get_by_role("table", name="De siste lukkede (attesterte) månedene")).to_contain_text("Oktober 2026")
    expect(page.get_by_role("button", name="Trekk tilbake").first).to_be_visible()
    axe.check(page)
