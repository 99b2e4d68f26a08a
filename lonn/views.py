"""The kommune's payroll pages: the integration page (kommuneoverlege), and the pay periods with the monthly
payroll file (saksbehandler reads and downloads; the kommuneoverlege closes and re-opens). Thin views over
lonn.selectors and lonn.perioder."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from kommune.decorators import kommune_page
from kommune.permissions import Handling, tillater
from lonn import feed, perioder, selectors, webhooks
from lonn.models import Lonnsperiode, Periodebeslutning


@never_cache
@require_safe
@kommune_page(Handling.ADMINISTRER)
def integrasjon(request):
    t = feed.tilstand()
    kommune = request.tilgang.kommune
    return render(request, "lonn/integrasjon.html", {
        "kommune": kommune,
        "strom": selectors.strom(t),
        "integrasjoner": selectors.integrasjoner(t),
        "tellegrense": feed.TELLEGRENSE,
        "perioder": Lonnsperiode.objects.filter(status="lukket").select_related("lukket_av").order_by("-maned")[:12],
        "webhooks": webhooks.oversikt(),
    })


def _maned(tekst: str):
    try:
        return perioder.les_maned(tekst)
    except ValidationError as exc:
        raise Http404(exc.messages[0]) from exc


@never_cache
@require_safe
@kommune_page(Handling.SKRIV)
def periode_liste(request):
    kommune = request.tilgang.kommune
    return render(request, "lonn/perioder.html", {
        "kommune": kommune,
        "maneder": perioder.oversikt(kommune=kommune),
        "kan_attestere": tillater(request.tilgang, Handling.ADMINISTRER),
    })


def _periode_side(request, maned, *, feil=None, arsak="", status=200):
    kommune = request.tilgang.kommune
    fil = perioder.lonnsfil(kommune=kommune, maned=maned)
    periode = Lonnsperiode.objects.filter(maned=maned).first()
    siste = perioder.siste_lukkede(kommune=kommune)
    return render(request, "lonn/periode.html", {
        "kommune": kommune,
        "maned": maned,
        "maned_navn": perioder.maned_navn(maned, stor=True),
        "maned_liten": perioder.maned_navn(maned),
        "fil": fil,
        "periode": periode,
        "beslutninger": Periodebeslutning.objects.filter(periode=periode).select_related("av") if periode else [],
        "kan_attestere": tillater(request.tilgang, Handling.ADMINISTRER),
        "kan_gjenapnes": fil.lukket and siste == maned,
        "feil": feil,
        "arsak": arsak,
        "forrige": perioder.forrige_maned(maned),
        "neste": perioder.neste_maned(maned),
    }, status=status)


@never_cache
@require_safe
@kommune_page(Handling.SKRIV)
def periode(request, periode: str):
    return _periode_side(request, _maned(periode))


@never_cache
@require_safe
@kommune_page(Handling.SKRIV)
def lonnsfil(request, periode: str):
    fil = perioder.lonnsfil(kommune=request.tilgang.kommune, maned=_maned(periode))
    return lonnsfil_response(fil)


def lonnsfil_response(fil: perioder.Lonnsfil) -> HttpResponse:
    response = HttpResponse(perioder.lonnsfil_csv(fil), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{fil.filnavn}"'
    response["Cache-Control"] = "no-store"
    return response


def _maned_fra_skjema(request):
    try:
        return perioder.les_maned(request.POST.get("periode", "")), None
    except ValidationError as exc:
        return None, render(request, "lonn/periode_feil.html", {"feil": exc}, status=400)


@require_POST
@kommune_page(Handling.ADMINISTRER)
def periode_lukk(request):
    maned, feil = _maned_fra_skjema(request)
    if feil:
        return feil
    periode = f"{maned:%Y-%m}"
    try:
        perioder.lukk_periode(kommune=request.tilgang.kommune, maned=maned, av=request.user)
    except ValidationError as exc:
        return _periode_side(request, maned, feil=exc, status=400)
    messages.success(request, _("%(maned)s er lukket (attestert). Senere endringer blir korreksjoner i neste åpne måned.")
                     % {"maned": perioder.maned_navn(maned, stor=True)})
    return redirect("lonn:periode", periode=periode)


@require_POST
@kommune_page(Handling.ADMINISTRER)
def periode_gjenapne(request):
    maned, feil = _maned_fra_skjema(request)
    if feil:
        return feil
    periode = f"{maned:%Y-%m}"
    arsak = request.POST.get("arsak", "")
    try:
        perioder.gjenapne_periode(kommune=request.tilgang.kommune, maned=maned, av=request.user, arsak=arsak)
    except ValidationError as exc:
        return _periode_side(request, maned, feil=exc, arsak=arsak, status=400)
    messages.success(request, _("%(maned)s er gjenåpnet.") % {"maned": perioder.maned_navn(maned, stor=True)})
    return redirect("lonn:periode", periode=periode)
