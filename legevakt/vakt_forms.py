"""Forms for the roster pages. They parse input only; the rules (rest, competence, exemptions,
participation, vaktklasse, length) are legevakt.vakt_services' so the pages refuse the same input
with the same message as the API. The doctor is chosen among the district's participants
(legevakt.vakt_regler.deltakere), which may include doctors registered in a member kommune only, so
the field is a plain choice of ids mapped back to the participants' Lege objects."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.timefields import LocalDateTimeFormField
from kommune.lege_forms import date_input
from legevakt.models import Avlysningsarsak, Stasjon, Vakt, Vakttype

LOKAL_FORMAT = "%Y-%m-%dT%H:%M"
# Monday first, as people read a week (FLR numbers Sunday 0).
UKEDAGER = [(1, _("Mandag")), (2, _("Tirsdag")), (3, _("Onsdag")), (4, _("Torsdag")), (5, _("Fredag")),
            (6, _("Lørdag")), (0, _("Søndag"))]
VAKTKLASSER = [("", _("Standard for vakttypen")), ("1", "1"), ("2", "2"), ("3", "3"), ("4", "4")]
MERKNAD_HJELP = _("Praktiske opplysninger om vakten. Ikke skriv helseopplysninger her.")


def _label(name: str):
    return Vakt._meta.get_field(name).verbose_name


def _help(name: str):
    return Vakt._meta.get_field(name).help_text


def datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOKAL_FORMAT)


def lege_navn(lege) -> str:
    return f"{lege.etternavn}, {lege.fornavn} (HPR {lege.hpr_nummer})"


class LegeValgField(forms.TypedChoiceField):
    """A doctor among given Lege objects (participants), by id; cleans to the Lege."""

    def __init__(self, *args, leger=(), **kwargs):
        super().__init__(*args, coerce=int, empty_value=None, **kwargs)
        self.set_leger(leger)

    def set_leger(self, leger) -> None:
        self.leger = {lege.pk: lege for lege in leger}
        ordered = sorted(self.leger.values(), key=lambda lege: (lege.etternavn, lege.fornavn, lege.pk))
        self.choices = [("", _("Velg lege"))] + [(lege.pk, lege_navn(lege)) for lege in ordered]

    def clean(self, value):
        pk = super().clean(value)
        return self.leger.get(pk) if pk is not None else None

    def valid_value(self, value):
        try:
            return int(value) in self.leger
        except (TypeError, ValueError):
            return False


class VaktForm(forms.Form):
    """A single shift. The service decides the vaktklasse when it is left empty (by type)."""

    lege = LegeValgField(label=_("Lege"),
                         help_text=_("Leger som deltar i legevakten i distriktet: fastleger i medlemskommunene og leger "
                                     "med vaktavtale."))
    type = forms.ChoiceField(label=_label("type"), choices=Vakttype.choices)
    vaktklasse = forms.TypedChoiceField(
        label=_label("vaktklasse"), choices=VAKTKLASSER, coerce=int, empty_value=None, required=False,
        help_text=_("SFS 2305 § 8.3: tilstedevakt er klasse 3 eller 4 (klasse 2 bare etter lokal avtale); hjemmevakt og "
                    "bakvakt er klasse 1."),
    )
    start = LocalDateTimeFormField(label=_label("start"), widget=datetime_input(),
                                   help_text=_("Norsk tid. Eksempel: 2026-11-23 20:00."))
    slutt = LocalDateTimeFormField(label=_label("slutt"), widget=datetime_input(),
                                   help_text=_("Norsk tid. Vakten varer til, men ikke med, dette tidspunktet."))
    stasjon = forms.ModelChoiceField(label=_label("stasjon"), queryset=Stasjon.objects.none(), required=False,
                                     empty_label=_("Ingen stasjon"))
    lokal_avtale = forms.CharField(label=_label("lokal_avtale"), max_length=300, required=False,
                                   help_text=_help("lokal_avtale"))
    hvilebrudd_begrunnelse = forms.CharField(label=_label("hvilebrudd_begrunnelse"), required=False,
                                             widget=forms.Textarea(attrs={"rows": 2}), help_text=_help("hvilebrudd_begrunnelse"))
    merknad = forms.CharField(label=_label("merknad"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                              help_text=MERKNAD_HJELP)

    SJEKKFELT = ("lege", "type", "vaktklasse", "start", "slutt")

    def __init__(self, *args, leger=(), stasjoner=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lege"].set_leger(leger)
        if stasjoner is not None:
            self.fields["stasjon"].queryset = stasjoner

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "lege": data["lege"], "type": data["type"], "vaktklasse": data.get("vaktklasse"), "start": data["start"],
            "slutt": data["slutt"], "stasjon": data.get("stasjon"), "lokal_avtale": data.get("lokal_avtale") or "",
            "hvilebrudd_begrunnelse": data.get("hvilebrudd_begrunnelse") or "", "merknad": data.get("merknad") or "",
        }

    def sjekk_arguments(self) -> dict | None:
        """The fields the dry run needs, when they are valid; else None."""
        if not hasattr(self, "cleaned_data"):
            return None
        data = self.cleaned_data
        if any(name in self.errors for name in self.SJEKKFELT) or not all(data.get(n) for n in ("lege", "type", "start", "slutt")):
            return None
        return {name: data.get(name) for name in self.SJEKKFELT}


class EndreVaktForm(VaktForm):
    versjon = forms.IntegerField(widget=forms.HiddenInput)


class AvlysForm(forms.Form):
    arsak = forms.ChoiceField(label=_("Årsak"), choices=[c for c in Avlysningsarsak.choices if c[0]],
                              initial=Avlysningsarsak.ANNET,
                              help_text=_("Ved sykdom: bruk «Meld syk» for å få forslag til erstatter."))
    versjon = forms.IntegerField(widget=forms.HiddenInput)


class SykForm(forms.Form):
    """A sick call: the replacement (among the ranked candidates) and from when."""

    erstatter = LegeValgField(label=_("Erstatter"), widget=forms.RadioSelect,
                              help_text=_("Forslaget øverst i rangeringen er valgt på forhånd."))
    fra = LocalDateTimeFormField(label=_("Syk fra"), widget=datetime_input(), required=False,
                                 help_text=_("Tomt: hele vakten. Ellers overtar erstatteren fra dette tidspunktet (norsk tid)."))
    hvilebrudd_begrunnelse = forms.CharField(label=_label("hvilebrudd_begrunnelse"), required=False,
                                             widget=forms.Textarea(attrs={"rows": 2}), help_text=_help("hvilebrudd_begrunnelse"))
    versjon = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, leger=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["erstatter"].set_leger(leger)
        self.fields["erstatter"].choices = self.fields["erstatter"].choices[1:]


class MonsterRadForm(forms.Form):
    """One line of a repeating pattern: weekdays, start time, end time or length, type, class."""

    ukedager = forms.TypedMultipleChoiceField(label=_("Ukedager"), choices=UKEDAGER, coerce=int,
                                              widget=forms.CheckboxSelectMultiple)
    start = forms.TimeField(label=_("Starter kl."), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    slutt = forms.TimeField(label=_("Slutter kl."), required=False,
                            widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                            help_text=_("Før starttiden: neste dag."))
    timer = forms.DecimalField(label=_("Eller varighet (timer)"), required=False, min_value=0, max_digits=5, decimal_places=2,
                               help_text=_("For eksempel 64 for en helgevakt fredag–mandag."))
    type = forms.ChoiceField(label=_label("type"), choices=[("", _("Velg type"))] + Vakttype.choices)
    vaktklasse = forms.TypedChoiceField(label=_label("vaktklasse"), choices=VAKTKLASSER, coerce=int, empty_value=None,
                                        required=False)

    def clean(self):
        data = super().clean()
        if not self.errors and data.get("slutt") is None and data.get("timer") is None:
            self.add_error("slutt", ValidationError(_("Oppgi sluttid eller varighet."), code="required"))
        return data

    def monster(self) -> dict:
        data = self.cleaned_data
        return {
            "ukedager": sorted(data["ukedager"]), "start": data["start"].strftime("%H:%M"),
            "slutt": data["slutt"].strftime("%H:%M") if data.get("slutt") else None,
            "timer": float(data["timer"]) if data.get("timer") is not None else None,
            "type": data["type"], "vaktklasse": data.get("vaktklasse"),
        }


MonsterFormset = forms.formset_factory(MonsterRadForm, extra=3, max_num=10, absolute_max=10)


class VaktplanForm(forms.Form):
    fra = forms.DateField(label=_("Fra"), widget=date_input(), help_text=_("Første dag i vaktplanen."))
    til = forms.DateField(label=_("Til"), widget=date_input(), help_text=_("Første dag etter vaktplanen."))
    leger = forms.TypedMultipleChoiceField(
        label=_("Leger i rotasjon"), coerce=int, widget=forms.CheckboxSelectMultiple,
        help_text=_("Legene får vaktene etter tur, i rekkefølgen i listen."),
    )

    def __init__(self, *args, leger=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.leger = {lege.pk: lege for lege in leger}
        ordered = sorted(self.leger.values(), key=lambda lege: (lege.etternavn, lege.fornavn, lege.pk))
        self.fields["leger"].choices = [(lege.pk, lege_navn(lege)) for lege in ordered]

    def clean(self):
        data = super().clean()
        fra, til = data.get("fra"), data.get("til")
        if isinstance(fra, dt.date) and isinstance(til, dt.date) and til <= fra:
            self.add_error("til", ValidationError(_("Til-datoen må være etter fra-datoen."), code="ordered"))
        return data

    def valgte_leger(self) -> list:
        return [self.leger[pk] for pk in self.cleaned_data["leger"]]


class ByttForm(forms.Form):
    mot_vakt = forms.TypedChoiceField(label=_("Bytt mot vakt"), coerce=int, widget=forms.RadioSelect,
                                      help_text=_("En annen leges vakt i samme distrikt."))

    def __init__(self, *args, vakter=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.vakter = {vakt.pk: vakt for vakt in vakter}
        self.fields["mot_vakt"].choices = [(vakt.pk, vakt.tekst) for vakt in vakter]

    def valgt_vakt(self):
        return self.vakter[self.cleaned_data["mot_vakt"]]


class BytteBehandleForm(forms.Form):
    handling = forms.ChoiceField(choices=[("godkjenn", _("Godkjenn")), ("avslaa", _("Avslå")), ("trekk", _("Trekk"))])
    versjon = forms.IntegerField(widget=forms.HiddenInput)
    merknad = forms.CharField(label=_("Merknad"), required=False, max_length=2000)
    hvilebrudd_begrunnelse = forms.CharField(
        label=_("Begrunnelse for kortere hvile"), required=False, max_length=2000,
        help_text=_("Påkrevd for å godkjenne et bytte som gir en av legene mindre enn åtte timers hvile (SFS 2305 § 7.4)."),
    )


class KalenderForm(forms.Form):
    handling = forms.ChoiceField(choices=[("ny", _("Lag adresse")), ("trekk", _("Trekk tilbake"))])
