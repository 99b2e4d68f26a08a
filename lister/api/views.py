"""Lister API: offices, lists (with status and free places as of a date), who serves them, their
monthly size, and the kommune's capacity. Thin views over lister.services and lister.selectors;
the same FilterSets as the pages (lister.filters)."""

from __future__ import annotations

import dataclasses
import hashlib

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, views, viewsets
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from core.api.concurrency import VersionedRetrieveMixin, VersionedUpdateMixin, etag
from core.api.errors import PreconditionFailed, PreconditionRequired
from core.api.history import HistoryMixin
from core.api.idempotency import IdempotentCreateMixin
from kommune.api.jobb_views import BakgrunnsjobbSerializer
from kommune.api.views import IDEMPOTENCY_KEY, IF_MATCH
from lister import selectors, services
from lister.api.mixins import SchemaSafeMixin, kommune_in_scope
from lister.api.serializers import (
    KapasitetSerializer,
    LegekontorSerializer,
    LegeperiodeSerializer,
    LegeperiodeSluttSerializer,
    ListetallImportSerializer,
    ListetallSerializer,
    PasientlisteEndringSerializer,
    PasientlisteSerializer,
)
from lister.filters import LegekontorFilter, LegeperiodeFilter, ListetallFilter, PasientlisteFilter
from lister.models import Legekontor, Legeperiode, Listetall, Pasientliste

LISTE_PK = OpenApiParameter("liste_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="Pasientlistens id.")
DATO = OpenApiParameter(
    "dato", OpenApiTypes.DATE, OpenApiParameter.QUERY, required=False,
    description="Tallene, statusen og legene per denne datoen (standard: i dag).",
)
PERIODE_IF_MATCH = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True,
    description="ETag-verdien fra siste GET av perioden. 428 uten, 412 når perioden er endret.",
)


def as_of(request):
    """The optional `?dato=` (ISO date); 400 naming `dato` when malformed."""
    raw = request.query_params.get("dato", "")
    if not raw:
        return None
    try:
        return serializers.DateField().run_validation(raw)
    except serializers.ValidationError as exc:
        raise serializers.ValidationError({"dato": exc.detail}) from exc


# --- offices ------------------------------------------------------------------------------------

