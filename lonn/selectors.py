"""Reads for the kommune's integration page: the payroll feed's state in the kommune in scope, and
each integration client's last receipt and lag.

`integrasjoner(t)` makes three queries whatever the number of clients: the kommune's tokens with
scope lonn:les, the latest receipt per client (DISTINCT ON), and the lag behind every receipt at
once (a LATERAL join in raw SQL, filtered explicitly by the kommune in scope).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.conf import settings
from django.db import connection
from django.db.models import Count, Min, Q
from django.utils import timezone

from core.context import current_kommune_id
from core.tenancy import NoTenantScope
from kommune.models import ApiTokenKommune
from lonn import feed
from lonn.models import Epoke, Hendelse, Kvittering
from lonn.services import oppbevaring_dager

SCOPE = "lonn:les"

AKTIV = "aktiv"
TRUKKET_TILBAKE = "trukket_tilbake"
UTLOPT = "utlopt"
PERSONER = "personer"


@dataclass(frozen=True)
class Stromstatus:
    """The feed as the kommune in scope sees it."""

    epoke: Epoke
    forsinkelse: feed.Forsinkelse  # committed events held back by an older running transaction
    oppbevart: int  # events of the current epoch still kept
    eldste_oppbevart: dt.datetime | None
    oppbevaring_dager: int
    tomgang_sekunder: int  # the database ends a transaction left idle after this long
    maks_forsinkelse_sekunder: int  # /helse/ answers 503 beyond this

    @property
    def forsinket(self) -> bool:
        return self.forsinkelse.sekunder > self.maks_forsinkelse_sekunder


def strom(t: feed.Tilstand) -> Stromstatus:
    """The feed's state for the kommune in scope. Three queries."""
    lag = feed.forsinkelse(t)
    oppbevart = Hendelse.objects.filter(id__gte=t.epoke.forste_hendelse_id).aggregate(n=Count("id"), eldste=Min("tidspunkt"))
    return Stromstatus(
        epoke=t.epoke,
        forsinkelse=lag,
        oppbevart=oppbevart["n"],
        eldste_oppbevart=oppbevart["eldste"],
        oppbevaring_dager=oppbevaring_dager(),
        tomgang_sekunder=int(settings.DB_IDLE_IN_TRANSACTION_TIMEOUT),
        maks_forsinkelse_sekunder=int(getattr(settings, "LONN_FORSINKELSE_MAKS_SEKUNDER", 600)),
    )


@dataclass(frozen=True)
class Integrasjon:
    """One row of the integration table: a client (token), or all people's receipts together."""

    navn: str
    prefiks: str | None  # None for the people's row
    status: str  # AKTIV, TRUKKET_TILBAKE, UTLOPT or PERSONER
    kvittering: Kvittering | None  # the latest receipt (bruker selected for the people's row)
    etterslep: int | None = None  # events after the receipt, counted up to feed.TELLEGRENSE
    eldste_ukvitterte: dt.datetime | None = None  # the oldest of them
    markor_utlopt: bool = False  # the receipt's marker is from an earlier epoch or behind the purge
    token_id: int | None = None  # the client's token (None for the people's row)

    @property
    def er_personer(self) -> bool:
        return self.status == PERSONER

    @property
    def etterslep_over_grensen(self) -> bool:
        return self.etterslep is not None and self.etterslep >= feed.TELLEGRENSE


def _utlopt(kvittering: Kvittering, t: feed.Tilstand) -> bool:
    nokkel = kvittering.markor.split(".", 1)[0]
    return nokkel != t.epoke.nokkel or (kvittering.xid, kvittering.hendelse_id) < (
        t.epoke.slettet_til_xid, t.epoke.slettet_til_id)


_ETTERSLEP_SQL = """
SELECT p.nr, l.antall, l.eldste
  FROM unnest(%s::bigint[], %s::bigint[]) WITH ORDINALITY AS p(xid, hid, nr)
  CROSS JOIN LATERAL (
    SELECT count(*) AS antall, min(s.tidspunkt) AS eldste
      FROM (SELECT h.tidspunkt FROM lonn_hendelse h
             WHERE h.kommune_id = %s AND h.id >= %s AND (h.xid, h.id) > (p.xid, p.hid)
             ORDER BY h.xid, h.id LIMIT %s) s
  ) l
"""


def _etterslep(t: feed.Tilstand, posisjoner: list[feed.Posisjon]) -> list[tuple[int, dt.datetime | None]]:
    """feed.etterslep for many positions in one query (raw SQL: the kommune filter is explicit)."""
    if not posisjoner:
        return []
    kommune_id = current_kommune_id()
    if kommune_id is None:
        raise NoTenantScope("Etterslepet for lønnsintegrasjoner krever en kommune i konteksten.")
    with connection.cursor() as cursor:
        cursor.execute(_ETTERSLEP_SQL, [[p.xid for p in posisjoner], [p.id for p in posisjoner], kommune_id,
                                        t.epoke.forste_hendelse_id, feed.TELLEGRENSE])
        rows = {nr: (antall, eldste) for nr, antall, eldste in cursor.fetchall()}
    return [rows[i + 1] for i in range(len(posisjoner))]


def integrasjoner(t: feed.Tilstand) -> list[Integrasjon]:
    """The kommune's integration clients with scope lonn:les (withdrawn and expired ones too,
    marked), each with its latest receipt and the lag behind it; then one row for the receipts
    people posted, when there are any. Three queries whatever the number of clients."""
    now = timezone.now()
    bindinger = list(ApiTokenKommune.objects.filter(token__scopes__contains=[SCOPE]).select_related("token")
                     .order_by("token__navn", "-token__opprettet"))
    siste = {
        k.klient_id: k
        for k in Kvittering.objects.filter(Q(klient_id__in=[b.token_id for b in bindinger])
                                           | Q(klient__isnull=True, bruker__isnull=False))
        .select_related("bruker").order_by("klient_id", "-id").distinct("klient_id")
    }

    rader: list[Integrasjon] = []
    for b in bindinger:
        token = b.token
        if b.trukket_tilbake or token.trukket_tilbake:
            status = TRUKKET_TILBAKE
        elif token.utloper is not None and token.utloper <= now:
            status = UTLOPT
        else:
            status = AKTIV
        rader.append(Integrasjon(navn=token.navn, prefiks=token.prefiks, status=status, kvittering=siste.get(b.token_id),
                                 token_id=b.token_id))
    if None in siste:
        rader.append(Integrasjon(navn="", prefiks=None, status=PERSONER, kvittering=siste[None]))

    # The lag behind every receipt whose marker is still valid, in one query.
    for i, r in enumerate(rader):
        if r.kvittering is not None and _utlopt(r.kvittering, t):
            rader[i] = replace(r, markor_utlopt=True)
    malt = [i for i, r in enumerate(rader) if r.kvittering is not None and not r.markor_utlopt]
    lag = _etterslep(t, [feed.Posisjon(rader[i].kvittering.xid, rader[i].kvittering.hendelse_id) for i in malt])
    for i, (antall, eldste) in zip(malt, lag, strict=True):
        rader[i] = replace(rader[i], etterslep=antall, eldste_ukvitterte=eldste)
    return rader
