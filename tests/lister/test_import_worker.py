"""The monthly import in a real Celery worker (tests/worker_fixture.py): the upload queues the job
on commit, the worker runs it in the uploader's kommune and name, and the progress bar advances —
every progress write is its own committed UPDATE, recorded in the job's history."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile

from core.dates import add_months
from kommune.models import Bakgrunnsjobb
from lister.models import Listetall
from tests import register, worker_fixture
from tests.conftest import in_kommune, kommune, user_with_role

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("kommune_data")]

worker = worker_fixture.worker
not_eager = worker_fixture.not_eager
BakgrunnsjobbEvent = apps.get_model("kommune", "BakgrunnsjobbEvent")
MONTH = dt.date.today().replace(day=1)


def test_the_progress_bar_advances_as_the_worker_imports_a_few_hundred_rows(client, worker, not_eager):
    bergen = kommune("4601")
    user = user_with_role("saksbehandler", bergen)
    with in_kommune(bergen):
        kontor = register.legekontor(bergen)
        lists = [register.liste(bergen, kontor=kontor, listetak=1000 + i) for i in range(30)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["liste", "dato", "listelengde", "venteliste"])
    for m in range(10):
        for i, liste in enumerate(lists):
            writer.writerow([liste.pk, add_months(MONTH, -m).isoformat(), 900 + i + m, m])
    client.force_login(user)
    response = client.post("/lister/import/", {"fil": SimpleUploadedFile("listetall.csv", buffer.getvalue().encode())})
    assert response.status_code == 302, response.content.decode()[:2000]

    deadline = time.monotonic() + 90
    while True:
        with in_kommune(bergen):
            jobb = Bakgrunnsjobb.objects.get()
        if jobb.er_ferdig:
            break
        if worker.poll() is not None:
            pytest.fail(f"worker exited: {worker.stdout.read()}")
        if time.monotonic() > deadline:
            pytest.fail("the worker did not finish the import within 90 s")
        time.sleep(0.2)

    assert jobb.status == "fullfort", jobb.feil
    assert jobb.resultat == {"rader": 300, "nye": 300, "oppdaterte": 0, "uendret": 0}
    assert jobb.inndata is None
    with in_kommune(bergen):
        assert Listetall.objects.count() == 300

    events = list(BakgrunnsjobbEvent.objects.filter(pgh_obj_id=jobb.pk).order_by("pgh_id")
                  .values_list("status", "behandlet", "totalt", "pgh_context__metadata"))
    behandlet = [row[1] for row in events]
    assert behandlet == sorted(behandlet), behandlet  # rose monotonically
    running = [row[1] for row in events if row[0] == "kjorer" and row[2] == 600]
    assert len({value for value in running if 0 < value < 600}) >= 40  # many steps, not a jump from 0 to 600
    assert len(events) <= 2 + 101 + 1  # created, claimed, ≤ one write per percent, ended
    assert events[-1][:3] == ("fullfort", 600, 600)
    assert {row[3]["actor"] for row in events} == {f"bruker:{user.pk}"}

    fragment = client.get(f"/jobber/{jobb.pk}/status/").content.decode()
    assert 'value="100"' in fragment and "100 % ferdig" in fragment and "hx-trigger" not in fragment
