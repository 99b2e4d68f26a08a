"""The time convention, as code (see docs/time.md).

- Datetimes are stored aware (UTC in PostgreSQL) and shown in Europe/Oslo.
- Periods are half-open: [start, end). A period ending on 1 March does not include 1 March.
- "Today" is `timezone.localdate()`, never `date.today()` (the server may run in UTC).
- A local time without offset that does not exist (the hour skipped when summer time starts) or
  that occurs twice (the hour repeated when it ends) is rejected with a clear message, in forms
  and in the API alike.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField
from rest_framework import serializers

NONEXISTENT = "finnes_ikke"
AMBIGUOUS = "tvetydig"

MESSAGES = {
    NONEXISTENT: _(
        "Klokkeslettet %(value)s finnes ikke i norsk tid: klokken hoppes over når sommertiden starter. "
        "Oppgi et annet klokkeslett eller en UTC-forskyvning."
    ),
    AMBIGUOUS: _(
        "Klokkeslettet %(value)s forekommer to ganger i norsk tid: klokken stilles tilbake når sommertiden "
        "slutter. Oppgi UTC-forskyvning (+01:00 eller +02:00)."
    ),
}


def local_time_problem(value: dt.datetime, tz: dt.tzinfo | None = None) -> str | None:
    """For a naive local time, say whether it does not exist or is ambiguous in `tz`."""
    tz = tz or timezone.get_current_timezone()
    early = value.replace(tzinfo=tz, fold=0)
    late = value.replace(tzinfo=tz, fold=1)
    if early.utcoffset() == late.utcoffset():
        return None
    # In a gap, converting to UTC and back does not give the same wall-clock time.
    round_trip = early.astimezone(dt.UTC).astimezone(tz).replace(tzinfo=None)
    return NONEXISTENT if round_trip != value else AMBIGUOUS


def make_aware_strict(value: dt.datetime, tz: dt.tzinfo | None = None) -> dt.datetime:
    """Attach the local time zone to a naive datetime, refusing gap and overlap times."""
    if timezone.is_aware(value):
        return value
    tz = tz or timezone.get_current_timezone()
    problem = local_time_problem(value, tz)
    if problem:
        raise ValidationError(
            MESSAGES[problem], code=problem, params={"value": value.strftime("%d.%m.%Y %H:%M")}
        )
    return value.replace(tzinfo=tz)


class LocalDateTimeFormField(forms.DateTimeField):
    """A form field for local date-times that rejects gap and overlap times with a precise message."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError as exc:
            if exc.code != "ambiguous_timezone":
                raise
            # Django refused it with a generic message; say which of the two cases it is.
            return make_aware_strict(exc.params["datetime"])


class LocalIsoDateTimeFormField(LocalDateTimeFormField, IsoDateTimeField):
    """ISO 8601 input (query strings) with the same gap/overlap rule; an explicit offset is honoured."""


class LocalDateTimeSerializerField(serializers.DateTimeField):
    """API field: ISO 8601 with offset; without offset it is Oslo time, and gap/overlap is refused."""

    def enforce_timezone(self, value):
        if timezone.is_naive(value):
            try:
                value = make_aware_strict(value, self.default_timezone())
            except ValidationError as exc:
                raise serializers.ValidationError(exc.messages, code=exc.code) from exc
        return super().enforce_timezone(value)
