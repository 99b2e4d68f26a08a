"""The time convention: local times that do not exist or occur twice at a DST change are refused."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.core.exceptions import ValidationError
from rest_framework import serializers

from core.timefields import (
    AMBIGUOUS,
    NONEXISTENT,
    LocalDateTimeFormField,
    LocalDateTimeSerializerField,
    local_time_problem,
)

OSLO = ZoneInfo("Europe/Oslo")


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (dt.datetime(2026, 3, 29, 2, 30), NONEXISTENT),  # summer time starts: 02:00 → 03:00
        (dt.datetime(2026, 10, 25, 2, 30), AMBIGUOUS),  # summer time ends: 03:00 → 02:00
        (dt.datetime(2026, 3, 29, 3, 0), None),
        (dt.datetime(2026, 10, 25, 3, 0), None),
        (dt.datetime(2026, 6, 1, 2, 30), None),
    ],
)
def test_local_time_problem(value, problem):
    assert local_time_problem(value, OSLO) == problem


class ShiftForm(forms.Form):
    start = LocalDateTimeFormField()


@pytest.mark.parametrize(
    ("value", "fragment"), [("2026-03-29 02:30", "finnes ikke"), ("2026-10-25 02:15", "forekommer to ganger")]
)
def test_form_rejects_gap_and_overlap_times_with_a_precise_message(value, fragment):
    form = ShiftForm(data={"start": value})
    assert not form.is_valid()
    assert fragment in form.errors["start"][0]


def test_form_accepts_ordinary_local_time_as_oslo_time():
    form = ShiftForm(data={"start": "2026-10-25 03:30"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["start"] == dt.datetime(2026, 10, 25, 3, 30, tzinfo=OSLO)
    assert form.cleaned_data["start"].utcoffset() == dt.timedelta(hours=1)


def test_plain_django_form_fields_also_refuse_gap_times():
    class PlainForm(forms.Form):
        start = forms.DateTimeField()

    assert not PlainForm(data={"start": "2026-03-29 02:30"}).is_valid()


class ShiftSerializer(serializers.Serializer):
    start = LocalDateTimeSerializerField()


def test_serializer_rejects_gap_time_without_offset():
    serializer = ShiftSerializer(data={"start": "2026-03-29T02:30"})
    assert not serializer.is_valid()
    assert "finnes ikke" in str(serializer.errors["start"][0])


def test_serializer_accepts_overlap_time_with_explicit_offset():
    serializer = ShiftSerializer(data={"start": "2026-10-25T02:30+01:00"})
    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data["start"].utcoffset() == dt.timedelta(hours=1)


def test_make_aware_strict_is_a_validation_error_with_code():
    from core.timefields import make_aware_strict

    with pytest.raises(ValidationError) as info:
        make_aware_strict(dt.datetime(2026, 10, 25, 2, 30), OSLO)
    assert info.value.code == AMBIGUOUS


@pytest.mark.parametrize(
    ("value", "fragment"),
    [("2026-05-01T10:00:00-23:13", "UTC-forskyvningen"), ("0594-03-08T05:21:53+01:00", "mellom år"), ("3100-01-01T00:00", "mellom år")],
)
def test_offsets_and_years_no_real_record_has_are_refused(value, fragment):
    from core.timefields import LocalIsoDateTimeFormField

    with pytest.raises(ValidationError) as info:
        LocalIsoDateTimeFormField().clean(value)
    assert fragment in info.value.messages[0]
    serializer = ShiftSerializer(data={"start": value})
    assert not serializer.is_valid()
