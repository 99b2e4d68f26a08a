"""The nightly overload job (`legevakt.overload_flags`, 01:45 Oslo time): in every active legevakt
district, set-based,

a) works out whether the district is **small** — it serves (a current Medlemskap) a kommune that
   meets the small-district legevakt grant criteria on the day (population under
   `legevakt_tilskudd_innbyggere_under` and sentralitetsklasse in `legevakt_tilskudd_sentralitet`;
   a kommune whose sentralitetsklasse is unknown is judged by population alone, and the flags say
   so in `sentralitet_ukjent`), or it has at most `legevakt_fa_leger` doctors in its rota (distinct
   doctors with active shifts over the last and the next four weeks);
b) for the small districts, the conditions per kind (Belastningsvarseltype):
   - fa_leger: at most `legevakt_fa_leger` doctors in the rota;
   - hyppighet: a doctor on duty (VAKTHAVENDE_TYPER) more often than 1 in `legevakt_hyppighet_varsel`
     over the last or the next four weeks (vaktdøgn = Σ ceil(hours / 24) of the shifts starting in
     the window; 28 / vaktdøgn < N);
   - beredskap: a doctor's on-call hours (BEREDSKAP_TYPER, clipped to the window) per week above
     `legevakt_beredskap_varsel_timer_per_uke` in either window — an advocacy figure, not a rule;
   - hvilebrudd: active shifts in the two windows with a recorded reason for shorter rest (accepted
     breaches of SFS 2305 § 7.4);
   - udekket: intervals in the next four weeks in which a member kommune's time band in this
     district has no doctor on duty (akuttmedisinforskriften § 6) — multirange arithmetic in the
     same statement: the bands (dagtid from legevakt.tid) minus the union of the on-duty shifts;
   - kompetanseunntak: a doctor of the rota whose days this calendar year under the legevakt
     exception of kompetanseforskriften § 4 (shifts flagged unntak_kompetanse, any district,
     rostered ones included) reach 80 % of `legevakt_unntak_dager_per_ar`;
   - normtall: Normtall rows exist for the district's SFS 2305 population band and a shift type,
     and fewer distinct doctors have that type in the rota than min_leger;
c) raises a flag for each new condition (at most one open flag per district and kind: the partial
   unique index), refreshes the details of the open ones and resolves those whose condition has
   cleared — one statement, whatever the number of districts or shifts;
d) e-mails one digest of the new flags to the kommuneoverleger of each kommune concerned (the
   vertskommune and every current deltakerkommune of the flagged districts), in that kommune's
   language, and marks the flags sent (a flag is sent once a digest listing it went out).

Running it twice changes nothing the second time. Every row it writes gets a history row
(pghistory triggers) naming the task as actor (core.tasks.ScopedTask). The whole of steps a)–c)
is also what the «Legevakt: oversikt» page reads (`tilstand()`), so the page and the job agree.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.tenancy import unscoped
from kommune import regler
from legevakt import tid
from legevakt.models import BEREDSKAP_TYPER, VAKTHAVENDE_TYPER, Belastningsvarsel, Belastningsvarseltype, Vakttype
from legevakt.tilgang import krev_vertskommune

logger = logging.getLogger(__name__)

JOB_NAME = "legevakt.overload_flags"
TASK_NAME = "legevakt.overload_flags"
VINDU_DAGER = 28  # the two windows: the last and the next four weeks
MAKS_I_EPOST = 200
MAKS_INTERVALLER = 20  # uncovered intervals listed in a flag's details (all are counted)


@dataclass(frozen=True)
class Parametre:
    """The thresholds in force on the day (kommune/regler.py)."""

    dag: dt.date
    innbyggere_under: int
    sentralitet: tuple[int, ...]
    fa_leger: int
    hyppighet: int
    beredskap_timer: int
    unntak_dager: int
    unntak_andel: Decimal
    befolkningsgrupper: tuple[int, int, int]
    normtall_fra: dt.date = field(default=dt.date(2024, 1, 1))

    @classmethod
    def on(cls, day: dt.date) -> Parametre:
        return cls(
            dag=day,
            innbyggere_under=regler.verdi("legevakt_tilskudd_innbyggere_under", day),
            sentralitet=tuple(regler.verdi("legevakt_tilskudd_sentralitet", day)),
            fa_leger=regler.verdi("legevakt_fa_leger", day),
            hyppighet=regler.verdi("legevakt_hyppighet_varsel", day),
            beredskap_timer=regler.verdi("legevakt_beredskap_varsel_timer_per_uke", day),
            unntak_dager=regler.verdi("legevakt_unntak_dager_per_ar", day),
            unntak_andel=regler.verdi("legevakt_unntak_varsel_andel", day),
            befolkningsgrupper=tuple(regler.verdi("sfs2305_befolkningsgrupper", day)),
        )

    @property
    def unntak_terskel(self) -> int:
        return math.ceil(self.unntak_dager * self.unntak_andel)

    def sql(self, *, kommune_id: int | None = None, distrikt_ids: list[int] | None = None) -> dict:
        day = self.dag
        dagtid = tid.dagtid_intervaller(day, day + dt.timedelta(days=VINDU_DAGER))
        g1, g2, g3 = self.befolkningsgrupper
        with translation.override("nb"):
            beredskap_kilde = str(regler.kilde("legevakt_beredskap_varsel_timer_per_uke", day))
        return {
            "kommune": kommune_id, "distrikter": distrikt_ids,
            "dag": day, "dager": VINDU_DAGER,
            "fra": tid.dagstart(day - dt.timedelta(days=VINDU_DAGER)), "naa": tid.dagstart(day),
            "til": tid.dagstart(day + dt.timedelta(days=VINDU_DAGER)),
            "aar_fra": tid.dagstart(dt.date(day.year, 1, 1)), "aar_til": tid.dagstart(dt.date(day.year + 1, 1, 1)),
            "dagtid_start": [s for s, _e in dagtid], "dagtid_slutt": [e for _s, e in dagtid],
            "vakthavende": list(VAKTHAVENDE_TYPER), "beredskapstyper": list(BEREDSKAP_TYPER),
            "innbyggere_under": self.innbyggere_under, "sentralitet": list(self.sentralitet),
            "fa_leger": self.fa_leger, "hyppighet": self.hyppighet, "beredskap_timer": self.beredskap_timer,
            "beredskap_kilde": beredskap_kilde, "unntak_terskel": self.unntak_terskel, "unntak_dager": self.unntak_dager,
            "g1": g1, "g2": g2, "g3": g3, "maks_intervaller": MAKS_INTERVALLER,
        }


# a) + b): the state of every active district (or the ones asked for): members, population,
# rota, the small-district test and each kind's condition. Shared by the job and the page. The
# per-district aggregates are MATERIALIZED: inlined, the planner re-ran them once per district in
# the final nested-loop joins (quadratic; the bench showed 24 s for 50 districts instead of 0.2 s).
TILSTAND_CTES = """
distrikt AS MATERIALIZED (
  SELECT d.id, d.kommune_id FROM legevakt_legevaktdistrikt d
   WHERE d.aktiv AND (%(kommune)s::bigint IS NULL OR d.kommune_id = %(kommune)s::bigint)
     AND (%(distrikter)s::bigint[] IS NULL OR d.id = ANY(%(distrikter)s::bigint[]))
),
medlem AS MATERIALIZED (
  SELECT x.*, x.innbyggere < %(innbyggere_under)s::int
               AND (x.sentralitetsklasse IS NULL OR x.sentralitetsklasse = ANY(%(sentralitet)s::int[])) AS tilskudd
    FROM (SELECT DISTINCT m.distrikt_id, m.medlem_id, k.kommunenummer, k.sentralitetsklasse,
                 (SELECT i.antall FROM kommune_innbyggertall i WHERE i.kommune_id = m.medlem_id AND i.gjelder_fra <= %(dag)s::date
                   ORDER BY i.gjelder_fra DESC LIMIT 1) AS innbyggere
            FROM legevakt_medlemskap m
            JOIN distrikt d ON d.id = m.distrikt_id
            JOIN kommune_kommune k ON k.id = m.medlem_id
           WHERE m.fra <= %(dag)s::date AND (m.til IS NULL OR m.til > %(dag)s::date)) x
),
vakt AS MATERIALIZED (
  SELECT v.id, v.distrikt_id, v.lege_id, v.type, v.start, v.slutt, v.hvilebrudd_begrunnelse
    FROM legevakt_vakt v JOIN distrikt d ON d.id = v.distrikt_id
   WHERE v.status = 'aktiv' AND v.start < %(til)s::timestamptz AND v.slutt > %(fra)s::timestamptz
),
vindu AS (
  SELECT * FROM (VALUES ('siste', %(fra)s::timestamptz, %(naa)s::timestamptz),
                        ('neste', %(naa)s::timestamptz, %(til)s::timestamptz)) AS w(navn, vfra, vtil)
),
lege_vindu AS (
  SELECT v.distrikt_id, v.lege_id, w.navn,
         coalesce(sum(ceil(extract(epoch FROM v.slutt - v.start) / 86400.0))
                  FILTER (WHERE v.type = ANY(%(vakthavende)s::text[]) AND v.start >= w.vfra AND v.start < w.vtil), 0) AS vaktdogn,
         coalesce(sum(extract(epoch FROM least(v.slutt, w.vtil) - greatest(v.start, w.vfra)) / 3600.0)
                  FILTER (WHERE v.type = ANY(%(beredskapstyper)s::text[])), 0) / (%(dager)s::int / 7.0) AS beredskap_per_uke
    FROM vakt v JOIN vindu w ON v.start < w.vtil AND v.slutt > w.vfra
   GROUP BY 1, 2, 3
),
lege AS (
  SELECT distrikt_id, lege_id,
         max(vaktdogn) FILTER (WHERE navn = 'siste') AS dogn_siste, max(vaktdogn) FILTER (WHERE navn = 'neste') AS dogn_neste,
         max(beredskap_per_uke) FILTER (WHERE navn = 'siste') AS ber_siste,
         max(beredskap_per_uke) FILTER (WHERE navn = 'neste') AS ber_neste
    FROM lege_vindu GROUP BY 1, 2
),
lege_flagg AS MATERIALIZED (
  SELECT distrikt_id,
         jsonb_agg(jsonb_build_object(
             'lege_id', lege_id, 'vaktdogn_siste', coalesce(dogn_siste, 0), 'vaktdogn_neste', coalesce(dogn_neste, 0),
             'hver_siste', CASE WHEN dogn_siste > 0 THEN round(%(dager)s::numeric / dogn_siste, 1) END,
             'hver_neste', CASE WHEN dogn_neste > 0 THEN round(%(dager)s::numeric / dogn_neste, 1) END) ORDER BY lege_id)
           FILTER (WHERE coalesce(dogn_siste, 0) * %(hyppighet)s::int > %(dager)s::int
                      OR coalesce(dogn_neste, 0) * %(hyppighet)s::int > %(dager)s::int) AS hyppighet,
         jsonb_agg(jsonb_build_object(
             'lege_id', lege_id, 'timer_per_uke_siste', round(coalesce(ber_siste, 0)::numeric, 1),
             'timer_per_uke_neste', round(coalesce(ber_neste, 0)::numeric, 1)) ORDER BY lege_id)
           FILTER (WHERE coalesce(ber_siste, 0) > %(beredskap_timer)s::int
                      OR coalesce(ber_neste, 0) > %(beredskap_timer)s::int) AS beredskap
    FROM lege GROUP BY 1
),
hvile AS MATERIALIZED (
  SELECT distrikt_id, count(*) AS antall,
         jsonb_agg(DISTINCT (start AT TIME ZONE 'Europe/Oslo')::date ORDER BY (start AT TIME ZONE 'Europe/Oslo')::date) AS datoer,
         jsonb_agg(id ORDER BY start, id) AS vakter
    FROM vakt
   WHERE hvilebrudd_begrunnelse <> '' AND start >= %(fra)s::timestamptz AND start < %(til)s::timestamptz
   GROUP BY 1
),
dagtid AS (
  SELECT coalesce(range_agg(tstzrange(s, e, '[)')), '{}'::tstzmultirange) AS mr
    FROM unnest(%(dagtid_start)s::timestamptz[], %(dagtid_slutt)s::timestamptz[]) AS u(s, e)
),
behov AS (
  SELECT m.distrikt_id, k.kommunenummer,
         (CASE m.tidsbolk WHEN 'dagtid' THEN dt.mr
                          WHEN 'utenfor_dagtid' THEN tstzmultirange(tstzrange(%(naa)s::timestamptz, %(til)s::timestamptz, '[)')) - dt.mr
                          ELSE tstzmultirange(tstzrange(%(naa)s::timestamptz, %(til)s::timestamptz, '[)')) END)
         * tstzmultirange(tstzrange(greatest(m.fra, %(dag)s::date)::timestamp AT TIME ZONE 'Europe/Oslo',
                                    least(coalesce(m.til, 'infinity'::date), %(dag)s::date + %(dager)s::int)::timestamp
                                      AT TIME ZONE 'Europe/Oslo', '[)')) AS mr
    FROM legevakt_medlemskap m
    JOIN distrikt d ON d.id = m.distrikt_id
    JOIN kommune_kommune k ON k.id = m.medlem_id
    CROSS JOIN dagtid dt
   WHERE m.fra < %(dag)s::date + %(dager)s::int AND (m.til IS NULL OR m.til > %(dag)s::date)
),
dekket AS (
  SELECT distrikt_id, range_agg(tstzrange(start, slutt, '[)')) AS mr
    FROM vakt WHERE type = ANY(%(vakthavende)s::text[]) AND slutt > %(naa)s::timestamptz
   GROUP BY 1
),
hull AS (
  SELECT b.distrikt_id, b.kommunenummer, b.mr - coalesce(dk.mr, '{}'::tstzmultirange) AS mr
    FROM behov b LEFT JOIN dekket dk ON dk.distrikt_id = b.distrikt_id
),
udekket AS (
  SELECT h.distrikt_id, (array_agg(DISTINCT h.kommunenummer ORDER BY h.kommunenummer)) AS kommuner,
         range_agg(h.mr) AS mr
    FROM hull h WHERE NOT isempty(h.mr) GROUP BY 1
),
udekket_detalj AS MATERIALIZED (
  SELECT u.distrikt_id, u.kommuner, x.antall, x.timer, x.intervaller
    FROM udekket u CROSS JOIN LATERAL (
      SELECT count(*) AS antall, round((sum(extract(epoch FROM upper(r) - lower(r))) / 3600.0)::numeric, 1) AS timer,
             to_jsonb((array_agg(jsonb_build_object('start', lower(r), 'slutt', upper(r)) ORDER BY lower(r)))
                      [1:%(maks_intervaller)s::int]) AS intervaller
        FROM unnest(u.mr) AS r) x
),
rota AS MATERIALIZED (
  SELECT distrikt_id, count(DISTINCT lege_id) AS leger FROM vakt GROUP BY 1
),
unntak_dager AS MATERIALIZED (
  SELECT v.lege_id, count(DISTINCT (v.start AT TIME ZONE 'Europe/Oslo')::date) AS dager
    FROM legevakt_vakt v
   WHERE v.status = 'aktiv' AND v.unntak_kompetanse
     AND v.start >= %(aar_fra)s::timestamptz AND v.start < %(aar_til)s::timestamptz
     AND v.lege_id IN (SELECT lege_id FROM vakt)
   GROUP BY 1
),
unntak AS MATERIALIZED (
  SELECT l.distrikt_id,
         jsonb_agg(jsonb_build_object('lege_id', l.lege_id, 'dager', u.dager) ORDER BY l.lege_id) AS leger
    FROM (SELECT DISTINCT distrikt_id, lege_id FROM vakt) l
    JOIN unntak_dager u ON u.lege_id = l.lege_id
   WHERE u.dager >= %(unntak_terskel)s::int
   GROUP BY 1
),
befolkning AS (
  SELECT d.id AS distrikt_id, sum(m.innbyggere) AS innbyggere,
         count(m.medlem_id) AS kommuner,
         array_agg(m.kommunenummer ORDER BY m.kommunenummer) FILTER (WHERE m.tilskudd) AS tilskudd_kommuner,
         array_agg(m.kommunenummer ORDER BY m.kommunenummer)
           FILTER (WHERE m.tilskudd AND m.sentralitetsklasse IS NULL) AS sentralitet_ukjent
    FROM distrikt d LEFT JOIN medlem m ON m.distrikt_id = d.id
   GROUP BY 1
),
gruppe AS MATERIALIZED (
  SELECT b.*, CASE WHEN b.innbyggere IS NULL THEN NULL
                   WHEN b.innbyggere < %(g1)s::int THEN 'I' WHEN b.innbyggere < %(g2)s::int THEN 'II'
                   WHEN b.innbyggere < %(g3)s::int THEN 'III' ELSE 'IV' END AS befolkningsgruppe
    FROM befolkning b
),
normtall AS (
  SELECT DISTINCT ON (befolkningsgruppe, vakttype) befolkningsgruppe, vakttype, min_leger
    FROM legevakt_normtall WHERE gyldig_fra <= %(dag)s::date
   ORDER BY befolkningsgruppe, vakttype, gyldig_fra DESC
),
normtall_brudd AS MATERIALIZED (
  SELECT g.distrikt_id,
         jsonb_agg(jsonb_build_object('vakttype', n.vakttype, 'leger', coalesce(t.leger, 0), 'min_leger', n.min_leger)
                   ORDER BY n.vakttype) AS brudd
    FROM gruppe g
    JOIN normtall n ON n.befolkningsgruppe = g.befolkningsgruppe
    LEFT JOIN (SELECT distrikt_id, type, count(DISTINCT lege_id) AS leger FROM vakt GROUP BY 1, 2) t
           ON t.distrikt_id = g.distrikt_id AND t.type = n.vakttype
   WHERE coalesce(t.leger, 0) < n.min_leger
   GROUP BY 1
),
tilstand AS MATERIALIZED (
  SELECT d.id AS distrikt_id, d.kommune_id, g.innbyggere, g.kommuner, g.befolkningsgruppe,
         coalesce(g.tilskudd_kommuner, '{}') AS tilskudd_kommuner, coalesce(g.sentralitet_ukjent, '{}') AS sentralitet_ukjent,
         coalesce(r.leger, 0) AS leger,
         (g.tilskudd_kommuner IS NOT NULL OR coalesce(r.leger, 0) <= %(fa_leger)s::int) AS liten,
         lf.hyppighet, lf.beredskap, h.antall AS hvilebrudd_antall, h.datoer AS hvilebrudd_datoer, h.vakter AS hvilebrudd_vakter,
         ud.kommuner AS udekket_kommuner, ud.antall AS udekket_antall, ud.timer AS udekket_timer,
         ud.intervaller AS udekket_intervaller, un.leger AS unntak, nb.brudd AS normtall
    FROM distrikt d
    JOIN gruppe g ON g.distrikt_id = d.id
    LEFT JOIN rota r ON r.distrikt_id = d.id
    LEFT JOIN lege_flagg lf ON lf.distrikt_id = d.id
    LEFT JOIN hvile h ON h.distrikt_id = d.id
    LEFT JOIN udekket_detalj ud ON ud.distrikt_id = d.id
    LEFT JOIN unntak un ON un.distrikt_id = d.id
    LEFT JOIN normtall_brudd nb ON nb.distrikt_id = d.id
)
"""

# b) the conditions per kind, c) raise, refresh, resolve: one statement.
FLAGS_SQL = """
WITH {tilstand},
cond AS (
  SELECT t.kommune_id, t.distrikt_id, c.type,
         c.detaljer || CASE WHEN cardinality(t.sentralitet_ukjent) > 0
                            THEN jsonb_build_object('sentralitet_ukjent', to_jsonb(t.sentralitet_ukjent))
                            ELSE '{}'::jsonb END AS detaljer
    FROM tilstand t
    CROSS JOIN LATERAL (VALUES
      ('fa_leger', t.leger <= %(fa_leger)s::int, jsonb_build_object('leger', t.leger, 'grense', %(fa_leger)s::int)),
      ('hyppighet', t.hyppighet IS NOT NULL,
       jsonb_build_object('leger', t.hyppighet, 'grense', %(hyppighet)s::int, 'vindu_dager', %(dager)s::int)),
      ('beredskap', t.beredskap IS NOT NULL,
       jsonb_build_object('leger', t.beredskap, 'grense_timer_per_uke', %(beredskap_timer)s::int, 'er_regel', false,
                          'kilde', %(beredskap_kilde)s::text)),
      ('hvilebrudd', t.hvilebrudd_antall IS NOT NULL,
       jsonb_build_object('antall', t.hvilebrudd_antall, 'datoer', t.hvilebrudd_datoer, 'vakter', t.hvilebrudd_vakter)),
      ('udekket', t.udekket_antall IS NOT NULL,
       jsonb_build_object('antall', t.udekket_antall, 'timer', t.udekket_timer, 'kommuner', to_jsonb(t.udekket_kommuner),
                          'intervaller', t.udekket_intervaller)),
      ('kompetanseunntak', t.unntak IS NOT NULL,
       jsonb_build_object('leger', t.unntak, 'grense_dager', %(unntak_dager)s::int, 'terskel_dager', %(unntak_terskel)s::int)),
      ('normtall', t.normtall IS NOT NULL,
       jsonb_build_object('befolkningsgruppe', t.befolkningsgruppe, 'brudd', t.normtall))
    ) AS c(type, gjelder, detaljer)
   WHERE t.liten AND c.gjelder
),
reist AS (
  INSERT INTO legevakt_belastningsvarsel (kommune_id, distrikt_id, type, reist, detaljer)
  SELECT cond.kommune_id, cond.distrikt_id, cond.type, %(naa_tid)s, cond.detaljer FROM cond
  ON CONFLICT (kommune_id, distrikt_id, type) WHERE lost IS NULL
  DO UPDATE SET detaljer = EXCLUDED.detaljer
   WHERE legevakt_belastningsvarsel.detaljer IS DISTINCT FROM EXCLUDED.detaljer
  RETURNING (xmax = 0) AS ny
),
lost AS (
  UPDATE legevakt_belastningsvarsel f SET lost = greatest(%(naa_tid)s, f.reist)
   WHERE f.lost IS NULL AND (%(kommune)s::bigint IS NULL OR f.kommune_id = %(kommune)s::bigint)
     AND (f.distrikt_id, f.type::text) NOT IN (SELECT cond.distrikt_id, cond.type FROM cond)
  RETURNING 1
)
SELECT (SELECT count(*) FILTER (WHERE ny) FROM reist),
       (SELECT count(*) FILTER (WHERE NOT ny) FROM reist),
       (SELECT count(*) FROM lost)
