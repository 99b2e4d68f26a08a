"""Who is acting, and in which kommune: one context per request, task or command.

The kommune scope and the audit actor live in context variables, entered once per request (pages:
the tenancy middleware; API: the authentication classes), per Celery task (core.tasks.ScopedTask)
and per management command (core.management.base.AuditedCommand).

The actor is written into every data-changing SQL statement as pghistory's context, so each
history row carries it, whatever wrote the row (ORM, bulk update, raw SQL). pghistory's own
`pghistory.context` is deliberately not used: it is thread-local and merges nested contexts into
one row whose metadata the innermost writer overwrites, which would re-attribute earlier changes
(a task run inside a request would take over the request's history). Here every `scope()` is its
own audit context, and nesting restores the outer one. The history tables refuse rows without a
context (NOT NULL), so a write outside any scope fails instead of going unattributed.

Actor strings: "bruker:<id>" (a person), "klient:<id>" (an integration token),
"oppgave:<task name>" (a Celery task), "kommando:<name>" (a management command),
"migrering:<name>" (a data migration), "anonym" (a request before login, e.g. password reset).
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.backends.signals import connection_created
from psycopg import pq


@dataclass(frozen=True)
class Scope:
    kommune_id: int | None
    actor: str
    context_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    extra: tuple[tuple[str, Any], ...] = ()

    def metadata(self) -> str:
        return json.dumps({"actor": self.actor, "kommune_id": self.kommune_id, **dict(self.extra)}, cls=DjangoJSONEncoder)


_scope: contextvars.ContextVar[Scope | None] = contextvars.ContextVar("scope", default=None)


def current_scope() -> Scope | None:
    return _scope.get()


def current_kommune_id() -> int | None:
    current = _scope.get()
    return current.kommune_id if current else None


def current_actor() -> str | None:
    current = _scope.get()
    return current.actor if current else None


@contextlib.contextmanager
def scope(*, kommune_id: int | None, actor: str, **extra: Any) -> Iterator[Scope]:
    """Enter a kommune scope and an audit actor for the duration of the block."""
    if not actor:
        raise ValueError("Et scope må ha en aktør (hvem som handler).")
    token = _scope.set(Scope(kommune_id=kommune_id, actor=actor, extra=tuple(sorted(extra.items()))))
    try:
        yield _scope.get()
    finally:
        _scope.reset(token)


def activate(*, kommune_id: int | None, actor: str) -> None:
    """Replace the scope of the current request in place (called by the API authentication
    classes, which learn the principal after the middleware ran). Only valid inside
    `isolated()`, which discards it when the request ends."""
    if not actor:
        raise ValueError("Et scope må ha en aktør (hvem som handler).")
    current = _scope.get()
    if current is None:
        raise RuntimeError("activate() krever et scope fra mellomvaren (core.context.isolated).")
    _scope.set(replace(current, kommune_id=kommune_id, actor=actor, context_id=str(uuid.uuid4())))


def isolated(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run `function` in a copy of the current context, so whatever scope it activates cannot
    outlive it (worker threads serve many requests)."""
    return contextvars.copy_context().run(function, *args, **kwargs)


# --- writing the audit context into SQL -------------------------------------------------------

_SKIPPED_PREFIXES = (
    "select", "vacuum", "analyze", "checkpoint", "discard", "load", "cluster", "reindex",
    "create", "alter", "drop", "set transaction", "set session", "begin", "start", "savepoint",
    "release", "rollback", "commit", "lock", "show", "explain",
)


def _inject_audit_context(execute, sql, params, many, context):
    current = _scope.get()
    cursor = context["cursor"]
    if current is None or getattr(cursor, "name", None):
        return execute(sql, params, many, context)
    text = sql.decode() if isinstance(sql, bytes) else sql
    if text.lstrip()[:20].lower().startswith(_SKIPPED_PREFIXES):
        return execute(sql, params, many, context)
    if cursor.connection.info.transaction_status == pq.TransactionStatus.INERROR:
        return execute(sql, params, many, context)
    values = {"audit__context_id": current.context_id, "audit__metadata": current.metadata()}
    if many:  # executemany cannot take a prefix; set the variables first (same transaction)
        cursor.execute(
            "SELECT set_config('pghistory.context_id', %s, true), set_config('pghistory.context_metadata', %s, true)",
            (values["audit__context_id"], values["audit__metadata"]),
        )
        return execute(sql, params, many, context)
    if isinstance(params, dict):
        params = {**params, **values}
        prefix = "SELECT set_config('pghistory.context_id', %(audit__context_id)s, true), " \
                 "set_config('pghistory.context_metadata', %(audit__metadata)s, true); "
    else:
        params = (values["audit__context_id"], values["audit__metadata"], *(params or ()))
        prefix = "SELECT set_config('pghistory.context_id', %s, true), " \
                 "set_config('pghistory.context_metadata', %s, true); "
    result = execute(prefix + text, params, many, context)
    # psycopg 3 returns the first result set (the set_config); move on to the statement's own.
    while result is not None and result.nextset():
        pass
    return result


def _install(sender, connection, **kwargs) -> None:
    if connection.vendor == "postgresql" and _inject_audit_context not in connection.execute_wrappers:
        connection.execute_wrappers.append(_inject_audit_context)


def install_audit_context() -> None:
    """Attach the audit-context writer to every database connection (called from CoreConfig)."""
    connection_created.connect(_install, dispatch_uid="core.context.audit")
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        _install(None, connection)
