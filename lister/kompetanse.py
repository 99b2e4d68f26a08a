"""Kompetanseforskriften (FOR-2017-02-17-192) § 4: the exceptions from the specialisation
requirement, counted in days worked, and the yearly report to statsforvalteren.

A doctor is *in exception* on a day when `Lege.kompetansestatus(day) == "ingen"`: neither specialist,
under specialisation nor godkjent allmennlege on that day, and not covered by § 5 (a hjemmel on
1 March 2017). The exception relationships are all the doctor's periods on lists (fastlege and
vikar, in every kommune) on such days. A *day worked* is a day of a period, from the counting start
(31 December 2025; relationships begun earlier count from then), whose weekday is one of the
period's arbeidsdager (empty = Monday–Friday); a day worked on two lists counts once.

The two exceptions are alternatives: the doctor may work on day d when the days worked up to and
including d number at most `kompetanse_unntak_total_dager` ("one year") OR the days worked in d's
calendar year up to and including d number at most `kompetanse_unntak_kalenderar_dager` ("four
months per calendar year"). The conversion of one year and four months into days worked is this
system's interpretation (kommune.regler says so, and so must every page that shows the figures).

The counting is set-based in one SQL statement (a generate_series per period, DISTINCT days, window
functions for the running counts per doctor and per calendar year), so `unntak_oversikt` answers for
any number of doctors in one query. Across kommuner only numbers come back, never another
kommune's lists (like lister.services.PEAK_SQL).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kommune import regler
from kommune.models import Lege

# Open-ended periods are counted this many years ahead of the first day checked when a period is
# added or extended, and OVERSIKT_HORISONT_AR ahead of `on` (or a proposed period's start) in the
# overview used to rank candidates (the cost is linear in the days generated). A steady pattern of at
# least 87 days a year passes both limits within four years; fewer never passes the yearly one.
HORISONT_AR = 10
OVERSIKT_HORISONT_AR = 5
HVERDAGER = (1, 2, 3, 4, 5)  # 0 = Sunday … 6 = Saturday, like PostgreSQL's dow
PARAGRAF = "kompetanseforskriften (FOR-2017-02-17-192) § 4"
RAPPORT_FRIST = (3, 31)  # the report for year Y is due 31 March Y+1


def grenser(on: dt.date | None = None) -> dict:
    """The two limits and the counting start in force on `on`, with their sources."""
    return {
        "tellestart": regler.verdi("kompetanse_unntak_tellestart", on),
        "grense_totalt": regler.verdi("kompetanse_unntak_total_dager", on),
        "grense_ar": regler.verdi("kompetanse_unntak_kalenderar_dager", on),
        "kilde_totalt": regler.kilde("kompetanse_unntak_total_dager", on),
        "kilde_ar": regler.kilde("kompetanse_unntak_kalenderar_dager", on),
        "kilde": PARAGRAF,
    }


def tolkning(on: dt.date | None = None) -> str:
    """The note every page showing the figures carries: the day counts are our interpretation."""
    return _(
        "Forskriften sier «ett år» og «fire måneder per kalenderår», regnet i arbeidede dager. At ett år er %(totalt)d "
        "arbeidede dager (52 uker × 5 dager) og fire måneder %(ar)d arbeidede dager (4/12 av det, rundet ned), er denne "
        "løsningens tolkning, ikke tall fra forskriften."
    ) % {"totalt": regler.verdi("kompetanse_unntak_total_dager", on), "ar": regler.verdi("kompetanse_unntak_kalenderar_dager", on)}


def regel_tekst(on: dt.date | None = None) -> str:
    """A short explanation of the rule for pages."""
    g = grenser(on)
    return _(
        "En lege som verken er spesialist i allmennmedisin, under spesialisering eller godkjent allmennlege, kan arbeide i "
        "fastlegeordningen etter ett av to alternative unntak i %(kilde)s: arbeids- eller avtaleforhold på til sammen inntil "
        "ett år (%(totalt)d arbeidede dager), eller inntil fire måneder per kalenderår (%(ar)d arbeidede dager i året). "
        "Varigheten regnes i arbeidede dager i alle kommuner; forhold inngått før %(start)s regnes fra denne datoen. Leger som "
        "hadde fastlegehjemmel 1. mars 2017 (§ 5), er unntatt."
    ) % {"kilde": g["kilde"], "totalt": g["grense_totalt"], "ar": g["grense_ar"], "start": g["tellestart"].strftime("%d.%m.%Y")}


def _add_years(day: dt.date, years: int) -> dt.date:
    if day.year + years > dt.date.max.year:
        return dt.date.max
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Unntaksstatus:
    """A doctor's use of the § 4 exceptions as of a day `on` (days worked up to and including `on`,
    in every kommune), with what the registered (and any proposed) periods lead to afterwards."""

    lege_id: int
    i_unntak: bool  # neither specialist, in specialisation nor godkjent allmennlege on `on`, and not § 5
    dager_totalt: int  # days worked in exception relationships since the counting start, up to and including `on`
    dager_i_ar: int  # … in the calendar year of `on`
    grense_totalt: int
    grense_ar: int
    kompetansestatus: str = ""  # Lege.kompetansestatus(on)
    dager_planlagt: int = 0  # days worked counted to the horizon: registered (and proposed) periods, also future days
    dager_planlagt_i_ar: int = 0  # … in the calendar year of `on`
    forste_dag_utover: dt.date | None = None  # first day >= `on` beyond both limits, given the periods
    forste_dag_utover_i_perioden: dt.date | None = None  # first day of the proposed/checked period beyond both limits
    utover_totalt: int | None = None  # the counts on forste_dag_utover_i_perioden
    utover_i_ar: int | None = None

    @property
    def gjenstaende_totalt(self) -> int:
        """Days left under the one-year exception, after the registered periods."""
        return max(self.grense_totalt - self.dager_planlagt, 0)

    @property
    def gjenstaende_i_ar(self) -> int:
        """Days left in the calendar year of `on` under the four-month exception, after the registered periods."""
        return max(self.grense_ar - self.dager_planlagt_i_ar, 0)

    @property
    def over_grensene(self) -> bool:
        return self.forste_dag_utover is not None


# One statement: the doctors' days worked in exception (DISTINCT over all their periods, in every
# kommune), numbered per doctor and per doctor and calendar year. `egen` marks days on a period of
# the kommune %(kommune)s (0: none), `forslag` days of the proposed period (not saved yet).
DAGER_CTE = """
WITH leger AS (
    SELECT l.id AS lege_id,
           LEAST(COALESCE(LEAST(l.spesialist_allmennmedisin_fra, l.godkjent_allmennlege_fra, l.under_spesialisering_fra),
                          'infinity'::date), %(horisont)s::date) AS slutt
      FROM kommune_lege l
     WHERE l.id = ANY(%(leger)s::bigint[]) AND NOT l.hjemmel_1_mars_2017
),
perioder AS (
    SELECT p.lege_id, p.fra, p.til, p.arbeidsdager::int[] AS arbeidsdager, p.kommune_id = %(kommune)s AS egen, false AS forslag
      FROM lister_legeperiode p
     WHERE p.lege_id = ANY(%(leger)s::bigint[]) AND p.id <> %(exclude)s
       AND p.fra < %(horisont)s::date AND (p.til IS NULL OR p.til > %(start)s::date)
    UNION ALL
    SELECT leger.lege_id, %(f_fra)s::date, %(f_til)s::date, %(f_dager)s::int[], false, true
      FROM leger
     WHERE %(f_fra)s::date IS NOT NULL
),
spenn AS (
    SELECT p.lege_id, p.egen, p.forslag,
           CASE WHEN cardinality(p.arbeidsdager) = 0 THEN ARRAY[1, 2, 3, 4, 5] ELSE p.arbeidsdager END AS arbeidsdager,
           GREATEST(p.fra, %(start)s::date) AS fra,
           LEAST(COALESCE(p.til, 'infinity'::date), l.slutt) AS til
      FROM perioder p JOIN leger l USING (lege_id)
),
dager AS (
    -- per period and weekday: its first date in the span, then every 7th day; DISTINCT days per doctor
    SELECT s.lege_id, f.forste + 7 * j AS dag, bool_or(s.egen) AS egen, bool_or(s.forslag) AS forslag
      FROM spenn s
     CROSS JOIN LATERAL unnest(s.arbeidsdager) AS w(dow)
     CROSS JOIN LATERAL (SELECT s.fra + (w.dow - extract(dow FROM s.fra)::int + 7) %% 7 AS forste) f
     CROSS JOIN LATERAL generate_series(0, (s.til - 1 - f.forste) / 7) AS j
     WHERE f.forste < s.til
     GROUP BY s.lege_id, f.forste + 7 * j
),
tellet AS (
    SELECT lege_id, dag, egen, forslag,
           row_number() OVER (PARTITION BY lege_id ORDER BY dag) AS totalt,
           row_number() OVER (PARTITION BY lege_id, extract(year FROM dag) ORDER BY dag) AS i_ar
      FROM dager
)
"""

OVERSIKT_SQL = DAGER_CTE + """
SELECT l.id,
       l.hjemmel_1_mars_2017,
       l.spesialist_allmennmedisin_fra, l.godkjent_allmennlege_fra, l.under_spesialisering_fra,
       count(t.dag) FILTER (WHERE t.dag <= %(on)s::date) AS totalt,
       count(t.dag) FILTER (WHERE t.dag <= %(on)s::date AND extract(year FROM t.dag) = %(ar)s) AS i_ar,
       count(t.dag) AS planlagt,
       count(t.dag) FILTER (WHERE extract(year FROM t.dag) = %(ar)s) AS planlagt_i_ar,
       min(t.dag) FILTER (WHERE t.dag >= %(on)s::date AND t.totalt > %(grense_totalt)s AND t.i_ar > %(grense_ar)s) AS utover,
       min(t.dag) FILTER (WHERE t.forslag AND t.dag >= %(sjekk_fra)s::date
                            AND t.totalt > %(grense_totalt)s AND t.i_ar > %(grense_ar)s) AS utover_forslag,
       (array_agg(t.totalt ORDER BY t.dag) FILTER (WHERE t.forslag AND t.dag >= %(sjekk_fra)s::date
                            AND t.totalt > %(grense_totalt)s AND t.i_ar > %(grense_ar)s))[1] AS utover_totalt,
       (array_agg(t.i_ar ORDER BY t.dag) FILTER (WHERE t.forslag AND t.dag >= %(sjekk_fra)s::date
                            AND t.totalt > %(grense_totalt)s AND t.i_ar > %(grense_ar)s))[1] AS utover_i_ar
  FROM kommune_lege l
  LEFT JOIN tellet t ON t.lege_id = l.id
 WHERE l.id = ANY(%(leger)s::bigint[])
 GROUP BY l.id
