from django.apps import AppConfig


class LegevaktConfig(AppConfig):
    """Legevakt districts, duty rosters, exemptions and duty-load figures."""

    name = "legevakt"
    verbose_name = "Legevakt"
