"""Serializers of the avtaler API: they parse and shape; the rules are avtaler.services' (so the
API and the pages refuse the same input with the same message). Listetak and hours are plain
numbers here for that reason; the services check 1–2 500, the 500 approval, the § 32 limit."""

from __future__ import annotations

from rest_framework import serializers

from avtaler.filters import AVTALESTATUS_CHOICES
from avtaler.models import (
    Fastlegeavtale,
    HelfoMelding,
    KommunalOppgave,
    ListetakEndring,
    ListetakTrinn,
    Oppsigelse,
    Vedtak,
)
from kommune.models import Lege
from lister.api.serializers import ScopedPrimaryKeyField
from lister.models import Pasientliste


def _constraint_message(model, name: str) -> str:
    return next(str(c.get_violation_error_message()) for c in model._meta.constraints if c.name == name)


GODKJENNING_HELP = (
    "Begrunnelse for kommunens godkjenning av et listetak under 500 (fastlegeforskriften § 10); registreres som "
    "vedtak. Påkrevd bare under 500. Vises ikke i svaret (se vedtakene)."
)


class FastlegeavtaleSerializer(serializers.ModelSerializer):
    """A fastlegeavtale: a draft until signed (`signer/`), then the doctor is fastlege on the list."""

    lege = ScopedPrimaryKeyField(Lege, help_text="Legens id (registrert i kommunen).")
    lege_navn = serializers.CharField(source="lege.navn", read_only=True)
    lege_hpr_nummer = serializers.CharField(source="lege.hpr_nummer", read_only=True)
    pasientliste = ScopedPrimaryKeyField(Pasientliste, help_text="Pasientlistens id.")
    pasientliste_navn = serializers.CharField(source="pasientliste.__str__", read_only=True)
    legekontor_navn = serializers.CharField(source="pasientliste.legekontor.navn", read_only=True)
    listetak = serializers.IntegerField(
        help_text="1–2 500 (fastlegeforskriften § 10); under 500 krever godkjenning_under_500. På en fellesliste: "
        "legens del av listetaket."
    )
    omfang_prosent = serializers.IntegerField(required=False, help_text="1–100: åpningstid eller stillingsprosent.")
    godkjenning_under_500 = serializers.CharField(
        write_only=True, required=False, allow_blank=True, help_text=GODKJENNING_HELP,
    )
    opphorer = serializers.DateField(
        read_only=True, allow_null=True,
        help_text="Første dag avtalen ikke gjelder: oppsigelse, forlengelse eller 70-årsdagen (fastlegeforskriften § 12).",
    )
    status = serializers.ChoiceField(choices=AVTALESTATUS_CHOICES, read_only=True)

    class Meta:
        model = Fastlegeavtale
        fields = [
            "id", "lege", "lege_navn", "lege_hpr_nummer", "pasientliste", "pasientliste_navn", "legekontor_navn",
            "tilknytningsform", "okonomisk_modell", "startdato", "sluttdato", "listetak", "omfang_prosent", "apningstid",
            "lokalisering", "utekontor", "listetak_avtalt_over_grense", "godkjenning_under_500", "signert", "legeperiode",
            "forlenget_til", "opphorer", "status", "versjon", "endret",
        ]
        read_only_fields = ["id", "signert", "legeperiode", "forlenget_til", "versjon", "endret"]
        validators: list = []  # no duplicate avtale: the service's (and the database's) rule

    def validate(self, attrs):
        # The model's own rule, checked before the service: a reversed period would reach the
        # database as an invalid daterange (in the duplicate check) instead of this message.
        start = attrs.get("startdato", getattr(self.instance, "startdato", None))
        end = attrs.get("sluttdato")
        if start and end and end <= start:
            raise serializers.ValidationError(
                {"sluttdato": [_constraint_message(Fastlegeavtale, "fastlegeavtale_periode_ordered")]}
            )
        return attrs


