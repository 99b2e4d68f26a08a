"""The kommune's lists (pasientlister / hjemler), after FLR's GPContract and GPOnContractAssociation:
the office, the list with its listetak, who serves it over time, and its monthly size.

Periods are half-open: `fra` is the first day, `til` the first day *not* covered (the day the
period "opphører"); `til` empty means open-ended.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, DateRangeField, RangeOperators
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.history import track_history
from core.models import VersionedModel
from core.tenancy import TenantModel
from kommune import regler
from kommune.models import Kommune, Lege

ORGNR_PATTERN = r"^[0-9]{9}$"
POSTNUMMER_PATTERN = r"^[0-9]{4}$"
LISTETAK_MIN = regler.minste("listetak_min")
LISTETAK_MAKS = regler.storste("listetak_maks")


def organisasjonsnummer_valid(value: str) -> bool:
    """Enhetsregisterets organisasjonsnummer: nine digits, the last a modulus-11 check digit
    (weights 3 2 7 6 5 4 3 2; remainder 0 gives 0, remainder 1 is never issued)."""
    if not value or len(value) != 9 or not value.isdigit():
        return False
    total = sum(int(digit) * weight for digit, weight in zip(value[:8], (3, 2, 7, 6, 5, 4, 3, 2), strict=True))
    remainder = total % 11
    check = 0 if remainder == 0 else 11 - remainder
    return check != 10 and check == int(value[8])


def validate_organisasjonsnummer(value: str) -> None:
    from django.core.exceptions import ValidationError

    if not organisasjonsnummer_valid(value):
        raise ValidationError(
            _("Ugyldig organisasjonsnummer: det består av ni siffer der det siste er et kontrollsiffer "
              "(modulus 11, Enhetsregisteret)."),
            code="organisasjonsnummer",
        )


class DateRange(models.Func):
    """PostgreSQL daterange(fra, til, '[)'): half-open; a NULL upper bound is open-ended."""

    function = "DATERANGE"
    output_field = DateRangeField()


def _period(start: str = "fra", end: str = "til") -> DateRange:
    return DateRange(start, end, models.Value("[)"))


@track_history()
class Legekontor(TenantModel, VersionedModel):
    """A GP office (FLR GPOffice) in the kommune."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="legekontor", verbose_name=_("kommune"))
    navn = models.CharField(_("navn"), max_length=150)
    organisasjonsnummer = models.CharField(
        _("organisasjonsnummer"), max_length=9, validators=[validate_organisasjonsnummer]
    )
    adresse = models.CharField(_("adresse"), max_length=200)
    postnummer = models.CharField(
        _("postnummer"), max_length=4, validators=[RegexValidator(POSTNUMMER_PATTERN, _("Postnummer har fire siffer."))]
    )
    poststed = models.CharField(_("poststed"), max_length=100)
    telefon = models.CharField(_("telefon"), max_length=20, blank=True)

    class Meta(TenantModel.Meta, VersionedModel.Meta):
        verbose_name = _("legekontor")
        verbose_name_plural = _("legekontor")
        ordering = ["navn"]
        constraints = [
            models.UniqueConstraint(
                fields=["kommune", "organisasjonsnummer"], name="legekontor_orgnr_unique_per_kommune",
                violation_error_message=_("Kommunen har allerede et legekontor med dette organisasjonsnummeret."),
            ),
            models.CheckConstraint(condition=models.Q(organisasjonsnummer__regex=ORGNR_PATTERN), name="legekontor_orgnr_9_digits"),
            models.CheckConstraint(condition=models.Q(postnummer__regex=POSTNUMMER_PATTERN), name="legekontor_postnummer_4_digits"),
        ]

    def __str__(self) -> str:
        return self.navn


class Sluttarsak(models.TextChoices):
    """Why a list ended (FLR's OID 7753 code list is not published; these are the system's own)."""

    OVERFORT = "overfort", _("Listen er slått sammen med eller overført til en annen liste")
    NEDLAGT = "nedlagt", _("Hjemmelen er nedlagt")
    FLYTTET = "flyttet", _("Hjemmelen er flyttet til en annen kommune")
    ANNET = "annet", _("Annen årsak")


