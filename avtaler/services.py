"""Writes about fastlegeavtaler, with the rules of fastlegeforskriften 2025 (§§ 8–12, 20, 32), the
kompetanseforskriften, SFS 2305 and ASA 4310 applied. Every refusal names the rule (kommune.regler).

Pages, the API, commands and tasks call these; the lister app's services do the list side (the
fastlege period, the list's listetak).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from avtaler.models import (
    ASA4310_MODELLER,
    UTENFOR_TIMETAK,
    EndringStatus,
    Fastlegeavtale,
    HelfoMelding,
    Initiativ,
    Klagestatus,
    KommunalOppgave,
    ListetakEndring,
    ListetakTrinn,
    Lonnsgrunnlag,
    Meldingsstatus,
    Meldingstype,
    OkonomiskModell,
    Oppgaveform,
    Oppsigelse,
    OppsigelseType,
    Part,
    Tilknytningsform,
    Utfall,
    Vedtak,
    Vedtakstype,
)
from core.concurrency import update_versioned
from core.constraints import full_clean, save_new, translate
from core.context import current_actor
from core.dates import add_months, birthday
from kommune import regler
from kommune.models import Kommune, Lege
from lister import sak_services
from lister import services as lister_services
from lister.models import Ledighetsarsak, Pasientliste, Rolle


def _fmt(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


# --- age (§ 12 third paragraph) -------------------------------------------------------------------

def aldersgrense(lege: Lege, on: dt.date | None = None) -> dt.date:
    """The day the avtale ends without notice: the doctor's 70th birthday."""
    return birthday(lege.fodselsdato, regler.verdi("aldersgrense", on))


def ytre_aldersgrense(lege: Lege, on: dt.date | None = None) -> dt.date:
    """The latest an extension may run: the doctor's 80th birthday."""
    return birthday(lege.fodselsdato, regler.verdi("aldersgrense_forlengelse_maks", on))


def effective_end(avtale: Fastlegeavtale) -> dt.date:
    """When the avtale ends: its end date (notice), else the age limit or the extension."""
    limit = avtale.forlenget_til or aldersgrense(avtale.lege, avtale.startdato)
    return min(avtale.sluttdato, limit) if avtale.sluttdato else limit


# --- the regime and the listetak rules --------------------------------------------------------------

def _check_regime(kommune: Kommune, tilknytningsform: str, okonomisk_modell: str) -> None:
    if tilknytningsform == Tilknytningsform.ANSATT and okonomisk_modell != OkonomiskModell.FASTLONN:
        raise _error("okonomisk_modell", _("Kommunalt ansatte fastleger har fastlønn."), "modell_tilknytning")
    if tilknytningsform == Tilknytningsform.NAERINGSDRIVENDE and okonomisk_modell == OkonomiskModell.FASTLONN:
        raise _error("okonomisk_modell", _("Fastlønn gjelder kommunalt ansatte; velg en næringsmodell."), "modell_tilknytning")
    if okonomisk_modell in ASA4310_MODELLER and kommune.avtaleregime != Kommune.Avtaleregime.ASA_4310:
        raise _error("okonomisk_modell", _(
            "Kommunen følger Oslo kommunes rammeavtale, ikke ASA 4310: modellene etter ASA 4310 pkt. 8.1/8.2 "
            "gjelder ikke her."), "asa4310_gjelder_ikke")
    if okonomisk_modell == OkonomiskModell.OSLO and kommune.avtaleregime != Kommune.Avtaleregime.OSLO:
        raise _error("okonomisk_modell", _(
            "Kommunen følger rammeavtalen ASA 4310; velg ren næring (pkt. 8.1) eller 8.2-avtale."), "oslo_gjelder_ikke")


def ansatt_grense(omfang_prosent: int, on: dt.date | None = None) -> int:
    """SFS 2305 § 3.1: 1 500 at full time, pro rata for part time."""
    return int(regler.verdi("ansatt_listeansvar_maks", on) * omfang_prosent / 100)


def _check_ansatt_limit(*, tilknytningsform: str, omfang_prosent: int, listetak: int, agreed: bool, on: dt.date) -> None:
    if tilknytningsform != Tilknytningsform.ANSATT:
        return
    limit = ansatt_grense(omfang_prosent, on)
    if listetak > limit and not agreed:
        raise _error("listetak", _(
            "For en kommunalt ansatt fastlege med %(omfang)d %% stilling kan listeansvar over %(grense)d ikke pålegges, "
            "bare avtales med legen (%(kilde)s).") % {"omfang": omfang_prosent, "grense": limit,
                                                       "kilde": regler.kilde("ansatt_listeansvar_maks", on)},
            "ansatt_over_1500")


def _needs_approval(listetak: int, on: dt.date) -> bool:
    return listetak < regler.verdi("listetak_godkjenning_under", on)


def _refuse_unapproved(listetak: int, on: dt.date, field: str = "listetak") -> ValidationError:
    return _error(field, _(
        "Et listetak under %(grense)d må godkjennes av kommunen (%(kilde)s). Registrer godkjenningen med begrunnelse."
    ) % {"grense": regler.verdi("listetak_godkjenning_under", on), "kilde": regler.kilde("listetak_godkjenning_under", on)},
        "listetak_under_500_uten_godkjenning")


def _approve_under_500(*, avtale: Fastlegeavtale, listetak: int, begrunnelse: str, dato: dt.date,
                       endring: ListetakEndring | None = None) -> Vedtak:
    return record_vedtak(
        avtale=avtale, type=Vedtakstype.LISTETAK_UNDER_500, utfall=Utfall.INNVILGET, begrunnelse=begrunnelse,
        vedtaksdato=dato, listetak=listetak, listetak_endring=endring,
    )


def _list_listetak(avtale: Fastlegeavtale, day: dt.date, override: dict[int, int] | None = None) -> int:
    """The listetak the list will have on `day` with this avtale: the avtale's own on an ordinary
    list; on a fellesliste the sum of the parts of the avtaler whose fastlege period runs that day
    (§ 20: they share the list's listetak)."""
    override = override or {}
    liste = avtale.pasientliste
    if not liste.er_fellesliste:
        return override.get(avtale.pk, avtale.listetak)
    parts = dict(
        Fastlegeavtale.objects.filter(pasientliste=liste, legeperiode__fra__lte=day)
        .filter(Q(legeperiode__til__isnull=True) | Q(legeperiode__til__gt=day))
        .values_list("pk", "listetak")
    )
    parts.setdefault(avtale.pk, avtale.listetak)
    parts.update(override)
    return sum(parts.values())


