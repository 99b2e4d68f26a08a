"""The payroll API: thin views over lonn.feed (reads) and lonn.services (receipts). Scope lonn:les
(a person: a role that reads the kommune's data; posting a receipt: a role that writes).

The feed and snapshot bodies are assembled as JSON text by PostgreSQL and returned as they are."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, serializers, status, views

from core.api.idempotency import HEADER as IDEMPOTENCY_HEADER
from core.api.idempotency import IdempotentCreateMixin
from kommune.api.views import IDEMPOTENCY_KEY
from legevakt.tid import dagstart
from lonn import feed, perioder, services
from lonn.api.serializers import (
    BildeParametreSerializer,
    BildeSerializer,
    FeedParametreSerializer,
    FeedSerializer,
    KvitteringSerializer,
    LonnsperiodeSerializer,
)
from lonn.models import AVTALETYPER, Kvittering, Lonnsperiode, Objekttype
from lonn.views import lonnsfil_response


class MarkorUtlopt(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_code = "markor_utlopt"


def markor_exception(exc: feed.MarkorFeil, field: str) -> exceptions.APIException:
    if exc.utlopt:
        return MarkorUtlopt(exc.message, exc.kode)
    return exceptions.ValidationError({field: [exc.message]})


def _params(serializer_class, request) -> dict:
    data = {key: value for key, value in request.query_params.items() if value != ""}
    params = serializer_class(data=data)
    params.is_valid(raise_exception=True)
    return params.validated_data


def _json(body: str) -> HttpResponse:
    response = HttpResponse(body, content_type="application/json")
    response["Cache-Control"] = "no-store"
    return response


GONE = OpenApiResponse(description="Markøren er utløpt (eldre enn oppbevaringstiden, eller fra før en gjenoppretting av "
                                   "databasen): synkroniser på nytt fra øyeblikksbildene. Feilformen med kode markor_utlopt.")


class HendelserView(views.APIView):
    omrade = "lonn"

    @extend_schema(
        summary="Lønnsstrømmen: endringer i lønnsgrunnlaget, i rekkefølge", tags=["lonn"],
        description=(
            "Følg `neste` fra kall til kall. Uten `etter` begynner strømmen ved eldste oppbevarte hendelse. Strømmen "
            "hopper aldri over en hendelse og leverer ingen hendelse to ganger til en klient som følger `neste`, også når "
            "transaksjoner fullføres samtidig og i en annen rekkefølge enn de begynte (en hendelse vises først når alle "
            "eldre transaksjoner er ferdige). Hendelser for ett objekt kan komme med lavere versjon etter høyere: behold "
            "høyeste `versjon` per `objekt_id` (slettet-hendelser også). Tilbakerullet arbeid vises aldri."),
        parameters=[
            OpenApiParameter("etter", OpenApiTypes.STR, OpenApiParameter.QUERY, required=False,
                             description="Markøren fra forrige svar (`neste`), fra en hendelse (`id`) eller fra et øyeblikksbilde (`markor`)."),
            OpenApiParameter("antall", OpenApiTypes.INT, OpenApiParameter.QUERY, required=False,
                             description=f"1–{feed.MAKS_ANTALL}, standard {feed.STANDARD_ANTALL}."),
        ],
        responses={200: FeedSerializer, 410: GONE},
    )
    def get(self, request):
        params = _params(FeedParametreSerializer, request)
        t = feed.tilstand()
        try:
            etter = feed.les_markor(params.get("etter"), t)
        except feed.MarkorFeil as exc:
            raise markor_exception(exc, "etter") from exc
        side = feed.les_side(t=t, etter=etter, antall=params["antall"],
                             kommunenummer=request.auth.kommune.kommunenummer)
        return _json(side.json())


class BildeView(views.APIView):
    """Current state of payable items, cursor-paginated, with the feed marker taken before page one."""

    omrade = "lonn"
    typer: tuple[str, ...] = ()
    med_periode = False

    def get(self, request):
        params = _params(BildeParametreSerializer, request)
        typer = (params["type"],) if params.get("type") and params["type"] in self.typer else self.typer
        fra = dagstart(params["fra"]) if self.med_periode and params.get("fra") else None
        til = dagstart(params["til"]) if self.med_periode and params.get("til") else None
        t = feed.tilstand()
        if params.get("peker"):
            try:
                peker = feed.les_peker(params["peker"])
            except feed.PekerFeil as exc:
                raise exceptions.ValidationError({"peker": [str(exc)]}) from exc
            felt = "peker"
        elif params.get("markor"):  # several snapshots handed over at one marker (the first one's)
            peker, felt = feed.Peker(markor=params["markor"], etter_id=0), "markor"
        else:
            peker, felt = feed.Peker(markor=t.markor(feed.Posisjon(t.horisont, 0)), etter_id=0), "peker"
        try:
            posisjon = feed.les_markor(peker.markor, t)
        except feed.MarkorFeil as exc:
            raise markor_exception(exc, felt) from exc
        side = feed.bilde_side(typer=typer, peker=peker, markor_xid=posisjon.xid, antall=params["antall"], fra=fra,
                               til=til, kommunenummer=request.auth.kommune.kommunenummer)
        neste = None
        if side.neste_peker:
            query = request.query_params.copy()
            query["peker"] = side.neste_peker
            neste = request.build_absolute_uri(request.path + "?" + query.urlencode())
        return _json('{"markor":' + _quote(side.markor) + ',"resultater":[' + ",".join(side.rader) + '],"neste":'
                     + (_quote(neste) if neste else "null") + "}")


def _quote(value: str) -> str:
    import json

    return json.dumps(value)


BILDE_PARAMETRE = [
    OpenApiParameter("peker", OpenApiTypes.STR, OpenApiParameter.QUERY, required=False,
                     description="Fra lenken `neste`; uten peker: første side (og en ny markør)."),
    OpenApiParameter("markor", OpenApiTypes.STR, OpenApiParameter.QUERY, required=False,
                     description="Første side: ta bildet mot denne markøren i stedet for en ny (markøren fra et annet "
                                 "øyeblikksbilde du nettopp tok), så flere bilder overleveres ved én markør."),
    OpenApiParameter("antall", OpenApiTypes.INT, OpenApiParameter.QUERY, required=False,
                     description=f"1–{feed.MAKS_ANTALL}, standard {feed.STANDARD_ANTALL}."),
]
PERIODE = [
    OpenApiParameter("fra", OpenApiTypes.DATE, OpenApiParameter.QUERY, required=False,
                     description="Vakter som slutter etter midnatt (Oslo) denne dagen."),
    OpenApiParameter("til", OpenApiTypes.DATE, OpenApiParameter.QUERY, required=False,
                     description="Vakter som begynner før midnatt (Oslo) denne dagen (første dag som ikke er med)."),
]
BILDE_BESKRIVELSE = (
    "Nåtilstanden, side for side (`neste`), med strømmens markør tatt før første side. Ta hele bildet, følg så "
    "/lonn/hendelser/?etter=<markor> og hopp over hendelser med en versjon du allerede har: da blir tilstanden "
    "din lik systemets, uten tap eller dobbelt. Rader med `slettet: true` er gravsteiner: objekter som er slettet, "
    "men har hendelser etter markøren — behold versjonen, så en senere hendelse med lavere versjon ikke gjenoppliver dem.")


@extend_schema(summary="Øyeblikksbilde: legevakter (vakter) med timer, hviletid og tillegg", tags=["lonn"],
               description=BILDE_BESKRIVELSE, parameters=BILDE_PARAMETRE + PERIODE, responses={200: BildeSerializer, 410: GONE})
class VakterBildeView(BildeView):
    typer = (Objekttype.VAKT.value,)
    med_periode = True


@extend_schema(summary="Øyeblikksbilde: vikariater (dager per måned vektet med stillingsprosent)", tags=["lonn"],
               description=BILDE_BESKRIVELSE, parameters=BILDE_PARAMETRE, responses={200: BildeSerializer, 410: GONE})
class VikariaterBildeView(BildeView):
    typer = (Objekttype.VIKARIAT.value,)


@extend_schema(summary="Øyeblikksbilde: fastlegeavtaler, ALIS-avtaler (veiledning per måned) og 8.2-avtaler (betalinger)",
               tags=["lonn"], description=BILDE_BESKRIVELSE,
               parameters=BILDE_PARAMETRE + [OpenApiParameter(
                   "type", OpenApiTypes.STR, OpenApiParameter.QUERY, required=False, enum=[t.value for t in AVTALETYPER],
                   description="Bare én avtaletype.")],
               responses={200: BildeSerializer, 410: GONE})
class AvtalerBildeView(BildeView):
    typer = tuple(t.value for t in AVTALETYPER)


@extend_schema(tags=["lonn"])
class KvitteringView(IdempotentCreateMixin, generics.ListCreateAPIView):
    """Receipts: the client has processed the feed up to a marker. POST requires Idempotency-Key."""

    omrade = "lonn"
    serializer_class = KvitteringSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Kvittering.objects.none()
        return Kvittering.objects.order_by("-id")

    @extend_schema(summary="Kvitteringer for mottatte hendelser", tags=["lonn"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(summary="Kvitter for behandlet strøm til og med en markør", tags=["lonn"], parameters=[IDEMPOTENCY_KEY],
                   responses={201: KvitteringSerializer, 410: GONE})
    def post(self, request, *args, **kwargs):
        if not request.headers.get(IDEMPOTENCY_HEADER):
            raise exceptions.ValidationError({IDEMPOTENCY_HEADER: [
                "En kvittering krever headeren Idempotency-Key (for eksempel markøren), så et nytt forsøk ikke lagres to ganger."]})
        return super().post(request, *args, **kwargs)

    def perform_create(self, serializer):
        try:
            kvittering, etterslep = services.kvitter(markor=serializer.validated_data["markor"], tilgang=self.request.auth)
        except feed.MarkorFeil as exc:
            raise markor_exception(exc, "markor") from exc
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        serializer.instance = kvittering
        kvittering.etterslep = etterslep


@extend_schema(summary="Lønnsperioder: lukkede (attesterte) og gjenåpnede måneder", tags=["lonn"])
class LonnsperioderView(generics.ListAPIView):
    omrade = "lonn"
    serializer_class = LonnsperiodeSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Lonnsperiode.objects.none()
        return Lonnsperiode.objects.order_by("-maned")


class LonnsfilView(views.APIView):
    omrade = "lonn"

    @extend_schema(
        summary="Lønnsfilen for en måned (CSV)", tags=["lonn"],
        description=(
            "Semikolonseparert, UTF-8, CRLF, én overskriftslinje, desimalkomma: "
            "`ansattnummer;lonnsart;antall;sats;belop;periode;kostnadssted`. Én linje per person og lønnskategori; "
            "korreksjoner av lukkede måneder er egne linjer (differansen) med perioden de gjelder. En lukket måned gir "
            "alltid samme fil; en åpen måned viser dagens tall."),
        parameters=[OpenApiParameter("periode", OpenApiTypes.STR, OpenApiParameter.PATH, description="ÅÅÅÅ-MM")],
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="Lønnsfilen."),
                   400: OpenApiResponse(description="Ugyldig måned.")},
    )
    def get(self, request, periode: str):
        try:
            maned = perioder.les_maned(periode)
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(exc.message_dict) from exc
        return lonnsfil_response(perioder.lonnsfil(kommune=request.auth.kommune, maned=maned))
