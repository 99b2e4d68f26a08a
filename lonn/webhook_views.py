"""The kommune's webhook pages (kommuneoverlege): endpoints, registration (the secret shown once),
the delivery log and the actions. Thin views over lonn.webhooks."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.history import history_for
from kommune import selectors as kommune_selectors
from kommune.decorators import kommune_page
from kommune.permissions import Handling
from lonn import webhooks
from lonn.models import Webhookendepunkt


class WebhookForm(forms.Form):
    url = forms.CharField(
        label=gettext_lazy("Adresse (HTTPS)"), max_length=500, required=False,  # lonn.webhooks validates it
        help_text=gettext_lazy("Adressen i lønnssystemet (eller integrasjonen) som skal varsles, for eksempel "
                               "https://lonn.kommune.no/webhook. Må være en offentlig HTTPS-adresse."),
        widget=forms.URLInput(attrs={"size": 60, "autocomplete": "off"}),
    )
    beskrivelse = forms.CharField(
        label=gettext_lazy("Beskrivelse"), max_length=200, required=False,
        help_text=gettext_lazy("For eksempel «Lønnssystemet (Visma)»."),
    )


def _hemmelighet_vist(request, endepunkt: Webhookendepunkt, hemmelighet: str, *, ny: bool):
    # Shown once, on this response only (never cached, never stored in clear).
    return render(request, "lonn/webhooks_hemmelighet.html", {
        "kommune": request.tilgang.kommune, "endepunkt": endepunkt, "hemmelighet": hemmelighet, "ny": ny,
        "toleranse_minutter": int(webhooks.TOLERANSE.total_seconds() // 60),
    })


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@kommune_page(Handling.ADMINISTRER)
def webhook_list(request):
    form = WebhookForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                endepunkt, hemmelighet = webhooks.register(
                    kommune=kommune_selectors.get_kommune_by_id(request.tilgang.kommune_id),
                    url=form.cleaned_data["url"], beskrivelse=form.cleaned_data["beskrivelse"], av=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return _hemmelighet_vist(request, endepunkt, hemmelighet, ny=True)
    return render(request, "lonn/webhooks.html", {
        "kommune": request.tilgang.kommune, "form": form, "rader": webhooks.oversikt(),
        "maks": webhooks.MAKS_ENDEPUNKTER,
    }, status=400 if request.method == "POST" else 200)


@never_cache
@require_safe
@kommune_page(Handling.ADMINISTRER)
def webhook_detail(request, webhook_id: int):
    endepunkt = get_object_or_404(Webhookendepunkt.objects.select_related("opprettet_av"), pk=webhook_id)
    return render(request, "lonn/webhooks_detalj.html", {
        "kommune": request.tilgang.kommune, "endepunkt": endepunkt,
        "leveringer": webhooks.leveringslogg(endepunkt=endepunkt), "events": history_for(endepunkt),
        "gi_opp_timer": int(webhooks.GI_OPP_ETTER.total_seconds() // 3600),
    })


def _endepunkt(webhook_id: int) -> Webhookendepunkt:
    return get_object_or_404(Webhookendepunkt, pk=webhook_id)


@require_POST
@kommune_page(Handling.ADMINISTRER)
def webhook_deactivate(request, webhook_id: int):
    endepunkt = webhooks.deactivate(endepunkt=_endepunkt(webhook_id))
    messages.success(request, _("Endepunktet er deaktivert. Det får ingen varsler før det aktiveres igjen."))
    return redirect("lonn:webhook", webhook_id=endepunkt.pk)


@require_POST
@kommune_page(Handling.ADMINISTRER)
def webhook_activate(request, webhook_id: int):
    endepunkt = webhooks.activate(endepunkt=_endepunkt(webhook_id))
    messages.success(request, _("Endepunktet er aktivert."))
    return redirect("lonn:webhook", webhook_id=endepunkt.pk)


@never_cache
@require_POST
@kommune_page(Handling.ADMINISTRER)
def webhook_rotate_secret(request, webhook_id: int):
    endepunkt = _endepunkt(webhook_id)
    hemmelighet = webhooks.rotate_secret(endepunkt=endepunkt)
    return _hemmelighet_vist(request, endepunkt, hemmelighet, ny=False)


@require_POST
@kommune_page(Handling.ADMINISTRER)
def webhook_delete(request, webhook_id: int):
    endepunkt = _endepunkt(webhook_id)
    webhooks.delete(endepunkt=endepunkt)
    messages.success(request, _("Endepunktet %(url)s er slettet.") % {"url": endepunkt.url})
    return redirect("lonn:webhooks")


@require_POST
@kommune_page(Handling.ADMINISTRER)
def webhook_test(request, webhook_id: int):
    endepunkt = _endepunkt(webhook_id)
    webhooks.send_test(endepunkt=endepunkt)
    messages.success(request, _("Et testvarsel sendes nå. Resultatet vises i leveringsloggen om noen sekunder."))
    return redirect("lonn:webhook", webhook_id=endepunkt.pk)
