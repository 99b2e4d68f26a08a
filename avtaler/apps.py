from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AvtalerConfig(AppConfig):
    """Fastlegeavtaler, ALIS-avtaler, introduksjonsavtaler and 8.2-avtaler."""

    name = "avtaler"
    verbose_name = "Avtaler"

    def ready(self) -> None:
        from avtaler import (
            alis_frister,
            alis_views,
            demo,  # noqa: F401  (registers the register's demo seeder)
            introduksjon_frister,
            views,
        )
        from avtaler import frister as avtaler_frister
        from avtaler.tasks import APPLY_STEPS_TASK
        from core.jobs import ScheduledJob, register
        from kommune import frister, panels

        register(
            ScheduledJob(
                name="avtaler.apply_listetak_steps",
                task=APPLY_STEPS_TASK,
                hour=0,
                minute=15,
                description="Gjennomfører listetakstrinn som trer i kraft i dag (fastlegeforskriften § 11), i alle kommuner.",
            )
        )

        alis_views.register_lege_seksjon()
        for source in (*avtaler_frister.SOURCES, *alis_frister.SOURCES, *introduksjon_frister.SOURCES):
            frister.register(source)
        panels.register(
            panels.Panel(
                key="avtaler.fastlegeavtaler",
                title=_("Fastlegeavtaler"),
                template="avtaler/panel.html",
                context=views.panel_context,
                order=20,
            )
        )
