"""The kommune's dated wage-type mapping (Lonnsartregel, issue 9): services (writes) and selectors
(reads), and the SFS 2305 example table.

A row maps a payable category — legevakt hours (optionally narrowed by vakttype, vaktklasse,
dagkategori and day/night; an empty dimension means «all»), rest compensation, travel, the
legevaktsentral supplement, vikar days, ALIS supervision — to the kommune's wage type (lønnsart),
rate and cost centre, from one date to another (inclusive; open-ended without an end).

Rules for the rows of one *kind* (the same kommune, kategori and dimensions), each refused with a
ValidationError on the field named and nothing saved:

- no overlap: two rows of a kind never apply on the same day (also the database's exclusion
  constraint `lonnsartregel_ingen_overlapp`; the services check first, to name the conflicting row);
- no gap: a write that would leave days uncovered *between* two rows of a kind is refused (a kind may
  start and end; it may not pause). Gaps that existed before a write are not held against it;
- a changed rate applies from its date: `endre_sats` ends the row the day before and adds the new
  row from the date, in one transaction.

Writes of one kommune's mapping are serialised by a transaction-scoped advisory lock, so the gap rule
holds between concurrent writers too (the exclusion constraint alone could not see a gap).

Resolution (`finn_regel`, and `dekning` for the payable categories without a row): among the rows of
the kommune and kategori valid on the date whose non-empty dimensions all equal the line's, the most
specific wins, compared in this order: vakttype set, then vaktklasse set, then dagkategori set, then
tid set (lexicographic, set beats empty). The pricing SQL (lonn_regel) applies the same order.

The example table (`last_eksempeltabell`) is SFS 2305's rates of 1 January 2021, loaded as clearly
labelled example rows (eksempel=True): the rates are the kommune's own data, and later tables are not
published in our sources. All its figures are in EKSEMPELTABELL below, each row citing its paragraph.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError, Q, RestrictedError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.constraints import constraint_name
from core.dates import check_range
from core.exceptions import StaleVersion
from kommune.models import Kommune
from legevakt.models import Dagkategori, Vakttype
from legevakt.vakt_services import tillatte_vaktklasser
from lonn.models import Lonnsartregel, Lonnskategori, Lonnslinje, Tid

__all__ = [
    "EKSEMPELTABELL", "EKSEMPEL_MERKNAD", "Eksempelrad", "Oversikt", "Udekket",
    "opprett_regel", "endre_sats", "avslutt_regel", "slett_regel", "last_eksempeltabell",
    "finn_regel", "velg_regel", "dekning", "konkrete_kategorier", "oversikt", "regler", "beskriv", "sats_tekst",
]

DIMENSJONER = ("vakttype", "vaktklasse", "dagkategori", "tid")
OVERLAPP = "lonnsartregel_ingen_overlapp"
CONSTRAINT_FIELDS = {
    "lonnsartregel_til_etter_fra": "gyldig_til",
    "lonnsartregel_sats_ikke_negativ": "sats",
    "lonnsartregel_vaktklasse_1_4": "vaktklasse",
    "lonnsartregel_dimensjoner_bare_vakt": "vakttype",
    "lonnsartregel_lonnsart_paakrevd": "lonnsart",
    OVERLAPP: "gyldig_fra",
}
LAS_NOKKEL = "lonn.lonnsartregel"

KATEGORI_KORT = {
    Lonnskategori.VAKT: gettext_lazy("Legevakt"),
    Lonnskategori.HVILETID: gettext_lazy("Kompensasjon for hviletid"),
    Lonnskategori.REISE: gettext_lazy("Reise"),
    Lonnskategori.LEGEVAKTSENTRAL: gettext_lazy("Tillegg for legevaktsentral"),
    Lonnskategori.VIKAR: gettext_lazy("Vikardager"),
    Lonnskategori.ALIS_VEILEDNING: gettext_lazy("ALIS-veiledning"),
}
ENHET = {
    Lonnskategori.VAKT: gettext_lazy("kr per time"),
    Lonnskategori.HVILETID: gettext_lazy("kr per time"),
    Lonnskategori.REISE: gettext_lazy("kr per påbegynte halvtime"),
    Lonnskategori.LEGEVAKTSENTRAL: gettext_lazy("kr per time"),
    Lonnskategori.VIKAR: gettext_lazy("kr per dag"),
    Lonnskategori.ALIS_VEILEDNING: gettext_lazy("kr per time"),
}


# --- the SFS 2305 example table: every figure, with its source, in one place ---------------------------

SFS = "SFS 2305"
EKSEMPEL_MERKNAD = "satser per 1.1.2021, KS; senere tabeller er ikke publisert i våre kilder"
EKSEMPEL_KILDE_URL = "https://www.ks.no/fagomrader/lonn-og-tariff/legeavtaler/okonomiske-satser-i-kommunelegeavtalen-sfs-2305/"
EKSEMPEL_PREFIKS = "EKS-"  # the wage-type codes are placeholders: the kommune uses its own


@dataclass(frozen=True)
class Eksempelrad:
    kategori: str
    lonnsart: str
    sats: Decimal
    kilde: str  # the paragraph and what the figure is; EKSEMPEL_MERKNAD is appended when loaded
    vakttype: str = ""
    vaktklasse: int | None = None
    dagkategori: str = ""
    tid: str = ""


_DAGER = (  # SFS 2305 § 8.3's columns: Mon–Fri, Sat–Sun, helg/høytid
    (Dagkategori.HVERDAG, "HVERDAG", "mandag–fredag"),
    (Dagkategori.HELG, "HELG", "lørdag–søndag"),
    (Dagkategori.HELLIGDAG, "HELLIGDAG", "helg/høytid"),
)
# § 8.3 beredskapsgodtgjøring, kr per running hour, per vaktklasse: (Mon–Fri, Sat–Sun, helg/høytid)
_BEREDSKAP_8_3 = {1: (168, 223, 256), 2: (55, 85, 97), 3: (31, 55, 63), 4: (0, 0, 0)}
# § 8.5 bakvakt for a doctor who does not meet the competence rules: (Mon–Fri, Sat–Sun, helg/høytid)
_KOMPETANSEBAKVAKT_8_5 = (168, 223, 256)

EKSEMPELTABELL: tuple[Eksempelrad, ...] = (
    *(Eksempelrad(Lonnskategori.VAKT, f"EKS-VK{klasse}-{kode}", Decimal(satser[i]),
                  f"{SFS} § 8.3 beredskapsgodtgjøring, vaktklasse {klasse}, {tekst}: {satser[i]} kr per time",
                  vaktklasse=klasse, dagkategori=dag)
      for klasse, satser in _BEREDSKAP_8_3.items() for i, (dag, kode, tekst) in enumerate(_DAGER)),
    *(Eksempelrad(Lonnskategori.VAKT, f"EKS-HJV-{kode}", Decimal(_BEREDSKAP_8_3[1][i]),
                  f"{SFS} § 8.3: hjemmevakt betales som vaktklasse 1, {tekst}: {_BEREDSKAP_8_3[1][i]} kr per time",
                  vakttype=Vakttype.HJEMMEVAKT, dagkategori=dag)
      for i, (dag, kode, tekst) in enumerate(_DAGER)),
    *(Eksempelrad(Lonnskategori.VAKT, f"EKS-KBV-{kode}", Decimal(_KOMPETANSEBAKVAKT_8_5[i]),
                  f"{SFS} § 8.5 bakvakt for lege uten kompetansekrav, {tekst}: {_KOMPETANSEBAKVAKT_8_5[i]} kr per time",
                  vakttype=Vakttype.KOMPETANSEBAKVAKT, dagkategori=dag)
      for i, (dag, kode, tekst) in enumerate(_DAGER)),
    Eksempelrad(Lonnskategori.LEGEVAKTSENTRAL, "EKS-LVS", Decimal("54"),
                f"{SFS} § 8.2: tillegg for arbeid i legevaktsentral, 54 kr per time"),
    Eksempelrad(Lonnskategori.REISE, "EKS-REISE", Decimal("180"),
                f"{SFS} § 9.4: reisetid, 180 kr per påbegynte halvtime ut over 30 minutter hver vei"),
    Eksempelrad(Lonnskategori.HVILETID, "EKS-HVILE", Decimal("2787") / 8,
                f"{SFS} § 7.4: kompensasjon for hvile etter vakt, 2 787 kr per 8 timer = 348,375 kr per time"),
    # Vikar days and ALIS supervision have no rate in our sources: deliberately not mapped, so the
    # coverage warning tells the kommune to add its own.
)


# --- small helpers ---------------------------------------------------------------------------------------

def _error(felt: str, melding: str, kode: str) -> ValidationError:
    return ValidationError({felt: [ValidationError(melding, code=kode)]})


def _dato(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def sats_tekst(sats: Decimal | None) -> str:
    """A rate in Norwegian notation, at least two decimals and no trailing zeros beyond: 168,00; 348,375."""
    if sats is None:
        return ""
    text = f"{sats:.4f}"
    whole, frac = text.split(".")
    frac = frac.rstrip("0").ljust(2, "0")
    return f"{whole},{frac}"


def _periode_tekst(fra: dt.date, til: dt.date | None) -> str:
    if til is None:
        return _("fra %(fra)s, uten sluttdato") % {"fra": _dato(fra)}
    return _("%(fra)s–%(til)s") % {"fra": _dato(fra), "til": _dato(til)}


def _regel_tekst(regel: Lonnsartregel) -> str:
    return _("%(periode)s (lønnsart %(lonnsart)s, sats %(sats)s)") % {
        "periode": _periode_tekst(regel.gyldig_fra, regel.gyldig_til), "lonnsart": regel.lonnsart,
        "sats": sats_tekst(regel.sats)}


def beskriv(kategori: str, vakttype: str = "", vaktklasse: int | None = None, dagkategori: str = "", tid: str = "") -> str:
    """The kind a row (or a concrete payable category) names, in words: «Legevakt: hjemmevakt (beredskap),
    vaktklasse 1, helg, natt»; empty dimensions are left out («Legevakt: alle vakter»)."""
    navn = str(KATEGORI_KORT.get(kategori, kategori))
    if kategori != Lonnskategori.VAKT:
        return navn
    deler = []
    if vakttype:
        deler.append(str(Vakttype(vakttype).label) if vakttype in Vakttype.values else vakttype)
    if vaktklasse is not None:
        deler.append(_("vaktklasse %(klasse)s") % {"klasse": vaktklasse})
    if dagkategori:
        deler.append(str(Dagkategori(dagkategori).label).lower() if dagkategori in Dagkategori.values else dagkategori)
    if tid:
        deler.append(str(Tid(tid).label).lower() if tid in Tid.values else tid)
    return f"{navn}: {', '.join(deler) if deler else _('alle vakter')}"


def _slag(obj) -> tuple:
    return (obj.kategori, obj.vakttype, obj.vaktklasse, obj.dagkategori, obj.tid)


def _samme_slag(kommune_id: int, slag: tuple):
    kategori, vakttype, vaktklasse, dagkategori, tid = slag
    klasse = Q(vaktklasse__isnull=True) if vaktklasse is None else Q(vaktklasse=vaktklasse)
    return (Lonnsartregel.objects.filter(klasse, kommune_id=kommune_id, kategori=kategori, vakttype=vakttype,
                                         dagkategori=dagkategori, tid=tid).order_by("gyldig_fra", "id"))


def _las(kommune_id: int) -> None:
    """Serialise writes of one kommune's mapping (for the gap rule), until the transaction ends; and take the
    kommune's pay-period lock shared, so a rate write and the closing of a month wait for each other (a rate
    change checked against the closed months cannot slip into a month being closed)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT lonn_periodelaas(%s, false)", [kommune_id])
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s), %s::integer)", [LAS_NOKKEL, kommune_id])


