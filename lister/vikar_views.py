"""Pages for vikarer: the kommune's vikar pool (add, change, deactivate, availability windows,
history), assigning a vikar to a list with the ranked candidates next to the form (refreshed with
htmx when the period changes; "Vis forslag" does the same without JavaScript), and the printable
confirmation of the vikaravtale the vikar attaches to the Helfo agreement on direct settlement.

Thin views: reads through lister.vikar_selectors, writes through lister.vikar_services, whose
refusals go onto the field they name. Reads need Handling.LES, writes Handling.SKRIV; only the
kommuneoverlege (Handling.ADMINISTRER) may record a justification beyond the § 4 exceptions.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.dates import add_months
from core.exceptions import StaleVersion
from core.history import history_for
from kommune import selectors as kommune_selectors
from kommune.decorators import kommune_page
from kommune.models import Rolle as Brukerrolle
from kommune.permissions import Handling, tillater
from lister import selectors, vikar_selectors, vikar_services
from lister.forms import add_service_error
from lister.models import Oppdragsgiver
from lister.vikar_forms import (
    HVERDAGER,
    EndreTilgjengelighetForm,
    EndreVikarForm,
    SlettForm,
    TildelingForm,
    TilgjengelighetForm,
    VikarForm,
)


def _can_write(request) -> bool:
    return tillater(request.tilgang, Handling.SKRIV)


def _vikar_url(vikar) -> str:
    return reverse("lister:vikar_detalj", args=[vikar.pk])


def _form_page(request, *, form, title, submit, cancel_url, intro="", status=200):
    return render(request, "lister/vikar/skjema.html", {
        "form": form, "title": title, "submit": submit, "cancel_url": cancel_url, "intro": intro,
    }, status=status)


# --- the pool -------------------------------------------------------------------------------------

@require_GET
@kommune_page(Handling.LES)
def vikarer(request):
    """The pool: each doctor's competence from the register, tilknytning, availability windows
    that have not ended and current engagements on this kommune's lists. Constant queries."""
    alle = request.GET.get("alle") == "1"
    today = timezone.localdate()
    rows = list(vikar_selectors.vikar_list(bare_aktive=not alle, on=today))
    for vikar in rows:
        vikar.kompetanse_tekst = vikar_selectors.kompetanse_tekst(vikar.lege, today)
        for periode in vikar.lege.engasjementer:
            periode.dager_tekst = vikar_selectors.ukedager_tekst(periode.arbeidsdager)
    return render(request, "lister/vikar/vikarer.html", {
        "vikarer": rows, "alle": alle, "today": today, "can_write": _can_write(request),
    })


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def vikar_ny(request):
    form = VikarForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            vikar = vikar_services.add_vikar(kommune=kommune_selectors.get_kommune_by_id(request.tilgang.kommune_id),
                                             **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("%(navn)s er lagt til i vikarpoolen.") % {"navn": vikar.lege.navn})
            return redirect(_vikar_url(vikar))
    return _form_page(
        request, form=form, title=_("Legg til vikar i vikarpoolen"), submit=_("Legg til"), cancel_url=reverse("lister:vikarer"),
        intro=_("Legen må være registrert i kommunen. Kompetansen (kompetanseforskriften §§ 3–5) hentes fra legens "
                "opplysninger i registeret."),
    )


@require_GET
@kommune_page(Handling.LES)
def vikar_detalj(request, vikar_id: int):
    vikar = vikar_selectors.get_vikar(pk=vikar_id)
    today = timezone.localdate()
    for periode in vikar.lege.engasjementer:
        periode.dager_tekst = vikar_selectors.ukedager_tekst(periode.arbeidsdager)
    return render(request, "lister/vikar/vikar.html", {
        "vikar": vikar, "kompetanse_tekst": vikar_selectors.kompetanse_tekst(vikar.lege, today),
        "vinduer": vikar_selectors.tilgjengelighet_for(vikar=vikar), "today": today, "can_write": _can_write(request),
    })


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def vikar_endre(request, vikar_id: int):
    vikar = vikar_selectors.get_vikar(pk=vikar_id)
    form = EndreVikarForm(request.POST or None, initial={
        "tilknytning": vikar.tilknytning, "vikarbyra": vikar.vikarbyra, "merknad": vikar.merknad, "aktiv": vikar.aktiv,
        "versjon": vikar.versjon,
    })
    if request.method == "POST" and form.is_valid():
        changes = {name: value for name, value in form.cleaned_data.items() if name != "versjon"}
        try:
            vikar_services.update_vikar(vikar=vikar, expected_version=form.cleaned_data["versjon"], **changes)
        except StaleVersion as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Endringene er lagret."))
            return redirect(_vikar_url(vikar))
    return _form_page(request, form=form, title=_("Endre vikar %(navn)s") % {"navn": vikar.lege.navn}, submit=_("Lagre"),
                      cancel_url=_vikar_url(vikar))


