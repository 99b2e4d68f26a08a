"""Nightly: the vacancy job (lister.ledighet_jobb) in every kommune."""

from celery import shared_task
from django.utils import timezone

from core.tenancy import unscoped
from lister.ledighet_jobb import TASK_NAME


@shared_task(name=TASK_NAME)
def vacancy_flags() -> dict[str, int]:
    """Open and close vacancy cases, raise, refresh and resolve flags, and e-mail the digests, in
    every kommune, set-based (each row names its kommune)."""
    from lister import ledighet_jobb

    now = timezone.now()
    with unscoped(reason="nightly job: vacancy cases and flags in every kommune, set-based with kommune_id in every row"):
        return ledighet_jobb.run(on=timezone.localdate(now), now=now)
