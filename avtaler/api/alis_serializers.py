"""Serializers of the ALIS API: they parse and shape; the rules are avtaler.alis_services' (so the
API and the pages refuse the same input with the same message). Stillingsprosent, hours and
amounts are plain numbers here for that reason: the services check at least 50 %, 0–200 hours, no
negative amount, and cite the rule.

Derived values (the end that applies and why, the five-year limit, the status) come from
avtaler.alis_selectors; decimals are strings, dates ISO 8601."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from avtaler import alis_selectors
from avtaler.alis_selectors import AlisStatus
from avtaler.models import (
    Alisavtale,
    AlisElement,
    AlisFravaer,
    AlisRelasjon,
    AlisSats,
    AlisSluttarsak,
    AlisTjeneste,
    AlisVeiledning,
    Fastlegeavtale,
    Introduksjonsavtale,
    Tilskuddsstatus,
)
from kommune.models import Lege
from kommune.permissions import kan_se_helseopplysninger
from lister.api.serializers import ScopedPrimaryKeyField
from lister.models import Legeperiode

OPPHORSGRUNNER = "sluttdato (avsluttet), relasjon (det underliggende forholdet opphører), tilskudd (avslått), maks (fem år)."


def _derived(avtale: Alisavtale) -> dict:
    """The end that applies, its reason and the five-year limit (computed once per object; the
    list selector has selected the relationships and prefetched the absence, so no query)."""
    cached = getattr(avtale, "_alis_derived", None)
    if cached is None:
        today = timezone.localdate()
        end, grunn = alis_selectors.opphorer(avtale)
        if avtale.startdato > today:
            status = AlisStatus.KOMMENDE
        elif end is not None and end <= today:
            status = AlisStatus.OPPHORT
        else:
            status = AlisStatus.AKTIV
        cached = {"opphorer": end, "opphorsgrunn": grunn, "maks_slutt": alis_selectors.maks_slutt(avtale), "status": status}
        avtale._alis_derived = cached
    return cached


class AlisavtaleSerializer(serializers.ModelSerializer):
    """An ALIS-avtale on Helsedirektoratet's template between the kommune and a doctor in
    specialisation, resting on a fastlegeavtale, a vikar period, an introduksjonsavtale or another
    municipal post (by `relasjon`)."""

    lege = ScopedPrimaryKeyField(Lege, help_text="ALIS-legens id (registrert i kommunen, ikke spesialist i allmennmedisin).")
    lege_navn = serializers.CharField(source="lege.navn", read_only=True)
    lege_hpr_nummer = serializers.CharField(source="lege.hpr_nummer", read_only=True)
    fastlegeavtale = ScopedPrimaryKeyField(
        Fastlegeavtale, required=False, allow_null=True, help_text="Legens signerte fastlegeavtale (relasjon fastlege).",
    )
    vikarperiode = ScopedPrimaryKeyField(
        Legeperiode, required=False, allow_null=True, help_text="Legens vikarperiode (LPVI) på en liste (relasjon vikar).",
    )
    introduksjonsavtale = ScopedPrimaryKeyField(
        Introduksjonsavtale, required=False, allow_null=True, help_text="Legens introduksjonsavtale (relasjon introduksjonslege).",
    )
    stillingsprosent = serializers.IntegerField(help_text="Minst 50 (spesialisering krever minst 50 % stilling), høyst 100.")
    startdato = serializers.DateField(required=False, allow_null=True, help_text="Tom: signeringsdatoen. Ikke før signering.")
    veileder = ScopedPrimaryKeyField(
        Lege, required=False, allow_null=True,
        help_text="Veilederen: spesialist i allmennmedisin, ellers kreves veileder_unntak (spesialistforskriften § 25).",
    )
    veileder_navn = serializers.CharField(source="veileder.navn", read_only=True, allow_null=True, default=None)
    opphorer = serializers.SerializerMethodField(
        help_text="Første dag avtalen ikke gjelder: det tidligste av registrert slutt, det underliggende forholdets slutt, "
        "avslått tilskudd og femårsgrensen.",
    )
    opphorsgrunn = serializers.SerializerMethodField(help_text=f"Hvorfor avtalen opphører da: {OPPHORSGRUNNER}")
    maks_slutt = serializers.SerializerMethodField(
        help_text="Femårsgrensen: fem år ved full tid, forlenget for deltid og lovfestet fravær (første dag etter).",
    )
    status = serializers.SerializerMethodField(help_text="kommende, aktiv eller opphort (avledet av opphorer).")
    sluttarsak = serializers.CharField(read_only=True, help_text="Når avtalen er avsluttet: spesialist, oppsagt eller annet.")

    class Meta:
        model = Alisavtale
        fields = [
            "id", "lege", "lege_navn", "lege_hpr_nummer", "relasjon", "fastlegeavtale", "vikarperiode", "introduksjonsavtale",
            "stilling", "stilling_til", "arbeidssted", "stillingsprosent", "signert", "startdato", "sluttdato", "sluttarsak",
            "veileder", "veileder_navn", "veileder_unntak", "vikarbyra", "tilskuddsstatus", "tilskudd_avslatt",
            "utdanningsplan", "opphorer", "opphorsgrunn", "maks_slutt", "status", "versjon", "endret",
        ]
        read_only_fields = ["id", "sluttdato", "sluttarsak", "versjon", "endret"]
        validators: list = []  # one avtale per doctor at a time: the service's (and the database's) rule

    @extend_schema_field(OpenApiTypes.DATE)
    def get_opphorer(self, avtale):
        return _derived(avtale)["opphorer"]

    @extend_schema_field(serializers.ChoiceField(choices=["sluttdato", "relasjon", "tilskudd", "maks"]))
    def get_opphorsgrunn(self, avtale) -> str:
        return _derived(avtale)["opphorsgrunn"]

    @extend_schema_field(OpenApiTypes.DATE)
    def get_maks_slutt(self, avtale):
        return _derived(avtale)["maks_slutt"]

    @extend_schema_field(OpenApiTypes.STR)
    def get_status(self, avtale) -> str:
        return _derived(avtale)["status"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for name in ("opphorer", "maks_slutt"):
            if data.get(name) is not None:
                data[name] = data[name].isoformat()
        return data


class AlisavtaleEndringSerializer(AlisavtaleSerializer):
    """Changing an avtale's terms. The doctor does not change; the end is recorded with `avslutt/`
    and the grant's status with `tilskudd/`."""

    lege = serializers.PrimaryKeyRelatedField(read_only=True)
    relasjon = serializers.ChoiceField(choices=AlisRelasjon.choices, required=False,
                                       help_text="En ny tilknytning erstatter den gamle koblingen.")
    stillingsprosent = serializers.IntegerField(required=False, help_text="Minst 50, høyst 100.")
    arbeidssted = serializers.CharField(required=False, max_length=200)
    signert = serializers.DateField(required=False)
    startdato = serializers.DateField(required=False)

    class Meta(AlisavtaleSerializer.Meta):
        read_only_fields = ["id", "sluttdato", "sluttarsak", "tilskuddsstatus", "tilskudd_avslatt", "versjon", "endret"]