"""

TILSTAND_SQL = """
WITH {tilstand}
SELECT * FROM tilstand ORDER BY distrikt_id
"""


def _fetch(sql: str, params: dict) -> tuple[list[str], list[tuple]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [c.name for c in cursor.description], cursor.fetchall()


@dataclass(frozen=True)
class Distriktstilstand:
    """What the page shows of one district's state on a day (the job's conditions)."""

    distrikt_id: int
    kommune_id: int
    innbyggere: int | None
    kommuner: int
    befolkningsgruppe: str | None
    tilskudd_kommuner: list[str]
    sentralitet_ukjent: list[str]
    leger: int
    liten: bool


def tilstand(*, on: dt.date, distrikt_ids: list[int]) -> dict[int, Distriktstilstand]:
    """The small-district test of the given districts on `on`, in one query. The caller passes the
    ids it may see (the tenancy-scoped district list); the statement reads the member kommuner's
    public population and sentralitet, as the rule requires."""
    if not distrikt_ids:
        return {}
    params = Parametre.on(on).sql(distrikt_ids=list(distrikt_ids))
    columns, rows = _fetch(TILSTAND_SQL.replace("{tilstand}", TILSTAND_CTES), params)
    fields = Distriktstilstand.__dataclass_fields__
    result = {}
    for row in rows:
        data = dict(zip(columns, row, strict=True))
        result[data["distrikt_id"]] = Distriktstilstand(**{name: data[name] for name in fields})
    return result


def update_flags(*, on: dt.date, now: dt.datetime, kommune_id: int | None = None) -> dict[str, int]:
    """Steps a)–c) for every district (or those of one vertskommune): one statement. Call inside
    `unscoped()` (the nightly task) or in the scope of `kommune_id`."""
    params = {**Parametre.on(on).sql(kommune_id=kommune_id), "naa_tid": now}
    sql = FLAGS_SQL.replace("{tilstand}", TILSTAND_CTES)
    with transaction.atomic():
        _columns, rows = _fetch(sql, params)
    reist, oppdatert, lost = rows[0]
    return {"varsler_reist": reist, "varsler_oppdatert": oppdatert, "varsler_lost": lost}


# --- the flags in words (the page and the e-mail) -----------------------------------------------------

def _dato(value: str | None) -> str:
    return formats.date_format(dt.date.fromisoformat(value), "j.n.Y") if value else ""


def _tid(value: str) -> str:
    return formats.date_format(tid.lokal(dt.datetime.fromisoformat(value)), "j.n.Y H:i")


def _navn(lege_id: int, navn: dict[int, str] | None) -> str:
    if navn and lege_id in navn:
        return navn[lege_id]
    return _("lege %(nr)s") % {"nr": lege_id}


def detalj_tekst(type_: str, detaljer: dict, navn: dict[int, str] | None = None) -> list[str]:
    """The flag's details as sentences. Doctors are named when `navn` gives their names (the page);
    the e-mail passes none and counts them."""
    d = detaljer or {}
    lines: list[str] = []
    if type_ == Belastningsvarseltype.FA_LEGER:
        lines.append(ngettext("%(antall)s lege i vaktordningen de siste og neste fire ukene (grense: %(grense)s).",
                              "%(antall)s leger i vaktordningen de siste og neste fire ukene (grense: %(grense)s).",
                              d.get("leger", 0)) % {"antall": d.get("leger", 0), "grense": d.get("grense")})
    elif type_ == Belastningsvarseltype.HYPPIGHET:
        leger = d.get("leger") or []
        if navn is None:
            lines.append(ngettext("%(antall)s lege har vakt oftere enn hver %(n)s. dag.",
                                  "%(antall)s leger har vakt oftere enn hver %(n)s. dag.", len(leger))
                         % {"antall": len(leger), "n": d.get("grense")})
        for lege in leger if navn is not None else ():
            lines.append(_("%(lege)s: %(siste)s vaktdøgn de siste fire ukene, %(neste)s de neste (grense: hver %(n)s.).")
                         % {"lege": _navn(lege["lege_id"], navn), "siste": lege["vaktdogn_siste"],
                            "neste": lege["vaktdogn_neste"], "n": d.get("grense")})
    elif type_ == Belastningsvarseltype.BEREDSKAP:
        leger = d.get("leger") or []
        if navn is None:
            lines.append(ngettext("%(antall)s lege har mer enn %(grense)s timer beredskap per uke.",
                                  "%(antall)s leger har mer enn %(grense)s timer beredskap per uke.", len(leger))
                         % {"antall": len(leger), "grense": d.get("grense_timer_per_uke")})
        for lege in leger if navn is not None else ():
            lines.append(_("%(lege)s: %(siste)s timer beredskap per uke de siste fire ukene, %(neste)s de neste.")
                         % {"lege": _navn(lege["lege_id"], navn), "siste": lege["timer_per_uke_siste"],
                            "neste": lege["timer_per_uke_neste"]})
        lines.append(_("Grensen på %(grense)s timer per uke er et synspunkt, ikke en regel: %(kilde)s.")
                     % {"grense": d.get("grense_timer_per_uke"),
                        "kilde": regler.kilde("legevakt_beredskap_varsel_timer_per_uke")})
    elif type_ == Belastningsvarseltype.HVILEBRUDD:
        lines.append(ngettext("%(antall)s vakt med registrert kortere hvile enn %(timer)s timer (SFS 2305 § 7.4): %(datoer)s.",
                              "%(antall)s vakter med registrert kortere hvile enn %(timer)s timer (SFS 2305 § 7.4): %(datoer)s.",
                              d.get("antall", 0))
                     % {"antall": d.get("antall", 0), "timer": regler.verdi("legevakt_hvile_timer"),
                        "datoer": ", ".join(_dato(x) for x in sorted(d.get("datoer") or []))})
    elif type_ == Belastningsvarseltype.UDEKKET:
        intervaller = d.get("intervaller") or []
        lines.append(ngettext("%(antall)s tidsrom uten lege på vakt de neste fire ukene, i alt %(timer)s timer "
                              "(akuttmedisinforskriften § 6).",
                              "%(antall)s tidsrom uten lege på vakt de neste fire ukene, i alt %(timer)s timer "
                              "(akuttmedisinforskriften § 6).", d.get("antall", 0))
                     % {"antall": d.get("antall", 0), "timer": formats.number_format(d.get("timer") or 0)})
        if intervaller:
            lines.append(_("Første: %(tidsrom)s.") % {"tidsrom": "; ".join(
                f"{_tid(i['start'])}–{_tid(i['slutt'])}" for i in intervaller[:3])})
    elif type_ == Belastningsvarseltype.KOMPETANSEUNNTAK:
        leger = d.get("leger") or []
        if navn is None:
            lines.append(ngettext("%(antall)s lege har brukt minst %(terskel)s av %(grense)s dager under unntaket i "
                                  "kompetanseforskriften § 4 i år.",
                                  "%(antall)s leger har brukt minst %(terskel)s av %(grense)s dager under unntaket i "
                                  "kompetanseforskriften § 4 i år.", len(leger))
                         % {"antall": len(leger), "terskel": d.get("terskel_dager"), "grense": d.get("grense_dager")})
        for lege in leger if navn is not None else ():
            lines.append(_("%(lege)s: %(dager)s av %(grense)s dager under unntaket i kompetanseforskriften § 4 i år "
                           "(med planlagte vakter).")
                         % {"lege": _navn(lege["lege_id"], navn), "dager": lege["dager"], "grense": d.get("grense_dager")})
    elif type_ == Belastningsvarseltype.NORMTALL:
        for brudd in d.get("brudd") or []:
            lines.append(_("%(vakttype)s: %(leger)s leger, normtallet for befolkningsgruppe %(gruppe)s er %(min)s (SFS 2305).")
                         % {"vakttype": Vakttype(brudd["vakttype"]).label, "leger": brudd["leger"], "gruppe": d.get("befolkningsgruppe"),
                            "min": brudd["min_leger"]})
    if d.get("sentralitet_ukjent"):
        lines.append(_("Sentralitetsklassen er ukjent for %(kommuner)s; vurdert etter innbyggertall alene.")
                     % {"kommuner": ", ".join(d["sentralitet_ukjent"])})
    return lines


# --- reading and marking flags (the page and the API) ------------------------------------------

def varsel_list():
    """The flags the kommune in scope may see: its own districts' and those it is a member of."""
    return Belastningsvarsel.objects.select_related("distrikt").order_by("distrikt__navn", "distrikt_id", "type", "-reist", "id")


