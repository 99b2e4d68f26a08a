"""scripts/services.py reuses running PostgreSQL/Redis, or starts and stops throwaway ones.

The script runs in a subprocess with the test's interpreter; no Django database is involved.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import redis

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "services.py"
LOCALHOST = "127.0.0.1"


def free_ports(count: int) -> list[int]:
    """Distinct ports nothing listens on (held open together so none repeats)."""
    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind((LOCALHOST, 0))
        return [sock.getsockname()[1] for sock in sockets]


def port_open(port: int) -> bool:
    """True if something accepts TCP connections on 127.0.0.1:port."""
    try:
        with socket.create_connection((LOCALHOST, port), timeout=1):
            return True
    except OSError:
        return False


def script_environment(
    *, pg_probe: int, redis_probe: int, pg_throwaway: int, redis_throwaway: int
) -> dict[str, str]:
    """The test's environment without service URLs, with the given ports."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "REDIS_URL"} and not name.startswith("FASTLEGE_")
    }
    env["FASTLEGE_PG_PROBE_PORT"] = str(pg_probe)
    env["FASTLEGE_REDIS_PROBE_PORT"] = str(redis_probe)
    env["FASTLEGE_PG_THROWAWAY_PORT"] = str(pg_throwaway)
    env["FASTLEGE_REDIS_THROWAWAY_PORT"] = str(redis_throwaway)
    return env


def run_script(
    command: str, state_dir: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """Run ``services.py <command> --state-dir <state_dir>``."""
    return subprocess.run(
        [sys.executable, str(SCRIPT), command, "--state-dir", str(state_dir)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def exported_variables(stdout: str) -> dict[str, str]:
    """Parse ``export NAME='value'`` lines; any other line on stdout fails the test."""
    variables = {}
    for line in stdout.splitlines():
        words = shlex.split(line)
        assert len(words) == 2 and words[0] == "export", f"not an export line: {line!r}"
        name, _, value = words[1].partition("=")
        variables[name] = value
    return variables


@pytest.fixture
def state_dir() -> Iterator[Path]:
    """A fresh, not yet created state folder under /tmp (reachable by the postgres user)."""
    path = Path("/tmp") / f"fastlege-services-test-{uuid.uuid4().hex[:12]}"
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_env_reuses_servers_answering_on_the_probe_ports(state_dir: Path) -> None:
    if not (port_open(5432) and port_open(6379)):
        pytest.skip("needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379")
    pg_throwaway, redis_throwaway = free_ports(2)
    env = script_environment(
        pg_probe=5432, redis_probe=6379, pg_throwaway=pg_throwaway, redis_throwaway=redis_throwaway
    )

    result = run_script("env", state_dir, env)

    assert result.returncode == 0, result.stderr
    assert exported_variables(result.stdout) == {
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/fastlege",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }
    assert not (state_dir / "started.json").exists()
    assert not port_open(pg_throwaway) and not port_open(redis_throwaway)


def test_env_starts_throwaway_servers_when_none_answer_and_stop_stops_them(state_dir: Path) -> None:
    pg_probe, redis_probe, pg_port, redis_port = free_ports(4)
    env = script_environment(
        pg_probe=pg_probe, redis_probe=redis_probe, pg_throwaway=pg_port, redis_throwaway=redis_port
    )
    try:
        result = run_script("env", state_dir, env)

        assert result.returncode == 0, result.stderr
        urls = exported_variables(result.stdout)
        assert urls == {
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{pg_port}/fastlege",
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        }
        records = json.loads((state_dir / "started.json").read_text())["servers"]
        assert {(record["kind"], record["port"]) for record in records} == {
            ("postgresql", pg_port),
            ("redis", redis_port),
        }
        with psycopg.connect(urls["DATABASE_URL"]) as connection:
            assert connection.execute("SELECT current_database()").fetchone() == ("fastlege",)
        with redis.Redis.from_url(urls["REDIS_URL"]) as client:
            client.set("services-test", "ok")
            assert client.get("services-test") == b"ok"
    finally:
        stopped = run_script("stop", state_dir, env)

    assert stopped.returncode == 0, stopped.stderr
    assert not port_open(pg_port) and not port_open(redis_port)
    assert not (state_dir / "started.json").exists()