FLO_ID_VALIDATOR = RegexValidator(r"^[0-9]{1,20}$", _("Nummeret i Fastlegeregisteret består bare av siffer."))


@track_history()
class Pasientliste(TenantModel, VersionedModel):
    """The durable list position (hjemmel): its office, listetak and status settings. Who serves
    it is in Legeperiode; its size month by month in Listetall."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="pasientlister", verbose_name=_("kommune"))
    legekontor = models.ForeignKey(Legekontor, on_delete=models.PROTECT, related_name="lister", verbose_name=_("legekontor"))
    navn = models.CharField(_("navn"), max_length=150, blank=True, help_text=_("Brukes særlig for felleslister."))
    flo_id = models.CharField(
        _("listens nummer i Fastlegeregisteret"), max_length=20, blank=True, validators=[FLO_ID_VALIDATOR],
        help_text=_("Nummeret Helfo bruker for listen (FLO); brukes ved import av månedlige listetall."),
    )
    listetak = models.PositiveIntegerField(
        _("listetak"), validators=[MinValueValidator(LISTETAK_MIN), MaxValueValidator(LISTETAK_MAKS)],
    )
    manuelt_last = models.BooleanField(
        _("manuelt låst"), default=False, help_text=_("Låst for nye listeinnbyggere uansett ledige plasser."),
    )
    er_fellesliste = models.BooleanField(
        _("fellesliste"), default=False,
        help_text=_("Flere fastleger med felles, solidarisk ansvar (fastlegeforskriften § 20)."),
    )
    samarbeidskommuner = ArrayField(
        models.CharField(max_length=4), verbose_name=_("samarbeidskommuner"), default=list, blank=True,
        help_text=_("Kommunenummer for kommuner som samarbeider om listen."),
    )
    gyldig_fra = models.DateField(_("gyldig fra"))
    gyldig_til = models.DateField(_("opphører"), null=True, blank=True, help_text=_("Første dag listen ikke gjelder."))
    sluttarsak = models.CharField(_("sluttårsak"), max_length=20, choices=Sluttarsak.choices, blank=True)

    class Meta(TenantModel.Meta, VersionedModel.Meta):
        verbose_name = _("pasientliste")
        verbose_name_plural = _("pasientlister")
        ordering = ["legekontor__navn", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(listetak__gte=LISTETAK_MIN, listetak__lte=LISTETAK_MAKS), name="pasientliste_listetak_range",
                violation_error_message=_("Listetaket må være mellom 1 og 2 500 (fastlegeforskriften § 10)."),
            ),
            models.CheckConstraint(
                condition=models.Q(gyldig_til__isnull=True) | models.Q(gyldig_til__gt=models.F("gyldig_fra")),
                name="pasientliste_periode_ordered",
                violation_error_message=_("Opphørsdatoen må være etter gyldig fra-datoen."),
            ),
            models.CheckConstraint(
                condition=models.Q(gyldig_til__isnull=True, sluttarsak="") | models.Q(gyldig_til__isnull=False) & ~models.Q(sluttarsak=""),
                name="pasientliste_sluttarsak_iff_ended",
                violation_error_message=_("En liste som opphører, må ha en sluttårsak (og bare da)."),
            ),
            models.UniqueConstraint(
                fields=["kommune", "flo_id"], condition=~models.Q(flo_id=""), name="pasientliste_flo_id_unique",
                violation_error_message=_("En annen liste i kommunen har allerede dette nummeret i Fastlegeregisteret."),
            ),
            models.CheckConstraint(condition=models.Q(flo_id="") | models.Q(flo_id__regex=r"^[0-9]{1,20}$"),
                                   name="pasientliste_flo_id_digits"),
            # The target of Legeperiode's composite foreign key (id, er_fellesliste).
            models.UniqueConstraint(fields=["kommune", "id", "er_fellesliste"], name="pasientliste_id_fellesliste"),
        ]

    def __str__(self) -> str:
        return self.navn or f"{self.legekontor} #{self.pk}"


class Rolle(models.TextChoices):
    """FLR's flrv2_relationship (OID 7750)."""

    FASTLEGE = "LPFL", _("Fastlege")
    VIKAR = "LPVI", _("Vikar")


