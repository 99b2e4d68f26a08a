"""The nightly vacancy job in a real Celery worker (tests/worker_fixture.py): queued as beat would
queue it, run across kommuner with the task as the audit actor, recorded in a JobRun."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.apps import apps

from core.models import JobRun
from core.tenancy import unscoped
from lister.models import Ledighetsvarsel
from lister.tasks import vacancy_flags
from tests import register, worker_fixture
from tests.conftest import in_kommune, kommune, user_with_role

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("kommune_data")]

worker = worker_fixture.worker
not_eager = worker_fixture.not_eager
LedighetsvarselEvent = apps.get_model("lister", "LedighetsvarselEvent")


def test_the_worker_runs_the_vacancy_job_and_records_it(worker, not_eager):
    bergen = kommune("4601")
    user_with_role("kommuneoverlege", bergen)
    with in_kommune(bergen):
        liste = register.liste(bergen, fra=dt.date.today() - dt.timedelta(days=40))
    vacancy_flags.apply_async()  # as beat sends it: no scope, no actor

    deadline = time.monotonic() + 90
    while not JobRun.objects.filter(job="lister.vacancy_flags").exclude(outcome="kjorer").exists():
        if worker.poll() is not None:
            pytest.fail(f"worker exited: {worker.stdout.read()}")
        if time.monotonic() > deadline:
            pytest.fail("the worker did not run the vacancy job within 90 s")
        time.sleep(0.2)
    run = JobRun.objects.get(job="lister.vacancy_flags")
    assert run.outcome == JobRun.Outcome.OK, run.error
    assert run.task_id
    assert run.counts["varsler_reist"] == 3 and run.counts["eposter_sendt"] == 1
    with unscoped(reason="test: inspect the job's flags"):
        flags = set(Ledighetsvarsel.objects.filter(pasientliste_id=liste.pk).values_list("type", flat=True))
        ids = list(Ledighetsvarsel.objects.values_list("id", flat=True))
    assert flags == {"ble_ledig", "ledig_30", "udekket"}
    actors = {e.pgh_context.metadata["actor"] for e in LedighetsvarselEvent.objects.filter(pgh_obj_id__in=ids)}
    assert actors == {"oppgave:lister.vacancy_flags"}
