"""Writes on the legevakt roster: shifts, cancellations, sick calls, swaps and the pattern roster.

Every write checks every rule and refuses with a ValidationError on the field concerned, citing
the rule; nothing is partly saved (`transaction.atomic`). Only the district's vertskommune writes
(`legevakt.tilgang.krev_vertskommune`, 403 for a deltakerkommune).

The rules of one shift (`sjekk_vakt` gives them as a list for the form, `create_vakt` and
`update_vakt` refuse with them):

- district, doctor and station known to the kommune (another kommune's is «unknown»); a doctor the
  vertskommune has not registered is known when they are connected to the district (a fastlege in
  a member kommune, or an agreement);
- the type, and the vaktklasse it allows (SFS 2305 § 8.3: tilstedevakt 3–4, or 2 by a recorded
  local agreement; hjemmevakt, bakvakt and kompetansebakvakt 1; legevaktsentral 1–4);
- aware times (naive ones are Oslo time; a time that does not exist is refused), ending after they
  start, at most `legevakt_vakt_maks_timer` real hours;
- the doctor takes part on the day (fastlegeforskriften § 33 duty, or a Vaktavtale);
- no overlap with the doctor's other active shifts in any district (the database's exclusion
  constraint is the backstop);
- no exemption covering the shift (fastlegeforskriften § 33: a right-based exemption covers
  legevakt outside the dagtid band, not daytime emergency duty; omfang «all» covers everything);
- competence: a doctor who cannot have legevakt without bakvakt (kompetanseforskriften § 3a) only
  where active kompetansebakvakt shifts of qualified doctors in the district cover the whole shift
  (akuttmedisinforskriften § 7); bakvakt and kompetansebakvakt themselves need a qualified doctor;
  a doctor without § 3 competence works under the § 4 legevakt exception, counted in days per
  calendar year (`legevakt_unntak_dager_per_ar`);
- at least `legevakt_hvile_timer` hours of rest between work periods, office hours included
  (SFS 2305 § 7.4): a breach needs `hvilebrudd_begrunnelse`, which is saved with the shift.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.constraints import translate
from core.exceptions import StaleVersion
from core.tenancy import unscoped
from core.timefields import check_range as check_datetime_range
from core.timefields import make_aware_strict
from kommune import regler
from kommune.models import Lege
from legevakt import tid, vakt_regler
from legevakt.models import (
    Avlysningsarsak,
    Byttestatus,
    Legevaktdistrikt,
    Stasjon,
    Vakt,
    Vaktbytte,
    Vaktstatus,
    Vakttype,
)
from legevakt.tilgang import krev_vertskommune

__all__ = ["Brudd", "Kandidat", "create_vakt", "update_vakt", "avlys_vakt", "sjekk_vakt", "be_om_bytte", "godkjenn_bytte",
           "avslaa_bytte", "trekk_bytte", "erstattere", "meld_syk", "start_vaktplan", "standard_vaktklasse",
           "tillatte_vaktklasser", "VAKTPLAN_JOBBTYPE"]

VAKTPLAN_JOBBTYPE = "legevakt.vaktplan"
BAKVAKT_TYPER = (Vakttype.BAKVAKT, Vakttype.KOMPETANSEBAKVAKT)
VAKT_CONSTRAINT_FIELDS = {
    "vakt_no_overlap_same_doctor": "start", "vakt_slutt_after_start": "slutt", "vakt_max_length": "slutt",
    "vakt_type_valid": "type", "vakt_vaktklasse_matches_type": "vaktklasse",
}
BYTTE_CONSTRAINT_FIELDS = {"vaktbytte_not_same_shift": "mot_vakt", "vaktbytte_one_pending_per_shift": "vakt"}
ENDRINGSFELT = frozenset({"lege", "type", "vaktklasse", "stasjon", "lokal_avtale", "start", "slutt", "hvilebrudd_begrunnelse",
                          "merknad"})
REGELFELT = frozenset({"lege", "type", "vaktklasse", "stasjon", "lokal_avtale", "start", "slutt"})
TIMER_SISTE = dt.timedelta(days=28)

SFS_8_3 = "SFS 2305 § 8.3"
FLF_33 = "fastlegeforskriften § 33"
AKUTT_7 = "akuttmedisinforskriften § 7"
KOMP_3A = "kompetanseforskriften § 3a"
KOMP_4 = "kompetanseforskriften § 4"
SFS_7_4 = "SFS 2305 § 7.4"


@dataclass(frozen=True)
class Brudd:
    """A rule a shift breaks: `felt` is the form field, `kan_begrunnes` whether a reason lets it through."""

    kode: str
    felt: str
    melding: str
    kilde: str = ""
    kan_begrunnes: bool = False


@dataclass
class Kandidat:
    """A doctor who could take over a shift, with the reasons for the ranking."""

    lege: Lege
    kvalifisert: bool
    uthvilt: bool
    fritatt: bool
    timer_siste_28: float
    grunner: list[str] = field(default_factory=list)
    rangering: int = 0


def _error(felt: str, melding: str, kode: str) -> ValidationError:
    return ValidationError({felt: [ValidationError(melding, code=kode)]})


def _raise(brudd: list[Brudd]) -> None:
    errors: dict[str, list[ValidationError]] = defaultdict(list)
    for b in brudd:
        errors[b.felt].append(ValidationError(b.melding, code=b.kode))
    if errors:
        raise ValidationError(dict(errors))


def _tekst(value: dt.datetime) -> str:
    return tid.lokal(value).strftime("%d.%m.%Y %H:%M")


def _timer_tekst(hours: float) -> str:
    return f"{hours:.1f}".replace(".", ",")


def _dato_tekst(day: dt.date | None) -> str:
    return day.strftime("%d.%m.%Y") if day else ""


# --- looking things up as the kommune sees them ------------------------------------------------------

def _pk(value):
    if value is None or value == "":
        return None
    pk = getattr(value, "pk", value)
    try:
        return int(pk)
    except (TypeError, ValueError):
        return -1


def finn_distrikt(distrikt) -> Legevaktdistrikt:
    """The district as the kommune in scope sees it; another kommune's is refused like an unknown one."""
    pk = _pk(distrikt)
    if pk is None:
        raise _error("distrikt", _("Velg et legevaktdistrikt."), "required")
    found = Legevaktdistrikt.objects.filter(pk=pk).first()
    if found is None:
        raise _error("distrikt", _("Ukjent legevaktdistrikt."), "ukjent_distrikt")
    return found


