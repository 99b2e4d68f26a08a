"""The registry of scheduled (nightly) jobs, their schedules and their recorded runs.

Each app registers its jobs in its AppConfig.ready(); after every migrate the registry is written
to django-celery-beat's tables (beat reads them from the database). No job may run between 02:00
and 03:00 Oslo time: on the night summer time starts that hour does not exist, and on the night it
ends it happens twice.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from core.models import JobRun

FORBIDDEN_HOUR = 2  # 02:00–02:59 Oslo time: skipped or repeated at DST changes
BEAT_NAME_PREFIX = "fastlege:"


@dataclass(frozen=True)
class ScheduledJob:
    name: str
    task: str
    hour: int
    minute: int
    description: str
    # The health check calls a job late when its last successful run is older than this.
    max_age: dt.timedelta = field(default=dt.timedelta(hours=26))

    def __post_init__(self) -> None:
        if not (0 <= self.hour <= 23 and 0 <= self.minute <= 59):
            raise ValueError(f"Ugyldig tidspunkt for jobben {self.name}: {self.hour}:{self.minute}.")
        if self.hour == FORBIDDEN_HOUR:
            raise ValueError(
                f"Jobben {self.name} kan ikke kjøre mellom 02:00 og 03:00 (timen hoppes over eller "
                "gjentas ved overgang til og fra sommertid)."
            )


_registry: dict[str, ScheduledJob] = {}


def register(job: ScheduledJob) -> ScheduledJob:
    existing = _registry.get(job.name)
    if existing is not None and existing != job:
        raise ValueError(f"Jobben {job.name} er allerede registrert med andre verdier.")
    _registry[job.name] = job
    return job


def all_jobs() -> list[ScheduledJob]:
    return sorted(_registry.values(), key=lambda j: (j.hour, j.minute, j.name))


def job_for_task(task_name: str) -> ScheduledJob | None:
    return next((job for job in _registry.values() if job.task == task_name), None)


class _RunHandle:
    def __init__(self) -> None:
        self.counts: dict = {}


@contextlib.contextmanager
def recorded_run(job: ScheduledJob, *, task_id: str) -> Iterator[_RunHandle]:
    """Record a JobRun around the block: running → ok (with counts) or failed (with the error)."""
    run = JobRun.objects.create(job=job.name, task_id=task_id)
    handle = _RunHandle()
    try:
        yield handle
    except Exception as exc:
        JobRun.objects.filter(pk=run.pk).update(
            outcome=JobRun.Outcome.FAILED, finished=timezone.now(), error=f"{type(exc).__name__}: {exc}"[:5000]
        )
        raise
    JobRun.objects.filter(pk=run.pk).update(outcome=JobRun.Outcome.OK, finished=timezone.now(), counts=handle.counts)


def sync_beat_schedule() -> None:
    """Write the registry into django-celery-beat: one crontab PeriodicTask per job (Oslo time).

    Our periodic tasks carry a name prefix; ones no longer registered are disabled, not deleted,
    so an operator's history stays visible in the admin.
    """
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    with transaction.atomic():
        names = set()
        for job in all_jobs():
            crontab, _ = CrontabSchedule.objects.get_or_create(
                minute=str(job.minute),
                hour=str(job.hour),
                day_of_week="*",
                day_of_month="*",
                month_of_year="*",
                timezone="Europe/Oslo",
            )
            name = BEAT_NAME_PREFIX + job.name
            names.add(name)
            PeriodicTask.objects.update_or_create(
                name=name,
                defaults={"task": job.task, "crontab": crontab, "interval": None, "enabled": True,
                          "description": job.description, "kwargs": "{}"},
            )
        PeriodicTask.objects.filter(name__startswith=BEAT_NAME_PREFIX).exclude(name__in=names).update(enabled=False)
