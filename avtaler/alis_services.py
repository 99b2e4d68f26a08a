"""Writes about ALIS-avtaler (allmennlege i spesialisering), on Helsedirektoratets mandatory
template, with the rules of the specialisation and the grant scheme applied. Every refusal is a
field error that names the rule (kommune.regler); nothing is saved when a rule refuses.

- The parties are the kommune and the ALIS; the avtale rests on an underlying relationship
  (fastlegeavtale, vikar period, introduksjonsavtale or another municipal post) that must run on
  the start date, and it ends by itself when that ends (the end is derived: alis_selectors.opphorer).
- At least 50 % stilling; valid from the signing date (the start may not be earlier).
- The veileder is a specialist in allmennmedisin, unless Helsedirektoratet's exemption is recorded.

Pages, the API and tasks call these.
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from avtaler import alis_selectors
from avtaler.models import (
    Alisavtale,
    AlisElement,
    AlisElementtype,
    AlisFinansiering,
    AlisFravaer,
    AlisRelasjon,
    AlisSats,
    AlisSluttarsak,
    AlisTjeneste,
    AlisVeiledning,
    Fastlegeavtale,
    Fravaerstype,
    Introduksjonsavtale,
    Tilskuddsstatus,
    Tjenestetype,
)
from avtaler.services import effective_end
from core.concurrency import update_versioned
from core.constraints import full_clean, save_new, translate
from core.exceptions import StaleVersion
from kommune import regler
from kommune.models import Kommune, Lege
from lister.models import Legeperiode, Rolle


def _fmt(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


# Constraint -> the field its error belongs on. The stillingsprosent constraints are left out: their
# messages contain a bare "%", which Django's message formatting cannot take (the services check
# the range first, with the dated rule).
AVTALE_CONSTRAINT_FIELDS = {
    "alisavtale_no_overlap_same_doctor": "lege",
    "alisavtale_start_after_signing": "startdato",
    "alisavtale_periode_ordered": "sluttdato",
    "alisavtale_sluttarsak_with_end": "sluttarsak",
    "alisavtale_relasjon_linked": "relasjon",
    "alisavtale_avslag_has_date": "tilskudd_avslatt",
}

# The fields `update_alisavtale` may change (the doctor and the end have their own paths).
AVTALE_FIELDS = frozenset({
    "relasjon", "fastlegeavtale", "vikarperiode", "introduksjonsavtale", "stilling", "stilling_til", "arbeidssted",
    "stillingsprosent", "signert", "startdato", "veileder", "veileder_unntak", "vikarbyra", "tilskuddsstatus",
    "tilskudd_avslatt", "utdanningsplan",
})

RELATION_FIELDS = {
    AlisRelasjon.FASTLEGE: "fastlegeavtale",
    AlisRelasjon.VIKAR: "vikarperiode",
    AlisRelasjon.INTRODUKSJONSLEGE: "introduksjonsavtale",
}


# --- the rules of the avtale ---------------------------------------------------------------------

def _check_stillingsprosent(value: Any, on: dt.date, field: str = "stillingsprosent") -> int:
    low = regler.verdi("alis_stillingsprosent_min", on)
    source = regler.kilde("alis_stillingsprosent_min", on)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _error(field, _("Oppgi stillingsprosenten som et helt tall mellom %(min)d og 100.") % {"min": low}, "ugyldig")
    if value < low:
        raise _error(field, _(
            "En ALIS-avtale må gjelde minst %(min)d %% stilling (%(kilde)s).") % {"min": low, "kilde": source}, "under_minimum")
    if value > 100:
        raise _error(field, _("Stillingsprosenten kan ikke være over 100."), "over_100")
    return value


def _visible(lege: Lege | None) -> bool:
    return lege is not None and lege.pk is not None and Lege.objects.filter(pk=lege.pk).exists()


def _running(fra: dt.date, til: dt.date | None, day: dt.date) -> bool:
    return fra <= day and (til is None or day < til)


def _check_relation(data: dict[str, Any], lege: Lege, kommune_id: int) -> None:
    """The underlying relationship matches `relasjon`, belongs to this doctor and kommune, and runs
    on the start date (the ALIS-avtale ends when it ends: Helsedirektoratets mal)."""
    relasjon = data["relasjon"]
    start = data["startdato"]
    source = regler.ALIS_MAL
    if relasjon not in AlisRelasjon.values:
        raise _error("relasjon", _("Velg tilknytning: fastlege, fastlegevikar, introduksjonslege eller annen kommunal lege."), "ugyldig")
    own = RELATION_FIELDS.get(relasjon)
    for other in RELATION_FIELDS.values():
        if other != own and data.get(other) is not None:
            raise _error(other, _("Feltet gjelder ikke for tilknytningen «%(relasjon)s».") % {
                "relasjon": AlisRelasjon(relasjon).label}, "gjelder_ikke_tilknytning")
    if relasjon == AlisRelasjon.FASTLEGE:
        avtale: Fastlegeavtale | None = data.get("fastlegeavtale")
        if avtale is None:
            raise _error("fastlegeavtale", _("Velg legens fastlegeavtale (%(kilde)s).") % {"kilde": source}, "relasjon_mangler")
        if avtale.kommune_id != kommune_id or avtale.lege_id != lege.pk:
            raise _error("fastlegeavtale", _("Fastlegeavtalen er ikke ALIS-legens."), "annen_lege")
        if not avtale.signert:
            raise _error("fastlegeavtale", _("Fastlegeavtalen er ikke signert."), "ikke_signert")
        end = effective_end(avtale)
        if not _running(avtale.startdato, end, start):
            raise _error("startdato", _(
                "Fastlegeavtalen gjelder ikke på startdatoen (den gjelder %(fra)s–%(til)s); ALIS-avtalen bygger på den og "
                "opphører med den (%(kilde)s).") % {"fra": _fmt(avtale.startdato), "til": _fmt(end), "kilde": source},
                "relasjon_ikke_lopende")
    elif relasjon == AlisRelasjon.VIKAR:
        periode: Legeperiode | None = data.get("vikarperiode")
        if periode is None:
            raise _error("vikarperiode", _("Velg legens vikarperiode (%(kilde)s).") % {"kilde": source}, "relasjon_mangler")
        if periode.kommune_id != kommune_id or periode.lege_id != lege.pk or periode.rolle != Rolle.VIKAR:
            raise _error("vikarperiode", _("Perioden er ikke en vikarperiode for ALIS-legen."), "annen_lege")
        if not _running(periode.fra, periode.til, start):
            raise _error("startdato", _(
                "Vikariatet gjelder ikke på startdatoen; ALIS-avtalen bygger på det og opphører med det (%(kilde)s).") % {
                "kilde": source}, "relasjon_ikke_lopende")
    elif relasjon == AlisRelasjon.INTRODUKSJONSLEGE:
        intro: Introduksjonsavtale | None = data.get("introduksjonsavtale")
        if intro is None:
            raise _error("introduksjonsavtale", _("Velg legens introduksjonsavtale (%(kilde)s).") % {"kilde": source},
                         "relasjon_mangler")
        if intro.kommune_id != kommune_id or intro.lege_id != lege.pk:
            raise _error("introduksjonsavtale", _("Introduksjonsavtalen er ikke ALIS-legens."), "annen_lege")
        if not _running(intro.startdato, intro.sluttdato, start):
            raise _error("startdato", _(
                "Introduksjonsavtalen gjelder ikke på startdatoen; ALIS-avtalen bygger på den og opphører med den "
                "(%(kilde)s).") % {"kilde": source}, "relasjon_ikke_lopende")
    else:
        if not (data.get("stilling") or "").strip():
            raise _error("stilling", _("Oppgi stillingen legen har i kommunen (%(kilde)s).") % {"kilde": source}, "relasjon_mangler")
        if data.get("stilling_til") is not None and data["stilling_til"] <= start:
            raise _error("stilling_til", _("Stillingen må opphøre etter startdatoen."), "periode")
    if relasjon != AlisRelasjon.ANNEN and data.get("stilling_til") is not None:
        raise _error("stilling_til", _("Gjelder bare annen kommunal lege: slutten følger det underliggende forholdet."),
                     "gjelder_ikke_tilknytning")


def _check_veileder(data: dict[str, Any], lege: Lege, day: dt.date) -> None:
    veileder: Lege | None = data.get("veileder")
    if veileder is None:
        return
    if veileder.pk == lege.pk:
        raise _error("veileder", _("ALIS-legen kan ikke være sin egen veileder."), "egen_veileder")
    if not _visible(veileder):
        raise _error("veileder", _("Veilederen er ikke registrert i kommunen."), "ukjent_lege")
    specialist = veileder.spesialist_allmennmedisin_fra is not None and veileder.spesialist_allmennmedisin_fra <= day
    if not specialist and not (data.get("veileder_unntak") or "").strip():
        raise _error("veileder", _(
            "Veilederen må være spesialist i allmennmedisin (%(dato)s), eller ha et midlertidig unntak fra Helsedirektoratet "
            "som registreres (spesialistforskriften § 25).") % {"dato": _fmt(day)}, "veileder_ikke_spesialist")


def _check_tilskudd(data: dict[str, Any], today: dt.date) -> None:
    status = data.get("tilskuddsstatus")
    if status not in Tilskuddsstatus.values:
        raise _error("tilskuddsstatus", _("Ugyldig tilskuddsstatus."), "ugyldig")
    avslatt = data.get("tilskudd_avslatt")
    if status == Tilskuddsstatus.AVSLATT:
        if avslatt is None:
            raise _error("tilskudd_avslatt", _("Oppgi når tilskuddet ble avslått; avtalen opphører da (%(kilde)s).") % {
                "kilde": regler.ALIS_MAL}, "avslag_uten_dato")
        if avslatt > today:
            raise _error("tilskudd_avslatt", _("Datoen kan ikke være i fremtiden."), "fremtidig_dato")
        if avslatt < data["signert"]:
            raise _error("tilskudd_avslatt", _("Avslaget kan ikke være før avtalen ble signert."), "for_tidlig")
    elif avslatt is not None:
        raise _error("tilskudd_avslatt", _("Avslagsdato gjelder bare når tilskuddet er avslått."), "ikke_avslatt")


def _validate(data: dict[str, Any], *, kommune_id: int, lege: Lege, veileder_day: dt.date) -> None:
    """The avtale's rules, in the order a person would fix them."""
    today = timezone.localdate()
    if not _visible(lege):
        raise _error("lege", _("Legen er ikke registrert i kommunen."), "ukjent_lege")
    signert, start = data.get("signert"), data.get("startdato")
    if not isinstance(signert, dt.date):
        raise _error("signert", _("Oppgi signeringsdatoen."), "pakrevd")
    if not isinstance(start, dt.date):
        raise _error("startdato", _("Oppgi startdatoen."), "pakrevd")
    if signert > today:
        raise _error("signert", _("Signeringsdatoen kan ikke være i fremtiden; avtalen gjelder fra den er signert."), "fremtidig_dato")
    if start < signert:
        raise _error("startdato", _(
            "Avtalen gjelder fra signering: startdatoen kan ikke være før signeringsdatoen %(dato)s, og tilskudd kan ikke "
            "kreves for tiden før (%(kilde)s).") % {"dato": _fmt(signert), "kilde": regler.ALIS_MAL}, "start_for_signering")
    _check_stillingsprosent(data.get("stillingsprosent"), start)
    if not (data.get("arbeidssted") or "").strip():
        raise _error("arbeidssted", _("Oppgi arbeidssted (%(kilde)s).") % {"kilde": regler.ALIS_MAL}, "pakrevd")
    if lege.spesialist_allmennmedisin_fra is not None and lege.spesialist_allmennmedisin_fra <= start:
        raise _error("lege", _(
            "Legen er spesialist i allmennmedisin fra %(dato)s; en ALIS-avtale gjelder leger under spesialisering "
            "(%(kilde)s).") % {"dato": _fmt(lege.spesialist_allmennmedisin_fra), "kilde": regler.ALIS_SPESIALISERING},
            "allerede_spesialist")
    _check_relation(data, lege, kommune_id)
    _check_veileder(data, lege, max(start, veileder_day) if veileder_day else start)
    _check_tilskudd(data, today)


