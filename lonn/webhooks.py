"""Signed webhooks: the kommune's HTTPS endpoints are told "new events are available in the payroll
feed" (services and selectors). See docs/webhooks.md.

- A notification is thin — `{"type": "lonn.hendelser_tilgjengelig", "timestamp": …, "data":
  {"kommunenummer": …, "til_markor": …}}`, no personal data — and signed per the Standard Webhooks
  convention (headers `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256 of
  "id.timestamp.body">`, secret `whsec_<base64>`) with the `standardwebhooks` package. The receiver
  verifies it and reads the feed with its own token.
- The secret is shown once and stored encrypted (Fernet under a key derived from SECRET_KEY, as the
  TOTP secrets in kommune/auth.py, with its own salt; SECRET_KEY_FALLBACKS still decrypt while rotating).
- Addresses: HTTPS only, never a private, loopback, link-local or reserved address — checked for IP
  literals and for every address the name resolves to, at registration and again at every delivery,
  where the connection goes to exactly the address that was checked (no second DNS lookup: DNS rebinding).
  `LONN_WEBHOOK_TILLATTE_NETT` lists networks allowed anyway (tests: 127.0.0.1).
- The periodic task (`run`, every INTERVALL_SEKUNDER) finds, in one statement for all endpoints, those whose
  kommune has events below the feed's visibility horizon after the position the endpoint was notified up
  to, and creates one notification per endpoint — or moves the target of the one still waiting
  (coalescing). Then it claims due notifications with SELECT … FOR UPDATE SKIP LOCKED and a lease, commits,
  sends them outside any transaction (an open transaction would hold back the feed's horizon, which is
  cluster-wide) and records every attempt in one batch. A constant number of queries per run.
- Delivery: 2xx delivered; 410 disables the endpoint (no more retries); anything else is retried with
  exponential back-off until GI_OPP_ETTER after the first attempt, then given up.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import ipaddress
import json
import secrets
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from requests.adapters import HTTPAdapter
from standardwebhooks import Webhook
from urllib3.connection import HTTPSConnection
from urllib3.connectionpool import HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util import connection as urllib3_connection

from core.tenancy import unscoped
from kommune.models import Kommune
from lonn import feed
from lonn.models import (
    WEBHOOK_TYPE_TEST,
    WEBHOOK_TYPE_VARSEL,
    Leveringsstatus,
    Webhookendepunkt,
    Webhookforsok,
    Webhooklevering,
)

# --- parameters: one place ----------------------------------------------------------------------------------
# Standard Webhooks (standardwebhooks.com, "Standard Webhooks specification"): the receiver rejects a timestamp
# further than 5 minutes from its own clock (the `standardwebhooks` package's tolerance); the sender retries
# failed deliveries with exponential back-off for about three days. The HTTP timeouts and the response excerpt
# follow common webhook practice (pretix, Svix).
TOLERANSE = dt.timedelta(minutes=5)  # what a receiver accepts; told to integrators on the page
FORSTE_VENTETID = dt.timedelta(seconds=30)  # after the first failed attempt; doubles after every failure...
MAKS_VENTETID = dt.timedelta(hours=6)  # ...up to this
GI_OPP_ETTER = dt.timedelta(hours=72)  # counted from the first attempt; the last attempt falls at this moment
TIDSAVBRUDD = (5.0, 10.0)  # seconds: to connect, and to wait for the answer
SVAR_MAKS_TEGN = 500  # the response body kept per attempt
SVAR_LESETID = 15.0  # seconds from the start of the request after which no more of the body is read
LEIETID = dt.timedelta(minutes=5)  # a claimed notification is not picked by another run for this long
MAKS_PER_KJORING = 50  # notifications sent per run; the rest in the next run
PARALLELLE = 8  # HTTP requests at once in one run
INTERVALL_SEKUNDER = 30  # how often beat runs the task
MAKS_ENDEPUNKTER = 10  # per kommune
HEMMELIGHET_BYTES = 32  # Standard Webhooks: 24–64 random bytes
GONE_ARSAK = "410 Gone fra mottakeren"

TASK = "lonn.webhooks"  # the periodic task; its writes are recorded as "oppgave:lonn.webhooks"
TASK_LEVER = "lonn.webhook_lever"  # sends one notification now (the test button)
BEAT_NAVN = "lonn:webhooks"  # the PeriodicTask row (not "fastlege:…": core.jobs disables unknown ones of those)
PREFIKS = "whsec_"
_SALT = "fastlegeadministrasjon.webhook-secrets"
_KRYPTERT = "fernet:"


# --- the secret ----------------------------------------------------------------------------------------------

def _fernet() -> MultiFernet:
    def key(secret: str) -> bytes:
        digest = salted_hmac(_SALT, "fernet-key", secret=secret, algorithm="sha256").digest()
        return base64.urlsafe_b64encode(hashlib.sha256(digest).digest())

    return MultiFernet([Fernet(key(k)) for k in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]])


def _ny_hemmelighet() -> str:
    return PREFIKS + base64.b64encode(secrets.token_bytes(HEMMELIGHET_BYTES)).decode()


def _krypter(hemmelighet: str) -> str:
    return _KRYPTERT + _fernet().encrypt(hemmelighet.encode()).decode()


def _dekrypter(lagret: str) -> str:
    if not lagret.startswith(_KRYPTERT):
        raise ValueError("Webhook-hemmeligheten er ikke kryptert.")
    try:
        return _fernet().decrypt(lagret[len(_KRYPTERT):].encode()).decode()
    except InvalidToken as exc:
        raise ValueError("Webhook-hemmeligheten kan ikke dekrypteres med nåværende SECRET_KEY; lag en ny.") from exc


def signer(*, hemmelighet: str, meldings_id: str, tidspunkt: int, body: str) -> dict[str, str]:
    """The headers of a notification signed per Standard Webhooks (the signature covers
    "<webhook-id>.<webhook-timestamp>.<body>")."""
    signatur = Webhook(hemmelighet).sign(meldings_id, dt.datetime.fromtimestamp(tidspunkt, tz=dt.UTC), body)
    return {
        "webhook-id": meldings_id,
        "webhook-timestamp": str(tidspunkt),
        "webhook-signature": signatur,
        "content-type": "application/json",
        "user-agent": "Fastlegeadministrasjon-webhook/1",
    }


# --- addresses -----------------------------------------------------------------------------------------------

class AdresseFeil(Exception):
    def __init__(self, melding: str):
        super().__init__(melding)
        self.melding = melding


def _tillatte_nett() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    nett = []
    for cidr in getattr(settings, "LONN_WEBHOOK_TILLATTE_NETT", None) or []:
        try:
            nett.append(ipaddress.ip_network(cidr.strip(), strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(f"LONN_WEBHOOK_TILLATTE_NETT: «{cidr}» er ikke et nett (CIDR).") from exc
    return nett


def adresse_tillatt(ip: str) -> bool:
    """A public address, or one in LONN_WEBHOOK_TILLATTE_NETT."""
    adresse = ipaddress.ip_address(ip.split("%", 1)[0])
    if adresse.version == 6 and adresse.ipv4_mapped is not None:
        adresse = adresse.ipv4_mapped
    if any(adresse in nett for nett in _tillatte_nett()):
        return True
    if adresse.version == 6:
        # 6to4 and Teredo carry an IPv4 address inside: that one must be public too
        innebygd = [a for a in (adresse.sixtofour, adresse.teredo[1] if adresse.teredo else None) if a is not None]
        if any(not adresse_tillatt(str(a)) for a in innebygd):
            return False
    return adresse.is_global and not (adresse.is_private or adresse.is_loopback or adresse.is_link_local
                                      or adresse.is_reserved or adresse.is_multicast or adresse.is_unspecified)


def _sjekk_vert(vert: str, port: int) -> list[str]:
    """The addresses `vert` resolves to, all of them allowed; AdresseFeil otherwise."""
    try:
        infos = socket.getaddrinfo(vert, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise AdresseFeil(_("Vertsnavnet «%(vert)s» finnes ikke (det kan ikke slås opp i DNS).") % {"vert": vert}) from exc
    adresser = list(dict.fromkeys(info[4][0] for info in infos))
    if not adresser:
        raise AdresseFeil(_("Vertsnavnet «%(vert)s» finnes ikke (det kan ikke slås opp i DNS).") % {"vert": vert})
    forbudt = [a for a in adresser if not adresse_tillatt(a)]
    if forbudt:
        raise AdresseFeil(_("Adressen peker på en privat, intern eller reservert nettverksadresse (%(ip)s). Webhooks sendes "
                            "bare til offentlige adresser.") % {"ip": forbudt[0]})
    return adresser


def _valider_url(url: str) -> str:
    def feil(melding: str) -> ValidationError:
        return ValidationError({"url": melding})

    url = (url or "").strip()
    if not url:
        raise feil(_("Oppgi adressen varslene skal sendes til."))
    if len(url) > 500:
        raise feil(_("Adressen kan være høyst 500 tegn."))
    if not url.lower().startswith("https://"):
        raise feil(_("Adressen må bruke HTTPS (begynne med https://)."))
    try:
        URLValidator(schemes=["https"])(url)
        deler = urlsplit(url)
        port = deler.port or 443
    except (ValidationError, ValueError):
        raise feil(_("Skriv inn en gyldig adresse, for eksempel https://lonn.kommune.no/webhook."))
    if deler.username is not None or deler.password is not None:
        raise feil(_("Adressen kan ikke inneholde brukernavn eller passord. Mottakeren kjenner igjen avsenderen på "
                     "signaturen."))
    if deler.fragment:
        raise feil(_("Adressen kan ikke inneholde et fragment (#…)."))
    try:
        _sjekk_vert(deler.hostname, port)
    except AdresseFeil as exc:
        raise feil(exc.melding)
    return url


class AdresseIkkeTillatt(NewConnectionError):
    """The address check refused the connection (at delivery)."""

    def __init__(self, conn, melding: str):
        super().__init__(conn, melding)
        self.melding = melding


class _SjekketHTTPSConnection(HTTPSConnection):
    """Connects only to addresses the check allows, and to exactly the address it checked: no second DNS
    lookup an attacker could answer differently (DNS rebinding). TLS still verifies the certificate against
    the host name in the URL."""

    def _new_conn(self) -> socket.socket:
        try:
            adresser = _sjekk_vert(self._dns_host, self.port)
        except AdresseFeil as exc:
            raise AdresseIkkeTillatt(self, exc.melding) from None
        siste: OSError | None = None
        for ip in adresser:
            try:
                return urllib3_connection.create_connection(
                    (ip, self.port), self.timeout, source_address=self.source_address, socket_options=self.socket_options)
            except TimeoutError as exc:
                raise ConnectTimeoutError(self, f"Tidsavbrudd ved oppkobling til {self.host} ({ip}).") from exc
            except OSError as exc:
                siste = exc
        raise NewConnectionError(self, f"Kunne ikke koble til {self.host}: {siste}")


class _SjekketPool(HTTPSConnectionPool):
    ConnectionCls = _SjekketHTTPSConnection


class _SjekketAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"https": _SjekketPool}


def _ca_bundle() -> str | bool:
    """LONN_WEBHOOK_CA_BUNDLE (a file of trusted CA certificates), else the default trust store (certifi)."""
    return getattr(settings, "LONN_WEBHOOK_CA_BUNDLE", "") or True


# --- services ------------------------------------------------------------------------------------------------

def register(*, kommune: Kommune, url: str, beskrivelse: str = "", av, now: dt.datetime | None = None,
             ) -> tuple[Webhookendepunkt, str]:
    """Register an endpoint. Returns it and its secret, which is shown once (only its encryption is stored).
    The endpoint is notified of events committed from now on."""
    now = now or timezone.now()
    url = _valider_url(url)
    beskrivelse = (beskrivelse or "").strip()
    if len(beskrivelse) > 200:
        raise ValidationError({"beskrivelse": _("Beskrivelsen kan være høyst 200 tegn.")})
    hemmelighet = _ny_hemmelighet()
    t = feed.tilstand()
    with transaction.atomic():
        if Webhookendepunkt.objects.filter(kommune=kommune).count() >= MAKS_ENDEPUNKTER:
            raise ValidationError({"url": _("Kommunen kan ha høyst %(n)s webhook-endepunkter. Slett et du ikke bruker.")
                                   % {"n": MAKS_ENDEPUNKTER}})
        if Webhookendepunkt.objects.filter(kommune=kommune, url=url).exists():
            raise ValidationError({"url": _("Adressen er allerede registrert for kommunen.")})
        endepunkt = Webhookendepunkt(
            kommune=kommune, url=url, beskrivelse=beskrivelse, hemmelighet=_krypter(hemmelighet),
            hemmelighet_byttet=now, opprettet=now, opprettet_av=av,
            varslet_epoke=t.epoke.nokkel, varslet_xid=t.horisont, varslet_id=0,
        )
        try:
            with transaction.atomic():
                endepunkt.save()
        except IntegrityError as exc:
            raise ValidationError({"url": _("Adressen er allerede registrert for kommunen.")}) from exc
    return endepunkt, hemmelighet


def deactivate(*, endepunkt: Webhookendepunkt, now: dt.datetime | None = None, arsak: str = "") -> Webhookendepunkt:
    """Stop sending to the endpoint. A notification still waiting waits (it is sent after activation)."""
    if not endepunkt.aktiv:
        return endepunkt
    endepunkt.aktiv = False
    endepunkt.deaktivert = now or timezone.now()
    endepunkt.deaktivert_arsak = (arsak or _("Deaktivert av kommunen"))[:200]
    endepunkt.save(update_fields=["aktiv", "deaktivert", "deaktivert_arsak"])
    return endepunkt


def activate(*, endepunkt: Webhookendepunkt, now: dt.datetime | None = None) -> Webhookendepunkt:
    """Send to the endpoint again; a notification still waiting goes out now, with a new three-day window."""
    now = now or timezone.now()
    if endepunkt.aktiv:
        return endepunkt
    with transaction.atomic():
        endepunkt.aktiv = True
        endepunkt.deaktivert = None
        endepunkt.deaktivert_arsak = ""
        endepunkt.save(update_fields=["aktiv", "deaktivert", "deaktivert_arsak"])
        Webhooklevering.objects.filter(endepunkt=endepunkt, status=Leveringsstatus.VENTER).update(
            neste_forsok=now, forste_forsok=None)
    return endepunkt


def rotate_secret(*, endepunkt: Webhookendepunkt, now: dt.datetime | None = None) -> str:
    """A new secret, shown once; the old one stops working at once (notifications still waiting are
    signed with the new one when sent)."""
    hemmelighet = _ny_hemmelighet()
    endepunkt.hemmelighet = _krypter(hemmelighet)
    endepunkt.hemmelighet_byttet = now or timezone.now()
    endepunkt.save(update_fields=["hemmelighet", "hemmelighet_byttet"])
    return hemmelighet


def delete(*, endepunkt: Webhookendepunkt) -> None:
    """Delete the endpoint with its delivery log (the deletion stays in the history)."""
    with transaction.atomic():
        Webhookforsok.objects.filter(levering__endepunkt=endepunkt).delete()
        Webhooklevering.objects.filter(endepunkt=endepunkt).delete()
        endepunkt.delete()


def _tid(now: dt.datetime) -> str:
    return now.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _meldings_id() -> str:
    return "msg_" + secrets.token_hex(16)


def send_test(*, endepunkt: Webhookendepunkt, now: dt.datetime | None = None) -> Webhooklevering:
    """A test notification (`lonn.test`), sent right after the transaction commits — also to a deactivated
    endpoint, to check it before activating it again. One attempt, no retries."""
    from core.tasks import enqueue
    from lonn import tasks

    now = now or timezone.now()
    kommunenummer = Kommune.objects.filter(pk=endepunkt.kommune_id).values_list("kommunenummer", flat=True).get()
    payload = json.dumps({"type": WEBHOOK_TYPE_TEST, "timestamp": _tid(now), "data": {"kommunenummer": kommunenummer}},
                         separators=(",", ":"))
    levering = Webhooklevering.objects.create(
        kommune_id=endepunkt.kommune_id, endepunkt=endepunkt, meldings_id=_meldings_id(), type=WEBHOOK_TYPE_TEST,
        payload=payload, status=Leveringsstatus.VENTER, neste_forsok=now, opprettet=now,
    )
    enqueue(tasks.lever_webhook, levering_id=levering.pk)
    return levering


# --- the periodic task ---------------------------------------------------------------------------------------

# Every active endpoint whose kommune's newest event below the horizon lies after the endpoint's position (or any
# event, when its position is from an earlier epoch): one notification up to that event — a new one, or the one
# still waiting gets the new target (and a new id: its body changed). The endpoint's position moves with it.
# Per endpoint one backward probe of the index (kommune_id, xid, id) that stops at the first row: comparing the
# newest event with the position (not searching for any event after it) never scans a quiet kommune's history.
_OPPDAG_SQL = """
WITH siste AS (
  SELECT e.id AS endepunkt_id, e.kommune_id, k.kommunenummer, m.xid, m.hid
    FROM lonn_webhookendepunkt e
    JOIN kommune_kommune k ON k.id = e.kommune_id
    CROSS JOIN LATERAL (
      SELECT h.xid, h.id AS hid FROM lonn_hendelse h
       WHERE h.kommune_id = e.kommune_id AND h.xid < %(horisont)s AND h.id >= %(forste)s
       ORDER BY h.xid DESC, h.id DESC LIMIT 1
    ) m
   WHERE e.aktiv AND (e.varslet_epoke <> %(epoke)s OR (m.xid, m.hid) > (e.varslet_xid, e.varslet_id))
), flytt AS (
  UPDATE lonn_webhookendepunkt e SET varslet_epoke = %(epoke)s, varslet_xid = s.xid, varslet_id = s.hid
    FROM siste s WHERE e.id = s.endepunkt_id
), varsel AS (
  INSERT INTO lonn_webhooklevering (kommune_id, endepunkt_id, meldings_id, type, til_markor, payload, status, forsok,
                                    neste_forsok, opprettet)
  SELECT s.kommune_id, s.endepunkt_id, 'msg_' || replace(gen_random_uuid()::text, '-', ''), %(type)s,
         %(epoke)s || '.' || s.xid || '.' || s.hid,
         '{"type":' || to_json(%(type)s::text) || ',"timestamp":' || to_json(%(tid)s::text)
           || ',"data":{"kommunenummer":' || to_json(s.kommunenummer) || ',"til_markor":'
           || to_json(%(epoke)s || '.' || s.xid || '.' || s.hid) || '}}',
         'venter', 0, %(now)s, %(now)s
    FROM siste s
  ON CONFLICT (kommune_id, endepunkt_id) WHERE status = 'venter' AND type = 'lonn.hendelser_tilgjengelig'
  DO UPDATE SET meldings_id = EXCLUDED.meldings_id, til_markor = EXCLUDED.til_markor, payload = EXCLUDED.payload
  RETURNING (xmax = 0) AS ny
)
SELECT count(*) FILTER (WHERE ny), count(*) FILTER (WHERE NOT ny) FROM varsel
"""

# Due notifications, claimed: locked rows are skipped (another run has them), and the claim is a lease
# (neste_forsok moved ahead), committed before sending, so no transaction stays open during HTTP.
_HENT_SQL = """
WITH valgt AS (
  SELECT l.id FROM lonn_webhooklevering l JOIN lonn_webhookendepunkt e ON e.id = l.endepunkt_id
   WHERE l.status = 'venter' AND l.neste_forsok <= %(now)s AND (e.aktiv OR l.type = %(test)s)
     AND (%(ids)s::bigint[] IS NULL OR l.id = ANY(%(ids)s::bigint[]))
   ORDER BY l.neste_forsok, l.id
   LIMIT %(maks)s
   FOR UPDATE OF l SKIP LOCKED
)
UPDATE lonn_webhooklevering l SET neste_forsok = %(leie)s
  FROM valgt, lonn_webhookendepunkt e
 WHERE l.id = valgt.id AND e.id = l.endepunkt_id
