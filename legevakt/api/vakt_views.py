"""Roster API: shifts (list with filters, ETag, create with Idempotency-Key, PATCH with If-Match,
cancel, sick call with ranked replacements, history, a dry run of the rules) and swap requests
(request, approve, refuse, withdraw). Thin views over legevakt.vakt_services and the reads in
legevakt.vakt_regler; every refusal is the service's, naming the rule.

Access: tokens need legevakt:les / legevakt:skriv. People: reading needs LES and changing SKRIV,
except that a doctor (role «lege», Handling.EGNE) sees their own shifts and swap requests (their
user account is the doctor's `kommune.Lege.bruker`), asks to swap their own shifts and withdraws
their own requests. Writes are the vertskommune's: a deltakerkommune reads (403 on writes)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.concurrency import VersionedRetrieveMixin, etag, expected_version
from core.api.history import HistoryMixin
from kommune.access import Tilgang
from kommune.api.views import IDEMPOTENCY_KEY, IF_MATCH
from kommune.permissions import Handling, tillater
from legevakt import vakt_regler, vakt_services
from legevakt.api.vakt_serializers import (
    AvlysSerializer,
    BehandleBytteSerializer,
    ErstatterParamSerializer,
    SykSerializer,
    VaktBruddSerializer,
    VaktbytteInnSerializer,
    VaktbytteSerializer,
    VaktEndringSerializer,
    VaktInnSerializer,
    VaktKandidatSerializer,
    VaktlisteParamSerializer,
    VaktSerializer,
)
from legevakt.models import Vakt, Vaktbytte
from lister.api.mixins import PRECONDITION_RESPONSES, SchemaSafeMixin, idempotent

TAGS = ["legevakt"]
OMRADE = "legevakt"


class EgneMixin:
    """Actions a person may do on their own shifts with Handling.EGNE (role «lege»); tokens and
    everything else go by LES/SKRIV as usual."""

    egne_les: frozenset[str] = frozenset()
    egne_skriv: frozenset[str] = frozenset()

    def _person(self) -> bool:
        tilgang = getattr(self.request, "auth", None)
        return isinstance(tilgang, Tilgang) and not tilgang.er_klient

    @property
    def lesehandling(self) -> Handling:
        return Handling.EGNE if self._person() and self.action in self.egne_les else Handling.LES

    @property
    def skrivehandling(self) -> Handling:
        return Handling.EGNE if self._person() and self.action in self.egne_skriv else Handling.SKRIV

    def kan(self, handling: Handling) -> bool:
        return tillater(self.request.auth, handling, OMRADE)

    def bare_egne(self):
        """The user whose own rows are all this request may see, or None when it may read everything."""
        return None if self.kan(Handling.LES) else self.request.user


def _vakt_response(vakt: Vakt, status_code: int = 200, location: bool = False) -> Response:
    vakt = vakt_regler.vakt_list().get(pk=vakt.pk)
    headers = {"ETag": etag(vakt.versjon)}
    if location:
        headers["Location"] = f"/api/v1/vakter/{vakt.pk}/"
    return Response(VaktSerializer(vakt).data, status=status_code, headers=headers)


LISTE_PARAMETRE = [
    OpenApiParameter("distrikt", OpenApiTypes.INT, OpenApiParameter.QUERY, required=False),
    OpenApiParameter("lege", OpenApiTypes.INT, OpenApiParameter.QUERY, required=False),
    OpenApiParameter("fra", OpenApiTypes.DATE, OpenApiParameter.QUERY, required=False,
                     description="Vakter som slutter etter begynnelsen av denne dagen (norsk tid)."),
    OpenApiParameter("til", OpenApiTypes.DATE, OpenApiParameter.QUERY, required=False,
                     description="Vakter som begynner før denne dagen (første dag som ikke tas med)."),
    OpenApiParameter("type", OpenApiTypes.STR, OpenApiParameter.QUERY, required=False),
    OpenApiParameter("status", OpenApiTypes.STR, OpenApiParameter.QUERY, required=False),
]


@extend_schema_view(
    list=extend_schema(summary="Vaktplanen: vakter", tags=TAGS, parameters=LISTE_PARAMETRE),
    retrieve=extend_schema(summary="Én vakt", tags=TAGS),
    historikk=extend_schema(tags=TAGS),
)
class VaktViewSet(EgneMixin, SchemaSafeMixin, HistoryMixin, VersionedRetrieveMixin, mixins.ListModelMixin,
                  viewsets.GenericViewSet):
    """Vakter i distriktene kommunen er vertskommune eller deltakerkommune for: lege, type,
    vaktklasse, start og slutt (norsk tid; `timer` er virkelige timer), dagkategori og høytid.
    Opprettelse og endring sjekker alle reglene (deltakelse, overlapp, hvile med kontortid, kompetanse
    og bakvakt, unntaket i § 4, fritak, vaktklasse) og avviser med regelen og feltet. Lesing:
    legevakt:les (en lege ser sine egne vakter); endring: legevakt:skriv, bare vertskommunen."""

    omrade = OMRADE
    serializer_class = VaktSerializer
    lookup_value_regex = "[0-9]+"
    filter_backends: list = []
    egne_les = frozenset({"list", "retrieve", "historikk"})

    def get_queryset(self):
        if self.generating_schema:
            return Vakt.objects.none()
        if self.action == "list":
            params = VaktlisteParamSerializer(data=self.request.query_params)
            params.is_valid(raise_exception=True)
            filters = {f"{key}_id" if key in ("distrikt", "lege") else key: value for key, value in params.validated_data.items()}
            return vakt_regler.vakt_list(bruker=self.bare_egne(), **filters)
        return vakt_regler.vakt_list(bruker=self.bare_egne())

    def get_object(self):
        vakt = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, vakt)
        return vakt

    @extend_schema(summary="Opprett en vakt", tags=TAGS, request=VaktInnSerializer, responses={201: VaktSerializer},
                   parameters=[IDEMPOTENCY_KEY])
    def create(self, request, *args, **kwargs):
        def effect(request):
            data = VaktInnSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            vakt = vakt_services.create_vakt(**data.validated_data)
            return _vakt_response(vakt, status.HTTP_201_CREATED, location=True)

        return idempotent(request, effect)

    @extend_schema(summary="Endre en vakt", tags=TAGS, request=VaktEndringSerializer, responses={200: VaktSerializer, **PRECONDITION_RESPONSES},
                   parameters=[IF_MATCH])
    def partial_update(self, request, *args, **kwargs):
        vakt = self.get_object()
        version = expected_version(request, vakt)
        data = VaktEndringSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return _vakt_response(vakt_services.update_vakt(vakt=vakt, expected_version=version, **data.validated_data))

    @extend_schema(summary="Avlys en vakt", tags=TAGS, request=AvlysSerializer, responses={200: VaktSerializer, **PRECONDITION_RESPONSES},
                   parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def avlys(self, request, pk=None):
        """Avlyser vakten (status avlyst, årsak sykdom eller annet). Ved sykdom: bruk heller `syk`,
        som også setter inn en erstatter. Krever If-Match."""
        vakt = self.get_object()
        version = expected_version(request, vakt)
        data = AvlysSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return _vakt_response(vakt_services.avlys_vakt(vakt=vakt, expected_version=version, **data.validated_data))

    @extend_schema(summary="Meld legen syk og sett inn en erstatter", tags=TAGS, request=SykSerializer,
                   responses={201: VaktSerializer, **PRECONDITION_RESPONSES}, parameters=[IF_MATCH, IDEMPOTENCY_KEY])
    @action(detail=True, methods=["post"])
    def syk(self, request, pk=None):
        """Gir resten av vakten, fra `fra` (standard: vaktens start), til `erstatter` som en ny vakt som
        viser til den opprinnelige. Er vakten ikke begynt ved `fra`, avlyses den med årsak sykdom; ble
        legen syk underveis, slutter den opprinnelige vakten ved `fra` (timene er arbeidet). Erstatteren
        sjekkes som for en ny vakt; feil om legen står på `erstatter`. Begge deler eller ingenting.
        Krever If-Match."""
        vakt = self.get_object()
        version = expected_version(request, vakt)

        def effect(request):
            data = SykSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            ny = vakt_services.meld_syk(vakt=vakt, expected_version=version, **data.validated_data)
            return _vakt_response(ny, status.HTTP_201_CREATED, location=True)

        return idempotent(request, effect)

    @extend_schema(summary="Rangerte erstattere for vakten", tags=TAGS, responses=VaktKandidatSerializer(many=True),
                   parameters=[OpenApiParameter("fra", OpenApiTypes.DATETIME, OpenApiParameter.QUERY, required=False,
                                                description="Fra når erstatteren trengs (standard: vaktens start).")])
    @action(detail=True, methods=["get"], filter_backends=[])
    def erstattere(self, request, pk=None):
        """Leger som deltar i distriktet den dagen og ikke har en overlappende vakt, best først:
        kvalifisert (kompetanseforskriften § 3a eller dekket av kompetansebakvakt), uthvilt (SFS 2305
        § 7.4, kontortid medregnet), ikke fritatt, færrest vakttimer de siste 28 dagene."""
        vakt = self.get_object()
        params = ErstatterParamSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        kandidater = vakt_services.erstattere(vakt=vakt, fra=params.validated_data.get("fra"))
        return Response({"resultater": VaktKandidatSerializer(kandidater, many=True).data, "antall": len(kandidater)})

    @extend_schema(summary="Sjekk en vakt mot reglene uten å lagre", tags=TAGS, request=VaktInnSerializer,
                   responses=VaktBruddSerializer(many=True))
    @action(detail=False, methods=["post"])
    def sjekk(self, request):
        """Alle regler vakten ville brutt (tom liste: den kan opprettes). Et hvilebrudd har
        `kan_begrunnes`: med begrunnelse går vakten igjennom."""
        data = VaktInnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        args = {k: v for k, v in data.validated_data.items() if k not in ("hvilebrudd_begrunnelse", "merknad")}
        brudd = vakt_services.sjekk_vakt(**args)
        return Response({"resultater": VaktBruddSerializer(brudd, many=True).data, "antall": len(brudd)})


@extend_schema_view(
    list=extend_schema(summary="Bytteønsker", tags=TAGS),
    retrieve=extend_schema(summary="Ett bytteønske", tags=TAGS),
    historikk=extend_schema(tags=TAGS),
)
class VaktbytteViewSet(EgneMixin, SchemaSafeMixin, HistoryMixin, VersionedRetrieveMixin, mixins.ListModelMixin,
                       viewsets.GenericViewSet):
    """Ønsker om å bytte vakt med en annen lege i samme vertskommune. En lege ber om bytte av sine
    egne vakter og kan trekke ønsket; en saksbehandler godkjenner (begge vaktene bytter lege i én
    transaksjon, og hver ny tildeling sjekkes mot reglene) eller avslår. Lesing: legevakt:les (en
    lege ser sine egne); endring: legevakt:skriv."""

    omrade = OMRADE
    serializer_class = VaktbytteSerializer
    lookup_value_regex = "[0-9]+"
    filter_backends: list = []
    egne_les = frozenset({"list", "retrieve", "historikk"})
    egne_skriv = frozenset({"create", "trekk"})

    def get_queryset(self):
        if self.generating_schema:
            return Vaktbytte.objects.none()
        return vakt_regler.bytte_list(bruker=self.bare_egne())

    def get_object(self):
        bytte = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, bytte)
        return bytte

    def _svar(self, bytte, status_code=200):
        bytte = vakt_regler.bytte_list().get(pk=bytte.pk)
        headers = {"ETag": etag(bytte.versjon)}
        if status_code == status.HTTP_201_CREATED:
            headers["Location"] = f"/api/v1/vaktbytter/{bytte.pk}/"
        return Response(VaktbytteSerializer(bytte).data, status=status_code, headers=headers)

    @extend_schema(summary="Be om vaktbytte", tags=TAGS, request=VaktbytteInnSerializer, responses={201: VaktbytteSerializer},
                   parameters=[IDEMPOTENCY_KEY])
    def create(self, request, *args, **kwargs):
        def effect(request):
            data = VaktbytteInnSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            if not self.kan(Handling.SKRIV):
                egen = vakt_regler.vakt_list(bruker=request.user).filter(pk=data.validated_data["vakt"]).exists()
                if not egen:
                    raise PermissionDenied(_("Du kan bare be om bytte av dine egne vakter."))
            bytte = vakt_services.be_om_bytte(onsket_av=request.user if self._person() else None, **data.validated_data)
            return self._svar(bytte, status.HTTP_201_CREATED)

        return idempotent(request, effect)

    def _behandle(self, request, handling):
        bytte = self.get_object()
        version = expected_version(request, bytte)
        data = BehandleBytteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        av = request.user if self._person() else None
        if handling == "godkjenn":
            bytte = vakt_services.godkjenn_bytte(bytte=bytte, expected_version=version, behandlet_av=av,
                                                 hvilebrudd_begrunnelse=data.validated_data.get("hvilebrudd_begrunnelse", ""))
        elif handling == "avslaa":
            bytte = vakt_services.avslaa_bytte(bytte=bytte, expected_version=version, behandlet_av=av,
                                               merknad=data.validated_data.get("merknad", ""))
        else:
            if not self.kan(Handling.SKRIV) and bytte.onsket_av_id != request.user.pk and not vakt_regler.vakt_list(
                    bruker=request.user).filter(pk=bytte.vakt_id).exists():
                raise PermissionDenied(_("Du kan bare trekke dine egne bytteønsker."))
            bytte = vakt_services.trekk_bytte(bytte=bytte, expected_version=version)
        return self._svar(bytte)

    @extend_schema(summary="Godkjenn vaktbyttet", tags=TAGS, request=BehandleBytteSerializer,
                   responses={200: VaktbytteSerializer, **PRECONDITION_RESPONSES}, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def godkjenn(self, request, pk=None):
        """Bytter legene på de to vaktene i én transaksjon. Avvises (ingenting endres) når en av de
        nye tildelingene bryter en regel; et hvilebrudd krever `hvilebrudd_begrunnelse`. Krever If-Match."""
        return self._behandle(request, "godkjenn")

    @extend_schema(summary="Avslå vaktbyttet", tags=TAGS, request=BehandleBytteSerializer,
                   responses={200: VaktbytteSerializer, **PRECONDITION_RESPONSES}, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def avslaa(self, request, pk=None):
        return self._behandle(request, "avslaa")

    @extend_schema(summary="Trekk bytteønsket", tags=TAGS, request=None,
                   responses={200: VaktbytteSerializer, **PRECONDITION_RESPONSES},
                   parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def trekk(self, request, pk=None):
        return self._behandle(request, "trekk")
