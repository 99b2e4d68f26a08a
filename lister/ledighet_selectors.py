"""Vacancies (ubesatte lister) as of a day: which lists are without a fastlege or have a vacant part,
which have an open vacancy case, how they are covered, which weekdays ahead are uncovered, which
vikar periods end soon without a successor and which lists have been served by vikar beyond the
limit. Everything comes from ONE SQL statement over all the kommune's lists (`TILSTAND_SQL`), so
the page, the API and the nightly job (lister.ledighet_jobb) agree and the number of queries does
not grow with the number of lists.

The semantics (day d; periods are half-open, `til` is the first day not covered):
- fully vacant ("liste uten fast lege", Helsedirektoratet): the list is valid on d and no fastlege
  period (LPFL) covers d; vacant since the latest LPFL `til` <= d, else the list's `gyldig_fra`;
- vacant part (fellesliste): the list has a fastlege on d and an open case on d whose
  `fastlege_slutt` <= d (the departed GP's share, `andel_listetak`);
- a case is open on d when kjent <= d < coalesce(avsluttet, infinity);
- a weekday of a vacancy is covered by a vikar period (LPVI) on the list whose weekdays include it
  (none given: every day), or by a Dekning row (kollegial fraværsdekning, other GPs at the office);
  weekends are never gaps;
- uncovered days: the weekdays in [d, d + N) (N = regler "udekket_horisont_dager") on which the list
  is fully vacant or has a vacant part, and is not covered;
- listeinnbyggere affected: the latest listelengde on or before d (0 if none); for a vacant part
  round(listelengde × andel_listetak / listetak);
- hjemfall possible (ASA 4310, næringsdrivende only): ≥ 12 months since the notice, ≥ 3 correct
  advertisements by d, no qualified applicant;
- a vikar period ends soon without a successor: it ends in (d, d + 14] and on the first weekday from
  its end the list is vacant and not covered by another vikar period or Dekning;
- vikar use beyond the limit: a vikar period covers d and the connected union of the list's vikar
  periods containing d began more than 12 months (regler "vikar_lang_varighet_maneder", NOT
  confirmed) before d.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.context import current_kommune_id
from core.dates import FORSTE_DAG, SISTE_DAG
from core.tenancy import NoTenantScope, is_unscoped
from kommune import regler
from lister.models import Ledighetsvarsel, Varseltype

# One statement; %(...)s are parameters. `{detaljer}` is replaced by the optional per-list columns
# for the page (today's cover and open flags), never by input.
TILSTAND_SQL = """
WITH
l AS (
  SELECT l.id, l.kommune_id, l.legekontor_id, l.navn, l.listetak, l.er_fellesliste, l.gyldig_fra, l.gyldig_til,
         datemultirange(daterange(l.gyldig_fra, l.gyldig_til, '[)')) AS gyldig
    FROM lister_pasientliste l
   WHERE (%(kommune)s::bigint IS NULL OR l.kommune_id = %(kommune)s::bigint)
     AND (%(lister)s::bigint[] IS NULL OR l.id = ANY(%(lister)s::bigint[]))
     AND l.gyldig_fra < %(vindu_slutt)s::date AND (l.gyldig_til IS NULL OR l.gyldig_til > %(dag)s::date)
),
fl AS (  -- fastlege periods per list
  SELECT x.pasientliste_id AS liste_id,
         range_agg(daterange(x.fra, x.til, '[)')) AS mr,
         max(x.til) FILTER (WHERE x.til <= %(dag)s::date) AS siste_til,
         (array_agg(x.lege_id ORDER BY x.til DESC, x.id DESC) FILTER (WHERE x.til <= %(dag)s::date))[1] AS siste_lege
    FROM lister_legeperiode x JOIN l ON l.id = x.pasientliste_id
   WHERE x.rolle = 'LPFL'
   GROUP BY x.pasientliste_id
),
sak AS (  -- cases not closed before d
  SELECT s.* FROM lister_ledighetssak s JOIN l ON l.id = s.pasientliste_id
   WHERE s.avsluttet IS NULL OR s.avsluttet > %(dag)s::date
),
delr AS (  -- the days a fellesliste has a departed GP's part vacant (case open, notice over)
  SELECT s.pasientliste_id AS liste_id,
         range_agg(daterange(greatest(s.kjent, s.fastlege_slutt), s.avsluttet, '[)')) AS mr
    FROM sak s JOIN l ON l.id = s.pasientliste_id AND l.er_fellesliste
   WHERE s.fastlege_slutt IS NOT NULL
     AND (s.avsluttet IS NULL OR s.avsluttet > greatest(s.kjent, s.fastlege_slutt))
   GROUP BY s.pasientliste_id
),
lv AS (  -- vacancy as multiranges of days
  SELECT l.*, fl.siste_til, fl.siste_lege,
         l.gyldig - coalesce(fl.mr, '{}'::datemultirange) AS hel_mr,
         coalesce(fl.mr, '{}'::datemultirange) * coalesce(delr.mr, '{}'::datemultirange) * l.gyldig AS del_mr
    FROM l LEFT JOIN fl ON fl.liste_id = l.id LEFT JOIN delr ON delr.liste_id = l.id
),
apen AS (  -- cases open on d, with hjemfall
  SELECT s.id, s.pasientliste_id AS liste_id, s.arsak, s.kjent, s.fastlege_id, s.fastlege_slutt, s.kostnadsperiode_til,
         s.andel_listetak,
         (k.avtaleregime = 'asa4310' AND s.naeringsdrivende AND s.oppsigelse_mottatt IS NOT NULL
          AND %(dag)s::date >= (s.oppsigelse_mottatt + make_interval(months => %(hjemfall_maneder)s))::date
          AND coalesce(u.antall, 0) >= %(hjemfall_utlysninger)s
          AND NOT EXISTS (SELECT 1 FROM lister_soker so
                           WHERE so.sak_id = s.id AND so.vurdering IN ('kvalifisert', 'tilsatt'))) AS hjemfall,
         greatest((s.oppsigelse_mottatt + make_interval(months => %(hjemfall_maneder)s))::date, u.nte) AS hjemfall_fra
    FROM sak s JOIN kommune_kommune k ON k.id = s.kommune_id
    LEFT JOIN LATERAL (
      SELECT count(*) AS antall, (array_agg(u.dato ORDER BY u.dato))[%(hjemfall_utlysninger)s] AS nte
        FROM lister_utlysning u WHERE u.sak_id = s.id AND u.korrekt AND u.dato <= %(dag)s::date
    ) u ON true
   WHERE s.kjent <= %(dag)s::date
),
saker AS (
  SELECT a.liste_id,
         (array_agg(a.id ORDER BY a.fastlege_slutt NULLS LAST, a.kjent, a.id))[1] AS sak_id,
         count(*) AS antall_saker,
         sum(a.andel_listetak) FILTER (WHERE a.fastlege_slutt <= %(dag)s::date) AS ledig_andel,
         min(a.fastlege_slutt) FILTER (WHERE a.fastlege_slutt <= %(dag)s::date) AS del_fra,
         (array_agg(a.id ORDER BY a.hjemfall_fra, a.id) FILTER (WHERE a.hjemfall))[1] AS hjemfall_sak_id,
         min(a.hjemfall_fra) FILTER (WHERE a.hjemfall) AS hjemfall_fra,
         (array_agg(a.id ORDER BY a.kostnadsperiode_til, a.id)
            FILTER (WHERE a.kostnadsperiode_til > %(dag)s::date
                      AND a.kostnadsperiode_til <= %(dag)s::date + %(kostnad_dager)s::int))[1] AS kostnad_sak_id,
         min(a.kostnadsperiode_til) FILTER (WHERE a.kostnadsperiode_til > %(dag)s::date
                                              AND a.kostnadsperiode_til <= %(dag)s::date + %(kostnad_dager)s::int)
           AS kostnad_til
    FROM apen a GROUP BY a.liste_id
),
tall AS (
  SELECT DISTINCT ON (t.pasientliste_id) t.pasientliste_id AS liste_id, t.listelengde
    FROM lister_listetall t JOIN l ON l.id = t.pasientliste_id
   WHERE t.dato <= %(dag)s::date
   ORDER BY t.pasientliste_id, t.dato DESC
),
vik AS (
  SELECT v.id, v.pasientliste_id AS liste_id, v.lege_id, v.fra, v.til, v.arbeidsdager::int[] AS arbeidsdager,
         v.stillingsprosent
    FROM lister_legeperiode v JOIN l ON l.id = v.pasientliste_id
   WHERE v.rolle = 'LPVI'
),
dager AS (
  SELECT g::date AS dag FROM generate_series(%(dag)s::date, %(slutt)s::date - 1, interval '1 day') g
   WHERE extract(isodow FROM g) < 6
),
udekket AS (
  SELECT lv.id AS liste_id, count(*) AS dager, min(d.dag) AS forste
    FROM lv JOIN dager d ON d.dag <@ (lv.hel_mr + lv.del_mr)
   WHERE NOT EXISTS (SELECT 1 FROM vik v
                      WHERE v.liste_id = lv.id AND v.fra <= d.dag AND (v.til IS NULL OR v.til > d.dag)
                        AND (cardinality(v.arbeidsdager) = 0 OR extract(dow FROM d.dag)::int = ANY(v.arbeidsdager)))
     AND NOT EXISTS (SELECT 1 FROM lister_dekning dk
                      WHERE dk.pasientliste_id = lv.id AND dk.fra <= d.dag AND dk.til > d.dag)
   GROUP BY lv.id
),
slutter AS (  -- vikar periods ending soon with nobody taking over on the first weekday after
  SELECT v.liste_id, min(v.til) AS til,
         jsonb_agg(jsonb_build_object('periode_id', v.id, 'lege_id', v.lege_id,
                                      'lege_navn', lg.fornavn || ' ' || lg.etternavn,
                                      'til', v.til, 'stillingsprosent', v.stillingsprosent) ORDER BY v.til, v.id) AS perioder
    FROM vik v JOIN lv ON lv.id = v.liste_id JOIN kommune_lege lg ON lg.id = v.lege_id
    CROSS JOIN LATERAL (
      SELECT v.til + CASE extract(isodow FROM v.til) WHEN 6 THEN 2 WHEN 7 THEN 1 ELSE 0 END AS dag
    ) c
   WHERE v.til > %(dag)s::date AND v.til <= %(dag)s::date + %(slutter_dager)s::int
     AND c.dag <@ (lv.hel_mr + lv.del_mr)
     AND NOT EXISTS (SELECT 1 FROM vik w
                      WHERE w.liste_id = v.liste_id AND w.id <> v.id AND w.fra <= c.dag AND (w.til IS NULL OR w.til > c.dag)
                        AND (cardinality(w.arbeidsdager) = 0 OR extract(dow FROM c.dag)::int = ANY(w.arbeidsdager)))
     AND NOT EXISTS (SELECT 1 FROM lister_dekning dk
                      WHERE dk.pasientliste_id = v.liste_id AND dk.fra <= c.dag AND dk.til > c.dag)
   GROUP BY v.liste_id
),
vikmr AS (
  -- A period ending on a Friday and the next starting on Monday are one unbroken service: an end
  -- on a Saturday or Sunday is carried over the weekend before the ranges are joined.
  SELECT v.liste_id,
         range_agg(daterange(v.fra, v.til + CASE extract(dow FROM v.til)::int WHEN 6 THEN 2 WHEN 0 THEN 1 ELSE 0 END,
                             '[)')) AS mr
    FROM vik v WHERE v.fra <= %(dag)s::date GROUP BY v.liste_id
),
viklang AS (  -- the start of the unbroken vikar cover containing d, when it began before the limit
  SELECT m.liste_id, lower(r) AS fra
    FROM vikmr m CROSS JOIN LATERAL unnest(m.mr) r
   WHERE %(dag)s::date <@ r AND lower(r) < (%(dag)s::date - make_interval(months => %(vikar_lang_maneder)s))::date
),
t AS (
  SELECT lv.id AS liste_id, lv.kommune_id, lv.legekontor_id, lk.navn AS legekontor_navn, lv.navn AS liste_navn,
         lv.listetak, lv.er_fellesliste, lv.siste_lege,
         (%(dag)s::date <@ lv.hel_mr) AS hel,
         (%(dag)s::date <@ lv.del_mr AND NOT %(dag)s::date <@ lv.hel_mr) AS del,
         CASE WHEN %(dag)s::date <@ lv.hel_mr THEN coalesce(lv.siste_til, lv.gyldig_fra)
              WHEN %(dag)s::date <@ lv.del_mr THEN sa.del_fra END AS ledig_fra,
         sa.sak_id, sa.antall_saker, sa.hjemfall_sak_id, sa.hjemfall_fra, sa.kostnad_sak_id, sa.kostnad_til,
         ps.arsak AS sak_arsak, ps.fastlege_slutt AS sak_fastlege_slutt, ps.kostnadsperiode_til AS sak_kostnadsperiode_til,
         ps.kjent AS sak_kjent, ps.andel_listetak AS sak_andel_listetak, coalesce(pa.hjemfall, false) AS sak_hjemfall,
         coalesce(u.dager, 0) AS udekket_dager, u.forste AS forste_udekket,
         coalesce(tall.listelengde, 0) AS listelengde,
         CASE WHEN %(dag)s::date <@ lv.hel_mr THEN coalesce(tall.listelengde, 0)
              -- The departed GPs' share of the list: once they have left, the list's listetak is the
              -- remaining GPs' parts (avtaler resyncs it), so the whole is that plus the vacant part.
              WHEN %(dag)s::date <@ lv.del_mr
                THEN LEAST(coalesce(tall.listelengde, 0), round(coalesce(tall.listelengde, 0) * coalesce(sa.ledig_andel, 0)::numeric
                     / NULLIF(lv.listetak + coalesce(sa.ledig_andel, 0), 0))::int)
              WHEN lv.er_fellesliste AND ps.andel_listetak IS NOT NULL
                THEN LEAST(coalesce(tall.listelengde, 0),
                           round(coalesce(tall.listelengde, 0) * ps.andel_listetak::numeric / lv.listetak)::int)
              ELSE coalesce(tall.listelengde, 0) END AS listeinnbyggere,
         sl.til AS vikar_slutter_til, sl.perioder AS vikar_slutter,
         vl.fra AS vikar_lang_fra
    FROM lv JOIN lister_legekontor lk ON lk.id = lv.legekontor_id
    LEFT JOIN saker sa ON sa.liste_id = lv.id
    LEFT JOIN lister_ledighetssak ps ON ps.id = sa.sak_id
    LEFT JOIN apen pa ON pa.id = sa.sak_id
    LEFT JOIN udekket u ON u.liste_id = lv.id
    LEFT JOIN tall ON tall.liste_id = lv.id
    LEFT JOIN slutter sl ON sl.liste_id = lv.id
    LEFT JOIN viklang vl ON vl.liste_id = lv.id
)
SELECT t.*{detaljer}
  FROM t
 WHERE t.hel OR t.del OR t.sak_id IS NOT NULL OR t.udekket_dager > 0 OR t.vikar_slutter IS NOT NULL
    OR t.vikar_lang_fra IS NOT NULL