def _check_eligible(avtale: Alisavtale) -> None:
    """An avtale that cannot give the grant cannot be recorded as applied for or granted."""
    if avtale.tilskuddsstatus in (Tilskuddsstatus.SOKT, Tilskuddsstatus.INNVILGET):
        berettiget, grunner = alis_selectors.tilskudd_berettiget(avtale)
        if not berettiget:
            raise _error("tilskuddsstatus", " ".join(grunner), "ikke_berettiget")


def _close_ended(*, lege: Lege, start: dt.date, exclude_pk: int | None = None) -> None:
    """Earlier ALIS-avtaler of the doctor that have ended by themselves (relationship ended, grant
    declined, five years reached) get that end recorded, so a new avtale can follow. One still
    running on `start` is left alone (the overlap is refused)."""
    rows = list(
        alis_selectors.alisavtale_list().select_for_update(of=("self",))
        .filter(lege=lege, startdato__lt=start).filter(Q(sluttdato__isnull=True) | Q(sluttdato__gt=start))
        .exclude(pk=exclude_pk or 0)
    )
    for avtale in rows:
        end, _grunn = alis_selectors.opphorer(avtale)
        if end is not None and end <= start and (avtale.sluttdato is None or end < avtale.sluttdato):
            Alisavtale.objects.filter(pk=avtale.pk).update(
                sluttdato=max(end, avtale.startdato + dt.timedelta(days=1)), sluttarsak=AlisSluttarsak.ANNET,
            )


