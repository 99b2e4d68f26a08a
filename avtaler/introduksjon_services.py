"""Writes about introduksjonsavtaler (introduction agreements in allmennmedisin).

An introduksjonsavtale lets a doctor in specialisation in allmennmedisin (the introduksjonslege)
work alongside fastleger with listeansvar at one office, both with trygderefusjon
(trygderefusjonsforskriften, changed 1 January 2022). The kommune applies to Helsedirektoratet,
which approves a limited number of avtaler nationally; then the kommune makes the avtale with the
chosen fastleger and the introduksjonslege, agreeing the cost sharing and whether the
introduksjonslege is fastlønnet or næringsdrivende.

Rules (every refusal names its source):
- at least one participating fastlege; each participating fastlegeavtale belongs to the kommune,
  is signed, runs during the avtale's period and is on a list at the avtale's legekontor (the
  introduksjonslege works alongside the fastleger at that office and consults on their lists);
- the introduksjonslege is not one of the participating fastleger, and not already a spesialist
  i allmennmedisin (the scheme is for doctors in specialisation);
- the period is ordered; its default length is the rule `introduksjonsavtale_varighet_maneder`;
- Helsedirektoratet's approval precedes the avtale (not after the start), and the avtale is signed
  after the approval, never in the future;
- one introduksjonsavtale per doctor at a time in the kommune (a database exclusion constraint).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from avtaler.models import Fastlegeavtale, Introduksjonsavtale, IntroduksjonsFastlege, Introduksjonsform
from avtaler.services import effective_end
from core.concurrency import update_versioned
from core.constraints import remap_constraint_errors, save_new
from core.dates import add_months
from kommune import regler
from kommune.models import Kommune, Lege
from lister.models import Legekontor

# The scheme's source, cited in the refusals that have no dated parameter in kommune.regler.
INTRODUKSJON_KILDE = (
    "trygderefusjonsforskriften (endret 1. januar 2022) og Helsedirektoratets ordning for introduksjonsavtaler "
    "i allmennmedisin"
)
CONSTRAINT_FIELDS = {
    "introduksjonsavtale_no_overlap_same_doctor": "lege",
    "introduksjonsavtale_periode_ordered": "sluttdato",
    "introduksjonsavtale_godkjenning_required": "godkjenning_referanse",
}
UPDATE_FIELDS = frozenset({
    "legekontor", "godkjenning_referanse", "godkjent_dato", "tilknytning", "kostnadsfordeling", "startdato", "sluttdato",
    "signert", "fastlegeavtaler",
})


def _fmt(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def default_sluttdato(startdato: dt.date) -> dt.date:
    """The default end (first day it no longer applies): the start plus the rule's number of months."""
    try:
        return add_months(startdato, regler.verdi("introduksjonsavtale_varighet_maneder", startdato))
    except ValueError:  # past the calendar's end (year 9999)
        raise _error("startdato", _("Oppgi en startdato og en sluttdato."), "ugyldig_dato") from None


def _participants(kommune: Kommune, fastlegeavtaler: Iterable[Fastlegeavtale | int]) -> list[Fastlegeavtale]:
    """The participating fastlegeavtaler, looked up in the kommune in scope (with the doctor and the
    list, for the checks), in the order given, without duplicates."""
    ids = list(dict.fromkeys(a.pk if isinstance(a, Fastlegeavtale) else int(a) for a in fastlegeavtaler))
    found = {
        a.pk: a for a in Fastlegeavtale.objects.select_related("lege", "pasientliste__legekontor").filter(pk__in=ids)
    }
    missing = [pk for pk in ids if pk not in found or found[pk].kommune_id != kommune.pk]
    if missing:
        raise _error("fastlegeavtaler", _("Ukjent fastlegeavtale: %(ids)s.") % {"ids": ", ".join(map(str, missing))},
                     "ukjent_fastlegeavtale")
    return [found[pk] for pk in ids]


