from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ListerConfig(AppConfig):
    """Pasientlister: listetak, fellesliste, who serves each list over time, vacancies, vikarer."""

    name = "lister"
    verbose_name = "Lister"

    def ready(self) -> None:
        from kommune import bakgrunnsjobber
        from kommune.lege_views import register_seksjon
        from lister import listetall_import
        from lister.views import LEGE_PERIODER

        register_seksjon(LEGE_PERIODER)
        bakgrunnsjobber.register(
            listetall_import.JOBBTYPE, listetall_import.run_import, listetall_import.TITTEL, omrade="lister",
            resultat_etiketter=listetall_import.RESULTAT_ETIKETTER, lenke="lister:import",
            lenke_tekst=_("Tilbake til import av listetall"),
        )
        # Issue 6: each area registers its jobs, panels and deadline sources.
        from lister import indikatorer, kompetanse, ledighet_jobb, sak_services, vikar_services

        for module in (ledighet_jobb, sak_services, vikar_services, kompetanse, indikatorer):
            module.ready()
