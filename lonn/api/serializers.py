"""Shapes of the payroll API, for validation of parameters and the OpenAPI schema. The feed and the
snapshots are assembled as JSON by PostgreSQL (lonn.feed); these serializers describe them."""

from __future__ import annotations

from rest_framework import serializers

from lonn.feed import MAKS_ANTALL, STANDARD_ANTALL
from lonn.models import AVTALETYPER


class FeedParametreSerializer(serializers.Serializer):
    etter = serializers.CharField(required=False, allow_blank=True, max_length=80)
    antall = serializers.IntegerField(required=False, min_value=1, max_value=MAKS_ANTALL, default=STANDARD_ANTALL)


class BildeParametreSerializer(serializers.Serializer):
    peker = serializers.CharField(required=False, allow_blank=True, max_length=400)
    markor = serializers.CharField(required=False, allow_blank=True, max_length=80)
    antall = serializers.IntegerField(required=False, min_value=1, max_value=MAKS_ANTALL, default=STANDARD_ANTALL)
    fra = serializers.DateField(required=False)
    til = serializers.DateField(required=False)
    type = serializers.ChoiceField(choices=[t.value for t in AVTALETYPER], required=False)

    def validate(self, attrs):
        fra, til = attrs.get("fra"), attrs.get("til")
        if fra and til and til <= fra:
            raise serializers.ValidationError({"til": ["til må være etter fra (til er første dag som ikke er med)."]})
        return attrs


class HendelseSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="Markøren for denne hendelsen (kan brukes som `etter`).")
    type = serializers.CharField(help_text="<objekttype>.<verb>: vakt.opprettet|endret|slettet, vikariat.*, "
                                           "fastlegeavtale.opprettet|endret|avsluttet|slettet, alisavtale.*, okonomiavtale.*; "
                                           "lonnsperiode.lukket|gjenapnet; korreksjon.vakt|vikariat|alisavtale "
                                           "(en endring i en lukket måned: reversering og nye verdier, postert i "
                                           "`posteres_i`)")
    kommunenummer = serializers.CharField()
    tidspunkt = serializers.DateTimeField(help_text="Når endringen ble gjort (ISO 8601 med tidssone).")
    objekt_id = serializers.CharField(help_text="Stabil id: «vakt:123», «vikariat:45», «fastlegeavtale:7», «korreksjon:12», "
                                                "«lonnsperiode:2026-10», …")
    versjon = serializers.IntegerField(help_text="Objektets lønnsversjon; øker med hver endring av objektet.")
    data = serializers.JSONField(help_text="Objektet slik denne endringen etterlot det (se README: lønnsintegrasjonen).")


class FeedSerializer(serializers.Serializer):
    hendelser = HendelseSerializer(many=True)
    neste = serializers.CharField(help_text="Markøren for neste kall (`etter`).")
    flere = serializers.BooleanField(help_text="true når flere hendelser er klare nå.")


class BildeRadSerializer(serializers.Serializer):
    objekt_id = serializers.CharField()
    type = serializers.CharField()
    versjon = serializers.IntegerField()
    slettet = serializers.BooleanField(help_text="true: en gravstein (objektet er ute av lønnsgrunnlaget); behold versjonen.")
    kommunenummer = serializers.CharField()
    data = serializers.JSONField()


class BildeSerializer(serializers.Serializer):
    markor = serializers.CharField(help_text="Strømmens markør tatt før første side: følg /lonn/hendelser/?etter=<markor> "
                                             "etterpå, og hopp over hendelser med versjon du allerede har.")
    resultater = BildeRadSerializer(many=True)
    neste = serializers.URLField(allow_null=True, help_text="Neste side, eller null på siste side.")


class KvitteringSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    markor = serializers.CharField(max_length=80, help_text="Markøren klienten har behandlet strømmen til og med.")
    mottatt = serializers.DateTimeField(read_only=True)
    etterslep = serializers.SerializerMethodField(help_text="Ved mottak: hendelser etter markøren nå (høyst 10 000 telles).")

    def get_etterslep(self, obj) -> int | None:
        return getattr(obj, "etterslep", None)


class LonnsperiodeSerializer(serializers.Serializer):
    periode = serializers.SerializerMethodField(help_text="Måneden, ÅÅÅÅ-MM.")
    status = serializers.CharField(help_text="lukket (attestert) eller gjenapnet.")
    lukket = serializers.DateTimeField(help_text="Når måneden sist ble lukket.")
    antall_linjer = serializers.IntegerField(help_text="Linjer i lønnsfilen da måneden ble lukket.")
    sum_belop = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="Lønnsfilens sum da måneden ble lukket.")

    def get_periode(self, obj) -> str:
        return f"{obj.maned:%Y-%m}"
