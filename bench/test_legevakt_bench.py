"""Legevakt benchmark (make bench): the nightly overload job (legevakt.belastning_jobb) on a
generated year of shifts for 50 districts, side by side with 5 districts in the same run — a run
that raises the flags and sends the digest, and a steady-state run that finds nothing new — with
its query count, which must not depend on the number of districts or shifts.

The data is bulk-inserted (bypassing the services): per district one member kommune, four doctors
in turn on three 8-hour shifts a day (tilstedevakt by day, hjemmevakt evening and night) for all
of 2026, with a rest breach and days under the competence exception sprinkled in."""

import datetime as dt
import statistics
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.test_api_bench import report

ROUNDS = 3
D = dt.date(2026, 7, 1)
NOW = dt.datetime(2026, 7, 1, 0, 45, tzinfo=dt.UTC)
DOCTORS_PER_DISTRICT = 4

GENERATE_SQL = """
WITH d AS (
  INSERT INTO legevakt_legevaktdistrikt (kommune_id, navn, type, merknad, aktiv, versjon, endret)
  SELECT %(k)s, 'Bench ' || %(prefix)s || ' ' || g, 'interkommunal', '', true, 1, now()
    FROM generate_series(1, %(n)s) g
  RETURNING id
),
nr AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM d),
m AS (
  INSERT INTO legevakt_medlemskap (kommune_id, distrikt_id, medlem_id, tidsbolk, fra, til, versjon, endret)
  SELECT %(k)s, nr.id, (%(medlemmer)s::bigint[])[nr.n], 'dogn', DATE '2025-01-01', NULL, 1, now() FROM nr
  RETURNING 1
),
v AS (
  INSERT INTO legevakt_vakt (kommune_id, distrikt_id, lege_id, type, vaktklasse, lokal_avtale, start, slutt, dagkategori,
                             hoytid, status, avlyst_arsak, hvilebrudd_begrunnelse, unntak_kompetanse, merknad, versjon, endret)
  SELECT %(k)s, nr.id, (%(leger)s::bigint[])[(nr.n - 1) * %(per)s + s %% %(per)s + 1],
         CASE WHEN s %% 3 = 0 THEN 'tilstedevakt' ELSE 'hjemmevakt' END, CASE WHEN s %% 3 = 0 THEN 3 ELSE 1 END, '',
         TIMESTAMPTZ '2026-01-01 08:00+01' + s * interval '8 hours',
         TIMESTAMPTZ '2026-01-01 08:00+01' + (s + 1) * interval '8 hours',
         'hverdag', '', 'aktiv', '', CASE WHEN s %% 500 = 7 THEN 'Bench' ELSE '' END, s %% 7 = 0, '', 1, now()
    FROM nr CROSS JOIN generate_series(0, 365 * 3 - 1) s
  RETURNING 1
)
SELECT (SELECT count(*) FROM nr), (SELECT count(*) FROM m), (SELECT count(*) FROM v)
"""


def _generate(vert, medlemmer, *, prefix: str) -> int:
    from tests import register
    from tests.conftest import in_kommune

    with in_kommune(vert):
        leger = [register.lege(vert).pk for _ in range(len(medlemmer) * DOCTORS_PER_DISTRICT)]
    with connection.cursor() as cursor:
        cursor.execute(GENERATE_SQL, {"k": vert.pk, "n": len(medlemmer), "medlemmer": [m.pk for m in medlemmer],
                                      "leger": leger, "per": DOCTORS_PER_DISTRICT, "prefix": prefix})
        districts, _members, shifts = cursor.fetchone()
    assert districts == len(medlemmer)
    return shifts


def _run(kommune_id: int) -> tuple[float, int, dict]:
    from core.tenancy import unscoped
    from legevakt import belastning_jobb

    with unscoped(reason="bench: the nightly overload job"), CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        counts = belastning_jobb.run(on=D, now=NOW, kommune_id=kommune_id)
        elapsed = time.perf_counter() - start
    return elapsed, len(ctx.captured_queries), counts


def _reset(kommune_ids) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM legevakt_belastningsvarsel WHERE kommune_id = ANY(%s)", [list(kommune_ids)])


@pytest.mark.django_db
def test_nightly_overload_job_is_set_based():
    from core.tenancy import unscoped
    from kommune.models import Kommune
    from tests.conftest import user_with_role

    with unscoped(reason="bench: pick kommuner"):
        kommuner = list(Kommune.objects.order_by("kommunenummer")[:57])
    small_vert, large_vert, members = kommuner[0], kommuner[1], kommuner[2:]
    sizes = {5: (small_vert, members[:5]), 50: (large_vert, members[5:55])}
    shifts = {}
    for size, (vert, medlemmer) in sizes.items():
        user_with_role("kommuneoverlege", vert)
        shifts[size] = _generate(vert, medlemmer, prefix=str(size))

    raising = {size: [] for size in sizes}
    steady = {size: [] for size in sizes}
    queries: dict[str, int] = {}
    last: dict[int, dict] = {}
    for _ in range(ROUNDS):
        _reset([vert.pk for vert, _m in sizes.values()])
        for size, (vert, _m) in sizes.items():
            elapsed, queries[f"raise {size}"], last[size] = _run(vert.pk)
            raising[size].append(elapsed)
        for size, (vert, _m) in sizes.items():
            elapsed, queries[f"steady {size}"], counts = _run(vert.pk)
            steady[size].append(elapsed)
            assert counts["varsler_reist"] == counts["varsler_oppdatert"] == counts["varsler_lost"] == 0, counts
    report("Nightly overload job, first run (raises the flags, sends the digest)",
           [(f"{size} districts, {shifts[size]} shifts ({last[size]['varsler_reist']} flags)",
             statistics.median(raising[size]), queries[f"raise {size}"]) for size in sizes])
    report("Nightly overload job, steady state (nothing new)",
           [(f"{size} districts, {shifts[size]} shifts", statistics.median(steady[size]), queries[f"steady {size}"])
            for size in sizes])
    assert queries["raise 5"] == queries["raise 50"], queries
    assert queries["steady 5"] == queries["steady 50"], queries
    assert last[50]["varsler_reist"] >= 9 * last[5]["varsler_reist"]