class Oppdragsgiver(models.TextChoices):
    """Who engages and pays a vikar: the kommune (payroll) or a næringsdrivende fastlege privately."""

    KOMMUNEN = "kommunen", _("Kommunen (lønn)")
    FASTLEGEN = "fastlegen", _("Næringsdrivende fastlege (privat, ikke lønn)")


class Ukedag(models.IntegerChoices):
    """FLR's WorkingOnDays: DayOfWeek, 0 = Sunday."""

    MANDAG = 1, _("mandag")
    TIRSDAG = 2, _("tirsdag")
    ONSDAG = 3, _("onsdag")
    TORSDAG = 4, _("torsdag")
    FREDAG = 5, _("fredag")
    LORDAG = 6, _("lørdag")
    SONDAG = 0, _("søndag")


@track_history()
class Legeperiode(TenantModel):
    """Who serves a list in a period: a fastlege (LPFL) or a vikar (LPVI, possibly for a named
    fastlege), with stillingsprosent and weekdays.

    No two fastlege periods overlap on an ordinary list (exclusion constraint). `er_fellesliste`
    is the list's flag, copied so the constraint's condition can see it, and kept equal to the
    list's by a composite foreign key with ON UPDATE CASCADE (migration 0001).
    """

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune"))
    pasientliste = models.ForeignKey(Pasientliste, on_delete=models.PROTECT, related_name="perioder", verbose_name=_("pasientliste"))
    lege = models.ForeignKey(Lege, on_delete=models.PROTECT, related_name="perioder", verbose_name=_("lege"))
    rolle = models.CharField(_("rolle"), max_length=4, choices=Rolle.choices)
    vikar_for = models.ForeignKey(
        Lege, on_delete=models.PROTECT, null=True, blank=True, related_name="vikarperioder", verbose_name=_("vikar for"),
    )
    stillingsprosent = models.PositiveSmallIntegerField(
        _("stillingsprosent"), default=100, validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    arbeidsdager = ArrayField(
        models.PositiveSmallIntegerField(choices=Ukedag.choices), verbose_name=_("arbeidsdager"),
        default=list, blank=True, help_text=_("Ukedager legen arbeider på listen (0 = søndag, som i Fastlegeregisteret)."),
    )
    oppdragsgiver = models.CharField(
        _("oppdragsgiver"), max_length=10, choices=Oppdragsgiver.choices, blank=True, default="", db_default="",
        help_text=_("For en vikar: kommunen engasjerer og lønner vikaren, eller en næringsdrivende fastlege engasjerer "
                    "og betaler vikaren privat (ikke lønn fra kommunen)."),
    )
    fra = models.DateField(_("fra"))
    til = models.DateField(_("opphører"), null=True, blank=True, help_text=_("Første dag perioden ikke gjelder."))
    er_fellesliste = models.BooleanField(_("fellesliste"), default=False, editable=False)
    kontortid_start = models.TimeField(
        _("kontortid fra"), default=dt.time(8, 0), db_default=dt.time(8, 0),
        help_text=_("Når legen begynner på kontoret arbeidsdagene (brukes i hviletidskontrollen for legevakt)."),
    )
    kontortid_slutt = models.TimeField(_("kontortid til"), default=dt.time(16, 0), db_default=dt.time(16, 0))
    begrunnelse_over_100 = models.TextField(
        _("begrunnelse for over 100 %"), blank=True,
        help_text=_("Påkrevd når legens engasjementer til sammen overstiger 100 % en dag."),
    )
    kompetanse_begrunnelse = models.TextField(
        _("kommuneoverlegens begrunnelse ut over unntakene i kompetanseforskriften § 4"), blank=True, db_default="",
        help_text=_("Påkrevd når en lege uten spesialisering, godkjenning eller spesialiseringsløp arbeider ut over "
                    "unntakene (ett år til sammen eller fire måneder i kalenderåret)."),
    )

    class Meta(TenantModel.Meta):
        verbose_name = _("legeperiode")
        verbose_name_plural = _("legeperioder")
        ordering = ["pasientliste", "fra", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(til__isnull=True) | models.Q(til__gt=models.F("fra")), name="legeperiode_periode_ordered",
                violation_error_message=_("Perioden må slutte etter at den begynner."),
            ),
            models.CheckConstraint(
                condition=models.Q(stillingsprosent__gte=1, stillingsprosent__lte=100), name="legeperiode_stillingsprosent_1_100",
            ),
            models.CheckConstraint(condition=models.Q(rolle__in=["LPFL", "LPVI"]), name="legeperiode_rolle_valid"),
            models.CheckConstraint(
                condition=models.Q(rolle="LPFL", oppdragsgiver="") | models.Q(rolle="LPVI", oppdragsgiver__in=["kommunen", "fastlegen"]),
                name="legeperiode_oppdragsgiver_for_vikar",
                violation_error_message=_("En vikarperiode har en oppdragsgiver (kommunen eller fastlegen); en fastlegeperiode har ingen."),
            ),
            models.CheckConstraint(
                condition=models.Q(kontortid_slutt__gt=models.F("kontortid_start")), name="legeperiode_kontortid_ordered",
                violation_error_message=_("Kontortiden må slutte etter at den begynner."),
            ),
            models.CheckConstraint(
                condition=models.Q(rolle="LPVI") | models.Q(vikar_for__isnull=True), name="legeperiode_vikar_for_only_vikar",
                violation_error_message=_("Bare en vikarperiode kan være «vikar for» en lege."),
            ),
            models.CheckConstraint(
                condition=models.Q(arbeidsdager__contained_by=[0, 1, 2, 3, 4, 5, 6]), name="legeperiode_arbeidsdager_valid",
            ),
            ExclusionConstraint(
                name="legeperiode_no_overlapping_fastlege",
                expressions=[("pasientliste", RangeOperators.EQUAL), (_period(), RangeOperators.OVERLAPS)],
                condition=models.Q(rolle="LPFL", er_fellesliste=False),
                violation_error_message=_(
                    "Listen har allerede en fastlege i denne perioden; en vanlig liste kan bare ha én fastlege om gangen "
                    "(bruk fellesliste for flere, fastlegeforskriften § 20)."
                ),
            ),
            ExclusionConstraint(
                name="legeperiode_no_overlap_same_doctor",
                expressions=[
                    ("pasientliste", RangeOperators.EQUAL), ("lege", RangeOperators.EQUAL), (_period(), RangeOperators.OVERLAPS),
                ],
                violation_error_message=_("Legen har allerede en periode på denne listen som overlapper."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_rolle_display()} {self.lege_id} på {self.pasientliste_id} fra {self.fra}"


@track_history()
class Listetall(TenantModel, VersionedModel):
    """A list's size on a date: Helfo's monthly figures, imported from a file (lister.listetall_import) or entered by hand."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune"))
    pasientliste = models.ForeignKey(Pasientliste, on_delete=models.PROTECT, related_name="listetall", verbose_name=_("pasientliste"))
    dato = models.DateField(_("dato"))
    listelengde = models.PositiveIntegerField(_("listelengde"))
    venteliste = models.PositiveIntegerField(_("venteliste"), default=0)

    class Meta(TenantModel.Meta, VersionedModel.Meta):
        verbose_name = _("listetall")
        verbose_name_plural = _("listetall")
        ordering = ["pasientliste", "-dato"]
        constraints = [
            models.UniqueConstraint(
                fields=["kommune", "pasientliste", "dato"], name="listetall_unique_per_date",
                violation_error_message=_("Listen har allerede et tall for denne datoen."),
            ),
            models.CheckConstraint(condition=models.Q(listelengde__gte=0, venteliste__gte=0), name="listetall_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.pasientliste_id} {self.dato}: {self.listelengde}"


# --- vacancies (ubesatte lister) ------------------------------------------------------------------

class Ledighetsarsak(models.TextChoices):
    OPPSIGELSE_LEGE = "oppsigelse_lege", _("Fastlegen har sagt opp")
    OPPSIGELSE_KOMMUNE = "oppsigelse_kommune", _("Kommunen har sagt opp")
    HEVING = "heving", _("Kommunen har hevet avtalen")
    DODSFALL = "dodsfall", _("Dødsfall")
    AUTORISASJON = "autorisasjon", _("Tap av autorisasjon")
    NY_LISTE = "ny_liste", _("Ny liste")
    ALDERSGRENSE = "aldersgrense", _("Aldersgrensen (70 år)")
    ANNET = "annet", _("Annen årsak")


@track_history()
class Ledighetssak(TenantModel, VersionedModel):
    """A vacancy case: opened when a departure from a list becomes known (or a new list is made),
    closed when a new fastlege period starts (`avsluttet`, the first day the case no longer applies).

    For a næringsdrivende fastlege under ASA 4310 (not Oslo), the kommune must provide a vikar and
    cover running costs for up to six months after the notice period ends (`kostnadsperiode_til`).
    On a fellesliste the case is the departing GP's part (`andel_listetak`)."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune"))
    pasientliste = models.ForeignKey(Pasientliste, on_delete=models.PROTECT, related_name="ledighetssaker",
                                     verbose_name=_("pasientliste"))
    fastlege = models.ForeignKey(Lege, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("fastlegen som slutter"))
    arsak = models.CharField(_("årsak"), max_length=20, choices=Ledighetsarsak.choices)
    kjent = models.DateField(_("kjent fra"), help_text=_("Dagen avgangen ble kjent (saken ble åpnet)."))
    oppsigelse_mottatt = models.DateField(_("oppsigelsen mottatt"), null=True, blank=True)
    fastlege_slutt = models.DateField(
        _("listen står uten fastlegen fra"), null=True, blank=True,
        help_text=_("Første dag uten den avgående fastlegen (oppsigelsestidens slutt)."),
    )
    naeringsdrivende = models.BooleanField(_("næringsdrivende fastlege"), default=False)
    kostnadsperiode_til = models.DateField(
        _("kommunens vikarplikt og driftsutgifter til"), null=True, blank=True,
        help_text=_("Første dag kommunen ikke lenger har plikten (ASA 4310: inntil seks måneder etter oppsigelsestiden)."),
    )
    andel_listetak = models.PositiveIntegerField(
        _("ledig del av listetaket"), null=True, blank=True, help_text=_("På en fellesliste: den avgående legens del."),
    )
    avsluttet = models.DateField(
        _("avsluttet"), null=True, blank=True, help_text=_("Dagen en ny fastlegeperiode begynner på listen."),
    )
    merknad = models.TextField(_("merknad"), blank=True)

    class Meta(TenantModel.Meta, VersionedModel.Meta):
        verbose_name = _("ledighetssak")
        verbose_name_plural = _("ledighetssaker")
        ordering = ["-kjent", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kommune", "pasientliste", "fastlege"], condition=models.Q(avsluttet__isnull=True),
                nulls_distinct=False, name="ledighetssak_one_open",
                violation_error_message=_("Listen har allerede en åpen ledighetssak for denne avgangen."),
            ),
            models.CheckConstraint(
                condition=models.Q(avsluttet__isnull=True) | models.Q(avsluttet__gte=models.F("kjent")),
                name="ledighetssak_avsluttet_after_kjent",
                violation_error_message=_("Saken kan ikke avsluttes før den ble åpnet."),
            ),
            models.CheckConstraint(
                condition=models.Q(kostnadsperiode_til__isnull=True)
                | models.Q(naeringsdrivende=True, fastlege_slutt__isnull=False, kostnadsperiode_til__gt=models.F("fastlege_slutt")),
                name="ledighetssak_kostnadsperiode_naeringsdrivende",
                violation_error_message=_("Kommunens vikarplikt gjelder næringsdrivende fastleger og begynner når "
                                          "oppsigelsestiden er ute (ASA 4310)."),
            ),
            models.CheckConstraint(
                condition=models.Q(arsak__in=[c for c, _l in Ledighetsarsak.choices]), name="ledighetssak_arsak_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(oppsigelse_mottatt__isnull=True) | models.Q(fastlege_slutt__isnull=True)
                | models.Q(fastlege_slutt__gte=models.F("oppsigelse_mottatt")),
                name="ledighetssak_slutt_after_oppsigelse",
                violation_error_message=_("Oppsigelsestiden kan ikke slutte før oppsigelsen er mottatt."),
            ),
        ]

    def __str__(self) -> str:
        return f"Ledighetssak {self.pk} ({self.pasientliste_id})"


@track_history()
class Utlysning(TenantModel, VersionedModel):
    """An advertisement of the vacant list (ASA 4310 kap. 5). Only correct ones count towards hjemfall."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune"))
    sak = models.ForeignKey(Ledighetssak, on_delete=models.PROTECT, related_name="utlysninger", verbose_name=_("sak"))
    dato = models.DateField(_("utlyst"))
    soknadsfrist = models.DateField(_("søknadsfrist"), null=True, blank=True)
    kanal = models.CharField(_("kanal"), max_length=150, blank=True, help_text=_("For eksempel kommunens nettside."))
    korrekt = models.BooleanField(
        _("korrekt utlysning"), default=True,
        help_text=_("Utlyst etter rammeavtalens regler (teller med for hjemfall)."),
    )
    merknad = models.TextField(_("merknad"), blank=True)

    class Meta(TenantModel.Meta, VersionedModel.Meta):
        verbose_name = _("utlysning")
        verbose_name_plural = _("utlysninger")
        ordering = ["sak", "dato", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(soknadsfrist__isnull=True) | models.Q(soknadsfrist__gte=models.F("dato")),
                name="utlysning_frist_after_dato",
                violation_error_message=_("Søknadsfristen kan ikke være før utlysningsdatoen."),
            ),
        ]


class Sokervurdering(models.TextChoices):
    TIL_VURDERING = "til_vurdering", _("Til vurdering")
    KVALIFISERT = "kvalifisert", _("Kvalifisert")
    IKKE_KVALIFISERT = "ikke_kvalifisert", _("Ikke kvalifisert")
    TRUKKET = "trukket", _("Trukket søknaden")
    TAKKET_NEI = "takket_nei", _("Takket nei til tilbud")
    TILSATT = "tilsatt", _("Tildelt listen")


KVALIFISERTE_VURDERINGER = (Sokervurdering.KVALIFISERT, Sokervurdering.TILSATT)


@track_history()
class Soker(TenantModel, VersionedModel):
    """An applicant for the vacant list: a name and the kommune's assessment (no personal numbers)."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune"))
    sak = models.ForeignKey(Ledighetssak, on_delete=models.PROTECT, related_name="sokere", verbose_name=_("sak"))
    navn = models.CharField(_("navn"), max_length=200)
    lege = models.ForeignKey(Lege, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("lege i registeret"))
    mottatt = models.DateField(_("søknad mottatt"))
    vurdering = models.CharField(_("vurdering"), max_length=20, choices=Sokervurdering.choices,
                                 default=Sokervurdering.TIL_VURDERING)
    merknad = models.TextField(_("merknad"), blank=True)

    class Meta(TenantModel.Meta, VersionedModel.Meta):
        verbose_name = _("søker")
        verbose_name_plural = _("søkere")
        ordering = ["sak", "mottatt", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(vurdering__in=[c for c, _l in Sokervurdering.choices]), name="soker_vurdering_valid",
            ),
        ]


