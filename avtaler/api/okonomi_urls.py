"""API routes for 8.2-avtaler and their payments (avtaler.api.okonomi_views)."""

from rest_framework.routers import SimpleRouter

from avtaler.api.okonomi_views import OkonomiavtaleViewSet, OkonomibetalingViewSet

router = SimpleRouter()
router.register("okonomiavtaler", OkonomiavtaleViewSet, basename="okonomiavtale")
router.register(r"okonomiavtaler/(?P<avtale_pk>[0-9]+)/betalinger", OkonomibetalingViewSet, basename="okonomibetaling")

urlpatterns = router.urls
