"""Writes on the vacancy flags a person (or integration) makes: marking a flag seen. The flags
themselves are raised and resolved by the nightly job (lister.ledighet_jobb)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from lister.models import Ledighetsvarsel


def mark_varsel_sett(*, varsel: Ledighetsvarsel, av=None, now: dt.datetime | None = None) -> Ledighetsvarsel:
    """Record that the flag has been seen, and by whom (`av`: the user; None for an integration
    token). The first marking stands: marking again changes nothing. One UPDATE (audited)."""
    moment = max(now or timezone.now(), varsel.reist)
    Ledighetsvarsel.objects.filter(pk=varsel.pk, sett__isnull=True).update(sett=moment, sett_av=av)
    varsel.refresh_from_db()
    return varsel