class Dekningstype(models.TextChoices):
    KOLLEGIAL = "kollegial", _("Kollegial fraværsdekning")
    KONTORET = "kontoret", _("Andre fastleger ved kontoret")


@track_history()
class Dekning(TenantModel, VersionedModel):
    """Cover for a vacant list other than a vikar period: kollegial fraværsdekning (colleagues at the
    office, up to eight weeks a year, not registered as vikar use) or other GPs at the office."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune"))
    pasientliste = models.ForeignKey(Pasientliste, on_delete=models.PROTECT, related_name="dekninger",
                                     verbose_name=_("pasientliste"))
    type = models.CharField(_("type"), max_length=10, choices=Dekningstype.choices)
    fra = models.DateField(_("fra"))
    til = models.DateField(_("opphører"), help_text=_("Første dag dekningen ikke gjelder."))
    leger = models.CharField(_("hvem dekker"), max_length=300, blank=True)
    merknad = models.TextField(_("merknad"), blank=True)

    class Meta(TenantModel.Meta, VersionedModel.Meta):
        verbose_name = _("dekning")
        verbose_name_plural = _("dekninger")
        ordering = ["pasientliste", "fra", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(til__gt=models.F("fra")), name="dekning_periode_ordered",
                                   violation_error_message=_("Perioden må slutte etter at den begynner.")),
            models.CheckConstraint(condition=models.Q(type__in=["kollegial", "kontoret"]), name="dekning_type_valid"),
            ExclusionConstraint(
                name="dekning_no_overlap",
                expressions=[("pasientliste", RangeOperators.EQUAL), (_period(), RangeOperators.OVERLAPS)],
                violation_error_message=_("Listen har allerede dekning registrert i denne perioden."),
            ),
        ]


# --- the vikar pool -------------------------------------------------------------------------------

class Vikartilknytning(models.TextChoices):
    KOMMUNE = "kommune", _("Knyttet til kommunen")
    VIKARBYRA = "vikarbyra", _("Gjennom vikarbyrå")


@track_history()
class Vikar(TenantModel, VersionedModel):
    """A doctor available to the kommune as vikar (competence comes from the register)."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune"))
    lege = models.ForeignKey(Lege, on_delete=models.PROTECT, related_name="vikarpool", verbose_name=_("lege"))
    tilknytning = models.CharField(_("tilknytning"), max_length=10, choices=Vikartilknytning.choices,
                                   default=Vikartilknytning.KOMMUNE)
    vikarbyra = models.CharField(_("vikarbyrå"), max_length=150, blank=True)
    aktiv = models.BooleanField(_("aktiv i vikarpoolen"), default=True)
    merknad = models.TextField(_("merknad"), blank=True)

    class Meta(TenantModel.Meta, VersionedModel.Meta):
        verbose_name = _("vikar")
        verbose_name_plural = _("vikarer")
        ordering = ["lege__etternavn", "lege__fornavn", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kommune", "lege"], name="vikar_unique_per_kommune",
                                    violation_error_message=_("Legen er allerede i kommunens vikarpool.")),
            models.CheckConstraint(
                condition=models.Q(tilknytning="kommune", vikarbyra="") | models.Q(tilknytning="vikarbyra") & ~models.Q(vikarbyra=""),
                name="vikar_vikarbyra_iff_byra",
                violation_error_message=_("Oppgi vikarbyrået når vikaren kommer gjennom et vikarbyrå (og bare da)."),
            ),
        ]

    def __str__(self) -> str:
        return f"Vikar {self.lege_id}"


