"""API for kompetanseforskriften § 4: the kommune's yearly report to statsforvalteren on its use of
the exceptions (lister.kompetanse). Reading: lister:les."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import views
from rest_framework.response import Response

from lister import kompetanse
from lister.api.kompetanse_serializers import KompetanserapportSerializer, RapportArSerializer


@extend_schema(
    summary="Rapport til statsforvalteren om bruk av unntakene i kompetanseforskriften § 4", tags=["lister"],
    parameters=[OpenApiParameter("ar", OpenApiTypes.INT, OpenApiParameter.QUERY, required=False,
                                 description="Rapportåret (standard: i fjor). 400 for et ugyldig år.")],
    responses=KompetanserapportSerializer,
)
class KompetanserapportView(views.APIView):
    """Kommunens bruk av unntakene fra spesialiseringskravet i et år (frist 31. mars året etter, til
    og med 2029): hver lege som arbeidet i unntak på kommunens lister, forholdene (liste, rolle,
    periode, stillingsprosent), arbeidede dager i året i kommunen, legens dager til sammen i alle
    kommuner ved årets slutt, hvilket unntak dagene falt under og kommuneoverlegens begrunnelser.
    Omregningen av «ett år» og «fire måneder» til arbeidede dager er denne løsningens tolkning."""

    omrade = "lister"

    def get(self, request):
        params = RapportArSerializer(data={"ar": request.query_params.get("ar") or kompetanse.standard_rapport_ar()})
        params.is_valid(raise_exception=True)
        rapport = kompetanse.kompetanserapport(kommune_id=request.auth.kommune_id, ar=params.validated_data["ar"])
        return Response(KompetanserapportSerializer(rapport).data)