class FastlegeavtaleEndringSerializer(FastlegeavtaleSerializer):
    """Changing an avtale's terms. Listetak changes are listetaksendringer; a signed avtale ends by
    oppsigelse, heving or the age limit."""

    lege = serializers.PrimaryKeyRelatedField(read_only=True)
    pasientliste = serializers.PrimaryKeyRelatedField(read_only=True)
    listetak = serializers.IntegerField(
        required=False, help_text="Endres ikke her: send en listetaksendring (fastlegeforskriften §§ 10–11).",
    )
    status = serializers.CharField(read_only=True)
    tilknytningsform = serializers.CharField(read_only=True)

    class Meta(FastlegeavtaleSerializer.Meta):
        fields = [f for f in FastlegeavtaleSerializer.Meta.fields if f != "godkjenning_under_500"]
        read_only_fields = [
            "id", "startdato", "listetak_avtalt_over_grense", "signert", "legeperiode", "forlenget_til", "versjon", "endret",
        ]


class SignerSerializer(serializers.Serializer):
    signert = serializers.DateField(help_text="Datoen avtalen ble signert (ikke i fremtiden).")
    begrunnelse_over_100 = serializers.CharField(
        required=False, allow_blank=True,
        help_text="Påkrevd når legen da får over 100 % samlet engasjement en dag (i alle kommuner).",
    )


class OppsigelseSerializer(serializers.ModelSerializer):
    """Notice (or heving) of an avtale (fastlegeforskriften § 12). `virkning` is computed for
    næringsdrivende (six months); for kommunalt ansatte it is entered."""

    virkning = serializers.DateField(
        required=False, allow_null=True,
        help_text="Avtalen opphører (første dag den ikke gjelder). Beregnes for næringsdrivende; oppgis for ansatte.",
    )

    class Meta:
        model = Oppsigelse
        fields = ["id", "avtale", "part", "type", "mottatt", "virkning", "saklig_grunn", "mislighold", "trukket"]
        read_only_fields = ["id", "avtale", "trukket"]
        validators: list = []


class BortfallSerializer(serializers.Serializer):
    """The avtale falls away at once (fastlegeforskriften § 12)."""

    # A plain string (checked by the service), so the schema's enum for the vacancy case's `arsak` keeps its name.
    arsak = serializers.CharField(max_length=20, help_text="`dodsfall` (dødsfall) eller `autorisasjon` (tap av autorisasjon er endelig).")
    dato = serializers.DateField(help_text="Første dag avtalen ikke gjelder (dødsfallet, eller dagen tapet av autorisasjon "
                                 "ble endelig). Ikke i fremtiden; etter startdatoen.")


class ForlengelseSerializer(serializers.Serializer):
    forlenget_til = serializers.DateField(help_text="Avtalen opphører denne dagen; ut over 70 år, høyst til 80 (§ 12).")
    begrunnelse = serializers.CharField(help_text="Vedtakets begrunnelse.")
    vedtaksdato = serializers.DateField()


class ListetakTrinnSerializer(serializers.ModelSerializer):
    listetak = serializers.IntegerField()

    class Meta:
        model = ListetakTrinn
        fields = ["gjelder_fra", "listetak", "gjennomfort"]
        read_only_fields = ["gjennomfort"]


class ListetaksendringSerializer(serializers.ModelSerializer):
    """A change of the avtale's listetak (fastlegeforskriften §§ 10–11): a GP's reduction request
    (six months' frist unless a shorter one is agreed; steps allowed; Helfo draws), an agreed
    change, never a reduction by the kommune alone."""

    til_listetak = serializers.IntegerField(help_text="Det nye listetaket (1–2 500).")
    trinn = ListetakTrinnSerializer(
        many=True, required=False,
        help_text="Trinnene (gjelder_fra, listetak); siste trinn er det nye listetaket. Uten trinn: én endring, for "
        "en reduksjon tidligst seks måneder etter mottatt.",
    )
    godkjenning_under_500 = serializers.CharField(write_only=True, required=False, allow_blank=True, help_text=GODKJENNING_HELP)
    status = serializers.CharField(read_only=True, help_text="registrert, avslatt eller gjennomfort.")

    class Meta:
        model = ListetakEndring
        fields = [
            "id", "avtale", "initiativ", "mottatt", "fra_listetak", "til_listetak", "trinn", "kortere_frist_avtalt",
            "avtale_notat", "godkjenning_under_500", "status", "versjon", "endret",
        ]
        read_only_fields = ["id", "avtale", "fra_listetak", "status", "versjon", "endret"]
        validators: list = []


