"""Serializers of the district API: they parse and shape; the rules are
legevakt.distrikt_services' (the API and the pages refuse the same input with the same message)."""

from __future__ import annotations

from rest_framework import serializers

from kommune.models import Lege
from legevakt.models import Distriktstype, Legevaktdistrikt, Medlemskap, Stasjon, Tidsbolk, Vaktavtale
from lister.api.serializers import ScopedPrimaryKeyField


class MedlemskapSerializer(serializers.ModelSerializer):
    """A kommune served by the district in a time band for [fra, til) (`til`: the first day not
    covered; empty: until further notice)."""

    kommunenummer = serializers.CharField(source="medlem.kommunenummer", read_only=True)
    kommunenavn = serializers.CharField(source="medlem.navn", read_only=True)

    class Meta:
        model = Medlemskap
        fields = ["id", "distrikt", "medlem", "kommunenummer", "kommunenavn", "tidsbolk", "fra", "til", "versjon", "endret"]
        read_only_fields = fields


class MedlemskapOpprettSerializer(serializers.Serializer):
    """Adding a kommune: `kommunenummer` (four digits) or `medlem` (the kommune's id); any Norwegian
    kommune may be a member."""

    kommunenummer = serializers.CharField(required=False, max_length=4, help_text="Kommunenummeret (fire siffer).")
    medlem = serializers.IntegerField(required=False, help_text="Kommunens id (alternativ til kommunenummer).")
    tidsbolk = serializers.ChoiceField(choices=Tidsbolk.choices, default=Tidsbolk.DOGN,
                                       help_text="dogn, dagtid (hverdager 08–16) eller utenfor_dagtid.")
    fra = serializers.DateField()
    til = serializers.DateField(required=False, allow_null=True, default=None,
                                help_text="Første dag medlemskapet ikke gjelder; tom: inntil videre.")


class MedlemskapEndringSerializer(serializers.ModelSerializer):
    tidsbolk = serializers.ChoiceField(choices=Tidsbolk.choices, required=False)

    class Meta:
        model = Medlemskap
        fields = ["tidsbolk", "fra", "til"]
        extra_kwargs = {"fra": {"required": False}}
        validators: list = []


class StasjonSerializer(serializers.ModelSerializer):
    postnummer = serializers.CharField(required=False, allow_blank=True, max_length=10, help_text="Fire siffer.")

    class Meta:
        model = Stasjon
        fields = ["id", "distrikt", "navn", "adresse", "postnummer", "poststed", "telefon", "aktiv", "versjon", "endret"]
        read_only_fields = ["id", "distrikt", "aktiv", "versjon", "endret"]
        validators: list = []


class StasjonEndringSerializer(StasjonSerializer):
    class Meta(StasjonSerializer.Meta):
        read_only_fields = ["id", "distrikt", "versjon", "endret"]
        extra_kwargs = {"navn": {"required": False}, "adresse": {"required": False}}


class VaktavtaleSerializer(serializers.ModelSerializer):
    lege = ScopedPrimaryKeyField(Lege, help_text="Legens id (en lege registrert i vertskommunen).")
    lege_navn = serializers.CharField(source="lege.navn", read_only=True)

    class Meta:
        model = Vaktavtale
        fields = ["id", "distrikt", "lege", "lege_navn", "fra", "til", "merknad", "versjon", "endret"]
        read_only_fields = ["id", "distrikt", "versjon", "endret"]
        validators: list = []


class VaktavtaleEndringSerializer(VaktavtaleSerializer):
    lege = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta(VaktavtaleSerializer.Meta):
        read_only_fields = ["id", "distrikt", "lege", "versjon", "endret"]
        extra_kwargs = {"fra": {"required": False}}


class MedlemLesSerializer(serializers.Serializer):
    kommunenummer = serializers.CharField(source="medlem.kommunenummer")
    kommunenavn = serializers.CharField(source="medlem.navn")
    tidsbolk = serializers.CharField()
    fra = serializers.DateField()
    til = serializers.DateField(allow_null=True)


class LegevaktdistriktSerializer(serializers.ModelSerializer):
    """A district with its members on the day asked about (?dato=, default today), population and
    SFS 2305 population band."""

    vertskommune = serializers.CharField(source="kommune.kommunenummer", read_only=True)
    vertskommune_navn = serializers.CharField(source="kommune.navn", read_only=True)
    type = serializers.ChoiceField(choices=Distriktstype.choices)
    medlemmer = MedlemLesSerializer(source="medlemmer_pa_dagen", many=True, read_only=True,
                                    help_text="Medlemskapene som gjelder på dagen.")
    befolkning = serializers.IntegerField(read_only=True, help_text="Summen av medlemskommunenes siste innbyggertall.")
    befolkningsgruppe = serializers.SerializerMethodField(
        help_text="SFS 2305: I < 30 000 ≤ II ≤ 60 000 < III ≤ 90 000 < IV.")

    class Meta:
        model = Legevaktdistrikt
        fields = ["id", "navn", "type", "vertskommune", "vertskommune_navn", "merknad", "aktiv", "medlemmer", "befolkning",
                  "befolkningsgruppe", "versjon", "endret"]
        read_only_fields = ["id", "aktiv", "versjon", "endret"]
        validators: list = []

    def get_befolkningsgruppe(self, distrikt) -> str:
        from legevakt.distrikt_selectors import gruppe_for

        return gruppe_for(getattr(distrikt, "befolkning", 0) or 0, self.context.get("dato"))


class LegevaktdistriktOpprettSerializer(serializers.Serializer):
    """A new district with the kommune in scope as vertskommune: its own membership from `fra` in
    `tidsbolk`; for an interkommunal district the deltakerkommuner in `medlemmer` get the same."""

    navn = serializers.CharField(max_length=200)
    type = serializers.ChoiceField(choices=Distriktstype.choices)
    fra = serializers.DateField(help_text="Første dag medlemskapene gjelder.")
    tidsbolk = serializers.ChoiceField(choices=Tidsbolk.choices, default=Tidsbolk.DOGN)
    merknad = serializers.CharField(required=False, allow_blank=True, default="")
    medlemmer = serializers.ListField(child=serializers.CharField(max_length=4), required=False, default=list,
                                      help_text="Deltakerkommunenes kommunenumre (bare interkommunale distrikter).")


class LegevaktdistriktEndringSerializer(serializers.ModelSerializer):
    type = serializers.ChoiceField(choices=Distriktstype.choices, required=False)

    class Meta:
        model = Legevaktdistrikt
        fields = ["navn", "type", "merknad", "aktiv"]
        extra_kwargs = {"navn": {"required": False}}
        validators: list = []
