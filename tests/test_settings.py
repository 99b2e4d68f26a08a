"""Settings come from the environment; production values pass `check --deploy`; logs are JSON."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PRODUCTION_ENV = {
    "PATH": os.environ.get("PATH", ""),
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DEBUG": "false",
    "SECRET_KEY": "p7Rk2-very-long-production-secret-key-with-enough-entropy-9f3Kq1zXw",
    "SECRET_KEY_FALLBACKS": "an-older-production-secret-key-that-is-also-long-enough-Zp0Lm8",
    "ALLOWED_HOSTS": "fastlege.kommune.no",
    "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fastlege"),
    "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
}


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_has_no_warnings_with_production_values():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY må settes" in result.stderr


def test_database_url_must_be_postgresql():
    result = manage("check", env={**PRODUCTION_ENV, "DATABASE_URL": "sqlite:///db.sqlite3"})
    assert result.returncode != 0
    assert "PostgreSQL" in result.stderr


def test_production_logs_are_json_lines():
    code = "import logging; logging.getLogger('fastlege.test').warning('hei %s', 'verden')"
    result = manage("shell", "-c", code, env=PRODUCTION_ENV)
    line = [line for line in result.stderr.splitlines() if "hei verden" in line][0]
    record = json.loads(line)
    assert record["melding"] == "hei verden"
    assert record["niva"] == "WARNING"
    assert record["logger"] == "fastlege.test"


def test_time_zone_and_language(settings):
    assert settings.TIME_ZONE == "Europe/Oslo" and settings.USE_TZ
    assert settings.LANGUAGE_CODE == "nb"
    assert [code for code, _ in settings.LANGUAGES][:2] == ["nb", "nn"]


def test_test_runs_use_their_own_cache_prefix_queue_and_broker_database(settings):
    """Concurrent runs (and a `make run` worker) on one machine never share keys or tasks."""
    assert settings.CACHES["default"]["KEY_PREFIX"].startswith("test-")
    assert settings.CACHES["default"]["KEY_PREFIX"] != "fastlege"
    assert settings.CELERY_TASK_DEFAULT_QUEUE.startswith("test-")
    assert settings.CELERY_BROKER_URL.rsplit("/", 1)[1] != settings.REDIS_URL.rsplit("/", 1)[1]
