"""Payroll file benchmark (make bench): one kommune at national scale for a month — 20 000 legevakt shifts of 200
doctors in October 2026, 300 vikariater and 200 ALIS-avtaler, priced with a wage-type mapping of 48 rules whose rates
change on the 15th — read as the month's payroll file through the API (GET /api/v1/lonn/lonnsfiler/2026-10/),
side by side in one run with the floor: one SQL query reading the same items' payroll data (the filter of
lonn.perioder._FIL_SQL), decoded by psycopg, and Python summing each doctor's hours (the least a client computing the
file itself would do: no splitting by date, day category or night, no pricing). Ratio = file time / floor time.
Then the month is closed (lukk_periode: the file computed once more and the lines frozen) and the closed month's
file, read from the frozen lines, is timed.

The items are bulk-inserted straight into lonn_lonnobjekt: every copy carries a real item's payroll data (taken from a
shift, a vikariat and an ALIS-avtale the triggers published), with its own doctor (real Lege rows with employee
numbers, so the file's names and the closing's checks are real), times, quantities and, for shifts, the hours
recomputed by lonn_timer. The shifts start at every hour of the month, 8–24 h long, some across the change from
summer time (25 October) and some into November.

When the ratio exceeds MAX_RATIO (or with LONNSFIL_PROFIL=1 in the environment) the run prints where the database spends the time: EXPLAIN ANALYZE of _FIL_SQL, the
calls and time of each function that is not inlined (track_functions), and the query taken apart step by step.
"""

import datetime as dt
import json
import os
import statistics
import time
from decimal import Decimal

import pytest
from django.db import connection
from psycopg.types.json import JsonbLoader
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

ROUNDS = 3
VAKTER = 20_000
VIKARIATER = 300
ALIS = 200
LEGER = 200
MANED = dt.date(2026, 10, 1)
RATE_CHANGE = dt.date(2026, 10, 15)
URL = "/api/v1/lonn/lonnsfiler/2026-10/"
MAX_RATIO = 5.0

# The item filter of _FIL_SQL and _ATTESTER_SQL (lonn/perioder.py)
FILTER = """
 o.kommune_id = %(k)s AND o.aktiv AND o.objekt_type IN ('vakt', 'vikariat', 'alisavtale')
   AND (o.gjelder_fra IS NULL OR o.gjelder_fra < %(m)s::date + interval '1 month 1 day')
   AND (o.gjelder_til IS NULL OR o.gjelder_til > %(m)s::date - interval '1 day')
"""

FLOOR_SQL = "SELECT o.objekt_type, o.data FROM lonn_lonnobjekt o WHERE" + FILTER
COUNT_SQL = "SELECT count(*) FROM lonn_lonnobjekt o WHERE" + FILTER

LEGER_CTE = """
WITH leger AS (
  SELECT (row_number() OVER (ORDER BY l.id) - 1)::int AS n, lonn_lege(l.id, %(k)s) AS lege
    FROM kommune_lege l WHERE l.id = ANY(%(leger)s)
)
"""

VAKT_SQL = LEGER_CTE + """
INSERT INTO lonn_lonnobjekt (objekt_id, objekt_type, kommune_id, versjon, aktiv, data, maks_xid, gjelder_fra,
                             gjelder_til, endret)
SELECT 'vakt:' || (1000000 + g), 'vakt', %(k)s, 1, true,
       %(mal)s::jsonb || jsonb_build_object(
         'id', 1000000 + g, 'lege', l.lege,
         'type', (ARRAY['tilstedevakt', 'tilstedevakt', 'hjemmevakt', 'bakvakt'])[1 + (g / 7) %% 4],
         'vaktklasse', 1 + (g / 3) %% 4, 'start', lonn_iso(t.s), 'slutt', lonn_iso(t.e),
         'dagkategori', lonn_dagkategori((t.s AT TIME ZONE 'Europe/Oslo')::date),
         'hviletid', CASE WHEN lonn_natt_sekunder(t.s, t.e) > 0 THEN %(mal)s::jsonb -> 'hviletid' ELSE 'null' END,
         'tillegg', jsonb_build_object(
           'legevaktsentral_timer', CASE WHEN g %% 4 = 0 THEN %(mal)s::jsonb #> '{tillegg,legevaktsentral_timer}'
                                         ELSE 'null' END,
           'reiser', CASE WHEN g %% 3 = 0 THEN %(mal)s::jsonb #> '{tillegg,reiser}' ELSE '[]' END,
           'hjemmel', %(mal)s::jsonb #> '{tillegg,hjemmel}')
       ) || lonn_timer(t.s, t.e),
       0, t.s, t.e, now()
  FROM generate_series(1, %(n)s) g
  JOIN leger l ON l.n = g %% %(antall_leger)s
  CROSS JOIN LATERAL (
    SELECT s, s + (ARRAY[8, 10, 14, 16, 24])[1 + g %% 5] * interval '1 hour' AS e
      FROM (SELECT ('2026-10-01'::timestamp + ((g * 7919) %% 744) * interval '1 hour') AT TIME ZONE 'Europe/Oslo' AS s) x
  ) t
"""