KODE = re.compile(r"^[0-9A-Za-zÆØÅæøå._/-]+$")  # a wage type as the payroll file carries it
KOSTNADSSTED = re.compile(r"^[0-9A-Za-zÆØÅæøå._/ ()-]*$")


def _sjekk_koder(errors: dict[str, list[ValidationError]], *, lonnsart: str | None = None,
                 kostnadssted: str | None = None, felt_lonnsart: str = "lonnsart",
                 felt_kostnadssted: str = "kostnadssted") -> None:
    """Wage types and cost centres go into the semicolon-separated payroll file: letters, digits and . _ / -
    (cost centres also spaces and brackets); never a separator, quote, line break or a leading = + - @."""
    if lonnsart and (not KODE.match(lonnsart) or lonnsart[0] in "-"):
        errors.setdefault(felt_lonnsart, []).append(ValidationError(
            _("Lønnsarten kan bare inneholde bokstaver, sifre og . _ / - (den skrives i lønnsfilen)."), code="ugyldig_kode"))
    if kostnadssted and (not KOSTNADSSTED.match(kostnadssted) or kostnadssted[0] in "-"):
        errors.setdefault(felt_kostnadssted, []).append(ValidationError(
            _("Kostnadsstedet kan bare inneholde bokstaver, sifre, mellomrom og . _ / ( ) - (det skrives i lønnsfilen)."),
            code="ugyldig_kode"))


