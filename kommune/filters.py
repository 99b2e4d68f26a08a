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
