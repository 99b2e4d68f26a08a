"""The kommune's integration page for the payroll feed (lonn:integrasjon) and the feed's lag on /helse/.

The first tests need no committed events: a receipt at the feed's start (`<epoke>.0.0`) is valid in
any test. The last ones commit real events (transactional tests with `kommune_data`), because an event
becomes visible, and can be held back, only once its transaction has committed."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import dateformat, timezone

from kommune import services as kommune_services
from kommune.access import Tilgang
from kommune.models import ApiToken, ApiTokenKommune
from lonn import feed, selectors
from lonn.models import Hendelse, Kvittering
from lonn.services import kvitter
from tests import register
from tests.conftest import in_kommune, kommune, user_with_role

URL = "/lonn/integrasjon/"


def _token(navn, *kommuner, scopes=("lonn:les",)):
    token, _raw = kommune_services.issue_token(navn=navn, kommuner=list(kommuner), scopes=list(scopes), expires_days=None)
    return token


def _kvitter(k, *, token=None, bruker=None, markor=None):
    """A receipt in kommune `k` by a client (token) or a person, by default at the feed's start."""
    aktor = f"klient:{token.pk}" if token else f"bruker:{bruker.pk}"
    with in_kommune(k):
        t = feed.tilstand()
        kvittering, _antall = kvitter(markor=markor or t.markor(t.start),
                                      tilgang=Tilgang(aktor=aktor, kommune_id=k.pk, er_klient=token is not None))
    return kvittering


# --- access, content, isolation, queries (no committed events needed) ---------------------------------------

@pytest.mark.django_db
def test_the_url_name():
    assert reverse("lonn:integrasjon") == URL


@pytest.mark.django_db
def test_page_renders_for_the_kommuneoverlege_with_the_feed_state_and_the_menu_entry(page_client, bergen):
    response = page_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Lønnsintegrasjon for Bergen" in html
    with in_kommune(bergen):
        nokkel = feed.tilstand().epoke.nokkel
    assert f"<code>{nokkel}</code>" in html  # the current epoch key
    assert "Oppbevaringstid" in html and "90 dager" in html
    assert "Ingen klienter har tilgangen lonn:les" in html
    assert f'href="{URL}"' in html  # the menu entry
    assert "/api/v1/redoc/#tag/lonn" in html and "/api/v1/docs/#/lonn" in html
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
@pytest.mark.parametrize("rolle", ["saksbehandler", "lesetilgang", "lege"])
def test_other_roles_are_refused_and_see_no_menu_entry(client, bergen, rolle):
    client.force_login(user_with_role(rolle, bergen))
    assert client.get(URL).status_code == 403
    assert f'href="{URL}"' not in client.get("/frister/").content.decode()


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/konto/login/" in response["Location"]


@pytest.mark.django_db
def test_post_is_not_allowed(page_client):
    assert page_client.post(URL).status_code == 405