class AvsluttSerializer(serializers.Serializer):
    sluttdato = serializers.DateField(help_text="Første dag avtalen ikke gjelder; ikke senere enn den ville opphørt av seg selv.")
    sluttarsak = serializers.CharField(help_text=f"Sluttårsak: {', '.join(AlisSluttarsak.values)}.")


class TilskuddSerializer(serializers.Serializer):
    tilskuddsstatus = serializers.ChoiceField(
        choices=Tilskuddsstatus.choices,
        help_text="sokt og innvilget bare når avtalen gir rett til tilskudd; avslatt avslutter avtalen fra tilskudd_avslatt.",
    )
    tilskudd_avslatt = serializers.DateField(required=False, allow_null=True, help_text="Påkrevd når tilskuddet er avslått.")


class AlisElementSerializer(serializers.ModelSerializer):
    """An element of the avtale (standard with state grant, additional, or paid by the kommune)."""

    class Meta:
        model = AlisElement
        fields = ["id", "avtale", "element", "finansiering", "beskrivelse", "fra", "til", "versjon", "endret"]
        read_only_fields = ["id", "avtale", "versjon", "endret"]
        validators: list = []


class AlisElementSluttSerializer(AlisElementSerializer):
    """Ending an element: only `til` (the first day it no longer applies) changes."""

    class Meta(AlisElementSerializer.Meta):
        read_only_fields = [f for f in AlisElementSerializer.Meta.fields if f != "til"]
        extra_kwargs = {"til": {"required": True, "allow_null": False}}


