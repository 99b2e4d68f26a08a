"""Pay periods and the monthly payroll file (docs/lonn.md, «Pay periods and corrections»).

A kommune closes (attests) a month: its payroll lines — every payable item's quantities in the month, priced with
the kommune's wage-type mapping on the date of the work — are frozen (`Lonnslinje`, kilde «attestert») and the feed
publishes `lonnsperiode.lukket`. A later change to an item in a closed month becomes a correction, computed by the
database in the transaction of the change (lonn/sql.py, `lonn_korriger`), posted in the month after the last closed
one. Months close in order; only the last closed month can be re-opened, with a reason.

The file of a month: its own lines (frozen when closed, else as they stand) and the corrections posted in it, one
line per person, payable category, wage type, rate, period and cost centre. Every read here is one SQL query,
filtered explicitly by the kommune passed in (which the callers take from the request's scope).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from core.context import current_kommune_id
from kommune.access import KommuneValg
from kommune.models import Kommune
from lonn.models import (
    Korreksjon,
    Lonnskategori,
    Lonnslinje,
    Lonnsperiode,
    Periodebeslutning,
    Periodehandling,
    Periodestatus,
)

PERIODE_FORMAT = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
CSV_KOLONNER = ("ansattnummer", "lonnsart", "antall", "sats", "belop", "periode", "kostnadssted")


FORSTE_AR, SISTE_AR = 2000, 2100  # the months a payroll period can be


def les_maned(tekst: str, *, felt: str = "periode") -> dt.date:
    """"2026-10" → 1 October 2026; anything else (or a year outside 2000–2100) is a ValidationError on `felt`."""
    m = PERIODE_FORMAT.match(tekst or "")
    if not m:
        raise ValidationError({felt: _("Ugyldig måned «%(verdi)s»: bruk formatet ÅÅÅÅ-MM, for eksempel 2026-10.")
                               % {"verdi": tekst}})
    if not FORSTE_AR <= int(m.group(1)) <= SISTE_AR:
        raise ValidationError({felt: _("Måneden må ligge i årene %(fra)s–%(til)s.") % {"fra": FORSTE_AR, "til": SISTE_AR}})
    return dt.date(int(m.group(1)), int(m.group(2)), 1)


def neste_maned(maned: dt.date) -> dt.date:
    return dt.date(maned.year + maned.month // 12, maned.month % 12 + 1, 1)


def forrige_maned(maned: dt.date) -> dt.date:
    return dt.date(maned.year - (maned.month == 1), (maned.month - 2) % 12 + 1, 1)


def maned_navn(maned: dt.date, *, stor: bool = False) -> str:
    """«oktober 2026» (`stor`: «Oktober 2026», at the start of a sentence)."""
    navn = date_format(maned, "F Y")
    return capfirst(navn) if stor else navn


def _sjekk_scope(kommune: Kommune | KommuneValg) -> None:
    scoped = current_kommune_id()
    if scoped is not None and scoped != kommune.id:
        raise PermissionError("The kommune passed differs from the kommune in scope.")


# --- the payroll file --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Fillinje:
    """One line of the file: a person's quantity of one wage type at one rate for one period and cost centre (the
    file's own columns), with the payable categories it sums for the page."""

    ansattnummer: str
    lege_id: int | None
    lege_navn: str
    kategorier: tuple[tuple[str, str, int | None, str, str], ...]  # (kategori, vakttype, vaktklasse, dagkategori, tid)
    lonnsart: str
    sats: Decimal | None
    kostnadssted: str
    periode: dt.date
    antall: Decimal
    belop: Decimal | None
    korreksjon: bool

    @property
    def kategori_tekst(self) -> str:
        tekster = []
        for kategori, vakttype, vaktklasse, dagkategori, tid in self.kategorier:
            deler = [str(Lonnskategori(kategori).label).split(" (")[0]]
            deler += [d for d in (vakttype, f"klasse {vaktklasse}" if vaktklasse else "", dagkategori, tid) if d]
            tekster.append(", ".join(deler))
        return "; ".join(tekster)


