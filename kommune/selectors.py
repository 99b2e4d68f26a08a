"""Reads about kommuner. Population is always the dated figure in force on the day asked about."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from kommune.models import Innbyggertall, Kommune, kommunenummer_validator


def _figure_on(day: dt.date, field: str) -> Subquery:
    return Subquery(
        Innbyggertall.objects.filter(kommune=OuterRef("pk"), gjelder_fra__lte=day)
        .order_by("-gjelder_fra")
        .values(field)[:1]
    )


def kommune_list(*, on: dt.date | None = None) -> QuerySet[Kommune]:
    """All kommuner with `innbyggere` and `innbyggere_gjelder_fra` as of `on` (default today).

    One query whatever the number of kommuner or figures.
    """
    day = on or timezone.localdate()
    return Kommune.objects.annotate(
        innbyggere=_figure_on(day, "antall"), innbyggere_gjelder_fra=_figure_on(day, "gjelder_fra")
    ).order_by("kommunenummer")


def get_kommune(*, kommunenummer: str) -> Kommune:
    """The kommune with this number (annotated as in kommune_list). Django ValidationError when
    the number is malformed, Http404 when no such kommune exists."""
    try:
        kommunenummer_validator(kommunenummer)
    except ValidationError as exc:
        raise ValidationError({"kommunenummer": exc.messages}) from exc
    try:
        return kommune_list().get(kommunenummer=kommunenummer)
    except Kommune.DoesNotExist as exc:
        raise Http404("Fant ingen kommune med dette kommunenummeret.") from exc


def innbyggertall_for(*, kommune: Kommune) -> QuerySet[Innbyggertall]:
    return Innbyggertall.objects.filter(kommune=kommune).order_by("-gjelder_fra")
