"""Forms for the introduksjonsavtale pages. They parse input only; the rules are
avtaler.introduksjon_services', whose refusals the views put on the field they concern."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from avtaler import selectors
from avtaler.forms import LegeChoiceField, VersionedForm, date_field, text_area
from avtaler.models import Introduksjonsform
from kommune import selectors as kommune_selectors
from lister import selectors as lister_selectors


class FastlegeChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj) -> str:
        return f"{obj.lege.navn} – {obj.pasientliste} ({obj.pasientliste.legekontor.navn})"


class KontorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.navn} ({obj.postnummer} {obj.poststed})"


def _fastlegeavtaler_field() -> FastlegeChoiceField:
    return FastlegeChoiceField(
        label=_("Deltakende fastleger"), queryset=None, required=False,
        help_text=_("Signerte fastlegeavtaler på lister ved legekontoret, som løper i avtaleperioden. Introduksjonslegen "
                    "arbeider ved siden av disse fastlegene og konsulterer på deres lister."),
    )


class IntroduksjonsavtaleForm(forms.Form):
    """A new introduksjonsavtale (create_introduksjonsavtale)."""

    lege = LegeChoiceField(label=_("Introduksjonslege"), queryset=None, help_text=_(
        "Lege under spesialisering i allmennmedisin, registrert i kommunen."))
    legekontor = KontorChoiceField(label=_("Legekontor"), queryset=None)
    godkjenning_referanse = forms.CharField(label=_("Helsedirektoratets godkjenning (referanse)"), max_length=100, help_text=_(
        "Saksnummer eller referanse i Helsedirektoratets tildeling."))
    godkjent_dato = date_field(_("Godkjent av Helsedirektoratet"), required=False, help_text=_(
        "Godkjenningen må foreligge før avtalen begynner."))
    tilknytning = forms.ChoiceField(label=_("Introduksjonslegen er"), choices=Introduksjonsform.choices)
    kostnadsfordeling = text_area(_("Kostnadsfordeling"), required=True, help_text=_(
        "Hvordan kostnadene deles mellom kommunen, fastlegene og introduksjonslegen."))
    startdato = date_field(_("Startdato"))
    sluttdato = date_field(_("Opphører"), required=False, help_text=_(
        "Første dag avtalen ikke gjelder. Tom: standard lengde fra startdatoen."))
    signert = date_field(_("Signert"), required=False)
    fastlegeavtaler = _fastlegeavtaler_field()

    field_order = ["lege", "legekontor", "godkjenning_referanse", "godkjent_dato", "tilknytning", "kostnadsfordeling",
                   "startdato", "sluttdato", "signert", "fastlegeavtaler"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "lege" in self.fields:
            self.fields["lege"].queryset = kommune_selectors.lege_list()
        self.fields["legekontor"].queryset = lister_selectors.legekontor_list()
        self.fields["fastlegeavtaler"].queryset = selectors.avtale_list().filter(signert__isnull=False)


class IntroduksjonsavtaleEndreForm(VersionedForm, IntroduksjonsavtaleForm):
    """Changing an avtale (update_introduksjonsavtale): everything but the doctor."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["lege"]
        self.fields["sluttdato"].required = True
        self.fields["sluttdato"].help_text = _("Første dag avtalen ikke gjelder.")


class AvsluttForm(VersionedForm):
    sluttdato = date_field(_("Opphører"), initial=timezone.localdate, help_text=_(
        "Første dag avtalen ikke gjelder; ikke senere enn den avtalte sluttdatoen."))
