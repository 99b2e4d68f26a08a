from rest_framework.routers import SimpleRouter

from kommune.api.views import InnbyggertallViewSet, KommuneViewSet

router = SimpleRouter()
router.register("kommuner", KommuneViewSet, basename="kommune")
router.register(r"kommuner/(?P<kommunenummer>[^/]+)/innbyggertall", InnbyggertallViewSet, basename="innbyggertall")

urlpatterns = router.urls