def mark_varsel_sett(*, varsel: Belastningsvarsel, av=None, now: dt.datetime | None = None) -> Belastningsvarsel:
    """Record that the flag has been seen, and by whom (`av`: the user; None for an integration
    token). Only the district's vertskommune may (a deltakerkommune reads). The first marking
    stands: marking again changes nothing. One UPDATE (audited)."""
    krev_vertskommune(varsel.distrikt)
    moment = max(now or timezone.now(), varsel.reist)
    Belastningsvarsel.objects.filter(pk=varsel.pk, sett__isnull=True).update(sett=moment, sett_av=av)
    varsel.refresh_from_db()
    return varsel


def lege_navn(varsler) -> dict[int, str]:
    """Names of the doctors the flags' details mention. The flags are the ones the kommune may
    see; their doctors are on the districts' rosters, which a deltakerkommune reads too, although
    the doctor may be registered only in the vertskommune — hence unscoped, for these ids only."""
    from kommune.models import Lege

    ids = set()
    for v in varsler:
        leger = (v.detaljer or {}).get("leger")
        if isinstance(leger, list):
            ids.update(lege["lege_id"] for lege in leger)
    if not ids:
        return {}
    with unscoped(reason="legevakt flags: names of the doctors on a visible district's roster"):
        return {pk: f"{fornavn} {etternavn}" for pk, fornavn, etternavn
                in Lege.objects.filter(pk__in=ids).values_list("pk", "fornavn", "etternavn")}


