"""District API: legevakt districts (list with members and population in constant queries, one with
ETag, create, PATCH with If-Match, history), and nested under a district its memberships, stations
and agreements. Thin views over legevakt.distrikt_services and legevakt.distrikt_selectors; a
deltakerkommune reads but every write answers 403 (krev_vertskommune)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from core.api.concurrency import VersionedRetrieveMixin, etag
from core.api.history import HistoryMixin
from core.api.idempotency import IdempotentCreateMixin
from core.dates import check_range
from kommune.api.views import IDEMPOTENCY_KEY, IF_MATCH
from legevakt import distrikt_selectors as selectors
from legevakt import distrikt_services as services
from legevakt.api.distrikt_serializers import (
    LegevaktdistriktEndringSerializer,
    LegevaktdistriktOpprettSerializer,
    LegevaktdistriktSerializer,
    MedlemskapEndringSerializer,
    MedlemskapOpprettSerializer,
    MedlemskapSerializer,
    StasjonEndringSerializer,
    StasjonSerializer,
    VaktavtaleEndringSerializer,
    VaktavtaleSerializer,
)
from legevakt.models import Legevaktdistrikt, Medlemskap, Stasjon, Vaktavtale
from legevakt.tilgang import krev_vertskommune
from lister.api.mixins import SchemaSafeMixin, VersionedPatchMixin, kommune_in_scope

TAGS = ["legevakt"]
DISTRIKT_PK = OpenApiParameter("distrikt_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="Distriktets id.")
DATO = OpenApiParameter("dato", OpenApiTypes.DATE, OpenApiParameter.QUERY, required=False,
                        description="Dagen medlemmer og innbyggertall gjelder for (standard: i dag).")


def _dato(request):
    raw = request.query_params.get("dato") if request is not None else None
    if not raw:
        return timezone.localdate()
    try:
        day = serializers.DateField().to_internal_value(raw)
        check_range(day, "dato")
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.message_dict) from exc
    return day


class OpprettMixin:
    """POST through a service: `opprett_serializer_class` parses, `opprett(validated_data)` creates,
    the viewset's read serializer answers 201 with Location and ETag."""

    def create(self, request, *args, **kwargs):
        self.for_skriving()
        parsed = self.opprett_serializer_class(data=request.data)
        parsed.is_valid(raise_exception=True)
        instance = self.opprett(parsed.validated_data)
        data = self.get_serializer(instance).data
        return Response(data, status=status.HTTP_201_CREATED,
                        headers={"Location": f"{request.path}{instance.pk}/", "ETag": etag(instance.versjon)})

    def for_skriving(self) -> None:
        """Checks before the input is parsed (a deltakerkommune gets 403, not a 400 about the input)."""