def create_alisavtale(*, kommune: Kommune, lege: Lege, relasjon: str, arbeidssted: str, stillingsprosent: int,
                      signert: dt.date, startdato: dt.date | None = None, fastlegeavtale: Fastlegeavtale | None = None,
                      vikarperiode: Legeperiode | None = None, introduksjonsavtale: Introduksjonsavtale | None = None,
                      stilling: str = "", stilling_til: dt.date | None = None, veileder: Lege | None = None,
                      veileder_unntak: str = "", vikarbyra: bool = False, tilskuddsstatus: str = Tilskuddsstatus.IKKE_SOKT,
                      tilskudd_avslatt: dt.date | None = None, utdanningsplan: str = "") -> Alisavtale:
    """A new ALIS-avtale between the kommune and `lege`, valid from `signert` (the start defaults
    to it). Refused, with the rule named, when: under 50 % or over 100 %; starting before signing;
    the underlying relationship is not this doctor's or does not run on the start date; the veileder
    is not a specialist (without a recorded exemption) or is the ALIS; the doctor is already a
    specialist; the doctor has another ALIS-avtale in the kommune then."""
    data = {
        "relasjon": relasjon, "fastlegeavtale": fastlegeavtale, "vikarperiode": vikarperiode,
        "introduksjonsavtale": introduksjonsavtale, "stilling": (stilling or "").strip(), "stilling_til": stilling_til,
        "arbeidssted": (arbeidssted or "").strip(), "stillingsprosent": stillingsprosent, "signert": signert,
        "startdato": startdato or signert, "veileder": veileder, "veileder_unntak": (veileder_unntak or "").strip(),
        "vikarbyra": bool(vikarbyra), "tilskuddsstatus": tilskuddsstatus, "tilskudd_avslatt": tilskudd_avslatt,
        "utdanningsplan": (utdanningsplan or "").strip(),
    }
    if lege is None or getattr(lege, "pk", None) is None:
        raise _error("lege", _("Velg en lege som er registrert i kommunen."), "ukjent_lege")
    _validate(data, kommune_id=kommune.pk, lege=lege, veileder_day=data["startdato"])
    avtale = Alisavtale(kommune=kommune, lege=lege, **data)
    _check_eligible(avtale)
    with transaction.atomic():
        _close_ended(lege=lege, start=data["startdato"])
        return save_new(avtale, fields=AVTALE_CONSTRAINT_FIELDS)


