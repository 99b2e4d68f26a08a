"""One FilterSet per list of the avtaler app, shared by its pages and the API (django-filter).

An empty value means "no filter". Choices over the kommune's own objects (lege, pasientliste,
legekontor, avtale) look the object up in the kommune in scope, so another kommune's id is refused
like one that does not exist.
"""

from __future__ import annotations

import django_filters
from django.db.models import CharField, Q, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _

from avtaler.models import (
    Fastlegeavtale,
    HelfoMelding,
    Klagestatus,
    Meldingsstatus,
    Meldingstype,
    OkonomiskModell,
    Tilknytningsform,
    Utfall,
    Vedtak,
    Vedtakstype,
)
from avtaler.selectors import AvtaleStatus
from kommune.filters import LocalIsoDateTimeFilter
from kommune.models import Lege
from lister.models import Legekontor, Pasientliste

AVTALESTATUS_CHOICES = [
    (AvtaleStatus.UTKAST, _("Utkast (ikke signert)")),
    (AvtaleStatus.AKTIV, _("Løpende")),
    (AvtaleStatus.OPPSAGT, _("Sagt opp (løper ut fristen)")),
    (AvtaleStatus.OPPHORT, _("Opphørt")),
]


def _leger(request):
    return Lege.objects.order_by("etternavn", "fornavn")


def _lister(request):
    return Pasientliste.objects.select_related("legekontor").order_by("legekontor__navn", "id")


def _legekontor(request):
    return Legekontor.objects.order_by("navn")


def _avtaler(request):
    return Fastlegeavtale.objects.order_by("id")


class FastlegeavtaleFilter(django_filters.FilterSet):
    """Over `avtaler.selectors.avtale_list()` (its `status` and `opphorer` are annotations)."""

    sok = django_filters.CharFilter(method="search", label=_("Søk (lege, HPR-nummer, liste, legekontor)"))
    status = django_filters.ChoiceFilter(choices=AVTALESTATUS_CHOICES, empty_label=_("Alle"), label=_("Status"))
    tilknytningsform = django_filters.ChoiceFilter(
        choices=Tilknytningsform.choices, empty_label=_("Alle"), label=_("Tilknytningsform")
    )
    okonomisk_modell = django_filters.ChoiceFilter(
        choices=OkonomiskModell.choices, empty_label=_("Alle"), label=_("Økonomisk modell")
    )
    lege = django_filters.ModelChoiceFilter(queryset=_leger, empty_label=_("Alle"), label=_("Lege"))
    pasientliste = django_filters.ModelChoiceFilter(queryset=_lister, empty_label=_("Alle"), label=_("Pasientliste"))
    legekontor = django_filters.ModelChoiceFilter(
        field_name="pasientliste__legekontor", queryset=_legekontor, empty_label=_("Alle"), label=_("Legekontor"),
    )
    opphorer_for = django_filters.DateFilter(field_name="opphorer", lookup_expr="lt", label=_("Opphører før"))
    endret_etter = LocalIsoDateTimeFilter(field_name="endret", lookup_expr="gt", label=_("Endret etter (ISO 8601)"))

    class Meta:
        model = Fastlegeavtale
        fields = [
            "sok", "status", "tilknytningsform", "okonomisk_modell", "lege", "pasientliste", "legekontor", "opphorer_for",
            "endret_etter",
        ]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.annotate(
            sok_navn=Concat("lege__fornavn", Value(" "), "lege__etternavn", output_field=CharField())
        ).filter(
            Q(sok_navn__icontains=value) | Q(lege__hpr_nummer=value) | Q(pasientliste__navn__icontains=value)
            | Q(pasientliste__legekontor__navn__icontains=value)
        )


class VedtakFilter(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(choices=Vedtakstype.choices, empty_label=_("Alle"), label=_("Vedtakstype"))
    utfall = django_filters.ChoiceFilter(choices=Utfall.choices, empty_label=_("Alle"), label=_("Utfall"))
    klagestatus = django_filters.ChoiceFilter(choices=Klagestatus.choices, empty_label=_("Alle"), label=_("Klagestatus"))
    avtale = django_filters.ModelChoiceFilter(queryset=_avtaler, empty_label=_("Alle"), label=_("Avtale"))
    endret_etter = LocalIsoDateTimeFilter(field_name="endret", lookup_expr="gt", label=_("Endret etter (ISO 8601)"))

    class Meta:
        model = Vedtak
        fields = ["type", "utfall", "klagestatus", "avtale", "endret_etter"]


class HelfoMeldingFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Meldingsstatus.choices, empty_label=_("Alle"), label=_("Status"))
    type = django_filters.ChoiceFilter(choices=Meldingstype.choices, empty_label=_("Alle"), label=_("Meldingstype"))
    avtale = django_filters.ModelChoiceFilter(queryset=_avtaler, empty_label=_("Alle"), label=_("Avtale"))
    endret_etter = LocalIsoDateTimeFilter(field_name="endret", lookup_expr="gt", label=_("Endret etter (ISO 8601)"))

    class Meta:
        model = HelfoMelding
        fields = ["status", "type", "avtale", "endret_etter"]
