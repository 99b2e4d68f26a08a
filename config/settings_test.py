"""Test settings: the production settings with test-only speed-ups. Real PostgreSQL and Redis."""

import os
import uuid
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")
os.environ.setdefault("LOG_FORMAT", "text")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
# A per-run prefix keeps cache keys (throttle counters, rate limits) of concurrent runs apart.
os.environ.setdefault("CACHE_KEY_PREFIX", f"test-{uuid.uuid4().hex[:12]}")

from config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MFA_REAUTHENTICATION_REQUIRED = False
# Serve static files straight from the app folders (no collectstatic in tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Celery: tasks run eagerly unless a test says otherwise; the real-worker test uses this run's own
# queue and Redis database, so a worker started by `make run` on the same machine cannot take its tasks.
CELERY_TASK_DEFAULT_QUEUE = os.environ.setdefault("CELERY_QUEUE", f"test-{uuid.uuid4().hex[:12]}")
CELERY_BROKER_URL = os.environ.setdefault(
    "CELERY_BROKER_URL",
    urlunsplit(urlsplit(REDIS_URL)._replace(path="/" + os.environ.get("TEST_CELERY_REDIS_DB", "15"))),  # noqa: F405
)

# Commits without waiting for the WAL to reach the disk: tests need no durability, and the suite commits often
# (transactional tests, their flushes). A crash loses the last commits of a throwaway test database only.
DATABASES["default"]["OPTIONS"]["options"] += " -c synchronous_commit=off"  # noqa: F405
