"""Serializers of the 8.2-avtale API: they parse and shape; the rules are
avtaler.okonomi_services'. Amounts are decimal strings ("12500.50"); they are parsed without
limits here so that the service refuses too many decimals or too large amounts with the same
message as the pages."""

from __future__ import annotations

from rest_framework import serializers

from avtaler.models import (
    Betalingskategori,
    Betalingsretning,
    Fastlegeavtale,
    Kommuneytelse,
    Okonomiavtale,
    Okonomibetaling,
)
from lister.api.serializers import ScopedPrimaryKeyField


def amount(help_text: str, **kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=None, decimal_places=None, coerce_to_string=True, help_text=help_text, **kwargs)


class OkonomiavtaleSerializer(serializers.ModelSerializer):
    """An 8.2-avtale on a fastlegeavtale."""

    fastlegeavtale = ScopedPrimaryKeyField(
        Fastlegeavtale, help_text="Fastlegeavtalens id: næringsdrivende etter ASA 4310 med økonomisk modell asa4310_8_2.",
    )
    lege = serializers.IntegerField(source="fastlegeavtale.lege_id", read_only=True)
    lege_navn = serializers.CharField(source="fastlegeavtale.lege.navn", read_only=True)
    pasientliste_navn = serializers.CharField(source="fastlegeavtale.pasientliste.__str__", read_only=True)
    ytelser = serializers.ListField(
        child=serializers.ChoiceField(choices=Kommuneytelse.choices), required=False,
        help_text="Hva kommunen stiller med: lokaler, utstyr, personell, epj, inntektsgaranti, driftstilskudd. "
        "Tom liste krever en beskrivelse.",
    )
    inntektsgaranti_per_ar = amount("Kroner per år, høyst to desimaler; bare med ytelsen inntektsgaranti.",
                                    required=False, allow_null=True)
    driftstilskudd_per_ar = amount("Kroner per år, høyst to desimaler; bare med ytelsen driftstilskudd.",
                                   required=False, allow_null=True)
    tilbakeblikk_sum = serializers.DecimalField(
        max_digits=14, decimal_places=2, read_only=True,
        help_text="Betalt fra kommunen til legen ut over basistilskuddet de siste tre årene før i dag, for alle "
        "8.2-avtalene på fastlegeavtalen (se tilbakeblikk/).",
    )
    antall_betalinger = serializers.IntegerField(read_only=True)
    status = serializers.CharField(read_only=True, help_text="utkast (ikke signert), kommende (signert, ikke begynt), aktiv eller opphort.")

    class Meta:
        model = Okonomiavtale
        fields = [
            "id", "fastlegeavtale", "lege", "lege_navn", "pasientliste_navn", "ytelser", "beskrivelse", "kommunen_mottar",
            "inntektsgaranti_per_ar", "driftstilskudd_per_ar", "startdato", "sluttdato", "signert", "avslutning",
            "status", "antall_betalinger", "tilbakeblikk_sum", "versjon", "endret",
        ]
        read_only_fields = ["id", "versjon", "endret"]
        extra_kwargs = {
            "sluttdato": {"help_text": "Første dag avtalen ikke gjelder; tom: så lenge fastlegeavtalen løper."},
            "signert": {"help_text": "Signeringsdatoen (ikke i fremtiden)."},
        }
        validators: list = []  # the overlap rule is the service's (and the database's)


class OkonomiavtaleEndringSerializer(OkonomiavtaleSerializer):
    """Changing an 8.2-avtale: everything but the fastlegeavtale."""

    fastlegeavtale = serializers.PrimaryKeyRelatedField(read_only=True)


class OkonomiAvsluttSerializer(serializers.Serializer):
    sluttdato = serializers.DateField(help_text="Første dag avtalen ikke gjelder; etter startdatoen og etter siste betaling.")
    avslutning = serializers.CharField(required=False, allow_blank=True, help_text="Hvordan avtalen ble avsluttet.")


class OkonomibetalingSerializer(serializers.ModelSerializer):
    """One payment under an 8.2-avtale, in either direction."""

    retning = serializers.ChoiceField(choices=Betalingsretning.choices, help_text="til_lege eller til_kommune.")
    kategori = serializers.ChoiceField(
        choices=Betalingskategori.choices,
        help_text="Andel av basistilskudd eller refusjoner betales fra legen til kommunen. Alt til legen unntatt "
        "basistilskudd regnes med i treårssummen.",
    )
    belop = amount("Kroner, større enn null, høyst to desimaler; retningen sier hvem som betaler.")
    utover_basistilskudd = serializers.BooleanField(read_only=True, help_text="Regnes med i treårssummen ved salg av praksis.")

    class Meta:
        model = Okonomibetaling
        fields = ["id", "avtale", "dato", "retning", "kategori", "belop", "referanse", "beskrivelse", "utover_basistilskudd",
                  "versjon", "endret"]
        read_only_fields = ["id", "avtale", "versjon", "endret"]
        extra_kwargs = {"dato": {"help_text": "Betalingsdatoen: i avtaleperioden, ikke i fremtiden."}}


class ArSumSerializer(serializers.Serializer):
    ar = serializers.IntegerField()
    utover_basistilskudd = serializers.DecimalField(max_digits=14, decimal_places=2)
    basistilskudd = serializers.DecimalField(max_digits=14, decimal_places=2)
    mottatt_fra_lege = serializers.DecimalField(max_digits=14, decimal_places=2)


class KategoriSumSerializer(serializers.Serializer):
    retning = serializers.CharField()
    kategori = serializers.CharField()
    sum = serializers.DecimalField(max_digits=14, decimal_places=2)
    utover_basistilskudd = serializers.BooleanField()


class TilbakeblikkSerializer(serializers.Serializer):
    """The three-year look-back for the fastlegeavtale (all its 8.2-avtaler) as of `per`."""

    fastlegeavtale = serializers.IntegerField(source="fastlegeavtale.pk")
    lege_navn = serializers.CharField(source="fastlegeavtale.lege.navn")
    per = serializers.DateField(source="til", help_text="Datoen summen gjelder for; betalinger denne dagen er ikke med.")
    fra = serializers.DateField(help_text="Første dag i perioden: per minus tre år (29. februar blir 28. februar).")
    til = serializers.DateField(help_text="Første dag etter perioden (= per).")
    ar = serializers.IntegerField(help_text="Periodens lengde i år (regelen okonomi_tilbakeblikk_ar).")
    kilde = serializers.CharField()
    utbetalt_utover_basistilskudd = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="Betalt fra kommunen til legen i perioden, unntatt basistilskudd.")
    basistilskudd = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="Basistilskudd til legen (regnes ikke med).")
    mottatt_fra_lege = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="Betalt fra legen til kommunen.")
    netto = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="utbetalt_utover_basistilskudd − mottatt_fra_lege.")
    per_ar = ArSumSerializer(many=True)
    per_kategori = KategoriSumSerializer(many=True)
    betalinger = OkonomibetalingSerializer(many=True)
