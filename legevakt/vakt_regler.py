"""Read-side rules of the legevakt roster, importable by every part of legevakt.

- Who takes part in a district on a day (fastleger by duty, fastlegeforskriften § 33, in any of the
  district's member kommuner; others by a Vaktavtale).
- Granted exemptions (in any kommune: the deciding kommune is the doctor's fastlege kommune).
- Competence: kompetanseforskriften § 3 (and § 5) and § 3a (legevakt without bakvakt), and the
  days counted against the legevakt exception in § 4.
- Work periods (shifts in every district + office hours from the doctor's list periods) and rest
  breaches (SFS 2305 § 7.4).

A doctor's shifts, office hours and exemptions are read across kommuner (`unscoped`, with the
reason): the rules are about the doctor, not about one kommune. Nothing read that way is returned
beyond what the rule needs (times, not districts or grounds).

Rest (SFS 2305 § 7.4), as this module reads it: work is a doctor's active shifts anywhere and their
office hours (the list periods' weekdays, kontortid, not on public holidays). Shifts that touch
form one work period. Office hours the shift continues from (the office day ends when or after the
shift starts, having begun no later than the shift) or that lie inside the shift are the same work
period — daytime emergency duty during practice hours, or legevakt straight after the office day.
Office hours that begin after the shift has begun are a *following* work period: the doctor must
have rested `legevakt_hvile_timer` hours after the shift (the real breach: a night on duty followed
by morning surgery). Any other work ending less than that before the shift begins, or beginning
less than that after it ends, is a breach too.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from core.dates import elapsed_hours
from core.tenancy import unscoped
from kommune import helligdager, regler
from kommune.models import Lege
from legevakt import tid
from legevakt.models import Fritak, Medlemskap, Vakt, Vaktavtale, Vaktstatus
from lister.models import Legeperiode, Rolle

__all__ = [
    "Deltaker", "Hvilebrudd", "Arbeidsblokk", "deltakere", "er_deltaker", "aktive_fritak", "fritak_blokkerer",
    "kan_vakt_uten_bakvakt", "oppfyller_paragraf_3", "unntak_dager_brukt", "vakt_dager", "arbeidsblokker",
    "arbeidsperioder", "hvilebrudd", "hvilebrudd_for", "hvile_timer",
]

# An empty list of weekdays on a list period means an ordinary working week (Monday–Friday).
HVERDAGER = (1, 2, 3, 4, 5)
# How far around a shift the rest check looks for work: the rest limit plus one longest shift and a day.
_MARGIN = dt.timedelta(days=4)


@dataclass(frozen=True)
class Deltaker:
    lege: Lege
    grunnlag: str  # "fastlege" | "avtale"
    kommune_id: int | None  # the kommune of the fastlege's list (None for an agreement)


@dataclass(frozen=True)
class Arbeidsblokk:
    """One piece of work: a shift or one day's office hours."""

    start: dt.datetime
    slutt: dt.datetime
    kilde: str  # "vakt" | "kontortid"
    vakt_id: int | None = None


@dataclass(frozen=True)
class Hvilebrudd:
    """Work before or after the shift that leaves less rest than the limit."""

    start: dt.datetime
    slutt: dt.datetime
    kilde: str  # "vakt" | "kontortid"
    hvile_timer: float  # the rest between it and the shift (0 when they meet or overlap)
    etter: bool  # True: the work comes after the shift
    vakt_id: int | None = None


# --- participation ----------------------------------------------------------------------------------

def _active_on(on: dt.date) -> Q:
    return Q(fra__lte=on) & (Q(til__isnull=True) | Q(til__gt=on))


def _medlemmer(distrikt_id: int, on: dt.date) -> list[int]:
    with unscoped(reason="legevakt participation: the district's member kommuner"):
        return list(Medlemskap.objects.filter(_active_on(on), distrikt_id=distrikt_id).values_list("medlem_id", flat=True)
                    .distinct())