def _sjekk_lukket(kommune_id: int, forste_endrede_dag: dt.date | None, felt: str) -> None:
    """A rate in a closed (attested) month is frozen: a change must take effect after the last closed month.
    (Otherwise only the items corrected later would be priced at the changed rate.)"""
    from lonn import perioder

    siste = perioder.siste_lukkede(kommune=SimpleNamespace(id=kommune_id))
    if siste is None or forste_endrede_dag is None:
        return
    forste_apne = perioder.neste_maned(siste)
    if forste_endrede_dag < forste_apne:
        raise _error(felt, _(
            "%(maned)s er lukket (attestert), og satsene for den er frosset. Endringen må gjelde fra %(dato)s eller "
            "senere; må en lukket måned rettes, gjenåpnes den først.") % {
            "maned": perioder.maned_navn(siste, stor=True), "dato": _dato(forste_apne)}, "lukket_maned")


def _hent_last(regel: Lonnsartregel, expected_version: int | None) -> Lonnsartregel:
    """The row as stored now, locked; StaleVersion when it changed since `expected_version` was read
    (or was deleted)."""
    locked = Lonnsartregel.objects.select_for_update().filter(pk=regel.pk).first()
    if locked is None or (expected_version is not None and locked.versjon != expected_version):
        raise StaleVersion()
    return locked


def _slutt(til: dt.date | None) -> dt.date:
    return til if til is not None else dt.date.max


# --- the timeline of one kind: overlaps and gaps ---------------------------------------------------------

@dataclass
class _Periode:
    """One row of a kind as it is (before) or would be (after) a write. `ny` marks the rows the write
    creates or changes."""

    fra: dt.date
    til: dt.date | None
    regel: Lonnsartregel
    ny: bool = False


def _hull(perioder: Sequence[_Periode]) -> list[tuple[dt.date, dt.date, _Periode, _Periode]]:
    """Runs of days without a row between two rows of a kind (not before the first or after the last)."""
    rows = sorted(perioder, key=lambda p: p.fra)
    found = []
    dekket_til = None
    forrige = None
    for p in rows:
        if forrige is not None and dekket_til is not None and dekket_til != dt.date.max \
                and dekket_til + dt.timedelta(days=1) < p.fra:
            found.append((dekket_til + dt.timedelta(days=1), p.fra - dt.timedelta(days=1), forrige, p))
        if dekket_til is None or _slutt(p.til) >= dekket_til:
            dekket_til, forrige = _slutt(p.til), p
    return found


