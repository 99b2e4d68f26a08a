"""Calendar feeds for legevakt (issue 7): a doctor's private iCalendar feed behind a secret URL,
and a district's roster feed for signed-in users.

The secret (`secrets.token_urlsafe(32)`) is shown once; only its keyed hash (HMAC-SHA256 under a
key derived from SECRET_KEY, with the fallback keys accepted while rotating — as for the API
tokens in kommune.tokens) is stored. Revoking sets `trukket_tilbake`; the URL then answers 404.

The private feed holds the doctor's own active shifts in every district (read across kommuner on
purpose: the secret identifies the doctor, not a kommune) from 30 days back to a year ahead, with
no other person's name. The text is written by hand after RFC 5545: CRLF line ends, lines folded
at 75 octets without splitting a UTF-8 character, TEXT values escaped, times in UTC («Z»).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.tenancy import unscoped
from legevakt.models import Kalendernokkel, Vakt, Vaktstatus

_SALT = "fastlegeadministrasjon.legevakt-kalender"
FEED_BAKOVER = dt.timedelta(days=30)
FEED_FREMOVER = dt.timedelta(days=366)
# `sist_brukt` is written at most this often (calendar apps poll every few minutes).
SIST_BRUKT_OPPLOSNING = dt.timedelta(hours=1)
PRODID = "-//Fastlegeadministrasjon//Legevakt//NO"


# --- the secret -------------------------------------------------------------------------------------

def _hash(raw: str, secret: str) -> str:
    return salted_hmac(_SALT, raw, secret=secret, algorithm="sha256").hexdigest()


def hash_nokkel(raw: str) -> str:
    return _hash(raw, settings.SECRET_KEY)


def _kandidater(raw: str) -> list[str]:
    return [_hash(raw, key) for key in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]]


def aktiv_nokkel(lege) -> Kalendernokkel | None:
    return Kalendernokkel.objects.filter(lege=lege, trukket_tilbake__isnull=True).first()


@transaction.atomic
def ny_nokkel(*, lege) -> tuple[Kalendernokkel, str]:
    """Revoke the doctor's active key (if any) and make a new one. Returns the row and the secret,
    which is not stored and cannot be shown again."""
    trekk_tilbake(lege=lege)
    raw = secrets.token_urlsafe(32)
    nokkel = Kalendernokkel.objects.create(lege=lege, nokkel_hash=hash_nokkel(raw))
    return nokkel, raw


def trekk_tilbake(*, lege) -> int:
    """Revoke the doctor's active key; the feed URL then answers 404. Returns how many were revoked."""
    rows = list(Kalendernokkel.objects.select_for_update().filter(lege=lege, trukket_tilbake__isnull=True))
    now = timezone.now()
    for row in rows:
        row.trukket_tilbake = now
        row.save(update_fields=["trukket_tilbake"])
    return len(rows)


def finn_nokkel(raw: str) -> Kalendernokkel | None:
    """The active key for a secret from a URL, or None (unknown or revoked). Marks it used."""
    if not raw or len(raw) > 200:
        return None
    nokkel = (Kalendernokkel.objects.select_related("lege")
              .filter(nokkel_hash__in=_kandidater(raw), trukket_tilbake__isnull=True).first())
    if nokkel is None:
        return None
    now = timezone.now()
    if nokkel.sist_brukt is None or now - nokkel.sist_brukt >= SIST_BRUKT_OPPLOSNING:
        Kalendernokkel.objects.filter(pk=nokkel.pk).update(sist_brukt=now)
        nokkel.sist_brukt = now
    return nokkel


# --- iCalendar (RFC 5545) ---------------------------------------------------------------------------

def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 § 3.3.11): backslash, semicolon, comma and newlines escaped."""
    value = str(value).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 § 3.1), never inside a UTF-8 character;
    continuation lines start with one space."""
    parts: list[str] = []
    current, size, limit = [], 0, 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, 74  # the leading space counts
        current.append(char)
        size += width
    parts.append("".join(current))
    return "\r\n ".join(parts)


def utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _uid(vakt: Vakt) -> str:
    return f"vakt-{vakt.pk}@fastlegeadministrasjon.legevakt"


def _lokasjon(vakt: Vakt) -> str:
    stasjon = vakt.stasjon
    if stasjon is None:
        return ""
    sted = " ".join(part for part in (stasjon.postnummer, stasjon.poststed) if part)
    return ", ".join(part for part in (stasjon.navn, stasjon.adresse, sted) if part)


def _event(vakt: Vakt, *, stamp: dt.datetime, med_navn: bool) -> list[str]:
    summary = f"{vakt.get_type_display()} – {vakt.distrikt.navn}"
    if med_navn:
        summary = f"{summary}: {vakt.lege.fornavn} {vakt.lege.etternavn}"
    lines = [
        "BEGIN:VEVENT",
        f"UID:{_uid(vakt)}",
        f"DTSTAMP:{utc(stamp)}",
        f"DTSTART:{utc(vakt.start)}",
        f"DTEND:{utc(vakt.slutt)}",
        f"SUMMARY:{escape_text(summary)}",
    ]
    lokasjon = _lokasjon(vakt)
    if lokasjon:
        lines.append(f"LOCATION:{escape_text(lokasjon)}")
    lines.append(f"DESCRIPTION:{escape_text(_('Vaktklasse %(klasse)s.') % {'klasse': vakt.vaktklasse})}")
    lines += ["TRANSP:OPAQUE", "END:VEVENT"]
    return lines


def kalender(vakter: Iterable[Vakt], *, navn: str, med_navn: bool = False) -> str:
    """A VCALENDAR with one VEVENT per shift; `med_navn` adds the doctor's name to each summary."""
    stamp = timezone.now()
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(navn)}", "X-WR-TIMEZONE:Europe/Oslo",
    ]
    for vakt in vakter:
        lines += _event(vakt, stamp=stamp, med_navn=med_navn)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def _vindu(now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    now = now or timezone.now()
    return now - FEED_BAKOVER, now + FEED_FREMOVER


def lege_feed(lege, *, now: dt.datetime | None = None) -> str:
    """The doctor's own active shifts in every district, 30 days back to a year ahead."""
    fra, til = _vindu(now)
    with unscoped(reason="legevakt: a doctor's private calendar feed (the secret identifies the doctor; own shifts "
                         "in every district)"):
        vakter = list(Vakt.objects.filter(lege=lege, status=Vaktstatus.AKTIV, slutt__gt=fra, start__lt=til)
                      .select_related("distrikt", "stasjon").order_by("start", "id"))
    return kalender(vakter, navn=_("Mine legevakter"))


def distrikt_feed(distrikt, *, now: dt.datetime | None = None) -> str:
    """The district's active shifts (read in the kommune in scope), with the doctors' names."""
    fra, til = _vindu(now)
    vakter = (Vakt.objects.filter(distrikt=distrikt, status=Vaktstatus.AKTIV, slutt__gt=fra, start__lt=til)
              .select_related("distrikt", "stasjon", "lege").order_by("start", "id"))
    return kalender(vakter, navn=_("Legevakt %(distrikt)s") % {"distrikt": distrikt.navn}, med_navn=True)


# --- registration ------------------------------------------------------------------------------------

def _panel_context(request, kommune) -> dict:
    from kommune.permissions import Handling, tillater
    from legevakt.vakt_views import egen_lege

    return {"lege": egen_lege(request), "kan_behandle": tillater(request.tilgang, Handling.SKRIV)}


def ready() -> None:
    """Register the doctor's legevakt panel on the kommune landing page."""
    from kommune import panels

    panels.register(panels.Panel(
        key="legevakt.mine_vakter", title=gettext_lazy("Legevakt"), template="legevakt/kalender/_panel.html",
        context=_panel_context, order=60, handling="egne",
    ))
