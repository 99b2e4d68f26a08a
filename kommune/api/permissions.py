"""The API's one permission class: the principal's Tilgang against the view's declared area.

Every API view that serves kommune data declares `omrade` ("lister", "avtaler", "legevakt",
"lonn") and may set `skrivehandling` (default SKRIV; ADMINISTRER for the kommune's own settings,
which tokens never have). A view that declares nothing is refused: fail closed.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import exceptions, permissions

from kommune.access import Tilgang
from kommune.permissions import Handling, tillater


def handling_for(request, view) -> Handling:
    if request.method in permissions.SAFE_METHODS:
        return getattr(view, "lesehandling", Handling.LES)
    return getattr(view, "skrivehandling", Handling.SKRIV)


class KommuneTilgang(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        if not hasattr(view, request.method.lower()):
            return True  # the view answers 405 for a method it does not have
        tilgang = request.auth
        if not isinstance(tilgang, Tilgang):
            return False  # not authenticated: DRF answers 401
        if tilgang.mfa_mangler:
            raise exceptions.PermissionDenied(
                _("Kommuneoverleger må aktivere tofaktorinnlogging (TOTP) før de får tilgang til kommunedata."),
                "mfa_kreves",
            )
        if tilgang.kommune_id is None:
            raise exceptions.PermissionDenied(
                _("Oppgi kommunen med headeren Kommunenummer: du har tilgang til flere kommuner."), "kommune_ikke_valgt"
            )
        omrade = getattr(view, "omrade", None)
        if omrade is None:
            return False
        if not tillater(tilgang, handling_for(request, view), omrade):
            raise exceptions.PermissionDenied(
                _("Tokenet mangler tilgangen dette krever.") if tilgang.er_klient
                else _("Rollen din i kommunen gir ikke lov til dette."),
                "mangler_tilgang",
            )
        return True
