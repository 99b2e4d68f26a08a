"""The payroll feed through its API, with real commits: order and completeness, the visibility horizon
(a transaction held open holds back what commits after it), rolled-back work, markers and their 410s
(retention, a new epoch, a restored database), tenancy, scopes, receipts, and the snapshot hand-over."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from legevakt.models import Vakt
from lonn import feed, services
from lonn.models import Epoke, Hendelse
from tests.conftest import api_client_for, in_kommune, kommune, token_client, user_with_role
from tests.legevakt.helpers import distrikt, kvalifisert, oslo

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("kommune_data")]


@pytest.fixture
def oppsett(kommune_data):
    grane = kommune("1825")
    d = distrikt(grane, navn="Grane legevakt")
    lege = kvalifisert(grane)
    return grane, d, lege


def _vakt(d, lege, day: int, **fields) -> Vakt:
    with in_kommune(d.kommune):
        return Vakt.objects.create(kommune=d.kommune, distrikt=d, lege=lege, type="hjemmevakt", vaktklasse=1,
                                   start=oslo(2026, 12, day, 16), slutt=oslo(2026, 12, day, 23), dagkategori="hverdag",
                                   **fields)


def _alle(client, etter=None, antall=100) -> tuple[list[dict], str]:
    events, marker = [], etter
    while True:
        url = f"/api/v1/lonn/hendelser/?antall={antall}" + (f"&etter={marker}" if marker else "")
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        events += body["hendelser"]
        marker = body["neste"]
        if not body["flere"]:
            return events, marker


def test_the_feed_in_order_without_gaps_or_repeats_and_pages_of_any_size(oppsett):
    grane, d, lege = oppsett
    client = token_client(["lonn:les"], grane)
    vakter = [_vakt(d, lege, day) for day in range(1, 8)]
    with in_kommune(grane):
        Vakt.objects.filter(pk=vakter[0].pk).update(slutt=oslo(2026, 12, 1, 22))
    alle, _m = _alle(client, antall=1000)
    i_biter, _m = _alle(client, antall=3)
    assert [e["id"] for e in alle] == [e["id"] for e in i_biter]
    vakt_ids = [e["objekt_id"] for e in alle if e["type"].startswith("vakt.")]
    assert vakt_ids == [f"vakt:{v.pk}" for v in vakter] + [f"vakt:{vakter[0].pk}"]
    assert len({e["id"] for e in alle}) == len(alle)
    siste = alle[-1]
    assert siste["type"] == "vakt.endret" and siste["versjon"] == 2 and siste["kommunenummer"] == "1825"
    assert siste["data"]["slutt"] == "2026-12-01T22:00:00+01:00"
    assert dt.datetime.fromisoformat(siste["tidspunkt"]).utcoffset() is not None
    # following `neste` from the end gives nothing new, and says so; the marker moves up to the horizon, so a
    # kommune without changes never falls behind the retention purge
    body = client.get(f"/api/v1/lonn/hendelser/?etter={siste['id']}").json()
    assert body["hendelser"] == [] and body["flere"] is False
    t = feed.tilstand()
    assert body["neste"] == t.markor(feed.Posisjon(t.horisont, 0)) or body["neste"].split(".")[1] >= siste["id"].split(".")[1]
    assert client.get(f"/api/v1/lonn/hendelser/?etter={body['neste']}").json()["hendelser"] == []
    other = token_client(["lonn:les"], kommune("1826"))  # a kommune with no events at all
    quiet = other.get("/api/v1/lonn/hendelser/").json()
    assert quiet["hendelser"] == [] and quiet["neste"] != f"{t.epoke.nokkel}.0.0"


def test_a_transaction_held_open_holds_back_what_commits_after_it_and_rollbacks_never_appear(oppsett):
    grane, d, lege = oppsett
    client = token_client(["lonn:les"], grane)
    _alle_for, marker = _alle(client)
    started, release, done = threading.Event(), threading.Event(), threading.Event()

    def long_writer():
        try:
            with in_kommune(grane), transaction.atomic():
                Vakt.objects.create(kommune=grane, distrikt=d, lege=lege, type="hjemmevakt", vaktklasse=1,
                                    start=oslo(2026, 12, 20, 16), slutt=oslo(2026, 12, 20, 23), dagkategori="helg")
                started.set()
                release.wait(10)
        finally:
            connection.close()
            done.set()

    thread = threading.Thread(target=long_writer)
    thread.start()
    assert started.wait(10)
    later = _vakt(d, lege, 10)  # commits while the older transaction is still open
    with pytest.raises(RuntimeError), in_kommune(grane), transaction.atomic():
        Vakt.objects.create(kommune=grane, distrikt=d, lege=lege, type="hjemmevakt", vaktklasse=1,
                            start=oslo(2026, 12, 12, 16), slutt=oslo(2026, 12, 12, 23), dagkategori="helg")
        raise RuntimeError("rolled back")
    held_back, marker2 = _alle(client, etter=marker)
    assert held_back == [] and marker2 == marker  # nothing is served past the open transaction
    lag = feed.forsinkelse(feed.tilstand(), alle_kommuner=True)
    assert lag.ventende == 1
    release.set()
    assert done.wait(10)
    thread.join()
    events, _m = _alle(client, etter=marker)
    starts = [e["data"]["start"] for e in events]
    # the older transaction's shift comes first (it started first), then the later one; never the rolled back one
    assert starts == ["2026-12-20T16:00:00+01:00", "2026-12-10T16:00:00+01:00"]
    assert events[1]["objekt_id"] == f"vakt:{later.pk}"


def test_markers_malformed_expired_and_from_another_epoch(oppsett):
    grane, d, lege = oppsett
    client = token_client(["lonn:les"], grane)
    _vakt(d, lege, 1)
    events, marker = _alle(client)
    for bad in ("zz", "abc.1.2", f"{marker}x", f"{marker.split('.')[0]}.1.99999999999999999999",
                f"{marker.split('.')[0]}.9999999999999999999.1"):
        response = client.get(f"/api/v1/lonn/hendelser/?etter={bad}")
        assert response.status_code == 400 and "etter" in response.json()["felt"]
    for antall in (0, 1001, "x"):
        response = client.get(f"/api/v1/lonn/hendelser/?antall={antall}")
        assert response.status_code == 400 and "antall" in response.json()["felt"]
    # a marker beyond what the feed has handed out
    t = feed.tilstand()
    assert client.get(f"/api/v1/lonn/hendelser/?etter={t.epoke.nokkel}.{t.horisont + 1000}.1").status_code == 400
    # retention: events older than 90 days are purged; a marker behind them answers 410
    first = events[0]["id"]
    with in_kommune(grane):
        Hendelse.objects.update(tidspunkt=timezone.now() - dt.timedelta(days=91))
    _vakt(d, lege, 2)
    result = services.purge(now=timezone.now())
    assert result["hendelser_slettet"] == len(events)
    gone = client.get(f"/api/v1/lonn/hendelser/?etter={first}")
    assert gone.status_code == 410 and gone.json()["kode"] == "markor_utlopt"
    # the last marker before the purge is still good: the purge mark is the last deleted event
    fresh, _m = _alle(client, etter=marker)
    assert [e["data"]["start"] for e in fresh] == ["2026-12-02T16:00:00+01:00"]
    # without `etter`: the oldest retained event
    assert [e["data"]["start"] for e in _alle(client)[0]] == ["2026-12-02T16:00:00+01:00"]
    # a new epoch (declared after a restore): old markers answer 410, the snapshot marker works
    feed.ny_epoke(arsak="test: gjenopprettet")
    assert client.get(f"/api/v1/lonn/hendelser/?etter={marker}").status_code == 410
    bilde = client.get("/api/v1/lonn/vakter/").json()
    assert client.get(f"/api/v1/lonn/hendelser/?etter={bilde['markor']}").status_code == 200


def test_a_restored_database_is_detected_and_starts_a_new_epoch(oppsett):
    grane, d, lege = oppsett
    client = token_client(["lonn:les"], grane)
    _vakt(d, lege, 1)
    _events, marker = _alle(client)
    before = Epoke.objects.count()
    Epoke.objects.update(system_identifier="1")  # as if the epoch was recorded on another cluster
    response = client.get(f"/api/v1/lonn/hendelser/?etter={marker}")
    assert response.status_code == 410
    assert Epoke.objects.count() == before + 1
    assert "gjenopprettet" in Epoke.objects.order_by("-id").first().arsak
    # the feed continues with events written after the restore
    _vakt(d, lege, 3)
    bilde = client.get("/api/v1/lonn/vakter/").json()
    assert len(bilde["resultater"]) == 2


def test_tenancy_scopes_and_people(oppsett):
    grane, d, lege = oppsett
    hattfjelldal = kommune("1826")
    other = distrikt(hattfjelldal, navn="Hattfjelldal legevakt")
    other_lege = kvalifisert(hattfjelldal)
    _vakt(d, lege, 1)
    _vakt(other, other_lege, 1)
    grane_client = token_client(["lonn:les"], grane)
    events, _m = _alle(grane_client)
    assert events and {e["kommunenummer"] for e in events} == {"1825"}
    bilde = grane_client.get("/api/v1/lonn/vakter/").json()["resultater"]
    assert [r["data"]["distrikt"]["navn"] for r in bilde] == ["Grane legevakt"]
    # a token without lonn:les
    for url in ("/api/v1/lonn/hendelser/", "/api/v1/lonn/vakter/", "/api/v1/lonn/kvitteringer/"):
        assert token_client(["legevakt:les"], grane).get(url).status_code == 403
    assert token_client(["legevakt:les"], grane).post(
        "/api/v1/lonn/kvitteringer/", {"markor": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="a").status_code == 403
    # people: a reading role reads, the doctor role does not
    assert api_client_for(user_with_role("lesetilgang", grane)).get("/api/v1/lonn/hendelser/").status_code == 200
    assert api_client_for(user_with_role("lege", grane)).get("/api/v1/lonn/hendelser/").status_code == 403
    assert token_client(["lonn:les"], hattfjelldal).get("/api/v1/lonn/vakter/").json()["resultater"][0]["data"][
        "distrikt"]["navn"] == "Hattfjelldal legevakt"


def test_receipts_are_idempotent_and_need_a_valid_marker(oppsett):
    grane, d, lege = oppsett
    client = token_client(["lonn:les"], grane)
    _vakt(d, lege, 1)
    _vakt(d, lege, 2)
    events, marker = _alle(client)
    first = client.post("/api/v1/lonn/kvitteringer/", {"markor": events[0]["id"]}, format="json",
                        HTTP_IDEMPOTENCY_KEY=events[0]["id"])
    assert first.status_code == 201 and first.json()["etterslep"] == len(events) - 1
    again = client.post("/api/v1/lonn/kvitteringer/", {"markor": events[0]["id"]}, format="json",
                        HTTP_IDEMPOTENCY_KEY=events[0]["id"])
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true" and again.json() == first.json()
    other_body = client.post("/api/v1/lonn/kvitteringer/", {"markor": marker}, format="json",
                             HTTP_IDEMPOTENCY_KEY=events[0]["id"])
    assert other_body.status_code == 422
    no_key = client.post("/api/v1/lonn/kvitteringer/", {"markor": marker}, format="json")
    assert no_key.status_code == 400 and "Idempotency-Key" in no_key.json()["felt"]
    bad = client.post("/api/v1/lonn/kvitteringer/", {"markor": "nei"}, format="json", HTTP_IDEMPOTENCY_KEY="b")
    assert bad.status_code == 400 and "markor" in bad.json()["felt"]
    listed = client.get("/api/v1/lonn/kvitteringer/").json()["resultater"]
    assert [r["markor"] for r in listed] == [events[0]["id"]]


def test_snapshot_then_feed_hands_over_without_loss_or_duplication(oppsett):
    grane, d, lege = oppsett
    client = token_client(["lonn:les"], grane)
    vakter = [_vakt(d, lege, day) for day in range(1, 6)]
    first = client.get("/api/v1/lonn/vakter/?antall=2&fra=2026-12-01&til=2026-12-31").json()
    state, tombstones = {}, {}

    def take(rows):
        for r in rows:  # a tombstone (slettet) keeps its version so a late lower version cannot revive it
            (tombstones if r["slettet"] else state)[r["objekt_id"]] = (r["versjon"], r["data"])

    take(first["resultater"])
    # changes between the pages
    with in_kommune(grane):
        Vakt.objects.filter(pk=vakter[0].pk).update(slutt=oslo(2026, 12, 1, 21))  # already on page one
        Vakt.objects.filter(pk=vakter[4].pk).update(status="avlyst", avlyst_arsak="annet")  # not yet read
    new = _vakt(d, lege, 9)
    url = first["neste"]
    while url:
        page = client.get(url).json()
        assert page["markor"] == first["markor"]
        take(page["resultater"])
        url = page["neste"]
    events, _m = _alle(client, etter=first["markor"])
    for e in events:
        held = max(state.get(e["objekt_id"], (0, None))[0], tombstones.get(e["objekt_id"], (0, None))[0])
        if e["versjon"] <= held:
            continue
        if e["type"].endswith(".slettet"):
            state.pop(e["objekt_id"], None)
            tombstones[e["objekt_id"]] = (e["versjon"], e["data"])
        else:
            tombstones.pop(e["objekt_id"], None)
            state[e["objekt_id"]] = (e["versjon"], e["data"])
    truth = {}
    url = "/api/v1/lonn/vakter/?antall=1000"
    while url:
        page = client.get(url).json()
        truth.update({r["objekt_id"]: (r["versjon"], r["data"]) for r in page["resultater"] if not r["slettet"]})
        url = page["neste"]
    assert state == truth
    assert f"vakt:{new.pk}" in truth and f"vakt:{vakter[4].pk}" not in truth
    assert truth[f"vakt:{vakter[0].pk}"][1]["slutt"] == "2026-12-01T21:00:00+01:00"
    # snapshot parameters are validated
    bad = client.get("/api/v1/lonn/vakter/?fra=2026-12-10&til=2026-12-01")
    assert bad.status_code == 400 and "til" in bad.json()["felt"]
    assert client.get("/api/v1/lonn/vakter/?peker=!!").status_code == 400
    import base64
    for raw in (b'{"m":"x","i":Infinity}', b'{"m":"x","i":1e400}', b'[1]', b'{"m":1,"i":1}', b'{"m":"x","i":true}'):
        peker = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        response = client.get(f"/api/v1/lonn/vakter/?peker={peker}")
        assert response.status_code == 400 and "peker" in response.json()["felt"], raw
    receipt = client.post("/api/v1/lonn/kvitteringer/", {"markor": f"{first['markor'].split('.')[0]}.1.99999999999999999999"},
                          format="json", HTTP_IDEMPOTENCY_KEY="stor")
    assert receipt.status_code == 400 and "markor" in receipt.json()["felt"]
    assert client.get("/api/v1/lonn/avtaler/?type=vakt").status_code == 400


def test_a_deleted_item_is_a_tombstone_in_the_snapshot_while_older_versions_are_still_to_come(oppsett):
    """Transaction D gets its id first, E changes the shift (v2) and commits, then D cancels it (v3) and
    commits, while an unrelated transaction O is still running: the snapshot's marker falls between D
    and E, so E's v2 comes after it. The snapshot must list the shift as a tombstone with v3, or a
    client would bring the cancelled shift back with v2."""
    import psycopg

    grane, d, lege = oppsett
    client = token_client(["lonn:les"], grane)
    vakt = _vakt(d, lege, 1)
    s = connection.settings_dict
    dsn = f"host={s['HOST']} port={s['PORT'] or 5432} user={s['USER']} dbname={s['NAME']}"
    tx_d, tx_o, tx_e = (psycopg.connect(dsn) for _ in range(3))
    try:
        for tx in (tx_d, tx_o, tx_e):
            tx.execute("SELECT pg_current_xact_id()")  # ids in this order: D < O < E
        emit = ("SELECT lonn_emit('vakt', %s, kommune_id, data || %s::jsonb, %s, NULL, gjelder_fra, gjelder_til) "
                "FROM lonn_lonnobjekt WHERE objekt_id = %s")
        tx_e.execute(emit, [vakt.pk, '{"merknad": "v2"}', True, f"vakt:{vakt.pk}"])
        tx_e.commit()
        tx_d.execute(emit, [vakt.pk, '{"merknad": "v3"}', False, f"vakt:{vakt.pk}"])
        tx_d.commit()
        bilde = client.get("/api/v1/lonn/vakter/").json()
        rows = {r["objekt_id"]: r for r in bilde["resultater"]}
        assert rows[f"vakt:{vakt.pk}"]["slettet"] is True and rows[f"vakt:{vakt.pk}"]["versjon"] == 3
        # the other snapshots can be handed over at the same marker
        assert client.get(f"/api/v1/lonn/vikariater/?markor={bilde['markor']}").json()["markor"] == bilde["markor"]
        # a snapshot limited to a window the shift is not in still lists it: it has events after the marker
        vindu = client.get(f"/api/v1/lonn/vakter/?fra=2027-01-01&til=2027-02-01&markor={bilde['markor']}").json()
        assert [(r["objekt_id"], r["slettet"]) for r in vindu["resultater"]] == [(f"vakt:{vakt.pk}", True)]
        stille = client.get("/api/v1/lonn/vakter/?fra=2027-01-01&til=2027-02-01").json()  # a later marker
        assert stille["resultater"] == [] or all(r["slettet"] for r in stille["resultater"])
    finally:
        tx_o.commit()
        for tx in (tx_d, tx_o, tx_e):
            tx.close()
    events, _m = _alle(client, etter=bilde["markor"])
    assert [(e["objekt_id"], e["versjon"]) for e in events] == [(f"vakt:{vakt.pk}", 2)]  # skipped: 2 < 3


def test_two_transactions_changing_one_item_publish_one_after_the_other(oppsett):
    """T1 records the doctor's employee number (which re-publishes the shift) and stays open; T2 changes the
    shift's end meanwhile. T2 waits for the item's publishing lock, then computes from T1's committed change:
    the last version holds both changes, not one of them."""
    import time
    import uuid

    import psycopg

    from lonn.models import Lonnobjekt

    grane, d, lege = oppsett
    vakt = _vakt(d, lege, 1)
    s = connection.settings_dict
    dsn = f"host={s['HOST']} port={s['PORT'] or 5432} user={s['USER']} dbname={s['NAME']}"
    t1, t2 = psycopg.connect(dsn), psycopg.connect(dsn)
    kontekst = "SELECT set_config('pghistory.context_id', %s, true), set_config('pghistory.context_metadata', %s, true)"
    try:
        for tx in (t1, t2):
            tx.execute(kontekst, [str(uuid.uuid4()), '{"actor": "test"}'])
        t1.execute("UPDATE kommune_legekommune SET ansattnummer = 'A-1' WHERE lege_id = %s AND kommune_id = %s",
                   [lege.pk, grane.pk])
        done = threading.Event()

        def change_end():
            t2.execute("UPDATE legevakt_vakt SET slutt = slutt - interval '1 hour' WHERE id = %s", [vakt.pk])
            t2.commit()
            done.set()

        thread = threading.Thread(target=change_end)
        thread.start()
        time.sleep(0.5)
        assert not done.is_set()  # waiting for the shift's publishing lock
        t1.commit()
        thread.join(10)
        assert done.is_set()
    finally:
        t1.close()
        t2.close()
    with in_kommune(grane):
        objekt = Lonnobjekt.objects.get(objekt_id=f"vakt:{vakt.pk}")
    assert objekt.data["lege"]["ansattnummer"] == "A-1" and objekt.data["slutt"] == "2026-12-01T22:00:00+01:00"
    assert objekt.versjon == 3
