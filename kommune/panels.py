"""The kommune landing page's panel registry.

The kommune app sits below lister, avtaler and legevakt and must not import them. Each of those
apps registers its panel here from its AppConfig.ready(); the landing page renders whatever is
registered, in order. A panel's `context` callable receives the request and the kommune and returns
the template context (it should use a constant number of queries).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kommune import selectors


@dataclass(frozen=True)
class Panel:
    key: str
    title: Any
    template: str
    context: Callable[[Any, Any], dict[str, Any]]
    order: int = 100
    handling: str = "les"  # kommune.permissions.Handling the viewer needs to see the panel


_panels: dict[str, Panel] = {}


def register(panel: Panel) -> None:
    _panels[panel.key] = panel


def unregister(key: str) -> None:
    _panels.pop(key, None)


def registered() -> list[Panel]:
    return sorted(_panels.values(), key=lambda p: (p.order, p.key))


def render_context(request, kommune) -> list[dict[str, Any]]:
    """Each registered panel the viewer may see, with its context, ready for the landing template."""
    from kommune.permissions import tillater

    return [
        {"panel": panel, "context": {"kommune": kommune, **panel.context(request, kommune)}}
        for panel in registered()
        if tillater(request.tilgang, panel.handling)
    ]


def kommune_key_figures(request, kommune) -> dict[str, Any]:
    return {"innbyggertall": selectors.innbyggertall_for(kommune=kommune)}
