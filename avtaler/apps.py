from django.apps import AppConfig


class AvtalerConfig(AppConfig):
    """Fastlegeavtaler, ALIS-avtaler, introduksjonsavtaler and 8.2-avtaler."""

    name = "avtaler"
    verbose_name = "Avtaler"
