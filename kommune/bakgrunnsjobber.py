"""Background jobs a person starts and watches: an import, later a roster. Generic machinery; the
apps above register their job types here from AppConfig.ready (kommune must not import them).

- `register(type, runner, tittel, ...)` names a job type and its runner,
  `runner(jobb, progress) -> dict` (the result shown when the job is done).
- `start_job(...)` stores a Bakgrunnsjobb (status venter, with the uploaded input) and queues ONE
  Celery task, `kommune.run_bakgrunnsjobb`, when the transaction commits (core.tasks.enqueue, which
  carries the kommune scope and the actor, so the job's writes are audited as the person's).
- `run(jobb_id=...)` claims the job (venter → kjorer; a job in any other state is not run again,
  so a redelivered task changes nothing), then calls the runner inside ONE transaction together
  with the job's ending: the runner's writes and "fullført" commit together, or neither does.
  A runner refuses its input by raising `JobbFeil(feil=[{"rad", "felt", "melding"}, ...])`: the
  job ends `feilet` with those errors and nothing the runner wrote is kept. Any other exception
  ends the job `feilet` with a general message (the traceback goes to the log).
- Progress: `progress.set(behandlet, totalt)` writes the figures in their own, immediately
  committed UPDATE. Inside the runner's transaction it uses a second database connection (with
  its own audit context), so the page sees the bar move while the runner works. At most one
  write per whole percent (≤ 101 per job).
- Every ending clears `inndata` in the same UPDATE (the database refuses a finished job that still
  holds it): nothing uploaded outlives its job. Jobs stuck waiting or running for more than an
  hour are ended as failed by `purge_stale_jobs` (at the start of every job and nightly).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import F, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from core.context import current_actor, current_kommune_id, scope
from kommune.models import Bakgrunnsjobb, Jobbstatus, Kommune

logger = logging.getLogger(__name__)

RUN_TASK = "kommune.run_bakgrunnsjobb"
PURGE_TASK = "kommune.purge_stale_bakgrunnsjobber"
STALE_AFTER = dt.timedelta(hours=1)  # longer than the Celery hard time limit (30 min)
MAX_FEIL = 500  # errors stored per job; the rest are counted


# --- the registry -------------------------------------------------------------------------------

Runner = Callable[[Bakgrunnsjobb, "Progress"], dict]


@dataclass(frozen=True)
class Jobbtype:
    """A kind of job. `omrade` is the API area whose read access shows its jobs to tokens;
    `resultat_etiketter` labels the result's keys on the job page (in that order); `lenke` is the
    URL name of the page the job belongs to (e.g. the import page)."""

    type: str
    runner: Runner
    tittel: Any
    omrade: str = "lister"
    resultat_etiketter: dict[str, Any] = field(default_factory=dict)
    lenke: str = ""
    lenke_tekst: Any = ""


_registry: dict[str, Jobbtype] = {}


def register(type: str, runner: Runner, tittel: Any, *, omrade: str = "lister",
             resultat_etiketter: dict[str, Any] | None = None, lenke: str = "", lenke_tekst: Any = "") -> Jobbtype:
    jobbtype = Jobbtype(type=type, runner=runner, tittel=tittel, omrade=omrade,
                        resultat_etiketter=dict(resultat_etiketter or {}), lenke=lenke, lenke_tekst=lenke_tekst)
    existing = _registry.get(type)
    if existing is not None and existing.runner is not runner:
        raise ValueError(f"Jobbtypen {type} er allerede registrert med en annen funksjon.")
    _registry[type] = jobbtype
    return jobbtype


def jobbtype(type: str) -> Jobbtype | None:
    return _registry.get(type)


class JobbFeil(Exception):
    """The runner refuses its input: `feil` is a list of {"rad": int | None, "felt": str,
    "melding": str} (row number as in the file; None for the whole file)."""

    def __init__(self, feil: list[dict]):
        super().__init__(f"{len(feil)} feil")
        self.feil = feil


def _capped(feil: list[dict]) -> list[dict]:
    rows = [{"rad": f.get("rad"), "felt": str(f.get("felt") or ""), "melding": str(f.get("melding") or ""),
             **({"dato": str(f["dato"])} if f.get("dato") else {})} for f in feil]
    if len(rows) <= MAX_FEIL:
        return rows
    rest = len(rows) - MAX_FEIL
    return [*rows[:MAX_FEIL], {"rad": None, "felt": "", "melding": _("… og %(antall)d feil til.") % {"antall": rest}}]


# --- progress -------------------------------------------------------------------------------------


class Progress:
    """Writes a running job's `behandlet` of `totalt`, committed at once (see the module docstring)."""

    def __init__(self, jobb_id: int):
        self.jobb_id = jobb_id
        self.writes = 0
        self._base_depth = len(connection.atomic_blocks)
        self._last: tuple[int, int] | None = None
        self._side = None
        self.totalt: int | None = None  # the last total reported; the job's ending writes it again
        # Items a runner skipped while the job as a whole completes (e.g. shifts of a roster refused by a
        # rule): stored as the finished job's `feil` next to its result.
        self.feil: list[dict] = []

    def set(self, behandlet: int, totalt: int) -> None:
        totalt = max(int(totalt), 0)
        behandlet = min(max(int(behandlet), 0), totalt)
        percent = behandlet * 100 // totalt if totalt else 0
        self.totalt = totalt
        if self._last == (percent, totalt):
            return  # throttled: at most one write per whole percent
        self._last = (percent, totalt)
        self.writes += 1
        if len(connection.atomic_blocks) <= self._base_depth:
            Bakgrunnsjobb.objects.filter(pk=self.jobb_id, status=Jobbstatus.KJORER).update(behandlet=behandlet, totalt=totalt)
            return
        # Inside the runner's transaction: write on a connection of our own, so it commits now. Its
        # own audit context too: sharing the transaction's context row would wait on its lock.
        if self._side is None:
            main = connections[DEFAULT_DB_ALIAS]
            self._side = type(main)(dict(main.settings_dict), alias=DEFAULT_DB_ALIAS)
        with scope(kommune_id=current_kommune_id(), actor=current_actor() or "oppgave:" + RUN_TASK):
            with self._side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {Bakgrunnsjobb._meta.db_table} SET behandlet = %s, totalt = %s "  # noqa: S608 (a model's table name)
                    "WHERE id = %s AND status = %s AND kommune_id = %s",
                    [behandlet, totalt, self.jobb_id, Jobbstatus.KJORER, current_kommune_id()],
                )

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None


