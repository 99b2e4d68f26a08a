"""Where a page request enters its scope: the actor and, for pages, the kommune.

Each request runs in its own copy of the context (core.context.isolated), so nothing it
activates can outlive it on a reused worker thread. For pages the kommune is the one chosen in
the session (kommune.access.for_user); API requests get theirs from the authentication class.
A kommuneoverlege without TOTP is sent to set it up before any kommune page.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from core.api.errors import is_api_request
from core.context import isolated, scope
from kommune import access

# Pages a kommuneoverlege without TOTP may still open (to set it up, log out, read about access).
MFA_EXEMPT_PREFIXES = ("/konto/", "/i18n/", "/helse/", "/tilgjengelighet/", "/static/", "/admin/", "/offentlig/")


class TenancyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = isolated(self._handle, request)
        return response

    def _handle(self, request):
        response = self._scoped(request)
        # The view may have switched language (a kommune's målform); that switch lives in the
        # isolated context, so record it here for LocaleMiddleware, which only sets a missing header.
        response.headers.setdefault("Content-Language", translation.get_language())
        return response

    def _scoped(self, request):
        user = request.user
        if not user.is_authenticated:
            request.tilgang = access.ANONYM
            with scope(kommune_id=None, actor="anonym"):
                return self.get_response(request)
        actor = f"bruker:{user.pk}"
        if is_api_request(request):
            # The API's authentication classes resolve the kommune (header, token or session).
            request.tilgang = access.Tilgang(aktor=actor)
            with scope(kommune_id=None, actor=actor):
                return self.get_response(request)
        tilgang = access.for_user(user, chosen_id=request.session.get(access.SESSION_KEY))
        request.tilgang = tilgang
        if tilgang.mfa_mangler and not request.path.startswith(MFA_EXEMPT_PREFIXES):
            messages.warning(request, _("Som kommuneoverlege må du aktivere tofaktorinnlogging før du kan se kommunedata."))
            return redirect(f"{reverse('mfa_activate_totp')}?{urlencode({'next': request.get_full_path()})}")
        with scope(kommune_id=tilgang.kommune_id, actor=actor):
            return self.get_response(request)


