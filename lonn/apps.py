from django.apps import AppConfig


class LonnConfig(AppConfig):
    """The payroll feed: every change of payable work published in order (change feed, snapshots,
    receipts) for the kommune's payroll system."""

    name = "lonn"
    verbose_name = "Lønn"

    def ready(self) -> None:
        from lonn import services

        services.ready()
