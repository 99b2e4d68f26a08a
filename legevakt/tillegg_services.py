"""Writes on a shift's supplements for payroll (Vakttillegg): a journey (SFS 2305 § 9.4 pays travel
per started half hour beyond 30 minutes each way) or hours worked in the legevaktsentral (§ 8.2 pays
an hourly supplement).

Rules, each refused with a ValidationError on the field named (nothing is saved):

- `art` is «reise» or «legevaktsentral»;
- a journey has `minutter_hver_vei` (a whole number 1–1440) and no `timer`;
- legevaktsentral work has `timer` (> 0, at most two decimals, at most the shift's real length in
  hours) and no `minutter_hver_vei`;
- `merknad` at most 300 characters;
- the shift is active: a cancelled shift's supplements are not changed (`vakt`).

Only the district's vertskommune writes (`legevakt.tilgang.krev_vertskommune`, 403 for a
deltakerkommune); the supplements are the vertskommune's payroll data and are not shown to the
deltakerkommuner either (`krev_innsyn`). The shift's row is locked while a supplement is written, so
a concurrent cancellation and a new supplement cannot both succeed.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.concurrency import delete_versioned, update_versioned
from core.constraints import save_new
from core.dates import elapsed_hours
from legevakt.models import Tilleggsart, Vakt, Vaktstatus, Vakttillegg
from legevakt.tilgang import er_vertskommune, krev_vertskommune

__all__ = ["add_tillegg", "update_tillegg", "delete_tillegg", "krev_innsyn", "kan_se_tillegg", "vakt_timer",
           "MINUTTER_MIN", "MINUTTER_MAKS", "MERKNAD_MAKS"]

MINUTTER_MIN, MINUTTER_MAKS = 1, 24 * 60
MERKNAD_MAKS = 300
ENDRINGSFELT = frozenset({"art", "minutter_hver_vei", "timer", "merknad"})
CONSTRAINT_FIELDS = {"vakttillegg_art_valid": "art", "vakttillegg_fields_match_art": "art"}


def _error(felt: str, melding: str, kode: str) -> ValidationError:
    return ValidationError({felt: [ValidationError(melding, code=kode)]})


def _tall_tekst(value) -> str:
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def vakt_timer(vakt: Vakt) -> float:
    """The shift's real length in hours (a 20:00–08:00 night is 13 h when summer time ends)."""
    return elapsed_hours(vakt.start, vakt.slutt)


def kan_se_tillegg(vakt: Vakt) -> bool:
    """The supplements are the vertskommune's payroll data: only it sees them."""
    return er_vertskommune(vakt.distrikt)


def krev_innsyn(vakt: Vakt) -> None:
    """PermissionDenied (403) for a deltakerkommune: it sees the shift but not its supplements."""
    if not kan_se_tillegg(vakt):
        raise PermissionDenied(_(
            "Tilleggene på en vakt er lønnsgrunnlag for vertskommunen for legevaktdistriktet «%(navn)s»; bare "
            "vertskommunen ser og endrer dem.") % {"navn": vakt.distrikt.navn})


def _aktiv_vakt(vakt: Vakt) -> Vakt:
    """The shift as stored now, locked (a concurrent cancellation waits or is waited for); refused
    when it is cancelled."""
    krev_vertskommune(vakt.distrikt)
    locked = (Vakt.objects.select_for_update(no_key=True, of=("self",)).select_related("distrikt")
              .filter(pk=vakt.pk).first())
    if locked is None:
        raise _error("vakt", _("Ukjent vakt."), "ukjent_vakt")
    if locked.status != Vaktstatus.AKTIV:
        raise _error("vakt", _("Vakten er avlyst: tilleggene på en avlyst vakt kan ikke endres."), "avlyst")
    return locked


def _minutter(value) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        value = "ugyldig"
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite() or number != number.to_integral_value():
        raise _error("minutter_hver_vei", _("Reisetiden hver vei oppgis i hele minutter."), "ugyldig")
    if not MINUTTER_MIN <= number <= MINUTTER_MAKS:
        raise _error("minutter_hver_vei", _("Reisetiden hver vei må være fra %(min)d til %(maks)d minutter.") % {
            "min": MINUTTER_MIN, "maks": MINUTTER_MAKS}, "utenfor")
    return int(number)


def _timer(value, vakt: Vakt) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        value = "ugyldig"
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite():
        raise _error("timer", _("Timene i legevaktsentralen oppgis som et tall, for eksempel 2,5."), "ugyldig")
    if number <= 0:
        raise _error("timer", _("Timene i legevaktsentralen må være flere enn null."), "ikke_positiv")
    if number != number.quantize(Decimal("0.01")):
        raise _error("timer", _("Timene i legevaktsentralen oppgis med høyst to desimaler."), "desimaler")
    lengde = vakt_timer(vakt)
    if float(number) > lengde + 1e-9:
        raise _error("timer", _(
            "Timene i legevaktsentralen (%(timer)s) kan ikke være flere enn vaktens lengde (%(lengde)s timer).") % {
            "timer": _tall_tekst(number), "lengde": _tall_tekst(lengde)}, "lengre_enn_vakten")
    return number.quantize(Decimal("0.01"))


