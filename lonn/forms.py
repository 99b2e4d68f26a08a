"""Forms for the wage-type mapping page (lonn.lonnsart_views). They parse input only: the rules (no
overlap, no gap, the rate's date inside the row's period, rates ≥ 0 with at most four decimals) are
lonn.lonnsarter's, whose ValidationError lands on the field it names (kommune.lege_forms.add_service_error)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kommune.lege_forms import date_input
from legevakt.models import Dagkategori, Vakttype
from lonn.models import Lonnsartregel, Lonnskategori, Tid


def _label(name: str):
    return Lonnsartregel._meta.get_field(name).verbose_name


ALLE = _("Alle")
VAKTKLASSE_CHOICES = [("", ALLE), *((str(k), str(k)) for k in range(1, 5))]


def _sats_field(**kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        label=_label("sats"), localize=True, widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=_("Kroner per enhet (time, påbegynte halvtime eller dag, etter kategorien), høyst fire desimaler, "
                    "for eksempel 348,375."), **kwargs)


class DatoForm(forms.Form):
    """The page's date (GET): which rows are in force."""

    dato = forms.DateField(label=_("Vis regler som gjelder"), required=False, widget=date_input())


class RegelForm(forms.Form):
    kategori = forms.ChoiceField(label=_label("kategori"), choices=Lonnskategori.choices)
    vakttype = forms.ChoiceField(label=_label("vakttype"), choices=[("", ALLE), *Vakttype.choices], required=False,
                                 help_text=_("Bare for legevakt. Tom: alle vakttyper."))
    vaktklasse = forms.TypedChoiceField(label=_label("vaktklasse"), choices=VAKTKLASSE_CHOICES, required=False,
                                        coerce=int, empty_value=None,
                                        help_text=_("Bare for legevakt (SFS 2305 § 8.3). Tom: alle vaktklasser."))
    dagkategori = forms.ChoiceField(label=_label("dagkategori"), choices=[("", ALLE), *Dagkategori.choices],
                                    required=False, help_text=_("Bare for legevakt. Tom: alle dager."))
    tid = forms.ChoiceField(label=_label("tid"), choices=[("", ALLE), *Tid.choices], required=False,
                            help_text=_("Bare for legevakt: natt er kl. 21–06. Tom: hele døgnet."))
    gyldig_fra = forms.DateField(label=_label("gyldig_fra"), widget=date_input())
    gyldig_til = forms.DateField(label=_label("gyldig_til"), required=False, widget=date_input(),
                                 help_text=_("Tom: gjelder inntil videre."))
    lonnsart = forms.CharField(label=_label("lonnsart"), max_length=20,
                               help_text=_("Koden for lønnsarten i kommunens lønnssystem."))
    sats = _sats_field()
    kostnadssted = forms.CharField(label=_label("kostnadssted"), max_length=30, required=False)
    kilde = forms.CharField(label=_label("kilde"), max_length=300, required=False,
                            help_text=_("Hvor satsen kommer fra, for eksempel avtale, vedtak eller tariff."))

    def service_arguments(self) -> dict:
        return dict(self.cleaned_data)


class EndreSatsForm(forms.Form):
    handling = forms.CharField(widget=forms.HiddenInput, initial="endre")
    versjon = forms.IntegerField(widget=forms.HiddenInput)
    fra = forms.DateField(label=_("Ny sats gjelder fra"), widget=date_input(),
                          help_text=_("Den gjeldende regelen avsluttes dagen før."))
    sats = _sats_field()
    lonnsart = forms.CharField(label=_label("lonnsart"), max_length=20, required=False,
                               help_text=_("Tom: samme lønnsart som før."))
    kostnadssted = forms.CharField(label=_label("kostnadssted"), max_length=30, required=False)
    kilde = forms.CharField(label=_label("kilde"), max_length=300, required=False)

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {"fra": data["fra"], "sats": data["sats"], "lonnsart": data.get("lonnsart") or None,
                "kostnadssted": data.get("kostnadssted") or "", "kilde": data.get("kilde") or "",
                "expected_version": data["versjon"]}


class AvsluttForm(forms.Form):
    handling = forms.CharField(widget=forms.HiddenInput, initial="avslutt")
    versjon = forms.IntegerField(widget=forms.HiddenInput)
    gyldig_til = forms.DateField(label=_("Siste dag regelen gjelder"), required=False, widget=date_input(),
                                 help_text=_("Tom: gjelder inntil videre."))


class SlettForm(forms.Form):
    versjon = forms.IntegerField(widget=forms.HiddenInput)
    forleng_forrige = forms.BooleanField(
        label=_("La regelen før gjelde videre for perioden"), required=False,
        help_text=_("Angrer en satsendring: regelen som slutter dagen før, forlenges til denne regelens slutt."))


class EksempelForm(forms.Form):
    fra = forms.DateField(label=_("Eksempelsatsene gjelder fra"), widget=date_input())
