"""Duty-load figures (vaktbelastning) for doctors and districts, and the intervals without a doctor on
duty (akuttmedisinforskriften § 6). Read-only and set-based: each figure set is one SQL statement,
whatever the number of shifts, doctors or districts.

Conventions for every figure:
- only active shifts count (status «aktiv»); a shift is clipped to the window [fra, til), where fra
  and til are Oslo local dates (local midnight, so a window is DST-correct);
- hours are real elapsed hours, `extract(epoch from slutt - start) / 3600` (a 20:00–08:00 night is
  13 h when summer time ends, 11 h when it starts);
- PostgreSQL does the Oslo-time arithmetic with `AT TIME ZONE 'Europe/Oslo'`;
- the public holidays come from kommune.helligdager (computed in Python for the years in the
  window) and are passed as date arrays.

Definitions (also shown on the pages):
- *natt*: a local midnight strictly inside a shift (a shift ending at 00:00 has no night); a night
  belongs to the window its midnight falls in;
- *helg*: a weekend (Saturday 00:00–Monday 00:00 local) the shift touches; counted once per doctor
  however many shifts touch it;
- *helligdag / juledag / påskedag*: a local date the shift touches that is a public holiday
  (helligdagsloven; not the ordinary Sundays) / in the jul or påske season (kommune.helligdager.hoytid);
- *vaktdøgn*: per shift with a doctor on duty (VAKTHAVENDE_TYPER), the hours in the window divided
  by 24, rounded up; *hyppighet* N in «1 in N» = days in the window / vaktdøgn (None when 0);
- *beredskapstimer*: hours of the on-call types (BEREDSKAP_TYPER), per week = hours × 7 / days.

Tenancy: the SQL bypasses the ORM, so inside a kommune scope every statement is restricted to the
districts (or memberships) the ORM's scoped queryset shows — a deltakerkommune sees its districts; the
nightly job calls these unscoped.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from core.context import current_kommune_id
from core.dates import check_range
from core.tenancy import is_unscoped
from kommune import helligdager
from kommune.models import Lege
from legevakt import tid
from legevakt.models import BEREDSKAP_TYPER, VAKTHAVENDE_TYPER, Legevaktdistrikt, Medlemskap, Vakt

TZ = "Europe/Oslo"
MAKS_DAGER = 366  # the widest window the pages and the API accept
UKE_DAGER, FIRE_UKER_DAGER = 7, 28


# --- results ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Legebelastning:
    """One doctor's load in a window (in one district, or in all districts when distrikt_id is None)."""

    lege_id: int
    lege_navn: str
    distrikt_id: int | None
    fra: dt.date
    til: dt.date  # first day not included
    dager: int
    vakter: int
    timer: float
    timer_per_4_uker: float
    beredskapstimer: float
    beredskapstimer_per_uke: float
    tilstedevakttimer: float
    netter: int
    helger: int
    helligdager: int
    juledager: int
    paskedager: int
    vaktdogn: int
    hyppighet: float | None  # N in «1 in N»; None with no vaktdøgn


@dataclass(frozen=True)
class Udekket:
    """An interval in the window where a kommune has no doctor on duty."""

    kommune_id: int
    distrikt_id: int | None  # None when no district serves the kommune then
    start: dt.datetime
    slutt: dt.datetime
    arsak: str  # "ingen_distrikt" | "ingen_lege"

    @property
    def timer(self) -> float:
        return tid.elapsed_hours(self.start, self.slutt)


@dataclass(frozen=True)
class Distriktsbelastning:
    distrikt_id: int
    navn: str
    fra: dt.date
    til: dt.date
    dager: int
    leger_i_vaktordning: int  # distinct doctors with active shifts in the window
    vakter: int
    timer: float  # all active shifts' hours in the window
    vakthavende_timer: float  # hours with at least one doctor on duty (union of VAKTHAVENDE_TYPER shifts)
    en_lege_timer: float  # hours with exactly one doctor on duty
    andel_en_lege: float | None  # en_lege_timer / vakthavende_timer (0–1), None when no hours on duty
    udekket_timer: float  # the members' hours without a doctor on duty in this district's bands
    udekket: tuple[Udekket, ...] = field(default=())


