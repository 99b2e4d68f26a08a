"""Serializers of the overload job's flags (legevakt.api.varsel_views)."""

from __future__ import annotations

from rest_framework import serializers

from legevakt.models import Belastningsvarsel


class BelastningsvarselSerializer(serializers.ModelSerializer):
    type_tekst = serializers.CharField(source="get_type_display", read_only=True)
    distrikt_navn = serializers.CharField(source="distrikt.navn", read_only=True)
    apen = serializers.SerializerMethodField(help_text="Åpent: betingelsen gjelder fortsatt (ikke løst).")
    detaljer = serializers.JSONField(
        read_only=True,
        help_text="Etter type: antall leger og grensen (fa_leger); per lege vaktdøgn og «hver N.» de siste og neste fire "
                  "ukene (hyppighet); beredskapstimer per uke med grensen, som er et synspunkt og ikke en regel "
                  "(beredskap, er_regel=false); antall, datoer og vakter (hvilebrudd); antall, timer, kommuner og de første "
                  "tidsrommene uten lege på vakt (udekket); dager under unntaket i kompetanseforskriften § 4 (kompetanseunntak); "
                  "befolkningsgruppe og vakttyper under normtallet (normtall). `sentralitet_ukjent`: kommunenumre vurdert "
                  "etter innbyggertall alene.")

    class Meta:
        model = Belastningsvarsel
        fields = ["id", "distrikt", "distrikt_navn", "type", "type_tekst", "apen", "reist", "sett", "sett_av", "lost",
                  "varslet", "detaljer"]
        read_only_fields = fields

    def get_apen(self, obj) -> bool:
        return obj.lost is None
