"""The kommune's official capacity indicators on a day, and their trend month by month, after SSB
table 12005 and Helsedirektoratet's definitions (DEFINISJONER gives each with its source).

On a day d:
- the lists counted are those valid on d (gyldig_fra <= d < coalesce(gyldig_til, infinity));
- a list's figure (listelengde) is its latest Listetall with dato <= d; a list without one adds nothing
  to the sums of listeinnbyggere (and is counted in `lister_uten_listetall`);
- who serves a list on d is the Legeperiode rows covering d (half-open): rolle LPFL (fastlege) and LPVI (vikar);
- listetak and manual locking are the list's as registered now: the register keeps no dated listetak
  per list, so a past month uses today's listetak.

`indikatorer(on=…)` and `trend(til=…, maneder=…)` are one SQL statement each, whatever the number of
lists or months: the days are a set (one day, or the month starts) joined to the
lists valid on each day, to each list's figure in force that day (a figure holds until the list's
next one) and to the periods covering the day. Shares and averages are
Decimal with one decimal, None when the denominator is 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from core.context import current_kommune_id
from core.dates import add_months
from core.tenancy import NoTenantScope
from kommune import frister
from lister.models import Ledighetsvarsel, Varseltype

# --- definitions and their sources ---------------------------------------------------------------------------

SSB_12005 = "SSB, statistikkbanken tabell 12005 «Fastlegeliste og fastlegekonsultasjoner (K)»"
SSB_12005_URL = "https://www.ssb.no/statbank/table/12005/"
HELSEDIREKTORATET = ("Helsedirektoratet, «Begrepsforklaringer og definisjoner» (Handlingsplan for allmennlegetjenesten, "
                     "månedsrapport november 2023)")
HELSEDIREKTORATET_URL = ("https://www.helsedirektoratet.no/rapporter/handlingsplan-for-allmennlegetjenesten-manedsrapport-"
                         "november-2023/begrepsforklaringer-og-definisjoner")
FASTLEGEREGISTERET = "Fastlegeregisteret (FLR): legeperiodens rolle LPFL (fastlege) og LPVI (vikar)"

MANEDER_STANDARD = 24
MANEDER_MAKS = 60
# Dates the indicators can be asked for (also bounds the trend's months and the deadline window).
DATO_MIN = dt.date(1990, 1, 1)
DATO_MAKS = dt.date(2100, 12, 31)


@dataclass(frozen=True)
class Definisjon:
    """An indicator: its name, how the system computes it, and the source of the definition."""

    navn: Any
    tekst: Any
    kilde: str
    url: str = ""

    @property
    def kilde_tekst(self) -> str:
        return f"{self.kilde} {self.url}".strip()


DEFINISJONER: dict[str, Definisjon] = {
    "lister": Definisjon(
        _("Lister"),
        _("Lister som gjelder på datoen: gyldig fra på eller før datoen og ikke opphørt."),
        "Fastlegeregisteret (FLR): fastlegeavtalens/listens gyldighetsperiode",
    ),
    "fastlegeavtaler": Definisjon(
        _("Fastlegeavtaler"),
        _("Antall fastlegeperioder (rolle LPFL) som gjelder på datoen. En fellesliste med to fastleger teller to."),
        SSB_12005 + ": «Antall fastlegeavtaler»", SSB_12005_URL,
    ),
    "lister_uten_fastlege": Definisjon(
        _("Lister uten fast lege"),
        _("Lister som gjelder på datoen, men der ingen fastlegeperiode gjelder den dagen («liste uten fast lege», "
          "ubesatt liste: kommunen har ingen avtale med en fastlege om listen; den kan driftes av vikarer eller av "
          "andre leger ved kontoret). SSB tabell 12005 kaller det «fastlegelister uten lege»."),
        HELSEDIREKTORATET + ": «Liste uten fast lege (ubesatt liste)»", HELSEDIREKTORATET_URL,
    ),
    "listeinnbyggere": Definisjon(
        _("Listeinnbyggere"),
        _("Summen av listelengden på listene som gjelder på datoen: for hver liste det siste listetallet med dato på "
          "eller før datoen. Lister uten listetall teller ikke med."),
        SSB_12005 + ": «Pasienter på liste»", SSB_12005_URL,
    ),
    "listeinnbyggere_uten_fastlege": Definisjon(
        _("Listeinnbyggere på lister uten fast lege"),
        _("Summen av listelengden på listene uten fast lege."),
        SSB_12005 + ": «Pasienter på liste uten lege»", SSB_12005_URL,
    ),
    "andel_listeinnbyggere_uten_fastlege": Definisjon(
        _("Andel listeinnbyggere på lister uten fast lege"),
        _("Listeinnbyggere på lister uten fast lege ÷ alle listeinnbyggere × 100, med én desimal. Vises som «–» når "
          "ingen listetall er registrert."),
        SSB_12005 + ": «Andel pasienter på liste uten lege»", SSB_12005_URL,
    ),
    "apne_lister": Definisjon(
        _("Åpne lister"),
        _("Lister som gjelder på datoen, som kommunen ikke har låst, og der listelengden er under listetaket "
          "(fastlegeforskriften § 10). En liste uten listetall regnes som åpen."),
        SSB_12005 + ": «Antall åpne fastlegelister»", SSB_12005_URL,
    ),
    "gjennomsnittlig_listelengde": Definisjon(
        _("Gjennomsnittlig listelengde"),
        _("Listeinnbyggere på lister med fast lege ÷ antall fastlegeavtaler, med én desimal (en fellesliste med to "
          "fastleger teller to avtaler). Ikke korrigert for kommunale timer."),
        SSB_12005 + ": «Gjennomsnittlig listelengde»", SSB_12005_URL,
    ),
    "kapasitet": Definisjon(
        _("Kapasitet"),
        _("Summen av listetaket på alle lister som gjelder på datoen. Listetaket er det som er registrert nå; "
          "registeret har ikke listenes listetak bakover i tid."),
        SSB_12005 + ": «Kapasitet (iht. liste)»", SSB_12005_URL,
    ),
    "ledige_plasser": Definisjon(
        _("Ledige plasser, alle lister"),
        _("Summen av listetak minus summen av listelengde, for alle lister. Negativt når listene til sammen er over "
          "listetaket."),
        HELSEDIREKTORATET + ": «Ledige plasser»", HELSEDIREKTORATET_URL,
    ),
    "ledige_plasser_med_fastlege": Definisjon(
        _("Ledige plasser, lister med fast lege"),
        _("Summen av listetak minus summen av listelengde, for lister med fast lege."),
        HELSEDIREKTORATET + ": «Ledige plasser»", HELSEDIREKTORATET_URL,
    ),
    "reservekapasitet": Definisjon(
        _("Reservekapasitet"),
        _("Kapasitet ÷ listeinnbyggere × 100, med én desimal. Over 100 betyr at det er ledige plasser; under 100 at "
          "listene til sammen er over listetaket."),
        SSB_12005 + ": «Reservekapasitet»", SSB_12005_URL,
    ),
    "andel_lister_med_vikar": Definisjon(
        _("Andel lister med vikar"),
        _("Lister der en vikarperiode (rolle LPVI) gjelder på datoen ÷ lister som gjelder på datoen × 100, med én "
          "desimal. Systemets egen beregning; indikatoren finnes ikke i SSBs tabell."),
        FASTLEGEREGISTERET,
    ),
}


# --- the indicators ------------------------------------------------------------------------------------------

ONE_DECIMAL = Decimal("0.1")


def _andel(teller: int, nevner: int) -> Decimal | None:
    if not nevner:
        return None
    return (Decimal(teller) * 100 / Decimal(nevner)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def _snitt(teller: int, nevner: int) -> Decimal | None:
    if not nevner:
        return None
    return (Decimal(teller) / Decimal(nevner)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Indikatorer:
    """The indicators on `dato` (see DEFINISJONER for each)."""

    dato: dt.date
    lister: int
    fastlegeavtaler: int
    lister_uten_fastlege: int
    lister_uten_listetall: int
    listeinnbyggere: int
    listeinnbyggere_uten_fastlege: int
    listeinnbyggere_med_fastlege: int
    apne_lister: int
    kapasitet: int
    kapasitet_med_fastlege: int
    lister_med_vikar: int

    @property
    def andel_listeinnbyggere_uten_fastlege(self) -> Decimal | None:
        return _andel(self.listeinnbyggere_uten_fastlege, self.listeinnbyggere)

    @property
    def gjennomsnittlig_listelengde(self) -> Decimal | None:
        return _snitt(self.listeinnbyggere_med_fastlege, self.fastlegeavtaler)

    @property
    def ledige_plasser(self) -> int:
        return self.kapasitet - self.listeinnbyggere

    @property
    def ledige_plasser_med_fastlege(self) -> int:
        return self.kapasitet_med_fastlege - self.listeinnbyggere_med_fastlege

    @property
    def reservekapasitet(self) -> Decimal | None:
        return _andel(self.kapasitet, self.listeinnbyggere)

    @property
    def andel_lister_med_vikar(self) -> Decimal | None:
        return _andel(self.lister_med_vikar, self.lister)

    def as_dict(self) -> dict[str, Any]:
        """Every stored and derived figure, by name (for serializers and exports)."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        for name in ("andel_listeinnbyggere_uten_fastlege", "gjennomsnittlig_listelengde", "ledige_plasser",
                     "ledige_plasser_med_fastlege", "reservekapasitet", "andel_lister_med_vikar"):
            data[name] = getattr(self, name)
        return data


