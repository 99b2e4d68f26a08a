"""Forms for the register pages. They parse input only; the rules are applied by lister.services,
whose ValidationError goes onto the form with `add_service_error`, so the pages refuse the same
input with the same message as the API. Fields therefore carry no range checks of their own."""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from kommune.lege_forms import add_service_error, date_input  # noqa: F401 (re-exported for the views)
from kommune.models import Lege
from kommune.selectors import lege_list
from lister.listetall_import import MAKS_FILSTORRELSE, size_message
from lister.models import Legekontor, Legeperiode, Pasientliste, Ukedag
from lister.selectors import Status, legekontor_list

STATUS_TEKST = {
    Status.APEN: _("Åpen"),
    Status.LUKKET: _("Lukket"),
    Status.LAST: _("Låst"),
    Status.OPPHORT: _("Opphørt"),
}


def _label(model, field: str):
    return model._meta.get_field(field).verbose_name


def _help(model, field: str):
    return model._meta.get_field(field).help_text


class KommunenummerListeField(forms.CharField):
    """Kommunenummer separated by commas or spaces; the service checks them against the register."""

    def to_python(self, value):
        value = super().to_python(value)
        return [part for part in value.replace(",", " ").split() if part]

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list | tuple) else value


# --- the register's filter -------------------------------------------------------------------------

HAR_FASTLEGE_CHOICES = [("", _("Alle")), ("true", _("Med fastlege")), ("false", _("Uten fastlege"))]