"""


def _status_code(row_hjemmel: bool, spes: dt.date | None, godkj: dt.date | None, under: dt.date | None, on: dt.date) -> str:
    probe = Lege(hjemmel_1_mars_2017=row_hjemmel, spesialist_allmennmedisin_fra=spes, godkjent_allmennlege_fra=godkj,
                 under_spesialisering_fra=under)
    return probe.kompetansestatus(on)


def _beregn(*, lege_ids: list[int], on: dt.date, horisont: dt.date, forslag: tuple | None = None, sjekk_fra: dt.date | None = None,
            exclude_id: int | None = None) -> dict[int, Unntaksstatus]:
    g = grenser(on)
    f_fra, f_til, f_dager = forslag if forslag else (None, None, [])
    params = {
        "leger": lege_ids, "horisont": horisont, "start": g["tellestart"], "kommune": 0, "exclude": exclude_id or 0,
        "f_fra": f_fra, "f_til": f_til, "f_dager": list(f_dager), "on": on, "ar": on.year,
        "grense_totalt": g["grense_totalt"], "grense_ar": g["grense_ar"], "sjekk_fra": sjekk_fra or f_fra or on,
    }
    with connection.cursor() as cursor:
        cursor.execute(OVERSIKT_SQL, params)
        rows = cursor.fetchall()
    result = {}
    for (lege_id, hjemmel, spes, godkj, under, totalt, i_ar, planlagt, planlagt_i_ar, utover, utover_forslag, utover_totalt,
         utover_i_ar) in rows:
        code = _status_code(hjemmel, spes, godkj, under, on)
        result[lege_id] = Unntaksstatus(
            lege_id=lege_id, i_unntak=code == "ingen", dager_totalt=totalt, dager_i_ar=i_ar,
            grense_totalt=g["grense_totalt"], grense_ar=g["grense_ar"], kompetansestatus=code,
            dager_planlagt=planlagt, dager_planlagt_i_ar=planlagt_i_ar, forste_dag_utover=utover,
            forste_dag_utover_i_perioden=utover_forslag, utover_totalt=utover_totalt, utover_i_ar=utover_i_ar,
        )
    return result


def _clean_arbeidsdager(arbeidsdager: Iterable[int]) -> list[int]:
    return sorted({int(d) for d in arbeidsdager})


def check_unntak(*, lege: Lege, fra: dt.date, til: dt.date | None, arbeidsdager: Iterable[int],
                 kompetanse_begrunnelse: str = "", exclude_id: int | None = None,
                 sjekk_fra: dt.date | None = None) -> Unntaksstatus | None:
    """Refuse (ValidationError on `kompetanse_begrunnelse`, code "kompetanse_unntak_overskredet") a
    new or extended vikar period [fra, til) that takes a doctor in exception beyond both § 4 limits
    on some day, unless a justification is given. The period is counted as proposed (not saved
    yet); `exclude_id` leaves out the saved version of a period being extended and `sjekk_fra`
    (default `fra`) is the first day checked (an extension checks only its new days). Open-ended
    periods are checked HORISONT_AR years ahead. Returns the doctor's status as of the first day
    checked (None when the doctor is never in exception in the period). Call inside the
    transaction that holds `lister.services.lock_lege(lege)`, so concurrent assignments count
    each other."""
    first = sjekk_fra or fra
    if lege.kompetansestatus(first) != "ingen":
        return None  # specialist, godkjent, under specialisation or § 5 from the first day checked: never in exception after
    horisont = _add_years(first, HORISONT_AR)
    if til is not None:
        horisont = min(til, horisont)
    status = _beregn(lege_ids=[lege.pk], on=first, horisont=horisont, forslag=(fra, til, _clean_arbeidsdager(arbeidsdager)),
                     sjekk_fra=first, exclude_id=exclude_id).get(lege.pk)
    if status is None or status.forste_dag_utover_i_perioden is None:
        return status
    if (kompetanse_begrunnelse or "").strip():
        return status
    g = grenser(status.forste_dag_utover_i_perioden)
    dag = status.forste_dag_utover_i_perioden
    raise ValidationError({"kompetanse_begrunnelse": ValidationError(_(
        "Legen er verken spesialist i allmennmedisin, under spesialisering eller godkjent allmennlege, og arbeider etter "
        "unntakene i %(kilde)s. Første arbeidsdag i perioden ut over begge unntakene er %(dato)s: legen har da %(totalt)d "
        "arbeidede dager i unntak til sammen i alle kommuner (grense %(grense_totalt)d: %(kilde_totalt)s) og %(i_ar)d i "
        "%(ar)d (grense %(grense_ar)d: %(kilde_ar)s). Perioden kan bare registreres med kommuneoverlegens begrunnelse."
    ) % {
        "kilde": g["kilde"], "dato": dag.strftime("%d.%m.%Y"), "totalt": status.utover_totalt, "i_ar": status.utover_i_ar,
        "ar": dag.year, "grense_totalt": g["grense_totalt"], "grense_ar": g["grense_ar"], "kilde_totalt": g["kilde_totalt"],
        "kilde_ar": g["kilde_ar"],
    }, code="kompetanse_unntak_overskredet")})


def unntak_oversikt(*, lege_ids: Iterable[int], on: dt.date, fra: dt.date | None = None, til: dt.date | None = None,
                    arbeidsdager: Iterable[int] = ()) -> dict[int, Unntaksstatus]:
    """Each doctor's § 4 status on `on`, in ONE query however many doctors (for candidate
    ranking): days worked up to `on` in total and in `on`'s year, the limits, the days the
    registered periods add up to, and the first day from `on` beyond both limits (None if none
    within OVERSIKT_HORISONT_AR years). With a proposed period (`fra`, `til`, `arbeidsdager`), it is
    counted for every doctor, and `forste_dag_utover_i_perioden` says where it would need the
    kommuneoverlege's justification. Doctors that do not exist are left out."""
    ids = sorted({int(pk) for pk in lege_ids})
    if not ids:
        return {}
    start = fra if fra is not None and fra > on else on
    horisont = _add_years(start, OVERSIKT_HORISONT_AR)
    forslag = (fra, til, _clean_arbeidsdager(arbeidsdager)) if fra is not None else None
    return _beregn(lege_ids=ids, on=on, horisont=horisont, forslag=forslag, sjekk_fra=fra)


