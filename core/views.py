"""Site-level views: health, the accessibility statement, and error pages in both shapes."""

from __future__ import annotations

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from core import health as health_checks
from core.api.errors import is_api_request, json_error
from core.selectors import JOB_LATE, job_health


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def _redis_ok() -> bool:
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:
        return False


@never_cache
def health(request):
    """Database, Redis and the nightly jobs. 503 when a store is down or a job is late.

    A job that has never run (a new installation) is reported but does not fail the check.
    """
    if request.method not in ("GET", "HEAD"):
        response = json_error(405, _("Bare GET er tillatt her."), "method_not_allowed")
        response["Allow"] = "GET, HEAD"
        return response
    database, cache = _database_ok(), _redis_ok()
    jobs = job_health(now=timezone.now()) if database else []
    extra = health_checks.run_all() if database else {}
    healthy = database and cache and all(j.status != JOB_LATE for j in jobs) and all(ok for ok, _d in extra.values())
    body = {
        "status": "ok" if healthy else "feil",
        "database": "ok" if database else "feil",
        "redis": "ok" if cache else "feil",
        "jobber": {
            j.job.name: {
                "status": j.status,
                "siste_vellykkede": j.last_success.isoformat() if j.last_success else None,
                "siste_feilede": j.last_failure.isoformat() if j.last_failure else None,
                "planlagt": f"{j.job.hour:02d}:{j.job.minute:02d}",
                "maks_alder_timer": int(j.job.max_age.total_seconds() // 3600),
            }
            for j in jobs
        },
        **{name: details for name, (_ok, details) in extra.items()},
    }
    return JsonResponse(body, status=200 if healthy else 503)


def accessibility_statement(request):
    return render(request, "core/tilgjengelighet.html")


def _error_page(request, status: int, title: str, message: str):
    return render(request, "error.html", {"title": title, "message": message}, status=status)


def bad_request(request, exception=None):
    if is_api_request(request):
        return json_error(400, _("Ugyldig forespørsel."), "ugyldig_foresporsel")
    return _error_page(request, 400, _("Ugyldig forespørsel"), _("Forespørselen kunne ikke behandles."))


def permission_denied(request, exception=None):
    if is_api_request(request):
        return json_error(403, _("Du har ikke tilgang til dette."), "ingen_tilgang")
    return _error_page(request, 403, _("Ingen tilgang"), _("Du har ikke tilgang til denne siden."))


def page_not_found(request, exception=None):
    if is_api_request(request):
        return json_error(404, _("Fant ikke adressen."), "ikke_funnet")
    return _error_page(
        request, 404, _("Fant ikke siden"), _("Siden finnes ikke, eller du har ikke tilgang til den.")
    )


def server_error(request):
    if is_api_request(request):
        return json_error(500, _("Intern feil. Feilen er logget."), "intern_feil")
    # No context processors: whatever broke the request may break them too.
    return HttpResponseServerError(loader.get_template("500.html").render())
