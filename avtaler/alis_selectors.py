"""Reads about ALIS-avtaler: the derived end (opphører), the five-year limit, progress towards
the specialisation with its shortfalls, grant eligibility and the grant claim basis.

The rules (Helsedirektoratets mal for ALIS-avtale, spesialistforskriften with the learning goals
for allmennmedisin, the grant scheme Nasjonal ALIS og veiledning) are dated parameters in
kommune.regler; every reason and shortfall cites the source.

Dates follow the rest of the system: an end (`sluttdato`, `til`) is the first day that no longer
applies. Date arithmetic is on calendar dates only (no times, so no daylight-saving effects).

List reads use a constant number of queries whatever the number of rows: the list query selects
the relationships and prefetches absence; `progresjon_for` and `tilskuddsgrunnlag` prefetch the
rest for many avtaler at once.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Case, DateField, F, Prefetch, Q, QuerySet, When, prefetch_related_objects
from django.db.models.functions import Least
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from avtaler.models import (
    Alisavtale,
    AlisElement,
    AlisFinansiering,
    AlisFravaer,
    AlisRelasjon,
    AlisSats,
    AlisTjeneste,
    AlisVeiledning,
    Tilskuddsstatus,
    Tjenestetype,
)
from avtaler.services import effective_end
from core.dates import add_months, birthday
from kommune import regler

# Average days per month and year, for converting service days to months and hours to time.
DAGER_PER_AR = Decimal("365.25")
DAGER_PER_MANED = DAGER_PER_AR / 12
ORE = Decimal("0.01")


def _fmt(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def _hours(value: Decimal) -> str:
    text = f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}"
    return text.replace(".", ",").removesuffix(",0")


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    return add_months(month_start(day), 1)


def _overlap(a_fra: dt.date, a_til: dt.date | None, b_fra: dt.date, b_til: dt.date | None) -> tuple[dt.date, dt.date | None] | None:
    """The intersection of two half-open periods (None = open end), or None if they do not meet."""
    fra = max(a_fra, b_fra)
    til = b_til if a_til is None else (a_til if b_til is None else min(a_til, b_til))
    if til is not None and til <= fra:
        return None
    return fra, til


def _days(fra: dt.date, til: dt.date) -> int:
    return max((til - fra).days, 0)


# --- the list --------------------------------------------------------------------------------------

class AlisStatus:
    KOMMENDE = "kommende"
    AKTIV = "aktiv"
    OPPHORT = "opphort"


STATUS_TEKST = {
    AlisStatus.KOMMENDE: gettext_lazy("Ikke startet"),
    AlisStatus.AKTIV: gettext_lazy("Løpende"),
    AlisStatus.OPPHORT: gettext_lazy("Opphørt"),
}

RELATED = (
    "lege", "veileder", "fastlegeavtale__lege", "fastlegeavtale__pasientliste__legekontor", "fastlegeavtale__legeperiode",
    "vikarperiode__pasientliste__legekontor", "introduksjonsavtale__legekontor",
)


def _relasjon_til_expression():
    """The underlying relationship's end as far as SQL can tell it (the fastlegeavtale's period on
    the list carries its effective end, set when signed and when it ends)."""
    return Case(
        When(relasjon=AlisRelasjon.FASTLEGE, then=F("fastlegeavtale__legeperiode__til")),
        When(relasjon=AlisRelasjon.VIKAR, then=F("vikarperiode__til")),
        When(relasjon=AlisRelasjon.INTRODUKSJONSLEGE, then=F("introduksjonsavtale__sluttdato")),
        default=F("stilling_til"),
        output_field=DateField(),
    )


def alisavtale_list(*, on: dt.date | None = None) -> QuerySet[Alisavtale]:
    """The kommune's ALIS-avtaler with the doctor, the veileder and the underlying relationship
    selected and the absence prefetched (so `opphorer(avtale)` needs no further query), annotated
    with `relasjon_til` (the relationship's end) and `opphorer_kjent`: the earliest of the ends SQL
    knows (recorded end, relationship, declined grant). The five-year limit is not in SQL: use
    `opphorer()` for the end that applies. Two queries whatever the number of rows."""
    return (
        Alisavtale.objects.select_related(*RELATED)
        .prefetch_related(Prefetch("fravaer", queryset=AlisFravaer.objects.order_by("fra", "id")))
        .annotate(relasjon_til=_relasjon_til_expression())
        .annotate(opphorer_kjent=Least(
            "sluttdato", "relasjon_til",
            Case(When(tilskuddsstatus=Tilskuddsstatus.AVSLATT, then=F("tilskudd_avslatt")), output_field=DateField()),
            output_field=DateField(),
        ))
        .order_by("lege__etternavn", "lege__fornavn", "-startdato", "id")
    )


def get_alisavtale(*, pk: int) -> Alisavtale:
    """One ALIS-avtale of the kommune in scope; another kommune's (or none) gives 404."""
    return get_object_or_404(alisavtale_list(), pk=pk)


def elementer_for(*, avtale: Alisavtale) -> QuerySet[AlisElement]:
    return AlisElement.objects.filter(avtale=avtale).order_by("fra", "element", "id")


def fravaer_for(*, avtale: Alisavtale) -> QuerySet[AlisFravaer]:
    return AlisFravaer.objects.filter(avtale=avtale).order_by("fra", "id")


def tjeneste_for(*, avtale: Alisavtale) -> QuerySet[AlisTjeneste]:
    return AlisTjeneste.objects.filter(avtale=avtale).order_by("fra", "id")


def veiledning_for(*, avtale: Alisavtale) -> QuerySet[AlisVeiledning]:
    return AlisVeiledning.objects.filter(avtale=avtale).order_by("maned", "id")


def sats_list() -> QuerySet[AlisSats]:
    return AlisSats.objects.order_by("element", "relasjon", "-gyldig_fra", "id")


# --- the end of the avtale -------------------------------------------------------------------------

def _fravaer(avtale: Alisavtale, fravaer: Iterable[AlisFravaer] | None) -> list[AlisFravaer]:
    if fravaer is None:
        fravaer = avtale.fravaer.all()  # prefetched by the list selectors
    return sorted(fravaer, key=lambda f: (f.fra, f.til))


def grunnlengde_dager(startdato: dt.date, stillingsprosent: int, on: dt.date | None = None) -> int:
    """Five calendar years of full-time work from `startdato`, stretched by 100/stillingsprosent
    (rounded up to whole days)."""
    years = regler.verdi("alis_varighet_ar", on or startdato)
    full = (birthday(startdato, years) - startdato).days
    return -(-full * 100 // stillingsprosent)


def maks_slutt(avtale: Alisavtale, *, fravaer: Iterable[AlisFravaer] | None = None) -> dt.date:
    """The first day beyond the five-year limit (Helsedirektoratets mal: up to five years at full
    time, extended for part-time work and lawful absence): the part-time-stretched five years,
    plus every day of recorded absence that falls inside the extended period.

    Absence stops the clock: walking the absences in date order, each that begins before the
    limit reached so far moves the limit by all its days (from the start date). This is the fixed
    point of "add the absence inside the period until it no longer changes"."""
    limit = avtale.startdato + dt.timedelta(days=grunnlengde_dager(avtale.startdato, avtale.stillingsprosent))
    covered_until = avtale.startdato  # absence days already counted end here (absences may not overlap; be safe)
    for periode in _fravaer(avtale, fravaer):
        fra = max(periode.fra, covered_until)
        if periode.til <= fra:
            continue
        if fra >= limit:
            break
        limit += dt.timedelta(days=(periode.til - fra).days)
        covered_until = periode.til
    return limit


class Opphorsgrunn:
    SLUTTDATO = "sluttdato"
    RELASJON = "relasjon"
    TILSKUDD = "tilskudd"
    MAKS = "maks"


OPPHORSGRUNN_TEKST = {
    Opphorsgrunn.SLUTTDATO: gettext_lazy("Avtalen er avsluttet"),
    Opphorsgrunn.RELASJON: gettext_lazy("Det underliggende forholdet opphører"),
    Opphorsgrunn.TILSKUDD: gettext_lazy("Tilskudd er ikke gitt"),
    Opphorsgrunn.MAKS: gettext_lazy("Fem år ved full tid er nådd"),
}


def relasjon_slutt(avtale: Alisavtale) -> dt.date | None:
    """When the underlying relationship ends (the ALIS-avtale ends with it, says the template):
    the fastlegeavtale's effective end (notice, heving, age limit or extension), the vikar period's
    end, the introduksjonsavtale's end, or the municipal post's."""
    if avtale.relasjon == AlisRelasjon.FASTLEGE and avtale.fastlegeavtale_id:
        return effective_end(avtale.fastlegeavtale)
    if avtale.relasjon == AlisRelasjon.VIKAR and avtale.vikarperiode_id:
        return avtale.vikarperiode.til
    if avtale.relasjon == AlisRelasjon.INTRODUKSJONSLEGE and avtale.introduksjonsavtale_id:
        return avtale.introduksjonsavtale.sluttdato
    return avtale.stilling_til


def opphorer(avtale: Alisavtale, *, on: dt.date | None = None, fravaer: Iterable[AlisFravaer] | None = None) -> tuple[dt.date | None, str]:
    """The end that applies (first day the avtale no longer applies) and why: the earliest of the
    recorded end, the underlying relationship's end, the date the grant was declined, and the
    five-year limit. On a tie the cause is named rather than the recorded end."""
    candidates = [
        (relasjon_slutt(avtale), 0, Opphorsgrunn.RELASJON),
        (avtale.tilskudd_avslatt if avtale.tilskuddsstatus == Tilskuddsstatus.AVSLATT else None, 1, Opphorsgrunn.TILSKUDD),
        (maks_slutt(avtale, fravaer=fravaer), 2, Opphorsgrunn.MAKS),
        (avtale.sluttdato, 3, Opphorsgrunn.SLUTTDATO),
    ]
    dated = [(day, order, grunn) for day, order, grunn in candidates if day is not None]
    if not dated:  # pragma: no cover - the limit always exists
        return None, ""
    day, _order, grunn = min(dated)
    return day, grunn


def opphorsgrunn_tekst(grunn: str) -> str:
    return str(OPPHORSGRUNN_TEKST.get(grunn, grunn))


def status(avtale: Alisavtale, *, on: dt.date | None = None) -> str:
    """Not started, running or ended on `on` (default today), by the derived end."""
    day = on or timezone.localdate()
    end, _grunn = opphorer(avtale)
    if avtale.startdato > day:
        return AlisStatus.KOMMENDE
    if end is not None and end <= day:
        return AlisStatus.OPPHORT
    return AlisStatus.AKTIV


def lopende(avtale: Alisavtale, *, on: dt.date | None = None) -> bool:
    return status(avtale, on=on) == AlisStatus.AKTIV


def med_status(avtaler: Iterable[Alisavtale], *, on: dt.date | None = None) -> list[Alisavtale]:
    """The avtaler (from `alisavtale_list`, so no further queries) with the derived end set on each:
    `opphorer_dato`, `opphorsgrunn` (code) and `status` (AlisStatus) on `on` (default today)."""
    day = on or timezone.localdate()
    result = []
    for avtale in avtaler:
        avtale.opphorer_dato, avtale.opphorsgrunn = opphorer(avtale)
        if avtale.startdato > day:
            avtale.status = AlisStatus.KOMMENDE
        elif avtale.opphorer_dato is not None and avtale.opphorer_dato <= day:
            avtale.status = AlisStatus.OPPHORT
        else:
            avtale.status = AlisStatus.AKTIV
        result.append(avtale)
    return result


# --- progress towards the specialisation ------------------------------------------------------------

@dataclass(frozen=True)
class Mangel:
    """A shortfall, dated by the last day it can still be made good (`frist`); a past frist is late."""

    type: str
    frist: dt.date
    tittel: Any
    beskrivelse: Any = ""


@dataclass(frozen=True)
class Tjenestetid:
    type: str
    tekst: Any
    dager: Decimal  # full-time-equivalent days served by `on`
    maneder: Decimal  # the same in months (1 decimal)
    planlagt_maneder: Decimal  # registered service after `on`
    krav_maneder: int | None
    gjenstar_maneder: Decimal  # what is neither served nor planned (1 decimal)
    gjenstar_dager: Decimal = Decimal(0)  # the same in full-time-equivalent days (exact)


@dataclass(frozen=True)
class Veiledningsar:
    """Individual supervision in one avtale-year (year n runs from the start date + n−1 years)."""

    nr: int
    fra: dt.date
    til: dt.date
    timer: Decimal
    krav: Decimal  # 4 h × 10.5 months
    forventet: Decimal  # 4 h × the months elapsed by `on` (at most 10.5)
    fullfort: bool
    snitt: Decimal | None  # hours per supervision month (÷ 10.5) for a completed year
    etter: bool  # behind: fewer hours than expected by `on`

    @property
    def mangler_timer(self) -> Decimal:
        return max(self.krav - self.timer, Decimal(0))


@dataclass
class Progresjon:
    avtale_id: int
    on: dt.date
    opphorer: dt.date | None
    opphorsgrunn: str
    maks_slutt: dt.date
    tjeneste: list[Tjenestetid]
    veiledningsar: list[Veiledningsar]
    veiledning_timer: Decimal
    gruppetimer: Decimal
    gruppetimer_apen: Decimal
    gruppetimer_krav: Decimal
    gruppetimer_apen_krav: Decimal
    mangler: list[Mangel] = field(default_factory=list)

    @property
    def neste_mangel(self) -> Mangel | None:
        return self.mangler[0] if self.mangler else None

    def tjenestetid(self, type: str) -> Tjenestetid | None:
        return next((t for t in self.tjeneste if t.type == type), None)

    @property
    def inneverende_ar(self) -> Veiledningsar | None:
        return next((a for a in self.veiledningsar if not a.fullfort), None)


def full_months(fra: dt.date, til: dt.date) -> int:
    """Whole months from `fra` until `til` (the months `m` with fra + m months ≤ til)."""
    if til < fra:
        return 0
    months = (til.year - fra.year) * 12 + til.month - fra.month
    while months > 0 and add_months(fra, months) > til:
        months -= 1
    return months


def _service(avtale: Alisavtale, day: dt.date, tjenester: list[AlisTjeneste]) -> list[Tjenestetid]:
    krav = {
        Tjenestetype.APEN_USELEKTERT: regler.verdi("alis_apen_praksis_min_maneder", day),
        Tjenestetype.INSTITUSJON: regler.verdi("alis_institusjon_min_maneder", day),
    }
    result = []
    for type_ in Tjenestetype:
        done = planned = Decimal(0)
        for t in tjenester:
            if t.type != type_:
                continue
            share = Decimal(t.stillingsprosent) / 100
            done += _days(t.fra, min(t.til, day)) * share
            planned += _days(max(t.fra, day), t.til) * share
        need = krav.get(type_)
        remaining = max(Decimal(need) * DAGER_PER_MANED - done - planned, Decimal(0)) if need is not None else Decimal(0)
        result.append(Tjenestetid(
            type=type_.value, tekst=type_.label, dager=done, maneder=(done / DAGER_PER_MANED).quantize(Decimal("0.1"), ROUND_HALF_UP),
            planlagt_maneder=(planned / DAGER_PER_MANED).quantize(Decimal("0.1"), ROUND_HALF_UP), krav_maneder=need,
            gjenstar_maneder=(remaining / DAGER_PER_MANED).quantize(Decimal("0.1"), ROUND_HALF_UP), gjenstar_dager=remaining,
        ))
    return result


def _absent_days(fravaer: Iterable[AlisFravaer], fra: dt.date, til: dt.date) -> int:
    return sum(max(0, (min(f.til, til) - max(f.fra, fra)).days) for f in fravaer)


def _veiledningsar(avtale: Alisavtale, day: dt.date, rader: list[AlisVeiledning], end: dt.date | None,
                   fravaer: Iterable[AlisFravaer] = ()) -> list[Veiledningsar]:
    """Individual supervision per avtale-year. Lawful absence (which extends the avtale) lowers the
    year's requirement and the pace in proportion: no supervision is owed while the doctor is away."""
    per_month = Decimal(regler.verdi("alis_veiledning_timer_per_maned", avtale.startdato))
    months_per_year = Decimal(regler.verdi("alis_veiledningsmaneder_per_ar", avtale.startdato))
    fravaer = list(fravaer)
    years = []
    nr = 1
    while True:
        fra = birthday(avtale.startdato, nr - 1)
        til = birthday(avtale.startdato, nr)
        if fra > day or (end is not None and fra >= end):
            break
        timer = sum(
            (r.individuelle_timer for r in rader if fra <= max(r.maned, avtale.startdato) < til), Decimal(0),
        )
        fullfort = til <= day
        year_days = Decimal((til - fra).days)
        present = (year_days - _absent_days(fravaer, fra, til)) / year_days
        krav_months = months_per_year * present
        krav = (per_month * krav_months).quantize(ORE, ROUND_HALF_UP)
        elapsed = Decimal(12) if fullfort else Decimal(full_months(fra, day))
        so_far = Decimal((min(day, til) - fra).days)
        present_so_far = (so_far - _absent_days(fravaer, fra, min(day, til))) / so_far if so_far else Decimal(1)
        forventet = (per_month * min(elapsed * present_so_far, krav_months)).quantize(ORE, ROUND_HALF_UP)
        years.append(Veiledningsar(
            nr=nr, fra=fra, til=til, timer=timer, krav=krav, forventet=forventet, fullfort=fullfort,
            snitt=(timer / krav_months).quantize(ORE, ROUND_HALF_UP) if fullfort and krav_months else None,
            etter=timer < forventet,
        ))
        nr += 1
    return years


def _covered_by(months: Iterable[dt.date], tjenester: list[AlisTjeneste], type_: str) -> set[dt.date]:
    """The months (first days) that a service period of `type_` touches."""
    periods = [(t.fra, t.til) for t in tjenester if t.type == type_]
    return {m for m in months if any(fra < next_month(m) and m < til for fra, til in periods)}


def _latest_start(end: dt.date, fte_days: Decimal, stillingsprosent: int) -> dt.date:
    """The latest day `fte_days` of full-time-equivalent service can begin and still end by `end`
    at the avtale's stillingsprosent."""
    calendar_days = math.ceil(fte_days * 100 / stillingsprosent)
    return end - dt.timedelta(days=calendar_days)


def _group_frist(end: dt.date, remaining: Decimal, per_year: Decimal) -> dt.date:
    """The latest day the remaining group hours can begin at the normal pace and end by `end`."""
    return end - dt.timedelta(days=math.ceil(remaining / per_year * DAGER_PER_AR))


def _progresjon(avtale: Alisavtale, day: dt.date) -> Progresjon:
    fravaer = list(avtale.fravaer.all())
    tjenester = list(avtale.tjeneste.all())
    rader = [r for r in avtale.veiledning.all() if r.maned <= day]
    end, grunn = opphorer(avtale, fravaer=fravaer)
    maks = maks_slutt(avtale, fravaer=fravaer)
    service = _service(avtale, day, tjenester)
    years = _veiledningsar(avtale, day, rader, end, fravaer)
    group_total = sum((r.gruppetimer for r in rader), Decimal(0))
    apen_months = _covered_by({r.maned for r in rader}, tjenester, Tjenestetype.APEN_USELEKTERT)
    group_apen = sum((r.gruppetimer for r in rader if r.maned in apen_months), Decimal(0))
    group_need = Decimal(regler.verdi("alis_gruppeveiledning_timer", avtale.startdato))
    group_apen_need = Decimal(regler.verdi("alis_gruppeveiledning_apen_praksis_timer", avtale.startdato))
    progresjon = Progresjon(
        avtale_id=avtale.pk, on=day, opphorer=end, opphorsgrunn=grunn, maks_slutt=maks, tjeneste=service,
        veiledningsar=years, veiledning_timer=sum((r.individuelle_timer for r in rader), Decimal(0)),
        gruppetimer=group_total, gruppetimer_apen=group_apen, gruppetimer_krav=group_need, gruppetimer_apen_krav=group_apen_need,
    )
    if end is not None and end <= day:
        return progresjon  # ended: nothing more can be done under this avtale
    progresjon.mangler = sorted(_mangler(avtale, day, progresjon, end or maks), key=lambda m: (m.frist, m.type))
    return progresjon


def _mangler(avtale: Alisavtale, day: dt.date, p: Progresjon, end: dt.date) -> list[Mangel]:
    source = regler.kilde("alis_veiledning_timer_per_maned", avtale.startdato)
    items: list[Mangel] = []
    if avtale.veileder_id is None:
        items.append(Mangel(
            type="veileder", frist=avtale.startdato, tittel=_("ALIS uten veileder"),
            beskrivelse=_("Avtalen har ingen veileder. Veilederen skal være spesialist i allmennmedisin, eller ha "
                          "Helsedirektoratets unntak (spesialistforskriften § 25)."),
        ))
    for year in p.veiledningsar:
        if not year.etter:
            continue
        if year.fullfort:
            items.append(Mangel(
                type="veiledning", frist=year.til,
                tittel=_("Individuell veiledning: år %(nr)d ble ikke fullført") % {"nr": year.nr},
                beskrivelse=_("%(timer)s av %(krav)s timer (%(fra)s–%(til)s); %(mangler)s timer mangler. Kravet er i snitt "
                              "minst %(per)s timer per måned i %(mnd)s måneder per år (%(kilde)s).") % {
                    "timer": _hours(year.timer), "krav": _hours(year.krav), "fra": _fmt(year.fra),
                    "til": _fmt(year.til - dt.timedelta(days=1)), "mangler": _hours(year.mangler_timer),
                    "per": _hours(Decimal(regler.verdi("alis_veiledning_timer_per_maned", avtale.startdato))),
                    "mnd": _hours(Decimal(regler.verdi("alis_veiledningsmaneder_per_ar", avtale.startdato))), "kilde": source},
            ))
        else:
            items.append(Mangel(
                type="veiledning", frist=min(year.til, end),
                tittel=_("Individuell veiledning henger etter (år %(nr)d)") % {"nr": year.nr},
                beskrivelse=_("%(timer)s timer så langt, forventet %(forventet)s; %(mangler)s timer mangler til kravet på "
                              "%(krav)s timer innen %(frist)s (%(kilde)s).") % {
                    "timer": _hours(year.timer), "forventet": _hours(year.forventet), "mangler": _hours(year.mangler_timer),
                    "krav": _hours(year.krav), "frist": _fmt(min(year.til, end) - dt.timedelta(days=1)), "kilde": source},
            ))
    per_year = p.gruppetimer_krav / 2
    for type_, done, need, code in (
        ("gruppeveiledning", p.gruppetimer, p.gruppetimer_krav, "alis_gruppeveiledning_timer"),
        ("gruppeveiledning_apen", p.gruppetimer_apen, p.gruppetimer_apen_krav, "alis_gruppeveiledning_apen_praksis_timer"),
    ):
        if done >= need:
            continue
        remaining = need - done
        frist = _group_frist(p.maks_slutt, remaining, per_year)
        tittel = (_("Gruppeveiledning: %(mangler)s timer gjenstår") if type_ == "gruppeveiledning"
                  else _("Gruppeveiledning i åpen uselektert praksis: %(mangler)s timer gjenstår")) % {"mangler": _hours(remaining)}
        items.append(Mangel(
            type=type_, frist=frist, tittel=tittel,
            beskrivelse=_("%(timer)s av %(krav)s timer. Med om lag %(per)s timer i året må de resterende begynne senest "
                          "%(frist)s for å bli ferdige før femårsgrensen %(maks)s (%(kilde)s).") % {
                "timer": _hours(done), "krav": _hours(need), "per": _hours(per_year), "frist": _fmt(frist),
                "maks": _fmt(p.maks_slutt), "kilde": regler.kilde(code, avtale.startdato)},
        ))
    for tid in p.tjeneste:
        if tid.krav_maneder is None or tid.gjenstar_dager <= 0:
            continue
        frist = _latest_start(p.maks_slutt, tid.gjenstar_dager, avtale.stillingsprosent)
        code = "alis_apen_praksis_min_maneder" if tid.type == Tjenestetype.APEN_USELEKTERT else "alis_institusjon_min_maneder"
        items.append(Mangel(
            type=f"tjeneste_{tid.type}", frist=frist,
            tittel=_("%(type)s: %(mangler)s måneder gjenstår") % {"type": tid.tekst, "mangler": _hours(tid.gjenstar_maneder)},
            beskrivelse=_("%(gjort)s av minst %(krav)d måneder gjennomført, %(plan)s planlagt. I %(prosent)d %% stilling må "
                          "resten begynne senest %(frist)s for å rekke det før femårsgrensen %(maks)s (%(kilde)s).") % {
                "gjort": _hours(tid.maneder), "krav": tid.krav_maneder, "plan": _hours(tid.planlagt_maneder),
                "prosent": avtale.stillingsprosent, "frist": _fmt(frist), "maks": _fmt(p.maks_slutt),
                "kilde": regler.kilde(code, avtale.startdato)},
        ))
    return items


def progresjon_for(avtaler: Iterable[Alisavtale], *, on: dt.date | None = None) -> dict[int, Progresjon]:
    """Progress of many avtaler: a constant number of queries (absence, service, supervision and
    the underlying relationships are fetched for all of them at once)."""
    day = on or timezone.localdate()
    avtaler = list(avtaler)
    _prefetch(avtaler, "fravaer", "tjeneste", "veiledning")
    return {avtale.pk: _progresjon(avtale, day) for avtale in avtaler}


def progresjon(avtale: Alisavtale, *, on: dt.date | None = None) -> Progresjon:
    return progresjon_for([avtale], on=on)[avtale.pk]


def _prefetch(avtaler: list[Alisavtale], *reverse: str) -> None:
    """Fetch the relationships (unless selected already) and the reverse relations named."""
    lookups: list[Any] = ["fastlegeavtale__lege", "vikarperiode", "introduksjonsavtale", "lege", "veileder"]
    for name in reverse:
        model = Alisavtale._meta.get_field(name).related_model
        lookups.append(Prefetch(name, queryset=model.objects.order_by(*model._meta.ordering)))
    prefetch_related_objects(avtaler, *lookups)


# --- the grant (Nasjonal ALIS og veiledning) ----------------------------------------------------------

def tilskudd_berettiget(avtale: Alisavtale, *, on: dt.date | None = None) -> tuple[bool, list[str]]:
    """Whether the avtale can give the grant, and if not, why (each reason cites the source):
    no doctor employed by or tied to a vikarbyrå or other commercial actor; a vikar only when the
    vikariat lasts more than three months (an open-ended one does); not after the grant was declined."""
    day = on or timezone.localdate()
    reasons: list[str] = []
    if avtale.vikarbyra and regler.verdi("alis_vikarbyra_utelukket", day):
        reasons.append(_("Legen er ansatt i eller tilknyttet et vikarbyrå eller en annen kommersiell aktør og har ikke rett "
                         "til tilskudd (%(kilde)s).") % {"kilde": regler.kilde("alis_vikarbyra_utelukket", day)})
    if avtale.relasjon == AlisRelasjon.VIKAR and avtale.vikarperiode_id:
        periode = avtale.vikarperiode
        months = regler.verdi("alis_vikar_tilskudd_min_maneder", day)
        if periode.til is not None and periode.til <= add_months(periode.fra, months):
            reasons.append(_("Vikariatet (%(fra)s–%(til)s) varer ikke mer enn %(mnd)d måneder; en vikar har rett til tilskudd "
                             "bare når vikariatet varer lenger (%(kilde)s).") % {
                "fra": _fmt(periode.fra), "til": _fmt(periode.til - dt.timedelta(days=1)), "mnd": months,
                "kilde": regler.kilde("alis_vikar_tilskudd_min_maneder", day)})
    if avtale.tilskuddsstatus == Tilskuddsstatus.AVSLATT:
        reasons.append(_("Tilskudd ble avslått %(dato)s; avtalen opphører når tilskudd ikke gis (%(kilde)s).") % {
            "dato": _fmt(avtale.tilskudd_avslatt), "kilde": regler.ALIS_MAL})
    return not reasons, reasons


@dataclass(frozen=True)
class GrunnlagElement:
    element: str
    tekst: Any
    finansiering: str
    finansiering_tekst: Any
    fra: dt.date
    til: dt.date | None
    maneder: Decimal
    belop: Decimal
    kreves: bool  # state-financed (standard or tillegg): part of the claim
    mangler_sats: bool


@dataclass(frozen=True)
class Grunnlagsrad:
    """The claim basis for one ALIS-avtale in the claim period."""

    avtale: Alisavtale
    avtale_id: int
    lege: str
    hpr_nummer: str
    relasjon: str
    relasjon_tekst: Any
    arbeidssted: str
    stillingsprosent: int
    stillingsandel: Decimal
    fra: dt.date | None  # first day counted
    til: dt.date | None  # last day counted (inclusive, as typed in a claim)
    maneder: Decimal
    per_maned: list[tuple[dt.date, Decimal]]
    elementer: list[GrunnlagElement]
    total: Decimal
    berettiget: bool
    grunner: list[str]


def _months_between(fra: dt.date, til_excl: dt.date) -> list[dt.date]:
    months, m = [], month_start(fra)
    while m < til_excl:
        months.append(m)
        m = next_month(m)
    return months


def _valid_days(avtale: Alisavtale, fra: dt.date, til_excl: dt.date, fravaer: list[AlisFravaer],
                tjenester: list[AlisTjeneste]) -> list[tuple[dt.date, dt.date]]:
    """The half-open periods within [fra, til_excl) where the avtale counts for the grant: not
    during recorded absence, nor institutional service outside the kommune (the avtale is not
    valid then)."""
    holes = sorted(
        [(f.fra, f.til) for f in fravaer]
        + [(t.fra, t.til) for t in tjenester if t.type == Tjenestetype.INSTITUSJON and t.utenfor_kommunen]
    )
    result, cursor = [], fra
    for h_fra, h_til in holes:
        if h_til <= cursor:
            continue
        if h_fra >= til_excl:
            break
        if h_fra > cursor:
            result.append((cursor, min(h_fra, til_excl)))
        cursor = max(cursor, h_til)
        if cursor >= til_excl:
            break
    if cursor < til_excl:
        result.append((cursor, til_excl))
    return result


def _month_fractions(periods: list[tuple[dt.date, dt.date]], months: list[dt.date]) -> dict[dt.date, Decimal]:
    fractions = {}
    for m in months:
        m_end = next_month(m)
        days = sum(_days(max(fra, m), min(til, m_end)) for fra, til in periods)
        if days:
            fractions[m] = Decimal(days) / Decimal(calendar.monthrange(m.year, m.month)[1])
    return fractions


def _rate(satser: list[AlisSats], element: str, relasjon: str, day: dt.date) -> Decimal | None:
    """The monthly full-time amount in force on `day` for the element; a rate for the avtale's kind
    of relationship beats the general one (blank relasjon)."""
    for wanted in (relasjon, ""):
        found = [s for s in satser if s.element == element and s.relasjon == wanted and s.gyldig_fra <= day]
        if found:
            return max(found, key=lambda s: s.gyldig_fra).manedsbelop
    return None


def tilskuddsgrunnlag(*, fra: dt.date, til: dt.date) -> list[Grunnlagsrad]:
    """The basis of the kommune's refusjon claim (Nasjonal ALIS og veiledning) for the claim period
    `fra`–`til` (both days included), per ALIS-avtale:

    - the months covered: for each calendar month, the days the avtale counts ÷ the month's days,
      summed (2 decimals). Counted from the later of signing and start (no grant before signing)
      to the derived end, without recorded absence and institutional service outside the kommune;
    - the elements active in the period with their financing, and an amount per element: for each
      month, the rate in force on the month's first day (for the avtale's relationship, else the
      general rate) × the month fraction (days both avtale and element count) × stillingsandel,
      rounded to øre. Elements the kommune finances itself are listed but not claimed;
    - eligibility with reasons: ineligible avtaler are listed with amount 0.

    A constant number of queries whatever the number of avtaler."""
    if til < fra:
        from django.core.exceptions import ValidationError

        raise ValidationError({"til": [_("Perioden må slutte etter at den begynner.")]})
    end_excl = til + dt.timedelta(days=1)
    avtaler = list(
        alisavtale_list()
        .filter(startdato__lt=end_excl, signert__lt=end_excl)
        .filter(Q(sluttdato__isnull=True) | Q(sluttdato__gt=fra))
    )
    _prefetch(avtaler, "tjeneste", "elementer")
    satser = list(AlisSats.objects.all())
    months = _months_between(fra, end_excl)
    rows = []
    for avtale in avtaler:
        fravaer = list(avtale.fravaer.all())
        end, _grunn = opphorer(avtale, fravaer=fravaer)
        start = max(avtale.signert, avtale.startdato, fra)
        stop = min(end, end_excl) if end else end_excl
        if stop <= start:
            continue
        periods = _valid_days(avtale, start, stop, fravaer, list(avtale.tjeneste.all()))
        fractions = _month_fractions(periods, months)
        berettiget, grunner = tilskudd_berettiget(avtale, on=til)
        andel = Decimal(avtale.stillingsprosent) / 100
        elementer = []
        for element in sorted(avtale.elementer.all(), key=lambda e: (e.fra, e.element, e.pk)):
            span = _overlap(element.fra, element.til, start, stop)
            if span is None:
                continue
            e_periods = [p for p in (_overlap(a, b, span[0], span[1]) for a, b in periods) if p is not None]
            e_fractions = _month_fractions(e_periods, months)
            kreves = element.finansiering != AlisFinansiering.KOMMUNE
            amount, missing = Decimal(0), False
            for m, fraction in e_fractions.items():
                rate = _rate(satser, element.element, avtale.relasjon, m)
                if rate is None:
                    missing = True
                    continue
                amount += rate * fraction * andel
            if not (berettiget and kreves):
                amount = Decimal(0)
            elementer.append(GrunnlagElement(
                element=element.element, tekst=element.get_element_display(), finansiering=element.finansiering,
                finansiering_tekst=element.get_finansiering_display(), fra=element.fra, til=element.til,
                maneder=sum(e_fractions.values(), Decimal(0)).quantize(ORE, ROUND_HALF_UP),
                belop=amount.quantize(ORE, ROUND_HALF_UP), kreves=kreves, mangler_sats=missing and kreves,
            ))
        counted = [day for fra_, til_ in periods for day in (fra_, til_)]
        rows.append(Grunnlagsrad(
            avtale=avtale, avtale_id=avtale.pk, lege=avtale.lege.navn, hpr_nummer=avtale.lege.hpr_nummer,
            relasjon=avtale.relasjon, relasjon_tekst=avtale.get_relasjon_display(), arbeidssted=avtale.arbeidssted,
            stillingsprosent=avtale.stillingsprosent, stillingsandel=andel,
            fra=min(counted) if counted else None, til=(max(counted) - dt.timedelta(days=1)) if counted else None,
            maneder=sum(fractions.values(), Decimal(0)).quantize(ORE, ROUND_HALF_UP),
            per_maned=[(m, f.quantize(Decimal("0.0001"), ROUND_HALF_UP)) for m, f in sorted(fractions.items())],
            elementer=elementer, total=sum((e.belop for e in elementer if e.kreves), Decimal(0)),
            berettiget=berettiget, grunner=grunner,
        ))
    return rows
