"""Optimistic concurrency for VersionedModel rows, shared by pages and the API.

The expected version is checked *in* the UPDATE (`WHERE id = … AND versjon = …`), so two writers
that read the same version cannot both succeed, whatever order their transactions commit in.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import transaction

from core.exceptions import StaleVersion
from core.models import VersionedModel

M = TypeVar("M", bound=VersionedModel)


def update_versioned(instance: M, *, expected_version: int, changes: dict[str, Any]) -> M:
    """Apply `changes` to `instance` if its stored version is still `expected_version`.

    Validates the changed instance with `full_clean()` first (Django ValidationError on bad
    values; nothing is written). Raises StaleVersion when the row has moved on. Returns the row
    as stored, with the version the database gave it.
    """
    model = type(instance)
    for field, value in changes.items():
        setattr(instance, field, value)
    instance.full_clean()
    with transaction.atomic():
        updated = model._base_manager.filter(pk=instance.pk, versjon=expected_version).update(**changes)
        if updated == 0:
            raise StaleVersion()
    instance.refresh_from_db()
    return instance


def delete_versioned(instance: VersionedModel, *, expected_version: int) -> None:
    """Delete `instance` if its stored version is still `expected_version`, else StaleVersion."""
    with transaction.atomic():
        deleted, _ = type(instance)._base_manager.filter(pk=instance.pk, versjon=expected_version).delete()
        if deleted == 0:
            raise StaleVersion()