def finn_lege(lege, distrikt, *, felt: str = "lege") -> Lege:
    """The doctor: registered in the kommune in scope, or connected to the district (a fastlege in a
    member kommune or an agreement — the district's roster shows them anyway). Anyone else is
    refused like an unknown doctor, so nothing is revealed about other kommuners' doctors."""
    pk = _pk(lege)
    if pk is None:
        raise _error(felt, _("Velg en lege."), "required")
    found = Lege.objects.filter(pk=pk).first()
    if found is None and pk > 0 and vakt_regler.tilknyttet_distrikt(distrikt, pk):
        with unscoped(reason="legevakt: a doctor connected to the district through a member kommune or an agreement"):
            found = Lege.objects.filter(pk=pk).first()
    if found is None:
        raise _error(felt, _("Ukjent lege: legen må være registrert i kommunen, være fastlege i en av distriktets kommuner "
                             "eller ha vaktavtale med distriktet."), "ukjent_lege")
    return found


def _finn_stasjon(stasjon, distrikt) -> Stasjon | None:
    pk = _pk(stasjon)
    if pk is None:
        return None
    found = Stasjon.objects.filter(pk=pk, distrikt_id=distrikt.pk).first()
    if found is None:
        raise _error("stasjon", _("Ukjent stasjon: velg en av distriktets legevaktstasjoner."), "ukjent_stasjon")
    if not found.aktiv:
        raise _error("stasjon", _("Stasjonen «%(navn)s» er ikke i bruk.") % {"navn": found.navn}, "stasjon_inaktiv")
    return found


def _tidspunkt(value, felt: str) -> dt.datetime:
    if value is None or value == "":
        raise _error(felt, _("Oppgi tidspunktet."), "required")
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            raise _error(felt, _("Ugyldig tidspunkt: bruk formatet ÅÅÅÅ-MM-DDTtt:mm."), "ugyldig") from None
    if not isinstance(value, dt.datetime):
        raise _error(felt, _("Ugyldig tidspunkt: oppgi dato og klokkeslett."), "ugyldig")
    try:
        return check_datetime_range(make_aware_strict(value, tid.OSLO))
    except ValidationError as exc:
        raise ValidationError({felt: [ValidationError(m, code=exc.code) for m in exc.messages]}) from exc


def standard_vaktklasse(type: str) -> int:
    """The vaktklasse a type has unless told otherwise: tilstedevakt 3, the others 1."""
    return 3 if type == Vakttype.TILSTEDEVAKT else 1


def tillatte_vaktklasser(type: str, lokal_avtale: str = "") -> tuple[int, ...]:
    """SFS 2305 § 8.3: tilstedevakt 3–4 (2 by a recorded local agreement); hjemmevakt and bakvakt 1;
    legevaktsentral 1–4."""
    if type == Vakttype.TILSTEDEVAKT:
        return (2, 3, 4) if lokal_avtale.strip() else (3, 4)
    if type == Vakttype.LEGEVAKTSENTRAL:
        return (1, 2, 3, 4)
    return (1,)


# --- the rules of one shift ------------------------------------------------------------------------------

@dataclass
class _Vakt:
    """A shift as it would be saved, once its input is valid."""

    distrikt: Legevaktdistrikt
    lege: Lege
    type: str
    vaktklasse: int
    start: dt.datetime
    slutt: dt.datetime
    stasjon: Stasjon | None
    lokal_avtale: str

    @property
    def dag(self) -> dt.date:
        return tid.lokal(self.start).date()


