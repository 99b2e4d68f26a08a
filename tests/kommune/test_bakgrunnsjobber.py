"""Background jobs (kommune.bakgrunnsjobber): started on commit in the starter's scope, run once,
all or nothing with their ending, the input deleted in every ending, progress committed at once
(even inside the runner's transaction) and throttled, stale jobs ended; the job page (progress bar,
htmx polling that stops, errors per row) and the API, closed to other kommuner."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from core.context import scope
from kommune import bakgrunnsjobber
from kommune import services as kommune_services
from kommune.bakgrunnsjobber import JobbFeil
from kommune.models import Bakgrunnsjobb, Innbyggertall
from kommune.tasks import purge_stale_bakgrunnsjobber, run_bakgrunnsjobb
from tests.api_helpers import error
from tests.conftest import api_client_for, in_kommune, kommune, token_client, user_with_role

BakgrunnsjobbEvent = apps.get_model("kommune", "BakgrunnsjobbEvent")


def _ok(jobb, progress):
    progress.set(0, 4)
    for i in range(1, 5):
        progress.set(i, 4)
    return {"rader": 4}


def _writes_then_refuses(jobb, progress):
    kommune_services.record_innbyggertall(kommune=jobb.kommune, gjelder_fra=dt.date(2030, 1, 1), antall=1, kilde="test")
    raise JobbFeil([{"rad": 2, "felt": "dato", "melding": "Feil dato."}, {"rad": None, "felt": "fil", "melding": "Hele filen."}])


def _crashes(jobb, progress):
    raise ZeroDivisionError("hemmelig detalj")


def _many_errors(jobb, progress):
    raise JobbFeil([{"rad": i, "felt": "x", "melding": "feil"} for i in range(2, 2 + bakgrunnsjobber.MAX_FEIL + 7)])


def _chatty(jobb, progress):
    for i in range(10_001):
        progress.set(i, 10_000)
    return {"skrivinger": progress.writes}


def _side_connection():
    main = connections[DEFAULT_DB_ALIAS]
    return type(main)(dict(main.settings_dict), alias=DEFAULT_DB_ALIAS)


def _observed_outside(jobb, progress):
    """Sets progress inside the runner's transaction and reads it from another connection."""
    progress.set(3, 10)
    other = _side_connection()
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT behandlet, totalt FROM kommune_bakgrunnsjobb WHERE id = %s", [jobb.pk])
            seen = cursor.fetchone()
    finally:
        other.close()
    raise JobbFeil([{"rad": None, "felt": "", "melding": f"sett utenfra: {seen[0]} av {seen[1]}"}])


for _type, _runner in (("tests.ok", _ok), ("tests.refuses", _writes_then_refuses), ("tests.crashes", _crashes),
                       ("tests.many_errors", _many_errors), ("tests.chatty", _chatty), ("tests.observed", _observed_outside)):
    bakgrunnsjobber.register(_type, _runner, f"Testjobb {_type}", omrade="lister", resultat_etiketter={"rader": "Rader lest"})


def start(k, type_, *, actor="bruker:4242", inndata=b"data"):
    with scope(kommune_id=k.pk, actor=actor):
        return bakgrunnsjobber.start_job(kommune=k, type=type_, inndata=inndata, inndata_navn="fil.csv")


def fetch(k, pk) -> Bakgrunnsjobb:
    with in_kommune(k):
        return Bakgrunnsjobb.objects.get(pk=pk)


# --- running ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_job_is_queued_on_commit_in_the_starters_scope_and_ends_without_its_input(bergen, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        jobb = start(bergen, "tests.ok")
    assert fetch(bergen, jobb.pk).status == "venter" and fetch(bergen, jobb.pk).inndata is not None
    assert len(callbacks) == 1  # one task, sent when the transaction commits
    callbacks[0]()
    done = fetch(bergen, jobb.pk)
    assert (done.status, done.resultat, done.behandlet, done.totalt, done.prosent) == ("fullfort", {"rader": 4}, 4, 4, 100)
    assert done.inndata is None and done.ferdig is not None and done.startet is not None
    assert done.opprettet_av == "bruker:4242"
    assert {e.pgh_context.metadata["actor"] for e in BakgrunnsjobbEvent.objects.filter(pgh_obj_id=jobb.pk)} == {"bruker:4242"}