VIKARIAT_SQL = LEGER_CTE + """
INSERT INTO lonn_lonnobjekt (objekt_id, objekt_type, kommune_id, versjon, aktiv, data, maks_xid, gjelder_fra,
                             gjelder_til, endret)
SELECT 'vikariat:' || (2000000 + g), 'vikariat', %(k)s, 1, true,
       %(mal)s::jsonb || jsonb_build_object(
         'id', 2000000 + g, 'lege', l.lege, 'fra', p.fra, 'til', p.til, 'maneder_til', p.til,
         'stillingsprosent', p.pct, 'arbeidsdager', '[1, 2, 3, 4, 5]'::jsonb, 'oppdragsgiver', 'kommunen', 'lonn', true,
         'maneder', (SELECT jsonb_agg(jsonb_build_object('maned', to_char(m.maned, 'YYYY-MM'), 'dager', m.dager,
                                                         'dagsverk', round(m.dager * p.pct / 100.0, 2)::text)
                                      ORDER BY m.maned)
                       FROM (SELECT date_trunc('month', d)::date AS maned,
                                    count(*) FILTER (WHERE NOT lonn_helligdag(d::date) AND extract(isodow FROM d) <= 5)
                                      AS dager
                               FROM generate_series(p.fra::timestamp, (p.til - 1)::timestamp, interval '1 day') d
                              GROUP BY 1) m)),
       0, p.fra::timestamp AT TIME ZONE 'Europe/Oslo', p.til::timestamp AT TIME ZONE 'Europe/Oslo', now()
  FROM generate_series(1, %(n)s) g
  JOIN leger l ON l.n = (g * 7) %% %(antall_leger)s
  CROSS JOIN LATERAL (SELECT date '2026-09-20' + (g * 11) %% 40 AS fra, date '2026-09-20' + (g * 11) %% 40 + 7 + (g * 13) %% 30 AS til,
                             (ARRAY[20, 40, 50, 80, 100])[1 + g %% 5] AS pct) p
"""

ALIS_SQL = LEGER_CTE + """
INSERT INTO lonn_lonnobjekt (objekt_id, objekt_type, kommune_id, versjon, aktiv, data, maks_xid, gjelder_fra,
                             gjelder_til, endret)
SELECT 'alisavtale:' || (3000000 + g), 'alisavtale', %(k)s, 1, true,
       %(mal)s::jsonb || jsonb_build_object(
         'id', 3000000 + g, 'lege', l.lege, 'veileder', v.lege,
         'veiledning', jsonb_build_array(
           jsonb_build_object('maned', '2026-09', 'individuelle_timer', '4', 'gruppetimer', '2', 'timer', '6'),
           jsonb_build_object('maned', '2026-10', 'individuelle_timer', (2 + g %% 4)::text, 'gruppetimer', '2.5',
                              'timer', (4.5 + g %% 4)::text))),
       0, %(fra)s, %(til)s, now()
  FROM generate_series(1, %(n)s) g
  JOIN leger l ON l.n = (g * 3) %% %(antall_leger)s
  JOIN leger v ON v.n = (g * 3 + 1) %% %(antall_leger)s
"""


