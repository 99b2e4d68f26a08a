"""Overload flags API (`belastningsvarsler/`): the flags of the nightly overload job for the
districts the kommune sees (its own and those it is a member of), and marking a flag seen
(vertskommune only). Thin views over legevakt.belastning_jobb; the same flags as the
«Legevakt: oversikt» page."""

from __future__ import annotations

import django_filters
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.history import HistoryMixin
from kommune.api.views import IDEMPOTENCY_KEY
from kommune.filters import StrictBooleanFilter
from legevakt import belastning_jobb
from legevakt.api.varsel_serializers import BelastningsvarselSerializer
from legevakt.models import Belastningsvarsel, Belastningsvarseltype, Legevaktdistrikt
from lister.api.mixins import SchemaSafeMixin, idempotent

TAGS = ["legevakt"]


def _distrikter(request):
    return Legevaktdistrikt.objects.order_by("id")


class BelastningsvarselFilter(django_filters.FilterSet):
    apne = StrictBooleanFilter(field_name="lost", lookup_expr="isnull", label=_("Åpne (ikke løst)"))
    type = django_filters.ChoiceFilter(choices=Belastningsvarseltype.choices, label=_("Type"))
    distrikt = django_filters.ModelChoiceFilter(queryset=_distrikter, label=_("Legevaktdistrikt"))

    class Meta:
        model = Belastningsvarsel
        fields = ["apne", "type", "distrikt"]


@extend_schema_view(
    list=extend_schema(summary="Belastningsvarsler fra nattjobben for legevakt", tags=TAGS),
    retrieve=extend_schema(summary="Ett belastningsvarsel", tags=TAGS),
    historikk=extend_schema(tags=TAGS),
)
class BelastningsvarselViewSet(SchemaSafeMixin, HistoryMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                               viewsets.GenericViewSet):
    """Varslene nattjobben reiser for små legevaktdistrikter (distriktet betjener en kommune som oppfyller
    kriteriene for tilskudd til legevakt i distriktskommuner, eller har tre eller færre leger i
    vaktordningen): få leger, lege på vakt oftere enn hver fjerde, beredskap over ukegrensen (et
    synspunkt, ikke en regel), brudd på hviletiden, tidsrom uten lege på vakt, kompetanseunntaket går
    mot slutten, færre leger enn normtallet. Høyst ett åpent varsel per distrikt og type; varselet løses
    av seg selv (`lost`). Filtre: `distrikt`, `type`, `apne`. Deltakerkommuner leser; bare
    vertskommunen kan merke som sett. Lesing: legevakt:les; merke som sett: legevakt:skriv."""

    serializer_class = BelastningsvarselSerializer
    filterset_class = BelastningsvarselFilter
    omrade = "legevakt"
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return Belastningsvarsel.objects.none() if self.generating_schema else belastning_jobb.varsel_list()

    def get_object(self):
        varsel = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, varsel)
        return varsel

    @extend_schema(summary="Merk belastningsvarselet som sett", tags=TAGS, parameters=[IDEMPOTENCY_KEY], request=None,
                   responses={200: BelastningsvarselSerializer})
    @action(detail=True, methods=["post"], url_path="sett", filter_backends=[])
    def sett(self, request, pk=None):
        """Registrerer at varselet er sett (tidspunkt, og av hvem for en person; et token har ingen
        bruker). Bare vertskommunen (403 for en deltakerkommune). Første markering står."""
        varsel = self.get_object()

        def effect(request):
            user = None if request.auth.er_klient else request.user
            marked = belastning_jobb.mark_varsel_sett(varsel=varsel, av=user)
            return Response(BelastningsvarselSerializer(marked).data)

        return idempotent(request, effect)