def _validate(*, kommune: Kommune, lege: Lege, legekontor: Legekontor, godkjenning_referanse: str, tilknytning: str,
              kostnadsfordeling: str, startdato: dt.date, sluttdato: dt.date, godkjent_dato: dt.date | None,
              signert: dt.date | None, fastleger: list[Fastlegeavtale]) -> None:
    """Every rule of the avtale as it would be stored (new or changed)."""
    kilde = INTRODUKSJON_KILDE
    if tilknytning not in Introduksjonsform.values:
        raise _error("tilknytning", _("Velg om introduksjonslegen er fastlønnet eller næringsdrivende."), "ugyldig")
    if not godkjenning_referanse.strip():
        raise _error("godkjenning_referanse", _(
            "Oppgi referansen til Helsedirektoratets godkjenning: kommunen må søke Helsedirektoratet, som tildeler "
            "introduksjonsavtalene (%(kilde)s).") % {"kilde": kilde}, "godkjenning_mangler")
    if not kostnadsfordeling.strip():
        raise _error("kostnadsfordeling", _(
            "Beskriv hvordan kostnadene deles: partene avtaler kostnadsfordelingen (%(kilde)s).") % {"kilde": kilde},
            "kostnadsfordeling_mangler")
    if legekontor.kommune_id != kommune.pk:
        raise _error("legekontor", _("Ukjent legekontor."), "ukjent_legekontor")
    if sluttdato <= startdato:
        raise _error("sluttdato", _("Avtalen må opphøre etter startdatoen."), "periode")
    today = timezone.localdate()
    if godkjent_dato is not None:
        if godkjent_dato > startdato:
            raise _error("godkjent_dato", _(
                "Helsedirektoratets godkjenning må foreligge før avtalen begynner: godkjent %(godkjent)s, men avtalen "
                "begynner %(start)s (%(kilde)s).") % {"godkjent": _fmt(godkjent_dato), "start": _fmt(startdato), "kilde": kilde},
                "godkjent_etter_start")
        if godkjent_dato > today:
            raise _error("godkjent_dato", _("Godkjenningsdatoen kan ikke være i fremtiden."), "fremtidig_dato")
    if signert is not None:
        if signert > today:
            raise _error("signert", _("Signeringsdatoen kan ikke være i fremtiden."), "fremtidig_dato")
        if godkjent_dato is not None and signert < godkjent_dato:
            raise _error("signert", _(
                "Avtalen inngås etter at Helsedirektoratet har godkjent den (godkjent %(godkjent)s; %(kilde)s).") % {
                    "godkjent": _fmt(godkjent_dato), "kilde": kilde}, "signert_for_godkjenning")
    spesialist = lege.spesialist_allmennmedisin_fra
    if spesialist is not None and spesialist <= startdato:
        raise _error("lege", _(
            "%(lege)s er spesialist i allmennmedisin fra %(dato)s. En introduksjonsavtale er for leger under "
            "spesialisering i allmennmedisin, som trenger åpen uselektert praksis (%(kilde)s).") % {
                "lege": lege.navn, "dato": _fmt(spesialist), "kilde": kilde}, "allerede_spesialist")
    if not fastleger:
        raise _error("fastlegeavtaler", _(
            "Velg minst én deltakende fastlege: introduksjonslegen arbeider parallelt med fastleger som har "
            "listeansvar ved legekontoret (%(kilde)s).") % {"kilde": kilde}, "ingen_fastleger")
    for avtale in fastleger:
        navn = avtale.lege.navn
        if avtale.lege_id == lege.pk:
            raise _error("fastlegeavtaler", _(
                "Introduksjonslegen kan ikke selv være en av de deltakende fastlegene: introduksjonslegen arbeider ved "
                "siden av fastlegene på deres lister (%(kilde)s).") % {"kilde": kilde}, "introduksjonslege_er_fastlege")
        if avtale.signert is None:
            raise _error("fastlegeavtaler", _(
                "Fastlegeavtalen med %(lege)s er ikke signert: bare fastleger med listeansvar kan delta (%(kilde)s).") % {
                    "lege": navn, "kilde": kilde}, "fastlegeavtale_ikke_signert")
        ends = effective_end(avtale)
        if not (avtale.startdato < sluttdato and ends > startdato):
            raise _error("fastlegeavtaler", _(
                "Fastlegeavtalen med %(lege)s løper ikke i avtaleperioden (den gjelder %(fra)s–%(til)s); fastlegen må ha "
                "listeansvar mens introduksjonslegen arbeider ved siden av (%(kilde)s).") % {
                    "lege": navn, "fra": _fmt(avtale.startdato), "til": _fmt(ends), "kilde": kilde}, "fastlegeavtale_utenfor_perioden")
        if avtale.pasientliste.legekontor_id != legekontor.pk:
            raise _error("fastlegeavtaler", _(
                "%(lege)s har listen sin ved %(kontor)s, ikke ved %(valgt)s: introduksjonslegen arbeider ved siden av "
                "fastlegene ved ett legekontor og konsulterer på deres lister (%(kilde)s).") % {
                    "lege": navn, "kontor": avtale.pasientliste.legekontor.navn, "valgt": legekontor.navn, "kilde": kilde},
                "annet_legekontor")


