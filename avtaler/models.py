"""Fastlegeavtaler and what hangs on them: listetak changes, notice, other municipal GP work
(§ 32), the kommune's decisions (enkeltvedtak) and the messages to Helfo.

Dates follow the lister app: a period's end (`sluttdato`, `til`) is the first day it no longer
applies ("opphører").
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, RangeOperators
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.history import track_history
from core.models import VersionedModel
from core.tenancy import TenantModel
from kommune.models import Kommune, Lege
from lister.models import LISTETAK_MAKS, LISTETAK_MIN, DateRange, Legekontor, Legeperiode, Pasientliste


class Tilknytningsform(models.TextChoices):
    NAERINGSDRIVENDE = "naeringsdrivende", _("Selvstendig næringsdrivende")
    ANSATT = "ansatt", _("Kommunalt ansatt")


class OkonomiskModell(models.TextChoices):
    REN_NAERING = "asa4310_8_1", _("Ren næring (ASA 4310 pkt. 8.1)")
    SAMARBEID = "asa4310_8_2", _("8.2-avtale: økonomisk samarbeid (ASA 4310 pkt. 8.2)")
    OSLO = "oslo", _("Næringsdrivende etter Oslo kommunes rammeavtale")
    FASTLONN = "fastlonn", _("Fastlønn (ansatt)")


ASA4310_MODELLER = (OkonomiskModell.REN_NAERING, OkonomiskModell.SAMARBEID)


@track_history()
class Fastlegeavtale(TenantModel, VersionedModel):
    """The individual agreement between the kommune and one doctor to be fastlege on a list
    (fastlegeforskriften §§ 8–9). Signing it creates the fastlege period on the list; ending it
    ends the period."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune"))
    lege = models.ForeignKey(Lege, on_delete=models.PROTECT, related_name="fastlegeavtaler", verbose_name=_("lege"))
    pasientliste = models.ForeignKey(
        Pasientliste, on_delete=models.PROTECT, related_name="fastlegeavtaler", verbose_name=_("pasientliste"),
    )
    tilknytningsform = models.CharField(_("tilknytningsform"), max_length=20, choices=Tilknytningsform.choices)
    okonomisk_modell = models.CharField(_("økonomisk modell"), max_length=20, choices=OkonomiskModell.choices)
    startdato = models.DateField(_("startdato"))
    sluttdato = models.DateField(_("opphører"), null=True, blank=True, help_text=_("Første dag avtalen ikke gjelder."))
    listetak = models.PositiveIntegerField(
        _("listetak"), validators=[MinValueValidator(LISTETAK_MIN), MaxValueValidator(LISTETAK_MAKS)],
        help_text=_("På en fellesliste: legens del av listens listetak."),
    )
    omfang_prosent = models.PositiveSmallIntegerField(
        _("omfang i prosent av full tid"), default=100, validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Åpningstid (næringsdrivende) eller stillingsprosent (ansatt). Styrer blant annet § 32-timene."),
    )
    apningstid = models.CharField(_("åpningstid"), max_length=300, blank=True, help_text=_("For eksempel «man–fre 08–16»."))
    lokalisering = models.CharField(_("lokalisering"), max_length=300, blank=True)
    utekontor = models.CharField(_("utekontor"), max_length=300, blank=True)
    listetak_avtalt_over_grense = models.BooleanField(
        _("legen har avtalt listeansvar over grensen for ansatte"), default=False,
        help_text=_("Særavtalen SFS 2305 § 3.1: over 1 500 ved full tid kan ikke pålegges, bare avtales."),
    )
    signert = models.DateField(_("signert"), null=True, blank=True)
    legeperiode = models.ForeignKey(
        Legeperiode, on_delete=models.PROTECT, null=True, blank=True, related_name="fastlegeavtaler", editable=False,
    )
    forlenget_til = models.DateField(
        _("forlenget til"), null=True, blank=True,
        help_text=_("Tidsbegrenset forlengelse ut over 70 år, høyst til legen fyller 80 (§ 12)."),
    )

    class Meta(TenantModel.Meta, VersionedModel.Meta):
        verbose_name = _("fastlegeavtale")
        verbose_name_plural = _("fastlegeavtaler")
        ordering = ["-startdato", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(listetak__gte=LISTETAK_MIN, listetak__lte=LISTETAK_MAKS), name="fastlegeavtale_listetak_range",
                violation_error_message=_("Listetaket må være mellom 1 og 2 500 (fastlegeforskriften § 10)."),
            ),
            models.CheckConstraint(
                condition=models.Q(omfang_prosent__gte=1, omfang_prosent__lte=100), name="fastlegeavtale_omfang_1_100",
            ),
            models.CheckConstraint(
                condition=models.Q(sluttdato__isnull=True) | models.Q(sluttdato__gt=models.F("startdato")),
                name="fastlegeavtale_periode_ordered",
                violation_error_message=_("Avtalen må opphøre etter startdatoen."),
            ),
            models.CheckConstraint(
                condition=models.Q(tilknytningsform="ansatt", okonomisk_modell="fastlonn")
                | (models.Q(tilknytningsform="naeringsdrivende") & ~models.Q(okonomisk_modell="fastlonn")),
                name="fastlegeavtale_modell_matches_tilknytning",
                violation_error_message=_("Kommunalt ansatte fastleger har fastlønn; næringsdrivende har en næringsmodell."),
            ),
            models.UniqueConstraint(fields=["kommune", "legeperiode"], name="fastlegeavtale_one_per_period"),
            models.CheckConstraint(
                condition=models.Q(signert__isnull=True, legeperiode__isnull=True) | models.Q(signert__isnull=False),
                name="fastlegeavtale_period_only_when_signed",
            ),
            ExclusionConstraint(
                name="fastlegeavtale_no_duplicate",
                expressions=[
                    ("lege", RangeOperators.EQUAL), ("pasientliste", RangeOperators.EQUAL),
                    (DateRange("startdato", "sluttdato", models.Value("[)")), RangeOperators.OVERLAPS),
                ],
                violation_error_message=_("Legen har allerede en fastlegeavtale på denne listen i perioden."),
            ),
        ]

    def __str__(self) -> str:
        return f"Fastlegeavtale {self.pk}"

    @property
    def er_naeringsdrivende(self) -> bool:
        return self.tilknytningsform == Tilknytningsform.NAERINGSDRIVENDE