def _check_list_total(avtale: Fastlegeavtale, day: dt.date, override: dict[int, int] | None = None) -> None:
    total, high = _list_listetak(avtale, day, override), regler.verdi("listetak_maks", day)
    if total > high:
        raise _error("listetak", _(
            "Fellesliste: delene blir til sammen %(sum)d, men listen kan ha høyst %(maks)d (%(kilde)s og § 20)."
        ) % {"sum": total, "maks": high, "kilde": regler.kilde("listetak_maks", day)}, "fellesliste_over_tak")


LIST_TOTALS_SQL = """
SELECT a.pasientliste_id, SUM(a.listetak)::int
  FROM avtaler_fastlegeavtale a JOIN lister_legeperiode p ON p.id = a.legeperiode_id
 WHERE (%(lists)s::bigint[] IS NULL OR a.pasientliste_id = ANY(%(lists)s))
   AND (%(kommune)s::bigint IS NULL OR a.kommune_id = %(kommune)s)
   AND p.fra <= %(day)s AND (p.til IS NULL OR p.til > %(day)s)
 GROUP BY a.pasientliste_id
"""


def resync_list_listetak(*, lists: list[int] | None = None, day: dt.date | None = None, kommune_id: int | None = None) -> dict[str, int]:
    """Give each list the listetak of the avtaler whose fastlege period runs on `day` (default
    today): the fastlege's on an ordinary list, the sum of the parts on a fellesliste. Lists with no
    running avtale (vacant) keep theirs. Set-based (two statements); a total above 2 500 is left
    alone and counted, never failing the others. `lists=None`: every list (of `kommune_id`, or all)."""
    day = day or timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute(LIST_TOTALS_SQL, {"lists": lists, "day": day, "kommune": kommune_id})
        totals = dict(cursor.fetchall())
    high = regler.verdi("listetak_maks", day)
    valid = {liste: total for liste, total in totals.items() if 1 <= total <= high}
    changed = lister_services.set_listetak_bulk(valid)
    return {"lister_endret": changed, "lister_over_tak": len(totals) - len(valid)}


# --- the avtale ------------------------------------------------------------------------------------

def _check_received(avtale: Fastlegeavtale, mottatt: dt.date, field: str = "mottatt") -> None:
    """A request or notice is received on a real day: not in the future, not before the avtale."""
    if mottatt > timezone.localdate():
        raise _error(field, _("Datoen kan ikke være i fremtiden."), "fremtidig_dato")
    if mottatt < avtale.startdato:
        raise _error(field, _("Datoen kan ikke være før avtalen begynte (%(dato)s).") % {"dato": _fmt(avtale.startdato)}, "for_tidlig")


def _check_end(startdato: dt.date | None, sluttdato: dt.date | None) -> None:
    if startdato and sluttdato and sluttdato <= startdato:
        raise _error("sluttdato", _("Avtalen må opphøre etter startdatoen."), "periode")


def create_avtale(*, kommune: Kommune, lege: Lege, pasientliste: Pasientliste, tilknytningsform: str, okonomisk_modell: str,
                  startdato: dt.date, listetak: int, omfang_prosent: int = 100, apningstid: str = "",
                  lokalisering: str = "", utekontor: str = "", listetak_avtalt_over_grense: bool = False,
                  godkjenning_under_500: str = "", sluttdato: dt.date | None = None) -> Fastlegeavtale:
    """A new fastlegeavtale (a draft until signed). Listetak 1–2 500; under 500 only with the
    kommune's approval, recorded here as a decision (`godkjenning_under_500` is its reason)."""
    if tilknytningsform not in Tilknytningsform.values:
        raise _error("tilknytningsform", _("Velg tilknytningsform."), "ugyldig")
    if okonomisk_modell not in OkonomiskModell.values:
        raise _error("okonomisk_modell", _("Velg økonomisk modell."), "ugyldig")
    _check_regime(kommune, tilknytningsform, okonomisk_modell)
    _check_end(startdato, sluttdato)
    lister_services.validate_listetak(listetak, on=startdato)
    if _needs_approval(listetak, startdato) and not godkjenning_under_500.strip():
        raise _refuse_unapproved(listetak, startdato)
    _check_ansatt_limit(tilknytningsform=tilknytningsform, omfang_prosent=omfang_prosent, listetak=listetak,
                        agreed=listetak_avtalt_over_grense, on=startdato)
    if startdato >= aldersgrense(lege, startdato):
        raise _error("startdato", _(
            "Legen har fylt %(alder)d år før startdatoen; en fastlegeavtale opphører når legen fyller %(alder)d "
            "(%(kilde)s). En tidsbegrenset avtale ut over dette registreres som forlengelse av en løpende avtale."
        ) % {"alder": regler.verdi("aldersgrense", startdato), "kilde": regler.kilde("aldersgrense", startdato)}, "over_70")
    if pasientliste.gyldig_fra > startdato or (pasientliste.gyldig_til and pasientliste.gyldig_til <= startdato):
        raise _error("startdato", _("Listen gjelder ikke på startdatoen."), "liste_ikke_gyldig")
    avtale = Fastlegeavtale(
        kommune=kommune, lege=lege, pasientliste=pasientliste, tilknytningsform=tilknytningsform,
        okonomisk_modell=okonomisk_modell, startdato=startdato, sluttdato=sluttdato, listetak=listetak,
        omfang_prosent=omfang_prosent, apningstid=apningstid.strip(), lokalisering=lokalisering.strip(),
        utekontor=utekontor.strip(), listetak_avtalt_over_grense=listetak_avtalt_over_grense,
    )
    with transaction.atomic():
        save_new(avtale, fields={"fastlegeavtale_no_duplicate": "lege"})
        if _needs_approval(listetak, startdato):
            _approve_under_500(avtale=avtale, listetak=listetak, begrunnelse=godkjenning_under_500, dato=timezone.localdate())
    return avtale


AVTALE_FIELDS = frozenset({"okonomisk_modell", "omfang_prosent", "apningstid", "lokalisering", "utekontor", "sluttdato"})
HELFO_FIELDS = frozenset({"lokalisering", "utekontor", "okonomisk_modell", "omfang_prosent"})


