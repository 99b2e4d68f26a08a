"""Nightly: the payroll feed's retention purge."""

from celery import shared_task
from django.utils import timezone

from lonn.services import PURGE_JOB


@shared_task(name=PURGE_JOB)
def purge_hendelser() -> dict[str, int]:
    """Delete events older than the retention (lonn.services.purge); recorded as a JobRun."""
    from lonn import services

    return services.purge(now=timezone.now())


# --- webhooks (lonn/webhooks.py) ------------------------------------------------------------------------------

@shared_task(name="lonn.webhooks")  # = webhooks.TASK; beat runs it every webhooks.INTERVALL_SEKUNDER
def varsle_webhooks() -> dict[str, int]:
    """Notify webhook endpoints of new payroll events and send due notifications (retries too).
    Runs as "oppgave:lonn.webhooks" over every kommune; idempotent."""
    from lonn import webhooks

    return webhooks.run(now=timezone.now())


@shared_task(name="lonn.webhook_lever")  # = webhooks.TASK_LEVER
def lever_webhook(*, levering_id: int) -> dict[str, int]:
    """Send one notification now (the test button), if it is still due."""
    from lonn import webhooks

    return webhooks.send_due(now=timezone.now(), levering_ids=[levering_id])