@extend_schema_view(
    list=extend_schema(summary="Legevaktdistrikter kommunen er vertskommune for eller medlem av", tags=TAGS,
                       parameters=[DATO]),
    create=extend_schema(summary="Opprett et legevaktdistrikt (kommunen blir vertskommune)", tags=TAGS,
                         request=LegevaktdistriktOpprettSerializer, parameters=[IDEMPOTENCY_KEY],
                         responses={201: LegevaktdistriktSerializer}),
    retrieve=extend_schema(summary="Ett legevaktdistrikt", tags=TAGS, parameters=[DATO]),
    partial_update=extend_schema(summary="Endre et legevaktdistrikt (bare vertskommunen)", tags=TAGS,
                                 parameters=[IF_MATCH], request=LegevaktdistriktEndringSerializer,
                                 responses=LegevaktdistriktSerializer),
    historikk=extend_schema(tags=TAGS),
)
class LegevaktdistriktViewSet(SchemaSafeMixin, HistoryMixin, IdempotentCreateMixin, OpprettMixin, VersionedRetrieveMixin,
                              VersionedPatchMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Legevaktdistrikter (akuttmedisinforskriften § 6): én kommune, eller interkommunalt med en
    vertskommune og deltakerkommuner i tidsbånd. Med medlemmene på dagen (?dato=), innbyggertall
    (summen av medlemskommunenes siste tall fra SSB) og befolkningsgruppe etter SFS 2305 § 9.1
    (I < 30 000 ≤ II ≤ 60 000 < III ≤ 90 000 < IV). Vertskommunen forvalter distriktet;
    deltakerkommunene kan lese (endring gir 403). Lesing: legevakt:les; endring: legevakt:skriv."""

    omrade = "legevakt"
    lookup_value_regex = "[0-9]+"
    serializer_class = LegevaktdistriktSerializer
    opprett_serializer_class = LegevaktdistriktOpprettSerializer

    def get_serializer_class(self):
        return LegevaktdistriktEndringSerializer if self.action == "partial_update" else LegevaktdistriktSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not self.generating_schema:
            context["dato"] = _dato(self.request)
        return context

    def get_queryset(self):
        if self.generating_schema:
            return Legevaktdistrikt.objects.none()
        return selectors.distrikt_list(on=_dato(self.request))

    def get_object(self):
        distrikt = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, distrikt)
        return distrikt

    def opprett(self, data):
        distrikt = services.create_distrikt(kommune=kommune_in_scope(self.request), **data)
        return selectors.get_distrikt(distrikt.pk, on=_dato(self.request))

    def partial_update(self, request, *args, **kwargs):
        from core.api.concurrency import expected_version

        instance = self.get_object()
        krev_vertskommune(instance)
        version = expected_version(request, instance)
        parsed = LegevaktdistriktEndringSerializer(instance, data=request.data, partial=True)
        parsed.is_valid(raise_exception=True)
        services.update_distrikt(distrikt=instance, expected_version=version, **parsed.validated_data)
        updated = self.get_object()
        return Response(LegevaktdistriktSerializer(updated, context=self.get_serializer_context()).data,
                        headers={"ETag": etag(updated.versjon)})


class _IDistriktMixin(SchemaSafeMixin):
    omrade = "legevakt"
    lookup_value_regex = "[0-9]+"

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if hasattr(self, request.method.lower()):
            self.distrikt = get_object_or_404(Legevaktdistrikt.objects.all(), pk=kwargs["distrikt_pk"])

    def get_object(self):
        obj = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, obj)
        return obj

    def for_skriving(self) -> None:
        krev_vertskommune(self.distrikt)


def _nested_schema(noun: str, endring, opprett):
    return extend_schema_view(
        list=extend_schema(summary=f"Distriktets {noun}", tags=TAGS, parameters=[DISTRIKT_PK]),
        create=extend_schema(summary=f"Ny(tt) {noun} (bare vertskommunen)", tags=TAGS, request=opprett,
                             parameters=[DISTRIKT_PK, IDEMPOTENCY_KEY]),
        retrieve=extend_schema(summary=f"Én/ett {noun}", tags=TAGS, parameters=[DISTRIKT_PK]),
        partial_update=extend_schema(summary=f"Endre {noun} (bare vertskommunen)", tags=TAGS, request=endring,
                                     parameters=[DISTRIKT_PK, IF_MATCH]),
        historikk=extend_schema(tags=TAGS, parameters=[DISTRIKT_PK]),
    )


class _NestedViewSet(_IDistriktMixin, HistoryMixin, IdempotentCreateMixin, OpprettMixin, VersionedRetrieveMixin,
                     VersionedPatchMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    endring_serializer_class = None

    def get_serializer_class(self):
        return self.endring_serializer_class if self.action == "partial_update" else self.serializer_class

    def partial_update(self, request, *args, **kwargs):
        """PATCH with If-Match (no PUT: replacing every field of a membership or station makes no sense)."""
        from core.api.concurrency import expected_version

        self.for_skriving()
        instance = self.get_object()
        version = expected_version(request, instance)
        parsed = self.endring_serializer_class(instance, data=request.data, partial=True)
        parsed.is_valid(raise_exception=True)
        updated = self.perform_versioned_update(instance, parsed.validated_data, version)
        updated = get_object_or_404(self.get_queryset(), pk=updated.pk)
        return Response(self.serializer_class(updated).data, headers={"ETag": etag(updated.versjon)})


@_nested_schema("medlemskap", MedlemskapEndringSerializer, MedlemskapOpprettSerializer)
class MedlemskapViewSet(_NestedViewSet):
    """Kommunene distriktet betjener, hver i et tidsbånd (dogn, dagtid = hverdager 08–16,
    utenfor_dagtid) for en periode. Hvilken som helst kommune kan være medlem. En kommune kan høre
    til ett distrikt per tidsbånd om gangen (avvises på `tidsbolk`). Avslutt med PATCH `til`."""

    serializer_class = MedlemskapSerializer
    endring_serializer_class = MedlemskapEndringSerializer
    opprett_serializer_class = MedlemskapOpprettSerializer

    def get_queryset(self):
        if self.generating_schema:
            return Medlemskap.objects.none()
        return selectors.medlemskap_for(self.distrikt)

    def opprett(self, data):
        medlem = data.pop("kommunenummer", None) or data.pop("medlem", None)
        data.pop("medlem", None)
        return services.add_medlemskap(distrikt=self.distrikt, medlem=medlem, **data)

    def perform_versioned_update(self, instance, validated_data, expected_version):
        return services.update_medlemskap(medlemskap=instance, expected_version=expected_version, **validated_data)


@_nested_schema("stasjoner", StasjonEndringSerializer, StasjonSerializer)
class StasjonViewSet(_NestedViewSet):
    """Legevaktstasjonene med adresse (postnummer: fire siffer)."""

    serializer_class = StasjonSerializer
    endring_serializer_class = StasjonEndringSerializer
    opprett_serializer_class = StasjonSerializer

    def get_queryset(self):
        if self.generating_schema:
            return Stasjon.objects.none()
        return selectors.stasjoner_for(self.distrikt)

    def opprett(self, data):
        return services.create_stasjon(distrikt=self.distrikt, **data)

    def perform_versioned_update(self, instance, validated_data, expected_version):
        return services.update_stasjon(stasjon=instance, expected_version=expected_version, **validated_data)


@_nested_schema("vaktavtaler", VaktavtaleEndringSerializer, VaktavtaleSerializer)
class VaktavtaleViewSet(_NestedViewSet):
    """Leger som deltar i legevakten etter avtale (ikke fastleger i distriktets kommuner; de deltar
    etter plikten i fastlegeforskriften § 33). Legen må være registrert i vertskommunen."""

    serializer_class = VaktavtaleSerializer
    endring_serializer_class = VaktavtaleEndringSerializer
    opprett_serializer_class = VaktavtaleSerializer

    def get_queryset(self):
        if self.generating_schema:
            return Vaktavtale.objects.none()
        return selectors.vaktavtaler_for(self.distrikt)

    def opprett(self, data):
        return services.create_vaktavtale(distrikt=self.distrikt, **data)

    def perform_versioned_update(self, instance, validated_data, expected_version):
        return services.update_vaktavtale(vaktavtale=instance, expected_version=expected_version, **validated_data)
