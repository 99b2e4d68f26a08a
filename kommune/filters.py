"""One FilterSet for the kommune list page and the kommune list API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from core.timefields import LocalIsoDateTimeFormField
from kommune.models import Kommune


class LocalIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = LocalIsoDateTimeFormField


class KommuneFilter(django_filters.FilterSet):
    sok = django_filters.CharFilter(field_name="navn", lookup_expr="icontains", label=_("Navn inneholder"))
    fylkesnummer = django_filters.CharFilter(label=_("Fylkesnummer"))
    malform = django_filters.ChoiceFilter(choices=Kommune.Malform.choices, label=_("Målform"))
    sentralitetsklasse = django_filters.NumberFilter(label=_("Sentralitetsklasse"))
    avtaleregime = django_filters.ChoiceFilter(choices=Kommune.Avtaleregime.choices, label=_("Avtaleregime"))
    innbyggere_under = django_filters.NumberFilter(field_name="innbyggere", lookup_expr="lt", label=_("Færre innbyggere enn"))
    endret_etter = LocalIsoDateTimeFilter(
        field_name="endret", lookup_expr="gt", label=_("Endret etter (ISO 8601)")
    )

    class Meta:
        model = Kommune
        fields = ["sok", "fylkesnummer", "malform", "sentralitetsklasse", "avtaleregime", "innbyggere_under", "endret_etter"]