class Initiativ(models.TextChoices):
    LEGE = "lege", _("Legen krever eller ber om endringen")
    KOMMUNE = "kommune", _("Kommunen alene")
    ENIGHET = "enighet", _("Kommunen og legen er enige")


class EndringStatus(models.TextChoices):
    REGISTRERT = "registrert", _("Registrert")
    AVSLATT = "avslatt", _("Avslått")
    GJENNOMFORT = "gjennomfort", _("Gjennomført")


@track_history()
class ListetakEndring(TenantModel, VersionedModel):
    """A change of an avtale's listetak: a GP's reduction request (fastlegeforskriften § 11, with six
    months' frist unless an earlier date is agreed, possibly in steps; Helfo performs the random
    draw) or an agreed increase. Each step is a ListetakTrinn."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune"))
    avtale = models.ForeignKey(Fastlegeavtale, on_delete=models.PROTECT, related_name="listetak_endringer", verbose_name=_("avtale"))
    initiativ = models.CharField(_("initiativ"), max_length=10, choices=Initiativ.choices)
    mottatt = models.DateField(_("krav eller avtale mottatt"))
    fra_listetak = models.PositiveIntegerField(_("listetak før endringen"))
    til_listetak = models.PositiveIntegerField(
        _("nytt listetak"), validators=[MinValueValidator(LISTETAK_MIN), MaxValueValidator(LISTETAK_MAKS)],
    )
    kortere_frist_avtalt = models.BooleanField(
        _("kortere frist avtalt"), default=False,
        help_text=_("Kommunen og legen har i et særlig tilfelle avtalt kortere frist enn seks måneder (§ 11)."),
    )
    avtale_notat = models.TextField(_("hva som er avtalt"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=EndringStatus.choices, default=EndringStatus.REGISTRERT)

    class Meta(TenantModel.Meta, VersionedModel.Meta):
        verbose_name = _("listetaksendring")
        verbose_name_plural = _("listetaksendringer")
        ordering = ["-mottatt", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(til_listetak__gte=LISTETAK_MIN, til_listetak__lte=LISTETAK_MAKS),
                name="listetakendring_listetak_range",
            ),
            models.CheckConstraint(condition=~models.Q(til_listetak=models.F("fra_listetak")), name="listetakendring_changes"),
            models.CheckConstraint(
                condition=models.Q(kortere_frist_avtalt=False) | ~models.Q(avtale_notat=""),
                name="listetakendring_kortere_frist_recorded",
                violation_error_message=_("En avtalt kortere frist må beskrives."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fra_listetak} → {self.til_listetak}"

    @property
    def er_reduksjon(self) -> bool:
        return self.til_listetak < self.fra_listetak


@track_history()
class ListetakTrinn(TenantModel):
    """One step of a listetak change: the listetak from a date. Applied on that date."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune"))
    endring = models.ForeignKey(ListetakEndring, on_delete=models.CASCADE, related_name="trinn", verbose_name=_("endring"))
    gjelder_fra = models.DateField(_("gjelder fra"))
    listetak = models.PositiveIntegerField(
        _("listetak"), validators=[MinValueValidator(LISTETAK_MIN), MaxValueValidator(LISTETAK_MAKS)],
    )
    gjennomfort = models.DateTimeField(_("gjennomført"), null=True, blank=True, editable=False)

    class Meta(TenantModel.Meta):
        verbose_name = _("listetakstrinn")
        verbose_name_plural = _("listetakstrinn")
        ordering = ["gjelder_fra", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kommune", "endring", "gjelder_fra"], name="listetaktrinn_unique_date"),
            models.CheckConstraint(
                condition=models.Q(listetak__gte=LISTETAK_MIN, listetak__lte=LISTETAK_MAKS), name="listetaktrinn_listetak_range",
            ),
        ]


class Part(models.TextChoices):
    LEGE = "lege", _("Legen")
    KOMMUNE = "kommune", _("Kommunen")


class OppsigelseType(models.TextChoices):
    OPPSIGELSE = "oppsigelse", _("Oppsigelse")
    HEVING = "heving", _("Heving (øyeblikkelig virkning)")


