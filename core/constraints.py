"""Translate a database constraint violation into the ValidationError the model declares for it.

Services validate with `full_clean()` first; a concurrent writer can still break a constraint
between the check and the write, and the database then refuses it. This turns that refusal into
the same message, on the same field, instead of a 500.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _


def constraint_name(exc: IntegrityError) -> str | None:
    diag = getattr(getattr(exc, "__cause__", None), "diag", None)
    return getattr(diag, "constraint_name", None)


def translate(exc: IntegrityError, *model_classes: type[models.Model], fields: dict[str, str] | None = None) -> ValidationError:
    """A ValidationError for the violated constraint: its violation message, under the field
    `fields[name]` (or the constraint's only field), else as a general error."""
    name = constraint_name(exc)
    fields = fields or {}
    for model in model_classes:
        for constraint in model._meta.constraints:
            if constraint.name != name:
                continue
            message = constraint.get_violation_error_message()
            field = fields.get(name)
            if field is None and getattr(constraint, "fields", None) and len(constraint.fields) == 1:
                field = constraint.fields[0]
            return ValidationError({field or NON_FIELD_ERRORS: [message]}, code=name)
    return ValidationError(
        {NON_FIELD_ERRORS: [_("Endringen bryter en regel i databasen (%(regel)s).") % {"regel": name or "ukjent"}]},
        code=name or "integritet",
    )


def full_clean(obj, *, fields: dict[str, str] | None = None) -> None:
    """`obj.full_clean()`, with errors of multi-column constraints moved to the field named in
    `fields` (constraint name -> field), so forms and the API show them where the user typed."""
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise remap_constraint_errors(exc, type(obj), fields or {}) from exc


def remap_constraint_errors(exc: ValidationError, model, fields: dict[str, str]) -> ValidationError:
    if not hasattr(exc, "error_dict") or NON_FIELD_ERRORS not in exc.error_dict:
        return exc
    by_message = {
        str(c.get_violation_error_message()): fields[c.name] for c in model._meta.constraints if c.name in fields
    }
    errors = {key: list(value) for key, value in exc.error_dict.items() if key != NON_FIELD_ERRORS}
    for error in exc.error_dict[NON_FIELD_ERRORS]:
        message = " ".join(error.messages)
        errors.setdefault(by_message.get(message, NON_FIELD_ERRORS), []).append(error)
    return ValidationError(errors)


def save_new(obj, *, fields: dict[str, str] | None = None):
    """full_clean, then insert; a constraint broken by a concurrent writer gets the same message."""
    full_clean(obj, fields=fields)
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise translate(exc, type(obj), fields=fields) from exc
    return obj
