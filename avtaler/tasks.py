"""Nightly: apply the listetak steps that take effect today, in every kommune."""

from celery import shared_task
from django.utils import timezone

from core.tenancy import unscoped

APPLY_STEPS_TASK = "avtaler.apply_listetak_steps"


@shared_task(name=APPLY_STEPS_TASK)
def apply_listetak_steps() -> dict[str, int]:
    from avtaler import services

    with unscoped(reason="nightly job: listetak steps in every kommune, set-based"):
        return {"trinn_gjennomfort": services.apply_due_listetak_steps(on=timezone.localdate(), all_kommuner=True)}