def update_avtale(*, avtale: Fastlegeavtale, expected_version: int, **changes) -> Fastlegeavtale:
    """Change an avtale's terms. The listetak changes through `request_listetak_change`; a signed
    avtale's changes that Helfo registers get a draft message."""
    unknown = set(changes) - AVTALE_FIELDS
    if "listetak" in changes:
        raise _error("listetak", _("Listetaket endres som en listetaksendring (fastlegeforskriften §§ 10–11)."), "listetak_via_endring")
    if unknown:
        raise ValidationError({field: _("Dette feltet kan ikke endres.") for field in sorted(unknown)})
    if "okonomisk_modell" in changes:
        _check_regime(avtale.kommune, avtale.tilknytningsform, changes["okonomisk_modell"])
    if "omfang_prosent" in changes:
        _check_ansatt_limit(tilknytningsform=avtale.tilknytningsform, omfang_prosent=changes["omfang_prosent"],
                            listetak=avtale.listetak, agreed=avtale.listetak_avtalt_over_grense, on=timezone.localdate())
    if avtale.signert and "sluttdato" in changes:
        raise _error("sluttdato", _("En signert avtale avsluttes ved oppsigelse, heving eller aldersgrensen (§ 12)."), "slutt_via_oppsigelse")
    if "sluttdato" in changes:
        _check_end(avtale.startdato, changes["sluttdato"])
    with transaction.atomic():
        before = {field: getattr(avtale, field) for field in changes}
        updated = update_versioned(avtale, expected_version=expected_version, changes=changes)
        if updated.signert and any(before[f] != getattr(updated, f) for f in set(changes) & HELFO_FIELDS):
            create_helfo_melding(avtale=updated, type=Meldingstype.ENDRING)
    return updated


def sign_avtale(*, avtale: Fastlegeavtale, expected_version: int, signert: dt.date,
                begrunnelse_over_100: str = "") -> Fastlegeavtale:
    """Sign the avtale: the doctor becomes fastlege on the list from the start date (the lister
    app's period; no other fastlege may overlap on an ordinary list), the list gets the agreed
    listetak, and a draft Helfo message (form 05-04.27) is made."""
    if avtale.signert:
        raise _error("signert", _("Avtalen er allerede signert."), "allerede_signert")
    if signert > timezone.localdate():
        raise _error("signert", _("Signeringsdatoen kan ikke være i fremtiden."), "fremtidig_dato")
    with transaction.atomic():
        locked = Fastlegeavtale.objects.select_for_update().get(pk=avtale.pk)
        if locked.versjon != expected_version:
            from core.exceptions import StaleVersion

            raise StaleVersion()
        periode = lister_services.add_legeperiode(
            liste=locked.pasientliste, lege=locked.lege, rolle=Rolle.FASTLEGE, fra=locked.startdato,
            til=effective_end(locked), stillingsprosent=locked.omfang_prosent,
            arbeidsdager=[1, 2, 3, 4, 5], begrunnelse_over_100=begrunnelse_over_100, via_fastlegeavtale=True,
        )
        _check_list_total(locked, locked.startdato)
        # A new fastlege period closes the list's open vacancy cases for other GPs (and a new list's case).
        sak_services.close_saker_for_new_period(liste=locked.pasientliste, lege=locked.lege, fra=locked.startdato)
        Fastlegeavtale.objects.filter(pk=locked.pk).update(signert=signert, legeperiode=periode)
        locked.refresh_from_db()
        # The list takes the new listetak when the avtale starts (today, or the nightly job later).
        resync_list_listetak(lists=[locked.pasientliste_id])
        create_helfo_melding(avtale=locked, type=Meldingstype.NY)
    return locked


# --- listetak changes (§§ 10–11) -----------------------------------------------------------------

def request_listetak_change(*, avtale: Fastlegeavtale, initiativ: str, mottatt: dt.date, til_listetak: int,
                            trinn: Iterable[tuple[dt.date, int]] = (), kortere_frist_avtalt: bool = False,
                            avtale_notat: str = "", godkjenning_under_500: str = "") -> ListetakEndring:
    """Record a change of the avtale's listetak.

    - 1–2 500; under 500 only with the kommune's recorded approval (§ 10).
    - A reduction is the GP's right, with six months' frist from the request unless a shorter one
      is agreed (§ 11); it may come in steps. Helfo performs the random draw.
    - The kommune cannot reduce an established listetak on its own (§ 11 with merknad).
    - A kommunalt ansatt GP's listeansvar above 1 500 (full time) cannot be imposed (SFS 2305 § 3.1).
    """
    if initiativ not in Initiativ.values:
        raise _error("initiativ", _("Oppgi hvem endringen kommer fra."), "ugyldig")
    if not avtale.signert or (avtale.sluttdato and avtale.sluttdato <= mottatt):
        raise _error("avtale", _("Listetaket kan bare endres på en signert, løpende avtale."), "avtale_ikke_aktiv")
    _check_received(avtale, mottatt)
    lister_services.validate_listetak(til_listetak, field="til_listetak", on=mottatt)
    if til_listetak == avtale.listetak:
        raise _error("til_listetak", _("Det nye listetaket er det samme som dagens."), "uendret")
    reduction = til_listetak < avtale.listetak
    if initiativ == Initiativ.ENIGHET and not avtale_notat.strip():
        raise _error("avtale_notat", _(
            "Beskriv hva kommunen og legen er enige om og når; uten legens samtykke kan kommunen ikke endre listetaket "
            "(fastlegeforskriften §§ 8 og 11)."), "enighet_uten_notat")
    if reduction and initiativ == Initiativ.KOMMUNE:
        raise _error("initiativ", _(
            "Kommunen kan ikke ensidig redusere listetaket på en etablert liste (%(kilde)s). En reduksjon krever "
            "legens krav eller enighet.") % {"kilde": regler.kilde("ingen_ensidig_reduksjon", mottatt)}, "ensidig_reduksjon")
    if _needs_approval(til_listetak, mottatt) and not godkjenning_under_500.strip():
        raise _refuse_unapproved(til_listetak, mottatt, field="til_listetak")
    agreed = initiativ in (Initiativ.LEGE, Initiativ.ENIGHET)
    _check_ansatt_limit(tilknytningsform=avtale.tilknytningsform, omfang_prosent=avtale.omfang_prosent,
                        listetak=til_listetak, agreed=agreed or avtale.listetak_avtalt_over_grense and til_listetak <= avtale.listetak,
                        on=mottatt)
    if not reduction and avtale.pasientliste.er_fellesliste:
        for day, value in (sorted(trinn) or [(mottatt, til_listetak)]):
            try:
                _check_list_total(avtale, day, override={avtale.pk: value})
            except ValidationError as exc:
                raise _error("til_listetak", exc.message_dict["listetak"][0], "fellesliste_over_tak") from exc
    if kortere_frist_avtalt and not avtale_notat.strip():
        raise _error("avtale_notat", _("Beskriv den avtalte kortere fristen (hva er avtalt, og når)."), "kortere_frist_uten_notat")

    earliest = add_months(mottatt, regler.verdi("reduksjon_frist_maneder", mottatt))
    steps = sorted((day, int(value)) for day, value in trinn) or [(earliest if reduction else mottatt, til_listetak)]
    if steps[-1][1] != til_listetak:
        raise _error("trinn", _("Siste trinn må være det nye listetaket (%(tak)d).") % {"tak": til_listetak}, "trinn_slutt")
    if len({day for day, _v in steps}) != len(steps):
        raise _error("trinn", _("To trinn kan ikke gjelde fra samme dato."), "trinn_dato")
    previous = avtale.listetak
    for day, value in steps:
        lister_services.validate_listetak(value, field="trinn", on=day)
        if day < mottatt:
            raise _error("trinn", _("Et trinn kan ikke gjelde fra før kravet er mottatt."), "trinn_for_tidlig")
        if reduction and not (til_listetak <= value < previous):
            raise _error("trinn", _("Trinnene i en reduksjon må gå nedover mot det nye listetaket."), "trinn_rekkefolge")
        if not reduction and not (previous < value <= til_listetak):
            raise _error("trinn", _("Trinnene i en økning må gå oppover mot det nye listetaket."), "trinn_rekkefolge")
        if reduction and day < earliest and not kortere_frist_avtalt:
            raise _error("trinn", _(
                "En reduksjon kan tidligst tre i kraft %(dato)s, seks måneder etter at kravet ble mottatt (%(kilde)s), "
                "med mindre kommunen og legen har avtalt kortere frist.") % {
                    "dato": _fmt(earliest), "kilde": regler.kilde("reduksjon_frist_maneder", mottatt)}, "reduksjon_for_tidlig")
        previous = value

    with transaction.atomic():
        Fastlegeavtale.objects.select_for_update().filter(pk=avtale.pk).values_list("pk", flat=True).first()
        endring = save_new(ListetakEndring(
            kommune_id=avtale.kommune_id, avtale=avtale, initiativ=initiativ, mottatt=mottatt, fra_listetak=avtale.listetak,
            til_listetak=til_listetak, kortere_frist_avtalt=kortere_frist_avtalt, avtale_notat=avtale_notat.strip(),
        ))
        ListetakTrinn.objects.bulk_create(
            [ListetakTrinn(kommune_id=avtale.kommune_id, endring=endring, gjelder_fra=day, listetak=value) for day, value in steps]
        )
        if _needs_approval(til_listetak, mottatt):
            _approve_under_500(avtale=avtale, listetak=til_listetak, begrunnelse=godkjenning_under_500, dato=mottatt, endring=endring)
        if agreed and avtale.tilknytningsform == Tilknytningsform.ANSATT and til_listetak > ansatt_grense(avtale.omfang_prosent, mottatt):
            Fastlegeavtale.objects.filter(pk=avtale.pk).update(listetak_avtalt_over_grense=True)
        create_helfo_melding(avtale=avtale, type=Meldingstype.LISTETAK, endring=endring)
        apply_due_listetak_steps(on=timezone.localdate(), endring_id=endring.pk)
    endring.refresh_from_db()
    return endring


