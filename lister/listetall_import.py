"""Import of the monthly list figures from a CSV or XLSX file, as a background job.

Helfo updates the lists on the 1st of each month and the kommune receives the figures per list.
The file holds aggregate figures only — one row per list and month:

    liste (or flo_id) ; dato ; listelengde ; venteliste

- `liste` is the list's number in this system (shown in the register), `flo_id` its number in
  Fastlegeregisteret; a file may have either or both (both must then name the same list).
- Personal data guard, before anything else: a file whose headers look like personal
  identifiers (fødselsnummer, navn, pasient …) or with an 11-digit number in ANY cell (a
  fødselsnummer, with or without a space or hyphen after six digits; in an Excel number cell also
  10 digits, since Excel drops a leading zero) is refused whole. It is checked when the file is
  uploaded, so such a file is never stored, and again when the job reads it.
- Every row is checked and every error reported (row number as in the file, field, message); one
  error refuses the whole file. Otherwise all rows are written in one statement (an existing
  figure for the same list and date is updated) in the job's transaction: all or nothing.
- The uploaded bytes live only in the job row while it waits or runs (kommune.bakgrunnsjobber).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kommune.bakgrunnsjobber import JobbFeil, Progress
from kommune.models import Bakgrunnsjobb

logger = logging.getLogger(__name__)

JOBBTYPE = "lister.listetall_import"
TITTEL = gettext_lazy("Import av månedlige listetall")
MAKS_FILSTORRELSE = 1024 * 1024  # the API's body limit (settings.API_MAX_BODY_BYTES); a year for 2 500 lists is ~1 MB CSV
MAKS_RADER = 20_000
MAKS_CELLER = 400_000  # all sheets together, for the personal data guard
MAKS_XLSX_UTPAKKET = 40 * 1024 * 1024  # bytes an .xlsx may unpack to
MAKS_XLSX_DELER = 200  # files inside the .xlsx archive
MAKS_ANTALL = 10_000  # no list is this long; a larger figure is a wrong column or a typo
FILTYPER = (".csv", ".xlsx")
KILDE_MANEDLIG = gettext_lazy("Helfo oppdaterer fastlegelistene den 1. i hver måned (Helsedirektoratets begrepsforklaringer)")

# The columns, with the spellings accepted (compared after `_normalised`: lower case, æøå folded,
# letters and digits only).
KOLONNER: dict[str, tuple[str, ...]] = {
    "liste": ("liste", "listenr", "listenummer", "listeid"),
    "flo_id": ("floid", "flonr", "flonummer", "flrid", "nummerifastlegeregisteret"),
    "dato": ("dato",),
    "listelengde": ("listelengde", "antallpaliste", "listeinnbyggere", "antallpasienter"),
    "venteliste": ("venteliste", "antallpaventeliste", "paventeliste"),
}
IDENTIFIKATORER = ("liste", "flo_id")
PAKREVDE = ("dato", "listelengde", "venteliste")
ALIAS = {alias: name for name, aliases in KOLONNER.items() for alias in aliases}

# Headers that name a person or a personal identifier.
PERSON_DELSTRENGER = ("fodselsnummer", "fodselsnr", "personnummer", "personnr", "dnummer", "hnummer", "fodselsdato",
                      "personid", "pasientid", "pasientnr", "pasientnavn", "patientnin")
PERSON_ORD = frozenset({"fnr", "pnr", "dnr", "navn", "fornavn", "etternavn", "mellomnavn", "fulltnavn", "pasient",
                        "adresse", "postadresse", "bostedsadresse", "telefon", "telefonnummer", "mobil", "epost",
                        "fodt", "pid", "nin", "ssn", "personalia"})
FNR_TEKST = re.compile(r"(?<![0-9])[0-9]{6}[ \u00a0-]?[0-9]{5}(?![0-9])")
TALL = re.compile(r"^[0-9]+$")
MELLOMROM = re.compile(r"[\s\u00a0\u2009\u202f]")


class Filfeil(Exception):
    """The whole file is refused (format, personal data, columns); `meldinger` says why."""

    def __init__(self, *meldinger: str, felt: str = "fil"):
        super().__init__(" ".join(meldinger))
        self.meldinger = list(meldinger)
        self.felt = felt

    def as_errors(self) -> list[dict]:
        return [{"rad": None, "felt": self.felt, "melding": m} for m in self.meldinger]


@dataclass(frozen=True)
class Rad:
    """A data row as read: its number in the file (the header is row 1) and the raw cell per column."""

    nummer: int
    verdier: dict[str, Any]
    ekstra: bool = False  # cells beyond the header's columns


@dataclass(frozen=True)
class Tabell:
    kolonner: tuple[str, ...]
    rader: list[Rad]


@dataclass(frozen=True)
class Listetallrad:
    """A checked row, ready to write."""

    nummer: int
    liste_id: int
    dato: dt.date
    listelengde: int
    venteliste: int


# --- reading the file ---------------------------------------------------------------------------------


def _normalised(text: str) -> str:
    folded = str(text).lower().replace("æ", "ae").replace("ø", "o").replace("å", "a").replace("é", "e")
    return "".join(re.findall(r"[a-z0-9]+", folded))


def _words(text: str) -> list[str]:
    folded = str(text).lower().replace("æ", "ae").replace("ø", "o").replace("å", "a").replace("é", "e")
    return re.findall(r"[a-z0-9]+", folded)


def _kolonne(index: int) -> str:
    """A spreadsheet column letter (0 → A)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def extension(filnavn: str) -> str:
    name = (filnavn or "").lower().strip()
    return next((ext for ext in FILTYPER if name.endswith(ext)), "")