# --- the yearly report to statsforvalteren ------------------------------------------------------------

def rapport_ar_gyldige(today: dt.date | None = None) -> range:
    """The years a report can be made for: from the counting start's year to the last year with a
    reporting duty, or the current year if later (figures for a running year are provisional)."""
    today = today or timezone.localdate()
    first = regler.verdi("kompetanse_unntak_tellestart", today).year
    last = max(regler.verdi("kompetanse_rapport_siste_ar", today) - 1, today.year)
    return range(first, last + 1)


def standard_rapport_ar(today: dt.date | None = None) -> int:
    """Last year (the report due 31 March this year), within the valid years."""
    today = today or timezone.localdate()
    years = rapport_ar_gyldige(today)
    return min(max(today.year - 1, years.start), years.stop - 1)


def rapportfrist(ar: int) -> dt.date | None:
    """The report for year `ar` is due 31 March the year after, as long as the duty lasts (through 2029)."""
    due = dt.date(ar + 1, *RAPPORT_FRIST)
    if ar + 1 > regler.verdi("kompetanse_rapport_siste_ar", due):
        return None
    return due


UNNTAK_TEKST = {
    "ett_ar": gettext_lazy("Ett år til sammen"),
    "fire_maneder": gettext_lazy("Fire måneder i kalenderåret"),
    "utover": gettext_lazy("Ut over begge unntakene (med kommuneoverlegens begrunnelse)"),
}


