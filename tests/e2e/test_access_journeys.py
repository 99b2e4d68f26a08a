"""Access in the browser: a kommuneoverlege must set up TOTP before seeing kommune data and then
logs in with it; a person with roles in two kommuner chooses one; the kommuneoverlege manages
roles and issues an API token that is shown once. Every page visited passes axe-core."""

import re

import pytest
from playwright.sync_api import expect
from rest_framework.test import APIClient

from kommune.models import Rolle
from tests.conftest import in_kommune, user_with_role
from tests.e2e.flows import log_in, log_out, submit_login_form, submit_totp_code, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("kommune_data")]


def test_kommuneoverlege_sets_up_totp_then_logs_in_with_it(page, live_server, axe, bergen):
    user = user_with_role("kommuneoverlege", bergen, mfa=False, email="ny.overlege@bergen.kommune.no")

    # A kommune page needs a login, and then TOTP set up before it shows anything.
    page.goto(f"{live_server.url}/kommuner/4601/")
    submit_login_form(page, live_server.url, user.email, axe=axe)
    expect(page).to_have_url(re.compile(r"/konto/2fa/totp/activate/\?next=%2Fkommuner%2F4601%2F$"))
    expect(page.get_by_role("status")).to_contain_text("aktivere tofaktorinnlogging")
    axe.check(page)

    # The secret is on the page (for apps that cannot scan the QR code); the app's code activates it.
    secret = page.get_by_label("Autentiseringshemmelighet").input_value()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret), secret
    _, code = totp_code(secret)
    page.get_by_label("Autentiseringskode").fill(code)
    page.get_by_role("button", name="Aktiver").click()

    # allauth then shows the recovery codes.
    expect(page).to_have_url(re.compile(r"/konto/2fa/recovery-codes/$"))
    expect(page.get_by_label(re.compile("Ubrukte koder", re.I))).not_to_be_empty()
    axe.check(page)

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/kommuner/4601/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bergen")
    axe.check(page)

    # Next time: password, then a code from the app.
    log_out(page)
    submit_login_form(page, live_server.url, user.email)
    submit_totp_code(page, secret, axe=axe)
    expect(page).to_have_url(f"{live_server.url}/kommuner/4601/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bergen")
    axe.check(page)


def test_person_with_roles_in_two_kommuner_chooses_one(page, live_server, axe, bergen, sunnfjord):
    user = user_with_role("saksbehandler", bergen, sunnfjord, email="sak@vestland.kommune.no")

    log_in(page, live_server.url, user)
    expect(page).to_have_url(f"{live_server.url}/velg-kommune/")
    expect(page.get_by_role("heading", level=1, name="Velg kommune")).to_be_visible()
    axe.check(page)

    page.get_by_role("button", name="Sunnfjord (4647)").click()
    expect(page).to_have_url(f"{live_server.url}/kommuner/4647/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sunnfjord")
    axe.check(page)

    # The choice holds for the session: the front page now goes to Sunnfjord; the menu switches.
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/kommuner/4647/")
    page.locator("header a[href=\"/velg-kommune/\"]").click()  # "Bytt kommune" (nynorsk: "Byt kommune")
    page.get_by_role("button", name="Bergen (4601)").click()
    expect(page).to_have_url(f"{live_server.url}/kommuner/4601/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bergen")


def test_kommuneoverlege_grants_a_role_and_issues_a_token_shown_once(page, live_server, axe, bergen):
    user = user_with_role("kommuneoverlege", bergen, email="kol@bergen.kommune.no")
    log_in(page, live_server.url, user)
    expect(page).to_have_url(f"{live_server.url}/kommuner/4601/")

    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Tilgang").click()
    expect(page).to_have_url(f"{live_server.url}/tilgang/brukere/")
    expect(page.get_by_role("heading", level=1, name="Brukere og roller i Bergen")).to_be_visible()
    expect(page.get_by_role("cell", name=user.email, exact=True)).to_be_visible()
    axe.check(page)

    page.get_by_label("E-postadresse").fill("ny.saksbehandler@bergen.kommune.no")
    page.get_by_label("Navn", exact=True).fill("Ny Saksbehandler")
    page.get_by_label("Rolle").select_option("saksbehandler")
    page.get_by_role("button", name="Gi rolle").click()
    expect(page.get_by_role("status")).to_contain_text("ny.saksbehandler@bergen.kommune.no")
    expect(page.get_by_role("cell", name="ny.saksbehandler@bergen.kommune.no", exact=True)).to_be_visible()
    axe.check(page)
    with in_kommune(bergen):
        assert Rolle.objects.filter(bruker__email="ny.saksbehandler@bergen.kommune.no", rolle="saksbehandler").exists()

    page.get_by_role("link", name="API-tokener").click()
    expect(page).to_have_url(f"{live_server.url}/tilgang/tokener/")
    expect(page.get_by_role("heading", level=1, name="API-tokener for Bergen")).to_be_visible()
    axe.check(page)

    page.get_by_label("Klientens navn").fill("Lønnssystemet")
    page.get_by_label("Lese pasientlister og kommunens nøkkeltall").check()
    page.get_by_role("button", name="Utsted token").click()
    expect(page.get_by_role("heading", level=1, name="Token for «Lønnssystemet»")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("vises ikke igjen")
    raw = page.get_by_label("Token", exact=True).input_value()
    assert len(raw) >= 32, raw
    axe.check(page)

    # The token works (Bergen, with the scope granted) ...
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = api.get("/api/v1/kommuner/4601/")
    assert response.status_code == 200, response.content
    assert response.json()["navn"] == "Bergen"

    # ... and is not shown again: the list has its prefix only.
    page.get_by_role("link", name="Tilbake til API-tokener").click()
    expect(page.get_by_role("cell", name="Lønnssystemet", exact=True)).to_be_visible()
    assert raw not in page.content()
    axe.check(page)
