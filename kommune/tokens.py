"""Integration tokens: generated with `secrets`, stored as a keyed hash.

The hash is HMAC-SHA256 under a key derived from SECRET_KEY (and, while rotating,
SECRET_KEY_FALLBACKS): fast to verify with one indexed lookup, useless to anyone holding a
database dump without the server key.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.utils.crypto import salted_hmac

PREFIX = "fl_"
_SALT = "fastlegeadministrasjon.api-token"


def generate() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def _hash(raw: str, secret: str) -> str:
    return salted_hmac(_SALT, raw, secret=secret, algorithm="sha256").hexdigest()


def hash_token(raw: str) -> str:
    return _hash(raw, settings.SECRET_KEY)


def candidate_hashes(raw: str) -> list[str]:
    """The hash under the current key and each fallback key."""
    return [_hash(raw, key) for key in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]]


def display_prefix(raw: str) -> str:
    return raw[: len(PREFIX) + 8]
