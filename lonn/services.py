"""Payroll feed writes: receipts, the retention purge, new epochs; and the registrations (nightly
purge job, health check, post-migrate epoch check)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection, transaction

from core.tenancy import unscoped
from kommune import regler
from kommune.access import Tilgang
from lonn import feed
from lonn.models import Epoke, Hendelse, Kvittering

PURGE_JOB = "lonn.purge_hendelser"


def kvitter(*, markor: str, tilgang: Tilgang) -> tuple[Kvittering, int]:
    """Record that the client (or person) has processed the feed up to `markor`. The marker must be
    valid now (MarkorFeil otherwise). Returns the receipt and how many events lie after it."""
    t = feed.tilstand()
    posisjon = feed.les_markor(markor, t)
    actor = tilgang.aktor
    klient_id = int(actor.split(":", 1)[1]) if tilgang.er_klient else None
    bruker_id = int(actor.split(":", 1)[1]) if actor.startswith("bruker:") else None
    kvittering = Kvittering.objects.create(
        kommune_id=tilgang.kommune_id, klient_id=klient_id, bruker_id=bruker_id, markor=markor.strip(),
        xid=posisjon.xid, hendelse_id=posisjon.id,
    )
    antall, _eldste = feed.etterslep(t=t, etter=posisjon)
    return kvittering, antall


def oppbevaring_dager() -> int:
    """Retention: the configured number of days, never under the contract's 90."""
    minimum = int(regler.verdi("lonn_hendelser_oppbevaring_dager"))
    return max(minimum, int(getattr(settings, "LONN_OPPBEVARING_DAGER", minimum)))


def purge(*, now: dt.datetime) -> dict[str, int]:
    """Delete events older than the retention (the current epoch's, and everything from earlier
    epochs), and move the epoch's purge mark: a marker behind it answers 410. An event is deleted only
    when every event before it in feed order is older than the retention too, so nothing younger
    than the retention is ever deleted. Set-based: three statements."""
    cutoff = now - dt.timedelta(days=oppbevaring_dager())
    t = feed.tilstand()
    with transaction.atomic(), unscoped(reason="nightly purge of the payroll feed in every kommune"):
        epoke = Epoke.objects.select_for_update().get(pk=t.epoke.pk)
        eldre = Hendelse.objects.filter(id__lt=epoke.forste_hendelse_id, tidspunkt__lt=cutoff).delete()[0]
        with connection.cursor() as cursor:
            # the first retained position: the oldest (in feed order) event younger than the cutoff
            cursor.execute(
                "SELECT xid, id FROM lonn_hendelse WHERE id >= %s AND tidspunkt >= %s ORDER BY xid, id LIMIT 1",
                [epoke.forste_hendelse_id, cutoff])
            first = cursor.fetchone()
            grense = first if first else (t.horisont, 0)
            cursor.execute(
                "WITH d AS (DELETE FROM lonn_hendelse WHERE id >= %s AND xid < %s AND (xid, id) < (%s, %s) "
                "RETURNING xid, id) SELECT count(*) OVER (), xid, id FROM d ORDER BY xid DESC, id DESC LIMIT 1",
                [epoke.forste_hendelse_id, t.horisont, grense[0], grense[1]])
            row = cursor.fetchone()
        slettet = 0
        if row:
            slettet, last = row[0], (row[1], row[2])
            if last > (epoke.slettet_til_xid, epoke.slettet_til_id):
                epoke.slettet_til_xid, epoke.slettet_til_id = last
                epoke.save(update_fields=["slettet_til_xid", "slettet_til_id"])
        with connection.cursor() as cursor:
            # tombstones no valid marker can need any more: every event of the item is behind the purge mark
            cursor.execute("DELETE FROM lonn_lonnobjekt WHERE NOT aktiv AND maks_xid < %s", [epoke.slettet_til_xid])
            gravsteiner = cursor.rowcount
            # open-ended vikariater: their months run to the end of next year, counted from today
            cursor.execute("SELECT count(lonn_emit_vikariat(id)) FROM lister_legeperiode "
                           "WHERE rolle = 'LPVI' AND til IS NULL")
    return {"hendelser_slettet": slettet + eldre, "gravsteiner_slettet": gravsteiner}


def health_check() -> tuple[bool, dict]:
    """The feed's lag for /helse/: committed events held back by an older running transaction."""
    t = feed.tilstand()
    lag = feed.forsinkelse(t, alle_kommuner=True)
    limit = int(getattr(settings, "LONN_FORSINKELSE_MAKS_SEKUNDER", 600))
    ok = lag.sekunder <= limit
    return ok, {
        "status": "ok" if ok else "forsinket",
        "epoke": t.epoke.nokkel,
        "ventende_hendelser": lag.ventende,
        "forsinkelse_sekunder": lag.sekunder,
        "eldste_skrivende_transaksjon": lag.eldste_transaksjon.isoformat() if lag.eldste_transaksjon else None,
        "maks_forsinkelse_sekunder": limit,
    }


def _after_migrate(sender, **kwargs) -> None:
    """After migrate (every deployment runs it, also right after a restore): a new epoch when the
    database is not the one the current epoch was recorded on."""
    if sender.name != "lonn":
        return
    using = kwargs.get("using", "default")
    if using != "default":
        return
    feed.sjekk_epoke()


def ready() -> None:
    """Registrations made from LonnConfig.ready()."""
    from django.db.models.signals import post_migrate

    from core import health
    from core.jobs import ScheduledJob, register
    from lonn import demo  # noqa: F401  (registers the demo payroll client)

    register(ScheduledJob(
        name=PURGE_JOB, task=PURGE_JOB, hour=3, minute=50,
        description="Sletter lønnshendelser eldre enn oppbevaringstiden (minst 90 dager) og gravsteiner ingen markør "
                    "trenger; publiserer åpne vikariater på nytt (månedene regnes ut neste år).",
    ))
    health.register("lonnsstrom", health_check)
    from lonn import webhooks

    webhooks.ready()
    post_migrate.connect(_after_migrate, dispatch_uid="lonn.after_migrate")
