"""Platform models: the optimistic-concurrency base, idempotency keys and job runs."""

from __future__ import annotations

import pgtrigger
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

BUMP_VERSION_TRIGGER = "bump_versjon"


class VersionedModel(models.Model):
    """An updatable row with a version number the *database* bumps on every real change.

    The BEFORE UPDATE trigger runs for every writer — services, bulk `QuerySet.update()`, the
    admin, raw SQL — so the version (exposed as the HTTP ETag) can never silently stay the same
    after a change. Subclasses must keep the trigger: declare `class Meta(VersionedModel.Meta)`.
    A system check (core.checks) refuses a subclass that lost it.
    """

    versjon = models.BigIntegerField(_("versjon"), default=1, editable=False)
    endret = models.DateTimeField(_("sist endret"), default=timezone.now, editable=False)

    class Meta:
        abstract = True
        triggers = [
            pgtrigger.Trigger(
                name=BUMP_VERSION_TRIGGER,
                operation=pgtrigger.Update,
                when=pgtrigger.Before,
                condition=pgtrigger.Condition("OLD.* IS DISTINCT FROM NEW.*"),
                func="NEW.versjon := OLD.versjon + 1; NEW.endret := clock_timestamp(); RETURN NEW;",
            )
        ]


class IdempotencyKey(models.Model):
    """A POST that was carried out under an `Idempotency-Key`, with the response to replay.

    Written in the same transaction as the POST's effect, so either both exist or neither does.
    Unique per principal (user or integration client) and key.
    """

    principal = models.CharField(max_length=100)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 av metode, sti og innhold.")
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=2000)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField(null=True)
    response_headers = models.JSONField(default=dict)
    created = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("idempotensnøkkel")
        verbose_name_plural = _("idempotensnøkler")
        constraints = [
            models.UniqueConstraint(fields=["principal", "key"], name="idempotency_key_unique_per_principal"),
            models.CheckConstraint(
                condition=models.Q(response_status__gte=200, response_status__lt=500),
                name="idempotency_key_never_stores_5xx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.principal}:{self.key}"


class JobRun(models.Model):
    """One run of a scheduled job: when it started and finished, how it ended, what it counted."""

    class Outcome(models.TextChoices):
        RUNNING = "kjorer", _("kjører")
        OK = "ok", _("fullført")
        FAILED = "feilet", _("feilet")

    job = models.CharField(_("jobb"), max_length=100, db_index=True)
    task_id = models.CharField(max_length=255, blank=True)
    started = models.DateTimeField(_("startet"), default=timezone.now)
    finished = models.DateTimeField(_("ferdig"), null=True, blank=True)
    outcome = models.CharField(_("utfall"), max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    counts = models.JSONField(_("tellinger"), default=dict, blank=True)
    error = models.TextField(_("feil"), blank=True)

    class Meta:
        verbose_name = _("jobbkjøring")
        verbose_name_plural = _("jobbkjøringer")
        ordering = ["-started"]
        indexes = [models.Index(fields=["job", "-started"], name="jobrun_job_started")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(finished__isnull=True) | models.Q(finished__gte=models.F("started")),
                name="jobrun_finished_after_started",
            ),
            models.CheckConstraint(
                condition=models.Q(outcome="kjorer", finished__isnull=True)
                | (~models.Q(outcome="kjorer") & models.Q(finished__isnull=False)),
                name="jobrun_finished_iff_not_running",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.job} {self.started:%Y-%m-%d %H:%M} {self.outcome}"
