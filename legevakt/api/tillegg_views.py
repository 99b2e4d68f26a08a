"""Supplements API: a shift's supplements for payroll (Vakttillegg), nested under the shift — list,
one supplement with its ETag and history, create with Idempotency-Key, delete with If-Match. Thin
views over legevakt.tillegg_services; every refusal is the service's, naming the field.

Access: tokens need legevakt:les / legevakt:skriv; people LES / SKRIV. The supplements are the
vertskommune's payroll data: a deltakerkommune, which reads the shift itself, gets 403 here for
every method (and a shift it cannot see at all is 404)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from core.api.concurrency import VersionedDestroyMixin, VersionedRetrieveMixin, etag
from core.api.history import HistoryMixin
from core.api.idempotency import IdempotentCreateMixin
from kommune.api.views import IDEMPOTENCY_KEY, IF_MATCH
from legevakt import tillegg_services
from legevakt.api.tillegg_serializers import VakttilleggSerializer
from legevakt.models import Vakt, Vakttillegg
from lister.api.mixins import PRECONDITION_RESPONSES, SchemaSafeMixin

TAGS = ["legevakt"]
VAKT_PK = OpenApiParameter("vakt_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="Vaktens id.")


@extend_schema_view(
    list=extend_schema(summary="Tilleggene på vakten (reise, arbeid i legevaktsentral)", tags=TAGS, parameters=[VAKT_PK]),
    create=extend_schema(summary="Registrer et tillegg på vakten (bare vertskommunen)", tags=TAGS,
                         parameters=[VAKT_PK, IDEMPOTENCY_KEY], responses={201: VakttilleggSerializer}),
    retrieve=extend_schema(summary="Ett tillegg", tags=TAGS, parameters=[VAKT_PK]),
    destroy=extend_schema(summary="Slett et tillegg (bare vertskommunen)", tags=TAGS, parameters=[VAKT_PK, IF_MATCH],
                          responses={204: OpenApiResponse(description="Slettet."), **PRECONDITION_RESPONSES}),
    historikk=extend_schema(tags=TAGS, parameters=[VAKT_PK]),
)
class VakttilleggViewSet(SchemaSafeMixin, HistoryMixin, IdempotentCreateMixin, VersionedRetrieveMixin, VersionedDestroyMixin,
                         mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Tillegg på en vakt, til lønn: en reise (`art` «reise» med `minutter_hver_vei`, 1–1440; SFS
    2305 § 9.4 betaler reisetid per påbegynte halvtime ut over 30 minutter hver vei) eller arbeid i
    legevaktsentralen (`art` «legevaktsentral» med `timer`, flere enn null og høyst vaktens lengde;
    § 8.2 betaler et tillegg per time). Feltet som ikke hører til arten, må være tomt. Vakten må være
    aktiv (ikke avlyst). Tilleggene er vertskommunens lønnsgrunnlag: bare vertskommunen ser og endrer
    dem (403 for en deltakerkommune). Sletting krever If-Match. Lesing: legevakt:les; endring:
    legevakt:skriv."""

    omrade = "legevakt"
    serializer_class = VakttilleggSerializer
    lookup_value_regex = "[0-9]+"
    filter_backends: list = []

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if hasattr(self, request.method.lower()):  # otherwise the view answers 405 (no scope needed)
            self.vakt = get_object_or_404(Vakt.objects.select_related("distrikt"), pk=kwargs["vakt_pk"])
            tillegg_services.krev_innsyn(self.vakt)

    def get_queryset(self):
        if self.generating_schema:
            return Vakttillegg.objects.none()
        return Vakttillegg.objects.filter(vakt=self.vakt).order_by("id")

    def get_object(self):
        tillegg = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        tillegg.vakt = self.vakt
        self.check_object_permissions(self.request, tillegg)
        return tillegg

    def perform_create(self, serializer):
        serializer.instance = tillegg_services.add_tillegg(vakt=self.vakt, **serializer.validated_data)

    def get_success_headers(self, data):
        return {"Location": f"{self.request.path}{data['id']}/", "ETag": etag(data["versjon"])}

    def perform_versioned_destroy(self, instance, expected_version):
        tillegg_services.delete_tillegg(tillegg=instance, expected_version=expected_version)