class AlisFravaerSerializer(serializers.ModelSerializer):
    """Lawful absence; it extends the five-year limit day for day. `til` is the first day back.
    The kind of absence (e.g. sick leave) is health-related: only the kommuneoverlege reads it;
    for everyone else `type` is null."""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if not kan_se_helseopplysninger(getattr(request, "auth", None)):
            data["type"] = None
        return data

    class Meta:
        model = AlisFravaer
        fields = ["id", "avtale", "type", "fra", "til", "versjon", "endret"]
        read_only_fields = ["id", "avtale", "versjon", "endret"]
        validators: list = []


class AlisTjenesteSerializer(serializers.ModelSerializer):
    """Service time towards the specialisation, by kind, at a stillingsprosent."""

    stillingsprosent = serializers.IntegerField(help_text="Minst 50, høyst 100.")

    class Meta:
        model = AlisTjeneste
        fields = ["id", "avtale", "type", "sted", "utenfor_kommunen", "stillingsprosent", "fra", "til", "versjon", "endret"]
        read_only_fields = ["id", "avtale", "versjon", "endret"]
        validators: list = []


class AlisVeiledningSerializer(serializers.ModelSerializer):
    """The supervision hours of one month (individual and group)."""

    maned = serializers.DateField(help_text="Den første dagen i måneden; ikke i fremtiden, innenfor avtalen.")
    individuelle_timer = serializers.DecimalField(max_digits=7, decimal_places=2, required=False, default=Decimal("0"),
                                                  help_text="Timer individuell veiledning (0–200).")
    gruppetimer = serializers.DecimalField(max_digits=7, decimal_places=2, required=False, default=Decimal("0"),
                                           help_text="Timer gruppeveiledning (0–200).")

    class Meta:
        model = AlisVeiledning
        fields = ["id", "avtale", "maned", "individuelle_timer", "gruppetimer", "merknad", "versjon", "endret"]
        read_only_fields = ["id", "avtale", "versjon", "endret"]
        validators: list = []


class AlisSatsSerializer(serializers.ModelSerializer):
    """A grant rate in the kommune's own table: monthly amount at full time for an element from a
    date, for one kind of relationship or (blank) all."""

    manedsbelop = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Kroner per måned ved full stilling.")

    class Meta:
        model = AlisSats
        fields = ["id", "element", "relasjon", "gyldig_fra", "manedsbelop", "kilde", "versjon", "endret"]
        read_only_fields = ["id", "versjon", "endret"]
        validators: list = []


class AlisSatsEndringSerializer(AlisSatsSerializer):
    manedsbelop = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)

    class Meta(AlisSatsSerializer.Meta):
        extra_kwargs = {"element": {"required": False}, "gyldig_fra": {"required": False}}


# --- progress --------------------------------------------------------------------------------------------

def _decimal(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True, **kwargs)


class MangelSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="veileder, veiledning, gruppeveiledning, gruppeveiledning_apen, tjeneste_<type>.")
    frist = serializers.DateField(help_text="Siste dag mangelen kan rettes opp; passert betyr for sent.")
    tittel = serializers.CharField()
    beskrivelse = serializers.CharField()


class TjenestetidSerializer(serializers.Serializer):
    type = serializers.CharField()
    tekst = serializers.CharField()
    dager = _decimal(help_text="Gjennomførte dager omregnet til full tid.")
    maneder = _decimal()
    planlagt_maneder = _decimal()
    krav_maneder = serializers.IntegerField(allow_null=True)
    gjenstar_maneder = _decimal()


class VeiledningsarSerializer(serializers.Serializer):
    nr = serializers.IntegerField()
    fra = serializers.DateField()
    til = serializers.DateField(help_text="Første dag etter avtaleåret.")
    timer = _decimal()
    krav = _decimal()
    forventet = _decimal(help_text="Forventet per datoen: 4 timer per måned som har gått, høyst 10,5 måneder.")
    fullfort = serializers.BooleanField()
    snitt = _decimal(allow_null=True, help_text="Timer per veiledningsmåned (÷ 10,5) for et fullført år.")
    etter = serializers.BooleanField(help_text="Henger etter: færre timer enn forventet.")
    mangler_timer = _decimal()


