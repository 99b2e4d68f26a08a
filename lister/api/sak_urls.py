"""API routes for vacancy cases, their advertisements and applicants, and cover (lister.api.sak_views)."""

from rest_framework.routers import SimpleRouter

from lister.api.sak_views import DekningViewSet, LedighetssakViewSet, SokerViewSet, UtlysningViewSet

router = SimpleRouter()
router.register("ledighetssaker", LedighetssakViewSet, basename="ledighetssak")
router.register(r"ledighetssaker/(?P<sak_pk>[0-9]+)/utlysninger", UtlysningViewSet, basename="utlysning")
router.register(r"ledighetssaker/(?P<sak_pk>[0-9]+)/sokere", SokerViewSet, basename="soker")
router.register("dekninger", DekningViewSet, basename="dekning")

urlpatterns = router.urls
