"""Pages for introduksjonsavtaler: the list, a new avtale, one avtale (participants with their
lists, the linked ALIS-avtale), changing and ending it, and its history.

Thin views: reads through avtaler.introduksjon_selectors, writes through
avtaler.introduksjon_services (the same functions as the API), whose refusals name the rule and
are shown on the field they concern. Reads need Handling.LES, writes Handling.SKRIV; another
kommune's avtale is not in the scoped selectors, so it answers 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from avtaler import introduksjon_forms as forms
from avtaler import introduksjon_selectors as selectors
from avtaler import introduksjon_services as services
from avtaler.forms import apply_service_error
from avtaler.services import effective_end
from core.exceptions import StaleVersion
from core.history import history_for
from kommune import regler
from kommune import selectors as kommune_selectors
from kommune.decorators import kommune_page
from kommune.permissions import Handling, tillater


def _kommune(request):
    return kommune_selectors.get_kommune_by_id(request.tilgang.kommune_id)


def _can_write(request) -> bool:
    return tillater(request.tilgang, Handling.SKRIV)


def _detail_url(avtale) -> str:
    return reverse("avtaler:introduksjon_detalj", args=[avtale.pk])


def _alis_url(pk: int) -> str:
    """The ALIS-avtale's page (its URLs are another module's; none when they are not installed)."""
    try:
        return reverse("avtaler:alis_detalj", args=[pk])
    except NoReverseMatch:
        return ""


def _form_page(request, *, form, title, submit, cancel_url, avtale=None, intro=""):
    return render(request, "avtaler/introduksjon/skjema.html", {
        "form": form, "title": title, "submit": submit, "cancel_url": cancel_url, "avtale": avtale, "intro": intro,
    })


def _varighet_tekst() -> str:
    return _("Uten sluttdato varer avtalen %(maneder)d måneder fra startdatoen (%(kilde)s).") % {
        "maneder": regler.verdi("introduksjonsavtale_varighet_maneder"), "kilde": regler.kilde("introduksjonsavtale_varighet_maneder")}


@require_GET
@kommune_page(Handling.LES)
def introduksjon_liste(request):
    """The kommune's introduksjonsavtaler. Constant queries whatever the number of rows."""
    avtaler = list(selectors.introduksjonsavtale_list())
    for avtale in avtaler:
        avtale.status_tekst = selectors.STATUS_LABELS.get(avtale.status, avtale.status)
        avtale.alis_url = _alis_url(avtale.alisavtale_id) if avtale.alisavtale_id else ""
    return render(request, "avtaler/introduksjon/liste.html", {"avtaler": avtaler, "can_write": _can_write(request)})


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def introduksjon_ny(request):
    form = forms.IntroduksjonsavtaleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            avtale = services.create_introduksjonsavtale(
                kommune=_kommune(request), lege=data["lege"], legekontor=data["legekontor"],
                godkjenning_referanse=data["godkjenning_referanse"], tilknytning=data["tilknytning"],
                kostnadsfordeling=data["kostnadsfordeling"], startdato=data["startdato"], sluttdato=data["sluttdato"],
                godkjent_dato=data["godkjent_dato"], signert=data["signert"], fastlegeavtaler=list(data["fastlegeavtaler"]),
            )
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Introduksjonsavtalen er registrert."))
            return redirect(_detail_url(avtale))
    return _form_page(
        request, form=form, title=_("Ny introduksjonsavtale"), submit=_("Registrer avtalen"),
        cancel_url=reverse("avtaler:introduksjon_liste"),
        intro=_("En lege under spesialisering i allmennmedisin arbeider parallelt med fastleger med listeansvar ved ett "
                "legekontor, og begge får trygderefusjon. Kommunen må ha Helsedirektoratets godkjenning først.") + " "
        + _varighet_tekst(),
    )


@require_GET
@kommune_page(Handling.LES)
def introduksjon_detalj(request, pk: int):
    avtale = selectors.get_introduksjonsavtale(pk=pk)
    deltakere = []
    for deltaker in avtale.deltakere.all():
        fastlege = deltaker.fastlegeavtale
        deltakere.append({"avtale": fastlege, "opphorer": effective_end(fastlege), "liste": fastlege.pasientliste})
    alis = []
    for row in selectors.alisavtaler_for(avtale=avtale):
        row.url = _alis_url(row.pk)
        alis.append(row)
    return render(request, "avtaler/introduksjon/detalj.html", {
        "avtale": avtale, "status_tekst": selectors.STATUS_LABELS.get(avtale.status, avtale.status),
        "deltakere": deltakere, "alisavtaler": alis, "can_write": _can_write(request), "kilde": services.INTRODUKSJON_KILDE,
    })


def _initial(avtale) -> dict:
    return {
        "versjon": avtale.versjon, "legekontor": avtale.legekontor_id, "godkjenning_referanse": avtale.godkjenning_referanse,
        "godkjent_dato": avtale.godkjent_dato, "tilknytning": avtale.tilknytning, "kostnadsfordeling": avtale.kostnadsfordeling,
        "startdato": avtale.startdato, "sluttdato": avtale.sluttdato, "signert": avtale.signert,
        "fastlegeavtaler": [d.fastlegeavtale_id for d in avtale.deltakere.all()],
    }


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def introduksjon_endre(request, pk: int):
    avtale = selectors.get_introduksjonsavtale(pk=pk)
    form = forms.IntroduksjonsavtaleEndreForm(request.POST or None, initial=_initial(avtale))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("versjon")
        data["fastlegeavtaler"] = list(data["fastlegeavtaler"])
        try:
            services.update_introduksjonsavtale(avtale=avtale, expected_version=version, **data)
        except StaleVersion as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Introduksjonsavtalen er endret."))
            return redirect(_detail_url(avtale))
    return _form_page(request, form=form, avtale=avtale, title=_("Endre introduksjonsavtalen"), submit=_("Lagre endringene"),
                      cancel_url=_detail_url(avtale))


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def introduksjon_avslutt(request, pk: int):
    avtale = selectors.get_introduksjonsavtale(pk=pk)
    form = forms.AvsluttForm(request.POST or None, initial={"versjon": avtale.versjon})
    if request.method == "POST" and form.is_valid():
        try:
            services.end_introduksjonsavtale(avtale=avtale, expected_version=form.cleaned_data["versjon"],
                                             sluttdato=form.cleaned_data["sluttdato"])
        except StaleVersion as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Introduksjonsavtalen er avsluttet."))
            return redirect(_detail_url(avtale))
    return _form_page(request, form=form, avtale=avtale, title=_("Avslutt introduksjonsavtalen"), submit=_("Avslutt avtalen"),
                      cancel_url=_detail_url(avtale),
                      intro=_("En ALIS-avtale som bygger på introduksjonsavtalen, opphører når introduksjonsavtalen opphører."))


@require_GET
@kommune_page(Handling.LES)
def introduksjon_historikk(request, pk: int):
    avtale = selectors.get_introduksjonsavtale(pk=pk)
    return render(request, "avtaler/introduksjon/historikk.html", {
        "avtale": avtale, "events": history_for(avtale), "deltakere": selectors.deltaker_historikk(avtale=avtale),
    })
