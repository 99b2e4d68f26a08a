"""API reference pages served offline.

Redoc always draws a footer logo from its vendor's CDN; the Content-Security-Policy below keeps the
browser from fetching anything that is not on this server (no outbound requests, nothing leaked).
"""

from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView

OFFLINE_CSP = (
    "default-src 'self'; img-src 'self' data: blob:; script-src 'self' 'unsafe-inline' blob:; "
    "style-src 'self' 'unsafe-inline'; worker-src 'self' blob:; connect-src 'self'; font-src 'self' data:"
)


class OfflineRedocView(SpectacularRedocView):
    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["Content-Security-Policy"] = OFFLINE_CSP
        return response