def _maler(k) -> dict[str, tuple[dict, object, object]]:
    """Real payroll data, as the triggers published it, of a shift (a weekday night with rest compensation against
    the doctor's office hours, two journeys and legevaktsentral hours), a vikariat the kommune pays and an ALIS-avtale
    with supervision hours — all in September, outside the month measured. Type → (data, gjelder_fra, gjelder_til)."""
    from avtaler.models import AlisVeiledning
    from legevakt.models import Vakt, Vakttillegg
    from lister import services as lister_services
    from lonn.models import Lonnobjekt
    from tests import alis_helpers, register
    from tests.conftest import in_kommune
    from tests.legevakt import helpers
    from tests.legevakt.helpers import oslo

    d = helpers.distrikt(k, navn="Bench lønnsfil")
    lege = helpers.kvalifisert(k, etternavn="Benchsen")
    with in_kommune(k):
        vakt = Vakt.objects.create(kommune=k, distrikt=d, lege=lege, type="tilstedevakt", vaktklasse=3,
                                   start=oslo(2026, 9, 15, 16), slutt=oslo(2026, 9, 16, 8), dagkategori="hverdag")
        for minutter, merknad in ((55, "Til Ytre Arna og tilbake"), (95, "Sykebesøk Fana")):
            Vakttillegg.objects.create(kommune=k, vakt=vakt, art="reise", minutter_hver_vei=minutter, merknad=merknad)
        Vakttillegg.objects.create(kommune=k, vakt=vakt, art="legevaktsentral", timer=Decimal("2.5"))
        vikar = register.lege(k, etternavn="Vikarsen")
        vikariat = lister_services.add_legeperiode(liste=register.liste(k), lege=vikar, rolle="LPVI",
                                                   fra=dt.date(2026, 9, 7), til=dt.date(2026, 9, 12),
                                                   stillingsprosent=100, arbeidsdager=[1, 2, 3, 4, 5])
        alis = alis_helpers.alisavtale(k, veileder=alis_helpers.veileder(k))
        AlisVeiledning.objects.create(kommune=k, avtale=alis, maned=dt.date(2026, 9, 1), individuelle_timer=Decimal("4"),
                                      gruppetimer=Decimal("2"))
        maler = {}
        for typ, pk in (("vakt", vakt.pk), ("vikariat", vikariat.pk), ("alisavtale", alis.pk)):
            o = Lonnobjekt.objects.get(objekt_id=f"{typ}:{pk}")
            assert o.aktiv, o.objekt_id
            maler[typ] = (o.data, o.gjelder_fra, o.gjelder_til)
    assert maler["vakt"][0]["hviletid"] and maler["vakt"][0]["tillegg"]["reiser"], maler["vakt"][0]
    assert maler["vikariat"][0]["lonn"], maler["vikariat"][0]
    return maler


def _leger(k) -> list[int]:
    """LEGER doctors registered in the kommune, each with an employee number."""
    from kommune.models import Lege, LegeKommune
    from tests.conftest import in_kommune

    with in_kommune(k):
        leger = Lege.objects.bulk_create([
            Lege(hpr_nummer=f"{9100000 + i}", fornavn=f"Lege{i:03d}", etternavn=f"Benchlege{i:03d}",
                 fodselsdato=dt.date(1960 + i % 30, 1 + i % 12, 1 + i % 28))
            for i in range(LEGER)])
        LegeKommune.objects.bulk_create([LegeKommune(kommune=k, lege=lege, ansattnummer=f"B{100000 + i}")
                                         for i, lege in enumerate(leger)])
    return [lege.pk for lege in leger]


