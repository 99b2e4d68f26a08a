"""Kommune API: read the kommuner, change a kommune's settings (If-Match), record population
figures (Idempotency-Key) and delete a wrong one (If-Match)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, viewsets

from core.api.concurrency import VersionedDestroyMixin, VersionedRetrieveMixin, VersionedUpdateMixin, etag
from core.api.idempotency import KEY_PATTERN, IdempotentCreateMixin
from kommune import selectors, services
from kommune.api.serializers import InnbyggertallSerializer, KommuneSerializer
from kommune.filters import KommuneFilter
from kommune.models import Innbyggertall
from kommune.permissions import can_change_kommune

IF_MATCH = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True,
    description="ETag-verdien fra siste GET, for eksempel \"3\". 428 uten, 412 når objektet er endret.",
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False, pattern=KEY_PATTERN,
    description="Unik nøkkel per forsøk på samme handling. Gjentatt forespørsel gir samme svar.",
)
KOMMUNENUMMER = OpenApiParameter("kommunenummer", OpenApiTypes.STR, OpenApiParameter.PATH, pattern=r"^[0-9]{4}$")


class ChangeKommunePermission(permissions.BasePermission):
    """Anyone logged in reads; changes follow kommune.permissions.can_change_kommune."""

    def has_permission(self, request, view) -> bool:
        return request.method in permissions.SAFE_METHODS or can_change_kommune(request.user)


@extend_schema_view(
    list=extend_schema(summary="Kommuner", tags=["kommuner"]),
    retrieve=extend_schema(summary="Én kommune", tags=["kommuner"], parameters=[KOMMUNENUMMER]),
    update=extend_schema(summary="Endre kommunens innstillinger", tags=["kommuner"], parameters=[KOMMUNENUMMER, IF_MATCH]),
    partial_update=extend_schema(summary="Endre deler av kommunens innstillinger", tags=["kommuner"], parameters=[KOMMUNENUMMER, IF_MATCH]),
)
class KommuneViewSet(VersionedRetrieveMixin, VersionedUpdateMixin, mixins.ListModelMixin,
                     mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Norges kommuner med innbyggertallet som gjelder i dag, og kommunens egne innstillinger
    (sentralitetsklasse, avtaleregime, målform). Endringer krever If-Match."""

    serializer_class = KommuneSerializer
    filterset_class = KommuneFilter
    permission_classes = [permissions.IsAuthenticated, ChangeKommunePermission]
    lookup_field = "kommunenummer"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        return selectors.kommune_list()

    def get_object(self):
        kommune = selectors.get_kommune(kommunenummer=self.kwargs["kommunenummer"])
        self.check_object_permissions(self.request, kommune)
        return kommune

    def perform_versioned_update(self, instance, validated_data, expected_version):
        services.update_kommune(kommune=instance, expected_version=expected_version, **validated_data)
        return selectors.get_kommune(kommunenummer=instance.kommunenummer)


@extend_schema_view(
    list=extend_schema(summary="Kommunens innbyggertall", tags=["kommuner"], parameters=[KOMMUNENUMMER]),
    create=extend_schema(summary="Registrer innbyggertall", tags=["kommuner"], parameters=[KOMMUNENUMMER, IDEMPOTENCY_KEY]),
    retrieve=extend_schema(summary="Ett innbyggertall", tags=["kommuner"], parameters=[KOMMUNENUMMER]),
    destroy=extend_schema(summary="Slett et feilregistrert innbyggertall", tags=["kommuner"], parameters=[KOMMUNENUMMER, IF_MATCH]),
)
class InnbyggertallViewSet(IdempotentCreateMixin, VersionedRetrieveMixin, VersionedDestroyMixin,
                           mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Kommunens innbyggertall over tid (ett tall per dato det gjelder fra). Registrering tar
    Idempotency-Key; sletting av et feilregistrert tall krever If-Match, og det siste tallet kan
    ikke slettes."""

    serializer_class = InnbyggertallSerializer
    permission_classes = [permissions.IsAuthenticated, ChangeKommunePermission]
    lookup_value_regex = "[0-9]+"

    def kommune(self):
        if not hasattr(self, "_kommune"):
            self._kommune = selectors.get_kommune(kommunenummer=self.kwargs["kommunenummer"])
        return self._kommune

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no URL arguments
            return Innbyggertall.objects.none()
        return selectors.innbyggertall_for(kommune=self.kommune()).select_related("kommune")

    def get_object(self):
        figure = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, figure)
        return figure

    def perform_create(self, serializer):
        serializer.instance = services.record_innbyggertall(kommune=self.kommune(), **serializer.validated_data)

    def perform_versioned_destroy(self, instance, expected_version):
        services.delete_innbyggertall(innbyggertall=instance, expected_version=expected_version)

    def get_success_headers(self, data):
        return {"Location": f"{self.request.path}{data['id']}/", "ETag": etag(data["versjon"])}
