"""The payroll feed's database side: the functions that compute an item's payable detail and the
triggers that publish every change of a payable item, in the writing transaction.

Why triggers: a change made anywhere — a service, a bulk update, the admin, a migration, raw SQL —
is published, and published only if it commits (an outbox row in the same transaction; rolled-back
work never appears). Each change of a payable item runs `lonn_emit`, which

1. computes the item's payroll data (`data`, JSON) from the tables as the change left them;
2. compares it with the item's current state in `lonn_lonnobjekt`, under that row's lock: an
   unchanged item publishes nothing; otherwise its payroll version goes up by one;
3. appends an event to `lonn_hendelse` with `pg_current_xact_id()` — the writing transaction's id.

The feed serves events in (transaction id, row id) order, and only from transactions older than
the oldest transaction still running (`pg_snapshot_xmin(pg_current_snapshot())`): those are all
finished, so no event can later appear behind a marker already handed out (docs/lonn.md).

The rule parameters (night hours, rest hours, travel) are read from kommune.regler when the SQL is
generated; `install()` is called by migrations, and a test fails when the installed SQL differs
from what this module generates (a changed rule then needs a migration that calls `install()`).
"""

from __future__ import annotations

import hashlib

from kommune import regler

TZ = "Europe/Oslo"


def _natt() -> tuple[str, str]:
    start, end = regler.verdi("lonn_natt")
    return start, end


