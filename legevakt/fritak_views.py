"""Pages for exemptions from legevakt: the kommune's exemptions, one exemption, recording and
changing one, and its history.

The type, grounds and decision details are health data: only the kommuneoverlege
(kan_se_helseopplysninger) sees them, records and changes exemptions, and sees the history (which
contains the grounds). Others with read access see granted exemptions as «Fritatt fra legevakt
fra–til» with the scope.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.exceptions import StaleVersion
from core.history import history_for
from kommune import selectors as kommune_selectors
from kommune.decorators import kommune_page
from kommune.lege_forms import add_service_error
from kommune.permissions import Handling, kan_se_helseopplysninger
from legevakt import fritak_selectors, fritak_services
from legevakt.fritak_forms import EndreFritakForm, NyttFritakForm, alder_merknad
from legevakt.fritak_services import FRITAK_FIELDS


def _url(fritak) -> str:
    return reverse("legevakt:fritak", args=[fritak.pk])


def _form_page(request, *, form, title, submit, cancel_url):
    return render(request, "legevakt/fritak/skjema.html", {
        "form": form, "title": title, "submit": submit, "cancel_url": cancel_url, "alder_merknad": alder_merknad(),
    })


@require_GET
@kommune_page(Handling.LES)
def fritak_liste(request):
    helse = kan_se_helseopplysninger(request.tilgang)
    return render(request, "legevakt/fritak/liste.html", {
        "fritak": list(fritak_selectors.fritak_list(helse=helse)), "helse": helse, "idag": timezone.localdate(),
    })


@require_GET
@kommune_page(Handling.LES)
def fritak(request, fritak_id: int):
    helse = kan_se_helseopplysninger(request.tilgang)
    f = fritak_selectors.get_fritak(fritak_id, helse=helse)
    return render(request, "legevakt/fritak/fritak.html", {"f": f, "helse": helse})


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.HELSEOPPLYSNINGER)
def fritak_ny(request):
    initial = {"fra": timezone.localdate()}
    if request.GET.get("lege"):
        initial["lege"] = request.GET["lege"]
    form = NyttFritakForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            f = fritak_services.create_fritak(kommune=kommune_selectors.get_kommune_by_id(request.tilgang.kommune_id),
                                              lege=data.pop("lege"), type=data.pop("type"), fra=data.pop("fra"), **data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Fritaket for %(navn)s er registrert.") % {"navn": f.lege.navn})
            return redirect(_url(f))
    return _form_page(request, form=form, title=_("Registrer fritak fra legevakt"), submit=_("Registrer"),
                      cancel_url=reverse("legevakt:fritak_liste"))


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.HELSEOPPLYSNINGER)
def fritak_endre(request, fritak_id: int):
    f = fritak_selectors.get_fritak(fritak_id, helse=True)
    form = EndreFritakForm(request.POST or None, initial={**{name: getattr(f, name) for name in FRITAK_FIELDS},
                                                          "versjon": f.versjon})
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if k != "versjon"}
        try:
            fritak_services.update_fritak(fritak=f, expected_version=form.cleaned_data["versjon"], **changes)
        except StaleVersion as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Fritaket er lagret."))
            return redirect(_url(f))
    return _form_page(request, form=form, title=_("Endre fritak for %(navn)s") % {"navn": f.lege.navn}, submit=_("Lagre"),
                      cancel_url=_url(f))


@require_GET
@kommune_page(Handling.HELSEOPPLYSNINGER)
def fritak_historikk(request, fritak_id: int):
    f = fritak_selectors.get_fritak(fritak_id, helse=True)
    return render(request, "legevakt/fritak/historikk.html", {"f": f, "events": history_for(f)})
