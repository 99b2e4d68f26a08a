"""Signed webhooks (lonn.webhooks): a real local HTTPS receiver (a self-signed certificate made here, trusted
through LONN_WEBHOOK_CA_BUNDLE; 127.0.0.1 allowed through LONN_WEBHOOK_TILLATTE_NETT).

Most tests arrange a notification directly or send a test ping and drive time with `now=`. Notifications of
new feed events need committed transactions below the feed's horizon: those few tests are transactional."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from standardwebhooks import Webhook, WebhookVerificationError

from core.context import scope
from core.history import history_for
from core.tenancy import unscoped
from lonn import feed, tasks, webhooks
from lonn.models import WEBHOOK_TYPE_VARSEL, Hendelse, Webhookendepunkt, Webhookforsok, Webhooklevering
from tests import register
from tests.conftest import in_kommune, kommune, user_with_role

OPPGAVE = "oppgave:lonn.webhooks"


# --- a real HTTPS receiver ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sertifikat(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 and localhost (and its key), as files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Testmottaker")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=7))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                    x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, content_commitment=False,
                                     key_encipherment=False, data_encipherment=False, key_agreement=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    directory = tmp_path_factory.mktemp("tls")
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class Mottaker:
    """An HTTPS server in a thread. Records every request; answers with the next status of `statuser`
    (the last one repeats) and `svar` as body."""

    def __init__(self, cert_path, key_path):
        self.mottatt: list[tuple[dict[str, str], str, str]] = []  # (headers, body, path)
        self.statuser: list[int] = [200]
        self.svar = b"ok"
        mottaker = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0))).decode()
                mottaker.mottatt.append(({k.lower(): v for k, v in self.headers.items()}, body, self.path))
                status = mottaker.statuser.pop(0) if len(mottaker.statuser) > 1 else mottaker.statuser[0]
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", f"https://127.0.0.1:{mottaker.port}/annet-sted")
                self.send_header("Content-Length", str(len(mottaker.svar)))
                self.end_headers()
                self.wfile.write(mottaker.svar)

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass  # a client refusing the certificate is part of a test

        self.server = Server(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_path, key_path)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str = "/webhook") -> str:
        return f"https://127.0.0.1:{self.port}{path}"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def mottaker(sertifikat, settings):
    settings.LONN_WEBHOOK_TILLATTE_NETT = ["127.0.0.1/32"]
    settings.LONN_WEBHOOK_CA_BUNDLE = str(sertifikat[0])
    server = Mottaker(*sertifikat)
    yield server
    server.stop()


def _register(k, url, *, av=None, beskrivelse="Lønnssystemet"):
    with in_kommune(k):
        return webhooks.register(kommune=k, url=url, beskrivelse=beskrivelse, av=av)


def _varsel(endepunkt, *, now, markor="abcd1234.1.1"):
    """A notification of new events waiting, arranged directly (the feed's events need commits)."""
    with in_kommune(endepunkt.kommune):
        payload = json.dumps({"type": WEBHOOK_TYPE_VARSEL, "timestamp": now.isoformat(),
                              "data": {"kommunenummer": endepunkt.kommune.kommunenummer, "til_markor": markor}})
        return Webhooklevering.objects.create(
            kommune=endepunkt.kommune, endepunkt=endepunkt, meldings_id="msg_test" + str(now.timestamp()).replace(".", ""),
            type=WEBHOOK_TYPE_VARSEL, til_markor=markor, payload=payload, neste_forsok=now, opprettet=now)


def _run(now):
    """The periodic task's service, as the task runs it."""
    with scope(kommune_id=None, actor=OPPGAVE):
        return webhooks.run(now=now)


def _uavhengig_signatur(hemmelighet: str, headers: dict[str, str], body: str) -> str:
    """Standard Webhooks' signature computed here from the specification, not with the package."""
    key = base64.b64decode(hemmelighet.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.{body}".encode()
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


# --- signatures and the secret --------------------------------------------------------------------------------

@pytest.mark.django_db
def test_signature_verifies_with_the_secret_and_fails_with_a_wrong_one_or_an_old_timestamp(
        mottaker, bergen, overlege, django_capture_on_commit_callbacks):
    endepunkt, hemmelighet = _register(bergen, mottaker.url(), av=overlege)
    assert hemmelighet.startswith("whsec_") and len(base64.b64decode(hemmelighet[6:])) == 32
    with in_kommune(bergen), django_capture_on_commit_callbacks(execute=True):
        levering = webhooks.send_test(endepunkt=endepunkt)
    ((headers, body, _path),) = mottaker.mottatt
    assert headers["webhook-id"] == levering.meldings_id
    assert abs(int(headers["webhook-timestamp"]) - time.time()) < 60
    assert headers["content-type"] == "application/json"

    # verifies with the endpoint's secret (the package a receiver would use, and the specification by hand)
    assert Webhook(hemmelighet).verify(body, headers) == {
        "type": "lonn.test", "timestamp": json.loads(body)["timestamp"], "data": {"kommunenummer": "4601"}}
    assert headers["webhook-signature"] == _uavhengig_signatur(hemmelighet, headers, body)
    # fails with another secret, or a changed body
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        Webhook("whsec_" + base64.b64encode(b"x" * 32).decode()).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(hemmelighet).verify(body.replace("4601", "4647"), headers)
    # fails when the receiver's clock is more than 5 minutes past the timestamp (a replay), not within
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=4), tick=False):
        Webhook(hemmelighet).verify(body, headers)
    with time_machine.travel(dt.datetime.now(dt.UTC) + webhooks.TOLERANSE + dt.timedelta(seconds=30), tick=False):
        with pytest.raises(WebhookVerificationError, match="too old"):
            Webhook(hemmelighet).verify(body, headers)

    with in_kommune(bergen):
        levering.refresh_from_db()
        (forsok,) = Webhookforsok.objects.filter(levering=levering)
    assert (levering.status, levering.forsok, forsok.http_status, forsok.svar) == ("levert", 1, 200, "ok")