def functions_sql() -> str:
    natt_start, natt_slutt = _natt()
    hvile = int(regler.verdi("legevakt_hvile_timer"))
    reise_fri = int(regler.verdi("lonn_reise_fri_minutter"))
    reise_enhet = int(regler.verdi("lonn_reise_enhet_minutter"))
    return f"""
-- ISO 8601 in Oslo time with its offset: 2026-11-23T08:15:00+01:00
CREATE OR REPLACE FUNCTION lonn_iso(ts timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
  SELECT CASE WHEN ts IS NULL THEN NULL ELSE
    to_char(ts AT TIME ZONE '{TZ}', 'YYYY-MM-DD"T"HH24:MI:SS')
    || CASE WHEN (ts AT TIME ZONE '{TZ}') >= (ts AT TIME ZONE 'UTC') THEN '+' ELSE '-' END
    || to_char(abs(extract(epoch FROM (ts AT TIME ZONE '{TZ}') - (ts AT TIME ZONE 'UTC')))::int / 3600, 'FM00')
    || ':'
    || to_char((abs(extract(epoch FROM (ts AT TIME ZONE '{TZ}') - (ts AT TIME ZONE 'UTC')))::int % 3600) / 60, 'FM00')
  END
$fn$;

-- Easter Sunday (Gregorian computus; kommune.helligdager.paskedag)
CREATE OR REPLACE FUNCTION lonn_paskedag(y int) RETURNS date
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
DECLARE a int; b int; c int; d int; e int; f int; g int; h int; i int; k int; l int; m int; mon int; dag int;
BEGIN
  a := y % 19; b := y / 100; c := y % 100; d := b / 4; e := b % 4; f := (b + 8) / 25; g := (b - f + 1) / 3;
  h := (19 * a + b - d - g + 15) % 30; i := c / 4; k := c % 4; l := (32 + 2 * e + 2 * i - h - k) % 7;
  m := (a + 11 * h + 22 * l) / 451; mon := (h + l - 7 * m + 114) / 31; dag := (h + l - 7 * m + 114) % 31;
  RETURN make_date(y, mon, dag + 1);
END $fn$;

-- Public holidays and høytidsdager (helligdagsloven § 2; 1. and 17. mai), not ordinary Sundays
CREATE OR REPLACE FUNCTION lonn_helligdag(d date) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
DECLARE p date := lonn_paskedag(extract(year FROM d)::int);
BEGIN
  RETURN (extract(month FROM d), extract(day FROM d)) IN ((1, 1), (5, 1), (5, 17), (12, 25), (12, 26))
      OR d - p IN (-3, -2, 0, 1, 39, 49, 50);
END $fn$;

-- hverdag / helg / helligdag of a local date (kommune.helligdager.dagkategori)
CREATE OR REPLACE FUNCTION lonn_dagkategori(d date) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT CASE WHEN lonn_helligdag(d) THEN 'helligdag' WHEN extract(isodow FROM d) >= 6 THEN 'helg' ELSE 'hverdag' END
$fn$;

-- A shift's real (elapsed) time split by the local day's category and by day/night
-- (night {natt_start}–{natt_slutt}, arbeidsmiljøloven § 10-11); correct across daylight-saving changes because
-- every boundary is a local wall-clock time converted to an instant.
CREATE OR REPLACE FUNCTION lonn_timer(p_start timestamptz, p_slutt timestamptz) RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
  WITH dager AS (
    SELECT g::date AS dato
      FROM generate_series((p_start AT TIME ZONE '{TZ}')::date::timestamp,
                           ((p_slutt - interval '1 microsecond') AT TIME ZONE '{TZ}')::date::timestamp,
                           interval '1 day') g
  ), vinduer AS (
    SELECT lonn_dagkategori(dato) AS kategori, w.natt,
           greatest(w.fra, p_start) AS s, least(w.til, p_slutt) AS e
      FROM dager, LATERAL (VALUES
        ((dato + time '00:00') AT TIME ZONE '{TZ}', (dato + time '{natt_slutt}') AT TIME ZONE '{TZ}', true),
        ((dato + time '{natt_slutt}') AT TIME ZONE '{TZ}', (dato + time '{natt_start}') AT TIME ZONE '{TZ}', false),
        ((dato + time '{natt_start}') AT TIME ZONE '{TZ}', ((dato + 1) + time '00:00') AT TIME ZONE '{TZ}', true)
      ) AS w(fra, til, natt)
  ), per_kategori AS (
    SELECT k.kategori,
           coalesce(sum(v.e - v.s) FILTER (WHERE NOT v.natt AND v.e > v.s), interval '0') AS dag,
           coalesce(sum(v.e - v.s) FILTER (WHERE v.natt AND v.e > v.s), interval '0') AS natt
      FROM (VALUES ('hverdag'), ('helg'), ('helligdag')) k(kategori)
      LEFT JOIN vinduer v ON v.kategori = k.kategori
     GROUP BY k.kategori
  )
  SELECT jsonb_build_object(
    'timer', jsonb_build_object('totalt', round(extract(epoch FROM p_slutt - p_start) / 3600.0, 2)::text)
             || (SELECT jsonb_object_agg(kategori, jsonb_build_object(
                   'dag', round(extract(epoch FROM dag) / 3600.0, 2)::text,
                   'natt', round(extract(epoch FROM natt) / 3600.0, 2)::text)) FROM per_kategori),
    'minutter', jsonb_build_object('totalt', round(extract(epoch FROM p_slutt - p_start) / 60.0)::bigint)
             || (SELECT jsonb_object_agg(kategori, jsonb_build_object(
                   'dag', round(extract(epoch FROM dag) / 60.0)::bigint,
                   'natt', round(extract(epoch FROM natt) / 60.0)::bigint)) FROM per_kategori)
  )
$fn$;

-- Seconds of night ({natt_start}–{natt_slutt}) in [p_start, p_slutt)
CREATE OR REPLACE FUNCTION lonn_natt_sekunder(p_start timestamptz, p_slutt timestamptz) RETURNS numeric
LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
  SELECT coalesce(sum(extract(epoch FROM least(w.til, p_slutt) - greatest(w.fra, p_start))), 0)
    FROM generate_series((p_start AT TIME ZONE '{TZ}')::date::timestamp - interval '1 day',
                         (p_slutt AT TIME ZONE '{TZ}')::date::timestamp, interval '1 day') g,
         LATERAL (SELECT (g::date + time '{natt_start}') AT TIME ZONE '{TZ}' AS fra,
                         ((g::date + 1) + time '{natt_slutt}') AT TIME ZONE '{TZ}' AS til) w
   WHERE w.til > p_start AND w.fra < p_slutt
$fn$;

-- SFS 2305 § 7.4: after a shift with night work, the doctor's {hvile} hours of rest; the practice time
-- (office hours of the doctor's list periods in any kommune: their weekdays, Monday–Friday when none
-- are given, not public holidays) falling inside it is the time off that gives rise to compensation.
CREATE OR REPLACE FUNCTION lonn_hviletid(p_lege bigint, p_start timestamptz, p_slutt timestamptz) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $fn$
DECLARE
  v_til timestamptz := p_slutt + interval '{hvile} hours';
  v_sek numeric;
BEGIN
  IF lonn_natt_sekunder(p_start, p_slutt) <= 0 THEN
    RETURN NULL;
  END IF;
  SELECT coalesce(sum(extract(epoch FROM upper(r) - lower(r))), 0) INTO v_sek
    FROM unnest((
      SELECT range_agg(tstzrange((d.dato + p.kontortid_start) AT TIME ZONE '{TZ}',
                                 (d.dato + p.kontortid_slutt) AT TIME ZONE '{TZ}', '[)'))
        FROM lister_legeperiode p,
             LATERAL (SELECT g::date AS dato FROM generate_series((p_slutt AT TIME ZONE '{TZ}')::date::timestamp,
                                                                 (v_til AT TIME ZONE '{TZ}')::date::timestamp,
                                                                 interval '1 day') g) d
       WHERE p.lege_id = p_lege AND p.fra <= d.dato AND (p.til IS NULL OR p.til > d.dato)
         AND NOT lonn_helligdag(d.dato)
         AND (CASE WHEN cardinality(p.arbeidsdager) = 0 THEN extract(isodow FROM d.dato) <= 5
                   ELSE (extract(dow FROM d.dato)::int) = ANY(p.arbeidsdager) END)
    ) * tstzmultirange(tstzrange(p_slutt, v_til, '[)'))) AS r;
  IF v_sek <= 0 THEN
    RETURN NULL;
  END IF;
  RETURN jsonb_build_object(
    'timer', round(v_sek / 3600.0, 2)::text, 'minutter', round(v_sek / 60.0)::bigint,
    'hvile_fra', lonn_iso(p_slutt), 'hvile_til', lonn_iso(v_til), 'hjemmel', 'SFS 2305 § 7.4');
END $fn$;

-- A doctor as payroll sees them: HPR number, name, the kommune's employee number when known
CREATE OR REPLACE FUNCTION lonn_lege(p_lege bigint, p_kommune bigint) RETURNS jsonb
LANGUAGE sql STABLE AS $fn$
  SELECT jsonb_build_object('id', l.id, 'hpr_nummer', l.hpr_nummer, 'navn', l.fornavn || ' ' || l.etternavn,
                            'ansattnummer', nullif(lk.ansattnummer, ''))
    FROM kommune_lege l
    LEFT JOIN kommune_legekommune lk ON lk.lege_id = l.id AND lk.kommune_id = p_kommune
   WHERE l.id = p_lege
$fn$;

-- Serialise the publishing of one item: taken before its data is computed, so two transactions changing
-- the same item (or what it shows: an employee number, a supervision month) compute one after the other,
-- the second seeing the first's committed change (READ COMMITTED: each statement a new snapshot).
CREATE OR REPLACE FUNCTION lonn_laas(p_type text, p_id bigint) RETURNS void
LANGUAGE sql AS $fn$
  SELECT pg_advisory_xact_lock(hashtext('lonn'), hashtext(p_type || ':' || p_id))
$fn$;

-- Publish one change: compare with the item's payroll state under its row lock, bump the version,
-- append the event. `p_aktiv` false = the item left the payroll state (deleted, cancelled).
CREATE OR REPLACE FUNCTION lonn_emit(p_type text, p_id bigint, p_kommune bigint, p_data jsonb, p_aktiv boolean,
                                     p_verb text, p_fra timestamptz, p_til timestamptz) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
  v_obj text := p_type || ':' || p_id;
  v_old record;
  v_versjon bigint;
  v_verb text;
  v_xid bigint := pg_current_xact_id()::text::bigint;
BEGIN
  -- shared with every other writer of the kommune; closing or re-opening a pay period takes it exclusively, so a
  -- change either is in the attested month or (the statements below see the closing) becomes a correction
  PERFORM lonn_periodelaas(p_kommune, false);
  SELECT versjon, aktiv, data INTO v_old FROM lonn_lonnobjekt WHERE kommune_id = p_kommune AND objekt_id = v_obj FOR UPDATE;
  IF NOT FOUND THEN
    v_versjon := 1;
    INSERT INTO lonn_lonnobjekt (objekt_id, objekt_type, kommune_id, versjon, aktiv, data, maks_xid, gjelder_fra,
                                 gjelder_til, endret)
    VALUES (v_obj, p_type, p_kommune, 1, p_aktiv, p_data, v_xid, p_fra, p_til, clock_timestamp());
    v_verb := CASE WHEN p_aktiv THEN 'opprettet' ELSE 'slettet' END;
  ELSE
    IF v_old.data = p_data AND v_old.aktiv = p_aktiv THEN
      RETURN;
    END IF;
    v_versjon := v_old.versjon + 1;
    UPDATE lonn_lonnobjekt SET versjon = v_versjon, aktiv = p_aktiv, data = p_data, kommune_id = p_kommune,
           maks_xid = greatest(maks_xid, v_xid), gjelder_fra = p_fra, gjelder_til = p_til, endret = clock_timestamp()
     WHERE kommune_id = p_kommune AND objekt_id = v_obj;
    v_verb := CASE WHEN NOT p_aktiv THEN 'slettet' WHEN NOT v_old.aktiv THEN 'opprettet'
                   ELSE coalesce(p_verb, 'endret') END;
  END IF;
  INSERT INTO lonn_hendelse (xid, kommune_id, objekt_id, objekt_type, type, versjon, tidspunkt, data)
  VALUES (v_xid, p_kommune, v_obj, p_type, p_type || '.' || v_verb, v_versjon, clock_timestamp(), p_data);
  IF p_type IN ('vakt', 'vikariat', 'alisavtale')
     AND EXISTS (SELECT 1 FROM lonn_lonnsperiode WHERE kommune_id = p_kommune AND status = 'lukket') THEN
    PERFORM lonn_korriger(p_kommune, p_type, v_obj, v_versjon, CASE WHEN p_aktiv THEN p_data END);
  END IF;
END $fn$;

-- An item that is gone: its last payroll state, now inactive
CREATE OR REPLACE FUNCTION lonn_emit_slettet(p_type text, p_id bigint, p_kommune bigint) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE r record;
BEGIN
  PERFORM lonn_laas(p_type, p_id);
  SELECT kommune_id, data, gjelder_fra, gjelder_til INTO r FROM lonn_lonnobjekt
   WHERE kommune_id = p_kommune AND objekt_id = p_type || ':' || p_id;
  IF FOUND THEN
    PERFORM lonn_emit(p_type, p_id, r.kommune_id, r.data, false, NULL, r.gjelder_fra, r.gjelder_til);
  END IF;
END $fn$;

-- A legevakt shift (Vakt): hours by day category and day/night, rest compensation, supplements
CREATE OR REPLACE FUNCTION lonn_emit_vakt(p_id bigint) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE r record; v_data jsonb;
BEGIN
  PERFORM lonn_laas('vakt', p_id);
  SELECT v.*, k.kommunenummer, d.navn AS distrikt_navn, s.navn AS stasjon_navn INTO r
    FROM legevakt_vakt v
    JOIN kommune_kommune k ON k.id = v.kommune_id
    JOIN legevakt_legevaktdistrikt d ON d.id = v.distrikt_id
    LEFT JOIN legevakt_stasjon s ON s.id = v.stasjon_id
   WHERE v.id = p_id;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  v_data := jsonb_build_object(
    'id', r.id, 'kommunenummer', r.kommunenummer, 'lege', lonn_lege(r.lege_id, r.kommune_id),
    'distrikt', jsonb_build_object('id', r.distrikt_id, 'navn', r.distrikt_navn),
    'stasjon', CASE WHEN r.stasjon_id IS NULL THEN NULL ELSE jsonb_build_object('id', r.stasjon_id, 'navn', r.stasjon_navn) END,
    'type', r.type, 'vaktklasse', r.vaktklasse, 'lokal_avtale', r.lokal_avtale,
    'start', lonn_iso(r.start), 'slutt', lonn_iso(r.slutt), 'dagkategori', r.dagkategori, 'hoytid', r.hoytid,
    'status', r.status, 'avlyst_arsak', r.avlyst_arsak,
    'erstatter', CASE WHEN r.erstatter_id IS NULL THEN NULL ELSE 'vakt:' || r.erstatter_id END,
    'unntak_kompetanse', r.unntak_kompetanse,
    'hviletid', lonn_hviletid(r.lege_id, r.start, r.slutt),
    'tillegg', jsonb_build_object(
      'legevaktsentral_timer', (SELECT sum(t.timer)::text FROM legevakt_vakttillegg t
                                 WHERE t.vakt_id = r.id AND t.art = 'legevaktsentral'),
      'reiser', coalesce((SELECT jsonb_agg(jsonb_build_object(
                    'id', t.id, 'minutter_hver_vei', t.minutter_hver_vei,
                    'pabegynte_halvtimer', 2 * ceil(greatest(t.minutter_hver_vei - {reise_fri}, 0) / {reise_enhet}.0)::int)
                    ORDER BY t.id)
                  FROM legevakt_vakttillegg t WHERE t.vakt_id = r.id AND t.art = 'reise'), '[]'::jsonb),
      'hjemmel', 'SFS 2305 § 8.2 (legevaktsentral), § 9.4 (reise)')
  ) || lonn_timer(r.start, r.slutt);
  PERFORM lonn_emit('vakt', r.id, r.kommune_id, v_data, r.status = 'aktiv', NULL, r.start, r.slutt);
END $fn$;

-- A vikariat (a vikar period on a list): working days per month weighted by stillingsprosent
CREATE OR REPLACE FUNCTION lonn_emit_vikariat(p_id bigint) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE r record; v_data jsonb; v_til date;
BEGIN
  PERFORM lonn_laas('vikariat', p_id);
  SELECT p.*, k.kommunenummer, pl.navn AS liste_navn INTO r
    FROM lister_legeperiode p
    JOIN kommune_kommune k ON k.id = p.kommune_id
    JOIN lister_pasientliste pl ON pl.id = p.pasientliste_id
   WHERE p.id = p_id AND p.rolle = 'LPVI';
  IF NOT FOUND THEN
    RETURN;
  END IF;
  -- an open-ended period: months through the end of next calendar year (the nightly job re-publishes it, so the
  -- window moves on at each new year)
  v_til := coalesce(r.til, make_date(greatest(extract(year FROM r.fra), extract(year FROM current_date))::int + 2, 1, 1));
  v_data := jsonb_build_object(
    'id', r.id, 'kommunenummer', r.kommunenummer, 'lege', lonn_lege(r.lege_id, r.kommune_id),
    'vikar_for', CASE WHEN r.vikar_for_id IS NULL THEN NULL ELSE lonn_lege(r.vikar_for_id, r.kommune_id) END,
    'pasientliste', jsonb_build_object('id', r.pasientliste_id, 'navn', r.liste_navn),
    'fra', r.fra, 'til', r.til, 'stillingsprosent', r.stillingsprosent, 'arbeidsdager', to_jsonb(r.arbeidsdager),
    'oppdragsgiver', r.oppdragsgiver, 'lonn', r.oppdragsgiver = 'kommunen',
    'maneder_til', v_til,
    'maneder', coalesce((
      SELECT jsonb_agg(jsonb_build_object('maned', to_char(m.maned, 'YYYY-MM'), 'dager', m.dager,
                                          'dagsverk', round(m.dager * r.stillingsprosent / 100.0, 2)::text) ORDER BY m.maned)
        FROM (SELECT date_trunc('month', g)::date AS maned, count(*) FILTER (
                       WHERE NOT lonn_helligdag(g::date)
                         AND CASE WHEN cardinality(r.arbeidsdager) = 0 THEN extract(isodow FROM g) <= 5
                                  ELSE extract(dow FROM g)::int = ANY(r.arbeidsdager) END) AS dager
                FROM generate_series(r.fra::timestamp, (v_til - 1)::timestamp, interval '1 day') g
               GROUP BY 1) m), '[]'::jsonb)
  );
  PERFORM lonn_emit('vikariat', r.id, r.kommune_id, v_data, true, NULL,
                    r.fra::timestamp AT TIME ZONE '{TZ}', r.til::timestamp AT TIME ZONE '{TZ}');
END $fn$;

CREATE OR REPLACE FUNCTION lonn_emit_fastlegeavtale(p_id bigint, p_verb text DEFAULT NULL) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE r record; v_data jsonb;
BEGIN
  PERFORM lonn_laas('fastlegeavtale', p_id);
  SELECT a.*, k.kommunenummer, pl.navn AS liste_navn INTO r
    FROM avtaler_fastlegeavtale a
    JOIN kommune_kommune k ON k.id = a.kommune_id
    JOIN lister_pasientliste pl ON pl.id = a.pasientliste_id
   WHERE a.id = p_id;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  v_data := jsonb_build_object(
    'id', r.id, 'kommunenummer', r.kommunenummer, 'lege', lonn_lege(r.lege_id, r.kommune_id),
    'pasientliste', jsonb_build_object('id', r.pasientliste_id, 'navn', r.liste_navn),
    'tilknytningsform', r.tilknytningsform, 'okonomisk_modell', r.okonomisk_modell,
    'lonn', r.tilknytningsform = 'ansatt', 'omfang_prosent', r.omfang_prosent, 'listetak', r.listetak,
    'startdato', r.startdato, 'sluttdato', r.sluttdato, 'forlenget_til', r.forlenget_til, 'signert', r.signert
  );
  PERFORM lonn_emit('fastlegeavtale', r.id, r.kommune_id, v_data, true, p_verb,
                    r.startdato::timestamp AT TIME ZONE '{TZ}', r.sluttdato::timestamp AT TIME ZONE '{TZ}');
END $fn$;

-- An ALIS-avtale: supervision hours per month (the veileder is paid for them)
CREATE OR REPLACE FUNCTION lonn_emit_alisavtale(p_id bigint, p_verb text DEFAULT NULL) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE r record; v_data jsonb;
BEGIN
  PERFORM lonn_laas('alisavtale', p_id);
  SELECT a.*, k.kommunenummer INTO r
    FROM avtaler_alisavtale a JOIN kommune_kommune k ON k.id = a.kommune_id
   WHERE a.id = p_id;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  v_data := jsonb_build_object(
    'id', r.id, 'kommunenummer', r.kommunenummer, 'lege', lonn_lege(r.lege_id, r.kommune_id),
    'veileder', CASE WHEN r.veileder_id IS NULL THEN NULL ELSE lonn_lege(r.veileder_id, r.kommune_id) END,
    'relasjon', r.relasjon, 'stillingsprosent', r.stillingsprosent, 'arbeidssted', r.arbeidssted,
    'signert', r.signert, 'startdato', r.startdato, 'sluttdato', r.sluttdato, 'sluttarsak', r.sluttarsak,
    'veiledning', coalesce((
      SELECT jsonb_agg(jsonb_build_object(
               'maned', to_char(v.maned, 'YYYY-MM'), 'individuelle_timer', v.individuelle_timer::text,
               'gruppetimer', v.gruppetimer::text, 'timer', (v.individuelle_timer + v.gruppetimer)::text) ORDER BY v.maned)
        FROM avtaler_alisveiledning v WHERE v.avtale_id = r.id), '[]'::jsonb)
  );
  PERFORM lonn_emit('alisavtale', r.id, r.kommune_id, v_data, true, p_verb,
                    r.startdato::timestamp AT TIME ZONE '{TZ}', r.sluttdato::timestamp AT TIME ZONE '{TZ}');
END $fn$;

-- An 8.2-avtale: its dated payments — supplier payments (leverandørbetaling), not salary
CREATE OR REPLACE FUNCTION lonn_emit_okonomiavtale(p_id bigint, p_verb text DEFAULT NULL) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE r record; v_data jsonb;
BEGIN
  PERFORM lonn_laas('okonomiavtale', p_id);
  SELECT o.*, k.kommunenummer, f.lege_id INTO r
    FROM avtaler_okonomiavtale o
    JOIN kommune_kommune k ON k.id = o.kommune_id
    JOIN avtaler_fastlegeavtale f ON f.id = o.fastlegeavtale_id
   WHERE o.id = p_id;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  v_data := jsonb_build_object(
    'id', r.id, 'kommunenummer', r.kommunenummer, 'lege', lonn_lege(r.lege_id, r.kommune_id),
    'fastlegeavtale', 'fastlegeavtale:' || r.fastlegeavtale_id, 'betalingstype', 'leverandorbetaling', 'lonn', false,
    'startdato', r.startdato, 'sluttdato', r.sluttdato, 'signert', r.signert,
    'inntektsgaranti_per_ar', r.inntektsgaranti_per_ar::text, 'driftstilskudd_per_ar', r.driftstilskudd_per_ar::text,
    'betalinger', coalesce((
      SELECT jsonb_agg(jsonb_build_object(
               'id', b.id, 'dato', b.dato, 'retning', b.retning, 'kategori', b.kategori, 'belop', b.belop::text,
               'referanse', b.referanse, 'beskrivelse', b.beskrivelse) ORDER BY b.dato, b.id)
        FROM avtaler_okonomibetaling b WHERE b.avtale_id = r.id), '[]'::jsonb)
  );
  PERFORM lonn_emit('okonomiavtale', r.id, r.kommune_id, v_data, true, p_verb,
                    r.startdato::timestamp AT TIME ZONE '{TZ}', r.sluttdato::timestamp AT TIME ZONE '{TZ}');
END $fn$;

-- Everything payable that mentions a doctor (a changed name, HPR number or employee number)
CREATE OR REPLACE FUNCTION lonn_emit_lege(p_lege bigint, p_kommune bigint) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM lonn_emit_vakt(id) FROM legevakt_vakt WHERE lege_id = p_lege AND (p_kommune IS NULL OR kommune_id = p_kommune)
   ORDER BY id;
  PERFORM lonn_emit_vikariat(id) FROM lister_legeperiode
   WHERE rolle = 'LPVI' AND (lege_id = p_lege OR vikar_for_id = p_lege) AND (p_kommune IS NULL OR kommune_id = p_kommune)
   ORDER BY id;
  PERFORM lonn_emit_fastlegeavtale(id) FROM avtaler_fastlegeavtale
   WHERE lege_id = p_lege AND (p_kommune IS NULL OR kommune_id = p_kommune) ORDER BY id;
  PERFORM lonn_emit_alisavtale(id) FROM avtaler_alisavtale
   WHERE (lege_id = p_lege OR veileder_id = p_lege) AND (p_kommune IS NULL OR kommune_id = p_kommune) ORDER BY id;
  PERFORM lonn_emit_okonomiavtale(o.id) FROM avtaler_okonomiavtale o JOIN avtaler_fastlegeavtale f ON f.id = o.fastlegeavtale_id
   WHERE f.lege_id = p_lege AND (p_kommune IS NULL OR o.kommune_id = p_kommune) ORDER BY o.id;
END $fn$;

-- Trigger functions
CREATE OR REPLACE FUNCTION lonn_trg_vakt() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM lonn_emit_slettet('vakt', OLD.id, OLD.kommune_id);
  ELSE
    PERFORM lonn_emit_vakt(NEW.id);
  END IF;
  RETURN NULL;
END $fn$;

CREATE OR REPLACE FUNCTION lonn_trg_vakttillegg() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM lonn_emit_vakt(OLD.vakt_id);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND (TG_OP = 'INSERT' OR NEW.vakt_id <> OLD.vakt_id) THEN
    PERFORM lonn_emit_vakt(NEW.vakt_id);
  END IF;
  RETURN NULL;
END $fn$;

CREATE OR REPLACE FUNCTION lonn_trg_legeperiode() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.rolle = 'LPVI' THEN
      PERFORM lonn_emit_slettet('vikariat', OLD.id, OLD.kommune_id);
    END IF;
  ELSIF NEW.rolle = 'LPVI' THEN
    PERFORM lonn_emit_vikariat(NEW.id);
  ELSIF TG_OP = 'UPDATE' AND OLD.rolle = 'LPVI' THEN
    PERFORM lonn_emit_slettet('vikariat', OLD.id, OLD.kommune_id);
  END IF;
  -- office hours decide a shift's rest compensation: re-publish the doctor's shifts the period touches
  IF TG_OP = 'UPDATE' AND (NEW.lege_id, NEW.fra, NEW.til, NEW.arbeidsdager, NEW.kontortid_start, NEW.kontortid_slutt)
      IS NOT DISTINCT FROM (OLD.lege_id, OLD.fra, OLD.til, OLD.arbeidsdager, OLD.kontortid_start, OLD.kontortid_slutt) THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM lonn_emit_vakt(v.id) FROM legevakt_vakt v
     WHERE v.lege_id = OLD.lege_id AND v.slutt + interval '1 day' > OLD.fra::timestamp AT TIME ZONE '{TZ}'
       AND (OLD.til IS NULL OR v.slutt < OLD.til::timestamp AT TIME ZONE '{TZ}')
       AND lonn_natt_sekunder(v.start, v.slutt) > 0
     ORDER BY v.id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM lonn_emit_vakt(v.id) FROM legevakt_vakt v
     WHERE v.lege_id = NEW.lege_id AND v.slutt + interval '1 day' > NEW.fra::timestamp AT TIME ZONE '{TZ}'
       AND (NEW.til IS NULL OR v.slutt < NEW.til::timestamp AT TIME ZONE '{TZ}')
       AND lonn_natt_sekunder(v.start, v.slutt) > 0
     ORDER BY v.id;
  END IF;
  RETURN NULL;
END $fn$;

CREATE OR REPLACE FUNCTION lonn_trg_avtale() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE v_type text := TG_ARGV[0]; v_verb text;
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM lonn_emit_slettet(v_type, OLD.id, OLD.kommune_id);
    RETURN NULL;
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.sluttdato IS NULL AND NEW.sluttdato IS NOT NULL THEN
    v_verb := 'avsluttet';
  END IF;
  IF v_type = 'fastlegeavtale' THEN
    PERFORM lonn_emit_fastlegeavtale(NEW.id, v_verb);
  ELSIF v_type = 'alisavtale' THEN
    PERFORM lonn_emit_alisavtale(NEW.id, v_verb);
  ELSE
    PERFORM lonn_emit_okonomiavtale(NEW.id, v_verb);
  END IF;
  RETURN NULL;
END $fn$;

CREATE OR REPLACE FUNCTION lonn_trg_avtaledel() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE v_type text := TG_ARGV[0];
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    IF v_type = 'alisavtale' THEN PERFORM lonn_emit_alisavtale(OLD.avtale_id);
    ELSE PERFORM lonn_emit_okonomiavtale(OLD.avtale_id); END IF;
  END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.avtale_id <> OLD.avtale_id) THEN
    IF v_type = 'alisavtale' THEN PERFORM lonn_emit_alisavtale(NEW.avtale_id);
    ELSE PERFORM lonn_emit_okonomiavtale(NEW.avtale_id); END IF;
  END IF;
  RETURN NULL;
END $fn$;

CREATE OR REPLACE FUNCTION lonn_trg_lege() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM lonn_emit_lege(NEW.id, NULL);
  RETURN NULL;
END $fn$;

CREATE OR REPLACE FUNCTION lonn_trg_legekommune() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM lonn_emit_lege(OLD.lege_id, OLD.kommune_id);
  END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND (NEW.lege_id, NEW.kommune_id) IS DISTINCT FROM (OLD.lege_id, OLD.kommune_id)) THEN
    PERFORM lonn_emit_lege(NEW.lege_id, NEW.kommune_id);
  END IF;
  RETURN NULL;
END $fn$;

CREATE OR REPLACE FUNCTION lonn_trg_navn() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_TABLE_NAME = 'legevakt_legevaktdistrikt' THEN
    PERFORM lonn_emit_vakt(id) FROM legevakt_vakt WHERE distrikt_id = NEW.id ORDER BY id;
  ELSIF TG_TABLE_NAME = 'legevakt_stasjon' THEN
    PERFORM lonn_emit_vakt(id) FROM legevakt_vakt WHERE stasjon_id = NEW.id ORDER BY id;
  ELSE
    PERFORM lonn_emit_vikariat(id) FROM lister_legeperiode WHERE pasientliste_id = NEW.id AND rolle = 'LPVI' ORDER BY id;
    PERFORM lonn_emit_fastlegeavtale(id) FROM avtaler_fastlegeavtale WHERE pasientliste_id = NEW.id ORDER BY id;
  END IF;
  RETURN NULL;
END $fn$;
"""  # noqa: S608 — generated from rule parameters and constants, no input


