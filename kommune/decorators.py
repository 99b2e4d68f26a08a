"""`kommune_page(handling)`: the gate for every page showing kommune data.

The tenancy middleware has already entered the scope of the kommune chosen in the session. This
sends a person with several kommuner and none chosen to the chooser, refuses a person with no role
(403) and checks the role allows the action (403).
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from kommune.permissions import Handling, tillater


def kommune_page(handling: Handling):
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            tilgang = request.tilgang
            if tilgang.kommune_id is None:
                if tilgang.kommuner:
                    return redirect(f"{reverse('kommune:velg')}?{urlencode({'next': request.get_full_path()})}")
                raise PermissionDenied(_("Du har ingen rolle i noen kommune. Kontakt kommuneoverlegen i kommunen din."))
            if not tillater(tilgang, handling):
                raise PermissionDenied(_("Rollen din i kommunen gir ikke lov til dette."))
            return view(request, *args, **kwargs)

        wrapped.kommune_handling = handling
        return wrapped

    return decorator
