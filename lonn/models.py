"""The payroll feed's tables: the event outbox (Hendelse), each payable item's current payroll state
and version (Lonnobjekt), the feed's epochs (Epoke) and the clients' receipts (Kvittering).

Hendelse and Lonnobjekt are written only by the database triggers in lonn/sql.py (never by Python),
in the transaction that changed the item. See docs/lonn.md for why the feed never skips or repeats.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeBoundary, RangeOperators
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from core.history import track_history
from core.models import VersionedModel
from core.tenancy import TenantModel
from kommune.models import ApiToken, Kommune, Lege
from legevakt.models import Dagkategori, Vakttype


class Objekttype(models.TextChoices):
    VAKT = "vakt", _("Legevakt (vakt)")
    VIKARIAT = "vikariat", _("Vikariat")
    FASTLEGEAVTALE = "fastlegeavtale", _("Fastlegeavtale")
    ALISAVTALE = "alisavtale", _("ALIS-avtale")
    OKONOMIAVTALE = "okonomiavtale", _("8.2-avtale")
    LONNSPERIODE = "lonnsperiode", _("Lønnsperiode")
    KORREKSJON = "korreksjon", _("Korreksjon")


AVTALETYPER = (Objekttype.FASTLEGEAVTALE, Objekttype.ALISAVTALE, Objekttype.OKONOMIAVTALE)


class Hendelse(TenantModel):
    """One published change of a payable item. `xid` is the writing transaction's id
    (pg_current_xact_id()); the feed's order is (xid, id)."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune"))
    xid = models.BigIntegerField(_("transaksjon"))
    objekt_id = models.CharField(_("objekt"), max_length=40)
    objekt_type = models.CharField(_("objekttype"), max_length=20, choices=Objekttype.choices)
    type = models.CharField(_("hendelsestype"), max_length=40)
    versjon = models.BigIntegerField(_("versjon"))
    tidspunkt = models.DateTimeField(_("tidspunkt"))
    data = models.JSONField(_("data"))

    class Meta(TenantModel.Meta):
        verbose_name = _("lønnshendelse")
        verbose_name_plural = _("lønnshendelser")
        indexes = [
            models.Index(fields=["kommune", "xid", "id"], name="lonn_hendelse_feed"),
            models.Index(fields=["xid", "id"], name="lonn_hendelse_posisjon"),
            models.Index(fields=["tidspunkt"], name="lonn_hendelse_tidspunkt"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(versjon__gte=1), name="lonn_hendelse_versjon_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.objekt_id} v{self.versjon}"


class Lonnobjekt(TenantModel):
    """A payable item's current payroll state and version: what the snapshots serve. `aktiv` false
    means the item left the payroll state (deleted, or a cancelled shift); a snapshot still lists it,
    as a tombstone, while events of it lie after the snapshot's marker."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune"))
    objekt_id = models.CharField(_("objekt"), max_length=40)
    objekt_type = models.CharField(_("objekttype"), max_length=20, choices=Objekttype.choices)
    versjon = models.BigIntegerField(_("versjon"))
    aktiv = models.BooleanField(_("i lønnsgrunnlaget"))
    data = models.JSONField(_("data"))
    maks_xid = models.BigIntegerField(
        _("høyeste transaksjon"), default=0,
        help_text="The highest transaction id among the item's events: a snapshot lists a deleted item as a tombstone "
                  "when one of its events lies after the snapshot's marker (docs/lonn.md).",
    )
    gjelder_fra = models.DateTimeField(_("gjelder fra"), null=True)
    gjelder_til = models.DateTimeField(_("gjelder til"), null=True)
    endret = models.DateTimeField(_("endret"))

    class Meta(TenantModel.Meta):
        verbose_name = _("lønnsobjekt")
        verbose_name_plural = _("lønnsobjekter")
        indexes = [models.Index(fields=["kommune", "objekt_type", "id"], name="lonn_objekt_snapshot")]
        constraints = [
            models.UniqueConstraint(fields=["kommune", "objekt_id"], name="lonn_objekt_unique"),
            models.CheckConstraint(condition=models.Q(versjon__gte=1), name="lonn_objekt_versjon_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.objekt_id} v{self.versjon}"


class Epoke(models.Model):
    """A stretch of the feed's history in which markers stay valid. A new epoch begins when the
    database is restored from a backup (detected from PostgreSQL's system identifier and timeline,
    or declared with `manage.py lonn_epoke --ny`): markers of an earlier epoch answer 410.
    Platform data (not a kommune's)."""

    nokkel = models.CharField(_("nøkkel"), max_length=16, unique=True)
    opprettet = models.DateTimeField(_("opprettet"), auto_now_add=True)
    arsak = models.CharField(_("årsak"), max_length=200)
    system_identifier = models.CharField(_("PostgreSQL-identitet (system/database)"), max_length=60, blank=True)
    tidslinje = models.IntegerField(_("PostgreSQL-tidslinje"), null=True)
    forste_hendelse_id = models.BigIntegerField(_("første hendelse i epoken"), default=0)
    slettet_til_xid = models.BigIntegerField(_("slettet til (transaksjon)"), default=0)
    slettet_til_id = models.BigIntegerField(_("slettet til (hendelse)"), default=0)

    class Meta:
        verbose_name = _("epoke")
        verbose_name_plural = _("epoker")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.nokkel


class Kvittering(TenantModel):
    """A client's receipt: it has processed the feed up to `markor`."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune"))
    klient = models.ForeignKey(ApiToken, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                               verbose_name=_("klient"))
    bruker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name=_("bruker"))
    markor = models.CharField(_("markør"), max_length=80)
    xid = models.BigIntegerField()
    hendelse_id = models.BigIntegerField()
    mottatt = models.DateTimeField(_("mottatt"), auto_now_add=True)

    class Meta(TenantModel.Meta):
        verbose_name = _("kvittering")
        verbose_name_plural = _("kvitteringer")
        ordering = ["-mottatt", "-id"]
        indexes = [models.Index(fields=["kommune", "klient", "-id"], name="lonn_kvittering_siste")]

    def __str__(self) -> str:
        return f"Kvittering {self.markor}"


# --- pay periods, payroll lines and corrections (docs/lonn.md, «Pay periods») ----------------------

class DateRange(models.Func):
    function = "DATERANGE"
    output_field = DateRangeField()


class Lonnskategori(models.TextChoices):
    """The payable categories the kommune maps to its wage types (lønnsarter)."""

    VAKT = "vakt", _("Legevakt (timer etter vakttype, vaktklasse, dagkategori og dag/natt)")
    HVILETID = "hviletid", _("Kompensasjon for hviletid (timer, SFS 2305 § 7.4)")
    REISE = "reise", _("Reise (påbegynte halvtimer, SFS 2305 § 9.4)")
    LEGEVAKTSENTRAL = "legevaktsentral", _("Tillegg for legevaktsentral (timer, SFS 2305 § 8.2)")
    VIKAR = "vikar", _("Vikariat (dagsverk)")
    ALIS_VEILEDNING = "alis_veiledning", _("ALIS-veiledning (timer)")


class Tid(models.TextChoices):
    DAG = "dag", _("Dag")
    NATT = "natt", _("Natt")


@track_history()
class Lonnsartregel(TenantModel, VersionedModel):
    """One row of the kommune's dated mapping from a payable category to its wage type (lønnsart),
    rate and cost centre. For legevakt hours a row may name a shift type, vaktklasse, day category
    and day/night, or leave any of them empty (= all); the most specific row wins. Rows of the same
    kind never overlap in time (exclusion constraint); a changed rate is a new row from its date."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune"))
    kategori = models.CharField(_("kategori"), max_length=20, choices=Lonnskategori.choices)
    vakttype = models.CharField(_("vakttype"), max_length=20, choices=Vakttype.choices, blank=True)
    vaktklasse = models.PositiveSmallIntegerField(_("vaktklasse"), null=True, blank=True,
                                                  validators=[MinValueValidator(1), MaxValueValidator(4)])
    dagkategori = models.CharField(_("dagkategori"), max_length=10, choices=Dagkategori.choices, blank=True)
    tid = models.CharField(_("dag/natt"), max_length=4, choices=Tid.choices, blank=True)
    gyldig_fra = models.DateField(_("gjelder fra"))
    gyldig_til = models.DateField(_("gjelder til og med"), null=True, blank=True)
    lonnsart = models.CharField(_("lønnsart"), max_length=20)
    sats = models.DecimalField(_("sats"), max_digits=12, decimal_places=4, validators=[MinValueValidator(0)])
    kostnadssted = models.CharField(_("kostnadssted"), max_length=30, blank=True)
    eksempel = models.BooleanField(
        _("eksempel"), default=False,
        help_text=_("Eksempelsats fra SFS 2305 per 1. januar 2021. Ikke gjeldende sats: kommunen må legge inn sine egne."),
    )
    kilde = models.CharField(_("kilde"), max_length=300, blank=True)

    class Meta(TenantModel.Meta, VersionedModel.Meta):
        verbose_name = _("lønnsartregel")
        verbose_name_plural = _("lønnsartregler")
        ordering = ["kategori", "vakttype", "vaktklasse", "dagkategori", "tid", "gyldig_fra"]
        indexes = [models.Index(fields=["kommune", "kategori", "gyldig_fra"], name="lonn_regel_oppslag")]
        constraints = [
            models.CheckConstraint(condition=models.Q(gyldig_til__isnull=True) | models.Q(gyldig_til__gte=models.F("gyldig_fra")),
                                   name="lonnsartregel_til_etter_fra",
                                   violation_error_message=_("«Gjelder til» kan ikke være før «gjelder fra».")),
            models.CheckConstraint(condition=models.Q(sats__gte=0), name="lonnsartregel_sats_ikke_negativ",
                                   violation_error_message=_("Satsen kan ikke være negativ.")),
            models.CheckConstraint(condition=models.Q(vaktklasse__isnull=True) | models.Q(vaktklasse__range=(1, 4)),
                                   name="lonnsartregel_vaktklasse_1_4",
                                   violation_error_message=_("Vaktklassen må være 1–4 (SFS 2305 § 8.3).")),
            models.CheckConstraint(
                condition=models.Q(kategori="vakt") | (models.Q(vakttype="") & models.Q(vaktklasse__isnull=True)
                                                       & models.Q(dagkategori="") & models.Q(tid="")),
                name="lonnsartregel_dimensjoner_bare_vakt",
                violation_error_message=_("Vakttype, vaktklasse, dagkategori og dag/natt gjelder bare kategorien legevakt.")),
            models.CheckConstraint(condition=~models.Q(lonnsart=""), name="lonnsartregel_lonnsart_paakrevd",
                                   violation_error_message=_("Lønnsart må fylles ut.")),
            ExclusionConstraint(
                name="lonnsartregel_ingen_overlapp",
                expressions=[
                    ("kommune", RangeOperators.EQUAL),
                    ("kategori", RangeOperators.EQUAL),
                    ("vakttype", RangeOperators.EQUAL),
                    (Coalesce("vaktklasse", 0), RangeOperators.EQUAL),
                    ("dagkategori", RangeOperators.EQUAL),
                    ("tid", RangeOperators.EQUAL),
                    (DateRange("gyldig_fra", "gyldig_til", RangeBoundary(inclusive_lower=True, inclusive_upper=True)),
                     RangeOperators.OVERLAPS),
                ],
                violation_error_message=_("En regel for samme kategori gjelder allerede i deler av perioden (overlappende datoer)."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kategori_display()} → {self.lonnsart} ({self.gyldig_fra})"


class Periodestatus(models.TextChoices):
    LUKKET = "lukket", _("Lukket (attestert)")
    GJENAPNET = "gjenapnet", _("Gjenåpnet")


@track_history()
class Lonnsperiode(TenantModel, VersionedModel):
    """A month the kommune has closed (attested) for payroll. Its payroll lines are then frozen
    (Lonnslinje, kilde «attestert»); a later change to an item in it gives a correction posted in
    the next open month. A month that was never closed has no row."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune"))
    maned = models.DateField(_("måned"), help_text=_("Første dag i måneden."))
    status = models.CharField(_("status"), max_length=10, choices=Periodestatus.choices)
    lukket = models.DateTimeField(_("lukket"), null=True, blank=True)
    lukket_av = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("lukket av"))
    antall_linjer = models.PositiveIntegerField(_("linjer i lønnsfilen"), default=0)
    sum_belop = models.DecimalField(_("sum"), max_digits=14, decimal_places=2, default=0)

    class Meta(TenantModel.Meta, VersionedModel.Meta):
        verbose_name = _("lønnsperiode")
        verbose_name_plural = _("lønnsperioder")
        ordering = ["-maned"]
        constraints = [
            models.UniqueConstraint(fields=["kommune", "maned"], name="lonnsperiode_en_per_maned",
                                    violation_error_message=_("Måneden er allerede registrert som lønnsperiode.")),
            models.CheckConstraint(condition=models.Q(maned__day=1), name="lonnsperiode_forste_i_maneden",
                                   violation_error_message=_("En lønnsperiode er en hel måned (første dag i måneden).")),
            models.CheckConstraint(condition=models.Q(status__in=[c for c, _l in Periodestatus.choices]),
                                   name="lonnsperiode_status_gyldig"),
            models.CheckConstraint(condition=~models.Q(status="lukket") | models.Q(lukket__isnull=False),
                                   name="lonnsperiode_lukket_har_tidspunkt"),
        ]

    def __str__(self) -> str:
        return self.maned.strftime("%Y-%m")


class Periodehandling(models.TextChoices):
    LUKKET = "lukket", _("Lukket (attestert)")
    GJENAPNET = "gjenapnet", _("Gjenåpnet")


class Periodebeslutning(TenantModel):
    """A recorded decision on a pay period: closing it, or re-opening it (with a reason)."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune"))
    periode = models.ForeignKey(Lonnsperiode, on_delete=models.PROTECT, related_name="beslutninger",
                                verbose_name=_("lønnsperiode"))
    handling = models.CharField(_("beslutning"), max_length=10, choices=Periodehandling.choices)
    arsak = models.TextField(_("begrunnelse"), blank=True)
    av = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                           related_name="+", verbose_name=_("av"))
    tidspunkt = models.DateTimeField(_("tidspunkt"), auto_now_add=True)

    class Meta(TenantModel.Meta):
        verbose_name = _("beslutning om lønnsperiode")
        verbose_name_plural = _("beslutninger om lønnsperioder")
        ordering = ["-tidspunkt", "-id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(handling="gjenapnet") | ~models.Q(arsak=""),
                                   name="periodebeslutning_gjenapning_har_arsak",
                                   violation_error_message=_("Gjenåpning av en lukket måned krever en begrunnelse.")),
        ]

    def __str__(self) -> str:
        return f"{self.periode} {self.handling}"


