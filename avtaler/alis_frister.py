"""ALIS deadlines for the kommune's Frister page (kommune.frister), each linking to the avtale.

- ALIS-avtaler ending in the window: the derived end (relationship ended, grant declined, five
  years at full time reached, or the recorded end);
- the next shortfall of each running ALIS-avtale (individual or group supervision behind, service
  time that must begin, no veileder) whose frist falls in the window or has passed.

Each source uses a constant number of queries whatever the number of avtaler.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from avtaler import alis_selectors
from kommune.frister import Frist


def _fmt(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def _url(avtale_id: int) -> str:
    try:
        return reverse("avtaler:alis_detalj", args=[avtale_id])
    except NoReverseMatch:
        return ""


def _candidates(fra: dt.date):
    """Avtaler not recorded as ended before `fra` (their derived end may still be earlier)."""
    return alis_selectors.alisavtale_list().filter(Q(sluttdato__isnull=True) | Q(sluttdato__gte=fra))


def alis_opphorer(kommune, fra: dt.date, til: dt.date) -> list[Frist]:
    """ALIS-avtaler whose derived end falls in the window."""
    items = []
    for avtale in _candidates(fra).filter(startdato__lte=til):
        end, grunn = alis_selectors.opphorer(avtale)
        if end is None or not fra <= end <= til:
            continue
        items.append(Frist(
            dato=end, type="alis_opphorer",
            tittel=_("ALIS-avtalen med %(lege)s opphører") % {"lege": avtale.lege.navn},
            beskrivelse=_("%(grunn)s; avtalen gjelder til og med %(dato)s.") % {
                "grunn": alis_selectors.opphorsgrunn_tekst(grunn), "dato": _fmt(end - dt.timedelta(days=1))},
            url=_url(avtale.pk), objekt=avtale,
        ))
    return items


def alis_mangler(kommune, fra: dt.date, til: dt.date) -> list[Frist]:
    """The next shortfall of each running avtale, when its frist is in the window or has passed
    (outstanding). Progress is judged on the window's first day, at the latest today (supervision
    is recorded after the fact)."""
    day = min(fra, timezone.localdate())
    avtaler = {a.pk: a for a in _candidates(day).filter(startdato__lte=day)}
    items = []
    for avtale_id, progresjon in alis_selectors.progresjon_for(avtaler.values(), on=day).items():
        mangel = progresjon.neste_mangel
        if mangel is None or mangel.frist > til:
            continue
        avtale = avtaler[avtale_id]
        items.append(Frist(
            dato=mangel.frist, type=f"alis_{mangel.type}",
            tittel=_("%(lege)s (ALIS): %(tittel)s") % {"lege": avtale.lege.navn, "tittel": mangel.tittel},
            beskrivelse=mangel.beskrivelse, url=_url(avtale_id), objekt=avtale,
        ))
    return items


SOURCES: list = [alis_opphorer, alis_mangler]