# (trigger name, table, timing/events, function call). Row-level AFTER triggers: they see the row as
# the statement left it and run inside the writing transaction.
TRIGGERS: tuple[tuple[str, ...], ...] = (
    ("lonn_vakt", "legevakt_vakt", "AFTER INSERT OR UPDATE OR DELETE", "lonn_trg_vakt()"),
    ("lonn_vakttillegg", "legevakt_vakttillegg", "AFTER INSERT OR UPDATE OR DELETE", "lonn_trg_vakttillegg()"),
    ("lonn_legeperiode", "lister_legeperiode", "AFTER INSERT OR UPDATE OR DELETE", "lonn_trg_legeperiode()"),
    ("lonn_fastlegeavtale", "avtaler_fastlegeavtale", "AFTER INSERT OR UPDATE OR DELETE",
     "lonn_trg_avtale('fastlegeavtale')"),
    ("lonn_alisavtale", "avtaler_alisavtale", "AFTER INSERT OR UPDATE OR DELETE", "lonn_trg_avtale('alisavtale')"),
    ("lonn_okonomiavtale", "avtaler_okonomiavtale", "AFTER INSERT OR UPDATE OR DELETE",
     "lonn_trg_avtale('okonomiavtale')"),
    ("lonn_alisveiledning", "avtaler_alisveiledning", "AFTER INSERT OR UPDATE OR DELETE",
     "lonn_trg_avtaledel('alisavtale')"),
    ("lonn_okonomibetaling", "avtaler_okonomibetaling", "AFTER INSERT OR UPDATE OR DELETE",
     "lonn_trg_avtaledel('okonomiavtale')"),
    ("lonn_lege", "kommune_lege", "AFTER UPDATE OF hpr_nummer, fornavn, etternavn", "lonn_trg_lege()",
     "((OLD.hpr_nummer, OLD.fornavn, OLD.etternavn) IS DISTINCT FROM (NEW.hpr_nummer, NEW.fornavn, NEW.etternavn))"),
    ("lonn_legekommune", "kommune_legekommune", "AFTER INSERT OR UPDATE OR DELETE", "lonn_trg_legekommune()"),
    ("lonn_distrikt_navn", "legevakt_legevaktdistrikt", "AFTER UPDATE OF navn", "lonn_trg_navn()",
     "(OLD.navn IS DISTINCT FROM NEW.navn)"),
    ("lonn_stasjon_navn", "legevakt_stasjon", "AFTER UPDATE OF navn", "lonn_trg_navn()", "(OLD.navn IS DISTINCT FROM NEW.navn)"),
    ("lonn_liste_navn", "lister_pasientliste", "AFTER UPDATE OF navn", "lonn_trg_navn()", "(OLD.navn IS DISTINCT FROM NEW.navn)"),
)