def _lonnsarter(k) -> int:
    """A wage-type mapping covering every line: shift hours by type (three types), day category and day/night, a
    fallback for the other shift types, and one rule for each other category — each rule twice, the rate 4 % up from
    the 15th."""
    from lonn.models import Lonnsartregel
    from tests.conftest import in_kommune

    grunnlag: list[tuple[str, str, str, str, Decimal]] = [("", "", "", "vakt", Decimal("450"))]  # fallback
    for i, vakttype in enumerate(("tilstedevakt", "hjemmevakt", "bakvakt")):
        for j, dagkategori in enumerate(("hverdag", "helg", "helligdag")):
            for tid in ("dag", "natt"):
                sats = Decimal(600 - 150 * i) * (1 + Decimal("0.5") * j) * (Decimal("1.3") if tid == "natt" else 1)
                grunnlag.append((vakttype, dagkategori, tid, "vakt", sats.quantize(Decimal("0.0001"))))
    andre = {"hviletid": Decimal("348.375"), "reise": Decimal("180"), "legevaktsentral": Decimal("54"),
             "vikar": Decimal("2500"), "alis_veiledning": Decimal("600")}
    regler = []
    for nr, (vakttype, dagkategori, tid, kategori, sats) in enumerate(
            grunnlag + [("", "", "", kategori, sats) for kategori, sats in andre.items()]):
        for fra, til, faktor in ((dt.date(2026, 1, 1), RATE_CHANGE - dt.timedelta(days=1), 1),
                                 (RATE_CHANGE, None, Decimal("1.04"))):
            regler.append(Lonnsartregel(
                kommune=k, kategori=kategori, vakttype=vakttype, dagkategori=dagkategori, tid=tid, gyldig_fra=fra,
                gyldig_til=til, lonnsart=f"L{100 + nr}", sats=(sats * faktor).quantize(Decimal("0.0001")),
                kostnadssted=f"KS-{kategori[:4].upper()}", kilde="Bench"))
    with in_kommune(k):
        Lonnsartregel.objects.bulk_create(regler)
    return len(regler)


def _seed(k) -> tuple[int, float]:
    maler = _maler(k)
    leger = _leger(k)
    regler = _lonnsarter(k)
    start = time.perf_counter()
    with connection.cursor() as cursor:
        felles = {"k": k.pk, "leger": leger, "antall_leger": LEGER}
        cursor.execute(VAKT_SQL, {**felles, "n": VAKTER, "mal": json.dumps(maler["vakt"][0])})
        cursor.execute(VIKARIAT_SQL, {**felles, "n": VIKARIATER, "mal": json.dumps(maler["vikariat"][0])})
        _data, fra, til = maler["alisavtale"]
        cursor.execute(ALIS_SQL, {**felles, "n": ALIS, "mal": json.dumps(maler["alisavtale"][0]), "fra": fra, "til": til})
        cursor.execute("ANALYZE lonn_lonnobjekt")
        cursor.execute("ANALYZE lonn_lonnsartregel")
        cursor.execute("ANALYZE kommune_lege")
    return regler, time.perf_counter() - start


def _file(client) -> tuple[float, str]:
    start = time.perf_counter()
    response = client.get(URL)
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, response.content[:500]
    return elapsed, response.content.decode()


def _floor(k) -> tuple[float, float, int, dict]:
    """One query for the month's items' data (psycopg decoding the jsonb), then each doctor's hours summed in Python:
    a shift's total hours, a vikariat's dagsverk of the month, an ALIS-avtale's supervision hours of the month (paid to
    the veileder). Seconds in all, seconds of them in the query and fetch (jsonb decoded), items read, hours per
    doctor."""
    maned = f"{MANED:%Y-%m}"
    start = time.perf_counter()
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        cursor.adapters.register_loader("jsonb", JsonbLoader)  # Django loads jsonb as text
        cursor.execute(FLOOR_SQL, {"k": k.pk, "m": MANED})
        rows = cursor.fetchall()
    fetched = time.perf_counter() - start
    timer: dict[int, Decimal] = {}
    for objekt_type, data in rows:
        if objekt_type == "vakt":
            lege, antall = data["lege"]["id"], Decimal(data["timer"]["totalt"])
        elif objekt_type == "vikariat":
            lege = data["lege"]["id"]
            antall = sum((Decimal(m["dagsverk"]) for m in data["maneder"] if m["maned"] == maned), Decimal(0))
        else:
            lege = (data.get("veileder") or {}).get("id")
            antall = sum((Decimal(v["timer"]) for v in data["veiledning"] if v["maned"] == maned), Decimal(0))
        timer[lege] = timer.get(lege, Decimal(0)) + antall
    return time.perf_counter() - start, fetched, len(rows), timer


def _timed(sql: str, params: dict, *, jit: bool = True) -> tuple[float, object]:
    with connection.cursor() as cursor:
        if not jit:
            cursor.execute("SET jit = off")
        try:
            start = time.perf_counter()
            cursor.execute(sql, params)
            rows = cursor.fetchall()
            return time.perf_counter() - start, rows[0] if len(rows) == 1 else rows
        finally:
            if not jit:
                cursor.execute("RESET jit")


