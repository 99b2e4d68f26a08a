"""Tenancy: one mechanism, fail closed.

Tenant-owned models use `TenantManager` as both default and base manager. Every query through it
is filtered to the kommune of the current scope (core.context), and raises `NoTenantScope` when
no kommune is in scope. The only way around it is the explicit, greppable

    with unscoped(reason="..."):

used by migrations, the operator admin, authentication (a user's own roles) and cross-kommune jobs.

The holes it closes:
- Related-object access (`figure.kommune`, `kommune.innbyggertall.all()`, prefetches, deletes and
  `refresh_from_db`) goes through the *base* manager; tenant models set it to the scoped one, so
  following a foreign key into another kommune finds nothing.
- Uniqueness validation (`validate_unique`, `UniqueConstraint.validate`, DRF's validators) runs
  through the default manager, i.e. scoped; so a tenant model's unique constraints must include the
  tenant column (system check core.E003) — otherwise a clash with another kommune's row would go
  unseen by validation, or, if validation were unscoped, reveal that row.

Shared data is explicit: a model overrides `tenant_filter()` to say which rows a kommune may see
(e.g. a national doctor record visible where the doctor has an engagement).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

from django.db import models
from django.db.models import Q

from core.context import current_kommune_id


class NoTenantScope(RuntimeError):
    """A tenant-owned model was queried with no kommune in scope."""


_unscoped_reason: contextvars.ContextVar[str | None] = contextvars.ContextVar("unscoped_reason", default=None)


@contextlib.contextmanager
def unscoped(*, reason: str) -> Iterator[None]:
    """See every kommune's rows for the duration of the block. State why."""
    if not reason or not reason.strip():
        raise ValueError("unscoped() krever en begrunnelse (reason=...).")
    token = _unscoped_reason.set(reason)
    try:
        yield
    finally:
        _unscoped_reason.reset(token)


def is_unscoped() -> bool:
    return _unscoped_reason.get() is not None


class TenantManager(models.Manager):
    """Filters to the kommune in scope; raises without one. Never used in migrations (their
    historical models get a plain manager)."""

    use_in_migrations = False

    def get_queryset(self) -> models.QuerySet:
        queryset = super().get_queryset()
        if is_unscoped():
            return queryset
        kommune_id = current_kommune_id()
        if kommune_id is None:
            raise NoTenantScope(
                f"{self.model._meta.label} er kommunedata, men ingen kommune er valgt i denne konteksten. "
                "Bruk core.context.scope(kommune_id=...) eller core.tenancy.unscoped(reason=...)."
            )
        return queryset.filter(self.model.tenant_filter(kommune_id))

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            check_writable(obj)
        return super().bulk_create(objs, *args, **kwargs)

    def none(self) -> models.QuerySet:
        """An empty queryset needs no scope (schema generation inspects views this way)."""
        return super().get_queryset().none()


def check_writable(obj) -> None:
    """Saving or deleting a row is allowed for the kommune in scope only (or unscoped)."""
    if is_unscoped():
        return
    kommune_id = current_kommune_id()
    if kommune_id is None:
        raise NoTenantScope(f"{obj._meta.label} kan ikke endres uten en kommune i konteksten.")
    if not obj.tenant_writable(kommune_id):
        raise NoTenantScope(f"{obj._meta.label} tilhører en annen kommune enn den i konteksten.")


class TenantModel(models.Model):
    """A row owned by one kommune (`tenant_field`, a foreign key to kommune.Kommune by default).

    Subclasses with their own Meta must inherit it: `class Meta(TenantModel.Meta)`, or for a
    versioned model `class Meta(TenantModel.Meta, VersionedModel.Meta)`; check core.E002.
    """

    tenant_field = "kommune"
    # Shared (national) rows seen by several kommuner, e.g. a doctor's record: their uniqueness is
    # national (core.E003 does not apply) and `tenant_filter`/`tenant_writable` say who sees/writes.
    tenant_shared = False

    objects = TenantManager()

    class Meta:
        abstract = True
        base_manager_name = "objects"

    def save(self, *args, **kwargs):
        check_writable(self)
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        check_writable(self)
        return super().delete(*args, **kwargs)

    @classmethod
    def tenant_filter(cls, kommune_id: int) -> Q:
        """The rows kommune `kommune_id` may see."""
        return Q(**{f"{cls.tenant_field}_id": kommune_id})

    def tenant_writable(self, kommune_id: int) -> bool:
        """May kommune `kommune_id` save or delete this row? Its own rows only, by default."""
        owner = self.pk if self.tenant_field == "id" else getattr(self, self._meta.get_field(self.tenant_field).attname)
        return owner == kommune_id

    @classmethod
    def tenant_column(cls) -> str:
        return cls.tenant_field
