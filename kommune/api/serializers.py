from rest_framework import serializers

from kommune.models import Innbyggertall, Kommune


class KommuneSerializer(serializers.ModelSerializer):
    innbyggere = serializers.IntegerField(read_only=True, allow_null=True, help_text="Innbyggertallet som gjelder i dag.")
    innbyggere_gjelder_fra = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = Kommune
        fields = [
            "kommunenummer", "navn", "fylkesnummer", "fylkesnavn", "administrasjonssenter", "areal_km2",
            "innbyggere", "innbyggere_gjelder_fra", "malform", "sentralitetsklasse", "avtaleregime",
            "versjon", "endret",
        ]
        read_only_fields = [
            "kommunenummer", "navn", "fylkesnummer", "fylkesnavn", "administrasjonssenter", "areal_km2",
            "versjon", "endret",
        ]


class InnbyggertallSerializer(serializers.ModelSerializer):
    kommunenummer = serializers.CharField(source="kommune.kommunenummer", read_only=True)

    class Meta:
        model = Innbyggertall
        fields = ["id", "kommunenummer", "gjelder_fra", "antall", "kilde", "versjon", "endret"]
        read_only_fields = ["id", "kommunenummer", "versjon", "endret"]
        # Uniqueness per kommune and date is the service's rule (the kommune is not in the body).
        validators: list = []
