"""Extra sections of the health check (`/helse/`), registered by higher apps from their
AppConfig.ready() — core never imports them. A check returns (healthy, details as JSON-able dict)."""

from __future__ import annotations

from collections.abc import Callable

Check = Callable[[], tuple[bool, dict]]

_checks: dict[str, Check] = {}


def register(name: str, check: Check) -> None:
    _checks[name] = check


def run_all() -> dict[str, tuple[bool, dict]]:
    """Each registered check's outcome; a check that raises is unhealthy (the error is not shown)."""
    result = {}
    for name, check in _checks.items():
        try:
            result[name] = check()
        except Exception:  # noqa: BLE001 — a broken check must not break the health endpoint
            result[name] = (False, {"status": "feil"})
    return result
