"""The base for management commands that change data: they run as an audited actor.

`AuditedCommand.handle()` runs inside core.context.scope with the actor "kommando:<name>" and the
operating-system user in the history metadata ("kjort_av"), with no kommune in scope: commands that
work on a kommune's data enter its scope (`self.kommune_scope(kommune)`).
"""

from __future__ import annotations

import contextlib
import getpass

from django.core.management.base import BaseCommand

from core.context import current_actor, scope


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers)
        return "ukjent"


class AuditedCommand(BaseCommand):
    def command_name(self) -> str:
        return self.__class__.__module__.rsplit(".", 1)[-1]

    def execute(self, *args, **options):
        with scope(kommune_id=None, actor=f"kommando:{self.command_name()}", kjort_av=_os_user()):
            return super().execute(*args, **options)

    @contextlib.contextmanager
    def kommune_scope(self, kommune):
        with scope(kommune_id=kommune.pk, actor=current_actor(), kjort_av=_os_user()):
            yield