# A sketch of the suggestion printed with the profile: the same open-month lines, but each wage-type rule looked up
# once per distinct (category, dimensions, date) instead of once per item's line; lines outside the month dropped
# before pricing. Per-item rounding as lonn_prisede_linjer does it. Compared with _FIL_SQL's result in the profile.
PRIS_EN_GANG_SQL = """
WITH o AS (
  SELECT o.kommune_id, o.objekt_id, o.objekt_type, o.data FROM lonn_lonnobjekt o WHERE""" + FILTER + """
), l AS (
  SELECT o.objekt_id, l.* FROM o, LATERAL lonn_linjer(o.objekt_type, o.data) l
   WHERE l.dato >= %(m)s::date AND l.dato < %(m)s::date + interval '1 month'
), nokler AS (
  SELECT DISTINCT kategori, vakttype, coalesce(vaktklasse, 0) AS klasse, vaktklasse, dagkategori, tid, dato FROM l
), pris AS (
  SELECT n.*, r.id AS regel_id, coalesce(r.lonnsart, '') AS lonnsart, r.sats, coalesce(r.kostnadssted, '') AS kostnadssted
    FROM nokler n
    LEFT JOIN LATERAL lonn_regel(%(k)s, n.kategori, n.vakttype, n.vaktklasse, n.dagkategori, n.tid, n.dato) r ON true
), p AS (
  SELECT %(m)s::date AS periode, l.lege_id, l.ansattnummer, l.kategori, l.vakttype, l.vaktklasse, l.dagkategori, l.tid,
         pr.lonnsart, pr.sats, pr.kostnadssted, round(sum(l.mengde), 2) AS mengde
    FROM l JOIN pris pr ON pr.kategori = l.kategori AND pr.vakttype = l.vakttype AND pr.klasse = coalesce(l.vaktklasse, 0)
                       AND pr.dagkategori = l.dagkategori AND pr.tid = l.tid AND pr.dato = l.dato
   GROUP BY l.objekt_id, l.lege_id, l.ansattnummer, l.kategori, l.vakttype, l.vaktklasse, l.dagkategori, l.tid,
            pr.regel_id, pr.lonnsart, pr.sats, pr.kostnadssted
  HAVING round(sum(l.mengde), 2) <> 0
)
SELECT x.ansattnummer, x.lege_id, coalesce(lg.fornavn || ' ' || lg.etternavn, ''), x.kategori, x.vakttype, x.vaktklasse,
       x.dagkategori, x.tid, x.lonnsart, x.sats, x.kostnadssted, x.periode, sum(x.mengde),
       round(sum(x.mengde) * x.sats, 2)
  FROM p x LEFT JOIN kommune_lege lg ON lg.id = x.lege_id
 GROUP BY x.ansattnummer, x.lege_id, lg.fornavn, lg.etternavn, x.kategori, x.vakttype, x.vaktklasse, x.dagkategori,
          x.tid, x.lonnsart, x.sats, x.kostnadssted, x.periode
HAVING sum(x.mengde) <> 0
"""