def _verdier(vakt: Vakt, *, art, minutter_hver_vei, timer, merknad) -> dict:
    """The validated values of a supplement on `vakt`; every error found, each on its field."""
    errors: dict[str, list[ValidationError]] = {}

    def samle(call):
        try:
            return call()
        except ValidationError as exc:
            for felt, feil in exc.error_dict.items():
                errors.setdefault(felt, []).extend(feil)
            return None

    if art not in Tilleggsart.values:
        errors["art"] = [ValidationError(_(
            "Velg art: «reise» (reisetid, SFS 2305 § 9.4) eller «legevaktsentral» (arbeid i legevaktsentralen, § 8.2)."),
            code="ugyldig" if art else "required")]
    merknad = (merknad or "").strip()
    if len(merknad) > MERKNAD_MAKS:
        errors["merknad"] = [ValidationError(_("Merknaden kan være høyst %(maks)d tegn.") % {"maks": MERKNAD_MAKS},
                                             code="for_lang")]
    minutter = tall = None
    if art == Tilleggsart.REISE:
        minutter = samle(lambda: _minutter(minutter_hver_vei))
        if minutter is None and "minutter_hver_vei" not in errors:
            errors["minutter_hver_vei"] = [ValidationError(_(
                "En reise krever reisetiden hver vei i minutter (%(min)d–%(maks)d).") % {
                "min": MINUTTER_MIN, "maks": MINUTTER_MAKS}, code="required")]
        if timer not in (None, ""):
            errors["timer"] = [ValidationError(_(
                "En reise har ingen timer i legevaktsentralen: oppgi bare reisetiden hver vei i minutter."), code="ikke_for_art")]
    elif art == Tilleggsart.LEGEVAKTSENTRAL:
        tall = samle(lambda: _timer(timer, vakt))
        if tall is None and "timer" not in errors:
            errors["timer"] = [ValidationError(_("Arbeid i legevaktsentralen krever timene (flere enn null, høyst vaktens "
                                                 "lengde)."), code="required")]
        if minutter_hver_vei not in (None, ""):
            errors["minutter_hver_vei"] = [ValidationError(_(
                "Arbeid i legevaktsentralen har ingen reisetid: oppgi bare timene."), code="ikke_for_art")]
    if errors:
        raise ValidationError(errors)
    return {"art": art, "minutter_hver_vei": minutter, "timer": tall, "merknad": merknad}


def add_tillegg(*, vakt: Vakt, art: str, minutter_hver_vei=None, timer=None, merknad: str = "") -> Vakttillegg:
    """Record a supplement on an active shift (the rules in the module docstring). Refused with a
    ValidationError on the field; PermissionDenied for a deltakerkommune."""
    krev_vertskommune(vakt.distrikt)
    with transaction.atomic():
        locked = _aktiv_vakt(vakt)
        values = _verdier(locked, art=art, minutter_hver_vei=minutter_hver_vei, timer=timer, merknad=merknad)
        return save_new(Vakttillegg(kommune_id=locked.kommune_id, vakt=locked, **values), fields=CONSTRAINT_FIELDS)


def update_tillegg(*, tillegg: Vakttillegg, expected_version: int, **changes) -> Vakttillegg:
    """Change a supplement (expected_version: StaleVersion when it changed since it was read). The
    result is checked as a whole: changing `art` needs the other field, and the one that no longer
    applies must be emptied (None)."""
    unknown = set(changes) - ENDRINGSFELT
    if unknown:
        raise ValidationError({name: _("Dette feltet kan ikke endres.") for name in sorted(unknown)})
    krev_vertskommune(tillegg.vakt.distrikt)
    with transaction.atomic():
        locked = _aktiv_vakt(tillegg.vakt)
        current = {name: getattr(tillegg, name) for name in ENDRINGSFELT}
        values = _verdier(locked, **{**current, **changes})
        changed = {name: value for name, value in values.items() if value != current[name]}
        return update_versioned(tillegg, expected_version=expected_version, changes=changed)


def delete_tillegg(*, tillegg: Vakttillegg, expected_version: int) -> None:
    """Delete a supplement (expected_version: StaleVersion when it changed since it was read)."""
    krev_vertskommune(tillegg.vakt.distrikt)
    with transaction.atomic():
        _aktiv_vakt(tillegg.vakt)
        delete_versioned(tillegg, expected_version=expected_version)
