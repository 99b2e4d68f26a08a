"""Resolving who is asking and which kommune they work in: `Tilgang`.

Pages: kommune.middleware.TenancyMiddleware calls `for_user` with the kommune chosen in the
session. API: kommune.api.authentication calls `for_user` (session) or `for_token` (Bearer), with
the optional `Kommunenummer` header. Either way the result's `kommune_id` becomes the kommune scope
(core.context); a kommune the principal has no access to is refused exactly like one that does
not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from allauth.mfa.models import Authenticator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.tenancy import unscoped
from kommune import tokens
from kommune.models import ApiToken, ApiTokenKommune, Rolle

SESSION_KEY = "aktiv_kommune_id"
HEADER = "Kommunenummer"


@dataclass(frozen=True)
class KommuneValg:
    id: int
    kommunenummer: str
    navn: str


@dataclass(frozen=True)
class Tilgang:
    """What the current principal may do, in the kommune in scope (`kommune_id`, or None)."""

    aktor: str
    kommune_id: int | None = None
    roller: frozenset[str] = frozenset()
    scopes: frozenset[str] = frozenset()
    er_klient: bool = False
    kommuner: tuple[KommuneValg, ...] = ()
    mfa_mangler: bool = False

    @property
    def kommune(self) -> KommuneValg | None:
        return next((k for k in self.kommuner if k.id == self.kommune_id), None)


ANONYM = Tilgang(aktor="anonym")


class KommuneIkkeTilgjengelig(Exception):
    """The requested kommune does not exist or the principal has no access to it (same answer)."""

    message = _("Ingen kommune med dette nummeret er tilgjengelig for deg.")


class UgyldigToken(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _pick(kommuner: tuple[KommuneValg, ...], requested: str | None, chosen_id: int | None) -> int | None:
    if requested is not None:
        match = next((k for k in kommuner if k.kommunenummer == requested.strip()), None)
        if match is None:
            raise KommuneIkkeTilgjengelig
        return match.id
    if chosen_id is not None and any(k.id == chosen_id for k in kommuner):
        return chosen_id
    if len(kommuner) == 1:
        return kommuner[0].id
    return None


def for_user(user, *, requested: str | None = None, chosen_id: int | None = None) -> Tilgang:
    """A person's access: roles in the requested kommune (header), else the chosen one (session),
    else their only kommune. A kommuneoverlege without TOTP reaches no kommune. 1–2 queries."""
    with unscoped(reason="the logged-in user's own roles, to choose the kommune scope"):
        rows = list(
            Rolle.objects.filter(bruker_id=user.pk)
            .values_list("kommune_id", "kommune__kommunenummer", "kommune__navn", "rolle")
            .order_by("kommune__kommunenummer")
        )
    per_kommune: dict[int, set[str]] = {}
    valg: dict[int, KommuneValg] = {}
    for kommune_id, nummer, navn, rolle in rows:
        per_kommune.setdefault(kommune_id, set()).add(rolle)
        valg[kommune_id] = KommuneValg(kommune_id, nummer, navn)
    kommuner = tuple(valg.values())
    mfa_mangler = any(Rolle.Navn.KOMMUNEOVERLEGE in roller for roller in per_kommune.values()) and not (
        Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()
    )
    kommune_id = _pick(kommuner, requested, chosen_id)
    if mfa_mangler:
        kommune_id = None
    return Tilgang(
        aktor=f"bruker:{user.pk}",
        kommune_id=kommune_id,
        roller=frozenset(per_kommune.get(kommune_id, ())),
        kommuner=kommuner,
        mfa_mangler=mfa_mangler,
    )


def for_token(raw: str, *, requested: str | None = None) -> tuple[ApiToken, Tilgang]:
    """An integration client's access. Raises UgyldigToken (unknown, expired, revoked) or
    KommuneIkkeTilgjengelig. A token bound to several kommuner needs the Kommunenummer header
    (without it no kommune is in scope and the permission class answers 403). 2 queries."""
    token = ApiToken.objects.filter(nokkel_hash__in=tokens.candidate_hashes(raw)).first()
    if token is None:
        raise UgyldigToken(_("Ukjent token."))
    now = timezone.now()
    if token.trukket_tilbake is not None:
        raise UgyldigToken(_("Tokenet er trukket tilbake."))
    if token.utloper is not None and token.utloper <= now:
        raise UgyldigToken(_("Tokenet er utløpt."))
    with unscoped(reason="the kommuner an integration token is bound to"):
        kommuner = tuple(
            KommuneValg(*row)
            for row in ApiTokenKommune.objects.filter(token=token, trukket_tilbake__isnull=True)
            .values_list("kommune_id", "kommune__kommunenummer", "kommune__navn")
            .order_by("kommune__kommunenummer")
        )
    if not kommuner:
        raise UgyldigToken(_("Tokenet er trukket tilbake."))
    kommune_id = _pick(kommuner, requested, None)  # None: several kommuner and no header (403 later)
    return token, Tilgang(
        aktor=f"klient:{token.pk}",
        kommune_id=kommune_id,
        scopes=frozenset(token.scopes),
        er_klient=True,
        kommuner=kommuner,
    )
