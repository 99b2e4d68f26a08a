"""API routes for ALIS-avtaler (avtaler.api.alis_views)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from avtaler.api.alis_views import (
    AlisavtaleViewSet,
    AlisElementViewSet,
    AlisFravaerViewSet,
    AlisSatsViewSet,
    AlisTjenesteViewSet,
    AlisVeiledningViewSet,
    TilskuddsgrunnlagView,
)

router = SimpleRouter()
router.register("alisavtaler", AlisavtaleViewSet, basename="alisavtale")
router.register(r"alisavtaler/(?P<avtale_pk>[0-9]+)/elementer", AlisElementViewSet, basename="alis-element")
router.register(r"alisavtaler/(?P<avtale_pk>[0-9]+)/fravaer", AlisFravaerViewSet, basename="alis-fravaer")
router.register(r"alisavtaler/(?P<avtale_pk>[0-9]+)/tjeneste", AlisTjenesteViewSet, basename="alis-tjeneste")
router.register(r"alisavtaler/(?P<avtale_pk>[0-9]+)/veiledning", AlisVeiledningViewSet, basename="alis-veiledning")
router.register("alis-satser", AlisSatsViewSet, basename="alis-sats")

urlpatterns = [
    path("alis-tilskuddsgrunnlag/", TilskuddsgrunnlagView.as_view(), name="alis-tilskuddsgrunnlag"),
    *router.urls,
]