@pytest.mark.django_db
def test_a_job_runs_only_once(bergen, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        jobb = start(bergen, "tests.ok")
    before = fetch(bergen, jobb.pk)
    again = run_bakgrunnsjobb.apply(kwargs={"jobb_id": jobb.pk, "_kommune_id": bergen.pk, "_actor": "bruker:4242"}).get()
    assert again == {"kjort": 0}
    after = fetch(bergen, jobb.pk)
    assert (after.status, after.ferdig, after.resultat) == (before.status, before.ferdig, before.resultat)


@pytest.mark.django_db
def test_a_refusal_ends_the_job_failed_with_its_errors_and_undoes_the_runners_writes(bergen, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        jobb = start(bergen, "tests.refuses")
    failed = fetch(bergen, jobb.pk)
    assert failed.status == "feilet" and failed.inndata is None and failed.ferdig is not None
    assert failed.feil == [{"rad": 2, "felt": "dato", "melding": "Feil dato."}, {"rad": None, "felt": "fil", "melding": "Hele filen."}]
    with in_kommune(bergen):
        assert not Innbyggertall.objects.filter(gjelder_fra=dt.date(2030, 1, 1)).exists()


@pytest.mark.django_db
def test_an_unexpected_error_fails_the_job_with_a_general_message_and_logs_the_traceback(bergen, django_capture_on_commit_callbacks, caplog):
    with caplog.at_level(logging.ERROR, logger="kommune.bakgrunnsjobber"), django_capture_on_commit_callbacks(execute=True):
        jobb = start(bergen, "tests.crashes")
    failed = fetch(bergen, jobb.pk)
    assert failed.status == "feilet" and failed.inndata is None
    assert len(failed.feil) == 1 and "uventet feil" in failed.feil[0]["melding"]
    assert "hemmelig detalj" not in failed.feil[0]["melding"]
    assert "ZeroDivisionError" in caplog.text


@pytest.mark.django_db
def test_stored_errors_are_capped_and_the_rest_counted(bergen, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        jobb = start(bergen, "tests.many_errors")
    feil = fetch(bergen, jobb.pk).feil
    assert len(feil) == bakgrunnsjobber.MAX_FEIL + 1 and feil[-1]["melding"] == "… og 7 feil til."


@pytest.mark.django_db
def test_progress_writes_are_throttled_to_one_per_whole_percent(bergen, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        jobb = start(bergen, "tests.chatty")
    assert fetch(bergen, jobb.pk).resultat == {"skrivinger": 101}


@pytest.mark.django_db(transaction=True)
def test_progress_inside_the_runners_transaction_is_committed_at_once(kommune_data):
    """The page (another connection) sees the bar move while the runner's transaction is open,
    and the progress stays recorded even though the runner's work is rolled back."""
    bergen = kommune("4601")
    jobb = start(bergen, "tests.observed")  # no surrounding transaction: committed, and queued (eager) at once
    failed = fetch(bergen, jobb.pk)
    assert failed.status == "feilet"
    assert failed.feil[0]["melding"] == "sett utenfra: 3 av 10"
    events = list(BakgrunnsjobbEvent.objects.filter(pgh_obj_id=jobb.pk).order_by("pgh_id").values_list("status", "behandlet"))
    assert events == [("venter", 0), ("kjorer", 0), ("kjorer", 3), ("feilet", 3)]


@pytest.mark.django_db
def test_unknown_job_type_is_refused(bergen):
    with pytest.raises(ValueError, match="Ukjent jobbtype"):
        start(bergen, "tests.finnes_ikke")


# --- stale jobs ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_stale_jobs_in_every_kommune_are_ended_nightly_and_their_input_deleted(bergen, sunnfjord):
    old = timezone.now() - dt.timedelta(hours=2)
    made = {}
    for k, status, when in ((bergen, "venter", old), (sunnfjord, "kjorer", old), (bergen, "venter", timezone.now())):
        with in_kommune(k):
            made[(k.pk, status, when == old)] = Bakgrunnsjobb.objects.create(
                kommune=k, type="tests.ok", tittel="x", status=status, inndata=b"fil", opprettet=old if when == old else when,
                startet=old if status == "kjorer" else None, opprettet_av="bruker:1").pk
    assert purge_stale_bakgrunnsjobber.apply().get() == {"avbrutt": 2}
    stale_bergen = fetch(bergen, made[(bergen.pk, "venter", True)])
    stale_sunnfjord = fetch(sunnfjord, made[(sunnfjord.pk, "kjorer", True)])
    fresh = fetch(bergen, made[(bergen.pk, "venter", False)])
    for stale in (stale_bergen, stale_sunnfjord):
        assert stale.status == "feilet" and stale.inndata is None and "innen en time" in stale.feil[0]["melding"]
    assert fresh.status == "venter" and fresh.inndata is not None


# --- the page and the API --------------------------------------------------------------------------------------


def job(k, **fields) -> Bakgrunnsjobb:
    defaults = {"type": "tests.ok", "tittel": "Import av månedlige listetall", "status": "kjorer", "behandlet": 30,
                "totalt": 60, "opprettet_av": "bruker:1", "inndata_navn": "mars.csv"}
    defaults.update(fields)
    if defaults["status"] in ("fullfort", "feilet"):
        defaults.setdefault("ferdig", timezone.now())
    with in_kommune(k):
        return Bakgrunnsjobb.objects.create(kommune=k, **defaults)


@pytest.mark.django_db
def test_a_running_jobs_page_shows_an_accessible_progress_bar_and_polls_its_status(client, leser, bergen):
    running = job(bergen)
    client.force_login(leser)  # reading is enough
    page = client.get(f"/jobber/{running.pk}/").content.decode()
    assert "<h1>Import av månedlige listetall</h1>" in page and "mars.csv" in page
    assert '<label for="jobb-progress">Fremdrift</label>' in page
    assert '<progress id="jobb-progress" max="100" value="50"' in page and "50 % ferdig" in page
    assert f'hx-get="/jobber/{running.pk}/status/?status=kjorer"' in page and 'hx-trigger="every 1s"' in page
    assert 'id="jobb-statustekst" role="status">Status: kjører.' in page
    assert f'href="/jobber/{running.pk}/">Oppdater</a>' in page  # without JavaScript

    fragment = client.get(f"/jobber/{running.pk}/status/?status=kjorer", HTTP_HX_REQUEST="true").content.decode()
    assert 'value="50"' in fragment and "<html" not in fragment and "hx-swap-oob" not in fragment
    changed = client.get(f"/jobber/{running.pk}/status/?status=venter", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-swap-oob="innerHTML"' in changed and "Status: kjører." in changed  # announced once when it changes


@pytest.mark.django_db
def test_a_finished_jobs_fragment_stops_polling_and_shows_the_result_or_the_errors(client, leser, bergen):
    client.force_login(leser)
    done = job(bergen, status="fullfort", behandlet=60, resultat={"rader": 30})
    fragment = client.get(f"/jobber/{done.pk}/status/?status=kjorer").content.decode()
    assert "hx-trigger" not in fragment and 'value="100"' in fragment
    assert "Rader lest" in fragment and "Status: fullført." in fragment
    failed = job(bergen, status="feilet", feil=[{"rad": None, "felt": "fil", "melding": "Filen er tom."},
                                                {"rad": 7, "felt": "dato", "melding": "Ugyldig dato."}])
    page = client.get(f"/jobber/{failed.pk}/").content.decode()
    assert "hx-trigger" not in page and "<progress" not in page
    assert "2 feil – ingenting ble lagret" in page and "Hele filen" in page and '<th scope="row">7</th>' in page
    assert "Ugyldig dato." in page and "Status: feilet. Ingenting ble lagret, og filen er slettet." in page
    assert "Tilbake" not in page  # the test type names no page to go back to


@pytest.mark.django_db
def test_the_job_api_reports_status_progress_result_and_errors(bergen, api):
    running = job(bergen)
    body = api.get(f"/api/v1/bakgrunnsjobber/{running.pk}/").json()
    assert {k: body[k] for k in ("status", "behandlet", "totalt", "prosent", "feil", "resultat", "filnavn")} == {
        "status": "kjorer", "behandlet": 30, "totalt": 60, "prosent": 50, "feil": [], "resultat": {}, "filnavn": "mars.csv"}
    assert "inndata" not in body
    failed = job(bergen, status="feilet", feil=[{"rad": 3, "felt": "liste", "melding": "Ukjent liste."}])
    assert api.get(f"/api/v1/bakgrunnsjobber/{failed.pk}/").json()["feil"] == [{"rad": 3, "felt": "liste", "melding": "Ukjent liste."}]
    assert token_client(["lister:les"], bergen).get(f"/api/v1/bakgrunnsjobber/{running.pk}/").status_code == 200
    error(token_client(["avtaler:les"], bergen).get(f"/api/v1/bakgrunnsjobber/{running.pk}/"), 403)
    error(api.delete(f"/api/v1/bakgrunnsjobber/{running.pk}/"), 405)


@pytest.mark.django_db
def test_another_kommunes_job_is_not_found_on_the_page_the_fragment_nor_the_api(client, bergen, sunnfjord):
    theirs = job(sunnfjord)
    other = user_with_role("kommuneoverlege", bergen)
    client.force_login(other)
    assert client.get(f"/jobber/{theirs.pk}/").status_code == 404
    assert client.get(f"/jobber/{theirs.pk}/status/").status_code == 404
    error(api_client_for(other).get(f"/api/v1/bakgrunnsjobber/{theirs.pk}/"), 404)
    error(token_client(["lister:les"], bergen).get(f"/api/v1/bakgrunnsjobber/{theirs.pk}/"), 404)


@pytest.mark.django_db
def test_the_job_page_needs_a_login(client, bergen):
    running = job(bergen)
    assert client.get(f"/jobber/{running.pk}/").status_code == 302
    assert client.get(f"/api/v1/bakgrunnsjobber/{running.pk}/").status_code in (401, 403)