def _personal_data_message() -> str:
    return _("Filen ser ut til å inneholde fødselsnummer eller andre personopplysninger. Importen tar bare imot "
             "aggregerte tall per liste (liste, dato, listelengde, venteliste). Ingenting er importert, og filen er "
             "ikke lagret.")


def _looks_like_person_header(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    compact = _normalised(value)
    if any(part in compact for part in PERSON_DELSTRENGER):
        return True
    return compact in PERSON_ORD or any(word in PERSON_ORD for word in _words(value))


def _looks_like_fodselsnummer(value: Any) -> bool:
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, int):
        return 10**9 <= abs(value) < 10**11  # 10 digits: Excel dropped a leading zero
    if isinstance(value, float):
        return value.is_integer() and 10**9 <= abs(value) < 10**11
    if isinstance(value, str):
        return FNR_TEKST.search(value) is not None
    return False


def guard_row(cells: list[Any], *, header: bool) -> None:
    """Refuse the file if this row (a sheet's first row: `header`) names a personal identifier or
    any of its cells holds what looks like a fødselsnummer (see the module docstring)."""
    if header and any(_looks_like_person_header(cell) for cell in cells):
        raise Filfeil(_personal_data_message())
    if any(_looks_like_fodselsnummer(cell) for cell in cells):
        raise Filfeil(_personal_data_message())


def guard_personal_data(tables: Iterable[list[tuple[int, list[Any]]]]) -> None:
    for table in tables:
        for index, (_number, cells) in enumerate(table):
            guard_row(cells, header=index == 0)


def _csv_tables(data: bytes) -> list[list[tuple[int, list[Any]]]]:
    if data.startswith(b"PK\x03\x04"):
        raise Filfeil(_("Filen er en Excel-fil, men navnet slutter på .csv. Gi den endelsen .xlsx, eller lagre den "
                        "som «CSV UTF-8» i Excel."))
    encoding_error = None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        encoding_error = exc
        text = data.decode("cp1252", errors="replace")  # good enough to look for personal data first
    if "\x00" in text:
        raise Filfeil(_("Filen kan ikke leses som tekst (CSV). Lagre den som «CSV UTF-8» eller som Excel-arbeidsbok "
                        "(.xlsx)."))
    lines = text.splitlines()
    first = lines[0] if lines else ""
    delimiter = max((";", ",", "\t"), key=first.count) if first else ";"
    try:
        rows = [(number, [cell.strip() for cell in row])
                for number, row in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1)]
    except csv.Error as exc:
        raise Filfeil(_("Filen er ikke gyldig CSV (%(feil)s).") % {"feil": str(exc)[:100]}) from exc
    guard_personal_data([rows])
    if len(rows) > MAKS_RADER + 1:
        raise Filfeil(_("Filen har mer enn %(maks)s rader.") % {"maks": formats.number_format(MAKS_RADER, force_grouping=True)})
    if encoding_error is not None:
        raise Filfeil(_("Filen er ikke UTF-8-kodet (ugyldig tegn ved byte %(pos)d; trolig lagret som Windows-1252/ANSI). "
                        "Lagre den som «CSV UTF-8 (kommadelt)» i Excel, eller som UTF-8 i et tekstprogram, og prøv "
                        "igjen.") % {"pos": encoding_error.start + 1})
    return [rows]