def _save_changes(instance, *, expected_version: int, changes: dict[str, Any], fields: dict[str, str]):
    """Validate (constraint errors on their fields), then the versioned write; a constraint broken
    by a concurrent writer gets the same field error."""
    original = {name: getattr(instance, name) for name in changes}
    for name, value in changes.items():
        setattr(instance, name, value)
    try:
        full_clean(instance, fields=fields)
    finally:
        for name, value in original.items():
            setattr(instance, name, value)
    try:
        with transaction.atomic():
            return update_versioned(instance, expected_version=expected_version, changes=changes)
    except ValidationError as exc:
        cause = exc.__cause__
        if isinstance(cause, IntegrityError):
            raise translate(cause, type(instance), fields=fields) from cause
        raise


def update_alisavtale(*, avtale: Alisavtale, expected_version: int, **changes) -> Alisavtale:
    """Change the avtale's terms; every rule of `create_alisavtale` is checked again on the result.
    A new veileder must be a specialist on the day they take over (today, or the start if later).
    The doctor cannot change; the end is recorded with `end_alisavtale`."""
    unknown = set(changes) - AVTALE_FIELDS
    if unknown:
        raise ValidationError({field: _("Dette feltet kan ikke endres.") for field in sorted(unknown)})
    for text in ("stilling", "arbeidssted", "veileder_unntak", "utdanningsplan"):
        if text in changes:
            changes[text] = (changes[text] or "").strip()
    if "relasjon" in changes and changes["relasjon"] != avtale.relasjon:  # a new relationship replaces the old link
        for name in RELATION_FIELDS.values():
            changes.setdefault(name, None)
        if changes["relasjon"] != AlisRelasjon.ANNEN:
            changes.setdefault("stilling_til", None)
    data = {name: getattr(avtale, name) for name in AVTALE_FIELDS} | changes
    veileder_changed = "veileder" in changes and (changes["veileder"] and changes["veileder"].pk) != avtale.veileder_id
    _validate(data, kommune_id=avtale.kommune_id, lege=avtale.lege,
              veileder_day=timezone.localdate() if veileder_changed else data["startdato"])
    probe = copy.copy(avtale)
    for name, value in changes.items():
        setattr(probe, name, value)
    _check_eligible(probe)
    if avtale.versjon != expected_version:
        raise StaleVersion()
    with transaction.atomic():
        if "startdato" in changes:
            _close_ended(lege=avtale.lege, start=data["startdato"], exclude_pk=avtale.pk)
        return _save_changes(avtale, expected_version=expected_version, changes=changes, fields=AVTALE_CONSTRAINT_FIELDS)


