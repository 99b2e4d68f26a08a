"""The kommune dashboard panel on the landing page (the official indicators for a chosen date, open
flags, deadlines, the 24-month trend as a chart with a table alternative), its htmx partial for a
date change, and the indicators as CSV. Thin: the figures come from lister.indikatorer.

The date is chosen with `?dato=` on the landing page (a plain GET form, works without JavaScript);
with htmx the form fetches only the panel from `lister:indikatorer_panel` and the browser's address
becomes the landing page with the date.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

from django import forms
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from kommune import selectors as kommune_selectors
from kommune.decorators import kommune_page
from kommune.permissions import Handling
from lister import exports, indikatorer
from lister.indikatorer import DEFINISJONER, Indikatorer
from lister.views import ledige_visning

PANEL_TEMPLATE = "lister/indikatorer/panel.html"
FRISTER_VIST = 5

# The indicator table's rows, in order: (field, kind). Kinds: "antall", "prosent", "snitt", "ledige".
RADER: tuple[tuple[str, str], ...] = (
    ("fastlegeavtaler", "antall"),
    ("lister", "antall"),
    ("lister_uten_fastlege", "antall"),
    ("listeinnbyggere", "antall"),
    ("listeinnbyggere_uten_fastlege", "antall"),
    ("andel_listeinnbyggere_uten_fastlege", "prosent"),
    ("apne_lister", "antall"),
    ("gjennomsnittlig_listelengde", "snitt"),
    ("kapasitet", "antall"),
    ("ledige_plasser", "ledige"),
    ("ledige_plasser_med_fastlege", "ledige"),
    ("reservekapasitet", "snitt"),
    ("andel_lister_med_vikar", "prosent"),
)

# The trend table's columns (field, kind) and the two series drawn in the chart.
TREND_KOLONNER: tuple[tuple[str, str], ...] = (
    ("fastlegeavtaler", "antall"),
    ("lister_uten_fastlege", "antall"),
    ("listeinnbyggere_uten_fastlege", "antall"),
    ("andel_listeinnbyggere_uten_fastlege", "prosent"),
    ("andel_lister_med_vikar", "prosent"),
    ("reservekapasitet", "snitt"),
)
SERIER = ("andel_listeinnbyggere_uten_fastlege", "andel_lister_med_vikar")


def vis(value: Any, kind: str = "antall") -> str:
    """A figure for people: thousands grouped, one decimal with the locale's comma, "–" for none."""
    if kind == "ledige":
        return ledige_visning(value)
    if value is None:
        return "–"
    if isinstance(value, Decimal):
        text = formats.number_format(value, 1, force_grouping=True)
        return f"{text}\u00a0%" if kind == "prosent" else text
    return formats.number_format(value, force_grouping=True)


class DatoForm(forms.Form):
    dato = forms.DateField(label=gettext_lazy("Dato"), required=False)

    def clean_dato(self):
        dato = self.cleaned_data.get("dato")
        if dato and not indikatorer.DATO_MIN <= dato <= indikatorer.DATO_MAKS:
            raise forms.ValidationError(
                _("Velg en dato mellom %(fra)s og %(til)s.") % {
                    "fra": formats.date_format(indikatorer.DATO_MIN, "j.n.Y"),
                    "til": formats.date_format(indikatorer.DATO_MAKS, "j.n.Y")},
                code="utenfor",
            )
        return dato


def chosen_date(params) -> tuple[dt.date | None, str]:
    """The `dato` asked for (default today), or None and the reason when it could not be read."""
    if not params.get("dato"):
        return timezone.localdate(), ""
    form = DatoForm(params)
    if form.is_valid() and form.cleaned_data["dato"]:
        return form.cleaned_data["dato"], ""
    return None, " ".join(str(e) for e in form.errors.get("dato") or [_("Ugyldig dato.")])


# --- the chart -------------------------------------------------------------------------------------------------

def _fmt(value: float) -> str:
    """An SVG coordinate as text with a decimal point (the template would localise a float with a comma)."""
    return f"{value:.1f}"