def deltakere(distrikt, on: dt.date) -> list[Deltaker]:
    """The doctors taking part in the district's roster on `on`: fastleger (an LPFL period active on
    the day) in any member kommune — their duty, fastlegeforskriften § 33 — and doctors with an
    active Vaktavtale. Fastleger first, then by name. Three queries."""
    distrikt_id = getattr(distrikt, "pk", distrikt)
    medlemmer = _medlemmer(distrikt_id, on)
    result: dict[int, Deltaker] = {}
    with unscoped(reason="legevakt participation: fastleger in the district's member kommuner and agreements"):
        perioder = (Legeperiode.objects.filter(_active_on(on), rolle=Rolle.FASTLEGE, kommune_id__in=medlemmer)
                    .select_related("lege").order_by("lege__etternavn", "lege__fornavn", "lege_id"))
        for periode in perioder:
            result.setdefault(periode.lege_id, Deltaker(lege=periode.lege, grunnlag="fastlege", kommune_id=periode.kommune_id))
        avtaler = (Vaktavtale.objects.filter(_active_on(on), distrikt_id=distrikt_id).select_related("lege")
                   .order_by("lege__etternavn", "lege__fornavn", "lege_id"))
        for avtale in avtaler:
            result.setdefault(avtale.lege_id, Deltaker(lege=avtale.lege, grunnlag="avtale", kommune_id=None))
    return sorted(result.values(), key=lambda d: (d.grunnlag != "fastlege", d.lege.etternavn, d.lege.fornavn, d.lege.pk))


def er_deltaker(distrikt, lege, on: dt.date) -> bool:
    """Does the doctor take part in the district's roster on `on` (fastlege duty or agreement)?"""
    distrikt_id = getattr(distrikt, "pk", distrikt)
    lege_id = getattr(lege, "pk", lege)
    with unscoped(reason="legevakt participation: is the doctor a fastlege in a member kommune or under agreement"):
        if Vaktavtale.objects.filter(_active_on(on), distrikt_id=distrikt_id, lege_id=lege_id).exists():
            return True
        return Legeperiode.objects.filter(
            _active_on(on), rolle=Rolle.FASTLEGE, lege_id=lege_id, kommune_id__in=Medlemskap.objects.filter(
                _active_on(on), distrikt_id=distrikt_id).values("medlem_id"),
        ).exists()


def tilknyttet_distrikt(distrikt, lege_id: int) -> bool:
    """Is the doctor connected to the district at all (ever a fastlege in a kommune that is or was a
    member, or an agreement)? A doctor the vertskommune has not registered is only known through this;
    anyone else is «unknown» (so nothing leaks about other kommuners' doctors)."""
    distrikt_id = getattr(distrikt, "pk", distrikt)
    with unscoped(reason="legevakt: is the doctor connected to the district (member kommuner, agreements)"):
        if Vaktavtale.objects.filter(distrikt_id=distrikt_id, lege_id=lege_id).exists():
            return True
        return Legeperiode.objects.filter(
            rolle=Rolle.FASTLEGE, lege_id=lege_id,
            kommune_id__in=Medlemskap.objects.filter(distrikt_id=distrikt_id).values("medlem_id"),
        ).exists()


# --- exemptions -------------------------------------------------------------------------------------

def _dates(start, slutt) -> tuple[dt.date, dt.date]:
    """[start, slutt) as local dates [fra, til)."""
    if isinstance(start, dt.datetime):
        fra = tid.lokal(start).date()
        til = tid.lokal(slutt - dt.timedelta(microseconds=1)).date() + dt.timedelta(days=1)
        return fra, til
    return start, slutt


def aktive_fritak(lege_ids: Iterable[int], start, slutt) -> dict[int, list[Fritak]]:
    """Granted exemptions (utfall innvilget) of the doctors overlapping [start, slutt) (datetimes or
    dates), decided by any kommune. One query."""
    fra, til = _dates(start, slutt)
    result: dict[int, list[Fritak]] = defaultdict(list)
    with unscoped(reason="legevakt: a doctor's exemptions are decided by the fastlege kommune and hold in every district"):
        for fritak in Fritak.objects.filter(lege_id__in=list(lege_ids), utfall="innvilget", fra__lt=til).filter(
                Q(til__isnull=True) | Q(til__gt=fra)).order_by("lege_id", "fra", "id"):
            result[fritak.lege_id].append(fritak)
    return dict(result)


