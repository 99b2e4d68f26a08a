"""Register benchmarks (make bench): the list of lists and the register page over 10, 100 and 1000
lists side by side, and the set-based nightly listetak job over 10 and 1000 due steps."""

import datetime as dt
import statistics
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.test_api_bench import ROUNDS, measure, report


def _lists(k, count):
    from lister.models import Listetall, Pasientliste
    from tests import register

    kontor = register.legekontor(k, navn=f"Benchkontor {count}")
    lists = Pasientliste.objects.bulk_create([
        Pasientliste(kommune=k, legekontor=kontor, listetak=1000 + i % 1000, gyldig_fra=dt.date(2020, 1, 1)) for i in range(count)
    ])
    Listetall.objects.bulk_create([
        Listetall(kommune=k, pasientliste=lst, dato=dt.date(2026, 11, 1), listelengde=900 + i % 300) for i, lst in enumerate(lists)
    ])



@pytest.mark.django_db
def test_list_of_lists_scales_with_rows_not_with_queries(api, page_client, bergen):
    from tests.conftest import in_kommune

    with in_kommune(bergen):
        _lists(bergen, 1000)
    variants = {
        "API antall=10": lambda: api.get("/api/v1/pasientlister/", {"antall": 10}),
        "API antall=100": lambda: api.get("/api/v1/pasientlister/", {"antall": 100}),
        "API antall=1000": lambda: api.get("/api/v1/pasientlister/", {"antall": 1000}),
        "page /lister/ (one page)": lambda: page_client.get("/lister/"),
        "CSV export (1000 rows)": lambda: page_client.get("/lister/eksport.csv"),
    }
    times = {name: [] for name in variants}
    queries = {}
    for _ in range(ROUNDS):
        for name, call in variants.items():
            elapsed, queries[name] = measure(call)
            times[name].append(elapsed)
    report("GET pasientlister by page size", [(n, statistics.median(t), queries[n]) for n, t in times.items()])
    api_counts = {q for n, q in queries.items() if n.startswith("API")}
    assert len(api_counts) == 1, queries


@pytest.mark.django_db
def test_nightly_listetak_job_is_set_based(bergen):
    from avtaler import services as avtaler_services
    from avtaler.models import ListetakEndring, ListetakTrinn
    from core.tenancy import unscoped
    from tests import register
    from tests.conftest import in_kommune

    with in_kommune(bergen):
        avtaler = [register.avtale(bergen, listetak=1500) for _ in range(50)]
        for a in avtaler:
            avtaler_services.request_listetak_change(avtale=a, initiativ="lege", mottatt=dt.date(2026, 1, 5), til_listetak=1200)
    rows = []
    for size in (5, 50):
        with unscoped(reason="bench: reset steps"):
            ids = list(ListetakTrinn.objects.order_by("id").values_list("id", flat=True)[:size])
            ListetakTrinn.objects.update(gjennomfort=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
            ListetakTrinn.objects.filter(id__in=ids).update(gjennomfort=None)
            ListetakEndring.objects.update(status="registrert")
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                applied = avtaler_services.apply_due_listetak_steps(on=dt.date(2026, 12, 31), all_kommuner=True)
                elapsed = time.perf_counter() - start
        assert applied == size
        rows.append((f"{size} due steps", elapsed, len(ctx.captured_queries)))
    report("Nightly listetak steps (one run each)", rows)
    assert rows[0][2] == rows[1][2]
