"""Lister API: the kommune's capacity indicators (SSB table 12005 / Helsedirektoratet) on a day, and
their trend month by month. Thin views over lister.indikatorer. Reading: lister:les."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import views
from rest_framework.response import Response

from lister import indikatorer
from lister.api.indikator_serializers import (
    DatoParameterSerializer,
    IndikatorerMedDefinisjonerSerializer,
    TrendParametreSerializer,
    TrendSerializer,
)
from lister.indikatorer import DEFINISJONER

DEFINISJONER_TEKST = "\n".join(
    f"- **{d.navn}**: {d.tekst} Kilde: {d.kilde_tekst}" for d in DEFINISJONER.values()
)


def _definisjoner() -> dict[str, dict[str, str]]:
    return {key: {"navn": str(d.navn), "definisjon": str(d.tekst), "kilde": d.kilde, "url": d.url}
            for key, d in DEFINISJONER.items()}


@extend_schema(
    summary="Kommunens fastlegeindikatorer på en dato (SSB tabell 12005, Helsedirektoratet)", tags=["lister"],
    description=(
        "Listene som gjelder på datoen, med hver listes siste listetall på eller før datoen. Andeler og snitt har én "
        "desimal og er null når nevneren er 0. Listetaket er det som er registrert nå.\n\n" + DEFINISJONER_TEKST
    ),
    parameters=[OpenApiParameter("dato", OpenApiTypes.DATE, OpenApiParameter.QUERY, required=False,
                                 description="Dagen tallene gjelder (standard: i dag).")],
    responses=IndikatorerMedDefinisjonerSerializer,
)
class IndikatorerView(views.APIView):
    """Fastlegeordningen i kommunen på en dato: fastlegeavtaler, lister og listeinnbyggere uten fast lege,
    åpne lister, gjennomsnittlig listelengde, kapasitet, ledige plasser, reservekapasitet og andelen lister
    med vikar, med definisjoner og kilder. Lesing: lister:les."""

    omrade = "lister"

    def get(self, request):
        parametre = DatoParameterSerializer(data={"dato": request.query_params.get("dato") or timezone.localdate().isoformat()})
        parametre.is_valid(raise_exception=True)
        tall = indikatorer.indikatorer(on=parametre.validated_data["dato"])
        return Response(IndikatorerMedDefinisjonerSerializer({**tall.as_dict(), "definisjoner": _definisjoner()}).data)


@extend_schema(
    summary="Kommunens fastlegeindikatorer den 1. i hver måned", tags=["lister"],
    description=(
        "Indikatorene den 1. i hver av de siste `maneder` månedene (1–60, standard 24) til og med måneden til `til`, "
        "eldste først (Helfo oppdaterer listene den 1. i måneden). Ugyldig `til` eller `maneder` gir 400 med feltet.\n\n"
        + DEFINISJONER_TEKST
    ),
    parameters=[
        OpenApiParameter("til", OpenApiTypes.DATE, OpenApiParameter.QUERY, required=False,
                         description="Den siste måneden er denne datoens måned (standard: i dag)."),
        OpenApiParameter("maneder", OpenApiTypes.INT, OpenApiParameter.QUERY, required=False,
                         description=f"Antall måneder, 1–{indikatorer.MANEDER_MAKS} (standard {indikatorer.MANEDER_STANDARD})."),
    ],
    responses=TrendSerializer,
)
class IndikatorTrendView(views.APIView):
    """Utviklingen i kommunens fastlegeindikatorer måned for måned. Lesing: lister:les."""

    omrade = "lister"

    def get(self, request):
        data = {"til": request.query_params.get("til") or timezone.localdate().isoformat()}
        if "maneder" in request.query_params:
            data["maneder"] = request.query_params["maneder"]
        parametre = TrendParametreSerializer(data=data)
        parametre.is_valid(raise_exception=True)
        til, maneder = parametre.validated_data["til"], parametre.validated_data["maneder"]
        punkter = indikatorer.trend(til=til, maneder=maneder)
        return Response(TrendSerializer({"til": til, "maneder": maneder, "resultater": [p.as_dict() for p in punkter]}).data)
