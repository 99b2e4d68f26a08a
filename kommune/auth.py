"""allauth adapters: closed sign-up, login throttling answered with 429, encrypted MFA secrets."""

from __future__ import annotations

import base64
import hashlib

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.views import LoginView
from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.crypto import salted_hmac


class ClosedSignupAccountAdapter(DefaultAccountAdapter):
    """No self-service sign-up: accounts are created by the kommune (see README, grant_role)."""

    def is_open_for_signup(self, request) -> bool:
        return False


def _fernet_key(secret: str) -> bytes:
    digest = salted_hmac("fastlegeadministrasjon.mfa-secrets", "fernet-key", secret=secret, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(hashlib.sha256(digest).digest())


def _fernet() -> MultiFernet:
    keys = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return MultiFernet([Fernet(_fernet_key(key)) for key in keys])


class EncryptingMFAAdapter(DefaultMFAAdapter):
    """TOTP secrets and the recovery-code seed are stored encrypted (Fernet, key derived from
    SECRET_KEY; SECRET_KEY_FALLBACKS still decrypt during a key rotation). A database dump alone
    does not give anyone a second factor."""

    PREFIX = "fernet:"

    def encrypt(self, text: str) -> str:
        return self.PREFIX + _fernet().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        if not encrypted_text.startswith(self.PREFIX):
            raise ValueError("MFA-hemmeligheten er ikke kryptert; den må settes opp på nytt.")
        try:
            return _fernet().decrypt(encrypted_text[len(self.PREFIX):].encode()).decode()
        except InvalidToken as exc:
            raise ValueError("MFA-hemmeligheten kan ikke dekrypteres med nåværende SECRET_KEY.") from exc


class ThrottledLoginView(LoginView):
    """allauth's login, answering 429 (not 200) when too many failed attempts locked the form."""

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if any(error.code == "too_many_login_attempts" for error in form.errors.as_data().get("__all__", [])):
            response.status_code = 429
        return response