class Korreksjon(TenantModel):
    """A change, after its month was closed, to what an item pays for that month: the reversal of
    the values attested (or last corrected) and the new values, posted in the next open month.
    Written only by the database (lonn/sql.py, lonn_korriger), in the transaction of the change."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune"))
    objekt_id = models.CharField(_("objekt"), max_length=40)
    objekt_type = models.CharField(_("objekttype"), max_length=20, choices=Objekttype.choices)
    objekt_versjon = models.BigIntegerField(_("objektets versjon"))
    periode = models.DateField(_("korrigert måned"))
    posteres_i = models.DateField(_("posteres i"))
    opprettet = models.DateTimeField(_("opprettet"))
    annullert = models.BooleanField(
        _("annullert"), default=False,
        help_text=_("Måneden den korrigerte ble gjenåpnet før korreksjonen ble lukket: den inngår ikke i noen lønnsfil."),
    )

    class Meta(TenantModel.Meta):
        verbose_name = _("korreksjon")
        verbose_name_plural = _("korreksjoner")
        ordering = ["-id"]
        indexes = [models.Index(fields=["kommune", "posteres_i"], name="lonn_korreksjon_postering")]
        constraints = [
            models.CheckConstraint(condition=models.Q(posteres_i__gt=models.F("periode")), name="korreksjon_postert_senere"),
        ]

    def __str__(self) -> str:
        return f"Korreksjon {self.objekt_id} {self.periode:%Y-%m}"


class Linjekilde(models.TextChoices):
    ATTESTERT = "attestert", _("Attestert")
    REVERSERING = "reversering", _("Reversering")
    NY = "ny", _("Ny verdi")


class Lonnslinje(TenantModel):
    """A frozen payroll line: one payable item's quantity in one category for one month at one
    rate. Lines are written by the database when a month is closed (kilde «attestert», the whole
    month) and by corrections (a reversal with negative quantity and the new values). The file of
    a month is the lines posted in it, summed per person, wage type, rate, period and cost centre."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune"))
    periode = models.DateField(_("måned arbeidet gjelder"))
    posteres_i = models.DateField(_("posteres i"))
    kilde = models.CharField(_("kilde"), max_length=12, choices=Linjekilde.choices)
    korreksjon = models.ForeignKey(Korreksjon, on_delete=models.CASCADE, null=True, blank=True, related_name="linjer",
                                   verbose_name=_("korreksjon"))
    objekt_id = models.CharField(_("objekt"), max_length=40)
    lege = models.ForeignKey(Lege, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("lege"))
    ansattnummer = models.CharField(_("ansattnummer"), max_length=20, blank=True)
    kategori = models.CharField(_("kategori"), max_length=20, choices=Lonnskategori.choices)
    vakttype = models.CharField(_("vakttype"), max_length=20, blank=True)
    vaktklasse = models.PositiveSmallIntegerField(_("vaktklasse"), null=True, blank=True)
    dagkategori = models.CharField(_("dagkategori"), max_length=10, blank=True)
    tid = models.CharField(_("dag/natt"), max_length=4, blank=True)
    regel = models.ForeignKey(Lonnsartregel, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=_("lønnsartregel"))
    lonnsart = models.CharField(_("lønnsart"), max_length=20, blank=True)
    sats = models.DecimalField(_("sats"), max_digits=12, decimal_places=4, null=True, blank=True)
    kostnadssted = models.CharField(_("kostnadssted"), max_length=30, blank=True)
    mengde = models.DecimalField(_("antall"), max_digits=16, decimal_places=6)
    annullert = models.BooleanField(
        _("annullert"), default=False,
        help_text=_("Beholdt for ettertiden: måneden ble gjenåpnet, og linjen inngår ikke i noen fil eller i det som er attestert."),
    )

    class Meta(TenantModel.Meta):
        verbose_name = _("lønnslinje")
        verbose_name_plural = _("lønnslinjer")
        indexes = [
            models.Index(fields=["kommune", "posteres_i"], name="lonn_linje_fil"),
            models.Index(fields=["kommune", "objekt_id", "periode"], name="lonn_linje_objekt"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(kilde="attestert", korreksjon__isnull=True, posteres_i=models.F("periode"))
                                   | (~models.Q(kilde="attestert") & models.Q(korreksjon__isnull=False)),
                                   name="lonnslinje_kilde_konsistent"),
        ]

    def __str__(self) -> str:
        return f"{self.objekt_id} {self.kategori} {self.mengde}"


