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
OUT_OF_RANGE = "utenfor_omraade"
BAD_OFFSET = "ugyldig_forskyvning"

# Real UTC offsets lie between −12:00 and +14:00; PostgreSQL refuses beyond ±15:59.
MAX_OFFSET = dt.timedelta(hours=14)
EARLIEST_YEAR, LATEST_YEAR = 1900, 2999

MESSAGES = {
    NONEXISTENT: _(
        "Klokkeslettet %(value)s finnes ikke i norsk tid: klokken hoppes over når sommertiden starter. "
        "Oppgi et annet klokkeslett eller en UTC-forskyvning."
    ),
    AMBIGUOUS: _(
        "Klokkeslettet %(value)s forekommer to ganger i norsk tid: klokken stilles tilbake når sommertiden "
        "slutter. Oppgi UTC-forskyvning (+01:00 eller +02:00)."
    ),
    OUT_OF_RANGE: _("Tidspunktet må ligge mellom år %(min)d og %(max)d."),
    BAD_OFFSET: _("UTC-forskyvningen må ligge mellom −14:00 og +14:00."),
}


def check_range(value: dt.datetime) -> dt.datetime:
    """Refuse offsets and years no real record has (they would also overflow in the database)."""
    offset = value.utcoffset()
    if offset is not None and abs(offset) > MAX_OFFSET:
        raise ValidationError(MESSAGES[BAD_OFFSET], code=BAD_OFFSET)
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValidationError(
            MESSAGES[OUT_OF_RANGE], code=OUT_OF_RANGE, params={"min": EARLIEST_YEAR, "max": LATEST_YEAR}
        )
    return value


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
            result = super().to_python(value)
        except ValidationError as exc:
            if exc.code != "ambiguous_timezone":
                raise
            # Django refused it with a generic message; say which of the two cases it is.
            result = make_aware_strict(exc.params["datetime"])
        return check_range(result) if result is not None else None


class LocalIsoDateTimeFormField(LocalDateTimeFormField, IsoDateTimeField):
    """ISO 8601 input (query strings) with the same gap/overlap rule; an explicit offset is honoured."""


class LocalDateTimeSerializerField(serializers.DateTimeField):
    """API field: ISO 8601 with offset; without offset it is Oslo time, and gap/overlap is refused."""

    def enforce_timezone(self, value):
        try:
            value = check_range(make_aware_strict(value, self.default_timezone()))
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages, code=exc.code) from exc
        return super().enforce_timezone(value)
