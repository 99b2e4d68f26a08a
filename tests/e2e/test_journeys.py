"""A kommuneoverlege logs in (password and TOTP code), lands on the kommune's page, changes a
setting and reads its history; every page visited passes axe-core with no serious or critical
violations."""

import pytest
from playwright.sync_api import expect

from kommune.models import Kommune
from tests.conftest import in_kommune, user_with_role
from tests.e2e.flows import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("kommune_data")]


def test_login_landing_page_settings_and_history(page, live_server, axe, bergen):
    user = user_with_role("kommuneoverlege", bergen, email="kol@bergen.kommune.no")
    new_class = "5" if bergen.sentralitetsklasse == 6 else "6"

    log_in(page, live_server.url, user, axe=axe)  # login page and the TOTP step, each checked

    expect(page).to_have_url(f"{live_server.url}/kommuner/4601/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bergen")
    expect(page.get_by_role("heading", level=2, name="Nøkkeltall")).to_be_visible()
    axe.check(page)

    page.get_by_role("link", name="Endre innstillinger").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Innstillinger for Bergen")
    axe.check(page)
    page.get_by_label("Sentralitetsklasse").select_option(new_class)
    page.get_by_role("button", name="Lagre").click()
    expect(page.get_by_role("status")).to_contain_text("lagret")
    with in_kommune(bergen):
        assert Kommune.objects.get(kommunenummer="4601").sentralitetsklasse == int(new_class)

    page.get_by_role("link", name="Historikk").click()
    expect(page.get_by_role("cell", name=f"{user.navn} ({user.email})")).to_be_visible()
    axe.check(page)

    page.get_by_role("link", name="Tilgjengelighetserklæring").click()
    axe.check(page)
    assert len(axe.checked) == 6


def test_skip_link_moves_focus_to_the_main_content(page, live_server, axe):
    page.goto(f"{live_server.url}/tilgjengelighet/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Hopp til hovedinnholdet")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "innhold"
    axe.check(page)


def test_nynorsk_kommune_landing_page(page, live_server, axe, sunnfjord):
    """A person with a role in Sunnfjord only goes straight to its page, in nynorsk."""
    user = user_with_role("lesetilgang", sunnfjord, email="lege@sunnfjord.kommune.no")
    log_in(page, live_server.url, user)
    expect(page).to_have_url(f"{live_server.url}/kommuner/4647/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sunnfjord")
    assert page.locator("html").get_attribute("lang") == "nn"
    axe.check(page)


def test_api_reference_loads_offline_and_is_accessible(page, live_server, axe):
    """Redoc draws a vendor logo from a CDN; the page's CSP must stop the browser fetching it."""
    blocked, fetched = [], []
    local = (live_server.url, "blob:" + live_server.url)
    page.on("requestfailed", lambda r: blocked.append((r.url, r.failure)) if not r.url.startswith(local) else None)
    page.on("requestfinished", lambda r: fetched.append(r.url) if not r.url.startswith(local) else None)
    page.goto(f"{live_server.url}/api/v1/redoc/")
    # Redoc renders the whole schema (some 20 000 lines) in the browser before showing the title.
    expect(page.get_by_text("Fastlegeadministrasjon API").first).to_be_visible(timeout=60000)
    axe.check(page)
    assert fetched == [], f"the API docs fetched from outside the server: {fetched}"
    assert all(failure == "csp" for _, failure in blocked), blocked
