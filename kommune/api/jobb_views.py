"""Background jobs in the API: a job's status and progress, its result or its errors per row.
Read access in the job type's area (an import of list figures: lister:les)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from kommune import bakgrunnsjobber
from kommune.access import Tilgang
from kommune.models import Bakgrunnsjobb


class JobbFeilSerializer(serializers.Serializer):
    rad = serializers.IntegerField(allow_null=True, help_text="Radnummeret i filen (overskriften er rad 1); null gjelder hele filen.")
    felt = serializers.CharField(allow_blank=True, help_text="Kolonnen feilen gjelder.")
    melding = serializers.CharField()


class BakgrunnsjobbSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(
        choices=["venter", "kjorer", "fullfort", "feilet"], read_only=True,
        help_text="venter → kjorer → fullfort eller feilet. En feilet jobb har ikke lagret noe.",
    )
    filnavn = serializers.CharField(source="inndata_navn", read_only=True)
    startet_av = serializers.CharField(source="opprettet_av", read_only=True, help_text="bruker:<id> eller klient:<id>.")
    behandlet = serializers.IntegerField(read_only=True, help_text="Arbeidsenheter gjort (for import: kontroll og lagring av hver rad).")
    totalt = serializers.IntegerField(read_only=True, help_text="Arbeidsenheter i alt (for import av listetall: 2 × antall rader).")
    prosent = serializers.IntegerField(read_only=True, help_text="0–100.")
    feil = JobbFeilSerializer(many=True, read_only=True, help_text="Feilene når jobben har feilet, per rad.")
    resultat = serializers.DictField(child=serializers.IntegerField(), read_only=True,
                                     help_text="Tellinger når jobben er fullført (for import: rader, nye, oppdaterte, uendret).")

    class Meta:
        model = Bakgrunnsjobb
        fields = ["id", "type", "tittel", "status", "filnavn", "startet_av", "behandlet", "totalt", "prosent", "feil",
                  "resultat", "opprettet", "startet", "ferdig"]
        read_only_fields = fields


@extend_schema_view(retrieve=extend_schema(summary="En bakgrunnsjobbs status, fremdrift, resultat eller feil", tags=["kommuner"]))
class BakgrunnsjobbViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """En bakgrunnsjobb (for eksempel import av månedlige listetall): status, fremdrift i prosent,
    og når den er ferdig, resultatet eller feilene per rad. Lesing i jobbtypens område
    (import av listetall: lister:les)."""

    serializer_class = BakgrunnsjobbSerializer
    lookup_value_regex = "[0-9]+"
    omrade: str | None = None  # set from the job's type once the job is found (kommune.api.permissions)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Bakgrunnsjobb.objects.none()
        return bakgrunnsjobber.jobb_list()

    def check_permissions(self, request):
        tilgang = request.auth
        if isinstance(tilgang, Tilgang) and tilgang.kommune_id is not None and not tilgang.mfa_mangler and "pk" in self.kwargs:
            self.jobb = bakgrunnsjobber.get_jobb(pk=self.kwargs["pk"])  # another kommune's: 404
            entry = bakgrunnsjobber.jobbtype(self.jobb.type)
            self.omrade = entry.omrade if entry else "lister"
        super().check_permissions(request)

    def get_object(self):
        self.check_object_permissions(self.request, self.jobb)
        return self.jobb