def _check_unpacked_size(data: bytes) -> None:
    """Refuse a workbook that unpacks to far more than a figures file needs (a "zip bomb"); the
    sizes declared in the archive bound what the reader will unpack."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise Filfeil(_not_xlsx_message()) from exc
    if len(entries) > MAKS_XLSX_DELER or sum(entry.file_size for entry in entries) > MAKS_XLSX_UTPAKKET:
        raise Filfeil(_("Excel-filen er for stor eller har for mange deler. Lagre bare arket med listetallene, eller "
                        "bruk CSV."))


def _not_xlsx_message() -> str:
    return _("Filen er ikke en gyldig Excel-arbeidsbok (.xlsx). Lagre den som «Excel-arbeidsbok (.xlsx)» eller som "
             "«CSV UTF-8», og prøv igjen.")


def _xlsx_tables(data: bytes) -> list[list[tuple[int, list[Any]]]]:
    from openpyxl import load_workbook

    _check_unpacked_size(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # untrusted input: any failure to open it is "not a valid xlsx"
        logger.info("Listetall-import: ugyldig xlsx (%s)", type(exc).__name__)
        raise Filfeil(_not_xlsx_message()) from exc
    tables: list[list[tuple[int, list[Any]]]] = []
    cells = 0
    try:
        for sheet in workbook.worksheets:
            rows: list[tuple[int, list[Any]]] = []
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                values = [cell.strip() if isinstance(cell, str) else cell for cell in row]
                guard_row(values, header=number == 1)
                cells += len(values)
                if number > MAKS_RADER + 1 or cells > MAKS_CELLER:
                    raise Filfeil(_("Filen har mer enn %(maks)s rader eller for mange celler.") % {
                        "maks": formats.number_format(MAKS_RADER, force_grouping=True)})
                rows.append((number, values))
            tables.append(rows)
    except Filfeil:
        raise
    except Exception as exc:  # a damaged sheet inside a readable zip
        logger.info("Listetall-import: skadet xlsx (%s)", type(exc).__name__)
        raise Filfeil(_("Filen er ikke en gyldig Excel-arbeidsbok (.xlsx). Lagre den på nytt og prøv igjen.")) from exc
    finally:
        workbook.close()
    return tables


def _tables(data: bytes, filnavn: str) -> list[list[tuple[int, list[Any]]]]:
    ext = extension(filnavn)
    if not ext:
        raise Filfeil(_("Bare CSV- og Excel-filer (.csv eller .xlsx) kan importeres."))
    if not data:
        raise Filfeil(_("Filen er tom."))
    if len(data) > MAKS_FILSTORRELSE:
        raise Filfeil(size_message())
    return _csv_tables(data) if ext == ".csv" else _xlsx_tables(data)


def size_message() -> str:
    return _("Filen er for stor: høyst %(maks)s MB er tillatt.") % {"maks": MAKS_FILSTORRELSE // (1024 * 1024)}


def _columns(header: list[Any]) -> tuple[str, ...]:
    while header and _empty(header[-1]):
        header = header[:-1]
    errors, names = [], []
    allowed = ", ".join(KOLONNER)
    for index, cell in enumerate(header):
        if _empty(cell):
            errors.append(_("Kolonne %(kolonne)s mangler overskrift.") % {"kolonne": _kolonne(index)})
            names.append("")
            continue
        name = ALIAS.get(_normalised(str(cell)))
        if name is None:
            errors.append(_("Kolonnen «%(navn)s» (kolonne %(kolonne)s) er ikke tillatt: kun aggregerte kolonner er "
                            "tillatt (%(tillatt)s).") % {"navn": str(cell)[:40], "kolonne": _kolonne(index), "tillatt": allowed})
        elif name in names:
            errors.append(_("Kolonnen «%(navn)s» står to ganger.") % {"navn": name})
        names.append(name or "")
    if not any(name in names for name in IDENTIFIKATORER):
        errors.append(_("Kolonnen «liste» (listens nummer i registeret) eller «flo_id» (nummeret i "
                        "Fastlegeregisteret) mangler."))
    errors += [_("Kolonnen «%(navn)s» mangler.") % {"navn": name} for name in PAKREVDE if name not in names]
    if errors:
        raise Filfeil(*errors)
    return tuple(names)


def read(data: bytes, filnavn: str) -> Tabell:
    """The file's rows, after the personal data guard and the header check (Filfeil otherwise).
    No database access."""
    tables = _tables(bytes(data), filnavn)
    rows = tables[0]
    if not rows or all(_empty(cell) for cell in rows[0][1]):
        raise Filfeil(_("Filen er tom eller mangler overskriftsraden (første rad): liste, dato, listelengde, venteliste."))
    kolonner = _columns(list(rows[0][1]))
    rader = []
    for number, cells in rows[1:]:
        if all(_empty(cell) for cell in cells):
            continue
        values = {name: (cells[i] if i < len(cells) else None) for i, name in enumerate(kolonner)}
        extra = any(not _empty(cell) for cell in cells[len(kolonner):])
        rader.append(Rad(nummer=number, verdier=values, ekstra=extra))
    if not rader:
        raise Filfeil(_("Filen har bare overskriftsraden; det er ingen listetall å importere."))
    return Tabell(kolonner=kolonner, rader=rader)


# --- checking the rows --------------------------------------------------------------------------------


class _Ugyldig(Exception):
    pass


def _whole_number(value: Any) -> int:
    if isinstance(value, bool):
        raise _Ugyldig
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not value.is_integer():
            raise _Ugyldig
        return int(value)
    if isinstance(value, str):
        text = MELLOMROM.sub("", value)
        if TALL.match(text):
            return int(text)
    raise _Ugyldig


def _identifier(value: Any) -> str:
    """A list number as text (an Excel number cell gives 12.0)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return MELLOMROM.sub("", str(value)) if value is not None else ""