@track_history()
class Oppsigelse(TenantModel):
    """Notice of the avtale's end (fastlegeforskriften § 12): six months for næringsdrivende; the
    kommune's notice needs a saklig grunn; heving only for vesentlig mislighold. Kommunalt ansatte
    follow employment law (the end date is entered)."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune"))
    avtale = models.ForeignKey(Fastlegeavtale, on_delete=models.PROTECT, related_name="oppsigelser", verbose_name=_("avtale"))
    part = models.CharField(_("sagt opp av"), max_length=10, choices=Part.choices)
    type = models.CharField(_("type"), max_length=12, choices=OppsigelseType.choices, default=OppsigelseType.OPPSIGELSE)
    mottatt = models.DateField(_("oppsigelsen mottatt eller gitt"))
    virkning = models.DateField(_("avtalen opphører"), help_text=_("Beregnet: mottatt + oppsigelsesfristen."))
    saklig_grunn = models.TextField(_("saklig grunn"), blank=True)
    mislighold = models.TextField(_("vesentlig mislighold"), blank=True)
    trukket = models.DateField(_("trukket tilbake"), null=True, blank=True)

    class Meta(TenantModel.Meta):
        verbose_name = _("oppsigelse")
        verbose_name_plural = _("oppsigelser")
        ordering = ["-mottatt", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(part="kommune", type="oppsigelse", saklig_grunn=""),
                name="oppsigelse_kommune_saklig_grunn",
                violation_error_message=_("Kommunens oppsigelse må være saklig begrunnet (fastlegeforskriften § 12)."),
            ),
            models.CheckConstraint(
                condition=~models.Q(type="heving") | (models.Q(part="kommune") & ~models.Q(mislighold="")),
                name="oppsigelse_heving_mislighold",
                violation_error_message=_("Bare kommunen kan heve, og bare ved vesentlig mislighold (fastlegeforskriften § 12)."),
            ),
            models.CheckConstraint(condition=models.Q(virkning__gte=models.F("mottatt")), name="oppsigelse_virkning_after_mottatt"),
            models.UniqueConstraint(
                fields=["kommune", "avtale"], condition=models.Q(trukket__isnull=True), name="oppsigelse_one_active",
                violation_error_message=_("Avtalen er allerede sagt opp."),
            ),
        ]


class Oppgavetype(models.TextChoices):
    HELSESTASJON = "helsestasjon", _("Helsestasjon")
    SKOLEHELSE = "skolehelsetjeneste", _("Skolehelsetjeneste")
    SYKEHJEM = "sykehjem", _("Sykehjem")
    FENGSEL = "fengsel", _("Fengsel")
    ADMINISTRATIVE_MOTER = "administrative_moter", _("Administrative møter med kommunen (regnes med i 7,5 timer)")
    DIALOGMOTER = "dialogmoter", _("Dialogmøter i sykefraværsoppfølging (regnes ikke med)")
    ANNET = "annet", _("Annen kommunal allmennlegeoppgave")


class Oppgaveform(models.TextChoices):
    PALAGT = "palagt", _("Pålagt")
    AVTALT = "avtalt", _("Avtalt")


class Lonnsgrunnlag(models.TextChoices):
    PRAKSISKOMPENSASJON = "sfs2305_4_1", _("Praksiskompensasjon (SFS 2305 § 4.1)")
    HONORAR = "asa4310_12_5", _("Honorar per time (ASA 4310 pkt. 12.5)")
    ARBEIDSAVTALE = "arbeidsavtale", _("Inngår i arbeidsavtalen (ansatt)")
    OSLO = "oslo", _("Godtgjøring etter Oslo kommunes avtaler")


# Oppgavetyper that do not count towards the § 32 hours.
UTENFOR_TIMETAK = (Oppgavetype.DIALOGMOTER,)


@track_history()
class KommunalOppgave(TenantModel, VersionedModel):
    """Other municipal GP work (fastlegeforskriften § 32) under a fastlegeavtale: hours per week
    at an institution, pålagt (at most 7.5 h/week at full time, pro rata) or avtalt."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune"))
    avtale = models.ForeignKey(Fastlegeavtale, on_delete=models.PROTECT, related_name="kommunale_oppgaver", verbose_name=_("avtale"))
    oppgavetype = models.CharField(_("oppgave"), max_length=25, choices=Oppgavetype.choices)
    institusjon = models.CharField(_("institusjon"), max_length=150, help_text=_("For eksempel «Fana helsestasjon»."))
    timer_per_uke = models.DecimalField(
        _("timer per uke"), max_digits=4, decimal_places=2, validators=[MinValueValidator(0.25), MaxValueValidator(40)],
    )
    form = models.CharField(_("pålagt eller avtalt"), max_length=10, choices=Oppgaveform.choices)
    frivillig_avtale_forsokt = models.DateField(
        _("frivillig avtale forsøkt"), null=True, blank=True,
        help_text=_("Når kommunen forsøkte å inngå frivillig avtale før pålegg (§ 32)."),
    )
    frivillig_notat = models.TextField(_("om forsøket på frivillig avtale"), blank=True)
    lonnsgrunnlag = models.CharField(_("godtgjøring"), max_length=15, choices=Lonnsgrunnlag.choices)
    fra = models.DateField(_("fra"))
    til = models.DateField(_("opphører"), null=True, blank=True)

    class Meta(TenantModel.Meta, VersionedModel.Meta):
        verbose_name = _("kommunal oppgave")
        verbose_name_plural = _("kommunale oppgaver")
        ordering = ["fra", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(til__isnull=True) | models.Q(til__gt=models.F("fra")), name="kommunaloppgave_periode_ordered",
                violation_error_message=_("Oppgaven må opphøre etter at den begynner."),
            ),
            models.CheckConstraint(
                condition=models.Q(timer_per_uke__gt=0, timer_per_uke__lte=40), name="kommunaloppgave_timer_range",
            ),
            models.CheckConstraint(
                condition=~models.Q(form="palagt") | models.Q(frivillig_avtale_forsokt__isnull=False),
                name="kommunaloppgave_palagt_after_frivillig",
                violation_error_message=_("Før pålegg skal kommunen søke å inngå frivillig avtale (fastlegeforskriften § 32)."),
            ),
        ]


class Vedtakstype(models.TextChoices):
    LISTETAK_UNDER_500 = "listetak_under_500", _("Godkjenning av listetak under 500 (§ 10)")
    AVSLAG_LISTETAK = "avslag_listetak", _("Avslag på krav om endring av listetak")
    FORLENGELSE = "forlengelse_over_70", _("Tidsbegrenset avtale ut over 70 år (§ 12)")


class Utfall(models.TextChoices):
    INNVILGET = "innvilget", _("Innvilget")
    AVSLATT = "avslatt", _("Avslått")


class Klagestatus(models.TextChoices):
    INGEN = "ingen", _("Ikke påklaget")
    MOTTATT = "mottatt", _("Klage mottatt")
    OVERSENDT = "oversendt", _("Oversendt statsforvalteren")
    STADFESTET = "stadfestet", _("Stadfestet av statsforvalteren")
    OMGJORT = "omgjort", _("Omgjort")
    OPPHEVET = "opphevet", _("Opphevet av statsforvalteren")


