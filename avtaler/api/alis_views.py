"""ALIS API: ALIS-avtaler with their elements, lawful absence, service time and supervision, the
progress towards the specialisation with its shortfalls, the kommune's grant rates and the grant
claim basis (Nasjonal ALIS og veiledning). Thin views over avtaler.alis_services and
avtaler.alis_selectors; the same FilterSets as the pages (avtaler.alis_filters). Every refusal is
the service's, naming the rule."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, views, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from avtaler import alis_selectors, alis_services
from avtaler.alis_filters import AlisavtaleFilter, AlisSatsFilter
from avtaler.alis_forms import last_refusjon_period
from avtaler.api.alis_serializers import (
    AlisavtaleEndringSerializer,
    AlisavtaleSerializer,
    AlisElementSerializer,
    AlisElementSluttSerializer,
    AlisFravaerSerializer,
    AlisSatsEndringSerializer,
    AlisSatsSerializer,
    AlisTjenesteSerializer,
    AlisVeiledningSerializer,
    AvsluttSerializer,
    GrunnlagPeriodeSerializer,
    ProgresjonSerializer,
    TilskuddSerializer,
    TilskuddsgrunnlagSerializer,
)
from avtaler.models import Alisavtale, AlisElement, AlisFravaer, AlisSats, AlisTjeneste, AlisVeiledning
from core.api.concurrency import VersionedDestroyMixin, VersionedRetrieveMixin, etag, expected_version
from core.api.history import HistoryMixin
from core.api.idempotency import IdempotentCreateMixin
from core.exceptions import StaleVersion
from kommune.api.views import IDEMPOTENCY_KEY, IF_MATCH
from kommune.permissions import kan_se_helseopplysninger
from lister.api.mixins import PRECONDITION_RESPONSES, SchemaSafeMixin, VersionedPatchMixin, kommune_in_scope
from lister.api.views import as_of

AVTALE_PK = OpenApiParameter("avtale_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="ALIS-avtalens id.")
DATO = OpenApiParameter(
    "dato", OpenApiTypes.DATE, OpenApiParameter.QUERY, required=False,
    description="Fremdriften og manglene per denne datoen (standard: i dag).",
)
VEILEDNING_IF_MATCH = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description="Valgfri: ETag-verdien fra siste GET av måneden, når en registrert måned endres. 412 når den er endret.",
)
TAGS = ["alis"]


def _location(request, pk: int) -> str:
    return f"{request.path}{pk}/"


# --- the avtale ---------------------------------------------------------------------------------------

@extend_schema_view(
    list=extend_schema(summary="Kommunens ALIS-avtaler", tags=TAGS),
    create=extend_schema(summary="Registrer en ALIS-avtale", tags=TAGS, parameters=[IDEMPOTENCY_KEY]),
    retrieve=extend_schema(summary="Én ALIS-avtale", tags=TAGS),
    partial_update=extend_schema(summary="Endre ALIS-avtalens vilkår", tags=TAGS, parameters=[IF_MATCH]),
    historikk=extend_schema(tags=TAGS),
)
class AlisavtaleViewSet(SchemaSafeMixin, HistoryMixin, IdempotentCreateMixin, VersionedRetrieveMixin, VersionedPatchMixin,
                        mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """ALIS-avtalene (Helsedirektoratets obligatoriske mal): kommunen og en lege i spesialisering i
    allmennmedisin, på grunnlag av en fastlegeavtale, en vikarperiode, en introduksjonsavtale eller
    en annen kommunal stilling (`relasjon`). Minst 50 % stilling; gjelder fra signering; veilederen
    er spesialist i allmennmedisin eller har Helsedirektoratets unntak. `opphorer` er avledet: det
    tidligste av registrert slutt, det underliggende forholdets slutt, avslått tilskudd og
    femårsgrensen (fem år ved full tid, forlenget for deltid og lovfestet fravær). Lesing:
    avtaler:les; endring: avtaler:skriv."""

    filterset_class = AlisavtaleFilter
    omrade = "avtaler"
    lookup_value_regex = "[0-9]+"

    def get_serializer_class(self):
        return AlisavtaleEndringSerializer if self.action == "partial_update" else AlisavtaleSerializer

    def get_queryset(self):
        return Alisavtale.objects.none() if self.generating_schema else alis_selectors.alisavtale_list()

    def get_object(self):
        avtale = alis_selectors.get_alisavtale(pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, avtale)
        return avtale

    def perform_create(self, serializer):
        avtale = alis_services.create_alisavtale(kommune=kommune_in_scope(self.request), **serializer.validated_data)
        serializer.instance = alis_selectors.get_alisavtale(pk=avtale.pk)

    def perform_versioned_update(self, instance, validated_data, expected_version):
        alis_services.update_alisavtale(avtale=instance, expected_version=expected_version, **validated_data)
        return alis_selectors.get_alisavtale(pk=instance.pk)

    def get_success_headers(self, data):
        return {"Location": _location(self.request, data["id"]), "ETag": etag(data["versjon"])}

    def _shown(self, avtale_pk: int) -> Response:
        avtale = alis_selectors.get_alisavtale(pk=avtale_pk)
        return Response(AlisavtaleSerializer(avtale).data, headers={"ETag": etag(avtale.versjon)})

    @extend_schema(
        summary="Avslutt ALIS-avtalen", tags=TAGS, parameters=[IF_MATCH], request=AvsluttSerializer,
        responses={200: AlisavtaleSerializer, **PRECONDITION_RESPONSES},
    )
    @action(detail=True, methods=["post"], url_path="avslutt")
    def avslutt(self, request, pk=None):
        """Registrerer sluttdato (første dag avtalen ikke gjelder) og sluttårsak. Ikke senere enn
        avtalen ville opphørt av seg selv; elementer som løper lenger, avsluttes samtidig. Krever
        If-Match med avtalens ETag."""
        avtale = self.get_object()
        version = expected_version(request, avtale)
        data = AvsluttSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        alis_services.end_alisavtale(avtale=avtale, expected_version=version, **data.validated_data)
        return self._shown(avtale.pk)

    @extend_schema(
        summary="Registrer tilskuddsstatus (Nasjonal ALIS og veiledning)", tags=TAGS, parameters=[IF_MATCH],
        request=TilskuddSerializer, responses={200: AlisavtaleSerializer, **PRECONDITION_RESPONSES},
    )
    @action(detail=True, methods=["post"], url_path="tilskudd")
    def tilskudd(self, request, pk=None):
        """Søkt, innvilget eller avslått. En lege i vikarbyrå og et vikariat på tre måneder eller
        mindre gir ikke rett til tilskudd; et avslag avslutter avtalen fra datoen (Helsedirektoratets
        mal). Krever If-Match med avtalens ETag."""
        avtale = self.get_object()
        version = expected_version(request, avtale)
        data = TilskuddSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        alis_services.record_tilskudd(avtale=avtale, expected_version=version, **data.validated_data)
        return self._shown(avtale.pk)

    @extend_schema(summary="Fremdrift mot spesialiseringen og neste mangel", tags=TAGS, parameters=[DATO],
                   responses=ProgresjonSerializer)
    @action(detail=True, methods=["get"], url_path="progresjon", filter_backends=[])
    def progresjon(self, request, pk=None):
        """Tjenestetid per type med krav og det som gjenstår, individuell veiledning per avtaleår
        (timer, krav 4 timer × 10,5 måneder, forventet så langt, henger etter), gruppeveiledning
        (120 timer, 60 i åpen praksis) og manglene med frist, tidligste først. Desimaltall er
        strenger, datoer ISO 8601."""
        avtale = self.get_object()
        day = as_of(request) or timezone.localdate()
        return Response(ProgresjonSerializer(alis_selectors.progresjon(avtale, on=day)).data)


class AlisChildMixin(SchemaSafeMixin):
    """Nested under `alisavtaler/{avtale_pk}/`: the avtale is looked up in the kommune first
    (another kommune's, or none: 404)."""

    omrade = "avtaler"
    lookup_value_regex = "[0-9]+"

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not hasattr(self, request.method.lower()):
            return  # the view answers 405 (no scope needed)
        self.avtale = get_object_or_404(alis_selectors.alisavtale_list(), pk=kwargs["avtale_pk"])

    def get_object(self):
        obj = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, obj)
        return obj

    def get_success_headers(self, data):
        return {"Location": _location(self.request, data["id"]), "ETag": etag(data["versjon"])}


