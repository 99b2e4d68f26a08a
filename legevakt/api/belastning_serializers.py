"""Duty-load figures (legevakt.belastning) for the API. Read-only; the window parameters are checked
by the same rule as the pages (belastning.sjekk_periode)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from legevakt import belastning

HALVAPEN = "Datoer er norsk tid; perioden er halvåpen [fra, til): til-datoen er ikke med."


class PeriodeParametreSerializer(serializers.Serializer):
    fra = serializers.DateField(required=False, help_text="Første dag (standard: 28 dager før i dag).")
    til = serializers.DateField(required=False, help_text="Første dag som ikke er med (standard: 28 dager etter i dag).")

    def validate(self, attrs):
        standard_fra, standard_til = belastning.standard_periode()
        attrs.setdefault("fra", standard_fra)
        attrs.setdefault("til", standard_til)
        try:
            belastning.sjekk_periode(attrs["fra"], attrs["til"])
        except DjangoValidationError as exc:
            raise serializers.ValidationError({field: [str(m) for e in errors for m in e.messages]
                                               for field, errors in exc.error_dict.items()}) from exc
        return attrs


class LegebelastningSerializer(serializers.Serializer):
    lege_id = serializers.IntegerField()
    lege_navn = serializers.CharField()
    distrikt_id = serializers.IntegerField(allow_null=True)
    fra = serializers.DateField()
    til = serializers.DateField(help_text="Første dag som ikke er med.")
    dager = serializers.IntegerField(help_text="Dager i perioden.")
    vakter = serializers.IntegerField(help_text="Aktive vakter som overlapper perioden.")
    timer = serializers.FloatField(help_text="Faktisk medgåtte timer innenfor perioden.")
    timer_per_4_uker = serializers.FloatField(help_text="timer × 28 / dager.")
    beredskapstimer = serializers.FloatField(help_text="Timer med hjemmevakt, bakvakt og kompetansebakvakt.")
    beredskapstimer_per_uke = serializers.FloatField(help_text="beredskapstimer × 7 / dager.")
    tilstedevakttimer = serializers.FloatField()
    netter = serializers.IntegerField(help_text="Midnatter (norsk tid) i perioden som ligger inne i en vakt.")
    helger = serializers.IntegerField(help_text="Helger (lørdag 00.00–mandag 00.00) legen har vakt i, hver telt én gang.")
    helligdager = serializers.IntegerField(help_text="Helligdager og høytidsdager legen har vakt på (ikke vanlige søndager).")
    juledager = serializers.IntegerField(help_text="Dager i julen (24.12.–1.1.) legen har vakt på.")
    paskedager = serializers.IntegerField(help_text="Dager i påsken (skjærtorsdag–andre påskedag) legen har vakt på.")
    vaktdogn = serializers.IntegerField(help_text="Summen over tilstedevakter og hjemmevakter av timer / 24, rundet opp.")
    hyppighet = serializers.FloatField(allow_null=True, help_text="N i «1:N» = dager / vaktdøgn; null uten vaktdøgn.")


class UdekketSerializer(serializers.Serializer):
    kommune_id = serializers.IntegerField()
    distrikt_id = serializers.IntegerField(allow_null=True, help_text="Null når ingen distrikt dekker kommunen da.")
    start = serializers.DateTimeField()
    slutt = serializers.DateTimeField()
    timer = serializers.FloatField()
    arsak = serializers.ChoiceField(
        choices=[("ingen_distrikt", "Ingen distrikt dekker kommunen"), ("ingen_lege", "Ingen lege på vakt i distriktet")],
        help_text="ingen_distrikt: ingen medlemskap dekker tiden; ingen_lege: distriktet har ingen tilstedevakt eller hjemmevakt.")


class DistriktsbelastningSerializer(serializers.Serializer):
    distrikt_id = serializers.IntegerField()
    navn = serializers.CharField()
    fra = serializers.DateField()
    til = serializers.DateField()
    dager = serializers.IntegerField()
    leger_i_vaktordning = serializers.IntegerField(help_text="Ulike leger med aktive vakter i perioden.")
    vakter = serializers.IntegerField()
    timer = serializers.FloatField()
    vakthavende_timer = serializers.FloatField(help_text="Timer med minst én lege på vakt (tilstedevakt eller hjemmevakt).")
    en_lege_timer = serializers.FloatField(help_text="Timer med nøyaktig én lege på vakt.")
    andel_en_lege = serializers.FloatField(allow_null=True, help_text="en_lege_timer / vakthavende_timer (0–1).")
    udekket_timer = serializers.FloatField(help_text="Medlemskommunenes timer uten lege på vakt i distriktets tidsbånd.")
    udekket = UdekketSerializer(many=True)


class GrenseSerializer(serializers.Serializer):
    verdi = serializers.FloatField()
    kilde = serializers.CharField()


class BelastningSerializer(serializers.Serializer):
    fra = serializers.DateField()
    til = serializers.DateField()
    distrikt = DistriktsbelastningSerializer()
    leger = LegebelastningSerializer(many=True)
    grenser = serializers.DictField(child=GrenseSerializer(), help_text=(
        "Referansetallene med kilde: beredskap (timer per uke, Legeforeningens krav fra 2020 — et synspunkt, ikke en "
        "regel), hyppighet (1:N), fa_leger (leger i vaktordningen)."))


class UdekketListeSerializer(serializers.Serializer):
    fra = serializers.DateField()
    til = serializers.DateField()
    resultater = UdekketSerializer(many=True)