def refuse_listetak_change(*, endring: ListetakEndring, begrunnelse: str, vedtaksdato: dt.date) -> Vedtak:
    """The kommune refuses a requested change (an enkeltvedtak that can be appealed). A GP's
    reduction request within the rules is a right (§ 11) and cannot be refused."""
    if endring.status != EndringStatus.REGISTRERT:
        raise _error("status", _("Endringen er allerede behandlet."), "behandlet")
    if endring.er_reduksjon and endring.initiativ == Initiativ.LEGE:
        raise _error("status", _(
            "Fastlegen har rett til å få redusert listen til sitt listetak (fastlegeforskriften § 11); kravet kan ikke avslås."),
            "reduksjon_er_rett")
    with transaction.atomic():
        if endring.trinn.filter(gjennomfort__isnull=False).exists():
            raise _error("status", _("Endringen er allerede delvis gjennomført."), "delvis_gjennomfort")
        vedtak = record_vedtak(avtale=endring.avtale, type=Vedtakstype.AVSLAG_LISTETAK, utfall=Utfall.AVSLATT,
                               begrunnelse=begrunnelse, vedtaksdato=vedtaksdato, listetak_endring=endring)
        ListetakEndring.objects.filter(pk=endring.pk).update(status=EndringStatus.AVSLATT)
    return vedtak


DUE_STEPS_SQL = """
WITH due AS (
    SELECT t.id, e.avtale_id, t.listetak, t.gjelder_fra, t.endring_id
      FROM avtaler_listetaktrinn t JOIN avtaler_listetakendring e ON e.id = t.endring_id
     WHERE t.gjennomfort IS NULL AND t.gjelder_fra <= %(day)s AND e.status = 'registrert'
       AND (%(kommune)s::bigint IS NULL OR t.kommune_id = %(kommune)s)
       AND (%(endring)s::bigint IS NULL OR e.id = %(endring)s)
),
latest AS (
    SELECT DISTINCT ON (avtale_id) avtale_id, listetak FROM due ORDER BY avtale_id, gjelder_fra DESC, id DESC
),
avtaler AS (
    UPDATE avtaler_fastlegeavtale a SET listetak = latest.listetak
      FROM latest WHERE a.id = latest.avtale_id
    RETURNING a.pasientliste_id
),
steps AS (
    UPDATE avtaler_listetaktrinn t SET gjennomfort = now() FROM due WHERE t.id = due.id RETURNING t.endring_id
)
SELECT (SELECT count(*) FROM steps), (SELECT array_agg(DISTINCT pasientliste_id) FROM avtaler),
       (SELECT array_agg(DISTINCT endring_id) FROM steps)
"""



def apply_due_listetak_steps(*, on: dt.date | None = None, endring_id: int | None = None, all_kommuner: bool = False) -> int:
    """Apply the listetak steps that have taken effect: each avtale gets its latest due step's
    listetak, its list the sum of its running avtaler' listetak (the avtale's own on an ordinary
    list, the parts on a fellesliste), and changes with no steps left are done. Set-based: the
    same few statements for one step or ten thousand. Idempotent: applied steps are marked.
    Only the kommune in scope, unless `all_kommuner` (the nightly job, unscoped)."""
    from core.context import current_kommune_id

    day = on or timezone.localdate()
    kommune_id = None if all_kommuner else current_kommune_id()
    if kommune_id is None and not all_kommuner:
        raise ValueError("apply_due_listetak_steps krever en kommune i konteksten eller all_kommuner=True.")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(DUE_STEPS_SQL, {"day": day, "kommune": kommune_id, "endring": endring_id})
        applied, lists, endringer = cursor.fetchone()
        if not applied:
            return 0
        if lists:
            resync_list_listetak(lists=lists, day=day)
        cursor.execute(
            "UPDATE avtaler_listetakendring e SET status = 'gjennomfort' WHERE e.id = ANY(%s) AND e.status = 'registrert' "
            "AND NOT EXISTS (SELECT 1 FROM avtaler_listetaktrinn t WHERE t.endring_id = e.id AND t.gjennomfort IS NULL)",
            [endringer],
        )
    return applied


