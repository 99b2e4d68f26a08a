"""Serializers of the lister API: they parse and shape; the rules are lister.services' (so the API
and the pages refuse the same input with the same message). Numbers the services check (listetak,
organisasjonsnummer) are plain fields here for that reason."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from rest_framework import serializers

from kommune.models import Lege
from lister.filters import STATUS_CHOICES
from lister.models import Legekontor, Legeperiode, Listetall, Oppdragsgiver, Pasientliste, Ukedag


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A reference by id to one of the kommune's own objects, looked up when the request is
    parsed (inside the kommune scope): another kommune's id is "does not exist" (400)."""

    def __init__(self, model, **kwargs):
        self.model = model
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", model.objects.none())
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.model.objects.all()


class LegekontorSerializer(serializers.ModelSerializer):
    organisasjonsnummer = serializers.CharField(
        max_length=20, help_text="Ni siffer med kontrollsiffer (modulus 11, Enhetsregisteret); mellomrom fjernes."
    )
    antall_lister = serializers.IntegerField(read_only=True, help_text="Antall pasientlister ved kontoret.")

    class Meta:
        model = Legekontor
        fields = ["id", "navn", "organisasjonsnummer", "adresse", "postnummer", "poststed", "telefon", "antall_lister",
                  "versjon", "endret"]
        read_only_fields = ["id", "versjon", "endret"]
        validators: list = []  # uniqueness per kommune is the service's rule


class PasientlisteSerializer(serializers.ModelSerializer):
    """A list with its figures as of the day asked about (`?dato=`, default today)."""

    legekontor = ScopedPrimaryKeyField(Legekontor, help_text="Legekontorets id.")
    legekontor_navn = serializers.CharField(source="legekontor.navn", read_only=True)
    flo_id = serializers.CharField(
        required=False, allow_blank=True,
        help_text="Listens nummer i Fastlegeregisteret (FLO): bare siffer, unikt i kommunen; brukes ved import av "
        "månedlige listetall. Tom: ikke registrert.",
    )
    listetak = serializers.IntegerField(help_text="1–2 500 (fastlegeforskriften § 10). Har listen fastlege, endres "
                                        "listetaket gjennom fastlegeavtalen.")
    samarbeidskommuner = serializers.ListField(
        child=serializers.CharField(max_length=4), required=False, help_text="Kommunenummer for samarbeidskommuner."
    )
    listelengde = serializers.IntegerField(read_only=True, allow_null=True, help_text="Siste registrerte listelengde.")
    listelengde_dato = serializers.DateField(read_only=True, allow_null=True, help_text="Datoen listelengden gjelder.")
    venteliste = serializers.IntegerField(read_only=True)
    ledige_plasser = serializers.IntegerField(
        read_only=True, help_text="Listetak minus listelengde (Helsedirektoratets definisjon); negativt når listen er "
        "over listetaket.",
    )
    status = serializers.ChoiceField(
        choices=STATUS_CHOICES, read_only=True,
        help_text="Avledet: lukket når listelengde ≥ listetak (fastlegeforskriften § 10), ellers åpen, med mindre "
        "kommunen har låst listen; opphort når listen ikke gjelder på datoen.",
    )
    fastleger = serializers.CharField(read_only=True, help_text="Fastlegene på datoen (navn).")
    vikarer = serializers.CharField(read_only=True, help_text="Vikarene på datoen (navn).")
    har_fastlege = serializers.BooleanField(read_only=True)

    class Meta:
        model = Pasientliste
        fields = [
            "id", "navn", "flo_id", "legekontor", "legekontor_navn", "listetak", "manuelt_last", "er_fellesliste",
            "samarbeidskommuner", "gyldig_fra", "gyldig_til", "sluttarsak", "listelengde", "listelengde_dato",
            "venteliste", "ledige_plasser", "status", "fastleger", "vikarer", "har_fastlege", "versjon", "endret",
        ]
        read_only_fields = ["id", "gyldig_til", "sluttarsak", "versjon", "endret"]
        validators: list = []


class PasientlisteEndringSerializer(PasientlisteSerializer):
    """Changing a list's settings; its start date is fixed."""

    status = serializers.CharField(read_only=True)

    class Meta(PasientlisteSerializer.Meta):
        read_only_fields = ["id", "gyldig_fra", "gyldig_til", "sluttarsak", "versjon", "endret"]