@dataclass(frozen=True)
class Rapportforhold:
    """One relationship (a period on one of the kommune's lists) in which the doctor worked in exception in the year."""

    periode_id: int
    liste_id: int
    liste: str
    legekontor: str
    rolle: str
    rolle_tekst: str
    fra: dt.date
    til: dt.date | None  # first day not covered (half-open), None = open
    stillingsprosent: int
    arbeidsdager: list[int]
    dager_i_ar: int  # days worked in exception in the year in this relationship
    kompetanse_begrunnelse: str

    @property
    def til_og_med(self) -> dt.date | None:
        return self.til - dt.timedelta(days=1) if self.til else None


@dataclass(frozen=True)
class Rapportlege:
    lege_id: int
    navn: str
    hpr_nummer: str
    dager_i_ar: int  # distinct days worked in exception in the year on this kommune's lists
    dager_i_ar_alle_kommuner: int
    dager_totalt_arsslutt: int  # cumulative days worked in exception (all kommuner) at the end of the year
    dager_ett_ar: int  # of dager_i_ar: within the one-year exception
    dager_fire_maneder: int  # … beyond it, within the four-month exception
    dager_utover: int  # … beyond both (recorded with a justification)
    forhold: list[Rapportforhold] = field(default_factory=list)

    @property
    def unntak(self) -> list[str]:
        """Codes of the exceptions used (ett_ar, fire_maneder, utover)."""
        return [code for code, n in (("ett_ar", self.dager_ett_ar), ("fire_maneder", self.dager_fire_maneder),
                                      ("utover", self.dager_utover)) if n]

    @property
    def unntak_tekst(self) -> str:
        return "; ".join(str(UNNTAK_TEKST[code]) for code in self.unntak)

    @property
    def begrunnelser(self) -> list[str]:
        return [f.kompetanse_begrunnelse for f in self.forhold if f.kompetanse_begrunnelse]