# The days are an array parameter rather than generate_series: the planner then knows how many there
# are (for generate_series it assumes 1,000 and spends longer JIT-compiling than running the query).
INDIKATOR_SQL = """
WITH dager AS (SELECT unnest(%(dager)s::date[]) AS dag),
tall AS (
  -- each figure with the date of the list's next one: it is the list's figure on the days in between
  SELECT t.pasientliste_id, t.listelengde, t.dato AS fra,
         lead(t.dato) OVER (PARTITION BY t.pasientliste_id ORDER BY t.dato) AS til
    FROM lister_listetall t
   WHERE t.kommune_id = %(kommune)s AND t.dato <= (SELECT max(dag) FROM dager)
),
perioder AS (
  SELECT d.dag, p.pasientliste_id,
         count(*) FILTER (WHERE p.rolle = 'LPFL') AS fastleger,
         count(*) FILTER (WHERE p.rolle = 'LPVI') AS vikarer
    FROM dager d
    JOIN lister_legeperiode p
      ON p.kommune_id = %(kommune)s AND p.fra <= d.dag AND (p.til IS NULL OR p.til > d.dag)
   GROUP BY d.dag, p.pasientliste_id
),
rader AS (
  SELECT d.dag, l.id, l.listetak, l.manuelt_last, t.listelengde,
         coalesce(p.fastleger, 0) AS fastleger, coalesce(p.vikarer, 0) AS vikarer
    FROM dager d
    JOIN lister_pasientliste l
      ON l.kommune_id = %(kommune)s AND l.gyldig_fra <= d.dag AND (l.gyldig_til IS NULL OR l.gyldig_til > d.dag)
    LEFT JOIN tall t ON t.pasientliste_id = l.id AND t.fra <= d.dag AND (t.til IS NULL OR t.til > d.dag)
    LEFT JOIN perioder p ON p.dag = d.dag AND p.pasientliste_id = l.id
)
SELECT d.dag,
       count(r.id)::int,
       coalesce(sum(r.fastleger), 0)::int,
       (count(r.id) FILTER (WHERE r.fastleger = 0))::int,
       (count(r.id) FILTER (WHERE r.listelengde IS NULL))::int,
       coalesce(sum(r.listelengde), 0)::bigint,
       coalesce(sum(r.listelengde) FILTER (WHERE r.fastleger = 0), 0)::bigint,
       coalesce(sum(r.listelengde) FILTER (WHERE r.fastleger > 0), 0)::bigint,
       (count(r.id) FILTER (WHERE NOT r.manuelt_last AND (r.listelengde IS NULL OR r.listelengde < r.listetak)))::int,
       coalesce(sum(r.listetak), 0)::bigint,
       coalesce(sum(r.listetak) FILTER (WHERE r.fastleger > 0), 0)::bigint,
       (count(r.id) FILTER (WHERE r.vikarer > 0))::int
  FROM dager d LEFT JOIN rader r ON r.dag = d.dag
 GROUP BY d.dag
 ORDER BY d.dag
"""


