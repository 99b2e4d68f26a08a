from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Platform machinery shared by every app: API conventions, optimistic concurrency,
    idempotency keys, the task base class, the job registry and job runs, health."""

    name = "core"
    verbose_name = "Plattform"

    def ready(self) -> None:
        from core import checks, signals  # noqa: F401  (registers checks and the post_migrate sync)
        from core.context import install_audit_context
        from core.jobs import ScheduledJob, register

        install_audit_context()

        register(
            ScheduledJob(
                name="core.housekeeping",
                task="core.housekeeping",
                hour=3,
                minute=30,
                description="Sletter utløpte idempotensnøkler, gamle jobbkjøringer og utløpte innloggingsøkter.",
            )
        )
