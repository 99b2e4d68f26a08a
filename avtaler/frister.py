"""The avtaler app's deadlines for the kommune's "Frister" page (kommune.frister), each linking to
its object. Each source is one query whatever the number of rows.

- notice periods ending (Oppsigelse.virkning in the window);
- listetak steps taking effect (ListetakTrinn not yet applied; overdue ones too);
- the age limits of fastlegeforskriften § 12 third paragraph for doctors with a running avtale:
  70 (the avtale ends), the end of a granted extension, and 80 (no extension beyond it);
- messages to Helfo not yet confirmed (draft or sent), whatever their date.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from avtaler import selectors
from avtaler.models import EndringStatus, ListetakTrinn, Meldingsstatus, Oppsigelse
from avtaler.services import aldersgrense, ytre_aldersgrense
from core.dates import birthday
from kommune import regler
from kommune.frister import Frist


def _fmt(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def _avtale_url(avtale_id: int) -> str:
    return reverse("avtaler:detalj", args=[avtale_id])


def oppsigelser(kommune, fra: dt.date, til: dt.date) -> list[Frist]:
    """Notice periods ending in the window: the day the avtale ends."""
    rows = (
        Oppsigelse.objects.filter(trukket__isnull=True, virkning__gte=fra, virkning__lte=til)
        .select_related("avtale__lege", "avtale__pasientliste__legekontor")
        .order_by("virkning", "id")
    )
    return [
        Frist(
            dato=o.virkning, type="oppsigelse",
            tittel=_("Fastlegeavtalen med %(lege)s opphører") % {"lege": o.avtale.lege.navn},
            beskrivelse=_("%(type)s fra %(part)s mottatt %(mottatt)s; listen «%(liste)s» trenger ny fastlege fra %(dato)s.") % {
                "type": o.get_type_display(), "part": o.get_part_display().lower(), "mottatt": _fmt(o.mottatt),
                "liste": o.avtale.pasientliste, "dato": _fmt(o.virkning)},
            url=_avtale_url(o.avtale_id), objekt=o,
        )
        for o in rows
    ]


def listetak_trinn(kommune, fra: dt.date, til: dt.date) -> list[Frist]:
    """Listetak steps not yet applied that take effect by the end of the window."""
    rows = (
        ListetakTrinn.objects.filter(gjennomfort__isnull=True, endring__status=EndringStatus.REGISTRERT, gjelder_fra__lte=til)
        .select_related("endring__avtale__lege")
        .order_by("gjelder_fra", "id")
    )
    return [
        Frist(
            dato=t.gjelder_fra, type="listetak",
            tittel=_("Nytt listetak for %(lege)s") % {"lege": t.endring.avtale.lege.navn},
            beskrivelse=_("Listetaket blir %(tak)d fra %(dato)s (endring fra %(fra)d til %(til)d, fastlegeforskriften § 11).") % {
                "tak": t.listetak, "dato": _fmt(t.gjelder_fra), "fra": t.endring.fra_listetak, "til": t.endring.til_listetak},
            url=_avtale_url(t.endring.avtale_id), objekt=t,
        )
        for t in rows
    ]


def _born_between(years: int, fra: dt.date, til: dt.date) -> Q:
    """Doctors who turn `years` in [fra, til] (a day's margin for 29 February; checked exactly after)."""
    return Q(lege__fodselsdato__gte=birthday(fra, -years) - dt.timedelta(days=1), lege__fodselsdato__lte=birthday(til, -years))


def aldersgrenser(kommune, fra: dt.date, til: dt.date) -> list[Frist]:
    """Age limits in the window for doctors with a running avtale (§ 12 third paragraph)."""
    years_70 = regler.verdi("aldersgrense", fra)
    years_80 = regler.verdi("aldersgrense_forlengelse_maks", fra)
    rows = (
        selectors.avtale_list(on=fra)
        .filter(status__in=[selectors.AvtaleStatus.AKTIV, selectors.AvtaleStatus.OPPSAGT])
        .filter(_born_between(years_70, fra, til) | _born_between(years_80, fra, til) | Q(forlenget_til__gte=fra, forlenget_til__lte=til))
    )
    items: list[Frist] = []
    for avtale in rows:
        lege = avtale.lege
        url = _avtale_url(avtale.pk)
        ends_early = avtale.sluttdato  # notice or a time-limited avtale
        limit = aldersgrense(lege, fra)
        if fra <= limit <= til and not avtale.forlenget_til and not (ends_early and ends_early < limit):
            items.append(Frist(
                dato=limit, type="alder_70",
                tittel=_("%(lege)s fyller %(alder)d år") % {"lege": lege.navn, "alder": years_70},
                beskrivelse=_("Fastlegeavtalen opphører uten oppsigelse %(dato)s (%(kilde)s), med mindre kommunen vedtar "
                              "en tidsbegrenset forlengelse.") % {"dato": _fmt(limit), "kilde": regler.kilde("aldersgrense", fra)},
                url=url, objekt=avtale,
            ))
        if avtale.forlenget_til and fra <= avtale.forlenget_til <= til and not (ends_early and ends_early < avtale.forlenget_til):
            items.append(Frist(
                dato=avtale.forlenget_til, type="forlengelse",
                tittel=_("Forlengelsen for %(lege)s utløper") % {"lege": lege.navn},
                beskrivelse=_("Den tidsbegrensede avtalen ut over %(alder)d år opphører %(dato)s.") % {
                    "alder": years_70, "dato": _fmt(avtale.forlenget_til)},
                url=url, objekt=avtale,
            ))
        outer = ytre_aldersgrense(lege, fra)
        if fra <= outer <= til and not (ends_early and ends_early < outer):
            items.append(Frist(
                dato=outer, type="alder_80",
                tittel=_("%(lege)s fyller %(alder)d år") % {"lege": lege.navn, "alder": years_80},
                beskrivelse=_("En fastlegeavtale kan ikke forlenges til etter at legen er fylt %(alder)d år (%(kilde)s).") % {
                    "alder": years_80, "kilde": regler.kilde("aldersgrense_forlengelse_maks", fra)},
                url=url, objekt=avtale,
            ))
    return items


def helfomeldinger(kommune, fra: dt.date, til: dt.date) -> list[Frist]:
    """Messages to Helfo that Helfo has not confirmed: drafts (dated when made) and sent ones (dated when sent)."""
    rows = selectors.helfomeldinger().filter(status__in=[Meldingsstatus.UTKAST, Meldingsstatus.SENDT])
    items = []
    for melding in rows:
        if melding.status == Meldingsstatus.UTKAST:
            dato = timezone.localtime(melding.opprettet).date()
            beskrivelse = _("Utkast, ikke sendt til Helfo.")
        else:
            dato = melding.sendt
            beskrivelse = _("Sendt %(dato)s; ikke bekreftet registrert av Helfo.") % {"dato": _fmt(melding.sendt)}
        items.append(Frist(
            dato=dato, type="helfo",
            tittel=_("Melding til Helfo: %(type)s – %(lege)s") % {"type": melding.get_type_display(), "lege": melding.avtale.lege.navn},
            beskrivelse=beskrivelse, url=reverse("avtaler:helfo", args=[melding.pk]), objekt=melding,
        ))
    return items


SOURCES = (oppsigelser, listetak_trinn, aldersgrenser, helfomeldinger)
