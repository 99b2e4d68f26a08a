"""Legevakt API routes: the roster (vakter, basename `vakt`) and swap requests (vaktbytter, basename `vaktbytte`)."""

from rest_framework.routers import SimpleRouter

from legevakt.api.vakt_views import VaktbytteViewSet, VaktViewSet

router = SimpleRouter()
router.register("vakter", VaktViewSet, basename="vakt")
router.register("vaktbytter", VaktbytteViewSet, basename="vaktbytte")

urlpatterns = [*router.urls]
