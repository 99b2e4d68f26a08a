"""The kommune's capacity indicators (SSB table 12005 / Helsedirektoratet) on a day and month by month.
Each field's help text is its definition with the source (lister.indikatorer.DEFINISJONER)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers

from lister import indikatorer
from lister.indikatorer import DEFINISJONER


def _help(key: str) -> str:
    definisjon = DEFINISJONER[key]
    return f"{definisjon.tekst} Kilde: {definisjon.kilde_tekst}"


def _antall(key: str) -> serializers.IntegerField:
    return serializers.IntegerField(help_text=_help(key))


def _desimal(key: str) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True, help_text=_help(key) + " null når nevneren er 0.")


class IndikatorerSerializer(serializers.Serializer):
    dato = serializers.DateField(help_text="Dagen tallene gjelder.")
    lister = _antall("lister")
    fastlegeavtaler = _antall("fastlegeavtaler")
    lister_uten_fastlege = _antall("lister_uten_fastlege")
    lister_uten_listetall = serializers.IntegerField(
        help_text="Lister som gjelder på datoen, men ikke har noe listetall på eller før datoen (teller ikke med i listeinnbyggerne).")
    listeinnbyggere = _antall("listeinnbyggere")
    listeinnbyggere_uten_fastlege = _antall("listeinnbyggere_uten_fastlege")
    listeinnbyggere_med_fastlege = serializers.IntegerField(help_text="Summen av listelengden på listene med fast lege.")
    andel_listeinnbyggere_uten_fastlege = _desimal("andel_listeinnbyggere_uten_fastlege")
    apne_lister = _antall("apne_lister")
    gjennomsnittlig_listelengde = _desimal("gjennomsnittlig_listelengde")
    kapasitet = _antall("kapasitet")
    kapasitet_med_fastlege = serializers.IntegerField(help_text="Summen av listetaket på listene med fast lege.")
    ledige_plasser = _antall("ledige_plasser")
    ledige_plasser_med_fastlege = _antall("ledige_plasser_med_fastlege")
    reservekapasitet = _desimal("reservekapasitet")
    lister_med_vikar = serializers.IntegerField(help_text="Lister der en vikarperiode (rolle LPVI) gjelder på datoen.")
    andel_lister_med_vikar = _desimal("andel_lister_med_vikar")


class DefinisjonSerializer(serializers.Serializer):
    navn = serializers.CharField()
    definisjon = serializers.CharField()
    kilde = serializers.CharField()
    url = serializers.CharField(allow_blank=True)


class IndikatorerMedDefinisjonerSerializer(IndikatorerSerializer):
    definisjoner = serializers.DictField(
        child=DefinisjonSerializer(), help_text="Hver indikators navn, definisjon og kilde, etter feltnavn.")


class TrendParametreSerializer(serializers.Serializer):
    til = serializers.DateField(required=False, help_text="Den siste måneden er måneden til denne datoen (standard: i dag).")
    maneder = serializers.IntegerField(
        required=False, default=indikatorer.MANEDER_STANDARD, min_value=1, max_value=indikatorer.MANEDER_MAKS,
        help_text=f"Antall måneder, 1–{indikatorer.MANEDER_MAKS} (standard {indikatorer.MANEDER_STANDARD}).",
    )

    def validate_til(self, value):
        return validate_dato(value)


def validate_dato(value):
    if not indikatorer.DATO_MIN <= value <= indikatorer.DATO_MAKS:
        raise serializers.ValidationError(_("Datoen må være mellom %(fra)s og %(til)s.") % {
            "fra": indikatorer.DATO_MIN.isoformat(), "til": indikatorer.DATO_MAKS.isoformat()})
    return value


class DatoParameterSerializer(serializers.Serializer):
    dato = serializers.DateField(required=False, help_text="Dagen tallene gjelder (standard: i dag).")

    def validate_dato(self, value):
        return validate_dato(value)


class TrendSerializer(serializers.Serializer):
    til = serializers.DateField(help_text="Datoen det ble spurt om; den siste måneden er denne datoens måned.")
    maneder = serializers.IntegerField()
    resultater = IndikatorerSerializer(many=True, help_text="Indikatorene den 1. i hver måned, eldste først.")
