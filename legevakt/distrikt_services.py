"""Writes about legevakt districts: the district itself (one kommune, or interkommunal with a
vertskommune and deltakerkommuner), its memberships in time bands, its stations and the
agreements of doctors who take part without being fastleger in its kommuner; and linking a doctor
to the doctor's own user account.

Every write about a district calls `legevakt.tilgang.krev_vertskommune` first: only the
vertskommune changes a district; a deltakerkommune reads it (403 otherwise). Bad input is refused
with a ValidationError naming the field and the rule; nothing is partly saved.

A member may be any Norwegian kommune (it need not use this system): the kommune register is
public, so members are looked up across kommuner, and the rule «one district per time band at a
time» spans every district, so memberships are checked unscoped (the check reveals only that the
kommune is already served in that band, which the rule itself needs).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.concurrency import update_versioned
from core.constraints import full_clean, save_new, translate
from core.context import current_kommune_id
from core.dates import check_range
from core.exceptions import StaleVersion
from core.tenancy import unscoped
from kommune.models import Kommune, Lege, Rolle
from legevakt.models import Distriktstype, Legevaktdistrikt, Medlemskap, Stasjon, Tidsbolk, Vaktavtale
from legevakt.tilgang import krev_vertskommune

KOMMUNEREGISTER = "the kommune register is public: any Norwegian kommune may be a member of a legevakt district"
ETT_DISTRIKT_PER_BOLK = ("legevakt: a kommune is in one district per time band at a time, across all districts "
                         "(the rule spans kommuner; only a yes/no is used)")


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code)]})


def _unknown_fields(changes: dict, allowed: Iterable[str]) -> None:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise ValidationError({field: [ValidationError(_("Dette feltet kan ikke endres."), code="kan_ikke_endres")]
                               for field in sorted(unknown)})


def _text(value) -> str:
    return (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()


def _validate_period(fra: dt.date | None, til: dt.date | None, *, hva: str) -> None:
    if fra is None:
        raise _error("fra", _("Oppgi første dag %(hva)s gjelder.") % {"hva": hva}, "required")
    check_range(fra, "fra")
    check_range(til, "til")
    if til is not None and til <= fra:
        raise _error("til", _("«Opphører» er første dag %(hva)s ikke gjelder og må være etter «fra».") % {"hva": hva},
                     "periode_rekkefolge")


# --- kommuner and doctors ---------------------------------------------------------------------------

KOMMUNENUMMER = re.compile(r"^[0-9]{4}$")


def finn_kommune(value, *, field: str = "medlem") -> Kommune:
    """A kommune by kommunenummer (a four-digit string) or id (an integer, or a Kommune). Any
    Norwegian kommune will do: the register is public."""
    if isinstance(value, Kommune):
        value = value.pk
    if value is None or value == "":
        raise _error(field, _("Velg en kommune (kommunenummer)."), "required")
    text = str(value).strip()
    with unscoped(reason=KOMMUNEREGISTER):
        if isinstance(value, str) and KOMMUNENUMMER.match(text):
            kommune = Kommune.objects.filter(kommunenummer=text).first()
        elif isinstance(value, int) or text.isdigit():
            kommune = Kommune.objects.filter(pk=int(text)).first()
        else:
            kommune = None
    if kommune is None:
        raise _error(field, _("Ukjent kommune «%(verdi)s»: oppgi et gyldig kommunenummer (fire siffer).") % {"verdi": text},
                     "ukjent_kommune")
    return kommune


def lege_in_scope(lege, *, field: str = "lege") -> Lege:
    """The doctor as the kommune in scope sees it (registered in the kommune); else refused on `field`."""
    if lege is None or lege == "":
        raise _error(field, _("Velg en lege som er registrert i kommunen."), "required")
    pk = lege.pk if isinstance(lege, Lege) else lege
    try:
        return Lege.objects.get(pk=int(pk))
    except (Lege.DoesNotExist, TypeError, ValueError):
        raise _error(field, _("Ukjent lege: legen må være registrert i kommunen (Leger) før den kan brukes her."),
                     "ukjent_lege") from None


# --- the district --------------------------------------------------------------------------------------

DISTRIKT_FIELDS = frozenset({"navn", "type", "merknad", "aktiv"})
DISTRIKT_CONSTRAINT_FIELDS = {"legevaktdistrikt_navn_unique": "navn", "legevaktdistrikt_type_valid": "type"}


def _validate_type(type_: str) -> None:
    if type_ not in Distriktstype.values:
        raise _error("type", _("Velg type: én kommune eller interkommunal."), "ugyldig")


def _validate_tidsbolk(tidsbolk: str) -> None:
    if tidsbolk not in Tidsbolk.values:
        raise _error("tidsbolk", _("Velg tidsbånd: hele døgnet, dagtid eller kveld, natt, helg og helligdager."), "ugyldig")


@transaction.atomic
def create_distrikt(*, kommune: Kommune, navn: str, type: str, fra: dt.date, tidsbolk: str = Tidsbolk.DOGN,
                    merknad: str = "", medlemmer: Iterable = ()) -> Legevaktdistrikt:
    """A new district with `kommune` (the kommune in scope) as vertskommune. The vertskommune's own
    membership is created with it (from `fra`, in `tidsbolk`); for an interkommunal district the
    deltakerkommuner in `medlemmer` (kommunenummer or id) get the same period and band. A district
    of one kommune has no other members."""
    if kommune.pk != current_kommune_id():
        raise _error("kommune", _("Et distrikt opprettes av vertskommunen selv."), "ikke_vertskommune")
    navn = _text(navn)
    if not navn:
        raise _error("navn", _("Gi distriktet et navn."), "required")
    _validate_type(type)
    _validate_tidsbolk(tidsbolk)
    _validate_period(fra, None, hva=_("medlemskapet"))
    andre = [finn_kommune(m, field="medlemmer") for m in (medlemmer or ())]
    andre = [k for k in dict.fromkeys(andre) if k.pk != kommune.pk]
    if type == Distriktstype.EN_KOMMUNE and andre:
        raise _error("medlemmer", _("Et legevaktdistrikt for én kommune har bare vertskommunen som medlem; velg "
                                    "interkommunalt distrikt for å ta med andre kommuner."), "en_kommune")
    distrikt = save_new(Legevaktdistrikt(kommune=kommune, navn=navn, type=type, merknad=_text(merknad)),
                        fields=DISTRIKT_CONSTRAINT_FIELDS)
    _save_medlemskap(Medlemskap(kommune=kommune, distrikt=distrikt, medlem=kommune, tidsbolk=tidsbolk, fra=fra))
    for medlem in andre:
        try:
            _save_medlemskap(Medlemskap(kommune=kommune, distrikt=distrikt, medlem=medlem, tidsbolk=tidsbolk, fra=fra))
        except ValidationError as exc:
            raise ValidationError({"medlemmer": [ValidationError(
                f"{medlem.navn}: " + " ".join(m for ms in exc.message_dict.values() for m in ms),
                code="medlemskap")]}) from exc
    return distrikt


def update_distrikt(*, distrikt: Legevaktdistrikt, expected_version: int, **changes) -> Legevaktdistrikt:
    """Change name, type, notes or whether the district is active (If-Match/expected_version)."""
    krev_vertskommune(distrikt)
    _unknown_fields(changes, DISTRIKT_FIELDS)
    if "navn" in changes:
        changes["navn"] = _text(changes["navn"])
        if not changes["navn"]:
            raise _error("navn", _("Gi distriktet et navn."), "required")
    if "merknad" in changes:
        changes["merknad"] = _text(changes["merknad"])
    if "type" in changes:
        _validate_type(changes["type"])
        if changes["type"] == Distriktstype.EN_KOMMUNE and Medlemskap.objects.filter(
                distrikt=distrikt).exclude(medlem_id=distrikt.kommune_id).exists():
            raise _error("type", _("Distriktet har andre medlemmer enn vertskommunen og kan ikke være et distrikt for én "
                                   "kommune. Avslutt de andre medlemskapene først."), "har_andre_medlemmer")
    candidate = Legevaktdistrikt(**{f.attname: getattr(distrikt, f.attname) for f in Legevaktdistrikt._meta.concrete_fields})
    candidate._state.adding = False
    for key, value in changes.items():
        setattr(candidate, key, value)
    full_clean(candidate, fields=DISTRIKT_CONSTRAINT_FIELDS)
    return update_versioned(distrikt, expected_version=expected_version, changes=changes)


# --- memberships ----------------------------------------------------------------------------------------

MEDLEMSKAP_FIELDS = frozenset({"tidsbolk", "fra", "til"})
MEDLEMSKAP_CONSTRAINT_FIELDS = {"medlemskap_one_district_per_band": "tidsbolk", "medlemskap_periode_ordered": "til",
                                "medlemskap_tidsbolk_valid": "tidsbolk"}


def _save_medlemskap(medlemskap: Medlemskap) -> Medlemskap:
    """Validate (the member may be another tenant's kommune; the band rule spans all districts) and insert."""
    with unscoped(reason=ETT_DISTRIKT_PER_BOLK):
        return save_new(medlemskap, fields=MEDLEMSKAP_CONSTRAINT_FIELDS)


def add_medlemskap(*, distrikt: Legevaktdistrikt, medlem, fra: dt.date, til: dt.date | None = None,
                   tidsbolk: str = Tidsbolk.DOGN) -> Medlemskap:
    """Add a kommune (kommunenummer or id; any Norwegian kommune) to the district in a time band for
    [fra, til). Refused: not the vertskommune (403); an unknown kommune (`medlem`); an unknown band
    (`tidsbolk`); a bad period (`fra`/`til`); another kommune in a district of one kommune
    (`medlem`); the kommune already in a district — this or another — in an overlapping band and
    period (`tidsbolk`: one district per band at a time)."""
    krev_vertskommune(distrikt)
    kommune = finn_kommune(medlem)
    _validate_tidsbolk(tidsbolk)
    _validate_period(fra, til, hva=_("medlemskapet"))
    if distrikt.type == Distriktstype.EN_KOMMUNE and kommune.pk != distrikt.kommune_id:
        raise _error("medlem", _("Et legevaktdistrikt for én kommune har bare vertskommunen som medlem; endre typen til "
                                 "interkommunalt for å ta med andre kommuner."), "en_kommune")
    with transaction.atomic():
        return _save_medlemskap(Medlemskap(kommune_id=distrikt.kommune_id, distrikt=distrikt, medlem=kommune,
                                           tidsbolk=tidsbolk, fra=fra, til=til))


def update_medlemskap(*, medlemskap: Medlemskap, expected_version: int, **changes) -> Medlemskap:
    """Change a membership's band or period (If-Match/expected_version); the same checks as adding."""
    krev_vertskommune(medlemskap.distrikt)
    _unknown_fields(changes, MEDLEMSKAP_FIELDS)
    if "tidsbolk" in changes:
        _validate_tidsbolk(changes["tidsbolk"])
    _validate_period(changes.get("fra", medlemskap.fra), changes.get("til", medlemskap.til), hva=_("medlemskapet"))
    with unscoped(reason=ETT_DISTRIKT_PER_BOLK):
        candidate = Medlemskap(**{f.attname: getattr(medlemskap, f.attname) for f in Medlemskap._meta.concrete_fields})
        candidate._state.adding = False
        for key, value in changes.items():
            setattr(candidate, key, value)
        full_clean(candidate, fields=MEDLEMSKAP_CONSTRAINT_FIELDS)
        try:
            with transaction.atomic():
                return update_versioned(medlemskap, expected_version=expected_version, changes=changes)
        except ValidationError as exc:
            if isinstance(exc.__cause__, IntegrityError):  # a concurrent writer took the band
                raise translate(exc.__cause__, Medlemskap, fields=MEDLEMSKAP_CONSTRAINT_FIELDS) from exc
            raise


def avslutt_medlemskap(*, medlemskap: Medlemskap, expected_version: int, til: dt.date) -> Medlemskap:
    """End a membership: `til` is the first day the kommune is no longer served by the district."""
    if til is None:
        raise _error("til", _("Oppgi første dag medlemskapet ikke gjelder."), "required")
    return update_medlemskap(medlemskap=medlemskap, expected_version=expected_version, til=til)


# --- stations -------------------------------------------------------------------------------------------

STASJON_FIELDS = frozenset({"navn", "adresse", "postnummer", "poststed", "telefon", "aktiv"})
STASJON_CONSTRAINT_FIELDS = {"stasjon_navn_unique": "navn", "stasjon_postnummer_format": "postnummer"}


def _clean_stasjon(values: dict) -> dict:
    values = {key: (_text(value) if key != "aktiv" else value) for key, value in values.items()}
    if "postnummer" in values:
        values["postnummer"] = values["postnummer"].replace(" ", "")
        if values["postnummer"] and not re.fullmatch(r"[0-9]{4}", values["postnummer"]):
            raise _error("postnummer", _("Postnummer er fire siffer, for eksempel 5003."), "postnummer_format")
    for field, message in (("navn", _("Gi stasjonen et navn.")), ("adresse", _("Oppgi stasjonens adresse."))):
        if field in values and not values[field]:
            raise _error(field, message, "required")
    return values


def create_stasjon(*, distrikt: Legevaktdistrikt, navn: str, adresse: str, postnummer: str = "", poststed: str = "",
                   telefon: str = "") -> Stasjon:
    """A legevakt station in the district with its address (postnummer: four digits)."""
    krev_vertskommune(distrikt)
    values = _clean_stasjon({"navn": navn, "adresse": adresse, "postnummer": postnummer, "poststed": poststed,
                             "telefon": telefon})
    with transaction.atomic():
        return save_new(Stasjon(kommune_id=distrikt.kommune_id, distrikt=distrikt, **values), fields=STASJON_CONSTRAINT_FIELDS)


def update_stasjon(*, stasjon: Stasjon, expected_version: int, **changes) -> Stasjon:
    krev_vertskommune(stasjon.distrikt)
    _unknown_fields(changes, STASJON_FIELDS)
    changes = _clean_stasjon(changes)
    candidate = Stasjon(**{f.attname: getattr(stasjon, f.attname) for f in Stasjon._meta.concrete_fields})
    candidate._state.adding = False
    for key, value in changes.items():
        setattr(candidate, key, value)
    full_clean(candidate, fields=STASJON_CONSTRAINT_FIELDS)
    return update_versioned(stasjon, expected_version=expected_version, changes=changes)


# --- agreements -----------------------------------------------------------------------------------------

VAKTAVTALE_FIELDS = frozenset({"fra", "til", "merknad"})
VAKTAVTALE_CONSTRAINT_FIELDS = {"vaktavtale_no_overlap": "fra", "vaktavtale_periode_ordered": "til"}


def create_vaktavtale(*, distrikt: Legevaktdistrikt, lege, fra: dt.date, til: dt.date | None = None,
                      merknad: str = "") -> Vaktavtale:
    """A doctor registered in the vertskommune takes part in the district's legevakt by agreement for
    [fra, til). Refused: an unknown doctor or one the vertskommune has not registered (`lege`); a bad
    period (`fra`/`til`); an overlapping agreement for the same doctor in the district (`fra`)."""
    krev_vertskommune(distrikt)
    lege = lege_in_scope(lege)
    _validate_period(fra, til, hva=_("avtalen"))
    with transaction.atomic():
        return save_new(Vaktavtale(kommune_id=distrikt.kommune_id, distrikt=distrikt, lege=lege, fra=fra, til=til,
                                   merknad=_text(merknad)), fields=VAKTAVTALE_CONSTRAINT_FIELDS)


def update_vaktavtale(*, vaktavtale: Vaktavtale, expected_version: int, **changes) -> Vaktavtale:
    krev_vertskommune(vaktavtale.distrikt)
    _unknown_fields(changes, VAKTAVTALE_FIELDS)
    if "merknad" in changes:
        changes["merknad"] = _text(changes["merknad"])
    _validate_period(changes.get("fra", vaktavtale.fra), changes.get("til", vaktavtale.til), hva=_("avtalen"))
    candidate = Vaktavtale(**{f.attname: getattr(vaktavtale, f.attname) for f in Vaktavtale._meta.concrete_fields})
    candidate._state.adding = False
    for key, value in changes.items():
        setattr(candidate, key, value)
    full_clean(candidate, fields=VAKTAVTALE_CONSTRAINT_FIELDS)
    return update_versioned(vaktavtale, expected_version=expected_version, changes=changes)


# --- the doctor's user account ----------------------------------------------------------------------------

def koble_bruker(lege: Lege, bruker, *, expected_version: int | None = None) -> Lege:
    """Link the doctor (registered in the kommune) to the doctor's own user account, or unlink it
    (`bruker=None`). The user must hold the role «lege» in this kommune and must not be linked to
    another doctor (a user account belongs to one doctor, in every kommune). Only the
    kommuneoverlege links accounts (the pages and API check Handling.ADMINISTRER)."""
    lege = lege_in_scope(lege)
    version = lege.versjon if expected_version is None else expected_version
    if bruker is None or bruker == "":
        return update_versioned(lege, expected_version=version, changes={"bruker": None})
    bruker_id = getattr(bruker, "pk", bruker)
    if not Rolle.objects.filter(bruker_id=bruker_id, rolle=Rolle.Navn.LEGE).exists():
        raise _error("bruker", _("Brukeren har ikke rollen «lege» i kommunen. Gi brukeren rollen først (Brukere og roller)."),
                     "mangler_legerolle")
    with unscoped(reason="a user account belongs to one doctor nationally (Lege.bruker is one-to-one)"):
        annen = Lege.objects.filter(bruker_id=bruker_id).exclude(pk=lege.pk).exists()
    if annen:
        raise _error("bruker", _("Brukeren er allerede koblet til en annen lege."), "koblet_til_annen")
    try:
        return update_versioned(lege, expected_version=version, changes={"bruker_id": bruker_id})
    except StaleVersion:
        raise
    except ValidationError as exc:
        if "bruker" in getattr(exc, "error_dict", {}):
            raise _error("bruker", _("Brukeren er allerede koblet til en annen lege."), "koblet_til_annen") from exc
        raise


def ready() -> None:
    """Registrations made from LegevaktConfig.ready() (none for districts)."""
