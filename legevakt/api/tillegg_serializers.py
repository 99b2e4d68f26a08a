"""Serializers of the supplements API (a shift's Vakttillegg): they parse and shape; the rules are
legevakt.tillegg_services' (so the API and the pages refuse the same input with the same message).
Numbers carry no range checks here for that reason."""

from __future__ import annotations

from rest_framework import serializers

from legevakt.models import Tilleggsart, Vakttillegg


class VakttilleggSerializer(serializers.ModelSerializer):
    """One supplement on a shift: a journey (`art` «reise», `minutter_hver_vei`) or hours worked in
    the legevaktsentral (`art` «legevaktsentral», `timer`)."""

    art = serializers.ChoiceField(
        choices=Tilleggsart.choices,
        help_text="«reise» (reisetid; SFS 2305 § 9.4 betaler per påbegynte halvtime ut over 30 minutter hver vei) eller "
        "«legevaktsentral» (arbeid i legevaktsentralen; § 8.2 betaler et tillegg per time).",
    )
    art_navn = serializers.CharField(source="get_art_display", read_only=True)
    minutter_hver_vei = serializers.IntegerField(
        required=False, allow_null=True, help_text="Bare for en reise: reisetiden hver vei i hele minutter, 1–1440.")
    timer = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, allow_null=True,
        help_text="Bare for arbeid i legevaktsentralen: timer, flere enn null og høyst vaktens lengde (virkelige timer).")
    merknad = serializers.CharField(required=False, allow_blank=True, max_length=300,
                                    help_text="Høyst 300 tegn. Ikke skriv helseopplysninger her.")

    class Meta:
        model = Vakttillegg
        fields = ["id", "vakt", "art", "art_navn", "minutter_hver_vei", "timer", "merknad", "versjon", "endret"]
        read_only_fields = ["id", "vakt", "versjon", "endret"]
