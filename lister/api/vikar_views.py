"""Vikar API: the kommune's vikar pool with availability windows, assigning a vikar to a list, the
ranked candidates for a period, and the kommune's confirmation of a vikaravtale. Thin views over
lister.vikar_services and lister.vikar_selectors; every refusal is the service's, naming the rule."""

from __future__ import annotations

import dataclasses

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, views, viewsets
from rest_framework.response import Response

from core.api.concurrency import VersionedDestroyMixin, VersionedRetrieveMixin, etag
from core.api.history import HistoryMixin
from core.api.idempotency import IdempotentCreateMixin
from core.context import current_actor
from kommune import selectors as kommune_selectors
from kommune.api.views import IDEMPOTENCY_KEY, IF_MATCH
from kommune.models import Rolle as Brukerrolle
from kommune.permissions import Handling, tillater
from lister import selectors, vikar_selectors, vikar_services
from lister.api.mixins import SchemaSafeMixin, VersionedPatchMixin, idempotent, kommune_in_scope
from lister.api.vikar_serializers import (
    BekreftelseSerializer,
    KandidatParamSerializer,
    KandidatSerializer,
    TildelingSerializer,
    TildeltSerializer,
    TilgjengelighetEndringSerializer,
    TilgjengelighetSerializer,
    VikarEndringSerializer,
    VikarSerializer,
)
from lister.models import Pasientliste, Tilgjengelighet, Vikar