@pytest.mark.django_db
def test_clients_with_status_receipt_and_people_row(page_client, bergen, overlege):
    aktiv = _token("Lønnssystemet", bergen)
    _token("Vaktplanverktøy", bergen, scopes=("legevakt:les",))  # no lonn:les: not listed
    trukket = _token("Gammelt lønnssystem", bergen)
    with in_kommune(bergen):
        kommune_services.withdraw_token(binding=ApiTokenKommune.objects.get(token=trukket))
    utlopt = _token("Prøveklient", bergen)
    past = timezone.now() - dt.timedelta(days=10)
    ApiToken.objects.filter(pk=utlopt.pk).update(opprettet=past - dt.timedelta(days=1), utloper=past)
    _kvitter(bergen, token=aktiv)
    siste = _kvitter(bergen, token=aktiv)
    _kvitter(bergen, bruker=overlege)

    html = page_client.get(URL).content.decode()
    assert "Vaktplanverktøy" not in html
    for navn, prefiks in [("Lønnssystemet", aktiv.prefiks), ("Gammelt lønnssystem", trukket.prefiks), ("Prøveklient", utlopt.prefiks)]:
        assert navn in html and f"<code>{prefiks}…</code>" in html
    assert "Trukket tilbake" in html and "Utløpt" in html
    assert siste.markor in html
    assert timezone.localtime(siste.mottatt).strftime("%H:%M:%S") in html
    assert html.count("Ingen kvittering ennå") == 2  # the withdrawn and the expired client
    assert "Personer" in html and f"av {overlege}" in html

    with in_kommune(bergen):
        rader = {r.navn or r.status: r for r in selectors.integrasjoner(feed.tilstand())}
    assert rader["Lønnssystemet"].kvittering.pk == siste.pk  # the latest receipt
    assert (rader["Lønnssystemet"].status, rader["Gammelt lønnssystem"].status, rader["Prøveklient"].status) == (
        selectors.AKTIV, selectors.TRUKKET_TILBAKE, selectors.UTLOPT)
    assert rader["Gammelt lønnssystem"].kvittering is None
    assert rader["personer"].kvittering.bruker == overlege
    with in_kommune(bergen):
        expected = Hendelse.objects.count()
    assert rader["Lønnssystemet"].etterslep == expected  # everything after the feed's start


@pytest.mark.django_db
def test_a_receipt_from_an_earlier_epoch_is_marked_expired(page_client, bergen):
    token = _token("Lønnssystemet", bergen)
    with in_kommune(bergen):
        Kvittering.objects.create(kommune=bergen, klient=token, markor="0badc0de.5.5", xid=5, hendelse_id=5)
    html = page_client.get(URL).content.decode()
    assert "0badc0de.5.5" in html and "Markøren er utløpt" in html


@pytest.mark.django_db
def test_another_kommunes_clients_and_receipts_are_not_shown(page_client, bergen, sunnfjord):
    _token("Sunnfjord-lønn", sunnfjord)
    delt = _token("Felles lønnssystem", bergen, sunnfjord)
    _kvitter(sunnfjord, token=delt)
    _kvitter(sunnfjord, bruker=user_with_role("saksbehandler", sunnfjord))

    html = page_client.get(URL).content.decode()
    assert "Sunnfjord" not in html
    assert "Felles lønnssystem" in html and "Ingen kvittering ennå" in html  # Sunnfjord's receipt is not Bergen's
    assert "Personer" not in html
    with in_kommune(bergen):
        assert [(r.navn, r.kvittering) for r in selectors.integrasjoner(feed.tilstand())] == [("Felles lønnssystem", None)]


@pytest.mark.django_db
def test_constant_number_of_queries_for_1_and_5_clients(page_client, bergen, overlege):
    _kvitter(bergen, token=_token("Klient 0", bergen))
    _kvitter(bergen, bruker=overlege)
    page_client.get(URL)  # warm up (sessions, the epoch)
    with CaptureQueriesContext(connection) as one:
        assert page_client.get(URL).status_code == 200
    for i in range(1, 5):
        _kvitter(bergen, token=_token(f"Klient {i}", bergen))
    with CaptureQueriesContext(connection) as five:
        html = page_client.get(URL).content.decode()
    assert all(f"Klient {i}" in html for i in range(5))
    assert len(five) == len(one), [q["sql"] for q in five.captured_queries]


# --- committed events: lag, held-back events, /helse/ ------------------------------------------------------

class HeldTransaction(threading.Thread):
    """A transaction in its own connection that has begun writing (it holds a transaction id, which
    is what a write takes first) and stays open until released."""

    def __init__(self):
        super().__init__(daemon=True)
        self.started, self.release = threading.Event(), threading.Event()

    def run(self):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT pg_current_xact_id()")
                self.started.set()
                self.release.wait(30)
        finally:
            connections.close_all()

    def __enter__(self):
        self.start()
        assert self.started.wait(10)
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.join(10)