def _shown(identifier: str) -> str:
    """Echo a number in a message only when it is short (never what could be a personal number)."""
    return f" {identifier}" if TALL.match(identifier) and len(identifier) <= 9 else ""


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0, 0):
            raise _Ugyldig
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
            try:
                return dt.datetime.strptime(text, pattern).date()
            except ValueError:
                continue
    raise _Ugyldig


def _day(value: dt.date) -> str:
    return value.strftime("%d.%m.%Y")


def validate(tabell: Tabell, *, lister: list[dict], idag: dt.date,
             on_row: Callable[[int], None] = lambda i: None) -> tuple[list[Listetallrad], list[dict]]:
    """Check every row against the kommune's lists (`lister`: dicts with id, flo_id, gyldig_fra,
    gyldig_til). Returns the checked rows and every error (rad, felt, melding)."""
    by_id = {str(liste["id"]): liste for liste in lister}
    by_flo = {liste["flo_id"]: liste for liste in lister if liste["flo_id"]}
    errors: list[dict] = []
    valid: list[Listetallrad] = []
    seen: dict[tuple[int, dt.date], int] = {}
    number_message = _("%(felt)s må være et helt tall fra 0 til %(maks)s.")

    for index, rad in enumerate(tabell.rader, start=1):
        row_errors: list[dict] = []

        def error(felt: str, melding: str, rad=rad, row_errors=row_errors) -> None:
            row_errors.append({"rad": rad.nummer, "felt": felt, "melding": melding})

        if rad.ekstra:
            error("", _("Raden har verdier utenfor kolonnene i overskriften."))
        liste = None
        raw_id = _identifier(rad.verdier.get("liste")) if "liste" in tabell.kolonner else ""
        raw_flo = _identifier(rad.verdier.get("flo_id")) if "flo_id" in tabell.kolonner else ""
        by_number = by_flo_id = None
        if raw_id:
            by_number = by_id.get(raw_id) if TALL.match(raw_id) else None
            if by_number is None:
                error("liste", _("Listen%(nr)s finnes ikke i kommunens register (bruk listenummeret fra registeret).")
                      % {"nr": _shown(raw_id)})
        if raw_flo:
            by_flo_id = by_flo.get(raw_flo)
            if by_flo_id is None:
                error("flo_id", _("Ingen av kommunens lister har nummeret%(nr)s i Fastlegeregisteret.") % {"nr": _shown(raw_flo)})
        if not raw_id and not raw_flo:
            error("liste", _("Listen mangler: oppgi listenummeret (liste) eller nummeret i Fastlegeregisteret (flo_id)."))
        if by_number and by_flo_id and by_number["id"] != by_flo_id["id"]:
            error("flo_id", _("«liste» og «flo_id» viser til to forskjellige lister."))
        else:
            liste = by_number or by_flo_id

        dato = None
        if _empty(rad.verdier.get("dato")):
            error("dato", _("Datoen mangler."))
        else:
            try:
                dato = _date(rad.verdier["dato"])
            except _Ugyldig:
                error("dato", _("Ugyldig dato: skriv den som ÅÅÅÅ-MM-DD eller DD.MM.ÅÅÅÅ, for eksempel 2026-03-01."))
        if dato is not None:
            if dato.day != 1:
                error("dato", _("Datoen %(dato)s er ikke den 1. i måneden. %(kilde)s.") % {"dato": _day(dato), "kilde": KILDE_MANEDLIG})
                dato_ok = False
            elif dato > idag:
                error("dato", _("Datoen %(dato)s er fram i tid.") % {"dato": _day(dato)})
                dato_ok = False
            else:
                dato_ok = True
            if liste is not None and dato_ok:
                ended = liste["gyldig_til"] is not None and liste["gyldig_til"] <= dato
                if dato < liste["gyldig_fra"] or ended:
                    error("liste", _("Listen gjaldt ikke %(dato)s (gyldig fra %(fra)s%(til)s).") % {
                        "dato": _day(dato), "fra": _day(liste["gyldig_fra"]),
                        "til": (_(", opphørte %(til)s") % {"til": _day(liste["gyldig_til"])}) if liste["gyldig_til"] else ""})

        figures = {}
        for felt, label, required in (("listelengde", _("Listelengde"), True), ("venteliste", _("Venteliste"), False)):
            raw = rad.verdier.get(felt)
            if _empty(raw):
                if required:
                    error(felt, _("%(felt)s mangler.") % {"felt": label})
                else:
                    figures[felt] = 0  # no waiting list
                continue
            try:
                value = _whole_number(raw)
            except _Ugyldig:
                value = -1
            if not 0 <= value <= MAKS_ANTALL:
                error(felt, number_message % {"felt": label, "maks": formats.number_format(MAKS_ANTALL, force_grouping=True)})
            else:
                figures[felt] = value

        if liste is not None and dato is not None:
            key = (liste["id"], dato)
            if key in seen:
                error("dato", _("Listen har allerede et tall for %(dato)s på rad %(rad)d i filen.") % {"dato": _day(dato), "rad": seen[key]})
            else:
                seen[key] = rad.nummer
        if row_errors:
            errors += row_errors
        else:
            valid.append(Listetallrad(nummer=rad.nummer, liste_id=liste["id"], dato=dato,
                                      listelengde=figures["listelengde"], venteliste=figures["venteliste"]))
        on_row(index)
    return valid, errors


