from django.apps import AppConfig


class ListerConfig(AppConfig):
    """Pasientlister: listetak, fellesliste, who serves each list over time, vacancies, vikarer."""

    name = "lister"
    verbose_name = "Lister"