# --- webhooks (issue 9): "new events available", signed per Standard Webhooks (lonn/webhooks.py) ----------

WEBHOOK_TYPE_VARSEL = "lonn.hendelser_tilgjengelig"  # new events are available in the feed
WEBHOOK_TYPE_TEST = "lonn.test"  # a test ping sent from the page


@track_history(exclude=["hemmelighet", "varslet_epoke", "varslet_xid", "varslet_id", "versjon", "endret"])
class Webhookendepunkt(TenantModel, VersionedModel):
    """An HTTPS address (the kommune's payroll system, an integrator) told with a signed, thin
    notification when new events are available in the payroll feed; it then reads the feed with
    its own token. The signing secret is stored encrypted (never in clear); `varslet_*` is the feed
    position up to which the endpoint has been notified (moved by the periodic task, not history)."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune"))
    url = models.URLField(_("adresse"), max_length=500)
    beskrivelse = models.CharField(_("beskrivelse"), max_length=200, blank=True)
    hemmelighet = models.TextField(
        _("hemmelighet (kryptert)"), editable=False,
        help_text="The signing secret (whsec_…), Fernet-encrypted under a key derived from SECRET_KEY (lonn/webhooks.py).",
    )
    hemmelighet_byttet = models.DateTimeField(_("hemmelighet laget"))
    aktiv = models.BooleanField(_("aktiv"), default=True)
    deaktivert = models.DateTimeField(_("deaktivert"), null=True, blank=True)
    deaktivert_arsak = models.CharField(_("årsak til deaktivering"), max_length=200, blank=True)
    opprettet = models.DateTimeField(_("opprettet"))
    opprettet_av = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("opprettet av"))
    varslet_epoke = models.CharField(_("varslet til (epoke)"), max_length=16, blank=True)
    varslet_xid = models.BigIntegerField(_("varslet til (transaksjon)"), default=0)
    varslet_id = models.BigIntegerField(_("varslet til (hendelse)"), default=0)

    class Meta(TenantModel.Meta, VersionedModel.Meta):
        verbose_name = _("webhook-endepunkt")
        verbose_name_plural = _("webhook-endepunkter")
        ordering = ["opprettet", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kommune", "url"], name="webhookendepunkt_unik_adresse",
                                    violation_error_message=_("Adressen er allerede registrert for kommunen.")),
            models.CheckConstraint(condition=models.Q(url__startswith="https://"), name="webhookendepunkt_https"),
            models.CheckConstraint(condition=models.Q(aktiv=True) | models.Q(deaktivert__isnull=False),
                                   name="webhookendepunkt_deaktivert_har_tidspunkt"),
        ]

    def __str__(self) -> str:
        return self.url


class Leveringsstatus(models.TextChoices):
    VENTER = "venter", _("Venter")
    LEVERT = "levert", _("Levert")
    GITT_OPP = "gitt_opp", _("Gitt opp")


class Webhooklevering(TenantModel):
    """One notification (one `webhook-id`) to an endpoint, tried until delivered or given up. At most
    one notification of new events waits per endpoint: a newer one moves its target marker (and gets
    a new id, since its body changed)."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune"))
    endepunkt = models.ForeignKey(Webhookendepunkt, on_delete=models.CASCADE, related_name="leveringer",
                                  verbose_name=_("endepunkt"))
    meldings_id = models.CharField(_("meldings-ID (webhook-id)"), max_length=40)
    type = models.CharField(_("type"), max_length=40)
    til_markor = models.CharField(_("hendelser til og med markør"), max_length=80, blank=True)
    payload = models.TextField(_("innhold (JSON)"))
    status = models.CharField(_("status"), max_length=10, choices=Leveringsstatus.choices, default=Leveringsstatus.VENTER)
    forsok = models.PositiveIntegerField(_("antall forsøk"), default=0)
    neste_forsok = models.DateTimeField(_("neste forsøk"), null=True, blank=True)
    forste_forsok = models.DateTimeField(_("første forsøk"), null=True, blank=True)
    sist_forsok = models.DateTimeField(_("siste forsøk"), null=True, blank=True)
    levert = models.DateTimeField(_("levert"), null=True, blank=True)
    opprettet = models.DateTimeField(_("opprettet"))

    class Meta(TenantModel.Meta):
        verbose_name = _("webhook-levering")
        verbose_name_plural = _("webhook-leveringer")
        ordering = ["-opprettet", "-id"]
        indexes = [
            models.Index(fields=["neste_forsok"], condition=models.Q(status="venter"), name="lonn_webhook_forfalt"),
            models.Index(fields=["kommune", "endepunkt", "-id"], name="lonn_webhook_logg"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["kommune", "endepunkt"],
                                    condition=models.Q(status="venter", type=WEBHOOK_TYPE_VARSEL),
                                    name="webhooklevering_en_ventende"),
            models.CheckConstraint(condition=models.Q(status__in=[c for c, _l in Leveringsstatus.choices]),
                                   name="webhooklevering_status_gyldig"),
            models.CheckConstraint(condition=~models.Q(status="venter") | models.Q(neste_forsok__isnull=False),
                                   name="webhooklevering_venter_har_tidspunkt"),
        ]

    def __str__(self) -> str:
        return f"{self.meldings_id} ({self.status})"


class Webhookforsok(TenantModel):
    """One attempt to deliver a notification: when, the HTTP status or the error, how long it took
    and the start of the answer."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune"))
    levering = models.ForeignKey(Webhooklevering, on_delete=models.CASCADE, related_name="forsokene",
                                 verbose_name=_("levering"))
    meldings_id = models.CharField(_("meldings-ID (webhook-id)"), max_length=40)
    tidspunkt = models.DateTimeField(_("tidspunkt"))
    http_status = models.PositiveSmallIntegerField(_("HTTP-status"), null=True, blank=True)
    feil = models.CharField(_("feil"), max_length=300, blank=True)
    varighet_ms = models.PositiveIntegerField(_("varighet (ms)"))
    svar = models.CharField(_("svar (forkortet)"), max_length=500, blank=True)

    class Meta(TenantModel.Meta):
        verbose_name = _("webhook-forsøk")
        verbose_name_plural = _("webhook-forsøk")
        ordering = ["-tidspunkt", "-id"]

    def __str__(self) -> str:
        return f"{self.meldings_id} {self.http_status or self.feil}"
