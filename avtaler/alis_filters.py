"""The FilterSets of the ALIS lists, shared by the pages and the API (django-filter).

An empty value means "no filter". The doctor is looked up in the kommune in scope, so another
kommune's id is refused like one that does not exist.
"""

from __future__ import annotations

import django_filters
from django.db.models import CharField, Q, Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from avtaler import alis_selectors
from avtaler.alis_selectors import STATUS_TEKST, AlisStatus
from avtaler.models import Alisavtale, AlisElementtype, AlisRelasjon, AlisSats, Tilskuddsstatus
from kommune.filters import LocalIsoDateTimeFilter
from kommune.models import Lege

ALISSTATUS_CHOICES = [(value, STATUS_TEKST[value]) for value in (AlisStatus.AKTIV, AlisStatus.KOMMENDE, AlisStatus.OPPHORT)]


def _leger(request):
    return Lege.objects.order_by("etternavn", "fornavn")


class AlisavtaleFilter(django_filters.FilterSet):
    """Over `alis_selectors.alisavtale_list()`. `status` is the derived one (the end that applies
    includes the five-year limit, which SQL does not know): the avtaler are read once more to
    decide it, a constant number of queries whatever the number of rows."""

    sok = django_filters.CharFilter(method="search", label=_("Søk (lege, HPR-nummer, arbeidssted)"))
    status = django_filters.ChoiceFilter(choices=ALISSTATUS_CHOICES, method="filter_status", empty_label=_("Alle"),
                                         label=_("Status"))
    relasjon = django_filters.ChoiceFilter(choices=AlisRelasjon.choices, empty_label=_("Alle"), label=_("Tilknytning"))
    tilskuddsstatus = django_filters.ChoiceFilter(choices=Tilskuddsstatus.choices, empty_label=_("Alle"), label=_("Tilskudd"))
    lege = django_filters.ModelChoiceFilter(queryset=_leger, empty_label=_("Alle"), label=_("Lege"))
    endret_etter = LocalIsoDateTimeFilter(field_name="endret", lookup_expr="gt", label=_("Endret etter (ISO 8601)"))

    class Meta:
        model = Alisavtale
        fields = ["sok", "status", "relasjon", "tilskuddsstatus", "lege", "endret_etter"]

    def search(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.annotate(
                sok_navn=Concat("lege__fornavn", Value(" "), "lege__etternavn", output_field=CharField())
            ).filter(Q(sok_navn__icontains=word) | Q(lege__hpr_nummer=word) | Q(arbeidssted__icontains=word))
        return queryset

    def filter_status(self, queryset, name, value):
        today = timezone.localdate()
        ids = [avtale.pk for avtale in queryset if alis_selectors.status(avtale, on=today) == value]
        return queryset.filter(pk__in=ids)


class AlisSatsFilter(django_filters.FilterSet):
    element = django_filters.ChoiceFilter(choices=AlisElementtype.choices, empty_label=_("Alle"), label=_("Element"))
    relasjon = django_filters.ChoiceFilter(
        choices=[("alle", _("Alle tilknytninger (generell sats)")), *AlisRelasjon.choices], method="filter_relasjon",
        empty_label=_("Alle"), label=_("Gjelder tilknytning"),
    )
    endret_etter = LocalIsoDateTimeFilter(field_name="endret", lookup_expr="gt", label=_("Endret etter (ISO 8601)"))

    class Meta:
        model = AlisSats
        fields = ["element", "relasjon", "endret_etter"]

    def filter_relasjon(self, queryset, name, value):
        return queryset.filter(relasjon="" if value == "alle" else value)
