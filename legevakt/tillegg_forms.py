"""Forms for a shift's supplements (Vakttillegg). They parse input only; the rules (which field goes
with which art, 1–1440 minutes, hours at most the shift's length) are legevakt.tillegg_services' so
the pages refuse the same input with the same message as the API."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from legevakt.models import Tilleggsart, Vakttillegg

MERKNAD_HJELP = _("Praktiske opplysninger, for eksempel hvor legen reiste. Ikke skriv helseopplysninger her.")
ART_HJELP = _("Reise: SFS 2305 § 9.4 betaler reisetid per påbegynte halvtime ut over 30 minutter hver vei. Arbeid i "
              "legevaktsentral: § 8.2 betaler et tillegg per time.")
MINUTTER_HJELP = _("Bare for en reise: reisetiden hver vei i hele minutter (1–1440).")
TIMER_HJELP = _("Bare for arbeid i legevaktsentralen: timer (for eksempel 2,5), høyst vaktens lengde.")


def _label(name: str):
    return Vakttillegg._meta.get_field(name).verbose_name


class TilleggForm(forms.Form):
    art = forms.ChoiceField(label=_label("art"), choices=Tilleggsart.choices, widget=forms.RadioSelect,
                            initial=Tilleggsart.REISE, help_text=ART_HJELP)
    minutter_hver_vei = forms.IntegerField(label=_label("minutter_hver_vei"), required=False, help_text=MINUTTER_HJELP,
                                           widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    timer = forms.DecimalField(label=_label("timer"), required=False, max_digits=5, decimal_places=2, help_text=TIMER_HJELP,
                               localize=True, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    merknad = forms.CharField(label=_label("merknad"), required=False, max_length=300, help_text=MERKNAD_HJELP)

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {"art": data["art"], "minutter_hver_vei": data.get("minutter_hver_vei"), "timer": data.get("timer"),
                "merknad": data.get("merknad") or ""}


class TilleggSlettForm(forms.Form):
    versjon = forms.IntegerField(widget=forms.HiddenInput)
