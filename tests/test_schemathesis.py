"""Schemathesis fuzzes every operation of the committed OpenAPI schema, in process over WSGI.

Fixed seed, bounded examples per operation, a hard time cap: zero server errors, and every
response conforms to the documented status codes, content types and schemas.
"""

import time
from pathlib import Path

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, Phase, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.conftest import kommune, user_with_role

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "docs" / "api" / "openapi.yaml"

schema = schemathesis.openapi.from_path(SCHEMA_PATH)
schema.app = get_wsgi_application()


_current_session: dict = {}
TOTAL_BUDGET_SECONDS = 180  # the whole fuzzing run, all operations together
_started: list[float] = []


@schema.auth(refresh_interval=None)
class SessionAuth:
    """Log in the way a browser or script does: Django's session cookie plus the CSRF token.
    Schemathesis also sends requests without it and expects them refused (403)."""

    def get(self, case, ctx):
        return _current_session

    def set(self, case, data, ctx):
        if not data:  # collection time: no session yet
            return
        case.cookies = {**(case.cookies or {}), **data["cookies"]}
        case.headers = {**(case.headers or {}), "X-CSRFToken": data["csrf"]}


@pytest.fixture
def session(db):
    """A session of Hattfjelldal's kommuneoverlege (every write allowed there), fresh for each
    operation's test; other kommunenummer values exercise the 404 path."""
    _started[:1] = _started[:1] or [time.monotonic()]
    user = user_with_role("kommuneoverlege", kommune("1826"))
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.get("/kommuner/1826/").status_code == 200  # a page with a form sets the csrftoken cookie
    cookies = {name: morsel.value for name, morsel in client.cookies.items()}
    _current_session.update(cookies=cookies, csrf=cookies["csrftoken"])
    # Django's test client keeps the request signals from closing the test's database connection;
    # Schemathesis calls the WSGI app directly, so do the same for the fuzzing requests.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    _current_session.clear()


@pytest.mark.timeout(TOTAL_BUDGET_SECONDS)
@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=10,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_has_no_server_errors_and_conforms_to_its_schema(case, session):
    if time.monotonic() - _started[0] > TOTAL_BUDGET_SECONDS:  # checked before every example
        pytest.fail(f"Schemathesis exceeded its {TOTAL_BUDGET_SECONDS} s budget: lower max_examples")
    # positive_data_acceptance is left out: a schema-valid If-Match or kommunenummer is still
    # refused when it names no current version or no kommune (412/404 by design).
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
