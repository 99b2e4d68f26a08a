"""The tenant root: Kommune with its dated population figures; the user account, roles per kommune
and integration tokens."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Left, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.history import track_history
from core.models import VersionedModel
from core.tenancy import TenantModel

KOMMUNENUMMER_PATTERN = r"^[0-9]{4}$"
kommunenummer_validator = RegexValidator(
    KOMMUNENUMMER_PATTERN, _("Kommunenummer må bestå av nøyaktig fire siffer, for eksempel 4601.")
)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("E-postadresse må oppgis.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


@track_history(exclude=["password", "last_login"])
class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in, by e-mail address. National (not owned by a kommune); what the person
    may do in a kommune is a Rolle there."""

    email = models.EmailField(_("e-postadresse"), unique=True)
    navn = models.CharField(_("navn"), max_length=200, blank=True)
    is_active = models.BooleanField(_("aktiv"), default=True)
    is_staff = models.BooleanField(_("driftspersonell"), default=False)
    date_joined = models.DateTimeField(_("opprettet"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("bruker")
        verbose_name_plural = _("brukere")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_unique_ci")]

    def __str__(self) -> str:
        return self.navn or self.email


@track_history()
class Kommune(TenantModel, VersionedModel):
    """A kommune, and the tenant: a kommune in scope sees only itself."""

    tenant_field = "id"

    class Malform(models.TextChoices):
        BOKMAL = "bokmal", _("Bokmål")
        NYNORSK = "nynorsk", _("Nynorsk")
        NOYTRAL = "noytral", _("Nøytral")

    class Avtaleregime(models.TextChoices):
        ASA_4310 = "asa4310", _("Rammeavtale ASA 4310 (KS)")
        OSLO = "oslo", _("Oslo kommunes rammeavtale")

    kommunenummer = models.CharField(
        _("kommunenummer"), max_length=4, unique=True, validators=[kommunenummer_validator]
    )
    navn = models.CharField(_("navn"), max_length=100)
    fylkesnummer = models.CharField(_("fylkesnummer"), max_length=2)
    fylkesnavn = models.CharField(_("fylke"), max_length=100)
    administrasjonssenter = models.CharField(_("administrasjonssenter"), max_length=100, blank=True)
    areal_km2 = models.DecimalField(_("areal (km²)"), max_digits=10, decimal_places=2, null=True, blank=True)
    malform = models.CharField(_("offisiell målform"), max_length=10, choices=Malform.choices)
    sentralitetsklasse = models.PositiveSmallIntegerField(
        _("sentralitetsklasse"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(6)],
        help_text=_("SSBs sentralitetsindeks, klasse 1 (mest sentral) til 6 (minst sentral)."),
    )
    avtaleregime = models.CharField(
        _("avtaleregime for næringsdrivende fastleger"),
        max_length=10,
        choices=Avtaleregime.choices,
        default=Avtaleregime.ASA_4310,
    )

    class Meta(TenantModel.Meta, VersionedModel.Meta):
        verbose_name = _("kommune")
        verbose_name_plural = _("kommuner")
        ordering = ["kommunenummer"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kommunenummer__regex=KOMMUNENUMMER_PATTERN), name="kommune_kommunenummer_4_digits"
            ),
            models.CheckConstraint(
                condition=models.Q(fylkesnummer=Left("kommunenummer", 2)), name="kommune_fylke_matches_nummer"
            ),
            models.CheckConstraint(
                condition=models.Q(sentralitetsklasse__isnull=True) | models.Q(sentralitetsklasse__range=(1, 6)),
                name="kommune_sentralitetsklasse_1_6",
            ),
            models.CheckConstraint(
                condition=models.Q(malform__in=["bokmal", "nynorsk", "noytral"]), name="kommune_malform_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(avtaleregime__in=["asa4310", "oslo"]), name="kommune_avtaleregime_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kommunenummer} {self.navn}"

    @classmethod
    def tenant_filter(cls, kommune_id: int) -> models.Q:
        return models.Q(pk=kommune_id)

    @property
    def language_code(self) -> str:
        """The default page language: nynorsk kommuner get nn, the others nb."""
        return "nn" if self.malform == self.Malform.NYNORSK else "nb"


DUPLICATE_FIGURE_CODE = "innbyggertall_finnes"
DUPLICATE_FIGURE_MESSAGE = _("Kommunen har allerede et innbyggertall som gjelder fra denne datoen.")


@track_history()
class Innbyggertall(TenantModel, VersionedModel):
    """The kommune's population from a date (SSB publishes figures per 1 January)."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="innbyggertall")
    gjelder_fra = models.DateField(_("gjelder fra"))
    antall = models.PositiveIntegerField(_("innbyggere"))
    kilde = models.CharField(_("kilde"), max_length=200)

    class Meta(TenantModel.Meta, VersionedModel.Meta):
        verbose_name = _("innbyggertall")
        verbose_name_plural = _("innbyggertall")
        ordering = ["kommune", "-gjelder_fra"]
        constraints = [
            models.UniqueConstraint(
                fields=["kommune", "gjelder_fra"],
                name="innbyggertall_unique_per_date",
                violation_error_code=DUPLICATE_FIGURE_CODE,
                violation_error_message=DUPLICATE_FIGURE_MESSAGE,
            ),
            models.CheckConstraint(condition=models.Q(antall__gte=0), name="innbyggertall_antall_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.kommune_id}: {self.antall} fra {self.gjelder_fra}"


@track_history()
class Rolle(TenantModel):
    """What a user may do in one kommune. A user may hold several roles in several kommuner."""

    class Navn(models.TextChoices):
        KOMMUNEOVERLEGE = "kommuneoverlege", _("Kommuneoverlege")
        SAKSBEHANDLER = "saksbehandler", _("Saksbehandler")
        LESETILGANG = "lesetilgang", _("Lesetilgang")
        LEGE = "lege", _("Lege")

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="roller", verbose_name=_("kommune"))
    bruker = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roller", verbose_name=_("bruker"))
    rolle = models.CharField(_("rolle"), max_length=20, choices=Navn.choices)
    opprettet = models.DateTimeField(_("tildelt"), default=timezone.now, editable=False)

    class Meta(TenantModel.Meta):
        verbose_name = _("rolle")
        verbose_name_plural = _("roller")
        ordering = ["kommune", "bruker", "rolle"]
        constraints = [
            models.UniqueConstraint(fields=["kommune", "bruker", "rolle"], name="rolle_unique_per_kommune_bruker"),
            models.CheckConstraint(
                condition=models.Q(rolle__in=["kommuneoverlege", "saksbehandler", "lesetilgang", "lege"]),
                name="rolle_navn_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bruker_id} {self.rolle} i {self.kommune_id}"


API_SCOPES = (
    ("lister:les", _("Lese pasientlister og kommunens nøkkeltall")),
    ("lister:skriv", _("Endre pasientlister og kommunens nøkkeltall")),
    ("avtaler:les", _("Lese avtaler")),
    ("avtaler:skriv", _("Endre avtaler")),
    ("legevakt:les", _("Lese legevakt og vaktplaner")),
    ("legevakt:skriv", _("Endre legevakt og vaktplaner")),
    ("lonn:les", _("Lønn: lese utbetalingsgrunnlag og kvittere for mottak")),
)
API_SCOPE_NAMES = tuple(name for name, _label in API_SCOPES)
API_TOKEN_MAX_DAYS = 730  # the longest a token may be issued for


@track_history(exclude=["nokkel_hash"])
class ApiToken(models.Model):
    """A named integration client's token (the payroll system, a rostering tool).

    The token itself is shown once; only a keyed hash (HMAC-SHA256 under a server key) is stored.
    National: the kommuner it works in are its ApiTokenKommune rows.
    """

    navn = models.CharField(_("klientnavn"), max_length=100)
    prefiks = models.CharField(_("kjennetegn"), max_length=16, unique=True, help_text=_("Tokenets første tegn."))
    nokkel_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = ArrayField(models.CharField(max_length=20), verbose_name=_("tilganger"))
    opprettet = models.DateTimeField(_("opprettet"), default=timezone.now, editable=False)
    utloper = models.DateTimeField(_("utløper"), null=True, blank=True)
    trukket_tilbake = models.DateTimeField(_("trukket tilbake"), null=True, blank=True)

    class Meta:
        verbose_name = _("API-token")
        verbose_name_plural = _("API-tokener")
        ordering = ["navn", "-opprettet"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scopes__contained_by=list(API_SCOPE_NAMES)) & ~models.Q(scopes=[]),
                name="apitoken_scopes_known",
            ),
            models.CheckConstraint(
                condition=models.Q(utloper__isnull=True) | models.Q(utloper__gt=models.F("opprettet")),
                name="apitoken_utloper_after_opprettet",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.navn} ({self.prefiks}…)"


@track_history()
class ApiTokenKommune(TenantModel):
    """A kommune an integration token works in. The kommune can withdraw its own binding."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="kommuner")
    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="api_tokener")
    trukket_tilbake = models.DateTimeField(_("trukket tilbake"), null=True, blank=True)

    class Meta(TenantModel.Meta):
        verbose_name = _("API-tokenets kommune")
        verbose_name_plural = _("API-tokenets kommuner")
        constraints = [models.UniqueConstraint(fields=["kommune", "token"], name="apitokenkommune_unique")]

    def __str__(self) -> str:
        return f"{self.token_id} i {self.kommune_id}"


