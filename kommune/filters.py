"""One FilterSet for the kommune list page and the kommune list API."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from core.timefields import LocalIsoDateTimeFormField
from kommune.models import Kommune


class LocalIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = LocalIsoDateTimeFormField


class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class StrictBooleanField(forms.NullBooleanField):
    """true/false (also the select widget's «unknown» = no filter); anything else is an error (400),
    not silently ignored."""

    TRUE = frozenset({"true", "1", "2", "on", "ja"})
    FALSE = frozenset({"false", "0", "3", "off", "nei"})

    def to_python(self, value):
        if value in (None, "", "unknown") or isinstance(value, bool):
            return value if isinstance(value, bool) else None
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise forms.ValidationError(_("Skriv true eller false."), code="ugyldig_boolsk")

    def validate(self, value):
        pass


class RawNullBooleanSelect(forms.NullBooleanSelect):
    """The select for yes/no/all, passing the submitted text on unchanged (the field decides)."""

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", RawNullBooleanSelect)
        super().__init__(*args, **kwargs)


class KommuneFilter(django_filters.FilterSet):
    sok = django_filters.CharFilter(field_name="navn", lookup_expr="icontains", label=_("Navn inneholder"))
    fylkesnummer = django_filters.CharFilter(label=_("Fylkesnummer"))
    malform = django_filters.ChoiceFilter(choices=Kommune.Malform.choices, empty_label=_("Alle"), label=_("Målform"))
    sentralitetsklasse = django_filters.ChoiceFilter(
        choices=[(str(klasse), str(klasse)) for klasse in range(1, 7)], empty_label=_("Alle"),
        label=_("Sentralitetsklasse"),
    )
    avtaleregime = django_filters.ChoiceFilter(
        choices=Kommune.Avtaleregime.choices, empty_label=_("Alle"), label=_("Avtaleregime")
    )
    innbyggere_under = IntegerFilter(
        field_name="innbyggere", lookup_expr="lt", min_value=0, label=_("Færre innbyggere enn")
    )
    endret_etter = LocalIsoDateTimeFilter(
        field_name="endret", lookup_expr="gt", label=_("Endret etter (ISO 8601)")
    )

    class Meta:
        model = Kommune
        fields = ["sok", "fylkesnummer", "malform", "sentralitetsklasse", "avtaleregime", "innbyggere_under", "endret_etter"]