@dataclass(frozen=True)
class Lonnsfil:
    kommune: Kommune | KommuneValg
    maned: dt.date
    lukket: bool
    linjer: list[Fillinje]
    sum_per_lonnsart: list[tuple[str, Decimal, Decimal]] = field(default_factory=list)  # (lønnsart, antall, beløp)

    @property
    def sum_belop(self) -> Decimal:
        return sum((linje.belop or Decimal(0) for linje in self.linjer), Decimal(0))

    @property
    def sum_korreksjoner(self) -> Decimal:
        return sum((linje.belop or Decimal(0) for linje in self.linjer if linje.korreksjon), Decimal(0))

    @property
    def uten_lonnsart(self) -> list[Fillinje]:
        return [linje for linje in self.linjer if not linje.lonnsart]

    @property
    def uten_ansattnummer(self) -> list[Fillinje]:
        return [linje for linje in self.linjer if not linje.ansattnummer]

    @property
    def filnavn(self) -> str:
        return f"lonnsfil-{self.kommune.kommunenummer}-{self.maned:%Y-%m}.csv"


# A pre-filter that never drops a line lonn_linjer gives for the month: shifts and vikariater have their lines within
# their own period (gjelder_fra/til, with a day's slack for the time zone); an ALIS-avtale's supervision months are
# what was recorded, whatever its dates, so it is never pre-filtered.
_NAER_MANEDEN = """(o.objekt_type = 'alisavtale' OR (
       (o.gjelder_fra IS NULL OR o.gjelder_fra < %(m)s::date + interval '1 month 1 day')
       AND (o.gjelder_til IS NULL OR o.gjelder_til > %(m)s::date - interval '1 day')))"""

_FIL_SQL = """
WITH linjer AS (
  SELECT l.periode, l.lege_id, l.ansattnummer, l.kategori, l.vakttype, l.vaktklasse, l.dagkategori, l.tid, l.lonnsart,
         l.sats, l.kostnadssted, l.mengde
    FROM lonn_lonnslinje l
   WHERE l.kommune_id = %(k)s AND l.posteres_i = %(m)s AND NOT l.annullert
  UNION ALL
  SELECT p.periode, p.lege_id, p.ansattnummer, p.kategori, p.vakttype, p.vaktklasse, p.dagkategori, p.tid, p.lonnsart,
         p.sats, p.kostnadssted, p.mengde
    FROM lonn_lonnobjekt o, LATERAL lonn_prisede_linjer(o.kommune_id, o.objekt_type, o.data) p
   WHERE %(apen)s AND o.kommune_id = %(k)s AND o.aktiv AND o.objekt_type IN ('vakt', 'vikariat', 'alisavtale')
     AND """ + _NAER_MANEDEN + """
     AND p.periode = %(m)s AND p.mengde <> 0
)
SELECT x.ansattnummer, x.lege_id, coalesce(lg.fornavn || ' ' || lg.etternavn, ''),
       jsonb_agg(DISTINCT jsonb_build_array(x.kategori, x.vakttype, x.vaktklasse, x.dagkategori, x.tid)),
       x.lonnsart, x.sats, x.kostnadssted, x.periode, sum(x.mengde), round(sum(x.mengde) * x.sats, 2)
  FROM linjer x LEFT JOIN kommune_lege lg ON lg.id = x.lege_id
 GROUP BY x.ansattnummer, x.lege_id, lg.fornavn, lg.etternavn, x.lonnsart, x.sats, x.kostnadssted, x.periode
HAVING sum(x.mengde) <> 0
 ORDER BY x.ansattnummer = '', x.ansattnummer, lg.etternavn, lg.fornavn, x.lege_id, x.periode, x.lonnsart, x.sats,
          x.kostnadssted
"""  # noqa: S608 — constants only, the values are parameters


def _kategorier(verdi) -> tuple:
    """The jsonb array of [kategori, vakttype, vaktklasse, dagkategori, tid] (psycopg may hand jsonb over as text)."""
    rader = json.loads(verdi) if isinstance(verdi, str) else verdi
    return tuple(sorted((tuple(k) for k in rader), key=lambda k: tuple("" if v is None else str(v) for v in k)))