@track_history()
class Tilgjengelighet(TenantModel, VersionedModel):
    """A window in which a vikar can work for the kommune, up to a stillingsprosent."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune"))
    vikar = models.ForeignKey(Vikar, on_delete=models.CASCADE, related_name="tilgjengelighet", verbose_name=_("vikar"))
    fra = models.DateField(_("fra"))
    til = models.DateField(_("opphører"), null=True, blank=True, help_text=_("Første dag vikaren ikke er tilgjengelig."))
    stillingsprosent = models.PositiveSmallIntegerField(
        _("inntil stillingsprosent"), default=100, validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    merknad = models.CharField(_("merknad"), max_length=300, blank=True)

    class Meta(TenantModel.Meta, VersionedModel.Meta):
        verbose_name = _("tilgjengelighet")
        verbose_name_plural = _("tilgjengelighet")
        ordering = ["vikar", "fra", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(til__isnull=True) | models.Q(til__gt=models.F("fra")), name="tilgjengelighet_periode_ordered",
                violation_error_message=_("Perioden må slutte etter at den begynner."),
            ),
            models.CheckConstraint(
                condition=models.Q(stillingsprosent__gte=1, stillingsprosent__lte=100), name="tilgjengelighet_prosent_1_100",
            ),
            ExclusionConstraint(
                name="tilgjengelighet_no_overlap",
                expressions=[("vikar", RangeOperators.EQUAL), (_period(), RangeOperators.OVERLAPS)],
                violation_error_message=_("Vikaren har allerede tilgjengelighet registrert i denne perioden."),
            ),
        ]


# --- flags from the nightly vacancy job -----------------------------------------------------------

class Varseltype(models.TextChoices):
    BLE_LEDIG = "ble_ledig", _("Listen er uten fastlege")
    LEDIG_30 = "ledig_30", _("Uten fastlege i over 30 dager")
    LEDIG_90 = "ledig_90", _("Uten fastlege i over 90 dager")
    LEDIG_365 = "ledig_365", _("Uten fastlege i over 365 dager")
    UDEKKET = "udekket", _("Udekkede dager de neste 30 dagene")
    VIKAR_SLUTTER = "vikar_slutter", _("Vikarperiode slutter snart uten at noen tar over")
    VIKAR_LANG = "vikar_lang", _("Vikarbruk ut over grensen")
    KOSTNADSPERIODE = "kostnadsperiode", _("Kommunens periode med vikarplikt og driftsutgifter slutter snart")
    HJEMFALL = "hjemfall", _("Hjemfall er mulig")


@track_history()
class Ledighetsvarsel(TenantModel):
    """A flag raised by the nightly vacancy job: at most one open flag per list and kind; it
    resolves itself when its condition clears. Raised, seen and resolved times are recorded."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune"))
    pasientliste = models.ForeignKey(Pasientliste, on_delete=models.PROTECT, related_name="varsler",
                                     verbose_name=_("pasientliste"))
    type = models.CharField(_("type"), max_length=20, choices=Varseltype.choices)
    reist = models.DateTimeField(_("reist"))
    sett = models.DateTimeField(_("sett"), null=True, blank=True)
    sett_av = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("sett av"))
    lost = models.DateTimeField(_("løst"), null=True, blank=True)
    detaljer = models.JSONField(_("detaljer"), default=dict, blank=True)
    varslet = models.DateTimeField(_("sendt i e-postoversikt"), null=True, blank=True)

    class Meta(TenantModel.Meta):
        verbose_name = _("varsel")
        verbose_name_plural = _("varsler")
        ordering = ["-reist", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kommune", "pasientliste", "type"], condition=models.Q(lost__isnull=True),
                                    name="ledighetsvarsel_one_open"),
            models.CheckConstraint(condition=models.Q(lost__isnull=True) | models.Q(lost__gte=models.F("reist")),
                                   name="ledighetsvarsel_lost_after_reist"),
            models.CheckConstraint(condition=models.Q(sett__isnull=True) | models.Q(sett__gte=models.F("reist")),
                                   name="ledighetsvarsel_sett_after_reist"),
            models.CheckConstraint(condition=models.Q(type__in=[c for c, _l in Varseltype.choices]),
                                   name="ledighetsvarsel_type_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} ({self.pasientliste_id})"
