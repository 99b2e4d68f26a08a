"""Reads about 8.2-avtaler and their payments, and the three-year look-back (tilbakeblikk) the
kommune shows when a practice is sold (rammeavtalen ASA 4310, revised 1 April 2024: what the GP
received from the kommune beyond basistilskudd in the last three years is taken into account).

The look-back window for a date `on` is the three years *before* it: from `on` minus three years
(the same day; 29 February becomes 28 February) up to, not including, `on`. "Beyond basistilskudd"
means payments from the kommune to the GP in any category except basistilskudd, across all of the
fastlegeavtale's 8.2-avtaler. Payments from the GP to the kommune are shown beside it, not netted
away.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractYear
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from avtaler.models import Betalingskategori, Betalingsretning, Fastlegeavtale, Okonomiavtale, Okonomibetaling
from core.dates import add_months
from kommune import regler

ZERO = Decimal("0.00")
AMOUNT = DecimalField(max_digits=14, decimal_places=2)


class OkonomiStatus:
    UTKAST = "utkast"
    KOMMENDE = "kommende"
    AKTIV = "aktiv"
    OPPHORT = "opphort"


STATUS_CHOICES = [
    (OkonomiStatus.UTKAST, _("Ikke signert")),
    (OkonomiStatus.KOMMENDE, _("Signert, ikke begynt")),
    (OkonomiStatus.AKTIV, _("Løpende")),
    (OkonomiStatus.OPPHORT, _("Opphørt")),
]
STATUS_LABELS = dict(STATUS_CHOICES)


def tilbakeblikk_vindu(on: dt.date) -> tuple[dt.date, int]:
    """The first day of the look-back window for `on`, and its length in years (the rule in force on `on`)."""
    years = regler.verdi("okonomi_tilbakeblikk_ar", on)
    try:
        return add_months(on, -12 * years), years
    except ValueError:  # before the calendar's start (year 1)
        return dt.date.min, years


def _utover_basistilskudd() -> Q:
    return Q(retning=Betalingsretning.TIL_LEGE) & ~Q(kategori=Betalingskategori.BASISTILSKUDD)


def okonomiavtale_list(*, on: dt.date | None = None) -> QuerySet[Okonomiavtale]:
    """The kommune's 8.2-avtaler with the fastlege, a derived `status`, the number of payments
    (`antall_betalinger`) and `tilbakeblikk_sum`: what the fastlegeavtale's GP received beyond
    basistilskudd in the three years before `on` (default today), across all its 8.2-avtaler.
    One query."""
    day = on or timezone.localdate()
    fra, _years = tilbakeblikk_vindu(day)
    running = (
        Okonomibetaling.objects.filter(_utover_basistilskudd(), avtale__fastlegeavtale=OuterRef("fastlegeavtale"),
                                       dato__gte=fra, dato__lt=day)
        .order_by().values("avtale__fastlegeavtale").annotate(total=Sum("belop")).values("total")
    )
    count = (
        Okonomibetaling.objects.filter(avtale=OuterRef("pk")).order_by().values("avtale").annotate(n=Count("id")).values("n")
    )
    return (
        Okonomiavtale.objects.select_related("fastlegeavtale__lege", "fastlegeavtale__pasientliste__legekontor")
        .annotate(
            tilbakeblikk_sum=Coalesce(Subquery(running, output_field=AMOUNT), Value(ZERO), output_field=AMOUNT),
            antall_betalinger=Coalesce(Subquery(count, output_field=IntegerField()), 0),
            status=Case(
                When(sluttdato__isnull=False, sluttdato__lte=day, then=Value(OkonomiStatus.OPPHORT)),
                When(signert__isnull=True, then=Value(OkonomiStatus.UTKAST)),
                When(startdato__gt=day, then=Value(OkonomiStatus.KOMMENDE)),
                default=Value(OkonomiStatus.AKTIV),
                output_field=CharField(),
            ),
        )
        .order_by("fastlegeavtale__lege__etternavn", "fastlegeavtale__lege__fornavn", "-startdato", "id")
    )


def get_okonomiavtale(*, pk: int, on: dt.date | None = None) -> Okonomiavtale:
    return get_object_or_404(okonomiavtale_list(on=on), pk=pk)


def betalinger_for(*, avtale: Okonomiavtale) -> QuerySet[Okonomibetaling]:
    """The avtale's ledger, newest first."""
    return Okonomibetaling.objects.filter(avtale=avtale).order_by("-dato", "-id")


def okonomiavtaler_for(*, fastlegeavtale: Fastlegeavtale) -> QuerySet[Okonomiavtale]:
    return Okonomiavtale.objects.filter(fastlegeavtale=fastlegeavtale).order_by("startdato", "id")


@dataclass(frozen=True)
class ArSum:
    ar: int
    utover_basistilskudd: Decimal = ZERO
    basistilskudd: Decimal = ZERO
    mottatt_fra_lege: Decimal = ZERO

    @property
    def til_lege(self) -> Decimal:
        return self.utover_basistilskudd + self.basistilskudd