def _les_inndata(*, distrikt, lege, type, start, slutt, vaktklasse, stasjon, lokal_avtale) -> tuple[_Vakt | None, list[Brudd]]:
    """Validate the input (district first; 403 for a deltakerkommune). Returns the shift or the input errors."""
    distrikt = finn_distrikt(distrikt)
    krev_vertskommune(distrikt)
    brudd: list[Brudd] = []

    def feil(exc: ValidationError) -> None:
        for felt, errors in exc.error_dict.items():
            for error in errors:
                brudd.append(Brudd(error.code or "ugyldig", felt, " ".join(error.messages)))

    if not distrikt.aktiv:
        brudd.append(Brudd("distrikt_inaktiv", "distrikt", _("Legevaktdistriktet «%(navn)s» er ikke aktivt.") % {
            "navn": distrikt.navn}))
    lokal_avtale = (lokal_avtale or "").strip()
    if type not in Vakttype.values:
        brudd.append(Brudd("ukjent_type", "type", _("Ukjent vakttype. Velg en av: %(typer)s.") % {
            "typer": ", ".join(Vakttype.values)}))
        klasse = None
    else:
        klasse = standard_vaktklasse(type) if vaktklasse in (None, "") else vaktklasse
        try:
            klasse = int(klasse)
        except (TypeError, ValueError):
            klasse = -1
        if isinstance(vaktklasse, bool) or klasse not in tillatte_vaktklasser(type, lokal_avtale):
            if type == Vakttype.TILSTEDEVAKT and klasse == 2:
                melding = _("Tilstedevakt i vaktklasse 2 krever en lokal avtale (SFS 2305 § 8.3): oppgi avtalen.")
            else:
                melding = _("Vaktklasse %(klasse)s passer ikke til vakttypen (SFS 2305 § 8.3): tilstedevakt er klasse 3 eller 4 "
                            "(klasse 2 bare etter lokal avtale), hjemmevakt og bakvakt klasse 1, legevaktsentral 1–4.") % {
                    "klasse": vaktklasse}
            brudd.append(Brudd("vaktklasse_ugyldig", "vaktklasse", melding, SFS_8_3))
    times = {}
    for felt, value in (("start", start), ("slutt", slutt)):
        try:
            times[felt] = _tidspunkt(value, felt)
        except ValidationError as exc:
            feil(exc)
    if len(times) == 2:
        # In UTC: subtracting two datetimes that share a tzinfo would give wall-clock, not real, hours.
        start, slutt = times["start"].astimezone(dt.UTC), times["slutt"].astimezone(dt.UTC)
        if slutt <= start:
            brudd.append(Brudd("slutt_for_start", "slutt", _("Vakten må slutte etter at den begynner.")))
        else:
            maks = regler.verdi("legevakt_vakt_maks_timer", on=tid.lokal(start).date())
            timer = tid.elapsed_hours(start, slutt)
            if timer > maks:
                brudd.append(Brudd("for_lang", "slutt", _(
                    "En vakt kan vare høyst %(maks)d timer; denne varer %(timer)s timer (%(kilde)s).") % {
                    "maks": maks, "timer": _timer_tekst(timer), "kilde": regler.kilde("legevakt_vakt_maks_timer")}))
    resolved_lege = resolved_stasjon = None
    try:
        resolved_lege = finn_lege(lege, distrikt)
    except ValidationError as exc:
        feil(exc)
    try:
        resolved_stasjon = _finn_stasjon(stasjon, distrikt)
    except ValidationError as exc:
        feil(exc)
    if brudd:
        return None, brudd
    return _Vakt(distrikt=distrikt, lege=resolved_lege, type=type, vaktklasse=klasse, start=start, slutt=slutt,
                 stasjon=resolved_stasjon, lokal_avtale=lokal_avtale), []


def _kvalifisert(lege: Lege, day: dt.date) -> bool:
    return vakt_regler.kan_vakt_uten_bakvakt(lege, day)


def _udekket_av_bakvakt(distrikt_id: int, lege_id: int, start: dt.datetime, slutt: dt.datetime, *,
                        omfordelt: dict[int, Lege] | None = None) -> list[tid.Interval]:
    """The parts of [start, slutt) not covered by active kompetansebakvakt shifts of qualified doctors
    in the district (akuttmedisinforskriften § 7). One query."""
    omfordelt = omfordelt or {}
    dekning = []
    for bakvakt in (Vakt.objects.filter(distrikt_id=distrikt_id, type=Vakttype.KOMPETANSEBAKVAKT, status=Vaktstatus.AKTIV,
                                        start__lt=slutt, slutt__gt=start).select_related("lege")):
        lege = omfordelt.get(bakvakt.pk, bakvakt.lege)
        if lege.pk != lege_id and _kvalifisert(lege, tid.lokal(bakvakt.start).date()):
            dekning.append((max(bakvakt.start, start), min(bakvakt.slutt, slutt)))
    return tid.trekk_fra([(start, slutt)], dekning)


def _lock_lege(lege_id: int) -> None:
    """Serialise the writes on one doctor's shifts (rest, § 4 days), whichever kommune writes them."""
    with unscoped(reason="legevakt: lock the doctor's row while their shifts are checked and written"):
        list(Lege.objects.select_for_update(no_key=True).filter(pk=lege_id).values_list("pk", flat=True))