@dataclass(frozen=True)
class Kompetanserapport:
    ar: int
    frist: dt.date | None  # None: no reporting duty for this year
    forelopig: bool  # the year is not over
    leger: list[Rapportlege]
    grense_totalt: int
    grense_ar: int
    kilde: str
    kilde_totalt: str
    kilde_ar: str
    tolkning: str

    @property
    def dager_i_ar(self) -> int:
        return sum(r.dager_i_ar for r in self.leger)

    @property
    def antall_forhold(self) -> int:
        return sum(len(r.forhold) for r in self.leger)


PER_PERIODE_SQL = """
SELECT p.id, count(*)
  FROM lister_legeperiode p
  JOIN kommune_lege l ON l.id = p.lege_id AND NOT l.hjemmel_1_mars_2017
 CROSS JOIN LATERAL (
       SELECT GREATEST(p.fra, %(start)s::date, %(ar_fra)s::date) AS fra,
              LEAST(COALESCE(p.til, 'infinity'::date),
                    COALESCE(LEAST(l.spesialist_allmennmedisin_fra, l.godkjent_allmennlege_fra, l.under_spesialisering_fra),
                             'infinity'::date),
                    %(ar_til)s::date) AS til) s
 CROSS JOIN LATERAL generate_series(0, s.til - s.fra - 1) AS i
 WHERE p.id = ANY(%(perioder)s::bigint[])
   AND extract(dow FROM s.fra + i)::int = ANY(CASE WHEN cardinality(p.arbeidsdager) = 0 THEN ARRAY[1, 2, 3, 4, 5]
                                                   ELSE p.arbeidsdager::int[] END)
 GROUP BY p.id
"""

