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
def test_figure_list_scales_with_rows_not_with_queries(api, bergen):
    """The same list endpoint over 10, 100 and 1000 rows, session and token side by side."""
    import datetime as dt

    from kommune.models import Innbyggertall
    from tests.conftest import in_kommune, token_client

    with in_kommune(bergen):
        Innbyggertall.objects.bulk_create(
            [Innbyggertall(kommune=bergen, gjelder_fra=dt.date(1000 + i, 1, 1), antall=i, kilde="bench") for i in range(999)]
        )
    token = token_client(["lister:les"], bergen)
    url = "/api/v1/kommuner/4601/innbyggertall/"
    variants = {
        "session, antall=10": (api, 10), "session, antall=100": (api, 100), "session, antall=1000": (api, 1000),
        "token, antall=1000": (token, 1000),
    }
    times = {name: [] for name in variants}
    queries = {}
    for _ in range(ROUNDS):
        for name, (client, size) in variants.items():
            elapsed, queries[name] = measure(lambda client=client, size=size: client.get(url, {"antall": size}))
            times[name].append(elapsed)
    report(f"GET {url} by page size and authentication", [(n, statistics.median(t), queries[n]) for n, t in times.items()])
    assert len({q for n, q in queries.items() if n.startswith("session")}) == 1, queries


@pytest.mark.django_db
def test_idempotency_key_overhead(api):
    times = {"POST without Idempotency-Key": [], "POST with Idempotency-Key": [], "replayed POST": []}
    queries = {}
    for i in range(ROUNDS):
        body = {"gjelder_fra": f"{2030 + i}-01-01", "antall": 1000 + i, "kilde": "bench"}
        url = "/api/v1/kommuner/4601/innbyggertall/"
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
