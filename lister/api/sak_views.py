"""Vacancy-case API: the cases (with their derived phase and hjemfall status), their
advertisements and applicants, and cover of a list other than a vikar period. Thin views over
lister.sak_services and lister.sak_selectors; every refusal is the service's, naming the rule."""

from __future__ import annotations

import django_filters
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from core.api.concurrency import VersionedDestroyMixin, VersionedRetrieveMixin, etag
from core.api.history import HistoryMixin
from core.api.idempotency import IdempotentCreateMixin
from kommune.api.views import IDEMPOTENCY_KEY, IF_MATCH
from kommune.filters import StrictBooleanFilter
from lister import sak_selectors, sak_services
from lister.api.mixins import PRECONDITION_RESPONSES, SchemaSafeMixin, VersionedPatchMixin
from lister.api.sak_serializers import (
    DekningSerializer,
    DekningSluttSerializer,
    LedighetssakEndringSerializer,
    LedighetssakSerializer,
    SokerSerializer,
    UtlysningSerializer,
)
from lister.models import Dekning, Dekningstype, Ledighetssak, Pasientliste, Soker, Utlysning

TAGS = ["lister"]
SAK_PK = OpenApiParameter("sak_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="Ledighetssakens id.")


def _location(request, pk: int) -> str:
    return f"{request.path}{pk}/"


def _lister(request):
    return Pasientliste.objects.order_by("id")


class LedighetssakFilter(django_filters.FilterSet):
    apen = StrictBooleanFilter(label=_("Åpen (ikke avsluttet per i dag)"))
    pasientliste = django_filters.ModelChoiceFilter(queryset=_lister, label=_("Pasientliste"))

    class Meta:
        model = Ledighetssak
        fields = ["apen", "pasientliste"]


class DekningFilter(django_filters.FilterSet):
    pasientliste = django_filters.ModelChoiceFilter(queryset=_lister, label=_("Pasientliste"))
    type = django_filters.ChoiceFilter(choices=Dekningstype.choices, label=_("Type"))

    class Meta:
        model = Dekning
        fields = ["pasientliste", "type"]


# --- the cases -----------------------------------------------------------------------------------

@extend_schema_view(
    list=extend_schema(summary="Kommunens ledighetssaker", tags=TAGS),
    create=extend_schema(summary="Åpne en ledighetssak", tags=TAGS, parameters=[IDEMPOTENCY_KEY]),
    retrieve=extend_schema(summary="Én ledighetssak med hjemfallstatus", tags=TAGS),
    partial_update=extend_schema(summary="Endre ledighetssaken (datoer, årsak, merknad, avslutning)", tags=TAGS,
                                 parameters=[IF_MATCH]),
    historikk=extend_schema(tags=TAGS),
)
class LedighetssakViewSet(SchemaSafeMixin, HistoryMixin, IdempotentCreateMixin, VersionedRetrieveMixin, VersionedPatchMixin,
                          mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Ledighetssaker: åpnes når en avgang blir kjent (oppsigelse, heving, dødsfall, tap av
    autorisasjon: av seg selv fra fastlegeavtalen) eller en ny liste opprettes, og avsluttes når en
    ny fastlegeperiode begynner. `fase` er avledet (kunngjort, ledig, avsluttet). For næringsdrivende
    fastleger i kommuner som følger ASA 4310 beregnes kommunens vikarplikt (`kostnadsperiode_til`,
    seks måneder etter oppsigelsestiden). `hjemfall` viser hvert vilkår (ASA 4310, næringsdrivende,
    minst tolv måneder siden oppsigelsen, minst tre korrekte utlysninger, ingen kvalifisert søker).
    Én åpen sak per liste og avgående lege. Lesing: lister:les; endring: lister:skriv."""

    filterset_class = LedighetssakFilter
    omrade = "lister"
    lookup_value_regex = "[0-9]+"

    def get_serializer_class(self):
        return LedighetssakEndringSerializer if self.action == "partial_update" else LedighetssakSerializer

    def get_queryset(self):
        return Ledighetssak.objects.none() if self.generating_schema else sak_selectors.sak_list()

    def get_object(self):
        sak = sak_selectors.get_sak(pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, sak)
        return sak

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        sak = sak_services.open_sak(liste=data.pop("pasientliste"), **data)
        serializer.instance = sak_selectors.get_sak(pk=sak.pk)

    def perform_versioned_update(self, instance, validated_data, expected_version):
        sak_services.update_sak(sak=instance, expected_version=expected_version, **validated_data)
        return sak_selectors.get_sak(pk=instance.pk)

    def get_success_headers(self, data):
        return {"Location": _location(self.request, data["id"]), "ETag": etag(data["versjon"])}


class SakChildMixin(SchemaSafeMixin):
    """Nested under `ledighetssaker/{sak_pk}/`: the case is looked up in the kommune first
    (another kommune's, or none: 404)."""

    omrade = "lister"
    lookup_value_regex = "[0-9]+"

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not hasattr(self, request.method.lower()):
            return  # the view answers 405 (no scope needed)
        self.sak = get_object_or_404(Ledighetssak.objects.all(), pk=kwargs["sak_pk"])

    def get_object(self):
        obj = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, obj)
        return obj

    def get_success_headers(self, data):
        return {"Location": _location(self.request, data["id"]), "ETag": etag(data["versjon"])}


@extend_schema_view(
    list=extend_schema(summary="Sakens utlysninger", tags=TAGS, parameters=[SAK_PK]),
    create=extend_schema(summary="Registrer en utlysning", tags=TAGS, parameters=[SAK_PK, IDEMPOTENCY_KEY]),
    retrieve=extend_schema(summary="Én utlysning", tags=TAGS, parameters=[SAK_PK]),
    partial_update=extend_schema(summary="Endre en utlysning", tags=TAGS, parameters=[SAK_PK, IF_MATCH]),
    destroy=extend_schema(summary="Slett en feilregistrert utlysning", tags=TAGS, parameters=[SAK_PK, IF_MATCH],
                          responses={204: None, **PRECONDITION_RESPONSES}),
    historikk=extend_schema(tags=TAGS, parameters=[SAK_PK]),
)
class UtlysningViewSet(SakChildMixin, HistoryMixin, IdempotentCreateMixin, VersionedRetrieveMixin, VersionedPatchMixin,
                       VersionedDestroyMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Utlysninger av listen (ASA 4310 kap. 5): dato (ikke i fremtiden), søknadsfrist (ikke før
    datoen), kanal, og om utlysningen var korrekt; bare korrekte teller for hjemfall. Lesing:
    lister:les; endring: lister:skriv."""

    serializer_class = UtlysningSerializer

    def get_queryset(self):
        return Utlysning.objects.none() if self.generating_schema else sak_selectors.utlysninger_for(sak=self.sak)

    def perform_create(self, serializer):
        serializer.instance = sak_services.add_utlysning(sak=self.sak, **serializer.validated_data)

    def perform_versioned_update(self, instance, validated_data, expected_version):
        return sak_services.update_utlysning(utlysning=instance, expected_version=expected_version, **validated_data)

    def perform_versioned_destroy(self, instance, expected_version):
        sak_services.delete_utlysning(utlysning=instance, expected_version=expected_version)


@extend_schema_view(
    list=extend_schema(summary="Sakens søkere", tags=TAGS, parameters=[SAK_PK]),
    create=extend_schema(summary="Registrer en søker", tags=TAGS, parameters=[SAK_PK, IDEMPOTENCY_KEY]),
    retrieve=extend_schema(summary="Én søker", tags=TAGS, parameters=[SAK_PK]),
    partial_update=extend_schema(summary="Endre en søker (for eksempel vurderingen)", tags=TAGS, parameters=[SAK_PK, IF_MATCH]),
    historikk=extend_schema(tags=TAGS, parameters=[SAK_PK]),
)
class SokerViewSet(SakChildMixin, HistoryMixin, IdempotentCreateMixin, VersionedRetrieveMixin, VersionedPatchMixin,
                   mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Søkere til listen: navn (påkrevd; ingen fødselsnummer), eventuelt en lege registrert i
    kommunen, når søknaden kom, og kommunens vurdering. En kvalifisert søker (kvalifisert eller
    tilsatt) utelukker hjemfall. Lesing: lister:les; endring: lister:skriv."""

    serializer_class = SokerSerializer

    def get_queryset(self):
        return Soker.objects.none() if self.generating_schema else sak_selectors.sokere_for(sak=self.sak)

    def perform_create(self, serializer):
        soker = sak_services.add_soker(sak=self.sak, **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=soker.pk)

    def perform_versioned_update(self, instance, validated_data, expected_version):
        sak_services.update_soker(soker=instance, expected_version=expected_version, **validated_data)
        return self.get_queryset().get(pk=instance.pk)


# --- cover -------------------------------------------------------------------------------------------

@extend_schema_view(
    list=extend_schema(summary="Dekning av lister uten vikarperiode", tags=TAGS),
    create=extend_schema(summary="Registrer dekning av en liste", tags=TAGS, parameters=[IDEMPOTENCY_KEY]),
    retrieve=extend_schema(summary="Én dekning", tags=TAGS),
    partial_update=extend_schema(summary="Flytt dekningens slutt", tags=TAGS, parameters=[IF_MATCH]),
    destroy=extend_schema(summary="Slett en feilregistrert dekning", tags=TAGS, parameters=[IF_MATCH],
                          responses={204: None, **PRECONDITION_RESPONSES}),
    historikk=extend_schema(tags=TAGS),
)
class DekningViewSet(SchemaSafeMixin, HistoryMixin, IdempotentCreateMixin, VersionedRetrieveMixin, VersionedPatchMixin,
                     VersionedDestroyMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Dekning av en liste uten vikarperiode, så hull er ekte hull: kollegial fraværsdekning
    (kollegene ved kontoret, inntil 56 dager per kalenderår på listen, registreres ikke som
    vikarbruk) eller andre fastleger ved kontoret. Halvåpen periode (`til` er første dag uten
    dekning); to dekninger på samme liste kan ikke overlappe. Lesing: lister:les; endring:
    lister:skriv."""

    filterset_class = DekningFilter
    omrade = "lister"
    lookup_value_regex = "[0-9]+"

    def get_serializer_class(self):
        return DekningSluttSerializer if self.action == "partial_update" else DekningSerializer

    def get_queryset(self):
        return Dekning.objects.none() if self.generating_schema else sak_selectors.dekning_list()

    def get_object(self):
        dekning = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, dekning)
        return dekning

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        dekning = sak_services.add_dekning(liste=data.pop("pasientliste"), **data)
        serializer.instance = self.get_queryset().get(pk=dekning.pk)

    def perform_versioned_update(self, instance, validated_data, expected_version):
        sak_services.end_dekning(dekning=instance, expected_version=expected_version, til=validated_data["til"])
        return self.get_queryset().get(pk=instance.pk)

    def perform_versioned_destroy(self, instance, expected_version):
        sak_services.delete_dekning(dekning=instance, expected_version=expected_version)

    def get_success_headers(self, data):
        return {"Location": _location(self.request, data["id"]), "ETag": etag(data["versjon"])}
