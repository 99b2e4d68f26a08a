"""Pages for legevakt districts: the list (members with time bands, population, SFS 2305 band,
link to the roster), a district (members with periods, stations, who takes part, the normtall),
forms for the district, memberships, stations and agreements, and the district's history.

Thin views: reads through legevakt.distrikt_selectors, writes through legevakt.distrikt_services
(whose refusals go on the field they name). Reading needs Handling.LES; writing Handling.SKRIV and
being the district's vertskommune — a deltakerkommune sees the pages without edit links, and a
POST (or the edit form) answers 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from core.exceptions import StaleVersion
from core.history import history_for
from kommune import selectors as kommune_selectors
from kommune.decorators import kommune_page
from kommune.lege_forms import add_service_error
from kommune.permissions import Handling, tillater
from legevakt import distrikt_selectors as selectors
from legevakt import distrikt_services as services
from legevakt.distrikt_forms import (
    DatoForm,
    DistriktForm,
    EndreDistriktForm,
    EndreMedlemskapForm,
    EndreStasjonForm,
    EndreVaktavtaleForm,
    MedlemskapForm,
    StasjonForm,
    VaktavtaleForm,
)
from legevakt.models import Tidsbolk
from legevakt.tilgang import er_vertskommune, krev_vertskommune

NORMTALL_MANGLER = gettext_lazy("Normtall for minste antall leger (SFS 2305, 2024) er ikke lagt inn: tallene fantes ikke i kildene "
                     "våre. Driftsansvarlig kan legge dem inn.")


def _can_write(request, distrikt=None) -> bool:
    return tillater(request.tilgang, Handling.SKRIV) and (distrikt is None or er_vertskommune(distrikt))


def _distrikt_url(distrikt_id: int) -> str:
    return reverse("legevakt:distrikt", args=[distrikt_id])


def vaktplan_url(distrikt_id: int) -> str:
    try:
        return reverse("legevakt:vaktplan", args=[distrikt_id])
    except NoReverseMatch:  # the roster pages are another area's
        return ""


def _form_page(request, *, form, title, submit, cancel_url, intro="", status=200):
    return render(request, "legevakt/distrikt/skjema.html", {
        "form": form, "title": title, "submit": submit, "cancel_url": cancel_url, "intro": intro,
    }, status=status)


def _day(request):
    form = DatoForm(request.GET or None)
    day = form.cleaned_data.get("dato") if form.is_valid() else None
    return form, day or timezone.localdate()


# --- the list and one district ---------------------------------------------------------------------

@require_GET
@kommune_page(Handling.LES)
def distrikter(request):
    """The districts the kommune hosts or is a member of, on a day (?dato=). Constant queries."""
    form, day = _day(request)
    rows = list(selectors.distrikt_list(on=day))
    for d in rows:
        d.gruppe = selectors.gruppe_for(d.befolkning, day)
        d.vaktplan_url = vaktplan_url(d.pk)
        d.er_vert = er_vertskommune(d)
    return render(request, "legevakt/distrikt/liste.html", {
        "distrikter": rows, "dato": day, "dato_form": form, "can_write": _can_write(request),
        "grenser": selectors.GRUPPEGRENSER_TEKST, "kilde": _sfs_kilde(day),
    })


def _sfs_kilde(day) -> str:
    from kommune import regler

    return regler.kilde(selectors.SFS2305_KODE, on=day)


def _deltakere(distrikt, day, medlemmer):
    """Who takes part on the day (legevakt.vakt_regler.deltakere), or None when that area is not installed."""
    try:
        from legevakt.vakt_regler import deltakere
    except ImportError:  # pragma: no cover - the roster area ships with the app
        return None
    navn = {m.medlem_id: m.medlem.navn for m in medlemmer}
    return [{"lege": d.lege, "grunnlag": d.grunnlag, "kommune": navn.get(d.kommune_id, "")} for d in deltakere(distrikt, day)]


@require_GET
@kommune_page(Handling.LES)
def distrikt(request, distrikt_id: int):
    form, day = _day(request)
    d = selectors.get_distrikt(distrikt_id, on=day)
    gruppe = selectors.gruppe_for(d.befolkning, day)
    normtall = selectors.normtall_for(gruppe, day)
    medlemskap = list(selectors.medlemskap_for(d))
    for m in medlemskap:
        m.aktiv_pa_dagen = m.fra <= day and (m.til is None or m.til > day)
    return render(request, "legevakt/distrikt/distrikt.html", {
        "d": d, "dato": day, "dato_form": form, "gruppe": gruppe, "grenser": selectors.GRUPPEGRENSER_TEKST,
        "kilde": _sfs_kilde(day), "normtall": normtall, "normtall_mangler": NORMTALL_MANGLER,
        "medlemskap": medlemskap, "stasjoner": list(selectors.stasjoner_for(d)),
        "vaktavtaler": list(selectors.vaktavtaler_for(d)),
        "deltakere": _deltakere(d, day, d.medlemmer_pa_dagen), "vaktplan_url": vaktplan_url(d.pk),
        "can_write": _can_write(request, d), "er_vert": er_vertskommune(d),
    })


@require_GET
@kommune_page(Handling.LES)
def distrikt_historikk(request, distrikt_id: int):
    """The district's changes and those of its memberships, stations and agreements, newest first."""
    d = selectors.get_distrikt(distrikt_id)
    rows = [(_("Distriktet"), e) for e in history_for(d)]
    for m in selectors.medlemskap_for(d):
        rows += [(_("Medlemskap: %(kommune)s") % {"kommune": m.medlem.navn}, e) for e in history_for(m)]
    for s in selectors.stasjoner_for(d):
        rows += [(_("Stasjon: %(navn)s") % {"navn": s.navn}, e) for e in history_for(s)]
    for a in selectors.vaktavtaler_for(d):
        rows += [(_("Vaktavtale: %(navn)s") % {"navn": a.lege.navn}, e) for e in history_for(a)]
    rows.sort(key=lambda row: row[1].tidspunkt, reverse=True)
    return render(request, "legevakt/distrikt/historikk.html", {"d": d, "rows": rows})


