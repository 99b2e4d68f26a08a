"""Avtaler API: fastlegeavtaler and what hangs on them — signing, notice, extension beyond 70,
listetak changes (and refusing them), other municipal work (§ 32), the kommune's decisions and
the messages to Helfo. Thin views over avtaler.services and avtaler.selectors; the same FilterSets
as the pages (avtaler.filters). Every refusal is the service's, naming the rule."""

from __future__ import annotations

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from avtaler import selectors, services
from avtaler.api.serializers import (
    AvslagSerializer,
    BekreftetSerializer,
    BortfallSerializer,
    FastlegeavtaleEndringSerializer,
    FastlegeavtaleSerializer,
    ForlengelseSerializer,
    HelfoMeldingSerializer,
    KommunalOppgaveSerializer,
    KommunalOppgaveSluttSerializer,
    ListetaksendringSerializer,
    OppsigelseSerializer,
    SendtSerializer,
    SignerSerializer,
    VedtakSerializer,
)
from avtaler.filters import FastlegeavtaleFilter, HelfoMeldingFilter, VedtakFilter
from avtaler.models import Fastlegeavtale, HelfoMelding, KommunalOppgave, ListetakEndring, Vedtak
from core.api.concurrency import VersionedRetrieveMixin, etag, expected_version
from core.api.history import HistoryMixin
from core.api.idempotency import IdempotentCreateMixin
from core.exceptions import StaleVersion
from kommune.api.views import IDEMPOTENCY_KEY, IF_MATCH
from lister.api.mixins import PRECONDITION_RESPONSES, SchemaSafeMixin, VersionedPatchMixin, idempotent, kommune_in_scope