def _regelbrudd(v: _Vakt, *, exclude_ids: list[int], hvilebrudd_begrunnelse: str = "",
                omfordelt: dict[int, Lege] | None = None) -> list[Brudd]:
    """The rules about the doctor and the time (participation, overlap, exemption, competence, § 4, rest)."""
    brudd: list[Brudd] = []
    lege, day = v.lege, v.dag

    if not vakt_regler.er_deltaker(v.distrikt, lege, day):
        brudd.append(Brudd("ikke_deltaker", "lege", _(
            "%(lege)s deltar ikke i vaktordningen i %(distrikt)s %(dato)s: legen må være fastlege i en av distriktets "
            "kommuner (plikten i fastlegeforskriften § 33) eller ha en vaktavtale med distriktet. Registrer en vaktavtale "
            "for legen under distriktet, eller velg en annen lege.") % {
            "lege": lege.navn, "distrikt": v.distrikt.navn, "dato": _dato_tekst(day)}, FLF_33))

    with unscoped(reason="legevakt: a doctor's shifts in every district may not overlap"):
        overlapp = (Vakt.objects.filter(lege_id=lege.pk, status=Vaktstatus.AKTIV, start__lt=v.slutt, slutt__gt=v.start)
                    .exclude(pk__in=exclude_ids).order_by("start").values_list("start", "slutt").first())
    if overlapp:
        brudd.append(Brudd("overlapp", "start", _(
            "%(lege)s har allerede en vakt %(fra)s–%(til)s som overlapper denne (to vakter for samme lege kan ikke "
            "overlappe).") % {"lege": lege.navn, "fra": _tekst(overlapp[0]), "til": _tekst(overlapp[1])}))

    for fritak in vakt_regler.aktive_fritak([lege.pk], v.start, v.slutt).get(lege.pk, []):
        if vakt_regler.fritak_blokkerer(fritak, v.start, v.slutt):
            periode = _("fra %(fra)s") % {"fra": _dato_tekst(fritak.fra)} if not fritak.til else _(
                "fra %(fra)s til %(til)s") % {"fra": _dato_tekst(fritak.fra), "til": _dato_tekst(fritak.til - dt.timedelta(days=1))}
            if fritak.omfang == "all":
                melding = _("%(lege)s er fritatt fra all legevakt %(periode)s (fastlegeforskriften § 33).")
            else:
                melding = _("%(lege)s er fritatt fra legevakt utenom ordinær åpningstid %(periode)s (fastlegeforskriften "
                            "§ 33): vakten kan bare ligge innenfor dagtid (hverdager 08–16).")
            brudd.append(Brudd("fritatt", "lege", melding % {"lege": lege.navn, "periode": periode}, FLF_33))
            break

    if v.type in BAKVAKT_TYPER:
        if not _kvalifisert(lege, day):
            brudd.append(Brudd("bakvakt_ukvalifisert", "lege", _(
                "%(lege)s oppfyller ikke kompetansekravet for legevakt uten bakvakt (kompetanseforskriften § 3a: § 3-kompetanse, "
                "LIS1 eller godkjent turnus, og begge kursene) og kan ikke være bakvakt (akuttmedisinforskriften § 7).") % {
                "lege": lege.navn}, AKUTT_7))
    elif not _kvalifisert(lege, day):
        udekket = _udekket_av_bakvakt(v.distrikt.pk, lege.pk, v.start, v.slutt, omfordelt=omfordelt)
        if udekket:
            brudd.append(Brudd("mangler_bakvakt", "lege", _(
                "%(lege)s oppfyller ikke kompetansekravet for legevakt uten bakvakt (kompetanseforskriften § 3a) og kan bare "
                "settes opp når en kvalifisert lege har kompetansebakvakt i distriktet hele vakten (akuttmedisinforskriften "
                "§ 7). Uten bakvakt: %(fra)s–%(til)s.") % {
                "lege": lege.navn, "fra": _tekst(udekket[0][0]), "til": _tekst(udekket[-1][1])}, AKUTT_7))

    if not vakt_regler.oppfyller_paragraf_3(lege, day):
        per_ar: dict[int, set[dt.date]] = defaultdict(set)
        for d in vakt_regler.vakt_dager(v.start, v.slutt):
            per_ar[d.year].add(d)
        for year, nye in sorted(per_ar.items()):
            brukt = vakt_regler.unntak_dager_datoer([lege.pk], year, exclude_vakt_ids=exclude_ids)[lege.pk]
            grense = regler.verdi("legevakt_unntak_dager_per_ar", on=min(nye))
            if len(brukt | nye) > grense:
                brudd.append(Brudd("unntak_oppbrukt", "lege", _(
                    "%(lege)s oppfyller ikke kompetanseforskriften § 3 og har legevakt under unntaket i § 4, som er brukt opp for "
                    "%(ar)d: %(brukt)d av %(grense)d dager er brukt (%(kilde)s).") % {
                    "lege": lege.navn, "ar": year, "brukt": len(brukt), "grense": grense,
                    "kilde": regler.kilde("legevakt_unntak_dager_per_ar", on=min(nye))}, KOMP_4))

    if not (hvilebrudd_begrunnelse or "").strip():
        naboer = vakt_regler.hvilebrudd(lege, v.start, v.slutt, exclude_vakt=exclude_ids)
        if naboer:
            limit = vakt_regler.hvile_timer(day)
            deler = []
            for n in naboer:
                hva = _("vakt") if n.kilde == "vakt" else _("kontortid")
                deler.append(_("%(hva)s %(fra)s–%(til)s (%(timer)s timer hvile)") % {
                    "hva": hva, "fra": _tekst(n.start), "til": tid.lokal(n.slutt).strftime("%H:%M"),
                    "timer": _timer_tekst(n.hvile_timer)})
            brudd.append(Brudd("hvilebrudd", "hvilebrudd_begrunnelse", _(
                "%(lege)s får mindre enn %(grense)s timers hvile mellom arbeidsperiodene (SFS 2305 § 7.4), kontortid medregnet: "
                "%(naboer)s. Oppgi en begrunnelse for å sette opp vakten likevel.") % {
                "lege": lege.navn, "grense": _timer_tekst(limit).removesuffix(",0"), "naboer": "; ".join(deler)},
                SFS_7_4, kan_begrunnes=True))
    return brudd