# Pay periods (docs/lonn.md, «Pay periods and corrections»): an item's payroll lines, priced with the kommune's
# wage-type mapping, and the corrections of closed months. Plain SQL (no rule parameters).
PERIODER_SQL = """
-- The local (Oslo) seconds of a shift per date, day category and day/night
CREATE OR REPLACE FUNCTION lonn_timer_per_dag(p_start timestamptz, p_slutt timestamptz)
RETURNS TABLE (dato date, dagkategori text, natt boolean, sekunder numeric)
LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
  SELECT d.dato, lonn_dagkategori(d.dato), w.natt, extract(epoch FROM least(w.til, p_slutt) - greatest(w.fra, p_start))
    FROM (SELECT g::date AS dato
            FROM generate_series((p_start AT TIME ZONE '%(tz)s')::date::timestamp,
                                 ((p_slutt - interval '1 microsecond') AT TIME ZONE '%(tz)s')::date::timestamp,
                                 interval '1 day') g) d,
         LATERAL (VALUES
           ((d.dato + time '00:00') AT TIME ZONE '%(tz)s', (d.dato + time '%(natt_slutt)s') AT TIME ZONE '%(tz)s', true),
           ((d.dato + time '%(natt_slutt)s') AT TIME ZONE '%(tz)s', (d.dato + time '%(natt_start)s') AT TIME ZONE '%(tz)s', false),
           ((d.dato + time '%(natt_start)s') AT TIME ZONE '%(tz)s', ((d.dato + 1) + time '00:00') AT TIME ZONE '%(tz)s', true)
         ) AS w(fra, til, natt)
   WHERE least(w.til, p_slutt) > greatest(w.fra, p_start)
$fn$;

-- An item's payable quantities per date and category, from its published payroll data (lonn_lonnobjekt.data):
--   vakt: hours per local date, day category and day/night, by shift type and vaktklasse; rest compensation (SFS 2305
--         § 7.4) in hours, legevaktsentral hours (§ 8.2) and started half-hours of travel (§ 9.4), on the start date;
--   vikariat the kommune pays: dagsverk (stillingsprosent / 100) per working day (its weekdays, not public holidays);
--   alisavtale: supervision hours per month, paid to the veileder.
CREATE OR REPLACE FUNCTION lonn_linjer(p_type text, p_data jsonb)
RETURNS TABLE (dato date, lege_id bigint, ansattnummer text, kategori text, vakttype text, vaktklasse integer,
               dagkategori text, tid text, mengde numeric)
LANGUAGE sql STABLE AS $fn$
  SELECT t.dato, (p_data->'lege'->>'id')::bigint, coalesce(p_data->'lege'->>'ansattnummer', ''), 'vakt',
         p_data->>'type', (p_data->>'vaktklasse')::int, t.dagkategori, CASE WHEN t.natt THEN 'natt' ELSE 'dag' END,
         sum(t.sekunder) / 3600.0
    FROM lonn_timer_per_dag((p_data->>'start')::timestamptz, (p_data->>'slutt')::timestamptz) t
   WHERE p_type = 'vakt'
   GROUP BY t.dato, t.dagkategori, t.natt
  UNION ALL
  SELECT (((p_data->>'start')::timestamptz) AT TIME ZONE '%(tz)s')::date, (p_data->'lege'->>'id')::bigint,
         coalesce(p_data->'lege'->>'ansattnummer', ''), x.kategori, '', NULL, '', '', x.mengde
    FROM (VALUES ('hviletid', (p_data->'hviletid'->>'minutter')::numeric / 60.0),
                 ('legevaktsentral', (p_data->'tillegg'->>'legevaktsentral_timer')::numeric),
                 ('reise', (SELECT sum((r->>'pabegynte_halvtimer')::numeric)
                              FROM jsonb_array_elements(CASE WHEN jsonb_typeof(p_data->'tillegg'->'reiser') = 'array'
                                                             THEN p_data->'tillegg'->'reiser' ELSE '[]' END) r))
         ) AS x(kategori, mengde)
   WHERE p_type = 'vakt' AND x.mengde > 0
  UNION ALL
  SELECT g::date, (p_data->'lege'->>'id')::bigint, coalesce(p_data->'lege'->>'ansattnummer', ''), 'vikar', '', NULL, '', '',
         (p_data->>'stillingsprosent')::numeric / 100.0
    FROM generate_series((p_data->>'fra')::date::timestamp,
                         (coalesce((p_data->>'til')::date, (p_data->>'maneder_til')::date) - 1)::timestamp, interval '1 day') g
   WHERE p_type = 'vikariat' AND (p_data->>'lonn')::boolean AND NOT lonn_helligdag(g::date)
     AND CASE WHEN jsonb_array_length(p_data->'arbeidsdager') = 0 THEN extract(isodow FROM g) <= 5
              ELSE p_data->'arbeidsdager' @> to_jsonb(extract(dow FROM g)::int) END
  UNION ALL
  SELECT (v->>'maned' || '-01')::date, (p_data->'veileder'->>'id')::bigint, coalesce(p_data->'veileder'->>'ansattnummer', ''),
         'alis_veiledning', '', NULL, '', '', (v->>'timer')::numeric
    FROM jsonb_array_elements(CASE WHEN p_type = 'alisavtale' THEN p_data->'veiledning' ELSE '[]' END) v
   WHERE (v->>'timer')::numeric > 0
$fn$;

-- The kommune's wage-type rule for a payable category on a date: among the rules in force whose non-empty dimensions
-- all match, the most specific (shift type, then vaktklasse, then day category, then day/night)
CREATE OR REPLACE FUNCTION lonn_regel(p_kommune bigint, p_kategori text, p_vakttype text, p_vaktklasse integer,
                                      p_dagkategori text, p_tid text, p_dato date)
RETURNS TABLE (id bigint, lonnsart text, sats numeric, kostnadssted text)
LANGUAGE sql STABLE AS $fn$
  SELECT r.id, r.lonnsart, r.sats, r.kostnadssted
    FROM lonn_lonnsartregel r
   WHERE r.kommune_id = p_kommune AND r.kategori = p_kategori
     AND r.gyldig_fra <= p_dato AND (r.gyldig_til IS NULL OR r.gyldig_til >= p_dato)
     AND r.vakttype IN ('', p_vakttype) AND (r.vaktklasse IS NULL OR r.vaktklasse = p_vaktklasse)
     AND r.dagkategori IN ('', p_dagkategori) AND r.tid IN ('', p_tid)
   ORDER BY r.vakttype <> '' DESC, r.vaktklasse IS NOT NULL DESC, r.dagkategori <> '' DESC, r.tid <> '' DESC
   LIMIT 1
$fn$;

-- An item's payroll lines per month, priced on the date of the work (a changed rate applies from its date), the
-- quantity of each line rounded to two decimals
CREATE OR REPLACE FUNCTION lonn_prisede_linjer(p_kommune bigint, p_type text, p_data jsonb)
RETURNS TABLE (periode date, lege_id bigint, ansattnummer text, kategori text, vakttype text, vaktklasse integer,
               dagkategori text, tid text, regel_id bigint, lonnsart text, sats numeric, kostnadssted text, mengde numeric)
LANGUAGE sql STABLE AS $fn$
  SELECT date_trunc('month', l.dato)::date, l.lege_id, l.ansattnummer, l.kategori, l.vakttype, l.vaktklasse,
         l.dagkategori, l.tid, r.id, coalesce(r.lonnsart, ''), r.sats, coalesce(r.kostnadssted, ''), round(sum(l.mengde), 2)
    FROM lonn_linjer(p_type, p_data) l
    LEFT JOIN LATERAL lonn_regel(p_kommune, l.kategori, l.vakttype, l.vaktklasse, l.dagkategori, l.tid, l.dato) r ON true
   GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
$fn$;

-- Writers of a kommune's payable items take this lock shared; closing and re-opening a month take it exclusively
CREATE OR REPLACE FUNCTION lonn_periodelaas(p_kommune bigint, p_eksklusiv boolean) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
  IF p_eksklusiv THEN
    PERFORM pg_advisory_xact_lock(hashtext('lonnsperiode'), p_kommune::int);
  ELSE
    PERFORM pg_advisory_xact_lock_shared(hashtext('lonnsperiode'), p_kommune::int);
  END IF;
END $fn$;

-- A line as the feed shows it
CREATE OR REPLACE FUNCTION lonn_linje_json(l jsonb, p_fortegn integer) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $fn$
  SELECT jsonb_build_object(
    'lege_id', l->'lege_id', 'ansattnummer', nullif(l->>'ansattnummer', ''), 'kategori', l->>'kategori',
    'vakttype', nullif(l->>'vakttype', ''), 'vaktklasse', l->'vaktklasse', 'dagkategori', nullif(l->>'dagkategori', ''),
    'tid', nullif(l->>'tid', ''), 'lonnsart', nullif(l->>'lonnsart', ''), 'sats', trim_scale((l->>'sats')::numeric)::text,
    'kostnadssted', nullif(l->>'kostnadssted', ''),
    'antall', round(p_fortegn * (l->>'mengde')::numeric, 2)::text,
    'belop', CASE WHEN l->>'sats' IS NULL THEN NULL
                  ELSE round(p_fortegn * (l->>'mengde')::numeric * (l->>'sats')::numeric, 2)::text END)
$fn$;

-- After a change of an item, for every closed month whose lines it changes: a correction (the reversal of what was
-- attested or last corrected for the month, and the new values), posted in the month after the last closed one, and
-- published in the feed as korreksjon.<type>, linked to the item and its version. p_data NULL = the item is gone.
-- What a month pays is compared per doctor, not per employee number: a doctor's new employee number does not
-- re-post their closed months (a correction made later carries the number then current).
CREATE OR REPLACE FUNCTION lonn_korriger(p_kommune bigint, p_type text, p_obj text, p_versjon bigint, p_data jsonb)
RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  v_post date;
  v_id bigint;
  m record;
BEGIN
  SELECT (max(maned) + interval '1 month')::date INTO v_post FROM lonn_lonnsperiode
   WHERE kommune_id = p_kommune AND status = 'lukket';
  FOR m IN
    WITH lukket AS (
      SELECT maned FROM lonn_lonnsperiode WHERE kommune_id = p_kommune AND status = 'lukket'
    ), ny AS (
      SELECT l.* FROM lonn_prisede_linjer(p_kommune, p_type, p_data) l
       WHERE p_data IS NOT NULL AND l.mengde <> 0 AND l.periode IN (SELECT maned FROM lukket)
    ), gammel AS (
      SELECT x.periode, x.lege_id, x.ansattnummer, x.kategori, x.vakttype, x.vaktklasse, x.dagkategori, x.tid,
             x.regel_id, x.lonnsart, x.sats, x.kostnadssted, sum(x.mengde) AS mengde
        FROM lonn_lonnslinje x
       WHERE x.kommune_id = p_kommune AND x.objekt_id = p_obj AND x.periode IN (SELECT maned FROM lukket) AND NOT x.annullert
       GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
      HAVING sum(x.mengde) <> 0
    ), endret AS (
      SELECT DISTINCT u.periode FROM (
        SELECT * FROM ny UNION ALL
        SELECT periode, lege_id, ansattnummer, kategori, vakttype, vaktklasse, dagkategori, tid, regel_id, lonnsart,
               sats, kostnadssted, -mengde FROM gammel) u
       GROUP BY u.periode, u.lege_id, u.kategori, u.vakttype, u.vaktklasse, u.dagkategori, u.tid,
                u.regel_id, u.lonnsart, u.sats, u.kostnadssted
      HAVING sum(u.mengde) <> 0
    )
    SELECT e.periode,
           (SELECT coalesce(jsonb_agg(to_jsonb(g) ORDER BY g.kategori, g.vakttype, g.vaktklasse, g.dagkategori, g.tid, g.sats), '[]')
              FROM gammel g WHERE g.periode = e.periode) AS gammel,
           (SELECT coalesce(jsonb_agg(to_jsonb(n) ORDER BY n.kategori, n.vakttype, n.vaktklasse, n.dagkategori, n.tid, n.sats), '[]')
              FROM ny n WHERE n.periode = e.periode) AS ny
      FROM endret e ORDER BY e.periode
  LOOP
    INSERT INTO lonn_korreksjon (kommune_id, objekt_id, objekt_type, objekt_versjon, periode, posteres_i, opprettet, annullert)
    VALUES (p_kommune, p_obj, p_type, p_versjon, m.periode, v_post, clock_timestamp(), false)
    RETURNING id INTO v_id;
    INSERT INTO lonn_lonnslinje (kommune_id, periode, posteres_i, kilde, korreksjon_id, objekt_id, lege_id, ansattnummer,
                                 kategori, vakttype, vaktklasse, dagkategori, tid, regel_id, lonnsart, sats, kostnadssted, mengde,
                                 annullert)
    SELECT p_kommune, m.periode, v_post, k.kilde, v_id, p_obj, r.lege_id, r.ansattnummer, r.kategori, r.vakttype,
           r.vaktklasse, r.dagkategori, r.tid, r.regel_id, r.lonnsart, r.sats, r.kostnadssted, k.fortegn * r.mengde, false
      FROM (VALUES ('reversering', -1, m.gammel), ('ny', 1, m.ny)) AS k(kilde, fortegn, linjer),
           jsonb_to_recordset(k.linjer) AS r(lege_id bigint, ansattnummer text, kategori text, vakttype text,
                                             vaktklasse integer, dagkategori text, tid text, regel_id bigint,
                                             lonnsart text, sats numeric, kostnadssted text, mengde numeric);
    INSERT INTO lonn_hendelse (xid, kommune_id, objekt_id, objekt_type, type, versjon, tidspunkt, data)
    VALUES (pg_current_xact_id()::text::bigint, p_kommune, 'korreksjon:' || v_id, 'korreksjon', 'korreksjon.' || p_type,
            1, clock_timestamp(), jsonb_build_object(
              'id', v_id, 'objekt_id', p_obj, 'objekt_versjon', p_versjon,
              'periode', to_char(m.periode, 'YYYY-MM'), 'posteres_i', to_char(v_post, 'YYYY-MM'),
              'reversering', (SELECT coalesce(jsonb_agg(lonn_linje_json(g, -1)), '[]') FROM jsonb_array_elements(m.gammel) g),
              'ny', (SELECT coalesce(jsonb_agg(lonn_linje_json(n, 1)), '[]') FROM jsonb_array_elements(m.ny) n)));
  END LOOP;
END $fn$;

-- A pay-period decision in the feed (lonnsperiode.lukket / lonnsperiode.gjenapnet)
CREATE OR REPLACE FUNCTION lonn_emit_periode(p_kommune bigint, p_maned date, p_type text, p_versjon bigint, p_data jsonb)
RETURNS void LANGUAGE sql AS $fn$
  INSERT INTO lonn_hendelse (xid, kommune_id, objekt_id, objekt_type, type, versjon, tidspunkt, data)
  VALUES (pg_current_xact_id()::text::bigint, p_kommune, 'lonnsperiode:' || to_char(p_maned, 'YYYY-MM'), 'lonnsperiode',
          p_type, p_versjon, clock_timestamp(), p_data)
$fn$;
"""