# --- elements ------------------------------------------------------------------------------------------

@extend_schema_view(
    list=extend_schema(summary="ALIS-avtalens elementer", tags=TAGS, parameters=[AVTALE_PK]),
    create=extend_schema(summary="Registrer et element", tags=TAGS, parameters=[AVTALE_PK, IDEMPOTENCY_KEY]),
    retrieve=extend_schema(summary="Ett element", tags=TAGS, parameters=[AVTALE_PK]),
    partial_update=extend_schema(summary="Avslutt elementet (opphører)", tags=TAGS, parameters=[AVTALE_PK, IF_MATCH]),
    historikk=extend_schema(tags=TAGS, parameters=[AVTALE_PK]),
)
class AlisElementViewSet(AlisChildMixin, HistoryMixin, IdempotentCreateMixin, VersionedRetrieveMixin, VersionedPatchMixin,
                         mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Avtalens elementer etter malen: standardelementer med statlig tilskudd, tilleggselementer
    (særskilte rekrutteringsutfordringer) og elementer kommunen finansierer selv, hvert i en
    periode innenfor avtalen (samme element kan ikke overlappe seg selv). PATCH setter `til`
    (If-Match). Lesing: avtaler:les; endring: avtaler:skriv."""

    def get_serializer_class(self):
        return AlisElementSluttSerializer if self.action == "partial_update" else AlisElementSerializer

    def get_queryset(self):
        return AlisElement.objects.none() if self.generating_schema else alis_selectors.elementer_for(avtale=self.avtale)

    def perform_create(self, serializer):
        serializer.instance = alis_services.add_alis_element(avtale=self.avtale, **serializer.validated_data)

    def perform_versioned_update(self, instance, validated_data, expected_version):
        return alis_services.end_alis_element(element=instance, expected_version=expected_version, til=validated_data["til"])


# --- absence -------------------------------------------------------------------------------------------

@extend_schema_view(
    list=extend_schema(summary="Lovfestet fravær under ALIS-avtalen", tags=TAGS, parameters=[AVTALE_PK]),
    create=extend_schema(summary="Registrer fravær", tags=TAGS, parameters=[AVTALE_PK, IDEMPOTENCY_KEY]),
    retrieve=extend_schema(summary="Ett fravær", tags=TAGS, parameters=[AVTALE_PK]),
    destroy=extend_schema(summary="Slett et feilregistrert fravær", tags=TAGS, parameters=[AVTALE_PK, IF_MATCH],
                          responses={204: None, **PRECONDITION_RESPONSES}),
    historikk=extend_schema(tags=TAGS, parameters=[AVTALE_PK]),
)
class AlisFravaerViewSet(AlisChildMixin, HistoryMixin, IdempotentCreateMixin, VersionedRetrieveMixin, VersionedDestroyMixin,
                         mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Lovfestet fravær (foreldrepermisjon, sykefravær, annen lovfestet permisjon, militærtjeneste)
    forlenger femårsgrensen dag for dag. `til` er første dag legen er tilbake; fravær kan ikke
    overlappe. Sletting krever If-Match. Lesing: avtaler:les; endring: avtaler:skriv."""

    serializer_class = AlisFravaerSerializer

    def history_hidden_fields(self) -> frozenset[str]:
        return frozenset() if kan_se_helseopplysninger(getattr(self.request, "auth", None)) else frozenset({"type"})

    def get_queryset(self):
        return AlisFravaer.objects.none() if self.generating_schema else alis_selectors.fravaer_for(avtale=self.avtale)

    def perform_create(self, serializer):
        serializer.instance = alis_services.add_alis_fravaer(avtale=self.avtale, **serializer.validated_data)

    def perform_versioned_destroy(self, instance, expected_version):
        with transaction.atomic():
            locked = AlisFravaer.objects.select_for_update().get(pk=instance.pk)
            if locked.versjon != expected_version:
                raise StaleVersion()
            alis_services.delete_alis_fravaer(fravaer=locked)


# --- service time ----------------------------------------------------------------------------------------

@extend_schema_view(
    list=extend_schema(summary="Tjenestetid mot spesialiseringen", tags=TAGS, parameters=[AVTALE_PK]),
    create=extend_schema(summary="Registrer en tjenesteperiode", tags=TAGS, parameters=[AVTALE_PK, IDEMPOTENCY_KEY]),
    retrieve=extend_schema(summary="Én tjenesteperiode", tags=TAGS, parameters=[AVTALE_PK]),
    historikk=extend_schema(tags=TAGS, parameters=[AVTALE_PK]),
)
class AlisTjenesteViewSet(AlisChildMixin, HistoryMixin, IdempotentCreateMixin, VersionedRetrieveMixin,
                          mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Tjeneste per type (åpen uselektert allmennpraksis minst to år, annen allmennmedisinsk
    tjeneste, institusjonstjeneste minst seks måneder) i minst 50 % stilling; deltid teller
    forholdsmessig. Institusjonstjeneste utenfor kommunen dekkes ikke av avtalen (ikke tilskudd).
    Lesing: avtaler:les; endring: avtaler:skriv."""

    serializer_class = AlisTjenesteSerializer

    def get_queryset(self):
        return AlisTjeneste.objects.none() if self.generating_schema else alis_selectors.tjeneste_for(avtale=self.avtale)

    def perform_create(self, serializer):
        serializer.instance = alis_services.add_alis_tjeneste(avtale=self.avtale, **serializer.validated_data)


# --- supervision ------------------------------------------------------------------------------------------

class _UpsertCreateMixin:
    """POST records a month: 201 when new, 200 when a recorded month is replaced (optionally with
    If-Match of that month)."""

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        existing = self.get_queryset().filter(maned=data["maned"]).first()
        version = expected_version(request, existing) if existing is not None and request.headers.get("If-Match") else None
        rad = alis_services.record_veiledning(avtale=self.avtale, expected_version=version, **data)
        body = self.get_serializer(self.get_queryset().get(pk=rad.pk)).data
        headers = {"Location": _location(request, body["id"]), "ETag": etag(body["versjon"])}
        return Response(body, status=status.HTTP_200_OK if existing else status.HTTP_201_CREATED, headers=headers)


@extend_schema_view(
    list=extend_schema(summary="Veiledning per måned", tags=TAGS, parameters=[AVTALE_PK]),
    create=extend_schema(
        summary="Registrer eller erstatt veiledningen for en måned", tags=TAGS,
        parameters=[AVTALE_PK, IDEMPOTENCY_KEY, VEILEDNING_IF_MATCH],
        responses={200: AlisVeiledningSerializer, 201: AlisVeiledningSerializer, 412: PRECONDITION_RESPONSES[412]},
    ),
    retrieve=extend_schema(summary="Én måneds veiledning", tags=TAGS, parameters=[AVTALE_PK]),
    historikk=extend_schema(tags=TAGS, parameters=[AVTALE_PK]),
)
class AlisVeiledningViewSet(AlisChildMixin, HistoryMixin, IdempotentCreateMixin, VersionedRetrieveMixin, _UpsertCreateMixin,
                            mixins.ListModelMixin, viewsets.GenericViewSet):
    """Timer individuell veiledning og gruppeveiledning per kalendermåned (`maned` er den første
    dagen i måneden; ikke i fremtiden, innenfor avtalen). Individuell veiledning: i snitt minst fire
    timer per måned i 10,5 måneder per avtaleår; gruppeveiledning 120 timer over to år, 60 av dem i
    åpen uselektert praksis. POST av en registrert måned erstatter timene (200). Lesing:
    avtaler:les; endring: avtaler:skriv."""

    serializer_class = AlisVeiledningSerializer

    def get_queryset(self):
        return AlisVeiledning.objects.none() if self.generating_schema else alis_selectors.veiledning_for(avtale=self.avtale)


# --- rates -------------------------------------------------------------------------------------------------

@extend_schema_view(
    list=extend_schema(summary="Kommunens tilskuddssatser for ALIS", tags=TAGS),
    create=extend_schema(summary="Registrer en tilskuddssats", tags=TAGS, parameters=[IDEMPOTENCY_KEY]),
    retrieve=extend_schema(summary="Én tilskuddssats", tags=TAGS),
    partial_update=extend_schema(summary="Endre en tilskuddssats", tags=TAGS, parameters=[IF_MATCH]),
    historikk=extend_schema(tags=TAGS),
)
class AlisSatsViewSet(SchemaSafeMixin, HistoryMixin, IdempotentCreateMixin, VersionedRetrieveMixin, VersionedPatchMixin,
                      mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Kommunens egen satstabell for tilskuddsordningen Nasjonal ALIS og veiledning: beløp per
    måned ved full stilling for et element fra en dato, for én tilknytning eller (tom) alle.
    Kommunen vedlikeholder beløpene selv; de følger ikke med systemet. Lesing: avtaler:les;
    endring: avtaler:skriv."""

    filterset_class = AlisSatsFilter
    omrade = "avtaler"
    lookup_value_regex = "[0-9]+"

    def get_serializer_class(self):
        return AlisSatsEndringSerializer if self.action == "partial_update" else AlisSatsSerializer

    def get_queryset(self):
        return AlisSats.objects.none() if self.generating_schema else alis_selectors.sats_list()

    def get_object(self):
        sats = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, sats)
        return sats

    def perform_create(self, serializer):
        serializer.instance = alis_services.create_alis_sats(kommune=kommune_in_scope(self.request), **serializer.validated_data)

    def perform_versioned_update(self, instance, validated_data, expected_version):
        return alis_services.update_alis_sats(sats=instance, expected_version=expected_version, **validated_data)

    def get_success_headers(self, data):
        return {"Location": _location(self.request, data["id"]), "ETag": etag(data["versjon"])}


# --- the grant claim basis --------------------------------------------------------------------------------

@extend_schema(
    summary="Tilskuddsgrunnlag for ALIS (refusjonskrav)", tags=TAGS,
    parameters=[
        OpenApiParameter("fra", OpenApiTypes.DATE, OpenApiParameter.QUERY, required=False,
                         description="Fra og med (standard: starten av siste hele refusjonsperiode, 1. september)."),
        OpenApiParameter("til", OpenApiTypes.DATE, OpenApiParameter.QUERY, required=False,
                         description="Til og med (standard: slutten av siste hele refusjonsperiode, 31. mai)."),
    ],
    responses=TilskuddsgrunnlagSerializer,
)
class TilskuddsgrunnlagView(views.APIView):
    """Grunnlaget for kommunens refusjonskrav (Nasjonal ALIS og veiledning) for en kravperiode:
    per ALIS-avtale månedene avtalen teller (fra signering, uten lovfestet fravær og
    institusjonstjeneste utenfor kommunen), elementene med beløp etter kommunens satser ganger
    stillingsandelen, og om avtalen gir rett til tilskudd (med begrunnelse). Lesing: avtaler:les."""

    omrade = "avtaler"

    def get(self, request):
        fra, til = last_refusjon_period()
        periode = GrunnlagPeriodeSerializer(data={
            "fra": request.query_params.get("fra") or fra.isoformat(), "til": request.query_params.get("til") or til.isoformat()})
        periode.is_valid(raise_exception=True)
        rows = alis_selectors.tilskuddsgrunnlag(**periode.validated_data)
        return Response(TilskuddsgrunnlagSerializer({
            **periode.validated_data, "rader": rows,
            "maneder": sum((r.maneder for r in rows), Decimal(0)), "sum": sum((r.total for r in rows), Decimal(0)),
            "antall_berettiget": sum(1 for r in rows if r.berettiget),
        }).data)
