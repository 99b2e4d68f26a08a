from django.conf import settings
from django.utils.translation import gettext as _

from core.api.errors import is_api_request, json_error


class ApiRequestSizeLimitMiddleware:
    """Refuse API bodies larger than API_MAX_BODY_BYTES with 413 before anything reads them.

    DRF parses JSON from the request stream, which bypasses Django's DATA_UPLOAD_MAX_MEMORY_SIZE.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_api_request(request):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                return json_error(400, _("Ugyldig Content-Length."), "ugyldig_lengde")
            if length > settings.API_MAX_BODY_BYTES:
                return json_error(
                    413,
                    _("Innholdet er for stort: høyst %(max)d byte er tillatt.") % {"max": settings.API_MAX_BODY_BYTES},
                    "for_stort",
                )
        return self.get_response(request)