@pytest.mark.django_db
def test_the_secret_is_stored_encrypted_only(bergen, overlege):
    endepunkt, hemmelighet = _register(bergen, "https://1.1.1.1/webhook", av=overlege)
    raw = hemmelighet.removeprefix("whsec_")
    with connection.cursor() as cursor:
        cursor.execute("SELECT t::text FROM lonn_webhookendepunkt t WHERE id = %s", [endepunkt.pk])
        (rad,) = cursor.fetchone()
        cursor.execute("SELECT t::text FROM lonn_webhookendepunktevent t WHERE pgh_obj_id = %s", [endepunkt.pk])
        historikk = " ".join(r[0] for r in cursor.fetchall())
    assert raw not in rad and raw not in historikk and historikk
    assert endepunkt.hemmelighet.startswith("fernet:")


@pytest.mark.django_db
def test_signing_matches_an_independent_implementation():
    hemmelighet = "whsec_" + base64.b64encode(bytes(range(32))).decode()
    body = '{"type":"lonn.hendelser_tilgjengelig"}'
    headers = webhooks.signer(hemmelighet=hemmelighet, meldings_id="msg_1", tidspunkt=1_700_000_000, body=body)
    assert headers["webhook-timestamp"] == "1700000000"
    assert headers["webhook-signature"] == _uavhengig_signatur(hemmelighet, headers, body)


# --- retries, back-off, 410, redirects, TLS ---------------------------------------------------------------

