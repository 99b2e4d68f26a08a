"""Duty-load pages: a district's load (per-doctor table, a chart of load per doctor week by week, a
month heatmap of doctors on duty and uncovered hours, the district's figures), one doctor's months in
the district, and the per-doctor figures as CSV. Thin: the figures come from legevakt.belastning.

Reading needs Handling.LES; the district must be visible to the kommune in scope (its vertskommune or
a member kommune), otherwise 404. The window is `?fra=&til=` (Oslo dates, half-open [fra, til);
default the last four weeks and the next four), at most 366 days.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from core.dates import add_months
from core.tenancy import unscoped
from kommune import helligdager, regler
from kommune.decorators import kommune_page
from kommune.models import Kommune
from kommune.permissions import Handling
from legevakt import belastning, belastning_exports, tid
from legevakt.belastning import Legebelastning
from legevakt.models import Legevaktdistrikt, Vakt

BEREDSKAP_GRENSE = "legevakt_beredskap_varsel_timer_per_uke"
HYPPIGHET_GRENSE = "legevakt_hyppighet_varsel"
FA_LEGER = "legevakt_fa_leger"

# Line styles for the chart: colour, dash and marker differ together, so a series is never told by colour alone.
FARGER = ("#1f4e79", "#8a3b00", "#0b6b32", "#6a1b9a", "#a3141e", "#00607a", "#5d4037", "#37474f")
STREKER = ("", "6 4", "2 3", "10 3 2 3")
MERKER = ("sirkel", "firkant", "trekant", "rute")


# --- the window form ------------------------------------------------------------------------------------------

class PeriodeForm(forms.Form):
    fra = forms.DateField(label=gettext_lazy("Fra og med"), widget=forms.DateInput(attrs={"type": "date"}))
    til = forms.DateField(label=gettext_lazy("Til (ikke medregnet)"), widget=forms.DateInput(attrs={"type": "date"}),
                          help_text=gettext_lazy("Høyst 366 dager. Datoene er norsk tid."))

    def __init__(self, data, *, standard: tuple[dt.date, dt.date]):
        values = {"fra": standard[0].isoformat(), "til": standard[1].isoformat()}
        for key in ("fra", "til"):
            if data.get(key):
                values[key] = data.get(key)[:20]
        super().__init__(values)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            belastning.sjekk_periode(cleaned["fra"], cleaned["til"])
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                for error in errors:
                    self.add_error(field, error)
        return cleaned


def _distrikt(distrikt_id: int) -> Legevaktdistrikt:
    """The district, if the kommune in scope may see it (404 otherwise: «not yours» = «not there»)."""
    return get_object_or_404(Legevaktdistrikt.objects.all(), pk=distrikt_id)


# --- showing figures ------------------------------------------------------------------------------------------

def tall(value: Any, decimals: int = 1) -> str:
    """A figure for people: grouped, with a decimal comma; «–» for none."""
    if value is None:
        return "–"
    if isinstance(value, float):
        if value == int(value):
            return formats.number_format(int(value), force_grouping=True)
        return formats.number_format(round(value, decimals), decimals, force_grouping=True)
    return formats.number_format(value, force_grouping=True)


def prosent(andel: float | None) -> str:
    return "–" if andel is None else f"{formats.number_format(round(andel * 100, 1), 1)}\u00a0%"


def _lokal_tekst(value: dt.datetime) -> str:
    return formats.date_format(tid.lokal(value), "j.n.Y H:i")


def _grenser(til: dt.date) -> dict[str, Any]:
    day = til - dt.timedelta(days=1)
    return {
        "beredskap": regler.verdi(BEREDSKAP_GRENSE, on=day), "beredskap_kilde": regler.kilde(BEREDSKAP_GRENSE, on=day),
        "hyppighet": regler.verdi(HYPPIGHET_GRENSE, on=day), "hyppighet_kilde": regler.kilde(HYPPIGHET_GRENSE, on=day),
        "fa_leger": regler.verdi(FA_LEGER, on=day), "fa_leger_kilde": regler.kilde(FA_LEGER, on=day),
        "helligdager_kilde": helligdager.KILDE,
    }


def legerad(row: Legebelastning, grenser: dict) -> dict[str, Any]:
    """One doctor's row as text, with the two reference marks spelled out (never colour alone)."""
    return {
        "figur": row,
        "timer": tall(row.timer), "timer_per_4_uker": tall(row.timer_per_4_uker),
        "beredskapstimer": tall(row.beredskapstimer), "beredskapstimer_per_uke": tall(row.beredskapstimer_per_uke),
        "tilstedevakttimer": tall(row.tilstedevakttimer),
        "hyppighet": belastning.hyppighet_tekst(row.hyppighet),
        "over_beredskap": row.beredskapstimer_per_uke > grenser["beredskap"],
        "for_hyppig": row.hyppighet is not None and row.hyppighet < grenser["hyppighet"],
    }


