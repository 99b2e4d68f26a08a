from rest_framework.routers import SimpleRouter

from avtaler.api import alis_urls, introduksjon_urls, okonomi_urls
from avtaler.api.views import (
    FastlegeavtaleViewSet,
    HelfoMeldingViewSet,
    KommunalOppgaveViewSet,
    ListetaksendringViewSet,
    VedtakViewSet,
)

router = SimpleRouter()
router.register("fastlegeavtaler", FastlegeavtaleViewSet, basename="fastlegeavtale")
router.register(r"fastlegeavtaler/(?P<avtale_pk>[0-9]+)/listetaksendringer", ListetaksendringViewSet, basename="listetaksendring")
router.register(r"fastlegeavtaler/(?P<avtale_pk>[0-9]+)/kommunale-oppgaver", KommunalOppgaveViewSet, basename="kommunal-oppgave")
router.register("vedtak", VedtakViewSet, basename="vedtak")
router.register("helfomeldinger", HelfoMeldingViewSet, basename="helfomelding")

urlpatterns = router.urls + alis_urls.urlpatterns + introduksjon_urls.urlpatterns + okonomi_urls.urlpatterns