def perioder_sql() -> str:
    natt_start, natt_slutt = _natt()
    return PERIODER_SQL % {"tz": TZ, "natt_start": natt_start, "natt_slutt": natt_slutt}


def triggers_sql() -> str:
    parts = []
    for name, table, events, call, *when in TRIGGERS:
        condition = f" WHEN {when[0]}" if when else ""
        parts.append(f"DROP TRIGGER IF EXISTS {name} ON {table};")
        parts.append(f"CREATE TRIGGER {name} {events} ON {table} FOR EACH ROW{condition} EXECUTE FUNCTION {call};")
    return "\n".join(parts)


def fingerprint() -> str:
    """A hash of the generated SQL, stored as the comment of `lonn_emit` when installed."""
    return hashlib.sha256((functions_sql() + perioder_sql() + triggers_sql()).encode()).hexdigest()[:16]


BACKFILL_SQL = """
SELECT lonn_emit_vakt(id) FROM legevakt_vakt ORDER BY id;
SELECT lonn_emit_vikariat(id) FROM lister_legeperiode WHERE rolle = 'LPVI' ORDER BY id;
SELECT lonn_emit_fastlegeavtale(id) FROM avtaler_fastlegeavtale ORDER BY id;
SELECT lonn_emit_alisavtale(id) FROM avtaler_alisavtale ORDER BY id;
SELECT lonn_emit_okonomiavtale(id) FROM avtaler_okonomiavtale ORDER BY id;
"""