@extend_schema_view(
    list=extend_schema(summary="Kommunens legekontor", tags=["lister"]),
    create=extend_schema(summary="Registrer et legekontor", tags=["lister"], parameters=[IDEMPOTENCY_KEY]),
    retrieve=extend_schema(summary="Ett legekontor", tags=["lister"]),
    update=extend_schema(summary="Endre et legekontor", tags=["lister"], parameters=[IF_MATCH]),
    partial_update=extend_schema(summary="Endre deler av et legekontor", tags=["lister"], parameters=[IF_MATCH]),
    historikk=extend_schema(tags=["lister"]),
)
class LegekontorViewSet(SchemaSafeMixin, HistoryMixin, IdempotentCreateMixin, VersionedRetrieveMixin, VersionedUpdateMixin,
                        mixins.ListModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Legekontorene i kommunen (navn, organisasjonsnummer med kontrollsiffer, adresse). Registrering
    tar Idempotency-Key; endring krever If-Match. Lesing: lister:les; endring: lister:skriv."""

    serializer_class = LegekontorSerializer
    filterset_class = LegekontorFilter
    omrade = "lister"
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return Legekontor.objects.none() if self.generating_schema else selectors.legekontor_list()

    def get_object(self):
        kontor = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, kontor)
        return kontor

    def perform_create(self, serializer):
        kontor = services.create_legekontor(kommune=kommune_in_scope(self.request), **serializer.validated_data)
        serializer.instance = get_object_or_404(selectors.legekontor_list(), pk=kontor.pk)

    def perform_versioned_update(self, instance, validated_data, expected_version):
        services.update_legekontor(legekontor=instance, expected_version=expected_version, **validated_data)
        return get_object_or_404(selectors.legekontor_list(), pk=instance.pk)

    def get_success_headers(self, data):
        return {"Location": f"{self.request.path}{data['id']}/", "ETag": etag(data["versjon"])}


# --- lists --------------------------------------------------------------------------------------

@extend_schema_view(
    list=extend_schema(summary="Kommunens pasientlister med status og ledige plasser", tags=["lister"]),
    create=extend_schema(summary="Opprett en pasientliste", tags=["lister"], parameters=[IDEMPOTENCY_KEY]),
    retrieve=extend_schema(summary="Én pasientliste", tags=["lister"], parameters=[DATO]),
    update=extend_schema(summary="Endre listens innstillinger", tags=["lister"], parameters=[IF_MATCH]),
    partial_update=extend_schema(summary="Endre deler av listens innstillinger", tags=["lister"], parameters=[IF_MATCH]),
    historikk=extend_schema(tags=["lister"]),
)
class PasientlisteViewSet(SchemaSafeMixin, HistoryMixin, IdempotentCreateMixin, VersionedRetrieveMixin, VersionedUpdateMixin,
                          mixins.ListModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Pasientlistene (hjemlene) med listetak, siste listelengde, ledige plasser (listetak minus
    listelengde, Helsedirektoratets definisjon; negativt over listetaket), avledet status
    (fastlegeforskriften § 10) og legene som betjener listen, per `?dato=` (standard i dag).
    En liste med fastlege får nytt listetak gjennom fastlegeavtalen (§§ 10–11). Lesing:
    lister:les; endring: lister:skriv."""

    filterset_class = PasientlisteFilter
    omrade = "lister"
    lookup_value_regex = "[0-9]+"

    def get_serializer_class(self):
        return PasientlisteEndringSerializer if self.action in ("update", "partial_update") else PasientlisteSerializer

    def get_queryset(self):
        return Pasientliste.objects.none() if self.generating_schema else selectors.pasientliste_list()

    def get_object(self):
        day = as_of(self.request) if self.action == "retrieve" else None
        liste = selectors.get_pasientliste(pk=self.kwargs["pk"], on=day)
        self.check_object_permissions(self.request, liste)
        return liste

    def perform_create(self, serializer):
        liste = services.create_pasientliste(kommune=kommune_in_scope(self.request), **serializer.validated_data)
        serializer.instance = selectors.get_pasientliste(pk=liste.pk)

    def perform_versioned_update(self, instance, validated_data, expected_version):
        services.update_pasientliste(liste=instance, expected_version=expected_version, **validated_data)
        return selectors.get_pasientliste(pk=instance.pk)

    def get_success_headers(self, data):
        return {"Location": f"{self.request.path}{data['id']}/", "ETag": etag(data["versjon"])}


class ListeChildMixin(SchemaSafeMixin):
    """Nested under `pasientlister/{liste_pk}/`: the list is looked up in the kommune before
    anything else (another kommune's list, or none: 404)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if hasattr(self, request.method.lower()):  # otherwise the view answers 405 (no scope needed)
            self.liste = get_object_or_404(Pasientliste.objects.all(), pk=kwargs["liste_pk"])


# --- who serves the list --------------------------------------------------------------------------

def periode_etag(periode: Legeperiode) -> str:
    """A period has no version column; its ETag is a checksum of what the API lets change and shows."""
    raw = "|".join(str(value) for value in (
        periode.pk, periode.lege_id, periode.rolle, periode.vikar_for_id, periode.stillingsprosent, periode.arbeidsdager,
        periode.fra, periode.til, periode.er_fellesliste, periode.begrunnelse_over_100,
    ))
    return f'"p{hashlib.sha256(raw.encode()).hexdigest()[:20]}"'


def _tags(header: str) -> list[str]:
    return [tag.strip() for tag in header.split(",")]


@extend_schema_view(
    list=extend_schema(summary="Legene på listen over tid (fastlege og vikar)", tags=["lister"], parameters=[LISTE_PK]),
    create=extend_schema(summary="Sett en lege på listen for en periode", tags=["lister"], parameters=[LISTE_PK, IDEMPOTENCY_KEY]),
    retrieve=extend_schema(summary="Én periode", tags=["lister"], parameters=[LISTE_PK]),
    partial_update=extend_schema(
        summary="Flytt periodens slutt (avslutt eller forleng)", tags=["lister"], parameters=[LISTE_PK, PERIODE_IF_MATCH],
    ),
    historikk=extend_schema(tags=["lister"], parameters=[LISTE_PK]),
)
class LegeperiodeViewSet(ListeChildMixin, HistoryMixin, IdempotentCreateMixin, mixins.ListModelMixin,
                         mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Hvem som betjener listen: fastlege (LPFL) eller vikar (LPVI, eventuelt for en navngitt lege),
    med stillingsprosent, ukedager og halvåpen periode (`til` er første dag perioden ikke gjelder).
    På en vanlig liste kan to fastlegeperioder ikke overlappe (databasen nekter). Over 100 %
    samlet engasjement for legen en dag (i alle kommuner) krever `begrunnelse_over_100`. En
    vikarperiode har `oppdragsgiver`: «kommunen» (standard; kommunen engasjerer og lønner vikaren)
    eller «fastlegen» (en næringsdrivende fastlege engasjerer og betaler vikaren privat, ikke lønn);
    den settes når perioden opprettes og kan ikke endres. ETag er en sjekksum av perioden; PATCH av
    `til` krever If-Match. Lesing: lister:les; endring: lister:skriv."""

    filterset_class = LegeperiodeFilter
    omrade = "lister"
    lookup_value_regex = "[0-9]+"

    def get_serializer_class(self):
        return LegeperiodeSluttSerializer if self.action == "partial_update" else LegeperiodeSerializer

    def get_queryset(self):
        return Legeperiode.objects.none() if self.generating_schema else selectors.perioder_for(liste=self.liste)

    def get_object(self):
        periode = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, periode)
        return periode

    def perform_create(self, serializer):
        # `oppdragsgiver` passes through; left out or empty, the service gives a vikar «kommunen».
        periode = services.add_legeperiode(liste=self.liste, **serializer.validated_data)
        serializer.instance = self.created = self.get_queryset().get(pk=periode.pk)

    def get_success_headers(self, data):
        return {"Location": f"{self.request.path}{data['id']}/", "ETag": periode_etag(self.created)}

    def retrieve(self, request, *args, **kwargs):
        periode = self.get_object()
        tag = periode_etag(periode)
        if tag in _tags(request.headers.get("If-None-Match", "")):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": tag})
        return Response(self.get_serializer(periode).data, headers={"ETag": tag})

    def partial_update(self, request, *args, **kwargs):
        periode = self.get_object()
        header = request.headers.get("If-Match", "").strip()
        if not header or header == "*":
            raise PreconditionRequired()
        serializer = self.get_serializer(periode, data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            locked = self.get_queryset().select_for_update(of=("self",)).get(pk=periode.pk)
            if periode_etag(locked) not in _tags(header):
                raise PreconditionFailed()
            services.change_legeperiode_end(
                periode=locked, til=serializer.validated_data["til"],
                begrunnelse_over_100=serializer.validated_data.get("begrunnelse_over_100", ""),
            )
        updated = self.get_queryset().get(pk=periode.pk)
        return Response(self.get_serializer(updated).data, headers={"ETag": periode_etag(updated)})


# --- list size ------------------------------------------------------------------------------------

@extend_schema_view(
    list=extend_schema(summary="Listens listelengde over tid", tags=["lister"], parameters=[LISTE_PK]),
    create=extend_schema(summary="Registrer listelengde på en dato", tags=["lister"], parameters=[LISTE_PK, IDEMPOTENCY_KEY]),
    retrieve=extend_schema(summary="Ett listetall", tags=["lister"], parameters=[LISTE_PK]),
    historikk=extend_schema(tags=["lister"], parameters=[LISTE_PK]),
)
class ListetallViewSet(ListeChildMixin, HistoryMixin, IdempotentCreateMixin, VersionedRetrieveMixin,
                       mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Listelengde og venteliste per dato (ett tall per liste og dato), nyeste først. Lesing:
    lister:les; registrering: lister:skriv (Idempotency-Key)."""

    serializer_class = ListetallSerializer
    filterset_class = ListetallFilter
    omrade = "lister"
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return Listetall.objects.none() if self.generating_schema else selectors.listetall_for(liste=self.liste)

    def get_object(self):
        tall = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, tall)
        return tall

    def perform_create(self, serializer):
        serializer.instance = services.record_listetall(liste=self.liste, **serializer.validated_data)

    def get_success_headers(self, data):
        return {"Location": f"{self.request.path}{data['id']}/", "ETag": etag(data["versjon"])}


# --- the monthly import ----------------------------------------------------------------------------

@extend_schema(
    summary="Importer månedlige listetall fra en CSV- eller XLSX-fil (bakgrunnsjobb)", tags=["lister"],
    request={"multipart/form-data": ListetallImportSerializer},
    responses={202: BakgrunnsjobbSerializer},
)
class ListetallImportView(views.APIView):
    """Starter importen av månedlige listetall (Helfo oppdaterer listene den 1. i hver måned).
    Filen kontrolleres straks (filtype, størrelse, personopplysninger, kolonner): en fil med
    fødselsnummer eller andre personopplysninger avvises i sin helhet og lagres ikke (400 på
    `fil`). Ellers svarer tjenesten 202 med jobben og `Location` til
    `/api/v1/bakgrunnsjobber/{id}/`, der status, fremdrift og til slutt resultatet (nye,
    oppdaterte, uendrede tall) eller feilene per rad kan hentes. Én feil i én rad avviser hele
    filen; ingenting lagres. Samme fil to ganger endrer ingenting den andre gangen (tallene
    erstattes med de samme). Endring: lister:skriv."""

    omrade = "lister"
    parser_classes = [MultiPartParser]

    def post(self, request):
        serializer = ListetallImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fil = serializer.validated_data["fil"]
        jobb = services.start_listetall_import(kommune=kommune_in_scope(request), data=fil.read(), filnavn=fil.name)
        return Response(BakgrunnsjobbSerializer(jobb).data, status=status.HTTP_202_ACCEPTED,
                        headers={"Location": reverse("bakgrunnsjobb-detail", kwargs={"pk": jobb.pk})})


# --- capacity -------------------------------------------------------------------------------------

@extend_schema(summary="Kommunens kapasitet: listetak, listelengde og ledige plasser", tags=["lister"],
               parameters=[DATO], responses=KapasitetSerializer)
class KapasitetView(views.APIView):
    """Summen av listetak minus summen av listelengde, for alle lister og for lister med fastlege
    (Helsedirektoratets definisjon av ledige plasser, gitt i `definisjon`). Lesing: lister:les."""

    omrade = "lister"

    def get(self, request):
        day = as_of(request) or timezone.localdate()
        kapasitet = selectors.kapasitet(on=day)
        return Response(KapasitetSerializer({**dataclasses.asdict(kapasitet), "dato": day}).data)