"""

# The page's extra columns: who covers the list on d, and its open flags.
DETALJER_SQL = """,
  (SELECT jsonb_agg(jsonb_build_object('periode_id', v.id, 'lege_id', v.lege_id,
                                       'lege_navn', lg.fornavn || ' ' || lg.etternavn,
                                       'stillingsprosent', v.stillingsprosent, 'arbeidsdager', v.arbeidsdager,
                                       'fra', v.fra, 'til', v.til) ORDER BY lg.etternavn, v.id)
     FROM lister_legeperiode v JOIN kommune_lege lg ON lg.id = v.lege_id
    WHERE v.pasientliste_id = t.liste_id AND v.rolle = 'LPVI'
      AND v.fra <= %(dag)s::date AND (v.til IS NULL OR v.til > %(dag)s::date)) AS vikarer_i_dag,
  (SELECT jsonb_agg(jsonb_build_object('id', dk.id, 'type', dk.type, 'leger', dk.leger, 'fra', dk.fra, 'til', dk.til)
                    ORDER BY dk.fra)
     FROM lister_dekning dk
    WHERE dk.pasientliste_id = t.liste_id AND dk.fra <= %(dag)s::date AND dk.til > %(dag)s::date) AS dekning_i_dag,
  (SELECT jsonb_agg(jsonb_build_object('id', f.id, 'type', f.type, 'reist', f.reist, 'sett', f.sett,
                                       'detaljer', f.detaljer) ORDER BY f.reist, f.id)
     FROM lister_ledighetsvarsel f WHERE f.pasientliste_id = t.liste_id AND f.lost IS NULL) AS varsler
