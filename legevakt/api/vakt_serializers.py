"""Serializers of the roster API: they parse and shape; the rules are legevakt.vakt_services' (so
the API and the pages refuse the same input with the same message). References (distrikt, lege,
stasjon, erstatter, vakt) are plain ids here and looked up by the services, which refuse another
kommune's like an unknown one. Datetimes without offset are Oslo time; a time that does not exist
in Oslo (the skipped hour in March) or occurs twice is refused."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers

from core.dates import elapsed_hours
from core.timefields import LocalDateTimeSerializerField
from legevakt.models import Avlysningsarsak, Byttestatus, Vakt, Vaktbytte, Vaktstatus, Vakttype

ID = {"min_value": 1, "max_value": 2**63 - 1}  # ids: out of range is 400, not a database error


class VaktSerializer(serializers.ModelSerializer):
    """One shift as the API shows it."""

    distrikt_navn = serializers.CharField(source="distrikt.navn", read_only=True)
    stasjon_navn = serializers.SerializerMethodField()
    lege_navn = serializers.CharField(source="lege.navn", read_only=True)
    start = LocalDateTimeSerializerField(read_only=True)
    slutt = LocalDateTimeSerializerField(read_only=True)
    timer = serializers.SerializerMethodField(help_text="Virkelige timer (en natt 20–08 er 13 timer i oktober, 11 i mars).")

    class Meta:
        model = Vakt
        fields = ["id", "distrikt", "distrikt_navn", "stasjon", "stasjon_navn", "lege", "lege_navn", "type", "vaktklasse",
                  "lokal_avtale", "start", "slutt", "timer", "dagkategori", "hoytid", "status", "avlyst_arsak", "erstatter",
                  "hvilebrudd_begrunnelse", "unntak_kompetanse", "merknad", "versjon", "endret"]
        read_only_fields = fields

    def get_stasjon_navn(self, vakt) -> str:
        return vakt.stasjon.navn if vakt.stasjon_id else ""

    def get_timer(self, vakt) -> float:
        return round(elapsed_hours(vakt.start, vakt.slutt), 2)


class VaktInnSerializer(serializers.Serializer):
    """A new shift (the same fields as the page's form)."""

    distrikt = serializers.IntegerField(**ID, help_text="Legevaktdistriktets id (kommunen må være vertskommune).")
    lege = serializers.IntegerField(**ID, help_text="Legens id: registrert i kommunen, fastlege i en av distriktets kommuner eller "
                                    "med vaktavtale.")
    type = serializers.ChoiceField(choices=Vakttype.choices)
    vaktklasse = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=9,
                                          help_text="1–4 (SFS 2305 § 8.3). Tom: tilstedevakt 3, ellers 1.")
    start = LocalDateTimeSerializerField(help_text="ISO 8601; uten forskyvning er det norsk tid.")
    slutt = LocalDateTimeSerializerField(help_text="Etter start, høyst 72 timer senere.")
    stasjon = serializers.IntegerField(**ID, required=False, allow_null=True)
    lokal_avtale = serializers.CharField(required=False, allow_blank=True, max_length=300,
                                         help_text="Lokal avtale som gir tilstedevakt i vaktklasse 2.")
    hvilebrudd_begrunnelse = serializers.CharField(
        required=False, allow_blank=True, max_length=4000,
        help_text="Påkrevd når legen får mindre enn åtte timers hvile mellom arbeidsperioder (SFS 2305 § 7.4).")
    merknad = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class VaktEndringSerializer(serializers.Serializer):
    """Changing a shift (PATCH with If-Match): any of these fields."""

    lege = serializers.IntegerField(**ID, required=False)
    type = serializers.ChoiceField(choices=Vakttype.choices, required=False)
    vaktklasse = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=9)
    start = LocalDateTimeSerializerField(required=False)
    slutt = LocalDateTimeSerializerField(required=False)
    stasjon = serializers.IntegerField(**ID, required=False, allow_null=True)
    lokal_avtale = serializers.CharField(required=False, allow_blank=True, max_length=300)
    hvilebrudd_begrunnelse = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    merknad = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class VaktlisteParamSerializer(serializers.Serializer):
    distrikt = serializers.IntegerField(**ID, required=False)
    lege = serializers.IntegerField(**ID, required=False)
    fra = serializers.DateField(required=False, help_text="Vakter som slutter etter begynnelsen av denne dagen.")
    til = serializers.DateField(required=False, help_text="Vakter som begynner før denne dagen (første dag som ikke tas med).")
    type = serializers.ChoiceField(choices=Vakttype.choices, required=False)
    status = serializers.ChoiceField(choices=Vaktstatus.choices, required=False)

    def validate(self, attrs):
        from core.dates import check_range

        for name in ("fra", "til"):
            try:
                check_range(attrs.get(name), name)
            except Exception as exc:  # Django's ValidationError: the API's 400 with the field
                raise serializers.ValidationError({name: exc.messages}) from exc
        if attrs.get("fra") and attrs.get("til") and attrs["til"] <= attrs["fra"]:
            raise serializers.ValidationError({"til": [_("«til» må være etter «fra».")]})
        return attrs