# --- starting and running -----------------------------------------------------------------------


def start_job(*, kommune: Kommune, type: str, tittel: str = "", inndata: bytes | None = None, inndata_navn: str = "",
              parametere: dict | None = None) -> Bakgrunnsjobb:
    """Store the job (venter) and queue its run for when the transaction commits."""
    from kommune.tasks import run_bakgrunnsjobb

    entry = _registry.get(type)
    if entry is None:
        raise ValueError(f"Ukjent jobbtype: {type}")
    jobb = Bakgrunnsjobb.objects.create(
        kommune=kommune, type=type, tittel=(tittel or str(entry.tittel))[:200], inndata=inndata,
        inndata_navn=(inndata_navn or "")[:255],
        parametere={"sprak": translation.get_language() or "", **(parametere or {})},
        opprettet_av=current_actor() or "ukjent",
    )
    from core.tasks import enqueue

    enqueue(run_bakgrunnsjobb, jobb_id=jobb.pk)
    return jobb


class _Avbrutt(Exception):
    """The job was ended by someone else (purged as stale) while it ran: undo its writes."""


def _finish(jobb_id: int, *, status: str, resultat: dict | None = None, feil: list[dict] | None = None,
            totalt: int | None = None) -> bool:
    values: dict[str, Any] = {"status": status, "ferdig": timezone.now(), "inndata": None,
                              "resultat": resultat or {}, "feil": _capped(feil or [])}
    if status == Jobbstatus.FULLFORT:  # all done, whatever the last progress write said
        values["totalt"] = totalt if totalt is not None else F("totalt")
        values["behandlet"] = values["totalt"]
    return Bakgrunnsjobb.objects.filter(pk=jobb_id, status=Jobbstatus.KJORER).update(**values) == 1


def unexpected_error_message() -> str:
    return _("Jobben stoppet på grunn av en uventet feil. Ingenting ble lagret, og filen er slettet. Prøv igjen, "
             "og kontakt brukerstøtte om det gjentar seg.")


