"""Duty-load figures (legevakt.belastning) on fixed rosters, asserted against hand-computed values."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.tenancy import unscoped
from legevakt import belastning, tid
from legevakt.belastning import Udekket
from legevakt.models import Legevaktdistrikt, Medlemskap, Vakt
from tests import register
from tests.conftest import in_kommune, kommune

pytestmark = pytest.mark.django_db

# --- arranging directly with the ORM (the services are written elsewhere) ---
KLASSE = {"tilstedevakt": 3, "hjemmevakt": 1, "bakvakt": 1, "kompetansebakvakt": 1, "legevaktsentral": 3}


def lokal(year, month, day, hour=0, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=tid.OSLO)


def distrikt(vert, navn="Distriktet", type_="en_kommune") -> Legevaktdistrikt:
    with in_kommune(vert):
        return Legevaktdistrikt.objects.create(kommune=vert, navn=navn, type=type_)


def medlem(d: Legevaktdistrikt, kommune, tidsbolk="dogn", fra=dt.date(2025, 1, 1), til=None) -> Medlemskap:
    with in_kommune(d.kommune):
        return Medlemskap.objects.create(kommune=d.kommune, distrikt=d, medlem=kommune, tidsbolk=tidsbolk, fra=fra, til=til)


def lege(k, fornavn, etternavn):
    with in_kommune(k):
        return register.lege(k, fornavn=fornavn, etternavn=etternavn)


def vakt(d: Legevaktdistrikt, lege_, type_, start, slutt, status="aktiv") -> Vakt:
    with in_kommune(d.kommune):
        return Vakt.objects.create(
            kommune=d.kommune, distrikt=d, lege=lege_, type=type_, vaktklasse=KLASSE[type_], start=start, slutt=slutt,
            dagkategori=tid.dagkategori(start), hoytid=tid.hoytid(start, slutt), status=status,
            avlyst_arsak="annet" if status == "avlyst" else "",
        )


FRA, TIL = dt.date(2025, 10, 1), dt.date(2026, 6, 1)  # 243 days


@pytest.fixture
def roster():
    """One district in Sunnfjord with three doctors:
    A: tilstedevakt over the October DST change (Sat 25 Oct 20:00 – Sun 26 Oct 08:00: 13 h), a weekend
       hjemmevakt (Fri 7 Nov 16:00 – Mon 10 Nov 08:00: 64 h), a jul hjemmevakt (24 Dec 08:00 – 25 Dec
       08:00: 24 h), a tilstedevakt on Easter Monday 2026 (6 Apr 08–16: 8 h), and a cancelled shift;
    B: bakvakt on 17 May 2026 (a Sunday), 10–14;
    C: hjemmevakt Sun 31 May 2026 20:00 – Mon 1 Jun 08:00 (12 h, 4 of them in the window)."""
    k = kommune("4647")
    d = distrikt(k)
    medlem(d, k)
    a, b, c = lege(k, "Anne", "Aas"), lege(k, "Bjørn", "Berg"), lege(k, "Cecilie", "Dahl")
    vakt(d, a, "tilstedevakt", lokal(2025, 10, 25, 20), lokal(2025, 10, 26, 8))
    vakt(d, a, "hjemmevakt", lokal(2025, 11, 7, 16), lokal(2025, 11, 10, 8))
    vakt(d, a, "hjemmevakt", lokal(2025, 12, 24, 8), lokal(2025, 12, 25, 8))
    vakt(d, a, "tilstedevakt", lokal(2026, 4, 6, 8), lokal(2026, 4, 6, 16))
    vakt(d, a, "tilstedevakt", lokal(2026, 1, 10, 8), lokal(2026, 1, 11, 8), status="avlyst")
    vakt(d, b, "bakvakt", lokal(2026, 5, 17, 10), lokal(2026, 5, 17, 14))
    vakt(d, c, "hjemmevakt", lokal(2026, 5, 31, 20), lokal(2026, 6, 1, 8))
    return {"k": k, "d": d, "a": a, "b": b, "c": c}


def figurer(rows):
    return {r.lege_navn: r for r in rows}


def test_load_figures_equal_hand_computed_values(roster):
    with unscoped(reason="test"):
        rows = figurer(belastning.legefigurer(fra=FRA, til=TIL, distrikt_ids=[roster["d"].pk]))
    assert list(rows) == ["Anne Aas", "Bjørn Berg", "Cecilie Dahl"]
    a = rows["Anne Aas"]
    assert (a.lege_id, a.distrikt_id, a.fra, a.til, a.dager) == (roster["a"].pk, roster["d"].pk, FRA, TIL, 243)
    assert a.vakter == 4  # the cancelled shift does not count
    assert a.timer == 109.0  # 13 + 64 + 24 + 8: the October night is 13 real hours
    assert a.timer_per_4_uker == 12.56  # 109 × 28 / 243
    assert a.beredskapstimer == 88.0  # 64 + 24 hjemmevakt
    assert a.beredskapstimer_per_uke == 2.53  # 88 × 7 / 243
    assert a.tilstedevakttimer == 21.0
    assert a.netter == 5  # 26 Oct; 8, 9, 10 Nov; 25 Dec
    assert a.helger == 2  # 25–26 Oct and 8–9 Nov
    assert a.helligdager == 2  # første juledag, andre påskedag
    assert a.juledager == 2  # 24 and 25 Dec
    assert a.paskedager == 1  # 6 Apr
    assert a.vaktdogn == 6  # 1 + 3 + 1 + 1
    assert a.hyppighet == 40.5  # 243 / 6

    b = rows["Bjørn Berg"]
    assert (b.vakter, b.timer, b.beredskapstimer, b.tilstedevakttimer, b.netter, b.helger, b.helligdager) == (1, 4.0, 4.0, 0.0, 0, 1, 1)
    assert (b.juledager, b.paskedager, b.vaktdogn, b.hyppighet) == (0, 0, 0, None)  # a bakvakt is not «on duty»

    c = rows["Cecilie Dahl"]  # clipped at the window's end: 20:00–24:00, the night's midnight is outside
    assert (c.vakter, c.timer, c.beredskapstimer, c.netter, c.helger, c.helligdager, c.vaktdogn, c.hyppighet) == (
        1, 4.0, 4.0, 0, 1, 0, 1, 243.0)


def test_march_night_counts_eleven_hours(roster):
    vakt(roster["d"], roster["b"], "tilstedevakt", lokal(2026, 3, 28, 20), lokal(2026, 3, 29, 8))
    with unscoped(reason="test"):
        rows = figurer(belastning.legefigurer(fra=dt.date(2026, 3, 1), til=dt.date(2026, 4, 1)))
    assert rows["Bjørn Berg"].timer == 11.0
    assert rows["Bjørn Berg"].netter == 1


def test_figures_per_month_put_a_night_in_the_month_of_its_midnight(roster):
    with unscoped(reason="test"):
        rows = belastning.legefigurer_per_maned(fra=dt.date(2025, 10, 15), til=dt.date(2026, 7, 1),
                                                lege_ids=[roster["a"].pk, roster["c"].pk])
    by = {(r.lege_navn, r.fra): r for r in rows}
    okt = by[("Anne Aas", dt.date(2025, 10, 15))]
    assert (okt.til, okt.dager, okt.vakter, okt.timer, okt.netter, okt.helger) == (dt.date(2025, 11, 1), 17, 1, 13.0, 1, 1)
    nov = by[("Anne Aas", dt.date(2025, 11, 1))]
    assert (nov.vakter, nov.timer, nov.netter, nov.helger, nov.vaktdogn, nov.hyppighet) == (1, 64.0, 3, 1, 3, 10.0)
    des = by[("Anne Aas", dt.date(2025, 12, 1))]
    assert (des.netter, des.juledager, des.helligdager) == (1, 2, 1)
    apr = by[("Anne Aas", dt.date(2026, 4, 1))]
    assert (apr.helligdager, apr.paskedager, apr.netter) == (1, 1, 0)
    mai, jun = by[("Cecilie Dahl", dt.date(2026, 5, 1))], by[("Cecilie Dahl", dt.date(2026, 6, 1))]
    assert (mai.timer, mai.netter, jun.timer, jun.netter) == (4.0, 0, 8.0, 1)
    assert ("Anne Aas", dt.date(2026, 1, 1)) not in by  # only the cancelled shift that month


def test_figures_per_week_are_iso_weeks_clipped_to_the_window(roster):
    with unscoped(reason="test"):
        rows = belastning.legefigurer_per_uke(fra=dt.date(2025, 11, 5), til=dt.date(2025, 11, 12), lege_ids=[roster["a"].pk])
    assert [(r.fra, r.til, r.timer, r.beredskapstimer_per_uke) for r in rows] == [
        (dt.date(2025, 11, 5), dt.date(2025, 11, 10), 56.0, 78.4),  # Wed–Sun: 56 h × 7 / 5
        (dt.date(2025, 11, 10), dt.date(2025, 11, 12), 8.0, 28.0),  # Mon–Tue: 8 h × 7 / 2
    ]


def test_figures_over_all_districts_merge_a_doctor(roster):
    other = distrikt(roster["k"], navn="Dagtid")
    vakt(other, roster["b"], "tilstedevakt", lokal(2026, 5, 16, 8), lokal(2026, 5, 16, 16))
    with unscoped(reason="test"):
        per = belastning.legefigurer(fra=dt.date(2026, 5, 1), til=dt.date(2026, 6, 1), lege_ids=[roster["b"].pk])
        alle = belastning.legefigurer(fra=dt.date(2026, 5, 1), til=dt.date(2026, 6, 1), lege_ids=[roster["b"].pk],
                                      per_distrikt=False)
    assert sorted(r.timer for r in per) == [4.0, 8.0]
    assert [(r.distrikt_id, r.vakter, r.timer, r.helger) for r in alle] == [(None, 2, 12.0, 1)]  # one weekend


@pytest.fixture
def to_distrikter():
    """Kommune X (Askvoll) has dagtid in D1 (vertskommune Sunnfjord) from 1 Jan and utenfor dagtid in
    D2 (vertskommune Fjaler) only from Tue 3 March 2026. The window is Mon 2 – Wed 4 March."""
    x, v1, v2 = kommune("4645"), kommune("4647"), kommune("4646")
    d1, d2 = distrikt(v1, "Dagtid Sunnfjord", "interkommunal"), distrikt(v2, "Natt Fjaler", "interkommunal")
    medlem(d1, x, "dagtid", fra=dt.date(2026, 1, 1))
    medlem(d2, x, "utenfor_dagtid", fra=dt.date(2026, 3, 3))
    medlem(d2, v2, "dogn", fra=dt.date(2026, 1, 1))
    a1, b1, b2, b3, b4 = (lege(v1, "Aud", "En"), lege(v2, "Berit", "To"), lege(v2, "Bodil", "Tre"), lege(v2, "Brage", "Fire"),
                          lege(v2, "Bjarne", "Fem"))
    vakt(d1, a1, "tilstedevakt", lokal(2026, 3, 2, 8), lokal(2026, 3, 2, 16))
    vakt(d1, a1, "tilstedevakt", lokal(2026, 3, 3, 8), lokal(2026, 3, 3, 12))
    vakt(d1, a1, "legevaktsentral", lokal(2026, 3, 3, 12), lokal(2026, 3, 3, 16))  # not a doctor on duty
    vakt(d2, b1, "hjemmevakt", lokal(2026, 3, 2, 0), lokal(2026, 3, 3, 8))
    vakt(d2, b2, "hjemmevakt", lokal(2026, 3, 3, 16), lokal(2026, 3, 3, 22))
    vakt(d2, b3, "tilstedevakt", lokal(2026, 3, 2, 10), lokal(2026, 3, 2, 14))
    vakt(d2, b4, "bakvakt", lokal(2026, 3, 3, 22), lokal(2026, 3, 4, 0))  # not a doctor on duty
    return {"x": x, "v1": v1, "v2": v2, "d1": d1, "d2": d2}


U_FRA, U_TIL = dt.date(2026, 3, 2), dt.date(2026, 3, 4)


def _intervaller(rows):
    return [(r.distrikt_id, r.start, r.slutt, r.arsak) for r in rows]


def test_uncovered_intervals_across_time_bands(to_distrikter):
    t = to_distrikter
    with unscoped(reason="test"):
        rows = belastning.udekket(fra=U_FRA, til=U_TIL, kommune_ids=[t["x"].pk])
    assert {r.kommune_id for r in rows} == {t["x"].pk}
    assert _intervaller(rows) == [
        (None, lokal(2026, 3, 2, 0), lokal(2026, 3, 2, 8), "ingen_distrikt"),
        (None, lokal(2026, 3, 2, 16), lokal(2026, 3, 3, 0), "ingen_distrikt"),
        (t["d1"].pk, lokal(2026, 3, 3, 12), lokal(2026, 3, 3, 16), "ingen_lege"),  # legevaktsentral does not count
        (t["d2"].pk, lokal(2026, 3, 3, 22), lokal(2026, 3, 4, 0), "ingen_lege"),  # bakvakt does not count
    ]
    assert [r.timer for r in rows] == [8.0, 8.0, 4.0, 2.0]


def test_uncovered_intervals_in_a_kommune_scope(to_distrikter):
    t = to_distrikter
    with in_kommune(t["v1"]):  # Sunnfjord sees D1 only, and it has no membership of its own
        rows = belastning.udekket(fra=U_FRA, til=U_TIL)
    assert _intervaller(rows) == [(t["d1"].pk, lokal(2026, 3, 3, 12), lokal(2026, 3, 3, 16), "ingen_lege")]
    with in_kommune(t["x"]):
        rows = belastning.udekket(fra=U_FRA, til=U_TIL)
    assert {r.kommune_id for r in rows} == {t["x"].pk, t["v2"].pk}
    assert len([r for r in rows if r.arsak == "ingen_distrikt"]) == 2  # only its own


def test_district_figures(to_distrikter):
    t = to_distrikter
    with unscoped(reason="test"):
        (d2,) = belastning.distriktsfigurer(fra=U_FRA, til=U_TIL, distrikt_ids=[t["d2"].pk])
    assert (d2.distrikt_id, d2.navn, d2.dager) == (t["d2"].pk, "Natt Fjaler", 2)
    assert d2.leger_i_vaktordning == 4
    assert d2.vakter == 4
    assert d2.timer == 44.0  # 32 + 6 + 4 + 2
    assert d2.vakthavende_timer == 38.0  # 32 + 6 (the 4 h tilstedevakt lies inside the hjemmevakt)
    assert d2.en_lege_timer == 34.0
    assert d2.andel_en_lege == 0.8947
    # Fjaler's own døgn: 3 Mar 08–16 and 22–24; Askvoll's night band: 3 Mar 22–24.
    assert d2.udekket_timer == 12.0
    assert sorted((u.kommune_id, u.start, u.slutt) for u in d2.udekket) == sorted([
        (t["v2"].pk, lokal(2026, 3, 3, 8), lokal(2026, 3, 3, 16)),
        (t["v2"].pk, lokal(2026, 3, 3, 22), lokal(2026, 3, 4, 0)),
        (t["x"].pk, lokal(2026, 3, 3, 22), lokal(2026, 3, 4, 0)),
    ])


def test_district_figures_without_shifts_and_scoped(to_distrikter):
    t = to_distrikter
    tom = distrikt(t["v1"], "Tomt")
    with in_kommune(t["v1"]):
        rows = {r.navn: r for r in belastning.distriktsfigurer(fra=U_FRA, til=U_TIL)}
    assert set(rows) == {"Dagtid Sunnfjord", "Tomt"}  # not Fjaler's district
    assert (rows["Tomt"].leger_i_vaktordning, rows["Tomt"].andel_en_lege, rows["Tomt"].udekket) == (0, None, ())
    assert tom.pk == rows["Tomt"].distrikt_id


def test_day_overview(to_distrikter):
    t = to_distrikter
    with in_kommune(t["v2"]):
        dager = belastning.dagsoversikt(fra=U_FRA, til=U_TIL, distrikt_id=t["d2"].pk)
    assert [(d.dato, d.leger_pa_vakt, d.udekket_timer) for d in dager] == [
        (dt.date(2026, 3, 2), 2, 0.0), (dt.date(2026, 3, 3), 2, 12.0)]


def test_another_kommunes_district_is_not_seen(to_distrikter):
    t = to_distrikter
    with in_kommune(t["v1"]):
        assert belastning.legefigurer(fra=U_FRA, til=U_TIL, distrikt_ids=[t["d2"].pk]) == []
        assert belastning.distriktsfigurer(fra=U_FRA, til=U_TIL, distrikt_ids=[t["d2"].pk]) == []
        assert belastning.dagsoversikt(fra=U_FRA, til=U_TIL, distrikt_id=t["d2"].pk)[0].leger_pa_vakt == 0


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as ctx:
        call()
    return len(ctx.captured_queries)


def _fill(d, leger, n):
    for i in range(n):
        start = lokal(2026, 2, 1, 0) + dt.timedelta(hours=12 * i)
        vakt(d, leger[i % len(leger)], "hjemmevakt" if i % 2 else "tilstedevakt", start, start + dt.timedelta(hours=12))


def test_query_count_does_not_grow_with_the_shifts():
    k = kommune("4647")
    liten, stor = distrikt(k, "Liten"), distrikt(k, "Stor")
    medlem(liten, k, "dagtid")
    medlem(stor, k, "utenfor_dagtid")
    _fill(liten, [lege(k, "A", f"Liten{i}") for i in range(3)], 10)
    _fill(stor, [lege(k, "B", f"Stor{i}") for i in range(10)], 100)
    fra, til = dt.date(2026, 1, 15), dt.date(2026, 4, 15)

    def all_figures(d):
        def call():
            with in_kommune(k):
                assert belastning.legefigurer(fra=fra, til=til, distrikt_ids=[d.pk])
                belastning.legefigurer_per_maned(fra=fra, til=til, distrikt_ids=[d.pk])
                belastning.legefigurer_per_uke(fra=fra, til=til, distrikt_ids=[d.pk])
                (figs,) = belastning.distriktsfigurer(fra=fra, til=til, distrikt_ids=[d.pk])
                assert figs.udekket
                belastning.dagsoversikt(fra=fra, til=til, distrikt_id=d.pk, udekket_i_distriktet=figs.udekket)
                belastning.udekket(fra=fra, til=til)
        return call

    small, large = _queries(all_figures(liten)), _queries(all_figures(stor))
    assert small == large
    assert small <= 8


def test_udekket_dataclass_hours_are_real_hours():
    item = Udekket(kommune_id=1, distrikt_id=None, start=lokal(2025, 10, 25, 20), slutt=lokal(2025, 10, 26, 8),
                   arsak="ingen_lege")
    assert item.timer == 13.0


def test_frequency_text():
    assert belastning.hyppighet_tekst(None) == "–"
    assert belastning.hyppighet_tekst(3.99) == "1:3,9"
    assert belastning.hyppighet_tekst(4.0) == "1:4"
