"""Who may do what in a kommune. One place, used by pages, the API and commands alike.

A person acts through their roles in the kommune in scope; an integration client through its
token's scopes. Nothing is allowed without a kommune in scope.
"""

from __future__ import annotations

from enum import StrEnum

from kommune.access import Tilgang
from kommune.models import Rolle


class Handling(StrEnum):
    LES = "les"  # read the kommune's data
    SKRIV = "skriv"  # day-to-day changes: lists, vikarer, rosters, figures
    ADMINISTRER = "administrer"  # the kommune's settings, users and roles, integration tokens
    HELSEOPPLYSNINGER = "helseopplysninger"  # health-related details, e.g. grounds of an exemption
    EGNE = "egne"  # one's own engagements and shifts


ROLLE_HANDLINGER: dict[str, frozenset[Handling]] = {
    Rolle.Navn.KOMMUNEOVERLEGE: frozenset(Handling),
    Rolle.Navn.SAKSBEHANDLER: frozenset({Handling.LES, Handling.SKRIV, Handling.EGNE}),
    Rolle.Navn.LESETILGANG: frozenset({Handling.LES, Handling.EGNE}),
    Rolle.Navn.LEGE: frozenset({Handling.EGNE}),
}

# What a token scope allows; "lonn:les" includes posting receipts for what was read.
OMRADER = ("lister", "avtaler", "legevakt", "lonn")


def scope_for(omrade: str, handling: Handling) -> str | None:
    """The token scope an action needs in an area, or None when tokens may never do it."""
    if omrade not in OMRADER:
        raise ValueError(f"Ukjent område: {omrade}")
    if omrade == "lonn" and handling in (Handling.LES, Handling.SKRIV):
        return "lonn:les"
    if handling == Handling.LES:
        return f"{omrade}:les"
    if handling == Handling.SKRIV:
        return f"{omrade}:skriv"
    return None


def tillater(tilgang: Tilgang | None, handling: Handling, omrade: str | None = None) -> bool:
    """True when the principal may perform `handling` (in `omrade`, for tokens) in the kommune in scope."""
    if tilgang is None or tilgang.kommune_id is None:
        return False
    if tilgang.er_klient:
        needed = scope_for(omrade, handling) if omrade else None
        return needed is not None and needed in tilgang.scopes
    return any(handling in ROLLE_HANDLINGER.get(rolle, frozenset()) for rolle in tilgang.roller)


def kan_se_helseopplysninger(tilgang: Tilgang | None) -> bool:
    return tillater(tilgang, Handling.HELSEOPPLYSNINGER)