def lonnsfil(*, kommune: Kommune | KommuneValg, maned: dt.date, lukket: bool | None = None) -> Lonnsfil:
    """The payroll file of a month (one query, plus one to learn whether the month is closed)."""
    _sjekk_scope(kommune)
    if lukket is None:
        lukket = Lonnsperiode.objects.filter(kommune_id=kommune.id, maned=maned, status=Periodestatus.LUKKET).exists()
    with connection.cursor() as cursor:
        cursor.execute(_FIL_SQL, {"k": kommune.id, "m": maned, "apen": not lukket})
        rows = cursor.fetchall()
    linjer = [
        Fillinje(ansattnummer=r[0], lege_id=r[1], lege_navn=r[2], kategorier=_kategorier(r[3]),
                 lonnsart=r[4], sats=r[5], kostnadssted=r[6], periode=r[7], antall=r[8].quantize(Decimal("0.01")),
                 belop=r[9], korreksjon=r[7] != maned)
        for r in rows
    ]
    summer: dict[str, list[Decimal]] = {}
    for linje in linjer:
        s = summer.setdefault(linje.lonnsart, [Decimal(0), Decimal(0)])
        s[0] += linje.antall
        s[1] += linje.belop or Decimal(0)
    return Lonnsfil(kommune=kommune, maned=maned, lukket=lukket, linjer=linjer,
                    sum_per_lonnsart=[(art, s[0], s[1]) for art, s in sorted(summer.items())])


def _tall(verdi: Decimal | None, *, minst_desimaler: int = 2) -> str:
    """Norwegian decimal comma, no thousands separator, at least two decimals: 1234,50 / -3,25 / 348,375."""
    if verdi is None:
        return ""
    tekst = format(verdi.normalize(), "f")
    heltall, _sep, desimaler = tekst.partition(".")
    desimaler = desimaler.ljust(minst_desimaler, "0")
    return f"{heltall},{desimaler}"


def _felt(verdi: str) -> str:
    """A text field: quoted (RFC 4180) if it holds the separator, a quote or a line break. The codes are restricted
    where they are entered, so this is a second guard against shifting the columns."""
    if any(tegn in verdi for tegn in ';"\r\n'):
        return '"' + verdi.replace('"', '""') + '"'
    return verdi


def lonnsfil_csv(fil: Lonnsfil) -> str:
    """The file in the shape payroll systems import: semicolon-separated, UTF-8, CRLF, a header line, decimal comma:
    ansattnummer;lonnsart;antall;sats;belop;periode;kostnadssted."""
    rader = [";".join(CSV_KOLONNER)]
    for linje in fil.linjer:
        rader.append(";".join((
            _felt(linje.ansattnummer), _felt(linje.lonnsart), _tall(linje.antall), _tall(linje.sats), _tall(linje.belop),
            linje.periode.strftime("%Y-%m"), _felt(linje.kostnadssted),
        )))
    return "\r\n".join(rader) + "\r\n"


# --- periods -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Manedsstatus:
    maned: dt.date
    periode: Lonnsperiode | None
    korreksjoner_inn: int  # corrections posted in this month

    @property
    def lukket(self) -> bool:
        return self.periode is not None and self.periode.status == Periodestatus.LUKKET


def siste_lukkede(*, kommune: Kommune | KommuneValg) -> dt.date | None:
    return Lonnsperiode.objects.filter(kommune_id=kommune.id, status=Periodestatus.LUKKET).aggregate(m=Max("maned"))["m"]


def denne_maned(now: dt.datetime | None = None) -> dt.date:
    return timezone.localdate(now).replace(day=1)


def oversikt(*, kommune: Kommune | KommuneValg, antall: int = 13, now: dt.datetime | None = None) -> list[Manedsstatus]:
    """The last `antall` months (newest first) with their status. Two queries."""
    _sjekk_scope(kommune)
    maned = denne_maned(now)
    maneder = []
    for _i in range(antall):
        maneder.append(maned)
        maned = forrige_maned(maned)
    perioder = {p.maned: p for p in Lonnsperiode.objects.filter(kommune_id=kommune.id, maned__gte=maneder[-1])
                .select_related("lukket_av")}
    korreksjoner: dict[dt.date, int] = {}
    for posteres_i in Korreksjon.objects.filter(kommune_id=kommune.id, posteres_i__gte=maneder[-1], annullert=False
                                               ).values_list("posteres_i", flat=True):
        korreksjoner[posteres_i] = korreksjoner.get(posteres_i, 0) + 1
    return [Manedsstatus(maned=m, periode=perioder.get(m), korreksjoner_inn=korreksjoner.get(m, 0)) for m in maneder]