@dataclass(frozen=True)
class Dagstatus:
    """One local day in a district: how many doctors were on duty, and the hours without one."""

    dato: dt.date
    leger_pa_vakt: int
    udekket_timer: float


# --- the window ---------------------------------------------------------------------------------------------

STANDARD_DAGER_BAK = STANDARD_DAGER_FREM = 28


def standard_periode(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last four weeks and the next four: [today − 28, today + 28)."""
    day = today or timezone.localdate()
    return day - dt.timedelta(days=STANDARD_DAGER_BAK), day + dt.timedelta(days=STANDARD_DAGER_FREM)


def sjekk_periode(fra: dt.date, til: dt.date) -> None:
    """Refuse a window that is empty, reversed or longer than MAKS_DAGER (ValidationError on the field)."""
    check_range(fra, "fra")
    check_range(til, "til")
    if til <= fra:
        raise ValidationError({"til": [ValidationError(
            _("«Til» må være etter «fra» (perioden er [fra, til): til-datoen er ikke med)."), code="til_for_fra")]})
    if (til - fra).days > MAKS_DAGER:
        raise ValidationError({"til": [ValidationError(
            _("Perioden kan være høyst %(dager)d dager.") % {"dager": MAKS_DAGER}, code="for_lang_periode")]})


# --- helpers ---------------------------------------------------------------------------------------------

def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _named(queryset, prefix: str) -> tuple[str, dict]:
    """A queryset's SQL with its positional parameters renamed, to embed in a named-parameter statement."""
    sql, params = queryset.query.sql_with_params()
    parts = sql.split("%s")
    if len(parts) - 1 != len(params):  # pragma: no cover - defensive
        raise ValueError("Uventet SQL fra spørringen.")
    named = {f"{prefix}{i}": value for i, value in enumerate(params)}
    text = parts[0] + "".join(f"%({prefix}{i})s{part}" for i, part in enumerate(parts[1:]))
    return text, named


def _synlige_distrikter() -> tuple[str, dict]:
    """SQL condition fragment: the districts the kommune in scope may see (nothing when unscoped)."""
    if is_unscoped():
        return "IS NOT NULL", {}
    sql, params = _named(Legevaktdistrikt.objects.order_by().values("pk"), "synlig")
    return f"IN ({sql})", params


def _fetch(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _ids(values) -> list[int] | None:
    return None if values is None else [int(v) for v in values]


def _hoytidsdager(fra: dt.date, til: dt.date) -> tuple[list[dt.date], list[dt.date], list[dt.date]]:
    """Public holidays, jul days and påske days in [fra, til) (computed in Python)."""
    holidays = [d for year in range(fra.year, til.year + 1) for d in helligdager.helligdager(year) if fra <= d < til]
    jul, paske = [], []
    day = fra
    while day < til:
        season = helligdager.hoytid(day)
        if season == helligdager.JUL:
            jul.append(day)
        elif season == helligdager.PASKE:
            paske.append(day)
        day += dt.timedelta(days=1)
    return holidays, jul, paske


def _r(value) -> float:
    return round(float(value or 0), 2)


def _uker(fra: dt.date, til: dt.date) -> list[tuple[dt.date, dt.date]]:
    """ISO weeks (Monday–Sunday) clipped to [fra, til)."""
    result, start = [], fra
    while start < til:
        end = min(til, start + dt.timedelta(days=7 - start.weekday()))
        result.append((start, end))
        start = end
    return result


def _maneder(fra: dt.date, til: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Calendar months clipped to [fra, til)."""
    result, start = [], fra
    while start < til:
        first_next = (start.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        end = min(til, first_next)
        result.append((start, end))
        start = end
    return result


# --- per doctor ------------------------------------------------------------------------------------------

_LEGE_SQL = """
WITH vindu AS (
    SELECT w.nr, w.fra, w.til,
           (w.fra::timestamp AT TIME ZONE '{tz}') AS w_start,
           (w.til::timestamp AT TIME ZONE '{tz}') AS w_end
    FROM unnest(%(nr)s::int[], %(fra)s::date[], %(til)s::date[]) AS w(nr, fra, til)
),
klipt AS (
    SELECT w.nr, w.fra AS w_fra, w.til AS w_til, v.lege_id, v.type,
           CASE WHEN %(per_distrikt)s THEN v.distrikt_id END AS gruppe,
           greatest(v.start, w.w_start) AS s, least(v.slutt, w.w_end) AS e,
           (v.start AT TIME ZONE '{tz}') AS lokal_start, (v.slutt AT TIME ZONE '{tz}') AS lokal_slutt
    FROM {vakt} v JOIN vindu w ON v.start < w.w_end AND v.slutt > w.w_start
    WHERE v.status = 'aktiv'
      AND v.start < %(til_alle)s::date::timestamp AT TIME ZONE '{tz}'
      AND v.slutt > %(fra_alle)s::date::timestamp AT TIME ZONE '{tz}'
      AND (%(distrikt_ids)s::bigint[] IS NULL OR v.distrikt_id = ANY(%(distrikt_ids)s::bigint[]))
      AND (%(lege_ids)s::bigint[] IS NULL OR v.lege_id = ANY(%(lege_ids)s::bigint[]))
      AND v.distrikt_id {synlig}
),
vakter AS (
    SELECT k.*, extract(epoch FROM k.e - k.s) / 3600.0 AS timer,
           (k.s AT TIME ZONE '{tz}') AS lokal_s, (k.e AT TIME ZONE '{tz}') AS lokal_e,
           CASE WHEN k.lokal_slutt = k.lokal_slutt::date::timestamp THEN k.lokal_slutt::date - 1
                ELSE k.lokal_slutt::date END AS siste_midnatt
    FROM klipt k
),
summer AS (
    SELECT nr, gruppe, lege_id,
           count(*) AS vakter,
           sum(timer) AS timer,
           coalesce(sum(timer) FILTER (WHERE type = ANY(%(beredskap)s::text[])), 0) AS beredskap,
           coalesce(sum(timer) FILTER (WHERE type = 'tilstedevakt'), 0) AS tilstede,
           coalesce(sum(ceil(timer / 24.0)) FILTER (WHERE type = ANY(%(vakthavende)s::text[])), 0) AS vaktdogn,
           sum(greatest(0, least(siste_midnatt, w_til - 1) - greatest(lokal_start::date + 1, w_fra) + 1)) AS netter
    FROM vakter GROUP BY nr, gruppe, lege_id
),
dager AS (
    SELECT DISTINCT v.nr, v.gruppe, v.lege_id, d::date AS dato
    FROM vakter v,
         generate_series(v.lokal_s::date::timestamp, (v.lokal_e - interval '1 microsecond')::date::timestamp,
                         interval '1 day') AS d
),
dagtall AS (
    SELECT nr, gruppe, lege_id,
           count(DISTINCT dato - (extract(isodow FROM dato)::int - 6)) FILTER (WHERE extract(isodow FROM dato) >= 6)
               AS helger,
           count(*) FILTER (WHERE dato = ANY(%(helligdager)s::date[])) AS helligdager,
           count(*) FILTER (WHERE dato = ANY(%(jul)s::date[])) AS juledager,
           count(*) FILTER (WHERE dato = ANY(%(paske)s::date[])) AS paskedager
    FROM dager GROUP BY nr, gruppe, lege_id
)
SELECT s.nr, s.gruppe, s.lege_id, l.fornavn, l.etternavn, s.vakter, s.timer, s.beredskap, s.tilstede, s.netter,
       d.helger, d.helligdager, d.juledager, d.paskedager, s.vaktdogn
FROM summer s
JOIN dagtall d ON d.nr = s.nr AND d.gruppe IS NOT DISTINCT FROM s.gruppe AND d.lege_id = s.lege_id
JOIN {lege} l ON l.id = s.lege_id
ORDER BY s.nr, s.gruppe, l.etternavn, l.fornavn, s.lege_id
"""


def _legefigurer(vinduer: list[tuple[dt.date, dt.date]], *, distrikt_ids, lege_ids,
                 per_distrikt: bool) -> list[Legebelastning]:
    if not vinduer:
        return []
    fra_alle, til_alle = min(f for f, _t in vinduer), max(t for _f, t in vinduer)
    holidays, jul, paske = _hoytidsdager(fra_alle, til_alle)
    synlig, synlig_params = _synlige_distrikter()
    sql = _LEGE_SQL.format(tz=TZ, vakt=_table(Vakt), lege=_table(Lege), synlig=synlig)
    params = {
        "nr": list(range(len(vinduer))), "fra": [f for f, _t in vinduer], "til": [t for _f, t in vinduer],
        "fra_alle": fra_alle, "til_alle": til_alle, "per_distrikt": per_distrikt,
        "distrikt_ids": _ids(distrikt_ids), "lege_ids": _ids(lege_ids),
        "beredskap": list(BEREDSKAP_TYPER), "vakthavende": list(VAKTHAVENDE_TYPER),
        "helligdager": holidays, "jul": jul, "paske": paske, **synlig_params,
    }
    result = []
    for (nr, gruppe, lege_id, fornavn, etternavn, vakter, timer, beredskap, tilstede, netter, helger, hellig, juledager,
         paskedager, vaktdogn) in _fetch(sql, params):
        fra, til = vinduer[nr]
        dager = (til - fra).days
        vaktdogn = int(vaktdogn or 0)
        result.append(Legebelastning(
            lege_id=lege_id, lege_navn=f"{fornavn} {etternavn}", distrikt_id=gruppe, fra=fra, til=til, dager=dager,
            vakter=int(vakter), timer=_r(timer), timer_per_4_uker=_r(float(timer) * FIRE_UKER_DAGER / dager),
            beredskapstimer=_r(beredskap), beredskapstimer_per_uke=_r(float(beredskap) * UKE_DAGER / dager),
            tilstedevakttimer=_r(tilstede), netter=int(netter or 0), helger=int(helger or 0), helligdager=int(hellig or 0),
            juledager=int(juledager or 0), paskedager=int(paskedager or 0), vaktdogn=vaktdogn,
            hyppighet=round(dager / vaktdogn, 2) if vaktdogn else None,
        ))
    return result


def legefigurer(*, fra: dt.date, til: dt.date, distrikt_ids=None, lege_ids=None,
                per_distrikt: bool = True) -> list[Legebelastning]:
    """Each doctor's load in [fra, til): one row per district and doctor (per_distrikt=False: one row per
    doctor over all the districts asked for, with distrikt_id None). Doctors without active shifts in the
    window are not listed. One statement."""
    return _legefigurer([(fra, til)], distrikt_ids=distrikt_ids, lege_ids=lege_ids, per_distrikt=per_distrikt)


def legefigurer_per_maned(*, fra: dt.date, til: dt.date, distrikt_ids=None, lege_ids=None,
                          per_distrikt: bool = True) -> list[Legebelastning]:
    """As legefigurer, per calendar month clipped to [fra, til) (each row's fra/til is its month's part of
    the window; nights, weekends and holidays per month). One statement."""
    return _legefigurer(_maneder(fra, til), distrikt_ids=distrikt_ids, lege_ids=lege_ids, per_distrikt=per_distrikt)


def legefigurer_per_uke(*, fra: dt.date, til: dt.date, distrikt_ids=None, lege_ids=None,
                        per_distrikt: bool = True) -> list[Legebelastning]:
    """As legefigurer, per ISO week (Monday–Sunday) clipped to [fra, til). One statement."""
    return _legefigurer(_uker(fra, til), distrikt_ids=distrikt_ids, lege_ids=lege_ids, per_distrikt=per_distrikt)


# --- uncovered intervals ---------------------------------------------------------------------------------

_UDEKKET_SQL = """
WITH p AS (
    SELECT tstzrange(%(fra)s::date::timestamp AT TIME ZONE '{tz}', %(til)s::date::timestamp AT TIME ZONE '{tz}', '[)')
               AS vindu,
           %(dogn)s::tstzmultirange AS dogn, %(dagtid)s::tstzmultirange AS dagtid,
           %(utenfor)s::tstzmultirange AS utenfor
),
m AS (
    SELECT ms.medlem_id AS kommune_id, ms.distrikt_id,
           (CASE ms.tidsbolk WHEN 'dogn' THEN p.dogn WHEN 'dagtid' THEN p.dagtid ELSE p.utenfor END)
           * tstzmultirange(tstzrange(ms.fra::timestamp AT TIME ZONE '{tz}', ms.til::timestamp AT TIME ZONE '{tz}', '[)'))
               AS dekning
    FROM {medlemskap} ms, p
    WHERE daterange(ms.fra, ms.til, '[)') && daterange(%(fra)s::date, %(til)s::date, '[)')
      AND (%(kommune_ids)s::bigint[] IS NULL OR ms.medlem_id = ANY(%(kommune_ids)s::bigint[]))
      AND (%(distrikt_ids)s::bigint[] IS NULL OR ms.distrikt_id = ANY(%(distrikt_ids)s::bigint[]))
      AND ms.id {synlig}
),
bemannet AS (
    SELECT v.distrikt_id, range_agg(tstzrange(v.start, v.slutt, '[)')) AS tid
    FROM {vakt} v, p
    WHERE v.status = 'aktiv' AND v.type = ANY(%(vakthavende)s::text[])
      AND tstzrange(v.start, v.slutt, '[)') && p.vindu
      AND v.distrikt_id IN (SELECT distrikt_id FROM m)
    GROUP BY v.distrikt_id
),
per_distrikt AS (
    SELECT kommune_id, distrikt_id, range_agg(dekning) AS dekning FROM m GROUP BY kommune_id, distrikt_id
),
ingen_lege AS (
    SELECT pd.kommune_id, pd.distrikt_id, pd.dekning - coalesce(b.tid, '{{}}'::tstzmultirange) AS hull
    FROM per_distrikt pd LEFT JOIN bemannet b ON b.distrikt_id = pd.distrikt_id
),
ingen_distrikt AS (
    SELECT m.kommune_id, NULL::bigint AS distrikt_id, tstzmultirange(p.vindu) - range_agg(m.dekning) AS hull
    FROM m, p
    WHERE %(ingen_distrikt_for)s::bigint IS NULL OR m.kommune_id = %(ingen_distrikt_for)s::bigint
    GROUP BY m.kommune_id, p.vindu
)
SELECT kommune_id, distrikt_id, lower(r), upper(r), arsak FROM (
    SELECT kommune_id, distrikt_id, unnest(hull) AS r, 'ingen_lege' AS arsak FROM ingen_lege
    UNION ALL
    SELECT kommune_id, distrikt_id, unnest(hull) AS r, 'ingen_distrikt' AS arsak FROM ingen_distrikt
) u
ORDER BY kommune_id, lower(r), distrikt_id NULLS FIRST
"""


def _multirange(intervals: list[tid.Interval]) -> str:
    return "{" + ",".join(f"[\"{start.isoformat()}\",\"{end.isoformat()}\")" for start, end in intervals) + "}"


def _udekket(*, fra: dt.date, til: dt.date, kommune_ids=None, distrikt_ids=None, med_ingen_distrikt=True) -> list[Udekket]:
    if fra >= til:
        return []
    if is_unscoped():
        synlig, synlig_params, ingen_distrikt_for = "IS NOT NULL", {}, None
    else:
        sql, synlig_params = _named(Medlemskap.objects.order_by().values("pk"), "synlig")
        synlig = f"IN ({sql})"
        # Inside a scope only the kommune's own memberships are all visible; another kommune's
        # «no district» gaps could be false (its other districts are not ours to see).
        ingen_distrikt_for = current_kommune_id()
    sql = _UDEKKET_SQL.format(tz=TZ, medlemskap=_table(Medlemskap), vakt=_table(Vakt), synlig=synlig)
    params = {
        "fra": fra, "til": til,
        "dogn": _multirange(tid.bolk_intervaller("dogn", fra, til)),
        "dagtid": _multirange(tid.bolk_intervaller("dagtid", fra, til)),
        "utenfor": _multirange(tid.bolk_intervaller("utenfor_dagtid", fra, til)),
        "kommune_ids": _ids(kommune_ids), "distrikt_ids": _ids(distrikt_ids),
        "vakthavende": list(VAKTHAVENDE_TYPER), "ingen_distrikt_for": ingen_distrikt_for, **synlig_params,
    }
    rows = _fetch(sql, params)
    return [Udekket(kommune_id=k, distrikt_id=d, start=tid.lokal(s), slutt=tid.lokal(e), arsak=a)
            for k, d, s, e, a in rows if med_ingen_distrikt or a == "ingen_lege"]


def udekket(*, fra: dt.date, til: dt.date, kommune_ids=None) -> list[Udekket]:
    """Per kommune with a membership overlapping [fra, til): the intervals with no doctor on duty
    (akuttmedisinforskriften § 6). In each membership's band and period, the district's active
    tilstedevakt/hjemmevakt shifts must cover every moment (legevaktsentral and bakvakt do not count):
    what they leave is «ingen_lege» (with the district); time no membership of the kommune covers is
    «ingen_distrikt». Intervals are merged per kommune and district, in Oslo time. One statement.

    Inside a kommune scope: memberships the kommune may see; «ingen_distrikt» only for the kommune itself."""
    return _udekket(fra=fra, til=til, kommune_ids=kommune_ids)


# --- per district ----------------------------------------------------------------------------------------

_DISTRIKT_SQL = """
WITH w AS (
    SELECT %(fra)s::date::timestamp AT TIME ZONE '{tz}' AS w_start, %(til)s::date::timestamp AT TIME ZONE '{tz}' AS w_end
),
d AS (
    SELECT id, navn FROM {distrikt}
    WHERE (%(distrikt_ids)s::bigint[] IS NULL OR id = ANY(%(distrikt_ids)s::bigint[])) AND id {synlig}
),
v AS (
    SELECT v.distrikt_id, v.lege_id, v.type, greatest(v.start, w.w_start) AS s, least(v.slutt, w.w_end) AS e
    FROM {vakt} v, w
    WHERE v.status = 'aktiv' AND v.start < w.w_end AND v.slutt > w.w_start AND v.distrikt_id IN (SELECT id FROM d)
),
tall AS (
    SELECT distrikt_id, count(DISTINCT lege_id) AS leger, count(*) AS vakter, sum(extract(epoch FROM e - s)) / 3600.0 AS timer
    FROM v GROUP BY distrikt_id
),
hendelser AS (
    SELECT distrikt_id, s AS t, 1 AS n FROM v WHERE type = ANY(%(vakthavende)s::text[])
    UNION ALL
    SELECT distrikt_id, e AS t, -1 AS n FROM v WHERE type = ANY(%(vakthavende)s::text[])
),
steg AS (SELECT distrikt_id, t, sum(n) AS n FROM hendelser GROUP BY distrikt_id, t),
lop AS (
    SELECT distrikt_id, t, sum(n) OVER (PARTITION BY distrikt_id ORDER BY t) AS antall,
           lead(t) OVER (PARTITION BY distrikt_id ORDER BY t) AS neste
    FROM steg
),
sveip AS (
    SELECT distrikt_id,
           coalesce(sum(extract(epoch FROM neste - t)) FILTER (WHERE antall >= 1), 0) / 3600.0 AS vakthavende,
           coalesce(sum(extract(epoch FROM neste - t)) FILTER (WHERE antall = 1), 0) / 3600.0 AS en_lege
    FROM lop GROUP BY distrikt_id
)
SELECT d.id, d.navn, coalesce(tall.leger, 0), coalesce(tall.vakter, 0), coalesce(tall.timer, 0),
       coalesce(sveip.vakthavende, 0), coalesce(sveip.en_lege, 0)
FROM d LEFT JOIN tall ON tall.distrikt_id = d.id LEFT JOIN sveip ON sveip.distrikt_id = d.id
ORDER BY d.navn, d.id
"""


def distriktsfigurer(*, fra: dt.date, til: dt.date, distrikt_ids=None) -> list[Distriktsbelastning]:
    """Per district (visible, or those asked for): doctors in the rota, hours on duty and the share with
    a single doctor on duty, and the members' uncovered hours in the district's bands with the
    intervals. Two statements (the figures, and the uncovered intervals)."""
    synlig, synlig_params = _synlige_distrikter()
    sql = _DISTRIKT_SQL.format(tz=TZ, distrikt=_table(Legevaktdistrikt), vakt=_table(Vakt), synlig=synlig)
    rows = _fetch(sql, {"fra": fra, "til": til, "distrikt_ids": _ids(distrikt_ids),
                        "vakthavende": list(VAKTHAVENDE_TYPER), **synlig_params})
    if not rows:
        return []
    hull: dict[int, list[Udekket]] = {}
    for item in _udekket(fra=fra, til=til, distrikt_ids=[row[0] for row in rows], med_ingen_distrikt=False):
        hull.setdefault(item.distrikt_id, []).append(item)
    result = []
    for distrikt_id, navn, leger, vakter, timer, vakthavende, en_lege in rows:
        intervaller = tuple(hull.get(distrikt_id, ()))
        result.append(Distriktsbelastning(
            distrikt_id=distrikt_id, navn=navn, fra=fra, til=til, dager=(til - fra).days, leger_i_vaktordning=int(leger),
            vakter=int(vakter), timer=_r(timer), vakthavende_timer=_r(vakthavende), en_lege_timer=_r(en_lege),
            andel_en_lege=round(float(en_lege) / float(vakthavende), 4) if vakthavende else None,
            udekket_timer=_r(sum(u.timer for u in intervaller)), udekket=intervaller,
        ))
    return result


# --- per day (the month heatmap) -------------------------------------------------------------------------

_DAG_SQL = """
WITH dag AS (
    SELECT d::date AS dato, d::date::timestamp AT TIME ZONE '{tz}' AS start,
           (d::date + 1)::timestamp AT TIME ZONE '{tz}' AS slutt
    FROM generate_series(%(fra)s::date::timestamp, (%(til)s::date - 1)::timestamp, interval '1 day') AS d
)
SELECT dag.dato, count(DISTINCT v.lege_id)
FROM dag LEFT JOIN {vakt} v
  ON v.distrikt_id = %(distrikt_id)s AND v.status = 'aktiv' AND v.type = ANY(%(vakthavende)s::text[])
 AND v.start < dag.slutt AND v.slutt > dag.start AND v.distrikt_id {synlig}
GROUP BY dag.dato ORDER BY dag.dato
"""


def _per_dag(intervaller: list[Udekket], fra: dt.date, til: dt.date) -> dict[dt.date, float]:
    hours: dict[dt.date, float] = {}
    for item in intervaller:
        day = max(fra, tid.lokal(item.start).date())
        while day < til and tid.dagstart(day) < item.slutt:
            start = max(item.start, tid.dagstart(day))
            end = min(item.slutt, tid.dagstart(day + dt.timedelta(days=1)))
            if end > start:
                hours[day] = hours.get(day, 0.0) + tid.elapsed_hours(start, end)
            day += dt.timedelta(days=1)
    return hours


def dagsoversikt(*, fra: dt.date, til: dt.date, distrikt_id: int,
                 udekket_i_distriktet: list[Udekket] | tuple[Udekket, ...] | None = None) -> list[Dagstatus]:
    """Each local day in [fra, til): distinct doctors on duty (tilstedevakt/hjemmevakt touching the day)
    in the district, and the hours without a doctor on duty in its members' bands (pass the district's
    intervals from distriktsfigurer to save the second statement)."""
    if fra >= til:
        return []
    synlig, synlig_params = _synlige_distrikter()
    rows = _fetch(_DAG_SQL.format(tz=TZ, vakt=_table(Vakt), synlig=synlig),
                  {"fra": fra, "til": til, "distrikt_id": distrikt_id, "vakthavende": list(VAKTHAVENDE_TYPER),
                   **synlig_params})
    if udekket_i_distriktet is None:
        udekket_i_distriktet = _udekket(fra=fra, til=til, distrikt_ids=[distrikt_id], med_ingen_distrikt=False)
    per_dag = _per_dag(list(udekket_i_distriktet), fra, til)
    return [Dagstatus(dato=dato, leger_pa_vakt=int(antall), udekket_timer=round(per_dag.get(dato, 0.0), 2))
            for dato, antall in rows]


def hyppighet_tekst(hyppighet: float | None) -> str:
    """«1:N» with N rounded down to one decimal (so 3.99 does not show as 4), or «–»."""
    if hyppighet is None:
        return "–"
    value = math.floor(hyppighet * 10) / 10
    text = f"{value:.1f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"1:{text}"
