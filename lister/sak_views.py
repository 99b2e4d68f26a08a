"""Pages for vacancy cases: one case with its dates, the kommune's vikar and cost period, the
hjemfall status with each condition, advertisements, applicants and the list's cover; opening a
case by hand; the forms that add advertisements, applicants and cover and change the case; the
history. Thin views: reads through lister.sak_selectors, writes through lister.sak_services, whose
refusals are put on the field they concern. Reads need Handling.LES, writes Handling.SKRIV;
another kommune's objects are not in the scoped selectors, so they answer 404.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.exceptions import StaleVersion
from core.history import history_for
from kommune import regler
from kommune.decorators import kommune_page
from kommune.lege_forms import add_service_error
from kommune.permissions import Handling, tillater
from lister import sak_forms, sak_selectors, sak_services, selectors
from lister.models import Dekning, Dekningstype, Ledighetsarsak


def _can_write(request) -> bool:
    return tillater(request.tilgang, Handling.SKRIV)


def _fmt(day: dt.date | None) -> str:
    return day.strftime("%d.%m.%Y") if day else ""


def _sak(sak_id: int):
    return sak_selectors.get_sak(pk=sak_id)


def _sak_url(sak, anchor: str = "") -> str:
    return reverse("lister:sak", args=[sak.pk]) + (f"#{anchor}" if anchor else "")


def _form_page(request, *, form, title, submit, cancel_url, intro="", status=200, **extra):
    return render(request, "lister/sak/skjema.html", {
        "form": form, "title": title, "submit": submit, "cancel_url": cancel_url, "intro": intro, **extra,
    }, status=status)


def _tildel_url(sak, today: dt.date) -> str:
    """The assignment page for the list, from the day the list needs a vikar (not before today)."""
    start = sak.fastlege_slutt or sak.kjent
    params = {"fra": max(start, today).isoformat()}
    if sak.kostnadsperiode_til and sak.kostnadsperiode_til > max(start, today):
        params["til"] = sak.kostnadsperiode_til.isoformat()
    return f"{reverse('lister:tildel', args=[sak.pasientliste_id])}?{urlencode(params)}"


# --- one case ------------------------------------------------------------------------------------

@require_GET
@kommune_page(Handling.LES)
def sak_detalj(request, sak_id: int):
    today = timezone.localdate()
    sak = sak_selectors.with_status([_sak(sak_id)], today)[0]
    dekninger = list(sak_selectors.dekninger_for(liste=sak.pasientliste))
    for dekning in dekninger:
        dekning.siste_dag = dekning.til - dt.timedelta(days=1)
    return render(request, "lister/sak/detalj.html", {
        "sak": sak, "liste": sak.pasientliste, "hjemfall": sak.hjemfall,
        "utlysninger": list(sak_selectors.utlysninger_for(sak=sak)),
        "sokere": list(sak_selectors.sokere_for(sak=sak)),
        "dekninger": dekninger,
        "vikarplikt_siste_dag": sak.kostnadsperiode_til - dt.timedelta(days=1) if sak.kostnadsperiode_til else None,
        "vikarplikt_kilde": regler.kilde("kommune_vikarplikt_maneder", sak.fastlege_slutt or today),
        "kollegial_kilde": regler.kilde("kollegial_dekning_maks_dager", today),
        "kollegial_maks": regler.verdi("kollegial_dekning_maks_dager", today),
        "tildel_url": _tildel_url(sak, today),
        "can_write": _can_write(request), "fase": sak_selectors.Fase, "kollegial": Dekningstype.KOLLEGIAL,
    })


@require_GET
@kommune_page(Handling.LES)
def sak_historikk(request, sak_id: int):
    sak = _sak(sak_id)
    return render(request, "lister/sak/historikk.html", {"sak": sak, "events": history_for(sak)})


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def sak_ny(request, liste_id: int):
    liste = selectors.get_pasientliste(pk=liste_id)
    form = sak_forms.SakForm(request.POST or None, fellesliste=liste.er_fellesliste,
                             initial={"arsak": Ledighetsarsak.OPPSIGELSE_LEGE})
    if request.method == "POST" and form.is_valid():
        try:
            sak = sak_services.open_sak(liste=liste, **form.service_arguments())
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Ledighetssaken er åpnet."))
            return redirect(_sak_url(sak))
    return _form_page(
        request, form=form, title=_("Ny ledighetssak for %(liste)s") % {"liste": liste}, submit=_("Åpne saken"),
        cancel_url=reverse("lister:liste", args=[liste.pk]),
        intro=_("Saker åpnes av seg selv når en oppsigelse, heving eller bortfall registreres på fastlegeavtalen, og når "
                "en ny liste opprettes. Her åpnes en sak for hånd, for eksempel når en avgang er kjent før den er "
                "registrert på avtalen. Saken avsluttes når en ny fastlegeavtale på listen signeres."),
    )


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def sak_endre(request, sak_id: int):
    sak = _sak(sak_id)
    form = sak_forms.SakEndreForm(request.POST or None, initial={
        "kjent": sak.kjent, "oppsigelse_mottatt": sak.oppsigelse_mottatt, "fastlege_slutt": sak.fastlege_slutt,
        "avsluttet": sak.avsluttet, "merknad": sak.merknad, "versjon": sak.versjon,
    })
    if request.method == "POST" and form.is_valid():
        try:
            sak_services.update_sak(sak=sak, expected_version=form.cleaned_data["versjon"], **form.changes())
        except StaleVersion as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Endringene er lagret."))
            return redirect(_sak_url(sak))
    return _form_page(request, form=form, title=_("Endre ledighetssak %(sak)d") % {"sak": sak.pk}, submit=_("Lagre"),
                      cancel_url=_sak_url(sak), intro=_(
                          "Kommunens vikarplikt beregnes på nytt fra datoen listen står uten fastlegen (ASA 4310)."))


# --- advertisements -------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def utlysning_ny(request, sak_id: int):
    sak = _sak(sak_id)
    form = sak_forms.UtlysningForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sak_services.add_utlysning(sak=sak, **form.values())
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Utlysningen er registrert."))
            return redirect(_sak_url(sak, "utlysninger"))
    return _form_page(request, form=form, title=_("Registrer utlysning"), submit=_("Registrer utlysningen"),
                      cancel_url=_sak_url(sak), intro=_(
                          "Bare korrekte utlysninger etter rammeavtalen teller med for hjemfall (minst %(antall)d, %(kilde)s).") % {
                          "antall": regler.verdi("hjemfall_utlysninger"), "kilde": regler.kilde("hjemfall_utlysninger")})


def _utlysning(sak, utlysning_id: int):
    return get_object_or_404(sak_selectors.utlysninger_for(sak=sak), pk=utlysning_id)


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def utlysning_endre(request, sak_id: int, utlysning_id: int):
    sak = _sak(sak_id)
    utlysning = _utlysning(sak, utlysning_id)
    form = sak_forms.UtlysningEndreForm(request.POST or None, initial={
        **{name: getattr(utlysning, name) for name in sak_forms.UtlysningForm.FIELDS}, "versjon": utlysning.versjon})
    if request.method == "POST" and form.is_valid():
        try:
            sak_services.update_utlysning(utlysning=utlysning, expected_version=form.cleaned_data["versjon"], **form.values())
        except StaleVersion as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Utlysningen er lagret."))
            return redirect(_sak_url(sak, "utlysninger"))
    return _form_page(request, form=form, title=_("Endre utlysning"), submit=_("Lagre"), cancel_url=_sak_url(sak),
                      slett_url=reverse("lister:sak_utlysning_slett", args=[sak.pk, utlysning.pk]),
                      slett_versjon=utlysning.versjon, slett_tekst=_("Slett utlysningen"))


@require_POST
@kommune_page(Handling.SKRIV)
def utlysning_slett(request, sak_id: int, utlysning_id: int):
    sak = _sak(sak_id)
    utlysning = _utlysning(sak, utlysning_id)
    form = sak_forms.VersionedForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Utlysningen ble ikke slettet: siden var utdatert. Prøv igjen."))
        return redirect(_sak_url(sak, "utlysninger"))
    try:
        sak_services.delete_utlysning(utlysning=utlysning, expected_version=form.cleaned_data["versjon"])
    except StaleVersion as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Utlysningen er slettet."))
    return redirect(_sak_url(sak, "utlysninger"))


# --- applicants -------------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def soker_ny(request, sak_id: int):
    sak = _sak(sak_id)
    form = sak_forms.SokerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sak_services.add_soker(sak=sak, **form.values())
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Søkeren er registrert."))
            return redirect(_sak_url(sak, "sokere"))
    return _form_page(request, form=form, title=_("Registrer søker"), submit=_("Registrer søkeren"), cancel_url=_sak_url(sak),
                      intro=_("Registrer bare navn og kommunens vurdering; ikke fødselsnummer eller andre personopplysninger."))


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def soker_endre(request, sak_id: int, soker_id: int):
    sak = _sak(sak_id)
    soker = get_object_or_404(sak_selectors.sokere_for(sak=sak), pk=soker_id)
    form = sak_forms.SokerEndreForm(request.POST or None, initial={
        **{name: getattr(soker, name) for name in sak_forms.SokerForm.FIELDS}, "versjon": soker.versjon})
    if request.method == "POST" and form.is_valid():
        try:
            sak_services.update_soker(soker=soker, expected_version=form.cleaned_data["versjon"], **form.values())
        except StaleVersion as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Søkeren er lagret."))
            return redirect(_sak_url(sak, "sokere"))
    return _form_page(request, form=form, title=_("Endre søker"), submit=_("Lagre"), cancel_url=_sak_url(sak))


# --- cover ----------------------------------------------------------------------------------------------

def _back(request, liste) -> str:
    """Back to the case the user came from (`?sak=`), if it is this list's, else to the list."""
    raw = request.POST.get("sak") or request.GET.get("sak") or ""
    if raw.isdigit():
        sak = sak_selectors.saker_for_liste(liste=liste).filter(pk=int(raw)).first()
        if sak is not None:
            return _sak_url(sak, "dekning")
    return reverse("lister:liste", args=[liste.pk])


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def dekning_ny(request, liste_id: int):
    liste = selectors.get_pasientliste(pk=liste_id)
    form = sak_forms.DekningForm(request.POST or None)
    back = _back(request, liste)
    if request.method == "POST" and form.is_valid():
        try:
            sak_services.add_dekning(liste=liste, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Dekningen er registrert."))
            return redirect(back)
    today = timezone.localdate()
    return _form_page(request, form=form, title=_("Registrer dekning av %(liste)s") % {"liste": liste},
                      submit=_("Registrer dekningen"), cancel_url=back, sak=request.GET.get("sak", ""), intro=_(
                          "Dekning uten vikarperiode: kollegial fraværsdekning (kollegene ved kontoret, inntil %(maks)d dager "
                          "per kalenderår, registreres ikke som vikarbruk: %(kilde)s) eller andre fastleger ved kontoret. "
                          "Perioden er halvåpen: «opphører» er første dag uten dekning.") % {
                          "maks": regler.verdi("kollegial_dekning_maks_dager", today),
                          "kilde": regler.kilde("kollegial_dekning_maks_dager", today)})


def _dekning(dekning_id: int) -> Dekning:
    return get_object_or_404(sak_selectors.dekning_list(), pk=dekning_id)


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def dekning_endre(request, dekning_id: int):
    dekning = _dekning(dekning_id)
    liste = dekning.pasientliste
    back = _back(request, liste)
    form = sak_forms.DekningSluttForm(request.POST or None, initial={"til": dekning.til, "versjon": dekning.versjon})
    if request.method == "POST" and form.is_valid():
        try:
            sak_services.end_dekning(dekning=dekning, expected_version=form.cleaned_data["versjon"], til=form.cleaned_data["til"])
        except StaleVersion as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Dekningen er lagret."))
            return redirect(back)
    return _form_page(request, form=form, title=_("Endre dekningens slutt"), submit=_("Lagre"), cancel_url=back,
                      sak=request.GET.get("sak", ""),
                      intro=_("%(type)s på %(liste)s fra %(fra)s.") % {
                          "type": dekning.get_type_display(), "liste": liste, "fra": _fmt(dekning.fra)},
                      slett_url=reverse("lister:dekning_slett", args=[dekning.pk]), slett_versjon=dekning.versjon,
                      slett_tekst=_("Slett dekningen"))


@require_POST
@kommune_page(Handling.SKRIV)
def dekning_slett(request, dekning_id: int):
    dekning = _dekning(dekning_id)
    back = _back(request, dekning.pasientliste)
    form = sak_forms.VersionedForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Dekningen ble ikke slettet: siden var utdatert. Prøv igjen."))
        return redirect(back)
    try:
        sak_services.delete_dekning(dekning=dekning, expected_version=form.cleaned_data["versjon"])
    except StaleVersion as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Dekningen er slettet."))
    return redirect(back)