@track_history()
class Vedtak(TenantModel, VersionedModel):
    """An individual decision (enkeltvedtak, forvaltningsloven § 2 b) the kommune made about an
    avtale, with its reason, who decided and the appeal's progress (klage to statsforvalteren)."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune"))
    avtale = models.ForeignKey(Fastlegeavtale, on_delete=models.PROTECT, related_name="vedtak", verbose_name=_("avtale"))
    listetak_endring = models.ForeignKey(
        ListetakEndring, on_delete=models.PROTECT, null=True, blank=True, related_name="vedtak", verbose_name=_("listetaksendring"),
    )
    type = models.CharField(_("vedtakstype"), max_length=25, choices=Vedtakstype.choices)
    utfall = models.CharField(_("utfall"), max_length=10, choices=Utfall.choices)
    listetak = models.PositiveIntegerField(_("godkjent listetak"), null=True, blank=True)
    forlenget_til = models.DateField(_("forlenget til"), null=True, blank=True)
    begrunnelse = models.TextField(_("begrunnelse"))
    vedtaksdato = models.DateField(_("vedtaksdato"))
    vedtatt_av = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("vedtatt av"),
    )
    vedtatt_av_navn = models.CharField(_("vedtatt av (navn)"), max_length=200)
    klagestatus = models.CharField(_("klagestatus"), max_length=12, choices=Klagestatus.choices, default=Klagestatus.INGEN)
    klage_mottatt = models.DateField(_("klage mottatt"), null=True, blank=True)
    klage_avgjort = models.DateField(_("klage avgjort"), null=True, blank=True)

    class Meta(TenantModel.Meta, VersionedModel.Meta):
        verbose_name = _("vedtak")
        verbose_name_plural = _("vedtak")
        ordering = ["-vedtaksdato", "-id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(begrunnelse=""), name="vedtak_begrunnelse_required",
                                   violation_error_message=_("Et vedtak må begrunnes (forvaltningsloven § 24).")),
            models.CheckConstraint(
                condition=models.Q(klagestatus="ingen") | models.Q(klage_mottatt__isnull=False),
                name="vedtak_klage_has_date",
                violation_error_message=_("Oppgi når klagen ble mottatt."),
            ),
            models.CheckConstraint(
                condition=~models.Q(type="listetak_under_500", utfall="innvilget") | models.Q(listetak__isnull=False),
                name="vedtak_listetak_for_approval",
            ),
            models.CheckConstraint(
                condition=~models.Q(type="forlengelse_over_70", utfall="innvilget") | models.Q(forlenget_til__isnull=False),
                name="vedtak_forlengelse_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} ({self.vedtaksdato})"


class Meldingstype(models.TextChoices):
    NY = "ny_avtale", _("Ny fastlegeavtale")
    ENDRING = "endring", _("Endring i avtalen")
    LISTETAK = "listetak", _("Endring av listetak")
    OPPSIGELSE = "oppsigelse", _("Oppsigelse")
    OPPHOR = "opphor", _("Avtalen opphører")


class Meldingsstatus(models.TextChoices):
    UTKAST = "utkast", _("Utkast")
    SENDT = "sendt", _("Sendt til Helfo")
    BEKREFTET = "bekreftet", _("Bekreftet registrert av Helfo")


@track_history()
class HelfoMelding(TenantModel, VersionedModel):
    """A message to Helfo about an avtale: the pre-filled "Melding til fastlegeregisteret" (form
    05-04.27) for a new or changed avtale, or the notice e-mail. `innhold` is the content as it was
    when the message was made (a snapshot, so a later change does not rewrite what was sent)."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune"))
    avtale = models.ForeignKey(Fastlegeavtale, on_delete=models.PROTECT, related_name="helfomeldinger", verbose_name=_("avtale"))
    type = models.CharField(_("meldingstype"), max_length=12, choices=Meldingstype.choices)
    status = models.CharField(_("status"), max_length=10, choices=Meldingsstatus.choices, default=Meldingsstatus.UTKAST)
    opprettet = models.DateTimeField(_("opprettet"), default=timezone.now, editable=False)
    sendt = models.DateField(_("sendt"), null=True, blank=True)
    bekreftet = models.DateField(_("bekreftet av Helfo"), null=True, blank=True)
    innhold = models.JSONField(_("innhold"), default=dict)
    epost_tekst = models.TextField(_("e-posttekst"), blank=True)

    class Meta(TenantModel.Meta, VersionedModel.Meta):
        verbose_name = _("melding til Helfo")
        verbose_name_plural = _("meldinger til Helfo")
        ordering = ["-opprettet", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="utkast") | models.Q(sendt__isnull=False), name="helfomelding_sendt_has_date",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="bekreftet") | models.Q(bekreftet__isnull=False), name="helfomelding_bekreftet_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} ({self.get_status_display()})"


# --- introduksjonsavtale ------------------------------------------------------------------------

class Introduksjonsform(models.TextChoices):
    FASTLONN = "fastlonn", _("Fastlønnet")
    NAERING = "naering", _("Næringsdrivende")


@track_history()
class Introduksjonsavtale(TenantModel, VersionedModel):
    """An introduction agreement (trygderefusjonsforskriften, changed 1 January 2022): a doctor in
    specialisation in allmennmedisin (the introduksjonslege) works alongside fastleger with
    listeansvar at an office, both with trygderefusjon, under a Helsedirektoratet approval."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune"))
    lege = models.ForeignKey(Lege, on_delete=models.PROTECT, related_name="introduksjonsavtaler", verbose_name=_("introduksjonslege"))
    legekontor = models.ForeignKey(
        Legekontor, on_delete=models.PROTECT, related_name="+", verbose_name=_("legekontor"),
    )
    godkjenning_referanse = models.CharField(
        _("Helsedirektoratets godkjenning (referanse)"), max_length=100,
        help_text=_("Saksnummer eller referanse i Helsedirektoratets tildeling."),
    )
    godkjent_dato = models.DateField(_("godkjent av Helsedirektoratet"), null=True, blank=True)
    tilknytning = models.CharField(_("fastlønnet eller næringsdrivende"), max_length=10, choices=Introduksjonsform.choices)
    kostnadsfordeling = models.TextField(_("kostnadsfordeling"), help_text=_("Hvordan kostnadene deles mellom partene."))
    startdato = models.DateField(_("startdato"))
    sluttdato = models.DateField(_("opphører"), help_text=_("Første dag avtalen ikke gjelder."))
    signert = models.DateField(_("signert"), null=True, blank=True)
    fastleger = models.ManyToManyField(
        Fastlegeavtale, through="IntroduksjonsFastlege", related_name="introduksjonsavtaler", verbose_name=_("deltakende fastleger"),
    )

    class Meta(TenantModel.Meta, VersionedModel.Meta):
        verbose_name = _("introduksjonsavtale")
        verbose_name_plural = _("introduksjonsavtaler")
        ordering = ["-startdato", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sluttdato__gt=models.F("startdato")), name="introduksjonsavtale_periode_ordered",
                violation_error_message=_("Avtalen må opphøre etter startdatoen."),
            ),
            models.CheckConstraint(
                condition=~models.Q(godkjenning_referanse=""), name="introduksjonsavtale_godkjenning_required",
                violation_error_message=_("Oppgi Helsedirektoratets godkjenning av avtalen."),
            ),
            ExclusionConstraint(
                name="introduksjonsavtale_no_overlap_same_doctor",
                expressions=[("kommune", RangeOperators.EQUAL), ("lege", RangeOperators.EQUAL), (DateRange("startdato", "sluttdato", models.Value("[)")), RangeOperators.OVERLAPS)],
                violation_error_message=_("Legen har allerede en introduksjonsavtale i perioden."),
            ),
        ]

    def __str__(self) -> str:
        return f"Introduksjonsavtale {self.pk}"


@track_history()
class IntroduksjonsFastlege(TenantModel):
    """A fastlege (through their fastlegeavtale) taking part in an introduksjonsavtale."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune"))
    introduksjonsavtale = models.ForeignKey(Introduksjonsavtale, on_delete=models.CASCADE, related_name="deltakere")
    fastlegeavtale = models.ForeignKey(Fastlegeavtale, on_delete=models.PROTECT, related_name="+", verbose_name=_("fastlegeavtale"))

    class Meta(TenantModel.Meta):
        verbose_name = _("deltakende fastlege")
        verbose_name_plural = _("deltakende fastleger")
        constraints = [
            models.UniqueConstraint(
                fields=["kommune", "introduksjonsavtale", "fastlegeavtale"], name="introduksjonsfastlege_unique",
                violation_error_message=_("Fastlegen deltar allerede i avtalen."),
            ),
        ]


