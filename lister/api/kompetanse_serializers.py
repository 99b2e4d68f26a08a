"""Serializers of the § 4 report (lister.kompetanse.kompetanserapport) and its query parameter."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers

from lister import kompetanse


class RapportArSerializer(serializers.Serializer):
    """The query parameter `ar` (standard: last year)."""

    ar = serializers.IntegerField(help_text="Rapportåret (standard: i fjor).")

    def validate_ar(self, value: int) -> int:
        years = kompetanse.rapport_ar_gyldige()
        if value not in years:
            raise serializers.ValidationError(_("Velg et år fra %(fra)d til %(til)d.") % {"fra": years.start, "til": years.stop - 1})
        return value


class RapportforholdSerializer(serializers.Serializer):
    periode_id = serializers.IntegerField()
    liste_id = serializers.IntegerField()
    liste = serializers.CharField()
    legekontor = serializers.CharField()
    rolle = serializers.CharField(help_text="LPFL (fastlege) eller LPVI (vikar).")
    rolle_tekst = serializers.CharField()
    fra = serializers.DateField()
    til = serializers.DateField(allow_null=True, help_text="Første dag perioden ikke gjelder (null: inntil videre).")
    til_og_med = serializers.DateField(allow_null=True)
    stillingsprosent = serializers.IntegerField()
    arbeidsdager = serializers.ListField(child=serializers.IntegerField(), help_text="0 = søndag … 6 = lørdag; tom = mandag–fredag.")
    dager_i_ar = serializers.IntegerField(help_text="Arbeidede dager i unntak i året i dette forholdet.")
    kompetanse_begrunnelse = serializers.CharField(allow_blank=True)


class RapportlegeSerializer(serializers.Serializer):
    lege_id = serializers.IntegerField()
    navn = serializers.CharField()
    hpr_nummer = serializers.CharField()
    dager_i_ar = serializers.IntegerField(help_text="Arbeidede dager i unntak i året på kommunens lister (hver dag én gang).")
    dager_i_ar_alle_kommuner = serializers.IntegerField()
    dager_totalt_arsslutt = serializers.IntegerField(help_text="Arbeidede dager i unntak til sammen ved årets slutt (alle kommuner).")
    dager_ett_ar = serializers.IntegerField(help_text="Av dagene i kommunen: innenfor ettårsunntaket.")
    dager_fire_maneder = serializers.IntegerField(help_text="Av dagene i kommunen: ut over ettårsunntaket, innenfor fire måneder i året.")
    dager_utover = serializers.IntegerField(help_text="Av dagene i kommunen: ut over begge unntakene (med begrunnelse).")
    unntak = serializers.ListField(child=serializers.ChoiceField(choices=["ett_ar", "fire_maneder", "utover"]))
    begrunnelser = serializers.ListField(child=serializers.CharField())
    forhold = RapportforholdSerializer(many=True)


class KompetanserapportSerializer(serializers.Serializer):
    ar = serializers.IntegerField()
    frist = serializers.DateField(allow_null=True, help_text="Frist til statsforvalteren (null: ingen rapporteringsplikt).")
    forelopig = serializers.BooleanField(help_text="Året er ikke omme; planlagte perioder ut året er med.")
    grense_totalt = serializers.IntegerField()
    grense_ar = serializers.IntegerField()
    kilde = serializers.CharField()
    kilde_totalt = serializers.CharField()
    kilde_ar = serializers.CharField()
    tolkning = serializers.CharField()
    dager_i_ar = serializers.IntegerField()
    antall_forhold = serializers.IntegerField()
    leger = RapportlegeSerializer(many=True)
