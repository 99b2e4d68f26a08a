"""Serializers of the vikar API: they parse and shape; the rules are lister.vikar_services' (so the
API and the pages refuse the same input with the same message). Numbers the services check
(stillingsprosent) are plain integer fields here for that reason."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers

from kommune.models import KOMPETANSESTATUS, Lege
from lister.api.serializers import LegeperiodeSerializer, OppdragsgiverField, ScopedPrimaryKeyField
from lister.models import Tilgjengelighet, Ukedag, Vikar, Vikartilknytning


class TilgjengelighetSerializer(serializers.ModelSerializer):
    """A window in which the vikar can work for the kommune. `til` is the first day not covered
    (opphører); empty means until further notice."""

    stillingsprosent = serializers.IntegerField(required=False, help_text="Inntil denne stillingsprosenten, 1–100.")

    class Meta:
        model = Tilgjengelighet
        fields = ["id", "vikar", "fra", "til", "stillingsprosent", "merknad", "versjon", "endret"]
        read_only_fields = ["id", "vikar", "versjon", "endret"]
        validators: list = []  # overlap: the service's (and the database's) rule


class TilgjengelighetEndringSerializer(TilgjengelighetSerializer):
    class Meta(TilgjengelighetSerializer.Meta):
        extra_kwargs = {"fra": {"required": False}}


class VikarSerializer(serializers.ModelSerializer):
    lege = ScopedPrimaryKeyField(Lege, help_text="Legens id (en lege registrert i kommunen).")
    lege_navn = serializers.CharField(source="lege.navn", read_only=True)
    hpr_nummer = serializers.CharField(source="lege.hpr_nummer", read_only=True)
    kompetansestatus = serializers.SerializerMethodField(
        help_text="Fra registeret (kompetanseforskriften §§ 3–5): spesialist, godkjent_allmennlege, under_spesialisering, "
        "overgangsregel eller ingen.")
    kompetanse_tekst = serializers.SerializerMethodField()
    tilknytning = serializers.ChoiceField(choices=Vikartilknytning.choices, required=False)
    vikarbyra = serializers.CharField(required=False, allow_blank=True, max_length=150,
                                      help_text="Vikarbyrået, bare når tilknytningen er vikarbyra.")
    tilgjengelighet = serializers.SerializerMethodField(help_text="Tilgjengelighetsvinduer som ikke er over.")

    class Meta:
        model = Vikar
        fields = ["id", "lege", "lege_navn", "hpr_nummer", "kompetansestatus", "kompetanse_tekst", "tilknytning", "vikarbyra",
                  "aktiv", "merknad", "tilgjengelighet", "versjon", "endret"]
        read_only_fields = ["id", "aktiv", "versjon", "endret"]
        validators: list = []  # one entry per doctor: the service's rule

    def get_kompetansestatus(self, vikar) -> str:
        return vikar.lege.kompetansestatus()

    def get_kompetanse_tekst(self, vikar) -> str:
        return str(KOMPETANSESTATUS[vikar.lege.kompetansestatus()])

    def get_tilgjengelighet(self, vikar) -> list[dict]:
        vinduer = getattr(vikar, "vinduer", None)
        if vinduer is None:
            return []
        return TilgjengelighetSerializer(vinduer, many=True).data


class VikarEndringSerializer(VikarSerializer):
    """Changing a vikar: tilknytning, vikarbyrå, notes; `aktiv: false` deactivates."""

    lege = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta(VikarSerializer.Meta):
        read_only_fields = ["id", "lege", "versjon", "endret"]


class TildelingSerializer(serializers.Serializer):
    """Assigning a vikar to a list (the same fields as the page's form)."""

    lege = ScopedPrimaryKeyField(Lege, help_text="Vikaren: en lege registrert i kommunen.")
    fra = serializers.DateField(help_text="Første dag vikaren arbeider på listen.")
    til = serializers.DateField(help_text="Første dag perioden ikke gjelder (opphører).")
    stillingsprosent = serializers.IntegerField(help_text="1–100.")
    arbeidsdager = serializers.ListField(child=serializers.ChoiceField(choices=Ukedag.choices), required=False,
                                         help_text="Ukedager (0 = søndag, som i Fastlegeregisteret). Tom: ikke begrenset.")
    vikar_for = ScopedPrimaryKeyField(Lege, required=False, allow_null=True,
                                      help_text="Fastlegen vikaren erstatter (for eksempel ved permisjon). Tom: ubesatt liste.")
    begrunnelse_over_100 = serializers.CharField(required=False, allow_blank=True, max_length=2000,
                                                 help_text="Påkrevd når legen får over 100 % engasjement en dag (i alle kommuner).")
    kompetanse_begrunnelse = serializers.CharField(
        required=False, allow_blank=True, max_length=4000,
        help_text="Bare kommuneoverlegen (innlogget) kan registrere begrunnelse ut over unntakene i kompetanseforskriften § 4; "
        "integrasjoner kan ikke.")
    oppdragsgiver = OppdragsgiverField(
        help_text="«kommunen» (standard): kommunen engasjerer og lønner vikaren. «fastlegen»: en næringsdrivende fastlege "
        "engasjerer og betaler vikaren privat (ikke lønn fra kommunen).")


class TildeltSerializer(LegeperiodeSerializer):
    """The vikar period made, with links to the kommune's confirmation of the vikaravtale."""

    bekreftelse = serializers.SerializerMethodField(help_text="API-adressen til bekreftelsen på vikaravtalen.")
    bekreftelse_side = serializers.SerializerMethodField(help_text="Siden med bekreftelsen for utskrift.")

    class Meta(LegeperiodeSerializer.Meta):
        fields = [*LegeperiodeSerializer.Meta.fields, "bekreftelse", "bekreftelse_side"]

    def get_bekreftelse(self, periode) -> str:
        from django.urls import reverse

        return reverse("vikarperiode-bekreftelse", kwargs={"pk": periode.pk})

    def get_bekreftelse_side(self, periode) -> str:
        from django.urls import reverse

        return reverse("lister:vikarbekreftelse", kwargs={"periode_id": periode.pk})


class KandidatParamSerializer(serializers.Serializer):
    """The period asked about; missing values default as on the page: from today, for one month, 100 %."""

    fra = serializers.DateField(required=False)
    til = serializers.DateField(required=False)
    stillingsprosent = serializers.IntegerField(min_value=1, max_value=100, default=100)
    arbeidsdager = serializers.ListField(child=serializers.ChoiceField(choices=Ukedag.choices), required=False, default=list)

    def validate(self, attrs):
        from django.core.exceptions import ValidationError as DjangoValidationError
        from django.utils import timezone

        from core.dates import add_months, check_range
        from lister.vikar_selectors import check_kandidatperiode

        attrs.setdefault("fra", timezone.localdate())
        try:
            check_range(attrs["fra"], "fra")
            attrs.setdefault("til", add_months(attrs["fra"], 1))
            check_kandidatperiode(attrs["fra"], max(attrs["til"], attrs["fra"]))
        except DjangoValidationError as exc:
            raise serializers.ValidationError({k: [str(m) for m in v] for k, v in exc.message_dict.items()}) from exc
        if attrs["til"] <= attrs["fra"]:
            raise serializers.ValidationError({"til": [_("Perioden må slutte etter at den begynner: «opphører» er første dag "
                                                         "perioden ikke gjelder og må være etter «fra».")]})
        return attrs


class UnntakSerializer(serializers.Serializer):
    dager_totalt = serializers.IntegerField()
    dager_i_ar = serializers.IntegerField()
    grense_totalt = serializers.IntegerField()
    grense_ar = serializers.IntegerField()
    forste_dag_utover_i_perioden = serializers.DateField(
        default=None, allow_null=True, help_text="Første dag i perioden ut over begge grensene, om noen.")


class KandidatSerializer(serializers.Serializer):
    vikar = serializers.IntegerField(source="vikar.pk")
    lege = serializers.IntegerField(source="lege.pk")
    lege_navn = serializers.CharField(source="lege.navn")
    hpr_nummer = serializers.CharField(source="lege.hpr_nummer")
    tilknytning = serializers.CharField(source="vikar.tilknytning")
    vikarbyra = serializers.CharField(source="vikar.vikarbyra")
    poeng = serializers.IntegerField(help_text="0–100: tilgjengelighet 0–60, kompetanse 0–25, kontinuitet 0–15.")
    poengdeler = serializers.DictField(child=serializers.IntegerField())
    grunner = serializers.ListField(child=serializers.CharField(), help_text="Begrunnelsen i korte setninger.")
    tilgjengelige_dager = serializers.IntegerField()
    periodedager = serializers.IntegerField()
    engasjert_prosent = serializers.IntegerField(help_text="Legens høyeste samlede engasjement en dag i perioden (alle kommuner).")
    ledig_prosent = serializers.IntegerField()
    fullt_engasjert = serializers.BooleanField(help_text="Ledig kapasitet er under stillingsprosenten som trengs.")
    kompetanse = serializers.CharField()
    kompetanse_tekst = serializers.CharField()
    unntak = UnntakSerializer(allow_null=True, help_text="Bruken av unntakene i kompetanseforskriften § 4, når kjent.")
    over_unntak = serializers.BooleanField(help_text="Ut over grensene i § 4 med denne perioden: krever kommuneoverlegens begrunnelse.")
    kontinuitet = serializers.CharField(help_text="liste, kontor eller tom.")
    sist = serializers.DateField(allow_null=True)
    kan_velges = serializers.BooleanField(help_text="Usann når legen allerede har en overlappende periode på listen.")


class BekreftelseSerializer(serializers.Serializer):
    periode_id = serializers.IntegerField()
    kommune_navn = serializers.CharField()
    kommunenummer = serializers.CharField()
    vikar_navn = serializers.CharField()
    vikar_hpr_nummer = serializers.CharField()
    legekontor = serializers.CharField()
    adresse = serializers.CharField()
    postnummer = serializers.CharField()
    poststed = serializers.CharField()
    liste_id = serializers.IntegerField()
    liste_navn = serializers.CharField()
    flo_id = serializers.CharField()
    vikar_for_navn = serializers.CharField(help_text="Tom når vikaren ikke er vikar for en navngitt lege.")
    vikar_for_hpr_nummer = serializers.CharField()
    ubesatt_liste = serializers.BooleanField(help_text="Listen er uten fast lege i perioden og vikaren er ikke vikar for noen.")
    fastleger_i_perioden = serializers.ListField(child=serializers.CharField())
    fra = serializers.DateField()
    til = serializers.DateField(allow_null=True, help_text="Første dag perioden ikke gjelder.")
    siste_dag = serializers.DateField(allow_null=True)
    stillingsprosent = serializers.IntegerField()
    arbeidsdager = serializers.ListField(child=serializers.IntegerField())
    arbeidsdager_tekst = serializers.CharField()
    dato = serializers.DateField(help_text="Datoen bekreftelsen er laget.")
    bekreftet_av = serializers.CharField()
    rolle = serializers.CharField()
    merknad = serializers.CharField()