"""




def check_dag(day: dt.date) -> dt.date:
    """The day vacancies are computed for: a real date of this system's range (400 otherwise)."""
    if not FORSTE_DAG <= day <= SISTE_DAG:
        raise ValidationError({"dato": [ValidationError(
            _("Velg en dato mellom %(fra)s og %(til)s.") % {"fra": FORSTE_DAG.year, "til": SISTE_DAG.year},
            code="utenfor_omrade")]})
    return day


@dataclass(frozen=True)
class Parametre:
    """The rule parameters in force on a day (kommune/regler.py), passed to the SQL."""

    dag: dt.date
    horisont: int
    slutter_dager: int
    kostnad_dager: int
    vikar_lang_maneder: int
    hjemfall_maneder: int
    hjemfall_utlysninger: int
    ledig_dager: tuple[int, ...]

    @classmethod
    def on(cls, day: dt.date) -> Parametre:
        check_dag(day)
        return cls(
            dag=day,
            horisont=int(regler.verdi("udekket_horisont_dager", day)),
            slutter_dager=int(regler.verdi("vikar_slutter_varsel_dager", day)),
            kostnad_dager=int(regler.verdi("kostnadsperiode_varsel_dager", day)),
            vikar_lang_maneder=int(regler.verdi("vikar_lang_varighet_maneder", day)),
            hjemfall_maneder=int(regler.verdi("hjemfall_maneder", day)),
            hjemfall_utlysninger=int(regler.verdi("hjemfall_utlysninger", day)),
            ledig_dager=tuple(int(n) for n in regler.verdi("ledig_varsel_dager", day)),
        )

    def sql(self, *, kommune_id: int | None, lister: list[int] | None = None) -> dict:
        slutt = self.dag + dt.timedelta(days=self.horisont)
        # Lists valid at some point in the window the statement looks at (the horizon, and the
        # first weekday after a vikar period that ends within `slutter_dager`).
        vindu_slutt = max(slutt, self.dag + dt.timedelta(days=self.slutter_dager + 3))
        return {
            "kommune": kommune_id, "lister": lister, "dag": self.dag, "slutt": slutt, "vindu_slutt": vindu_slutt,
            "slutter_dager": self.slutter_dager, "kostnad_dager": self.kostnad_dager,
            "vikar_lang_maneder": self.vikar_lang_maneder, "hjemfall_maneder": self.hjemfall_maneder,
            "hjemfall_utlysninger": self.hjemfall_utlysninger,
        }