AVTALE_PK = OpenApiParameter("avtale_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="Avtalens id.")
TAGS = ["avtaler"]


def _created(data, location: str | None = None) -> Response:
    headers = {"ETag": etag(data["versjon"])} if "versjon" in data else {}
    if location:
        headers["Location"] = location
    return Response(data, status=status.HTTP_201_CREATED, headers=headers)


def _vedtak_location(vedtak: Vedtak) -> str:
    return reverse("vedtak-detail", kwargs={"pk": vedtak.pk})


# --- the avtale -------------------------------------------------------------------------------------

@extend_schema_view(
    list=extend_schema(summary="Kommunens fastlegeavtaler", tags=TAGS),
    create=extend_schema(summary="Opprett en fastlegeavtale (utkast)", tags=TAGS, parameters=[IDEMPOTENCY_KEY]),
    retrieve=extend_schema(summary="Én fastlegeavtale", tags=TAGS),
    partial_update=extend_schema(summary="Endre avtalens vilkår", tags=TAGS, parameters=[IF_MATCH]),
    historikk=extend_schema(tags=TAGS),
)
class FastlegeavtaleViewSet(SchemaSafeMixin, HistoryMixin, IdempotentCreateMixin, VersionedRetrieveMixin, VersionedPatchMixin,
                            mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Fastlegeavtalene (fastlegeforskriften §§ 8–9): lege, liste, tilknytningsform, økonomisk
    modell, start, listetak (1–2 500; under 500 bare med kommunens godkjenning, § 10), åpningstid og
    lokalisering. `status` og `opphorer` er avledet (oppsigelse, forlengelse eller 70 år, § 12).
    Signering gjør legen til fastlege på listen og lager melding til Helfo. Lesing: avtaler:les;
    endring: avtaler:skriv."""

    filterset_class = FastlegeavtaleFilter
    omrade = "avtaler"
    lookup_value_regex = "[0-9]+"

    def get_serializer_class(self):
        return FastlegeavtaleEndringSerializer if self.action == "partial_update" else FastlegeavtaleSerializer

    def get_queryset(self):
        return Fastlegeavtale.objects.none() if self.generating_schema else selectors.avtale_list()

    def get_object(self):
        avtale = selectors.get_avtale(pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, avtale)
        return avtale

    def perform_create(self, serializer):
        avtale = services.create_avtale(kommune=kommune_in_scope(self.request), **serializer.validated_data)
        serializer.instance = selectors.get_avtale(pk=avtale.pk)

    def perform_versioned_update(self, instance, validated_data, expected_version):
        services.update_avtale(avtale=instance, expected_version=expected_version, **validated_data)
        return selectors.get_avtale(pk=instance.pk)

    def get_success_headers(self, data):
        return {"Location": f"{self.request.path}{data['id']}/", "ETag": etag(data["versjon"])}

    def _shown(self, avtale_pk: int) -> Response:
        avtale = selectors.get_avtale(pk=avtale_pk)
        return Response(FastlegeavtaleSerializer(avtale).data, headers={"ETag": etag(avtale.versjon)})

    @extend_schema(
        summary="Signer avtalen: legen blir fastlege på listen fra startdatoen", tags=TAGS, parameters=[IF_MATCH],
        request=SignerSerializer, responses={200: FastlegeavtaleSerializer, **PRECONDITION_RESPONSES},
    )
    @action(detail=True, methods=["post"], url_path="signer")
    def signer(self, request, pk=None):
        """Legen blir fastlege på listen fra startdatoen (ingen annen fastlege kan overlappe på en
        vanlig liste), listen får avtalens listetak, og et utkast til melding til Helfo (skjema
        05-04.27) lages. Krever If-Match med avtalens ETag."""
        avtale = self.get_object()
        version = expected_version(request, avtale)
        data = SignerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.sign_avtale(avtale=avtale, expected_version=version, **data.validated_data)
        return self._shown(avtale.pk)

    @extend_schema(
        summary="Registrer oppsigelse eller heving (§ 12)", tags=TAGS, parameters=[IDEMPOTENCY_KEY],
        request=OppsigelseSerializer, responses={201: OppsigelseSerializer},
    )
    @action(detail=True, methods=["post"], url_path="oppsigelse")
    def oppsigelse(self, request, pk=None):
        """Seks måneders frist for næringsdrivende (sluttdatoen beregnes); kommunens oppsigelse krever
        saklig grunn; heving bare ved vesentlig mislighold. For kommunalt ansatte oppgis datoen
        arbeidsforholdet opphører. Lager utkast til e-post til Helfo."""
        avtale = self.get_object()

        def effect(request):
            data = OppsigelseSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            oppsigelse = services.record_oppsigelse(avtale=avtale, **data.validated_data)
            return _created(OppsigelseSerializer(oppsigelse).data)

        return idempotent(request, effect)

    @extend_schema(
        summary="Registrer bortfall: dødsfall eller endelig tap av autorisasjon (§ 12)", tags=TAGS, parameters=[IF_MATCH],
        request=BortfallSerializer, responses={200: FastlegeavtaleSerializer, **PRECONDITION_RESPONSES},
    )
    @action(detail=True, methods=["post"], url_path="bortfall")
    def bortfall(self, request, pk=None):
        """Avtalen faller bort straks (fastlegeforskriften § 12): avtalen og fastlegeperioden
        avsluttes på `dato` (første dag avtalen ikke gjelder), et utkast til melding til Helfo med
        e-post lages, og listens ledighetssak åpnes (eller den åpne saken for legen oppdateres).
        Krever If-Match med avtalens ETag."""
        avtale = self.get_object()
        version = expected_version(request, avtale)
        data = BortfallSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.record_bortfall(avtale=avtale, expected_version=version, **data.validated_data)
        return self._shown(avtale.pk)

    @extend_schema(
        summary="Forleng avtalen ut over 70 år (vedtak, § 12)", tags=TAGS, parameters=[IDEMPOTENCY_KEY],
        request=ForlengelseSerializer, responses={201: VedtakSerializer},
    )
    @action(detail=True, methods=["post"], url_path="forlengelse")
    def forlengelse(self, request, pk=None):
        """Tidsbegrenset avtale ut over 70 år, aldri ut over 80 (fastlegeforskriften § 12 tredje
        ledd), registrert som vedtak. Svaret er vedtaket."""
        avtale = self.get_object()

        def effect(request):
            data = ForlengelseSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            vedtak = services.extend_beyond_70(avtale=avtale, **data.validated_data)
            vedtak = selectors.vedtak_list().get(pk=vedtak.pk)
            return _created(VedtakSerializer(vedtak).data, _vedtak_location(vedtak))

        return idempotent(request, effect)


class AvtaleChildMixin(SchemaSafeMixin):
    """Nested under `fastlegeavtaler/{avtale_pk}/`: the avtale is looked up in the kommune first
    (another kommune's, or none: 404)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not hasattr(self, request.method.lower()):
            return  # the view answers 405 (no scope needed)
        self.avtale = get_object_or_404(
            Fastlegeavtale.objects.select_related("lege", "pasientliste__legekontor", "kommune"), pk=kwargs["avtale_pk"]
        )


# --- listetak changes --------------------------------------------------------------------------------

@extend_schema_view(
    list=extend_schema(summary="Avtalens listetaksendringer", tags=TAGS, parameters=[AVTALE_PK]),
    create=extend_schema(summary="Registrer en listetaksendring (§§ 10–11)", tags=TAGS, parameters=[AVTALE_PK, IDEMPOTENCY_KEY]),
    retrieve=extend_schema(summary="Én listetaksendring", tags=TAGS, parameters=[AVTALE_PK]),
    historikk=extend_schema(tags=TAGS, parameters=[AVTALE_PK]),
)
class ListetaksendringViewSet(AvtaleChildMixin, HistoryMixin, IdempotentCreateMixin, VersionedRetrieveMixin,
                              mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Endringer av avtalens listetak: legens krav om reduksjon (seks måneders frist fra kravet
    med mindre kortere frist er avtalt, eventuelt i trinn; Helfo trekker ut), eller en avtalt
    endring. Kommunen kan ikke ensidig redusere listetaket (fastlegeforskriften § 11); under 500
    krever godkjenning (§ 10). Trinn som har trådt i kraft, gjennomføres. Lesing: avtaler:les;
    endring: avtaler:skriv."""

    serializer_class = ListetaksendringSerializer
    omrade = "avtaler"
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return ListetakEndring.objects.none() if self.generating_schema else selectors.listetak_endringer_for(avtale=self.avtale)

    def get_object(self):
        endring = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, endring)
        return endring

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        trinn = [(step["gjelder_fra"], step["listetak"]) for step in data.pop("trinn", [])]
        endring = services.request_listetak_change(avtale=self.avtale, trinn=trinn, **data)
        serializer.instance = self.get_queryset().get(pk=endring.pk)

    def get_success_headers(self, data):
        return {"Location": f"{self.request.path}{data['id']}/", "ETag": etag(data["versjon"])}

    @extend_schema(
        summary="Avslå en listetaksendring (vedtak)", tags=TAGS, parameters=[AVTALE_PK, IF_MATCH],
        request=AvslagSerializer, responses={201: VedtakSerializer, **PRECONDITION_RESPONSES},
    )
    @action(detail=True, methods=["post"], url_path="avslag")
    def avslag(self, request, *args, **kwargs):
        """Kommunen avslår en endring (enkeltvedtak som kan påklages). Legens krav om reduksjon innenfor
        reglene er en rett og kan ikke avslås (fastlegeforskriften § 11). Krever If-Match med
        endringens ETag. Svaret er vedtaket."""
        endring = self.get_object()
        version = expected_version(request, endring)
        data = AvslagSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with transaction.atomic():
            locked = ListetakEndring.objects.select_for_update().get(pk=endring.pk)
            if locked.versjon != version:
                raise StaleVersion()
            vedtak = services.refuse_listetak_change(endring=locked, **data.validated_data)
        vedtak = selectors.vedtak_list().get(pk=vedtak.pk)
        return _created(VedtakSerializer(vedtak).data, _vedtak_location(vedtak))


# --- other municipal GP work (§ 32) --------------------------------------------------------------------

@extend_schema_view(
    list=extend_schema(summary="Avtalens andre kommunale oppgaver (§ 32)", tags=TAGS, parameters=[AVTALE_PK]),
    create=extend_schema(summary="Registrer en kommunal oppgave", tags=TAGS, parameters=[AVTALE_PK, IDEMPOTENCY_KEY]),
    retrieve=extend_schema(summary="Én kommunal oppgave", tags=TAGS, parameters=[AVTALE_PK]),
    partial_update=extend_schema(summary="Avslutt oppgaven (opphører)", tags=TAGS, parameters=[AVTALE_PK, IF_MATCH]),
    historikk=extend_schema(tags=TAGS, parameters=[AVTALE_PK]),
)
class KommunalOppgaveViewSet(AvtaleChildMixin, HistoryMixin, IdempotentCreateMixin, VersionedRetrieveMixin,
                             VersionedPatchMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Andre kommunale allmennlegeoppgaver under avtalen (fastlegeforskriften § 32): timer per uke
    per institusjon, pålagt eller avtalt. Pålagt høyst 7,5 timer per uke ved full tid, forholdsmessig
    mindre ved redusert åpningstid, og bare etter forsøk på frivillig avtale; administrative møter
    regnes med, dialogmøter ikke, legevakt kommer i tillegg. PATCH setter `til` (If-Match).
    Lesing: avtaler:les; endring: avtaler:skriv."""

    omrade = "avtaler"
    lookup_value_regex = "[0-9]+"

    def get_serializer_class(self):
        return KommunalOppgaveSluttSerializer if self.action == "partial_update" else KommunalOppgaveSerializer

    def get_queryset(self):
        return KommunalOppgave.objects.none() if self.generating_schema else selectors.oppgaver_for(avtale=self.avtale)

    def get_object(self):
        oppgave = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, oppgave)
        return oppgave

    def perform_create(self, serializer):
        serializer.instance = services.add_kommunal_oppgave(avtale=self.avtale, **serializer.validated_data)

    def perform_versioned_update(self, instance, validated_data, expected_version):
        return services.end_kommunal_oppgave(oppgave=instance, expected_version=expected_version, til=validated_data["til"])

    def get_success_headers(self, data):
        return {"Location": f"{self.request.path}{data['id']}/", "ETag": etag(data["versjon"])}


# --- decisions ---------------------------------------------------------------------------------------

@extend_schema_view(
    list=extend_schema(summary="Kommunens vedtak om fastlegeavtaler", tags=TAGS),
    retrieve=extend_schema(summary="Ett vedtak", tags=TAGS),
    partial_update=extend_schema(summary="Oppdater klagestatus", tags=TAGS, parameters=[IF_MATCH]),
    historikk=extend_schema(tags=TAGS),
)
class VedtakViewSet(SchemaSafeMixin, HistoryMixin, VersionedRetrieveMixin, VersionedPatchMixin, mixins.ListModelMixin,
                    viewsets.GenericViewSet):
    """Enkeltvedtak kommunen har fattet om avtaler (godkjent listetak under 500, avslag på
    listetaksendring, forlengelse ut over 70), med begrunnelse, dato, hvem som vedtok og klagens
    gang (klage til statsforvalteren). Bare klagestatus og datoene endres (If-Match). Lesing:
    avtaler:les; endring: avtaler:skriv."""

    serializer_class = VedtakSerializer
    filterset_class = VedtakFilter
    omrade = "avtaler"
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return Vedtak.objects.none() if self.generating_schema else selectors.vedtak_list()

    def get_object(self):
        vedtak = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, vedtak)
        return vedtak

    def perform_versioned_update(self, instance, validated_data, expected_version):
        changes = {"klagestatus": validated_data.get("klagestatus", instance.klagestatus), **validated_data}
        services.update_klagestatus(vedtak=instance, expected_version=expected_version, **changes)
        return self.get_queryset().get(pk=instance.pk)


# --- Helfo ---------------------------------------------------------------------------------------------

@extend_schema_view(
    list=extend_schema(summary="Meldinger til Helfo", tags=TAGS),
    retrieve=extend_schema(summary="Én melding til Helfo", tags=TAGS),
    historikk=extend_schema(tags=TAGS),
)
class HelfoMeldingViewSet(SchemaSafeMixin, HistoryMixin, VersionedRetrieveMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Meldinger til Helfo om nye og endrede avtaler («Melding til fastlegeregisteret», skjema
    05-04.27) og oppsigelser (e-post), med status utkast → sendt → bekreftet, så kommunen ser hva
    Helfo ikke har registrert ennå (`?status=sendt`). Lesing: avtaler:les; endring: avtaler:skriv."""

    serializer_class = HelfoMeldingSerializer
    filterset_class = HelfoMeldingFilter
    omrade = "avtaler"
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return HelfoMelding.objects.none() if self.generating_schema else selectors.helfomeldinger()

    def get_object(self):
        melding = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, melding)
        return melding

    def _changed(self, melding_pk: int) -> Response:
        melding = self.get_queryset().get(pk=melding_pk)
        return Response(HelfoMeldingSerializer(melding).data, headers={"ETag": etag(melding.versjon)})

    @extend_schema(
        summary="Marker meldingen som sendt til Helfo", tags=TAGS, parameters=[IF_MATCH], request=SendtSerializer,
        responses={200: HelfoMeldingSerializer, **PRECONDITION_RESPONSES},
    )
    @action(detail=True, methods=["post"], url_path="sendt")
    def sendt(self, request, pk=None):
        """Et utkast er sendt til Helfo på datoen. Krever If-Match med meldingens ETag."""
        melding = self.get_object()
        version = expected_version(request, melding)
        data = SendtSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.mark_helfo_sent(melding=melding, expected_version=version, **data.validated_data)
        return self._changed(melding.pk)

    @extend_schema(
        summary="Marker meldingen som bekreftet registrert av Helfo", tags=TAGS, parameters=[IF_MATCH],
        request=BekreftetSerializer, responses={200: HelfoMeldingSerializer, **PRECONDITION_RESPONSES},
    )
    @action(detail=True, methods=["post"], url_path="bekreftet")
    def bekreftet(self, request, pk=None):
        """Helfo har bekreftet registreringen av en sendt melding. Krever If-Match."""
        melding = self.get_object()
        version = expected_version(request, melding)
        data = BekreftetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.mark_helfo_confirmed(melding=melding, expected_version=version, **data.validated_data)
        return self._changed(melding.pk)
