"""Who is acting, and in which kommune: one context per request, task or command.

The kommune scope and the audit actor live in context variables, entered once per request (pages:
middleware; API: the authentication class), per Celery task (core.tasks.ScopedTask) and per
management command. The actor is also written into pghistory's context, so every history row
carries it — whatever wrote the row.

Actor strings: "bruker:<id>" (a person), "klient:<id>" (an integration client),
"oppgave:<task name>" (a Celery task), "kommando:<name>" (a management command).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

import pghistory

_kommune_id: ContextVar[int | None] = ContextVar("kommune_id", default=None)
_actor: ContextVar[str | None] = ContextVar("actor", default=None)


def current_kommune_id() -> int | None:
    return _kommune_id.get()


def current_actor() -> str | None:
    return _actor.get()


@contextlib.contextmanager
def scope(*, kommune_id: int | None, actor: str | None) -> Iterator[None]:
    """Enter a kommune scope and an audit actor for the duration of the block."""
    kommune_token = _kommune_id.set(kommune_id)
    actor_token = _actor.set(actor)
    try:
        with pghistory.context(actor=actor, kommune_id=kommune_id):
            yield
    finally:
        _actor.reset(actor_token)
        _kommune_id.reset(kommune_token)