# The planner's row estimates for multiranges and freshly filled tables are far off (rows=1): it then
# nests loops over whole CTEs (minutes for 5 000 lists) and thinks the statement expensive enough for
# JIT compilation (a second or more to compile what runs in milliseconds). So these statements run
# with hash and merge joins and without JIT: SET LOCAL lasts for the implicit transaction of the
# multi-statement string (autocommit), and inside an atomic block it is put back right after.
PLANNER_SETTINGS = "SET LOCAL jit = off;\nSET LOCAL enable_nestloop = off;\n"
RESET_PLANNER_SETTINGS = "SET LOCAL jit TO DEFAULT; SET LOCAL enable_nestloop TO DEFAULT"


def tilstand_sql(*, detaljer: bool = False) -> str:
    """The statement (the nightly job embeds it as a CTE)."""
    return TILSTAND_SQL.replace("{detaljer}", DETALJER_SQL if detaljer else "")


def fetch(sql: str, params) -> tuple[list[str], list[tuple]]:
    """Run one statement with PLANNER_SETTINGS; its column names and rows. One query (two inside
    an atomic block, to put the settings back)."""
    with connection.cursor() as cursor:
        cursor.execute(PLANNER_SETTINGS + sql, params)
        while cursor.description is None and cursor.nextset():
            pass
        columns = [c.name for c in cursor.description]
        rows = cursor.fetchall()
        if connection.in_atomic_block:
            cursor.execute(RESET_PLANNER_SETTINGS)
    return columns, rows