def _kommune_id() -> int:
    kommune_id = current_kommune_id()
    if kommune_id is None:
        raise NoTenantScope("Indikatorene kan ikke beregnes uten en kommune i konteksten.")
    return kommune_id


def _run(days: list[dt.date]) -> list[Indikatorer]:
    with connection.cursor() as cursor:
        cursor.execute(INDIKATOR_SQL, {"dager": days, "kommune": _kommune_id()})
        return [Indikatorer(*row) for row in cursor.fetchall()]


def indikatorer(*, on: dt.date) -> Indikatorer:
    """The kommune's indicators on `on`. One query."""
    return _run([on])[0]


def month_starts(*, til: dt.date, maneder: int = MANEDER_STANDARD) -> list[dt.date]:
    """The 1st of each of the `maneder` months ending with `til`'s month, oldest first."""
    last = til.replace(day=1)
    return [add_months(last, -back) for back in range(maneder - 1, -1, -1)]


def trend(*, til: dt.date, maneder: int = MANEDER_STANDARD) -> list[Indikatorer]:
    """The indicators on the 1st of each of the last `maneder` months up to `til`'s month, oldest
    first (Helfo's figures are per the 1st of the month). One query."""
    if not 1 <= maneder <= MANEDER_MAKS:
        raise ValueError(f"maneder must be 1–{MANEDER_MAKS}")
    return _run(month_starts(til=til, maneder=maneder))


