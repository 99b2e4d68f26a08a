"""Pages for 8.2-avtaler (økonomiske samarbeidsavtaler, ASA 4310 pkt. 8.2): the list with each
practice's running three-year sum, a new avtale, one avtale with its payments ledger, the
three-year sum for any date («Vis sum per dato» — what the kommuneoverlege shows when the
practice is sold), a chart of the payments per year in both directions, payments (new and
corrected), changing and ending the avtale, history, and the ledger as CSV and XLSX.

Thin views: reads through avtaler.okonomi_selectors, writes through avtaler.okonomi_services (the
same functions as the API). Reads need Handling.LES, writes Handling.SKRIV; another kommune's
avtale or payment answers 404.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from avtaler import okonomi_forms as forms
from avtaler import okonomi_selectors as selectors
from avtaler import okonomi_services as services
from avtaler.forms import apply_service_error
from avtaler.models import Betalingsretning, Kommuneytelse
from core.exceptions import StaleVersion
from core.history import history_for
from kommune import selectors as kommune_selectors
from kommune.decorators import kommune_page
from kommune.permissions import Handling, tillater
from lister.exports import _attachment, _csv_text

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _kommune(request):
    return kommune_selectors.get_kommune_by_id(request.tilgang.kommune_id)


def _can_write(request) -> bool:
    return tillater(request.tilgang, Handling.SKRIV)


def _detail_url(avtale, anchor: str = "") -> str:
    return reverse("avtaler:okonomi_detalj", args=[avtale.pk]) + (f"#{anchor}" if anchor else "")


def _form_page(request, *, form, title, submit, cancel_url, avtale=None, intro=""):
    return render(request, "avtaler/okonomi/skjema.html", {
        "form": form, "title": title, "submit": submit, "cancel_url": cancel_url, "avtale": avtale, "intro": intro,
    })


def _avtale(pk: int):
    return selectors.get_okonomiavtale(pk=pk)


def _ytelser_tekst(avtale) -> str:
    return ", ".join(str(Kommuneytelse(y).label) for y in avtale.ytelser if y in Kommuneytelse.values)


def _betaling(avtale, betaling_id: int):
    return get_object_or_404(selectors.betalinger_for(avtale=avtale), pk=betaling_id)


# --- the list ------------------------------------------------------------------------------------------

@require_GET
@kommune_page(Handling.LES)
def okonomi_liste(request):
    """The kommune's 8.2-avtaler with each practice's sum beyond basistilskudd in the last three
    years as of today. Constant queries whatever the number of rows."""
    today = timezone.localdate()
    fra, years = selectors.tilbakeblikk_vindu(today)
    avtaler = list(selectors.okonomiavtale_list(on=today))
    for avtale in avtaler:
        avtale.status_tekst = selectors.STATUS_LABELS.get(avtale.status, avtale.status)
        avtale.ytelser_tekst = _ytelser_tekst(avtale)
    return render(request, "avtaler/okonomi/liste.html", {
        "avtaler": avtaler, "fra": fra, "til": today - dt.timedelta(days=1), "ar": years, "can_write": _can_write(request),
    })


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def okonomi_ny(request):
    chosen = request.GET.get("fastlegeavtale", "")
    form = forms.OkonomiavtaleForm(request.POST or None, initial={"fastlegeavtale": chosen} if chosen.isdigit() else {})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            avtale = services.create_okonomiavtale(kommune=_kommune(request), **data)
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("8.2-avtalen er registrert."))
            return redirect(_detail_url(avtale))
    return _form_page(
        request, form=form, title=_("Ny 8.2-avtale"), submit=_("Registrer avtalen"), cancel_url=reverse("avtaler:okonomi_liste"),
        intro=_("En 8.2-avtale (økonomisk samarbeidsavtale, ASA 4310 pkt. 8.2) er avviket fra hovedregelen om at praksisen "
                "drives fullt ut som privat næringsvirksomhet uten økonomisk medvirkning fra kommunen. Fastlegeavtalen må "
                "ha økonomisk modell «8.2-avtale»."),
    )


# --- one avtale ------------------------------------------------------------------------------------------

CHART_HEIGHT = 180
CHART_TOP = 24
BAR_WIDTH = 30
GROUP_GAP = 28
CHART_LEFT = 10


def _chart(per_ar: list[selectors.ArSum]) -> dict | None:
    """Bar geometry for the payments per year: two bars a year, to the GP and to the kommune."""
    if not per_ar:
        return None
    top = max(max(r.til_lege, r.mottatt_fra_lege) for r in per_ar) or Decimal(1)
    groups = []
    for index, row in enumerate(per_ar):
        x = CHART_LEFT + index * (2 * BAR_WIDTH + GROUP_GAP)
        bars = []
        for offset, value, series in ((0, row.til_lege, "til_lege"), (BAR_WIDTH, row.mottatt_fra_lege, "til_kommune")):
            height = int(CHART_HEIGHT * value / top) if value else 0
            bars.append({"x": x + offset, "y": CHART_TOP + CHART_HEIGHT - height, "height": height, "value": value,
                         "series": series, "label_y": CHART_TOP + CHART_HEIGHT - height - 4})
        groups.append({"ar": row.ar, "x": x, "label_x": x + BAR_WIDTH, "bars": bars})
    return {
        "groups": groups, "width": CHART_LEFT * 2 + len(per_ar) * (2 * BAR_WIDTH + GROUP_GAP),
        "height": CHART_TOP + CHART_HEIGHT + 24, "baseline": CHART_TOP + CHART_HEIGHT, "year_y": CHART_TOP + CHART_HEIGHT + 16,
        "bar_width": BAR_WIDTH,
    }


@require_GET
@kommune_page(Handling.LES)
def okonomi_detalj(request, pk: int):
    """The avtale, the three-year sum as of a date (`?per=`, default today), the chart and the ledger."""
    avtale = _avtale(pk)
    per_form = forms.PerForm(request.GET or None)
    status = 200
    if per_form.is_bound and not per_form.is_valid():
        tilbakeblikk, status = None, 400
    else:
        per = (per_form.cleaned_data.get("per") if per_form.is_bound else None) or timezone.localdate()
        tilbakeblikk = selectors.tilbakeblikk(fastlegeavtale=avtale.fastlegeavtale, on=per)
    per_ar = selectors.betalinger_per_ar(avtale=avtale)
    return render(request, "avtaler/okonomi/detalj.html", {
        "avtale": avtale, "fastlegeavtale": avtale.fastlegeavtale, "status_tekst": selectors.STATUS_LABELS.get(avtale.status),
        "ytelser_tekst": _ytelser_tekst(avtale),
        "per_form": per_form, "tilbakeblikk": tilbakeblikk, "per_ar": per_ar, "chart": _chart(per_ar),
        "betalinger": list(selectors.betalinger_for(avtale=avtale)),
        "andre_avtaler": list(selectors.okonomiavtaler_for(fastlegeavtale=avtale.fastlegeavtale).exclude(pk=avtale.pk)),
        "can_write": _can_write(request), "til_lege": Betalingsretning.TIL_LEGE,
    }, status=status)


def _avtale_initial(avtale) -> dict:
    fields = ("ytelser", "beskrivelse", "kommunen_mottar", "inntektsgaranti_per_ar", "driftstilskudd_per_ar", "startdato",
              "sluttdato", "signert", "avslutning")
    return {"versjon": avtale.versjon, **{f: getattr(avtale, f) for f in fields}}


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def okonomi_endre(request, pk: int):
    avtale = _avtale(pk)
    form = forms.OkonomiavtaleEndreForm(request.POST or None, initial=_avtale_initial(avtale))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("versjon")
        try:
            services.update_okonomiavtale(avtale=avtale, expected_version=version, **data)
        except StaleVersion as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("8.2-avtalen er endret."))
            return redirect(_detail_url(avtale))
    return _form_page(request, form=form, avtale=avtale, title=_("Endre 8.2-avtalen"), submit=_("Lagre endringene"),
                      cancel_url=_detail_url(avtale))


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def okonomi_avslutt(request, pk: int):
    avtale = _avtale(pk)
    form = forms.AvsluttForm(request.POST or None, initial={"versjon": avtale.versjon, "avslutning": avtale.avslutning})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.end_okonomiavtale(avtale=avtale, expected_version=data["versjon"], sluttdato=data["sluttdato"],
                                       avslutning=data["avslutning"])
        except StaleVersion as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("8.2-avtalen er avsluttet."))
            return redirect(_detail_url(avtale))
    return _form_page(request, form=form, avtale=avtale, title=_("Avslutt 8.2-avtalen"), submit=_("Avslutt avtalen"),
                      cancel_url=_detail_url(avtale),
                      intro=_("Betalingene blir stående i regnskapet og regnes med i treårssummen ved salg av praksisen."))


@require_GET
@kommune_page(Handling.LES)
def okonomi_historikk(request, pk: int):
    avtale = _avtale(pk)
    return render(request, "avtaler/okonomi/historikk.html", {
        "avtale": avtale, "events": history_for(avtale), "title": _("Historikk for 8.2-avtalen med %(lege)s") % {
            "lege": avtale.fastlegeavtale.lege.navn}, "back_url": _detail_url(avtale),
    })


# --- payments ------------------------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def okonomi_betaling_ny(request, pk: int):
    avtale = _avtale(pk)
    form = forms.BetalingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            betaling = services.record_betaling(avtale=avtale, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Betalingen %(dato)s er registrert.") % {"dato": betaling.dato.strftime("%d.%m.%Y")})
            return redirect(_detail_url(avtale, "betalinger"))
    return _form_page(request, form=form, avtale=avtale, title=_("Registrer betaling"), submit=_("Registrer betalingen"),
                      cancel_url=_detail_url(avtale, "betalinger"),
                      intro=_("Registrer hver betaling med dato, i begge retninger. Det kommunen betaler legen ut over "
                              "basistilskuddet, regnes med når praksisen selges."))


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def okonomi_betaling_endre(request, pk: int, betaling_id: int):
    avtale = _avtale(pk)
    betaling = _betaling(avtale, betaling_id)
    initial = {f: getattr(betaling, f) for f in ("dato", "retning", "kategori", "belop", "referanse", "beskrivelse")}
    form = forms.BetalingEndreForm(request.POST or None, initial={"versjon": betaling.versjon, **initial})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("versjon")
        try:
            services.update_betaling(betaling=betaling, expected_version=version, **data)
        except StaleVersion as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Betalingen er rettet. Historikken viser de gamle verdiene."))
            return redirect(_detail_url(avtale, "betalinger"))
    return _form_page(request, form=form, avtale=avtale, title=_("Rett betaling"), submit=_("Lagre rettelsen"),
                      cancel_url=_detail_url(avtale, "betalinger"))


@require_GET
@kommune_page(Handling.LES)
def okonomi_betaling_historikk(request, pk: int, betaling_id: int):
    avtale = _avtale(pk)
    betaling = _betaling(avtale, betaling_id)
    return render(request, "avtaler/okonomi/historikk.html", {
        "avtale": avtale, "events": history_for(betaling), "back_url": _detail_url(avtale, "betalinger"),
        "title": _("Historikk for betalingen %(dato)s under 8.2-avtalen med %(lege)s") % {
            "dato": betaling.dato.strftime("%d.%m.%Y"), "lege": avtale.fastlegeavtale.lege.navn},
    })


# --- the ledger as CSV and XLSX ---------------------------------------------------------------------------------

def _ledger_rows(avtale) -> tuple[list[str], list[list]]:
    headers = [_("Dato"), _("Retning"), _("Kategori"), _("Beløp (kr)"), _("Ut over basistilskudd"), _("Bilag eller referanse"),
               _("Beskrivelse"), _("Fastlege"), _("8.2-avtale")]
    lege = avtale.fastlegeavtale.lege.navn
    rows = [
        [b.dato, b.get_retning_display(), b.get_kategori_display(), b.belop, _("Ja") if b.utover_basistilskudd else _("Nei"),
         b.referanse, b.beskrivelse, lege, avtale.pk]
        for b in selectors.betalinger_for(avtale=avtale).order_by("dato", "id")
    ]
    return [str(h) for h in headers], rows


def _export_name(request, avtale, suffix: str) -> str:
    return f"8-2-avtale-{avtale.pk}-betalinger-{timezone.localdate().isoformat()}.{suffix}"


@require_GET
@kommune_page(Handling.LES)
def okonomi_eksport_csv(request, pk: int):
    """The ledger for Norwegian Excel: UTF-8 with BOM, semicolons, decimal comma; text that a
    spreadsheet would run as a formula is written as text."""
    avtale = _avtale(pk)
    headers, rows = _ledger_rows(avtale)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_csv_text(value) for value in row])
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    return _attachment(response, _export_name(request, avtale, "csv"))


@require_GET
@kommune_page(Handling.LES)
def okonomi_eksport_xlsx(request, pk: int):
    """The ledger as a spreadsheet: dates as dates, amounts as numbers, text never as a formula."""
    avtale = _avtale(pk)
    headers, rows = _ledger_rows(avtale)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Betalinger")[:31]
    bold = Font(bold=True)
    for col, header in enumerate(headers, start=1):
        sheet.cell(row=1, column=col, value=header).font = bold
        sheet.column_dimensions[get_column_letter(col)].width = 18
    for row_number, row in enumerate(rows, start=2):
        for col, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=col)
            if isinstance(value, str):
                cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
                cell.data_type = "s"
            else:
                cell.value = value
                if isinstance(value, dt.date):
                    cell.number_format = "DD.MM.YYYY"
                elif isinstance(value, Decimal):
                    cell.number_format = "#,##0.00"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX_CONTENT_TYPE)
    return _attachment(response, _export_name(request, avtale, "xlsx"))
