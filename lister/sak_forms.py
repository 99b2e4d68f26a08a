"""Forms for the vacancy-case pages. They parse input only: the rules are lister.sak_services',
whose refusals the views put on the field they concern (`add_service_error`), so the pages and the
API refuse the same input with the same message."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kommune import regler
from kommune.lege_forms import date_input
from kommune.models import Lege
from kommune.selectors import lege_list
from lister.forms import LegeChoiceField
from lister.models import Dekning, Dekningstype, Ledighetsarsak, Ledighetssak, Soker, Sokervurdering, Utlysning


def _label(model, field: str):
    return model._meta.get_field(field).verbose_name


def _help(model, field: str):
    return model._meta.get_field(field).help_text


def _date(model, field: str, *, required: bool = True, initial=None, help_text=None) -> forms.DateField:
    return forms.DateField(label=_label(model, field), required=required, widget=date_input(), initial=initial,
                           help_text=_help(model, field) if help_text is None else help_text)


def _text(label, *, required: bool = False, help_text="") -> forms.CharField:
    return forms.CharField(label=label, required=required, help_text=help_text, widget=forms.Textarea(attrs={"rows": 3}))


class VersionedForm(forms.Form):
    versjon = forms.IntegerField(widget=forms.HiddenInput)


class SakForm(forms.Form):
    """Open a case by hand."""

    arsak = forms.ChoiceField(label=_label(Ledighetssak, "arsak"), choices=Ledighetsarsak.choices)
    kjent = _date(Ledighetssak, "kjent", initial=timezone.localdate)
    fastlege = LegeChoiceField(label=_label(Ledighetssak, "fastlege"), queryset=Lege.objects.none(), required=False,
                               help_text=_("Tomt for en ny liste."))
    oppsigelse_mottatt = _date(Ledighetssak, "oppsigelse_mottatt", required=False,
                               help_text=_("Teller for hjemfall (minst tolv måneder siden oppsigelsen, ASA 4310)."))
    fastlege_slutt = _date(Ledighetssak, "fastlege_slutt", required=False)
    naeringsdrivende = forms.BooleanField(
        label=_label(Ledighetssak, "naeringsdrivende"), required=False,
        help_text=_("For næringsdrivende fastleger i kommuner som følger ASA 4310 har kommunen vikarplikt og dekker "
                    "driftsutgiftene i inntil seks måneder etter oppsigelsestiden."),
    )
    andel_listetak = forms.IntegerField(label=_label(Ledighetssak, "andel_listetak"), required=False,
                                        help_text=_help(Ledighetssak, "andel_listetak"))
    merknad = _text(_label(Ledighetssak, "merknad"))

    def __init__(self, *args, fellesliste: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fastlege"].queryset = lege_list()
        if not fellesliste:
            del self.fields["andel_listetak"]

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data.setdefault("andel_listetak", None)
        return data


class SakEndreForm(VersionedForm):
    """Change a case's note and dates (or close it by hand)."""

    kjent = _date(Ledighetssak, "kjent")
    oppsigelse_mottatt = _date(Ledighetssak, "oppsigelse_mottatt", required=False)
    fastlege_slutt = _date(Ledighetssak, "fastlege_slutt", required=False)
    avsluttet = _date(Ledighetssak, "avsluttet", required=False, help_text=_(
        "Saken avsluttes av seg selv når en ny fastlegeavtale signeres. Sett dato her bare om listen ikke skal besettes "
        "(for eksempel når den legges ned)."))
    merknad = _text(_label(Ledighetssak, "merknad"))

    FIELDS = ("kjent", "oppsigelse_mottatt", "fastlege_slutt", "avsluttet", "merknad")

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class UtlysningForm(forms.Form):
    dato = _date(Utlysning, "dato", initial=timezone.localdate, help_text=_("Dagen listen ble utlyst."))
    soknadsfrist = _date(Utlysning, "soknadsfrist", required=False)
    kanal = forms.CharField(label=_label(Utlysning, "kanal"), max_length=150, required=False, help_text=_help(Utlysning, "kanal"))
    korrekt = forms.BooleanField(label=_label(Utlysning, "korrekt"), required=False, initial=True,
                                 help_text=_help(Utlysning, "korrekt"))
    merknad = _text(_label(Utlysning, "merknad"))

    FIELDS = ("dato", "soknadsfrist", "kanal", "korrekt", "merknad")

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class UtlysningEndreForm(VersionedForm, UtlysningForm):
    pass


class SokerForm(forms.Form):
    navn = forms.CharField(label=_label(Soker, "navn"), max_length=200, required=False)
    lege = LegeChoiceField(label=_label(Soker, "lege"), queryset=Lege.objects.none(), required=False,
                           help_text=_("Om søkeren er en lege registrert i kommunen."))
    mottatt = _date(Soker, "mottatt", initial=timezone.localdate)
    vurdering = forms.ChoiceField(label=_label(Soker, "vurdering"), choices=Sokervurdering.choices,
                                  initial=Sokervurdering.TIL_VURDERING,
                                  help_text=_("En kvalifisert søker (kvalifisert eller tildelt) utelukker hjemfall."))
    merknad = _text(_label(Soker, "merknad"))

    FIELDS = ("navn", "lege", "mottatt", "vurdering", "merknad")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lege"].queryset = lege_list()

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class SokerEndreForm(VersionedForm, SokerForm):
    pass


class DekningForm(forms.Form):
    type = forms.ChoiceField(label=_label(Dekning, "type"), choices=Dekningstype.choices)
    fra = _date(Dekning, "fra", initial=timezone.localdate, help_text=_("Første dag med dekning."))
    til = _date(Dekning, "til")
    leger = forms.CharField(label=_label(Dekning, "leger"), max_length=300, required=False,
                            help_text=_("Navn på legene som dekker (valgfritt)."))
    merknad = _text(_label(Dekning, "merknad"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The limit in force today, from the rule parameters (kommune/regler.py).
        dager = regler.verdi("kollegial_dekning_maks_dager")
        self.fields["type"].help_text = _(
            "Kollegial fraværsdekning: inntil %(dager)d dager (%(uker)d uker) per kalenderår, registreres ikke som vikarbruk. "
            "Lengre dekning registreres som vikarperiode.") % {"dager": dager, "uker": dager // 7}


class DekningSluttForm(VersionedForm):
    til = _date(Dekning, "til")
