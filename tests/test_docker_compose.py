"""Docker does not run on the build machines: check the compose file's shape instead."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def load():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_the_five_services_and_a_migration_step():
    services = load()["services"]
    assert {"postgres", "redis", "web", "worker", "beat", "migrate"} <= set(services)


def test_web_worker_and_beat_share_one_image_built_from_the_dockerfile():
    services = load()["services"]
    images = {services[name]["image"] for name in ("web", "worker", "beat", "migrate")}
    builds = {services[name]["build"] for name in ("web", "worker", "beat", "migrate")}
    assert len(images) == 1 and builds == {"."}
    assert (ROOT / "Dockerfile").exists()


def test_commands():
    services = load()["services"]
    assert services["web"]["command"][0] == "gunicorn"
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert "beat" in services["beat"]["command"] and "DatabaseScheduler" in " ".join(services["beat"]["command"])


def test_app_services_are_configured_by_environment():
    services = load()["services"]
    required = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "EMAIL_HOST", "SECRET_KEY_FALLBACKS"}
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert required <= set(env), name
        assert env["DEBUG"] == "false"
        assert env["DATABASE_URL"].startswith("postgres://") and "@postgres:5432/" in env["DATABASE_URL"]
        assert env["REDIS_URL"].startswith("redis://redis:6379")
        assert "?" in env["SECRET_KEY"]  # required: compose refuses to start without it


def test_web_health_check_uses_the_health_endpoint():
    assert "/helse/" in " ".join(load()["services"]["web"]["healthcheck"]["test"])


def test_dockerfile_installs_pinned_requirements_and_runs_unprivileged():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "requirements.txt" in dockerfile and "constraints.txt" in dockerfile
    assert "\nUSER " in dockerfile
