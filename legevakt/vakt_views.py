"""Roster pages (issue 7): a district's roster by week or month, one shift (with history), creating
and changing shifts with a dry run of the rules before saving, cancelling, a sick call with ranked
replacements, a roster from a repeating pattern (a background job), and the doctors' own pages:
their shifts and swap requests; the saksbehandler approves or rejects swaps.

Thin views: writes through legevakt.vakt_services, whose refusals land on the field they name.
Reads need Handling.LES (doctors' own pages Handling.EGNE); writes Handling.SKRIV and the district's
vertskommune (legevakt.tilgang: a deltakerkommune reads, gets no buttons, and a POST is 403).
Times are shown in Oslo time; on the days summer time starts or ends, and for shifts across the
change, the UTC offset is shown so «02:30» is never ambiguous.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.context import current_actor
from core.dates import FORSTE_DAG, SISTE_DAG, add_months, elapsed_hours
from core.exceptions import StaleVersion
from core.history import history_for
from core.tenancy import unscoped
from kommune import helligdager
from kommune.decorators import kommune_page
from kommune.lege_forms import add_service_error
from kommune.models import Kommune, Lege
from kommune.permissions import Handling, tillater
from legevakt import tilgang
from legevakt.models import (
    Byttestatus,
    Legevaktdistrikt,
    Medlemskap,
    Stasjon,
    Vakt,
    Vaktbytte,
    Vaktstatus,
    Vakttype,
)
from legevakt.tid import dagstart, lokal
from legevakt.vakt_forms import (
    LOKAL_FORMAT,
    AvlysForm,
    BytteBehandleForm,
    ByttForm,
    EndreVaktForm,
    MonsterFormset,
    SykForm,
    VaktForm,
    VaktplanForm,
)

MINE_VAKTER_BAKOVER = dt.timedelta(days=30)


# --- helpers ---------------------------------------------------------------------------------------

def _services():
    from legevakt import vakt_services

    return vakt_services


def _regler():
    from legevakt import vakt_regler

    return vakt_regler


def egen_lege(request) -> Lege | None:
    """The signed-in person's own doctor record (Lege.bruker), wherever it is registered."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    with unscoped(reason="legevakt: the signed-in doctor's own record (Lege.bruker)"):
        return Lege.objects.filter(bruker=user).first()


def _distrikt(distrikt_id: int) -> Legevaktdistrikt:
    return get_object_or_404(Legevaktdistrikt, pk=distrikt_id)


def _vakt(vakt_id: int) -> Vakt:
    return get_object_or_404(Vakt.objects.select_related("distrikt", "lege", "stasjon", "erstatter__lege"), pk=vakt_id)


def kan_skrive(request, distrikt) -> bool:
    return tillater(request.tilgang, Handling.SKRIV) and tilgang.er_vertskommune(distrikt)


def _krev_skriv(request, distrikt) -> None:
    if not tillater(request.tilgang, Handling.SKRIV):
        raise PermissionDenied(_("Rollen din i kommunen gir ikke lov til dette."))
    tilgang.krev_vertskommune(distrikt)