def end_alisavtale(*, avtale: Alisavtale, expected_version: int, sluttdato: dt.date, sluttarsak: str) -> Alisavtale:
    """Record the avtale's end (first day it no longer applies) and why. It cannot end later than
    it would by itself (relationship, grant, five years); elements running past the end are ended."""
    if sluttarsak not in AlisSluttarsak.values:
        raise _error("sluttarsak", _("Velg sluttårsak."), "ugyldig")
    if not isinstance(sluttdato, dt.date):
        raise _error("sluttdato", _("Oppgi datoen avtalen opphører."), "pakrevd")
    if sluttdato <= avtale.startdato:
        raise _error("sluttdato", _("Avtalen må opphøre etter startdatoen %(dato)s.") % {"dato": _fmt(avtale.startdato)}, "periode")
    recorded, avtale.sluttdato = avtale.sluttdato, None  # the end it would have by itself
    try:
        end, grunn = alis_selectors.opphorer(avtale, fravaer=list(alis_selectors.fravaer_for(avtale=avtale)))
    finally:
        avtale.sluttdato = recorded
    if end is not None and sluttdato > end:
        raise _error("sluttdato", _(
            "Avtalen opphører allerede %(dato)s (%(grunn)s); den kan ikke avsluttes senere.") % {
            "dato": _fmt(end), "grunn": alis_selectors.opphorsgrunn_tekst(grunn).lower()}, "etter_opphor")
    with transaction.atomic():
        updated = _save_changes(avtale, expected_version=expected_version,
                                changes={"sluttdato": sluttdato, "sluttarsak": sluttarsak}, fields=AVTALE_CONSTRAINT_FIELDS)
        for element in AlisElement.objects.filter(avtale=updated, fra__lt=sluttdato).filter(Q(til__isnull=True) | Q(til__gt=sluttdato)):
            update_versioned(element, expected_version=element.versjon, changes={"til": sluttdato})
    return updated


