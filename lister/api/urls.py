from django.urls import include, path
from rest_framework.routers import SimpleRouter

from lister.api.views import (
    KapasitetView,
    LegekontorViewSet,
    LegeperiodeViewSet,
    ListetallImportView,
    ListetallViewSet,
    PasientlisteViewSet,
)

router = SimpleRouter()
router.register("legekontor", LegekontorViewSet, basename="legekontor")
router.register("pasientlister", PasientlisteViewSet, basename="pasientliste")
router.register(r"pasientlister/(?P<liste_pk>[0-9]+)/perioder", LegeperiodeViewSet, basename="legeperiode")
router.register(r"pasientlister/(?P<liste_pk>[0-9]+)/listetall", ListetallViewSet, basename="listetall")

urlpatterns = [
    path("kapasitet/", KapasitetView.as_view(), name="kapasitet"),
    path("listetall-import/", ListetallImportView.as_view(), name="listetall-import"),
    *router.urls,
    path("", include("lister.api.ledighet_urls")),
    path("", include("lister.api.sak_urls")),
    path("", include("lister.api.vikar_urls")),
    path("", include("lister.api.kompetanse_urls")),
    path("", include("lister.api.indikator_urls")),
]