# --- the job ----------------------------------------------------------------------------------------------


def run_import(jobb: Bakgrunnsjobb, progress: Progress) -> dict[str, int]:
    """The job's runner (registered in ListerConfig.ready): read, check every row, write all or nothing.
    Progress: each row is one unit when checked and one when written (totalt = 2 × rows)."""
    from lister import selectors, services

    try:
        tabell = read(bytes(jobb.inndata or b""), jobb.inndata_navn)
    except Filfeil as exc:
        raise JobbFeil(exc.as_errors()) from exc
    n = len(tabell.rader)
    totalt = 2 * n
    progress.set(0, totalt)
    valid, errors = validate(
        tabell, lister=selectors.lister_for_import(), idag=timezone.localdate(), on_row=lambda i: progress.set(i, totalt),
    )
    if errors:
        raise JobbFeil(errors)
    counts = services.upsert_listetall(kommune_id=jobb.kommune_id, tall=valid)
    progress.set(totalt, totalt)
    return {"rader": n, **counts}


RESULTAT_ETIKETTER = {
    "rader": gettext_lazy("Rader i filen"),
    "nye": gettext_lazy("Nye listetall"),
    "oppdaterte": gettext_lazy("Oppdaterte listetall"),
    "uendret": gettext_lazy("Uendrede listetall (samme tall fantes fra før)"),
}


def template_rows(lister: Iterable[Any], *, dato: dt.date) -> Iterator[dict[str, Any]]:
    """The downloadable template: the kommune's current lists with the month's date and empty figures."""
    for liste in lister:
        yield {"liste": liste.pk, "flo_id": liste.flo_id, "dato": dato, "listelengde": None, "venteliste": None}
