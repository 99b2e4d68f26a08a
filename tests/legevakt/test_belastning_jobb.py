"""The nightly overload job (legevakt.belastning_jobb, task legevakt.overload_flags): the
small-district rule, each kind of flag raised on a constructed case and resolved when the load
drops, one open flag per district and kind however often it runs, a constant number of queries,
the e-mail digest to the kommuneoverleger of the vertskommune and the deltakerkommuner, the JobRun
and the history rows naming the task."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import jobs
from core.models import JobRun
from core.tenancy import unscoped
from kommune.models import Innbyggertall, Kommune
from legevakt import belastning_jobb, tid
from legevakt.models import Belastningsvarsel, Legevaktdistrikt, Medlemskap, Normtall, Vakt
from tests import register
from tests.conftest import in_kommune, kommune, user_with_role

BelastningsvarselEvent = apps.get_model("legevakt", "BelastningsvarselEvent")

D = dt.date(2026, 11, 23)  # a Monday; no DST change and no public holiday within four weeks either side
NOW = dt.datetime(2026, 11, 23, 0, 45, tzinfo=dt.UTC)


def sentralitet(nummer: str, klasse: int | None) -> Kommune:
    with unscoped(reason="test: set a kommune's sentralitetsklasse"):
        Kommune.objects.filter(kommunenummer=nummer).update(sentralitetsklasse=klasse)
    return kommune(nummer)


def distrikt(vert: Kommune, *deltakere: Kommune, navn: str = "Indre Helgeland legevakt", tidsbolk: str = "dogn",
             fra: dt.date = dt.date(2026, 1, 1)) -> Legevaktdistrikt:
    with in_kommune(vert):
        d = Legevaktdistrikt.objects.create(kommune=vert, navn=navn, type="interkommunal" if deltakere else "en_kommune")
        for medlem in (vert, *deltakere):
            Medlemskap.objects.create(kommune=vert, distrikt=d, medlem=medlem, tidsbolk=tidsbolk, fra=fra)
    return d


def leger(k: Kommune, antall: int) -> list:
    with in_kommune(k):
        return [register.lege(k) for _ in range(antall)]


def vakt(d: Legevaktdistrikt, lege, start: dt.datetime, timer: float, type_: str = "hjemmevakt", **fields) -> Vakt:
    slutt = start + dt.timedelta(hours=timer)
    with in_kommune(d.kommune):
        return Vakt.objects.create(kommune=d.kommune, distrikt=d, lege=lege, type=type_,
                                   vaktklasse=3 if type_ == "tilstedevakt" else 1, start=start, slutt=slutt,
                                   dagkategori=tid.dagkategori(start), **fields)


def rotasjon(d: Legevaktdistrikt, doctors: list, *, fra: dt.date = D - dt.timedelta(days=28), dager: int = 56,
             klokken: int = 8, timer: float = 24, type_: str = "hjemmevakt") -> list[Vakt]:
    """One shift a day from `klokken` local time, the doctors in turn."""
    result = []
    for n in range(dager):
        start = dt.datetime.combine(fra + dt.timedelta(days=n), dt.time(klokken), tzinfo=tid.OSLO)
        result.append(vakt(d, doctors[n % len(doctors)], start, timer, type_))
    return result


def run(k: Kommune | None = None, day: dt.date = D, now: dt.datetime = NOW) -> dict:
    if k is None:
        with unscoped(reason="test: the nightly job across kommuner"):
            return belastning_jobb.run(on=day, now=now)
    with in_kommune(k):
        return belastning_jobb.run(on=day, now=now, kommune_id=k.pk)


def open_flags(d: Legevaktdistrikt) -> dict[str, dict]:
    with unscoped(reason="test: inspect the flags"):
        return dict(Belastningsvarsel.objects.filter(distrikt=d, lost__isnull=True).values_list("type", "detaljer"))


@pytest.fixture
def grane(db):
    return sentralitet("1825", 6)


@pytest.fixture
def hattfjelldal(db):
    return sentralitet("1826", 6)


@pytest.fixture
def small(grane, hattfjelldal):
    """Grane (vertskommune) and Hattfjelldal, three doctors on 24-hour hjemmevakt in turn: every
    third day each, over the last and next four weeks."""
    d = distrikt(grane, hattfjelldal)
    doctors = leger(grane, 3)
    rotasjon(d, doctors)
    return d, doctors


def test_the_job_is_registered_outside_the_forbidden_hour():
    job = jobs.job_for_task("legevakt.overload_flags")
    assert job is not None and job.name == "legevakt.overload_flags" and (job.hour, job.minute) == (1, 45)


def test_an_overloaded_small_district_raises_its_flags_once_and_a_second_run_changes_nothing(small, grane):
    d, doctors = small
    first = run(grane)
    assert first["varsler_reist"] == 3 and first["varsler_lost"] == 0
    flags = open_flags(d)
    assert set(flags) == {"fa_leger", "hyppighet", "beredskap"}
    assert flags["fa_leger"] == {"leger": 3, "grense": 3}
    hyppig = flags["hyppighet"]
    assert hyppig["grense"] == 4 and [lege["lege_id"] for lege in hyppig["leger"]] == sorted(x.pk for x in doctors)
    assert all(lege["vaktdogn_siste"] in (9, 10) and lege["hver_siste"] < 4 for lege in hyppig["leger"])
    beredskap = flags["beredskap"]
    assert beredskap["er_regel"] is False and "ikke en regel" in beredskap["kilde"]
    assert beredskap["grense_timer_per_uke"] == 28
    # 9 days of 24 hours in four weeks: 54 hours per week; the first doctor's tenth day (the day before)
    # is cut at midnight: 9 × 24 + 16 hours = 58 hours per week.
    assert sorted(lege["timer_per_uke_siste"] for lege in beredskap["leger"]) == [54.0, 54.0, 58.0]
    assert "sentralitet_ukjent" not in flags["fa_leger"]

    with unscoped(reason="test: snapshot"):
        before = list(Belastningsvarsel.objects.order_by("id").values())
        events = BelastningsvarselEvent.objects.count()
    again = run(grane)
    assert (again["varsler_reist"], again["varsler_oppdatert"], again["varsler_lost"]) == (0, 0, 0)
    with unscoped(reason="test: snapshot"):
        assert list(Belastningsvarsel.objects.order_by("id").values()) == before
        assert BelastningsvarselEvent.objects.count() == events


def test_flags_resolve_when_the_load_drops(small, grane):
    d, doctors = small
    run(grane)
    # A fourth doctor takes every other shift of the first doctor's: four in the rota.
    fourth = leger(grane, 1)[0]
    with in_kommune(grane):
        mine = list(Vakt.objects.filter(distrikt=d, lege=doctors[0]).order_by("start"))
        for shift in mine[::2]:
            Vakt.objects.filter(pk=shift.pk).update(status="avlyst", avlyst_arsak="annet")
            vakt(d, fourth, shift.start, 24)
    result = run(grane)
    assert "fa_leger" not in open_flags(d) and result["varsler_lost"] >= 1
    # Still small (grant criteria), still frequent. Now cancel most shifts: nobody above 1 in 4 or 28 hours.
    with in_kommune(grane):
        keep = set(Vakt.objects.filter(distrikt=d, status="aktiv").order_by("start").values_list("id", flat=True)[::4])
        Vakt.objects.filter(distrikt=d, status="aktiv").exclude(id__in=keep).update(status="avlyst", avlyst_arsak="annet")
    run(grane)
    flags = open_flags(d)
    assert "hyppighet" not in flags and "beredskap" not in flags
    assert "udekket" in flags  # the cancelled shifts left gaps
    with unscoped(reason="test"):
        resolved = Belastningsvarsel.objects.filter(distrikt=d, lost__isnull=False)
        assert {f.type for f in resolved} == {"fa_leger", "hyppighet", "beredskap"}
        assert all(f.lost >= f.reist for f in resolved)


def test_uncovered_intervals_in_the_next_four_weeks(grane, hattfjelldal):
    d = distrikt(grane, hattfjelldal)
    doctors = leger(grane, 3)
    # Nights only (16:00–08:00): the days 08–16 are uncovered for kommuner in the band «døgn».
    rotasjon(d, doctors, klokken=16, timer=16)
    run(grane)
    udekket = open_flags(d)["udekket"]
    assert udekket["antall"] == 28 and udekket["timer"] == 28 * 8.0
    assert udekket["kommuner"] == ["1825", "1826"]
    first = udekket["intervaller"][0]
    assert dt.datetime.fromisoformat(first["start"]) == dt.datetime(2026, 11, 23, 8, tzinfo=tid.OSLO)
    assert dt.datetime.fromisoformat(first["slutt"]) == dt.datetime(2026, 11, 23, 16, tzinfo=tid.OSLO)
    assert len(udekket["intervaller"]) == belastning_jobb.MAKS_INTERVALLER
    # With the members in the band «utenfor dagtid» only, weekdays 08–16 are somebody else's: only
    # weekend and holiday days are uncovered.
    with in_kommune(grane):
        Medlemskap.objects.filter(distrikt=d).update(tidsbolk="utenfor_dagtid")
    run(grane)
    udekket = open_flags(d)["udekket"]
    assert udekket["antall"] == 8  # four Saturdays and four Sundays, 08–16
    # Daytime cover on those days clears the flag.
    for n in range(28):
        day = D + dt.timedelta(days=n)
        if day.weekday() >= 5:
            vakt(d, doctors[(n + 1) % 3], dt.datetime.combine(day, dt.time(8), tzinfo=tid.OSLO), 8, "tilstedevakt")
    run(grane)
    assert "udekket" not in open_flags(d)


def test_rest_breach_competence_exception_and_normtall(small, grane):
    d, doctors = small
    with in_kommune(grane):
        shift = Vakt.objects.filter(distrikt=d, start__gte=tid.dagstart(D)).order_by("start").first()
        Vakt.objects.filter(pk=shift.pk).update(hvilebrudd_begrunnelse="Ingen andre kunne ta vakten.")
    # 104 days (80 % of 130) under the § 4 exception this year for a new doctor, the last in the window.
    lis = leger(grane, 1)[0]
    with in_kommune(grane):
        Vakt.objects.bulk_create([
            Vakt(kommune=grane, distrikt=d, lege=lis, type="bakvakt", vaktklasse=1, unntak_kompetanse=True,
                 start=dt.datetime.combine(day, dt.time(1), tzinfo=tid.OSLO),
                 slutt=dt.datetime.combine(day, dt.time(2), tzinfo=tid.OSLO), dagkategori=tid.dagkategori(
                     dt.datetime.combine(day, dt.time(1), tzinfo=tid.OSLO)))
            for day in (D - dt.timedelta(days=n) for n in range(1, 104))
        ])
    with unscoped(reason="test: the national normtall table"):
        Normtall.objects.create(befolkningsgruppe="I", vakttype="hjemmevakt", min_leger=5, kilde="test", gyldig_fra=dt.date(2024, 1, 1))
        Normtall.objects.create(befolkningsgruppe="II", vakttype="hjemmevakt", min_leger=9, kilde="test", gyldig_fra=dt.date(2024, 1, 1))
    run(grane)
    flags = open_flags(d)
    assert flags["hvilebrudd"] == {"antall": 1, "datoer": [tid.lokal(shift.start).date().isoformat()], "vakter": [shift.pk]}
    assert "kompetanseunntak" not in flags  # 103 days
    assert flags["normtall"] == {"befolkningsgruppe": "I",
                                 "brudd": [{"vakttype": "hjemmevakt", "leger": 3, "min_leger": 5}]}
    vakt(d, lis, dt.datetime.combine(D + dt.timedelta(days=2), dt.time(1), tzinfo=tid.OSLO), 1, "bakvakt",
         unntak_kompetanse=True)
    run(grane)
    assert open_flags(d)["kompetanseunntak"] == {"leger": [{"lege_id": lis.pk, "dager": 104}], "grense_dager": 130,
                                                 "terskel_dager": 104}
    with in_kommune(grane):
        Vakt.objects.filter(pk=shift.pk).update(hvilebrudd_begrunnelse="")
    run(grane)
    assert "hvilebrudd" not in open_flags(d)


def test_three_small_sentralitet_6_kommuner_make_a_small_district_even_with_many_doctors(grane, hattfjelldal):
    bo = sentralitet("1867", 6)
    d = distrikt(grane, hattfjelldal, bo)
    doctors = leger(grane, 8)
    rotasjon(d, doctors, klokken=16, timer=16)  # nights only: uncovered days
    state = run(grane) and belastning_jobb.tilstand(on=D, distrikt_ids=[d.pk])[d.pk]
    assert state.liten and state.tilskudd_kommuner == ["1825", "1826", "1867"] and state.leger == 8
    assert state.innbyggere == 1447 + 1284 + 2634 and state.befolkningsgruppe == "I"
    assert set(open_flags(d)) == {"udekket"}  # eight doctors: no frequency, few-doctors or on-call flag


def test_not_small_for_central_kommuner_with_many_doctors(db):
    bergen = sentralitet("4601", 2)
    askoy = sentralitet("4627", 2)
    d = distrikt(bergen, askoy, navn="Bergen legevakt")
    rotasjon(d, leger(bergen, 6), klokken=16, timer=16)
    run(bergen)
    state = belastning_jobb.tilstand(on=D, distrikt_ids=[d.pk])[d.pk]
    assert not state.liten and state.tilskudd_kommuner == []
    assert open_flags(d) == {}
    # A small sentralitet-2 kommune does not meet the grant criteria either.
    with unscoped(reason="test"):
        assert Innbyggertall.objects.get(kommune=askoy).antall > 5000


def test_unknown_sentralitet_uses_population_alone_and_says_so(hattfjelldal):
    grane = sentralitet("1825", None)
    d = distrikt(grane, hattfjelldal)
    rotasjon(d, leger(grane, 5))
    run(grane)
    state = belastning_jobb.tilstand(on=D, distrikt_ids=[d.pk])[d.pk]
    assert state.liten and state.sentralitet_ukjent == ["1825"]
    flags = open_flags(d)
    assert flags and all(f["sentralitet_ukjent"] == ["1825"] for f in flags.values())
    assert set(flags) == {"beredskap"}  # five doctors: every fifth day, 24 hours: 33.6 hours per week
    text = belastning_jobb.detalj_tekst("beredskap", flags["beredskap"])
    assert any("Sentralitetsklassen er ukjent for 1825" in line for line in text)


def test_e_mail_digest_goes_to_the_kommuneoverlege_of_the_vertskommune_and_each_deltakerkommune(small, grane, hattfjelldal):
    d, _doctors = small
    vert = user_with_role("kommuneoverlege", grane)
    deltaker = user_with_role("kommuneoverlege", hattfjelldal)
    saksbehandler = user_with_role("saksbehandler", grane)
    result = run()
    assert result["eposter_sendt"] == 2 and result["eposter_feilet"] == 0
    by_recipient = {tuple(m.to): m for m in mail.outbox}
    assert set(by_recipient) == {(vert.email,), (deltaker.email,)}
    assert saksbehandler.email not in {a for m in mail.outbox for a in m.to}
    body = by_recipient[(deltaker.email,)].body
    assert "Indre Helgeland legevakt" in body and "Tre eller færre leger" in body and "/legevakt/oversikt/" in body
    assert "3 leger i vaktordningen" in body
    assert "Hattfjelldal" in by_recipient[(deltaker.email,)].subject
    with unscoped(reason="test"):
        assert not Belastningsvarsel.objects.filter(varslet__isnull=True).exists()
    assert run()["eposter_sendt"] == 0
    assert len(mail.outbox) == 2


def test_flags_nobody_can_be_told_of_stay_unsent(small, grane):
    result = run(grane)
    assert result["eposter_sendt"] == 0 and mail.outbox == []
    with unscoped(reason="test"):
        assert Belastningsvarsel.objects.filter(varslet__isnull=True).count() == 3


def _world(k: Kommune, deltaker: Kommune, antall: int) -> None:
    d = distrikt(k, deltaker, navn=f"Distrikt {antall}")
    doctors = leger(k, 10)
    per_doctor = antall // 10
    base = tid.dagstart(D - dt.timedelta(days=20))
    with in_kommune(k):
        Vakt.objects.bulk_create([
            Vakt(kommune=k, distrikt=d, lege=doctors[i], type="hjemmevakt" if n % 3 else "tilstedevakt",
                 vaktklasse=1 if n % 3 else 3, start=base + dt.timedelta(hours=12 * n + i),
                 slutt=base + dt.timedelta(hours=12 * n + i + 4), dagkategori="hverdag",
                 hvilebrudd_begrunnelse="x" if n == 1 else "", unntak_kompetanse=n % 2 == 0)
            for i in range(10) for n in range(per_doctor)
        ])


def test_query_count_is_the_same_for_100_and_1000_shifts(grane, hattfjelldal):
    sandnes = sentralitet("1868", 6)
    bo = sentralitet("1867", 6)
    for k in (grane, sandnes):
        user_with_role("kommuneoverlege", k)
    counts = {}
    for k, deltaker, size in ((grane, hattfjelldal, 100), (sandnes, bo, 1000)):
        _world(k, deltaker, size)
        with in_kommune(k):
            assert Vakt.objects.filter(kommune=k).count() == size
        with CaptureQueriesContext(connection) as ctx:
            result = run(k)
        assert result["varsler_reist"] >= 3 and result["eposter_sendt"] == 1
        counts[size] = len(ctx.captured_queries)
    assert counts[100] == counts[1000], counts
    assert counts[100] <= 12, counts


def test_the_task_records_a_job_run_and_history_names_the_task(grane, hattfjelldal):
    from legevakt.tasks import overload_flags

    today = dt.date.today()
    d = distrikt(grane, hattfjelldal, fra=today - dt.timedelta(days=60))
    rotasjon(d, leger(grane, 2), fra=today - dt.timedelta(days=3), dager=10)
    counts = overload_flags.apply().get()
    assert counts["varsler_reist"] >= 2
    run_ = JobRun.objects.filter(job="legevakt.overload_flags").latest("started")
    assert run_.outcome == JobRun.Outcome.OK and run_.counts == counts
    with unscoped(reason="test"):
        ids = list(Belastningsvarsel.objects.filter(distrikt=d).values_list("id", flat=True))
    events = BelastningsvarselEvent.objects.filter(pgh_obj_id__in=ids, pgh_label="insert")
    assert events.count() == len(ids) >= 2
    assert {e.pgh_context.metadata["actor"] for e in events} == {"oppgave:legevakt.overload_flags"}


def test_the_demo_seeds_an_overloaded_small_district_and_a_city_district_idempotently(db):
    from django.core.management import call_command

    from legevakt.models import Fritak, Vaktbytte

    call_command("seed_demo", "--force")
    with unscoped(reason="test: inspect the demo"):
        grane_d = Legevaktdistrikt.objects.get(navn="Indre Helgeland legevakt")
        bergen_d = Legevaktdistrikt.objects.get(navn="Bergen legevakt")
        counts = (Vakt.objects.count(), Vaktbytte.objects.count(), Fritak.objects.count(), Belastningsvarsel.objects.count())
        assert Vakt.objects.filter(distrikt=grane_d).values("lege").distinct().count() == 3
        assert Vakt.objects.filter(distrikt=bergen_d).values("lege").distinct().count() >= 12
        assert Vakt.objects.filter(status="avlyst", avlyst_arsak="sykdom", erstatninger__isnull=False).count() == 1
        assert set(Vaktbytte.objects.values_list("status", flat=True)) == {"godkjent", "foreslatt"}
        flags = set(Belastningsvarsel.objects.filter(distrikt=grane_d, lost__isnull=True).values_list("type", flat=True))
        assert {"fa_leger", "hyppighet", "beredskap"} <= flags
        assert not Belastningsvarsel.objects.filter(distrikt=bergen_d).exists()
    call_command("seed_demo", "--force")
    with unscoped(reason="test: inspect the demo"):
        assert (Vakt.objects.count(), Vaktbytte.objects.count(), Fritak.objects.count(),
                Belastningsvarsel.objects.count()) == counts