RAPPORT_SQL = DAGER_CTE + """
SELECT lege_id,
       count(*) FILTER (WHERE egen AND extract(year FROM dag) = %(ar)s) AS egne,
       count(*) FILTER (WHERE extract(year FROM dag) = %(ar)s) AS alle,
       count(*) AS totalt,
       count(*) FILTER (WHERE egen AND extract(year FROM dag) = %(ar)s AND totalt <= %(grense_totalt)s) AS ett_ar,
       count(*) FILTER (WHERE egen AND extract(year FROM dag) = %(ar)s AND totalt > %(grense_totalt)s
                          AND i_ar <= %(grense_ar)s) AS fire_maneder,
       count(*) FILTER (WHERE egen AND extract(year FROM dag) = %(ar)s AND totalt > %(grense_totalt)s
                          AND i_ar > %(grense_ar)s) AS utover
  FROM tellet
 GROUP BY lege_id
"""


def kompetanserapport(*, kommune_id: int, ar: int, today: dt.date | None = None) -> Kompetanserapport:
    """The kommune's use of the § 4 exceptions in year `ar`, for the report to statsforvalteren:
    each doctor who worked in exception on the kommune's lists in the year, their relationships
    there, days worked in the year here, their cumulative days (all kommuner) at the end of the
    year, which exception carried the days, and the justifications recorded. Three queries
    whatever the number of doctors; other kommuners' periods contribute numbers only."""
    from lister.models import Legeperiode

    today = today or timezone.localdate()
    ar_fra, ar_til = dt.date(ar, 1, 1), dt.date(ar + 1, 1, 1)
    g = grenser(min(ar_til - dt.timedelta(days=1), max(ar_fra, regler.NY_FORSKRIFT)))
    start = max(ar_fra, g["tellestart"])
    perioder = list(
        Legeperiode.objects.filter(kommune_id=kommune_id, fra__lt=ar_til, lege__hjemmel_1_mars_2017=False)
        .exclude(til__lte=start)
        .select_related("lege", "pasientliste__legekontor")
        .order_by("lege__etternavn", "lege__fornavn", "lege_id", "fra", "id")
    )
    dager_per_periode: dict[int, int] = {}
    if perioder:
        with connection.cursor() as cursor:
            cursor.execute(PER_PERIODE_SQL, {"start": g["tellestart"], "ar_fra": ar_fra, "ar_til": ar_til,
                                             "perioder": [p.pk for p in perioder]})
            dager_per_periode = dict(cursor.fetchall())
    perioder = [p for p in perioder if dager_per_periode.get(p.pk)]
    lege_ids = sorted({p.lege_id for p in perioder})
    tall: dict[int, tuple] = {}
    if lege_ids:
        with connection.cursor() as cursor:
            cursor.execute(RAPPORT_SQL, {
                "leger": lege_ids, "horisont": ar_til, "start": g["tellestart"], "kommune": kommune_id, "exclude": 0,
                "f_fra": None, "f_til": None, "f_dager": [], "ar": ar, "grense_totalt": g["grense_totalt"],
                "grense_ar": g["grense_ar"],
            })
            tall = {row[0]: row[1:] for row in cursor.fetchall()}
    forhold: dict[int, list[Rapportforhold]] = defaultdict(list)
    leger: dict[int, Lege] = {}
    for p in perioder:
        leger[p.lege_id] = p.lege
        forhold[p.lege_id].append(Rapportforhold(
            periode_id=p.pk, liste_id=p.pasientliste_id, liste=str(p.pasientliste), legekontor=p.pasientliste.legekontor.navn,
            rolle=p.rolle, rolle_tekst=str(p.get_rolle_display()), fra=p.fra, til=p.til, stillingsprosent=p.stillingsprosent,
            arbeidsdager=list(p.arbeidsdager), dager_i_ar=dager_per_periode[p.pk], kompetanse_begrunnelse=p.kompetanse_begrunnelse,
        ))
    rader = []
    for lege_id in lege_ids:
        egne, alle, totalt, ett_ar, fire_maneder, utover = tall.get(lege_id, (0, 0, 0, 0, 0, 0))
        if not egne:
            continue
        lege = leger[lege_id]
        rader.append(Rapportlege(
            lege_id=lege_id, navn=lege.navn, hpr_nummer=lege.hpr_nummer, dager_i_ar=egne, dager_i_ar_alle_kommuner=alle,
            dager_totalt_arsslutt=totalt, dager_ett_ar=ett_ar, dager_fire_maneder=fire_maneder, dager_utover=utover,
            forhold=forhold[lege_id],
        ))
    rader.sort(key=lambda r: (leger[r.lege_id].etternavn, leger[r.lege_id].fornavn, r.hpr_nummer))
    return Kompetanserapport(
        ar=ar, frist=rapportfrist(ar), forelopig=today < ar_til, leger=rader, grense_totalt=g["grense_totalt"],
        grense_ar=g["grense_ar"], kilde=g["kilde"], kilde_totalt=g["kilde_totalt"], kilde_ar=g["kilde_ar"],
        tolkning=tolkning(ar_fra if ar_fra >= regler.NY_FORSKRIFT else regler.NY_FORSKRIFT),
    )


