"""API routes for vacancies and the nightly job's flags (lister.api.ledighet_views)."""

from rest_framework.routers import SimpleRouter

from lister.api.ledighet_views import LedighetsvarselViewSet, UbesatteListerViewSet

router = SimpleRouter()
router.register("ubesatte-lister", UbesatteListerViewSet, basename="ubesatte-lister")
router.register("ledighetsvarsler", LedighetsvarselViewSet, basename="ledighetsvarsel")

urlpatterns = [*router.urls]
