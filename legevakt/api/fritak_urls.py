"""Legevakt API routes: exemptions from legevakt (issue 7)."""

from rest_framework.routers import SimpleRouter

from legevakt.api.fritak_views import FritakViewSet

router = SimpleRouter()
router.register("legevaktfritak", FritakViewSet, basename="legevaktfritak")

urlpatterns = [*router.urls]