# --- the district ---------------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def distrikt_ny(request):
    form = DistriktForm(request.POST or None, initial={"fra": timezone.localdate(), "tidsbolk": Tidsbolk.DOGN})
    if request.method == "POST" and form.is_valid():
        try:
            d = services.create_distrikt(kommune=kommune_selectors.get_kommune_by_id(request.tilgang.kommune_id),
                                         **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Legevaktdistriktet «%(navn)s» er opprettet.") % {"navn": d.navn})
            return redirect(_distrikt_url(d.pk))
    return _form_page(request, form=form, title=_("Nytt legevaktdistrikt"), submit=_("Opprett distriktet"),
                      cancel_url=reverse("legevakt:distrikter"),
                      intro=_("Kommunen din blir vertskommune og forvalter distriktet og vaktplanene; deltakerkommunene "
                              "kan lese dem."))


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def distrikt_endre(request, distrikt_id: int):
    d = selectors.get_distrikt(distrikt_id)
    krev_vertskommune(d)
    form = EndreDistriktForm(request.POST or None, initial={
        "navn": d.navn, "type": d.type, "merknad": d.merknad, "aktiv": d.aktiv, "versjon": d.versjon})
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if k != "versjon"}
        try:
            services.update_distrikt(distrikt=d, expected_version=form.cleaned_data["versjon"], **changes)
        except StaleVersion as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Endringene er lagret."))
            return redirect(_distrikt_url(d.pk))
    return _form_page(request, form=form, title=_("Endre %(navn)s") % {"navn": d.navn}, submit=_("Lagre"),
                      cancel_url=_distrikt_url(d.pk))


