"""The example payroll client (scripts/lonnsklient.py) against the real API: the hand-over from the
snapshot to the feed, a client killed at every point of a run, a 410 answered by resynchronising,
and the command line against a live server.

The client is imported from its file and given a transport backed by Django's APIClient, so no
server is needed (except for the one command-line test). Data is made through the services in real
transactions: an event is visible in the feed only after it commits."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection

from legevakt import tillegg_services, vakt_services
from lister import vikar_services
from lonn import feed, services
from lonn.models import Kvittering
from tests import register
from tests.conftest import in_kommune, kommune, token_client
from tests.legevakt import helpers
from tests.legevakt.helpers import oslo

SKRIPT = Path(__file__).resolve().parents[2] / "scripts" / "lonnsklient.py"


def _importer():
    spec = importlib.util.spec_from_file_location("lonnsklient", SKRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


lk = _importer()


class Drept(Exception):
    """The client process is killed here (not an OSError: the client must not retry it)."""


class ApiTransport(lk.Klient):
    """The client's HTTP through APIClient; dies (Drept) on request number `dor_ved` when set."""

    def __init__(self, api, *, dor_ved: int | None = None):
        super().__init__("http://testserver", "brukes-ikke", forsok=1)
        self.api, self.dor_ved, self.kall = api, dor_ved, 0

    def forespor(self, metode, url, body, headers):
        self.kall += 1
        if self.kall == self.dor_ved:
            raise Drept(f"drept ved forespørsel {self.kall}")
        extra = {"HTTP_" + key.upper().replace("-", "_"): value for key, value in headers.items()}
        if metode == "GET":
            response = self.api.get(url, **extra)
        else:
            response = self.api.post(url, data=json.dumps(body), content_type="application/json", **extra)
        return response.status_code, (response.json() if response.content else None)


class Prosess(lk.Lonnsklient):
    """Counts, per (objekt_id, versjon), the events whose application was saved; can die once while
    saving (after applying a page in memory, before the file is replaced)."""

    def __init__(self, transport, fil, teller: Counter, *, dor_ved_lagring: int | None = None, **kwargs):
        super().__init__(transport, str(fil), ut=lambda tekst: self.logg.append(tekst), vent=lambda s: None, **kwargs)
        self.logg: list[str] = []
        self.teller, self.dor_ved_lagring, self.lagringer = teller, dor_ved_lagring, 0

    def lagre(self, tilstand):
        self.lagringer += 1
        if self.lagringer == self.dor_ved_lagring:
            raise Drept("drept under lagring")
        super().lagre(tilstand)

    def etter_lagring(self, anvendte):
        for h in anvendte:
            self.teller[(h["objekt_id"], h["versjon"])] += 1


@pytest.fixture
def bergen(kommune_data):
    return kommune("4601")


@pytest.fixture
def api(bergen):
    return token_client(["lonn:les"], bergen)


@pytest.fixture
def data(bergen):
    """A legevakt district with three shifts (Saturdays), a fastlegeavtale, a vikar period."""
    d = helpers.distrikt(bergen, navn="Bergen legevakt")
    lege = helpers.kvalifisert(bergen, etternavn="Aas")
    with in_kommune(bergen):
        vakter = [_vakt(d, lege, uke) for uke in range(3)]
        liste = register.liste(bergen, navn="Liste Ledig")
        vikar = register.lege(bergen, fornavn="Vera", etternavn="Vikarsen", spesialist_allmennmedisin_fra=dt.date(2015, 1, 1))
        vikar_services.tildel_vikar(liste=liste, lege=vikar, fra=dt.date(2026, 9, 1), til=dt.date(2026, 10, 1),
                                    stillingsprosent=100, arbeidsdager=[1, 2, 3, 4, 5])
    _synlig()
    return {"distrikt": d, "lege": lege, "vakter": vakter, "liste": liste, "vikar": vikar, "kommune": bergen}


def _vakt(d, lege, uke: int):
    start = oslo(2027, 3, 6, 10) + dt.timedelta(weeks=uke)  # Saturdays
    return vakt_services.create_vakt(distrikt=d, lege=lege, type="tilstedevakt", start=start, slutt=start + dt.timedelta(hours=8))


def _endringer(data, *, uke: int) -> int:
    """Change, cancel and create items (one event each); returns how many changes were made."""
    v0, v1, v2 = data["vakter"]
    with in_kommune(data["kommune"]):
        v0.refresh_from_db()
        data["vakter"][0] = vakt_services.update_vakt(vakt=v0, expected_version=v0.versjon, slutt=v0.slutt + dt.timedelta(hours=1))
        v1.refresh_from_db()
        if v1.status == "aktiv":
            vakt_services.avlys_vakt(vakt=v1, expected_version=v1.versjon)
        else:
            data["vakter"][1] = _vakt(data["distrikt"], data["lege"], uke + 10)
        tillegg_services.add_tillegg(vakt=v2, art="reise", minutter_hver_vei=45 + uke)
        _vakt(data["distrikt"], data["lege"], uke)
        vikar_services.tildel_vikar(liste=data["liste"], lege=data["vikar"], fra=dt.date(2027, 1, 1) + dt.timedelta(days=40 * uke),
                                    til=dt.date(2027, 1, 20) + dt.timedelta(days=40 * uke), stillingsprosent=50)
    _synlig()
    return 5


