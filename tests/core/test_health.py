import datetime as dt

import pytest
from django.utils import timezone

from core.models import JobRun

pytestmark = pytest.mark.django_db


def _run(hours_ago):
    finished = timezone.now() - dt.timedelta(hours=hours_ago)
    JobRun.objects.create(job="core.housekeeping", started=finished - dt.timedelta(seconds=3), finished=finished, outcome="ok")


def test_health_reports_database_redis_and_a_job_that_never_ran(client):
    response = client.get("/helse/")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["database"], body["redis"]) == ("ok", "ok", "ok")
    assert body["jobber"]["core.housekeeping"]["status"] == "aldri_kjort"


def test_recent_run_is_ok_and_a_late_job_fails_the_check(client):
    _run(hours_ago=3)
    assert client.get("/helse/").json()["jobber"]["core.housekeeping"]["status"] == "ok"
    JobRun.objects.all().delete()
    _run(hours_ago=30)
    response = client.get("/helse/")
    assert response.status_code == 503
    assert response.json()["jobber"]["core.housekeeping"]["status"] == "forsinket"


def test_redis_down_fails_the_check(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/helse/")
    assert response.status_code == 503
    assert response.json()["redis"] == "feil"


def test_wrong_method_is_405_in_the_error_shape(client):
    response = client.post("/helse/")
    assert response.status_code == 405
    assert response.json()["kode"] == "method_not_allowed"
    assert response["Allow"] == "GET, HEAD"
