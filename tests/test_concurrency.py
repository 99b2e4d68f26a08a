"""Two concurrent requests: If-Match lets exactly one win; an Idempotency-Key waits or gets 409.

The requests run in threads with their own database connections. The test holds a PostgreSQL lock
that the requests need, waits until both are blocked on it, then releases it — so the overlap is
certain, not a matter of timing.

Each request is made as a user with the right role in the kommune it touches; the request enters
its own scope (middleware and API authentication), and the test body scopes its own queries.
"""

import contextlib
import threading
import time

import pytest
from django.db import connection, connections, transaction
from rest_framework.test import APIClient

from core.models import IdempotencyKey
from kommune.models import Innbyggertall, Kommune
from tests.conftest import in_kommune, kommune, user_with_role

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("kommune_data")]


@pytest.fixture
def bergens_overlege(kommune_data):
    """May change Bergen's settings (PATCH)."""
    return user_with_role("kommuneoverlege", kommune("4601"))


@pytest.fixture
def hattfjelldal(kommune_data):
    return kommune("1826")


@pytest.fixture
def hattfjelldals_saksbehandler(hattfjelldal):
    """May record Hattfjelldal's population figures (POST)."""
    return user_with_role("saksbehandler", hattfjelldal)


def waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # the view is snapshotted per transaction
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        return cursor.fetchone()[0]


def wait_until_waiting(n: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while waiting_on_locks() < n:
        if time.monotonic() > deadline:
            raise AssertionError(f"expected {n} requests waiting on locks")
        time.sleep(0.02)


class Request(threading.Thread):
    """One API request in its own thread (and database connection). The login is done here, in the
    test's scope; the thread only makes the request, which enters its own scope as the user."""

    def __init__(self, user, method, url, **kwargs):
        super().__init__()
        self.user, self.method, self.url, self.kwargs = user, method, url, kwargs
        self.client = APIClient()
        self.client.force_login(user)
        self.response = None

    def run(self):
        try:
            self.response = getattr(self.client, self.method)(self.url, format="json", **self.kwargs)
        finally:
            connections.close_all()


def test_two_updates_with_the_same_etag_exactly_one_succeeds(bergens_overlege):
    url = "/api/v1/kommuner/4601/"
    bergen = kommune("4601")
    version = bergen.versjon
    first = Request(bergens_overlege, "patch", url, data={"sentralitetsklasse": 2}, HTTP_IF_MATCH=f'"{version}"')
    second = Request(bergens_overlege, "patch", url, data={"sentralitetsklasse": 3}, HTTP_IF_MATCH=f'"{version}"')
    with in_kommune(bergen), transaction.atomic():
        Kommune.objects.select_for_update().get(kommunenummer="4601")  # both UPDATEs queue behind this
        first.start()
        wait_until_waiting(1)
        second.start()
        wait_until_waiting(2)
    first.join(10)
    second.join(10)
    statuses = sorted([first.response.status_code, second.response.status_code])
    assert statuses == [200, 412]
    with in_kommune(bergen):
        stored = Kommune.objects.get(kommunenummer="4601")
    assert stored.versjon == version + 1
    winner = first if first.response.status_code == 200 else second
    assert stored.sentralitetsklasse == winner.kwargs["data"]["sentralitetsklasse"]


def _post(user, key):
    return Request(
        user,
        "post",
        "/api/v1/kommuner/1826/innbyggertall/",
        data={"gjelder_fra": "2026-01-01", "antall": 1270, "kilde": "SSB"},
        HTTP_IDEMPOTENCY_KEY=key,
    )


@contextlib.contextmanager
def first_holds_the_key(first, second):
    """Start `first` and let it claim its key but block on its effect (the INSERT into innbyggertall
    waits for the lock held here); then start `second`, which blocks on the uncommitted key.
    Leaving the block releases the lock."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE kommune_innbyggertall IN SHARE MODE")
        first.start()
        wait_until_waiting(1)
        second.start()
        yield


def figures_on_the_date(k) -> int:
    with in_kommune(k):
        return Innbyggertall.objects.filter(kommune__kommunenummer="1826", gjelder_fra="2026-01-01").count()


def test_concurrent_duplicate_waits_and_replays_the_first_response(hattfjelldals_saksbehandler, hattfjelldal):
    user = hattfjelldals_saksbehandler
    first, second = _post(user, "samtidig-1"), _post(user, "samtidig-1")
    with first_holds_the_key(first, second):
        wait_until_waiting(2)
    first.join(10)
    second.join(10)
    assert first.response.status_code == second.response.status_code == 201
    assert second.response["Idempotent-Replayed"] == "true"
    assert second.response.json() == first.response.json()
    assert figures_on_the_date(hattfjelldal) == 1
    assert IdempotencyKey.objects.filter(key="samtidig-1").count() == 1


def test_concurrent_duplicate_that_waits_too_long_gets_409_and_may_retry(
    hattfjelldals_saksbehandler, hattfjelldal, settings
):
    settings.IDEMPOTENCY_LOCK_TIMEOUT_MS = 200
    user = hattfjelldals_saksbehandler
    first, second = _post(user, "samtidig-2"), _post(user, "samtidig-2")
    with first_holds_the_key(first, second):
        second.join(10)  # gives up while the first still holds the key
    first.join(10)
    assert second.response.status_code == 409
    assert second.response.json()["kode"] == "konflikt"
    assert first.response.status_code == 201
    retry = _post(user, "samtidig-2")
    retry.start()
    retry.join(10)
    assert retry.response.status_code == 201
    assert retry.response["Idempotent-Replayed"] == "true"
    assert figures_on_the_date(hattfjelldal) == 1