# --- ALIS-avtale ----------------------------------------------------------------------------------

class AlisRelasjon(models.TextChoices):
    FASTLEGE = "fastlege", _("Fastlege")
    VIKAR = "vikar", _("Fastlegevikar")
    INTRODUKSJONSLEGE = "introduksjonslege", _("Introduksjonslege")
    ANNEN = "annen", _("Annen kommunal lege")


class AlisSluttarsak(models.TextChoices):
    SPESIALIST = "spesialist", _("Spesialist i allmennmedisin")
    OPPSAGT = "oppsagt", _("Avtalen avsluttet etter avtale eller oppsigelse")
    ANNET = "annet", _("Annen årsak")


class Tilskuddsstatus(models.TextChoices):
    IKKE_SOKT = "ikke_sokt", _("Ikke søkt")
    SOKT = "sokt", _("Søkt")
    INNVILGET = "innvilget", _("Innvilget")
    AVSLATT = "avslatt", _("Avslått")


@track_history()
class Alisavtale(TenantModel, VersionedModel):
    """An ALIS-avtale on Helsedirektoratet's mandatory template: the kommune and a doctor in
    specialisation in allmennmedisin. It is valid from the signing date, lasts up to five years at
    full time (longer with part-time and lawful absence), and ends by itself when the underlying
    relationship (fastlegeavtale, vikariat, introduksjonsavtale or other municipal post) ends, and
    when no grant is given. The end the system shows is derived from all of these (selectors)."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune"))
    lege = models.ForeignKey(Lege, on_delete=models.PROTECT, related_name="alisavtaler", verbose_name=_("ALIS"))
    relasjon = models.CharField(_("tilknytning"), max_length=20, choices=AlisRelasjon.choices)
    fastlegeavtale = models.ForeignKey(
        Fastlegeavtale, on_delete=models.PROTECT, null=True, blank=True, related_name="alisavtaler", verbose_name=_("fastlegeavtale"),
    )
    vikarperiode = models.ForeignKey(
        Legeperiode, on_delete=models.PROTECT, null=True, blank=True, related_name="alisavtaler", verbose_name=_("vikarperiode"),
    )
    introduksjonsavtale = models.ForeignKey(
        Introduksjonsavtale, on_delete=models.PROTECT, null=True, blank=True, related_name="alisavtaler",
        verbose_name=_("introduksjonsavtale"),
    )
    stilling = models.CharField(_("stilling"), max_length=200, blank=True, help_text=_("Stillingen, for annen kommunal lege."))
    stilling_til = models.DateField(_("stillingen opphører"), null=True, blank=True)
    arbeidssted = models.CharField(_("arbeidssted"), max_length=200)
    stillingsprosent = models.PositiveSmallIntegerField(
        _("stillingsprosent"), validators=[MinValueValidator(50), MaxValueValidator(100)],
    )
    signert = models.DateField(_("signert"), help_text=_("Avtalen gjelder fra signering; tilskudd kan ikke kreves for tiden før."))
    startdato = models.DateField(_("startdato"))
    sluttdato = models.DateField(_("opphører"), null=True, blank=True, help_text=_("Første dag avtalen ikke gjelder."))
    sluttarsak = models.CharField(_("sluttårsak"), max_length=15, choices=AlisSluttarsak.choices, blank=True)
    veileder = models.ForeignKey(Lege, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("veileder"))
    veileder_unntak = models.CharField(
        _("Helsedirektoratets unntak for veileder"), max_length=200, blank=True,
        help_text=_("Referanse til midlertidig unntak når veilederen ikke er spesialist i allmennmedisin (spesialistforskriften § 25)."),
    )
    vikarbyra = models.BooleanField(
        _("ansatt i eller tilknyttet vikarbyrå eller annen kommersiell aktør"), default=False,
    )
    tilskuddsstatus = models.CharField(
        _("tilskudd (Nasjonal ALIS og veiledning)"), max_length=10, choices=Tilskuddsstatus.choices, default=Tilskuddsstatus.IKKE_SOKT,
    )
    tilskudd_avslatt = models.DateField(
        _("tilskudd avslått"), null=True, blank=True, help_text=_("Avtalen opphører når tilskudd ikke gis."),
    )
    utdanningsplan = models.TextField(_("individuell utdanningsplan"), blank=True)

    class Meta(TenantModel.Meta, VersionedModel.Meta):
        verbose_name = _("ALIS-avtale")
        verbose_name_plural = _("ALIS-avtaler")
        ordering = ["-startdato", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stillingsprosent__gte=50, stillingsprosent__lte=100), name="alisavtale_stillingsprosent_50_100",
                violation_error_message=_("Stillingsprosenten må være mellom 50 og 100 (spesialisering krever minst 50 %%)."),
            ),
            models.CheckConstraint(
                condition=models.Q(startdato__gte=models.F("signert")), name="alisavtale_start_after_signing",
                violation_error_message=_("Avtalen gjelder fra signering; startdatoen kan ikke være før signeringsdatoen."),
            ),
            models.CheckConstraint(
                condition=models.Q(sluttdato__isnull=True) | models.Q(sluttdato__gt=models.F("startdato")),
                name="alisavtale_periode_ordered",
                violation_error_message=_("Avtalen må opphøre etter startdatoen."),
            ),
            models.CheckConstraint(
                condition=models.Q(sluttdato__isnull=True, sluttarsak="") | models.Q(sluttdato__isnull=False) & ~models.Q(sluttarsak=""),
                name="alisavtale_sluttarsak_with_end",
                violation_error_message=_("Oppgi sluttårsak når avtalen avsluttes."),
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(relasjon="fastlege", fastlegeavtale__isnull=False, vikarperiode__isnull=True, introduksjonsavtale__isnull=True)
                    | models.Q(relasjon="vikar", fastlegeavtale__isnull=True, vikarperiode__isnull=False, introduksjonsavtale__isnull=True)
                    | models.Q(relasjon="introduksjonslege", fastlegeavtale__isnull=True, vikarperiode__isnull=True,
                               introduksjonsavtale__isnull=False)
                    | (models.Q(relasjon="annen", fastlegeavtale__isnull=True, vikarperiode__isnull=True, introduksjonsavtale__isnull=True)
                       & ~models.Q(stilling=""))
                ),
                name="alisavtale_relasjon_linked",
                violation_error_message=_("Oppgi det underliggende forholdet: fastlegeavtale, vikarperiode, introduksjonsavtale "
                                          "eller stilling, etter tilknytningen."),
            ),
            models.CheckConstraint(
                condition=~models.Q(tilskuddsstatus="avslatt") | models.Q(tilskudd_avslatt__isnull=False),
                name="alisavtale_avslag_has_date",
                violation_error_message=_("Oppgi når tilskuddet ble avslått."),
            ),
            ExclusionConstraint(
                name="alisavtale_no_overlap_same_doctor",
                expressions=[("kommune", RangeOperators.EQUAL), ("lege", RangeOperators.EQUAL), (DateRange("startdato", "sluttdato", models.Value("[)")), RangeOperators.OVERLAPS)],
                violation_error_message=_("Legen har allerede en ALIS-avtale i kommunen i perioden."),
            ),
        ]

    def __str__(self) -> str:
        return f"ALIS-avtale {self.pk}"


class AlisElementtype(models.TextChoices):
    VEILEDNING = "veiledning", _("Individuell veiledning")
    GRUPPEVEILEDNING = "gruppeveiledning", _("Gruppeveiledning")
    PRAKSISKOMPENSASJON = "praksiskompensasjon", _("Praksiskompensasjon")
    KURS = "kurs", _("Kurs og utdanningsaktiviteter")
    REDUSERT_LISTE = "redusert_liste", _("Redusert liste")
    INNTEKTSGARANTI = "inntektsgaranti", _("Inntektsgaranti")
    LEGEVAKT = "legevakt", _("Avlastning i legevakt")
    ANNET = "annet", _("Annet")


class AlisFinansiering(models.TextChoices):
    STANDARD = "standard", _("Standardelement (statlig tilskudd)")
    TILLEGG = "tillegg", _("Tilleggselement (særskilte rekrutteringsutfordringer)")
    KOMMUNE = "kommune", _("Finansiert av kommunen")


@track_history()
class AlisElement(TenantModel, VersionedModel):
    """One element of the ALIS-avtale (the template's standard, additional and kommune-paid
    elements), valid over a period."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune"))
    avtale = models.ForeignKey(Alisavtale, on_delete=models.CASCADE, related_name="elementer", verbose_name=_("ALIS-avtale"))
    element = models.CharField(_("element"), max_length=20, choices=AlisElementtype.choices)
    finansiering = models.CharField(_("finansiering"), max_length=10, choices=AlisFinansiering.choices)
    beskrivelse = models.CharField(_("beskrivelse"), max_length=300, blank=True)
    fra = models.DateField(_("fra"))
    til = models.DateField(_("opphører"), null=True, blank=True)

    class Meta(TenantModel.Meta, VersionedModel.Meta):
        verbose_name = _("ALIS-element")
        verbose_name_plural = _("ALIS-elementer")
        ordering = ["fra", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(til__isnull=True) | models.Q(til__gt=models.F("fra")), name="aliselement_periode_ordered",
                violation_error_message=_("Elementet må opphøre etter at det begynner."),
            ),
            ExclusionConstraint(
                name="aliselement_no_overlap_same_element",
                expressions=[("avtale", RangeOperators.EQUAL), ("element", RangeOperators.EQUAL),
                             (DateRange("fra", "til", models.Value("[)")), RangeOperators.OVERLAPS)],
                violation_error_message=_("Avtalen har allerede dette elementet i perioden."),
            ),
        ]


