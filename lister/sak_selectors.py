"""Reads about vacancy cases: the cases with their derived phase and hjemfall status, their
advertisements, applicants and the list's cover, and the cases' deadlines for the kommune's
"Frister" page. Every read is a constant number of queries whatever the number of rows.

- Phase (derived, never stored), as of a day d: *avsluttet* when the case has closed by d; *ledig*
  when the list stands without the departing GP (fastlege_slutt <= d; a new list from its first
  day); otherwise *kunngjort* (the departure is known, the GP still serves).
- Hjemfall (ASA 4310, revised 1 April 2024) is possible on d for an open case when every condition
  holds: the kommune follows ASA 4310 (not Oslo's agreement), the departing GP is næringsdrivende, at
  least 12 months have passed since the notice was received, at least three correct advertisements
  have been made by d, and no applicant is qualified (kvalifisert or tildelt). It is an outcome
  shown to the user, not an action.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
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
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.dates import add_months
from kommune import regler
from kommune.frister import Frist
from kommune.models import Kommune
from lister.models import (
    KVALIFISERTE_VURDERINGER,
    Dekning,
    Ledighetsarsak,
    Ledighetssak,
    Pasientliste,
    Soker,
    Utlysning,
)


class Fase:
    KUNNGJORT = "kunngjort"
    LEDIG = "ledig"
    AVSLUTTET = "avsluttet"


FASE_CHOICES = [
    (Fase.KUNNGJORT, gettext_lazy("Kunngjort: avgangen er kjent, fastlegen er fortsatt på listen")),
    (Fase.LEDIG, gettext_lazy("Ledig: listen (eller en del av den) står uten fastlegen")),
    (Fase.AVSLUTTET, gettext_lazy("Avsluttet: ny fastlege er på plass")),
]
FASE_TEKST = dict(FASE_CHOICES)


def _fmt(day: dt.date | None) -> str:
    return day.strftime("%d.%m.%Y") if day else ""


def _count(queryset) -> Coalesce:
    return Coalesce(Subquery(queryset.order_by().values("sak").annotate(n=Count("pk")).values("n")), 0,
                    output_field=IntegerField())


def sak_list(*, on: dt.date | None = None) -> QuerySet[Ledighetssak]:
    """The kommune's cases with, as of `on` (default today): the number of advertisements (all, and
    correct ones made by then), applicants, whether one is qualified, `apen` (not closed by then) and
    `fase`. One query."""
    day = on or timezone.localdate()
    return (
        Ledighetssak.objects.select_related("pasientliste__legekontor", "fastlege", "kommune")
        .annotate(
            antall_utlysninger=_count(Utlysning.objects.filter(sak=OuterRef("pk"))),
            antall_korrekte_utlysninger=_count(Utlysning.objects.filter(sak=OuterRef("pk"), korrekt=True, dato__lte=day)),
            antall_sokere=_count(Soker.objects.filter(sak=OuterRef("pk"))),
            har_kvalifisert_soker=Exists(Soker.objects.filter(sak=OuterRef("pk"), vurdering__in=KVALIFISERTE_VURDERINGER)),
            apen=Case(When(Q(avsluttet__isnull=True) | Q(avsluttet__gt=day), then=Value(True)), default=Value(False),
                      output_field=BooleanField()),
            fase=Case(
                When(avsluttet__lte=day, then=Value(Fase.AVSLUTTET)),
                When(Q(arsak=Ledighetsarsak.NY_LISTE, kjent__lte=day) | Q(fastlege_slutt__lte=day), then=Value(Fase.LEDIG)),
                default=Value(Fase.KUNNGJORT), output_field=CharField(),
            ),
        )
        .order_by("-kjent", "-id")
    )


def get_sak(*, pk: int, on: dt.date | None = None) -> Ledighetssak:
    return get_object_or_404(sak_list(on=on), pk=pk)


def saker_for_liste(*, liste: Pasientliste, on: dt.date | None = None) -> QuerySet[Ledighetssak]:
    return sak_list(on=on).filter(pasientliste=liste)


def utlysninger_for(*, sak: Ledighetssak) -> QuerySet[Utlysning]:
    return Utlysning.objects.filter(sak=sak).order_by("dato", "id")


def sokere_for(*, sak: Ledighetssak) -> QuerySet[Soker]:
    return Soker.objects.filter(sak=sak).select_related("lege").order_by("mottatt", "id")


def dekning_list() -> QuerySet[Dekning]:
    return Dekning.objects.select_related("pasientliste__legekontor").order_by("-fra", "id")


def dekninger_for(*, liste: Pasientliste) -> QuerySet[Dekning]:
    return dekning_list().filter(pasientliste=liste)


# --- hjemfall -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Vilkar:
    """One condition of hjemfall with its state on the day asked about."""

    kode: str
    tekst: str
    oppfylt: bool
    detalj: str
    dato: dt.date | None = None


@dataclass(frozen=True)
class Hjemfallstatus:
    mulig: bool
    dato: dt.date  # the day the status is for
    vilkar: tuple[Vilkar, ...]
    tid_oppfylt_fra: dt.date | None  # the day 12 months since the notice are reached
    antall_korrekte_utlysninger: int
    kreves_utlysninger: int
    apen: bool
    kilde: str


def hjemfall_dato(sak: Ledighetssak) -> dt.date | None:
    """The day enough time has passed since the notice for hjemfall (12 months), if there was notice."""
    if sak.oppsigelse_mottatt is None:
        return None
    return add_months(sak.oppsigelse_mottatt, regler.verdi("hjemfall_maneder", sak.oppsigelse_mottatt))


def hjemfall(sak: Ledighetssak, on: dt.date | None = None) -> Hjemfallstatus:
    """Whether hjemfall is possible on `on` (default today), with each condition's state. Uses the
    annotations of `sak_list(on=on)`; no queries of its own."""
    day = on or timezone.localdate()
    kreves = regler.verdi("hjemfall_utlysninger", day)
    regime = sak.kommune.avtaleregime == Kommune.Avtaleregime.ASA_4310
    tid = hjemfall_dato(sak)
    korrekte = getattr(sak, "antall_korrekte_utlysninger", 0)
    kvalifisert = getattr(sak, "har_kvalifisert_soker", False)
    apen = getattr(sak, "apen", sak.avsluttet is None or sak.avsluttet > day)
    vilkar = (
        Vilkar("asa4310", _("Kommunen følger rammeavtalen ASA 4310"), regime,
               _("Ja") if regime else _("Nei: kommunen følger Oslo kommunes rammeavtale")),
        Vilkar("naeringsdrivende", _("Den avgående fastlegen er næringsdrivende"), sak.naeringsdrivende,
               _("Ja") if sak.naeringsdrivende else _("Nei: hjemfall gjelder bare næringsdrivende fastleger")),
        Vilkar("tid", _("Minst %(maneder)d måneder siden oppsigelsen") % {"maneder": regler.verdi("hjemfall_maneder", day)},
               tid is not None and day >= tid,
               (_("Ingen oppsigelse er registrert") if tid is None else
                _("Oppfylt fra %(dato)s (oppsigelsen mottatt %(mottatt)s)") % {"dato": _fmt(tid), "mottatt": _fmt(sak.oppsigelse_mottatt)}),
               tid),
        Vilkar("utlysninger", _("Minst %(antall)d korrekte utlysninger") % {"antall": kreves}, korrekte >= kreves,
               _("%(antall)d av %(kreves)d korrekte utlysninger") % {"antall": korrekte, "kreves": kreves}),
        Vilkar("ingen_kvalifisert", _("Ingen kvalifisert søker vil overta"), not kvalifisert,
               _("Det finnes en kvalifisert søker") if kvalifisert else _("Ingen søker er vurdert som kvalifisert")),
    )
    return Hjemfallstatus(
        mulig=apen and all(v.oppfylt for v in vilkar), dato=day, vilkar=vilkar, tid_oppfylt_fra=tid,
        antall_korrekte_utlysninger=korrekte, kreves_utlysninger=kreves, apen=apen, kilde=regler.kilde("hjemfall_maneder", day),
    )


def with_status(saker, on: dt.date | None = None) -> list[Ledighetssak]:
    """The cases with `hjemfall` and `fase_tekst` attached (for pages). No queries of its own."""
    rows = list(saker)
    for sak in rows:
        sak.hjemfall = hjemfall(sak, on)
        sak.fase_tekst = FASE_TEKST.get(sak.fase, sak.fase)
    return rows


# --- deadlines (kommune.frister) ---------------------------------------------------------------------

def _sak_url(sak: Ledighetssak) -> str:
    return reverse("lister:sak", args=[sak.pk])


def _not_closed_by(field: str) -> Q:
    return Q(avsluttet__isnull=True) | Q(avsluttet__gt=F(field))


def frist_ledig(kommune, fra: dt.date, til: dt.date) -> list[Frist]:
    """The day a list stands without the departing GP (the notice period ends), for cases not closed by then."""
    rows = sak_list(on=fra).filter(fastlege_slutt__gte=fra, fastlege_slutt__lte=til).filter(_not_closed_by("fastlege_slutt"))
    return [
        Frist(
            dato=sak.fastlege_slutt, type="ledig_liste",
            tittel=_("Listen «%(liste)s» står uten fastlege") % {"liste": sak.pasientliste},
            beskrivelse=_("%(lege)s slutter; listen trenger ny fastlege eller vikar fra %(dato)s.") % {
                "lege": sak.fastlege.navn if sak.fastlege else _("Fastlegen"), "dato": _fmt(sak.fastlege_slutt)},
            url=_sak_url(sak), objekt=sak,
        )
        for sak in rows
    ]


def frist_vikarplikt(kommune, fra: dt.date, til: dt.date) -> list[Frist]:
    """The end of the kommune's duty to provide a vikar and cover running costs (ASA 4310)."""
    rows = sak_list(on=fra).filter(kostnadsperiode_til__gte=fra, kostnadsperiode_til__lte=til).filter(
        _not_closed_by("kostnadsperiode_til"))
    return [
        Frist(
            dato=sak.kostnadsperiode_til, type="vikarplikt",
            tittel=_("Kommunens vikarplikt for listen «%(liste)s» opphører") % {"liste": sak.pasientliste},
            beskrivelse=_("Kommunen skal sette inn vikar og dekke driftsutgiftene til og med %(siste)s, seks måneder etter "
                          "oppsigelsestiden (%(kilde)s).") % {
                "siste": _fmt(sak.kostnadsperiode_til - dt.timedelta(days=1)),
                "kilde": regler.kilde("kommune_vikarplikt_maneder", sak.fastlege_slutt)},
            url=_sak_url(sak), objekt=sak,
        )
        for sak in rows
    ]


