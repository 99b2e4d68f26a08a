"""API authentication: where the API enters the kommune scope.

Both classes resolve a `kommune.access.Tilgang` (request.auth) and activate its kommune and actor in
core.context for the rest of the request. `Authorization: Bearer <token>` for integration clients;
the browser session (with CSRF) for people. The `Kommunenummer` header picks the kommune when the
principal has several; a kommune outside the principal's access answers 404, like one that does
not exist.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, SessionAuthentication, get_authorization_header

from core.context import activate
from kommune import access


class KommuneNotAvailable(exceptions.NotFound):
    default_code = "kommune_ikke_tilgjengelig"


class TokenPrincipal:
    """request.user for an integration client. Not a person: no roles, no session."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_superuser = False
    is_staff = False

    def __init__(self, token):
        self.token = token
        self.pk = f"klient:{token.pk}"  # distinct throttling key per client
        self.navn = token.navn

    def __str__(self) -> str:
        return self.navn


def _requested_kommune(request) -> str | None:
    value = request.headers.get(access.HEADER)
    return value if value is None else value.strip()


def _enter(tilgang: access.Tilgang) -> None:
    activate(kommune_id=tilgang.kommune_id, actor=tilgang.aktor)


class BearerTokenAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Ugyldig Authorization-header: bruk «Bearer <token>»."), "ugyldig_token")
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(_("Ukjent token."), "ugyldig_token") from exc
        try:
            token, tilgang = access.for_token(raw, requested=_requested_kommune(request))
        except access.UgyldigToken as exc:
            raise exceptions.AuthenticationFailed(exc.message, "ugyldig_token") from exc
        except access.KommuneIkkeTilgjengelig as exc:
            raise KommuneNotAvailable(exc.message) from exc
        _enter(tilgang)
        return TokenPrincipal(token), tilgang

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'


class KommuneSessionAuthentication(SessionAuthentication):
    """Django's session (CSRF-checked) with the kommune chosen in the session or the header."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, _auth = result
        try:
            tilgang = access.for_user(
                user, requested=_requested_kommune(request), chosen_id=request._request.session.get(access.SESSION_KEY)
            )
        except access.KommuneIkkeTilgjengelig as exc:
            raise KommuneNotAvailable(exc.message) from exc
        _enter(tilgang)
        return user, tilgang


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "kommune.api.authentication.BearerTokenAuthentication"
    name = "bearer"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Integrasjonstoken (manage.py create_api_token eller siden Tilgang → API-tokener). "
            "Headeren Kommunenummer velger kommune når tokenet gjelder flere.",
        }


class KommuneSessionScheme(OpenApiAuthenticationExtension):
    target_class = "kommune.api.authentication.KommuneSessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
