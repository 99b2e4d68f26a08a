from django.db.models.signals import post_migrate
from django.dispatch import receiver


@receiver(post_migrate, dispatch_uid="core.sync_beat_schedule")
def sync_beat_schedule_after_migrate(sender, app_config, using, **kwargs) -> None:
    """Keep django-celery-beat's schedule equal to the job registry after every migrate."""
    if app_config.label != "core":
        return
    from core.jobs import sync_beat_schedule

    sync_beat_schedule()