def record_tilskudd(*, avtale: Alisavtale, expected_version: int, tilskuddsstatus: str,
                    tilskudd_avslatt: dt.date | None = None) -> Alisavtale:
    """Record the grant's status (Nasjonal ALIS og veiledning). A declined grant ends the avtale on
    that date (Helsedirektoratets mal). An avtale that cannot give the grant (vikarbyrå, a vikariat
    of three months or less) cannot be recorded as applied for or granted."""
    data = {"tilskuddsstatus": tilskuddsstatus, "tilskudd_avslatt": tilskudd_avslatt, "signert": avtale.signert}
    _check_tilskudd(data, timezone.localdate())
    probe = copy.copy(avtale)
    probe.tilskuddsstatus, probe.tilskudd_avslatt = tilskuddsstatus, tilskudd_avslatt
    _check_eligible(probe)
    return _save_changes(avtale, expected_version=expected_version,
                         changes={"tilskuddsstatus": tilskuddsstatus, "tilskudd_avslatt": tilskudd_avslatt},
                         fields=AVTALE_CONSTRAINT_FIELDS)


# --- within the avtale: elements, absence, service, supervision -------------------------------------

def _end_of(avtale: Alisavtale) -> dt.date | None:
    end, _grunn = alis_selectors.opphorer(avtale, fravaer=list(alis_selectors.fravaer_for(avtale=avtale)))
    return end


def _check_period(avtale: Alisavtale, fra: Any, til: Any, *, open_end: bool = False, before_start: bool = False) -> None:
    if not isinstance(fra, dt.date):
        raise _error("fra", _("Oppgi fra-dato."), "pakrevd")
    if til is None and not open_end:
        raise _error("til", _("Oppgi datoen perioden opphører."), "pakrevd")
    if til is not None and (not isinstance(til, dt.date) or til <= fra):
        raise _error("til", _("Perioden må slutte etter at den begynner."), "periode")
    if not before_start and fra < avtale.startdato:
        raise _error("fra", _("Perioden kan ikke begynne før avtalen (%(dato)s).") % {"dato": _fmt(avtale.startdato)}, "for_tidlig")
    end = _end_of(avtale)
    if end is not None and fra >= end:
        raise _error("fra", _("Avtalen opphører %(dato)s; perioden må begynne før det.") % {"dato": _fmt(end)}, "etter_opphor")


ELEMENT_FIELDS = {"aliselement_no_overlap_same_element": "fra", "aliselement_periode_ordered": "til"}