def _tidslinjefeil(for_: Sequence[_Periode], etter: Sequence[_Periode]) -> dict[str, list[ValidationError]]:
    """Overlaps involving a changed row, and gaps the write would open, as errors on the field to change."""
    errors: dict[str, list[ValidationError]] = {}
    for i, p in enumerate(etter):
        if not p.ny:
            continue
        for j, other in enumerate(etter):
            if i == j or (other.ny and j < i):  # a pair of changed rows is reported once
                continue
            if p.fra <= _slutt(other.til) and other.fra <= _slutt(p.til):
                fra, til = max(p.fra, other.fra), min(_slutt(p.til), _slutt(other.til))
                felles = _periode_tekst(fra, None if til == dt.date.max else til)
                felt = "gyldig_til" if other.fra > p.fra else "gyldig_fra"
                errors.setdefault(felt, []).append(ValidationError(_(
                    "Perioden overlapper regelen for %(slag)s som gjelder %(regel)s: begge ville gjelde %(felles)s. "
                    "To regler av samme slag kan ikke gjelde samme dag. En ny sats legges inn med «Endre sats fra "
                    "dato», som avslutter den gjeldende regelen dagen før.") % {
                    "slag": beskriv(*_slag(other.regel)), "regel": _regel_tekst(other.regel), "felles": felles},
                    code="overlapp"))
    if errors:
        return errors  # a gap beside an overlap says nothing useful
    gamle = {(fra, til) for fra, til, _a, _b in _hull(for_)}
    for fra, til, a, b in _hull(etter):
        if (fra, til) in gamle:
            continue
        felt = "gyldig_fra" if b.ny else "gyldig_til" if a.ny else NON_FIELD_ERRORS
        errors.setdefault(felt, []).append(ValidationError(_(
            "Det ville bli et opphold uten regel for %(slag)s fra %(fra)s til og med %(til)s, mellom regelen som "
            "gjelder %(a)s og regelen som gjelder %(b)s. Regler av samme slag må følge hverandre uten opphold: la "
            "datoene møtes (den ene slutter dagen før den neste begynner).") % {
            "slag": beskriv(*_slag(b.regel)), "fra": _dato(fra), "til": _dato(til),
            "a": _periode_tekst(a.fra, a.til), "b": _periode_tekst(b.fra, b.til)}, code="opphold"))
    return errors


def _perioder(rows: Iterable[Lonnsartregel]) -> list[_Periode]:
    return [_Periode(r.gyldig_fra, r.gyldig_til, r) for r in rows]


def _sjekk_tidslinje(kommune_id: int, slag: tuple, *, endringer: dict[int, tuple[dt.date, dt.date | None]] | None = None,
                     nye: Sequence[Lonnsartregel] = (), slettet: Iterable[int] = ()) -> None:
    """Raise the overlap and gap errors of a write to one kind: `endringer` (id → new dates), `nye`
    rows (unsaved), `slettet` ids."""
    endringer = endringer or {}
    slettet = set(slettet)
    rows = list(_samme_slag(kommune_id, slag))
    for_ = _perioder(rows)
    etter = []
    for r in rows:
        if r.pk in slettet:
            continue
        if r.pk in endringer:
            fra, til = endringer[r.pk]
            etter.append(_Periode(fra, til, r, ny=True))
        else:
            etter.append(_Periode(r.gyldig_fra, r.gyldig_til, r))
    etter += [_Periode(n.gyldig_fra, n.gyldig_til, n, ny=True) for n in nye]
    errors = _tidslinjefeil(for_, etter)
    if errors:
        raise ValidationError(errors)


# --- input parsing -----------------------------------------------------------------------------------

def _sats(value: Any, felt: str = "sats") -> Decimal:
    if isinstance(value, bool) or value is None or value == "":
        raise _error(felt, _("Oppgi satsen i kroner, for eksempel 168 eller 348,375."), "required")
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(" ", "").replace(",", "."))
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite():
        raise _error(felt, _("Satsen må være et tall i kroner, for eksempel 168 eller 348,375."), "ugyldig")
    if number < 0:
        raise _error(felt, _("Satsen kan ikke være negativ."), "negativ")
    if number != number.quantize(Decimal("0.0001")):
        raise _error(felt, _("Satsen kan ha høyst fire desimaler."), "desimaler")
    if number >= Decimal("1e8"):
        raise _error(felt, _("Satsen kan være høyst 99 999 999,9999 kroner."), "for_stor")
    return number.quantize(Decimal("0.0001"))


def _dato_inn(value: Any, felt: str, *, required: bool) -> dt.date | None:
    if value in (None, ""):
        if required:
            raise _error(felt, _("Oppgi en dato."), "required")
        return None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise _error(felt, _("Oppgi en gyldig dato."), "ugyldig")
    return check_range(value, felt)