# --- the report's deadline (kommune.frister) ----------------------------------------------------------

BRUKT_SQL = """
SELECT DISTINCT y.ar
  FROM unnest(%(ar)s::int[]) AS y(ar)
  JOIN lister_legeperiode p ON p.kommune_id = %(kommune)s
       AND p.fra < make_date(y.ar + 1, 1, 1) AND (p.til IS NULL OR p.til > GREATEST(%(start)s::date, make_date(y.ar, 1, 1)))
  JOIN kommune_lege l ON l.id = p.lege_id AND NOT l.hjemmel_1_mars_2017
 CROSS JOIN LATERAL (
       SELECT GREATEST(p.fra, %(start)s::date, make_date(y.ar, 1, 1)) AS fra,
              LEAST(COALESCE(p.til, 'infinity'::date),
                    COALESCE(LEAST(l.spesialist_allmennmedisin_fra, l.godkjent_allmennlege_fra, l.under_spesialisering_fra),
                             'infinity'::date),
                    make_date(y.ar + 1, 1, 1)) AS til) s
 WHERE s.til > s.fra
   AND EXISTS (SELECT 1 FROM generate_series(0, LEAST(s.til - s.fra, 7) - 1) AS i
                WHERE extract(dow FROM s.fra + i)::int = ANY(CASE WHEN cardinality(p.arbeidsdager) = 0 THEN ARRAY[1, 2, 3, 4, 5]
                                                                  ELSE p.arbeidsdager::int[] END))
"""