def create_introduksjonsavtale(*, kommune: Kommune, lege: Lege, legekontor: Legekontor, godkjenning_referanse: str,
                               tilknytning: str, kostnadsfordeling: str, startdato: dt.date, sluttdato: dt.date | None = None,
                               godkjent_dato: dt.date | None = None, signert: dt.date | None = None,
                               fastlegeavtaler: Iterable[Fastlegeavtale | int] = ()) -> Introduksjonsavtale:
    """A new introduksjonsavtale with its participating fastleger. Without `sluttdato` it runs
    the rule's default length (`introduksjonsavtale_varighet_maneder`) from the start."""
    sluttdato = sluttdato or default_sluttdato(startdato)
    fastleger = _participants(kommune, fastlegeavtaler)
    godkjenning_referanse, kostnadsfordeling = godkjenning_referanse.strip(), kostnadsfordeling.strip()
    _validate(kommune=kommune, lege=lege, legekontor=legekontor, godkjenning_referanse=godkjenning_referanse,
              tilknytning=tilknytning, kostnadsfordeling=kostnadsfordeling, startdato=startdato, sluttdato=sluttdato,
              godkjent_dato=godkjent_dato, signert=signert, fastleger=fastleger)
    avtale = Introduksjonsavtale(
        kommune=kommune, lege=lege, legekontor=legekontor, godkjenning_referanse=godkjenning_referanse,
        godkjent_dato=godkjent_dato, tilknytning=tilknytning, kostnadsfordeling=kostnadsfordeling, startdato=startdato,
        sluttdato=sluttdato, signert=signert,
    )
    with transaction.atomic():
        save_new(avtale, fields=CONSTRAINT_FIELDS)
        IntroduksjonsFastlege.objects.bulk_create([
            IntroduksjonsFastlege(kommune_id=kommune.pk, introduksjonsavtale=avtale, fastlegeavtale=f) for f in fastleger
        ])
    return avtale


def update_introduksjonsavtale(*, avtale: Introduksjonsavtale, expected_version: int, **changes: Any) -> Introduksjonsavtale:
    """Change the avtale's terms, period or participants (`fastlegeavtaler` replaces them all).
    The doctor does not change: another doctor is another avtale. The rules are checked on the
    avtale as it would be after the change."""
    unknown = set(changes) - UPDATE_FIELDS
    if unknown:
        raise ValidationError({field: _("Dette feltet kan ikke endres.") for field in sorted(unknown)})
    kommune = avtale.kommune
    current = list(IntroduksjonsFastlege.objects.filter(introduksjonsavtale=avtale).values_list("fastlegeavtale_id", flat=True))
    new_ids = None
    if "fastlegeavtaler" in changes:
        fastleger = _participants(kommune, changes.pop("fastlegeavtaler") or [])
        new_ids = [f.pk for f in fastleger]
    else:
        fastleger = _participants(kommune, current)
    for text in ("godkjenning_referanse", "kostnadsfordeling"):
        if text in changes:
            changes[text] = (changes[text] or "").strip()
    if changes.get("sluttdato", avtale.sluttdato) is None:
        changes["sluttdato"] = default_sluttdato(changes.get("startdato", avtale.startdato))
    merged = {field: changes.get(field, getattr(avtale, field)) for field in UPDATE_FIELDS - {"fastlegeavtaler"}}
    _validate(kommune=kommune, lege=avtale.lege, fastleger=fastleger, **merged)
    participants_changed = new_ids is not None and set(new_ids) != set(current)
    changes = {field: value for field, value in changes.items() if getattr(avtale, field) != value}
    if participants_changed and not changes:
        changes["endret"] = timezone.now()  # the avtale's version moves with its participants
    with transaction.atomic():
        try:
            updated = update_versioned(avtale, expected_version=expected_version, changes=changes)
        except ValidationError as exc:
            raise remap_constraint_errors(exc, Introduksjonsavtale, CONSTRAINT_FIELDS) from exc
        if participants_changed:
            IntroduksjonsFastlege.objects.filter(introduksjonsavtale=avtale).exclude(fastlegeavtale_id__in=new_ids).delete()
            IntroduksjonsFastlege.objects.bulk_create([
                IntroduksjonsFastlege(kommune_id=avtale.kommune_id, introduksjonsavtale=avtale, fastlegeavtale_id=pk)
                for pk in new_ids if pk not in current
            ])
    return updated


def end_introduksjonsavtale(*, avtale: Introduksjonsavtale, expected_version: int, sluttdato: dt.date) -> Introduksjonsavtale:
    """End the avtale early: `sluttdato` is the first day it no longer applies, after the start and
    not later than the agreed end (a longer period is a change of the avtale)."""
    if sluttdato > avtale.sluttdato:
        raise _error("sluttdato", _(
            "Avtalen opphører allerede %(dato)s; en lengre periode registreres som en endring av avtalen.") % {
                "dato": _fmt(avtale.sluttdato)}, "ikke_avslutning")
    return update_introduksjonsavtale(avtale=avtale, expected_version=expected_version, sluttdato=sluttdato)
