"""Optimistic concurrency for VersionedModel rows, shared by pages and the API.

The expected version is checked *in* the write (`WHERE id = … AND versjon = …`, or a row lock taken
with that condition), so two writers that read the same version cannot both succeed, whatever
order their transactions commit in.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _

from core.exceptions import StaleVersion
from core.models import VersionedModel

M = TypeVar("M", bound=VersionedModel)


def update_versioned(instance: M, *, expected_version: int, changes: dict[str, Any]) -> M:
    """Apply `changes` to `instance` if its stored version is still `expected_version`.

    Validates the changed instance with `full_clean()` first (Django ValidationError on bad
    values; nothing is written). Raises StaleVersion when the row has moved on. Returns the row
    as stored, with the version the database gave it. No changes: nothing is written, but a stale
    version is still refused.
    """
    model = type(instance)
    current = model._base_manager.filter(pk=instance.pk, versjon=expected_version)
    if not changes:
        if not current.exists():
            raise StaleVersion()
        return instance
    for field, value in changes.items():
        setattr(instance, field, value)
    instance.full_clean()
    try:
        with transaction.atomic():
            if current.update(**changes) == 0:
                raise StaleVersion()
    except IntegrityError as exc:  # a concurrent write broke a constraint full_clean had passed
        raise ValidationError(_("Endringen kom i konflikt med en annen endring. Prøv igjen.")) from exc
    instance.refresh_from_db()
    return instance


def delete_versioned(instance: VersionedModel, *, expected_version: int) -> None:
    """Delete `instance` if its stored version is still `expected_version`, else StaleVersion.

    The row is locked under the version condition first, so no update can slip in between the
    check and the delete (Django's collector may delete in several statements).
    """
    model = type(instance)
    with transaction.atomic():
        locked = model._base_manager.select_for_update().filter(pk=instance.pk, versjon=expected_version).first()
        if locked is None:
            raise StaleVersion()
        try:
            locked.delete()
        except (ProtectedError, RestrictedError) as exc:
            raise ValidationError(_("Kan ikke slettes fordi andre opplysninger viser til det.")) from exc
