"""The doctor list's FilterSet (API; a doctor list page can use the same one)."""

from __future__ import annotations

import django_filters
from django.db.models import CharField, Q, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _

from kommune.filters import LocalIsoDateTimeFilter
from kommune.models import Lege


class LegeFilter(django_filters.FilterSet):
    sok = django_filters.CharFilter(method="search", label=_("Søk (navn, HPR-nummer, ansattnummer)"))
    hpr_nummer = django_filters.CharFilter(label=_("HPR-nummer"))
    endret_etter = LocalIsoDateTimeFilter(field_name="endret", lookup_expr="gt", label=_("Endret etter (ISO 8601)"))

    class Meta:
        model = Lege
        fields = ["sok", "hpr_nummer", "endret_etter"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.annotate(
            sok_navn=Concat("fornavn", Value(" "), "etternavn", output_field=CharField())
        ).filter(Q(sok_navn__icontains=value) | Q(hpr_nummer=value) | Q(ansattnummer=value))
