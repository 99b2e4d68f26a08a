import importlib
import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.apps import apps
from rest_framework.test import APIClient

from core.context import scope
from core.tenancy import unscoped
from tests.factories import UserFactory

PASSWORD = "Et-godt-testpassord-123"


@pytest.fixture(autouse=True)
def test_actor():
    """Data the tests arrange directly is written as the actor "test" (history needs an actor).
    Requests, tasks and commands under test enter their own scope and actor."""
    with scope(kommune_id=None, actor="test"):
        yield


def kommune(kommunenummer: str):
    from kommune.models import Kommune

    with unscoped(reason="tests: look up a kommune"):
        return Kommune.objects.get(kommunenummer=kommunenummer)


def in_kommune(k):
    """Scope for arranging or inspecting one kommune's data in a test."""
    return scope(kommune_id=k.pk, actor="test")


def activate_totp(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def totp_code(secret: str) -> str:
    from allauth.mfa import app_settings as mfa_settings

    return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))


def user_with_role(rolle: str, *kommuner, mfa: bool | None = None, **fields):
    """A user holding `rolle` in each kommune; kommuneoverleger get TOTP unless mfa=False."""
    from kommune.models import Rolle

    user = UserFactory(password=PASSWORD, **fields)
    for k in kommuner:
        with in_kommune(k):
            Rolle.objects.create(kommune=k, bruker=user, rolle=rolle)
    if mfa or (mfa is None and rolle == "kommuneoverlege"):
        user.totp_secret = activate_totp(user)
    return user


def api_client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def token_client(scopes, *kommuner, expires_days=None):
    """An API client carrying a fresh integration token; `.token` is the token row."""
    from kommune import services

    token, raw = services.issue_token(navn="Testklient", kommuner=list(kommuner), scopes=list(scopes), expires_days=expires_days)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    client.token, client.raw = token, raw
    return client


@pytest.fixture
def bergen(db):
    return kommune("4601")


@pytest.fixture
def sunnfjord(db):
    return kommune("4647")


@pytest.fixture
def superuser(db):
    return UserFactory(is_superuser=True, is_staff=True, password=PASSWORD)


@pytest.fixture
def overlege(bergen):
    return user_with_role("kommuneoverlege", bergen)


@pytest.fixture
def saksbehandler(bergen):
    return user_with_role("saksbehandler", bergen)


@pytest.fixture
def leser(bergen):
    return user_with_role("lesetilgang", bergen)


@pytest.fixture
def user(leser):
    return leser


@pytest.fixture
def api(overlege):
    """An API client logged in as Bergen's kommuneoverlege (with TOTP)."""
    return api_client_for(overlege)


@pytest.fixture
def reader_api(leser):
    return api_client_for(leser)


@pytest.fixture
def page_client(client, overlege):
    client.force_login(overlege)
    return client


@pytest.fixture
def kommune_data(transactional_db):
    """For tests with real transactions: the flush after each of them removes the kommuner the data
    migration shipped, so load them again the way the migration does."""
    from kommune.models import Kommune

    with unscoped(reason="tests: reload the kommune register"):
        if not Kommune.objects.exists():
            migration = importlib.import_module("kommune.migrations.0002_load_kommuner_2025")
            migration.load(apps, None)