UNINSTALL_SQL = "\n".join(f"DROP TRIGGER IF EXISTS {t[0]} ON {t[1]};" for t in TRIGGERS)


def install(cursor, *, backfill: bool = False) -> None:
    """Create or replace the functions and triggers (idempotent). With `backfill`, publish every
    existing item once (first installation)."""
    # bodies are checked when called, not when created: an earlier migration installs functions that refer to
    # tables a later one creates (the pay periods of 0002)
    cursor.execute("SELECT set_config('check_function_bodies', 'off', true)")
    cursor.execute(functions_sql())
    cursor.execute(perioder_sql())
    cursor.execute(triggers_sql())
    cursor.execute(f"COMMENT ON FUNCTION lonn_emit(text, bigint, bigint, jsonb, boolean, text, timestamptz, timestamptz) "
                   f"IS 'lonn.sql {fingerprint()}'")
    if backfill:
        cursor.execute(BACKFILL_SQL)


def installed_fingerprint(cursor) -> str | None:
    cursor.execute("SELECT obj_description('lonn_emit(text, bigint, bigint, jsonb, boolean, text, timestamptz, timestamptz)'"
                   "::regprocedure, 'pg_proc')")
    row = cursor.fetchone()
    return row[0].removeprefix("lonn.sql ") if row and row[0] else None