def _verdier(v: _Vakt) -> dict:
    return {
        "distrikt": v.distrikt, "kommune_id": v.distrikt.kommune_id, "lege": v.lege, "type": v.type, "vaktklasse": v.vaktklasse,
        "start": v.start, "slutt": v.slutt, "stasjon": v.stasjon, "lokal_avtale": v.lokal_avtale,
        "dagkategori": tid.dagkategori(v.start), "hoytid": tid.hoytid(v.start, v.slutt),
        "unntak_kompetanse": not vakt_regler.oppfyller_paragraf_3(v.lege, v.dag),
    }


# --- single shifts --------------------------------------------------------------------------------------

def sjekk_vakt(*, distrikt, lege, type, start, slutt, vaktklasse=None, vakt: Vakt | None = None, stasjon=None,
               lokal_avtale: str | None = None) -> list[Brudd]:
    """Dry run (for the form): every rule the shift would break, without saving. A rest breach has
    `kan_begrunnes` (a reason lets it through). `vakt`: the shift being changed (left out of the
    overlap and rest checks)."""
    if lokal_avtale is None:
        lokal_avtale = vakt.lokal_avtale if vakt is not None else ""
    v, brudd = _les_inndata(distrikt=distrikt, lege=lege, type=type, start=start, slutt=slutt, vaktklasse=vaktklasse,
                            stasjon=stasjon, lokal_avtale=lokal_avtale)
    if v is None:
        return brudd
    return _regelbrudd(v, exclude_ids=[vakt.pk] if vakt is not None else [])


def _opprett(*, distrikt, lege, type, start, slutt, vaktklasse=None, stasjon=None, lokal_avtale="", hvilebrudd_begrunnelse="",
             merknad="", erstatter: Vakt | None = None) -> Vakt:
    v, brudd = _les_inndata(distrikt=distrikt, lege=lege, type=type, start=start, slutt=slutt, vaktklasse=vaktklasse,
                            stasjon=stasjon, lokal_avtale=lokal_avtale)
    _raise(brudd)
    begrunnelse = (hvilebrudd_begrunnelse or "").strip()
    with transaction.atomic():
        _lock_lege(v.lege.pk)
        _raise(_regelbrudd(v, exclude_ids=[], hvilebrudd_begrunnelse=begrunnelse))
        vakt = Vakt(**_verdier(v), hvilebrudd_begrunnelse=begrunnelse, merknad=(merknad or "").strip(), erstatter=erstatter)
        try:
            with transaction.atomic():
                vakt.save()
        except IntegrityError as exc:
            raise translate(exc, Vakt, fields=VAKT_CONSTRAINT_FIELDS) from exc
    return vakt


def create_vakt(*, distrikt, lege, type, start, slutt, vaktklasse=None, stasjon=None, lokal_avtale="", hvilebrudd_begrunnelse="",
                merknad="") -> Vakt:
    """Put a doctor on a shift [start, slutt) in the district, after every rule in the module
    docstring; refused with a ValidationError on the field, nothing saved."""
    return _opprett(distrikt=distrikt, lege=lege, type=type, start=start, slutt=slutt, vaktklasse=vaktklasse, stasjon=stasjon,
                    lokal_avtale=lokal_avtale, hvilebrudd_begrunnelse=hvilebrudd_begrunnelse, merknad=merknad)


def _skriv(vakt: Vakt, expected_version: int, changes: dict) -> Vakt:
    """Write `changes` if the stored version is still `expected_version` (StaleVersion otherwise)."""
    try:
        with transaction.atomic():
            if Vakt.objects.filter(pk=vakt.pk, versjon=expected_version).update(**changes) == 0:
                raise StaleVersion()
    except IntegrityError as exc:
        raise translate(exc, Vakt, fields=VAKT_CONSTRAINT_FIELDS) from exc
    return Vakt.objects.select_related("lege", "distrikt", "stasjon").get(pk=vakt.pk)


def update_vakt(*, vakt: Vakt, expected_version: int, **changes) -> Vakt:
    """Change a shift (If-Match/expected_version). A change of doctor, type, class, station or time is
    checked like a new shift (the shift itself left out); notes and the rest reason are just saved."""
    unknown = set(changes) - ENDRINGSFELT
    if unknown:
        raise ValidationError({name: _("Dette feltet kan ikke endres.") for name in sorted(unknown)})
    krev_vertskommune(vakt.distrikt)
    if vakt.status != Vaktstatus.AKTIV:
        raise _error("status", _("En avlyst vakt kan ikke endres."), "avlyst")
    for key in ("merknad", "hvilebrudd_begrunnelse", "lokal_avtale"):
        if key in changes:
            changes[key] = (changes[key] or "").strip()
    begrunnelse = changes.get("hvilebrudd_begrunnelse", vakt.hvilebrudd_begrunnelse)
    with transaction.atomic():
        if REGELFELT & set(changes):
            type_ = changes.get("type", vakt.type)
            klasse = changes.get("vaktklasse", vakt.vaktklasse if "type" not in changes or type_ == vakt.type else None)
            v, brudd = _les_inndata(
                distrikt=vakt.distrikt, lege=changes.get("lege", vakt.lege_id), type=type_, vaktklasse=klasse,
                start=changes.get("start", vakt.start), slutt=changes.get("slutt", vakt.slutt),
                stasjon=changes.get("stasjon", vakt.stasjon_id), lokal_avtale=changes.get("lokal_avtale", vakt.lokal_avtale))
            _raise(brudd)
            _lock_lege(v.lege.pk)
            _raise(_regelbrudd(v, exclude_ids=[vakt.pk], hvilebrudd_begrunnelse=begrunnelse))
            values = _verdier(v)
            del values["distrikt"], values["kommune_id"]
            ny_lege, ny_stasjon = values.pop("lege"), values.pop("stasjon")
            values.update(lege_id=ny_lege.pk, stasjon_id=ny_stasjon.pk if ny_stasjon else None)
        else:
            values = {}
        for key in ("merknad", "hvilebrudd_begrunnelse"):
            if key in changes:
                values[key] = changes[key]
        return _skriv(vakt, expected_version, values)


