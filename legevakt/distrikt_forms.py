"""Forms for the district pages. They parse input only; the rules are legevakt.distrikt_services'
(the pages and the API refuse the same input with the same message)."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from core.tenancy import unscoped
from kommune.lege_forms import date_input
from kommune.models import Kommune, Lege
from kommune.selectors import lege_list
from legevakt.models import Distriktstype, Legevaktdistrikt, Medlemskap, Stasjon, Tidsbolk, Vaktavtale
from lister.forms import LegeChoiceField


def _label(model, name: str):
    return model._meta.get_field(name).verbose_name


def kommune_choices() -> list[tuple[str, str]]:
    """Every Norwegian kommune (any may be a member): the public register."""
    with unscoped(reason="the kommune register is public: any kommune may be a member of a legevakt district"):
        rows = list(Kommune.objects.order_by("kommunenummer").values_list("kommunenummer", "navn"))
    return [("", "—"), *((nummer, f"{nummer} {navn}") for nummer, navn in rows)]


TIL_HJELP = _("Første dag som ikke er med. Tomt: inntil videre.")


class DistriktForm(forms.Form):
    navn = forms.CharField(label=_label(Legevaktdistrikt, "navn"), max_length=200)
    type = forms.ChoiceField(label=_label(Legevaktdistrikt, "type"), choices=Distriktstype.choices)
    fra = forms.DateField(label=_("Vertskommunens medlemskap fra"), widget=date_input(),
                          help_text=_("Første dag distriktet betjener vertskommunen."))
    tidsbolk = forms.ChoiceField(label=_("Vertskommunens tidsbånd"), choices=Tidsbolk.choices, initial=Tidsbolk.DOGN,
                                 help_text=_("En kommune kan ha ett distrikt per tidsbånd, for eksempel egen legevakt på "
                                             "dagtid og interkommunal legevakt på kveld, natt og helg."))
    medlemmer = forms.CharField(
        label=_("Deltakerkommuner"), required=False,
        help_text=_("Bare for interkommunale distrikter: kommunenumrene, skilt med komma eller mellomrom (for eksempel "
                    "1825, 1826). De får samme periode og tidsbånd; flere kan legges til senere."),
    )
    merknad = forms.CharField(label=_label(Legevaktdistrikt, "merknad"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def clean_medlemmer(self) -> list[str]:
        return [part for part in re.split(r"[\s,;]+", self.cleaned_data.get("medlemmer") or "") if part]


class EndreDistriktForm(forms.Form):
    navn = forms.CharField(label=_label(Legevaktdistrikt, "navn"), max_length=200)
    type = forms.ChoiceField(label=_label(Legevaktdistrikt, "type"), choices=Distriktstype.choices)
    merknad = forms.CharField(label=_label(Legevaktdistrikt, "merknad"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    aktiv = forms.BooleanField(label=_label(Legevaktdistrikt, "aktiv"), required=False)
    versjon = forms.IntegerField(widget=forms.HiddenInput)


class MedlemskapForm(forms.Form):
    medlem = forms.ChoiceField(label=_("Kommune"), choices=(),
                               help_text=_("Hvilken som helst kommune i Norge; den trenger ikke bruke denne løsningen."))
    tidsbolk = forms.ChoiceField(label=_label(Medlemskap, "tidsbolk"), choices=Tidsbolk.choices, initial=Tidsbolk.DOGN)
    fra = forms.DateField(label=_label(Medlemskap, "fra"), widget=date_input())
    til = forms.DateField(label=_label(Medlemskap, "til"), widget=date_input(), required=False, help_text=TIL_HJELP)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["medlem"].choices = kommune_choices()


class EndreMedlemskapForm(forms.Form):
    tidsbolk = forms.ChoiceField(label=_label(Medlemskap, "tidsbolk"), choices=Tidsbolk.choices)
    fra = forms.DateField(label=_label(Medlemskap, "fra"), widget=date_input())
    til = forms.DateField(label=_label(Medlemskap, "til"), widget=date_input(), required=False,
                          help_text=_("Første dag kommunen ikke lenger betjenes av distriktet. Tomt: inntil videre."))
    versjon = forms.IntegerField(widget=forms.HiddenInput)


class StasjonForm(forms.Form):
    navn = forms.CharField(label=_label(Stasjon, "navn"), max_length=200)
    adresse = forms.CharField(label=_label(Stasjon, "adresse"), max_length=300)
    postnummer = forms.CharField(label=_label(Stasjon, "postnummer"), max_length=10, required=False,
                                 help_text=_("Fire siffer."))
    poststed = forms.CharField(label=_label(Stasjon, "poststed"), max_length=100, required=False)
    telefon = forms.CharField(label=_label(Stasjon, "telefon"), max_length=20, required=False)


class EndreStasjonForm(StasjonForm):
    aktiv = forms.BooleanField(label=_label(Stasjon, "aktiv"), required=False)
    versjon = forms.IntegerField(widget=forms.HiddenInput)


class VaktavtaleForm(forms.Form):
    lege = LegeChoiceField(label=_("Lege"), queryset=Lege.objects.none(),
                           help_text=_("En lege registrert i vertskommunen som ikke er fastlege i distriktets kommuner "
                                       "(fastlegene deltar etter plikten i fastlegeforskriften § 33)."))
    fra = forms.DateField(label=_label(Vaktavtale, "fra"), widget=date_input())
    til = forms.DateField(label=_label(Vaktavtale, "til"), widget=date_input(), required=False, help_text=TIL_HJELP)
    merknad = forms.CharField(label=_label(Vaktavtale, "merknad"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lege"].queryset = lege_list()


class EndreVaktavtaleForm(forms.Form):
    fra = forms.DateField(label=_label(Vaktavtale, "fra"), widget=date_input())
    til = forms.DateField(label=_label(Vaktavtale, "til"), widget=date_input(), required=False, help_text=TIL_HJELP)
    merknad = forms.CharField(label=_label(Vaktavtale, "merknad"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    versjon = forms.IntegerField(widget=forms.HiddenInput)


class DatoForm(forms.Form):
    dato = forms.DateField(label=_("Vis per dato"), widget=date_input(), required=False)


class KobleBrukerForm(forms.Form):
    # Any id parses; the service refuses a user without the role «lege» in the kommune, with its message.
    bruker = forms.IntegerField(label=_("Brukerkonto"), required=False, widget=forms.Select,
                                help_text=_("Brukere med rollen «lege» i kommunen. Tomt: fjern koblingen."))
    versjon = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, brukere=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bruker"].widget.choices = [("", _("Ingen (fjern koblingen)")),
                                         *((b.pk, f"{b.navn} ({b.email})" if b.navn else b.email) for b in brukere)]