class ProgresjonSerializer(serializers.Serializer):
    """Progress towards the specialisation and the shortfalls, per a date."""

    avtale = serializers.IntegerField(source="avtale_id")
    dato = serializers.DateField(source="on")
    opphorer = serializers.DateField(allow_null=True)
    opphorsgrunn = serializers.CharField(help_text=OPPHORSGRUNNER)
    maks_slutt = serializers.DateField()
    tjeneste = TjenestetidSerializer(many=True)
    veiledningsar = VeiledningsarSerializer(many=True)
    veiledning_timer = _decimal()
    gruppetimer = _decimal()
    gruppetimer_apen = _decimal(help_text="Gruppeveiledning i måneder med åpen uselektert praksis.")
    gruppetimer_krav = _decimal()
    gruppetimer_apen_krav = _decimal()
    mangler = MangelSerializer(many=True, help_text="Etter frist, tidligste først.")
    neste_mangel = MangelSerializer(allow_null=True)


# --- the grant claim basis -----------------------------------------------------------------------------

class GrunnlagElementSerializer(serializers.Serializer):
    element = serializers.CharField()
    tekst = serializers.CharField()
    finansiering = serializers.CharField()
    finansiering_tekst = serializers.CharField()
    fra = serializers.DateField()
    til = serializers.DateField(allow_null=True)
    maneder = _decimal()
    belop = _decimal(help_text="Kroner; 0 når elementet ikke kreves eller avtalen ikke gir rett til tilskudd.")
    kreves = serializers.BooleanField(help_text="Statlig finansiert (standard eller tillegg): inngår i kravet.")
    mangler_sats = serializers.BooleanField()


class ManedsandelSerializer(serializers.Serializer):
    maned = serializers.DateField()
    andel = serializers.DecimalField(max_digits=8, decimal_places=4, read_only=True, help_text="Andel av måneden (0–1).")


class GrunnlagsradSerializer(serializers.Serializer):
    avtale = serializers.IntegerField(source="avtale_id")
    lege = serializers.CharField()
    hpr_nummer = serializers.CharField()
    relasjon = serializers.CharField()
    relasjon_tekst = serializers.CharField()
    arbeidssted = serializers.CharField()
    stillingsprosent = serializers.IntegerField()
    stillingsandel = serializers.DecimalField(max_digits=5, decimal_places=2, read_only=True)
    fra = serializers.DateField(allow_null=True, help_text="Første dag som teller.")
    til = serializers.DateField(allow_null=True, help_text="Siste dag som teller (til og med).")
    maneder = _decimal()
    per_maned = serializers.SerializerMethodField()
    elementer = GrunnlagElementSerializer(many=True)
    total = _decimal()
    berettiget = serializers.BooleanField()
    grunner = serializers.ListField(child=serializers.CharField(), help_text="Hvorfor avtalen ikke gir rett til tilskudd.")

    @extend_schema_field(ManedsandelSerializer(many=True))
    def get_per_maned(self, row) -> list[dict]:
        return ManedsandelSerializer([{"maned": m, "andel": a} for m, a in row.per_maned], many=True).data


class TilskuddsgrunnlagSerializer(serializers.Serializer):
    fra = serializers.DateField()
    til = serializers.DateField(help_text="Til og med.")
    rader = GrunnlagsradSerializer(many=True)
    maneder = _decimal()
    sum = _decimal(help_text="Sum kroner som kreves.")
    antall_berettiget = serializers.IntegerField()


class GrunnlagPeriodeSerializer(serializers.Serializer):
    """The query parameters of the claim basis."""

    fra = serializers.DateField(help_text="Fra og med (standard: 1. september i fjor eller forfjor).")
    til = serializers.DateField(help_text="Til og med (standard: 31. mai etter).")

    def validate(self, attrs):
        if attrs["til"] < attrs["fra"]:
            raise serializers.ValidationError({"til": [_("Perioden må slutte etter at den begynner.")]})
        return attrs