RETURNING l.id, l.kommune_id, l.endepunkt_id, l.meldings_id, l.type, l.payload, l.forsok, l.forste_forsok,
          e.url, e.hemmelighet
"""

# The outcome of every attempt at once. A notification whose target moved while it was being sent (another
# id now) is not delivered yet: it goes out again at once with its new body.
_REGISTRER_SQL = """
UPDATE lonn_webhooklevering l SET
  forsok = l.forsok + 1,
  sist_forsok = v.tid,
  forste_forsok = coalesce(l.forste_forsok, v.tid),
  status = CASE WHEN v.status = 'levert' AND l.meldings_id <> v.mid THEN 'venter' ELSE v.status END,
  levert = CASE WHEN v.status = 'levert' AND l.meldings_id = v.mid THEN v.tid ELSE l.levert END,
  neste_forsok = CASE WHEN v.status = 'levert' AND l.meldings_id <> v.mid THEN v.tid
                      WHEN v.status = 'venter' THEN v.neste END
  FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::timestamptz[], %s::timestamptz[]) AS v(id, mid, status, neste, tid)
 WHERE l.id = v.id
"""


def neste_forsok(*, forsok_nr: int, forste: dt.datetime, now: dt.datetime) -> dt.datetime | None:
    """When to try again after failed attempt number `forsok_nr` (1 = the first), or None: give up.
    FORSTE_VENTETID doubling up to MAKS_VENTETID; the last attempt at GI_OPP_ETTER after the first."""
    frist = forste + GI_OPP_ETTER
    if now >= frist:
        return None
    ventetid = min(FORSTE_VENTETID * 2 ** min(forsok_nr - 1, 20), MAKS_VENTETID)
    return min(now + ventetid, frist)


def run(*, now: dt.datetime) -> dict[str, int]:
    """The periodic task: notify endpoints of new events, then send every notification that is due
    (new ones and retries). Idempotent: a second run with nothing new changes nothing."""
    t = feed.tilstand()
    with unscoped(reason="webhooks: every kommune's endpoints, set-based"):
        nye, flyttet = _oppdag(t=t, now=now)
        resultat = send_due(now=now)
    return {"nye_varsler": nye, "flyttede_varsler": flyttet, **resultat}


def _oppdag(*, t: feed.Tilstand, now: dt.datetime) -> tuple[int, int]:
    with transaction.atomic(), connection.cursor() as cursor:
        # one detection at a time (a second run meanwhile skips it: the first covers the same events)
        cursor.execute("SELECT pg_try_advisory_xact_lock(hashtext('lonn.webhooks.oppdag'))")
        if not cursor.fetchone()[0]:
            return 0, 0
        cursor.execute(_OPPDAG_SQL, {"forste": t.epoke.forste_hendelse_id, "horisont": t.horisont,
                                     "epoke": t.epoke.nokkel, "type": WEBHOOK_TYPE_VARSEL, "tid": _tid(now), "now": now})
        nye, flyttet = cursor.fetchone()
    return nye, flyttet


@dataclass(frozen=True)
class _Rad:
    id: int
    kommune_id: int
    endepunkt_id: int
    meldings_id: str
    type: str
    payload: str
    forsok: int
    forste_forsok: dt.datetime | None
    url: str
    hemmelighet: str


@dataclass(frozen=True)
class _Svar:
    http_status: int | None
    feil: str
    varighet_ms: int
    svar: str


def send_due(*, now: dt.datetime, levering_ids: list[int] | None = None) -> dict[str, int]:
    """Send the notifications that are due (or the given ones, when due) and record every attempt.
    Constant queries: claim, send (no database), then the attempts, the outcomes and any endpoint
    that answered 410 in one statement each."""
    with unscoped(reason="webhooks: claim and record deliveries by id"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_HENT_SQL, {"now": now, "test": WEBHOOK_TYPE_TEST, "ids": levering_ids,
                                       "maks": MAKS_PER_KJORING, "leie": now + LEIETID})
            rader = [_Rad(*row) for row in cursor.fetchall()]
        if not rader:
            return {"levert": 0, "feilet": 0, "gitt_opp": 0, "deaktivert": 0}
        with ThreadPoolExecutor(max_workers=min(PARALLELLE, len(rader))) as pool:
            svar = list(pool.map(_send, rader))
        return _registrer(rader, svar, now=now)


def _send(rad: _Rad) -> _Svar:
    """One POST: signed at the moment of sending (the receiver compares the timestamp with its clock),
    TLS verified, no redirects, no proxies from the environment, only to an address the check allows."""
    start = time.monotonic()

    def ferdig(http_status: int | None = None, feil: str = "", svar: str = "") -> _Svar:
        return _Svar(http_status=http_status, feil=feil[:300], varighet_ms=int((time.monotonic() - start) * 1000),
                     svar=svar[:SVAR_MAKS_TEGN])

    if not rad.url.startswith("https://"):
        return ferdig(feil=_("Adressen bruker ikke HTTPS."))
    try:
        headers = signer(hemmelighet=_dekrypter(rad.hemmelighet), meldings_id=rad.meldings_id,
                         tidspunkt=int(time.time()), body=rad.payload)
    except ValueError as exc:
        return ferdig(feil=str(exc))
    adapter = _SjekketAdapter(max_retries=0)
    try:
        # The adapter directly: no redirect handling (which would read a redirect's whole body), no cookies,
        # no proxies or certificates from the environment.
        foresporsel = requests.Request("POST", rad.url, data=rad.payload.encode(), headers=headers).prepare()
        response = adapter.send(foresporsel, stream=True, timeout=TIDSAVBRUDD, verify=_ca_bundle(), proxies={})
        return ferdig(http_status=response.status_code, svar=_les_svar(response, frist=start + SVAR_LESETID))
    except requests.Timeout:
        return ferdig(feil=_("Tidsavbrudd: mottakeren svarte ikke innen %(s)s sekunder.") % {"s": int(TIDSAVBRUDD[1])})
    except requests.exceptions.SSLError as exc:
        return ferdig(feil=_("TLS-feil: %(feil)s") % {"feil": _grunn(exc)})
    except requests.ConnectionError as exc:
        grunn = exc.args[0].reason if exc.args and hasattr(exc.args[0], "reason") else None
        if isinstance(grunn, AdresseIkkeTillatt):
            return ferdig(feil=grunn.melding)
        return ferdig(feil=_("Tilkoblingsfeil: %(feil)s") % {"feil": _grunn(exc)})
    except requests.RequestException as exc:
        return ferdig(feil=_("Feil ved sending: %(feil)s") % {"feil": type(exc).__name__})
    finally:
        adapter.close()


def _les_svar(response: requests.Response, *, frist: float) -> str:
    """The start of the answer: up to SVAR_MAKS_TEGN characters, read until `frist` at the latest (a receiver
    trickling its body does not hold the run), then the connection is closed."""
    data = b""
    try:
        for chunk in response.raw.stream(256, decode_content=True):
            data += chunk
            if len(data) >= SVAR_MAKS_TEGN * 4 or time.monotonic() > frist:
                break
    except Exception:  # noqa: S110 — a broken body does not change the status
        pass
    finally:
        response.close()
    return data.decode("utf-8", "replace")


def _grunn(exc: Exception) -> str:
    grunn = exc.args[0] if exc.args else exc
    grunn = getattr(grunn, "reason", grunn)
    return str(grunn)


def _registrer(rader: list[_Rad], svar: list[_Svar], *, now: dt.datetime) -> dict[str, int]:
    teller = {"levert": 0, "feilet": 0, "gitt_opp": 0, "deaktivert": 0}
    statuser, neste, borte = [], [], []
    for rad, s in zip(rader, svar, strict=True):
        if s.http_status is not None and 200 <= s.http_status < 300:
            status, tid = Leveringsstatus.LEVERT, None
            teller["levert"] += 1
        elif s.http_status == 410:
            status, tid = Leveringsstatus.GITT_OPP, None
            borte.append(rad.endepunkt_id)
        elif rad.type == WEBHOOK_TYPE_TEST:
            status, tid = Leveringsstatus.GITT_OPP, None  # a test is tried once
            teller["feilet"] += 1
        else:
            tid = neste_forsok(forsok_nr=rad.forsok + 1, forste=rad.forste_forsok or now, now=now)
            status = Leveringsstatus.VENTER if tid else Leveringsstatus.GITT_OPP
            teller["feilet" if tid else "gitt_opp"] += 1
        statuser.append(str(status))
        neste.append(tid)
    with transaction.atomic():
        Webhookforsok.objects.bulk_create([
            Webhookforsok(kommune_id=rad.kommune_id, levering_id=rad.id, meldings_id=rad.meldings_id, tidspunkt=now,
                          http_status=s.http_status, feil=s.feil, varighet_ms=s.varighet_ms, svar=s.svar)
            for rad, s in zip(rader, svar, strict=True)
        ])
        with connection.cursor() as cursor:
            cursor.execute(_REGISTRER_SQL, [[r.id for r in rader], [r.meldings_id for r in rader], statuser, neste,
                                            [now] * len(rader)])
        if borte:
            teller["deaktivert"] = Webhookendepunkt.objects.filter(pk__in=borte, aktiv=True).update(
                aktiv=False, deaktivert=now, deaktivert_arsak=GONE_ARSAK)
            Webhooklevering.objects.filter(endepunkt_id__in=borte, status=Leveringsstatus.VENTER).update(
                status=Leveringsstatus.GITT_OPP, neste_forsok=None)
    return teller


# --- the beat schedule ---------------------------------------------------------------------------------------

def sync_beat_schedule() -> None:
    """The periodic task in django-celery-beat: every INTERVALL_SEKUNDER, a queued run expiring after two
    intervals (a stopped worker does not leave a pile of runs behind). Not a core.jobs job: those are daily
    crontab jobs with a JobRun row per run, which every 30 seconds would flood the job log."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    with transaction.atomic():
        interval, _created = IntervalSchedule.objects.get_or_create(every=INTERVALL_SEKUNDER,
                                                                    period=IntervalSchedule.SECONDS)
        PeriodicTask.objects.update_or_create(name=BEAT_NAVN, defaults={
            "task": TASK, "interval": interval, "crontab": None, "enabled": True, "kwargs": "{}",
            "expire_seconds": 2 * INTERVALL_SEKUNDER,
            "description": "Varsler webhook-endepunkter om nye lønnshendelser og sender forfalte varsler (også nye forsøk).",
        })