# --- notice and ending (§ 12) --------------------------------------------------------------------

def record_oppsigelse(*, avtale: Fastlegeavtale, part: str, type: str = OppsigelseType.OPPSIGELSE, mottatt: dt.date,
                      saklig_grunn: str = "", mislighold: str = "", virkning: dt.date | None = None) -> Oppsigelse:
    """Record notice (or heving) of the avtale and end it on the computed date.

    - Næringsdrivende: six months' notice either way (§ 12 first paragraph); the end date is computed.
    - The kommune's notice must state a saklig grunn; heving (immediate) only by the kommune for
      vesentlig mislighold.
    - Kommunalt ansatte: employment law decides the notice period (§ 12 second paragraph,
      arbeidsmiljøloven § 15-3); the end date is entered.
    """
    if part not in Part.values:
        raise _error("part", _("Oppgi hvem som sier opp."), "ugyldig")
    if type not in OppsigelseType.values:
        raise _error("type", _("Ugyldig type."), "ugyldig")
    if not avtale.signert:
        raise _error("avtale", _("Avtalen er ikke signert; et utkast slettes eller endres i stedet."), "ikke_signert")
    ends = effective_end(avtale)
    if mottatt >= ends:
        raise _error("mottatt", _("Avtalen er allerede opphørt %(dato)s.") % {"dato": _fmt(ends)}, "allerede_opphort")
    _check_received(avtale, mottatt)
    saklig_grunn, mislighold = saklig_grunn.strip(), mislighold.strip()
    source = regler.kilde("oppsigelsesfrist_maneder", mottatt)
    if type == OppsigelseType.HEVING:
        if avtale.tilknytningsform == Tilknytningsform.ANSATT:
            raise _error("type", _(
                "For kommunalt ansatte fastleger gjelder arbeidsrettslige regler (fastlegeforskriften § 12 andre ledd); "
                "heving gjelder næringsdrivende."), "heving_ansatt")
        if part != Part.KOMMUNE:
            raise _error("part", _("Bare kommunen kan heve avtalen (%(kilde)s).") % {"kilde": source}, "heving_part")
        if not mislighold:
            raise _error("mislighold", _(
                "Heving krever vesentlig mislighold; beskriv misligholdet (%(kilde)s).") % {"kilde": source}, "heving_uten_mislighold")
        virkning = mottatt
    else:
        if part == Part.KOMMUNE and not saklig_grunn:
            raise _error("saklig_grunn", _(
                "Kommunens oppsigelse må være saklig begrunnet (%(kilde)s); oppgi grunnen.") % {"kilde": source},
                "oppsigelse_uten_saklig_grunn")
        if avtale.tilknytningsform == Tilknytningsform.NAERINGSDRIVENDE:
            computed = add_months(mottatt, regler.verdi("oppsigelsesfrist_maneder", mottatt))
            if virkning is not None and virkning < computed:
                raise _error("virkning", _(
                    "Oppsigelsesfristen er seks måneder (%(kilde)s): avtalen kan tidligst opphøre %(dato)s.") % {
                        "kilde": source, "dato": _fmt(computed)}, "for_kort_frist")
            virkning = virkning or computed
        elif virkning is None or virkning <= mottatt:
            raise _error("virkning", _(
                "For kommunalt ansatte gjelder arbeidsmiljølovens oppsigelsesfrister (fastlegeforskriften § 12 andre ledd): "
                "oppgi datoen arbeidsforholdet opphører."), "ansatt_virkning_mangler")
    virkning = min(virkning, ends)
    with transaction.atomic():
        locked = Fastlegeavtale.objects.select_for_update().get(pk=avtale.pk)
        oppsigelse = save_new(Oppsigelse(
            kommune_id=avtale.kommune_id, avtale=locked, part=part, type=type, mottatt=mottatt, virkning=virkning,
            saklig_grunn=saklig_grunn, mislighold=mislighold,
        ), fields={"oppsigelse_one_active": "avtale"})
        _end_avtale(locked, virkning)
        create_helfo_melding(avtale=locked, type=Meldingstype.OPPSIGELSE, oppsigelse=oppsigelse)
        if type == OppsigelseType.HEVING:
            arsak = Ledighetsarsak.HEVING
        else:
            arsak = Ledighetsarsak.OPPSIGELSE_KOMMUNE if part == Part.KOMMUNE else Ledighetsarsak.OPPSIGELSE_LEGE
        _open_vacancy_case(locked, arsak=arsak, kjent=mottatt, fastlege_slutt=virkning, oppsigelse_mottatt=mottatt)
    return oppsigelse


def _open_vacancy_case(avtale: Fastlegeavtale, *, arsak: str, kjent: dt.date, fastlege_slutt: dt.date,
                       oppsigelse_mottatt: dt.date | None = None) -> None:
    """The departure is known: open the list's vacancy case for this GP (or update the open one)."""
    liste = avtale.pasientliste
    sak_services.record_avgang(
        liste=liste, fastlege=avtale.lege, arsak=arsak, kjent=kjent, fastlege_slutt=fastlege_slutt,
        oppsigelse_mottatt=oppsigelse_mottatt, naeringsdrivende=avtale.er_naeringsdrivende,
        andel_listetak=avtale.listetak if liste.er_fellesliste else None,
    )


BORTFALL_ARSAKER = {"dodsfall": Ledighetsarsak.DODSFALL, "autorisasjon": Ledighetsarsak.AUTORISASJON}


def _bortfall_email(avtale: Fastlegeavtale, arsak: str, dato: dt.date) -> str:
    lege = avtale.lege
    grunn = _("legens dødsfall") if arsak == "dodsfall" else _("at legens tap av autorisasjon er endelig")
    return _(
        "Til: post@helfo.no\nEmne: Fastlegeavtale opphørt – %(lege)s (HPR %(hpr)s), %(kommune)s\n\n"
        "%(kommune)s melder at fastlegeavtalen med %(lege)s (HPR-nummer %(hpr)s) på listen «%(liste)s» ved %(kontor)s "
        "er falt bort fra %(dato)s på grunn av %(grunn)s (fastlegeforskriften § 12).\n\n"
        "Ny fastlege eller vikar meldes på eget skjema (05-04.27) når det er avklart.\n\nMed hilsen\n%(kommune)s"
    ) % {
        "lege": lege.navn, "hpr": lege.hpr_nummer, "kommune": avtale.kommune.navn, "liste": avtale.pasientliste,
        "kontor": avtale.pasientliste.legekontor.navn, "dato": _fmt(dato), "grunn": grunn,
    }


