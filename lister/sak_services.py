"""Writes about vacancy cases (ledighetssaker): opening and updating a case, closing it when a new
fastlege period starts, its advertisements (utlysninger) and applicants (søkere), and cover of a
vacant list other than a vikar period (dekning).

A case opens when a departure from a list becomes known (notice by the GP or the kommune, heving,
death, loss of authorisation: the avtaler app calls `record_avgang`) or a new list is made
(`create_pasientliste`), and closes when a new fastlege period starts (`close_saker_for_new_period`,
called when a fastlegeavtale is signed). For a næringsdrivende fastlege under ASA 4310 (not Oslo)
the case carries the kommune's duty to provide a vikar and cover running costs for up to six
months after the notice period (`kostnadsperiode_til`, kommune.regler "kommune_vikarplikt_maneder").

This module never imports the avtaler app (lister sits below it).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.concurrency import delete_versioned, update_versioned
from core.constraints import save_new, translate
from core.dates import add_months, check_range
from kommune import regler
from kommune.models import Kommune, Lege
from lister.models import (
    Dekning,
    Dekningstype,
    Ledighetsarsak,
    Ledighetssak,
    Legeperiode,
    Pasientliste,
    Rolle,
    Soker,
    Sokervurdering,
    Utlysning,
)


def _fmt(day: dt.date | None) -> str:
    return day.strftime("%d.%m.%Y") if day else ""


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _today() -> dt.date:
    return timezone.localdate()


# --- the case ------------------------------------------------------------------------------------

def compute_kostnadsperiode_til(*, kommune: Kommune, naeringsdrivende: bool, fastlege_slutt: dt.date | None) -> dt.date | None:
    """The first day the kommune's duty to provide a vikar and cover running costs no longer applies:
    six months after the notice period ends, for a næringsdrivende fastlege in a kommune under ASA
    4310 (not Oslo's agreement, not kommunalt ansatte). None when the duty does not apply."""
    if not naeringsdrivende or fastlege_slutt is None or kommune.avtaleregime != Kommune.Avtaleregime.ASA_4310:
        return None
    regel = regler.regel("kommune_vikarplikt_maneder", fastlege_slutt)
    if fastlege_slutt < regel.gyldig_fra:
        return None  # the duty came with the 2024 revision of ASA 4310
    return add_months(fastlege_slutt, regel.verdi)


def _open_case(liste: Pasientliste, fastlege: Lege | None) -> Ledighetssak | None:
    return Ledighetssak.objects.filter(pasientliste=liste, fastlege=fastlege, avsluttet__isnull=True).first()


def _refuse_second_open(liste: Pasientliste, fastlege: Lege | None, exclude_id: int | None = None) -> None:
    existing = _open_case(liste, fastlege)
    if existing is not None and existing.pk != exclude_id:
        if fastlege is None:
            message = _("Listen har allerede en åpen ledighetssak uten avgående fastlege (sak %(sak)d, kjent fra %(dato)s). "
                        "Oppdater den saken i stedet.")
        else:
            message = _("Listen har allerede en åpen ledighetssak for %(lege)s (sak %(sak)d, kjent fra %(dato)s). "
                        "Oppdater den saken i stedet.")
        raise _error("fastlege", message % {"sak": existing.pk, "dato": _fmt(existing.kjent),
                                            "lege": fastlege.navn if fastlege else ""}, "apen_sak_finnes")


def _validate_case(sak: Ledighetssak, liste: Pasientliste) -> None:
    """The rules a case's fields must meet (opening and changing it)."""
    today = _today()
    for field in ("kjent", "oppsigelse_mottatt", "fastlege_slutt", "avsluttet"):
        check_range(getattr(sak, field), field)
    if sak.arsak not in Ledighetsarsak.values:
        raise _error("arsak", _("Velg årsak."), "ugyldig")
    if sak.kjent is None:
        raise _error("kjent", _("Oppgi datoen avgangen ble kjent."), "mangler")
    if sak.arsak == Ledighetsarsak.NY_LISTE:
        if sak.fastlege_id is not None:
            raise _error("fastlege", _("En sak for en ny liste har ingen avgående fastlege."), "ny_liste_med_lege")
    elif sak.kjent > today:
        raise _error("kjent", _("Datoen avgangen ble kjent kan ikke være i fremtiden."), "fremtidig_dato")
    if sak.kjent < liste.gyldig_fra or (liste.gyldig_til and sak.kjent >= liste.gyldig_til):
        raise _error("kjent", _("Listen gjelder ikke på denne datoen (gyldig fra %(fra)s%(til)s).") % {
            "fra": _fmt(liste.gyldig_fra), "til": _(" til %(til)s") % {"til": _fmt(liste.gyldig_til)} if liste.gyldig_til else ""},
            "liste_ikke_gyldig")
    if sak.oppsigelse_mottatt is not None:
        if sak.oppsigelse_mottatt > today:
            raise _error("oppsigelse_mottatt", _("Datoen oppsigelsen ble mottatt kan ikke være i fremtiden."), "fremtidig_dato")
        if sak.fastlege_slutt is not None and sak.fastlege_slutt < sak.oppsigelse_mottatt:
            raise _error("fastlege_slutt", _("Oppsigelsestiden kan ikke slutte før oppsigelsen er mottatt."), "slutt_for_oppsigelse")
    if sak.fastlege_id is not None:
        serves = Legeperiode.objects.filter(pasientliste=liste, lege_id=sak.fastlege_id, rolle=Rolle.FASTLEGE)
        if not serves.exists():
            raise _error("fastlege", _("Legen har ikke vært fastlege på listen."), "ikke_fastlege")
    if sak.naeringsdrivende and sak.fastlege_id is None:
        raise _error("naeringsdrivende", _("Næringsdrivende gjelder den avgående fastlegen; velg fastlegen."), "uten_lege")
    if not liste.er_fellesliste:
        sak.andel_listetak = None
    elif sak.andel_listetak is not None and not 1 <= sak.andel_listetak <= regler.verdi("listetak_maks", sak.kjent):
        # Not today's listetak: when the departing GP leaves, the list's listetak drops by their part.
        raise _error("andel_listetak", _("Den ledige delen må være mellom 1 og %(tak)d (%(kilde)s).") % {
            "tak": regler.verdi("listetak_maks", sak.kjent), "kilde": regler.kilde("listetak_maks", sak.kjent)},
            "andel_utenfor")
    if sak.avsluttet is not None and sak.avsluttet < sak.kjent:
        raise _error("avsluttet", _("Saken kan ikke avsluttes før den ble åpnet."), "avsluttet_for_kjent")
    sak.kostnadsperiode_til = compute_kostnadsperiode_til(
        kommune=liste.kommune, naeringsdrivende=sak.naeringsdrivende, fastlege_slutt=sak.fastlege_slutt)


def _check_lege_visible(lege: Lege | None, field: str) -> None:
    if lege is not None and not Lege.objects.filter(pk=lege.pk).exists():
        raise _error(field, _("Ukjent lege: legen er ikke registrert i kommunen."), "ukjent_lege")


OPEN_FIELDS = {"ledighetssak_one_open": "fastlege", "ledighetssak_slutt_after_oppsigelse": "fastlege_slutt",
               "ledighetssak_avsluttet_after_kjent": "avsluttet", "ledighetssak_kostnadsperiode_naeringsdrivende": "naeringsdrivende"}


def open_sak(*, liste: Pasientliste, arsak: str, kjent: dt.date, fastlege: Lege | None = None,
             oppsigelse_mottatt: dt.date | None = None, fastlege_slutt: dt.date | None = None, naeringsdrivende: bool = False,
             andel_listetak: int | None = None, merknad: str = "") -> Ledighetssak:
    """Open a vacancy case. One open case per list and departing GP (a new list: one without a GP).
    The kommune's vikar and cost period is computed (ASA 4310, næringsdrivende only)."""
    _check_lege_visible(fastlege, "fastlege")
    sak = Ledighetssak(
        kommune_id=liste.kommune_id, pasientliste=liste, fastlege=fastlege, arsak=arsak, kjent=kjent,
        oppsigelse_mottatt=oppsigelse_mottatt, fastlege_slutt=fastlege_slutt, naeringsdrivende=bool(naeringsdrivende),
        andel_listetak=andel_listetak, merknad=(merknad or "").strip(),
    )
    _validate_case(sak, liste)
    with transaction.atomic():
        _refuse_second_open(liste, fastlege)
        return save_new(sak, fields=OPEN_FIELDS)


SAK_FIELDS = frozenset({"merknad", "kjent", "oppsigelse_mottatt", "fastlege_slutt", "naeringsdrivende", "andel_listetak",
                        "arsak", "avsluttet"})


def update_sak(*, sak: Ledighetssak, expected_version: int, **changes) -> Ledighetssak:
    """Change a case's note, dates, cause or share (the vikar and cost period follows), or close it by
    hand (`avsluttet`, e.g. when the list is discontinued). The departing GP and the list are fixed."""
    unknown = set(changes) - SAK_FIELDS
    if unknown:
        raise ValidationError({field: _("Dette feltet kan ikke endres.") for field in sorted(unknown)})
    if "merknad" in changes:
        changes["merknad"] = (changes["merknad"] or "").strip()
    liste = Pasientliste.objects.select_related("kommune").get(pk=sak.pasientliste_id)
    candidate = Ledighetssak.objects.get(pk=sak.pk)
    for field, value in changes.items():
        setattr(candidate, field, value)
    _validate_case(candidate, liste)
    changes["kostnadsperiode_til"] = candidate.kostnadsperiode_til
    if "andel_listetak" in changes:
        changes["andel_listetak"] = candidate.andel_listetak
    if changes.get("avsluttet", sak.avsluttet) is None and sak.avsluttet is not None:
        _refuse_second_open(liste, sak.fastlege, exclude_id=sak.pk)
    changes = {field: value for field, value in changes.items() if getattr(sak, field) != value}
    return update_versioned(sak, expected_version=expected_version, changes=changes)


def record_avgang(*, liste: Pasientliste, fastlege: Lege, arsak: str, kjent: dt.date, fastlege_slutt: dt.date,
                  naeringsdrivende: bool, oppsigelse_mottatt: dt.date | None = None,
                  andel_listetak: int | None = None) -> Ledighetssak:
    """A departure became known (the avtaler app: notice, heving, death, loss of authorisation):
    open the case, or update the list's open case for this GP (a notice followed by death)."""
    with transaction.atomic():
        existing = Ledighetssak.objects.select_for_update().filter(
            pasientliste=liste, fastlege=fastlege, avsluttet__isnull=True).first()
        if existing is None:
            return open_sak(liste=liste, fastlege=fastlege, arsak=arsak, kjent=kjent, oppsigelse_mottatt=oppsigelse_mottatt,
                            fastlege_slutt=fastlege_slutt, naeringsdrivende=naeringsdrivende, andel_listetak=andel_listetak)
        changes = {"arsak": arsak, "kjent": min(existing.kjent, kjent), "fastlege_slutt": fastlege_slutt,
                   "naeringsdrivende": naeringsdrivende}
        if oppsigelse_mottatt is not None:
            changes["oppsigelse_mottatt"] = oppsigelse_mottatt
        if andel_listetak is not None:
            changes["andel_listetak"] = andel_listetak
        return update_sak(sak=existing, expected_version=existing.versjon, **changes)


def close_saker_for_new_period(*, liste: Pasientliste, lege: Lege, fra: dt.date) -> int:
    """A new fastlege period starts on `fra`: every case on the list still open that was known by
    then and concerns another GP (or none: a new list) closes on that day. One statement."""
    return (
        Ledighetssak.objects.filter(pasientliste=liste, avsluttet__isnull=True, kjent__lte=fra)
        .exclude(fastlege=lege)
        .update(avsluttet=fra)
    )


# --- advertisements ------------------------------------------------------------------------------

UTLYSNING_FIELDS = frozenset({"dato", "soknadsfrist", "kanal", "korrekt", "merknad"})


def _validate_utlysning(utlysning: Utlysning, sak: Ledighetssak) -> None:
    if utlysning.dato is None:
        raise _error("dato", _("Oppgi utlysningsdatoen."), "mangler")
    check_range(utlysning.dato, "dato")
    check_range(utlysning.soknadsfrist, "soknadsfrist")
    if utlysning.dato > _today():
        raise _error("dato", _("Utlysningsdatoen kan ikke være i fremtiden; registrer utlysningen når den er gjort."), "fremtidig_dato")
    if sak.arsak != Ledighetsarsak.NY_LISTE and utlysning.dato < sak.kjent:
        raise _error("dato", _("Listen kan ikke være utlyst før avgangen ble kjent (%(dato)s).") % {"dato": _fmt(sak.kjent)},
                     "for_tidlig")
    if sak.avsluttet is not None and utlysning.dato >= sak.avsluttet:
        raise _error("dato", _("Saken ble avsluttet %(dato)s.") % {"dato": _fmt(sak.avsluttet)}, "sak_avsluttet")
    if utlysning.soknadsfrist is not None and utlysning.soknadsfrist < utlysning.dato:
        raise _error("soknadsfrist", _("Søknadsfristen kan ikke være før utlysningsdatoen."), "frist_for_dato")


def add_utlysning(*, sak: Ledighetssak, dato: dt.date, soknadsfrist: dt.date | None = None, kanal: str = "",
                  korrekt: bool = True, merknad: str = "") -> Utlysning:
    """An advertisement of the vacant list (ASA 4310 kap. 5). Only correct ones count towards hjemfall."""
    utlysning = Utlysning(kommune_id=sak.kommune_id, sak=sak, dato=dato, soknadsfrist=soknadsfrist, kanal=(kanal or "").strip(),
                          korrekt=bool(korrekt), merknad=(merknad or "").strip())
    _validate_utlysning(utlysning, sak)
    return save_new(utlysning, fields={"utlysning_frist_after_dato": "soknadsfrist"})


def update_utlysning(*, utlysning: Utlysning, expected_version: int, **changes) -> Utlysning:
    unknown = set(changes) - UTLYSNING_FIELDS
    if unknown:
        raise ValidationError({field: _("Dette feltet kan ikke endres.") for field in sorted(unknown)})
    changes = {key: value.strip() if isinstance(value, str) else value for key, value in changes.items()}
    candidate = Utlysning.objects.get(pk=utlysning.pk)
    for field, value in changes.items():
        setattr(candidate, field, value)
    _validate_utlysning(candidate, Ledighetssak.objects.get(pk=utlysning.sak_id))
    return update_versioned(utlysning, expected_version=expected_version, changes=changes)


def delete_utlysning(*, utlysning: Utlysning, expected_version: int) -> None:
    delete_versioned(utlysning, expected_version=expected_version)


# --- applicants -----------------------------------------------------------------------------------

SOKER_FIELDS = frozenset({"navn", "lege", "mottatt", "vurdering", "merknad"})


def _validate_soker(soker: Soker) -> None:
    if not (soker.navn or "").strip():
        raise _error("navn", _("Oppgi søkerens navn."), "mangler")
    if soker.vurdering not in Sokervurdering.values:
        raise _error("vurdering", _("Ugyldig vurdering."), "ugyldig")
    if soker.mottatt is None:
        raise _error("mottatt", _("Oppgi når søknaden ble mottatt."), "mangler")
    check_range(soker.mottatt, "mottatt")
    if soker.mottatt > _today():
        raise _error("mottatt", _("Datoen kan ikke være i fremtiden."), "fremtidig_dato")


def add_soker(*, sak: Ledighetssak, navn: str, mottatt: dt.date, lege: Lege | None = None,
              vurdering: str = Sokervurdering.TIL_VURDERING, merknad: str = "") -> Soker:
    """An applicant for the vacant list: a name (optionally a doctor registered in the kommune) and the
    kommune's assessment. A qualified applicant (kvalifisert or tildelt) rules out hjemfall."""
    _check_lege_visible(lege, "lege")
    soker = Soker(kommune_id=sak.kommune_id, sak=sak, navn=(navn or "").strip(), lege=lege, mottatt=mottatt,
                  vurdering=vurdering or Sokervurdering.TIL_VURDERING, merknad=(merknad or "").strip())
    _validate_soker(soker)
    return save_new(soker)


def update_soker(*, soker: Soker, expected_version: int, **changes) -> Soker:
    unknown = set(changes) - SOKER_FIELDS
    if unknown:
        raise ValidationError({field: _("Dette feltet kan ikke endres.") for field in sorted(unknown)})
    changes = {key: value.strip() if isinstance(value, str) else value for key, value in changes.items()}
    if "lege" in changes:
        _check_lege_visible(changes["lege"], "lege")
    candidate = Soker.objects.get(pk=soker.pk)
    for field, value in changes.items():
        setattr(candidate, field, value)
    _validate_soker(candidate)
    return update_versioned(soker, expected_version=expected_version, changes=changes)


# --- cover other than a vikar period --------------------------------------------------------------

def _year_start(year: int) -> dt.date:
    return dt.date(year, 1, 1)


def kollegial_days_per_year(rows: list[tuple[dt.date, dt.date]]) -> dict[int, int]:
    """Days of kollegial cover per calendar year, each half-open period split at year boundaries."""
    totals: dict[int, int] = {}
    for fra, til in rows:
        day = fra
        while day < til:
            end = min(til, _year_start(day.year + 1))
            totals[day.year] = totals.get(day.year, 0) + (end - day).days
            day = end
    return totals


def _check_kollegial_limit(*, liste: Pasientliste, fra: dt.date, til: dt.date, exclude_id: int | None = None) -> None:
    """At most 56 days (eight weeks) of kollegial fraværsdekning per calendar year on a list, counting
    every kollegial period's days in each year, the new one included. Call inside a transaction with
    the list locked, so two concurrent registrations see each other."""
    first, last = _year_start(fra.year), _year_start((til - dt.timedelta(days=1)).year + 1)
    existing = list(
        Dekning.objects.filter(pasientliste=liste, type=Dekningstype.KOLLEGIAL, fra__lt=last, til__gt=first)
        .exclude(pk=exclude_id or 0).values_list("fra", "til")
    )
    totals = kollegial_days_per_year([*((max(a, first), min(b, last)) for a, b in existing), (fra, til)])
    for year in sorted(totals):
        maks = regler.verdi("kollegial_dekning_maks_dager", _year_start(year))
        if totals[year] > maks:
            raise _error("til", _(
                "Kollegial fraværsdekning kan vare inntil %(maks)d dager (åtte uker) per kalenderår på en liste; med denne "
                "perioden blir det %(dager)d dager i %(ar)d. Lengre dekning må registreres som vikarbruk (en vikarperiode på "
                "listen) (%(kilde)s).") % {"maks": maks, "dager": totals[year], "ar": year,
                                            "kilde": regler.kilde("kollegial_dekning_maks_dager", _year_start(year))},
                "kollegial_over_grense")


def _refuse_overlap(*, liste: Pasientliste, fra: dt.date, til: dt.date, exclude_id: int | None = None) -> None:
    other = (Dekning.objects.filter(pasientliste=liste, fra__lt=til, til__gt=fra).exclude(pk=exclude_id or 0)
             .order_by("fra").first())
    if other is not None:
        raise _error("fra", _("Listen har allerede dekning registrert %(fra)s–%(til)s (%(type)s), som overlapper perioden.") % {
            "fra": _fmt(other.fra), "til": _fmt(other.til - dt.timedelta(days=1)), "type": other.get_type_display().lower()},
            "overlapp")


def _lock_liste(liste: Pasientliste) -> None:
    Pasientliste.objects.select_for_update().filter(pk=liste.pk).values_list("pk", flat=True).first()


def _validate_dekning_period(liste: Pasientliste, fra: dt.date | None, til: dt.date | None) -> None:
    if fra is None:
        raise _error("fra", _("Oppgi første dag med dekning."), "mangler")
    if til is None:
        raise _error("til", _("Oppgi første dag uten dekning."), "mangler")
    check_range(fra, "fra")
    check_range(til, "til")
    if til <= fra:
        raise _error("til", _("Perioden må slutte etter at den begynner."), "periode")
    if fra < liste.gyldig_fra or (liste.gyldig_til and til > liste.gyldig_til):
        raise _error("fra", _("Perioden må ligge innenfor listens gyldighet."), "liste_ikke_gyldig")


DEKNING_FIELDS = {"dekning_no_overlap": "fra", "dekning_periode_ordered": "til"}


def add_dekning(*, liste: Pasientliste, type: str, fra: dt.date, til: dt.date, leger: str = "", merknad: str = "") -> Dekning:
    """Cover of the list by colleagues (kollegial fraværsdekning, at most eight weeks a calendar year,
    not registered as vikar use) or by other GPs at the office, for [fra, til). No two cover periods
    overlap on a list."""
    if type not in Dekningstype.values:
        raise _error("type", _("Velg type dekning."), "ugyldig")
    _validate_dekning_period(liste, fra, til)
    dekning = Dekning(kommune_id=liste.kommune_id, pasientliste=liste, type=type, fra=fra, til=til,
                      leger=(leger or "").strip(), merknad=(merknad or "").strip())
    with transaction.atomic():
        _lock_liste(liste)
        _refuse_overlap(liste=liste, fra=fra, til=til)
        if type == Dekningstype.KOLLEGIAL:
            _check_kollegial_limit(liste=liste, fra=fra, til=til)
        return save_new(dekning, fields=DEKNING_FIELDS)


def end_dekning(*, dekning: Dekning, expected_version: int, til: dt.date) -> Dekning:
    """Move the cover's end (shorten or extend it; an extension is checked like a new period)."""
    liste = Pasientliste.objects.get(pk=dekning.pasientliste_id)
    _validate_dekning_period(liste, dekning.fra, til)
    with transaction.atomic():
        _lock_liste(liste)
        _refuse_overlap(liste=liste, fra=dekning.fra, til=til, exclude_id=dekning.pk)
        if dekning.type == Dekningstype.KOLLEGIAL:
            _check_kollegial_limit(liste=liste, fra=dekning.fra, til=til, exclude_id=dekning.pk)
        try:
            return update_versioned(dekning, expected_version=expected_version, changes={"til": til})
        except IntegrityError as exc:  # pragma: no cover - update_versioned translates
            raise translate(exc, Dekning, fields=DEKNING_FIELDS) from exc


def delete_dekning(*, dekning: Dekning, expected_version: int) -> None:
    delete_versioned(dekning, expected_version=expected_version)


# --- registrations ----------------------------------------------------------------------------------

def ready() -> None:
    """Registrations (jobs, panels, deadline sources, doctor-page sections) made from ListerConfig.ready()."""
    from kommune import frister
    from lister import sak_selectors

    for source in sak_selectors.FRIST_SOURCES:
        frister.register(source)