def _date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def _datetime(value) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value


def _json(value) -> list:
    if value is None:
        return []
    return json.loads(value) if isinstance(value, str) else value


@dataclass
class Vikarperiode:
    periode_id: int
    lege_id: int
    lege_navn: str
    stillingsprosent: int
    til: dt.date | None
    fra: dt.date | None = None
    arbeidsdager: list[int] = field(default_factory=list)


@dataclass
class Dekningsrad:
    id: int
    type: str
    leger: str
    fra: dt.date
    til: dt.date


@dataclass
class Varsel:
    id: int
    type: str
    reist: dt.datetime
    sett: dt.datetime | None
    detaljer: dict

    @property
    def tekst(self) -> str:
        return str(Varseltype(self.type).label)


@dataclass
class Tilstand:
    """One list's vacancy state on a day (a row of TILSTAND_SQL)."""

    liste_id: int
    kommune_id: int
    legekontor_id: int
    legekontor_navn: str
    liste_navn: str
    listetak: int
    er_fellesliste: bool
    siste_lege: int | None
    hel: bool
    del_: bool
    ledig_fra: dt.date | None
    sak_id: int | None
    antall_saker: int | None
    hjemfall_sak_id: int | None
    hjemfall_fra: dt.date | None
    kostnad_sak_id: int | None
    kostnad_til: dt.date | None
    sak_arsak: str | None
    sak_fastlege_slutt: dt.date | None
    sak_kostnadsperiode_til: dt.date | None
    sak_kjent: dt.date | None
    sak_andel_listetak: int | None
    sak_hjemfall: bool
    udekket_dager: int
    forste_udekket: dt.date | None
    listelengde: int
    listeinnbyggere: int
    vikar_slutter_til: dt.date | None
    vikar_slutter: list[Vikarperiode]
    vikar_lang_fra: dt.date | None
    vikarer_i_dag: list[Vikarperiode] = field(default_factory=list)
    dekning_i_dag: list[Dekningsrad] = field(default_factory=list)
    varsler: list[Varsel] = field(default_factory=list)

    @property
    def er_ubesatt(self) -> bool:
        """Listed on the "Ubesatte lister" page: vacant, a vacant part, an open case, or uncovered days ahead."""
        return self.hel or self.del_ or self.sak_id is not None or self.udekket_dager > 0

    @property
    def ledighet(self) -> str:
        """"hel" (without a fastlege), "del" (a vacant part), "varslet" (an open case, not yet vacant)
        or "kommer" (becomes vacant within the horizon, no case)."""
        if self.hel:
            return "hel"
        if self.del_:
            return "del"
        return "varslet" if self.sak_id is not None else "kommer"

    @property
    def dekket_i_dag(self) -> bool:
        return bool(self.vikarer_i_dag or self.dekning_i_dag)

    @property
    def hastegrad(self) -> tuple:
        """Sort key: uncovered days soonest first, then the most uncovered days, then the longest vacant."""
        return (
            self.forste_udekket is None, self.forste_udekket or dt.date.max, -self.udekket_dager,
            self.ledig_fra or dt.date.max, self.legekontor_navn, self.liste_id,
        )


