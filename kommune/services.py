"""Writes about kommuner. Pages, the API, commands and tasks all go through these."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.concurrency import delete_versioned, update_versioned
from kommune.models import DUPLICATE_FIGURE_CODE, DUPLICATE_FIGURE_MESSAGE, Innbyggertall, Kommune

# What a kommune may change about itself; name, number and fylke come from the national register.
EDITABLE_KOMMUNE_FIELDS = frozenset({"sentralitetsklasse", "avtaleregime", "malform"})


def update_kommune(*, kommune: Kommune, expected_version: int, **changes) -> Kommune:
    """Change the kommune's editable settings, if nobody changed it since `expected_version`."""
    unknown = set(changes) - EDITABLE_KOMMUNE_FIELDS
    if unknown:
        raise ValidationError({field: _("Dette feltet kan ikke endres.") for field in sorted(unknown)})
    return update_versioned(kommune, expected_version=expected_version, changes=changes)


def record_innbyggertall(*, kommune: Kommune, gjelder_fra: dt.date, antall: int, kilde: str) -> Innbyggertall:
    """Record the kommune's population from a date. One figure per kommune and date."""
    figure = Innbyggertall(kommune=kommune, gjelder_fra=gjelder_fra, antall=antall, kilde=kilde)
    duplicate = ValidationError({"gjelder_fra": [DUPLICATE_FIGURE_MESSAGE]}, code=DUPLICATE_FIGURE_CODE)
    try:
        figure.full_clean()
    except ValidationError as exc:
        if any(error.code == DUPLICATE_FIGURE_CODE for error in exc.error_dict.get(NON_FIELD_ERRORS, [])):
            raise duplicate from exc
        raise
    try:
        with transaction.atomic():
            figure.save()
    except IntegrityError as exc:  # a concurrent insert of the same date, after full_clean passed
        raise duplicate from exc
    return figure


def delete_innbyggertall(*, innbyggertall: Innbyggertall, expected_version: int) -> None:
    """Delete a wrongly entered figure. The kommune keeps at least one figure."""
    with transaction.atomic():
        # Lock the kommune row so two concurrent deletes cannot remove the last two figures.
        Kommune.objects.select_for_update().get(pk=innbyggertall.kommune_id)
        if not Innbyggertall.objects.filter(kommune_id=innbyggertall.kommune_id).exclude(pk=innbyggertall.pk).exists():
            raise ValidationError(_("Kommunen må ha minst ett innbyggertall; det siste kan ikke slettes."))
        delete_versioned(innbyggertall, expected_version=expected_version)
