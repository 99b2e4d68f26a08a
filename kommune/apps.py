from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KommuneConfig(AppConfig):
    """The tenant root: kommuner, people, accounts, and the kommune landing page with its panel registry."""

    name = "kommune"
    verbose_name = "Kommune"

    def ready(self) -> None:
        from core.history import register_actor_resolver
        from core.jobs import ScheduledJob
        from core.jobs import register as register_job
        from kommune import panels, selectors
        from kommune.bakgrunnsjobber import PURGE_TASK

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
        register_job(
            ScheduledJob(
                name=PURGE_TASK,
                task=PURGE_TASK,
                hour=3,
                minute=45,
                description="Avslutter bakgrunnsjobber som har stått fast i over en time, og sletter filene deres.",
            )
        )
