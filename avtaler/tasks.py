"""Nightly: apply the listetak steps that take effect today, and give every list the listetak of
the avtaler running today, in every kommune."""

from celery import shared_task
from django.utils import timezone

from core.tenancy import unscoped

APPLY_STEPS_TASK = "avtaler.apply_listetak_steps"


@shared_task(name=APPLY_STEPS_TASK)
def apply_listetak_steps() -> dict[str, int]:
    from avtaler import services

    today = timezone.localdate()
    with unscoped(reason="nightly job: listetak steps and list listetak in every kommune, set-based"):
        applied = services.apply_due_listetak_steps(on=today, all_kommuner=True)
        # Avtaler that start or end today change their lists' listetak (the successor's, a fellesliste's parts).
        return {"trinn_gjennomfort": applied, **services.resync_list_listetak(day=today)}