def _kommune_for_query(kommune_id: int | None) -> int | None:
    """The kommune the raw SQL is limited to: the one in scope (tenancy), or — only inside
    `unscoped()` (the nightly job) — the one asked for, or every kommune."""
    if is_unscoped():
        return kommune_id
    in_scope = current_kommune_id()
    if in_scope is None:
        raise NoTenantScope("Ubesatte lister er kommunedata, men ingen kommune er valgt i denne konteksten.")
    if kommune_id is not None and kommune_id != in_scope:
        raise NoTenantScope("Kan ikke lese en annen kommunes ubesatte lister.")
    return in_scope


def _row(columns: list[str], values: tuple) -> Tilstand:
    data = dict(zip(columns, values, strict=True))
    data["del_"] = data.pop("del")
    data["vikar_slutter"] = [
        Vikarperiode(periode_id=p["periode_id"], lege_id=p["lege_id"], lege_navn=p["lege_navn"],
                     stillingsprosent=p["stillingsprosent"], til=_date(p["til"]))
        for p in _json(data["vikar_slutter"])
    ]
    if "vikarer_i_dag" in data:
        data["vikarer_i_dag"] = [
            Vikarperiode(periode_id=p["periode_id"], lege_id=p["lege_id"], lege_navn=p["lege_navn"],
                         stillingsprosent=p["stillingsprosent"], til=_date(p["til"]), fra=_date(p["fra"]),
                         arbeidsdager=list(p["arbeidsdager"] or []))
            for p in _json(data["vikarer_i_dag"])
        ]
        data["dekning_i_dag"] = [
            Dekningsrad(id=d["id"], type=d["type"], leger=d["leger"], fra=_date(d["fra"]), til=_date(d["til"]))
            for d in _json(data["dekning_i_dag"])
        ]
        data["varsler"] = [
            Varsel(id=f["id"], type=f["type"], reist=_datetime(f["reist"]), sett=_datetime(f["sett"]),
                   detaljer=f["detaljer"] or {})
            for f in _json(data["varsler"])
        ]
    return Tilstand(**data)


