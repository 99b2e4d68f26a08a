"""The payroll feed under concurrent writers (issue 8): a client following `neste` through the API
while several transactions change shifts and vikar periods at the same time — overlapping, some
rolled back (whole or a savepoint), some held open while later ones commit — receives every
committed change exactly once, never a rolled-back one, and ends in the state the snapshots serve.

Writers run in threads, each with its own database connection, and write with the ORM (the
triggers in lonn/sql.py publish whatever commits). Every transaction locks the objects it shares
with other writers in one global order (shifts by id, then periods by id), so they queue but never
deadlock. A writer that holds its transaction open after its first write has its transaction id
already; writers that start later and commit first get higher ids, and the objects they share
reach the feed in (transaction id) order — a higher version before a lower one. One pair of
threads provokes that deterministically with events: the long transaction writes its anchor (and
so takes its id), the short one then changes shift X and commits, and only then does the long one
change X (the row lock would otherwise serialise them the other way round).

A value that only rolled-back work writes (stillingsprosent 37, lokal avtale «TILBAKERULLET» with
vaktklasse 2) must never reach the feed or the snapshots.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
from collections import Counter, defaultdict

import pytest
from django.db import connection, transaction
from django.db.models import Case, F, Value, When
from django.test.utils import CaptureQueriesContext
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from legevakt.models import Vakt
from lister.models import Legeperiode
from lonn.models import Hendelse, Lonnobjekt
from tests import register
from tests.conftest import in_kommune, kommune, token_client
from tests.legevakt import helpers
from tests.legevakt.helpers import oslo

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("kommune_data")]

FEED = "/api/v1/lonn/hendelser/"
WRITERS = 4
TRANSACTIONS = 350  # per writer
OWN_SHIFTS = 6  # per writer, one doctor, three days apart (a slutt change never makes them overlap)
OWN_PERIODS = 3  # per writer, long-lived vikar periods
SHARED_SHIFTS = 4  # touched by every writer
SHARED_PERIODS = 3
ROUNDS = 8  # orchestrated long-transaction rounds
ROLLED_BACK_PROSENT = 37
ROLLED_BACK_AVTALE = "TILBAKERULLET"
PAGE_SIZES = (1, 1000, 7, 100, 3, 250, 1000, 50)
TIMEOUT = 180  # seconds for the whole run (drain included)


@pytest.fixture
def no_throttle(monkeypatch):
    """The reader polls as fast as it can; the production throttle (1200/min) would answer 429."""
    rates = {"user": "1000000/min", "anon": "1000000/min"}
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", rates)
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", rates)


class Rollback(Exception):
    pass


# --- the data --------------------------------------------------------------------------------------

def _shift(k, distrikt, lege, start: dt.datetime, hours: int = 12) -> Vakt:
    return Vakt.objects.create(
        kommune=k, distrikt=distrikt, lege=lege, type="tilstedevakt", vaktklasse=3, start=start,
        slutt=start + dt.timedelta(hours=hours), dagkategori="hverdag")


def _period(k, liste, lege, fra: dt.date, days: int, stillingsprosent: int = 100) -> Legeperiode:
    return Legeperiode.objects.create(
        kommune=k, pasientliste=liste, lege=lege, rolle="LPVI", fra=fra, til=fra + dt.timedelta(days=days),
        stillingsprosent=stillingsprosent, oppdragsgiver="kommunen")


class World:
    """Each writer's own objects, the objects all writers share, and the two objects of the
    orchestrated rounds (the long transaction's anchor, and X)."""

    def __init__(self, k):
        self.k = k
        d = helpers.distrikt(k, navn="Samtidig legevakt")
        with in_kommune(k):
            self.own_shifts: list[dict[int, dt.datetime]] = []
            self.own_periods: list[list[int]] = []
            self.vikar: list[tuple[int, int]] = []  # per writer: (liste id, vikar lege id) for new periods
            for w in range(WRITERS):
                lege = register.lege(k)
                shifts = [_shift(k, d, lege, oslo(2027, 1, 4, 8) + dt.timedelta(days=3 * i + 60 * w)) for i in range(OWN_SHIFTS)]
                self.own_shifts.append({s.pk: s.start for s in shifts})
                liste, vikar = register.liste(k, kontor=register.legekontor(k, navn=f"Kontor {w}")), register.lege(k)
                self.vikar.append((liste.pk, vikar.pk))
                self.own_periods.append([_period(k, liste, vikar, dt.date(2027, 1, 1) + dt.timedelta(days=100 * i), 60).pk
                                         for i in range(OWN_PERIODS)])
            felles = register.lege(k)
            shared = [_shift(k, d, felles, oslo(2027, 6, 1, 8) + dt.timedelta(days=3 * i)) for i in range(SHARED_SHIFTS)]
            self.shared_shifts = {s.pk: s.start for s in shared}
            liste, vikar = register.liste(k, kontor=register.legekontor(k, navn="Felles kontor")), register.lege(k)
            self.shared_periods = [_period(k, liste, vikar, dt.date(2027, 1, 1) + dt.timedelta(days=100 * i), 60).pk
                                   for i in range(SHARED_PERIODS)]
            orkestrert = register.lege(k)
            self.anchor = _shift(k, d, orkestrert, oslo(2027, 9, 1, 8)).pk
            self.x = _shift(k, d, orkestrert, oslo(2027, 9, 10, 8)).pk


# --- the writers -----------------------------------------------------------------------------------

def _toggle_klasse(pk: int) -> None:
    Vakt.objects.filter(pk=pk).update(vaktklasse=7 - F("vaktklasse"))  # 3 <-> 4: always a change


def _toggle_status(pk: int) -> None:
    """aktiv -> avlyst (vakt.slettet) -> aktiv (vakt.opprettet); the right-hand side reads the old row."""
    Vakt.objects.filter(pk=pk).update(
        status=Case(When(status="aktiv", then=Value("avlyst")), default=Value("aktiv")),
        avlyst_arsak=Case(When(status="aktiv", then=Value("sykdom")), default=Value("")))


def _set_slutt(pk: int, start: dt.datetime, rng: random.Random) -> None:
    Vakt.objects.filter(pk=pk).update(slutt=start + dt.timedelta(hours=rng.randint(8, 16)))


def _set_prosent(pk: int, rng: random.Random) -> None:
    Legeperiode.objects.filter(pk=pk).update(stillingsprosent=rng.choice((20, 40, 50, 60, 80, 100)))


def _rolled_back_marker(world: World, w: int, rng: random.Random) -> None:
    """A payroll-visible value written only by work that is rolled back."""
    if rng.random() < 0.5:
        Legeperiode.objects.filter(pk=rng.choice(world.own_periods[w])).update(stillingsprosent=ROLLED_BACK_PROSENT)
    else:
        Vakt.objects.filter(pk=rng.choice(list(world.own_shifts[w]))).update(vaktklasse=2, lokal_avtale=ROLLED_BACK_AVTALE)


class Worker(threading.Thread):
    def __init__(self, name: str, k):
        super().__init__(name=name, daemon=True)
        self.k = k
        self.error: BaseException | None = None
        self.stats: Counter = Counter()

    scoped = True  # writers: in the kommune's scope; the reader's requests enter their own

    def run(self):
        try:
            if self.scoped:
                with in_kommune(self.k):
                    self.work()
            else:
                self.work()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.error = exc
        finally:
            connection.close()

    def work(self):
        raise NotImplementedError


class Writer(Worker):
    """TRANSACTIONS transactions of 2–6 statements: own objects first (nobody else locks them),
    sometimes a pause holding the transaction open, then shared objects in the global lock order,
    then new vikar periods and deletions of its own new ones; 8 % rolled back, 8 % with a
    rolled-back savepoint."""

    def __init__(self, w: int, world: World, start_together: threading.Barrier):
        super().__init__(f"writer-{w}", world.k)
        self.w, self.world, self.barrier = w, world, start_together
        self.rng = random.Random(1000 + w)
        self.created: list[int] = []

    def work(self):
        self.barrier.wait(30)
        for t in range(TRANSACTIONS):
            kind = self.rng.random()
            created = list(self.created)
            try:
                with transaction.atomic():
                    self.transaction(t)
                    if kind < 0.08:
                        _rolled_back_marker(self.world, self.w, self.rng)
                        raise Rollback
                    if kind < 0.16:
                        try:
                            with transaction.atomic():
                                _rolled_back_marker(self.world, self.w, self.rng)
                                raise Rollback
                        except Rollback:
                            self.stats["savepoints_rolled_back"] += 1
                self.stats["committed"] += 1
            except Rollback:
                self.stats["rolled_back"] += 1
                self.created = created  # its new periods are gone, its deletions undone

    def transaction(self, t: int):
        rng, world, w = self.rng, self.world, self.w
        own_shifts = world.own_shifts[w]
        for _ in range(rng.randint(1, 3)):
            pk = rng.choice(list(own_shifts))
            op = rng.random()
            if op < 0.45:
                _toggle_klasse(pk)
            elif op < 0.8:
                _set_slutt(pk, own_shifts[pk], rng)
            else:
                _toggle_status(pk)
            self.stats["statements"] += 1
        if rng.random() < 0.5:
            _set_prosent(rng.choice(world.own_periods[w]), rng)
            self.stats["statements"] += 1
        if rng.random() < 0.05:
            time.sleep(rng.uniform(0.05, 0.25))  # held open: its id is taken, later transactions commit first
            self.stats["held_open"] += 1
        # shared objects: shifts by id, then periods by id (one lock order for every writer)
        if rng.random() < 0.35:
            for pk in sorted(rng.sample(list(world.shared_shifts), rng.randint(1, 2))):
                if rng.random() < 0.5:
                    _toggle_klasse(pk)
                else:
                    _set_slutt(pk, world.shared_shifts[pk], rng)
                self.stats["statements"] += 1
        if rng.random() < 0.25:
            for pk in sorted(rng.sample(world.shared_periods, rng.randint(1, 2))):
                _set_prosent(pk, rng)
                self.stats["statements"] += 1
        if rng.random() < 0.15:
            liste_id, lege_id = world.vikar[w]
            fra = dt.date(2030, 1, 1) + dt.timedelta(days=10 * t)  # 7-day periods, never overlapping
            periode = Legeperiode.objects.create(
                kommune=self.k, pasientliste_id=liste_id, lege_id=lege_id, rolle="LPVI", fra=fra,
                til=fra + dt.timedelta(days=7), stillingsprosent=rng.choice((50, 100)), oppdragsgiver="kommunen")
            self.created.append(periode.pk)
            self.stats["statements"] += 1
        if self.created and rng.random() < 0.1:
            pk = self.created.pop(rng.randrange(len(self.created)))
            Legeperiode.objects.filter(pk=pk).delete()
            self.stats["statements"] += 1


class LongWriter(Worker):
    """Round r: write the anchor (the transaction now has its id), let the short writer change X
    and commit, then change X too and commit, later."""

    def __init__(self, world: World, started, committed):
        super().__init__("long", world.k)
        self.world, self.started, self.committed = world, started, committed

    def work(self):
        for r in range(ROUNDS):
            with transaction.atomic():
                _toggle_klasse(self.world.anchor)
                self.started[r].set()
                assert self.committed[r].wait(30), "the short transaction did not commit"
                _toggle_klasse(self.world.x)  # the row is free again: the short one committed
                time.sleep(0.1)  # held open while the other writers commit
            self.stats["committed"] += 1
            time.sleep(0.2)


class ShortWriter(Worker):
    def __init__(self, world: World, started, committed):
        super().__init__("short", world.k)
        self.world, self.started, self.committed = world, started, committed

    def work(self):
        for r in range(ROUNDS):
            assert self.started[r].wait(60), "the long transaction did not start"
            with transaction.atomic():
                _toggle_klasse(self.world.x)
            self.stats["committed"] += 1
            self.committed[r].set()


# --- the reader ------------------------------------------------------------------------------------

def _horizon() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
        return cursor.fetchone()[0]


def _last_xid(k) -> int:
    with in_kommune(k):
        return max(Hendelse.objects.values_list("xid", flat=True), default=0)


class Reader(Worker):
    """Follows the feed through the API, page sizes varying, until all writers are done and a call
    made after that returns nothing. The drain also waits until the visibility horizon has passed
    the last writer transaction: a transaction of another test database on the same server holds
    the horizon back too (a real client would simply get those events on a later call)."""

    def __init__(self, client, k, writers_done: threading.Event):
        super().__init__("reader", k)
        self.scoped = False
        self.client, self.writers_done = client, writers_done
        self.events: list[dict] = []
        self.pages = 0
        self.last_xid: int | None = None

    def work(self):
        etter = ""
        deadline = time.monotonic() + 2 * TIMEOUT
        while True:
            final = self.writers_done.is_set()
            if final and self.last_xid is None:
                self.last_xid = _last_xid(self.k)
                deadline = time.monotonic() + TIMEOUT
            if final:
                final = _horizon() > self.last_xid
            response = self.client.get(FEED, {"etter": etter, "antall": PAGE_SIZES[self.pages % len(PAGE_SIZES)]})
            assert response.status_code == 200, response.content
            body = response.json()
            self.pages += 1
            self.events.extend(body["hendelser"])
            etter = body["neste"]
            if not body["hendelser"]:
                assert body["flere"] is False
                if final:
                    return
                time.sleep(0.01)
            assert time.monotonic() < deadline, "the feed was not drained in time"


# --- the test --------------------------------------------------------------------------------------

def _position(event_id: str) -> tuple[int, int]:
    _epoke, xid, hid = event_id.split(".")
    return int(xid), int(hid)


def _has_rolled_back_value(data: dict) -> bool:
    return data.get("stillingsprosent") == ROLLED_BACK_PROSENT or data.get("lokal_avtale") == ROLLED_BACK_AVTALE


def _snapshot(client, url: str) -> dict[str, tuple[int, dict]]:
    state: dict[str, tuple[int, dict]] = {}
    markor = None
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        markor = markor or body["markor"]
        assert body["markor"] == markor  # the same marker on every page
        for row in body["resultater"]:
            assert row["objekt_id"] not in state
            state[row["objekt_id"]] = (row["versjon"], row["data"])
        url = body["neste"]
    return state


def test_a_client_following_the_feed_under_concurrent_writers_gets_every_committed_change_once(no_throttle):
    begun = time.monotonic()
    k = kommune("4601")
    world = World(k)
    client = token_client(["lonn:les"], k)

    writers_done = threading.Event()
    reader = Reader(client, k, writers_done)
    barrier = threading.Barrier(WRITERS)
    started, committed = [threading.Event() for _ in range(ROUNDS)], [threading.Event() for _ in range(ROUNDS)]
    writers: list[Worker] = [Writer(w, world, barrier) for w in range(WRITERS)]
    writers += [LongWriter(world, started, committed), ShortWriter(world, started, committed)]
    reader.start()
    writing_from = time.monotonic()
    try:
        for thread in writers:
            thread.start()
        for thread in writers:
            thread.join(TIMEOUT)
            assert not thread.is_alive(), f"{thread.name} did not finish"
    finally:
        writing = time.monotonic() - writing_from
        writers_done.set()
    reader.join(TIMEOUT)
    assert not reader.is_alive(), "the reader did not finish"
    for thread in [*writers, reader]:
        assert thread.error is None, f"{thread.name}: {thread.error!r}"

    stats = sum((t.stats for t in writers), Counter())
    events = reader.events
    ids = [e["id"] for e in events]

    # delivered once each, in (transaction id, event id) order, and every committed event delivered
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1][:10]
    positions = [_position(i) for i in ids]
    assert all(a < b for a, b in zip(positions, positions[1:], strict=False)), "the feed went backwards"
    with in_kommune(k):
        stored = set(Hendelse.objects.values_list("xid", "id"))
    assert set(positions) == stored, f"{len(stored - set(positions))} committed events never delivered"
    assert {e["kommunenummer"] for e in events} == {"4601"}

    # every version of every object, no gaps: a gap would be a missed change
    versions: dict[str, list[int]] = defaultdict(list)
    for e in events:
        versions[e["objekt_id"]].append(e["versjon"])
    for objekt_id, seen in versions.items():
        assert sorted(seen) == list(range(1, max(seen) + 1)), (objekt_id, sorted(seen))

    # rolled-back work never appears, although it was written many times
    assert stats["rolled_back"] > 0 and stats["savepoints_rolled_back"] > 0
    assert not [e for e in events if _has_rolled_back_value(e["data"])]

    # events of one object delivered with a lower version after a higher one
    decreasing = {objekt_id: sum(1 for a, b in zip(seen, seen[1:], strict=False) if b < a)
                  for objekt_id, seen in versions.items()}
    expected_x = [1] + [v for r in range(ROUNDS) for v in (2 * r + 3, 2 * r + 2)]
    assert versions[f"vakt:{world.x}"] == expected_x  # the long transaction's later version arrives first
    natural = sum(n for objekt_id, n in decreasing.items() if objekt_id != f"vakt:{world.x}")

    # the client's state (highest version per object, tombstones included) is what the snapshots serve
    latest: dict[str, dict] = {}
    for e in events:
        if e["objekt_id"] not in latest or e["versjon"] > latest[e["objekt_id"]]["versjon"]:
            latest[e["objekt_id"]] = e
    tombstones = {o for o, e in latest.items() if e["type"].endswith(".slettet")}
    assert tombstones, "no deletions or cancellations were exercised"
    client_state = {o: (e["versjon"], e["data"]) for o, e in latest.items() if o not in tombstones}
    snapshots = _snapshot(client, "/api/v1/lonn/vakter/?antall=1000") | _snapshot(client, "/api/v1/lonn/vikariater/?antall=7")
    assert client_state.keys() == snapshots.keys()
    assert client_state == snapshots
    assert not [o for o, (_v, data) in snapshots.items() if _has_rolled_back_value(data)]
    with in_kommune(k):
        inactive = set(Lonnobjekt.objects.filter(aktiv=False).values_list("objekt_id", flat=True))
    assert inactive == tombstones

    print(f"\nlonn concurrency: {stats['committed']} transactions committed, {stats['rolled_back']} rolled back, "
          f"{stats['savepoints_rolled_back']} savepoints rolled back, {stats['held_open']} held open, "
          f"{stats['statements']} writes; {len(events)} events over {len(versions)} objects in {reader.pages} pages; "
          f"decreasing pairs: {ROUNDS} orchestrated + {natural} from the writers; writing {writing:.1f} s, "
          f"total {time.monotonic() - begun:.1f} s")


