"""The payroll feed's tables: the event outbox (Hendelse), each payable item's current payroll state
and version (Lonnobjekt), the feed's epochs (Epoke) and the clients' receipts (Kvittering).

Hendelse and Lonnobjekt are written only by the database triggers in lonn/sql.py (never by Python),
in the transaction that changed the item. See docs/lonn.md for why the feed never skips or repeats.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.tenancy import TenantModel
from kommune.models import ApiToken, Kommune


class Objekttype(models.TextChoices):
    VAKT = "vakt", _("Legevakt (vakt)")
    VIKARIAT = "vikariat", _("Vikariat")
    FASTLEGEAVTALE = "fastlegeavtale", _("Fastlegeavtale")
    ALISAVTALE = "alisavtale", _("ALIS-avtale")
    OKONOMIAVTALE = "okonomiavtale", _("8.2-avtale")


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
