"""The Celery task base class and how tasks are queued.

- Every task runs inside `core.context.scope`, re-entered from the two reserved keyword
  arguments `_kommune_id` and `_actor` (filled in by `enqueue` from the caller's context).
- Tasks are queued with `transaction.on_commit`, so a worker never sees a task whose data has
  not been committed, and a rolled-back request queues nothing.
- A task registered as a scheduled job (core.jobs) gets a JobRun row for each run.
"""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task
from django.db import transaction
from django.utils import timezone

from core.context import current_actor, current_kommune_id, scope

KOMMUNE_KWARG = "_kommune_id"
ACTOR_KWARG = "_actor"


class ScopedTask(Task):
    """Base class for every task in the project (configured as the Celery app's task_cls)."""

    # Celery's send-time signature check would refuse the reserved scope arguments, which the
    # task functions never see (__call__ removes them).
    typing = False

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from core import jobs  # imported late: the Celery app resolves this class before Django is set up

        kommune_id = kwargs.pop(KOMMUNE_KWARG, None)
        actor = kwargs.pop(ACTOR_KWARG, None) or f"oppgave:{self.name}"
        with scope(kommune_id=kommune_id, actor=actor):
            job = jobs.job_for_task(self.name)
            if job is None:
                return super().__call__(*args, **kwargs)
            with jobs.recorded_run(job, task_id=self.request.id or "") as run:
                result = super().__call__(*args, **kwargs)
                run.counts = result if isinstance(result, dict) else {}
                return result


def enqueue(task: Task, **kwargs: Any) -> None:
    """Queue `task` when the current transaction commits, carrying the current scope and actor."""
    kwargs.setdefault(KOMMUNE_KWARG, current_kommune_id())
    kwargs.setdefault(ACTOR_KWARG, current_actor())
    transaction.on_commit(lambda: task.apply_async(kwargs=kwargs))


@shared_task(name="core.housekeeping")
def housekeeping() -> dict[str, int]:
    """Nightly: delete idempotency keys, job runs and login sessions past their retention."""
    from core import services

    now = timezone.now()
    return {
        "idempotensnokler_slettet": services.purge_expired_idempotency_keys(now=now),
        "jobbkjoringer_slettet": services.purge_old_job_runs(now=now),
        "sesjoner_slettet": services.purge_expired_sessions(now=now),
    }
