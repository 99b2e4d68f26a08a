from django import forms
from django.utils.translation import gettext_lazy as _

from kommune.models import API_SCOPES, API_TOKEN_MAX_DAYS, Kommune, Rolle


class KommuneSettingsForm(forms.ModelForm):
    """The kommune's own settings. `versjon` carries the version the user saw (optimistic concurrency)."""

    versjon = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Kommune
        fields = ["sentralitetsklasse", "avtaleregime", "malform"]
        widgets = {"sentralitetsklasse": forms.Select(choices=[("", _("Ikke satt"))] + [(i, str(i)) for i in range(1, 7)])}


class GrantRoleForm(forms.Form):
    email = forms.EmailField(label=_("E-postadresse"), max_length=254)
    navn = forms.CharField(label=_("Navn"), max_length=200, required=False, help_text=_("Brukes når brukeren er ny."))
    rolle = forms.ChoiceField(label=_("Rolle"), choices=Rolle.Navn.choices)


class IssueTokenForm(forms.Form):
    navn = forms.CharField(label=_("Klientens navn"), max_length=100, help_text=_("For eksempel «Lønnssystemet»."))
    scopes = forms.MultipleChoiceField(label=_("Tilganger"), choices=API_SCOPES, widget=forms.CheckboxSelectMultiple)
    utloper_dager = forms.IntegerField(
        label=_("Gyldig i antall dager"), min_value=1, max_value=API_TOKEN_MAX_DAYS, initial=365, required=False,
        help_text=_("Tomt felt: tokenet utløper ikke (ikke anbefalt)."),
    )