HJEMFALL_MARGIN = dt.timedelta(days=4)  # month arithmetic: the query's window is a little wide, checked exactly after


def frist_hjemfall(kommune, fra: dt.date, til: dt.date) -> list[Frist]:
    """The day hjemfall becomes possible by time (12 months since the notice), for open cases of
    næringsdrivende GPs in an ASA 4310 kommune; whether the other conditions hold is described."""
    if kommune.avtaleregime != Kommune.Avtaleregime.ASA_4310:
        return []
    months = regler.verdi("hjemfall_maneder", fra)
    rows = sak_list(on=fra).filter(
        naeringsdrivende=True, oppsigelse_mottatt__gte=add_months(fra, -months) - HJEMFALL_MARGIN,
        oppsigelse_mottatt__lte=add_months(til, -months) + HJEMFALL_MARGIN,
    )
    items = []
    for sak in rows:
        dato = hjemfall_dato(sak)
        if not fra <= dato <= til or (sak.avsluttet is not None and sak.avsluttet <= dato):
            continue
        status = hjemfall(sak, dato)
        items.append(Frist(
            dato=dato, type="hjemfall",
            tittel=_("Hjemfall kan bli mulig for listen «%(liste)s»") % {"liste": sak.pasientliste},
            beskrivelse=_("%(maneder)d måneder siden oppsigelsen. Hjemfall krever også minst %(kreves)d korrekte utlysninger "
                          "(nå %(antall)d) og ingen kvalifisert søker (%(soker)s) (%(kilde)s).") % {
                "maneder": months, "kreves": status.kreves_utlysninger, "antall": status.antall_korrekte_utlysninger,
                "soker": _("det finnes en kvalifisert søker") if sak.har_kvalifisert_soker else _("ingen er kvalifisert nå"),
                "kilde": status.kilde},
            url=_sak_url(sak), objekt=sak,
        ))
    return items


FRIST_SOURCES = (frist_ledig, frist_vikarplikt, frist_hjemfall)