def avlys_vakt(*, vakt: Vakt, expected_version: int, arsak: str = "annet") -> Vakt:
    """Cancel a shift (status avlyst with the reason). Pending swaps involving it are refused."""
    krev_vertskommune(vakt.distrikt)
    if arsak not in (Avlysningsarsak.SYKDOM, Avlysningsarsak.ANNET):
        raise _error("arsak", _("Velg årsak: sykdom eller annet."), "ugyldig")
    if vakt.status != Vaktstatus.AKTIV:
        raise _error("status", _("Vakten er allerede avlyst."), "avlyst")
    with transaction.atomic():
        result = _skriv(vakt, expected_version, {"status": Vaktstatus.AVLYST, "avlyst_arsak": arsak})
        Vaktbytte.objects.filter(Q(vakt=vakt) | Q(mot_vakt=vakt), status=Byttestatus.FORESLATT).update(
            status=Byttestatus.AVSLATT, behandlet=timezone.now(), merknad=_("Vakten er avlyst."))
    return result


# --- sick calls -------------------------------------------------------------------------------------------

def _fra(vakt: Vakt, fra) -> dt.datetime:
    if fra in (None, ""):
        return vakt.start
    if isinstance(fra, dt.date) and not isinstance(fra, dt.datetime):
        fra = dt.datetime.combine(fra, dt.time(0))
    value = _tidspunkt(fra, "fra")
    if value >= vakt.slutt:
        raise _error("fra", _("Tidspunktet må være før vakten slutter (%(slutt)s).") % {"slutt": _tekst(vakt.slutt)}, "etter_slutt")
    return max(value, vakt.start)


def erstattere(*, vakt: Vakt, fra=None) -> list[Kandidat]:
    """Doctors who could take over [max(start, fra), slutt) of the shift, best first: participants on
    the day without an overlapping shift, ranked by qualified (§ 3a, or covered by a kompetansebakvakt),
    rested (no rest breach, SFS 2305 § 7.4), not exempt, fewest hours on duty in the last 28 days.
    A fixed number of queries, however many doctors."""
    start = _fra(vakt, fra)
    slutt = vakt.slutt
    day = tid.lokal(start).date()
    deltakere = [d for d in vakt_regler.deltakere(vakt.distrikt_id, day) if d.lege.pk != vakt.lege_id]
    ids = [d.lege.pk for d in deltakere]
    if not ids:
        return []
    with unscoped(reason="legevakt sick call: the candidates' shifts in every district (overlap and recent hours)"):
        opptatt = set(Vakt.objects.filter(lege_id__in=ids, status=Vaktstatus.AKTIV, start__lt=slutt, slutt__gt=start)
                      .exclude(pk=vakt.pk).values_list("lege_id", flat=True))
        siste_fra = start - TIMER_SISTE
        timer: dict[int, float] = defaultdict(float)
        for lege_id, s, e in (Vakt.objects.filter(lege_id__in=ids, status=Vaktstatus.AKTIV, start__lt=start, slutt__gt=siste_fra)
                              .values_list("lege_id", "start", "slutt")):
            timer[lege_id] += tid.elapsed_hours(max(s, siste_fra), min(e, start))
    kandidater_ = [d for d in deltakere if d.lege.pk not in opptatt]
    ids = [d.lege.pk for d in kandidater_]
    dekket = not _udekket_av_bakvakt(vakt.distrikt_id, -1, start, slutt) if vakt.type not in BAKVAKT_TYPER else False
    brudd = vakt_regler.hvilebrudd_for(ids, start, slutt, exclude_vakt_ids=[vakt.pk])
    fritak = vakt_regler.aktive_fritak(ids, start, slutt)
    result = []
    for d in kandidater_:
        lege = d.lege
        egen = _kvalifisert(lege, day)
        kvalifisert = egen or dekket
        uthvilt = not brudd.get(lege.pk)
        fritatt = any(vakt_regler.fritak_blokkerer(f, start, slutt) for f in fritak.get(lege.pk, []))
        grunner = []
        if egen:
            grunner.append(_("Kvalifisert for vakt uten bakvakt (kompetanseforskriften § 3a)."))
        elif dekket:
            grunner.append(_("Ikke kvalifisert alene, men kompetansebakvakt dekker vakten (akuttmedisinforskriften § 7)."))
        else:
            grunner.append(_("Ikke kvalifisert for vakt uten bakvakt, og ingen kompetansebakvakt dekker vakten."))
        grunner.append(_("Uthvilt (minst åtte timers hvile før og etter).") if uthvilt else
                       _("Får for kort hvile (SFS 2305 § 7.4): krever begrunnelse."))
        if fritatt:
            grunner.append(_("Fritatt fra legevakt i dette tidsrommet (fastlegeforskriften § 33)."))
        grunner.append(_("%(timer)s timer vakt siste 28 dager.") % {"timer": _timer_tekst(timer.get(lege.pk, 0.0))})
        if d.grunnlag == "avtale":
            grunner.append(_("Deltar etter vaktavtale."))
        result.append(Kandidat(lege=lege, kvalifisert=kvalifisert, uthvilt=uthvilt, fritatt=fritatt,
                               timer_siste_28=round(timer.get(lege.pk, 0.0), 2), grunner=grunner))
    result.sort(key=lambda k: (not k.kvalifisert, not k.uthvilt, k.fritatt, k.timer_siste_28, k.lege.etternavn,
                               k.lege.fornavn, k.lege.pk))
    for i, k in enumerate(result, start=1):
        k.rangering = i
    return result