@pytest.mark.django_db
def test_failures_are_retried_with_growing_back_off_every_attempt_logged_then_given_up(mottaker, bergen, overlege):
    mottaker.statuser = [302, 500]  # a redirect is not followed: a failure like any other
    mottaker.svar = b"x" * 2000
    endepunkt, _h = _register(bergen, mottaker.url(), av=overlege)
    t0 = timezone.now().replace(microsecond=0)
    levering = _varsel(endepunkt, now=t0)

    tider = []
    now = t0
    for _i in range(100):
        forst, igjen = _run(now), _run(now)
        assert forst["feilet"] + forst["gitt_opp"] == 1
        assert igjen["feilet"] + igjen["gitt_opp"] + igjen["levert"] == 0  # the second run finds nothing due
        tider.append(now)
        with in_kommune(bergen):
            levering.refresh_from_db()
        if levering.status != "venter":
            break
        assert _run(levering.neste_forsok - dt.timedelta(seconds=1))["feilet"] == 0  # not due yet
        now = levering.neste_forsok

    gaps = [(b - a).total_seconds() for a, b in zip(tider, tider[1:], strict=False)]
    assert gaps[:5] == [30, 60, 120, 240, 480]
    assert max(gaps) == webhooks.MAKS_VENTETID.total_seconds() and all(g > 0 for g in gaps)
    assert tider[-1] == t0 + webhooks.GI_OPP_ETTER  # the last attempt, three days after the first
    assert levering.status == "gitt_opp" and levering.neste_forsok is None
    with in_kommune(bergen):
        forsok = list(Webhookforsok.objects.filter(levering=levering).order_by("tidspunkt"))
    assert len(forsok) == levering.forsok == len(tider) == len(mottaker.mottatt)
    assert [f.tidspunkt for f in forsok] == tider
    assert [f.http_status for f in forsok[:3]] == [302, 500, 500]
    assert [len(f.svar) for f in forsok] == [500] * len(forsok), [f.svar[:50] for f in forsok]
    assert all(f.varighet_ms >= 0 for f in forsok)
    assert {p for _h, _b, p in mottaker.mottatt} == {"/webhook"}  # never to the redirect's target
    assert len({h["webhook-id"] for h, _b, _p in mottaker.mottatt}) == 1  # one message, retried


@pytest.mark.django_db
def test_a_later_success_delivers(mottaker, bergen, overlege):
    mottaker.statuser = [503, 204]
    endepunkt, hemmelighet = _register(bergen, mottaker.url(), av=overlege)
    t0 = timezone.now()
    levering = _varsel(endepunkt, now=t0)
    assert _run(t0)["feilet"] == 1
    assert _run(t0 + dt.timedelta(seconds=30))["levert"] == 1
    with in_kommune(bergen):
        levering.refresh_from_db()
    assert (levering.status, levering.forsok, levering.levert) == ("levert", 2, t0 + dt.timedelta(seconds=30))
    headers, body, _p = mottaker.mottatt[-1]
    assert Webhook(hemmelighet).verify(body, headers)["data"]["til_markor"] == "abcd1234.1.1"


@pytest.mark.django_db
def test_410_disables_the_endpoint_and_stops_retries(mottaker, bergen, overlege):
    mottaker.statuser = [410]
    endepunkt, _h = _register(bergen, mottaker.url(), av=overlege)
    levering = _varsel(endepunkt, now=timezone.now() - dt.timedelta(seconds=1))
    assert tasks.varsle_webhooks.apply().get()["deaktivert"] == 1  # the periodic task, as beat runs it
    with in_kommune(bergen):
        endepunkt.refresh_from_db()
        levering.refresh_from_db()
        historikk = history_for(endepunkt)
    assert (endepunkt.aktiv, endepunkt.deaktivert_arsak) == (False, "410 Gone fra mottakeren")
    assert endepunkt.deaktivert is not None
    assert (levering.status, levering.forsok, levering.neste_forsok) == ("gitt_opp", 1, None)
    assert historikk[0].aktor == OPPGAVE and ("aktiv", True, False) in historikk[0].endringer
    _run(timezone.now() + dt.timedelta(days=1))
    assert len(mottaker.mottatt) == 1  # no more attempts