def _profile(k) -> None:
    """Where the database spends the file's time."""
    from lonn.perioder import _FIL_SQL

    params = {"k": k.pk, "m": MANED, "apen": True}
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + _FIL_SQL, params)
        print("lonnsfil: EXPLAIN ANALYZE of _FIL_SQL (open month):")
        print("\n".join(f"lonnsfil:   {row[0]}" for row in cursor.fetchall()))
        # functions not inlined: their calls and time (this transaction's counters)
        cursor.execute("SET LOCAL track_functions = 'all'")
        cursor.execute("SELECT funcname, calls, total_time, self_time FROM pg_stat_xact_user_functions")
        before = {r[0]: r[1:] for r in cursor.fetchall()}
        cursor.execute(_FIL_SQL, params)
        cursor.fetchall()
        cursor.execute("SELECT funcname, calls, total_time, self_time FROM pg_stat_xact_user_functions")
        after = {r[0]: r[1:] for r in cursor.fetchall()}
        cursor.execute("SET LOCAL track_functions = 'none'")
    print("lonnsfil: functions called by _FIL_SQL (not inlined): calls, total ms, self ms")
    for name, (calls, total, own) in sorted(after.items(), key=lambda x: -x[1][1]):
        b = before.get(name, (0, 0.0, 0.0))
        if calls - b[0]:
            print(f"lonnsfil:   {name}: {calls - b[0]} calls, {total - b[1]:.0f} ms, self {own - b[2]:.0f} ms")
    # the query taken apart, step by step
    items = "FROM lonn_lonnobjekt o WHERE" + FILTER
    steps = [
        ("items only", f"SELECT count(*) {items}"),
        ("timer per dag (shifts split by date, day category, night)",
         f"SELECT count(*) FROM (SELECT o.data {items}) o, "
         f"LATERAL lonn_timer_per_dag((o.data->>'start')::timestamptz, (o.data->>'slutt')::timestamptz) t"),
        ("lonn_linjer (unpriced lines)",
         f"SELECT count(*), sum(l.mengde) FROM (SELECT o.objekt_type, o.data {items}) o, "
         f"LATERAL lonn_linjer(o.objekt_type, o.data) l"),
        ("lonn_linjer + lonn_regel per line",
         f"SELECT count(*), count(r.id) FROM (SELECT o.kommune_id, o.objekt_type, o.data {items}) o, "
         f"LATERAL lonn_linjer(o.objekt_type, o.data) l "
         f"LEFT JOIN LATERAL lonn_regel(o.kommune_id, l.kategori, l.vakttype, l.vaktklasse, l.dagkategori, l.tid, l.dato) r"
         f" ON true"),
        ("lonn_prisede_linjer (priced, per item and month)",
         f"SELECT count(*) FROM (SELECT o.kommune_id, o.objekt_type, o.data {items}) o, "
         f"LATERAL lonn_prisede_linjer(o.kommune_id, o.objekt_type, o.data) p WHERE p.periode = %(m)s"),
        ("_FIL_SQL (priced, grouped per person, names, sorted)", f"SELECT count(*) FROM ({_FIL_SQL}) f"),
    ]
    for navn, sql in steps:
        elapsed, row = _timed(sql, params)
        uten_jit, _row = _timed(sql, params, jit=False)
        print(f"lonnsfil:   step {navn}: {elapsed * 1000:.0f} ms, without JIT {uten_jit * 1000:.0f} ms ({row})")
    # the suggestion, checked: the same lines as _FIL_SQL
    fil_s, fil_rows = _timed(_FIL_SQL, params, jit=False)
    forslag_s, forslag_rows = _timed(PRIS_EN_GANG_SQL, params, jit=False)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM (SELECT DISTINCT kategori, vakttype, vaktklasse, dagkategori, tid, dato "
                       f"FROM (SELECT o.objekt_type, o.data {items}) o, LATERAL lonn_linjer(o.objekt_type, o.data)) n",
                       params)
        (nokler,) = cursor.fetchone()
    same = sorted(map(tuple, fil_rows)) == sorted(map(tuple, forslag_rows))
    print(f"lonnsfil:   suggestion (each rule looked up once per distinct category/dimensions/date — {nokler} keys — "
          f"not per line; no JIT): {forslag_s * 1000:.0f} ms vs _FIL_SQL without JIT {fil_s * 1000:.0f} ms; "
          f"same {len(fil_rows)} lines: {same}")


class _Statements:
    """Each SQL statement's time (connection.execute_wrapper)."""

    def __init__(self):
        self.times: list[tuple[float, str]] = []

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.times.append((time.perf_counter() - start, " ".join(sql.split())[:90]))


