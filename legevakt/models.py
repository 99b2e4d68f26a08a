"""Legevakt: districts (one kommune, or interkommunal with a vertskommune and deltakerkommuner in
time bands), stations, who takes part (fastleger by duty, others by agreement), exemptions, the
duty roster (Vakt) with swaps, the SFS 2305 normtall table and the nightly job's flags.

Ownership and visibility (core.tenancy): every row belongs to the district's **vertskommune**
(`kommune`), which manages it; a **deltakerkommune** sees the districts it is a member of and
everything in them, but cannot write (`tenant_writable` is the owner only). Exemptions belong to
the kommune that decided them (the doctor's fastlege kommune).

Times: shifts are aware datetimes (UTC in the database, Europe/Oslo on screen) and half-open,
[start, slutt). Dates of memberships, agreements and exemptions are half-open too (`til` is the
first day not covered).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, IntegerRangeField, RangeOperators
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Value, When
from django.utils.translation import gettext_lazy as _

from core.dates import elapsed_hours
from core.history import track_history
from core.models import VersionedModel
from core.tenancy import TenantModel, unscoped
from kommune import regler
from kommune.models import Kommune, Lege
from lister.models import DateRange

VAKT_MAKS_TIMER = regler.storste("legevakt_vakt_maks_timer")


class TsTzRange(models.Func):
    """PostgreSQL tstzrange(start, slutt, '[)'): half-open."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


def _tidsrom() -> TsTzRange:
    return TsTzRange("start", "slutt", Value("[)"))


def _periode() -> DateRange:
    return DateRange("fra", "til", Value("[)"))


def distrikter_med_medlem(kommune_id: int):
    """Ids of the districts `kommune_id` is a member of (any period, any band): a deltakerkommune
    sees these districts and what is in them. Built unscoped on purpose — it is the visibility
    rule itself."""
    with unscoped(reason="legevakt visibility: the districts a kommune is a member of"):
        return Medlemskap.objects.filter(medlem_id=kommune_id).values("distrikt_id")


class DistriktSynlighet:
    """Mixin for rows in a district: visible to the vertskommune (owner) and the district's members."""

    @classmethod
    def tenant_filter(cls, kommune_id: int) -> models.Q:
        return models.Q(kommune_id=kommune_id) | models.Q(distrikt_id__in=distrikter_med_medlem(kommune_id))


# --- districts ------------------------------------------------------------------------------------

class Distriktstype(models.TextChoices):
    EN_KOMMUNE = "en_kommune", _("Én kommune")
    INTERKOMMUNAL = "interkommunal", _("Interkommunal (vertskommune og deltakerkommuner)")


