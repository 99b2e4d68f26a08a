"""One error shape for the whole API, from one exception handler.

    {"feil": "<a sentence for a person>", "kode": "<machine code>", "felt": {"<field>": ["<rule>"]}}

`felt` is always present (empty when the error is not about particular fields). Django's
ValidationError (raised by services and `full_clean()`) becomes 400 with the same shape, so the API
and the pages report the same rule with the same message.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from core.exceptions import StaleVersion

NON_FIELD_KEYS = {"non_field_errors", "__all__"}


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = gettext_lazy(
        "If-Match mangler: send ETag-verdien du fikk da du hentet objektet, i headeren If-Match."
    )
    default_code = "if_match_mangler"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = StaleVersion.message
    default_code = "versjonskonflikt"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("Forespørselen er i konflikt med en annen forespørsel.")
    default_code = "konflikt"


class UnprocessableEntity(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = gettext_lazy("Forespørselen kan ikke behandles.")
    default_code = "kan_ikke_behandles"


def error_body(message: str, code: str, fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"feil": str(message), "kode": code, "felt": fields or {}}


def _flatten(detail: Any) -> list[str]:
    if isinstance(detail, dict):
        return [msg for value in detail.values() for msg in _flatten(value)]
    if isinstance(detail, list):
        return [msg for item in detail for msg in _flatten(item)]
    return [str(detail)]


def _validation_body(detail: Any) -> dict[str, Any]:
    if not isinstance(detail, dict):
        messages = _flatten(detail)
        return error_body(" ".join(messages), "ugyldig", {})
    fields: dict[str, list[str]] = {}
    general: list[str] = []
    for key, value in detail.items():
        if key in NON_FIELD_KEYS:
            general.extend(_flatten(value))
        else:
            fields[key] = _flatten(value)
    if general:
        message = " ".join(general)
    elif len(fields) == 1:
        (name, messages), = fields.items()
        message = _("Ugyldig verdi i feltet «%(felt)s»: %(regel)s") % {"felt": name, "regel": " ".join(messages)}
    else:
        message = _("Forespørselen har ugyldige verdier i feltene: %(felt)s.") % {"felt": ", ".join(fields)}
    return error_body(message, "ugyldig", fields)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, StaleVersion):
        exc = PreconditionFailed()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Fant ikke objektet."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: Django's handler500 (core.views.server_error) answers
    if isinstance(exc, exceptions.ValidationError):
        response.data = _validation_body(exc.detail)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "feil"
        response.data = error_body(" ".join(_flatten(detail)), code if isinstance(code, str) else "feil")
    return response


API_PREFIX = "/api/"


def is_api_request(request) -> bool:
    """API requests get errors in the JSON shape; pages get HTML."""
    return request.path.startswith(API_PREFIX)


def json_error(status_code: int, message: str, code: str) -> JsonResponse:
    """The error shape outside DRF (404/500 handlers, middleware)."""
    return JsonResponse(error_body(message, code), status=status_code)