class Fravaerstype(models.TextChoices):
    FORELDREPERMISJON = "foreldrepermisjon", _("Foreldrepermisjon")
    SYKDOM = "sykdom", _("Sykefravær")
    PERMISJON = "permisjon", _("Annen lovfestet permisjon")
    MILITAER = "militaer", _("Militærtjeneste eller siviltjeneste")


@track_history()
class AlisFravaer(TenantModel, VersionedModel):
    """Lawful absence during the ALIS-avtale: extends its five-year limit day for day."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune"))
    avtale = models.ForeignKey(Alisavtale, on_delete=models.CASCADE, related_name="fravaer", verbose_name=_("ALIS-avtale"))
    type = models.CharField(_("fraværstype"), max_length=20, choices=Fravaerstype.choices)
    fra = models.DateField(_("fra"))
    til = models.DateField(_("opphører"), help_text=_("Første dag legen er tilbake."))

    class Meta(TenantModel.Meta, VersionedModel.Meta):
        verbose_name = _("fravær")
        verbose_name_plural = _("fravær")
        ordering = ["fra", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(til__gt=models.F("fra")), name="alisfravaer_periode_ordered",
                violation_error_message=_("Fraværet må slutte etter at det begynner."),
            ),
            ExclusionConstraint(
                name="alisfravaer_no_overlap",
                expressions=[("avtale", RangeOperators.EQUAL), (DateRange("fra", "til", models.Value("[)")), RangeOperators.OVERLAPS)],
                violation_error_message=_("Fraværet overlapper et annet registrert fravær."),
            ),
        ]


class Tjenestetype(models.TextChoices):
    APEN_USELEKTERT = "apen_uselektert", _("Åpen uselektert allmennpraksis")
    ANNEN_ALLMENN = "annen_allmenn", _("Annen allmennmedisinsk tjeneste")
    INSTITUSJON = "institusjon", _("Institusjonstjeneste")


@track_history()
class AlisTjeneste(TenantModel, VersionedModel):
    """Service time counted towards the specialisation, by kind, at a stillingsprosent.
    Institutional service outside the kommune is not covered by the ALIS-avtale (no grant)."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune"))
    avtale = models.ForeignKey(Alisavtale, on_delete=models.CASCADE, related_name="tjeneste", verbose_name=_("ALIS-avtale"))
    type = models.CharField(_("tjenestetype"), max_length=20, choices=Tjenestetype.choices)
    sted = models.CharField(_("tjenestested"), max_length=200)
    utenfor_kommunen = models.BooleanField(_("utenfor kommunen"), default=False)
    stillingsprosent = models.PositiveSmallIntegerField(
        _("stillingsprosent"), validators=[MinValueValidator(50), MaxValueValidator(100)],
    )
    fra = models.DateField(_("fra"))
    til = models.DateField(_("opphører"), help_text=_("Første dag etter tjenesten."))

    class Meta(TenantModel.Meta, VersionedModel.Meta):
        verbose_name = _("tjenesteperiode")
        verbose_name_plural = _("tjenesteperioder")
        ordering = ["fra", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(til__gt=models.F("fra")), name="alistjeneste_periode_ordered",
                violation_error_message=_("Tjenesten må slutte etter at den begynner."),
            ),
            models.CheckConstraint(
                condition=models.Q(stillingsprosent__gte=50, stillingsprosent__lte=100), name="alistjeneste_stillingsprosent_50_100",
                violation_error_message=_("Tjeneste teller bare i minst 50 %% stilling."),
            ),
            ExclusionConstraint(
                name="alistjeneste_no_overlap",
                expressions=[("avtale", RangeOperators.EQUAL), (DateRange("fra", "til", models.Value("[)")), RangeOperators.OVERLAPS)],
                violation_error_message=_("Tjenesteperioden overlapper en annen registrert periode."),
            ),
        ]