TAGS = ["lister"]
LISTE_PK = OpenApiParameter("liste_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="Pasientlistens id.")
VIKAR_PK = OpenApiParameter("vikar_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="Vikarens id i vikarpoolen.")
ALLE = OpenApiParameter("alle", OpenApiTypes.BOOL, OpenApiParameter.QUERY, required=False,
                        description="true: også inaktive vikarer (standard: bare aktive).")
HELFO_MERKNAD = gettext_lazy(
    "Vikaren legger ved denne bekreftelsen når vikaren inngår avtale om direkte oppgjør med Helfo (via Altinn). Vikaren "
    "overtar hjemmelshaverens refusjonsrett for den avtalte perioden og kan ikke utvide praksisen; ved deltidsvikariat kan "
    "ikke hjemmelshaver og vikar kreve refusjon for samme dato og tid.")


def _location(request, pk: int) -> str:
    return f"{request.path}{pk}/"


# --- the pool -------------------------------------------------------------------------------------

@extend_schema_view(
    list=extend_schema(summary="Kommunens vikarpool", tags=TAGS, parameters=[ALLE]),
    create=extend_schema(summary="Legg en lege til i vikarpoolen", tags=TAGS, parameters=[IDEMPOTENCY_KEY]),
    retrieve=extend_schema(summary="Én vikar", tags=TAGS),
    partial_update=extend_schema(summary="Endre en vikar (aktiv: false deaktiverer)", tags=TAGS, parameters=[IF_MATCH]),
    historikk=extend_schema(tags=TAGS),
)
class VikarViewSet(SchemaSafeMixin, HistoryMixin, IdempotentCreateMixin, VersionedRetrieveMixin, VersionedPatchMixin,
                   mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Leger kommunen kan bruke som vikar: kompetanse fra registeret (kompetanseforskriften §§ 3–5),
    tilknytning (kommunen eller vikarbyrå med navn), merknad, aktiv, og tilgjengelighetsvinduer som
    ikke er over. Legen må være registrert i kommunen; én gang per lege. PATCH med If-Match endrer
    tilknytning, vikarbyrå, merknad og aktiv (`aktiv: false` deaktiverer). Lesing: lister:les;
    endring: lister:skriv."""

    omrade = "lister"
    lookup_value_regex = "[0-9]+"

    def get_serializer_class(self):
        return VikarEndringSerializer if self.action == "partial_update" else VikarSerializer

    def get_queryset(self):
        if self.generating_schema:
            return Vikar.objects.none()
        return vikar_selectors.vikar_list(bare_aktive=self.request.query_params.get("alle") != "true")

    def get_object(self):
        vikar = vikar_selectors.get_vikar(pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, vikar)
        return vikar

    def perform_create(self, serializer):
        vikar = vikar_services.add_vikar(kommune=kommune_in_scope(self.request), **serializer.validated_data)
        serializer.instance = vikar_selectors.get_vikar(pk=vikar.pk)

    def perform_versioned_update(self, instance, validated_data, expected_version):
        vikar_services.update_vikar(vikar=instance, expected_version=expected_version, **validated_data)
        return vikar_selectors.get_vikar(pk=instance.pk)

    def get_success_headers(self, data):
        return {"Location": _location(self.request, data["id"]), "ETag": etag(data["versjon"])}


@extend_schema_view(
    list=extend_schema(summary="Vikarens tilgjengelighet", tags=TAGS, parameters=[VIKAR_PK]),
    create=extend_schema(summary="Registrer tilgjengelighet", tags=TAGS, parameters=[VIKAR_PK, IDEMPOTENCY_KEY]),
    retrieve=extend_schema(summary="Ett tilgjengelighetsvindu", tags=TAGS, parameters=[VIKAR_PK]),
    partial_update=extend_schema(summary="Endre tilgjengeligheten", tags=TAGS, parameters=[VIKAR_PK, IF_MATCH]),
    destroy=extend_schema(summary="Slett tilgjengeligheten", tags=TAGS, parameters=[VIKAR_PK, IF_MATCH]),
    historikk=extend_schema(tags=TAGS, parameters=[VIKAR_PK]),
)
class TilgjengelighetViewSet(SchemaSafeMixin, HistoryMixin, IdempotentCreateMixin, VersionedRetrieveMixin, VersionedPatchMixin,
                             VersionedDestroyMixin, mixins.ListModelMixin, mixins.CreateModelMixin,
                             mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Perioder vikaren kan arbeide for kommunen, inntil en stillingsprosent (1–100). `til` er første
    dag vikaren ikke er tilgjengelig; tom: inntil videre. Periodene til én vikar kan ikke overlappe.
    Endring og sletting krever If-Match. Lesing: lister:les; endring: lister:skriv."""

    omrade = "lister"
    lookup_value_regex = "[0-9]+"

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if hasattr(self, request.method.lower()):  # otherwise the view answers 405 (no scope needed)
            self.vikar = get_object_or_404(Vikar.objects.all(), pk=kwargs["vikar_pk"])

    def get_serializer_class(self):
        return TilgjengelighetEndringSerializer if self.action == "partial_update" else TilgjengelighetSerializer

    def get_queryset(self):
        if self.generating_schema:
            return Tilgjengelighet.objects.none()
        return vikar_selectors.tilgjengelighet_for(vikar=self.vikar)

    def get_object(self):
        vindu = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, vindu)
        return vindu

    def perform_create(self, serializer):
        serializer.instance = vikar_services.add_tilgjengelighet(vikar=self.vikar, **serializer.validated_data)

    def perform_versioned_update(self, instance, validated_data, expected_version):
        return vikar_services.update_tilgjengelighet(tilgjengelighet=instance, expected_version=expected_version,
                                                     **validated_data)

    def perform_versioned_destroy(self, instance, expected_version):
        vikar_services.delete_tilgjengelighet(tilgjengelighet=instance, expected_version=expected_version)

    def get_success_headers(self, data):
        return {"Location": _location(self.request, data["id"]), "ETag": etag(data["versjon"])}


# --- assignment -----------------------------------------------------------------------------------

def kan_begrunne_kompetanse(request) -> bool:
    """Only the kommuneoverlege (a person, never an integration token) records a § 4 justification."""
    tilgang = request.auth
    return not getattr(tilgang, "er_klient", True) and tillater(tilgang, Handling.ADMINISTRER)


class ListeMixin(SchemaSafeMixin):
    omrade = "lister"

    def liste(self, kwargs) -> Pasientliste:
        return get_object_or_404(Pasientliste.objects.all(), pk=kwargs["liste_pk"])


@extend_schema(
    summary="Tildel en vikar til listen", tags=TAGS, parameters=[LISTE_PK, IDEMPOTENCY_KEY], request=TildelingSerializer,
    responses={201: TildeltSerializer},
)
class VikartildelingView(ListeMixin, views.APIView):
    """Tildeler en vikar (en lege registrert i kommunen) til listen for perioden [fra, til) med
    stillingsprosent og ukedager: en vikarperiode (LPVI). Avvises, uten at noe lagres: slutt før
    start (`til`), ukjent lege eller lege fra en annen kommune (`lege`), stillingsprosent utenfor
    1–100, samme lege på listen i en overlappende periode (`fra`), over 100 % samlet engasjement i
    alle kommuner uten `begrunnelse_over_100`, og en lege ut over unntakene i kompetanseforskriften
    § 4 uten kommuneoverlegens `kompetanse_begrunnelse` (integrasjoner kan ikke registrere den),
    og en `oppdragsgiver` som ikke er «kommunen» (standard: kommunen engasjerer og lønner vikaren)
    eller «fastlegen» (en næringsdrivende fastlege engasjerer og betaler vikaren privat, ikke lønn).
    Svarer 201 med perioden og lenker til bekreftelsen på vikaravtalen. Idempotency-Key støttes.
    Endring: lister:skriv."""

    def post(self, request, liste_pk=None):
        liste = self.liste(self.kwargs)

        def effect(request):
            data = TildelingSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            periode = vikar_services.tildel_vikar(
                liste=liste, kan_begrunne_kompetanse=kan_begrunne_kompetanse(request),
                **{"arbeidsdager": [], "vikar_for": None, **data.validated_data},
            )
            periode = selectors.perioder_for(liste=liste).get(pk=periode.pk)
            return Response(TildeltSerializer(periode).data, status=status.HTTP_201_CREATED,
                            headers={"Location": f"/api/v1/pasientlister/{liste.pk}/perioder/{periode.pk}/"})

        return idempotent(request, effect)


def _arbeidsdager_param(request) -> list[str]:
    return [part.strip() for value in request.query_params.getlist("arbeidsdager") for part in value.split(",") if part.strip()]


@extend_schema(
    summary="Rangerte vikarer for en periode på listen", tags=TAGS,
    parameters=[
        LISTE_PK,
        OpenApiParameter("fra", OpenApiTypes.DATE, OpenApiParameter.QUERY, required=False,
                         description="Første dag (standard: i dag)."),
        OpenApiParameter("til", OpenApiTypes.DATE, OpenApiParameter.QUERY, required=False,
                         description="Første dag perioden ikke gjelder (standard: én måned etter fra)."),
        OpenApiParameter("stillingsprosent", OpenApiTypes.INT, OpenApiParameter.QUERY, required=False,
                         description="1–100 (standard: 100)."),
        OpenApiParameter("arbeidsdager", OpenApiTypes.STR, OpenApiParameter.QUERY, required=False,
                         description="Ukedager, for eksempel 1,2,3 (0 = søndag)."),
    ],
    responses=KandidatSerializer(many=True),
)
class VikarkandidaterView(ListeMixin, views.APIView):
    """Kommunens aktive vikarer rangert for perioden, best først, med poeng (0–100) og begrunnelse:
    tilgjengelighet over hele perioden og ledig kapasitet etter engasjementer i alle kommuner (0–60),
    kompetanse fra registeret (0–25), kontinuitet – har arbeidet på listen eller ved kontoret før
    (0–15). Ugyldige parametre gir 400 med feltet. Lesing: lister:les."""

    def get(self, request, liste_pk=None):
        liste = self.liste(self.kwargs)
        params = KandidatParamSerializer(data={
            **{key: request.query_params[key] for key in ("fra", "til", "stillingsprosent") if key in request.query_params},
            "arbeidsdager": _arbeidsdager_param(request),
        })
        params.is_valid(raise_exception=True)
        kandidater = vikar_selectors.kandidater(liste=liste, **params.validated_data)
        rows = [{**{f.name: getattr(k, f.name) for f in dataclasses.fields(k)}, "kan_velges": k.kan_velges} for k in kandidater]
        return Response({"resultater": KandidatSerializer(rows, many=True).data, "antall": len(rows)})


# --- the confirmation ------------------------------------------------------------------------------

def bekreftet_av(request) -> tuple[str, str]:
    """Who asked for the confirmation: a person (name, roles) or an integration client (its name)."""
    actor = current_actor() or ""
    navn = kommune_selectors.actor_names({actor}).get(actor, actor) if actor else ""
    tilgang = request.auth
    labels = dict(Brukerrolle.Navn.choices)
    roller = ", ".join(str(labels.get(r, r)) for r in sorted(getattr(tilgang, "roller", ()) or ()))
    return navn, roller


@extend_schema(summary="Bekreftelse på vikaravtale (til vikarens avtale med Helfo)", tags=TAGS, responses=BekreftelseSerializer,
               parameters=[OpenApiParameter("pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="Vikarperiodens id.")])
class VikarbekreftelseView(SchemaSafeMixin, views.APIView):
    """Innholdet i kommunens bekreftelse på vikaravtalen for en vikarperiode (LPVI): kommunen,
    vikaren med HPR-nummer, listen (kontor, adresse, navn, nummer i Fastlegeregisteret), hvem
    vikaren er vikar for (eller ubesatt liste), perioden, stillingsprosent og ukedager, dato og hvem
    som bekrefter. Vikaren legger den ved avtalen om direkte oppgjør med Helfo. En fastlegeperiode
    gir 404. Lesing: lister:les."""

    omrade = "lister"

    def get(self, request, pk=None):
        innhold = vikar_selectors.bekreftelse(periode_id=pk)
        navn, roller = bekreftet_av(request)
        return Response(BekreftelseSerializer({
            **dataclasses.asdict(innhold), "dato": timezone.localdate(), "bekreftet_av": navn, "rolle": roller,
            "merknad": str(HELFO_MERKNAD),
        }).data)