class AvlysSerializer(serializers.Serializer):
    arsak = serializers.ChoiceField(choices=[c for c in Avlysningsarsak.choices if c[0]], default=Avlysningsarsak.ANNET)


class SykSerializer(serializers.Serializer):
    erstatter = serializers.IntegerField(**ID, help_text="Legen som overtar vakten.")
    fra = LocalDateTimeSerializerField(required=False, allow_null=True,
                                       help_text="Fra når erstatteren overtar (standard: vaktens start).")
    hvilebrudd_begrunnelse = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class ErstatterParamSerializer(serializers.Serializer):
    fra = LocalDateTimeSerializerField(required=False)


class VaktKandidatSerializer(serializers.Serializer):
    lege = serializers.IntegerField(source="lege.pk")
    lege_navn = serializers.CharField(source="lege.navn")
    rangering = serializers.IntegerField(help_text="1 er best.")
    kvalifisert = serializers.BooleanField(help_text="Kompetanseforskriften § 3a, eller dekket av kompetansebakvakt.")
    uthvilt = serializers.BooleanField(help_text="Minst åtte timers hvile før og etter (SFS 2305 § 7.4), kontortid medregnet.")
    fritatt = serializers.BooleanField(help_text="Fritatt fra legevakt i tidsrommet.")
    timer_siste_28 = serializers.FloatField(help_text="Timer på vakt de siste 28 dagene.")
    grunner = serializers.ListField(child=serializers.CharField())


class VaktBruddSerializer(serializers.Serializer):
    kode = serializers.CharField()
    felt = serializers.CharField()
    melding = serializers.CharField()
    kilde = serializers.CharField()
    kan_begrunnes = serializers.BooleanField(help_text="Sann når en begrunnelse lar vakten gå igjennom (hvilebrudd).")


class VaktbytteSerializer(serializers.ModelSerializer):
    vakt_start = LocalDateTimeSerializerField(source="vakt.start", read_only=True)
    vakt_lege = serializers.IntegerField(source="vakt.lege_id", read_only=True)
    vakt_lege_navn = serializers.CharField(source="vakt.lege.navn", read_only=True)
    mot_vakt_start = LocalDateTimeSerializerField(source="mot_vakt.start", read_only=True)
    mot_vakt_lege = serializers.IntegerField(source="mot_vakt.lege_id", read_only=True)
    mot_vakt_lege_navn = serializers.CharField(source="mot_vakt.lege.navn", read_only=True)
    status = serializers.ChoiceField(choices=Byttestatus.choices, read_only=True)

    class Meta:
        model = Vaktbytte
        fields = ["id", "vakt", "vakt_start", "vakt_lege", "vakt_lege_navn", "mot_vakt", "mot_vakt_start", "mot_vakt_lege",
                  "mot_vakt_lege_navn", "status", "opprettet", "behandlet", "merknad", "versjon", "endret"]
        read_only_fields = fields


class VaktbytteInnSerializer(serializers.Serializer):
    vakt = serializers.IntegerField(**ID, help_text="Vakten som skal byttes bort (en lege kan bare be om bytte av egne vakter).")
    mot_vakt = serializers.IntegerField(**ID, help_text="En annen leges vakt i samme vertskommune.")


class BehandleBytteSerializer(serializers.Serializer):
    merknad = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    hvilebrudd_begrunnelse = serializers.CharField(
        required=False, allow_blank=True, max_length=4000,
        help_text="Ved godkjenning: påkrevd når byttet gir en lege mindre enn åtte timers hvile (SFS 2305 § 7.4).")
