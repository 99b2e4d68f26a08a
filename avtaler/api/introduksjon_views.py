"""Introduksjonsavtale API: thin views over avtaler.introduksjon_services and
avtaler.introduksjon_selectors. Every refusal is the service's, naming the rule."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from avtaler import introduksjon_selectors as selectors
from avtaler import introduksjon_services as services
from avtaler.api.introduksjon_serializers import (
    IntroduksjonAvsluttSerializer,
    IntroduksjonsavtaleEndringSerializer,
    IntroduksjonsavtaleSerializer,
)
from avtaler.models import Introduksjonsavtale
from core.api.concurrency import VersionedRetrieveMixin, etag, expected_version
from core.api.history import HistoryMixin
from core.api.idempotency import IdempotentCreateMixin
from kommune.api.views import IDEMPOTENCY_KEY, IF_MATCH
from lister.api.mixins import PRECONDITION_RESPONSES, SchemaSafeMixin, VersionedPatchMixin, kommune_in_scope

TAGS = ["introduksjonsavtaler"]


@extend_schema_view(
    list=extend_schema(summary="Kommunens introduksjonsavtaler", tags=TAGS),
    create=extend_schema(summary="Opprett en introduksjonsavtale", tags=TAGS, parameters=[IDEMPOTENCY_KEY]),
    retrieve=extend_schema(summary="Én introduksjonsavtale", tags=TAGS),
    partial_update=extend_schema(summary="Endre avtalen eller bytt deltakende fastleger", tags=TAGS, parameters=[IF_MATCH]),
    historikk=extend_schema(tags=TAGS),
)
class IntroduksjonsavtaleViewSet(SchemaSafeMixin, HistoryMixin, IdempotentCreateMixin, VersionedRetrieveMixin,
                                 VersionedPatchMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Introduksjonsavtaler (trygderefusjonsforskriften, endret 1. januar 2022): en lege under
    spesialisering i allmennmedisin (introduksjonslegen) arbeider parallelt med fastleger med
    listeansvar ved ett legekontor, og begge får trygderefusjon. Avtalen krever Helsedirektoratets
    godkjenning (referanse, og dato før start), minst én deltakende fastlege med signert, løpende
    fastlegeavtale på en liste ved kontoret, og angir kostnadsfordeling og om introduksjonslegen er
    fastlønnet eller næringsdrivende. Uten sluttdato varer den standardlengden. Introduksjonslegen
    kan ikke være spesialist i allmennmedisin eller en av fastlegene, og kan ikke ha to avtaler
    samtidig. `alisavtale` er ALIS-avtalen som bygger på den. Lesing: avtaler:les; endring:
    avtaler:skriv."""

    omrade = "avtaler"
    lookup_value_regex = "[0-9]+"

    def get_serializer_class(self):
        return IntroduksjonsavtaleEndringSerializer if self.action == "partial_update" else IntroduksjonsavtaleSerializer

    def get_queryset(self):
        return Introduksjonsavtale.objects.none() if self.generating_schema else selectors.introduksjonsavtale_list()

    def get_object(self):
        avtale = selectors.get_introduksjonsavtale(pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, avtale)
        return avtale

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data["fastlegeavtaler"] = data.get("fastlegeavtaler", [])
        avtale = services.create_introduksjonsavtale(kommune=kommune_in_scope(self.request), **data)
        serializer.instance = selectors.get_introduksjonsavtale(pk=avtale.pk)

    def perform_versioned_update(self, instance, validated_data, expected_version):
        services.update_introduksjonsavtale(avtale=instance, expected_version=expected_version, **validated_data)
        return selectors.get_introduksjonsavtale(pk=instance.pk)

    def get_success_headers(self, data):
        return {"Location": f"{self.request.path}{data['id']}/", "ETag": etag(data["versjon"])}

    @extend_schema(
        summary="Avslutt avtalen (opphører tidligere)", tags=TAGS, parameters=[IF_MATCH], request=IntroduksjonAvsluttSerializer,
        responses={200: IntroduksjonsavtaleSerializer, **PRECONDITION_RESPONSES},
    )
    @action(detail=True, methods=["post"], url_path="avslutt")
    def avslutt(self, request, pk=None):
        """Avtalen opphører på `sluttdato` (første dag den ikke gjelder), som må være etter
        startdatoen og ikke senere enn den avtalte sluttdatoen. En ALIS-avtale som bygger på
        introduksjonsavtalen, opphører samtidig. Krever If-Match med avtalens ETag."""
        avtale = self.get_object()
        version = expected_version(request, avtale)
        data = IntroduksjonAvsluttSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.end_introduksjonsavtale(avtale=avtale, expected_version=version, **data.validated_data)
        avtale = selectors.get_introduksjonsavtale(pk=avtale.pk)
        return Response(IntroduksjonsavtaleSerializer(avtale).data, headers={"ETag": etag(avtale.versjon)})
