"""Benchmarks (make bench; not run in CI). Each reports ratios measured side by side in one run,
interleaving the variants so machine noise hits both alike."""

import statistics
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

ROUNDS = 30


def measure(call) -> tuple[float, int]:
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        response = call()
        elapsed = time.perf_counter() - start
    assert response.status_code < 300, response.content
    return elapsed, len(ctx.captured_queries)


def report(title, rows):
    print(f"\n{title}")
    base = rows[0][1]
    for name, median, queries in rows:
        print(f"  {name:<38} median {median * 1000:8.2f} ms  ratio {median / base:5.2f}  queries {queries}")


@pytest.mark.django_db
def test_kommune_list_scales_with_page_size_not_with_queries(api):
    variants = {"antall=10": {"antall": 10}, "antall=100": {"antall": 100}, "antall=357 (alle)": {"antall": 1000}}
    times = {name: [] for name in variants}
    queries = {}
    for _ in range(ROUNDS):
        for name, params in variants.items():
            elapsed, queries[name] = measure(lambda params=params: api.get("/api/v1/kommuner/", params))
            times[name].append(elapsed)
    report("GET /api/v1/kommuner/ by page size", [(n, statistics.median(t), queries[n]) for n, t in times.items()])
    assert len(set(queries.values())) == 1, queries


@pytest.mark.django_db
def test_idempotency_key_overhead(api):
    times = {"POST without Idempotency-Key": [], "POST with Idempotency-Key": [], "replayed POST": []}
    queries = {}
    for i in range(ROUNDS):
        body = {"gjelder_fra": f"{2030 + i}-01-01", "antall": 1000 + i, "kilde": "bench"}
        url = "/api/v1/kommuner/1826/innbyggertall/"
        elapsed, queries["POST without Idempotency-Key"] = measure(lambda: api.post(url, body, format="json"))
        times["POST without Idempotency-Key"].append(elapsed)
        body2 = {**body, "gjelder_fra": f"{2100 + i}-01-01"}
        elapsed, queries["POST with Idempotency-Key"] = measure(
            lambda: api.post(url, body2, format="json", HTTP_IDEMPOTENCY_KEY=f"k{i}")
        )
        times["POST with Idempotency-Key"].append(elapsed)
        elapsed, queries["replayed POST"] = measure(
            lambda: api.post(url, body2, format="json", HTTP_IDEMPOTENCY_KEY=f"k{i}")
        )
        times["replayed POST"].append(elapsed)
    report("POST /innbyggertall/: cost of idempotency", [(n, statistics.median(t), queries[n]) for n, t in times.items()])