def _visible(k, timeout: float = 120.0) -> feed.Tilstand:
    """Wait until every committed event of kommune `k` is served. The horizon is cluster-wide
    (pg_snapshot_xmin): a transaction in *another database* on the same server — a parallel test run —
    holds it back too, so this may take a moment."""
    deadline = time.monotonic() + timeout
    with in_kommune(k):
        while True:
            t = feed.tilstand()
            if feed.forsinkelse(t).ventende == 0:
                return t
            if time.monotonic() > deadline:
                raise AssertionError("a transaction (possibly in another database on the server) holds back the feed")
            time.sleep(0.1)


def _overlege_client(k) -> Client:
    client = Client()
    client.force_login(user_with_role("kommuneoverlege", k))
    return client


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("kommune_data")
def test_shows_a_clients_last_receipt_and_lag():
    bergen = kommune("4601")
    token = _token("Lønnssystemet", bergen)
    with in_kommune(bergen):
        register.avtale(bergen)
        register.avtale(bergen)
        t = _visible(bergen)
        side = feed.les_side(t=t, etter=t.start, antall=1, kommunenummer="4601")
        totalt = Hendelse.objects.count()
    assert totalt >= 2 and len(side.rader) == 1
    kvittering = _kvitter(bergen, token=token, markor=side.neste)
    with in_kommune(bergen):
        antall, eldste = feed.etterslep(t=feed.tilstand(), etter=feed.Posisjon(kvittering.xid, kvittering.hendelse_id))
    assert antall == totalt - 1

    html = _overlege_client(bergen).get(URL).content.decode()
    assert "Lønnssystemet" in html and side.neste in html
    assert f'<td class="num">{antall}</td>' in html
    assert dateformat.format(timezone.localtime(eldste), "j.n.Y H:i") in html  # the oldest event not receipted
    with in_kommune(bergen):
        (rad,) = selectors.integrasjoner(feed.tilstand())
    assert (rad.etterslep, rad.eldste_ukvitterte) == (antall, eldste)

    # Caught up: lag 0.
    t = _visible(bergen)
    with in_kommune(bergen):
        alt = feed.les_side(t=t, etter=t.start, antall=1000, kommunenummer="4601")
    _kvitter(bergen, token=token, markor=alt.neste)
    assert "0 (à jour)" in _overlege_client(bergen).get(URL).content.decode()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("kommune_data")
def test_helse_reports_events_held_back_by_an_older_transaction_and_503_when_too_late(client):
    bergen = kommune("4601")
    body = client.get("/helse/").json()
    assert body["lonnsstrom"]["status"] == "ok"
    assert {"epoke", "ventende_hendelser", "forsinkelse_sekunder", "eldste_skrivende_transaksjon",
            "maks_forsinkelse_sekunder"} <= body["lonnsstrom"].keys()
    assert body["lonnsstrom"]["ventende_hendelser"] == 0

    overlege = _overlege_client(bergen)
    with HeldTransaction():
        with in_kommune(bergen):
            register.avtale(bergen)  # committed after the held transaction began
        lonn = client.get("/helse/").json()["lonnsstrom"]
        assert lonn["ventende_hendelser"] > 0
        assert lonn["eldste_skrivende_transaksjon"] is not None
        html = overlege.get(URL).content.decode()
        assert "holdes tilbake fordi en eldre transaksjon" in html and "Den eldste pågående transaksjonen begynte" in html

        time.sleep(1.1)
        with override_settings(LONN_FORSINKELSE_MAKS_SEKUNDER=0):
            response = client.get("/helse/")
            assert response.status_code == 503
            assert response.json()["lonnsstrom"]["status"] == "forsinket"
            assert response.json()["lonnsstrom"]["forsinkelse_sekunder"] >= 1
            assert "Forsinket" in overlege.get(URL).content.decode()

    # Released: every event is served, nothing waits (once other databases' transactions are done too).
    _visible(bergen)
    with override_settings(LONN_FORSINKELSE_MAKS_SEKUNDER=0):
        lonn = client.get("/helse/").json()["lonnsstrom"]
    assert (lonn["status"], lonn["ventende_hendelser"]) == ("ok", 0)