def _synlig():
    """Wait until the feed serves every event written so far. Visibility waits for every older
    transaction to finish — in the whole PostgreSQL cluster, so also for other databases' (parallel
    test runs on a shared server): usually at once, otherwise within seconds."""
    frist = time.monotonic() + 120
    with connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint > coalesce(max(xid), 0) "
                           "FROM lonn_hendelse")
            if cursor.fetchone()[0]:
                return
            assert time.monotonic() < frist, "strømmen ble ikke synlig innen 120 sekunder"
            time.sleep(0.05)


def _verifisert(api, fil) -> int:
    """The local state equals a fresh snapshot (nothing changes meanwhile, so nothing is skipped)."""
    avvik, like, hoppet = lk.Lonnsklient(ApiTransport(api), str(fil), ut=lambda tekst: None).verifiser()
    assert (avvik, hoppet) == ([], 0)
    return like


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("kommune_data")
def test_snapshot_then_feed_hands_over_without_loss_or_duplicates(api, data, tmp_path):
    fil, teller = tmp_path / "lonn-tilstand.json", Counter()
    klient = Prosess(ApiTransport(api), fil, teller)
    assert klient.synkroniser() == 0  # the snapshot has it all
    tilstand = json.loads(fil.read_text())
    assert {o.split(":")[0] for o in tilstand["objekter"]} == {"vakt", "vikariat", "fastlegeavtale"}
    assert len([o for o in tilstand["objekter"] if o.startswith("vakt:")]) == 3
    assert _verifisert(api, fil) == len(tilstand["objekter"])

    endringer = _endringer(data, uke=20)
    klient = Prosess(ApiTransport(api), fil, teller, antall=2)
    assert klient.synkroniser() == endringer
    assert sum(teller.values()) == endringer and set(teller.values()) == {1}
    tilstand = json.loads(fil.read_text())
    avlyst = tilstand["objekter"][f"vakt:{data['vakter'][1].pk}"]
    assert avlyst["slettet"] is True and avlyst["data"]["status"] == "avlyst"  # a tombstone with its version
    assert len(tilstand["objekter"]) == 4 + 2 + 1 and _verifisert(api, fil) == 3 + 2 + 1  # not the tombstone
    with in_kommune(data["kommune"]):  # the last receipt covers every event (later empty pages only move the marker)
        t = feed.tilstand()
        kvittert = feed.les_markor(Kvittering.objects.order_by("-id").first().markor, t)
        assert feed.etterslep(t=t, etter=kvittert)[0] == 0

    # a stale, older event arriving again is skipped: the tombstone holds
    assert not lk.anvend(tilstand["objekter"], {"objekt_id": f"vakt:{data['vakter'][1].pk}", "type": "vakt.endret",
                                                "versjon": avlyst["versjon"] - 1, "data": {}})


def _drept_overalt(api, fil, endringer: int) -> None:
    """From the same starting file, kill the client at each request of a run in turn, and (another
    round) at each save, after the page is applied in memory but before the file is replaced; restart
    it from its file. Every time the end state is the same as without a kill, and every event's
    application is saved exactly once."""
    start = fil.read_bytes() if fil.exists() else None

    def tilbakestill():
        if start is None:
            fil.unlink(missing_ok=True)
        else:
            fil.write_bytes(start)

    uforstyrret = Prosess(ApiTransport(api), fil, Counter(), antall=2)
    uforstyrret.synkroniser()
    fasit, forsporsler, lagringer = json.loads(fil.read_text())["objekter"], uforstyrret.klient.kall, uforstyrret.lagringer
    drap = [{"dor_ved": k} for k in range(1, forsporsler + 1)] + [{"dor_ved_lagring": k} for k in range(1, lagringer + 1)]
    for drep in drap:
        tilbakestill()
        teller = Counter()
        with pytest.raises(Drept):
            Prosess(ApiTransport(api, dor_ved=drep.get("dor_ved")), fil, teller, antall=2,
                    dor_ved_lagring=drep.get("dor_ved_lagring")).synkroniser()
        Prosess(ApiTransport(api), fil, teller, antall=2).synkroniser()  # restarted
        assert json.loads(fil.read_text())["objekter"] == fasit, drep
        assert sum(teller.values()) == endringer and set(teller.values()) <= {1}, (drep, teller)
    assert len(drap) >= (5 + 1 if start is None else 2 * 3 + 3)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("kommune_data")
