"""A person logs in, finds a kommune, reads its landing page, changes a setting and reads its
history; every page visited passes axe-core with no serious or critical violations."""

import re

import pytest
from playwright.sync_api import expect

from kommune.models import Kommune
from tests.conftest import PASSWORD
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("kommune_data")]


def log_in(page, base_url, email):
    page.goto(f"{base_url}/konto/login/")
    page.get_by_label(re.compile("E-post", re.I)).fill(email)
    page.get_by_label(re.compile("Passord", re.I)).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Logg inn", re.I)).click()


def test_login_landing_page_settings_and_history(page, live_server, axe):
    user = UserFactory(is_superuser=True, is_staff=True, email="kol@bergen.kommune.no")

    page.goto(f"{live_server.url}/konto/login/")
    axe.check(page)
    log_in(page, live_server.url, user.email)

    expect(page.get_by_role("heading", level=1, name="Kommuner")).to_be_visible()
    axe.check(page)

    page.get_by_label("Navn inneholder").fill("Hattfjelldal")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_role("caption")).to_have_text("1 kommune")
    page.get_by_role("link", name="Hattfjelldal").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Hattfjelldal")
    expect(page.get_by_role("heading", level=2, name="Nøkkeltall")).to_be_visible()
    axe.check(page)

    page.get_by_role("link", name="Endre innstillinger").click()
    axe.check(page)
    page.get_by_label("Sentralitetsklasse").select_option("6")
    page.get_by_role("button", name="Lagre").click()
    expect(page.get_by_role("status")).to_contain_text("lagret")
    assert Kommune.objects.get(kommunenummer="1826").sentralitetsklasse == 6

    page.get_by_role("link", name="Historikk").click()
    expect(page.get_by_role("cell", name=f"bruker:{user.pk}")).to_be_visible()
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


def test_nynorsk_kommune_landing_page(page, live_server, axe):
    user = UserFactory(is_superuser=True, email="kol@sunnfjord.kommune.no")
    log_in(page, live_server.url, user.email)
    page.goto(f"{live_server.url}/kommuner/4647/")
    assert page.locator("html").get_attribute("lang") == "nn"
    axe.check(page)


def test_api_reference_loads_offline_and_is_accessible(page, live_server, axe):
    """Redoc draws a vendor logo from a CDN; the page's CSP must stop the browser fetching it."""
    blocked, fetched = [], []
    local = (live_server.url, "blob:" + live_server.url)
    page.on("requestfailed", lambda r: blocked.append((r.url, r.failure)) if not r.url.startswith(local) else None)
    page.on("requestfinished", lambda r: fetched.append(r.url) if not r.url.startswith(local) else None)
    page.goto(f"{live_server.url}/api/v1/redoc/")
    expect(page.get_by_text("Fastlegeadministrasjon API").first).to_be_visible()
    axe.check(page)
    assert fetched == [], f"the API docs fetched from outside the server: {fetched}"
    assert all(failure == "csp" for _, failure in blocked), blocked
