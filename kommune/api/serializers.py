from rest_framework import serializers

from kommune.models import KOMPETANSESTATUS, Innbyggertall, Kommune, Lege


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


# --- doctors ------------------------------------------------------------------------------------

LEGE_KOMPETANSE_FIELDS = [
    "spesialist_allmennmedisin_fra", "under_spesialisering_fra", "godkjent_allmennlege_fra", "lis1_fullfort",
    "turnus_godkjent", "kurs_akuttmedisin", "kurs_vold_overgrep", "hjemmel_1_mars_2017",
]


class LegeSerializer(serializers.ModelSerializer):
    """A doctor as the kommune sees it: the national record plus the kommune's employee number.
    Rules (HPR format, one registration per kommune, name and date of birth matching the national
    record) are checked by kommune.services, so pages and the API give the same messages."""

    # Plain fields: the service validates (same message as the pages), not the serializer.
    hpr_nummer = serializers.CharField(help_text="HPR-nummer (7–9 siffer, Helsepersonellregisteret).")
    ansattnummer = serializers.CharField(
        required=False, allow_blank=True, max_length=30, help_text="Kommunens ansattnummer for legen (valgfritt)."
    )
    navn = serializers.CharField(read_only=True)
    kompetansestatus = serializers.SerializerMethodField(
        help_text="Kompetanseforskriften § 3/§ 5 i dag: spesialist, godkjent_allmennlege, under_spesialisering, "
        "overgangsregel eller ingen (punkt 4 i Helfo-skjema 05-04.27)."
    )
    kompetansestatus_tekst = serializers.SerializerMethodField()

    class Meta:
        model = Lege
        fields = [
            "id", "hpr_nummer", "fornavn", "etternavn", "navn", "fodselsdato", *LEGE_KOMPETANSE_FIELDS, "ansattnummer",
            "kompetansestatus", "kompetansestatus_tekst", "versjon", "endret",
        ]
        read_only_fields = ["id", "versjon", "endret"]
        validators: list = []

    def get_kompetansestatus(self, lege) -> str:
        return lege.kompetansestatus()

    def get_kompetansestatus_tekst(self, lege) -> str:
        return str(KOMPETANSESTATUS[lege.kompetansestatus()])


class LegeEndringSerializer(LegeSerializer):
    """Correcting a doctor: the HPR number identifies the record and cannot be changed."""

    hpr_nummer = serializers.CharField(read_only=True)

    class Meta(LegeSerializer.Meta):
        read_only_fields = ["id", "hpr_nummer", "versjon", "endret"]
