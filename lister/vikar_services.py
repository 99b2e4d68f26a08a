"""Writes about vikarer: the kommune's vikar pool (doctors available as vikar, tied to the kommune or
through a vikarbyrå), their availability windows, and assigning a vikar to a list for a period.

Assigning goes through `lister.services.add_legeperiode` (role LPVI), which locks the doctor's row
and checks the engagement across kommuner (over 100 % needs a reason) and the § 4 exceptions of
kompetanseforskriften (beyond them needs the kommuneoverlege's justification), so two concurrent
assignments of one doctor see each other. Bad input is refused with a ValidationError naming the
field and the rule; nothing is saved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.concurrency import delete_versioned, update_versioned
from core.constraints import full_clean, save_new
from core.dates import check_range
from kommune.models import Kommune, Lege
from lister import services
from lister.models import (
    Legeperiode,
    Oppdragsgiver,
    Pasientliste,
    Rolle,
    Tilgjengelighet,
    Ukedag,
    Vikar,
    Vikartilknytning,
)

STILLINGSPROSENT_MIN, STILLINGSPROSENT_MAKS = 1, 100


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code)]})


def lege_in_scope(lege: Lege | int | None, *, field: str = "lege", required: bool = True) -> Lege | None:
    """The doctor as the kommune in scope sees it: a doctor the kommune has not registered (another
    kommune's, or none) is refused on `field` exactly like an unknown one."""
    if lege is None or lege == "":
        if required:
            raise _error(field, _("Velg en lege som er registrert i kommunen."), "required")
        return None
    pk = lege.pk if isinstance(lege, Lege) else lege
    try:
        return Lege.objects.get(pk=int(pk))
    except (Lege.DoesNotExist, TypeError, ValueError):
        raise _error(field, _("Ukjent lege: legen må være registrert i kommunen (Leger) før den kan brukes her."),
                     "ukjent_lege") from None


def validate_stillingsprosent(value, *, field: str = "stillingsprosent") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not STILLINGSPROSENT_MIN <= value <= STILLINGSPROSENT_MAKS:
        raise _error(field, _("Stillingsprosenten må være et helt tall fra 1 til 100."), "stillingsprosent_utenfor")
    return value


def _validate_period(fra: dt.date | None, til: dt.date | None, *, til_required: bool) -> None:
    if fra is None:
        raise _error("fra", _("Oppgi første dag i perioden."), "required")
    check_range(fra, "fra")
    check_range(til, "til")
    if til is None:
        if til_required:
            raise _error("til", _("Oppgi første dag perioden ikke gjelder (opphører): en vikaravtale gjelder for en "
                                  "bestemt periode, og Helfo trenger perioden."), "required")
        return
    if til <= fra:
        raise _error("til", _("Perioden må slutte etter at den begynner: «opphører» er første dag perioden ikke gjelder "
                              "og må være etter «fra»."), "periode_rekkefolge")


def _arbeidsdager(values: Iterable[int] | None) -> list[int]:
    days = set()
    for value in values or ():
        try:
            day = int(value)
        except (TypeError, ValueError):
            day = -1
        if day not in Ukedag.values:
            raise _error("arbeidsdager", _("Ukedager oppgis som 0–6 (0 = søndag, 1 = mandag … 6 = lørdag, som i "
                                           "Fastlegeregisteret)."), "ukedag_ugyldig")
        days.add(day)
    return sorted(days)


# --- the pool -------------------------------------------------------------------------------------

VIKAR_FIELDS = frozenset({"tilknytning", "vikarbyra", "merknad", "aktiv"})
VIKAR_CONSTRAINT_FIELDS = {"vikar_unique_per_kommune": "lege", "vikar_vikarbyra_iff_byra": "vikarbyra"}


def _validate_tilknytning(tilknytning: str, vikarbyra: str) -> None:
    if tilknytning not in Vikartilknytning.values:
        raise _error("tilknytning", _("Velg tilknytning: knyttet til kommunen eller gjennom vikarbyrå."), "ugyldig")
    if tilknytning == Vikartilknytning.VIKARBYRA and not vikarbyra:
        raise _error("vikarbyra", _("Oppgi vikarbyrået vikaren kommer gjennom."), "required")
    if tilknytning == Vikartilknytning.KOMMUNE and vikarbyra:
        raise _error("vikarbyra", _("Vikarbyrå oppgis bare når vikaren kommer gjennom et vikarbyrå."), "vikarbyra_uten_byra")


def add_vikar(*, kommune: Kommune, lege: Lege | int, tilknytning: str = Vikartilknytning.KOMMUNE, vikarbyra: str = "",
              merknad: str = "") -> Vikar:
    """Put a doctor registered in the kommune into the kommune's vikar pool (once per doctor)."""
    lege = lege_in_scope(lege)
    vikarbyra = (vikarbyra or "").strip()
    _validate_tilknytning(tilknytning, vikarbyra)
    if Vikar.objects.filter(lege=lege).exists():
        raise _error("lege", _("Legen er allerede i kommunens vikarpool (også en inaktiv vikar kan gjøres aktiv igjen)."),
                     "finnes")
    return save_new(
        Vikar(kommune=kommune, lege=lege, tilknytning=tilknytning, vikarbyra=vikarbyra, merknad=(merknad or "").strip()),
        fields=VIKAR_CONSTRAINT_FIELDS,
    )


def update_vikar(*, vikar: Vikar, expected_version: int, **changes) -> Vikar:
    """Change a vikar's tilknytning, vikarbyrå, notes or whether it is active (If-Match/expected_version)."""
    unknown = set(changes) - VIKAR_FIELDS
    if unknown:
        raise ValidationError({field: _("Dette feltet kan ikke endres.") for field in sorted(unknown)})
    changes = {key: value.strip() if isinstance(value, str) else value for key, value in changes.items()}
    tilknytning = changes.get("tilknytning", vikar.tilknytning)
    vikarbyra = changes.get("vikarbyra", vikar.vikarbyra)
    if "tilknytning" in changes and tilknytning == Vikartilknytning.KOMMUNE and "vikarbyra" not in changes:
        vikarbyra = changes["vikarbyra"] = ""  # leaving the agency: its name goes with it
    _validate_tilknytning(tilknytning, vikarbyra)
    return update_versioned(vikar, expected_version=expected_version, changes=changes)


def deactivate_vikar(*, vikar: Vikar, expected_version: int) -> Vikar:
    """Take the vikar out of the active pool (kept with its history; can be made active again)."""
    return update_versioned(vikar, expected_version=expected_version, changes={"aktiv": False})


# --- availability ---------------------------------------------------------------------------------

TILGJENGELIGHET_FIELDS = frozenset({"fra", "til", "stillingsprosent", "merknad"})
TILGJENGELIGHET_CONSTRAINT_FIELDS = {"tilgjengelighet_no_overlap": "fra", "tilgjengelighet_periode_ordered": "til",
                                     "tilgjengelighet_prosent_1_100": "stillingsprosent"}


def add_tilgjengelighet(*, vikar: Vikar, fra: dt.date, til: dt.date | None = None, stillingsprosent: int = 100,
                        merknad: str = "") -> Tilgjengelighet:
    """A window in which the vikar can work for the kommune, up to a stillingsprosent. Windows of one
    vikar do not overlap (the database refuses it)."""
    _validate_period(fra, til, til_required=False)
    validate_stillingsprosent(stillingsprosent)
    return save_new(
        Tilgjengelighet(kommune_id=vikar.kommune_id, vikar=vikar, fra=fra, til=til, stillingsprosent=stillingsprosent,
                        merknad=(merknad or "").strip()),
        fields=TILGJENGELIGHET_CONSTRAINT_FIELDS,
    )


def update_tilgjengelighet(*, tilgjengelighet: Tilgjengelighet, expected_version: int, **changes) -> Tilgjengelighet:
    unknown = set(changes) - TILGJENGELIGHET_FIELDS
    if unknown:
        raise ValidationError({field: _("Dette feltet kan ikke endres.") for field in sorted(unknown)})
    if "merknad" in changes:
        changes["merknad"] = (changes["merknad"] or "").strip()
    _validate_period(changes.get("fra", tilgjengelighet.fra), changes.get("til", tilgjengelighet.til), til_required=False)
    if "stillingsprosent" in changes:
        validate_stillingsprosent(changes["stillingsprosent"])
    # Check the constraints (overlap) first so the message lands on the field; update_versioned writes.
    candidate = Tilgjengelighet(**{f.attname: getattr(tilgjengelighet, f.attname) for f in Tilgjengelighet._meta.concrete_fields})
    candidate._state.adding = False  # so the overlap check leaves the row itself out
    for key, value in changes.items():
        setattr(candidate, key, value)
    full_clean(candidate, fields=TILGJENGELIGHET_CONSTRAINT_FIELDS)
    return update_versioned(tilgjengelighet, expected_version=expected_version, changes=changes)


def delete_tilgjengelighet(*, tilgjengelighet: Tilgjengelighet, expected_version: int) -> None:
    delete_versioned(tilgjengelighet, expected_version=expected_version)


# --- assignment -----------------------------------------------------------------------------------

def tildel_vikar(*, liste: Pasientliste, lege: Lege | int, fra: dt.date, til: dt.date, stillingsprosent: int,
                 arbeidsdager: Iterable[int] = (), vikar_for: Lege | int | None = None, begrunnelse_over_100: str = "",
                 kompetanse_begrunnelse: str = "", kan_begrunne_kompetanse: bool = False,
                 oppdragsgiver: str = Oppdragsgiver.KOMMUNEN) -> Legeperiode:
    """Assign a vikar to the list for [fra, til) with stillingsprosent and weekdays: a vikar period
    (LPVI) through lister.services.add_legeperiode.

    Refused, with nothing saved: end not after start (`til`); an unknown doctor or one the kommune has
    not registered (`lege`, `vikar_for`); stillingsprosent outside 1–100 (`stillingsprosent`); a
    period outside the list's validity (`fra`/`til`); the same doctor already on the list in an
    overlapping period (`fra`, from the database's exclusion constraint); more than 100 % across the
    doctor's engagements in all kommuner without `begrunnelse_over_100`; a doctor beyond the § 4
    exceptions of kompetanseforskriften without the kommuneoverlege's `kompetanse_begrunnelse`, which
    only the kommuneoverlege may record (`kan_begrunne_kompetanse`; API tokens never can); an
    `oppdragsgiver` other than «kommunen» (the kommune engages and pays the vikar: payroll) or
    «fastlegen» (a næringsdrivende fastlege engages and pays the vikar privately: not payroll).

    A vikar on a list that has a fastlege (vikar for the fastlege on leave) is allowed.
    """
    lege = lege_in_scope(lege)
    vikar_for = lege_in_scope(vikar_for, field="vikar_for", required=False)
    _validate_period(fra, til, til_required=True)
    validate_stillingsprosent(stillingsprosent)
    days = _arbeidsdager(arbeidsdager)
    if fra < liste.gyldig_fra:
        raise _error("fra", _("Listen gjelder først fra %(dato)s; vikarperioden kan ikke begynne før det.") % {
            "dato": liste.gyldig_fra.strftime("%d.%m.%Y")}, "utenfor_listen")
    if liste.gyldig_til is not None and til > liste.gyldig_til:
        raise _error("til", _("Listen opphører %(dato)s; vikarperioden kan ikke vare lenger enn listen.") % {
            "dato": liste.gyldig_til.strftime("%d.%m.%Y")}, "utenfor_listen")
    kompetanse_begrunnelse = (kompetanse_begrunnelse or "").strip()
    if kompetanse_begrunnelse and not kan_begrunne_kompetanse:
        raise _error("kompetanse_begrunnelse", _(
            "Bare kommuneoverlegen kan registrere en begrunnelse for å bruke en lege ut over unntakene i "
            "kompetanseforskriften § 4."), "bare_kommuneoverlegen")
    try:
        with transaction.atomic():
            return services.add_legeperiode(
                liste=liste, lege=lege, rolle=Rolle.VIKAR, fra=fra, til=til, stillingsprosent=stillingsprosent,
                arbeidsdager=days, vikar_for=vikar_for, begrunnelse_over_100=begrunnelse_over_100,
                kompetanse_begrunnelse=kompetanse_begrunnelse, oppdragsgiver=oppdragsgiver or Oppdragsgiver.KOMMUNEN,
            )
    except ValidationError as exc:
        if not kan_begrunne_kompetanse and "kompetanse_begrunnelse" in getattr(exc, "error_dict", {}):
            errors = {key: list(value) for key, value in exc.error_dict.items()}
            errors["kompetanse_begrunnelse"].append(ValidationError(_(
                "Bare kommuneoverlegen kan registrere begrunnelsen; be kommuneoverlegen tildele vikaren."),
                code="bare_kommuneoverlegen"))
            raise ValidationError(errors) from exc
        raise


def ready() -> None:
    """Registrations (jobs, panels, deadline sources, doctor-page sections) made from ListerConfig.ready()."""