# --- d) the digest -------------------------------------------------------------------------------

def send_digest(*, now: dt.datetime, kommune_id: int | None = None) -> tuple[int, int]:
    """Step d): one e-mail per kommune concerned (the district's vertskommune and its current
    deltakerkommuner) to its kommuneoverleger, listing the open flags not yet sent, in that
    kommune's language; then mark the flags sent. A flag nobody could be told of (no
    kommuneoverlege anywhere in its district) stays unsent for the next run. Returns (sent, failed).
    Four queries whatever the number of flags."""
    from kommune.models import Rolle
    from legevakt.models import Medlemskap

    varsler = Belastningsvarsel.objects.filter(lost__isnull=True, varslet__isnull=True)
    if kommune_id is not None:
        varsler = varsler.filter(kommune_id=kommune_id)
    varsler = list(varsler.select_related("distrikt").order_by("distrikt__navn", "distrikt_id", "type"))
    if not varsler:
        return 0, 0
    day = timezone.localdate(now)
    kommuner_per_distrikt: dict[int, set[int]] = {v.distrikt_id: {v.kommune_id} for v in varsler}
    for distrikt_id, medlem_id in (Medlemskap.objects.filter(distrikt_id__in=kommuner_per_distrikt, fra__lte=day)
                                   .exclude(til__lte=day).values_list("distrikt_id", "medlem_id")):
        kommuner_per_distrikt[distrikt_id].add(medlem_id)
    alle = set().union(*kommuner_per_distrikt.values())
    mottakere: dict[int, set[str]] = {}
    kommuner = {}
    with unscoped(reason="legevakt digest: the kommuneoverleger of the vertskommune and of every deltakerkommune"):
        for rolle in (Rolle.objects.filter(rolle=Rolle.Navn.KOMMUNEOVERLEGE, kommune_id__in=alle, bruker__is_active=True)
                      .select_related("kommune", "bruker")):
            mottakere.setdefault(rolle.kommune_id, set()).add(rolle.bruker.email)
            kommuner[rolle.kommune_id] = rolle.kommune
    sendt_ids: set[int] = set()
    sendt = feilet = 0
    lenke = settings.PUBLIC_BASE_URL + reverse("legevakt:oversikt")
    for k_id in sorted(mottakere):
        rows = [v for v in varsler if k_id in kommuner_per_distrikt[v.distrikt_id]]
        if not rows:
            continue
        kommune = kommuner[k_id]
        with translation.override(kommune.language_code):
            context = {
                "kommune": kommune, "lenke": lenke,
                "varsler": [{"v": v, "tekst": Belastningsvarseltype(v.type).label,
                             "detaljer": detalj_tekst(v.type, v.detaljer)} for v in rows[:MAKS_I_EPOST]],
                "flere": max(0, len(rows) - MAKS_I_EPOST),
            }
            subject = _("Legevakt: %(antall)s nye belastningsvarsler for %(kommune)s") % {
                "antall": len(rows), "kommune": kommune.navn}
            body = render_to_string("legevakt/varsel_epost.txt", context)
        try:
            EmailMessage(subject=subject.replace("\n", " "), body=body, to=sorted(mottakere[k_id])).send()
        except Exception:  # one kommune's mail trouble must not stop the others
            logger.exception("E-postoversikten over belastningsvarsler kunne ikke sendes", extra={"kommune_id": k_id})
            feilet += 1
            continue
        sendt += 1
        sendt_ids.update(v.pk for v in rows)
    if sendt_ids:
        Belastningsvarsel.objects.filter(pk__in=sendt_ids).update(varslet=now)
    return sendt, feilet


def run(*, on: dt.date | None = None, now: dt.datetime | None = None, kommune_id: int | None = None) -> dict[str, int]:
    """The whole job (a–d). Set-based: a constant number of queries whatever the number of shifts
    or districts."""
    now = now or timezone.now()
    on = on or timezone.localdate(now)
    counts = update_flags(on=on, now=now, kommune_id=kommune_id)
    sendt, feilet = send_digest(now=now, kommune_id=kommune_id)
    return {**counts, "eposter_sendt": sendt, "eposter_feilet": feilet}


def ready() -> None:
    """Registrations made from LegevaktConfig.ready(): the nightly overload job, and the legevakt
    demo seeder (kommune.demo's registry)."""
    from core.jobs import ScheduledJob, register
    from legevakt import demo  # noqa: F401  (registers the legevakt demo seeder)

    register(
        ScheduledJob(
            name=JOB_NAME,
            task=TASK_NAME,
            hour=1,
            minute=45,
            description="Belastningsvarsler for små legevaktdistrikter (få leger, hyppige vakter, beredskap, hvilebrudd, "
                        "udekkede tidsrom, kompetanseunntaket, normtall), i alle distrikter, med e-post til kommuneoverlegene.",
        )
    )
