"""Reads about legevakt districts: the districts the kommune in scope hosts or is a member of, with
their members and population on a day (constant queries), one district, its memberships,
stations and agreements, and the SFS 2305 population band.

Population of a district on a day = the sum, over its distinct member kommuner on that day (any
band), of each kommune's latest `Innbyggertall` with gjelder_fra ≤ the day. Population figures
are SSB's public figures, but stored as each kommune's data: they are read unscoped, for the
district's member kommuner only.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Func, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.tenancy import unscoped
from kommune import regler
from kommune.models import Innbyggertall
from legevakt.models import Befolkningsgruppe, Legevaktdistrikt, Medlemskap, Normtall, Stasjon, Vaktavtale

BEFOLKNING_GRUNN = "legevakt: a district's population is the sum of its member kommuner's public SSB figures"
SFS2305_KODE = "sfs2305_befolkningsgrupper"


def _aktiv(day: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}fra__lte": day}) & (Q(**{f"{prefix}til__isnull": True}) | Q(**{f"{prefix}til__gt": day}))


def _befolkning_subquery(day: dt.date) -> Coalesce:
    """For a Legevaktdistrikt queryset: SUM of the latest figure ≤ day of each distinct member kommune
    on the day (the member subquery sits inside the figures' subquery, hence the double OuterRef)."""
    with unscoped(reason=BEFOLKNING_GRUNN):
        members = Medlemskap.objects.filter(_aktiv(day), distrikt=OuterRef(OuterRef("pk"))).order_by().values("medlem_id")
        latest = (Innbyggertall.objects.filter(kommune=OuterRef("kommune"), gjelder_fra__lte=day)
                  .order_by("-gjelder_fra").values("pk")[:1])
        figures = (Innbyggertall.objects.filter(kommune_id__in=members, pk=Subquery(latest)).order_by()
                   .annotate(total=Func(F("antall"), function="SUM", output_field=IntegerField())).values("total"))
    return Coalesce(Subquery(figures, output_field=IntegerField()), Value(0))


def gruppe_for(befolkning: int, on: dt.date | None = None) -> str:
    """The SFS 2305 § 9.1 population band: I under 30 000; II 30 000–60 000; III 60 000–90 000;
    IV over 90 000. Boundaries (the agreement names them twice): exactly 30 000 is II (not «under
    30 000»), exactly 60 000 is II (the first range naming it), exactly 90 000 is III (not «over
    90 000»). I.e. I < 30 000 ≤ II ≤ 60 000 < III ≤ 90 000 < IV."""
    forste, andre, tredje = regler.verdi(SFS2305_KODE, on=on)
    if befolkning < forste:
        return Befolkningsgruppe.I.value
    if befolkning <= andre:
        return Befolkningsgruppe.II.value
    if befolkning <= tredje:
        return Befolkningsgruppe.III.value
    return Befolkningsgruppe.IV.value


GRUPPEGRENSER_TEKST = "I < 30 000 ≤ II ≤ 60 000 < III ≤ 90 000 < IV"


def distrikt_list(*, on: dt.date | None = None, bare_aktive: bool = False) -> QuerySet[Legevaktdistrikt]:
    """The districts the kommune in scope hosts or is a member of, with the vertskommune, the
    memberships in force on `on` (`medlemmer_pa_dagen`, member kommune joined) and `befolkning` on
    that day. Two queries whatever the number of districts and members. `befolkningsgruppe(d)` or
    `gruppe_for(d.befolkning)` gives the SFS 2305 band."""
    day = on or timezone.localdate()
    queryset = Legevaktdistrikt.objects.select_related("kommune").annotate(
        befolkning=_befolkning_subquery(day),
    ).prefetch_related(
        Prefetch("medlemskap", queryset=Medlemskap.objects.filter(_aktiv(day)).select_related("medlem")
                 .order_by("medlem__kommunenummer", "tidsbolk", "id"), to_attr="medlemmer_pa_dagen"),
    )
    if bare_aktive:
        queryset = queryset.filter(aktiv=True)
    return queryset.order_by("navn", "id")


def get_distrikt(pk: int, *, on: dt.date | None = None) -> Legevaktdistrikt:
    """One district visible to the kommune in scope (as in distrikt_list), else 404."""
    return get_object_or_404(distrikt_list(on=on), pk=pk)


def befolkning(distrikt: Legevaktdistrikt, on: dt.date | None = None) -> int:
    """The district's population on `on`: one query."""
    day = on or timezone.localdate()
    return (Legevaktdistrikt.objects.filter(pk=distrikt.pk)
            .annotate(b=_befolkning_subquery(day)).values_list("b", flat=True).first() or 0)


def befolkningsgruppe(distrikt: Legevaktdistrikt, on: dt.date | None = None) -> str:
    """"I".."IV" by the SFS 2305 population bands (see gruppe_for for the boundaries)."""
    day = on or timezone.localdate()
    return gruppe_for(befolkning(distrikt, day), day)


def medlemmer(distrikt: Legevaktdistrikt, on: dt.date | None = None) -> list[Medlemskap]:
    """The district's memberships in force on `on` (all bands), member kommune joined. One query."""
    day = on or timezone.localdate()
    return list(Medlemskap.objects.filter(_aktiv(day), distrikt=distrikt).select_related("medlem")
                .order_by("medlem__kommunenummer", "tidsbolk", "id"))


def medlemskap_for(distrikt: Legevaktdistrikt) -> QuerySet[Medlemskap]:
    """Every membership of the district, past and future, member kommune joined."""
    return Medlemskap.objects.filter(distrikt=distrikt).select_related("medlem").order_by("medlem__kommunenummer", "fra", "id")


def stasjoner_for(distrikt: Legevaktdistrikt) -> QuerySet[Stasjon]:
    return Stasjon.objects.filter(distrikt=distrikt).order_by("navn", "id")


def vaktavtaler_for(distrikt: Legevaktdistrikt) -> QuerySet[Vaktavtale]:
    """The district's agreements with the doctor joined (visible to members too: the doctor is
    registered in the vertskommune, and the agreement is the district's)."""
    return Vaktavtale.objects.filter(distrikt=distrikt).select_related("lege").order_by("fra", "id")


def get_medlemskap(pk: int) -> Medlemskap:
    return get_object_or_404(Medlemskap.objects.select_related("distrikt", "medlem"), pk=pk)


def get_stasjon(pk: int) -> Stasjon:
    return get_object_or_404(Stasjon.objects.select_related("distrikt"), pk=pk)


def get_vaktavtale(pk: int) -> Vaktavtale:
    return get_object_or_404(Vaktavtale.objects.select_related("distrikt", "lege"), pk=pk)


def normtall_for(gruppe: str, on: dt.date | None = None) -> list[Normtall]:
    """The SFS 2305 minimum numbers of doctors for the band, the version in force on `on` per shift
    type (empty: the table ships empty; the operator enters the numbers)."""
    day = on or timezone.localdate()
    rows = Normtall.objects.filter(befolkningsgruppe=gruppe, gyldig_fra__lte=day).order_by("vakttype", "-gyldig_fra")
    latest: dict[str, Normtall] = {}
    for row in rows:
        latest.setdefault(row.vakttype, row)
    return list(latest.values())
