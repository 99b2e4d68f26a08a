"""Reads about exemptions from legevakt. The type, grounds and decision details are health data:
`helse=True` only for the kommuneoverlege (kommune.permissions.kan_se_helseopplysninger). Others
see granted exemptions only, as «fritatt fra legevakt fra–til» with the scope — a refused request
is not an exemption and would reveal that one was made."""

from __future__ import annotations

import datetime as dt

from django.db.models import DateField, ExpressionWrapper, F, QuerySet
from django.db.models.functions import Cast
from django.shortcuts import get_object_or_404

from legevakt.models import Fritak, Vedtaksutfall

# What someone without access to health data may see of an exemption.
OFFENTLIGE_FELT = ("id", "lege", "fra", "til", "omfang")


def fritak_list(*, helse: bool, lege_id: int | None = None) -> QuerySet[Fritak]:
    """The kommune's exemptions, doctor joined (one query), newest first per doctor."""
    queryset = Fritak.objects.select_related("lege").order_by("lege__etternavn", "lege__fornavn", "-fra", "id")
    # `til` is the first day not covered; people read «fra–til» as inclusive, so the pages show the last day.
    queryset = queryset.annotate(siste_dag=Cast(ExpressionWrapper(F("til") - dt.timedelta(days=1), output_field=DateField()),
                                                DateField()))
    if not helse:
        queryset = queryset.filter(utfall=Vedtaksutfall.INNVILGET)
    if lege_id is not None:
        queryset = queryset.filter(lege_id=lege_id)
    return queryset


def get_fritak(pk: int, *, helse: bool) -> Fritak:
    return get_object_or_404(fritak_list(helse=helse), pk=pk)