def tilstand(*, on: dt.date, kommune_id: int | None = None, lister: list[int] | None = None,
             detaljer: bool = False) -> list[Tilstand]:
    """Every list of the kommune in scope with something to say on `on`: vacant, a vacant part, an
    open case, uncovered days ahead, a vikar period ending without a successor, or long vikar use.
    One query (see `fetch`)."""
    parametre = Parametre.on(on)
    columns, values = fetch(tilstand_sql(detaljer=detaljer), parametre.sql(kommune_id=_kommune_for_query(kommune_id), lister=lister))
    return [_row(columns, row) for row in values]


def ubesatte(*, on: dt.date | None = None, legekontor_id: int | None = None, kun_udekket: bool = False) -> list[Tilstand]:
    """The "Ubesatte lister": every list that on `on` (default today) is without a fastlege, has a
    vacant part, has an open vacancy case or uncovered weekdays ahead, with the case, today's cover,
    the uncovered days, listeinnbyggere affected and open flags; most urgent first. One query."""
    day = on or timezone.localdate()
    rows = [row for row in tilstand(on=day, detaljer=True) if row.er_ubesatt]
    if legekontor_id is not None:
        rows = [row for row in rows if row.legekontor_id == legekontor_id]
    if kun_udekket:
        rows = [row for row in rows if row.udekket_dager > 0]
    return sorted(rows, key=lambda row: row.hastegrad)


@dataclass(frozen=True)
class Oversikt:
    """What the "Ubesatte lister" page shows, from one query."""

    dag: dt.date
    ubesatte: list[Tilstand]
    vikar_slutter: list[Tilstand]
    vikar_lang: list[Tilstand]
    parametre: Parametre


def oversikt(*, on: dt.date | None = None, legekontor_id: int | None = None, kun_udekket: bool = False) -> Oversikt:
    """The vacancies (filtered and sorted as `ubesatte`), the vikar periods ending soon without a
    successor and the lists with vikar use beyond the limit. One query."""
    day = on or timezone.localdate()
    rows = tilstand(on=day, detaljer=True)
    if legekontor_id is not None:
        rows = [row for row in rows if row.legekontor_id == legekontor_id]
    ubesatte_rows = [row for row in rows if row.er_ubesatt and (not kun_udekket or row.udekket_dager > 0)]
    return Oversikt(
        dag=day,
        ubesatte=sorted(ubesatte_rows, key=lambda row: row.hastegrad),
        vikar_slutter=sorted((row for row in rows if row.vikar_slutter), key=lambda row: (row.vikar_slutter_til, row.liste_id)),
        vikar_lang=sorted((row for row in rows if row.vikar_lang_fra), key=lambda row: (row.vikar_lang_fra, row.liste_id)),
        parametre=Parametre.on(day),
    )


def er_ledig(*, liste_ids: list[int], on: dt.date) -> dict[int, str]:
    """For each given list of the kommune in scope: "hel" (without a fastlege on `on`), "del" (a
    vacant part) — lists with neither are left out. One query."""
    if not liste_ids:
        return {}
    return {
        row.liste_id: ("hel" if row.hel else "del")
        for row in tilstand(on=on, lister=list(liste_ids)) if row.hel or row.del_
    }


def udekkede_dager(*, liste_ids: list[int], on: dt.date) -> dict[int, tuple[int, dt.date | None]]:
    """For each given list: (uncovered weekdays in the horizon from `on`, the first one). Lists
    without uncovered days are left out. One query."""
    if not liste_ids:
        return {}
    return {
        row.liste_id: (row.udekket_dager, row.forste_udekket)
        for row in tilstand(on=on, lister=list(liste_ids)) if row.udekket_dager
    }


# --- the flags ------------------------------------------------------------------------------------

def varsel_list() -> QuerySet[Ledighetsvarsel]:
    """The kommune's flags from the nightly job, newest first, with the list and its office. One query."""
    return Ledighetsvarsel.objects.select_related("pasientliste__legekontor", "sett_av").order_by("-reist", "-id")


def apne_varsler() -> QuerySet[Ledighetsvarsel]:
    return varsel_list().filter(lost__isnull=True)