def _laas(kommune: Kommune | KommuneValg) -> None:
    """The kommune's period lock, exclusively: waits for every writer of the kommune's payable items in flight, and
    keeps new ones waiting until this transaction ends (lonn_emit takes it shared)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT lonn_periodelaas(%s, true)", [kommune.id])


def _emit(kommune: Kommune | KommuneValg, periode: Lonnsperiode, type_: str, data: dict) -> None:
    versjon = Periodebeslutning.objects.filter(kommune_id=kommune.id, periode=periode).count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT lonn_emit_periode(%s, %s, %s, %s, %s::jsonb)",
                       [kommune.id, periode.maned, type_, versjon, json.dumps(data)])


_ATTESTER_SQL = """
INSERT INTO lonn_lonnslinje (kommune_id, periode, posteres_i, kilde, korreksjon_id, objekt_id, lege_id, ansattnummer,
                             kategori, vakttype, vaktklasse, dagkategori, tid, regel_id, lonnsart, sats, kostnadssted,
                             mengde, annullert)
SELECT o.kommune_id, p.periode, p.periode, 'attestert', NULL, o.objekt_id, p.lege_id, p.ansattnummer, p.kategori,
       p.vakttype, p.vaktklasse, p.dagkategori, p.tid, p.regel_id, p.lonnsart, p.sats, p.kostnadssted, p.mengde, false
  FROM lonn_lonnobjekt o, LATERAL lonn_prisede_linjer(o.kommune_id, o.objekt_type, o.data) p
 WHERE o.kommune_id = %(k)s AND o.aktiv AND o.objekt_type IN ('vakt', 'vikariat', 'alisavtale')
   AND """ + _NAER_MANEDEN + """
   AND p.periode = %(m)s AND p.mengde <> 0
