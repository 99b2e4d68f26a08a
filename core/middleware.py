from django.conf import settings
from django.utils.translation import gettext as _

from core.api.errors import is_api_request, json_error
from core.context import scope


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


class ActorScopeMiddleware:
    """Enters core.context.scope for each request with the logged-in user as the audit actor, so
    history rows and tasks queued from the request name the person. (The tenancy issue adds the
    kommune to the same scope.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        actor = f"bruker:{user.pk}" if user is not None and user.is_authenticated else None
        with scope(kommune_id=None, actor=actor):
            return self.get_response(request)