# --- query count -----------------------------------------------------------------------------------

INSERT_EVENTS = """
INSERT INTO lonn_hendelse (xid, kommune_id, objekt_id, objekt_type, type, versjon, tidspunkt, data)
SELECT g, %(k)s, 'vakt:' || g, 'vakt', 'vakt.opprettet', 1, now(), jsonb_build_object('id', g, 'vaktklasse', 3)
  FROM generate_series(%(fra)s, %(til)s) g
"""


def _insert_events(k, fra: int, til: int) -> None:
    """Events written straight into the outbox (xid small: long finished, below the horizon)."""
    with connection.cursor() as cursor:
        cursor.execute(INSERT_EVENTS, {"k": k.pk, "fra": fra, "til": til})


def test_a_feed_page_takes_the_same_queries_for_10_and_1000_events(no_throttle):
    k = kommune("4601")
    client = token_client(["lonn:les"], k)
    counts = {}
    for n, fra in ((10, 1), (1000, 11)):
        _insert_events(k, fra=fra, til=n)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(FEED, {"antall": n})
        assert response.status_code == 200, response.content
        body = response.json()
        assert len(body["hendelser"]) == n and body["flere"] is False
        counts[n] = len(ctx.captured_queries)
    assert counts[10] == counts[1000], counts
    print(f"\nfeed page queries: {counts}")
