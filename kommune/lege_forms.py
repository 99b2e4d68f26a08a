"""Forms for the doctor pages. They parse input only: the rules (HPR number, names, dates) are
applied by kommune.services, whose ValidationError is put on the form with `add_service_error`,
so a page refuses the same input with the same message as the API."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from kommune.models import Lege, LegeKommune

KOMPETANSE_FIELDS = (
    "spesialist_allmennmedisin_fra", "under_spesialisering_fra", "godkjent_allmennlege_fra", "lis1_fullfort",
    "turnus_godkjent", "kurs_akuttmedisin", "kurs_vold_overgrep",
)
DATE_FORMAT = "%Y-%m-%d"


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format=DATE_FORMAT)


def add_service_error(form: forms.Form, exc: ValidationError, fields: dict[str, str] | None = None) -> None:
    """Put a service's ValidationError on the form: each message on the field the service named
    (renamed by `fields` where the form calls it something else), messages about fields the form
    does not show as general errors. Never raises for an unknown field (Form.add_error would)."""
    fields = fields or {}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        target = fields.get(name, name)
        if target != NON_FIELD_ERRORS and target in form.fields and not form.fields[target].widget.is_hidden:
            form.add_error(target, errors)
        else:
            form.add_error(None, errors)


def _label(field: str):
    return Lege._meta.get_field(field).verbose_name


class LegeForm(forms.Form):
    """A doctor's national record and competence, and the kommune's employee number."""

    fornavn = forms.CharField(label=_label("fornavn"), max_length=200)
    etternavn = forms.CharField(label=_label("etternavn"), max_length=200)
    fodselsdato = forms.DateField(label=_label("fodselsdato"), widget=date_input())
    ansattnummer = forms.CharField(
        label=LegeKommune._meta.get_field("ansattnummer").verbose_name, max_length=30, required=False,
        help_text=_("Kommunens eget nummer for legen (valgfritt)."),
    )
    spesialist_allmennmedisin_fra = forms.DateField(label=_label("spesialist_allmennmedisin_fra"), required=False, widget=date_input())
    under_spesialisering_fra = forms.DateField(label=_label("under_spesialisering_fra"), required=False, widget=date_input())
    godkjent_allmennlege_fra = forms.DateField(label=_label("godkjent_allmennlege_fra"), required=False, widget=date_input())
    lis1_fullfort = forms.DateField(label=_label("lis1_fullfort"), required=False, widget=date_input())
    turnus_godkjent = forms.DateField(label=_label("turnus_godkjent"), required=False, widget=date_input())
    kurs_akuttmedisin = forms.DateField(label=_label("kurs_akuttmedisin"), required=False, widget=date_input())
    kurs_vold_overgrep = forms.DateField(label=_label("kurs_vold_overgrep"), required=False, widget=date_input())
    hjemmel_1_mars_2017 = forms.BooleanField(
        label=_label("hjemmel_1_mars_2017"), required=False, help_text=Lege._meta.get_field("hjemmel_1_mars_2017").help_text,
    )

    def record_changes(self) -> dict:
        """The national record's fields, as update_lege / register_lege take them."""
        return {name: self.cleaned_data[name] for name in ("fornavn", "etternavn", "fodselsdato", *KOMPETANSE_FIELDS,
                                                            "hjemmel_1_mars_2017")}


class RegisterLegeForm(LegeForm):
    # No format check here: the service applies the HPR rule, with its message.
    hpr_nummer = forms.CharField(
        label=_label("hpr_nummer"), max_length=50,
        help_text=_("Legens nummer i Helsepersonellregisteret (7–9 siffer)."),
    )

    field_order = ["hpr_nummer", "fornavn", "etternavn", "fodselsdato", "ansattnummer"]


class EndreLegeForm(LegeForm):
    """`versjon` carries the version the user saw (optimistic concurrency)."""

    versjon = forms.IntegerField(widget=forms.HiddenInput)


class LegeSokForm(forms.Form):
    sok = forms.CharField(
        label=_("Søk etter navn eller HPR-nummer"), max_length=100, required=False,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
