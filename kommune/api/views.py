"""Kommune API: read the kommuner, change a kommune's settings (If-Match), record population
figures (Idempotency-Key) and delete a wrong one (If-Match)."""

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, views, viewsets
from rest_framework.response import Response

from core.api.concurrency import VersionedDestroyMixin, VersionedRetrieveMixin, VersionedUpdateMixin, etag
from core.api.history import HistoryMixin
from core.api.idempotency import KEY_PATTERN, IdempotentCreateMixin
from kommune import selectors, services
from kommune.access import Tilgang
from kommune.api.filters import LegeFilter
from kommune.api.serializers import InnbyggertallSerializer, KommuneSerializer, LegeEndringSerializer, LegeSerializer
from kommune.filters import KommuneFilter
from kommune.models import Innbyggertall, Kommune, Lege
from kommune.permissions import Handling

IF_MATCH = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True,
    description="ETag-verdien fra siste GET, for eksempel \"3\". 428 uten, 412 når objektet er endret.",
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False, pattern=KEY_PATTERN,
    description="Unik nøkkel per forsøk på samme handling. Gjentatt forespørsel gir samme svar.",
)
KOMMUNENUMMER = OpenApiParameter("kommunenummer", OpenApiTypes.STR, OpenApiParameter.PATH, pattern=r"^[0-9]{4}$")


@extend_schema_view(
    list=extend_schema(summary="Kommuner", tags=["kommuner"]),
    retrieve=extend_schema(summary="Én kommune", tags=["kommuner"], parameters=[KOMMUNENUMMER]),
    update=extend_schema(summary="Endre kommunens innstillinger", tags=["kommuner"], parameters=[KOMMUNENUMMER, IF_MATCH]),
    partial_update=extend_schema(summary="Endre deler av kommunens innstillinger", tags=["kommuner"], parameters=[KOMMUNENUMMER, IF_MATCH]),
)
class KommuneViewSet(HistoryMixin, VersionedRetrieveMixin, VersionedUpdateMixin, mixins.ListModelMixin,
                     mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Kommunen du arbeider i (listen har bare den), med innbyggertallet som gjelder i dag, og
    kommunens egne innstillinger (sentralitetsklasse, avtaleregime, målform). Endringer krever
    If-Match og rollen kommuneoverlege. Tokener trenger lister:les."""

    serializer_class = KommuneSerializer
    filterset_class = KommuneFilter
    omrade = "lister"
    skrivehandling = Handling.ADMINISTRER  # the kommune's own settings: kommuneoverlege, never a token
    lookup_field = "kommunenummer"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request, no kommune
            return Kommune.objects.none()
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
class InnbyggertallViewSet(HistoryMixin, IdempotentCreateMixin, VersionedRetrieveMixin, VersionedDestroyMixin,
                           mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Kommunens innbyggertall over tid (ett tall per dato det gjelder fra). Registrering tar
    Idempotency-Key; sletting av et feilregistrert tall krever If-Match, og det siste tallet kan
    ikke slettes. Lesing: lister:les; endring: lister:skriv (saksbehandler eller kommuneoverlege)."""

    serializer_class = InnbyggertallSerializer
    omrade = "lister"
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


class Innlogget(permissions.BasePermission):
    """Any authenticated person or client, with or without a kommune chosen."""

    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, Tilgang)


class MegSerializer(serializers.Serializer):
    aktor = serializers.CharField(help_text="bruker:<id> eller klient:<id>; står i historikken.")
    navn = serializers.CharField()
    kommunenummer = serializers.CharField(allow_null=True, help_text="Kommunen forespørselen gjelder.")
    roller = serializers.ListField(child=serializers.CharField(), help_text="Rollene i kommunen (personer).")
    scopes = serializers.ListField(child=serializers.CharField(), help_text="Tokenets tilganger (klienter).")
    kommuner = serializers.ListField(child=serializers.CharField(), help_text="Kommunene du kan velge.")
    mfa_mangler = serializers.BooleanField()


@extend_schema(summary="Hvem er jeg: aktør, kommune, roller eller tilganger", tags=["tilgang"], responses=MegSerializer)
class MegView(views.APIView):
    permission_classes = [Innlogget]

    def get(self, request):
        tilgang: Tilgang = request.auth
        kommune = tilgang.kommune
        data = {
            "aktor": tilgang.aktor,
            "navn": str(request.user),
            "kommunenummer": kommune.kommunenummer if kommune else None,
            "roller": sorted(tilgang.roller),
            "scopes": sorted(tilgang.scopes),
            "kommuner": [k.kommunenummer for k in tilgang.kommuner],
            "mfa_mangler": tilgang.mfa_mangler,
        }
        return Response(MegSerializer(data).data)


# --- doctors ------------------------------------------------------------------------------------

@extend_schema_view(
    list=extend_schema(summary="Kommunens leger", tags=["leger"]),
    create=extend_schema(summary="Registrer en lege i kommunen", tags=["leger"], parameters=[IDEMPOTENCY_KEY]),
    retrieve=extend_schema(summary="Én lege", tags=["leger"]),
    update=extend_schema(summary="Rett opplysninger om legen", tags=["leger"], parameters=[IF_MATCH]),
    partial_update=extend_schema(summary="Rett deler av opplysningene om legen", tags=["leger"], parameters=[IF_MATCH]),
    historikk=extend_schema(tags=["leger"]),
)
class LegeViewSet(HistoryMixin, IdempotentCreateMixin, VersionedRetrieveMixin, VersionedUpdateMixin,
                  mixins.ListModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Legene kommunen har registrert (HPR-nummer, navn, fødselsdato, kompetanse med datoer og
    kommunens ansattnummer). Legens opplysninger er nasjonale: er legen registrert av en annen
    kommune, knyttes kommunen til samme lege (navn og fødselsdato må stemme). `kompetansestatus`
    er avledet (kompetanseforskriften § 3 og § 5). Registrering tar Idempotency-Key; retting krever
    If-Match. Lesing: lister:les; endring: lister:skriv."""

    filterset_class = LegeFilter
    omrade = "lister"
    lookup_value_regex = "[0-9]+"

    def get_serializer_class(self):
        return LegeEndringSerializer if self.action in ("update", "partial_update") else LegeSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Lege.objects.none()
        return selectors.lege_list()

    def get_object(self):
        lege = selectors.get_lege(pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, lege)
        return lege

    def perform_create(self, serializer):
        kommune = selectors.get_kommune_by_id(self.request.auth.kommune_id)
        lege = services.register_lege(kommune=kommune, **serializer.validated_data)
        serializer.instance = selectors.get_lege(pk=lege.pk)

    def perform_versioned_update(self, instance, validated_data, expected_version):
        changes = dict(validated_data)
        ansattnummer = changes.pop("ansattnummer", None)
        with transaction.atomic():
            lege = services.update_lege(lege=instance, expected_version=expected_version, **changes)
            if ansattnummer is not None:
                kommune = selectors.get_kommune_by_id(self.request.auth.kommune_id)
                services.set_ansattnummer(lege=lege, kommune=kommune, ansattnummer=ansattnummer)
        return selectors.get_lege(pk=instance.pk)

    def get_success_headers(self, data):
        return {"Location": f"{self.request.path}{data['id']}/", "ETag": etag(data["versjon"])}