class AvslagSerializer(serializers.Serializer):
    begrunnelse = serializers.CharField(help_text="Vedtakets begrunnelse (forvaltningsloven § 24).")
    vedtaksdato = serializers.DateField()


class KommunalOppgaveSerializer(serializers.ModelSerializer):
    """Other municipal GP work under the avtale (fastlegeforskriften § 32)."""

    timer_per_uke = serializers.DecimalField(max_digits=5, decimal_places=2, help_text="Timer per uke (0,25–40).")

    class Meta:
        model = KommunalOppgave
        fields = [
            "id", "avtale", "oppgavetype", "institusjon", "timer_per_uke", "form", "frivillig_avtale_forsokt",
            "frivillig_notat", "lonnsgrunnlag", "fra", "til", "versjon", "endret",
        ]
        read_only_fields = ["id", "avtale", "versjon", "endret"]
        validators: list = []


class KommunalOppgaveSluttSerializer(KommunalOppgaveSerializer):
    """Ending a task: only `til` (the first day it no longer applies) changes."""

    timer_per_uke = serializers.DecimalField(max_digits=5, decimal_places=2, read_only=True)

    class Meta(KommunalOppgaveSerializer.Meta):
        read_only_fields = [f for f in KommunalOppgaveSerializer.Meta.fields if f != "til"]
        extra_kwargs = {"til": {"required": True, "allow_null": False}}


class VedtakSerializer(serializers.ModelSerializer):
    """An enkeltvedtak about an avtale; only the appeal's progress changes afterwards."""

    lege_navn = serializers.CharField(source="avtale.lege.navn", read_only=True)
    type = serializers.CharField(read_only=True, help_text="listetak_under_500, avslag_listetak eller forlengelse_over_70.")
    utfall = serializers.CharField(read_only=True, help_text="innvilget eller avslatt.")

    class Meta:
        model = Vedtak
        fields = [
            "id", "avtale", "lege_navn", "listetak_endring", "type", "utfall", "listetak", "forlenget_til", "begrunnelse",
            "vedtaksdato", "vedtatt_av_navn", "klagestatus", "klage_mottatt", "klage_avgjort", "versjon", "endret",
        ]
        read_only_fields = [
            "id", "avtale", "listetak_endring", "listetak", "forlenget_til", "begrunnelse", "vedtaksdato",
            "vedtatt_av_navn", "versjon", "endret",
        ]


class HelfoMeldingSerializer(serializers.ModelSerializer):
    """A message to Helfo (form 05-04.27 or the notice e-mail), with its content as made."""

    lege_navn = serializers.CharField(source="avtale.lege.navn", read_only=True)
    type = serializers.CharField(read_only=True, help_text="ny_avtale, endring, listetak, oppsigelse eller opphor.")
    status = serializers.CharField(read_only=True, help_text="utkast, sendt eller bekreftet.")
    innhold = serializers.JSONField(read_only=True, help_text="Skjemaets innhold slik det var da meldingen ble laget.")

    class Meta:
        model = HelfoMelding
        fields = [
            "id", "avtale", "lege_navn", "type", "status", "opprettet", "sendt", "bekreftet", "innhold", "epost_tekst",
            "versjon", "endret",
        ]
        read_only_fields = fields


class SendtSerializer(serializers.Serializer):
    sendt = serializers.DateField(help_text="Datoen meldingen ble sendt til Helfo (ikke i fremtiden).")


class BekreftetSerializer(serializers.Serializer):
    bekreftet = serializers.DateField(help_text="Datoen Helfo bekreftet registreringen.")
