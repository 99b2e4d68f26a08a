from django.urls import path
from rest_framework.routers import SimpleRouter

from kommune.api.jobb_views import BakgrunnsjobbViewSet
from kommune.api.views import InnbyggertallViewSet, KommuneViewSet, LegeViewSet, MegView

router = SimpleRouter()
router.register("kommuner", KommuneViewSet, basename="kommune")
router.register(r"kommuner/(?P<kommunenummer>[^/]+)/innbyggertall", InnbyggertallViewSet, basename="innbyggertall")
router.register("leger", LegeViewSet, basename="lege")
router.register("bakgrunnsjobber", BakgrunnsjobbViewSet, basename="bakgrunnsjobb")

urlpatterns = [path("meg/", MegView.as_view(), name="meg"), *router.urls]