def add_alis_element(*, avtale: Alisavtale, element: str, finansiering: str, fra: dt.date, til: dt.date | None = None,
                     beskrivelse: str = "") -> AlisElement:
    """An element of the avtale (the template's standard elements with state grant, additional
    elements, elements the kommune pays), from `fra` (not before the avtale) until `til`."""
    if element not in AlisElementtype.values:
        raise _error("element", _("Velg element."), "ugyldig")
    if finansiering not in AlisFinansiering.values:
        raise _error("finansiering", _("Velg finansiering."), "ugyldig")
    _check_period(avtale, fra, til, open_end=True)
    return save_new(AlisElement(
        kommune_id=avtale.kommune_id, avtale=avtale, element=element, finansiering=finansiering, fra=fra, til=til,
        beskrivelse=(beskrivelse or "").strip(),
    ), fields=ELEMENT_FIELDS)


def end_alis_element(*, element: AlisElement, expected_version: int, til: dt.date) -> AlisElement:
    if not isinstance(til, dt.date) or til <= element.fra:
        raise _error("til", _("Elementet må opphøre etter at det begynner (%(dato)s).") % {"dato": _fmt(element.fra)}, "periode")
    return _save_changes(element, expected_version=expected_version, changes={"til": til}, fields=ELEMENT_FIELDS)


def add_alis_fravaer(*, avtale: Alisavtale, type: str, fra: dt.date, til: dt.date) -> AlisFravaer:
    """Lawful absence (parental leave, sickness, other statutory leave, military service): it
    extends the five-year limit day for day (Helsedirektoratets mal)."""
    if type not in Fravaerstype.values:
        raise _error("type", _("Velg fraværstype."), "ugyldig")
    _check_period(avtale, fra, til)
    return save_new(AlisFravaer(kommune_id=avtale.kommune_id, avtale=avtale, type=type, fra=fra, til=til),
                    fields={"alisfravaer_no_overlap": "fra", "alisfravaer_periode_ordered": "til"})


def delete_alis_fravaer(*, fravaer: AlisFravaer) -> None:
    fravaer.delete()


def add_alis_tjeneste(*, avtale: Alisavtale, type: str, sted: str, stillingsprosent: int, fra: dt.date, til: dt.date,
                      utenfor_kommunen: bool = False) -> AlisTjeneste:
    """Service time towards the specialisation, by kind, at a stillingsprosent of at least 50 %.
    Earlier service (before the avtale) may be recorded; institutional service outside the kommune
    is not covered by the avtale (no grant for that time)."""
    if type not in Tjenestetype.values:
        raise _error("type", _("Velg tjenestetype."), "ugyldig")
    if not (sted or "").strip():
        raise _error("sted", _("Oppgi tjenestested."), "pakrevd")
    if isinstance(fra, dt.date):
        _check_stillingsprosent(stillingsprosent, fra)
    _check_period(avtale, fra, til, before_start=True)
    return save_new(AlisTjeneste(
        kommune_id=avtale.kommune_id, avtale=avtale, type=type, sted=sted.strip(), stillingsprosent=stillingsprosent,
        fra=fra, til=til, utenfor_kommunen=bool(utenfor_kommunen),
    ), fields={"alistjeneste_no_overlap": "fra", "alistjeneste_periode_ordered": "til"})


def _hours(value: Any, field: str) -> Decimal:
    try:
        hours = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise _error(field, _("Oppgi timer som et tall."), "ugyldig") from None
    if not hours.is_finite() or hours < 0 or hours > 200:
        raise _error(field, _("Timene må være mellom 0 og 200."), "ugyldig")
    return hours