def record_bortfall(*, avtale: Fastlegeavtale, arsak: str, dato: dt.date, expected_version: int | None = None) -> Fastlegeavtale:
    """The avtale falls away at once (fastlegeforskriften § 12): the GP has died, or the loss of
    autorisasjon has become final. `dato` is the first day the avtale no longer applies: the avtale
    and its fastlege period end then, a message to Helfo (the avtale ends, with the e-mail to
    post@helfo.no) is made and the list's vacancy case is opened (or the open one updated). With
    `expected_version` (the API's If-Match), a changed avtale is refused (StaleVersion)."""
    if arsak not in BORTFALL_ARSAKER:
        raise _error("arsak", _("Velg årsak: dødsfall eller tap av autorisasjon."), "ugyldig")
    if not avtale.signert:
        raise _error("avtale", _("Avtalen er ikke signert; et utkast slettes eller endres i stedet."), "ikke_signert")
    if dato is None:
        raise _error("dato", _("Oppgi datoen avtalen falt bort."), "mangler")
    if dato > timezone.localdate():
        raise _error("dato", _("Datoen kan ikke være i fremtiden: avtalen faller bort når dødsfallet har skjedd eller tapet "
                               "av autorisasjon er endelig."), "fremtidig_dato")
    if dato <= avtale.startdato:
        raise _error("dato", _("Datoen må være etter avtalens startdato (%(dato)s).") % {"dato": _fmt(avtale.startdato)}, "for_tidlig")
    ends = effective_end(avtale)
    if dato >= ends:
        raise _error("dato", _("Avtalen er allerede opphørt %(dato)s.") % {"dato": _fmt(ends)}, "allerede_opphort")
    with transaction.atomic():
        locked = Fastlegeavtale.objects.select_for_update().get(pk=avtale.pk)
        if expected_version is not None and locked.versjon != expected_version:
            from core.exceptions import StaleVersion

            raise StaleVersion()
        _end_avtale(locked, dato)
        full = Fastlegeavtale.objects.select_related("lege", "pasientliste__legekontor", "kommune").get(pk=locked.pk)
        innhold = helfo_innhold(full)
        innhold["bortfall"] = {"arsak": str(BORTFALL_ARSAKER[arsak].label), "dato": dato.isoformat()}
        save_new(HelfoMelding(kommune_id=full.kommune_id, avtale=full, type=Meldingstype.OPPHOR, innhold=innhold,
                              epost_tekst=_bortfall_email(full, arsak, dato)))
        _open_vacancy_case(full, arsak=BORTFALL_ARSAKER[arsak], kjent=dato, fastlege_slutt=dato)
    return full


def _end_avtale(avtale: Fastlegeavtale, til: dt.date) -> None:
    if avtale.sluttdato is None or til < avtale.sluttdato:
        Fastlegeavtale.objects.filter(pk=avtale.pk).update(sluttdato=max(til, avtale.startdato + dt.timedelta(days=1)))
        avtale.refresh_from_db()
    if avtale.legeperiode_id:
        periode = avtale.legeperiode
        end = effective_end(avtale)
        if periode.til != end:
            lister_services.change_legeperiode_end(periode=periode, til=end, via_fastlegeavtale=True)
    resync_list_listetak(lists=[avtale.pasientliste_id])


def extend_beyond_70(*, avtale: Fastlegeavtale, forlenget_til: dt.date, begrunnelse: str, vedtaksdato: dt.date,
                     begrunnelse_over_100: str = "") -> Vedtak:
    """A time-limited avtale beyond 70, never beyond 80 (§ 12 third paragraph), recorded as a decision."""
    limit, outer = aldersgrense(avtale.lege, vedtaksdato), ytre_aldersgrense(avtale.lege, vedtaksdato)
    if forlenget_til <= limit:
        raise _error("forlenget_til", _("Forlengelsen må gå ut over %(dato)s, da legen fyller 70.") % {"dato": _fmt(limit)}, "ikke_forlengelse")
    if forlenget_til > outer:
        raise _error("forlenget_til", _(
            "En avtale kan ikke forlenges til etter at legen er fylt %(alder)d (%(dato)s; %(kilde)s).") % {
                "alder": regler.verdi("aldersgrense_forlengelse_maks", vedtaksdato), "dato": _fmt(outer),
                "kilde": regler.kilde("aldersgrense_forlengelse_maks", vedtaksdato)}, "over_80")
    if avtale.sluttdato and avtale.sluttdato < limit:
        raise _error("forlenget_til", _("Avtalen er sagt opp og opphører før aldersgrensen."), "oppsagt")
    with transaction.atomic():
        vedtak = record_vedtak(avtale=avtale, type=Vedtakstype.FORLENGELSE, utfall=Utfall.INNVILGET, begrunnelse=begrunnelse,
                               vedtaksdato=vedtaksdato, forlenget_til=forlenget_til)
        Fastlegeavtale.objects.filter(pk=avtale.pk).update(forlenget_til=forlenget_til)
        avtale.refresh_from_db()
        if avtale.legeperiode_id:
            lister_services.change_legeperiode_end(periode=avtale.legeperiode, til=effective_end(avtale),
                                                   begrunnelse_over_100=begrunnelse_over_100, via_fastlegeavtale=True)
        create_helfo_melding(avtale=avtale, type=Meldingstype.ENDRING)
    return vedtak


# --- other municipal GP work (§ 32) -------------------------------------------------------------------

PALAGT_PEAK_SQL = """
WITH p AS (
    SELECT fra, COALESCE(til, 'infinity'::date) AS til, timer_per_uke
      FROM avtaler_kommunaloppgave
     WHERE avtale_id = %(avtale)s AND form = 'palagt' AND oppgavetype <> ALL(%(utenfor)s) AND id <> %(exclude)s
       AND daterange(fra, til, '[)') && daterange(%(fra)s, %(til)s, '[)')
    UNION ALL SELECT %(fra)s::date, COALESCE(%(til)s::date, 'infinity'::date), %(timer)s
)
SELECT d.dag, SUM(p.timer_per_uke)
  FROM (SELECT DISTINCT GREATEST(fra, %(fra)s::date) AS dag FROM p) d JOIN p ON p.fra <= d.dag AND d.dag < p.til
 GROUP BY d.dag ORDER BY 2 DESC, 1 LIMIT 1
"""


def palagt_grense(avtale: Fastlegeavtale, on: dt.date | None = None) -> Decimal:
    """7.5 hours a week at full time, reduced pro rata for reduced åpningstid (§ 32)."""
    return (Decimal(regler.verdi("palagt_timer_per_uke", on)) * avtale.omfang_prosent / 100).quantize(Decimal("0.01"))