@track_history()
class Legevaktdistrikt(TenantModel, VersionedModel):
    """The area one legevakt covers (akuttmedisinforskriften § 6). Owned and managed by the
    vertskommune (`kommune`); the member kommuner and their time bands are Medlemskap rows."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("vertskommune"))
    navn = models.CharField(_("navn"), max_length=200)
    type = models.CharField(_("type"), max_length=20, choices=Distriktstype.choices)
    merknad = models.TextField(_("merknad"), blank=True)
    aktiv = models.BooleanField(_("aktiv"), default=True)

    class Meta(TenantModel.Meta, VersionedModel.Meta):
        verbose_name = _("legevaktdistrikt")
        verbose_name_plural = _("legevaktdistrikter")
        ordering = ["navn", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kommune", "navn"], name="legevaktdistrikt_navn_unique",
                violation_error_message=_("Kommunen har allerede et legevaktdistrikt med dette navnet."),
            ),
            models.CheckConstraint(condition=models.Q(type__in=["en_kommune", "interkommunal"]),
                                   name="legevaktdistrikt_type_valid"),
        ]

    def __str__(self) -> str:
        return self.navn

    @classmethod
    def tenant_filter(cls, kommune_id: int) -> models.Q:
        return models.Q(kommune_id=kommune_id) | models.Q(pk__in=distrikter_med_medlem(kommune_id))


class Tidsbolk(models.TextChoices):
    DOGN = "dogn", _("Hele døgnet")
    DAGTID = "dagtid", _("Dagtid (hverdager 08–16)")
    UTENFOR_DAGTID = "utenfor_dagtid", _("Kveld, natt, helg og helligdager")


def _bolk_range() -> models.Func:
    """The time band as an integer range so the database can see overlapping bands:
    dagtid [0,1), utenfor_dagtid [1,2), døgn [0,2)."""
    lower = Case(When(tidsbolk="utenfor_dagtid", then=Value(1)), default=Value(0))
    upper = Case(When(tidsbolk="dagtid", then=Value(1)), default=Value(2))
    return models.Func(lower, upper, function="INT4RANGE", output_field=IntegerRangeField())


@track_history()
class Medlemskap(DistriktSynlighet, TenantModel, VersionedModel):
    """A kommune served by a district in a time band for a period. The vertskommune's own
    membership is a row too (its population counts). A kommune is in at most one district per
    band at a time (database exclusion, across all districts)."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("vertskommune"))
    distrikt = models.ForeignKey(Legevaktdistrikt, on_delete=models.CASCADE, related_name="medlemskap",
                                 verbose_name=_("distrikt"))
    medlem = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="legevaktmedlemskap",
                               verbose_name=_("kommune"))
    tidsbolk = models.CharField(_("tidsbånd"), max_length=20, choices=Tidsbolk.choices, default=Tidsbolk.DOGN)
    fra = models.DateField(_("fra"))
    til = models.DateField(_("opphører"), null=True, blank=True, help_text=_("Første dag medlemskapet ikke gjelder."))

    class Meta(TenantModel.Meta, VersionedModel.Meta):
        verbose_name = _("medlemskap")
        verbose_name_plural = _("medlemskap")
        ordering = ["distrikt", "medlem", "fra", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(til__isnull=True) | models.Q(til__gt=models.F("fra")),
                                   name="medlemskap_periode_ordered",
                                   violation_error_message=_("Medlemskapet må opphøre etter at det begynner.")),
            models.CheckConstraint(condition=models.Q(tidsbolk__in=["dogn", "dagtid", "utenfor_dagtid"]),
                                   name="medlemskap_tidsbolk_valid"),
            ExclusionConstraint(
                name="medlemskap_one_district_per_band",
                expressions=[("medlem", RangeOperators.EQUAL), (_periode(), RangeOperators.OVERLAPS),
                             (_bolk_range(), RangeOperators.OVERLAPS)],
                violation_error_message=_("Kommunen hører allerede til et legevaktdistrikt i dette tidsbåndet i perioden "
                                          "(en kommune kan bare ha ett distrikt per tidsbånd om gangen)."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.medlem_id} i {self.distrikt_id} ({self.tidsbolk})"


@track_history()
class Stasjon(DistriktSynlighet, TenantModel, VersionedModel):
    """A legevakt station (where the tilstedevakt is) with its address."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("vertskommune"))
    distrikt = models.ForeignKey(Legevaktdistrikt, on_delete=models.CASCADE, related_name="stasjoner",
                                 verbose_name=_("distrikt"))
    navn = models.CharField(_("navn"), max_length=200)
    adresse = models.CharField(_("adresse"), max_length=300)
    postnummer = models.CharField(_("postnummer"), max_length=4, blank=True)
    poststed = models.CharField(_("poststed"), max_length=100, blank=True)
    telefon = models.CharField(_("telefon"), max_length=20, blank=True)
    aktiv = models.BooleanField(_("aktiv"), default=True)

    class Meta(TenantModel.Meta, VersionedModel.Meta):
        verbose_name = _("legevaktstasjon")
        verbose_name_plural = _("legevaktstasjoner")
        ordering = ["distrikt", "navn", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kommune", "distrikt", "navn"], name="stasjon_navn_unique",
                                    violation_error_message=_("Distriktet har allerede en stasjon med dette navnet.")),
            models.CheckConstraint(condition=models.Q(postnummer="") | models.Q(postnummer__regex=r"^[0-9]{4}$"),
                                   name="stasjon_postnummer_format"),
        ]

    def __str__(self) -> str:
        return self.navn


@track_history()
class Vaktavtale(DistriktSynlighet, TenantModel, VersionedModel):
    """A doctor who is not a fastlege in the district's kommuner but takes part by agreement (a
    vikar, a kommunelege, a LIS1). Fastleger in the member kommuner take part by duty
    (fastlegeforskriften § 33) and need no row here."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("vertskommune"))
    distrikt = models.ForeignKey(Legevaktdistrikt, on_delete=models.CASCADE, related_name="vaktavtaler",
                                 verbose_name=_("distrikt"))
    lege = models.ForeignKey(Lege, on_delete=models.PROTECT, related_name="vaktavtaler", verbose_name=_("lege"))
    fra = models.DateField(_("fra"))
    til = models.DateField(_("opphører"), null=True, blank=True)
    merknad = models.TextField(_("merknad"), blank=True)

    class Meta(TenantModel.Meta, VersionedModel.Meta):
        verbose_name = _("vaktavtale")
        verbose_name_plural = _("vaktavtaler")
        ordering = ["distrikt", "fra", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(til__isnull=True) | models.Q(til__gt=models.F("fra")),
                                   name="vaktavtale_periode_ordered",
                                   violation_error_message=_("Avtalen må opphøre etter at den begynner.")),
            ExclusionConstraint(
                name="vaktavtale_no_overlap",
                expressions=[("distrikt", RangeOperators.EQUAL), ("lege", RangeOperators.EQUAL),
                             (_periode(), RangeOperators.OVERLAPS)],
                violation_error_message=_("Legen har allerede en vaktavtale i distriktet i denne perioden."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lege_id} i {self.distrikt_id} fra {self.fra}"


# --- exemptions -----------------------------------------------------------------------------------

class Fritakstype(models.TextChoices):
    RETT_ALDER = "rett_alder", _("Rett: over 60 år")
    RETT_GRAVIDITET = "rett_graviditet", _("Rett: graviditet")
    RETT_AMMING = "rett_amming", _("Rett: amming av barn under ett år")
    SKJONN_HELSE = "skjonn_helse", _("Vedtak: helsemessige grunner")
    SKJONN_SOSIAL = "skjonn_sosial", _("Vedtak: vektige sosiale grunner")


RETTIGHETSFRITAK = ("rett_alder", "rett_graviditet", "rett_amming")


class Fritaksomfang(models.TextChoices):
    UTENFOR_APNINGSTID = "utenfor_apningstid", _("Legevakt utenom ordinær åpningstid")
    ALL = "all", _("All legevakt, også øyeblikkelig hjelp på dagtid")


class Vedtaksutfall(models.TextChoices):
    INNVILGET = "innvilget", _("Innvilget")
    AVSLATT = "avslatt", _("Avslått")


class Klagestatus(models.TextChoices):
    INGEN = "ingen", _("Ikke påklaget")
    KLAGE_MOTTATT = "klage_mottatt", _("Klage mottatt")
    OVERSENDT = "oversendt", _("Oversendt klageinstansen")
    TATT_TIL_FOLGE = "tatt_til_folge", _("Klagen tatt til følge")
    IKKE_TATT_TIL_FOLGE = "ikke_tatt_til_folge", _("Klagen ikke tatt til følge")


@track_history()
class Fritak(TenantModel, VersionedModel):
    """An exemption from legevakt (fastlegeforskriften § 33). By right when the doctor claims it
    (over 60, pregnancy, breastfeeding): only legevakt outside ordinary opening hours. By
    discretionary decision (health or weighty social grounds): an enkeltvedtak with outcome and
    appeal status; only a granted one exempts.

    The type and `grunnlag` are health-related: only the kommuneoverlege sees them; others see
    «fritatt, fra–til» and the scope."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune"))
    lege = models.ForeignKey(Lege, on_delete=models.PROTECT, related_name="legevaktfritak", verbose_name=_("lege"))
    type = models.CharField(_("grunnlag for fritaket"), max_length=20, choices=Fritakstype.choices)
    omfang = models.CharField(_("omfang"), max_length=20, choices=Fritaksomfang.choices,
                              default=Fritaksomfang.UTENFOR_APNINGSTID)
    fra = models.DateField(_("fra"))
    til = models.DateField(_("opphører"), null=True, blank=True)
    krevd = models.DateField(_("krevd av legen"), null=True, blank=True,
                             help_text=_("Rettighetsfritak gjelder når legen krever det."))
    svangerskap_hindrer = models.BooleanField(
        _("svangerskapet hindrer deltakelse"), default=False,
        help_text=_("Fritak ved graviditet ut over de siste tre månedene krever at svangerskapet hindrer deltakelse."),
    )
    grunnlag = models.TextField(_("begrunnelse (helseopplysninger)"), blank=True)
    vedtaksdato = models.DateField(_("vedtaksdato"), null=True, blank=True)
    saksnummer = models.CharField(_("saksnummer"), max_length=50, blank=True)
    utfall = models.CharField(_("utfall"), max_length=20, choices=Vedtaksutfall.choices, default=Vedtaksutfall.INNVILGET)
    klagestatus = models.CharField(_("klagestatus"), max_length=20, choices=Klagestatus.choices, default=Klagestatus.INGEN)

    class Meta(TenantModel.Meta, VersionedModel.Meta):
        verbose_name = _("fritak fra legevakt")
        verbose_name_plural = _("fritak fra legevakt")
        ordering = ["lege", "-fra", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(til__isnull=True) | models.Q(til__gt=models.F("fra")),
                                   name="fritak_periode_ordered",
                                   violation_error_message=_("Fritaket må opphøre etter at det begynner.")),
            models.CheckConstraint(condition=models.Q(type__in=[c for c, _l in Fritakstype.choices]), name="fritak_type_valid"),
            models.CheckConstraint(
                condition=~models.Q(type__in=RETTIGHETSFRITAK) | models.Q(omfang="utenfor_apningstid", krevd__isnull=False,
                                                                           utfall="innvilget"),
                name="fritak_rett_utenfor_apningstid",
                violation_error_message=_("Rettighetsfritak gjelder legevakt utenom ordinær åpningstid og må være krevd av "
                                          "legen (fastlegeforskriften § 33)."),
            ),
            models.CheckConstraint(
                condition=models.Q(type__in=RETTIGHETSFRITAK) | models.Q(vedtaksdato__isnull=False),
                name="fritak_skjonn_har_vedtak",
                violation_error_message=_("Et skjønnsmessig fritak er et enkeltvedtak og må ha vedtaksdato."),
            ),
            models.CheckConstraint(
                condition=~models.Q(type__in=["rett_graviditet", "rett_amming"]) | models.Q(til__isnull=False),
                name="fritak_graviditet_amming_har_slutt",
                violation_error_message=_("Fritak ved graviditet eller amming må ha en sluttdato."),
            ),
            models.CheckConstraint(condition=models.Q(omfang__in=["utenfor_apningstid", "all"]), name="fritak_omfang_valid"),
            models.CheckConstraint(condition=models.Q(utfall__in=["innvilget", "avslatt"]), name="fritak_utfall_valid"),
            models.CheckConstraint(condition=models.Q(klagestatus__in=[c for c, _l in Klagestatus.choices]),
                                   name="fritak_klagestatus_valid"),
        ]

    def __str__(self) -> str:
        return f"Fritak {self.lege_id} fra {self.fra}"

    @property
    def er_rettighet(self) -> bool:
        return self.type in RETTIGHETSFRITAK


# --- the roster -----------------------------------------------------------------------------------

class Vakttype(models.TextChoices):
    TILSTEDEVAKT = "tilstedevakt", _("Tilstedevakt")
    HJEMMEVAKT = "hjemmevakt", _("Hjemmevakt (beredskap)")
    BAKVAKT = "bakvakt", _("Bakvakt")
    KOMPETANSEBAKVAKT = "kompetansebakvakt", _("Bakvakt for lege uten kompetansekrav (SFS 2305 § 8.5)")
    LEGEVAKTSENTRAL = "legevaktsentral", _("Legevaktsentral")


# Shift types that make a doctor "on duty" in the sense of akuttmedisinforskriften § 6.
VAKTHAVENDE_TYPER = ("tilstedevakt", "hjemmevakt")
# On-call (beredskap) types, for the weekly on-call hours.
BEREDSKAP_TYPER = ("hjemmevakt", "bakvakt", "kompetansebakvakt")


class Dagkategori(models.TextChoices):
    HVERDAG = "hverdag", _("Hverdag")
    HELG = "helg", _("Helg")
    HELLIGDAG = "helligdag", _("Helligdag")


class Hoytid(models.TextChoices):
    INGEN = "", _("Ingen")
    JUL = "jul", _("Jul")
    PASKE = "paske", _("Påske")


class Vaktstatus(models.TextChoices):
    AKTIV = "aktiv", _("Aktiv")
    AVLYST = "avlyst", _("Avlyst")


class Avlysningsarsak(models.TextChoices):
    INGEN = "", _("—")
    SYKDOM = "sykdom", _("Sykdom")
    ANNET = "annet", _("Annet")


@track_history()
class Vakt(DistriktSynlighet, TenantModel, VersionedModel):
    """One shift: a doctor on a type of duty in a district over [start, slutt).

    The database refuses two overlapping active shifts for one doctor in any district (exclusion
    on a half-open tstzrange; deferrable so a swap can exchange two doctors in one transaction),
    a shift ending before it starts or longer than the widest limit, and a vaktklasse the type
    does not allow (SFS 2305 § 8.3: tilstedevakt 3–4, or 2 by a recorded local agreement;
    hjemmevakt and bakvakt 1). The other rules (rest, competence, exemptions, participation) are
    the services'."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("vertskommune"))
    distrikt = models.ForeignKey(Legevaktdistrikt, on_delete=models.PROTECT, related_name="vakter",
                                 verbose_name=_("distrikt"))
    stasjon = models.ForeignKey(Stasjon, on_delete=models.PROTECT, null=True, blank=True, related_name="vakter",
                                verbose_name=_("stasjon"))
    lege = models.ForeignKey(Lege, on_delete=models.PROTECT, related_name="vakter", verbose_name=_("lege"))
    type = models.CharField(_("type"), max_length=20, choices=Vakttype.choices)
    vaktklasse = models.PositiveSmallIntegerField(_("vaktklasse"), validators=[MinValueValidator(1), MaxValueValidator(4)])
    lokal_avtale = models.CharField(
        _("lokal avtale om vaktklasse 2"), max_length=300, blank=True,
        help_text=_("Tilstedevakt i vaktklasse 2 krever lokal avtale (SFS 2305 § 8.3): oppgi avtalen."),
    )
    start = models.DateTimeField(_("start"))
    slutt = models.DateTimeField(_("slutt"))
    dagkategori = models.CharField(_("dagkategori"), max_length=10, choices=Dagkategori.choices, editable=False)
    hoytid = models.CharField(_("høytid"), max_length=10, choices=Hoytid.choices, blank=True, default="", editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Vaktstatus.choices, default=Vaktstatus.AKTIV)
    avlyst_arsak = models.CharField(_("årsak til avlysning"), max_length=10, choices=Avlysningsarsak.choices, blank=True,
                                    default="")
    erstatter = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="erstatninger",
                                  verbose_name=_("erstatter vakt"))
    hvilebrudd_begrunnelse = models.TextField(
        _("begrunnelse for kortere hvile"), blank=True,
        help_text=_("Påkrevd når legen får mindre enn åtte timers hvile mellom to arbeidsperioder (SFS 2305 § 7.4)."),
    )
    unntak_kompetanse = models.BooleanField(
        _("under unntaket i kompetanseforskriften § 4"), default=False, editable=False,
        help_text=_("Legen oppfyller ikke § 3; dagen regnes mot unntaket for legevakt (seks måneder per kalenderår)."),
    )
    merknad = models.TextField(_("merknad"), blank=True)

    class Meta(TenantModel.Meta, VersionedModel.Meta):
        verbose_name = _("vakt")
        verbose_name_plural = _("vakter")
        ordering = ["start", "id"]
        indexes = [
            models.Index(fields=["distrikt", "start"], name="vakt_distrikt_start"),
            models.Index(fields=["lege", "start"], name="vakt_lege_start"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(slutt__gt=models.F("start")), name="vakt_slutt_after_start",
                                   violation_error_message=_("Vakten må slutte etter at den begynner.")),
            models.CheckConstraint(
                condition=models.Q(slutt__lte=models.F("start") + dt.timedelta(hours=VAKT_MAKS_TIMER)),
                name="vakt_max_length",
                violation_error_message=_("En vakt kan vare høyst %(timer)d timer.") % {"timer": VAKT_MAKS_TIMER},
            ),
            models.CheckConstraint(condition=models.Q(type__in=[c for c, _l in Vakttype.choices]), name="vakt_type_valid"),
            models.CheckConstraint(
                condition=models.Q(type="tilstedevakt", vaktklasse__in=[3, 4])
                | (models.Q(type="tilstedevakt", vaktklasse=2) & ~models.Q(lokal_avtale=""))
                | models.Q(type__in=["hjemmevakt", "bakvakt", "kompetansebakvakt"], vaktklasse=1)
                | models.Q(type="legevaktsentral", vaktklasse__in=[1, 2, 3, 4]),
                name="vakt_vaktklasse_matches_type",
                violation_error_message=_("Vaktklassen passer ikke til vakttypen (SFS 2305 § 8.3): tilstedevakt er klasse 3 "
                                          "eller 4 (klasse 2 bare etter lokal avtale); hjemmevakt og bakvakt er klasse 1."),
            ),
            models.CheckConstraint(condition=models.Q(status__in=["aktiv", "avlyst"]), name="vakt_status_valid"),
            models.CheckConstraint(condition=models.Q(status="avlyst") | models.Q(avlyst_arsak=""),
                                   name="vakt_arsak_only_when_avlyst"),
            models.CheckConstraint(condition=models.Q(dagkategori__in=["hverdag", "helg", "helligdag"]),
                                   name="vakt_dagkategori_valid"),
            models.CheckConstraint(condition=models.Q(hoytid__in=["", "jul", "paske"]), name="vakt_hoytid_valid"),
            ExclusionConstraint(
                name="vakt_no_overlap_same_doctor",
                expressions=[("lege", RangeOperators.EQUAL), (_tidsrom(), RangeOperators.OVERLAPS)],
                condition=models.Q(status="aktiv"),
                deferrable=models.Deferrable.IMMEDIATE,
                violation_error_message=_("Legen har allerede en vakt som overlapper denne (to vakter kan ikke overlappe)."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.start:%Y-%m-%d %H:%M}"

    @property
    def timer(self) -> float:
        """Real elapsed hours (UTC-based: a 20:00–08:00 night is 13 h in October, 11 h in March)."""
        return elapsed_hours(self.start, self.slutt)


class Byttestatus(models.TextChoices):
    FORESLATT = "foreslatt", _("Venter på godkjenning")
    GODKJENT = "godkjent", _("Godkjent")
    AVSLATT = "avslatt", _("Avslått")
    TRUKKET = "trukket", _("Trukket")



class Tilleggsart(models.TextChoices):
    REISE = "reise", _("Reise (SFS 2305 § 9.4)")
    LEGEVAKTSENTRAL = "legevaktsentral", _("Arbeid i legevaktsentral (SFS 2305 § 8.2)")


@track_history()
class Vakttillegg(TenantModel, VersionedModel):
    """A supplement recorded on a shift for payroll: a journey (travel time each way; SFS 2305 § 9.4
    pays per started half hour beyond 30 minutes each way) or hours worked in the legevaktsentral
    (§ 8.2 pays an hourly supplement). Owned by the vertskommune (the employer); not shown to
    deltakerkommuner."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("vertskommune"))
    vakt = models.ForeignKey(Vakt, on_delete=models.CASCADE, related_name="tillegg", verbose_name=_("vakt"))
    art = models.CharField(_("art"), max_length=20, choices=Tilleggsart.choices)
    minutter_hver_vei = models.PositiveSmallIntegerField(
        _("reisetid hver vei (minutter)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)],
        help_text=_("For en reise: reisetiden hver vei i minutter."),
    )
    timer = models.DecimalField(
        _("timer i legevaktsentralen"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0.01)],
    )
    merknad = models.CharField(_("merknad"), max_length=300, blank=True)

    class Meta(TenantModel.Meta, VersionedModel.Meta):
        verbose_name = _("vakttillegg")
        verbose_name_plural = _("vakttillegg")
        ordering = ["vakt", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(art__in=[c for c, _l in Tilleggsart.choices]),
                                   name="vakttillegg_art_valid"),
            models.CheckConstraint(
                condition=models.Q(art="reise", minutter_hver_vei__gte=1, minutter_hver_vei__lte=24 * 60, timer__isnull=True)
                | models.Q(art="legevaktsentral", timer__gt=0, timer__lte=VAKT_MAKS_TIMER, minutter_hver_vei__isnull=True),
                name="vakttillegg_fields_match_art",
                violation_error_message=_("En reise har reisetid hver vei (minutter); arbeid i legevaktsentralen har timer."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_art_display()} ({self.vakt_id})"

@track_history()
class Vaktbytte(TenantModel, VersionedModel):
    """A doctor's request to swap their shift with another doctor's; a saksbehandler approves and
    the two shifts change doctor in one transaction."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("vertskommune"))
    vakt = models.ForeignKey(Vakt, on_delete=models.PROTECT, related_name="bytter_fra", verbose_name=_("vakt"))
    mot_vakt = models.ForeignKey(Vakt, on_delete=models.PROTECT, related_name="bytter_til", verbose_name=_("byttes mot"))
    onsket_av = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("ønsket av"))
    status = models.CharField(_("status"), max_length=10, choices=Byttestatus.choices, default=Byttestatus.FORESLATT)
    opprettet = models.DateTimeField(_("opprettet"), auto_now_add=True)
    behandlet = models.DateTimeField(_("behandlet"), null=True, blank=True)
    behandlet_av = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("behandlet av"))
    merknad = models.TextField(_("merknad"), blank=True)

    class Meta(TenantModel.Meta, VersionedModel.Meta):
        verbose_name = _("vaktbytte")
        verbose_name_plural = _("vaktbytter")
        ordering = ["-opprettet", "id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(vakt=models.F("mot_vakt")), name="vaktbytte_not_same_shift",
                                   violation_error_message=_("En vakt kan ikke byttes med seg selv.")),
            models.CheckConstraint(condition=models.Q(status__in=[c for c, _l in Byttestatus.choices]),
                                   name="vaktbytte_status_valid"),
            models.UniqueConstraint(fields=["kommune", "vakt"], condition=models.Q(status="foreslatt"),
                                    name="vaktbytte_one_pending_per_shift",
                                    violation_error_message=_("Det finnes allerede et bytteønske for denne vakten.")),
        ]

    def __str__(self) -> str:
        return f"Bytte {self.vakt_id} ↔ {self.mot_vakt_id}"