def fritak_blokkerer(fritak: Fritak, start: dt.datetime, slutt: dt.datetime) -> list[tid.Interval]:
    """The parts of [start, slutt) the exemption covers: all of its period for omfang «all»; outside
    the dagtid band (weekdays 08–16 that are not holidays) for the right-based scope «utenfor
    åpningstid» — those do not cover daytime emergency duty (fastlegeforskriften § 33)."""
    lo = max(start, tid.dagstart(fritak.fra))
    hi = min(slutt, tid.dagstart(fritak.til)) if fritak.til else slutt
    if lo >= hi:
        return []
    if fritak.omfang == "all":
        return [(lo, hi)]
    fra, til = _dates(lo, hi)
    return tid.trekk_fra([(lo, hi)], tid.dagtid_intervaller(fra, til))


# --- competence -------------------------------------------------------------------------------------

def _by(day: dt.date | None, on: dt.date) -> bool:
    return day is not None and day <= on


def oppfyller_paragraf_3(lege: Lege, on: dt.date) -> bool:
    """Kompetanseforskriften § 3 (spesialist, under spesialisering or godkjent allmennlege, dated
    no later than `on`) or § 5 (held a hjemmel on 1 March 2017). No query."""
    return (_by(lege.spesialist_allmennmedisin_fra, on) or _by(lege.under_spesialisering_fra, on)
            or _by(lege.godkjent_allmennlege_fra, on) or bool(lege.hjemmel_1_mars_2017))


def kan_vakt_uten_bakvakt(lege: Lege, on: dt.date) -> bool:
    """Kompetanseforskriften § 3a: legevakt without bakvakt needs § 3 competence (or § 5), a
    completed LIS1 or an approved turnus — plus both courses (akuttmedisin, vold og overgrep), each
    dated no later than `on`. No query."""
    grunnlag = oppfyller_paragraf_3(lege, on) or _by(lege.lis1_fullfort, on) or _by(lege.turnus_godkjent, on)
    return grunnlag and _by(lege.kurs_akuttmedisin, on) and _by(lege.kurs_vold_overgrep, on)


def vakt_dager(start: dt.datetime, slutt: dt.datetime) -> list[dt.date]:
    """The local dates a shift counts as worked days under § 4: the date it starts, and every further
    date it covers except the one it ends on (a night counts as the day it starts; a weekend from
    Friday afternoon to Monday morning as three days)."""
    first = tid.lokal(start).date()
    last = tid.lokal(slutt).date()
    days = [first]
    day = first + dt.timedelta(days=1)
    while day < last:
        days.append(day)
        day += dt.timedelta(days=1)
    return days


def unntak_dager_datoer(lege_ids: Iterable[int], year: int, *, exclude_vakt_ids: Iterable[int] = ()) -> dict[int, set[dt.date]]:
    """The local dates in `year` each doctor worked under the § 4 legevakt exception (active shifts
    flagged unntak_kompetanse, in any district). One query."""
    fra = tid.dagstart(dt.date(year, 1, 1)) - dt.timedelta(days=4)
    til = tid.dagstart(dt.date(year + 1, 1, 1))
    result: dict[int, set[dt.date]] = {pk: set() for pk in lege_ids}
    with unscoped(reason="legevakt: the § 4 exception is counted per doctor across every district"):
        rows = (Vakt.objects.filter(lege_id__in=list(result), status=Vaktstatus.AKTIV, unntak_kompetanse=True,
                                    start__lt=til, slutt__gt=fra).exclude(pk__in=list(exclude_vakt_ids))
                .values_list("lege_id", "start", "slutt"))
        for lege_id, start, slutt in rows:
            result[lege_id].update(d for d in vakt_dager(start, slutt) if d.year == year)
    return result


def unntak_dager_brukt(lege_ids: Iterable[int], year: int) -> dict[int, int]:
    """Days (distinct local dates, see vakt_dager) in `year` on which each doctor had legevakt under
    the exception in kompetanseforskriften § 4 (shifts flagged unntak_kompetanse). One query."""
    return {pk: len(days) for pk, days in unntak_dager_datoer(lege_ids, year).items()}


# --- work periods and rest --------------------------------------------------------------------------

def hvile_timer(on: dt.date | None = None) -> float:
    return float(regler.verdi("legevakt_hvile_timer", on=on))


