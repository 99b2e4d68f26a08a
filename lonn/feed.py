"""Reading the payroll feed: markers, the visibility horizon, feed pages, snapshot pages and lag.

A marker is `<epoch key>.<transaction id>.<event id>`: the position of the last event a client has
(the feed serves events after it, in (transaction id, event id) order). Only events from
transactions older than the oldest one still running are served — the *visibility horizon*,
`pg_snapshot_xmin(pg_current_snapshot())` — so every event at or before a handed-out marker is
final: no later commit can land behind it. See docs/lonn.md.

Pages are assembled as JSON text by PostgreSQL (one query per page, whatever its size); Python only
joins the rows.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
import secrets
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, Min, Q, Subquery
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from core.tenancy import unscoped
from lonn.models import Epoke, Hendelse, Lonnobjekt

MAKS_ANTALL = 1000
STANDARD_ANTALL = 100
MARKOR_RE = re.compile(r"^([0-9a-f]{8})\.([0-9]{1,19})\.([0-9]{1,19})$")
MAKS_BIGINT = 2**63 - 1
TELLEGRENSE = 10_000  # lag counts stop here ("over 10 000")


class MarkorFeil(Exception):
    """A marker the feed cannot serve from: `utlopt` (410: resynchronise) or not (400: malformed)."""

    def __init__(self, message: str, *, utlopt: bool, kode: str):
        super().__init__(message)
        self.message, self.utlopt, self.kode = message, utlopt, kode


@dataclass(frozen=True)
class Posisjon:
    xid: int
    id: int


@dataclass(frozen=True)
class Tilstand:
    epoke: Epoke
    horisont: int  # events with xid below this are final

    def markor(self, posisjon: Posisjon) -> str:
        return f"{self.epoke.nokkel}.{posisjon.xid}.{posisjon.id}"

    @property
    def start(self) -> Posisjon:
        return Posisjon(0, 0)


# --- epochs and the horizon ------------------------------------------------------------------------

# Which database this is: the cluster's system identifier (a new cluster: pg_restore elsewhere, an upgrade),
# the database's oid (dropped and restored in the same cluster) and the current timeline (point-in-time
# recovery or a promoted standby; taken from the current WAL file's name, which changes at promotion).
_IDENTITET = """s.system_identifier::text || '/' || (SELECT oid FROM pg_database WHERE datname = current_database())::text,
       ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int,
       pg_snapshot_xmin(pg_current_snapshot())::text::bigint"""
_IDENTITET_SQL = f"SELECT {_IDENTITET} FROM pg_control_system() s"  # noqa: S608 — constants only
_TILSTAND_SQL = f"""
SELECT {_IDENTITET},
       e.id, e.nokkel, e.opprettet, e.arsak, e.system_identifier, e.tidslinje, e.forste_hendelse_id,
       e.slettet_til_xid, e.slettet_til_id
  FROM pg_control_system() s
  LEFT JOIN LATERAL (SELECT * FROM lonn_epoke ORDER BY id DESC LIMIT 1) e ON true
