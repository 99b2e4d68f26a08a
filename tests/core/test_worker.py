"""A real Celery worker, against real Redis, on this test run's own queue and Redis database."""

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from config.celery_app import app as celery_app
from core.models import IdempotencyKey, JobRun
from core.tasks import enqueue, housekeeping

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("kommune_data")]


@pytest.fixture
def worker():
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        # The configured DATABASE_URL (password, options and all), pointed at the test database.
        "DATABASE_URL": urlunsplit(urlsplit(settings.DATABASE_URL)._replace(path="/" + db["NAME"])),
        "CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--concurrency=1",
        "-Q", settings.CELERY_TASK_DEFAULT_QUEUE, "--without-gossip", "--without-mingle", "--without-heartbeat",
        "-l", "WARNING", "-n", f"test-{os.getpid()}@%h",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def not_eager():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = previous


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