def _tekst(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _dimensjoner(kategori, vakttype, vaktklasse, dagkategori, tid) -> tuple[dict, dict[str, list[ValidationError]]]:
    errors: dict[str, list[ValidationError]] = {}
    kategori = _tekst(kategori)
    if kategori not in Lonnskategori.values:
        errors["kategori"] = [ValidationError(_("Velg en kategori: legevakt, hviletid, reise, legevaktsentral, vikar "
                                                "eller ALIS-veiledning."), code="ugyldig" if kategori else "required")]
    vakttype, dagkategori, tid = _tekst(vakttype), _tekst(dagkategori), _tekst(tid)
    if vaktklasse in ("", None):
        vaktklasse = None
    elif isinstance(vaktklasse, bool) or not isinstance(vaktklasse, int) and not str(vaktklasse).strip().isdigit():
        errors["vaktklasse"] = [ValidationError(_("Vaktklassen må være 1, 2, 3 eller 4 (SFS 2305 § 8.3), eller tom for "
                                                  "alle."), code="ugyldig")]
        vaktklasse = None
    else:
        vaktklasse = int(vaktklasse)
        if not 1 <= vaktklasse <= 4:
            errors["vaktklasse"] = [ValidationError(_("Vaktklassen må være 1, 2, 3 eller 4 (SFS 2305 § 8.3), eller tom "
                                                      "for alle."), code="ugyldig")]
    if vakttype and vakttype not in Vakttype.values:
        errors["vakttype"] = [ValidationError(_("Ukjent vakttype: velg en av vakttypene, eller tom for alle."), code="ugyldig")]
    if dagkategori and dagkategori not in Dagkategori.values:
        errors["dagkategori"] = [ValidationError(_("Dagkategorien må være hverdag, helg eller helligdag, eller tom for "
                                                   "alle."), code="ugyldig")]
    if tid and tid not in Tid.values:
        errors["tid"] = [ValidationError(_("Velg dag eller natt, eller tom for begge."), code="ugyldig")]
    if kategori in Lonnskategori.values and kategori != Lonnskategori.VAKT:
        melding = _("Vakttype, vaktklasse, dagkategori og dag/natt gjelder bare kategorien legevakt: la dem stå tomme.")
        for navn, verdi in (("vakttype", vakttype), ("vaktklasse", vaktklasse), ("dagkategori", dagkategori), ("tid", tid)):
            if verdi not in ("", None) and navn not in errors:
                errors[navn] = [ValidationError(melding, code="bare_vakt")]
    return ({"kategori": kategori, "vakttype": vakttype, "vaktklasse": vaktklasse, "dagkategori": dagkategori,
             "tid": tid}, errors)


def _full_clean(obj: Lonnsartregel, errors: dict[str, list[ValidationError]], *, constraints: bool) -> None:
    """Model validation, merged into `errors` (fields already in error are not reported twice)."""
    try:
        obj.full_clean(exclude=list(errors), validate_constraints=constraints)
    except ValidationError as exc:
        for felt, feil in exc.error_dict.items():
            if felt in errors:
                continue
            errors.setdefault(felt, []).extend(feil)


def _lagre(obj: Lonnsartregel) -> Lonnsartregel:
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:  # a writer that did not take the lock (the checks above passed)
        name = constraint_name(exc)
        felt = CONSTRAINT_FIELDS.get(name, NON_FIELD_ERRORS)
        for constraint in Lonnsartregel._meta.constraints:
            if constraint.name == name:
                raise _error(felt, str(constraint.get_violation_error_message()), name) from exc
        raise _error(NON_FIELD_ERRORS, _("Regelen bryter en regel i databasen (%(regel)s).") % {
            "regel": name or "ukjent"}, "integritet") from exc
    return obj


# --- services ------------------------------------------------------------------------------------------

def opprett_regel(*, kommune: Kommune, kategori: str, vakttype: str = "", vaktklasse: int | None = None,
                  dagkategori: str = "", tid: str = "", gyldig_fra: dt.date, gyldig_til: dt.date | None = None,
                  lonnsart: str, sats: Decimal, kostnadssted: str = "", kilde: str = "",
                  eksempel: bool = False) -> Lonnsartregel:
    """Add a row to the kommune's mapping (the rules in the module docstring). Refused with a
    ValidationError on the field; nothing saved."""
    with transaction.atomic():
        _las(kommune.pk)
        return _opprett(kommune=kommune, kategori=kategori, vakttype=vakttype, vaktklasse=vaktklasse,
                        dagkategori=dagkategori, tid=tid, gyldig_fra=gyldig_fra, gyldig_til=gyldig_til, lonnsart=lonnsart,
                        sats=sats, kostnadssted=kostnadssted, kilde=kilde, eksempel=eksempel)


def _opprett(*, kommune, kategori, vakttype, vaktklasse, dagkategori, tid, gyldig_fra, gyldig_til, lonnsart, sats,
             kostnadssted, kilde, eksempel) -> Lonnsartregel:
    dims, errors = _dimensjoner(kategori, vakttype, vaktklasse, dagkategori, tid)
    verdier: dict[str, Any] = {}
    for felt, call in (("gyldig_fra", lambda: _dato_inn(gyldig_fra, "gyldig_fra", required=True)),
                       ("gyldig_til", lambda: _dato_inn(gyldig_til, "gyldig_til", required=False)),
                       ("sats", lambda: _sats(sats))):
        try:
            verdier[felt] = call()
        except ValidationError as exc:
            errors.update(exc.error_dict)
            verdier[felt] = None
    if verdier["gyldig_fra"] and verdier["gyldig_til"] and verdier["gyldig_til"] < verdier["gyldig_fra"]:
        errors.setdefault("gyldig_til", []).append(ValidationError(
            _("«Gjelder til» kan ikke være før «gjelder fra» (%(fra)s).") % {"fra": _dato(verdier["gyldig_fra"])},
            code="til_for_fra"))
    lonnsart = _tekst(lonnsart)
    if not lonnsart:
        errors.setdefault("lonnsart", []).append(ValidationError(_("Oppgi kommunens lønnsart (koden i lønnssystemet)."),
                                                                 code="required"))
    _sjekk_koder(errors, lonnsart=lonnsart, kostnadssted=_tekst(kostnadssted))
    obj = Lonnsartregel(kommune_id=kommune.pk, **dims, gyldig_fra=verdier["gyldig_fra"], gyldig_til=verdier["gyldig_til"],
                        lonnsart=lonnsart, sats=verdier["sats"], kostnadssted=_tekst(kostnadssted), kilde=_tekst(kilde),
                        eksempel=bool(eksempel))
    _full_clean(obj, errors, constraints=False)
    if errors:
        raise ValidationError(errors)
    _sjekk_lukket(kommune.pk, obj.gyldig_fra, "gyldig_fra")
    _sjekk_tidslinje(kommune.pk, _slag(obj), nye=[obj])
    return _lagre(obj)


def endre_sats(*, regel: Lonnsartregel, fra: dt.date, sats: Decimal, lonnsart: str | None = None,
               kostnadssted: str | None = None, kilde: str = "", expected_version: int | None = None) -> Lonnsartregel:
    """A changed rate applies from its date: end `regel` the day before `fra` and add a row of the same
    kind from `fra` to the old row's end, with the new rate (and wage type / cost centre when given;
    otherwise the old ones). `fra` must lie inside the row's validity and after its start. An example
    row's wage type is a placeholder, so replacing one needs the kommune's own. Returns the new row."""
    fra = _dato_inn(fra, "fra", required=True)
    ny_sats = _sats(sats)
    with transaction.atomic():
        _las(regel.kommune_id)
        gammel = _hent_last(regel, expected_version)
        if fra <= gammel.gyldig_fra or (gammel.gyldig_til is not None and fra > gammel.gyldig_til):
            raise _error("fra", _(
                "Datoen den nye satsen gjelder fra, må ligge etter at regelen begynte å gjelde og innenfor perioden "
                "den gjelder (%(periode)s). Rett en sats for hele perioden ved å slette regelen og legge den inn på "
                "nytt.") % {"periode": _periode_tekst(gammel.gyldig_fra, gammel.gyldig_til)}, "utenfor_perioden")
        _sjekk_lukket(gammel.kommune_id, fra, "fra")
        ny_lonnsart = gammel.lonnsart if lonnsart is None or _tekst(lonnsart) == "" else _tekst(lonnsart)
        if gammel.eksempel and ny_lonnsart.startswith(EKSEMPEL_PREFIKS):
            raise _error("lonnsart", _(
                "Eksempelradens lønnsart (%(kode)s) er en plassholder: oppgi kommunens egen lønnsart for den nye "
                "satsen.") % {"kode": gammel.lonnsart}, "plassholder")
        ny = Lonnsartregel(
            kommune_id=gammel.kommune_id, kategori=gammel.kategori, vakttype=gammel.vakttype, vaktklasse=gammel.vaktklasse,
            dagkategori=gammel.dagkategori, tid=gammel.tid, gyldig_fra=fra, gyldig_til=gammel.gyldig_til,
            lonnsart=ny_lonnsart, sats=ny_sats,
            kostnadssted=gammel.kostnadssted if kostnadssted is None else _tekst(kostnadssted), kilde=_tekst(kilde),
        )
        errors: dict[str, list[ValidationError]] = {}
        _sjekk_koder(errors, lonnsart=ny.lonnsart, kostnadssted=ny.kostnadssted)
        _full_clean(ny, errors, constraints=False)
        if errors:
            raise ValidationError(errors)
        slutt = fra - dt.timedelta(days=1)
        _sjekk_tidslinje(gammel.kommune_id, _slag(gammel), endringer={gammel.pk: (gammel.gyldig_fra, slutt)}, nye=[ny])
        Lonnsartregel.objects.filter(pk=gammel.pk).update(gyldig_til=slutt)
        return _lagre(ny)


def avslutt_regel(*, regel: Lonnsartregel, til: dt.date | None, expected_version: int | None = None) -> Lonnsartregel:
    """Set the row's last day (`til`, inclusive; None = until further notice). Refused when the row
    would end before it starts, overlap the next row of its kind, or leave a gap before it."""
    til = _dato_inn(til, "gyldig_til", required=False)
    with transaction.atomic():
        _las(regel.kommune_id)
        locked = _hent_last(regel, expected_version)
        if til is not None and til < locked.gyldig_fra:
            raise _error("gyldig_til", _("«Gjelder til» kan ikke være før «gjelder fra» (%(fra)s).") % {
                "fra": _dato(locked.gyldig_fra)}, "til_for_fra")
        if til == locked.gyldig_til:
            return locked
        endret_fra = min(d for d in (locked.gyldig_til, til) if d is not None) + dt.timedelta(days=1)
        _sjekk_lukket(locked.kommune_id, endret_fra, "gyldig_til")
        _sjekk_tidslinje(locked.kommune_id, _slag(locked), endringer={locked.pk: (locked.gyldig_fra, til)})
        Lonnsartregel.objects.filter(pk=locked.pk).update(gyldig_til=til)
        locked.refresh_from_db()
        return locked


def slett_regel(*, regel: Lonnsartregel, expected_version: int | None = None, forleng_forrige: bool = False) -> None:
    """Delete a row. With `forleng_forrige`, the row of the same kind ending the day before it takes
    over its period (undoing a rate change). Refused when it would leave a gap between two rows of its
    kind, or when frozen payroll lines of a closed month used it (end it, or change the rate from a
    date, instead)."""
    with transaction.atomic():
        _las(regel.kommune_id)
        locked = _hent_last(regel, expected_version)
        _sjekk_lukket(locked.kommune_id, locked.gyldig_fra, NON_FIELD_ERRORS)
        if Lonnslinje.objects.filter(regel_id=locked.pk).exists():
            raise _error(NON_FIELD_ERRORS, _(
                "Regelen er brukt i lønnslinjer for en lukket måned og kan ikke slettes. Avslutt den, eller endre "
                "satsen fra en dato, i stedet."), "i_bruk")
        forrige = None
        if forleng_forrige:
            forrige = (_samme_slag(locked.kommune_id, _slag(locked))
                       .filter(gyldig_til=locked.gyldig_fra - dt.timedelta(days=1)).select_for_update().first())
        endringer = {forrige.pk: (forrige.gyldig_fra, locked.gyldig_til)} if forrige else {}
        _sjekk_tidslinje(locked.kommune_id, _slag(locked), endringer=endringer, slettet=[locked.pk])
        try:
            with transaction.atomic():
                locked.delete()
        except (ProtectedError, RestrictedError) as exc:
            raise _error(NON_FIELD_ERRORS, _("Regelen kan ikke slettes fordi andre opplysninger viser til den."),
                         "i_bruk") from exc
        if forrige is not None:
            Lonnsartregel.objects.filter(pk=forrige.pk).update(gyldig_til=locked.gyldig_til)


def last_eksempeltabell(*, kommune: Kommune, fra: dt.date, av=None) -> list[Lonnsartregel]:
    """Load EKSEMPELTABELL (SFS 2305's rates of 1 January 2021) from `fra`, open-ended, as example rows
    (eksempel=True, placeholder wage types EKS-…, the source in `kilde`). Refused when the kommune already
    has a row in force on `fra` or later: the example never overwrites or mixes with the kommune's own
    rates. `av` (the person loading) is recorded by the audit context of the request."""
    fra = _dato_inn(fra, "fra", required=True)
    with transaction.atomic():
        _las(kommune.pk)
        _sjekk_lukket(kommune.pk, fra, "fra")
        finnes = (Lonnsartregel.objects.filter(kommune_id=kommune.pk).filter(Q(gyldig_til__isnull=True) | Q(gyldig_til__gte=fra))
                  .order_by("gyldig_fra", "id").first())
        if finnes is not None:
            raise _error("fra", _(
                "Kommunen har allerede regler som gjelder %(fra)s eller senere (for eksempel %(slag)s, %(regel)s). "
                "Eksempeltabellen kan bare lastes inn fra en dato uten regler fra før.") % {
                "fra": _dato(fra), "slag": beskriv(*_slag(finnes)), "regel": _regel_tekst(finnes)}, "har_regler")
        nye = []
        for rad in EKSEMPELTABELL:
            nye.append(_opprett(
                kommune=kommune, kategori=rad.kategori, vakttype=rad.vakttype, vaktklasse=rad.vaktklasse,
                dagkategori=rad.dagkategori, tid=rad.tid, gyldig_fra=fra, gyldig_til=None, lonnsart=rad.lonnsart,
                sats=rad.sats, kostnadssted="", kilde=f"{rad.kilde}. Eksempel: {EKSEMPEL_MERKNAD}.", eksempel=True))
        return nye


# --- selectors -----------------------------------------------------------------------------------------

def _spesifisitet(regel) -> tuple[bool, bool, bool, bool]:
    return (regel.vakttype != "", regel.vaktklasse is not None, regel.dagkategori != "", regel.tid != "")


def _passer(regel, *, vakttype: str, vaktklasse: int | None, dagkategori: str, tid: str) -> bool:
    return (regel.vakttype in ("", vakttype) and (regel.vaktklasse is None or regel.vaktklasse == vaktklasse)
            and regel.dagkategori in ("", dagkategori) and regel.tid in ("", tid))


def _gjelder(regel, dato: dt.date) -> bool:
    return regel.gyldig_fra <= dato <= _slutt(regel.gyldig_til)


def velg_regel(rows: Iterable[Lonnsartregel], *, kategori: str, vakttype: str = "", vaktklasse: int | None = None,
               dagkategori: str = "", tid: str = "", dato: dt.date) -> Lonnsartregel | None:
    """The precedence, in memory, over rows already read: among `rows` of `kategori` valid on `dato` whose
    non-empty dimensions all equal the line's, the most specific (vakttype set, then vaktklasse, then
    dagkategori, then tid)."""
    kandidater = [r for r in rows if r.kategori == kategori and _gjelder(r, dato)
                  and _passer(r, vakttype=vakttype or "", vaktklasse=vaktklasse, dagkategori=dagkategori or "", tid=tid or "")]
    return max(kandidater, key=_spesifisitet, default=None)


def finn_regel(*, kommune: Kommune, kategori: str, vakttype: str = "", vaktklasse: int | None = None,
               dagkategori: str = "", tid: str = "", dato: dt.date) -> Lonnsartregel | None:
    """The row that prices a payable line of `kategori` with these dimensions on `dato` (None: unmapped).
    One query; the same precedence as the pricing SQL."""
    klasse = Q(vaktklasse__isnull=True)
    if vaktklasse is not None:
        klasse |= Q(vaktklasse=vaktklasse)
    rows = (Lonnsartregel.objects.filter(kommune_id=kommune.pk, kategori=kategori, gyldig_fra__lte=dato)
            .filter(Q(gyldig_til__isnull=True) | Q(gyldig_til__gte=dato))
            .filter(klasse, vakttype__in=["", vakttype or ""], dagkategori__in=["", dagkategori or ""], tid__in=["", tid or ""]))
    return velg_regel(rows, kategori=kategori, vakttype=vakttype, vaktklasse=vaktklasse, dagkategori=dagkategori,
                      tid=tid, dato=dato)


@dataclass(frozen=True)
class Udekket:
    """A concrete payable category without a row on the date."""

    kategori: str
    vakttype: str = ""
    vaktklasse: int | None = None
    dagkategori: str = ""
    tid: str = ""

    @property
    def tekst(self) -> str:
        return beskriv(self.kategori, self.vakttype, self.vaktklasse, self.dagkategori, self.tid)


def konkrete_kategorier() -> list[Udekket]:
    """Every concrete payable category a line can have: legevakt hours per vakttype × the vaktklasser
    that type can have (legevakt.vakt_services.tillatte_vaktklasser, with a local agreement: tilstedevakt
    2–4, legevaktsentral 1–4, the others 1) × dagkategori × day/night; and each other category."""
    vakt = [Udekket(Lonnskategori.VAKT, vakttype, klasse, dag, tid)
            for vakttype in Vakttype.values
            for klasse in tillatte_vaktklasser(vakttype, lokal_avtale="lokal avtale")
            for dag in Dagkategori.values for tid in Tid.values]
    andre = [Udekket(k) for k in Lonnskategori.values if k != Lonnskategori.VAKT]
    return vakt + andre


def _rekkefolge(regel: Lonnsartregel) -> tuple:
    """Categories in their declared order; within one, the general rows before the specific ones, the
    dimensions in their declared order (hverdag, helg, helligdag; dag, natt), then by date."""
    def plass(values, value):
        return values.index(value) + 1 if value in values else 0

    return (plass(Lonnskategori.values, regel.kategori), plass(Vakttype.values, regel.vakttype), regel.vaktklasse or 0,
            plass(Dagkategori.values, regel.dagkategori), plass(Tid.values, regel.tid), regel.gyldig_fra, regel.pk)


def regler(*, kommune: Kommune) -> list[Lonnsartregel]:
    """The kommune's whole mapping, in category order (_rekkefolge). One query."""
    return sorted(Lonnsartregel.objects.filter(kommune_id=kommune.pk), key=_rekkefolge)


def _dekning(rows: Sequence[Lonnsartregel], dato: dt.date) -> list[Udekket]:
    return [k for k in konkrete_kategorier()
            if velg_regel(rows, kategori=k.kategori, vakttype=k.vakttype, vaktklasse=k.vaktklasse,
                          dagkategori=k.dagkategori, tid=k.tid, dato=dato) is None]


def dekning(*, kommune: Kommune, dato: dt.date) -> list[Udekket]:
    """The concrete payable categories (konkrete_kategorier) no row prices on `dato`: a warning for the
    page and for closing a month, not a save-time error. One query."""
    rows = list(Lonnsartregel.objects.filter(kommune_id=kommune.pk, gyldig_fra__lte=dato)
                .filter(Q(gyldig_til__isnull=True) | Q(gyldig_til__gte=dato)))
    return _dekning(rows, dato)


@dataclass
class Gruppe:
    kategori: str
    navn: str
    enhet: str
    regler: list[Lonnsartregel] = field(default_factory=list)


@dataclass
class Oversikt:
    dato: dt.date
    gjeldende: list[Gruppe]
    fremtidige: list[Lonnsartregel]
    tidligere: list[Lonnsartregel]
    udekket: list[Udekket]
    antall: int
    eksempler_i_bruk: int

    @property
    def udekket_per_kategori(self) -> list[tuple[str, list[Udekket]]]:
        grupper: dict[str, list[Udekket]] = {}
        for u in self.udekket:
            grupper.setdefault(u.kategori, []).append(u)
        return [(str(KATEGORI_KORT[k]), grupper[k]) for k in Lonnskategori.values if k in grupper]


def oversikt(*, kommune: Kommune, dato: dt.date) -> Oversikt:
    """The page's view of the mapping on `dato`: the rows in force grouped by category (every category,
    empty ones too), the future and past rows, the uncovered categories. One query. Each row gets
    `slag_tekst`, `enhet` and `forrige_slutter_dagen_for` (a row of its kind ends the day before it
    starts: deleting it can hand its period back)."""
    rows = regler(kommune=kommune)
    slutter = {(_slag(r), r.gyldig_til) for r in rows if r.gyldig_til is not None}
    for r in rows:
        r.slag_tekst = beskriv(*_slag(r))
        r.enhet = str(ENHET.get(r.kategori, ""))
        r.forrige_slutter_dagen_for = (_slag(r), r.gyldig_fra - dt.timedelta(days=1)) in slutter
        r.sats_visning = sats_tekst(r.sats)
    grupper = {k: Gruppe(k, str(KATEGORI_KORT[k]), str(ENHET[k])) for k in Lonnskategori.values}
    gjeldende = [r for r in rows if _gjelder(r, dato)]
    for r in gjeldende:
        grupper[r.kategori].regler.append(r)
    return Oversikt(
        dato=dato, gjeldende=list(grupper.values()),
        fremtidige=sorted((r for r in rows if r.gyldig_fra > dato), key=lambda r: (r.gyldig_fra, r.kategori, r.pk)),
        tidligere=sorted((r for r in rows if _slutt(r.gyldig_til) < dato), key=lambda r: (r.gyldig_fra, r.kategori, r.pk),
                         reverse=True),
        udekket=_dekning(gjeldende, dato), antall=len(rows), eksempler_i_bruk=sum(1 for r in gjeldende if r.eksempel),
    )