"""  # noqa: S608 — constants only
_EPOKE_FELT = ("id", "nokkel", "opprettet", "arsak", "system_identifier", "tidslinje", "forste_hendelse_id",
               "slettet_til_xid", "slettet_til_id")


def _database_identitet() -> tuple[str, int, int]:
    with connection.cursor() as cursor:
        cursor.execute(_IDENTITET_SQL)
        sysid, timeline, horisont = cursor.fetchone()
    return sysid, timeline, horisont


def ny_epoke(*, arsak: str, sysid: str | None = None, timeline: int | None = None, forste: bool = False) -> Epoke:
    """Begin a new epoch: markers handed out before answer 410; the feed continues with events
    written from now on (the very first epoch: with every event there is). Serialised by an
    advisory lock."""
    if sysid is None or timeline is None:
        sysid, timeline, _h = _database_identitet()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('lonn.epoke'))")
            # waits for every transaction writing events to finish (and holds new ones back for the moment),
            # so no event in flight gets an id below the epoch's first
            cursor.execute("LOCK TABLE lonn_hendelse IN SHARE MODE")
            cursor.execute("SELECT coalesce(max(id), 0) + 1 FROM lonn_hendelse")
            (neste_id,) = cursor.fetchone()
        return Epoke.objects.create(
            nokkel=secrets.token_hex(4), arsak=arsak[:200], system_identifier=sysid, tidslinje=timeline,
            forste_hendelse_id=0 if forste else neste_id,
        )


def tilstand() -> Tilstand:
    """The current epoch (a new one when the database was restored — another system identifier or
    timeline — or none exists yet) and the visibility horizon. One query when nothing changed."""
    with connection.cursor() as cursor:
        cursor.execute(_TILSTAND_SQL)
        row = cursor.fetchone()
    sysid, timeline, horisont = row[:3]
    epoke = Epoke(**dict(zip(_EPOKE_FELT, row[3:], strict=True))) if row[3] is not None else None
    if epoke is None:
        epoke = _ensure_epoke(sysid, timeline, _("første epoke"))
    elif epoke.system_identifier != sysid or epoke.tidslinje != timeline:
        epoke = _ensure_epoke(sysid, timeline, _("databasen er gjenopprettet (ny systemidentifikator eller tidslinje)"))
    return Tilstand(epoke=epoke, horisont=horisont)


def _ensure_epoke(sysid: str, timeline: int, arsak: str) -> Epoke:
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('lonn.epoke'))")
        current = Epoke.objects.order_by("-id").first()
        if current is not None and current.system_identifier == sysid and current.tidslinje == timeline:
            return current  # another request got here first
        return ny_epoke(arsak=arsak, sysid=sysid, timeline=timeline, forste=current is None)


def sjekk_epoke() -> Epoke:
    """Called after migrate and by the health check: starts a new epoch after a restore."""
    return tilstand().epoke


# --- markers -------------------------------------------------------------------------------------

def les_markor(value: str | None, t: Tilstand) -> Posisjon:
    """The position a marker stands for, or MarkorFeil: malformed or from the future (400), from an
    earlier epoch or behind the retention purge (410)."""
    if value is None or value == "":
        return t.start
    match = MARKOR_RE.match(value.strip())
    if not match:
        raise MarkorFeil(_("Markøren er ugyldig. Bruk en markør fra feltet «neste» eller «markor»."),
                         utlopt=False, kode="markor_ugyldig")
    nokkel, xid, hid = match.group(1), int(match.group(2)), int(match.group(3))
    if xid > MAKS_BIGINT or hid > MAKS_BIGINT:
        raise MarkorFeil(_("Markøren er ugyldig. Bruk en markør fra feltet «neste» eller «markor»."),
                         utlopt=False, kode="markor_ugyldig")
    if nokkel != t.epoke.nokkel:
        raise MarkorFeil(_("Markøren er fra før databasen ble gjenopprettet fra sikkerhetskopi. Synkroniser på nytt fra "
                           "øyeblikksbildene (/api/v1/lonn/vakter/, /lonn/vikariater/, /lonn/avtaler/)."),
                         utlopt=True, kode="markor_utlopt")
    if xid > t.horisont:
        raise MarkorFeil(_("Markøren peker forbi det strømmen har levert. Bruk en markør fra feltet «neste»."),
                         utlopt=False, kode="markor_ugyldig")
    posisjon = Posisjon(xid, hid)
    if (posisjon.xid, posisjon.id) < (t.epoke.slettet_til_xid, t.epoke.slettet_til_id):
        raise MarkorFeil(_("Markøren er eldre enn hendelsene som oppbevares (minst 90 dager). Synkroniser på nytt fra "
                           "øyeblikksbildene (/api/v1/lonn/vakter/, /lonn/vikariater/, /lonn/avtaler/)."),
                         utlopt=True, kode="markor_utlopt")
    return posisjon


# --- feed pages ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Side:
    rader: list[str]  # each a JSON object as text
    neste: str
    flere: bool

    def json(self) -> str:
        return ('{"hendelser":[' + ",".join(self.rader) + '],"neste":' + json.dumps(self.neste)
                + ',"flere":' + ("true" if self.flere else "false") + "}")


def _hendelse_json(nokkel: str, kommunenummer: str) -> RawSQL:
    return RawSQL(
        "json_build_object('id', %s || lonn_hendelse.xid || '.' || lonn_hendelse.id, 'type', lonn_hendelse.type, "
        "'kommunenummer', %s, 'tidspunkt', lonn_iso(lonn_hendelse.tidspunkt), 'objekt_id', lonn_hendelse.objekt_id, "
        "'versjon', lonn_hendelse.versjon, 'data', lonn_hendelse.data)::text",
        (f"{nokkel}.", kommunenummer),
    )


def les_side(*, t: Tilstand, etter: Posisjon, antall: int, kommunenummer: str) -> Side:
    """Up to `antall` events after `etter`, below the horizon, in the kommune in scope. One query."""
    qs = (Hendelse.objects.filter(id__gte=t.epoke.forste_hendelse_id, xid__lt=t.horisont)
          .extra(where=["(lonn_hendelse.xid, lonn_hendelse.id) > (%s, %s)"], params=[etter.xid, etter.id])
          .order_by("xid", "id")
          .values_list("xid", "id", _hendelse_json(t.epoke.nokkel, kommunenummer)))
    rows = list(qs[: antall + 1])
    flere = len(rows) > antall
    rows = rows[:antall]
    siste = Posisjon(rows[-1][0], rows[-1][1]) if rows else etter
    if not flere:
        # every event of this kommune below the horizon has been served: move on to the horizon, so a quiet
        # kommune's marker never falls behind the retention purge
        siste = max(siste, Posisjon(t.horisont, 0), key=lambda p: (p.xid, p.id))
    # a purge that committed while the page was read: answer 410 rather than pass over deleted events
    mark = Epoke.objects.filter(pk=t.epoke.pk).values_list("slettet_til_xid", "slettet_til_id").first()
    if mark is not None and (etter.xid, etter.id) < mark and etter != t.start:
        raise MarkorFeil(_("Markøren er eldre enn hendelsene som oppbevares (minst 90 dager). Synkroniser på nytt fra "
                           "øyeblikksbildene (/api/v1/lonn/vakter/, /lonn/vikariater/, /lonn/avtaler/)."),
                         utlopt=True, kode="markor_utlopt")
    return Side(rader=[r[2] for r in rows], neste=t.markor(siste), flere=flere)


# --- snapshots -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Peker:
    markor: str
    etter_id: int

    def kode(self) -> str:
        raw = json.dumps({"m": self.markor, "i": self.etter_id}, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")


class PekerFeil(ValueError):
    pass


def les_peker(value: str) -> Peker:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        data = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise PekerFeil(_("Pekeren er ugyldig. Bruk lenken i feltet «neste».")) from exc
    if (not isinstance(data, dict) or not isinstance(data.get("m"), str) or type(data.get("i")) is not int
            or not 0 <= data["i"] <= MAKS_BIGINT):
        raise PekerFeil(_("Pekeren er ugyldig. Bruk lenken i feltet «neste»."))
    return Peker(markor=data["m"], etter_id=data["i"])


@dataclass(frozen=True)
class Bildeside:
    markor: str
    rader: list[str]
    neste_peker: str | None


def bilde_side(*, typer: tuple[str, ...], peker: Peker, markor_xid: int, antall: int, kommunenummer: str,
               fra: dt.datetime | None = None, til: dt.datetime | None = None) -> Bildeside:
    """One page of current payroll state, in id order after the pointer: the items in it, and — as
    tombstones (`slettet`) — items that left it but have an event after the snapshot's marker, so a
    late event with a lower version cannot bring them back (docs/lonn.md). One query."""
    qs = Lonnobjekt.objects.filter(Q(aktiv=True) | Q(maks_xid__gte=markor_xid), objekt_type__in=typer,
                                   id__gt=peker.etter_id)
    vindu = Q()
    if til is not None:
        vindu &= Q(gjelder_fra__lt=til)
    if fra is not None:
        vindu &= Q(gjelder_til__isnull=True) | Q(gjelder_til__gt=fra)
    if vindu:
        # an item that moved out of the window after the marker is listed too: its late events must not
        # bring back an older version of it
        qs = qs.filter(vindu | Q(maks_xid__gte=markor_xid))
    rows = list(qs.order_by("id").values_list("id", RawSQL(
        "json_build_object('objekt_id', lonn_lonnobjekt.objekt_id, 'type', lonn_lonnobjekt.objekt_type, "
        "'versjon', lonn_lonnobjekt.versjon, 'slettet', NOT lonn_lonnobjekt.aktiv, 'kommunenummer', %s, "
        "'data', lonn_lonnobjekt.data)::text",
        (kommunenummer,)))[: antall + 1])
    neste = Peker(peker.markor, rows[antall - 1][0]).kode() if len(rows) > antall else None
    return Bildeside(markor=peker.markor, rader=[r[1] for r in rows[:antall]], neste_peker=neste)


# --- lag -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Forsinkelse:
    ventende: int  # committed events not yet served: an older transaction is still running
    eldste_ventende: dt.datetime | None
    eldste_transaksjon: dt.datetime | None  # the oldest running writing transaction in any database, when visible

    @property
    def sekunder(self) -> int:
        if self.eldste_ventende is None:
            return 0
        return max(0, int((timezone.now() - self.eldste_ventende).total_seconds()))


def forsinkelse(t: Tilstand, *, alle_kommuner: bool = False) -> Forsinkelse:
    """How far the feed lags: events committed but held back by an older running transaction. For
    the kommune in scope, or (health check) the whole installation."""
    def ventende_qs():
        return Hendelse.objects.filter(id__gte=t.epoke.forste_hendelse_id, xid__gte=t.horisont)

    if alle_kommuner:
        with unscoped(reason="health check: the feed's lag over the whole installation (counts only)"):
            ventende, eldste = _lag(ventende_qs())
    else:
        ventende, eldste = _lag(ventende_qs())
    with connection.cursor() as cursor:
        # every database on the server counts: the horizon is the cluster's (docs/lonn.md)
        cursor.execute("SELECT min(xact_start) FROM pg_stat_activity WHERE backend_xid IS NOT NULL "
                       "AND pid <> pg_backend_pid()")
        (eldste_tx,) = cursor.fetchone()
    return Forsinkelse(ventende=ventende, eldste_ventende=eldste, eldste_transaksjon=eldste_tx)


def _lag(qs) -> tuple[int, dt.datetime | None]:
    result = qs.aggregate(n=Count("id"), eldste=Min("tidspunkt"))
    return result["n"], result["eldste"]


def etterslep(*, t: Tilstand, etter: Posisjon) -> tuple[int, dt.datetime | None]:
    """Events after a receipt's position in the kommune in scope (counted up to TELLEGRENSE) and the
    oldest of them."""
    first = (Hendelse.objects.filter(id__gte=t.epoke.forste_hendelse_id)
             .extra(where=["(lonn_hendelse.xid, lonn_hendelse.id) > (%s, %s)"], params=[etter.xid, etter.id])
             .order_by("xid", "id").values("pk")[:TELLEGRENSE])
    return _lag(Hendelse.objects.filter(pk__in=Subquery(first)))