def _flr_ukedag(day: dt.date) -> int:
    return (day.weekday() + 1) % 7  # FLR: 0 = Sunday


def arbeidsblokker(lege_ids: Iterable[int], fra: dt.datetime, til: dt.datetime, *,
                   exclude_vakt_ids: Iterable[int] = ()) -> dict[int, list[Arbeidsblokk]]:
    """Each doctor's work touching [fra, til), unmerged: active shifts in every district and office
    hours from their fastlege and vikar periods (the period's weekdays, FLR 0 = Sunday, empty =
    Monday–Friday; kontortid_start–slutt; not on public holidays). Two queries."""
    ids = list(lege_ids)
    result: dict[int, list[Arbeidsblokk]] = {pk: [] for pk in ids}
    if not ids:
        return result
    fra_dato = tid.lokal(fra).date() - dt.timedelta(days=1)
    til_dato = tid.lokal(til).date() + dt.timedelta(days=1)
    with unscoped(reason="legevakt rest check: a doctor's shifts and office hours in every kommune"):
        vakter = (Vakt.objects.filter(lege_id__in=ids, status=Vaktstatus.AKTIV, start__lt=til, slutt__gt=fra)
                  .exclude(pk__in=list(exclude_vakt_ids)).values_list("lege_id", "pk", "start", "slutt"))
        for lege_id, pk, start, slutt in vakter:
            result[lege_id].append(Arbeidsblokk(start=start, slutt=slutt, kilde="vakt", vakt_id=pk))
        perioder = (Legeperiode.objects.filter(lege_id__in=ids, rolle__in=[Rolle.FASTLEGE, Rolle.VIKAR], fra__lte=til_dato)
                    .filter(Q(til__isnull=True) | Q(til__gt=fra_dato))
                    .values_list("lege_id", "fra", "til", "arbeidsdager", "kontortid_start", "kontortid_slutt"))
        perioder = list(perioder)
    for lege_id, p_fra, p_til, dager, k_start, k_slutt in perioder:
        ukedager = set(dager or HVERDAGER)
        day = max(fra_dato, p_fra)
        end = min(til_dato, p_til) if p_til else til_dato
        while day < end:
            if _flr_ukedag(day) in ukedager and not helligdager.er_helligdag(day):
                start, slutt = tid.paa_dag(day, k_start), tid.paa_dag(day, k_slutt)
                if start < til and slutt > fra:
                    result[lege_id].append(Arbeidsblokk(start=start, slutt=slutt, kilde="kontortid"))
            day += dt.timedelta(days=1)
    for blocks in result.values():
        blocks.sort(key=lambda b: (b.start, b.slutt))
    return result


def arbeidsperioder(lege_ids: Iterable[int], fra: dt.datetime, til: dt.datetime, *,
                    exclude_vakt_ids: Iterable[int] = ()) -> dict[int, list[tid.Interval]]:
    """Each doctor's work periods touching [fra, til): shifts in every district and office hours,
    merged where they overlap or meet. Two queries."""
    if not isinstance(fra, dt.datetime):
        fra, til = tid.dagstart(fra), tid.dagstart(til)
    blocks = arbeidsblokker(lege_ids, fra, til, exclude_vakt_ids=exclude_vakt_ids)
    return {pk: tid.slå_sammen([(b.start, b.slutt) for b in items]) for pk, items in blocks.items()}


def _brudd(blocks: list[Arbeidsblokk], start: dt.datetime, slutt: dt.datetime, limit: float) -> list[Hvilebrudd]:
    # The shift's own work period [lo, hi): the shift and the shifts that touch it, in a chain.
    lo, hi = start, slutt
    changed = True
    while changed:
        changed = False
        for b in blocks:
            if b.kilde == "vakt" and b.start <= hi and b.slutt >= lo and (b.start < lo or b.slutt > hi):
                lo, hi = min(lo, b.start), max(hi, b.slutt)
                changed = True
    result = []
    for b in blocks:
        if b.slutt < lo or (b.kilde == "vakt" and b.slutt == lo):
            rest = elapsed_hours(b.slutt, lo)  # work before the period
            if 0 < rest < limit:
                result.append(Hvilebrudd(b.start, b.slutt, b.kilde, rest, False, b.vakt_id))
        elif b.start >= hi:
            rest = elapsed_hours(hi, b.start)  # work after the period: rest is owed after duty
            if rest < limit and not (b.kilde == "vakt" and rest == 0):
                result.append(Hvilebrudd(b.start, b.slutt, b.kilde, rest, True, b.vakt_id))
        elif b.kilde == "kontortid" and b.start > lo and b.slutt > hi:
            # Office hours that begin during the duty and go on after it: no rest at all.
            result.append(Hvilebrudd(b.start, b.slutt, b.kilde, 0.0, True, b.vakt_id))
        # Otherwise the same work period: a shift in the chain, the office day the duty continues
        # from or that spans it, or office hours inside the duty (daytime emergency duty).
    return sorted(result, key=lambda h: h.start)


