"""Writes of the platform layer: retention of idempotency keys and job runs."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from core.models import IdempotencyKey, JobRun


def idempotency_cutoff(*, now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(hours=settings.IDEMPOTENCY_KEY_RETENTION_HOURS)


def purge_expired_idempotency_keys(*, now: dt.datetime) -> int:
    """Delete idempotency keys older than the retention period. Returns how many."""
    deleted, _ = IdempotencyKey.objects.filter(created__lt=idempotency_cutoff(now=now)).delete()
    return deleted


def purge_old_job_runs(*, now: dt.datetime) -> int:
    """Delete finished job runs older than JOB_RUN_RETENTION_DAYS. Returns how many."""
    cutoff = now - dt.timedelta(days=settings.JOB_RUN_RETENTION_DAYS)
    deleted, _ = JobRun.objects.filter(started__lt=cutoff).exclude(outcome=JobRun.Outcome.RUNNING).delete()
    return deleted
