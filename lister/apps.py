from django.apps import AppConfig


class ListerConfig(AppConfig):
    """Pasientlister: listetak, fellesliste, who serves each list over time, vacancies, vikarer."""

    name = "lister"
    verbose_name = "Lister"

    def ready(self) -> None:
        from kommune.lege_views import register_seksjon
        from lister.views import LEGE_PERIODER

        register_seksjon(LEGE_PERIODER)
