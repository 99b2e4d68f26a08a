"""A real Celery worker, against real Redis, on this test run's own queue and Redis database.

Import the fixtures into a test module (`from tests.worker_fixture import not_eager, worker`) and
use them with `pytest.mark.django_db(transaction=True)`: the worker is another process and sees
only committed data, in this run's test database.
"""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings

from config.celery_app import app as celery_app

ROOT = Path(__file__).resolve().parents[1]


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
