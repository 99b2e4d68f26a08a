"""Exemption API: exemptions from legevakt (fastlegeforskriften § 33). Only the kommuneoverlege
(Handling.HELSEOPPLYSNINGER; integration tokens never) records and changes them and sees the type,
grounds and decision details; everyone else with read access sees granted exemptions as
«fritatt fra–til» with the scope."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from core.api.concurrency import VersionedRetrieveMixin, etag, expected_version
from core.api.history import HistoryMixin
from core.api.idempotency import IdempotentCreateMixin
from kommune.api.views import IDEMPOTENCY_KEY, IF_MATCH
from kommune.permissions import Handling, kan_se_helseopplysninger
from legevakt import fritak_selectors, fritak_services
from legevakt.api.fritak_serializers import FritakEndringSerializer, FritakOffentligSerializer, FritakSerializer
from legevakt.models import Fritak
from lister.api.mixins import SchemaSafeMixin, kommune_in_scope

TAGS = ["legevakt"]
HELSEFELT = frozenset({"type", "grunnlag", "krevd", "svangerskap_hindrer", "vedtaksdato", "saksnummer", "utfall",
                       "klagestatus"})


@extend_schema_view(
    list=extend_schema(summary="Kommunens fritak fra legevakt", tags=TAGS, responses=FritakSerializer(many=True)),
    create=extend_schema(summary="Registrer fritak fra legevakt (bare kommuneoverlegen)", tags=TAGS,
                         parameters=[IDEMPOTENCY_KEY], request=FritakSerializer, responses={201: FritakSerializer}),
    retrieve=extend_schema(summary="Ett fritak", tags=TAGS, responses=FritakSerializer),
    partial_update=extend_schema(summary="Endre et fritak, for eksempel klagestatus (bare kommuneoverlegen)", tags=TAGS,
                                 parameters=[IF_MATCH], request=FritakEndringSerializer, responses=FritakSerializer),
    historikk=extend_schema(tags=TAGS),
)
class FritakViewSet(SchemaSafeMixin, HistoryMixin, IdempotentCreateMixin, VersionedRetrieveMixin, mixins.ListModelMixin,
                    mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Fritak fra legevakt. Etter rett når legen krever det (over 60 år; de siste tre månedene av
    svangerskapet, eller lenger når svangerskapet hindrer deltakelse; amming av barn under ett år):
    bare legevakt utenom ordinær åpningstid. Etter skjønn (helsemessige eller vektige sosiale
    grunner): enkeltvedtak med vedtaksdato, utfall og klagestatus. Grunnlag, type og vedtaket er
    helseopplysninger: bare kommuneoverlegen ser dem og kan registrere og endre fritak; andre (også
    integrasjoner) ser innvilgede fritak med periode og omfang. Lesing: legevakt:les."""

    omrade = "legevakt"
    skrivehandling = Handling.HELSEOPPLYSNINGER
    lookup_value_regex = "[0-9]+"

    @property
    def helse(self) -> bool:
        return not self.generating_schema and kan_se_helseopplysninger(self.request.auth)

    def get_serializer_class(self):
        if self.action == "partial_update":
            return FritakEndringSerializer
        if self.generating_schema or self.action == "create" or self.helse:
            return FritakSerializer
        return FritakOffentligSerializer

    def get_queryset(self):
        if self.generating_schema:
            return Fritak.objects.none()
        return fritak_selectors.fritak_list(helse=self.helse)

    def get_object(self):
        fritak = fritak_selectors.get_fritak(self.kwargs["pk"], helse=self.helse)
        self.check_object_permissions(self.request, fritak)
        return fritak

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        fritak = fritak_services.create_fritak(kommune=kommune_in_scope(self.request), lege=data.pop("lege"),
                                               type=data.pop("type"), fra=data.pop("fra"), **data)
        serializer.instance = fritak_selectors.get_fritak(fritak.pk, helse=True)

    def get_success_headers(self, data):
        return {"Location": f"{self.request.path}{data['id']}/", "ETag": etag(data["versjon"])}

    def partial_update(self, request, *args, **kwargs):
        instance = self.get_object()
        version = expected_version(request, instance)
        parsed = FritakEndringSerializer(instance, data=request.data, partial=True)
        parsed.is_valid(raise_exception=True)
        fritak_services.update_fritak(fritak=instance, expected_version=version, **parsed.validated_data)
        updated = fritak_selectors.get_fritak(instance.pk, helse=True)
        return Response(FritakSerializer(updated).data, status=status.HTTP_200_OK, headers={"ETag": etag(updated.versjon)})

    def history_hidden_fields(self) -> frozenset[str]:
        return frozenset() if self.helse else HELSEFELT
