"""Steps the browser journeys share: logging in (with a TOTP code when the account has one) and
computing TOTP codes the way allauth checks them."""

from __future__ import annotations

import re
import time

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from playwright.sync_api import expect

from tests.conftest import PASSWORD

# A code is computed only when at least this many seconds of its period remain, so it is still the
# current code when the server checks it (allauth accepts the current period only: TOTP_TOLERANCE 0).
CODE_MARGIN_SECONDS = 3.0
MFA_AUTHENTICATE_PATH = "/konto/2fa/authenticate/"


def totp_code(secret: str, *, not_period: int | None = None) -> tuple[int, str]:
    """(period, code) for `secret` now, computed with allauth's own functions. Waits (at most a few
    seconds, or into the next period when `not_period` is the current one) rather than hand out a
    code about to expire."""
    period_length = mfa_settings.TOTP_PERIOD
    while True:
        now = time.time()
        period = int(now) // period_length  # as allauth counts periods
        remaining = (period + 1) * period_length - now
        if remaining >= CODE_MARGIN_SECONDS and period != not_period:
            return period, format_hotp_value(hotp_value(secret, period))
        time.sleep(remaining + 0.05)


def submit_login_form(page, base_url: str, email: str, *, axe=None) -> None:
    """E-mail and password on allauth's login page (checked by `axe` before filling it in)."""
    if "/konto/login/" not in page.url:
        page.goto(f"{base_url}/konto/login/")
    if axe is not None:
        axe.check(page)
    page.get_by_label(re.compile("E-post", re.I)).fill(email)
    page.get_by_label(re.compile("Passord", re.I)).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Logg inn", re.I)).click()


def submit_totp_code(page, secret: str, *, axe=None) -> None:
    """Answer allauth's second-factor step with the current code.

    allauth refuses a code already used for a login in the same period (replay protection). A
    journey's own logins never collide (the set-up step does not mark its code as used), but if a
    code is refused, the next period's code is entered once: a second refusal fails the test."""
    expect(page.get_by_role("heading", level=1, name="Tofaktorautentisering")).to_be_visible()
    assert MFA_AUTHENTICATE_PATH in page.url, page.url
    if axe is not None:
        axe.check(page)
    period, code = totp_code(secret)
    for attempt in range(2):
        page.get_by_label(re.compile("Kode", re.I)).fill(code)
        with page.expect_navigation():
            page.get_by_role("button", name=re.compile("Logg inn", re.I)).click()
        if MFA_AUTHENTICATE_PATH not in page.url:
            return
        assert attempt == 0, f"allauth refused two consecutive TOTP codes ({page.url})"
        period, code = totp_code(secret, not_period=period)


def log_in(page, base_url: str, user, *, axe=None) -> None:
    """Log in as `user`; with the second factor when `user.totp_secret` is set (tests.conftest.user_with_role)."""
    submit_login_form(page, base_url, user.email, axe=axe)
    secret = getattr(user, "totp_secret", None)
    if secret:
        submit_totp_code(page, secret, axe=axe)


def log_out(page) -> None:
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("button", name="Logg ut").click()
    expect(page.get_by_role("heading", level=1, name="Logg inn")).to_be_visible()
