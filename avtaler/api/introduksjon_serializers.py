"""Serializers of the introduksjonsavtale API: they parse and shape; the rules are
avtaler.introduksjon_services' (so the API and the pages refuse the same input with the same
message)."""

from __future__ import annotations

from rest_framework import serializers

from avtaler.models import Fastlegeavtale, Introduksjonsavtale, IntroduksjonsFastlege
from kommune.models import Lege
from lister.api.serializers import ScopedPrimaryKeyField
from lister.models import Legekontor


class DeltakerSerializer(serializers.ModelSerializer):
    """A participating fastlege and the list the introduksjonslege consults on."""

    fastlegeavtale = serializers.IntegerField(source="fastlegeavtale_id", read_only=True)
    lege = serializers.IntegerField(source="fastlegeavtale.lege_id", read_only=True)
    lege_navn = serializers.CharField(source="fastlegeavtale.lege.navn", read_only=True)
    pasientliste = serializers.IntegerField(source="fastlegeavtale.pasientliste_id", read_only=True)
    pasientliste_navn = serializers.CharField(source="fastlegeavtale.pasientliste.__str__", read_only=True)

    class Meta:
        model = IntroduksjonsFastlege
        fields = ["fastlegeavtale", "lege", "lege_navn", "pasientliste", "pasientliste_navn"]
        read_only_fields = fields


class IntroduksjonsavtaleSerializer(serializers.ModelSerializer):
    """An introduksjonsavtale with its participating fastleger."""

    lege = ScopedPrimaryKeyField(Lege, help_text="Introduksjonslegens id (registrert i kommunen; ikke spesialist i allmennmedisin).")
    lege_navn = serializers.CharField(source="lege.navn", read_only=True)
    lege_hpr_nummer = serializers.CharField(source="lege.hpr_nummer", read_only=True)
    legekontor = ScopedPrimaryKeyField(Legekontor, help_text="Legekontoret der introduksjonslegen arbeider.")
    legekontor_navn = serializers.CharField(source="legekontor.navn", read_only=True)
    sluttdato = serializers.DateField(
        required=False, allow_null=True,
        help_text="Første dag avtalen ikke gjelder. Utelatt eller null: standard lengde fra startdatoen "
        "(regelen introduksjonsavtale_varighet_maneder).",
    )
    fastlegeavtaler = ScopedPrimaryKeyField(
        Fastlegeavtale, many=True, write_only=True, required=False,
        help_text="Id-ene til de deltakende fastlegeavtalene (minst én): signerte, løpende i perioden, på lister ved "
        "legekontoret. Ved PATCH erstatter listen alle deltakerne.",
    )
    deltakere = DeltakerSerializer(many=True, read_only=True, help_text="De deltakende fastlegene og listene deres.")
    antall_fastleger = serializers.IntegerField(read_only=True)
    alisavtale = serializers.IntegerField(
        source="alisavtale_id", read_only=True, allow_null=True,
        help_text="ALIS-avtalen som bygger på introduksjonsavtalen (den siste, hvis flere).",
    )
    status = serializers.CharField(read_only=True, help_text="utkast (ikke signert), kommende (signert, ikke begynt), aktiv eller opphort.")

    class Meta:
        model = Introduksjonsavtale
        fields = [
            "id", "lege", "lege_navn", "lege_hpr_nummer", "legekontor", "legekontor_navn", "godkjenning_referanse",
            "godkjent_dato", "tilknytning", "kostnadsfordeling", "startdato", "sluttdato", "signert", "fastlegeavtaler",
            "deltakere", "antall_fastleger", "alisavtale", "status", "versjon", "endret",
        ]
        read_only_fields = ["id", "versjon", "endret"]
        extra_kwargs = {
            "godkjenning_referanse": {"help_text": "Referanse til Helsedirektoratets godkjenning (saksnummer)."},
            "godkjent_dato": {"help_text": "Datoen Helsedirektoratet godkjente avtalen; ikke etter startdatoen."},
            "tilknytning": {"help_text": "fastlonn (fastlønnet) eller naering (næringsdrivende)."},
            "kostnadsfordeling": {"help_text": "Hvordan kostnadene deles mellom partene."},
            "signert": {"help_text": "Signeringsdatoen (ikke i fremtiden, ikke før godkjenningen)."},
        }
        validators: list = []  # the overlap rule is the service's (and the database's)


class IntroduksjonsavtaleEndringSerializer(IntroduksjonsavtaleSerializer):
    """Changing an introduksjonsavtale: everything but the doctor (another doctor is another avtale)."""

    lege = serializers.PrimaryKeyRelatedField(read_only=True)
    sluttdato = serializers.DateField(required=False, help_text="Første dag avtalen ikke gjelder.")


class IntroduksjonAvsluttSerializer(serializers.Serializer):
    sluttdato = serializers.DateField(help_text="Første dag avtalen ikke gjelder; etter startdatoen og ikke senere enn "
                                      "den avtalte sluttdatoen.")
