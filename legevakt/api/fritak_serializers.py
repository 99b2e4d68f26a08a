"""Serializers of the exemption API. The type, grounds and decision details are health data: the
full serializer is used only for the kommuneoverlege (kan_se_helseopplysninger; integration tokens
never); everyone else gets FritakOffentligSerializer («fritatt fra–til» and the scope)."""

from __future__ import annotations

import datetime

from rest_framework import serializers

from kommune.models import Lege
from legevakt.models import Fritak, Fritaksomfang, Fritakstype, Klagestatus, Vedtaksutfall
from lister.api.serializers import ScopedPrimaryKeyField


class FritakOffentligSerializer(serializers.ModelSerializer):
    """What anyone with read access sees of a granted exemption."""

    lege_navn = serializers.CharField(source="lege.navn", read_only=True)
    tekst = serializers.SerializerMethodField(help_text="«Fritatt fra legevakt fra–til».")

    class Meta:
        model = Fritak
        fields = ["id", "lege", "lege_navn", "fra", "til", "omfang", "tekst", "versjon", "endret"]
        read_only_fields = fields

    def get_tekst(self, fritak) -> str:
        from django.utils.translation import gettext as _

        if fritak.til:
            # `til` is the first day not covered: the text names the last day that is.
            siste = fritak.til - datetime.timedelta(days=1)
            return _("Fritatt fra legevakt %(fra)s–%(til)s") % {"fra": fritak.fra.strftime("%d.%m.%Y"),
                                                                "til": siste.strftime("%d.%m.%Y")}
        return _("Fritatt fra legevakt fra %(fra)s") % {"fra": fritak.fra.strftime("%d.%m.%Y")}


class FritakSerializer(FritakOffentligSerializer):
    """The whole exemption (only the kommuneoverlege). `til` is the first day not covered."""

    lege = ScopedPrimaryKeyField(Lege, help_text="Legens id (en lege registrert i kommunen).")
    type = serializers.ChoiceField(choices=Fritakstype.choices)
    omfang = serializers.ChoiceField(choices=Fritaksomfang.choices, required=False,
                                     help_text="Fritak etter rett: alltid utenfor_apningstid.")
    utfall = serializers.ChoiceField(choices=Vedtaksutfall.choices, required=False)
    klagestatus = serializers.ChoiceField(choices=Klagestatus.choices, required=False)

    class Meta:
        model = Fritak
        fields = ["id", "lege", "lege_navn", "type", "omfang", "fra", "til", "tekst", "krevd", "svangerskap_hindrer",
                  "grunnlag", "vedtaksdato", "saksnummer", "utfall", "klagestatus", "versjon", "endret"]
        read_only_fields = ["id", "lege_navn", "tekst", "versjon", "endret"]
        validators: list = []


class FritakEndringSerializer(FritakSerializer):
    lege = serializers.PrimaryKeyRelatedField(read_only=True)
    type = serializers.ChoiceField(choices=Fritakstype.choices, required=False)

    class Meta(FritakSerializer.Meta):
        read_only_fields = ["id", "lege", "lege_navn", "tekst", "versjon", "endret"]
        extra_kwargs = {"fra": {"required": False}}
