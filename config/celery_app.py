"""The Celery application: Redis broker, JSON only, settings under the CELERY_ namespace.

Every task uses core.tasks.ScopedTask as its base: it re-enters the kommune scope and the audit
actor from the task's arguments. Schedules live in the database (django-celery-beat) and are
synchronised from the job registry in core.jobs after each migrate.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("fastlege", task_cls="core.tasks:ScopedTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
