"""Pages for a shift's supplements for payroll (Vakttillegg, issue 8): the «Tillegg» page of a shift
(the list and the form; the shift's own page has the same list and a small form posting here, and a
refusal comes back on this page with an error summary) and deleting a supplement.

Thin views: writes through legevakt.tillegg_services, whose refusals land on the field they name.
Reading needs Handling.LES, writing Handling.SKRIV and the district's vertskommune; the supplements are
the vertskommune's payroll data, so a deltakerkommune gets 403 here (and does not see the section on
the shift's page)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.exceptions import StaleVersion
from kommune.decorators import kommune_page
from kommune.lege_forms import add_service_error
from kommune.permissions import Handling, tillater
from legevakt import tillegg_services
from legevakt.models import Vakt, Vaktstatus, Vakttillegg
from legevakt.tillegg_forms import TilleggForm, TilleggSlettForm
from legevakt.vakt_views import kan_skrive, pynt


def _vakt(vakt_id: int) -> Vakt:
    vakt = get_object_or_404(Vakt.objects.select_related("distrikt", "lege", "stasjon"), pk=vakt_id)
    tillegg_services.krev_innsyn(vakt)
    return vakt


def _vakt_url(vakt: Vakt) -> str:
    return reverse("legevakt:vakt", args=[vakt.pk]) + "#tillegg"


def _feilliste(form) -> list[dict]:
    """Every error with the field's label and the id to jump to, for the summary at the top of the page
    (a radio group's first option)."""
    rows = []
    for name, errors in form.errors.items():
        if name == "__all__" or name not in form.fields:
            rows += [{"label": "", "id": "", "melding": e} for e in errors]
            continue
        bound = form[name]
        anchor = bound.id_for_label or (f"{bound.auto_id}_0" if bound.auto_id else "")
        rows += [{"label": bound.label, "id": anchor, "melding": e} for e in errors]
    return rows


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.LES)
def tillegg(request, vakt_id: int):
    """The shift's supplements and the form to add one (POST: add, then back to the shift's page)."""
    obj = pynt(_vakt(vakt_id))
    can_write = kan_skrive(request, obj.distrikt) and obj.status == Vaktstatus.AKTIV
    form = TilleggForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not tillater(request.tilgang, Handling.SKRIV):
            raise PermissionDenied(_("Rollen din i kommunen gir ikke lov til dette."))
        if form.is_valid():
            try:
                ny = tillegg_services.add_tillegg(vakt=obj, **form.service_arguments())
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("Tillegget er lagret: %(art)s.") % {"art": ny.get_art_display()})
                return redirect(_vakt_url(obj))
    return render(request, "legevakt/vakt/tillegg.html", {
        "vakt": obj, "distrikt": obj.distrikt, "form": form, "can_write": can_write,
        "tillegg": list(Vakttillegg.objects.filter(vakt=obj).order_by("id")),
        "feil": _feilliste(form) if form.is_bound and form.errors else [],
    })


@require_POST
@kommune_page(Handling.SKRIV)
def tillegg_slett(request, vakt_id: int, tillegg_id: int):
    obj = _vakt(vakt_id)
    funnet = get_object_or_404(Vakttillegg.objects.filter(vakt=obj), pk=tillegg_id)
    funnet.vakt = obj
    form = TilleggSlettForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Siden var utdatert. Prøv igjen."))
    else:
        try:
            tillegg_services.delete_tillegg(tillegg=funnet, expected_version=form.cleaned_data["versjon"])
        except StaleVersion as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Tillegget er slettet."))
    return redirect(_vakt_url(obj))