OPPDRAGSGIVER_HJELP = (
    "Bare for en vikar (LPVI): «kommunen» (standard) – kommunen engasjerer og lønner vikaren; «fastlegen» – en "
    "næringsdrivende fastlege engasjerer og betaler vikaren privat (ikke lønn fra kommunen). Tom for en fastlegeperiode."
)


class OppdragsgiverField(serializers.ChoiceField):
    """Who engages and pays a vikar; empty or left out: the service decides (a vikar: «kommunen»).
    A value that is neither is refused on the field with the service's message."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("help_text", OPPDRAGSGIVER_HJELP)
        kwargs.setdefault("error_messages", {
            "invalid_choice": gettext_lazy("Oppdragsgiver må være «kommunen» eller «fastlegen»."),
        })
        super().__init__(choices=Oppdragsgiver.choices, **kwargs)


class LegeperiodeSerializer(serializers.ModelSerializer):
    """Who serves the list in a period. `til` is the first day the period no longer covers
    (opphører); empty means open-ended."""

    lege = ScopedPrimaryKeyField(Lege, help_text="Legens id (en lege registrert i kommunen).")
    lege_navn = serializers.CharField(source="lege.navn", read_only=True)
    lege_hpr_nummer = serializers.CharField(source="lege.hpr_nummer", read_only=True)
    vikar_for = ScopedPrimaryKeyField(Lege, required=False, allow_null=True, help_text="Legen vikaren er vikar for.")
    vikar_for_navn = serializers.CharField(source="vikar_for.navn", read_only=True, allow_null=True)
    stillingsprosent = serializers.IntegerField(required=False, help_text="1–100.")
    arbeidsdager = serializers.ListField(
        child=serializers.ChoiceField(choices=Ukedag.choices), required=False,
        help_text="Ukedager legen arbeider på listen (0 = søndag, som i Fastlegeregisteret).",
    )
    oppdragsgiver = OppdragsgiverField()

    class Meta:
        model = Legeperiode
        fields = [
            "id", "pasientliste", "lege", "lege_navn", "lege_hpr_nummer", "rolle", "vikar_for", "vikar_for_navn",
            "oppdragsgiver", "stillingsprosent", "arbeidsdager", "kontortid_start", "kontortid_slutt", "fra", "til",
            "er_fellesliste", "begrunnelse_over_100",
        ]
        read_only_fields = ["id", "pasientliste", "er_fellesliste"]
        validators: list = []


class LegeperiodeSluttSerializer(LegeperiodeSerializer):
    """Moving a period's end (ending or extending it)."""

    lege = serializers.PrimaryKeyRelatedField(read_only=True)
    vikar_for = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    stillingsprosent = serializers.IntegerField(read_only=True)
    arbeidsdager = serializers.ListField(child=serializers.IntegerField(), read_only=True)
    oppdragsgiver = serializers.CharField(read_only=True, help_text=OPPDRAGSGIVER_HJELP)

    class Meta(LegeperiodeSerializer.Meta):
        read_only_fields = ["id", "pasientliste", "lege", "rolle", "vikar_for", "oppdragsgiver", "fra", "er_fellesliste"]
        extra_kwargs = {"til": {"required": True, "allow_null": True}}


class ListetallSerializer(serializers.ModelSerializer):
    class Meta:
        model = Listetall
        fields = ["id", "pasientliste", "dato", "listelengde", "venteliste", "versjon", "endret"]
        read_only_fields = ["id", "pasientliste", "versjon", "endret"]
        validators: list = []  # one figure per list and date: the service's rule


class KapasitetSerializer(serializers.Serializer):
    dato = serializers.DateField()
    lister = serializers.IntegerField(help_text="Lister som gjelder på datoen.")
    lister_uten_fastlege = serializers.IntegerField()
    apne_lister = serializers.IntegerField()
    listetak = serializers.IntegerField(help_text="Summen av listetak.")
    listelengde = serializers.IntegerField(help_text="Summen av listelengde.")
    ledige_plasser = serializers.IntegerField(help_text="Summen av listetak minus summen av listelengde.")
    listetak_med_fastlege = serializers.IntegerField()
    ledige_plasser_med_fastlege = serializers.IntegerField()
    venteliste = serializers.IntegerField()
    definisjon = serializers.CharField(help_text="Definisjonen av ledige plasser, med kilde.")


class ListetallImportSerializer(serializers.Serializer):
    fil = serializers.FileField(
        help_text="CSV (UTF-8; skilletegn ; , eller tabulator) eller XLSX, høyst 1 MB. Kolonner: liste (eller flo_id), "
        "dato (den 1. i måneden), listelengde, venteliste. Ingen personopplysninger.",
    )