def hvilebrudd_for(lege_ids: Iterable[int], start: dt.datetime, slutt: dt.datetime, *,
                   exclude_vakt_ids: Iterable[int] = ()) -> dict[int, list[Hvilebrudd]]:
    """For each doctor, the work before and after a shift [start, slutt) that leaves less than
    `legevakt_hvile_timer` hours of rest (SFS 2305 § 7.4; see the module docstring). Two queries."""
    limit = hvile_timer(tid.lokal(start).date())
    window = dt.timedelta(hours=limit) + _MARGIN
    blocks = arbeidsblokker(lege_ids, start - window, slutt + window, exclude_vakt_ids=exclude_vakt_ids)
    return {pk: _brudd(items, start, slutt, limit) for pk, items in blocks.items()}


def hvilebrudd(lege, start: dt.datetime, slutt: dt.datetime, exclude_vakt=None) -> list[Hvilebrudd]:
    """The doctor's work periods before and after [start, slutt) that leave less than
    `legevakt_hvile_timer` hours of rest (SFS 2305 § 7.4), office hours included. `exclude_vakt`:
    a shift (or id, or ids) to leave out — the shift being changed."""
    if exclude_vakt is None:
        exclude = []
    elif isinstance(exclude_vakt, (list, tuple, set, frozenset)):
        exclude = [getattr(v, "pk", v) for v in exclude_vakt]
    else:
        exclude = [getattr(exclude_vakt, "pk", exclude_vakt)]
    lege_id = getattr(lege, "pk", lege)
    return hvilebrudd_for([lege_id], start, slutt, exclude_vakt_ids=exclude)[lege_id]


# --- reads for the roster's pages and API ------------------------------------------------------------

def vakt_list(*, distrikt_id: int | None = None, lege_id: int | None = None, fra: dt.date | None = None,
              til: dt.date | None = None, type: str | None = None, status: str | None = None, bruker=None):
    """The shifts the kommune in scope sees (its districts and those it is a member of), filtered;
    shifts overlapping the local dates [fra, til). `bruker`: only that person's own shifts (the
    doctor's user account). One query, with district, station and doctor joined."""
    shifts = Vakt.objects.select_related("distrikt", "stasjon", "lege").order_by("start", "id")
    if distrikt_id is not None:
        shifts = shifts.filter(distrikt_id=distrikt_id)
    if lege_id is not None:
        shifts = shifts.filter(lege_id=lege_id)
    if fra is not None:
        shifts = shifts.filter(slutt__gt=tid.dagstart(fra))
    if til is not None:
        shifts = shifts.filter(start__lt=tid.dagstart(til))
    if type:
        shifts = shifts.filter(type=type)
    if status:
        shifts = shifts.filter(status=status)
    if bruker is not None:
        shifts = shifts.filter(lege__bruker=bruker)
    return shifts


def bytte_list(*, bruker=None, status: str | None = None):
    """The kommune's swap requests, newest first; `bruker`: those about the person's own shifts or
    asked for by them. One query."""
    from legevakt.models import Vaktbytte

    bytter = Vaktbytte.objects.select_related("vakt__lege", "mot_vakt__lege").order_by("-opprettet", "-id")
    if status:
        bytter = bytter.filter(status=status)
    if bruker is not None:
        bytter = bytter.filter(Q(vakt__lege__bruker=bruker) | Q(mot_vakt__lege__bruker=bruker) | Q(onsket_av=bruker))
    return bytter
