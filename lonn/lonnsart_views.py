"""The kommune's wage-type mapping page (kommuneoverlege): the rows in force on a date grouped by
category, future and past rows, the coverage warning, adding a row, changing a rate from a date,
ending and deleting a row, loading the SFS 2305 example table, and the CSV export.

Thin views over lonn.lonnsarter; a refusal re-renders the form with the service's message on the
field it names (status 400). Another kommune's row answers 404 (the tenant scope does not find it)."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from core.exceptions import StaleVersion
from kommune.decorators import kommune_page
from kommune.lege_forms import add_service_error
from kommune.models import Kommune
from kommune.permissions import Handling
from lonn import lonnsarter
from lonn.forms import AvsluttForm, DatoForm, EksempelForm, EndreSatsForm, RegelForm, SlettForm
from lonn.models import Lonnsartregel

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _kommune(request) -> Kommune:
    return Kommune.objects.get(pk=request.tilgang.kommune_id)


def _regel(regel_id: int) -> Lonnsartregel:
    return get_object_or_404(Lonnsartregel, pk=regel_id)


def _feilliste(*forms) -> list[dict]:
    """Every error with the field's label and the id to jump to, for the summary at the top of the page."""
    rows = []
    for form in forms:
        if form is None or not form.is_bound:
            continue
        for name, errors in form.errors.items():
            if name == "__all__" or name not in form.fields or form.fields[name].widget.is_hidden:
                rows += [{"label": "", "id": "", "melding": e} for e in errors]
                continue
            bound = form[name]
            rows += [{"label": bound.label, "id": bound.id_for_label, "melding": e} for e in errors]
    return rows


def _side(request, *, dato: dt.date | None = None, ny_form: RegelForm | None = None,
          eksempel_form: EksempelForm | None = None, dato_form: DatoForm | None = None, status: int = 200):
    kommune = _kommune(request)
    idag = timezone.localdate()
    dato = dato or idag
    oversikt = lonnsarter.oversikt(kommune=kommune, dato=dato)
    ny_form = ny_form or RegelForm(prefix="ny", initial={"gyldig_fra": idag})
    eksempel_form = eksempel_form or EksempelForm(prefix="eksempel", initial={"fra": idag})
    response = render(request, "lonn/lonnsarter.html", {
        "kommune": kommune, "oversikt": oversikt, "dato": dato, "er_idag": dato == idag,
        "dato_form": dato_form or DatoForm(initial={"dato": dato}),
        "ny_form": ny_form, "eksempel_form": eksempel_form,
        "feil": _feilliste(ny_form, eksempel_form, dato_form),
        "eksempel_merknad": lonnsarter.EKSEMPEL_MERKNAD, "eksempel_kilde_url": lonnsarter.EKSEMPEL_KILDE_URL,
        "eksempeltabell": [{"tekst": lonnsarter.beskriv(r.kategori, r.vakttype, r.vaktklasse, r.dagkategori, r.tid),
                            "sats": lonnsarter.sats_tekst(r.sats), "kilde": r.kilde, "lonnsart": r.lonnsart}
                           for r in lonnsarter.EKSEMPELTABELL],
    }, status=status)
    return response


@never_cache
@require_safe
@kommune_page(Handling.ADMINISTRER)
def lonnsarter_side(request):
    dato_form = DatoForm(request.GET or None)
    dato = None
    if dato_form.is_bound:
        if dato_form.is_valid():
            dato = dato_form.cleaned_data["dato"]
        else:
            return _side(request, dato_form=dato_form, status=400)
    return _side(request, dato=dato, dato_form=dato_form if dato_form.is_bound else None)


@never_cache
@require_POST
@kommune_page(Handling.ADMINISTRER)
def lonnsart_ny(request):
    form = RegelForm(request.POST, prefix="ny")
    if form.is_valid():
        try:
            regel = lonnsarter.opprett_regel(kommune=_kommune(request), **form.service_arguments())
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Regelen er lagt til: %(slag)s, lønnsart %(lonnsart)s fra %(fra)s.") % {
                "slag": lonnsarter.beskriv(regel.kategori, regel.vakttype, regel.vaktklasse, regel.dagkategori, regel.tid),
                "lonnsart": regel.lonnsart, "fra": regel.gyldig_fra.strftime("%d.%m.%Y")})
            return redirect(f"{reverse('lonn:lonnsarter')}?dato={regel.gyldig_fra.isoformat()}")
    return _side(request, ny_form=form, status=400)


