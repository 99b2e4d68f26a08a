"""The national small-district legevakt grant («tilskudd til styrking av legevakt i
distriktskommuner», Helsedirektoratet): which kommuner meet the criteria in a year, for the yearly
application.

Criteria by year (kommune/regler.py, source LEGEVAKTTILSKUDD): fewer than
`legevakt_tilskudd_innbyggere_under` (5 000) inhabitants and sentralitetsklasse in
`legevakt_tilskudd_sentralitet` — 2022: class 6 only; from 2023: 5 and 6. From 2023 kommuner with
their own legevakt or cooperating with only one other kommune (`legevakt_tilskudd_prioritet_kommuner`)
had priority; that is read from the legevakt districts the kommune in scope can see (its own and
those it is a member of) — another kommune's cooperation is that kommune's data, so its priority is
shown as unknown.

All 357 kommuner are considered: the kommune register and SSB's population figures are national
public data, but Kommune and Innbyggertall are tenant-scoped, so they are read unscoped with a
reason, and only what the criteria need leaves this module.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, Subquery

from core.tenancy import unscoped
from kommune import regler
from kommune.models import Innbyggertall, Kommune
from legevakt.models import Medlemskap

FORSTE_AR = 2022  # the grant was created in 2022


@dataclass(frozen=True)
class Kriterier:
    ar: int
    dag: dt.date  # population on 1 January of the year
    innbyggere_under: int
    sentralitet: tuple[int, ...]
    kilde: str
    kilde_sentralitet: str
    prioritet_kommuner: int | None  # None: no priority rule that year
    kilde_prioritet: str

    @classmethod
    def for_ar(cls, ar: int) -> Kriterier:
        day = dt.date(ar, 1, 1)
        prioritet = regler.regel("legevakt_tilskudd_prioritet_kommuner", day)
        return cls(
            ar=ar, dag=day,
            innbyggere_under=regler.verdi("legevakt_tilskudd_innbyggere_under", day),
            sentralitet=tuple(regler.verdi("legevakt_tilskudd_sentralitet", day)),
            kilde=str(regler.kilde("legevakt_tilskudd_innbyggere_under", day)),
            kilde_sentralitet=str(regler.kilde("legevakt_tilskudd_sentralitet", day)),
            prioritet_kommuner=prioritet.verdi if prioritet.gjelder(day) else None,
            kilde_prioritet=str(prioritet.kilde),
        )


@dataclass(frozen=True)
class Tilskuddskommune:
    kommune_id: int
    kommunenummer: str
    navn: str
    fylkesnavn: str
    innbyggere: int | None
    innbyggere_fra: dt.date | None
    sentralitetsklasse: int | None
    # Kommuner in the kommune's largest legevakt district that year (itself included); None: unknown.
    distriktsstorrelse: int | None
    prioritet: bool | None  # None: unknown (no district known) or no priority rule that year

    @property
    def andre_kommuner(self) -> int | None:
        return None if self.distriktsstorrelse is None else self.distriktsstorrelse - 1


@dataclass(frozen=True)
class Tilskuddsoversikt:
    kriterier: Kriterier
    oppfyller: list[Tilskuddskommune]
    ukjent_sentralitet: list[Tilskuddskommune]  # under the population limit, class unknown


def _distriktsstorrelse(ar: int) -> dict[int, int]:
    """Per kommune: the number of kommuner in its largest legevakt district in the year (memberships
    overlapping the year), for the districts visible to the kommune in scope. Two queries."""
    start, end = dt.date(ar, 1, 1), dt.date(ar + 1, 1, 1)
    # Scoped: only the districts the kommune in scope can see (its own and those it is a member of);
    # another kommune's cooperation is that kommune's data, so its priority shows as unknown here.
    in_year = Q(fra__lt=end) & (Q(til__isnull=True) | Q(til__gt=start))
    sizes = (Medlemskap.objects.filter(in_year).values("distrikt_id")
             .annotate(antall=Count("medlem_id", distinct=True)))
    by_distrikt = {row["distrikt_id"]: row["antall"] for row in sizes}
    members = Medlemskap.objects.filter(in_year).values_list("medlem_id", "distrikt_id")
    result: dict[int, int] = {}
    for medlem_id, distrikt_id in members:
        result[medlem_id] = max(result.get(medlem_id, 0), by_distrikt.get(distrikt_id, 0))
    return result


def oversikt(ar: int) -> Tilskuddsoversikt:
    """The kommuner meeting the criteria of year `ar` (population from the latest figure on or
    before 1 January), and those under the population limit whose sentralitetsklasse is unknown.
    Three queries."""
    kriterier = Kriterier.for_ar(ar)
    with unscoped(reason="small-district grant: every kommune's public population figure (SSB) and sentralitetsklasse"):
        latest = (Innbyggertall.objects.filter(kommune_id=OuterRef("pk"), gjelder_fra__lte=kriterier.dag)
                  .order_by("-gjelder_fra"))
        rows = list(Kommune.objects.annotate(innbyggere=Subquery(latest.values("antall")[:1]),
                                             innbyggere_fra=Subquery(latest.values("gjelder_fra")[:1]))
                    .filter(innbyggere__lt=kriterier.innbyggere_under)
                    .filter(Q(sentralitetsklasse__in=kriterier.sentralitet) | Q(sentralitetsklasse__isnull=True))
                    .order_by("kommunenummer")
                    .values("pk", "kommunenummer", "navn", "fylkesnavn", "innbyggere", "innbyggere_fra", "sentralitetsklasse"))
    storrelse = _distriktsstorrelse(ar)
    oppfyller, ukjent = [], []
    for row in rows:
        size = storrelse.get(row["pk"])
        prioritet = None
        if kriterier.prioritet_kommuner is not None and size is not None:
            prioritet = size <= kriterier.prioritet_kommuner
        item = Tilskuddskommune(
            kommune_id=row["pk"], kommunenummer=row["kommunenummer"], navn=row["navn"], fylkesnavn=row["fylkesnavn"],
            innbyggere=row["innbyggere"], innbyggere_fra=row["innbyggere_fra"], sentralitetsklasse=row["sentralitetsklasse"],
            distriktsstorrelse=size, prioritet=prioritet,
        )
        (ukjent if row["sentralitetsklasse"] is None else oppfyller).append(item)
    # Priority first, then the least central (class 6 before 5), then the smallest.
    oppfyller.sort(key=lambda k: (k.prioritet is not True, -(k.sentralitetsklasse or 0), k.innbyggere or 0, k.kommunenummer))
    return Tilskuddsoversikt(kriterier=kriterier, oppfyller=oppfyller, ukjent_sentralitet=ukjent)


def ar_valg(today: dt.date) -> list[int]:
    """The years the page offers: from the grant's first year to next year."""
    return list(range(today.year + 1, FORSTE_AR - 1, -1))
