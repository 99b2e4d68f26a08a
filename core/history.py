"""Trigger-based history (pghistory) with one house rule: inserts, updates *and deletes*.

Decorate every domain model with `@track_history()`. The triggers fire for every writer — ORM,
bulk updates, admin, raw SQL — and the actor comes from core.context.scope (or the request).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pghistory
from pghistory.models import Events

# Bookkeeping columns that change with every update; not worth showing as a change.
HIDDEN_FIELDS = frozenset({"versjon", "endret"})


def track_history(**kwargs):
    """History for inserts, updates and deletes. The context (who acted) is NOT NULL: a write
    outside core.context.scope fails rather than going unattributed."""
    kwargs.setdefault("context_field", pghistory.ContextForeignKey(null=False))
    return pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), **kwargs)


@dataclass(frozen=True)
class HistoryEntry:
    tidspunkt: dt.datetime
    hendelse: str
    aktor: str  # "bruker:5", "klient:2", "oppgave:…", "kommando:…"
    aktor_navn: str  # for people: the name, else the actor string
    endringer: list[tuple[str, Any, Any]]


# Turns actor strings into readable names, in bulk (registered by the app that owns users and
# clients, so core does not depend on it).
_resolvers: list[Callable[[set[str]], dict[str, str]]] = []


def register_actor_resolver(resolver: Callable[[set[str]], dict[str, str]]) -> None:
    if resolver not in _resolvers:
        _resolvers.append(resolver)


def _actor_resolver(actors: set[str]) -> dict[str, str]:
    names: dict[str, str] = {}
    for resolver in _resolvers:
        names.update(resolver(actors))
    return names


def actor_of(context: dict | None) -> str:
    """Who made a change, from the pghistory context (actor, else the request's user id)."""
    context = context or {}
    if context.get("actor"):
        return str(context["actor"])
    if context.get("user") is not None:
        return f"bruker:{context['user']}"
    return "ukjent"


def history_for(obj) -> list[HistoryEntry]:
    """The object's changes, newest first. Constant queries (events, then names of the actors)."""
    events = list(Events.objects.tracks(obj).order_by("-pgh_created_at", "-pgh_id"))
    actors = {actor_of(event.pgh_context) for event in events}
    names = _actor_resolver(actors) if actors else {}
    return [
        HistoryEntry(
            tidspunkt=event.pgh_created_at,
            hendelse=event.pgh_label,
            aktor=actor_of(event.pgh_context),
            aktor_navn=names.get(actor_of(event.pgh_context), actor_of(event.pgh_context)),
            endringer=[
                (field, change[0], change[1])
                for field, change in sorted((event.pgh_diff or {}).items())
                if field not in HIDDEN_FIELDS
            ],
        )
        for event in events
    ]
