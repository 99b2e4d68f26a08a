"""The pattern roster: shifts day by day from a repeating weekly pattern over a set of doctors, as
a background job (kommune.bakgrunnsjobber, job type «legevakt.vaktplan») with a progress bar.

The pattern is checked before the job starts (dates, at most a year, known types, times, the
vaktklasse the type allows, the doctors): field errors, nothing queued. The job then makes each
shift through `vakt_services.create_vakt`, so every rule applies; doctors take the shifts in
rotation, in the order given. A refused shift is listed with its date, field and reason, the
rotation moves on to the next doctor, and the other shifts are saved.

Items of the pattern: {"ukedager": [0–6, FLR: 0 = Sunday], "start": "HH:MM", "timer": float | None,
"slutt": "HH:MM" | None, "type": str, "vaktklasse": int | None}; either `timer` (real hours) or
`slutt` (wall-clock; at or before `start` means the next day).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.dates import check_range
from core.timefields import make_aware_strict
from kommune import bakgrunnsjobber, regler
from kommune.models import Bakgrunnsjobb
from legevakt import tid, vakt_services
from legevakt.models import Legevaktdistrikt, Vakttype
from legevakt.tilgang import krev_vertskommune

JOBBTYPE = vakt_services.VAKTPLAN_JOBBTYPE
TITTEL = gettext_lazy("Vaktplan fra mønster")
RESULTAT_ETIKETTER = {
    "planlagt": gettext_lazy("Vakter i mønsteret"),
    "opprettet": gettext_lazy("Vakter opprettet"),
    "avvist": gettext_lazy("Vakter avvist"),
}
MAKS_DAGER = 366


def _error(felt: str, melding: str, kode: str = "ugyldig") -> ValidationError:
    return ValidationError({felt: [ValidationError(melding, code=kode)]})


def _klokkeslett(value, linje: int, navn: str) -> str:
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    try:
        return dt.time.fromisoformat(str(value)).strftime("%H:%M")
    except ValueError:
        raise _error("monster", _("Linje %(linje)d: «%(navn)s» må være et klokkeslett (TT:MM).") % {
            "linje": linje, "navn": navn}) from None


def valider_monster(monster) -> list[dict]:
    """The pattern, normalised; ValidationError on `monster` naming the line."""
    if not isinstance(monster, (list, tuple)) or not monster:
        raise _error("monster", _("Legg inn minst én linje i mønsteret."), "required")
    maks = regler.storste("legevakt_vakt_maks_timer")
    result = []
    for linje, item in enumerate(monster, start=1):
        if not isinstance(item, dict):
            raise _error("monster", _("Linje %(linje)d er ugyldig.") % {"linje": linje})
        dager = item.get("ukedager") or []
        try:
            dager = sorted({int(d) for d in dager})
        except (TypeError, ValueError):
            dager = [-1]
        if not dager or any(d not in range(7) for d in dager):
            raise _error("monster", _("Linje %(linje)d: velg ukedager 0–6 (0 = søndag, 1 = mandag … 6 = lørdag).") % {
                "linje": linje})
        type_ = item.get("type")
        if type_ not in Vakttype.values:
            raise _error("monster", _("Linje %(linje)d: ukjent vakttype. Velg en av: %(typer)s.") % {
                "linje": linje, "typer": ", ".join(Vakttype.values)})
        start = _klokkeslett(item.get("start"), linje, "start")
        timer, slutt = item.get("timer"), item.get("slutt")
        if timer in ("", None) and slutt in ("", None):
            raise _error("monster", _("Linje %(linje)d: oppgi enten antall timer eller når vakten slutter.") % {"linje": linje})
        if timer not in ("", None):
            try:
                timer = float(timer)
            except (TypeError, ValueError):
                timer = -1.0
            if not 0 < timer <= maks:
                raise _error("monster", _("Linje %(linje)d: antall timer må være over 0 og høyst %(maks)d.") % {
                    "linje": linje, "maks": maks})
            slutt = None
        else:
            timer = None
            slutt = _klokkeslett(slutt, linje, "slutt")
        klasse = item.get("vaktklasse")
        if klasse not in ("", None):
            try:
                klasse = int(klasse)
            except (TypeError, ValueError):
                klasse = -1
            # A pattern has no local agreement, so tilstedevakt in class 2 (which needs one) is refused here.
            if klasse not in vakt_services.tillatte_vaktklasser(type_, ""):
                raise _error("monster", _("Linje %(linje)d: vaktklasse %(klasse)s passer ikke til vakttypen (SFS 2305 § 8.3).") % {
                    "linje": linje, "klasse": item.get("vaktklasse")})
        else:
            klasse = None
        result.append({"ukedager": dager, "start": start, "timer": timer, "slutt": slutt, "type": type_, "vaktklasse": klasse})
    return result


def start_vaktplan(*, distrikt, fra: dt.date, til: dt.date, monster: list[dict], leger: list, startet_av: str = "") -> Bakgrunnsjobb:
    """Check the pattern and start the job that makes the shifts for the dates [fra, til).
    Refused with field errors (`distrikt`, `fra`, `til`, `monster`, `leger`); 403 for a deltakerkommune."""
    distrikt = vakt_services.finn_distrikt(distrikt)
    krev_vertskommune(distrikt)
    if not isinstance(fra, dt.date):
        raise _error("fra", _("Oppgi første dag."), "required")
    if not isinstance(til, dt.date):
        raise _error("til", _("Oppgi første dag etter planen."), "required")
    check_range(fra, "fra")
    check_range(til, "til")
    if til <= fra:
        raise _error("til", _("Planen må slutte etter at den begynner («til» er første dag etter planen)."), "periode_rekkefolge")
    if (til - fra).days > MAKS_DAGER:
        raise _error("til", _("En vaktplan fra mønster kan vare høyst ett år."), "for_lang")
    normalisert = valider_monster(monster)
    if not leger:
        raise _error("leger", _("Velg minst én lege."), "required")
    lege_ids = [vakt_services.finn_lege(lege, distrikt, felt="leger").pk for lege in leger]
    return bakgrunnsjobber.start_job(
        kommune=distrikt.kommune, type=JOBBTYPE,
        tittel=_("Vaktplan for %(distrikt)s %(fra)s–%(til)s") % {
            "distrikt": distrikt.navn, "fra": fra.strftime("%d.%m.%Y"), "til": (til - dt.timedelta(days=1)).strftime("%d.%m.%Y")},
        parametere={"distrikt": distrikt.pk, "fra": fra.isoformat(), "til": til.isoformat(), "monster": normalisert,
                    "leger": lege_ids, "startet_av": startet_av or ""},
    )


def planlagte(fra: dt.date, til: dt.date, monster: list[dict]) -> list[tuple[dt.date, dict]]:
    """(date, pattern item) for every shift the pattern gives over [fra, til), in order."""
    result = []
    day = fra
    while day < til:
        ukedag = (day.weekday() + 1) % 7
        result.extend((day, item) for item in monster if ukedag in item["ukedager"])
        day += dt.timedelta(days=1)
    return result


def _tider(day: dt.date, item: dict) -> tuple[dt.datetime, dt.datetime]:
    start = make_aware_strict(dt.datetime.combine(day, dt.time.fromisoformat(item["start"])), tid.OSLO)
    if item.get("timer"):
        # Real hours: in UTC (adding to an Oslo time would add wall-clock hours, one too many or too
        # few across a daylight-saving change).
        return start, (start.astimezone(dt.UTC) + dt.timedelta(hours=item["timer"])).astimezone(tid.OSLO)
    slutt_tid = dt.time.fromisoformat(item["slutt"])
    slutt_dag = day if slutt_tid > start.time() else day + dt.timedelta(days=1)
    return start, make_aware_strict(dt.datetime.combine(slutt_dag, slutt_tid), tid.OSLO)


def run_vaktplan(jobb: Bakgrunnsjobb, progress) -> dict:
    """The job's runner: one shift at a time through create_vakt, in rotation."""
    p = jobb.parametere
    distrikt = Legevaktdistrikt.objects.get(pk=p["distrikt"])
    plan = planlagte(dt.date.fromisoformat(p["fra"]), dt.date.fromisoformat(p["til"]), p["monster"])
    leger = p["leger"]
    totalt = len(plan)
    progress.set(0, totalt)
    avviste: list[dict] = []
    opprettet = 0
    for index, (day, item) in enumerate(plan):
        lege_id = leger[index % len(leger)]
        try:
            with transaction.atomic():
                start, slutt = _tider(day, item)
                vakt_services.create_vakt(distrikt=distrikt, lege=lege_id, type=item["type"], start=start, slutt=slutt,
                                          vaktklasse=item.get("vaktklasse"))
            opprettet += 1
        except ValidationError as exc:
            meldinger = exc.message_dict if hasattr(exc, "error_dict") else {"start": exc.messages}  # a time that does not exist
            for felt, tekster in meldinger.items():
                avviste.append({"rad": index + 1, "dato": day.isoformat(), "felt": felt,
                                "melding": _("%(dato)s kl. %(start)s (%(type)s): %(melding)s") % {
                                    "dato": day.strftime("%d.%m.%Y"), "start": item["start"], "type": item["type"],
                                    "melding": " ".join(tekster)}})
        progress.set(index + 1, totalt)
    progress.feil.extend(avviste)  # kommune.bakgrunnsjobber stores them as the finished job's `feil`
    return {"planlagt": totalt, "opprettet": opprettet, "avvist": totalt - opprettet}


def register() -> None:
    bakgrunnsjobber.register(JOBBTYPE, run_vaktplan, TITTEL, omrade="legevakt", resultat_etiketter=RESULTAT_ETIKETTER,
                             lenke="legevakt:distrikter", lenke_tekst=gettext_lazy("Til legevaktdistriktene"))


def avviste(jobb: Bakgrunnsjobb) -> list[dict]:
    """The refused shifts of a finished roster job (date, field, reason)."""
    return list(jobb.feil or [])
