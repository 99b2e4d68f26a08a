"""A real Celery worker, against real Redis, on this test run's own queue and Redis database."""

import datetime as dt
import time

import pytest
from django.db import transaction
from django.utils import timezone

from core.models import IdempotencyKey, JobRun
from core.tasks import enqueue, housekeeping
from tests import worker_fixture

worker = worker_fixture.worker  # the real worker fixture, shared with other worker tests
not_eager = worker_fixture.not_eager

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("kommune_data")]


def test_real_worker_runs_a_task_queued_on_commit(worker, not_eager):
    IdempotencyKey.objects.create(
        principal="bruker:1", key="gammel", fingerprint="0" * 64, method="POST", path="/",
        response_status=201, created=timezone.now() - dt.timedelta(days=3),
    )
    with transaction.atomic():
        enqueue(housekeeping)
        time.sleep(0.5)
        assert not JobRun.objects.exists()  # not sent before commit

    deadline = time.monotonic() + 90
    while not JobRun.objects.filter(job="core.housekeeping").exclude(outcome="kjorer").exists():
        if worker.poll() is not None:
            pytest.fail(f"worker exited: {worker.stdout.read()}")
        if time.monotonic() > deadline:
            pytest.fail("the worker did not run the task within 90 s")
        time.sleep(0.2)
    run = JobRun.objects.get(job="core.housekeeping")
    assert run.outcome == JobRun.Outcome.OK, run.error
    assert run.counts["idempotensnokler_slettet"] == 1
    assert run.task_id  # a real task id from the broker, not an eager run
    assert not IdempotencyKey.objects.exists()