@pytest.mark.django_db
def test_tls_is_verified(mottaker, bergen, overlege, settings, django_capture_on_commit_callbacks):
    settings.LONN_WEBHOOK_CA_BUNDLE = ""  # the default trust store does not know the self-signed certificate
    endepunkt, _h = _register(bergen, mottaker.url(), av=overlege)
    with in_kommune(bergen), django_capture_on_commit_callbacks(execute=True):
        levering = webhooks.send_test(endepunkt=endepunkt)
    with in_kommune(bergen):
        (forsok,) = Webhookforsok.objects.filter(levering=levering)
        levering.refresh_from_db()
    assert forsok.http_status is None and forsok.feil.startswith("TLS-feil") and "certificate" in forsok.feil
    assert levering.status == "gitt_opp" and mottaker.mottatt == []  # a test ping is tried once


# --- bad input ---------------------------------------------------------------------------------------------

@pytest.fixture
def dns(monkeypatch):
    """Names under .kommune.test resolve to what the test says; everything else as usual."""
    svar: dict[str, str] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if isinstance(host, str) and host in svar:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (svar[host], port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return svar


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "melding"), [
    ("http://lonn.kommune.no/webhook", "Adressen må bruke HTTPS"),
    ("https://10.0.0.1/webhook", "privat, intern eller reservert nettverksadresse (10.0.0.1)"),
    ("https://127.0.0.1/webhook", "privat, intern eller reservert nettverksadresse (127.0.0.1)"),
    ("https://169.254.169.254/latest/meta-data/", "privat, intern eller reservert nettverksadresse (169.254.169.254)"),
    ("https://[::1]:8443/webhook", "privat, intern eller reservert nettverksadresse (::1)"),
    ("https://[::ffff:10.1.2.3]/webhook", "privat, intern eller reservert nettverksadresse"),
    ("https://[2002:7f00:1::1]/webhook", "privat, intern eller reservert nettverksadresse"),  # 6to4 around 127.0.0.1
    ("https://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/webhook",  # Teredo around 10.0.0.1
     "privat, intern eller reservert nettverksadresse"),
    ("https://localhost/webhook", "privat, intern eller reservert nettverksadresse (127.0.0.1)"),
    ("https://intern.kommune.test/webhook", "privat, intern eller reservert nettverksadresse (127.0.0.1)"),
    ("https://ingen-slik-vert.invalid/webhook", "Vertsnavnet «ingen-slik-vert.invalid» finnes ikke"),
    ("https://bruker:passord@1.1.1.1/webhook", "kan ikke inneholde brukernavn eller passord"),
    ("https://", "Skriv inn en gyldig adresse"),
    ("", "Oppgi adressen"),
])
def test_bad_addresses_are_refused_with_a_clear_error_and_nothing_saved(page_client, bergen, dns, url, melding):
    dns["intern.kommune.test"] = "127.0.0.1"
    response = page_client.post(reverse("lonn:webhooks"), {"url": url, "beskrivelse": "Lønn"})
    assert response.status_code == 400
    assert melding in response.content.decode()
    with in_kommune(bergen):
        assert not Webhookendepunkt.objects.exists()
    with pytest.raises(ValidationError) as exc:
        _register(bergen, url)
    assert list(exc.value.message_dict) == ["url"]


@pytest.mark.django_db
def test_the_address_is_checked_again_at_delivery(mottaker, bergen, overlege, settings, dns):
    """A name that resolved to a public address at registration and to a private one later (DNS rebinding)
    is not connected to: the attempt is logged with the reason."""
    dns["lonn.kommune.test"] = "93.184.215.14"
    endepunkt, _h = _register(bergen, f"https://lonn.kommune.test:{mottaker.port}/webhook", av=overlege)
    dns["lonn.kommune.test"] = "127.0.0.1"
    settings.LONN_WEBHOOK_TILLATTE_NETT = []
    levering = _varsel(endepunkt, now=timezone.now())
    assert _run(timezone.now())["feilet"] == 1
    with in_kommune(bergen):
        (forsok,) = Webhookforsok.objects.filter(levering=levering)
    assert "privat, intern eller reservert nettverksadresse (127.0.0.1)" in forsok.feil
    assert mottaker.mottatt == []