# --- doctors ------------------------------------------------------------------------------------

HPR_PATTERN = r"^[0-9]{7,9}$"
hpr_validator = RegexValidator(
    HPR_PATTERN, _("HPR-nummer består av 7 til 9 siffer (Helsepersonellregisteret), for eksempel 9144889.")
)


def lege_synlig_i(kommune_id: int) -> models.Q:
    return models.Q(kommuner__kommune_id=kommune_id)


@track_history()
class Lege(TenantModel, VersionedModel):
    """A doctor: the national record (HPR number, name, date of birth and competence), shared by
    the kommuner that have registered the doctor (LegeKommune). A kommune sees and may correct a
    doctor it has registered; every change is in the history.

    Competence after kompetanseforskriften (FOR-2017-02-17-192) § 3 (spesialist, under
    spesialisering, godkjent allmennlege) and § 5 (held a hjemmel on 1 March 2017), with the
    dates; LIS1/turnus and the two courses matter for trygderefusjon and legevakt without bakvakt.
    """

    tenant_field = "kommuner"
    tenant_shared = True

    hpr_nummer = models.CharField(_("HPR-nummer"), max_length=9, unique=True, validators=[hpr_validator])
    fornavn = models.CharField(_("fornavn"), max_length=100)
    etternavn = models.CharField(_("etternavn"), max_length=100)
    fodselsdato = models.DateField(_("fødselsdato"))
    spesialist_allmennmedisin_fra = models.DateField(_("spesialist i allmennmedisin fra"), null=True, blank=True)
    under_spesialisering_fra = models.DateField(_("under spesialisering i allmennmedisin fra"), null=True, blank=True)
    godkjent_allmennlege_fra = models.DateField(_("godkjent allmennlege fra"), null=True, blank=True)
    lis1_fullfort = models.DateField(_("LIS1 fullført"), null=True, blank=True)
    turnus_godkjent = models.DateField(_("turnustjeneste godkjent"), null=True, blank=True)
    kurs_akuttmedisin = models.DateField(_("kurs i akuttmedisin fullført"), null=True, blank=True)
    kurs_vold_overgrep = models.DateField(_("kurs i volds- og overgrepshåndtering fullført"), null=True, blank=True)
    hjemmel_1_mars_2017 = models.BooleanField(
        _("hadde fastlegehjemmel 1. mars 2017"), default=False,
        help_text=_("Unntatt fra spesialiseringskravet (kompetanseforskriften § 5)."),
    )
    bruker = models.OneToOneField(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="lege", verbose_name=_("brukerkonto"),
        help_text=_("Legens egen innlogging (rollen «lege»): legen ser sine vakter, ber om vaktbytte og abonnerer på "
                    "vaktkalenderen."),
    )

    class Meta(TenantModel.Meta, VersionedModel.Meta):
        verbose_name = _("lege")
        verbose_name_plural = _("leger")
        ordering = ["etternavn", "fornavn", "hpr_nummer"]
        constraints = [
            models.CheckConstraint(condition=models.Q(hpr_nummer__regex=HPR_PATTERN), name="lege_hpr_nummer_format"),
        ]

    def __str__(self) -> str:
        return f"{self.fornavn} {self.etternavn}"

    @property
    def navn(self) -> str:
        return f"{self.fornavn} {self.etternavn}"

    @classmethod
    def tenant_filter(cls, kommune_id: int) -> models.Q:
        return models.Q(pk__in=LegeKommune.objects.filter(kommune_id=kommune_id).values("lege_id"))

    def tenant_writable(self, kommune_id: int) -> bool:
        if self.pk is None:
            return True  # a new national record; registering it binds it to the kommune
        return LegeKommune.objects.filter(lege_id=self.pk, kommune_id=kommune_id).exists()

    def kompetansestatus(self, on: dt.date | None = None) -> str:
        """Point 4 of the Helfo form: which of kompetanseforskriften § 3's groups (or § 5) applies."""
        day = on or timezone.localdate()
        if self.spesialist_allmennmedisin_fra and self.spesialist_allmennmedisin_fra <= day:
            return "spesialist"
        if self.godkjent_allmennlege_fra and self.godkjent_allmennlege_fra <= day:
            return "godkjent_allmennlege"
        if self.under_spesialisering_fra and self.under_spesialisering_fra <= day:
            return "under_spesialisering"
        if self.hjemmel_1_mars_2017:
            return "overgangsregel"
        return "ingen"


