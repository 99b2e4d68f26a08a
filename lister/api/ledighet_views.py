"""Vacancy API: the vacancies on a day (`ubesatte-lister/`) and the nightly job's flags
(`ledighetsvarsler/`) with marking a flag seen. Thin views over lister.ledighet_selectors and
lister.ledighet_services; the same rows as the "Ubesatte lister" page."""

from __future__ import annotations

import django_filters
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.history import HistoryMixin
from kommune.api.views import IDEMPOTENCY_KEY
from kommune.filters import StrictBooleanFilter
from lister import ledighet_selectors, ledighet_services
from lister.api.ledighet_serializers import LedighetsvarselSerializer, UbesattListeSerializer, ubesatt_data
from lister.api.mixins import SchemaSafeMixin, idempotent
from lister.api.views import as_of
from lister.models import Ledighetsvarsel, Pasientliste, Varseltype

TAGS = ["lister"]
DATO = OpenApiParameter(
    "dato", OpenApiTypes.DATE, OpenApiParameter.QUERY, required=False,
    description="Ledigheten, dekningen og de udekkede dagene (fra denne datoen og horisonten ut) per denne datoen "
                "(standard: i dag).",
)


class UbesatteListerViewSet(SchemaSafeMixin, viewsets.GenericViewSet):
    """Listene som per `?dato=` står uten fastlege («liste uten fast lege», Helsedirektoratet), har en
    ledig del (fellesliste), har en åpen ledighetssak eller har udekkede ukedager innen horisonten
    (regler «udekket_horisont_dager», standard 30 dager), med saken, dekningen på datoen (vikarer og
    kollegial fraværsdekning), udekkede ukedager (helger teller ikke), berørte listeinnbyggere og
    åpne varsler. Sortert etter hvor snart den første udekkede dagen kommer. Lesing: lister:les."""

    serializer_class = UbesattListeSerializer
    omrade = "lister"
    filter_backends: list = []

    @extend_schema(summary="Ubesatte lister med dekning og udekkede dager", tags=TAGS, parameters=[DATO])
    def list(self, request):
        day = as_of(request) or timezone.localdate()
        rows = [ubesatt_data(row) for row in ledighet_selectors.ubesatte(on=day)]
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(UbesattListeSerializer(page, many=True).data)


def _lister(request):
    return Pasientliste.objects.order_by("id")


class LedighetsvarselFilter(django_filters.FilterSet):
    apen = StrictBooleanFilter(field_name="lost", lookup_expr="isnull", label=_("Åpne (ikke løst)"))
    type = django_filters.ChoiceFilter(choices=Varseltype.choices, label=_("Type"))
    pasientliste = django_filters.ModelChoiceFilter(queryset=_lister, label=_("Pasientliste"))

    class Meta:
        model = Ledighetsvarsel
        fields = ["apen", "type", "pasientliste"]


@extend_schema_view(
    list=extend_schema(summary="Varsler om ubesatte lister fra nattjobben", tags=TAGS),
    retrieve=extend_schema(summary="Ett varsel", tags=TAGS),
    historikk=extend_schema(tags=TAGS),
)
class LedighetsvarselViewSet(SchemaSafeMixin, HistoryMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                             viewsets.GenericViewSet):
    """Varslene nattjobben reiser per liste og type: listen ble uten fastlege, uten fastlege i over
    30/90/365 dager, udekkede dager de neste 30 dagene, vikarperiode slutter innen 14 dager uten
    etterfølger, vikarbruk ut over grensen (12 måneder, ikke bekreftet), kommunens vikarplikt slutter
    innen 30 dager, hjemfall mulig. Høyst ett åpent varsel per liste og type; varselet løses av seg
    selv når betingelsen ikke lenger gjelder (`lost`). Filtre: `apen`, `type`, `pasientliste`.
    Lesing: lister:les; merke som sett: lister:skriv."""

    serializer_class = LedighetsvarselSerializer
    filterset_class = LedighetsvarselFilter
    omrade = "lister"
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return Ledighetsvarsel.objects.none() if self.generating_schema else ledighet_selectors.varsel_list()

    def get_object(self):
        varsel = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, varsel)
        return varsel

    @extend_schema(summary="Merk varselet som sett", tags=TAGS, parameters=[IDEMPOTENCY_KEY], request=None,
                   responses={200: LedighetsvarselSerializer})
    @action(detail=True, methods=["post"], url_path="sett", filter_backends=[])
    def sett(self, request, pk=None):
        """Registrerer at varselet er sett (tidspunkt, og av hvem for en person; et token har ingen
        bruker). Første markering står; en ny endrer ingenting."""
        varsel = self.get_object()

        def effect(request):
            user = None if request.auth.er_klient else request.user
            marked = ledighet_services.mark_varsel_sett(varsel=varsel, av=user)
            return Response(LedighetsvarselSerializer(marked).data)

        return idempotent(request, effect)
