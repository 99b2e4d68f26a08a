"""Who may change legevakt data: the district's vertskommune only. A deltakerkommune reads its
districts (tenancy makes them visible) but every write is refused here with a clear 403 before
the tenancy layer would refuse it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from core.context import current_kommune_id


def er_vertskommune(distrikt) -> bool:
    return distrikt.kommune_id == current_kommune_id()


def krev_vertskommune(distrikt) -> None:
    """Raise PermissionDenied unless the kommune in scope is the district's vertskommune."""
    if not er_vertskommune(distrikt):
        raise PermissionDenied(
            _("Bare vertskommunen for legevaktdistriktet «%(navn)s» kan endre det; deltakerkommuner kan lese.")
            % {"navn": distrikt.navn}
        )