"""  # noqa: S608 — constants only, the values are parameters


@transaction.atomic
def lukk_periode(*, kommune: Kommune | KommuneValg, maned: dt.date, av, now: dt.datetime | None = None) -> Lonnsperiode:
    """Close (attest) a month: freeze its payroll lines and publish `lonnsperiode.lukket`.

    Refused, with nothing saved, when the month is already closed, lies in the future, is not the month after the
    last closed one, or has lines without a wage type or an employee number (the payroll system would reject them).
    """
    _sjekk_scope(kommune)
    if maned.day != 1:
        raise ValidationError({"periode": _("En lønnsperiode er en hel måned.")})
    _laas(kommune)
    navn = maned_navn(maned, stor=True)
    if maned > denne_maned(now):
        raise ValidationError({"periode": _("%(maned)s er ikke begynt ennå og kan ikke lukkes.") % {"maned": navn}})
    periode = Lonnsperiode.objects.filter(kommune_id=kommune.id, maned=maned).first()
    if periode is not None and periode.status == Periodestatus.LUKKET:
        raise ValidationError({"periode": _("%(maned)s er allerede lukket (attestert %(dato)s).")
                               % {"maned": navn, "dato": date_format(timezone.localtime(periode.lukket), "j. F Y H:i")}})
    siste = siste_lukkede(kommune=kommune)
    if siste is not None and maned < siste:
        raise ValidationError({"periode": _("En senere måned (%(siste)s) er allerede lukket. Måneder lukkes i rekkefølge.")
                               % {"siste": maned_navn(siste)}})
    if siste is not None and maned != neste_maned(siste):
        raise ValidationError({"periode": _("%(forrige)s må lukkes før %(maned)s: måneder lukkes i rekkefølge.")
                               % {"forrige": maned_navn(forrige_maned(maned), stor=True), "maned": maned_navn(maned)}})
    # freeze the month's lines first, then read the file from them (the closed month's file: the lines are computed
    # once); a refusal below rolls the insert back
    with connection.cursor() as cursor:
        cursor.execute(_ATTESTER_SQL, {"k": kommune.id, "m": maned})
    fil = lonnsfil(kommune=kommune, maned=maned, lukket=True)
    if fil.uten_lonnsart:
        kategorier = sorted({linje.kategori_tekst for linje in fil.uten_lonnsart})
        raise ValidationError({"periode": _(
            "%(maned)s kan ikke lukkes: %(antall)s linjer har ingen lønnsart (%(kategorier)s). "
            "Legg inn lønnsartregler som dekker dem først.") % {
                "maned": navn, "antall": len(fil.uten_lonnsart), "kategorier": "; ".join(kategorier)}})
    if fil.uten_ansattnummer:
        leger = sorted({linje.lege_navn or _("(ingen lege)") for linje in fil.uten_ansattnummer})
        raise ValidationError({"periode": _(
            "%(maned)s kan ikke lukkes: %(antall)s linjer mangler ansattnummer (%(leger)s). "
            "Registrer ansattnummeret på legen i kommunen først.") % {
                "maned": navn, "antall": len(fil.uten_ansattnummer), "leger": ", ".join(leger)}})
    tidspunkt = now or timezone.now()
    if periode is None:
        periode = Lonnsperiode(kommune_id=kommune.id, maned=maned)
    periode.status = Periodestatus.LUKKET
    periode.lukket = tidspunkt
    periode.lukket_av = av
    periode.antall_linjer = len(fil.linjer)
    periode.sum_belop = fil.sum_belop
    periode.save()
    Periodebeslutning.objects.create(kommune_id=kommune.id, periode=periode, handling=Periodehandling.LUKKET, av=av)
    _emit(kommune, periode, "lonnsperiode.lukket", {
        "periode": f"{maned:%Y-%m}", "status": "lukket", "kommunenummer": kommune.kommunenummer,
        "lukket": timezone.localtime(tidspunkt).isoformat(), "linjer": len(fil.linjer), "sum": str(fil.sum_belop),
    })
    return periode


@transaction.atomic
def gjenapne_periode(*, kommune: Kommune | KommuneValg, maned: dt.date, av, arsak: str) -> Lonnsperiode:
    """Re-open the last closed month: a recorded decision with a reason. Its attested lines and the corrections of it
    not yet closed in a later month are annulled (kept, in no file); the month's file is then live again and is
    attested anew when it is closed. The feed publishes `lonnsperiode.gjenapnet` with the annulled corrections."""
    _sjekk_scope(kommune)
    arsak = (arsak or "").strip()
    if not arsak:
        raise ValidationError({"arsak": _("Gjenåpning av en lukket måned krever en begrunnelse.")})
    _laas(kommune)
    navn = maned_navn(maned, stor=True)
    periode = Lonnsperiode.objects.filter(kommune_id=kommune.id, maned=maned).first()
    if periode is None or periode.status != Periodestatus.LUKKET:
        raise ValidationError({"periode": _("%(maned)s er ikke lukket.") % {"maned": navn}})
    siste = siste_lukkede(kommune=kommune)
    if siste != maned:
        raise ValidationError({"periode": _("Bare den sist lukkede måneden (%(siste)s) kan gjenåpnes.")
                               % {"siste": maned_navn(siste)}})
    annullerte = list(Korreksjon.objects.filter(kommune_id=kommune.id, periode=maned, annullert=False)
                      .order_by("id").values_list("id", flat=True))
    Korreksjon.objects.filter(kommune_id=kommune.id, periode=maned, annullert=False).update(annullert=True)
    Lonnslinje.objects.filter(kommune_id=kommune.id, periode=maned, annullert=False).update(annullert=True)
    periode.status = Periodestatus.GJENAPNET
    periode.save()
    Periodebeslutning.objects.create(kommune_id=kommune.id, periode=periode, handling=Periodehandling.GJENAPNET, av=av,
                                     arsak=arsak)
    _emit(kommune, periode, "lonnsperiode.gjenapnet", {
        "periode": f"{maned:%Y-%m}", "status": "gjenapnet", "kommunenummer": kommune.kommunenummer, "arsak": arsak,
        "annullerte_korreksjoner": [f"korreksjon:{i}" for i in annullerte],
    })
    return periode
