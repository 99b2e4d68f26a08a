"""The nightly vacancy job (lister.ledighet_jobb, task lister.vacancy_flags): cases opened and
closed, each kind of flag raised and resolved, one open flag per list and kind however often it
runs, the e-mail digest to the kommuneoverlege, a constant number of queries, the JobRun and the
history rows naming the task."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import jobs
from core.dates import add_months
from core.models import JobRun
from core.tenancy import unscoped
from lister import ledighet_jobb
from lister.models import Dekning, Ledighetssak, Ledighetsvarsel, Listetall, Pasientliste, Soker, Utlysning
from lister.tasks import vacancy_flags
from tests import register
from tests.conftest import in_kommune, user_with_role
from tests.lister.test_ledighet import D, fastlege, sak, vikar

LedighetsvarselEvent = apps.get_model("lister", "LedighetsvarselEvent")
LedighetssakEvent = apps.get_model("lister", "LedighetssakEvent")


@pytest.fixture
def k(bergen):
    with in_kommune(bergen):
        yield bergen


def run(k, day=D, **kwargs):
    return ledighet_jobb.run(on=day, now=dt.datetime.combine(day, dt.time(1, 30), tzinfo=dt.UTC), kommune_id=k.pk, **kwargs)


def open_flags(liste) -> dict[str, dict]:
    return dict(Ledighetsvarsel.objects.filter(pasientliste=liste, lost__isnull=True).values_list("type", "detaljer"))


def vacant_since(k, day: dt.date, **kwargs) -> Pasientliste:
    """A list that has never had a fastlege, valid from `day` (its own case is removed: the job's cases are tested apart)."""
    liste = register.liste(k, fra=day, **kwargs)
    Ledighetssak.objects.filter(pasientliste=liste).delete()
    return liste


def test_the_job_is_registered_at_half_past_one():
    job = jobs.job_for_task("lister.vacancy_flags")
    assert job is not None and (job.hour, job.minute) == (1, 30)


def test_running_twice_creates_no_duplicates_and_clears_what_no_longer_holds(k):
    liste = vacant_since(k, D - dt.timedelta(days=40))
    first = run(k)
    assert first["varsler_reist"] == 3 and first["varsler_lost"] == 0
    assert set(open_flags(liste)) == {"ble_ledig", "ledig_30", "udekket"}

    again = run(k)
    assert (again["varsler_reist"], again["varsler_oppdatert"], again["varsler_lost"], again["saker_apnet"]) == (0, 0, 0, 0)
    assert Ledighetsvarsel.objects.count() == 3

    # Runs on the next days keep one open flag per list and kind; the details follow the day.
    for days in (1, 2, 5):
        run(k, D + dt.timedelta(days=days))
    assert Ledighetsvarsel.objects.count() == 3
    assert open_flags(liste)["udekket"]["forste_dag"] == (D + dt.timedelta(days=5)).isoformat()

    # A new fastlege from the next day: every flag resolves itself, the case closes, nothing is raised.
    later = D + dt.timedelta(days=6)
    fastlege(k, liste, fra=later)
    result = run(k, later)
    assert result["varsler_lost"] == 3 and result["varsler_reist"] == 0
    assert open_flags(liste) == {}
    assert all(f.lost is not None and f.lost >= f.reist for f in Ledighetsvarsel.objects.all())
    assert run(k, later)["varsler_lost"] == 0


def test_a_vacant_list_without_a_case_gets_one_once_and_a_new_fastlege_closes_it(k):
    liste = register.liste(k)
    avtale = fastlege(k, liste, til=D - dt.timedelta(days=10))  # closes the new list's own case
    assert not Ledighetssak.objects.filter(pasientliste=liste, avsluttet__isnull=True).exists()

    assert run(k)["saker_apnet"] == 1
    case = Ledighetssak.objects.get(pasientliste=liste, avsluttet__isnull=True)
    assert (case.arsak, case.fastlege_id, case.fastlege_slutt, case.kjent) == ("annet", avtale.lege_id, D - dt.timedelta(days=10), D)
    assert "Nattjobben" in case.merknad
    assert run(k)["saker_apnet"] == 0
    assert Ledighetssak.objects.filter(pasientliste=liste).exclude(arsak="ny_liste").count() == 1

    # A successor's period (signed here without closing the case, as by another way in): the job closes
    # the case on the day the period begins, even when that is still ahead.
    successor_start = D + dt.timedelta(days=20)
    fastlege(k, liste, fra=successor_start)
    Ledighetssak.objects.filter(pk=case.pk).update(avsluttet=None)
    assert run(k)["saker_avsluttet"] == 1
    case.refresh_from_db()
    assert case.avsluttet == successor_start
    assert run(k)["saker_avsluttet"] == 0


def test_case_of_the_departing_gp_is_not_closed_by_the_gps_own_period(k):
    liste = register.liste(k)
    avtale = fastlege(k, liste, til=D + dt.timedelta(days=30))
    case = sak(k, liste, fastlege=avtale.lege, kjent=dt.date(2026, 1, 1), fastlege_slutt=D + dt.timedelta(days=30))
    run(k)
    case.refresh_from_db()
    assert case.avsluttet is None


@pytest.mark.parametrize(("days_vacant", "expected"), [
    (30, set()), (31, {"ledig_30"}), (91, {"ledig_30", "ledig_90"}), (366, {"ledig_30", "ledig_90", "ledig_365"}),
])
def test_vacant_longer_than_30_90_and_365_days(k, days_vacant, expected):
    liste = vacant_since(k, D - dt.timedelta(days=days_vacant))
    run(k)
    flags = open_flags(liste)
    assert {t for t in flags if t.startswith("ledig_")} == expected
    for kind in expected:
        assert flags[kind]["ledig_fra"] == (D - dt.timedelta(days=days_vacant)).isoformat()
    fastlege(k, liste, fra=D + dt.timedelta(days=1))
    run(k, D + dt.timedelta(days=1))
    assert open_flags(liste) == {}


def test_uncovered_days_flag_with_listeinnbyggere_cleared_by_cover(k):
    liste = vacant_since(k, D - dt.timedelta(days=3))
    Listetall.objects.create(kommune=k, pasientliste=liste, dato=dt.date(2026, 3, 1), listelengde=1234)
    run(k)
    assert open_flags(liste)["udekket"] == {"dager": 22, "forste_dag": D.isoformat(), "listeinnbyggere": 1234,
                                            "horisont_dager": 30}
    vikar(k, liste, fra=D, til=D + dt.timedelta(days=14))
    assert run(k)["varsler_oppdatert"] == 1
    assert open_flags(liste)["udekket"]["forste_dag"] == (D + dt.timedelta(days=14)).isoformat()
    Dekning.objects.create(kommune=k, pasientliste=liste, type="kollegial", fra=D + dt.timedelta(days=14),
                           til=D + dt.timedelta(days=40))
    run(k)
    assert set(open_flags(liste)) == {"ble_ledig"}  # still without a fastlege, but every weekday covered


def test_vikar_ending_soon_without_a_successor(k):
    liste = vacant_since(k, dt.date(2025, 1, 1))
    ends = D + dt.timedelta(days=7)  # Wednesday 11 March
    periode = vikar(k, liste, fra=dt.date(2026, 1, 1), til=ends)
    run(k)
    flag = open_flags(liste)["vikar_slutter"]
    assert flag["til"] == ends.isoformat()
    assert flag["perioder"] == [{"periode_id": periode.pk, "lege_id": periode.lege_id, "til": ends.isoformat(),
                                 "stillingsprosent": 100}]
    # A successor from the day after the last day clears it.
    vikar(k, liste, fra=ends, til=ends + dt.timedelta(days=90))
    run(k)
    assert "vikar_slutter" not in open_flags(liste)


def test_vikar_ending_beyond_the_window_or_before_a_new_fastlege_or_a_weekend_successor_is_no_flag(k):
    far = vacant_since(k, dt.date(2025, 1, 1))
    vikar(k, far, fra=dt.date(2026, 1, 1), til=D + dt.timedelta(days=15))  # 15 days: beyond 14
    gp_takes_over = vacant_since(k, dt.date(2025, 1, 1))
    vikar(k, gp_takes_over, fra=dt.date(2026, 1, 1), til=D + dt.timedelta(days=7))
    fastlege(k, gp_takes_over, fra=D + dt.timedelta(days=7))
    weekend = vacant_since(k, dt.date(2025, 1, 1))
    saturday = D + dt.timedelta(days=3)
    vikar(k, weekend, fra=dt.date(2026, 1, 1), til=saturday)  # last day Friday
    vikar(k, weekend, fra=saturday + dt.timedelta(days=2), til=D + dt.timedelta(days=90))  # from Monday
    run(k)
    for liste in (far, gp_takes_over, weekend):
        assert "vikar_slutter" not in open_flags(liste), liste
    run(k, D + dt.timedelta(days=1))
    assert "vikar_slutter" in open_flags(far)  # now within 14 days


def test_vikar_use_beyond_the_limit(k):
    long_ = vacant_since(k, dt.date(2024, 1, 1))
    start = add_months(D, -13)
    vikar(k, long_, fra=start, til=add_months(D, -5))
    vikar(k, long_, fra=add_months(D, -5), til=D + dt.timedelta(days=60))  # adjoining: one unbroken cover
    short = vacant_since(k, dt.date(2024, 1, 1))
    vikar(k, short, fra=add_months(D, -11), til=D + dt.timedelta(days=60))
    broken = vacant_since(k, dt.date(2024, 1, 1))
    vikar(k, broken, fra=start, til=add_months(D, -5))
    # A weekday's gap (the first period ends on Friday 3 October 2025; Monday 6 October is uncovered).
    assert add_months(D, -5).weekday() == 5
    vikar(k, broken, fra=add_months(D, -5) + dt.timedelta(days=3), til=D + dt.timedelta(days=60))
    run(k)
    assert open_flags(long_)["vikar_lang"] == {"fra": start.isoformat(), "grense_maneder": 12}
    assert "vikar_lang" not in open_flags(short)
    assert "vikar_lang" not in open_flags(broken)
    later = D + dt.timedelta(days=61)
    run(k, later)
    assert "vikar_lang" not in open_flags(long_)


def test_kommunens_cost_period_ending_soon(k):
    liste = register.liste(k)
    soon = sak(k, liste, naeringsdrivende=True, kjent=dt.date(2025, 6, 1),
               fastlege_slutt=D - dt.timedelta(days=100), kostnadsperiode_til=D + dt.timedelta(days=20))
    run(k)
    assert open_flags(liste)["kostnadsperiode"] == {"sak_id": soon.pk,
                                                    "kostnadsperiode_til": (D + dt.timedelta(days=20)).isoformat()}
    Ledighetssak.objects.filter(pk=soon.pk).update(kostnadsperiode_til=D + dt.timedelta(days=31))
    run(k)
    assert "kostnadsperiode" not in open_flags(liste)
    Ledighetssak.objects.filter(pk=soon.pk).update(kostnadsperiode_til=D)  # ended today: nothing ahead
    run(k)
    assert "kostnadsperiode" not in open_flags(liste)


def test_hjemfall_possible_and_cleared_by_a_qualified_applicant(k):
    liste = register.liste(k)
    mottatt = dt.date(2025, 1, 15)
    case = sak(k, liste, kjent=mottatt, oppsigelse_mottatt=mottatt, fastlege_slutt=dt.date(2025, 7, 15),
               naeringsdrivende=True)
    for month in (4, 8, 12):
        Utlysning.objects.create(kommune=k, sak=case, dato=dt.date(2025, month, 1))
    run(k)
    assert open_flags(liste)["hjemfall"] == {"sak_id": case.pk, "mulig_fra": "2026-01-15"}
    Soker.objects.create(kommune=k, sak=case, navn="Dr. Søker", mottatt=dt.date(2026, 2, 1), vurdering="kvalifisert")
    run(k)
    assert "hjemfall" not in open_flags(liste)


def test_a_cleared_condition_that_returns_raises_a_new_flag(k):
    liste = vacant_since(k, D - dt.timedelta(days=3))
    run(k)
    dekning = Dekning.objects.create(kommune=k, pasientliste=liste, type="kontoret", fra=D, til=D + dt.timedelta(days=40))
    run(k)
    Dekning.objects.filter(pk=dekning.pk).delete()
    run(k)
    udekket = Ledighetsvarsel.objects.filter(pasientliste=liste, type="udekket").order_by("id")
    assert [f.lost is None for f in udekket] == [False, True]


def test_e_mail_digest_once_per_kommune_to_the_kommuneoverlege_only(bergen, sunnfjord):
    overlege = user_with_role("kommuneoverlege", bergen)
    saksbehandler = user_with_role("saksbehandler", bergen)
    sf_overlege = user_with_role("kommuneoverlege", sunnfjord)
    with in_kommune(bergen):
        b_liste = vacant_since(bergen, D - dt.timedelta(days=3), navn="Liste Nordnes")
    with in_kommune(sunnfjord):
        vacant_since(sunnfjord, D - dt.timedelta(days=3), navn="Liste Førde")
    now = dt.datetime(2026, 3, 4, 0, 30, tzinfo=dt.UTC)
    with unscoped(reason="test: the nightly job across kommuner"):
        result = ledighet_jobb.run(on=D, now=now)
    assert result["eposter_sendt"] == 2
    by_recipient = {tuple(m.to): m for m in mail.outbox}
    assert set(by_recipient) == {(overlege.email,), (sf_overlege.email,)}
    assert saksbehandler.email not in {addr for m in mail.outbox for addr in m.to}
    bergen_mail = by_recipient[(overlege.email,)]
    assert "Bergen" in bergen_mail.subject and "2" in bergen_mail.subject
    assert "Liste Nordnes" in bergen_mail.body and "Liste Førde" not in bergen_mail.body
    assert "/lister/ubesatte/" in bergen_mail.body
    with unscoped(reason="test"):
        assert not Ledighetsvarsel.objects.filter(varslet__isnull=True).exists()
        assert set(Ledighetsvarsel.objects.values_list("varslet", flat=True)) == {now}

    with unscoped(reason="test: the nightly job across kommuner"):
        assert ledighet_jobb.run(on=D, now=now)["eposter_sendt"] == 0
    assert len(mail.outbox) == 2

    # A new flag the next run: one mail with just that flag.
    with in_kommune(bergen):
        Dekning.objects.create(kommune=bergen, pasientliste=b_liste, type="kollegial", fra=D, til=D + dt.timedelta(days=5))
        vikar(bergen, b_liste, fra=D + dt.timedelta(days=5), til=D + dt.timedelta(days=12))
    with unscoped(reason="test: the nightly job across kommuner"):
        assert ledighet_jobb.run(on=D, now=now)["eposter_sendt"] == 1
    assert len(mail.outbox) == 3 and mail.outbox[2].to == [overlege.email]
    assert "Vikarperiode slutter snart" in mail.outbox[2].body


def test_kommune_without_a_kommuneoverlege_gets_no_mail_and_keeps_its_flags_unsent(k):
    user_with_role("saksbehandler", k)
    vacant_since(k, D - dt.timedelta(days=3))
    assert run(k)["eposter_sendt"] == 0
    assert mail.outbox == []
    assert Ledighetsvarsel.objects.filter(varslet__isnull=True).count() == 2


def _world(k, count: int) -> None:
    """`count` lists in every state: without a fastlege, with vikar, cover, cases, figures."""
    kontor = register.legekontor(k)
    lists = Pasientliste.objects.bulk_create([
        Pasientliste(kommune=k, legekontor=kontor, listetak=1000, gyldig_fra=dt.date(2020, 1, 1)) for _ in range(count)
    ])
    Listetall.objects.bulk_create([Listetall(kommune=k, pasientliste=lst, dato=dt.date(2026, 2, 1), listelengde=900) for lst in lists])
    for lst in lists[:3]:
        vikar(k, lst, fra=add_months(D, -14), til=D + dt.timedelta(days=5))
    Dekning.objects.create(kommune=k, pasientliste=lists[3], type="kollegial", fra=D, til=D + dt.timedelta(days=10))
    sak(k, lists[4], naeringsdrivende=True, fastlege_slutt=D - dt.timedelta(days=30), kostnadsperiode_til=D + dt.timedelta(days=10))


def test_query_count_is_the_same_for_10_and_100_lists(bergen, sunnfjord):
    user_with_role("kommuneoverlege", bergen)
    user_with_role("kommuneoverlege", sunnfjord)
    counts = {}
    for kommune, size in ((bergen, 10), (sunnfjord, 100)):
        with in_kommune(kommune):
            _world(kommune, size)
        with unscoped(reason="test: the nightly job for one kommune"), CaptureQueriesContext(connection) as ctx:
            result = ledighet_jobb.run(on=D, now=dt.datetime(2026, 3, 4, 1, 30, tzinfo=dt.UTC), kommune_id=kommune.pk)
        assert result["varsler_reist"] >= size and result["eposter_sendt"] == 1
        counts[size] = len(ctx.captured_queries)
    assert counts[10] == counts[100], counts
    assert counts[10] <= 10, counts


def test_the_task_records_a_job_run_and_history_names_the_task(bergen):
    today = dt.date.today()
    with in_kommune(bergen):
        liste = register.liste(bergen)
        fastlege(bergen, liste, fra=dt.date(2026, 1, 5), til=today - dt.timedelta(days=3))
    counts = vacancy_flags.apply().get()
    assert counts["saker_apnet"] == 1 and counts["varsler_reist"] >= 2
    run_ = JobRun.objects.filter(job="lister.vacancy_flags").latest("started")
    assert run_.outcome == JobRun.Outcome.OK and run_.counts == counts
    with in_kommune(bergen):
        flags = list(Ledighetsvarsel.objects.filter(pasientliste=liste))
    actor = "oppgave:lister.vacancy_flags"
    events = LedighetsvarselEvent.objects.filter(pgh_obj_id__in=[f.pk for f in flags], pgh_label="insert")
    assert events.count() == len(flags)
    assert {e.pgh_context.metadata["actor"] for e in events} == {actor}
    case_events = LedighetssakEvent.objects.filter(pasientliste_id=liste.pk, arsak="annet", pgh_label="insert")
    assert [e.pgh_context.metadata["actor"] for e in case_events] == [actor]


def test_a_long_digest_counts_per_kind_and_lists_the_first_ones(k, monkeypatch):
    user_with_role("kommuneoverlege", k)
    for days in (3, 40, 400):
        vacant_since(k, D - dt.timedelta(days=days), navn=f"Liste {days}")
    monkeypatch.setattr(ledighet_jobb, "MAKS_I_EPOST", 4)
    result = run(k)
    assert result["eposter_sendt"] == 1 and result["varsler_reist"] == 10
    body = mail.outbox[0].body
    assert "3 × Listen er uten fastlege" in body and "1 × Uten fastlege i over 365 dager" in body
    assert body.count("\n- ") == 4 and "… og 6 varsler til." in body
    assert Ledighetsvarsel.objects.filter(varslet__isnull=True).count() == 0
