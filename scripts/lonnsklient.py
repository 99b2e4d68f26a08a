#!/usr/bin/env python3
"""Example payroll client for the payroll API (/api/v1/lonn/): the reference integration.

Standard library only (Python 3.11+). It keeps the kommune's payroll state in a JSON file and keeps
it equal to the system's, without losing or duplicating a change, whenever and however often it is
stopped:

    python scripts/lonnsklient.py --url http://127.0.0.1:8000 --token fl_… [--kommune 4601] \\
        --fil lonn-tilstand.json [--folg] [--verifiser] [--antall 500] \\
        [--vakter-fra 2026-01-01 --vakter-til 2027-01-01]

The token (scope lonn:les) may come from the environment variable LONN_TOKEN instead of --token;
--kommune sends the header `Kommunenummer` (needed when the token is valid for several kommuner).
Exit codes: 0 ok, 1 verification found differences, 2 usage or HTTP error (130 on Ctrl-C).

The state file
--------------
    {"markor": "<feed marker>" | null,
     "objekter": {"vakt:123": {"versjon": 7, "slettet": false, "type": "vakt", "data": {...}}, ...}}

`markor` is where the client stands in the feed; `objekter` holds, per objekt_id, the highest
version seen and the object as that version left it. Corrections of closed months (`korreksjon:<id>`,
type `korreksjon.<objekttype>`: the reversal of what was attested and the new values, to be posted in
the month `posteres_i`) and pay-period decisions (`lonnsperiode:<ÅÅÅÅ-MM>`) are kept the same way; they
are entries a payroll system books once, not state, so the snapshots do not list them. Deleted objects (`*.slettet`, which includes a
cancelled shift) stay as tombstones (`"slettet": true`) with their version: events of one object can
arrive out of version order, and the tombstone is what stops an older event arriving late from
bringing the object back.

The file is written atomically after every applied page — state and marker together, to a temporary
file in the same directory, flushed and fsynced, then renamed over the old one (os.replace). A kill
at any moment therefore leaves either the old file or the new one. On restart the client continues
from the saved marker; at most the page that was being applied is fetched again, and applying it
again changes nothing because applying is idempotent (an event whose version is not above the held
one is skipped). A real integration that books into its own database does the same thing: store the
marker in the same database transaction as the changes it covers.

Start: snapshot, then the feed
------------------------------
Without a state file (or when the feed answers 410 — the marker is older than the retention of at
least 90 days, or the database was restored from backup), the client takes a snapshot: the three
lists /lonn/vakter/ (limited to --vakter-fra/--vakter-til when given), /lonn/vikariater/ and
/lonn/avtaler/, one after the other, each followed through `neste` to its last page. The snapshot is
kept in memory and written only when complete: a kill during the snapshot just means it is taken
again.

All three are taken at ONE marker: the first list's `markor`, passed to the other two as `?markor=`,
and the feed continues from it. That is safe: that marker was taken before any page was read, so
every event at or before it is already contained in every page; every event after it is delivered by
the feed, and when a page already showed the change (the object was read later), the event's version
is not above the held one and it is skipped. Rows with `"slettet": true` are tombstones: items that
left the payroll state but have events after the marker — kept with their version, so a late event
with a lower version cannot bring them back. (Continuing from a later marker would lose changes made,
while the later lists were read, to objects of the earlier lists.) With --vakter-fra/--vakter-til,
shifts outside the period are not in the snapshot but are still followed through the feed when they
change.

Following the feed
------------------
GET /lonn/hendelser/?etter=<markor>&antall=N; apply each event; save state and `neste` together;
then, when the page had events, acknowledge with POST /lonn/kvitteringer/ {"markor": neste} and
`Idempotency-Key: <kommune>:<neste>` (a
retried receipt is stored once). Repeat while `flere` is true. With --folg, keep polling, every 5
seconds when nothing is new. GET requests and the receipt are retried on network errors, 429 and 5xx.

Verification (--verifiser)
--------------------------
Comparing a local state with a fresh snapshot is only exact if nothing changes in between. So the
client 1) takes fresh snapshots of all three lists, 2) catches the local state up to the end of the
feed, which includes every event up to the first snapshot's marker, and 3) reads the feed from that
marker to its end: the objects changed since the marker. Every other object has not changed since
the marker, so its snapshot row and its local copy must be identical (version and data), and an
object that is in only one of them is a difference. Objects changed while verifying are skipped
(and counted). With --vakter-fra/--vakter-til, only shifts in that period are compared. In rare
cases a snapshot shows a change committed a moment ago before the feed delivers it (the feed waits
for older transactions to finish): a difference that is gone when you run again was that.

For tests: import the file (importlib) and give `Lonnsklient` a transport whose `forespor` method
is backed by something else than urllib; `Lonnsklient.etter_lagring` is called with the events a
saved page applied.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

API = "/api/v1"
HENDELSER = f"{API}/lonn/hendelser/"
KVITTERINGER = f"{API}/lonn/kvitteringer/"
BILDER = (("vakter", f"{API}/lonn/vakter/"), ("vikariater", f"{API}/lonn/vikariater/"), ("avtaler", f"{API}/lonn/avtaler/"))
VENT_SEKUNDER = 5.0
MAKS_ANTALL = 1000


class HttpFeil(Exception):
    """An answer with status 400 or above (status 0: no answer, a network error)."""

    def __init__(self, status: int, data: Any, url: str):
        self.status, self.data, self.url = status, data, url
        super().__init__(f"ingen svar fra {url}: {data}" if status == 0 else f"HTTP {status} fra {url}: {melding(data)}")


def melding(data: Any) -> str:
    """The error's text from the API's error shape (`detail`, or the fields' messages)."""
    if isinstance(data, dict):
        if "detail" in data:
            return str(data["detail"])
        return "; ".join(f"{felt}: {' '.join(map(str, v)) if isinstance(v, list) else v}" for felt, v in data.items())
    return str(data)[:500]


# --- transport ---------------------------------------------------------------------------------------

class Klient:
    """HTTP against the API with urllib: the token, `Kommunenummer`, JSON, retries.

    `forespor(metode, url, body, headers) -> (status, data)` is the only method that talks to the
    network; a test replaces it (or the whole object: `hent(url)` and `send(url, body, headers)`)."""

    def __init__(self, url: str, token: str, *, kommune: str | None = None, tidsavbrudd: float = 60.0,
                 forsok: int = 4, vent: Callable[[float], None] = time.sleep):
        self.url, self.token, self.kommune = url.rstrip("/"), token, kommune
        self.tidsavbrudd, self.forsok, self.vent = tidsavbrudd, forsok, vent

    def hent(self, url: str) -> Any:
        return self._kall("GET", url)

    def send(self, url: str, body: Any, headers: dict[str, str] | None = None) -> Any:
        return self._kall("POST", url, body, headers or {})

    def _kall(self, metode: str, url: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        vist = url if url.startswith(("http://", "https://")) else self.url + url
        # GET is safe to repeat; the only POST (a receipt) carries an Idempotency-Key
        for n in range(self.forsok):
            siste = n == self.forsok - 1
            try:
                status, data = self.forespor(metode, url, body, dict(headers or {}))
            except OSError as exc:  # no answer (urllib.error.URLError, timeouts, refused connections)
                if siste:
                    raise HttpFeil(0, str(exc), vist) from exc
                self.vent(min(2 ** n, 30))
                continue
            if status < 400:
                return data
            if (status in (409, 429) or status >= 500) and not siste:
                self.vent(min(2 ** n, 30))  # 409: the same receipt is being stored right now
                continue
            raise HttpFeil(status, data, vist)
        raise AssertionError("unreachable")  # pragma: no cover

    def forespor(self, metode: str, url: str, body: Any, headers: dict[str, str]) -> tuple[int, Any]:
        full = url if url.startswith(("http://", "https://")) else self.url + url
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json",
                   "User-Agent": "lonnsklient/1 (eksempelklient)", **headers}
        if self.kommune:
            headers["Kommunenummer"] = self.kommune
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(full, data=data, headers=headers, method=metode)
        try:
            with urllib.request.urlopen(request, timeout=self.tidsavbrudd) as response:  # noqa: S310 (http(s) only)
                return response.status, _json(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, _json(exc.read())


def _json(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace")


# --- state ----------------------------------------------------------------------------------------

def ny_tilstand(markor: str | None = None, objekter: dict | None = None) -> dict:
    return {"markor": markor, "objekter": objekter if objekter is not None else {}}


def last_tilstand(fil: str) -> dict | None:
    """The saved state, or None when there is none yet."""
    try:
        with open(fil, encoding="utf-8") as f:
            tilstand = json.load(f)
    except FileNotFoundError:
        return None
    if not isinstance(tilstand, dict) or not isinstance(tilstand.get("objekter"), dict):
        raise ValueError(f"{fil} er ikke en tilstandsfil fra lonnsklient")
    return tilstand


def lagre_tilstand(fil: str, tilstand: dict) -> None:
    """Write state and marker atomically: a temporary file in the same directory, flushed and
    fsynced, renamed over the old file; then the directory is fsynced so the rename is durable."""
    katalog = os.path.dirname(os.path.abspath(fil))
    fd, tmp = tempfile.mkstemp(prefix=".lonnsklient-", suffix=".tmp", dir=katalog)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(tilstand, f, ensure_ascii=False, separators=(",", ":"))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, fil)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    if hasattr(os, "O_DIRECTORY"):  # POSIX
        dfd = os.open(katalog, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


# Entries, not state: a correction of a closed month (korreksjon:<id>, posted once) and a pay-period decision
# (lonnsperiode:<ÅÅÅÅ-MM>, its version counts the decisions). Kept like objects, but not in the snapshots.
POSTER = ("korreksjon", "lonnsperiode")


def anvend(objekter: dict, hendelse: dict) -> bool:
    """Apply one feed event to the objects; False when it is not newer than what is held (tombstones
    included) and so changes nothing. Idempotent."""
    held = objekter.get(hendelse["objekt_id"])
    if held is not None and hendelse["versjon"] <= held["versjon"]:
        return False
    objekttype, _, verb = hendelse["type"].partition(".")
    objekter[hendelse["objekt_id"]] = {"versjon": hendelse["versjon"], "slettet": verb == "slettet",
                                      "type": objekttype, "data": hendelse["data"]}
    return True


# --- the client -------------------------------------------------------------------------------------

class Lonnsklient:
    def __init__(self, klient: Klient, fil: str, *, antall: int = 500, vakter_fra: dt.date | None = None,
                 vakter_til: dt.date | None = None, ut: Callable[[str], None] = print,
                 vent: Callable[[float], None] = time.sleep):
        self.klient, self.fil, self.antall = klient, fil, antall
        self.vakter_fra, self.vakter_til = vakter_fra, vakter_til
        self.ut, self.vent = ut, vent

    # hooks
    def lagre(self, tilstand: dict) -> None:
        lagre_tilstand(self.fil, tilstand)

    def etter_lagring(self, anvendte: list[dict]) -> None:
        """Called after a page's state is saved, with the events it applied."""

    # snapshots
    def _bilde(self, url: str, params: dict[str, str]) -> tuple[str, list[dict]]:
        neste: str | None = url + ("?" + urllib.parse.urlencode(params) if params else "")
        markor, rader = None, []
        while neste:
            side = self.klient.hent(neste)
            markor = markor or side["markor"]
            rader.extend(side["resultater"])
            neste = side["neste"]
        return markor, rader

    def ta_bilde(self) -> dict:
        """All three snapshots, in sequence, as a state continuing from the FIRST one's marker (see the
        module docstring for why that is safe)."""
        forste, objekter, antall = None, {}, []
        for navn, url in BILDER:
            params = {"antall": str(MAKS_ANTALL)}
            if navn == "vakter":
                if self.vakter_fra:
                    params["fra"] = self.vakter_fra.isoformat()
                if self.vakter_til:
                    params["til"] = self.vakter_til.isoformat()
            if forste:
                params["markor"] = forste  # every list handed over at the first one's marker
            markor, rader = self._bilde(url, params)
            forste = forste or markor
            for rad in rader:
                objekter[rad["objekt_id"]] = {"versjon": rad["versjon"], "slettet": bool(rad.get("slettet", False)),
                                              "type": rad["type"], "data": rad["data"]}
            antall.append(f"{navn} {len(rader)}")
        self.ut(f"Øyeblikksbilde: {len(objekter)} objekter ({', '.join(antall)}), markør {forste}")
        return ny_tilstand(forste, objekter)

    def _nytt_bilde(self) -> dict:
        for forsok in range(3):
            try:
                tilstand = self.ta_bilde()
                break
            except HttpFeil as exc:  # the database was restored while the snapshot was read: again
                if exc.status != 410 or forsok == 2:
                    raise
                self.ut(f"Øyeblikksbildet ble ugyldig underveis (410: {melding(exc.data)}). Tar det på nytt.")
        self.lagre(tilstand)
        self.etter_lagring([])
        self.kvitter(tilstand["markor"])
        return tilstand

    def kvitter(self, markor: str) -> None:
        # the key names the kommune too: one token's clients for two kommuner may receipt the same marker
        nokkel = f"{self.klient.kommune}:{markor}" if getattr(self.klient, "kommune", None) else markor
        self.klient.send(KVITTERINGER, {"markor": markor}, {"Idempotency-Key": nokkel})

    def _side(self, markor: str) -> dict:
        query = urllib.parse.urlencode({"etter": markor, "antall": str(self.antall)})
        return self.klient.hent(f"{HENDELSER}?{query}")

    # the feed
    def synkroniser(self, *, folg: bool = False) -> int:
        """Bring the state file up to date with the feed (a snapshot first when there is no state);
        with `folg`, keep following. Returns the number of events applied."""
        tilstand = last_tilstand(self.fil)
        if tilstand is None or not tilstand.get("markor"):
            self.ut("Ingen lagret tilstand: tar øyeblikksbilde.")
            tilstand = self._nytt_bilde()
        totalt = 0
        while True:
            try:
                side = self._side(tilstand["markor"])
            except HttpFeil as exc:
                if exc.status != 410:
                    raise
                self.ut(f"Markøren er utløpt (410: {melding(exc.data)}). Synkroniserer på nytt fra øyeblikksbildene.")
                tilstand = self._nytt_bilde()
                continue
            anvendte = [h for h in side["hendelser"] if anvend(tilstand["objekter"], h)]
            if side["neste"] != tilstand["markor"]:
                tilstand["markor"] = side["neste"]
                self.lagre(tilstand)
                self.etter_lagring(anvendte)
                if side["hendelser"]:  # an empty page only moves the marker up to the horizon: no receipt needed
                    self.kvitter(side["neste"])
                totalt += len(anvendte)
                self.ut(f"{len(side['hendelser'])} hendelser, {len(anvendte)} anvendt, "
                        f"{len(side['hendelser']) - len(anvendte)} hoppet over; markør {side['neste']}")
            if side["flere"]:
                continue
            if not folg:
                return totalt
            self.vent(VENT_SEKUNDER)

    # verification
    def _endret_etter(self, markor: str) -> set[str]:
        endret: set[str] = set()
        while True:
            side = self._side(markor)
            endret.update(h["objekt_id"] for h in side["hendelser"])
            markor = side["neste"]
            if not side["flere"]:
                return endret

    def _i_perioden(self, objekt: dict) -> bool:
        """Whether a local object belongs in the snapshot: shifts only when they overlap the period
        --vakter-fra/--vakter-til (midnight Oslo time; the shift's start and end are Oslo time)."""
        if objekt["type"] != "vakt":
            return True
        start, slutt = objekt["data"]["start"][:19], objekt["data"]["slutt"][:19]
        if self.vakter_til and start >= f"{self.vakter_til.isoformat()}T00:00:00":
            return False
        return not (self.vakter_fra and slutt <= f"{self.vakter_fra.isoformat()}T00:00:00")

    def verifiser(self) -> tuple[list[str], int, int]:
        """Compare the local state with fresh snapshots (see the module docstring). Returns the
        differences, the number of objects that match and the number skipped (changed meanwhile)."""
        bilde = self.ta_bilde()
        self.synkroniser()
        lokal = last_tilstand(self.fil)["objekter"]
        endret = self._endret_etter(bilde["markor"])
        system = {o: v for o, v in bilde["objekter"].items() if not v["slettet"]}  # tombstones are not state
        avvik, like, hoppet = [], 0, 0
        lokale = {o for o, v in lokal.items() if not v["slettet"] and v["type"] not in POSTER and self._i_perioden(v)}
        for objekt_id in sorted(set(system) | lokale):
            if objekt_id in endret:
                hoppet += 1
                continue
            s, lo = system.get(objekt_id), lokal.get(objekt_id)
            if s is None:
                avvik.append(f"{objekt_id}: finnes lokalt (versjon {lo['versjon']}), men ikke i systemet")
            elif lo is None:
                avvik.append(f"{objekt_id}: mangler lokalt (versjon {s['versjon']} i systemet)")
            elif lo["slettet"]:
                avvik.append(f"{objekt_id}: slettet lokalt (versjon {lo['versjon']}), men finnes i systemet "
                             f"(versjon {s['versjon']})")
            elif lo["versjon"] != s["versjon"]:
                avvik.append(f"{objekt_id}: versjon {lo['versjon']} lokalt, {s['versjon']} i systemet")
            elif lo["data"] != s["data"]:
                felt = sorted(k for k in set(lo["data"]) | set(s["data"]) if lo["data"].get(k) != s["data"].get(k))
                avvik.append(f"{objekt_id} (versjon {s['versjon']}): data avviker i {', '.join(felt)}")
            else:
                like += 1
        return avvik, like, hoppet


# --- command line -----------------------------------------------------------------------------------

def _dato(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"ugyldig dato «{value}» (bruk ÅÅÅÅ-MM-DD)") from None


def _antall(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if not 1 <= n <= MAKS_ANTALL:
        raise argparse.ArgumentTypeError(f"antall må være 1–{MAKS_ANTALL}")
    return n


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description="Eksempelklient for lønnsstrømmen (/api/v1/lonn/).")
    p.add_argument("--url", required=True, help="Systemets adresse, f.eks. http://127.0.0.1:8000")
    p.add_argument("--token", default=os.environ.get("LONN_TOKEN"),
                   help="API-token med omfanget lonn:les (eller miljøvariabelen LONN_TOKEN)")
    p.add_argument("--kommune", help="Kommunenummer (når tokenet gjelder flere kommuner)")
    p.add_argument("--fil", required=True, help="Tilstandsfilen (JSON), f.eks. lonn-tilstand.json")
    handling = p.add_mutually_exclusive_group()
    handling.add_argument("--folg", action="store_true", help="Fortsett å følge strømmen (hvert 5. sekund)")
    handling.add_argument("--verifiser", action="store_true",
                          help="Sammenlign tilstanden med ferske øyeblikksbilder; avslutningskode 1 ved avvik")
    p.add_argument("--antall", type=_antall, default=500, help="Hendelser per side (1–1000, standard 500)")
    p.add_argument("--vakter-fra", type=_dato, help="Øyeblikksbildet av vakter: vakter som slutter etter denne dagen")
    p.add_argument("--vakter-til", type=_dato, help="Øyeblikksbildet av vakter: vakter som begynner før denne dagen")
    return p


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    if not args.token:
        p.error("mangler token: bruk --token eller miljøvariabelen LONN_TOKEN")
    if args.vakter_fra and args.vakter_til and args.vakter_til <= args.vakter_fra:
        p.error("--vakter-til må være etter --vakter-fra")
    klient = Lonnsklient(Klient(args.url, args.token, kommune=args.kommune), args.fil, antall=args.antall,
                         vakter_fra=args.vakter_fra, vakter_til=args.vakter_til,
                         ut=lambda tekst: print(tekst, flush=True))
    try:
        if args.verifiser:
            avvik, like, hoppet = klient.verifiser()
            if hoppet:
                print(f"{hoppet} objekter ble endret under kontrollen og er ikke sammenlignet.")
            for linje in avvik:
                print(f"AVVIK: {linje}")
            if avvik:
                print(f"{len(avvik)} avvik, {like} objekter stemmer.")
                return 1
            print(f"OK: {like} objekter stemmer")
            return 0
        antall = klient.synkroniser(folg=args.folg)
        print(f"Ferdig: {antall} hendelser anvendt.")
        return 0
    except HttpFeil as exc:
        print(f"Feil: {exc}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as exc:
        print(f"Feil: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Avbrutt; tilstanden er lagret til og med siste hele side.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