@dataclass(frozen=True)
class KategoriSum:
    retning: str
    kategori: str
    sum: Decimal

    @property
    def retning_tekst(self) -> str:
        return str(Betalingsretning(self.retning).label)

    @property
    def kategori_tekst(self) -> str:
        return str(Betalingskategori(self.kategori).label)

    @property
    def utover_basistilskudd(self) -> bool:
        return self.retning == Betalingsretning.TIL_LEGE and self.kategori != Betalingskategori.BASISTILSKUDD


@dataclass(frozen=True)
class Tilbakeblikk:
    """The look-back for a fastlegeavtale on a date: the window [fra, til) with til = the date."""

    fastlegeavtale: Fastlegeavtale
    fra: dt.date
    til: dt.date
    ar: int
    kilde: str
    utbetalt_utover_basistilskudd: Decimal
    basistilskudd: Decimal
    mottatt_fra_lege: Decimal
    per_ar: list[ArSum] = field(default_factory=list)
    per_kategori: list[KategoriSum] = field(default_factory=list)
    betalinger: list[Okonomibetaling] = field(default_factory=list)

    @property
    def netto(self) -> Decimal:
        """Paid to the GP beyond basistilskudd, less what the GP paid the kommune."""
        return self.utbetalt_utover_basistilskudd - self.mottatt_fra_lege

    @property
    def siste_dag(self) -> dt.date:
        return self.til - dt.timedelta(days=1)


def tilbakeblikk(*, fastlegeavtale: Fastlegeavtale, on: dt.date, med_betalinger: bool = True) -> Tilbakeblikk:
    """What the fastlegeavtale's GP received from the kommune beyond basistilskudd in the three
    years (rule `okonomi_tilbakeblikk_ar`) before `on`: payments with fra <= dato < on, across all
    its 8.2-avtaler, with basistilskudd and payments to the kommune beside it, per year and per
    category. The sums are one aggregate query; the payments themselves one more (`med_betalinger`)."""
    fra, years = tilbakeblikk_vindu(on)
    window = Okonomibetaling.objects.filter(avtale__fastlegeavtale=fastlegeavtale, dato__gte=fra, dato__lt=on)
    rows = list(
        window.order_by().values("retning", "kategori", aar=ExtractYear("dato")).annotate(total=Sum("belop"))
        .order_by("aar", "retning", "kategori")
    )
    per_ar: dict[int, dict[str, Decimal]] = {}
    per_kategori: dict[tuple[str, str], Decimal] = {}
    totals = {"utover": ZERO, "basis": ZERO, "mottatt": ZERO}
    for row in rows:
        bucket = per_ar.setdefault(row["aar"], {"utover": ZERO, "basis": ZERO, "mottatt": ZERO})
        if row["retning"] == Betalingsretning.TIL_KOMMUNE:
            key = "mottatt"
        elif row["kategori"] == Betalingskategori.BASISTILSKUDD:
            key = "basis"
        else:
            key = "utover"
        bucket[key] += row["total"]
        totals[key] += row["total"]
        per_kategori[(row["retning"], row["kategori"])] = per_kategori.get((row["retning"], row["kategori"]), ZERO) + row["total"]
    betalinger = list(window.order_by("-dato", "-id")) if med_betalinger else []
    return Tilbakeblikk(
        fastlegeavtale=fastlegeavtale, fra=fra, til=on, ar=years, kilde=regler.kilde("okonomi_tilbakeblikk_ar", on),
        utbetalt_utover_basistilskudd=totals["utover"], basistilskudd=totals["basis"], mottatt_fra_lege=totals["mottatt"],
        per_ar=[ArSum(ar=year, utover_basistilskudd=v["utover"], basistilskudd=v["basis"], mottatt_fra_lege=v["mottatt"])
                for year, v in sorted(per_ar.items())],
        per_kategori=[KategoriSum(retning=r, kategori=k, sum=s) for (r, k), s in sorted(per_kategori.items())],
        betalinger=betalinger,
    )


def betalinger_per_ar(*, avtale: Okonomiavtale) -> list[ArSum]:
    """The avtale's payments per calendar year in both directions (for the chart). One query."""
    rows = (
        Okonomibetaling.objects.filter(avtale=avtale).order_by()
        .values("retning", aar=ExtractYear("dato"))
        .annotate(
            utover=Coalesce(Sum("belop", filter=_utover_basistilskudd()), Value(ZERO), output_field=AMOUNT),
            basis=Coalesce(Sum("belop", filter=Q(retning=Betalingsretning.TIL_LEGE, kategori=Betalingskategori.BASISTILSKUDD)),
                           Value(ZERO), output_field=AMOUNT),
            total=Sum("belop"),
        )
        .order_by("aar")
    )
    years: dict[int, dict[str, Decimal]] = {}
    for row in rows:
        bucket = years.setdefault(row["aar"], {"utover": ZERO, "basis": ZERO, "mottatt": ZERO})
        if row["retning"] == Betalingsretning.TIL_KOMMUNE:
            bucket["mottatt"] += row["total"]
        else:
            bucket["utover"] += row["utover"]
            bucket["basis"] += row["basis"]
    if not years:
        return []
    first, last = min(years), max(years)
    return [
        ArSum(ar=year, utover_basistilskudd=years.get(year, {}).get("utover", ZERO),
              basistilskudd=years.get(year, {}).get("basis", ZERO), mottatt_fra_lege=years.get(year, {}).get("mottatt", ZERO))
        for year in range(first, last + 1)
    ]
