"""Nightly: the overload job (legevakt.belastning_jobb) in every legevakt district."""

from celery import shared_task
from django.utils import timezone

from core.tenancy import unscoped
from legevakt.belastning_jobb import TASK_NAME


@shared_task(name=TASK_NAME)
def overload_flags() -> dict[str, int]:
    """Raise, refresh and resolve the overload flags of every district and e-mail the digests,
    set-based (each row names its vertskommune). The run is recorded (core.tasks.ScopedTask) and
    audited with the task as actor."""
    from legevakt import belastning_jobb

    now = timezone.now()
    with unscoped(reason="nightly job: overload flags in every legevakt district, set-based with kommune_id in every row"):
        return belastning_jobb.run(on=timezone.localdate(now), now=now)