def _som_erstatter(exc: ValidationError) -> ValidationError:
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError({("erstatter" if key == "lege" else key): value for key, value in exc.error_dict.items()})


def meld_syk(*, vakt: Vakt, expected_version: int, erstatter, fra=None, hvilebrudd_begrunnelse: str = "") -> Vakt:
    """The doctor on the shift is ill: `erstatter` gets the rest of it, [max(start, fra), slutt), as a new
    shift pointing back at it (`erstatter`), checked like any shift (errors about the doctor land on
    `erstatter`). A shift not yet begun at `fra` is cancelled (årsak sykdom); one the doctor fell ill
    during ends at `fra` and stays active, so the hours worked stay in the load figures and the time
    stays covered. Atomic: both or neither."""
    krev_vertskommune(vakt.distrikt)
    if vakt.status != Vaktstatus.AKTIV:
        raise _error("status", _("Vakten er allerede avlyst."), "avlyst")
    start = _fra(vakt, fra)
    if _pk(erstatter) in (None, vakt.lege_id):
        raise _error("erstatter", _("Velg en annen lege enn den som er syk."), "samme_lege")
    with transaction.atomic():
        if start > vakt.start:
            merknad = _("Syk fra %(tid)s; resten av vakten er overtatt.") % {"tid": _tekst(start)}
            _skriv(vakt, expected_version, {"slutt": start, "merknad": f"{vakt.merknad}\n{merknad}".strip()})
        else:
            _skriv(vakt, expected_version, {"status": Vaktstatus.AVLYST, "avlyst_arsak": Avlysningsarsak.SYKDOM})
        try:
            ny = _opprett(distrikt=vakt.distrikt, lege=erstatter, type=vakt.type, start=start, slutt=vakt.slutt,
                          vaktklasse=vakt.vaktklasse, stasjon=vakt.stasjon_id, lokal_avtale=vakt.lokal_avtale,
                          hvilebrudd_begrunnelse=hvilebrudd_begrunnelse,
                          merknad=_("Erstatter ved sykdom."), erstatter=vakt)
        except ValidationError as exc:
            raise _som_erstatter(exc) from exc
        Vaktbytte.objects.filter(Q(vakt=vakt) | Q(mot_vakt=vakt), status=Byttestatus.FORESLATT).update(
            status=Byttestatus.AVSLATT, behandlet=timezone.now(), merknad=_("Vakten er avlyst (sykdom)."))
    return ny


# --- swaps ----------------------------------------------------------------------------------------------

def _finn_vakt(vakt, felt: str) -> Vakt:
    pk = _pk(vakt)
    found = Vakt.objects.select_related("distrikt").filter(pk=pk).first() if pk else None
    if found is None:
        raise _error(felt, _("Ukjent vakt."), "ukjent_vakt")
    return found


def be_om_bytte(*, vakt, mot_vakt, onsket_av=None) -> Vaktbytte:
    """A request to swap a doctor's shift with another doctor's shift in the same vertskommune. Refused:
    a shift with itself or two shifts of the same doctor (`mot_vakt`), a cancelled shift, a shift that
    already has a pending request."""
    vakt = _finn_vakt(vakt, "vakt")
    mot_vakt = _finn_vakt(mot_vakt, "mot_vakt")
    krev_vertskommune(vakt.distrikt)
    if mot_vakt.kommune_id != vakt.kommune_id:
        raise _error("mot_vakt", _("Ukjent vakt."), "ukjent_vakt")
    if mot_vakt.pk == vakt.pk:
        raise _error("mot_vakt", _("En vakt kan ikke byttes med seg selv."), "samme_vakt")
    if mot_vakt.lege_id == vakt.lege_id:
        raise _error("mot_vakt", _("Begge vaktene er legens egne: et bytte må være med en annen leges vakt."), "samme_lege")
    for felt, v in (("vakt", vakt), ("mot_vakt", mot_vakt)):
        if v.status != Vaktstatus.AKTIV:
            raise _error(felt, _("Vakten er avlyst og kan ikke byttes."), "avlyst")
    if Vaktbytte.objects.filter(Q(vakt__in=[vakt, mot_vakt]) | Q(mot_vakt__in=[vakt, mot_vakt]),
                                status=Byttestatus.FORESLATT).exists():
        raise _error("vakt", _("Det finnes allerede et bytteønske for en av vaktene; behandle eller trekk det først."), "finnes")
    bytte = Vaktbytte(kommune_id=vakt.kommune_id, vakt=vakt, mot_vakt=mot_vakt, onsket_av=onsket_av)
    try:
        with transaction.atomic():
            bytte.save()
    except IntegrityError as exc:
        raise translate(exc, Vaktbytte, fields=BYTTE_CONSTRAINT_FIELDS) from exc
    return bytte