@pytest.mark.django_db
def test_a_public_address_is_accepted_and_an_address_only_once(page_client, bergen):
    response = page_client.post(reverse("lonn:webhooks"), {"url": "https://1.1.1.1/webhook", "beskrivelse": ""})
    assert response.status_code == 200
    assert "Kopier hemmeligheten nå" in response.content.decode()
    response = page_client.post(reverse("lonn:webhooks"), {"url": "https://1.1.1.1/webhook", "beskrivelse": ""})
    assert response.status_code == 400 and "Adressen er allerede registrert for kommunen." in response.content.decode()
    with in_kommune(bergen):
        assert Webhookendepunkt.objects.count() == 1


# --- pages -------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_pages_register_show_the_secret_once_log_deliveries_and_act(
        page_client, bergen, mottaker, django_capture_on_commit_callbacks):
    assert page_client.get(reverse("lonn:webhooks")).status_code == 200
    response = page_client.post(reverse("lonn:webhooks"), {"url": mottaker.url(), "beskrivelse": "Lønnssystemet"})
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    with in_kommune(bergen):
        endepunkt = Webhookendepunkt.objects.get()
    html = response.content.decode()
    hemmelighet = html.split('id="hemmelighet" type="text" readonly value="', 1)[1].split('"', 1)[0]
    assert hemmelighet.startswith("whsec_") and "webhook-signature" in html
    detalj = reverse("lonn:webhook", kwargs={"webhook_id": endepunkt.pk})
    assert hemmelighet not in page_client.get(detalj).content.decode()
    assert mottaker.url() in page_client.get(reverse("lonn:webhooks")).content.decode()

    # a test ping from the page: delivered, verifiable with the secret shown, logged on the page
    mottaker.svar = b"Takk fra mottakeren"
    with django_capture_on_commit_callbacks(execute=True):
        assert page_client.post(reverse("lonn:webhook_test", kwargs={"webhook_id": endepunkt.pk})).status_code == 302
    headers, body, _p = mottaker.mottatt[-1]
    assert Webhook(hemmelighet).verify(body, headers)["type"] == "lonn.test"
    html = page_client.get(detalj).content.decode()
    assert "HTTP 200" in html and "Takk fra mottakeren" in html and headers["webhook-id"] in html

    # a new secret: the old one no longer verifies
    response = page_client.post(reverse("lonn:webhook_ny_hemmelighet", kwargs={"webhook_id": endepunkt.pk}))
    ny = response.content.decode().split('readonly value="', 1)[1].split('"', 1)[0]
    assert ny != hemmelighet
    with django_capture_on_commit_callbacks(execute=True):
        page_client.post(reverse("lonn:webhook_test", kwargs={"webhook_id": endepunkt.pk}))
    headers, body, _p = mottaker.mottatt[-1]
    assert Webhook(ny).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(hemmelighet).verify(body, headers)

    # deactivate, activate, delete
    page_client.post(reverse("lonn:webhook_deaktiver", kwargs={"webhook_id": endepunkt.pk}))
    with in_kommune(bergen):
        endepunkt.refresh_from_db()
    assert not endepunkt.aktiv and endepunkt.deaktivert_arsak == "Deaktivert av kommunen"
    assert "Deaktivert av kommunen" in page_client.get(detalj).content.decode()
    page_client.post(reverse("lonn:webhook_aktiver", kwargs={"webhook_id": endepunkt.pk}))
    with in_kommune(bergen):
        endepunkt.refresh_from_db()
    assert endepunkt.aktiv and endepunkt.deaktivert is None
    response = page_client.post(reverse("lonn:webhook_slett", kwargs={"webhook_id": endepunkt.pk}))
    assert response.status_code == 302 and response["Location"] == reverse("lonn:webhooks")
    with in_kommune(bergen):
        assert not Webhookendepunkt.objects.exists() and not Webhooklevering.objects.exists()
    assert page_client.get(detalj).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("rolle", ["saksbehandler", "lesetilgang"])
