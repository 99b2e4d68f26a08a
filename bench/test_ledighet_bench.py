"""Vacancy benchmarks (make bench): the nightly vacancy job (lister.ledighet_jobb) on 100 and 5 000
generated lists side by side — a run that raises every flag and opens the cases, and a steady-state
run that finds nothing new — with its query count, which must not depend on the number of lists.
The "Ubesatte lister" selector is measured on the same data."""

import datetime as dt
import statistics
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.test_api_bench import report

ROUNDS = 5
D = dt.date(2026, 3, 4)
NOW = dt.datetime(2026, 3, 4, 1, 30, tzinfo=dt.UTC)

# Lists in every state, by the list number modulo 10: 0–5 served by a fastlege; 6 the fastlege left
# 40 days ago and a vikar ends in a week; 7 never had a fastlege, vikar since 2024 (long use); 8 the
# fastlege left 100 days ago, kollegial cover for ten days, an open case whose cost period ends soon;
# 9 never had a fastlege and nothing covers it. Every list has a figure.
GENERATE_SQL = """
WITH nye AS (
  INSERT INTO lister_pasientliste (kommune_id, legekontor_id, navn, flo_id, listetak, manuelt_last, er_fellesliste,
                                   samarbeidskommuner, gyldig_fra, gyldig_til, sluttarsak, versjon, endret)
  SELECT %(k)s, %(kontor)s, 'Bench ' || g, '', 1000 + g %% 1000, false, false, '{}', DATE '2020-01-01', NULL, '', 1, now()
    FROM generate_series(1, %(n)s) g
  RETURNING id
),
nr AS (SELECT id, row_number() OVER (ORDER BY id) %% 10 AS m FROM nye),
tall AS (
  INSERT INTO lister_listetall (kommune_id, pasientliste_id, dato, listelengde, venteliste, versjon, endret)
  SELECT %(k)s, id, DATE '2026-02-01', 900 + m * 10, 0, 1, now() FROM nr RETURNING 1
),
fl AS (
  INSERT INTO lister_legeperiode (kommune_id, pasientliste_id, lege_id, rolle, stillingsprosent, arbeidsdager, fra, til,
                                  er_fellesliste, begrunnelse_over_100, kompetanse_begrunnelse)
  SELECT %(k)s, id, %(fastlege)s, 'LPFL', 100, '{1,2,3,4,5}', DATE '2020-01-01',
         CASE m WHEN 6 THEN %(d)s::date - 40 WHEN 8 THEN %(d)s::date - 100 END, false, '', ''
    FROM nr WHERE m <= 6 OR m = 8 RETURNING 1
),
vi AS (
  INSERT INTO lister_legeperiode (kommune_id, pasientliste_id, lege_id, rolle, stillingsprosent, arbeidsdager, fra, til,
                                  er_fellesliste, begrunnelse_over_100, kompetanse_begrunnelse)
  SELECT %(k)s, id, %(vikar)s, 'LPVI', 100, '{}',
         CASE m WHEN 6 THEN %(d)s::date - 40 ELSE DATE '2024-01-01' END,
         CASE m WHEN 6 THEN %(d)s::date + 7 END, false, '', ''
    FROM nr WHERE m IN (6, 7) RETURNING 1
),
dk AS (
  INSERT INTO lister_dekning (kommune_id, pasientliste_id, type, fra, til, leger, merknad, versjon, endret)
  SELECT %(k)s, id, 'kollegial', %(d)s::date, %(d)s::date + 10, '', '', 1, now() FROM nr WHERE m = 8 RETURNING 1
),
sk AS (
  INSERT INTO lister_ledighetssak (kommune_id, pasientliste_id, fastlege_id, arsak, kjent, oppsigelse_mottatt, fastlege_slutt,
                                   naeringsdrivende, kostnadsperiode_til, merknad, versjon, endret)
  SELECT %(k)s, id, %(fastlege)s, 'oppsigelse_lege', %(d)s::date - 300, %(d)s::date - 300, %(d)s::date - 100, true,
         %(d)s::date + 20, '', 1, now() FROM nr WHERE m = 8 RETURNING 1
)
SELECT (SELECT count(*) FROM nye), (SELECT count(*) FROM tall), (SELECT count(*) FROM fl), (SELECT count(*) FROM vi),
       (SELECT count(*) FROM dk), (SELECT count(*) FROM sk)
"""