def after_migrate(sender, **kwargs) -> None:
    if sender.name != "lonn" or kwargs.get("using", "default") != "default":
        return
    sync_beat_schedule()


def ready() -> None:
    """Called from LonnConfig.ready() (via lonn.services.ready)."""
    from django.db.models.signals import post_migrate

    post_migrate.connect(after_migrate, dispatch_uid="lonn.webhooks.after_migrate")


# --- selectors -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Oversiktsrad:
    endepunkt: Webhookendepunkt
    siste: Webhooklevering | None  # the newest notification
    ventende: int  # notifications waiting to be (re)sent


def oversikt() -> list[Oversiktsrad]:
    """The kommune's endpoints with their newest notification (for the webhook and integration pages).
    Two queries whatever the number of endpoints."""
    endepunkter = list(Webhookendepunkt.objects.annotate(
        ventende=Count("leveringer", filter=Q(leveringer__status=Leveringsstatus.VENTER))).order_by("opprettet", "id"))
    siste = {
        levering.endepunkt_id: levering
        for levering in Webhooklevering.objects.filter(endepunkt_id__in=[e.pk for e in endepunkter])
        .order_by("endepunkt_id", "-opprettet", "-id").distinct("endepunkt_id")
    }
    return [Oversiktsrad(endepunkt=e, siste=siste.get(e.pk), ventende=e.ventende) for e in endepunkter]


def leveringslogg(*, endepunkt: Webhookendepunkt, antall: int = 50) -> list[Webhooklevering]:
    """The endpoint's newest notifications, each with its attempts (newest first). Two queries."""
    return list(Webhooklevering.objects.filter(endepunkt=endepunkt).order_by("-opprettet", "-id")
                .prefetch_related(Prefetch("forsokene", queryset=Webhookforsok.objects.order_by("-tidspunkt", "-id")))
                [:antall])
