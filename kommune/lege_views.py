"""Doctor pages: the kommune's doctors, registering one, a doctor's page with competence, editing
the record (audited) and its history.

The doctor's periods on the kommune's lists belong to the lister app, which sits above this one.
So the doctor page has a small registry of sections, like the landing page's panels: a higher app
registers a `LegeSeksjon` from its AppConfig.ready() and the page renders what is registered,
without importing it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from core.exceptions import StaleVersion
from core.history import history_for
from kommune import selectors, services
from kommune.decorators import kommune_page
from kommune.lege_forms import KOMPETANSE_FIELDS, EndreLegeForm, LegeSokForm, RegisterLegeForm, add_service_error
from kommune.models import KOMPETANSESTATUS, Lege, LegeKommune
from kommune.permissions import Handling, tillater

PAGE_SIZE = 50
KOMPETANSE_KILDE = "kompetanseforskriften (FOR-2017-02-17-192) §§ 3–5"

# --- sections registered by higher apps ------------------------------------------------------------


@dataclass(frozen=True)
class LegeSeksjon:
    """A section of the doctor page owned by another app. `context(request, lege)` returns the
    template's context (a constant number of queries)."""

    key: str
    title: Any
    template: str
    context: Callable[[Any, Lege], dict[str, Any]]
    order: int = 100
    handling: str = Handling.LES


_seksjoner: dict[str, LegeSeksjon] = {}


def register_seksjon(seksjon: LegeSeksjon) -> None:
    _seksjoner[seksjon.key] = seksjon


def unregister_seksjon(key: str) -> None:
    _seksjoner.pop(key, None)


def _sections(request, lege: Lege) -> list[dict[str, Any]]:
    return [
        {"seksjon": s, "context": {"lege": lege, **s.context(request, lege)}}
        for s in sorted(_seksjoner.values(), key=lambda s: (s.order, s.key))
        if tillater(request.tilgang, s.handling)
    ]


# --- pages ---------------------------------------------------------------------------------------


def _kommune(request):
    return selectors.get_kommune_by_id(request.tilgang.kommune_id)


def _search(queryset, sok: str):
    for word in sok.split():
        queryset = queryset.filter(Q(fornavn__icontains=word) | Q(etternavn__icontains=word) | Q(hpr_nummer__startswith=word))
    return queryset


@require_GET
@kommune_page(Handling.LES)
def lege_list(request):
    form = LegeSokForm(request.GET or None)
    leger = selectors.lege_list()
    if form.is_valid() and form.cleaned_data["sok"]:
        leger = _search(leger, form.cleaned_data["sok"])
    page = Paginator(leger, PAGE_SIZE).get_page(request.GET.get("side"))
    today = timezone.localdate()
    rows = [(lege, KOMPETANSESTATUS[lege.kompetansestatus(today)]) for lege in page.object_list]
    return render(request, "kommune/leger/list.html", {
        "form": form, "page": page, "rows": rows, "can_write": tillater(request.tilgang, Handling.SKRIV),
    })


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def lege_ny(request):
    form = RegisterLegeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lege = services.register_lege(
                kommune=_kommune(request), hpr_nummer=form.cleaned_data["hpr_nummer"],
                ansattnummer=form.cleaned_data["ansattnummer"], **form.record_changes(),
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("%(navn)s er registrert i kommunen.") % {"navn": lege.navn})
            return redirect("kommune:lege", lege_id=lege.pk)
    return render(request, "kommune/leger/form.html", {
        "form": form, "title": _("Registrer lege"), "submit": _("Registrer legen"),
    })


def _kompetanse(lege: Lege) -> list[tuple[str, Any]]:
    return [(Lege._meta.get_field(name).verbose_name, getattr(lege, name)) for name in KOMPETANSE_FIELDS]


@require_GET
@kommune_page(Handling.LES)
def lege_detail(request, lege_id: int):
    lege = selectors.get_lege(pk=lege_id)
    today = timezone.localdate()
    return render(request, "kommune/leger/detail.html", {
        "lege": lege,
        "kompetanse": _kompetanse(lege),
        "kompetansestatus": KOMPETANSESTATUS[lege.kompetansestatus(today)],
        "kompetanse_kilde": KOMPETANSE_KILDE,
        "idag": today,
        "seksjoner": _sections(request, lege),
        "can_write": tillater(request.tilgang, Handling.SKRIV),
    })


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def lege_endre(request, lege_id: int):
    lege = selectors.get_lege(pk=lege_id)
    initial = {name: getattr(lege, name) for name in EndreLegeForm.base_fields if hasattr(lege, name)}
    initial.update(versjon=lege.versjon, ansattnummer=lege.ansattnummer or "")
    form = EndreLegeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # the record and the employee number together, or neither
                services.update_lege(lege=lege, expected_version=form.cleaned_data["versjon"], **form.record_changes())
                if form.cleaned_data["ansattnummer"] != (lege.ansattnummer or ""):
                    services.set_ansattnummer(lege=lege, kommune=_kommune(request), ansattnummer=form.cleaned_data["ansattnummer"])
        except StaleVersion as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Opplysningene om %(navn)s er lagret.") % {"navn": lege.navn})
            return redirect("kommune:lege", lege_id=lege.pk)
    return render(request, "kommune/leger/form.html", {
        "form": form, "lege": lege, "title": _("Endre %(navn)s") % {"navn": lege.navn}, "submit": _("Lagre"),
        "note": gettext_lazy("Legens opplysninger er felles for kommunene som har registrert legen; endringer vises "
                             "for dem også og lagres i historikken."),
    })


@require_GET
@kommune_page(Handling.LES)
def lege_history(request, lege_id: int):
    lege = selectors.get_lege(pk=lege_id)
    events = history_for(lege)
    binding = LegeKommune.objects.filter(lege=lege).first()  # this kommune's registration (scoped)
    if binding is not None:
        events = sorted([*events, *history_for(binding)], key=lambda e: e.tidspunkt, reverse=True)
    # kommune.selectors.actor_names names only this kommune's people and clients (the record is shared).
    return render(request, "kommune/leger/history.html", {"lege": lege, "events": events})
