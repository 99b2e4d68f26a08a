"""8.2-avtale API (økonomiske samarbeidsavtaler, ASA 4310 pkt. 8.2): the avtaler, their payments
ledger, and the three-year look-back used when a practice is sold. Thin views over
avtaler.okonomi_services and avtaler.okonomi_selectors; every refusal is the service's."""

from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from avtaler import okonomi_selectors as selectors
from avtaler import okonomi_services as services
from avtaler.api.okonomi_serializers import (
    OkonomiAvsluttSerializer,
    OkonomiavtaleEndringSerializer,
    OkonomiavtaleSerializer,
    OkonomibetalingSerializer,
    TilbakeblikkSerializer,
)
from avtaler.models import Okonomiavtale, Okonomibetaling
from core.api.concurrency import VersionedRetrieveMixin, etag, expected_version
from core.api.history import HistoryMixin
from core.api.idempotency import IdempotentCreateMixin
from kommune.api.views import IDEMPOTENCY_KEY, IF_MATCH
from lister.api.mixins import PRECONDITION_RESPONSES, SchemaSafeMixin, VersionedPatchMixin, kommune_in_scope

TAGS = ["okonomiavtaler"]
AVTALE_PK = OpenApiParameter("avtale_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="8.2-avtalens id.")
PER = OpenApiParameter(
    "per", OpenApiTypes.DATE, OpenApiParameter.QUERY, required=False,
    description="Datoen summen gjelder for (ÅÅÅÅ-MM-DD); tom: i dag. Perioden er de tre årene før datoen.",
)


@extend_schema_view(
    list=extend_schema(summary="Kommunens 8.2-avtaler med treårssummen per i dag", tags=TAGS),
    create=extend_schema(summary="Opprett en 8.2-avtale", tags=TAGS, parameters=[IDEMPOTENCY_KEY]),
    retrieve=extend_schema(summary="Én 8.2-avtale", tags=TAGS),
    partial_update=extend_schema(summary="Endre 8.2-avtalen", tags=TAGS, parameters=[IF_MATCH]),
    historikk=extend_schema(tags=TAGS),
)
class OkonomiavtaleViewSet(SchemaSafeMixin, HistoryMixin, IdempotentCreateMixin, VersionedRetrieveMixin, VersionedPatchMixin,
                           mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """8.2-avtaler (økonomisk samarbeidsavtale, rammeavtalen ASA 4310 pkt. 8.2): kommunen støtter
    en næringsdrivende fastleges praksis økonomisk eller praktisk (lokaler, utstyr, hjelpepersonell,
    EPJ, inntektsgaranti, driftstilskudd), som avvik fra hovedregelen i pkt. 8.1/8.2 om drift uten
    økonomisk medvirkning fra kommunen. Fastlegeavtalen må ha økonomisk modell asa4310_8_2, og
    perioden må ligge innenfor fastlegeavtalens. Betalingene i begge retninger føres under
    `{id}/betalinger/`; `{id}/tilbakeblikk/?per=` gir summen ut over basistilskudd de tre årene før
    en dato, som tas i betraktning ved salg av praksisen. Lesing: avtaler:les; endring: avtaler:skriv."""

    omrade = "avtaler"
    lookup_value_regex = "[0-9]+"

    def get_serializer_class(self):
        return OkonomiavtaleEndringSerializer if self.action == "partial_update" else OkonomiavtaleSerializer

    def get_queryset(self):
        return Okonomiavtale.objects.none() if self.generating_schema else selectors.okonomiavtale_list()

    def get_object(self):
        avtale = selectors.get_okonomiavtale(pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, avtale)
        return avtale

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.setdefault("ytelser", [])
        data.setdefault("beskrivelse", "")
        avtale = services.create_okonomiavtale(kommune=kommune_in_scope(self.request), **data)
        serializer.instance = selectors.get_okonomiavtale(pk=avtale.pk)

    def perform_versioned_update(self, instance, validated_data, expected_version):
        services.update_okonomiavtale(avtale=instance, expected_version=expected_version, **validated_data)
        return selectors.get_okonomiavtale(pk=instance.pk)

    def get_success_headers(self, data):
        return {"Location": f"{self.request.path}{data['id']}/", "ETag": etag(data["versjon"])}

    @extend_schema(
        summary="Avslutt 8.2-avtalen", tags=TAGS, parameters=[IF_MATCH], request=OkonomiAvsluttSerializer,
        responses={200: OkonomiavtaleSerializer, **PRECONDITION_RESPONSES},
    )
    @action(detail=True, methods=["post"], url_path="avslutt")
    def avslutt(self, request, pk=None):
        """Avtalen opphører på `sluttdato` (første dag den ikke gjelder): etter startdatoen, etter
        siste registrerte betaling og ikke senere enn en avtalt sluttdato. Betalingene blir stående
        og regnes med i treårssummen. Krever If-Match med avtalens ETag."""
        avtale = self.get_object()
        version = expected_version(request, avtale)
        data = OkonomiAvsluttSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.end_okonomiavtale(avtale=avtale, expected_version=version, **data.validated_data)
        avtale = selectors.get_okonomiavtale(pk=avtale.pk)
        return Response(OkonomiavtaleSerializer(avtale).data, headers={"ETag": etag(avtale.versjon)})

    @extend_schema(
        summary="Sum ut over basistilskudd de tre årene før en dato (salg av praksis)", tags=TAGS, parameters=[PER],
        responses={200: TilbakeblikkSerializer},
    )
    @action(detail=True, methods=["get"], url_path="tilbakeblikk", filter_backends=[], pagination_class=None)
    def tilbakeblikk(self, request, pk=None):
        """Det fastlegen har fått fra kommunen ut over basistilskuddet i de tre årene før `per`
        (regelen okonomi_tilbakeblikk_ar; rammeavtalen ASA 4310, revidert 1. april 2024): betalinger
        med fra ≤ dato < per, der fra er per minus tre år (29. februar blir 28. februar), fra
        kommunen til legen i alle kategorier unntatt basistilskudd, for alle 8.2-avtalene på
        fastlegeavtalen til denne avtalen. Basistilskudd og betalinger fra legen til kommunen vises
        ved siden av, per år og per kategori, med betalingene."""
        avtale = self.get_object()
        per = _per(request)
        result = selectors.tilbakeblikk(fastlegeavtale=avtale.fastlegeavtale, on=per)
        return Response(TilbakeblikkSerializer(result).data)


def _per(request) -> dt.date:
    value = request.query_params.get("per", "").strip()
    if not value:
        return timezone.localdate()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise serializers.ValidationError({"per": [_("Oppgi en dato som ÅÅÅÅ-MM-DD.")]}) from None


@extend_schema_view(
    list=extend_schema(summary="Betalingene under 8.2-avtalen", tags=TAGS, parameters=[AVTALE_PK]),
    create=extend_schema(summary="Registrer en betaling", tags=TAGS, parameters=[AVTALE_PK, IDEMPOTENCY_KEY]),
    retrieve=extend_schema(summary="Én betaling", tags=TAGS, parameters=[AVTALE_PK]),
    partial_update=extend_schema(summary="Rett en betaling", tags=TAGS, parameters=[AVTALE_PK, IF_MATCH]),
    historikk=extend_schema(tags=TAGS, parameters=[AVTALE_PK]),
)
class OkonomibetalingViewSet(SchemaSafeMixin, HistoryMixin, IdempotentCreateMixin, VersionedRetrieveMixin, VersionedPatchMixin,
                             mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Betalingene under en 8.2-avtale, i begge retninger (fra kommunen til legen, eller fra
    legen til kommunen), med dato, kategori og beløp. Datoen ligger i avtaleperioden og ikke i
    fremtiden; beløpet er positivt med høyst to desimaler; en andel av basistilskudd eller refusjoner
    betales fra legen til kommunen. En rettelse (PATCH, If-Match) beholder de gamle verdiene i
    historikken. Lesing: avtaler:les; endring: avtaler:skriv."""

    omrade = "avtaler"
    lookup_value_regex = "[0-9]+"
    serializer_class = OkonomibetalingSerializer

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not hasattr(self, request.method.lower()):
            return  # the view answers 405 (no scope needed)
        self.avtale = get_object_or_404(Okonomiavtale.objects.all(), pk=kwargs["avtale_pk"])

    def get_queryset(self):
        return Okonomibetaling.objects.none() if self.generating_schema else selectors.betalinger_for(avtale=self.avtale)

    def get_object(self):
        betaling = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, betaling)
        return betaling

    def perform_create(self, serializer):
        serializer.instance = services.record_betaling(avtale=self.avtale, **serializer.validated_data)

    def perform_versioned_update(self, instance, validated_data, expected_version):
        return services.update_betaling(betaling=instance, expected_version=expected_version, **validated_data)

    def get_success_headers(self, data):
        return {"Location": f"{self.request.path}{data['id']}/", "ETag": etag(data["versjon"])}
