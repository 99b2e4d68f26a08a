"""Reads about lists. Each list query is one SQL statement whatever the number of lists: the
figures, status and who serves the list are correlated subqueries, not per-row lookups.

Status is derived (fastlegeforskriften § 10): a list is *lukket* when listelengde ≥ listetak,
*åpen* otherwise, unless the kommune has locked it by hand (*låst*). Free places ("ledige
plasser") follow Helsedirektoratet's definition, listetak − listelengde (see
kommune.regler.LEDIGE_PLASSER_DEFINISJON); negative when a list is over its listetak.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat
from django.shortcuts import get_object_or_404
from django.utils import timezone

from kommune import regler
from lister.models import Legekontor, Legeperiode, Listetall, Pasientliste, Rolle


class Status:
    APEN = "apen"
    LUKKET = "lukket"
    LAST = "last"
    OPPHORT = "opphort"


def active_on(day: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}fra__lte": day}) & (Q(**{f"{prefix}til__isnull": True}) | Q(**{f"{prefix}til__gt": day}))


def _names(day: dt.date, rolle: str) -> Subquery:
    return Subquery(
        Legeperiode.objects.filter(active_on(day), pasientliste=OuterRef("pk"), rolle=rolle)
        .order_by()
        .values("pasientliste")
        .annotate(navn=StringAgg(Concat("lege__fornavn", Value(" "), "lege__etternavn", output_field=CharField()), ", ", order_by="lege__etternavn"))
        .values("navn")
    )


def _latest_figure(day: dt.date, field: str) -> Subquery:
    return Subquery(
        Listetall.objects.filter(pasientliste=OuterRef("pk"), dato__lte=day).order_by("-dato").values(field)[:1]
    )


def pasientliste_list(*, on: dt.date | None = None) -> QuerySet[Pasientliste]:
    """The kommune's lists with, as of `on` (default today): listelengde and venteliste (latest
    figure), ledige_plasser, status, fastleger and vikarer (names), har_fastlege. One query."""
    day = on or timezone.localdate()
    return (
        Pasientliste.objects.select_related("legekontor")
        .annotate(
            listelengde=_latest_figure(day, "listelengde"),
            listelengde_dato=_latest_figure(day, "dato"),
            venteliste=Coalesce(_latest_figure(day, "venteliste"), 0),
            fastleger=Coalesce(_names(day, Rolle.FASTLEGE), Value(""), output_field=CharField()),
            vikarer=Coalesce(_names(day, Rolle.VIKAR), Value(""), output_field=CharField()),
            har_fastlege=Exists(Legeperiode.objects.filter(active_on(day), pasientliste=OuterRef("pk"), rolle=Rolle.FASTLEGE)),
        )
        .annotate(
            ledige_plasser=F("listetak") - Coalesce(F("listelengde"), 0),
            status=Case(
                When(Q(gyldig_til__isnull=False, gyldig_til__lte=day) | Q(gyldig_fra__gt=day), then=Value(Status.OPPHORT)),
                When(manuelt_last=True, then=Value(Status.LAST)),
                When(listelengde__gte=F("listetak"), then=Value(Status.LUKKET)),
                default=Value(Status.APEN),
            ),
        )
        .order_by("legekontor__navn", "id")
    )


def get_pasientliste(*, pk: int, on: dt.date | None = None) -> Pasientliste:
    return get_object_or_404(pasientliste_list(on=on), pk=pk)


def legekontor_list() -> QuerySet[Legekontor]:
    return Legekontor.objects.annotate(antall_lister=Count("lister")).order_by("navn")


def perioder_for(*, liste: Pasientliste) -> QuerySet[Legeperiode]:
    return Legeperiode.objects.filter(pasientliste=liste).select_related("lege", "vikar_for").order_by("-fra", "id")


def periode_queryset() -> QuerySet[Legeperiode]:
    return Legeperiode.objects.select_related("lege", "pasientliste")


def perioder_for_lege(*, lege_id: int) -> QuerySet[Legeperiode]:
    """The doctor's periods on this kommune's lists."""
    return Legeperiode.objects.filter(lege_id=lege_id).select_related("pasientliste__legekontor").order_by("-fra")


def listetall_for(*, liste: Pasientliste) -> QuerySet[Listetall]:
    return Listetall.objects.filter(pasientliste=liste).order_by("-dato")


@dataclass(frozen=True)
class Kapasitet:
    """The kommune's capacity on a day, after Helsedirektoratet's definitions."""

    lister: int
    lister_uten_fastlege: int
    apne_lister: int
    listetak: int
    listelengde: int
    ledige_plasser: int
    listetak_med_fastlege: int
    ledige_plasser_med_fastlege: int
    venteliste: int
    definisjon: str = regler.LEDIGE_PLASSER_DEFINISJON


def kapasitet(*, on: dt.date | None = None) -> Kapasitet:
    """Sum of listetak minus sum of listelengde, for all lists and for lists with a fastlege. One query."""
    day = on or timezone.localdate()
    rows = pasientliste_list(on=day).exclude(status=Status.OPPHORT).order_by()
    length = Coalesce(F("listelengde"), 0)
    with_gp = Q(har_fastlege=True)
    totals = rows.aggregate(
        lister=Count("id"),
        lister_uten_fastlege=Count("id", filter=~with_gp),
        apne_lister=Count("id", filter=Q(status=Status.APEN)),
        listetak_sum=Coalesce(Sum("listetak"), 0),
        listelengde_sum=Coalesce(Sum(length), 0),
        listetak_fastlege=Coalesce(Sum("listetak", filter=with_gp), 0),
        listelengde_fastlege=Coalesce(Sum(length, filter=with_gp), 0),
        venteliste_sum=Coalesce(Sum("venteliste"), 0),
    )
    return Kapasitet(
        lister=totals["lister"],
        lister_uten_fastlege=totals["lister_uten_fastlege"],
        apne_lister=totals["apne_lister"],
        listetak=totals["listetak_sum"],
        listelengde=totals["listelengde_sum"],
        ledige_plasser=totals["listetak_sum"] - totals["listelengde_sum"],
        listetak_med_fastlege=totals["listetak_fastlege"],
        ledige_plasser_med_fastlege=totals["listetak_fastlege"] - totals["listelengde_fastlege"],
        venteliste=totals["venteliste_sum"],
    )


def public_free_places(*, on: dt.date | None = None) -> QuerySet[Legeperiode]:
    """For the public page (§ 6): the fastleger on open lists with free places, with their office.
    Only names, office and free places."""
    day = on or timezone.localdate()
    open_lists = pasientliste_list(on=day).filter(status=Status.APEN, ledige_plasser__gt=0)
    ledige = Subquery(open_lists.filter(pk=OuterRef("pasientliste_id")).values("ledige_plasser")[:1], output_field=IntegerField())
    return (
        Legeperiode.objects.filter(active_on(day), rolle=Rolle.FASTLEGE, pasientliste__in=open_lists.values("pk"))
        .annotate(ledige_plasser=ledige)
        .select_related("lege", "pasientliste__legekontor")
        .order_by("lege__etternavn", "lege__fornavn")
    )


def lister_for_import() -> list[dict]:
    """Every list of the kommune (id, flo_id, validity), for checking an import's rows. One query."""
    return list(Pasientliste.objects.order_by().values("id", "flo_id", "gyldig_fra", "gyldig_til"))


def lister_for_template(*, on: dt.date | None = None) -> QuerySet[Pasientliste]:
    """The lists valid on `on` (default today), in register order: the import template's rows. One query."""
    day = on or timezone.localdate()
    return (
        Pasientliste.objects.filter(Q(gyldig_til__isnull=True) | Q(gyldig_til__gt=day), gyldig_fra__lte=day)
        .select_related("legekontor").order_by("legekontor__navn", "id")
    )


def listetall_historikk() -> QuerySet[Listetall]:
    """The kommune's list-size history: every figure with its list and office, by office, list and
    date. One query whatever the number of rows (filter with lister.filters.ListetallHistorikkFilter)."""
    return Listetall.objects.select_related("pasientliste__legekontor").order_by(
        "pasientliste__legekontor__navn", "pasientliste_id", "dato")
