"""The doctor page's legevakt section (kommune.lege_views registry, registered from
legevakt.fritak_services.ready()): the doctor's exemptions from legevakt in this kommune — type,
grounds and decision details only for the kommuneoverlege — and the doctor's own user account
(role «lege»), which the kommuneoverlege links or unlinks here (Handling.ADMINISTRER)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.exceptions import StaleVersion
from kommune.decorators import kommune_page
from kommune.lege_views import LegeSeksjon
from kommune.models import Rolle
from kommune.permissions import Handling, kan_se_helseopplysninger, tillater
from kommune.selectors import get_lege
from legevakt import distrikt_services, fritak_selectors
from legevakt.distrikt_forms import KobleBrukerForm


def legebrukere() -> list:
    """The kommune's users with the role «lege» (one query)."""
    return [r.bruker for r in Rolle.objects.filter(rolle=Rolle.Navn.LEGE).select_related("bruker")
            .order_by("bruker__navn", "bruker__email")]


def lege_legevakt_context(request, lege) -> dict:
    """The doctor's exemptions in this kommune and the account link (a constant number of queries)."""
    helse = kan_se_helseopplysninger(request.tilgang)
    kan_koble = tillater(request.tilgang, Handling.ADMINISTRER)
    context = {
        "fritak": list(fritak_selectors.fritak_list(helse=helse, lege_id=lege.pk)), "helse": helse,
        "kan_koble": kan_koble, "kan_registrere_fritak": helse, "bruker": lege.bruker if lege.bruker_id else None,
    }
    if kan_koble:
        context["koble_form"] = KobleBrukerForm(brukere=legebrukere(), initial={
            "bruker": lege.bruker_id, "versjon": lege.versjon})
    return context


LEGE_LEGEVAKT = LegeSeksjon(
    key="legevakt.lege",
    title=gettext_lazy("Legevakt: fritak og brukerkonto"),
    template="legevakt/_lege_seksjon.html",
    context=lege_legevakt_context,
    order=40,
)


@require_POST
@kommune_page(Handling.ADMINISTRER)
def lege_bruker(request, lege_id: int):
    """Link the doctor to a user with the role «lege» in the kommune, or unlink (empty choice)."""
    if not tillater(request.tilgang, Handling.ADMINISTRER):  # pragma: no cover - the decorator refuses first
        raise PermissionDenied
    lege = get_lege(pk=lege_id)
    form = KobleBrukerForm(request.POST, brukere=legebrukere())
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("kommune:lege", lege_id=lege.pk)
    bruker = form.cleaned_data.get("bruker") or None
    try:
        distrikt_services.koble_bruker(lege, bruker, expected_version=form.cleaned_data["versjon"])
    except StaleVersion as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
    else:
        messages.success(request, _("Brukerkontoen er koblet til legen.") if bruker else _("Koblingen til brukerkontoen er fjernet."))
    return redirect("kommune:lege", lege_id=lege.pk)
