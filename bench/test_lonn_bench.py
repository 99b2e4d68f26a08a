"""Payroll feed benchmark (make bench): one client reading 100 000 events through the API, pages of
1000 following `neste`, side by side in one run with the floor — one SQL query selecting the same
rows in the same order, the jsonb decoded by psycopg and the list of events serialised by
json.dumps in Python. The issue's aim: the feed within 3× the floor (ratio = feed time / floor
time). The feed has PostgreSQL build each event's JSON and never decodes an event in Python, so it
is usually faster than that floor; for comparison the run also reports a floor that keeps the data
as text and splices it unparsed (the least a Python client of the database could do).

The events are bulk-inserted straight into the outbox (lonn_hendelse) for one kommune: 5000 shifts
changed 20 times each, every event carrying a real shift's payroll data (~1 KB, taken from a shift
the triggers published), with transaction ids spread below the visibility horizon (long finished).
"""

import cProfile
import io
import json
import pstats
import statistics
import time

import pytest
from django.db import connection
from psycopg.types.json import JsonbLoader
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

ROUNDS = 3
N = 100_000
OBJECTS = 5000
PAGE = 1000
FEED = "/api/v1/lonn/hendelser/"
MAX_RATIO = 3.0

INSERT_SQL = """
INSERT INTO lonn_hendelse (xid, kommune_id, objekt_id, objekt_type, type, versjon, tidspunkt, data)
SELECT 1 + ((g - 1)::bigint * (%(horisont)s - 2)) / %(n)s, %(k)s, 'vakt:' || (1000000 + g %% %(obj)s), 'vakt',
       CASE WHEN g <= %(obj)s THEN 'vakt.opprettet' ELSE 'vakt.endret' END, 1 + (g - 1) / %(obj)s,
       now() - interval '30 days' + g * interval '20 seconds',
       jsonb_set(jsonb_set(%(mal)s::jsonb, '{id}', to_jsonb(1000000 + g %% %(obj)s)), '{vaktklasse}', to_jsonb(3 + g %% 2))
  FROM generate_series(1, %(n)s) g
"""

TEXT_FLOOR_SQL = """
SELECT xid, id, type, tidspunkt, objekt_id, versjon, data::text FROM lonn_hendelse
 WHERE kommune_id = %s AND id >= %s AND xid < %s ORDER BY xid, id
"""

FLOOR_SQL = """
SELECT xid, id, type, tidspunkt, objekt_id, versjon, data FROM lonn_hendelse
 WHERE kommune_id = %s AND id >= %s AND xid < %s ORDER BY xid, id
"""


def _template(k) -> dict:
    """A real shift's payroll data: a Christmas Eve night (helligdag, night hours, rest compensation
    against the doctor's office hours) with two journeys and legevaktsentral hours."""
    from decimal import Decimal

    from legevakt.models import Vakt, Vakttillegg
    from lonn.models import Lonnobjekt
    from tests.conftest import in_kommune
    from tests.legevakt import helpers
    from tests.legevakt.helpers import oslo

    d = helpers.distrikt(k, navn="Bench lønn")
    lege = helpers.kvalifisert(k, etternavn="Benchsen")
    with in_kommune(k):
        vakt = Vakt.objects.create(kommune=k, distrikt=d, lege=lege, type="tilstedevakt", vaktklasse=3,
                                   start=oslo(2026, 12, 24, 16), slutt=oslo(2026, 12, 25, 8), dagkategori="helligdag")
        for minutter, merknad in ((55, "Til Ytre Arna og tilbake"), (95, "Sykebesøk Fana")):
            Vakttillegg.objects.create(kommune=k, vakt=vakt, art="reise", minutter_hver_vei=minutter, merknad=merknad)
        Vakttillegg.objects.create(kommune=k, vakt=vakt, art="legevaktsentral", timer=Decimal("2.5"))
        return Lonnobjekt.objects.get(objekt_id=f"vakt:{vakt.pk}").data


def _read_feed(client) -> tuple[int, float, float]:
    """Events read, seconds in the requests (the server's work), seconds including the client's
    decoding of each page (needed for `neste`)."""
    etter, count, server, total = "", 0, 0.0, 0.0
    while True:
        start = time.perf_counter()
        response = client.get(FEED, {"etter": etter, "antall": PAGE})
        got = time.perf_counter()
        assert response.status_code == 200, response.content[:500]
        body = json.loads(response.content)
        done = time.perf_counter()
        server += got - start
        total += done - start
        count += len(body["hendelser"])
        etter = body["neste"]
        if not body["flere"]:
            return count, server, total