def add_kommunal_oppgave(*, avtale: Fastlegeavtale, oppgavetype: str, institusjon: str, timer_per_uke: Decimal, form: str,
                         lonnsgrunnlag: str, fra: dt.date, til: dt.date | None = None,
                         frivillig_avtale_forsokt: dt.date | None = None, frivillig_notat: str = "") -> KommunalOppgave:
    """Other municipal GP work under the avtale. Pålagt: only after trying a voluntary agreement,
    and the pålagte hours (administrative meetings included, dialogmøter not; legevakt comes on
    top) at most 7.5 a week at full time, pro rata (§ 32). Avtalt hours have no cap."""
    timer_per_uke = Decimal(str(timer_per_uke))
    source = regler.kilde("palagt_timer_per_uke", fra)
    if form == Oppgaveform.PALAGT and frivillig_avtale_forsokt is None:
        raise _error("frivillig_avtale_forsokt", _(
            "Før pålegg skal kommunen søke å inngå frivillig avtale (%(kilde)s); oppgi når det ble forsøkt.") % {"kilde": source},
            "palegg_uten_frivillig_forsok")
    if frivillig_avtale_forsokt and frivillig_avtale_forsokt > fra:
        raise _error("frivillig_avtale_forsokt", _("Forsøket på frivillig avtale må komme før pålegget."), "forsok_etter_palegg")
    _check_lonnsgrunnlag(avtale, lonnsgrunnlag)
    if fra < avtale.startdato or fra >= effective_end(avtale):
        raise _error("fra", _("Oppgaven må begynne mens avtalen løper."), "utenfor_avtalen")
    oppgave = KommunalOppgave(
        kommune_id=avtale.kommune_id, avtale=avtale, oppgavetype=oppgavetype, institusjon=institusjon.strip(),
        timer_per_uke=timer_per_uke, form=form, lonnsgrunnlag=lonnsgrunnlag, fra=fra, til=til,
        frivillig_avtale_forsokt=frivillig_avtale_forsokt, frivillig_notat=frivillig_notat.strip(),
    )
    full_clean(oppgave)
    with transaction.atomic():
        Fastlegeavtale.objects.select_for_update().filter(pk=avtale.pk).values_list("pk", flat=True).first()
        if form == Oppgaveform.PALAGT and oppgavetype not in UTENFOR_TIMETAK:
            with connection.cursor() as cursor:
                cursor.execute(PALAGT_PEAK_SQL, {
                    "avtale": avtale.pk, "utenfor": list(UTENFOR_TIMETAK), "exclude": 0, "fra": fra, "til": til, "timer": timer_per_uke,
                })
                dag, total = cursor.fetchone()
            limit = palagt_grense(avtale, fra)
            if total > limit:
                raise _error("timer_per_uke", _(
                    "Pålagte oppgaver blir %(total)s timer per uke fra %(dato)s; grensen er %(grense)s timer for en fastlege "
                    "med %(omfang)d %% åpningstid (%(kilde)s). Flere timer kan avtales, ikke pålegges.") % {
                        "total": f"{total:.2f}".replace(".", ","), "dato": _fmt(dag), "grense": f"{limit:.2f}".replace(".", ","),
                        "omfang": avtale.omfang_prosent, "kilde": source}, "over_palagt_grense")
        try:
            with transaction.atomic():
                oppgave.save()
        except IntegrityError as exc:
            raise translate(exc, KommunalOppgave) from exc
    return oppgave


def _check_lonnsgrunnlag(avtale: Fastlegeavtale, lonnsgrunnlag: str) -> None:
    if lonnsgrunnlag not in Lonnsgrunnlag.values:
        raise _error("lonnsgrunnlag", _("Velg godtgjøring."), "ugyldig")
    if avtale.tilknytningsform == Tilknytningsform.ANSATT:
        if lonnsgrunnlag != Lonnsgrunnlag.ARBEIDSAVTALE:
            raise _error("lonnsgrunnlag", _("For kommunalt ansatte inngår oppgaven i arbeidsavtalen."), "ansatt_lonn")
        return
    if lonnsgrunnlag == Lonnsgrunnlag.ARBEIDSAVTALE:
        raise _error("lonnsgrunnlag", _("Næringsdrivende godtgjøres med praksiskompensasjon eller honorar."), "naering_lonn")
    oslo = avtale.kommune.avtaleregime != Kommune.Avtaleregime.ASA_4310
    if oslo and lonnsgrunnlag != Lonnsgrunnlag.OSLO:
        raise _error("lonnsgrunnlag", _(
            "Kommunen følger Oslo kommunes rammeavtale; honorar etter ASA 4310 pkt. 12.5 og praksiskompensasjon etter "
            "SFS 2305 § 4.1 (KS-avtaler) gjelder ikke her."), "asa4310_gjelder_ikke")
    if not oslo and lonnsgrunnlag == Lonnsgrunnlag.OSLO:
        raise _error("lonnsgrunnlag", _("Kommunen følger KS-avtalene: velg praksiskompensasjon eller honorar."), "oslo_gjelder_ikke")


def end_kommunal_oppgave(*, oppgave: KommunalOppgave, expected_version: int, til: dt.date) -> KommunalOppgave:
    if til <= oppgave.fra:
        raise _error("til", _("Oppgaven må opphøre etter at den begynner."), "periode")
    return update_versioned(oppgave, expected_version=expected_version, changes={"til": til})


# --- decisions ---------------------------------------------------------------------------------------

def record_vedtak(*, avtale: Fastlegeavtale, type: str, utfall: str, begrunnelse: str, vedtaksdato: dt.date,
                  listetak: int | None = None, forlenget_til: dt.date | None = None,
                  listetak_endring: ListetakEndring | None = None) -> Vedtak:
    """An enkeltvedtak with its reason, date and who decided (the acting person)."""
    from django.contrib.auth import get_user_model

    actor = current_actor() or ""
    user = None
    if actor.startswith("bruker:"):
        user = get_user_model().objects.filter(pk=int(actor.split(":", 1)[1])).first()
    return save_new(Vedtak(
        kommune_id=avtale.kommune_id, avtale=avtale, type=type, utfall=utfall, begrunnelse=(begrunnelse or "").strip(),
        vedtaksdato=vedtaksdato, listetak=listetak, forlenget_til=forlenget_til, listetak_endring=listetak_endring,
        vedtatt_av=user, vedtatt_av_navn=str(user) if user else actor,
    ))


