"""Nightly: the payroll feed's retention purge."""

from celery import shared_task
from django.utils import timezone

from lonn.services import PURGE_JOB


@shared_task(name=PURGE_JOB)
def purge_hendelser() -> dict[str, int]:
    """Delete events older than the retention (lonn.services.purge); recorded as a JobRun."""
    from lonn import services

    return services.purge(now=timezone.now())