@track_history()
class AlisVeiledning(TenantModel, VersionedModel):
    """Supervision hours in one calendar month: individual (veileder) and group."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune"))
    avtale = models.ForeignKey(Alisavtale, on_delete=models.CASCADE, related_name="veiledning", verbose_name=_("ALIS-avtale"))
    maned = models.DateField(_("måned"), help_text=_("Den første dagen i måneden."))
    individuelle_timer = models.DecimalField(
        _("individuell veiledning (timer)"), max_digits=5, decimal_places=2, default=0,
        validators=[MinValueValidator(0), MaxValueValidator(200)],
    )
    gruppetimer = models.DecimalField(
        _("gruppeveiledning (timer)"), max_digits=5, decimal_places=2, default=0,
        validators=[MinValueValidator(0), MaxValueValidator(200)],
    )
    merknad = models.CharField(_("merknad"), max_length=300, blank=True)

    class Meta(TenantModel.Meta, VersionedModel.Meta):
        verbose_name = _("veiledning")
        verbose_name_plural = _("veiledning")
        ordering = ["maned", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kommune", "avtale", "maned"], name="alisveiledning_one_per_month",
                violation_error_message=_("Veiledningen for denne måneden er allerede registrert."),
            ),
            models.CheckConstraint(
                condition=models.Q(maned__day=1), name="alisveiledning_first_of_month",
                violation_error_message=_("Måneden angis med den første dagen i måneden."),
            ),
            models.CheckConstraint(
                condition=models.Q(individuelle_timer__gte=0, gruppetimer__gte=0), name="alisveiledning_not_negative",
            ),
        ]


@track_history()
class AlisSats(TenantModel, VersionedModel):
    """The kommune's table of grant rates (Nasjonal ALIS og veiledning): a monthly amount at full
    time for an element from a date, optionally for one kind of relationship. The kommune keeps it
    up to date; current amounts are not published in a form the system can ship."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune"))
    element = models.CharField(_("element"), max_length=20, choices=AlisElementtype.choices)
    relasjon = models.CharField(_("gjelder tilknytning"), max_length=20, choices=AlisRelasjon.choices, blank=True,
                                help_text=_("Tom: alle tilknytninger."))
    gyldig_fra = models.DateField(_("gyldig fra"))
    manedsbelop = models.DecimalField(
        _("beløp per måned ved full stilling"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)],
    )
    kilde = models.CharField(_("kilde"), max_length=300, blank=True, help_text=_("For eksempel Helsedirektoratets regelverk for året."))

    class Meta(TenantModel.Meta, VersionedModel.Meta):
        verbose_name = _("tilskuddssats")
        verbose_name_plural = _("tilskuddssatser")
        ordering = ["element", "relasjon", "-gyldig_fra"]
        constraints = [
            models.UniqueConstraint(
                fields=["kommune", "element", "relasjon", "gyldig_fra"], name="alissats_unique_from",
                violation_error_message=_("Det finnes allerede en sats for dette elementet fra denne datoen."),
            ),
            models.CheckConstraint(condition=models.Q(manedsbelop__gte=0), name="alissats_not_negative"),
        ]


# --- 8.2-avtale (økonomisk samarbeidsavtale) -----------------------------------------------------