def test_only_the_kommuneoverlege_manages_webhooks(client, bergen, rolle):
    client.force_login(user_with_role(rolle, bergen))
    assert client.get(reverse("lonn:webhooks")).status_code == 403


@pytest.mark.django_db
def test_another_kommunes_user_cannot_see_or_act_on_the_endpoints(client, bergen, sunnfjord, overlege):
    endepunkt, _h = _register(bergen, "https://1.1.1.1/bergen-webhook", av=overlege, beskrivelse="Bergens lønnssystem")
    _varsel(endepunkt, now=timezone.now())
    client.force_login(user_with_role("kommuneoverlege", sunnfjord))
    html = client.get(reverse("lonn:webhooks")).content.decode()
    assert "bergen-webhook" not in html and "Bergens lønnssystem" not in html
    kwargs = {"webhook_id": endepunkt.pk}
    assert client.get(reverse("lonn:webhook", kwargs=kwargs)).status_code == 404
    for name in ("webhook_deaktiver", "webhook_aktiver", "webhook_ny_hemmelighet", "webhook_slett", "webhook_test"):
        assert client.post(reverse(f"lonn:{name}", kwargs=kwargs)).status_code == 404, name
    with in_kommune(bergen):
        after = Webhookendepunkt.objects.get()
        assert Webhooklevering.objects.count() == 1
    assert (after.aktiv, after.versjon, after.hemmelighet) == (True, endepunkt.versjon, endepunkt.hemmelighet)


@pytest.mark.django_db
def test_the_overview_for_the_integration_page(bergen, overlege):
    endepunkt, _h = _register(bergen, "https://1.1.1.1/webhook", av=overlege)
    _register(bergen, "https://1.1.1.1/annen", av=overlege)
    now = timezone.now()
    _varsel(endepunkt, now=now - dt.timedelta(minutes=1), markor="a.1.1")
    with in_kommune(bergen):
        Webhooklevering.objects.update(status="levert", levert=now, neste_forsok=None)
        _varsel(endepunkt, now=now, markor="a.2.2")
        with CaptureQueriesContext(connection) as queries:
            rader = webhooks.oversikt()
    assert len(queries) == 2
    assert [(r.endepunkt.url, r.siste and r.siste.til_markor, r.ventende) for r in rader] == [
        ("https://1.1.1.1/webhook", "a.2.2", 1), ("https://1.1.1.1/annen", None, 0)]


@pytest.mark.django_db
def test_the_beat_schedule_runs_the_task_every_30_seconds():
    from django.apps import apps
    from django_celery_beat.models import PeriodicTask

    PeriodicTask.objects.filter(name=webhooks.BEAT_NAVN).delete()
    webhooks.after_migrate(sender=apps.get_app_config("kommune"))  # another app's post_migrate: nothing
    assert not PeriodicTask.objects.filter(name=webhooks.BEAT_NAVN).exists()
    webhooks.after_migrate(sender=apps.get_app_config("lonn"))
    webhooks.after_migrate(sender=apps.get_app_config("lonn"))  # idempotent
    task = PeriodicTask.objects.get(name=webhooks.BEAT_NAVN)
    assert (task.task, task.enabled, task.interval.every, task.interval.period) == ("lonn.webhooks", True, 30, "seconds")
    assert task.task in tasks.varsle_webhooks.app.tasks


# --- committed events → notifications (transactional) -----------------------------------------------------

def _visible(k, timeout: float = 60.0) -> feed.Tilstand:
    """Wait until every committed event of kommune `k` lies below the feed's horizon."""
    deadline = time.monotonic() + timeout
    with in_kommune(k):
        while True:
            t = feed.tilstand()
            if feed.forsinkelse(t).ventende == 0:
                return t
            assert time.monotonic() < deadline, "a transaction holds back the feed"
            time.sleep(0.05)


