"""The background-job task (kommune.bakgrunnsjobber) and the nightly end of stale jobs."""

from celery import shared_task
from django.utils import timezone

from core.tenancy import unscoped
from kommune.bakgrunnsjobber import PURGE_TASK, RUN_TASK


@shared_task(name=RUN_TASK)
def run_bakgrunnsjobb(*, jobb_id: int) -> dict[str, int]:
    """Run one waiting job, in the kommune and as the actor that started it (core.tasks.enqueue)."""
    from kommune import bakgrunnsjobber

    return bakgrunnsjobber.run(jobb_id=jobb_id)


@shared_task(name=PURGE_TASK)
def purge_stale_bakgrunnsjobber() -> dict[str, int]:
    """Nightly: end jobs stuck waiting or running, in every kommune, so no uploaded file stays."""
    from kommune import bakgrunnsjobber

    with unscoped(reason="nightly job: end stale background jobs in every kommune and delete their input"):
        return {"avbrutt": bakgrunnsjobber.purge_stale_jobs(now=timezone.now())}
