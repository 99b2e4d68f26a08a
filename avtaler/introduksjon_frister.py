"""Introduksjonsavtale deadlines for the kommune's Frister page (kommune.frister), each linking to
the avtale. One query whatever the number of rows.

- avtaler ending in the window (the day they no longer apply; a linked ALIS-avtale ends with them);
- unsigned avtaler starting by the end of the window (overdue ones too, until they end): the
  introduksjonslege cannot start without a signed avtale.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from avtaler import introduksjon_selectors
from kommune.frister import Frist


def _fmt(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def introduksjonsavtaler(kommune, fra: dt.date, til: dt.date) -> list[Frist]:
    items: list[Frist] = []
    for avtale in introduksjon_selectors.ending_or_unsigned(fra=fra, til=til):
        url = reverse("avtaler:introduksjon_detalj", args=[avtale.pk])
        lege, kontor = avtale.lege.navn, avtale.legekontor.navn
        if fra <= avtale.sluttdato <= til:
            beskrivelse = _("Introduksjonsavtalen ved %(kontor)s opphører %(dato)s.") % {"kontor": kontor, "dato": _fmt(avtale.sluttdato)}
            if avtale.har_alis:
                beskrivelse += " " + _("ALIS-avtalen som bygger på introduksjonsavtalen, opphører samtidig.")
            items.append(Frist(
                dato=avtale.sluttdato, type="introduksjonsavtale_slutt",
                tittel=_("Introduksjonsavtalen med %(lege)s opphører") % {"lege": lege},
                beskrivelse=beskrivelse, url=url, objekt=avtale,
            ))
        if avtale.signert is None and avtale.startdato <= til and avtale.sluttdato > fra:
            items.append(Frist(
                dato=avtale.startdato, type="introduksjonsavtale_signering",
                tittel=_("Introduksjonsavtalen med %(lege)s er ikke signert") % {"lege": lege},
                beskrivelse=_("Avtalen ved %(kontor)s skal begynne %(dato)s, men er ikke signert.") % {
                    "kontor": kontor, "dato": _fmt(avtale.startdato)},
                url=url, objekt=avtale,
            ))
    return items


SOURCES: list = [introduksjonsavtaler]