class PasientlisteFilterForm(forms.Form):
    """The register's filter and search (GET). Invalid values are ignored and shown as errors."""

    sok = forms.CharField(
        label=_("Søk"), max_length=100, required=False, widget=forms.TextInput(attrs={"type": "search"}),
        help_text=_("Navn på lege, legekontor eller liste."),
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Alle")), *STATUS_TEKST.items()])
    legekontor = forms.TypedChoiceField(label=_("Legekontor"), required=False, coerce=int, empty_value=None)
    har_fastlege = forms.ChoiceField(label=_("Fastlege"), required=False, choices=HAR_FASTLEGE_CHOICES)

    def __init__(self, *args, kontor=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["legekontor"].choices = [("", _("Alle")), *((k.pk, k.navn) for k in kontor)]


# --- offices ---------------------------------------------------------------------------------------


class LegekontorForm(forms.Form):
    navn = forms.CharField(label=_label(Legekontor, "navn"), max_length=150)
    organisasjonsnummer = forms.CharField(
        label=_label(Legekontor, "organisasjonsnummer"), max_length=20,
        help_text=_("Ni siffer fra Enhetsregisteret."),
    )
    adresse = forms.CharField(label=_label(Legekontor, "adresse"), max_length=200)
    postnummer = forms.CharField(label=_label(Legekontor, "postnummer"), max_length=10)
    poststed = forms.CharField(label=_label(Legekontor, "poststed"), max_length=100)
    telefon = forms.CharField(label=_label(Legekontor, "telefon"), max_length=20, required=False)

    def clean_organisasjonsnummer(self):
        return self.cleaned_data["organisasjonsnummer"].replace(" ", "")  # «974 760 673» as written on letters


class EndreLegekontorForm(LegekontorForm):
    versjon = forms.IntegerField(widget=forms.HiddenInput)


# --- lists -----------------------------------------------------------------------------------------


class LegekontorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.navn


class PasientlisteForm(forms.Form):
    legekontor = LegekontorChoiceField(label=_label(Pasientliste, "legekontor"), queryset=Legekontor.objects.none())
    navn = forms.CharField(label=_label(Pasientliste, "navn"), max_length=150, required=False, help_text=_help(Pasientliste, "navn"))
    flo_id = forms.CharField(label=_("Nummer i Fastlegeregisteret (FLO)"), max_length=40, required=False,
                             help_text=_help(Pasientliste, "flo_id"))
    # No min/max here: the service applies fastlegeforskriften § 10 and names it.
    listetak = forms.IntegerField(label=_label(Pasientliste, "listetak"), help_text=_("Mellom 1 og 2 500 (fastlegeforskriften § 10)."))
    er_fellesliste = forms.BooleanField(label=_label(Pasientliste, "er_fellesliste"), required=False, help_text=_help(Pasientliste, "er_fellesliste"))
    manuelt_last = forms.BooleanField(label=_label(Pasientliste, "manuelt_last"), required=False, help_text=_help(Pasientliste, "manuelt_last"))
    samarbeidskommuner = KommunenummerListeField(
        label=_label(Pasientliste, "samarbeidskommuner"), required=False, max_length=500,
        help_text=_("Kommunenummer skilt med komma, for eksempel 4602, 4624."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["legekontor"].queryset = legekontor_list()

    def service_arguments(self) -> dict:
        return {name: self.cleaned_data[name] for name in
                ("legekontor", "navn", "flo_id", "listetak", "er_fellesliste", "manuelt_last", "samarbeidskommuner")}


class NyPasientlisteForm(PasientlisteForm):
    gyldig_fra = forms.DateField(label=_label(Pasientliste, "gyldig_fra"), widget=date_input())


class EndrePasientlisteForm(PasientlisteForm):
    versjon = forms.IntegerField(widget=forms.HiddenInput)


class ListetallForm(forms.Form):
    dato = forms.DateField(label=_("Dato"), widget=date_input(), help_text=_("Datoen tallet gjelder, for eksempel den 1. i måneden."))
    listelengde = forms.IntegerField(label=_("Listelengde"), help_text=_("Antall personer på listen."))
    venteliste = forms.IntegerField(label=_("Venteliste"), initial=0, required=False)

    def clean_venteliste(self):
        return self.cleaned_data["venteliste"] or 0


class LegeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.etternavn}, {obj.fornavn} (HPR {obj.hpr_nummer})"


class VikarperiodeForm(forms.Form):
    """A vikar period on a list. The reason field is shown when the service refuses an engagement
    above 100 % without one (the view makes it visible)."""

    lege = LegeChoiceField(label=_("Vikar"), queryset=Lege.objects.none())
    vikar_for = LegeChoiceField(
        label=_label(Legeperiode, "vikar_for"), queryset=Lege.objects.none(), required=False,
        help_text=_("Legen vikaren erstatter, om det er en."),
    )
    stillingsprosent = forms.IntegerField(label=_label(Legeperiode, "stillingsprosent"), initial=100, help_text=_("1–100."))
    arbeidsdager = forms.TypedMultipleChoiceField(
        label=_label(Legeperiode, "arbeidsdager"), choices=Ukedag.choices, coerce=int, required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    fra = forms.DateField(label=_("Fra"), widget=date_input(), help_text=_("Første dag vikaren arbeider på listen."))
    til = forms.DateField(
        label=_("Opphører"), widget=date_input(), required=False,
        help_text=_("Første dag perioden ikke gjelder. Tomt: inntil videre."),
    )
    begrunnelse_over_100 = forms.CharField(
        label=_("Begrunnelse for over 100 %"), required=False, widget=forms.HiddenInput, max_length=2000,
        help_text=_help(Legeperiode, "begrunnelse_over_100"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lege"].queryset = lege_list()
        self.fields["vikar_for"].queryset = lege_list()
        if self.data.get("begrunnelse_over_100"):
            self.show_reason()

    def show_reason(self) -> None:
        self.fields["begrunnelse_over_100"].widget = forms.Textarea(attrs={"rows": 3})

    def service_arguments(self) -> dict:
        return {name: self.cleaned_data[name] for name in
                ("lege", "vikar_for", "stillingsprosent", "arbeidsdager", "fra", "til", "begrunnelse_over_100")}


class KontortidForm(forms.Form):
    """A period's office hours (used by legevakt's rest check, SFS 2305 § 7.4)."""

    kontortid_start = forms.TimeField(label=_label(Legeperiode, "kontortid_start"),
                                      widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                                      help_text=_help(Legeperiode, "kontortid_start"))
    kontortid_slutt = forms.TimeField(label=_label(Legeperiode, "kontortid_slutt"),
                                      widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))


class ListetallImportForm(forms.Form):
    """The upload: a CSV or XLSX file. The file's type, size, personal data and columns are checked
    by lister.services.start_listetall_import (the API gives the same messages)."""

    fil = forms.FileField(
        label=_("Fil med listetall (.csv eller .xlsx)"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
        help_text=format_lazy(_("Kolonner: liste (eller flo_id), dato, listelengde, venteliste. Høyst {} MB."),
                              MAKS_FILSTORRELSE // (1024 * 1024)),
    )

    def __init__(self, *args, too_large: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_large = too_large

    def clean_fil(self):
        fil = self.cleaned_data.get("fil")
        if self.too_large:
            raise forms.ValidationError(size_message(), code="for_stor")
        if not fil:
            raise forms.ValidationError(_("Velg en fil å importere."), code="required")
        return fil