class Kommuneytelse(models.TextChoices):
    LOKALER = "lokaler", _("Lokaler")
    UTSTYR = "utstyr", _("Utstyr")
    PERSONELL = "personell", _("Hjelpepersonell")
    EPJ = "epj", _("Journalsystem (EPJ)")
    INNTEKTSGARANTI = "inntektsgaranti", _("Inntektsgaranti")
    DRIFTSTILSKUDD = "driftstilskudd", _("Driftstilskudd")


@track_history()
class Okonomiavtale(TenantModel, VersionedModel):
    """An 8.2-avtale (økonomisk samarbeidsavtale, ASA 4310 pkt. 8.2): the kommune supports a
    fastlege's practice financially or practically. Its payments ledger gives the sum paid beyond
    basistilskudd in the last three years, which counts when the practice is sold."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune"))
    fastlegeavtale = models.ForeignKey(
        Fastlegeavtale, on_delete=models.PROTECT, related_name="okonomiavtaler", verbose_name=_("fastlegeavtale"),
    )
    ytelser = ArrayField(
        models.CharField(max_length=20, choices=Kommuneytelse.choices), verbose_name=_("kommunen stiller med"), default=list,
        blank=True,  # none, when the description says what the kommune provides (okonomiavtale_has_content)
    )
    beskrivelse = models.TextField(_("hva kommunen stiller med"), blank=True)
    kommunen_mottar = models.TextField(
        _("hva kommunen mottar"), blank=True, help_text=_("For eksempel en andel av basistilskuddet eller refusjonene."),
    )
    inntektsgaranti_per_ar = models.DecimalField(
        _("inntektsgaranti per år"), max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)],
    )
    driftstilskudd_per_ar = models.DecimalField(
        _("driftstilskudd per år"), max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)],
    )
    startdato = models.DateField(_("startdato"))
    sluttdato = models.DateField(_("opphører"), null=True, blank=True, help_text=_("Første dag avtalen ikke gjelder."))
    signert = models.DateField(_("signert"), null=True, blank=True)
    avslutning = models.TextField(_("hvordan avtalen avsluttes"), blank=True)

    class Meta(TenantModel.Meta, VersionedModel.Meta):
        verbose_name = _("8.2-avtale")
        verbose_name_plural = _("8.2-avtaler")
        ordering = ["-startdato", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sluttdato__isnull=True) | models.Q(sluttdato__gt=models.F("startdato")),
                name="okonomiavtale_periode_ordered",
                violation_error_message=_("Avtalen må opphøre etter startdatoen."),
            ),
            models.CheckConstraint(
                condition=models.Q(ytelser__contained_by=[c.value for c in Kommuneytelse]), name="okonomiavtale_ytelser_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(ytelser=[]) | ~models.Q(beskrivelse=""), name="okonomiavtale_has_content",
                violation_error_message=_("Oppgi hva kommunen stiller med."),
            ),
            ExclusionConstraint(
                name="okonomiavtale_no_overlap",
                expressions=[("fastlegeavtale", RangeOperators.EQUAL),
                             (DateRange("startdato", "sluttdato", models.Value("[)")), RangeOperators.OVERLAPS)],
                violation_error_message=_("Fastlegeavtalen har allerede en 8.2-avtale i perioden."),
            ),
        ]

    def __str__(self) -> str:
        return f"8.2-avtale {self.pk}"


class Betalingsretning(models.TextChoices):
    TIL_LEGE = "til_lege", _("Fra kommunen til legen")
    TIL_KOMMUNE = "til_kommune", _("Fra legen til kommunen")


class Betalingskategori(models.TextChoices):
    DRIFTSTILSKUDD = "driftstilskudd", _("Driftstilskudd")
    INNTEKTSGARANTI = "inntektsgaranti", _("Inntektsgaranti")
    LOKALER = "lokaler", _("Lokaler")
    UTSTYR = "utstyr", _("Utstyr")
    PERSONELL = "personell", _("Hjelpepersonell")
    EPJ = "epj", _("Journalsystem (EPJ)")
    BASISTILSKUDD = "basistilskudd", _("Basistilskudd (statlig, ikke ut over)")
    ANDEL_BASISTILSKUDD = "andel_basistilskudd", _("Andel av basistilskuddet")
    ANDEL_REFUSJON = "andel_refusjon", _("Andel av refusjoner")
    ANNET = "annet", _("Annet")


@track_history()
class Okonomibetaling(TenantModel, VersionedModel):
    """One dated payment under an 8.2-avtale, in either direction. Payments from the kommune to
    the GP other than basistilskudd count in the three-year look-back."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune"))
    avtale = models.ForeignKey(Okonomiavtale, on_delete=models.PROTECT, related_name="betalinger", verbose_name=_("8.2-avtale"))
    dato = models.DateField(_("betalingsdato"))
    retning = models.CharField(_("retning"), max_length=12, choices=Betalingsretning.choices)
    kategori = models.CharField(_("kategori"), max_length=20, choices=Betalingskategori.choices)
    belop = models.DecimalField(_("beløp (kr)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0.01)])
    referanse = models.CharField(_("bilag eller referanse"), max_length=100, blank=True)
    beskrivelse = models.CharField(_("beskrivelse"), max_length=300, blank=True)

    class Meta(TenantModel.Meta, VersionedModel.Meta):
        verbose_name = _("betaling")
        verbose_name_plural = _("betalinger")
        ordering = ["-dato", "-id"]
        indexes = [models.Index(fields=["avtale", "dato"], name="okonomibetaling_avtale_dato")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(belop__gt=0), name="okonomibetaling_belop_positive",
                violation_error_message=_("Beløpet må være større enn null; retningen sier hvem som betaler."),
            ),
            models.CheckConstraint(
                condition=~models.Q(kategori__in=["andel_basistilskudd", "andel_refusjon"]) | models.Q(retning="til_kommune"),
                name="okonomibetaling_andel_to_kommune",
                violation_error_message=_("En andel av basistilskudd eller refusjoner betales fra legen til kommunen."),
            ),
        ]

    @property
    def utover_basistilskudd(self) -> bool:
        return self.retning == Betalingsretning.TIL_LEGE and self.kategori != Betalingskategori.BASISTILSKUDD
