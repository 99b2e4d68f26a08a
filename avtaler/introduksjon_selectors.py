"""Reads about introduksjonsavtaler. The list is one query (plus one for the participants)
whatever the number of rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import (
    Case,
    CharField,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from avtaler.models import Alisavtale, Introduksjonsavtale, IntroduksjonsFastlege
from core.history import actor_of
from kommune import selectors as kommune_selectors


class IntroduksjonStatus:
    UTKAST = "utkast"
    KOMMENDE = "kommende"
    AKTIV = "aktiv"
    OPPHORT = "opphort"


STATUS_CHOICES = [
    (IntroduksjonStatus.UTKAST, _("Ikke signert")),
    (IntroduksjonStatus.KOMMENDE, _("Signert, ikke begynt")),
    (IntroduksjonStatus.AKTIV, _("Løpende")),
    (IntroduksjonStatus.OPPHORT, _("Opphørt")),
]
STATUS_LABELS = dict(STATUS_CHOICES)


def _deltakere() -> Prefetch:
    return Prefetch(
        "deltakere",
        queryset=IntroduksjonsFastlege.objects.select_related("fastlegeavtale__lege", "fastlegeavtale__pasientliste__legekontor")
        .order_by("fastlegeavtale__lege__etternavn", "fastlegeavtale__lege__fornavn", "id"),
    )


def introduksjonsavtale_list(*, on: dt.date | None = None) -> QuerySet[Introduksjonsavtale]:
    """The kommune's introduksjonsavtaler with the number of participating fastleger
    (`antall_fastleger`), the linked ALIS-avtale (`alisavtale_id`, the latest when several) and a
    derived `status` as of `on` (default today); the participants are prefetched."""
    day = on or timezone.localdate()
    antall = (
        IntroduksjonsFastlege.objects.filter(introduksjonsavtale=OuterRef("pk")).order_by()
        .values("introduksjonsavtale").annotate(antall=Count("id")).values("antall")
    )
    alis = Alisavtale.objects.filter(introduksjonsavtale=OuterRef("pk")).order_by("-startdato", "-id").values("pk")[:1]
    return (
        Introduksjonsavtale.objects.select_related("lege", "legekontor")
        .prefetch_related(_deltakere())
        .annotate(
            antall_fastleger=Coalesce(Subquery(antall, output_field=IntegerField()), 0),
            alisavtale_id=Subquery(alis, output_field=IntegerField()),
            status=Case(
                When(sluttdato__lte=day, then=Value(IntroduksjonStatus.OPPHORT)),
                When(signert__isnull=True, then=Value(IntroduksjonStatus.UTKAST)),
                When(startdato__gt=day, then=Value(IntroduksjonStatus.KOMMENDE)),
                default=Value(IntroduksjonStatus.AKTIV),
                output_field=CharField(),
            ),
        )
        .order_by("-startdato", "lege__etternavn", "id")
    )


def get_introduksjonsavtale(*, pk: int, on: dt.date | None = None) -> Introduksjonsavtale:
    return get_object_or_404(introduksjonsavtale_list(on=on), pk=pk)


def alisavtaler_for(*, avtale: Introduksjonsavtale) -> QuerySet[Alisavtale]:
    """The ALIS-avtaler linked to the introduksjonsavtale, and the doctor's other ALIS-avtaler in the
    kommune (`knyttet` says which)."""
    return (
        Alisavtale.objects.filter(Q(introduksjonsavtale=avtale) | Q(lege_id=avtale.lege_id))
        .annotate(knyttet=Case(When(introduksjonsavtale=avtale, then=Value(True)), default=Value(False)))
        .order_by("-knyttet", "-startdato", "-id")
    )


def ending_or_unsigned(*, fra: dt.date, til: dt.date) -> QuerySet[Introduksjonsavtale]:
    """For the deadlines: avtaler ending in [fra, til], and unsigned ones starting by `til` that
    have not ended, with `har_alis` (a linked ALIS-avtale ends with it). One query."""
    return (
        Introduksjonsavtale.objects.select_related("lege", "legekontor")
        .filter(Q(sluttdato__gte=fra, sluttdato__lte=til) | Q(signert__isnull=True, startdato__lte=til, sluttdato__gt=fra))
        .annotate(har_alis=Coalesce(Subquery(
            Alisavtale.objects.filter(introduksjonsavtale=OuterRef("pk")).order_by().values("introduksjonsavtale")
            .annotate(n=Count("id")).values("n"), output_field=IntegerField()), 0))
        .order_by("sluttdato", "id")
    )


@dataclass(frozen=True)
class DeltakerEndring:
    tidspunkt: dt.datetime
    hendelse: str
    aktor_navn: str
    lege: str
    liste: str


def deltaker_historikk(*, avtale: Introduksjonsavtale) -> list[DeltakerEndring]:
    """Participants added to and removed from the avtale, newest first (the participant rows'
    own history; the avtale's history shows its fields). Constant queries."""
    event_model: Any = apps.get_model("avtaler", "IntroduksjonsFastlegeEvent")
    events = list(
        event_model.objects.filter(introduksjonsavtale_id=avtale.pk)
        .select_related("pgh_context", "fastlegeavtale__lege", "fastlegeavtale__pasientliste__legekontor")
        .order_by("-pgh_created_at", "-pgh_id")
    )
    actors = {actor_of(e.pgh_context.metadata if e.pgh_context_id else None) for e in events}
    names = kommune_selectors.actor_names(actors) if actors else {}
    out = []
    for event in events:
        actor = actor_of(event.pgh_context.metadata if event.pgh_context_id else None)
        fastlege = event.fastlegeavtale
        out.append(DeltakerEndring(
            tidspunkt=event.pgh_created_at, hendelse=event.pgh_label, aktor_navn=names.get(actor, actor),
            lege=fastlege.lege.navn if fastlege else str(event.fastlegeavtale_id),
            liste=str(fastlege.pasientliste) if fastlege else "",
        ))
    return out
