"""Serializers of the vacancy-case API: they parse and shape; the rules are lister.sak_services'
(so the API and the pages refuse the same input with the same message)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kommune.models import Lege
from lister import sak_selectors
from lister.api.serializers import ScopedPrimaryKeyField
from lister.models import Dekning, Ledighetssak, Pasientliste, Soker, Utlysning


class VilkarSerializer(serializers.Serializer):
    kode = serializers.CharField(help_text="asa4310, naeringsdrivende, tid, utlysninger eller ingen_kvalifisert.")
    tekst = serializers.CharField()
    oppfylt = serializers.BooleanField()
    detalj = serializers.CharField()
    dato = serializers.DateField(allow_null=True, help_text="For `tid`: dagen tolv måneder siden oppsigelsen nås.")


class HjemfallSerializer(serializers.Serializer):
    mulig = serializers.BooleanField(help_text="Alle vilkårene er oppfylt og saken er åpen (et utfall, ikke en handling).")
    dato = serializers.DateField(help_text="Datoen statusen gjelder.")
    apen = serializers.BooleanField()
    tid_oppfylt_fra = serializers.DateField(allow_null=True)
    antall_korrekte_utlysninger = serializers.IntegerField()
    kreves_utlysninger = serializers.IntegerField()
    kilde = serializers.CharField()
    vilkar = VilkarSerializer(many=True)


class LedighetssakSerializer(serializers.ModelSerializer):
    """A vacancy case as of the day asked about (today): its phase and the hjemfall status are derived."""

    pasientliste = ScopedPrimaryKeyField(Pasientliste, help_text="Listens id.")
    pasientliste_navn = serializers.CharField(source="pasientliste.__str__", read_only=True)
    fastlege = ScopedPrimaryKeyField(Lege, required=False, allow_null=True,
                                     help_text="Den avgående fastlegen (en lege registrert i kommunen); tom for en ny liste.")
    fastlege_navn = serializers.CharField(source="fastlege.navn", read_only=True, allow_null=True)
    andel_listetak = serializers.IntegerField(required=False, allow_null=True,
                                              help_text="På en fellesliste: den avgående legens del av listetaket.")
    kostnadsperiode_til = serializers.DateField(
        read_only=True, allow_null=True,
        help_text="Første dag kommunens vikarplikt og dekning av driftsutgifter ikke gjelder (ASA 4310: seks måneder etter "
        "oppsigelsestiden, bare næringsdrivende, ikke Oslo). Beregnes.",
    )
    apen = serializers.BooleanField(read_only=True, help_text="Ikke avsluttet per i dag.")
    fase = serializers.ChoiceField(choices=sak_selectors.FASE_CHOICES, read_only=True,
                                   help_text="Avledet: kunngjort, ledig eller avsluttet.")
    antall_utlysninger = serializers.IntegerField(read_only=True)
    antall_korrekte_utlysninger = serializers.IntegerField(read_only=True)
    antall_sokere = serializers.IntegerField(read_only=True)
    har_kvalifisert_soker = serializers.BooleanField(read_only=True)
    hjemfall = serializers.SerializerMethodField()

    class Meta:
        model = Ledighetssak
        fields = [
            "id", "pasientliste", "pasientliste_navn", "fastlege", "fastlege_navn", "arsak", "kjent", "oppsigelse_mottatt",
            "fastlege_slutt", "naeringsdrivende", "andel_listetak", "kostnadsperiode_til", "avsluttet", "merknad", "apen",
            "fase", "antall_utlysninger", "antall_korrekte_utlysninger", "antall_sokere", "har_kvalifisert_soker", "hjemfall",
            "versjon", "endret",
        ]
        read_only_fields = ["id", "avsluttet", "versjon", "endret"]
        validators: list = []  # one open case per list and GP: the service's rule

    @extend_schema_field(HjemfallSerializer)
    def get_hjemfall(self, sak) -> dict:
        return HjemfallSerializer(sak_selectors.hjemfall(sak)).data


class LedighetssakEndringSerializer(LedighetssakSerializer):
    """Changing a case: dates, cause, share, note, or closing it by hand. The list and GP are fixed."""

    pasientliste = serializers.PrimaryKeyRelatedField(read_only=True)
    fastlege = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta(LedighetssakSerializer.Meta):
        read_only_fields = ["id", "versjon", "endret"]


class UtlysningSerializer(serializers.ModelSerializer):
    class Meta:
        model = Utlysning
        fields = ["id", "sak", "dato", "soknadsfrist", "kanal", "korrekt", "merknad", "versjon", "endret"]
        read_only_fields = ["id", "sak", "versjon", "endret"]
        validators: list = []


class SokerSerializer(serializers.ModelSerializer):
    navn = serializers.CharField(max_length=200, allow_blank=True, help_text="Søkerens navn (ingen fødselsnummer).")
    lege = ScopedPrimaryKeyField(Lege, required=False, allow_null=True, help_text="Om søkeren er en lege registrert i kommunen.")
    lege_navn = serializers.CharField(source="lege.navn", read_only=True, allow_null=True)

    class Meta:
        model = Soker
        fields = ["id", "sak", "navn", "lege", "lege_navn", "mottatt", "vurdering", "merknad", "versjon", "endret"]
        read_only_fields = ["id", "sak", "versjon", "endret"]
        extra_kwargs = {"vurdering": {"help_text": "kvalifisert eller tilsatt (tildelt listen) utelukker hjemfall."}}
        validators: list = []


class DekningSerializer(serializers.ModelSerializer):
    pasientliste = ScopedPrimaryKeyField(Pasientliste, help_text="Listens id.")
    pasientliste_navn = serializers.CharField(source="pasientliste.__str__", read_only=True)
    til = serializers.DateField(help_text="Første dag dekningen ikke gjelder (halvåpen periode).")

    class Meta:
        model = Dekning
        fields = ["id", "pasientliste", "pasientliste_navn", "type", "fra", "til", "leger", "merknad", "versjon", "endret"]
        read_only_fields = ["id", "versjon", "endret"]
        extra_kwargs = {"type": {"help_text": "kollegial (inntil 56 dager per kalenderår på listen) eller kontoret."}}
        validators: list = []


class DekningSluttSerializer(DekningSerializer):
    """Moving the cover's end (shorten or extend)."""

    pasientliste = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta(DekningSerializer.Meta):
        read_only_fields = ["id", "pasientliste", "type", "fra", "leger", "merknad", "versjon", "endret"]
