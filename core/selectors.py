"""Reads of the platform layer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Max

from core.jobs import ScheduledJob, all_jobs
from core.models import JobRun

JOB_OK = "ok"
JOB_LATE = "forsinket"
JOB_NEVER_RAN = "aldri_kjort"


@dataclass(frozen=True)
class JobHealth:
    job: ScheduledJob
    status: str
    last_success: dt.datetime | None
    last_failure: dt.datetime | None


def job_health(*, now: dt.datetime) -> list[JobHealth]:
    """Whether each registered job succeeded within its window. Two queries, whatever the history."""
    jobs = all_jobs()
    names = [job.name for job in jobs]
    success = dict(
        JobRun.objects.filter(job__in=names, outcome=JobRun.Outcome.OK)
        .values("job").annotate(last=Max("finished")).values_list("job", "last")
    )
    failure = dict(
        JobRun.objects.filter(job__in=names, outcome=JobRun.Outcome.FAILED)
        .values("job").annotate(last=Max("finished")).values_list("job", "last")
    )
    result = []
    for job in jobs:
        last = success.get(job.name)
        if last is None:
            status = JOB_LATE if failure.get(job.name) else JOB_NEVER_RAN
        else:
            status = JOB_OK if now - last <= job.max_age else JOB_LATE
        result.append(JobHealth(job=job, status=status, last_success=last, last_failure=failure.get(job.name)))
    return result
