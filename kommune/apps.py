from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KommuneConfig(AppConfig):
    """The tenant root: kommuner, people, accounts, and the kommune landing page with its panel registry."""

    name = "kommune"
    verbose_name = "Kommune"

    def ready(self) -> None:
        from core.history import register_actor_resolver
        from kommune import panels, selectors

        register_actor_resolver(selectors.actor_names)

        panels.register(
            panels.Panel(
                key="kommune.nokkeltall",
                title=_("Nøkkeltall"),
                template="kommune/panels/nokkeltall.html",
                context=panels.kommune_key_figures,
                order=0,
            )
        )
