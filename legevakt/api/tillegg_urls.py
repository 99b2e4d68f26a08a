"""Legevakt API routes: a shift's supplements for payroll, nested under the shift (basename `vakt-tillegg`)."""

from rest_framework.routers import SimpleRouter

from legevakt.api.tillegg_views import VakttilleggViewSet

router = SimpleRouter()
router.register(r"vakter/(?P<vakt_pk>[0-9]+)/tillegg", VakttilleggViewSet, basename="vakt-tillegg")

urlpatterns = [*router.urls]
