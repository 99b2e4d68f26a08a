from django import forms
from django.utils.translation import gettext_lazy as _

from kommune.models import Kommune


class KommuneSettingsForm(forms.ModelForm):
    """The kommune's own settings. `versjon` carries the version the user saw (optimistic concurrency)."""

    versjon = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Kommune
        fields = ["sentralitetsklasse", "avtaleregime", "malform"]
        widgets = {"sentralitetsklasse": forms.Select(choices=[("", _("Ikke satt"))] + [(i, str(i)) for i in range(1, 7)])}