KOMPETANSESTATUS = {
    "spesialist": _("Spesialist i allmennmedisin"),
    "godkjent_allmennlege": _("Godkjent allmennlege"),
    "under_spesialisering": _("Under spesialisering i allmennmedisin"),
    "overgangsregel": _("Omfattet av overgangsregel (hjemmel 1. mars 2017, kompetanseforskriften § 5)"),
    "ingen": _("Oppfyller ikke kompetansekravet ennå (kompetanseforskriften §§ 3–4)"),
}


@track_history()
class LegeKommune(TenantModel):
    """A kommune's registration of a doctor, with the kommune's own employee number."""

    lege = models.ForeignKey(Lege, on_delete=models.CASCADE, related_name="kommuner", verbose_name=_("lege"))
    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="leger", verbose_name=_("kommune"))
    ansattnummer = models.CharField(
        _("ansattnummer i kommunen"), max_length=30, blank=True,
        validators=[RegexValidator(r"^[0-9A-Za-zÆØÅæøå._/][0-9A-Za-zÆØÅæøå._/-]*$", _(
            "Ansattnummeret kan bare inneholde bokstaver, sifre og . _ / - (det skrives i kommunens lønnsfil)."))],
    )
    registrert = models.DateTimeField(_("registrert"), default=timezone.now, editable=False)

    class Meta(TenantModel.Meta):
        verbose_name = _("legens kommune")
        verbose_name_plural = _("legenes kommuner")
        constraints = [
            models.UniqueConstraint(fields=["kommune", "lege"], name="legekommune_unique"),
            models.UniqueConstraint(
                fields=["kommune", "ansattnummer"], condition=~models.Q(ansattnummer=""),
                name="legekommune_ansattnummer_unique",
                violation_error_message=_("Ansattnummeret er allerede brukt for en annen lege i kommunen."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lege_id} i {self.kommune_id}"


class Jobbstatus(models.TextChoices):
    VENTER = "venter", _("Venter")
    KJORER = "kjorer", _("Kjører")
    FULLFORT = "fullfort", _("Fullført")
    FEILET = "feilet", _("Feilet")


@track_history(exclude=["inndata"])
class Bakgrunnsjobb(TenantModel):
    """A long piece of work a user started and watches: an import, a roster. It runs in the
    Celery worker (kommune.bakgrunnsjobber), reports progress (`behandlet` of `totalt`), and ends
    `fullfort` with a result or `feilet` with the errors (per row where it reads a file).

    The input (an uploaded file) is kept only while the job waits or runs: the database refuses a
    finished job that still holds it, so nothing uploaded outlives its import."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune"))
    type = models.CharField(_("type"), max_length=50)
    tittel = models.CharField(_("tittel"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Jobbstatus.choices, default=Jobbstatus.VENTER)
    totalt = models.PositiveIntegerField(_("totalt"), default=0)
    behandlet = models.PositiveIntegerField(_("behandlet"), default=0)
    feil = models.JSONField(_("feil"), default=list, blank=True)
    resultat = models.JSONField(_("resultat"), default=dict, blank=True)
    parametere = models.JSONField(_("parametere"), default=dict, blank=True)
    inndata = models.BinaryField(null=True, blank=True, editable=False)
    inndata_navn = models.CharField(_("filnavn"), max_length=255, blank=True)
    opprettet_av = models.CharField(_("startet av"), max_length=100)
    opprettet = models.DateTimeField(_("opprettet"), default=timezone.now)
    startet = models.DateTimeField(_("startet"), null=True, blank=True)
    ferdig = models.DateTimeField(_("ferdig"), null=True, blank=True)

    class Meta(TenantModel.Meta):
        verbose_name = _("bakgrunnsjobb")
        verbose_name_plural = _("bakgrunnsjobber")
        ordering = ["-opprettet", "-id"]
        indexes = [models.Index(fields=["kommune", "type", "-opprettet"], name="bakgrunnsjobb_type_opprettet")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["venter", "kjorer"]) | models.Q(inndata__isnull=True),
                name="bakgrunnsjobb_no_input_after_run",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["venter", "kjorer"], ferdig__isnull=True)
                | models.Q(status__in=["fullfort", "feilet"], ferdig__isnull=False),
                name="bakgrunnsjobb_finished_iff_done",
            ),
            models.CheckConstraint(condition=models.Q(behandlet__lte=models.F("totalt")), name="bakgrunnsjobb_progress_bounded"),
        ]

    def __str__(self) -> str:
        return f"{self.tittel} ({self.get_status_display()})"

    @property
    def prosent(self) -> int:
        if self.status == Jobbstatus.FULLFORT:
            return 100
        return int(self.behandlet * 100 / self.totalt) if self.totalt else 0

    @property
    def er_ferdig(self) -> bool:
        return self.status in (Jobbstatus.FULLFORT, Jobbstatus.FEILET)