def test_a_client_killed_anywhere_resumes_from_its_file_and_applies_every_event_once(api, data, tmp_path):
    fil = tmp_path / "lonn-tilstand.json"
    _drept_overalt(api, fil, 0)  # during the snapshot (three lists, the save, the receipt)
    _drept_overalt(api, fil, _endringer(data, uke=20))  # while following the feed: three pages of at most two
    _verifisert(api, fil)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("kommune_data")
def test_an_expired_marker_410_makes_the_client_resynchronise(api, data, tmp_path):
    fil, teller = tmp_path / "lonn-tilstand.json", Counter()
    Prosess(ApiTransport(api), fil, teller).synkroniser()
    for uke, utlop in [(20, lambda: feed.ny_epoke(arsak="test")),  # the database restored from backup
                       (30, lambda: services.purge(now=dt.datetime.now(dt.UTC) + dt.timedelta(days=3650)))]:
        markor = json.loads(fil.read_text())["markor"]
        _endringer(data, uke=uke)
        utlop()
        assert api.get("/api/v1/lonn/hendelser/", {"etter": markor}).status_code == 410

        klient = Prosess(ApiTransport(api), fil, teller)
        klient.synkroniser()
        assert any("410" in linje for linje in klient.logg), klient.logg
        assert json.loads(fil.read_text())["markor"] != markor
        _verifisert(api, fil)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("kommune_data")
def test_the_command_line_client_verifies_against_a_live_server(bergen, data, live_server, tmp_path):
    raw = token_client(["lonn:les"], bergen).raw
    cli = [sys.executable, str(SKRIPT), "--url", live_server.url, "--kommune", "4601", "--fil", str(tmp_path / "t.json"),
           "--verifiser"]
    env = {**os.environ, "LONN_TOKEN": raw}
    result = subprocess.run(cli, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK: 5 objekter stemmer" in result.stdout, result.stdout

    fil = tmp_path / "t.json"  # a local state gone wrong: differences, exit code 1
    tilstand = json.loads(fil.read_text())
    vakt = next(o for o in tilstand["objekter"] if o.startswith("vakt:"))
    tilstand["objekter"][vakt]["data"]["slutt"] = "2027-03-06T23:00:00+01:00"
    tilstand["objekter"]["vakt:999999"] = {**tilstand["objekter"][vakt], "versjon": 1}
    fil.write_text(json.dumps(tilstand))
    result = subprocess.run(cli, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"AVVIK: {vakt} (versjon 1): data avviker i slutt" in result.stdout, result.stdout
    assert "AVVIK: vakt:999999: finnes lokalt (versjon 1), men ikke i systemet" in result.stdout, result.stdout
    assert "2 avvik, 4 objekter stemmer." in result.stdout


# --- without the database ---------------------------------------------------------------------------

def test_applying_keeps_the_highest_version_and_a_tombstone_stops_a_late_older_event():
    objekter = {}
    hendelser = [("vakt.opprettet", 1, "a"), ("vakt.slettet", 3, "c"), ("vakt.endret", 2, "b"), ("vakt.endret", 3, "c")]
    anvendt = [lk.anvend(objekter, {"objekt_id": "vakt:1", "type": t, "versjon": v, "data": {"x": d}})
               for t, v, d in hendelser]
    assert anvendt == [True, True, False, False]
    assert objekter == {"vakt:1": {"versjon": 3, "slettet": True, "type": "vakt", "data": {"x": "c"}}}


def test_a_failed_save_leaves_the_previous_file_and_no_temporary_file(tmp_path):
    fil = tmp_path / "lonn-tilstand.json"
    lk.lagre_tilstand(str(fil), lk.ny_tilstand("m1", {"vakt:1": {"versjon": 1, "slettet": False, "type": "vakt", "data": {}}}))
    with pytest.raises(TypeError):
        lk.lagre_tilstand(str(fil), lk.ny_tilstand("m2", {"vakt:1": {"data": object()}}))
    assert lk.last_tilstand(str(fil))["markor"] == "m1"
    assert [p.name for p in tmp_path.iterdir()] == ["lonn-tilstand.json"]
    assert lk.last_tilstand(str(tmp_path / "finnes-ikke.json")) is None


@pytest.mark.parametrize("args", [[], ["--token", "x"], ["--token", "x", "--fil", "f", "--url", "u", "--antall", "0"],
                                  ["--token", "x", "--fil", "f", "--url", "u", "--folg", "--verifiser"]])
def test_usage_errors_exit_2(args, monkeypatch):
    monkeypatch.delenv("LONN_TOKEN", raising=False)
    with pytest.raises(SystemExit) as exc:
        lk.main(args)
    assert exc.value.code == 2
