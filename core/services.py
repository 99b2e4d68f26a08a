"""Writes of the platform layer: retention of idempotency keys, job runs and expired sessions."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.sessions.models import Session

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


def purge_expired_sessions(*, now: dt.datetime) -> int:
    """Delete login sessions past their expiry (what `manage.py clearsessions` does). Returns how many."""
    deleted, _ = Session.objects.filter(expire_date__lt=now).delete()
    return deleted
