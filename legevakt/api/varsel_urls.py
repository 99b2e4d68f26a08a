"""Legevakt API routes: flags of the nightly overload job (issue 7)."""

from rest_framework.routers import SimpleRouter

from legevakt.api.varsel_views import BelastningsvarselViewSet

router = SimpleRouter()
router.register("belastningsvarsler", BelastningsvarselViewSet, basename="belastningsvarsel")

urlpatterns = [*router.urls]