def update_klagestatus(*, vedtak: Vedtak, expected_version: int, klagestatus: str, klage_mottatt: dt.date | None = None,
                       klage_avgjort: dt.date | None = None) -> Vedtak:
    """Follow an appeal: received, sent to statsforvalteren, decided."""
    if klagestatus not in Klagestatus.values:
        raise _error("klagestatus", _("Ugyldig klagestatus."), "ugyldig")
    mottatt = klage_mottatt or vedtak.klage_mottatt
    if klagestatus != Klagestatus.INGEN and mottatt is None:
        raise _error("klage_mottatt", _("Oppgi når klagen ble mottatt."), "klage_uten_dato")
    if mottatt and mottatt < vedtak.vedtaksdato:
        raise _error("klage_mottatt", _("Klagen kan ikke være mottatt før vedtaket ble fattet."), "klage_for_vedtak")
    decided = klagestatus in (Klagestatus.STADFESTET, Klagestatus.OMGJORT, Klagestatus.OPPHEVET)
    if decided and klage_avgjort is None:
        raise _error("klage_avgjort", _("Oppgi når klagen ble avgjort."), "avgjort_uten_dato")
    changes = {"klagestatus": klagestatus, "klage_mottatt": mottatt, "klage_avgjort": klage_avgjort if decided else None}
    return update_versioned(vedtak, expected_version=expected_version, changes=changes)


# --- Helfo ---------------------------------------------------------------------------------------------

def helfo_innhold(avtale: Fastlegeavtale, *, endring: ListetakEndring | None = None,
                  oppsigelse: Oppsigelse | None = None) -> dict:
    """The content of "Melding til fastlegeregisteret" (05-04.27) as of now: hjemmelshaver,
    practice, utekontor, deleliste/fellesliste, competence (point 4)."""
    from kommune.models import KOMPETANSESTATUS

    lege, liste = avtale.lege, avtale.pasientliste
    kontor = liste.legekontor
    status = lege.kompetansestatus(avtale.startdato)
    content = {
        "kommune": {"nummer": avtale.kommune.kommunenummer, "navn": avtale.kommune.navn},
        "hjemmelshaver": {"navn": lege.navn, "hpr_nummer": lege.hpr_nummer, "fodselsdato": lege.fodselsdato.isoformat()},
        "praksis": {"legekontor": kontor.navn, "organisasjonsnummer": kontor.organisasjonsnummer,
                    "adresse": f"{kontor.adresse}, {kontor.postnummer} {kontor.poststed}", "lokalisering": avtale.lokalisering},
        "utekontor": avtale.utekontor,
        "liste": {"id": liste.pk, "navn": str(liste), "fellesliste": liste.er_fellesliste, "listetak": avtale.listetak,
                  "listens_listetak": liste.listetak},
        "avtale": {"id": avtale.pk, "tilknytningsform": avtale.get_tilknytningsform_display(),
                   "fastlonn": avtale.tilknytningsform == Tilknytningsform.ANSATT,
                   "okonomisk_modell": avtale.get_okonomisk_modell_display(), "startdato": avtale.startdato.isoformat(),
                   "opphorer": effective_end(avtale).isoformat(), "apningstid": avtale.apningstid,
                   "omfang_prosent": avtale.omfang_prosent},
        "kompetanse": {"kode": status, "tekst": str(KOMPETANSESTATUS[status])},
    }
    if endring is not None:
        content["listetak_endring"] = {
            "fra": endring.fra_listetak, "til": endring.til_listetak, "mottatt": endring.mottatt.isoformat(),
            "trinn": [{"gjelder_fra": t.gjelder_fra.isoformat(), "listetak": t.listetak} for t in endring.trinn.all()],
        }
    if oppsigelse is not None:
        content["oppsigelse"] = {"part": oppsigelse.get_part_display(), "type": oppsigelse.get_type_display(),
                                 "mottatt": oppsigelse.mottatt.isoformat(), "opphorer": oppsigelse.virkning.isoformat()}
    return content


def _notice_email(avtale: Fastlegeavtale, oppsigelse: Oppsigelse) -> str:
    lege = avtale.lege
    return _(
        "Til: post@helfo.no\nEmne: Fastlegeavtale opphører – %(lege)s (HPR %(hpr)s), %(kommune)s\n\n"
        "%(kommune)s melder at fastlegeavtalen med %(lege)s (HPR-nummer %(hpr)s) på listen «%(liste)s» ved %(kontor)s "
        "er %(type)s av %(part)s %(mottatt)s, og at avtalen opphører %(opphorer)s.\n\n"
        "Kommunen melder fra om dette etter fastlegeforskriften § 12. Ny fastlege eller vikar meldes på eget skjema "
        "(05-04.27) når det er avklart.\n\nMed hilsen\n%(kommune)s"
    ) % {
        "lege": lege.navn, "hpr": lege.hpr_nummer, "kommune": avtale.kommune.navn, "liste": avtale.pasientliste,
        "kontor": avtale.pasientliste.legekontor.navn,
        "type": _("hevet") if oppsigelse.type == OppsigelseType.HEVING else _("sagt opp"),
        "part": oppsigelse.get_part_display().lower(), "mottatt": _fmt(oppsigelse.mottatt), "opphorer": _fmt(oppsigelse.virkning),
    }


def create_helfo_melding(*, avtale: Fastlegeavtale, type: str, endring: ListetakEndring | None = None,
                         oppsigelse: Oppsigelse | None = None) -> HelfoMelding:
    avtale = Fastlegeavtale.objects.select_related("lege", "pasientliste__legekontor", "kommune").get(pk=avtale.pk)
    return save_new(HelfoMelding(
        kommune_id=avtale.kommune_id, avtale=avtale, type=type,
        innhold=helfo_innhold(avtale, endring=endring, oppsigelse=oppsigelse),
        epost_tekst=_notice_email(avtale, oppsigelse) if oppsigelse is not None else "",
    ))


def mark_helfo_sent(*, melding: HelfoMelding, expected_version: int, sendt: dt.date) -> HelfoMelding:
    if melding.status != Meldingsstatus.UTKAST:
        raise _error("status", _("Meldingen er allerede sendt."), "allerede_sendt")
    if sendt > timezone.localdate():
        raise _error("sendt", _("Datoen kan ikke være i fremtiden."), "fremtidig_dato")
    return update_versioned(melding, expected_version=expected_version, changes={"status": Meldingsstatus.SENDT, "sendt": sendt})


def mark_helfo_confirmed(*, melding: HelfoMelding, expected_version: int, bekreftet: dt.date) -> HelfoMelding:
    if melding.status != Meldingsstatus.SENDT:
        raise _error("status", _("Bare en sendt melding kan bekreftes."), "ikke_sendt")
    if bekreftet < melding.sendt or bekreftet > timezone.localdate():
        raise _error("bekreftet", _("Bekreftelsen må være mellom sendedatoen og i dag."), "ugyldig_dato")
    return update_versioned(melding, expected_version=expected_version,
                            changes={"status": Meldingsstatus.BEKREFTET, "bekreftet": bekreftet})
