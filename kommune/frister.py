"""The kommune's deadlines ("Frister"): one list, sorted by date, from whatever the higher apps register.

The kommune app sits below lister, avtaler and legevakt and must not import them (like
kommune.panels). Each of those apps registers a *source* from its AppConfig.ready(): a callable
`source(kommune, fra, til)` returning the `Frist`s it knows about, in the kommune in scope:
- deadlines falling in the window [fra, til] (both days included), and
- outstanding items whose date has passed but which still need doing (an unconfirmed Helfo
  message, a listetak step not yet applied): these keep their own, earlier date.

A source must use a constant number of queries whatever the number of rows it returns, so the
deadlines page does too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

Source = Callable[[Any, dt.date, dt.date], Iterable["Frist"]]


@dataclass(frozen=True)
class Frist:
    """One deadline: when, what kind (a short code, e.g. "oppsigelse"), a title and a line of
    description for people, the page of the object it concerns, and the object itself."""

    dato: dt.date
    type: str
    tittel: Any
    beskrivelse: Any = ""
    url: str = ""
    objekt: Any = field(default=None, compare=False)


_sources: dict[str, Source] = {}


def _key(source: Source) -> str:
    return f"{getattr(source, '__module__', '')}.{getattr(source, '__qualname__', repr(source))}"


def register(source: Source) -> Source:
    """Register a deadline source (idempotent: registering the same function twice keeps one)."""
    _sources[_key(source)] = source
    return source


def unregister(source: Source) -> None:
    _sources.pop(_key(source), None)


def registered() -> list[Source]:
    return list(_sources.values())


def collect(kommune, fra: dt.date, til: dt.date) -> list[Frist]:
    """Every registered source's deadlines for the kommune in scope, sorted by date (then kind
    and title, so the order is stable)."""
    items: list[Frist] = []
    for source in registered():
        items.extend(source(kommune, fra, til))
    return sorted(items, key=lambda f: (f.dato, f.type, str(f.tittel), f.url))
