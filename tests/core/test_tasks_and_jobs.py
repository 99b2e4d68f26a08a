"""The task base class, queuing on commit, the job registry, beat schedules and JobRun records."""

import datetime as dt

import pytest
from celery import shared_task
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from core import jobs
from core.context import current_actor, current_kommune_id, scope
from core.history import history_for
from core.models import IdempotencyKey, JobRun
from core.tasks import enqueue, housekeeping
from kommune.models import Kommune
from tests.conftest import in_kommune


@shared_task(name="tests.observe_scope")
def observe_scope():
    return {"kommune_id": current_kommune_id(), "actor": current_actor()}


@shared_task(name="tests.set_sentralitet")
def set_sentralitet(*, kommunenummer, klasse):
    Kommune.objects.filter(kommunenummer=kommunenummer).update(sentralitetsklasse=klasse)


@shared_task(name="tests.failing_job")
def failing_job():
    raise RuntimeError("noe gikk galt")


def test_task_re_enters_scope_and_actor_from_its_arguments():
    result = observe_scope.apply(kwargs={"_kommune_id": 4601, "_actor": "bruker:7"}).get()
    assert result == {"kommune_id": 4601, "actor": "bruker:7"}
    assert current_kommune_id() is None  # and leaves it again


def test_task_without_actor_acts_as_itself():
    assert observe_scope.apply().get()["actor"] == "oppgave:tests.observe_scope"


@pytest.mark.django_db
def test_enqueue_waits_for_commit_and_carries_the_callers_scope(django_capture_on_commit_callbacks, bergen):
    with django_capture_on_commit_callbacks(execute=False) as callbacks, scope(kommune_id=bergen.pk, actor="bruker:99"):
        enqueue(set_sentralitet, kommunenummer="4601", klasse=4)
    assert len(callbacks) == 1
    with in_kommune(bergen):
        assert Kommune.objects.get(kommunenummer="4601").sentralitetsklasse is None  # nothing ran before commit
    callbacks[0]()  # "commit", outside any kommune scope: the task works in the enqueuing caller's kommune
    with in_kommune(bergen):
        assert Kommune.objects.get(kommunenummer="4601").sentralitetsklasse == 4


@pytest.mark.django_db
def test_task_write_is_recorded_with_the_enqueuing_actor(django_capture_on_commit_callbacks, bergen):
    with django_capture_on_commit_callbacks(execute=True), scope(kommune_id=bergen.pk, actor="bruker:99"):
        enqueue(set_sentralitet, kommunenummer="4601", klasse=4)
    with in_kommune(bergen):
        kommune = Kommune.objects.get(kommunenummer="4601")
        assert kommune.sentralitetsklasse == 4
        assert kommune.versjon == 2  # bumped by the database trigger, even for a bulk update
        assert history_for(kommune)[0].aktor == "bruker:99"


def test_no_job_may_be_scheduled_between_two_and_three():
    with pytest.raises(ValueError, match="02:00 og 03:00"):
        jobs.ScheduledJob(name="x", task="x", hour=2, minute=30, description="x")


@pytest.mark.django_db
def test_no_scheduled_task_in_beat_runs_in_the_dst_hour():
    """What beat will actually run (the database schedule), not just what the registry says."""
    from django_celery_beat.models import PeriodicTask

    enabled = PeriodicTask.objects.filter(enabled=True).select_related("crontab", "interval")
    hours = {task.crontab.hour for task in enabled if task.crontab_id}
    assert hours and "2" not in hours and all("2" not in h.split(",") for h in hours)
    # The others repeat at a short interval (the webhook sender): elapsed time, not the wall clock, so the DST
    # hour neither skips nor repeats them.
    intervals = [task for task in enabled if not task.crontab_id]
    assert intervals and all(task.interval.schedule.run_every.total_seconds() <= 3600 for task in intervals)


@pytest.mark.django_db
def test_beat_schedule_is_synchronised_from_the_registry():
    task = PeriodicTask.objects.get(name="fastlege:core.housekeeping")
    assert task.enabled and task.task == "core.housekeeping"
    assert (task.crontab.hour, task.crontab.minute, str(task.crontab.timezone)) == ("3", "30", "Europe/Oslo")
    PeriodicTask.objects.create(name="fastlege:old.job", task="old.job", crontab=task.crontab)
    jobs.sync_beat_schedule()
    jobs.sync_beat_schedule()  # idempotent
    assert PeriodicTask.objects.filter(name="fastlege:core.housekeeping").count() == 1
    assert not PeriodicTask.objects.get(name="fastlege:old.job").enabled


def _key(name, age_hours):
    return IdempotencyKey.objects.create(
        principal="bruker:1", key=name, fingerprint="0" * 64, method="POST", path="/",
        response_status=201, created=timezone.now() - dt.timedelta(hours=age_hours),
    )


@pytest.mark.django_db
def test_housekeeping_deletes_expired_keys_records_its_run_and_is_idempotent():
    _key("old", 25)
    _key("fresh", 1)
    housekeeping.apply()
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["fresh"]
    run = JobRun.objects.get()
    assert run.outcome == JobRun.Outcome.OK and run.finished >= run.started
    assert run.counts == {"idempotensnokler_slettet": 1, "jobbkjoringer_slettet": 0, "sesjoner_slettet": 0}
    housekeeping.apply()
    assert JobRun.objects.order_by("-started").first().counts["idempotensnokler_slettet"] == 0


@pytest.mark.django_db
def test_a_failing_job_is_recorded_as_failed():
    job = jobs.register(jobs.ScheduledJob(name="tests.failing", task="tests.failing_job", hour=4, minute=0, description="x"))
    try:
        with pytest.raises(RuntimeError):
            failing_job.apply().get()
        run = JobRun.objects.get(job="tests.failing")
        assert run.outcome == JobRun.Outcome.FAILED and "noe gikk galt" in run.error
    finally:
        jobs._registry.pop(job.name)