def _fmt(value: float) -> str:
    """An SVG coordinate with a decimal point (the template would localise a float with a comma)."""
    return f"{value:.1f}"


def _merke(kind: str, x: float, y: float) -> str:
    """SVG path data for a marker centred on (x, y)."""
    if kind == "firkant":
        return f"M{_fmt(x - 4)},{_fmt(y - 4)}h8v8h-8z"
    if kind == "trekant":
        return f"M{_fmt(x)},{_fmt(y - 5)}L{_fmt(x + 5)},{_fmt(y + 4)}L{_fmt(x - 5)},{_fmt(y + 4)}z"
    if kind == "rute":
        return f"M{_fmt(x)},{_fmt(y - 5)}L{_fmt(x + 5)},{_fmt(y)}L{_fmt(x)},{_fmt(y + 5)}L{_fmt(x - 5)},{_fmt(y)}z"
    return f"M{_fmt(x - 4)},{_fmt(y)}a4,4 0 1,0 8,0a4,4 0 1,0 -8,0"


def _per_uke(row: Legebelastning, serie: str) -> float:
    return row.beredskapstimer_per_uke if serie == "beredskap" else round(row.timer * 7 / row.dager, 2)


def lastdiagram(uker: list[Legebelastning], leger: list[Legebelastning], *, serie: str, grense: float | None,
                fra: dt.date, til: dt.date) -> dict[str, Any]:
    """Hours per week per doctor (on-call hours, or all hours) as inline SVG: one line per doctor, each
    with its own colour, dash and marker shape, and the reference line when given. Weeks cut by the window
    are scaled to a whole week (hours × 7 / days). Also the same figures as table rows."""
    weeks = belastning._uker(fra, til)
    index = {start: i for i, (start, _end) in enumerate(weeks)}
    values: dict[int, dict[int, float]] = defaultdict(dict)
    for row in uker:
        values[row.lege_id][index[row.fra]] = _per_uke(row, serie)
    top = max([v for per in values.values() for v in per.values()] + [grense or 0, 1])
    top = max(10, math.ceil(top / 10) * 10)
    width, height, left, right, top_pad, bottom = 640, 260, 44, 16, 12, 34
    inner_w, inner_h = width - left - right, height - top_pad - bottom

    def x(i: int) -> float:
        return left + (inner_w * i / (len(weeks) - 1) if len(weeks) > 1 else inner_w / 2)

    def y(value: float) -> float:
        return top_pad + inner_h * (1 - value / top)

    series, rows = [], []
    for n, lege in enumerate(leger):
        per = values.get(lege.lege_id, {})
        points = [(x(i), y(per.get(i, 0.0))) for i in range(len(weeks))]
        kind = MERKER[n % len(MERKER)]
        series.append({
            # 16 distinct (marker, dash) pairs before any repeat, whatever the colours
            "navn": lege.lege_navn, "farge": FARGER[n % len(FARGER)], "strek": STREKER[(n // len(MERKER)) % len(STREKER)],
            "merke": kind, "punkter": " ".join(f"{_fmt(px)},{_fmt(py)}" for px, py in points),
            "merker": [_merke(kind, px, py) for px, py in points], "eksempel": _merke(kind, 14, 6),
        })
        rows.append({"navn": lege.lege_navn, "lege_id": lege.lege_id,
                     "verdier": [tall(per.get(i, 0.0)) for i in range(len(weeks))]})
    grid = [{"y": _fmt(y(v)), "label": tall(float(v))} for v in (0, top // 2, top)]
    step = max(1, math.ceil(len(weeks) / 9))
    ticks = [{"x": _fmt(x(i)), "tekst": _("uke %(uke)d") % {"uke": start.isocalendar()[1]}}
             for i, (start, _end) in enumerate(weeks) if i % step == 0]
    return {
        "width": width, "height": height, "left": left, "right": str(width - right), "label_y": str(height - bottom + 18),
        "series": series, "grid": grid, "ticks": ticks, "maks": top,
        "grense": {"y": _fmt(y(grense)), "verdi": tall(float(grense))} if grense is not None else None,
        "uker": [{"fra": start, "til_og_med": end - dt.timedelta(days=1), "uke": start.isocalendar()[1]} for start, end in weeks],
        "rader": rows, "serie": serie,
    }


def kalender(dager: list[belastning.Dagstatus]) -> list[dict[str, Any]]:
    """The days as months of weeks (Monday first) for the heatmap; each cell says its figures in text."""
    months: list[dict[str, Any]] = []
    for day in dager:
        if not months or months[-1]["maned"] != (day.dato.year, day.dato.month):
            months.append({"maned": (day.dato.year, day.dato.month), "forste": day.dato.replace(day=1), "uker": []})
        month = months[-1]
        if not month["uker"] or day.dato.weekday() == 0:
            month["uker"].append({"uke": day.dato.isocalendar()[1], "dager": [None] * 7})
        niva = "ingen" if day.leger_pa_vakt == 0 else ("en" if day.leger_pa_vakt == 1 else "flere")
        month["uker"][-1]["dager"][day.dato.weekday()] = {
            "dato": day.dato, "leger": day.leger_pa_vakt, "udekket": tall(day.udekket_timer) if day.udekket_timer else "",
            "niva": niva, "helligdag": helligdager.er_helligdag(day.dato),
        }
    return months


def _kommunenavn(ids: set[int]) -> dict[int, str]:
    with unscoped(reason="kommune names are public (the national register of kommuner)"):
        return dict(Kommune.objects.filter(pk__in=ids).values_list("pk", "navn"))


def _per_kommune(intervaller, navn: dict[int, str]) -> list[dict[str, Any]]:
    """The uncovered intervals summed per member kommune: count and hours."""
    summer: dict[int, list[float]] = {}
    for u in intervaller:
        summer.setdefault(u.kommune_id, []).append(u.timer)
    return [{"kommune": navn.get(k, str(k)), "antall": len(timer), "timer": tall(round(sum(timer), 2))}
            for k, timer in sorted(summer.items(), key=lambda item: navn.get(item[0], ""))]


def belastning_data(distrikt: Legevaktdistrikt, fra: dt.date, til: dt.date, serie: str) -> dict[str, Any]:
    """Everything the district's load page shows: a constant number of statements."""
    grenser = _grenser(til)
    leger = belastning.legefigurer(fra=fra, til=til, distrikt_ids=[distrikt.pk])
    (figur,) = belastning.distriktsfigurer(fra=fra, til=til, distrikt_ids=[distrikt.pk]) or (None,)
    if figur is None:  # pragma: no cover - the district was found visible just before
        raise Http404
    uker = belastning.legefigurer_per_uke(fra=fra, til=til, distrikt_ids=[distrikt.pk])
    dager = belastning.dagsoversikt(fra=fra, til=til, distrikt_id=distrikt.pk, udekket_i_distriktet=figur.udekket)
    navn = _kommunenavn({u.kommune_id for u in figur.udekket})
    grense = grenser["beredskap"] if serie == "beredskap" else None
    return {
        "fra": fra, "til": til, "til_og_med": til - dt.timedelta(days=1), "dager_i_vinduet": (til - fra).days,
        "grenser": grenser,
        "leger": [legerad(row, grenser) for row in leger],
        "figur": figur,
        "figur_tekst": {
            "timer": tall(figur.timer), "vakthavende_timer": tall(figur.vakthavende_timer),
            "en_lege_timer": tall(figur.en_lege_timer), "andel_en_lege": prosent(figur.andel_en_lege),
            "udekket_timer": tall(figur.udekket_timer),
        },
        "fa_leger": figur.leger_i_vaktordning <= grenser["fa_leger"],
        "udekket": [{"kommune": navn.get(u.kommune_id, str(u.kommune_id)), "start": _lokal_tekst(u.start),
                     "slutt": _lokal_tekst(u.slutt), "timer": tall(u.timer)} for u in figur.udekket],
        "udekket_per_kommune": _per_kommune(figur.udekket, navn),
        "diagram": lastdiagram(uker, leger, serie=serie, grense=grense, fra=fra, til=til) if leger else None,
        "kalender": kalender(dager),
        "dager": [{"dato": d.dato, "leger": d.leger_pa_vakt, "udekket": tall(d.udekket_timer)} for d in dager],
        "query": urlencode({"fra": fra.isoformat(), "til": til.isoformat()}),
    }


SERIER = {"beredskap": gettext_lazy("Beredskapstimer per uke"), "timer": gettext_lazy("Vakttimer i alt per uke")}


@require_GET
@kommune_page(Handling.LES)
def belastning_side(request, distrikt_id: int):
    """The district's duty load in the window (a bad window answers 400 with the form's errors)."""
    distrikt = _distrikt(distrikt_id)
    form = PeriodeForm(request.GET, standard=belastning.standard_periode())
    serie = request.GET.get("diagram") if request.GET.get("diagram") in SERIER else "beredskap"
    context = {"distrikt": distrikt, "form": form, "serie": serie, "serier": list(SERIER.items())}
    if not form.is_valid():
        return render(request, "legevakt/belastning/distrikt.html", context, status=400)
    context.update(belastning_data(distrikt, form.cleaned_data["fra"], form.cleaned_data["til"], serie))
    return render(request, "legevakt/belastning/distrikt.html", context)


# --- one doctor -----------------------------------------------------------------------------------------------

def standard_maneder(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """Six months back and the next two: from the 1st six months ago to the 1st three months ahead."""
    first = (today or timezone.localdate()).replace(day=1)
    return add_months(first, -6), add_months(first, 3)


def _lege_i_distriktet(distrikt: Legevaktdistrikt, lege_id: int) -> str:
    """The doctor's name when the doctor has shifts in the district (any time, any status), else 404: the
    page shows a doctor's duty load in a district, never whether a doctor exists elsewhere."""
    row = Vakt.objects.filter(distrikt=distrikt, lege_id=lege_id).values("lege__fornavn", "lege__etternavn").first()
    if row is None:
        raise Http404(_("Legen har ingen vakter i dette distriktet."))
    return f"{row['lege__fornavn']} {row['lege__etternavn']}"


def manedsstolper(rader: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Hours per month as bars (inline SVG) with the nights as text on each bar."""
    if not rader:
        return None
    width, height, left, bottom, top_pad = 640, 220, 44, 30, 12
    top = max(10, math.ceil(max([r["figur"].timer for r in rader] + [1]) / 10) * 10)
    inner_w, inner_h = width - left - 8, height - top_pad - bottom
    band = inner_w / len(rader)
    bars = []
    for i, r in enumerate(rader):
        h = inner_h * r["figur"].timer / top
        bars.append({"x": _fmt(left + band * i + band * 0.15), "w": _fmt(band * 0.7), "y": _fmt(top_pad + inner_h - h),
                     "h": _fmt(h), "tx": _fmt(left + band * i + band / 2), "ty": _fmt(top_pad + inner_h - h - 4),
                     "etikett": tall(r["figur"].timer), "maned": r["figur"].fra})
    grid = [{"y": _fmt(top_pad + inner_h * (1 - v / top)), "label": tall(float(v))} for v in (0, top // 2, top)]
    return {"width": width, "height": height, "left": left, "right": str(width - 8), "label_y": str(height - bottom + 18),
            "bars": bars, "grid": grid}


@require_GET
@kommune_page(Handling.LES)
def lege_belastning(request, distrikt_id: int, lege_id: int):
    """One doctor's load in the district month by month (nights, weekends and holidays per month)."""
    distrikt = _distrikt(distrikt_id)
    navn = _lege_i_distriktet(distrikt, lege_id)
    form = PeriodeForm(request.GET, standard=standard_maneder())
    context: dict[str, Any] = {"distrikt": distrikt, "form": form, "lege_navn": navn, "lege_id": lege_id}
    if not form.is_valid():
        return render(request, "legevakt/belastning/lege.html", context, status=400)
    fra, til = form.cleaned_data["fra"], form.cleaned_data["til"]
    grenser = _grenser(til)
    maneder = {r.fra: r for r in belastning.legefigurer_per_maned(fra=fra, til=til, distrikt_ids=[distrikt.pk],
                                                                   lege_ids=[lege_id])}
    rader = []
    for start, end in belastning._maneder(fra, til):
        row = maneder.get(start) or Legebelastning(
            lege_id=lege_id, lege_navn=navn, distrikt_id=distrikt.pk, fra=start, til=end, dager=(end - start).days,
            vakter=0, timer=0.0, timer_per_4_uker=0.0, beredskapstimer=0.0, beredskapstimer_per_uke=0.0,
            tilstedevakttimer=0.0, netter=0, helger=0, helligdager=0, juledager=0, paskedager=0, vaktdogn=0, hyppighet=None)
        rader.append({**legerad(row, grenser), "til_og_med": end - dt.timedelta(days=1)})
    totalt = belastning.legefigurer(fra=fra, til=til, distrikt_ids=[distrikt.pk], lege_ids=[lege_id])
    context.update({
        "fra": fra, "til": til, "til_og_med": til - dt.timedelta(days=1), "grenser": grenser, "rader": rader,
        "totalt": legerad(totalt[0], grenser) if totalt else None, "stolper": manedsstolper(rader),
        "query": urlencode({"fra": fra.isoformat(), "til": til.isoformat()}),
    })
    return render(request, "legevakt/belastning/lege.html", context)


# --- CSV ------------------------------------------------------------------------------------------------------

@require_GET
@kommune_page(Handling.LES)
def belastning_csv(request, distrikt_id: int):
    """The per-doctor figures of the window as CSV (semicolons, UTF-8 with BOM). A bad window: 400 with the reason."""
    distrikt = _distrikt(distrikt_id)
    form = PeriodeForm(request.GET, standard=belastning.standard_periode())
    if not form.is_valid():
        feil = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return HttpResponseBadRequest(feil.encode(), content_type="text/plain; charset=utf-8")
    fra, til = form.cleaned_data["fra"], form.cleaned_data["til"]
    rows = belastning.legefigurer(fra=fra, til=til, distrikt_ids=[distrikt.pk])
    filename = f"vaktbelastning-{distrikt.pk}-{fra.isoformat()}-{til.isoformat()}.csv"
    return belastning_exports.csv_response(rows, filename=filename)
