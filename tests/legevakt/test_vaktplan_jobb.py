"""The pattern roster as a background job: checked before it starts, shifts made day by day through
create_vakt with the doctors in rotation, refused shifts listed with date, field and reason while
the rest are saved — in-process and through a real Celery worker."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kommune.models import Bakgrunnsjobb
from legevakt import tid, vakt_services, vaktplan_jobb
from legevakt.models import Fritak, Vakt
from tests import worker_fixture
from tests.conftest import in_kommune, kommune
from tests.legevakt import helpers

MANDAG = dt.date(2027, 3, 1)
KVELD = {"ukedager": [1, 2, 3, 4, 5], "start": "16:00", "slutt": "23:00", "type": "tilstedevakt", "vaktklasse": None}
HELG = {"ukedager": [6], "start": "08:00", "timer": 12, "type": "hjemmevakt"}


def _start(d, leger, *, fra=MANDAG, til=MANDAG + dt.timedelta(days=14), monster=(KVELD,)):
    with in_kommune(d.kommune):
        return vakt_services.start_vaktplan(distrikt=d, fra=fra, til=til, monster=list(monster), leger=leger, startet_av="test")


def _messages(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        call()
    return exc.value.message_dict


@pytest.mark.django_db
@pytest.mark.parametrize(("kwargs", "felt", "tekst"), [
    ({"til": MANDAG}, "til", "slutte etter"),
    ({"til": MANDAG + dt.timedelta(days=367)}, "til", "ett år"),
    ({"monster": []}, "monster", "minst én linje"),
    ({"monster": [{**KVELD, "type": "nattevakt"}]}, "monster", "Linje 1: ukjent vakttype"),
    ({"monster": [KVELD, {**KVELD, "start": "25:00"}]}, "monster", "Linje 2"),
    ({"monster": [{**KVELD, "ukedager": [7]}]}, "monster", "ukedager"),
    ({"monster": [{**KVELD, "slutt": None}]}, "monster", "antall timer"),
    ({"monster": [{**HELG, "timer": 80}]}, "monster", "høyst 72"),
    ({"monster": [{**KVELD, "vaktklasse": 1}]}, "monster", "SFS 2305 § 8.3"),
    ({"monster": [{**KVELD, "vaktklasse": 2}]}, "monster", "SFS 2305 § 8.3"),  # class 2 needs a local agreement
    ({"leger": []}, "leger", "minst én lege"),
])
def test_the_pattern_is_checked_before_the_job_starts(bergen, kwargs, felt, tekst):
    d = helpers.distrikt(bergen)
    lege = helpers.kvalifisert(bergen)
    args = {"leger": [lege], **kwargs}
    errors = _messages(lambda: _start(d, **args))
    assert tekst in " ".join(errors[felt]), errors
    with in_kommune(bergen):
        assert not Bakgrunnsjobb.objects.exists()


@pytest.mark.django_db
def test_a_doctor_of_another_kommune_and_a_deltakerkommune_are_refused(bergen, sunnfjord):
    grane = kommune("1825")
    d = helpers.distrikt(bergen, grane)
    fremmed = helpers.kvalifisert(sunnfjord)
    assert "Ukjent lege" in _messages(lambda: _start(d, [fremmed]))["leger"][0]
    with in_kommune(grane), pytest.raises(PermissionDenied):
        vakt_services.start_vaktplan(distrikt=d, fra=MANDAG, til=MANDAG + dt.timedelta(days=7), monster=[KVELD],
                                     leger=[helpers.kvalifisert(grane)], startet_av="test")


@pytest.mark.django_db
def test_the_job_makes_the_shifts_in_rotation_and_lists_the_refused_ones(bergen, django_capture_on_commit_callbacks):
    d = helpers.distrikt(bergen)
    a, b, c = (helpers.kvalifisert(bergen, etternavn=n) for n in ("A", "B", "C"))
    with in_kommune(bergen):  # B may refuse evening duty: every shift rotated to B is refused
        Fritak.objects.create(kommune=bergen, lege=b, type="rett_alder", fra=dt.date(2027, 1, 1), krevd=dt.date(2027, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        jobb = _start(d, [a, b, c], monster=[KVELD, HELG])
    with in_kommune(bergen):
        jobb.refresh_from_db()
        vakter = list(Vakt.objects.order_by("start").values_list("lege__etternavn", "start", "slutt", "type"))
    assert jobb.status == "fullfort", jobb.feil
    # 2 weeks: 10 evenings and 2 Saturdays; rotation A, B, C over the 12 shifts in date order
    assert jobb.resultat["planlagt"] == 12 and jobb.resultat["opprettet"] == 8 and jobb.resultat["avvist"] == 4
    assert [v[0] for v in vakter] == ["A", "C", "A", "C", "A", "C", "A", "C"]
    assert (tid.lokal(vakter[0][1]), tid.lokal(vakter[0][2])) == (helpers.oslo(2027, 3, 1, 16), helpers.oslo(2027, 3, 1, 23))
    lordag = [v for v in vakter if v[3] == "hjemmevakt"]
    assert [(tid.lokal(v[1]).hour, v[2] - v[1]) for v in lordag] == [(8, dt.timedelta(hours=12))] * len(lordag)
    avviste = vaktplan_jobb.avviste(jobb)
    assert [(f["dato"], f["felt"]) for f in avviste] == [
        ("2027-03-02", "lege"), ("2027-03-05", "lege"), ("2027-03-09", "lege"), ("2027-03-12", "lege")]
    assert all("fritatt" in f["melding"] and f["melding"].startswith(f["dato"][8:10]) for f in avviste)


@pytest.mark.django_db
def test_a_start_time_that_does_not_exist_is_refused_for_that_day_only(bergen, django_capture_on_commit_callbacks):
    d = helpers.distrikt(bergen)
    lege = helpers.kvalifisert(bergen)
    natt = {"ukedager": [0, 6], "start": "02:30", "timer": 4, "type": "hjemmevakt"}  # the night summer time starts
    with django_capture_on_commit_callbacks(execute=True):
        jobb = _start(d, [lege], fra=dt.date(2027, 3, 27), til=dt.date(2027, 3, 29), monster=[natt])
    with in_kommune(bergen):
        jobb.refresh_from_db()
        assert Vakt.objects.count() == 1
    assert [(f["dato"], f["felt"]) for f in vaktplan_jobb.avviste(jobb)] == [("2027-03-28", "start")]


# --- through a real worker ---------------------------------------------------------------------------

worker = worker_fixture.worker
not_eager = worker_fixture.not_eager


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("kommune_data")
def test_the_roster_job_runs_in_the_worker(worker, not_eager):
    bergen = kommune("4601")
    d = helpers.distrikt(bergen)
    leger = [helpers.kvalifisert(bergen, etternavn=n) for n in ("A", "B")]
    jobb = _start(d, leger, til=MANDAG + dt.timedelta(days=28))
    deadline = time.monotonic() + 90
    while True:
        with in_kommune(bergen):
            jobb.refresh_from_db()
        if jobb.er_ferdig:
            break
        if worker.poll() is not None:
            pytest.fail(f"worker exited: {worker.stdout.read()}")
        if time.monotonic() > deadline:
            pytest.fail("the worker did not finish the roster within 90 s")
        time.sleep(0.2)
    assert jobb.status == "fullfort", jobb.feil
    assert (jobb.resultat["opprettet"], jobb.resultat["avvist"], jobb.behandlet, jobb.totalt) == (20, 0, 20, 20)
    with in_kommune(bergen):
        assert list(Vakt.objects.order_by("start").values_list("lege__etternavn", flat=True)[:4]) == ["A", "B", "A", "B"]