# --- normtall (SFS 2305, 2024) ----------------------------------------------------------------------

class Befolkningsgruppe(models.TextChoices):
    I = "I", _("I (under 30 000)")  # noqa: E741
    II = "II", _("II (30 000–60 000)")
    III = "III", _("III (60 000–90 000)")
    IV = "IV", _("IV (over 90 000)")


@track_history()
class Normtall(models.Model):
    """SFS 2305 (2024): the binding minimum number of doctors in a vaktordning. The numbers were not
    in our sources, so the table ships empty; the operator enters them (admin) with their source.
    National: the same for every kommune."""

    befolkningsgruppe = models.CharField(_("befolkningsgruppe"), max_length=3, choices=Befolkningsgruppe.choices)
    vakttype = models.CharField(_("vakttype"), max_length=20, choices=Vakttype.choices)
    min_leger = models.PositiveSmallIntegerField(_("minste antall leger"), validators=[MinValueValidator(1)])
    kilde = models.CharField(_("kilde"), max_length=300)
    gyldig_fra = models.DateField(_("gjelder fra"))

    class Meta:
        verbose_name = _("normtall")
        verbose_name_plural = _("normtall")
        ordering = ["befolkningsgruppe", "vakttype", "-gyldig_fra"]
        constraints = [
            models.UniqueConstraint(fields=["befolkningsgruppe", "vakttype", "gyldig_fra"], name="normtall_unique"),
            models.CheckConstraint(condition=models.Q(min_leger__gte=1), name="normtall_min_leger_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.befolkningsgruppe} {self.vakttype}: {self.min_leger}"


# --- flags from the nightly overload job ------------------------------------------------------------

class Belastningsvarseltype(models.TextChoices):
    FA_LEGER = "fa_leger", _("Tre eller færre leger i vaktordningen")
    HYPPIGHET = "hyppighet", _("Lege på vakt oftere enn hver fjerde")
    BEREDSKAP = "beredskap", _("Beredskap over ukegrensen")
    HVILEBRUDD = "hvilebrudd", _("Brudd på hviletiden")
    UDEKKET = "udekket", _("Tidsrom uten lege på vakt")
    KOMPETANSEUNNTAK = "kompetanseunntak", _("Unntaket for legevakt uten kompetansekrav går mot slutten")
    NORMTALL = "normtall", _("Færre leger enn normtallet")


@track_history()
class Belastningsvarsel(DistriktSynlighet, TenantModel):
    """A flag raised by the nightly overload job: at most one open flag per district and kind; it
    resolves itself when its condition clears."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("vertskommune"))
    distrikt = models.ForeignKey(Legevaktdistrikt, on_delete=models.PROTECT, related_name="varsler",
                                 verbose_name=_("distrikt"))
    type = models.CharField(_("type"), max_length=20, choices=Belastningsvarseltype.choices)
    reist = models.DateTimeField(_("reist"))
    sett = models.DateTimeField(_("sett"), null=True, blank=True)
    sett_av = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("sett av"))
    lost = models.DateTimeField(_("løst"), null=True, blank=True)
    detaljer = models.JSONField(_("detaljer"), default=dict, blank=True)
    varslet = models.DateTimeField(_("sendt i e-postoversikt"), null=True, blank=True)

    class Meta(TenantModel.Meta):
        verbose_name = _("belastningsvarsel")
        verbose_name_plural = _("belastningsvarsler")
        ordering = ["-reist", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kommune", "distrikt", "type"], condition=models.Q(lost__isnull=True),
                                    name="belastningsvarsel_one_open"),
            models.CheckConstraint(condition=models.Q(lost__isnull=True) | models.Q(lost__gte=models.F("reist")),
                                   name="belastningsvarsel_lost_after_reist"),
            models.CheckConstraint(condition=models.Q(type__in=[c for c, _l in Belastningsvarseltype.choices]),
                                   name="belastningsvarsel_type_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} ({self.distrikt_id})"


# --- calendar feed ----------------------------------------------------------------------------------

@track_history(exclude=["nokkel_hash"])
class Kalendernokkel(models.Model):
    """A doctor's private calendar feed: the secret is in the URL, only its keyed hash is stored;
    revoking makes the URL stop working. National: the feed shows the doctor's own shifts in every
    district."""

    lege = models.ForeignKey(Lege, on_delete=models.CASCADE, related_name="kalendernokler", verbose_name=_("lege"))
    nokkel_hash = models.CharField(max_length=64, unique=True, editable=False)
    opprettet = models.DateTimeField(_("opprettet"), auto_now_add=True)
    trukket_tilbake = models.DateTimeField(_("trukket tilbake"), null=True, blank=True)
    sist_brukt = models.DateTimeField(_("sist brukt"), null=True, blank=True)

    class Meta:
        verbose_name = _("kalendernøkkel")
        verbose_name_plural = _("kalendernøkler")
        constraints = [
            models.UniqueConstraint(fields=["lege"], condition=models.Q(trukket_tilbake__isnull=True),
                                    name="kalendernokkel_one_active_per_lege"),
        ]

    def __str__(self) -> str:
        return f"Kalender for {self.lege_id}"