# --- memberships, stations, agreements -------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def medlemskap_ny(request, distrikt_id: int):
    d = selectors.get_distrikt(distrikt_id)
    krev_vertskommune(d)
    form = MedlemskapForm(request.POST or None, initial={"fra": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            m = services.add_medlemskap(distrikt=d, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("%(kommune)s er lagt til i distriktet.") % {"kommune": m.medlem.navn})
            return redirect(_distrikt_url(d.pk))
    return _form_page(request, form=form, title=_("Legg til kommune i %(navn)s") % {"navn": d.navn},
                      submit=_("Legg til"), cancel_url=_distrikt_url(d.pk),
                      intro=_("En kommune kan høre til ett legevaktdistrikt per tidsbånd om gangen."))


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def medlemskap_endre(request, medlemskap_id: int):
    m = selectors.get_medlemskap(medlemskap_id)
    krev_vertskommune(m.distrikt)
    form = EndreMedlemskapForm(request.POST or None, initial={
        "tidsbolk": m.tidsbolk, "fra": m.fra, "til": m.til, "versjon": m.versjon})
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if k != "versjon"}
        try:
            services.update_medlemskap(medlemskap=m, expected_version=form.cleaned_data["versjon"], **changes)
        except StaleVersion as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Medlemskapet er endret."))
            return redirect(_distrikt_url(m.distrikt_id))
    return _form_page(request, form=form, title=_("Medlemskap for %(kommune)s i %(navn)s") % {
        "kommune": m.medlem.navn, "navn": m.distrikt.navn}, submit=_("Lagre"), cancel_url=_distrikt_url(m.distrikt_id),
        intro=_("Avslutt medlemskapet ved å sette «opphører»."))


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def stasjon_ny(request, distrikt_id: int):
    d = selectors.get_distrikt(distrikt_id)
    krev_vertskommune(d)
    form = StasjonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            s = services.create_stasjon(distrikt=d, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Stasjonen «%(navn)s» er registrert.") % {"navn": s.navn})
            return redirect(_distrikt_url(d.pk))
    return _form_page(request, form=form, title=_("Ny legevaktstasjon i %(navn)s") % {"navn": d.navn},
                      submit=_("Registrer"), cancel_url=_distrikt_url(d.pk))


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def stasjon_endre(request, stasjon_id: int):
    s = selectors.get_stasjon(stasjon_id)
    krev_vertskommune(s.distrikt)
    form = EndreStasjonForm(request.POST or None, initial={
        "navn": s.navn, "adresse": s.adresse, "postnummer": s.postnummer, "poststed": s.poststed, "telefon": s.telefon,
        "aktiv": s.aktiv, "versjon": s.versjon})
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if k != "versjon"}
        try:
            services.update_stasjon(stasjon=s, expected_version=form.cleaned_data["versjon"], **changes)
        except StaleVersion as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Stasjonen er lagret."))
            return redirect(_distrikt_url(s.distrikt_id))
    return _form_page(request, form=form, title=_("Endre stasjonen %(navn)s") % {"navn": s.navn}, submit=_("Lagre"),
                      cancel_url=_distrikt_url(s.distrikt_id))


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def vaktavtale_ny(request, distrikt_id: int):
    d = selectors.get_distrikt(distrikt_id)
    krev_vertskommune(d)
    form = VaktavtaleForm(request.POST or None, initial={"fra": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            a = services.create_vaktavtale(distrikt=d, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Vaktavtalen med %(navn)s er registrert.") % {"navn": a.lege.navn})
            return redirect(_distrikt_url(d.pk))
    return _form_page(request, form=form, title=_("Ny vaktavtale i %(navn)s") % {"navn": d.navn}, submit=_("Registrer"),
                      cancel_url=_distrikt_url(d.pk),
                      intro=_("For leger som deltar i legevakten etter avtale: vikarer, kommuneleger, LIS1. Fastlegene i "
                              "distriktets kommuner deltar etter plikten og trenger ingen avtale."))


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def vaktavtale_endre(request, vaktavtale_id: int):
    a = selectors.get_vaktavtale(vaktavtale_id)
    krev_vertskommune(a.distrikt)
    form = EndreVaktavtaleForm(request.POST or None, initial={
        "fra": a.fra, "til": a.til, "merknad": a.merknad, "versjon": a.versjon})
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if k != "versjon"}
        try:
            services.update_vaktavtale(vaktavtale=a, expected_version=form.cleaned_data["versjon"], **changes)
        except StaleVersion as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Vaktavtalen er lagret."))
            return redirect(_distrikt_url(a.distrikt_id))
    return _form_page(request, form=form, title=_("Vaktavtale med %(navn)s") % {"navn": a.lege.navn}, submit=_("Lagre"),
                      cancel_url=_distrikt_url(a.distrikt_id))