def _floor(t, kommune) -> tuple[int, float, float]:
    """The same rows by one query, psycopg decoding the jsonb, json.dumps of a list of dicts.
    Rows, seconds in all, seconds of them in the query and fetch."""
    from legevakt.tid import OSLO

    start = time.perf_counter()
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        cursor.adapters.register_loader("jsonb", JsonbLoader)  # Django loads jsonb as text
        cursor.execute(FLOOR_SQL, (kommune.pk, t.epoke.forste_hendelse_id, t.horisont))
        rows = cursor.fetchall()
    fetched = time.perf_counter() - start
    nokkel = t.epoke.nokkel
    body = json.dumps([
        {"id": f"{nokkel}.{xid}.{hid}", "type": type_, "kommunenummer": kommune.kommunenummer,
         "tidspunkt": tidspunkt.astimezone(OSLO).isoformat(), "objekt_id": objekt_id, "versjon": versjon, "data": data}
        for xid, hid, type_, tidspunkt, objekt_id, versjon, data in rows
    ])
    elapsed = time.perf_counter() - start
    assert body
    return len(rows), elapsed, fetched


def _text_floor(t, kommune) -> tuple[int, float]:
    """For comparison only: the same query with the data as text, spliced into the JSON unparsed
    (what the feed does, without Django and the per-page queries)."""
    from legevakt.tid import OSLO

    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(TEXT_FLOOR_SQL, (kommune.pk, t.epoke.forste_hendelse_id, t.horisont))
        rows = cursor.fetchall()
    prefix, knr = t.epoke.nokkel, json.dumps(kommune.kommunenummer)
    body = "[" + ",".join(
        f'{{"id":"{prefix}.{xid}.{hid}","type":{json.dumps(type_)},"kommunenummer":{knr},'
        f'"tidspunkt":"{tidspunkt.astimezone(OSLO).isoformat()}","objekt_id":{json.dumps(objekt_id)},'
        f'"versjon":{versjon},"data":{data}}}'
        for xid, hid, type_, tidspunkt, objekt_id, versjon, data in rows) + "]"
    elapsed = time.perf_counter() - start
    assert body
    return len(rows), elapsed


@pytest.mark.django_db
def test_feed_reads_within_three_times_the_floor(bergen, monkeypatch):
    from lonn import feed
    from tests.conftest import token_client

    rates = {"user": "1000000/min", "anon": "1000000/min"}
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", rates)
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", rates)

    mal = _template(bergen)
    t = feed.tilstand()  # the epoch exists (the first one starts at event 0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM lonn_hendelse")
        (before,) = cursor.fetchone()
        assert t.epoke.forste_hendelse_id <= before + 1
        cursor.execute(INSERT_SQL, {"horisont": t.horisont, "n": N, "k": bergen.pk, "obj": OBJECTS, "mal": json.dumps(mal)})
        cursor.execute("ANALYZE lonn_hendelse")
        cursor.execute("SELECT avg(pg_column_size(data))::int, avg(length(data::text))::int FROM lonn_hendelse "
                       "WHERE kommune_id = %s", [bergen.pk])
        jsonb_bytes, text_bytes = cursor.fetchone()
    client = token_client(["lonn:les"], bergen)
    feed_server, feed_total, floor, floor_fetch, ratios, text_floor, text_ratios = [], [], [], [], [], [], []
    for _ in range(ROUNDS):  # interleaved, so machine noise hits both alike
        count, server, total = _read_feed(client)
        assert count == N, count
        rows, elapsed, fetched = _floor(feed.tilstand(), bergen)
        floor_fetch.append(fetched / elapsed)
        assert rows == N, rows
        feed_server.append(N / server)
        feed_total.append(N / total)
        floor.append(N / elapsed)
        ratios.append(server / elapsed)
        rows, elapsed = _text_floor(feed.tilstand(), bergen)
        assert rows == N, rows
        text_floor.append(N / elapsed)
        text_ratios.append(server / elapsed)
    ratio = statistics.median(ratios)
    print(f"\nlonn feed: {N} events (data ~{text_bytes} B as JSON text, {jsonb_bytes} B jsonb), pages of {PAGE}, "
          f"{ROUNDS} rounds")
    print(f"lonn feed: {N} events, feed {statistics.median(feed_server):.0f} ev/s, "
          f"floor {statistics.median(floor):.0f} ev/s, ratio {ratio:.2f} "
          f"(rounds: {', '.join(f'{r:.2f}' for r in ratios)}); "
          f"with the client decoding each page {statistics.median(feed_total):.0f} ev/s; "
          f"the floor spends {statistics.median(floor_fetch):.0%} in the query and fetch (jsonb decoded), the rest in json.dumps")
    print(f"lonn feed: for comparison, the data kept as text (no decoding, spliced unparsed): "
          f"{statistics.median(text_floor):.0f} ev/s, feed/text ratio {statistics.median(text_ratios):.2f}")
    if ratio >= MAX_RATIO:
        profile = cProfile.Profile()
        profile.enable()
        _read_feed(client)
        profile.disable()
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(30)
        print(out.getvalue())
    assert ratio < MAX_RATIO, f"the feed is {ratio:.2f}× the floor"