def _siste_markor(k) -> str:
    t = _visible(k)
    with in_kommune(k):
        siste = Hendelse.objects.order_by("-xid", "-id").first()
    return t.markor(feed.Posisjon(siste.xid, siste.id))


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("kommune_data")
def test_committed_events_are_notified_signed_coalesced_and_only_once(mottaker):
    bergen, sunnfjord = kommune("4601"), kommune("4647")
    endepunkt, hemmelighet = _register(bergen, mottaker.url())
    assert tasks.varsle_webhooks.apply().get()["nye_varsler"] == 0  # nothing since registration

    with in_kommune(bergen):
        register.avtale(bergen)  # committed: payroll events in Bergen
    markor = _siste_markor(bergen)
    assert tasks.varsle_webhooks.apply().get()["levert"] == 1
    ((headers, body, _p),) = mottaker.mottatt
    varsel = Webhook(hemmelighet).verify(body, headers)
    assert varsel == {"type": "lonn.hendelser_tilgjengelig", "timestamp": varsel["timestamp"],
                      "data": {"kommunenummer": "4601", "til_markor": markor}}  # thin: no personal data
    assert dt.datetime.fromisoformat(varsel["timestamp"]) <= timezone.now()

    # idempotent: nothing new, nothing sent; another kommune's events do not concern the endpoint
    assert tasks.varsle_webhooks.apply().get()["nye_varsler"] == 0
    with in_kommune(sunnfjord):
        register.avtale(sunnfjord)
    _visible(sunnfjord)
    assert tasks.varsle_webhooks.apply().get()["nye_varsler"] == 0
    assert len(mottaker.mottatt) == 1

    # the receiver is down: one notification waits; newer events move its target instead of adding one
    mottaker.statuser = [500, 200]
    t0 = timezone.now()
    with in_kommune(bergen):
        register.avtale(bergen)
    forste = _siste_markor(bergen)
    assert _run(t0)["feilet"] == 1
    with in_kommune(bergen):
        register.avtale(bergen)
    andre = _siste_markor(bergen)
    assert _run(t0 + dt.timedelta(seconds=5)) == {"nye_varsler": 0, "flyttede_varsler": 1, "levert": 0, "feilet": 0,
                                                  "gitt_opp": 0, "deaktivert": 0}
    with in_kommune(bergen):
        (venter,) = Webhooklevering.objects.filter(status="venter")
    assert venter.til_markor == andre != forste
    assert _run(t0 + dt.timedelta(seconds=30))["levert"] == 1
    headers, body, _p = mottaker.mottatt[-1]
    assert Webhook(hemmelighet).verify(body, headers)["data"]["til_markor"] == andre
    assert headers["webhook-id"] != mottaker.mottatt[-2][0]["webhook-id"]  # a new body is a new message
    with in_kommune(bergen):
        assert list(Webhooklevering.objects.order_by("id").values_list("status", flat=True)) == ["levert", "levert"]
        assert Webhookforsok.objects.count() == 3


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("kommune_data")
def test_the_periodic_task_makes_a_constant_number_of_queries_for_1_and_5_endpoints(mottaker):
    bergen, sunnfjord = kommune("4601"), kommune("4647")
    _register(bergen, mottaker.url("/1"))
    with in_kommune(bergen):
        register.avtale(bergen)
    _visible(bergen)
    with CaptureQueriesContext(connection) as en:
        assert _run(timezone.now())["levert"] == 1

    for i, k in ((2, bergen), (3, bergen), (4, sunnfjord), (5, sunnfjord)):
        _register(k, mottaker.url(f"/{i}"))
    for k in (bergen, sunnfjord):
        with in_kommune(k):
            register.avtale(k)
        _visible(k)
    with CaptureQueriesContext(connection) as fem:
        assert _run(timezone.now())["levert"] == 5
    assert sorted(p for _h, _b, p in mottaker.mottatt) == ["/1", "/1", "/2", "/3", "/4", "/5"]
    assert len(fem) == len(en), [q["sql"][:120] for q in fem.captured_queries]
    with unscoped(reason="test: every kommune's deliveries"):
        assert Webhooklevering.objects.filter(status="levert").count() == 6
