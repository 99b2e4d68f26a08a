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
                                           "fastlegeavtale.opprettet|endret|avsluttet|slettet, alisavtale.*, okonomiavtale.*")
    kommunenummer = serializers.CharField()
    tidspunkt = serializers.DateTimeField(help_text="Når endringen ble gjort (ISO 8601 med tidssone).")
    objekt_id = serializers.CharField(help_text="Stabil id: «vakt:123», «vikariat:45», «fastlegeavtale:7», …")
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