# --- open flags and deadlines (the panel's extras) ---------------------------------------------------------------

@dataclass(frozen=True)
class Varselantall:
    type: str
    navn: Any
    antall: int


def apne_varsler() -> list[Varselantall]:
    """The open vacancy flags (not resolved) per kind, in the kinds' order. One query."""
    counts = dict(
        Ledighetsvarsel.objects.filter(lost__isnull=True).order_by().values("type").annotate(antall=Count("id"))
        .values_list("type", "antall")
    )
    return [Varselantall(value, label, counts[value]) for value, label in Varseltype.choices if counts.get(value)]


FRIST_DAGER = 30


def frister_fra(kommune, *, on: dt.date, dager: int = FRIST_DAGER) -> list:
    """The kommune's deadlines in [on, on + dager] (kommune.frister: also outstanding earlier items)."""
    return frister.collect(kommune, on, on + dt.timedelta(days=dager))


def sum_varsler(varsler: Iterable[Varselantall]) -> int:
    return sum(v.antall for v in varsler)


# --- registrations -------------------------------------------------------------------------------------------

PANEL_KEY = "lister.indikatorer"


def ready() -> None:
    """Registrations (jobs, panels, deadline sources, doctor-page sections) made from ListerConfig.ready()."""
    from kommune import panels
    from kommune.permissions import Handling
    from lister import indikator_views

    panels.register(
        panels.Panel(
            key=PANEL_KEY,
            title=_("Fastlegeordningen i tall"),
            template="lister/indikatorer/panel.html",
            context=indikator_views.panel_context,
            order=10,
            handling=Handling.LES,
        )
    )