@pytest.mark.django_db
def test_payroll_file_of_a_national_scale_month(bergen, overlege, monkeypatch):
    from lonn import perioder
    from tests.conftest import in_kommune, token_client
    from tests.legevakt.helpers import oslo

    rates = {"user": "1000000/min", "anon": "1000000/min"}
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", rates)
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", rates)

    regler, seeded = _seed(bergen)
    _elapsed, (items,) = _timed(COUNT_SQL, {"k": bergen.pk, "m": MANED})
    with connection.cursor() as cursor:
        cursor.execute("SELECT objekt_type, count(*), avg(length(data::text))::int FROM lonn_lonnobjekt o WHERE"
                       + FILTER + " GROUP BY 1 ORDER BY 1", {"k": bergen.pk, "m": MANED})
        per_type = ", ".join(f"{n} {t} (~{b} B)" for t, n, b in cursor.fetchall())
    client = token_client(["lonn:les"], bergen)

    fil, floor, floor_fetch, ratios, lines = [], [], [], [], None
    for _ in range(ROUNDS):  # interleaved, so machine noise hits both alike
        elapsed, body = _file(client)
        fil.append(elapsed)
        rows = body.rstrip("\r\n").split("\r\n")
        assert rows[0] == "ansattnummer;lonnsart;antall;sats;belop;periode;kostnadssted"
        assert lines in (None, len(rows) - 1)
        lines = len(rows) - 1
        floor_s, fetched, read, timer = _floor(bergen)
        floor_fetch.append(fetched / floor_s)
        assert read == items, (read, items)
        floor.append(floor_s)
        ratios.append(elapsed / floor_s)
    ansatte = {row.split(";")[0] for row in rows[1:]}
    assert len(ansatte) == LEGER, len(ansatte)  # every doctor, each with an employee number
    assert all(row.split(";")[1] for row in rows[1:]), "a line without a wage type"
    assert len(timer) >= LEGER
    ratio = statistics.median(ratios)
    fil_s, floor_s = statistics.median(fil), statistics.median(floor)

    print(f"\nlonnsfil: {items} items in {MANED:%Y-%m} ({per_type}), {LEGER} doctors, {regler} wage-type rules "
          f"(rates change on the 15th); seeded in {seeded:.1f} s; the file has {lines} lines; {ROUNDS} rounds")
    print(f"lonnsfil: file {items / fil_s:.0f} items/s ({fil_s * 1000:.0f} ms), floor {items / floor_s:.0f} items/s "
          f"({floor_s * 1000:.0f} ms), ratio {ratio:.1f} (rounds: {', '.join(f'{r:.1f}' for r in ratios)}); "
          f"the floor spends {statistics.median(floor_fetch):.0%} in the query and fetch (jsonb decoded), the rest "
          f"summing in Python")
    if ratio > MAX_RATIO or os.environ.get("LONNSFIL_PROFIL"):
        _profile(bergen)

    statements = _Statements()
    with in_kommune(bergen), connection.execute_wrapper(statements):
        start = time.perf_counter()
        periode = perioder.lukk_periode(kommune=bergen, maned=MANED, av=overlege, now=oslo(2026, 11, 5, 12))
        lukk_s = time.perf_counter() - start
    assert periode.antall_linjer == lines
    closed = []
    for _ in range(ROUNDS):
        elapsed, closed_body = _file(client)
        closed.append(elapsed)
    assert closed_body == body, "the closed month's file differs from the open month's"
    closed_s = statistics.median(closed)
    print(f"lonnsfil: lukk_periode (attest {lines} lines, sum {periode.sum_belop}) {lukk_s * 1000:.0f} ms "
          f"({items / lukk_s:.0f} items/s); the closed month's file {closed_s * 1000:.0f} ms "
          f"({items / closed_s:.0f} items/s, ratio to the floor {closed_s / floor_s:.2f})")
    top = sorted(statements.times, reverse=True)[:3]
    print(f"lonnsfil: lukk_periode's {len(statements.times)} statements, the slowest: "
          + "; ".join(f"{t * 1000:.0f} ms «{sql}»" for t, sql in top))
    from lonn.perioder import _FIL_SQL

    closed_params = {"k": bergen.pk, "m": MANED, "apen": False}
    query_s, _rows = _timed(_FIL_SQL, closed_params)
    query_nojit_s, _rows = _timed(_FIL_SQL, closed_params, jit=False)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM lonn_lonnslinje WHERE kommune_id = %s AND posteres_i = %s",
                       [bergen.pk, MANED])
        (frozen,) = cursor.fetchone()
    print(f"lonnsfil: the closed month's file: {frozen} frozen lines; its query {query_s * 1000:.0f} ms "
          f"(without JIT {query_nojit_s * 1000:.0f} ms), the rest (Python: lines, CSV, response) "
          f"{(closed_s - query_s) * 1000:.0f} ms")
