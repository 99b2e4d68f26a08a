from django.apps import AppConfig


class LegevaktConfig(AppConfig):
    """Legevakt districts, duty rosters, exemptions and duty-load figures."""

    name = "legevakt"
    verbose_name = "Legevakt"

    def ready(self) -> None:
        # Each area registers its jobs, background job types, doctor-page sections and deadline sources.
        from legevakt import belastning_jobb, distrikt_services, fritak_services, kalender, vakt_services

        for module in (distrikt_services, fritak_services, vakt_services, kalender, belastning_jobb):
            module.ready()