def run(*, jobb_id: int) -> dict[str, int]:
    """Run a waiting job to its end (the Celery task's body). Idempotent."""
    purge_stale_jobs(now=timezone.now())
    claimed = Bakgrunnsjobb.objects.filter(pk=jobb_id, status=Jobbstatus.VENTER).update(
        status=Jobbstatus.KJORER, startet=timezone.now())
    if not claimed:
        return {"kjort": 0}
    jobb = Bakgrunnsjobb.objects.get(pk=jobb_id)
    entry = _registry.get(jobb.type)
    progress = Progress(jobb_id)
    with translation.override(jobb.parametere.get("sprak") or None):
        try:
            if entry is None:
                raise RuntimeError(f"Ukjent jobbtype: {jobb.type}")
            with transaction.atomic():
                resultat = entry.runner(jobb, progress) or {}
                progress.close()
                if not _finish(jobb_id, status=Jobbstatus.FULLFORT, resultat=resultat, feil=progress.feil,
                               totalt=progress.totalt):
                    raise _Avbrutt()
        except _Avbrutt:
            logger.warning("Bakgrunnsjobb %s ble avsluttet av noen andre mens den kjørte; endringene er rullet tilbake.", jobb_id)
            return {"kjort": 0}
        except JobbFeil as exc:
            _finish(jobb_id, status=Jobbstatus.FEILET, feil=exc.feil)
            return {"kjort": 1, "feilet": 1}
        except Exception:
            logger.exception("Bakgrunnsjobb %s (%s) feilet", jobb_id, jobb.type)
            _finish(jobb_id, status=Jobbstatus.FEILET, feil=[{"rad": None, "felt": "", "melding": unexpected_error_message()}])
            return {"kjort": 1, "feilet": 1}
        finally:
            progress.close()
    return {"kjort": 1, "feilet": 0}


def purge_stale_jobs(*, now: dt.datetime) -> int:
    """End jobs that have waited or run for more than STALE_AFTER as failed, clearing their input.
    Works on the jobs visible in the current scope (the nightly task runs it unscoped)."""
    stale = Bakgrunnsjobb.objects.filter(status__in=[Jobbstatus.VENTER, Jobbstatus.KJORER], opprettet__lt=now - STALE_AFTER)
    return stale.update(status=Jobbstatus.FEILET, ferdig=now, inndata=None, feil=[{
        "rad": None, "felt": "",
        "melding": _("Jobben ble ikke ferdig innen en time og er avbrutt. Ingenting ble lagret, og filen er slettet. "
                     "Start den på nytt."),
    }])


# --- reads ----------------------------------------------------------------------------------------


def jobb_list(*, type: str | None = None) -> QuerySet[Bakgrunnsjobb]:
    """The kommune's jobs, newest first, without their input. One query."""
    jobs = Bakgrunnsjobb.objects.defer("inndata").order_by("-opprettet", "-id")
    return jobs.filter(type=type) if type else jobs


def get_jobb(*, pk: int) -> Bakgrunnsjobb:
    """One of the kommune's jobs (404 for another kommune's, like one that does not exist)."""
    return get_object_or_404(jobb_list(), pk=pk)


def resultat_rader(jobb: Bakgrunnsjobb) -> list[tuple[str, Any]]:
    """The result as (label, value) rows, labelled by the job type."""
    entry = _registry.get(jobb.type)
    labels = entry.resultat_etiketter if entry else {}
    rows = [(str(label), jobb.resultat[key]) for key, label in labels.items() if key in jobb.resultat]
    return rows + [(key, value) for key, value in jobb.resultat.items() if key not in labels]


# --- uploads kept in memory only -------------------------------------------------------------------


class MemoryOnlyUploadHandler(FileUploadHandler):
    """Keeps uploaded files in memory, never in a temporary file on disk. A file larger than
    `max_bytes` is dropped while it streams in (its field is absent; `too_large` names it)."""

    def __init__(self, request=None, *, max_bytes: int):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.too_large: set[str] = set()

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.buffer = io.BytesIO()
        self.size = 0

    def receive_data_chunk(self, raw_data, start):
        self.size += len(raw_data)
        if self.size > self.max_bytes:
            self.too_large.add(self.field_name)
            self.buffer = io.BytesIO()
            raise SkipFile()
        self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size):
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer, field_name=self.field_name, name=self.file_name, content_type=self.content_type,
            size=file_size, charset=self.charset, content_type_extra=self.content_type_extra,
        )


def use_memory_only_uploads(request, *, max_bytes: int) -> MemoryOnlyUploadHandler:
    """Install the handler on a Django request before anything reads its body."""
    handler = MemoryOnlyUploadHandler(request, max_bytes=max_bytes)
    request.upload_handlers = [handler]
    return handler


def memory_only_uploads(max_bytes: int):
    """View decorator: uploads stay in memory (`request.upload_too_large` names a file that was
    too big). The CSRF check moves inside, since it reads the body and must see our handler."""

    def decorator(view):
        protected = csrf_protect(view)

        @wraps(view)
        def wrapped(request, *args, **kwargs):
            request.upload_too_large = use_memory_only_uploads(request, max_bytes=max_bytes).too_large
            return protected(request, *args, **kwargs)

        return csrf_exempt(wrapped)

    return decorator