def record_veiledning(*, avtale: Alisavtale, maned: dt.date, individuelle_timer: Any, gruppetimer: Any, merknad: str = "",
                      expected_version: int | None = None) -> AlisVeiledning:
    """The supervision hours of one month (individual with the veileder, and group). The month is
    given by its first day, may not be in the future and must lie inside the avtale. A month
    already recorded is updated (with `expected_version`, optimistic concurrency)."""
    if not isinstance(maned, dt.date) or maned.day != 1:
        raise _error("maned", _("Måneden angis med den første dagen i måneden."), "ikke_forste")
    today = timezone.localdate()
    if maned > today:
        raise _error("maned", _("Måneden kan ikke være i fremtiden."), "fremtidig_dato")
    if maned < alis_selectors.month_start(avtale.startdato):
        raise _error("maned", _("Måneden er før avtalen begynte (%(dato)s).") % {"dato": _fmt(avtale.startdato)}, "for_tidlig")
    end = _end_of(avtale)
    if end is not None and maned >= end:
        raise _error("maned", _("Avtalen opphørte %(dato)s.") % {"dato": _fmt(end)}, "etter_opphor")
    changes = {
        "individuelle_timer": _hours(individuelle_timer, "individuelle_timer"),
        "gruppetimer": _hours(gruppetimer, "gruppetimer"),
        "merknad": (merknad or "").strip(),
    }
    fields = {"alisveiledning_one_per_month": "maned", "alisveiledning_first_of_month": "maned"}
    existing = AlisVeiledning.objects.filter(avtale=avtale, maned=maned).first()
    if existing is None:
        if expected_version is not None:
            raise StaleVersion()
        try:
            return save_new(AlisVeiledning(kommune_id=avtale.kommune_id, avtale=avtale, maned=maned, **changes), fields=fields)
        except ValidationError as exc:
            if "maned" in getattr(exc, "error_dict", {}) and AlisVeiledning.objects.filter(avtale=avtale, maned=maned).exists():
                raise StaleVersion() from exc  # recorded concurrently: reload and try again
            raise
    version = existing.versjon if expected_version is None else expected_version
    return _save_changes(existing, expected_version=version, changes=changes, fields=fields)


# --- the kommune's table of grant rates -------------------------------------------------------------

SATS_FIELDS = frozenset({"element", "relasjon", "gyldig_fra", "manedsbelop", "kilde"})


def _check_sats(data: dict[str, Any]) -> None:
    if data.get("element") not in AlisElementtype.values:
        raise _error("element", _("Velg element."), "ugyldig")
    if data.get("relasjon") not in ("", *AlisRelasjon.values):
        raise _error("relasjon", _("Velg tilknytning, eller la feltet stå tomt for alle."), "ugyldig")
    if not isinstance(data.get("gyldig_fra"), dt.date):
        raise _error("gyldig_fra", _("Oppgi datoen satsen gjelder fra."), "pakrevd")
    try:
        belop = Decimal(str(data.get("manedsbelop")))
    except (InvalidOperation, ValueError):
        raise _error("manedsbelop", _("Oppgi beløpet som et tall."), "ugyldig") from None
    if not belop.is_finite() or belop < 0:
        raise _error("manedsbelop", _("Beløpet kan ikke være negativt."), "ugyldig")
    data["manedsbelop"] = belop


def create_alis_sats(*, kommune: Kommune, element: str, gyldig_fra: dt.date, manedsbelop: Any, relasjon: str = "",
                     kilde: str = "") -> AlisSats:
    """A grant rate in the kommune's table: the monthly amount at full time for an element from a
    date, for one kind of relationship or (blank) all."""
    data = {"element": element, "relasjon": relasjon or "", "gyldig_fra": gyldig_fra, "manedsbelop": manedsbelop,
            "kilde": (kilde or "").strip()}
    _check_sats(data)
    return save_new(AlisSats(kommune=kommune, **data), fields={"alissats_unique_from": "gyldig_fra"})


def update_alis_sats(*, sats: AlisSats, expected_version: int, **changes) -> AlisSats:
    unknown = set(changes) - SATS_FIELDS
    if unknown:
        raise ValidationError({field: _("Dette feltet kan ikke endres.") for field in sorted(unknown)})
    if "relasjon" in changes:
        changes["relasjon"] = changes["relasjon"] or ""
    if "kilde" in changes:
        changes["kilde"] = (changes["kilde"] or "").strip()
    data = {name: getattr(sats, name) for name in SATS_FIELDS} | changes
    _check_sats(data)
    if "manedsbelop" in changes:
        changes["manedsbelop"] = data["manedsbelop"]
    return _save_changes(sats, expected_version=expected_version, changes=changes, fields={"alissats_unique_from": "gyldig_fra"})
