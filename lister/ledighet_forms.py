"""The "Ubesatte lister" page's filter (GET): the date the vacancies are computed for, the office,
and only lists with uncovered days. A malformed date is an error on the field (the page answers 400)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kommune.lege_forms import date_input
from lister import ledighet_selectors


class UbesatteFilterForm(forms.Form):
    dato = forms.DateField(label=_("Per dato"), required=False, widget=date_input(),
                           help_text=_("Ledigheten, dekningen og de udekkede dagene beregnes fra denne datoen (standard i dag)."))
    legekontor = forms.TypedChoiceField(label=_("Legekontor"), required=False, coerce=int, empty_value=None)
    kun_udekket = forms.BooleanField(label=_("Bare lister med udekkede dager"), required=False)

    def clean_dato(self):
        day = self.cleaned_data["dato"]
        if day is not None:
            try:
                ledighet_selectors.check_dag(day)
            except ValidationError as exc:
                raise ValidationError(exc.message_dict["dato"]) from exc
        return day

    def __init__(self, *args, kontor=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["legekontor"].choices = [("", _("Alle")), *((k.pk, k.navn) for k in kontor)]