@require_GET
@kommune_page(Handling.LES)
def vikar_historikk(request, vikar_id: int):
    vikar = vikar_selectors.get_vikar(pk=vikar_id)
    return render(request, "lister/vikar/historikk.html", {"vikar": vikar, "events": history_for(vikar)})


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def tilgjengelighet_ny(request, vikar_id: int):
    vikar = vikar_selectors.get_vikar(pk=vikar_id)
    form = TilgjengelighetForm(request.POST or None, initial={"fra": timezone.localdate(), "stillingsprosent": 100})
    if request.method == "POST" and form.is_valid():
        try:
            vikar_services.add_tilgjengelighet(vikar=vikar, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Tilgjengeligheten er registrert."))
            return redirect(_vikar_url(vikar))
    return _form_page(request, form=form, title=_("Ny tilgjengelighet for %(navn)s") % {"navn": vikar.lege.navn},
                      submit=_("Registrer"), cancel_url=_vikar_url(vikar))


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def tilgjengelighet_endre(request, vikar_id: int, tilgjengelighet_id: int):
    vikar = vikar_selectors.get_vikar(pk=vikar_id)
    vindu = vikar_selectors.get_tilgjengelighet(vikar=vikar, pk=tilgjengelighet_id)
    form = EndreTilgjengelighetForm(request.POST or None, initial={
        "fra": vindu.fra, "til": vindu.til, "stillingsprosent": vindu.stillingsprosent, "merknad": vindu.merknad,
        "versjon": vindu.versjon,
    })
    if request.method == "POST" and form.is_valid():
        changes = {name: value for name, value in form.cleaned_data.items() if name != "versjon"}
        try:
            vikar_services.update_tilgjengelighet(tilgjengelighet=vindu, expected_version=form.cleaned_data["versjon"], **changes)
        except StaleVersion as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Tilgjengeligheten er endret."))
            return redirect(_vikar_url(vikar))
    return _form_page(request, form=form, title=_("Endre tilgjengelighet for %(navn)s") % {"navn": vikar.lege.navn},
                      submit=_("Lagre"), cancel_url=_vikar_url(vikar))


@require_POST
@kommune_page(Handling.SKRIV)
def tilgjengelighet_slett(request, vikar_id: int, tilgjengelighet_id: int):
    vikar = vikar_selectors.get_vikar(pk=vikar_id)
    vindu = vikar_selectors.get_tilgjengelighet(vikar=vikar, pk=tilgjengelighet_id)
    form = SlettForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Siden var utdatert. Prøv igjen."))
    else:
        try:
            vikar_services.delete_tilgjengelighet(tilgjengelighet=vindu, expected_version=form.cleaned_data["versjon"])
        except StaleVersion as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Tilgjengeligheten er slettet."))
    return redirect(_vikar_url(vikar))


# --- assignment -----------------------------------------------------------------------------------

def _defaults(params) -> QueryDict:
    """The form's data: the request's values over sensible defaults (from today, one month, 100 %,
    Monday–Friday on a first visit). `arbeidsdager` may come as repeated values or as "1,2,3"."""
    today = timezone.localdate()
    data = QueryDict(mutable=True)
    data["fra"] = today.isoformat()
    data["til"] = add_months(today, 1).isoformat()
    data["stillingsprosent"] = "100"
    data["oppdragsgiver"] = Oppdragsgiver.KOMMUNEN
    if "fra" not in params:  # a first visit; once the form is sent, no weekday ticked means none
        data.setlist("arbeidsdager", [str(d) for d in HVERDAGER])
    for key in params:
        if key in ("csrfmiddlewaretoken", "handling", "velg"):
            continue
        values = params.getlist(key)
        if key == "arbeidsdager":
            values = [part.strip() for value in values for part in value.split(",") if part.strip()]
        data.setlist(key, values)
    return data


def _tildel_context(request, liste, form, kandidater, periode) -> dict:
    valgt = form.data.get("lege") or ""
    return {
        "liste": liste, "form": form, "kandidater": kandidater, "periode": periode, "valgt": str(valgt),
        "behov": vikar_selectors.behov(liste=liste, fra=periode["fra"], til=periode["til"]) if periode else None,
        "kan_begrunne": not form.fields["kompetanse_begrunnelse"].widget.is_hidden,
        "kandidater_url": reverse("lister:tildel", args=[liste.pk]),
    }


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def tildel(request, liste_id: int):
    """Assign a vikar to the list: the form (prefilled from ?fra=&til=&stillingsprosent=&arbeidsdager=)
    and the ranked pool candidates with their reasons; the top candidate is preselected. POST with
    `velg` picks a candidate, `handling=forslag` only refreshes the candidates, otherwise the
    assignment is made and the confirmation page follows."""
    liste = selectors.get_pasientliste(pk=liste_id)
    kan_begrunne = tillater(request.tilgang, Handling.ADMINISTRER)
    params = request.POST if request.method == "POST" else request.GET
    data = _defaults(params)
    if request.method == "POST" and params.get("velg"):
        data["lege"] = params["velg"]
    lagre = request.method == "POST" and not params.get("velg") and params.get("handling", "tildel") == "tildel"

    form = TildelingForm(data, kan_begrunne_kompetanse=kan_begrunne)
    form.is_valid()
    periode = form.periode()
    kandidater = vikar_selectors.kandidater(liste=liste, **periode) if periode else []

    if not lagre and not data.get("lege") and kandidater and kandidater[0].kan_velges:
        data["lege"] = str(kandidater[0].lege.pk)  # the system's suggestion
        form = TildelingForm(data, kan_begrunne_kompetanse=kan_begrunne)
        form.is_valid()
    valgt = next((k for k in kandidater if str(k.lege.pk) == str(data.get("lege") or "")), None)
    if valgt is not None and valgt.fullt_engasjert:
        form.show_reason()

    if request.htmx and request.method == "GET":
        return render(request, "lister/vikar/_kandidater.html", _tildel_context(request, liste, form, kandidater, periode))

    if lagre:
        if form.is_valid():
            try:
                ny = vikar_services.tildel_vikar(liste=liste, kan_begrunne_kompetanse=kan_begrunne, **form.service_arguments())
            except ValidationError as exc:
                if "begrunnelse_over_100" in getattr(exc, "error_dict", {}):
                    form.show_reason()
                add_service_error(form, exc)
            else:
                messages.success(request, _("%(navn)s er tildelt listen som vikar. Skriv ut bekreftelsen til vikarens "
                                            "avtale med Helfo.") % {"navn": ny.lege.navn})
                return redirect("lister:vikarbekreftelse", periode_id=ny.pk)
    return render(request, "lister/vikar/tildel.html", _tildel_context(request, liste, form, kandidater, periode))


# --- the confirmation ------------------------------------------------------------------------------

def bekreftet_av(request) -> tuple[str, str]:
    """Who confirms: the person's name (or e-mail) and their roles in the kommune."""
    user = request.user
    navn = getattr(user, "navn", "") or getattr(user, "email", "")
    labels = dict(Brukerrolle.Navn.choices)
    roller = ", ".join(str(labels.get(r, r)) for r in sorted(request.tilgang.roller or ()))
    return navn, roller


@require_GET
@kommune_page(Handling.LES)
def vikarbekreftelse(request, periode_id: int):
    """The printable "Bekreftelse på vikaravtale" (A4) for a vikar period; 404 for a fastlege period."""
    innhold = vikar_selectors.bekreftelse(periode_id=periode_id)
    navn, roller = bekreftet_av(request)
    return render(request, "lister/vikar/bekreftelse.html", {
        "b": innhold, "bekreftet_av": navn, "rolle": roller, "dato": timezone.localdate(),
    })