def trend_chart(punkter: list[Indikatorer]) -> dict | None:
    """Two percentage series (people on lists without a fastlege; lists with a vikar) as inline SVG
    coordinates: polylines broken where a month has no value, with round and square markers so the
    series differ by more than colour. None when nothing can be drawn."""
    values = [v for p in punkter for name in SERIER if (v := getattr(p, name)) is not None]
    if not punkter or not values:
        return None
    width, height, left, right, top, bottom = 360, 200, 40, 12, 10, 30
    top_value = max(10, math.ceil(float(max(values)) / 10) * 10)
    inner_w, inner_h = width - left - right, height - top - bottom

    def x(i: int) -> float:
        return left + (inner_w * i / (len(punkter) - 1) if len(punkter) > 1 else inner_w / 2)

    def y(value) -> float:
        return top + inner_h * (1 - float(value) / top_value)

    series = []
    for name in SERIER:
        segments, current, markers = [], [], []
        for i, punkt in enumerate(punkter):
            value = getattr(punkt, name)
            if value is None:
                if current:
                    segments.append(" ".join(current))
                current = []
                continue
            current.append(f"{_fmt(x(i))},{_fmt(y(value))}")
            markers.append({"x": _fmt(x(i)), "y": _fmt(y(value)), "x0": _fmt(x(i) - 4), "y0": _fmt(y(value) - 4)})
        if current:
            segments.append(" ".join(current))
        series.append({"key": name, "navn": DEFINISJONER[name].navn, "segments": segments, "markers": markers})
    grid = [{"y": _fmt(y(v)), "label": f"{v}\u00a0%"} for v in (0, top_value // 2, top_value)]
    ticks = [
        {"x": _fmt(x(i)), "dato": p.dato, "anchor": "end" if i == len(punkter) - 1 else ("start" if i == 0 else "middle")}
        for i, p in enumerate(punkter) if i % 6 == 0 or i == len(punkter) - 1
    ]
    return {
        "width": width, "height": height, "left": left, "right": str(width - right), "baseline": _fmt(y(0)),
        "label_y": str(height - bottom + 16), "series": series, "grid": grid, "ticks": ticks,
        "fra": punkter[0].dato, "til": punkter[-1].dato, "maks": top_value,
    }


# --- the panel -------------------------------------------------------------------------------------------------

def panel_data(kommune, dato) -> dict[str, Any]:
    """Everything the panel shows for `dato`: a constant number of queries (one for the indicators,
    one for the trend, one for the flags, and one per registered deadline source)."""
    naa = indikatorer.indikatorer(on=dato)
    punkter = indikatorer.trend(til=dato)
    varsler = indikatorer.apne_varsler()
    frister = indikatorer.frister_fra(kommune, on=dato)
    return {
        "dato": dato,
        "indikatorer": naa,
        "rader": [{"key": key, "navn": DEFINISJONER[key].navn, "verdi": vis(getattr(naa, key), kind)} for key, kind in RADER],
        "definisjoner": [{"key": key, "navn": d.navn, "tekst": d.tekst, "kilde": d.kilde, "url": d.url}
                         for key, d in DEFINISJONER.items()],
        "varsler": varsler,
        "varsler_sum": indikatorer.sum_varsler(varsler),
        "frister": frister[:FRISTER_VIST],
        "frister_antall": len(frister),
        "frister_dager": indikatorer.FRIST_DAGER,
        "frister_til": dato + dt.timedelta(days=indikatorer.FRIST_DAGER),
        "chart": trend_chart(punkter),
        "trend_kolonner": [{"key": key, "navn": DEFINISJONER[key].navn} for key, _kind in TREND_KOLONNER],
        "trend_rader": [{"dato": p.dato, "verdier": [vis(getattr(p, key), kind) for key, kind in TREND_KOLONNER]} for p in punkter],
        "maneder": len(punkter),
        "csv_query": urlencode({"dato": dato.isoformat()}),
    }


def panel_context(request, kommune) -> dict[str, Any]:
    """The landing page's panel (kommune.panels): the date from `?dato=`."""
    dato, feil = chosen_date(request.GET)
    if dato is None:
        return {**panel_data(kommune, timezone.localdate()), "dato_input": request.GET.get("dato", "")[:20],
                "dato_feil": _("%(feil)s Viser i dag i stedet.") % {"feil": feil}}
    return {**panel_data(kommune, dato), "dato_feil": "", "dato_input": dato.isoformat()}


@require_GET
@kommune_page(Handling.LES)
def panel(request):
    """The panel alone, for htmx: the landing page's date form fetches it without reloading the page."""
    kommune = kommune_selectors.get_kommune_by_id(request.tilgang.kommune_id)
    context = panel_context(request, kommune)
    response = render(request, PANEL_TEMPLATE, {"kommune": kommune, "ctx": {"kommune": kommune, **context}})
    landing = reverse("kommune:landing", kwargs={"kommunenummer": kommune.kommunenummer})
    response["HX-Push-Url"] = f"{landing}?{urlencode({'dato': context['dato_input']})}"
    return response


# --- CSV -------------------------------------------------------------------------------------------------------

def _csv_value(value: Any) -> Any:
    """Shares and averages with one decimal and a decimal comma (they are never negative)."""
    if isinstance(value, Decimal):
        return f"{value:.1f}".replace(".", ",")
    return value


def _kolonne(key: str) -> exports.Kolonne:
    return exports.Kolonne(DEFINISJONER[key].navn, lambda row, key=key: _csv_value(getattr(row[1], key)))


CSV_KOLONNER: tuple[exports.Kolonne, ...] = (
    exports.Kolonne(gettext_lazy("Rad"), lambda row: str(row[0]), 16),
    exports.Kolonne(gettext_lazy("Dato"), lambda row: row[1].dato, 12),
    *(_kolonne(key) for key, _kind in RADER),
    exports.Kolonne(gettext_lazy("Lister uten listetall"), lambda row: row[1].lister_uten_listetall),
)


@require_GET
@kommune_page(Handling.LES)
def indikatorer_csv(request):
    """The indicators on `?dato=` (default today), then the 24 months' trend (the 1st of each month).
    A date that cannot be read answers 400 with the reason."""
    dato, feil = chosen_date(request.GET)
    if dato is None:
        return HttpResponseBadRequest(feil.encode(), content_type="text/plain; charset=utf-8")
    rows = [(_("Valgt dato"), indikatorer.indikatorer(on=dato))]
    rows += [(_("Månedstrend"), punkt) for punkt in indikatorer.trend(til=dato)]
    filename = f"indikatorer-{request.tilgang.kommune.kommunenummer}-{dato.isoformat()}.csv"
    return exports.csv_response(rows, filename=filename, kolonner=CSV_KOLONNER)