@never_cache
@require_http_methods(["GET", "POST"])
@kommune_page(Handling.ADMINISTRER)
def lonnsart_endre_sats(request, regel_id: int):
    """Change the rate from a date (handling «endre»), or set the row's last day (handling «avslutt»)."""
    regel = _regel(regel_id)
    initial = {"versjon": regel.versjon}
    endre_form = EndreSatsForm(prefix="endre", initial={
        **initial, "lonnsart": "" if regel.eksempel else regel.lonnsart, "kostnadssted": regel.kostnadssted})
    avslutt_form = AvsluttForm(prefix="avslutt", initial={**initial, "gyldig_til": regel.gyldig_til})
    status = 200
    if request.method == "POST":
        handling = request.POST.get("avslutt-handling") or request.POST.get("endre-handling")
        if handling == "avslutt":
            avslutt_form = AvsluttForm(request.POST, prefix="avslutt")
            if avslutt_form.is_valid():
                try:
                    lonnsarter.avslutt_regel(regel=regel, til=avslutt_form.cleaned_data["gyldig_til"],
                                             expected_version=avslutt_form.cleaned_data["versjon"])
                except StaleVersion as exc:
                    avslutt_form.add_error(None, str(exc.message))
                except ValidationError as exc:
                    add_service_error(avslutt_form, exc)
                else:
                    messages.success(request, _("Regelens sluttdato er endret."))
                    return redirect("lonn:lonnsarter")
        else:
            endre_form = EndreSatsForm(request.POST, prefix="endre")
            if endre_form.is_valid():
                try:
                    ny = lonnsarter.endre_sats(regel=regel, **endre_form.service_arguments())
                except StaleVersion as exc:
                    endre_form.add_error(None, str(exc.message))
                except ValidationError as exc:
                    add_service_error(endre_form, exc, fields={"gyldig_fra": "fra"})
                else:
                    messages.success(request, _("Ny sats %(sats)s gjelder fra %(fra)s; den forrige regelen gjelder til "
                                                "og med dagen før.") % {
                        "sats": lonnsarter.sats_tekst(ny.sats), "fra": ny.gyldig_fra.strftime("%d.%m.%Y")})
                    return redirect(f"{reverse('lonn:lonnsarter')}?dato={ny.gyldig_fra.isoformat()}")
        status = 400
    return render(request, "lonn/lonnsarter_endre_sats.html", {
        "regel": regel, "slag": lonnsarter.beskriv(regel.kategori, regel.vakttype, regel.vaktklasse, regel.dagkategori,
                                                   regel.tid),
        "sats": lonnsarter.sats_tekst(regel.sats), "enhet": lonnsarter.ENHET.get(regel.kategori, ""),
        "endre_form": endre_form, "avslutt_form": avslutt_form, "feil": _feilliste(endre_form, avslutt_form),
    }, status=status)


@require_POST
@kommune_page(Handling.ADMINISTRER)
def lonnsart_slett(request, regel_id: int):
    regel = _regel(regel_id)
    form = SlettForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Siden var utdatert. Prøv igjen."))
        status = 400
    else:
        try:
            lonnsarter.slett_regel(regel=regel, expected_version=form.cleaned_data["versjon"],
                                   forleng_forrige=form.cleaned_data["forleng_forrige"])
        except StaleVersion as exc:
            messages.error(request, str(exc.message))
            status = 409
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            status = 400
        else:
            messages.success(request, _("Regelen er slettet."))
            return redirect("lonn:lonnsarter")
    # A refusal: the page again, with the reason at the top (the messages) and a 4xx status.
    return _side(request, status=status)


@never_cache
@require_POST
@kommune_page(Handling.ADMINISTRER)
def lonnsarter_eksempel(request):
    form = EksempelForm(request.POST, prefix="eksempel")
    if form.is_valid():
        try:
            nye = lonnsarter.last_eksempeltabell(kommune=_kommune(request), fra=form.cleaned_data["fra"], av=request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.warning(request, _(
                "%(antall)s eksempelregler er lagt inn fra %(fra)s med satsene i SFS 2305 per 1.1.2021. De er ikke "
                "gjeldende satser: legg inn kommunens egne lønnsarter og satser, og legg til vikardager og "
                "ALIS-veiledning.") % {"antall": len(nye), "fra": form.cleaned_data["fra"].strftime("%d.%m.%Y")})
            return redirect(f"{reverse('lonn:lonnsarter')}?dato={form.cleaned_data['fra'].isoformat()}")
    return _side(request, eksempel_form=form, status=400)


def _celle(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


KOLONNER = (
    ("kategori", lambda r: r.kategori),
    ("vakttype", lambda r: r.vakttype),
    ("vaktklasse", lambda r: r.vaktklasse),
    ("dagkategori", lambda r: r.dagkategori),
    ("tid", lambda r: r.tid),
    ("gyldig_fra", lambda r: r.gyldig_fra),
    ("gyldig_til", lambda r: r.gyldig_til),
    ("lonnsart", lambda r: r.lonnsart),
    ("sats", lambda r: lonnsarter.sats_tekst(r.sats)),
    ("kostnadssted", lambda r: r.kostnadssted),
    ("eksempel", lambda r: "ja" if r.eksempel else "nei"),
    ("kilde", lambda r: r.kilde),
)


@never_cache
@require_GET
@kommune_page(Handling.ADMINISTRER)
def lonnsarter_csv(request):
    """The whole mapping (every date) for Norwegian Excel: UTF-8 with BOM, semicolons, decimal comma,
    codes as the payroll lines carry them; text a spreadsheet would run as a formula written as text."""
    kommune = _kommune(request)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([name for name, _value in KOLONNER])
    for regel in lonnsarter.regler(kommune=kommune):
        writer.writerow([_celle(value(regel)) for _name, value in KOLONNER])
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    filename = f"lonnsarter-{kommune.kommunenummer}-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