def _generate(k, count: int) -> None:
    from tests import register

    kontor = register.legekontor(k, navn=f"Benchkontor {count}")
    fastlege, vikar = register.lege(k), register.lege(k, spesialist_allmennmedisin_fra=dt.date(2010, 1, 1))
    with connection.cursor() as cursor:
        cursor.execute(GENERATE_SQL, {"k": k.pk, "kontor": kontor.pk, "n": count, "fastlege": fastlege.pk, "vikar": vikar.pk,
                                      "d": D})
        assert cursor.fetchone()[0] == count


def _run(kommune_id: int) -> tuple[float, int, dict]:
    from core.tenancy import unscoped
    from lister import ledighet_jobb

    with unscoped(reason="bench: the nightly vacancy job"), CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        counts = ledighet_jobb.run(on=D, now=NOW, kommune_id=kommune_id)
        elapsed = time.perf_counter() - start
    return elapsed, len(ctx.captured_queries), counts


def _reset(kommune_ids) -> None:
    """Back to the state before the first run: no flags, no cases the job opened."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM lister_ledighetsvarsel WHERE kommune_id = ANY(%s)", [list(kommune_ids)])
        cursor.execute("DELETE FROM lister_ledighetssak WHERE kommune_id = ANY(%s) AND arsak = 'annet'", [list(kommune_ids)])


@pytest.mark.django_db
def test_nightly_vacancy_job_is_set_based(bergen):
    from tests.conftest import in_kommune, kommune, user_with_role

    sunnfjord = kommune("4647")
    sizes = {100: bergen, 5000: sunnfjord}
    for size, k in sizes.items():
        user_with_role("kommuneoverlege", k)
        with in_kommune(k):
            _generate(k, size)

    raising = {size: [] for size in sizes}
    steady = {size: [] for size in sizes}
    queries: dict[str, int] = {}
    last: dict[int, dict] = {}
    for _ in range(ROUNDS):
        _reset([k.pk for k in sizes.values()])
        for size, k in sizes.items():
            elapsed, queries[f"raise {size}"], last[size] = _run(k.pk)
            raising[size].append(elapsed)
        for size, k in sizes.items():
            elapsed, queries[f"steady {size}"], counts = _run(k.pk)
            steady[size].append(elapsed)
            assert counts["varsler_reist"] == counts["saker_apnet"] == counts["varsler_lost"] == 0, counts
    report("Nightly vacancy job, first run (raises every flag, opens cases, sends the digest)",
           [(f"{size} lists ({last[size]['varsler_reist']} flags)", statistics.median(raising[size]), queries[f"raise {size}"])
            for size in sizes])
    report("Nightly vacancy job, steady state (nothing new)",
           [(f"{size} lists", statistics.median(steady[size]), queries[f"steady {size}"]) for size in sizes])
    assert queries["raise 100"] == queries["raise 5000"], queries
    assert queries["steady 100"] == queries["steady 5000"], queries
    assert last[5000]["varsler_reist"] >= 50 * last[100]["varsler_reist"] * 0.9

    from lister import ledighet_selectors

    times = {size: [] for size in sizes}
    for _ in range(ROUNDS):
        for size, k in sizes.items():
            with in_kommune(k), CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                rows = ledighet_selectors.oversikt(on=D)
                times[size].append(time.perf_counter() - start)
            queries[f"page {size}"] = len(ctx.captured_queries)
            assert len(rows.ubesatte) >= size * 0.4
    report("Ubesatte lister selector (the page's one query)",
           [(f"{size} lists", statistics.median(times[size]), queries[f"page {size}"]) for size in sizes])
