"""Trigger-based history (pghistory) with one house rule: inserts, updates *and deletes*.

Decorate every domain model with `@track_history()`. The triggers fire for every writer — ORM,
bulk updates, admin, raw SQL — and the actor comes from core.context.scope (or the request).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pghistory
from pghistory.models import Events

# Bookkeeping columns that change with every update; not worth showing as a change.
HIDDEN_FIELDS = frozenset({"versjon", "endret"})


def track_history(**kwargs):
    return pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), **kwargs)


@dataclass(frozen=True)
class HistoryEntry:
    tidspunkt: dt.datetime
    hendelse: str
    aktor: str
    endringer: list[tuple[str, Any, Any]]


def actor_of(context: dict | None) -> str:
    """Who made a change, from the pghistory context (actor, else the request's user id)."""
    context = context or {}
    if context.get("actor"):
        return str(context["actor"])
    if context.get("user") is not None:
        return f"bruker:{context['user']}"
    return "ukjent"


def history_for(obj) -> list[HistoryEntry]:
    """The object's changes, newest first. One query."""
    events = Events.objects.tracks(obj).order_by("-pgh_created_at", "-pgh_id")
    return [
        HistoryEntry(
            tidspunkt=event.pgh_created_at,
            hendelse=event.pgh_label,
            aktor=actor_of(event.pgh_context),
            endringer=[
                (field, change[0], change[1])
                for field, change in sorted((event.pgh_diff or {}).items())
                if field not in HIDDEN_FIELDS
            ],
        )
        for event in events
    ]
