"""Reads about fastlegeavtaler. List queries are one SQL statement whatever the number of rows."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, CharField, DateField, Exists, F, OuterRef, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from avtaler.models import Fastlegeavtale, HelfoMelding, KommunalOppgave, ListetakEndring, Oppsigelse, Vedtak


class AvtaleStatus:
    UTKAST = "utkast"
    AKTIV = "aktiv"
    OPPSAGT = "oppsagt"
    OPPHORT = "opphort"


def avtale_list(*, on: dt.date | None = None) -> QuerySet[Fastlegeavtale]:
    """The kommune's avtaler with `opphorer` (the end that applies: notice, extension or the
    70th birthday, via the period on the list) and a derived `status`. One query."""
    day = on or timezone.localdate()
    return (
        Fastlegeavtale.objects.select_related("lege", "pasientliste__legekontor", "legeperiode")
        .annotate(opphorer=Coalesce(F("legeperiode__til"), F("sluttdato"), output_field=DateField()))
        .annotate(
            status=Case(
                When(signert__isnull=True, then=Value(AvtaleStatus.UTKAST)),
                When(opphorer__isnull=False, opphorer__lte=day, then=Value(AvtaleStatus.OPPHORT)),
                When(Exists(Oppsigelse.objects.filter(avtale=OuterRef("pk"), trukket__isnull=True)), then=Value(AvtaleStatus.OPPSAGT)),
                default=Value(AvtaleStatus.AKTIV),
                output_field=CharField(),
            )
        )
        .order_by("lege__etternavn", "lege__fornavn", "id")
    )


def get_avtale(*, pk: int) -> Fastlegeavtale:
    return get_object_or_404(avtale_list(), pk=pk)


def listetak_endringer_for(*, avtale: Fastlegeavtale) -> QuerySet[ListetakEndring]:
    return ListetakEndring.objects.filter(avtale=avtale).prefetch_related("trinn").order_by("-mottatt", "-id")


def oppsigelser_for(*, avtale: Fastlegeavtale) -> QuerySet[Oppsigelse]:
    return Oppsigelse.objects.filter(avtale=avtale).order_by("-mottatt", "-id")


def oppgaver_for(*, avtale: Fastlegeavtale) -> QuerySet[KommunalOppgave]:
    return KommunalOppgave.objects.filter(avtale=avtale).order_by("fra", "id")


def vedtak_list() -> QuerySet[Vedtak]:
    return Vedtak.objects.select_related("avtale__lege").order_by("-vedtaksdato", "-id")


def helfomeldinger(*, status: str | None = None) -> QuerySet[HelfoMelding]:
    queryset = HelfoMelding.objects.select_related("avtale__lege").order_by("-opprettet", "-id")
    return queryset.filter(status=status) if status else queryset