def ar_med_unntak(*, kommune_id: int, ar: Iterable[int]) -> set[int]:
    """Which of the years the kommune used the § 4 exceptions in (someone worked in exception on its lists): one query."""
    years = sorted(set(ar))
    if not years:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(BRUKT_SQL, {"ar": years, "kommune": kommune_id,
                                   "start": regler.verdi("kompetanse_unntak_tellestart", regler.NY_FORSKRIFT)})
        return {row[0] for row in cursor.fetchall()}


def rapportfrister(kommune, fra: dt.date, til: dt.date) -> list:
    """Deadline source: the report to statsforvalteren (31 March) for each year whose due date is in
    the window, when the kommune used an exception in that year. One query."""
    from django.urls import reverse

    from kommune.frister import Frist

    tellestart = regler.verdi("kompetanse_unntak_tellestart", regler.NY_FORSKRIFT)
    candidates = [y for y in range(max(fra.year - 1, tellestart.year), til.year)
                  if (due := rapportfrist(y)) is not None and fra <= due <= til]
    used = ar_med_unntak(kommune_id=kommune.pk, ar=candidates)
    url = reverse("lister:kompetanserapport")
    return [
        Frist(
            dato=rapportfrist(y), type="kompetanse_rapport",
            tittel=_("Rapport til statsforvalteren om unntak fra kompetansekravet for %(ar)d") % {"ar": y},
            beskrivelse=_("Kommunen brukte unntakene i %(kilde)s i %(ar)d og skal rapportere bruken til statsforvalteren innen "
                          "%(dato)s.") % {"kilde": PARAGRAF, "ar": y, "dato": rapportfrist(y).strftime("%d.%m.%Y")},
            url=f"{url}?ar={y}",
        )
        for y in sorted(used)
    ]


def ready() -> None:
    """Registrations made from ListerConfig.ready(): the report's deadline and the doctor page's § 4 section."""
    from kommune import frister
    from kommune.lege_views import register_seksjon
    from lister.kompetanse_views import LEGE_UNNTAK

    frister.register(rapportfrister)
    register_seksjon(LEGE_UNNTAK)
