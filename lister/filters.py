"""One FilterSet per list, shared by the register pages and the API (django-filter).

An empty value means "no filter". Choice filters over the kommune's own objects (legekontor, lege)
look the object up in the kommune in scope, so another kommune's id is refused like one that does
not exist ("Velg et gyldig valg").
"""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kommune.filters import LocalIsoDateTimeFilter, StrictBooleanFilter
from kommune.models import Lege
from lister import selectors
from lister.models import Legekontor, Legeperiode, Listetall, Pasientliste, Rolle
from lister.selectors import Status

STATUS_CHOICES = [
    (Status.APEN, _("Åpen")),
    (Status.LUKKET, _("Lukket (listelengden har nådd listetaket)")),
    (Status.LAST, _("Låst av kommunen")),
    (Status.OPPHORT, _("Ikke gyldig på datoen")),
]


def _legekontor(request):
    return Legekontor.objects.order_by("navn")


def _leger(request):
    return Lege.objects.order_by("etternavn", "fornavn")


class LegekontorFilter(django_filters.FilterSet):
    sok = django_filters.CharFilter(method="search", label=_("Søk (navn, organisasjonsnummer, poststed)"))
    endret_etter = LocalIsoDateTimeFilter(field_name="endret", lookup_expr="gt", label=_("Endret etter (ISO 8601)"))

    class Meta:
        model = Legekontor
        fields = ["sok", "endret_etter"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(navn__icontains=value) | Q(organisasjonsnummer__contains=value.replace(" ", "")) | Q(poststed__icontains=value)
        )


class PasientlisteFilter(django_filters.FilterSet):
    """Over `lister.selectors.pasientliste_list()`. `dato` computes listelengde, status, fastleger
    and ledige plasser as of that day (default today) before the other filters apply."""

    sok = django_filters.CharFilter(method="search", label=_("Søk (liste, legekontor, lege)"))
    status = django_filters.ChoiceFilter(choices=STATUS_CHOICES, empty_label=_("Alle"), label=_("Status"))
    legekontor = django_filters.ModelChoiceFilter(queryset=_legekontor, empty_label=_("Alle"), label=_("Legekontor"))
    har_fastlege = StrictBooleanFilter(label=_("Har fastlege"))
    er_fellesliste = StrictBooleanFilter(label=_("Fellesliste"))
    har_ledige_plasser = StrictBooleanFilter(method="free_places", label=_("Har ledige plasser"))
    dato = django_filters.DateFilter(method="as_of", label=_("Per dato"))
    endret_etter = LocalIsoDateTimeFilter(field_name="endret", lookup_expr="gt", label=_("Endret etter (ISO 8601)"))

    class Meta:
        model = Pasientliste
        fields = ["sok", "status", "legekontor", "har_fastlege", "er_fellesliste", "har_ledige_plasser", "dato", "endret_etter"]

    def filter_queryset(self, queryset):
        day = self.form.cleaned_data.get("dato")
        if day:
            queryset = selectors.pasientliste_list(on=day)
        return super().filter_queryset(queryset)

    def as_of(self, queryset, name, value):
        return queryset  # applied in filter_queryset, before the other filters

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(navn__icontains=value) | Q(legekontor__navn__icontains=value) | Q(fastleger__icontains=value)
            | Q(vikarer__icontains=value) | Q(flo_id=value.replace(" ", ""))
        )

    def free_places(self, queryset, name, value):
        return queryset.filter(ledige_plasser__gt=0) if value else queryset.filter(ledige_plasser__lte=0)


class LegeperiodeFilter(django_filters.FilterSet):
    rolle = django_filters.ChoiceFilter(choices=Rolle.choices, empty_label=_("Alle"), label=_("Rolle"))
    lege = django_filters.ModelChoiceFilter(queryset=_leger, empty_label=_("Alle"), label=_("Lege"))
    aktiv_dato = django_filters.DateFilter(method="active", label=_("Aktiv på dato"))

    class Meta:
        model = Legeperiode
        fields = ["rolle", "lege", "aktiv_dato"]

    def active(self, queryset, name, value):
        return queryset.filter(selectors.active_on(value))


class ListetallFilter(django_filters.FilterSet):
    fra = django_filters.DateFilter(field_name="dato", lookup_expr="gte", label=_("Fra og med dato"))
    til = django_filters.DateFilter(field_name="dato", lookup_expr="lt", label=_("Før dato"))
    endret_etter = LocalIsoDateTimeFilter(field_name="endret", lookup_expr="gt", label=_("Endret etter (ISO 8601)"))

    class Meta:
        model = Listetall
        fields = ["fra", "til", "endret_etter"]


class ListetallHistorikkFilter(ListetallFilter):
    """The kommune's list-size history (the exports): one list by its number, and a date range
    (`fra` inclusive, `til` exclusive). A list number that is not the kommune's gives no rows."""

    liste = django_filters.NumberFilter(field_name="pasientliste_id", label=_("Listenummer"))

    class Meta:
        model = Listetall
        fields = ["liste", "fra", "til"]