def _offset(value: dt.datetime) -> str:
    minutes = int(value.utcoffset().total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def _overgang(day: dt.date) -> str:
    """A note on the days summer time starts or ends (the local day is 23 or 25 hours long)."""
    before, after = dagstart(day).utcoffset(), dagstart(day + dt.timedelta(days=1)).utcoffset()
    if after > before:
        return _("Sommertid starter: klokken stilles fram fra 02:00 til 03:00 (døgnet har 23 timer).")
    if after < before:
        return _("Sommertid slutter: klokken stilles tilbake fra 03:00 til 02:00 (døgnet har 25 timer).")
    return ""


def _er_overgangsdag(day: dt.date) -> bool:
    return dagstart(day).utcoffset() != dagstart(day + dt.timedelta(days=1)).utcoffset()


def vis_tid(start: dt.datetime, slutt: dt.datetime) -> str:
    """«20:00–08:00» in Oslo time; the end's date when it is another day; UTC offsets when the shift
    crosses a daylight-saving change or starts on such a day."""
    s, e = lokal(start), lokal(slutt)
    med_offset = s.utcoffset() != e.utcoffset() or _er_overgangsdag(s.date()) or _er_overgangsdag(e.date())
    start_tekst = s.strftime("%H:%M") + (f" ({_offset(s)})" if med_offset else "")
    slutt_tekst = e.strftime("%H:%M") + (f" ({_offset(e)})" if med_offset else "")
    if e.date() != s.date():
        slutt_tekst = f"{e.day}.{e.month}. {slutt_tekst}"
    return f"{start_tekst} – {slutt_tekst}"


def _innen_dagen(start: dt.datetime, slutt: dt.datetime, day: dt.date) -> str:
    """An interval clipped to one local day: «16:00–24:00» (24:00 for the day's end)."""
    if lokal(slutt).date() != day and lokal(slutt).time() == dt.time(0):
        s = lokal(start)
        offset = f" ({_offset(s)})" if _er_overgangsdag(day) else ""
        return f"{s:%H:%M}{offset} – 24:00"
    return vis_tid(start, slutt)


def timer_tekst(start: dt.datetime, slutt: dt.datetime) -> str:
    hours = elapsed_hours(start, slutt)
    text = f"{hours:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    return _("%(timer)s t") % {"timer": text}


def _merker(vakt: Vakt) -> list[dict]:
    """The markers shown next to a shift: (text, css class)."""
    merker = []

    def legg_til(tekst, klasse=""):
        merker.append({"tekst": tekst, "klasse": klasse})

    if vakt.status == Vaktstatus.AVLYST:
        legg_til(_("Avlyst") + (f" ({vakt.get_avlyst_arsak_display()})" if vakt.avlyst_arsak else ""), "merke-varsel")
    if vakt.hoytid:
        legg_til(vakt.get_hoytid_display(), "merke-helligdag")
    if vakt.dagkategori and vakt.dagkategori != "hverdag":
        legg_til(vakt.get_dagkategori_display())
    if vakt.hvilebrudd_begrunnelse:
        legg_til(_("Kortere hvile (SFS 2305 § 7.4): %(grunn)s") % {"grunn": vakt.hvilebrudd_begrunnelse}, "merke-varsel")
    if vakt.unntak_kompetanse:
        legg_til(_("Uten kompetansekrav: krever kompetansebakvakt (kompetanseforskriften § 4)"), "merke-varsel")
    if vakt.type == Vakttype.KOMPETANSEBAKVAKT:
        legg_til(_("Kompetansebakvakt (SFS 2305 § 8.5)"))
    if vakt.erstatter_id:
        legg_til(_("Erstatter en avlyst vakt"))
    if vakt.lokal_avtale:
        legg_til(_("Lokal avtale: %(avtale)s") % {"avtale": vakt.lokal_avtale})
    return merker


def pynt(vakt: Vakt) -> Vakt:
    """Attach the display values the templates use."""
    vakt.tid_tekst = vis_tid(vakt.start, vakt.slutt)
    vakt.timer_tekst = timer_tekst(vakt.start, vakt.slutt)
    vakt.lokal_start = lokal(vakt.start)
    vakt.merker = _merker(vakt)
    vakt.lege_tekst = f"{vakt.lege.fornavn} {vakt.lege.etternavn}"
    vakt.tekst = f"{vakt.get_type_display()}, {vakt.lokal_start:%d.%m.%Y} {vakt.tid_tekst}, {vakt.lege_tekst}"
    return vakt


# --- the period of a roster view ---------------------------------------------------------------------

@dataclass
class Periode:
    modus: str  # "uke" | "maned"
    fra: dt.date
    til: dt.date  # first day after
    tittel: str
    forrige: str  # query string
    neste: str
    denne: str
    feil: str = ""
    dager: list = field(default_factory=list)


def _uke_param(day: dt.date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def periode_fra(params, today: dt.date) -> Periode:
    """?uke=YYYY-Www (ISO week) or ?maned=YYYY-MM; the current ISO week by default. A value that
    does not parse gives the current week and a message."""
    feil = ""
    maned = params.get("maned")
    uke = params.get("uke")
    if maned:
        try:
            year, month = (int(part) for part in maned.split("-"))
            fra = dt.date(year, month, 1)
            if not 1900 <= year <= 2199:
                raise ValueError
        except (TypeError, ValueError):
            feil = _("Ugyldig måned «%(verdi)s». Bruk formen ÅÅÅÅ-MM, for eksempel 2026-11.") % {"verdi": maned}
        else:
            til = add_months(fra, 1)
            forrige = add_months(fra, -1)
            return Periode(
                modus="maned", fra=fra, til=til,
                tittel=date_format(fra, "F Y").capitalize(),
                forrige=urlencode({"maned": f"{forrige:%Y-%m}"}), neste=urlencode({"maned": f"{til:%Y-%m}"}),
                denne=urlencode({"maned": f"{today:%Y-%m}"}),
            )
    day = today
    if uke and not feil:
        try:
            year_text, week_text = uke.upper().split("-W")
            day = dt.date.fromisocalendar(int(year_text), int(week_text), 1)
            if not 1900 <= day.year <= 2199:
                raise ValueError
        except (TypeError, ValueError):
            feil = _("Ugyldig uke «%(verdi)s». Bruk formen ÅÅÅÅ-Uuu, for eksempel 2026-W48.") % {"verdi": uke}
            day = today
    fra = day - dt.timedelta(days=day.weekday())
    til = fra + dt.timedelta(days=7)
    year, week, _weekday = fra.isocalendar()
    return Periode(
        modus="uke", fra=fra, til=til,
        tittel=_("Uke %(uke)d %(aar)d (%(fra)s–%(til)s)") % {
            "uke": week, "aar": year, "fra": f"{fra.day}.{fra.month}.", "til": f"{(til - dt.timedelta(days=1)):%d.%m.%Y}"},
        forrige=urlencode({"uke": _uke_param(fra - dt.timedelta(days=7))}), neste=urlencode({"uke": _uke_param(til)}),
        denne=urlencode({"uke": _uke_param(today)}), feil=feil,
    )


def _udekket(distrikt, fra: dt.date, til: dt.date) -> list:
    """The district's intervals without a doctor on duty (legevakt.belastning, when present)."""
    try:
        from legevakt.belastning import udekket
    except ImportError:
        return []
    medlemmer = list(Medlemskap.objects.filter(distrikt=distrikt).values_list("medlem_id", flat=True).distinct())
    if not medlemmer:
        return []
    rader = [rad for rad in udekket(fra=fra, til=til, kommune_ids=medlemmer) if rad.distrikt_id == distrikt.pk]
    with unscoped(reason="legevakt: names of a district's member kommuner"):
        navn = dict(Kommune.objects.filter(pk__in={rad.kommune_id for rad in rader}).values_list("pk", "navn"))
    return [{"start": rad.start, "slutt": rad.slutt, "arsak": rad.arsak, "kommune_navn": navn.get(rad.kommune_id, "")}
            for rad in rader]


def _dager(periode: Periode, vakter: list[Vakt], udekket: list, today: dt.date, inn_i: list[Vakt]) -> list[dict]:
    per_dag: dict[dt.date, list[Vakt]] = {}
    for vakt in vakter:
        per_dag.setdefault(lokal(vakt.start).date(), []).append(vakt)
    dager = []
    day = periode.fra
    while day < periode.til:
        start, end = dagstart(day), dagstart(day + dt.timedelta(days=1))
        hull = []
        for rad in udekket:
            s, e = max(rad["start"], start), min(rad["slutt"], end)
            if s < e:
                hull.append({"tekst": _innen_dagen(s, e, day), "kommune": rad["kommune_navn"], "arsak": rad["arsak"]})
        kategori = helligdager.dagkategori(day)
        fra_for = inn_i if day == periode.fra else []
        antall = len(fra_for) + len(per_dag.get(day, [])) + len(hull)
        dager.append({
            "fra_for": fra_for, "antall_rader": max(antall, 1),
            "dato": day, "vakter": per_dag.get(day, []), "i_dag": day == today, "kategori": kategori,
            "helligdag": helligdager.helligdager(day.year).get(day, ""), "helg": kategori == "helg",
            "hoytid": helligdager.hoytid(day) or "", "overgang": _overgang(day), "udekket": hull,
            "ny_url": f"start={day.isoformat()}",
        })
        day += dt.timedelta(days=1)
    return dager


@require_GET
@kommune_page(Handling.LES)
def vaktplan(request, distrikt_id: int):
    """The roster: days as rows, the shifts starting that day listed (Oslo time), with markers for
    holidays, weekends, rest breaches, competence bakvakt and cancellations, and the intervals
    without a doctor on duty."""
    distrikt = _distrikt(distrikt_id)
    today = timezone.localdate()
    periode = periode_fra(request.GET, today)
    if periode.feil:
        messages.error(request, periode.feil)
    fra_tid, til_tid = dagstart(periode.fra), dagstart(periode.til)
    vakter = [pynt(v) for v in Vakt.objects.filter(distrikt=distrikt, start__lt=til_tid, start__gte=fra_tid)
              .select_related("lege", "stasjon").order_by("start", "id")]
    # A shift that started before the period but runs into it is listed on its first day in the period.
    inn_i = [pynt(v) for v in Vakt.objects.filter(distrikt=distrikt, start__lt=fra_tid, slutt__gt=fra_tid)
             .select_related("lege", "stasjon").order_by("start", "id")]
    udekket = _udekket(distrikt, periode.fra, periode.til)
    periode.dager = _dager(periode, vakter, udekket, today, inn_i)
    i_perioden = periode.fra <= today < periode.til
    return render(request, "legevakt/vakt/vaktplan.html", {
        "distrikt": distrikt, "periode": periode, "i_perioden": i_perioden, "can_write": kan_skrive(request, distrikt),
        "antall": sum(1 for v in vakter if v.status == Vaktstatus.AKTIV), "har_udekket_kilde": _har_belastning(),
        "uke_for_maned": urlencode({"uke": _uke_param(periode.fra if not i_perioden else today)}),
        "maned_for_uke": urlencode({"maned": f"{(today if i_perioden else periode.fra):%Y-%m}"}),
    })


def _har_belastning() -> bool:
    try:
        from legevakt.belastning import udekket  # noqa: F401
    except ImportError:
        return False
    return True


# --- one shift ---------------------------------------------------------------------------------------

@require_GET
@kommune_page(Handling.LES)
def vakt(request, vakt_id: int):
    obj = pynt(_vakt(vakt_id))
    erstatninger = [pynt(v) for v in Vakt.objects.filter(erstatter=obj).select_related("lege", "stasjon")]
    if obj.erstatter_id:
        pynt(obj.erstatter)
    bytter = list(Vaktbytte.objects.filter(vakt=obj).select_related("mot_vakt__lege")) if tilgang.er_vertskommune(
        obj.distrikt) else []
    return render(request, "legevakt/vakt/vakt.html", {
        "vakt": obj, "distrikt": obj.distrikt, "erstatninger": erstatninger, "bytter": bytter,
        "events": history_for(obj), "can_write": kan_skrive(request, obj.distrikt) and obj.status == Vaktstatus.AKTIV,
        "uke": urlencode({"uke": _uke_param(lokal(obj.start).date())}),
    })


def _leger_for(distrikt, *days: dt.date) -> list[Lege]:
    leger: dict[int, Lege] = {}
    for day in {d for d in days if d}:
        for deltaker in _regler().deltakere(distrikt, day):
            leger.setdefault(deltaker.lege.pk, deltaker.lege)
    return list(leger.values())


def _dag_i(data, name: str) -> dt.date | None:
    value = (data.get(name) or "").strip()
    try:
        day = dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None
    # A day outside the dates the system accepts is ignored like one that does not parse (9999-12-31
    # would overflow when the next day is computed).
    return day if day is None or FORSTE_DAG <= day <= SISTE_DAG else None


def _brudd(distrikt, form, vakt=None) -> list | None:
    args = form.sjekk_arguments()
    if args is None:
        return None
    try:
        return _services().sjekk_vakt(distrikt=distrikt, vakt=vakt, **args)
    except ValidationError as exc:
        add_service_error(form, exc)
        return None


def _skjema(request, *, distrikt, form, brudd, tittel, submit, cancel_url, sjekk_url, vakt=None, status=200):
    return render(request, "legevakt/vakt/skjema.html", {
        "distrikt": distrikt, "form": form, "brudd": brudd, "tittel": tittel, "submit": submit,
        "cancel_url": cancel_url, "sjekk_url": sjekk_url, "vakt": vakt,
        "feil": _feilliste(form) if form.is_bound and form.errors else [],
    }, status=status)


def _feilliste(form) -> list[dict]:
    """Every error with the field's label and id, for the summary at the top of the form."""
    rows = []
    for name, errors in form.errors.items():
        if name == "__all__":
            rows += [{"label": "", "id": "", "melding": e} for e in errors]
        else:
            bound = form[name] if name in form.fields else None
            rows += [{"label": bound.label if bound else name, "id": bound.id_for_label if bound else "", "melding": e}
                     for e in errors]
    return rows


def _prefill(params) -> dict:
    """Initial values from ?start=YYYY-MM-DD[THH:MM]&slutt=…&lege=&type=: a day alone gives an
    evening shift 16:00–08:00 the next morning."""
    initial = {"type": params.get("type") or Vakttype.TILSTEDEVAKT}
    day = _dag_i(params, "start")
    if day is not None:
        start = params.get("start", "")
        if len(start) > 10:
            initial["start"] = start
        else:
            initial["start"] = f"{day.isoformat()}T16:00"
            initial["slutt"] = f"{(day + dt.timedelta(days=1)).isoformat()}T08:00"
    if params.get("slutt"):
        initial["slutt"] = params["slutt"]
    if params.get("lege"):
        initial["lege"] = params["lege"]
    return initial


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def vakt_ny(request, distrikt_id: int):
    """A new shift. GET with htmx (or POST with handling=sjekk, without JavaScript) runs the rules
    as a dry run and shows what would refuse it, with the sources, before anything is saved."""
    distrikt = _distrikt(distrikt_id)
    _krev_skriv(request, distrikt)
    stasjoner = Stasjon.objects.filter(distrikt=distrikt, aktiv=True)
    sjekk = bool((request.method == "GET" and request.htmx) or request.POST.get("handling") == "sjekk")
    data = request.POST if request.method == "POST" else (request.GET if request.htmx else None)
    today = timezone.localdate()
    leger = _leger_for(distrikt, today, _dag_i(data or request.GET, "start"))
    form = VaktForm(data, initial=_prefill(request.GET), leger=leger, stasjoner=stasjoner)
    if form.is_bound:
        form.is_valid()
    brudd = _brudd(distrikt, form) if sjekk else None
    if request.htmx and request.method == "GET":
        return render(request, "legevakt/vakt/_sjekk.html", {"form": form, "brudd": brudd})
    if request.method == "POST" and not sjekk and form.is_valid():
        try:
            ny = _services().create_vakt(distrikt=distrikt, **form.service_arguments())
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            pynt(ny)
            messages.success(request, _("Vakten er lagret: %(vakt)s.") % {"vakt": ny.tekst})
            return redirect(reverse("legevakt:vaktplan", args=[distrikt.pk]) + "?"
                            + urlencode({"uke": _uke_param(lokal(ny.start).date())}))
    return _skjema(request, distrikt=distrikt, form=form, brudd=brudd,
                   tittel=_("Ny vakt i %(distrikt)s") % {"distrikt": distrikt.navn}, submit=_("Lagre vakten"),
                   cancel_url=reverse("legevakt:vaktplan", args=[distrikt.pk]),
                   sjekk_url=reverse("legevakt:vakt_ny", args=[distrikt.pk]))


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def vakt_endre(request, vakt_id: int):
    obj = _vakt(vakt_id)
    distrikt = obj.distrikt
    _krev_skriv(request, distrikt)
    if obj.status != Vaktstatus.AKTIV:
        messages.error(request, _("En avlyst vakt kan ikke endres."))
        return redirect("legevakt:vakt", vakt_id=obj.pk)
    sjekk = bool((request.method == "GET" and request.htmx) or request.POST.get("handling") == "sjekk")
    data = request.POST if request.method == "POST" else (request.GET if request.htmx else None)
    leger = _leger_for(distrikt, timezone.localdate(), lokal(obj.start).date(), _dag_i(data or {}, "start"))
    if obj.lege.pk not in {lege.pk for lege in leger}:
        leger.append(obj.lege)
    initial = {
        "lege": obj.lege.pk, "type": obj.type, "vaktklasse": obj.vaktklasse,
        "start": lokal(obj.start).strftime(LOKAL_FORMAT), "slutt": lokal(obj.slutt).strftime(LOKAL_FORMAT),
        "stasjon": obj.stasjon_id, "lokal_avtale": obj.lokal_avtale, "hvilebrudd_begrunnelse": obj.hvilebrudd_begrunnelse,
        "merknad": obj.merknad, "versjon": obj.versjon,
    }
    form = EndreVaktForm(data, initial=initial, leger=leger, stasjoner=Stasjon.objects.filter(distrikt=distrikt))
    if form.is_bound:
        form.is_valid()
    brudd = _brudd(distrikt, form, vakt=obj) if sjekk else None
    if request.htmx and request.method == "GET":
        return render(request, "legevakt/vakt/_sjekk.html", {"form": form, "brudd": brudd})
    if request.method == "POST" and not sjekk and form.is_valid():
        changes = form.service_arguments()
        try:
            _services().update_vakt(vakt=obj, expected_version=form.cleaned_data["versjon"], **changes)
        except StaleVersion as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Endringene er lagret."))
            return redirect("legevakt:vakt", vakt_id=obj.pk)
    return _skjema(request, distrikt=distrikt, form=form, brudd=brudd, vakt=obj,
                   tittel=_("Endre vakt: %(vakt)s") % {"vakt": pynt(obj).tekst}, submit=_("Lagre endringene"),
                   cancel_url=reverse("legevakt:vakt", args=[obj.pk]), sjekk_url=reverse("legevakt:vakt_endre", args=[obj.pk]))


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def vakt_avlys(request, vakt_id: int):
    obj = pynt(_vakt(vakt_id))
    _krev_skriv(request, obj.distrikt)
    form = AvlysForm(request.POST or None, initial={"versjon": obj.versjon})
    if obj.status != Vaktstatus.AKTIV:
        messages.error(request, _("Vakten er allerede avlyst."))
        return redirect("legevakt:vakt", vakt_id=obj.pk)
    if request.method == "POST" and form.is_valid():
        try:
            _services().avlys_vakt(vakt=obj, expected_version=form.cleaned_data["versjon"], arsak=form.cleaned_data["arsak"])
        except StaleVersion as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Vakten er avlyst."))
            return redirect("legevakt:vakt", vakt_id=obj.pk)
    return render(request, "legevakt/vakt/avlys.html", {"vakt": obj, "distrikt": obj.distrikt, "form": form})


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def vakt_syk(request, vakt_id: int):
    """A sick call: the replacements ranked (qualified, rested, not exempt, lowest recent load) with
    their reasons; the top candidate is preselected, so one click replaces the doctor."""
    obj = pynt(_vakt(vakt_id))
    distrikt = obj.distrikt
    _krev_skriv(request, distrikt)
    if obj.status != Vaktstatus.AKTIV:
        messages.error(request, _("Vakten er avlyst."))
        return redirect("legevakt:vakt", vakt_id=obj.pk)
    probe = SykForm(request.POST or request.GET or None, leger=[], initial={"versjon": obj.versjon})
    fra = None
    if probe.is_bound:
        probe.is_valid()
        fra = probe.cleaned_data.get("fra") if hasattr(probe, "cleaned_data") else None
    try:
        kandidater = list(_services().erstattere(vakt=obj, fra=fra))
    except ValidationError as exc:
        # «Syk fra» at or after the end of the shift: the refusal on the field (a message on a GET), and
        # the candidates for the whole shift.
        fra_feil = exc
        kandidater = list(_services().erstattere(vakt=obj))
    else:
        fra_feil = None
    leger = [k.lege for k in kandidater]
    initial = {"versjon": obj.versjon}
    if kandidater:
        initial["erstatter"] = kandidater[0].lege.pk
    lagre = request.method == "POST" and request.POST.get("handling", "lagre") == "lagre"
    form = SykForm(request.POST if request.method == "POST" else None, initial=initial, leger=leger)
    if fra_feil is not None:
        if form.is_bound:
            form.is_valid()
            add_service_error(form, fra_feil)
        else:
            messages.error(request, " ".join(fra_feil.messages))
    if lagre and form.is_valid():
        try:
            ny = _services().meld_syk(vakt=obj, expected_version=form.cleaned_data["versjon"],
                                      erstatter=form.cleaned_data["erstatter"], fra=form.cleaned_data.get("fra"),
                                      hvilebrudd_begrunnelse=form.cleaned_data.get("hvilebrudd_begrunnelse") or "")
        except StaleVersion as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("%(lege)s er meldt syk, og %(ny)s har overtatt vakten.") % {
                "lege": obj.lege_tekst, "ny": f"{ny.lege.fornavn} {ny.lege.etternavn}"})
            return redirect("legevakt:vakt", vakt_id=ny.pk)
    valgt = str(form["erstatter"].value() or "")
    return render(request, "legevakt/vakt/syk.html", {
        "vakt": obj, "distrikt": distrikt, "form": form, "kandidater": kandidater, "valgt": valgt,
        "feil": _feilliste(form) if form.is_bound and form.errors else [],
    })


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def vaktplan_monster(request, distrikt_id: int):
    """A roster from a repeating pattern over a set of doctors (in rotation): a background job with
    a progress bar; refused shifts are listed with their reasons on the job's page."""
    distrikt = _distrikt(distrikt_id)
    _krev_skriv(request, distrikt)
    today = timezone.localdate()
    data = request.POST if request.method == "POST" else None
    fra_dag = _dag_i(data or {}, "fra")
    leger = _leger_for(distrikt, today, fra_dag)
    neste_maned = add_months(today.replace(day=1), 1)
    form = VaktplanForm(data, leger=leger, initial={"fra": neste_maned, "til": add_months(neste_maned, 1)})
    formset = MonsterFormset(data, prefix="monster")
    if request.method == "POST":
        form_ok, formset_ok = form.is_valid(), formset.is_valid()
        if form_ok and formset_ok:
            monster = [rad.monster() for rad in formset if rad.has_changed() and rad.cleaned_data]
            if not monster:
                form.add_error(None, _("Legg inn minst én linje i mønsteret."))
            else:
                try:
                    jobb = _services().start_vaktplan(
                        distrikt=distrikt, fra=form.cleaned_data["fra"], til=form.cleaned_data["til"], monster=monster,
                        leger=form.valgte_leger(), startet_av=current_actor() or f"bruker:{request.user.pk}",
                    )
                except ValidationError as exc:
                    add_service_error(form, exc)
                else:
                    messages.success(request, _("Vaktplanen lages i bakgrunnen."))
                    return redirect("kommune:jobb", jobb_id=jobb.pk)
    return render(request, "legevakt/vakt/monster.html", {
        "distrikt": distrikt, "form": form, "formset": formset,
        "feil": _feilliste(form) if form.is_bound and form.errors else [],
    })


# --- doctors: own shifts and swaps ---------------------------------------------------------------------

def _uten_lege(request):
    return render(request, "legevakt/vakt/uten_lege.html", status=200)


@require_GET
@kommune_page(Handling.EGNE)
def mine_vakter(request):
    """The signed-in doctor's shifts in every district visible to the kommune in scope: upcoming
    and the last 30 days."""
    lege = egen_lege(request)
    if lege is None:
        return _uten_lege(request)
    now = timezone.now()
    vakter = [pynt(v) for v in Vakt.objects.filter(lege=lege, slutt__gt=now - MINE_VAKTER_BAKOVER)
              .select_related("distrikt", "stasjon", "lege").order_by("start", "id")]
    kommende = [v for v in vakter if v.slutt > now]
    tidligere = [v for v in vakter if v.slutt <= now][::-1]
    ventende = set(Vaktbytte.objects.filter(vakt__in=[v.pk for v in kommende], status=Byttestatus.FORESLATT)
                   .values_list("vakt_id", flat=True))
    for v in kommende:
        v.bytte_venter = v.pk in ventende
        v.kan_byttes = (v.status == Vaktstatus.AKTIV and v.start > now and not v.bytte_venter
                        and tilgang.er_vertskommune(v.distrikt))
    return render(request, "legevakt/vakt/mine_vakter.html", {"lege": lege, "kommende": kommende, "tidligere": tidligere})


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.EGNE)
def bytte_ny(request, vakt_id: int):
    """A doctor asks to swap one of their own upcoming shifts with another doctor's in the same district."""
    obj = pynt(_vakt(vakt_id))
    lege = egen_lege(request)
    if lege is None:
        return _uten_lege(request)
    if obj.lege_id != lege.pk:
        raise PermissionDenied(_("Du kan bare be om bytte av dine egne vakter."))
    tilgang.krev_vertskommune(obj.distrikt)
    now = timezone.now()
    andre = [pynt(v) for v in Vakt.objects.filter(distrikt=obj.distrikt, status=Vaktstatus.AKTIV, start__gt=now)
             .exclude(lege=lege).select_related("lege", "stasjon").order_by("start", "id")[:200]]
    form = ByttForm(request.POST or None, vakter=andre)
    if request.method == "POST" and form.is_valid():
        try:
            _services().be_om_bytte(vakt=obj, mot_vakt=form.valgt_vakt(), onsket_av=request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Bytteønsket er sendt. Saksbehandleren godkjenner eller avslår det."))
            return redirect("legevakt:bytter")
    return render(request, "legevakt/vakt/bytte_ny.html", {
        "vakt": obj, "distrikt": obj.distrikt, "form": form, "andre": andre,
        "feil": _feilliste(form) if form.is_bound and form.errors else [],
    })


@require_GET
@kommune_page(Handling.EGNE)
def bytter(request):
    """Swaps: the saksbehandler's pending list (approve/reject) and the doctor's own requests (withdraw)."""
    lege = egen_lege(request)
    behandler = tillater(request.tilgang, Handling.SKRIV)
    relatert = ("vakt__lege", "vakt__distrikt", "mot_vakt__lege", "mot_vakt__distrikt")
    ventende, behandlede, egne = [], [], []
    if behandler:
        ventende = list(Vaktbytte.objects.filter(status=Byttestatus.FORESLATT).select_related(*relatert)
                        .order_by("opprettet", "id"))
        behandlede = list(Vaktbytte.objects.exclude(status=Byttestatus.FORESLATT).select_related(*relatert)
                          .order_by("-behandlet", "-id")[:30])
    if lege is not None:
        egne = list(Vaktbytte.objects.filter(vakt__lege=lege).select_related(*relatert).order_by("-opprettet", "-id")[:50])
        mot_meg = list(Vaktbytte.objects.filter(mot_vakt__lege=lege, status=Byttestatus.FORESLATT)
                       .select_related(*relatert).order_by("opprettet", "id"))
    else:
        mot_meg = []
    for bytte in {*ventende, *behandlede, *egne, *mot_meg}:
        pynt(bytte.vakt)
        pynt(bytte.mot_vakt)
    if not behandler and lege is None:
        return _uten_lege(request)
    return render(request, "legevakt/vakt/bytter.html", {
        "behandler": behandler, "lege": lege, "ventende": ventende, "behandlede": behandlede, "egne": egne,
        "mot_meg": mot_meg,
    })


@require_POST
@kommune_page(Handling.EGNE)
def bytte_behandle(request, bytte_id: int):
    bytte = get_object_or_404(Vaktbytte.objects.select_related("vakt__distrikt", "vakt__lege"), pk=bytte_id)
    form = BytteBehandleForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Ugyldig forespørsel."))
    handling = form.cleaned_data["handling"]
    versjon = form.cleaned_data["versjon"]
    services = _services()
    try:
        if handling == "trekk":
            lege = egen_lege(request)
            if not (bytte.onsket_av_id == request.user.pk or (lege is not None and bytte.vakt.lege_id == lege.pk)):
                raise PermissionDenied(_("Du kan bare trekke dine egne bytteønsker."))
            services.trekk_bytte(bytte=bytte, expected_version=versjon)
            messages.success(request, _("Bytteønsket er trukket."))
        else:
            _krev_skriv(request, bytte.vakt.distrikt)
            if handling == "godkjenn":
                services.godkjenn_bytte(bytte=bytte, expected_version=versjon, behandlet_av=request.user,
                                        hvilebrudd_begrunnelse=form.cleaned_data.get("hvilebrudd_begrunnelse") or "")
                messages.success(request, _("Byttet er godkjent: de to vaktene har byttet lege."))
            else:
                services.avslaa_bytte(bytte=bytte, expected_version=versjon, behandlet_av=request.user,
                                      merknad=form.cleaned_data.get("merknad") or "")
                messages.success(request, _("Bytteønsket er avslått."))
    except StaleVersion as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("legevakt:bytter")


def uke_url(distrikt_id: int, day: dt.date) -> str:
    return reverse("legevakt:vaktplan", args=[distrikt_id]) + "?" + urlencode({"uke": _uke_param(day)})
