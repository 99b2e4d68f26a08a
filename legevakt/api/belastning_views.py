"""Legevakt API: duty-load figures per district and doctor, and the intervals without a doctor on duty.
Read-only, thin views over legevakt.belastning. Reading: legevakt:les (a deltakerkommune reads the
districts it is a member of)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import views
from rest_framework.response import Response

from kommune import regler
from legevakt import belastning
from legevakt.api.belastning_serializers import (
    HALVAPEN,
    BelastningSerializer,
    PeriodeParametreSerializer,
    UdekketListeSerializer,
)
from legevakt.models import Legevaktdistrikt
from lister.api.mixins import SchemaSafeMixin

PERIODE_PARAMETRE = [
    OpenApiParameter("fra", OpenApiTypes.DATE, OpenApiParameter.QUERY, required=False,
                     description="Første dag (standard: 28 dager før i dag)."),
    OpenApiParameter("til", OpenApiTypes.DATE, OpenApiParameter.QUERY, required=False,
                     description=f"Første dag som ikke er med (standard: 28 dager etter i dag). Høyst {belastning.MAKS_DAGER} "
                                 "dager etter fra; til ≤ fra eller en for lang periode gir 400 med feltet."),
]


def _periode(request) -> tuple[dt.date, dt.date]:
    data = {key: request.query_params[key] for key in ("fra", "til") if request.query_params.get(key)}
    params = PeriodeParametreSerializer(data=data)
    params.is_valid(raise_exception=True)
    return params.validated_data["fra"], params.validated_data["til"]


def _grenser(til: dt.date) -> dict:
    day = til - dt.timedelta(days=1)
    return {
        name: {"verdi": regler.verdi(code, on=day), "kilde": regler.kilde(code, on=day)}
        for name, code in (("beredskap", "legevakt_beredskap_varsel_timer_per_uke"),
                           ("hyppighet", "legevakt_hyppighet_varsel"), ("fa_leger", "legevakt_fa_leger"))
    }


def _udekket(items) -> list[dict]:
    return [{"kommune_id": u.kommune_id, "distrikt_id": u.distrikt_id, "start": u.start, "slutt": u.slutt,
             "timer": round(u.timer, 2), "arsak": u.arsak} for u in items]


@extend_schema(
    summary="Vaktbelastning i et legevaktdistrikt: per lege og for distriktet", tags=["legevakt"],
    description=(
        "Per lege: vakter, timer (og per 4 uker), beredskapstimer per uke, tilstedevakttimer, netter, helger, "
        "helligdager, jule- og påskedager, vaktdøgn og hyppighet 1:N. For distriktet: leger i vaktordningen, timer med "
        "lege på vakt og andelen med bare én lege, og timene uten lege på vakt med tidsrommene. Bare aktive vakter; "
        "timer er faktisk medgåtte timer. " + HALVAPEN
    ),
    parameters=PERIODE_PARAMETRE, responses=BelastningSerializer,
)
class DistriktBelastningView(SchemaSafeMixin, views.APIView):
    omrade = "legevakt"

    def get(self, request, distrikt_pk: int):
        distrikt = get_object_or_404(Legevaktdistrikt.objects.all(), pk=distrikt_pk)
        fra, til = _periode(request)
        (figur,) = belastning.distriktsfigurer(fra=fra, til=til, distrikt_ids=[distrikt.pk])
        leger = belastning.legefigurer(fra=fra, til=til, distrikt_ids=[distrikt.pk])
        data = {
            "fra": fra, "til": til,
            "distrikt": {**{k: getattr(figur, k) for k in (
                "distrikt_id", "navn", "fra", "til", "dager", "leger_i_vaktordning", "vakter", "timer", "vakthavende_timer",
                "en_lege_timer", "andel_en_lege", "udekket_timer")}, "udekket": _udekket(figur.udekket)},
            "leger": [dataclasses.asdict(row) for row in leger],
            "grenser": _grenser(til),
        }
        return Response(BelastningSerializer(data).data)


@extend_schema(
    summary="Tidsrom uten lege på vakt (akuttmedisinforskriften § 6)", tags=["legevakt"],
    description=(
        "Per kommune med et medlemskap i perioden: tidsrommene der ingen lege er på vakt. I hvert medlemskaps tidsbånd "
        "og periode må distriktets aktive tilstedevakter eller hjemmevakter dekke hvert øyeblikk (legevaktsentral og "
        "bakvakt teller ikke): det som mangler, er «ingen_lege». Tid ingen av kommunens medlemskap dekker, er "
        "«ingen_distrikt» (bare for kommunen selv). Medlemskommuner i distrikter kommunen ser, er med. " + HALVAPEN
    ),
    parameters=PERIODE_PARAMETRE, responses=UdekketListeSerializer,
)
class UdekketView(SchemaSafeMixin, views.APIView):
    omrade = "legevakt"

    def get(self, request):
        fra, til = _periode(request)
        return Response(UdekketListeSerializer(
            {"fra": fra, "til": til, "resultater": _udekket(belastning.udekket(fra=fra, til=til))}).data)
