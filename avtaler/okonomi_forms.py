"""Forms for the 8.2-avtale pages. They parse input only; the rules (the 8.2 model, the period,
amounts in kroner with øre, the payment's direction) are avtaler.okonomi_services', whose refusals
the views put on the field they concern. Amounts are parsed without limits here for that reason."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from avtaler import selectors
from avtaler.forms import VersionedForm, date_field, text_area
from avtaler.models import Betalingskategori, Betalingsretning, Kommuneytelse


class FastlegeavtaleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.lege.navn} – {obj.pasientliste} ({obj.get_okonomisk_modell_display()})"


class KronerField(forms.DecimalField):
    """Kroner as people write them: «12 500,50» or «12500.50» (spaces between thousands allowed)."""

    def to_python(self, value):
        if isinstance(value, str):
            value = "".join(value.split())  # also no-break and narrow no-break spaces
        return super().to_python(value)


def amount_field(label, *, required: bool = False, help_text="") -> forms.DecimalField:
    return KronerField(label=label, required=required, help_text=help_text, localize=True,
                       widget=forms.TextInput(attrs={"inputmode": "decimal"}))


class OkonomiavtaleForm(forms.Form):
    """A new 8.2-avtale (create_okonomiavtale)."""

    fastlegeavtale = FastlegeavtaleChoiceField(label=_("Fastlegeavtale"), queryset=None, help_text=_(
        "En næringsdrivende fastlegeavtale med økonomisk modell «8.2-avtale»."))
    ytelser = forms.MultipleChoiceField(label=_("Kommunen stiller med"), choices=Kommuneytelse.choices, required=False,
                                        widget=forms.CheckboxSelectMultiple)
    beskrivelse = text_area(_("Hva kommunen stiller med"), help_text=_("Utdyp eller beskriv annen støtte."))
    kommunen_mottar = text_area(_("Hva kommunen mottar"), help_text=_("For eksempel en andel av basistilskuddet eller refusjonene."))
    inntektsgaranti_per_ar = amount_field(_("Inntektsgaranti per år (kr)"), help_text=_("Bare når kommunen gir inntektsgaranti."))
    driftstilskudd_per_ar = amount_field(_("Driftstilskudd per år (kr)"), help_text=_("Bare når kommunen gir driftstilskudd."))
    startdato = date_field(_("Startdato"))
    sluttdato = date_field(_("Opphører"), required=False, help_text=_(
        "Første dag avtalen ikke gjelder. Tom: så lenge fastlegeavtalen løper."))
    signert = date_field(_("Signert"), required=False)
    avslutning = text_area(_("Hvordan avtalen avsluttes"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "fastlegeavtale" in self.fields:
            self.fields["fastlegeavtale"].queryset = selectors.avtale_list()


class OkonomiavtaleEndreForm(VersionedForm, OkonomiavtaleForm):
    """Changing an 8.2-avtale (update_okonomiavtale): everything but the fastlegeavtale."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["fastlegeavtale"]


class AvsluttForm(VersionedForm):
    sluttdato = date_field(_("Opphører"), initial=timezone.localdate, help_text=_("Første dag avtalen ikke gjelder."))
    avslutning = text_area(_("Hvordan avtalen ble avsluttet"))


class BetalingForm(forms.Form):
    """One payment in the ledger (record_betaling)."""

    dato = date_field(_("Betalingsdato"), initial=timezone.localdate)
    retning = forms.ChoiceField(label=_("Retning"), choices=Betalingsretning.choices)
    kategori = forms.ChoiceField(label=_("Kategori"), choices=Betalingskategori.choices, help_text=_(
        "Alt kommunen betaler legen, unntatt basistilskudd, regnes med i treårssummen ved salg av praksis."))
    belop = amount_field(_("Beløp (kr)"), required=True, help_text=_("Positivt, med høyst to desimaler; retningen sier hvem som betaler."))
    referanse = forms.CharField(label=_("Bilag eller referanse"), max_length=100, required=False)
    beskrivelse = forms.CharField(label=_("Beskrivelse"), max_length=300, required=False)


class BetalingEndreForm(VersionedForm, BetalingForm):
    """Correcting a payment (update_betaling); the history keeps the old values."""


class PerForm(forms.Form):
    """«Vis sum per dato»: the look-back as of a date (GET `per`)."""

    per = date_field(_("Vis sum per dato"), required=False, help_text=_(
        "Summen gjelder de tre årene før datoen (datoen selv er ikke med). Tom: i dag."))