def _behandle(bytte: Vaktbytte, expected_version: int, changes: dict) -> Vaktbytte:
    if Vaktbytte.objects.filter(pk=bytte.pk, versjon=expected_version).update(**changes) == 0:
        raise StaleVersion()
    return Vaktbytte.objects.get(pk=bytte.pk)


def _krev_foreslatt(bytte: Vaktbytte) -> None:
    if bytte.status != Byttestatus.FORESLATT:
        raise _error("status", _("Bytteønsket er allerede behandlet (%(status)s).") % {"status": bytte.get_status_display()},
                     "behandlet")


def godkjenn_bytte(*, bytte: Vaktbytte, expected_version: int, behandlet_av=None, hvilebrudd_begrunnelse: str = "") -> Vaktbytte:
    """Approve a swap: the two shifts exchange doctors in one transaction (the overlap constraint
    deferred to the end of it). Each new assignment is checked like a new shift — participation,
    overlap, exemption, competence, § 4, rest (a breach needs `hvilebrudd_begrunnelse`). Refused:
    nothing changes."""
    krev_vertskommune(bytte.vakt.distrikt)
    _krev_foreslatt(bytte)
    begrunnelse = (hvilebrudd_begrunnelse or "").strip()
    with transaction.atomic():
        vakter = {v.pk: v for v in Vakt.objects.select_for_update().filter(pk__in=[bytte.vakt_id, bytte.mot_vakt_id])}
        a, b = vakter[bytte.vakt_id], vakter[bytte.mot_vakt_id]
        for felt, v in (("vakt", a), ("mot_vakt", b)):
            if v.status != Vaktstatus.AKTIV:
                raise _error(felt, _("Vakten er avlyst og kan ikke byttes."), "avlyst")
        lege_a = Vakt.objects.select_related("lege").get(pk=a.pk).lege
        lege_b = Vakt.objects.select_related("lege").get(pk=b.pk).lege
        for lege_id in sorted({lege_a.pk, lege_b.pk}):
            _lock_lege(lege_id)
        omfordelt = {a.pk: lege_b, b.pk: lege_a}
        exclude = [a.pk, b.pk]
        brudd = []
        for v, ny_lege, felt in ((a, lege_b, "vakt"), (b, lege_a, "mot_vakt")):
            ny = _Vakt(distrikt=v.distrikt, lege=ny_lege, type=v.type, vaktklasse=v.vaktklasse, start=v.start, slutt=v.slutt,
                       stasjon=None, lokal_avtale=v.lokal_avtale)
            for x in _regelbrudd(ny, exclude_ids=exclude, hvilebrudd_begrunnelse=begrunnelse, omfordelt=omfordelt):
                brudd.append(Brudd(x.kode, "hvilebrudd_begrunnelse" if x.kan_begrunnes else felt,
                                   _("Vakten %(fra)s–%(til)s til %(lege)s: %(melding)s") % {
                                       "fra": _tekst(v.start), "til": _tekst(v.slutt), "lege": ny_lege.navn, "melding": x.melding},
                                   x.kilde, x.kan_begrunnes))
        _raise(brudd)
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS vakt_no_overlap_same_doctor DEFERRED")
                for v, ny_lege in ((a, lege_b), (b, lege_a)):
                    changes = {"lege_id": ny_lege.pk,
                               "unntak_kompetanse": not vakt_regler.oppfyller_paragraf_3(ny_lege, tid.lokal(v.start).date())}
                    if begrunnelse:
                        changes["hvilebrudd_begrunnelse"] = begrunnelse
                    Vakt.objects.filter(pk=v.pk).update(**changes)
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS vakt_no_overlap_same_doctor IMMEDIATE")
        except IntegrityError as exc:
            raise translate(exc, Vakt, fields={"vakt_no_overlap_same_doctor": "mot_vakt"}) from exc
        return _behandle(bytte, expected_version, {
            "status": Byttestatus.GODKJENT, "behandlet": timezone.now(), "behandlet_av": behandlet_av})


def avslaa_bytte(*, bytte: Vaktbytte, expected_version: int, behandlet_av=None, merknad: str = "") -> Vaktbytte:
    """Refuse a swap request (the shifts stay as they are)."""
    krev_vertskommune(bytte.vakt.distrikt)
    _krev_foreslatt(bytte)
    return _behandle(bytte, expected_version, {"status": Byttestatus.AVSLATT, "behandlet": timezone.now(),
                                               "behandlet_av": behandlet_av, "merknad": (merknad or "").strip()})


def trekk_bytte(*, bytte: Vaktbytte, expected_version: int) -> Vaktbytte:
    """Withdraw a pending swap request."""
    krev_vertskommune(bytte.vakt.distrikt)
    _krev_foreslatt(bytte)
    return _behandle(bytte, expected_version, {"status": Byttestatus.TRUKKET, "behandlet": timezone.now()})


# --- the pattern roster ---------------------------------------------------------------------------------

def start_vaktplan(*, distrikt, fra: dt.date, til: dt.date, monster: list[dict], leger: list, startet_av: str = ""):
    """Start the pattern roster as a background job (legevakt.vaktplan_jobb)."""
    from legevakt import vaktplan_jobb

    return vaktplan_jobb.start_vaktplan(distrikt=distrikt, fra=fra, til=til, monster=monster, leger=leger,
                                        startet_av=startet_av)


def ready() -> None:
    """Register the pattern roster's background job type."""
    from legevakt import vaktplan_jobb

    vaktplan_jobb.register()
