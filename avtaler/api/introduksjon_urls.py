"""API routes for introduksjonsavtaler (avtaler.api.introduksjon_views)."""

from rest_framework.routers import SimpleRouter

from avtaler.api.introduksjon_views import IntroduksjonsavtaleViewSet

router = SimpleRouter()
router.register("introduksjonsavtaler", IntroduksjonsavtaleViewSet, basename="introduksjonsavtale")

urlpatterns = router.urls
