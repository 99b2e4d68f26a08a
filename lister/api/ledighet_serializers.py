"""Serializers of the vacancy API: the vacancies on a day (read-only, shaped from
lister.ledighet_selectors' rows) and the flags of the nightly job."""

from __future__ import annotations

from rest_framework import serializers

from lister.models import Ledighetsarsak, Ledighetsvarsel, Varseltype

LEDIGHET_CHOICES = [
    ("hel", "Uten fastlege"),
    ("del", "Ledig del av fellesliste"),
    ("varslet", "Avgang varslet (åpen sak, ikke ledig ennå)"),
    ("kommer", "Blir uten fastlege innen horisonten (ingen sak)"),
]


class SakKortSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    arsak = serializers.ChoiceField(choices=Ledighetsarsak.choices)
    kjent = serializers.DateField()
    fastlege_slutt = serializers.DateField(allow_null=True, help_text="Første dag uten den avgående fastlegen.")
    kostnadsperiode_til = serializers.DateField(
        allow_null=True, help_text="Første dag kommunen ikke lenger har vikarplikt og driftsutgifter (ASA 4310).")
    hjemfall_mulig = serializers.BooleanField(
        help_text="ASA 4310, næringsdrivende: minst tolv måneder siden oppsigelsen, minst tre korrekte utlysninger og "
                  "ingen kvalifisert søker. Et utfall, ikke en handling.")


class VikarIDagSerializer(serializers.Serializer):
    periode_id = serializers.IntegerField()
    lege_id = serializers.IntegerField()
    lege_navn = serializers.CharField()
    stillingsprosent = serializers.IntegerField()
    arbeidsdager = serializers.ListField(child=serializers.IntegerField(), help_text="0 = søndag … 6 = lørdag; tom: alle dager.")
    fra = serializers.DateField()
    til = serializers.DateField(allow_null=True)


class DekningIDagSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.ChoiceField(choices=[("kollegial", "Kollegial fraværsdekning"), ("kontoret", "Andre fastleger ved kontoret")])
    leger = serializers.CharField()
    fra = serializers.DateField()
    til = serializers.DateField()


class VarselKortSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.ChoiceField(choices=Varseltype.choices)
    reist = serializers.DateTimeField()
    sett = serializers.DateTimeField(allow_null=True)


class UbesattListeSerializer(serializers.Serializer):
    """One vacancy on the day asked about."""

    liste = serializers.IntegerField(source="liste_id")
    liste_navn = serializers.CharField()
    legekontor = serializers.IntegerField(source="legekontor_id")
    legekontor_navn = serializers.CharField()
    er_fellesliste = serializers.BooleanField()
    listetak = serializers.IntegerField()
    ledighet = serializers.ChoiceField(choices=LEDIGHET_CHOICES)
    ledig_fra = serializers.DateField(allow_null=True, help_text="Dagen listen (eller delen) ble stående uten fastlege.")
    sak = SakKortSerializer(allow_null=True, help_text="Den åpne ledighetssaken (den første, om det er flere).")
    vikarer = VikarIDagSerializer(many=True, source="vikarer_i_dag", help_text="Vikarperioder som gjelder på datoen.")
    dekninger = DekningIDagSerializer(many=True, source="dekning_i_dag",
                                      help_text="Kollegial fraværsdekning eller andre fastleger ved kontoret på datoen.")
    udekkede_dager = serializers.IntegerField(
        source="udekket_dager", help_text="Ukedager fra datoen og horisonten ut (standard 30 dager) uten fastlege, vikar eller dekning.")
    forste_udekkede_dag = serializers.DateField(source="forste_udekket", allow_null=True)
    listelengde = serializers.IntegerField(help_text="Siste listelengde på eller før datoen (0 om ingen).")
    listeinnbyggere_berort = serializers.IntegerField(
        source="listeinnbyggere", help_text="Listelengden; for en ledig del: listelengde × den ledige delen av listetaket.")
    varsler = VarselKortSerializer(many=True, help_text="Åpne varsler fra nattjobben.")


def ubesatt_data(row) -> dict:
    """A lister.ledighet_selectors.Tilstand as the serializer's input."""
    sak = None
    if row.sak_id is not None:
        sak = {"id": row.sak_id, "arsak": row.sak_arsak, "kjent": row.sak_kjent, "fastlege_slutt": row.sak_fastlege_slutt,
               "kostnadsperiode_til": row.sak_kostnadsperiode_til, "hjemfall_mulig": row.sak_hjemfall}
    return {
        **{name: getattr(row, name) for name in (
            "liste_id", "liste_navn", "legekontor_id", "legekontor_navn", "er_fellesliste", "listetak", "ledig_fra",
            "udekket_dager", "forste_udekket", "listelengde", "listeinnbyggere")},
        "ledighet": row.ledighet, "sak": sak,
        "vikarer_i_dag": [v.__dict__ for v in row.vikarer_i_dag],
        "dekning_i_dag": [d.__dict__ for d in row.dekning_i_dag],
        "varsler": [v.__dict__ for v in row.varsler],
    }


class LedighetsvarselSerializer(serializers.ModelSerializer):
    type_tekst = serializers.CharField(source="get_type_display", read_only=True)
    apen = serializers.SerializerMethodField(help_text="Åpent: betingelsen gjelder fortsatt (ikke løst).")
    detaljer = serializers.JSONField(
        read_only=True,
        help_text="Etter type: datoer (ISO 8601), antall udekkede dager og berørte listeinnbyggere, vikarperioder, "
                  "sak_id, grenser.")

    class Meta:
        model = Ledighetsvarsel
        fields = ["id", "pasientliste", "type", "type_tekst", "apen", "reist", "sett", "sett_av", "lost", "varslet",
                  "detaljer"]
        read_only_fields = fields

    def get_apen(self, obj) -> bool:
        return obj.lost is None
