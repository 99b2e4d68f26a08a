"""API routes for the vikar pool, assignment, candidates and the confirmation (lister.api.vikar_views)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from lister.api.vikar_views import (
    TilgjengelighetViewSet,
    VikarbekreftelseView,
    VikarkandidaterView,
    VikartildelingView,
    VikarViewSet,
)

router = SimpleRouter()
router.register("vikarer", VikarViewSet, basename="vikar")
router.register(r"vikarer/(?P<vikar_pk>[0-9]+)/tilgjengelighet", TilgjengelighetViewSet, basename="vikar-tilgjengelighet")

urlpatterns = [
    path("pasientlister/<int:liste_pk>/vikartildeling/", VikartildelingView.as_view(), name="vikartildeling"),
    path("pasientlister/<int:liste_pk>/vikarkandidater/", VikarkandidaterView.as_view(), name="vikarkandidater"),
    path("vikarperioder/<int:pk>/bekreftelse/", VikarbekreftelseView.as_view(), name="vikarperiode-bekreftelse"),
    *router.urls,
]
