"""Legevakt API routes: districts with memberships, stations and agreements nested under them (issue 7)."""

from rest_framework.routers import SimpleRouter

from legevakt.api.distrikt_views import LegevaktdistriktViewSet, MedlemskapViewSet, StasjonViewSet, VaktavtaleViewSet

router = SimpleRouter()
router.register("legevaktdistrikter", LegevaktdistriktViewSet, basename="legevaktdistrikt")
router.register(r"legevaktdistrikter/(?P<distrikt_pk>[0-9]+)/medlemskap", MedlemskapViewSet, basename="legevakt-medlemskap")
router.register(r"legevaktdistrikter/(?P<distrikt_pk>[0-9]+)/stasjoner", StasjonViewSet, basename="legevakt-stasjon")
router.register(r"legevaktdistrikter/(?P<distrikt_pk>[0-9]+)/vaktavtaler", VaktavtaleViewSet, basename="vaktavtale")

urlpatterns = [*router.urls]
