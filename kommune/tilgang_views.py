"""Access management for the kommune in scope (kommuneoverlege): people's roles and integration tokens."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from kommune import selectors, services
from kommune.decorators import kommune_page
from kommune.forms import GrantRoleForm, IssueTokenForm
from kommune.models import ApiTokenKommune, Rolle
from kommune.permissions import Handling


def _kommune(request):
    return selectors.get_kommune_by_id(request.tilgang.kommune_id)


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.ADMINISTRER)
def users(request):
    kommune = _kommune(request)
    form = GrantRoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rolle = services.grant_role(kommune=kommune, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("%(bruker)s har nå rollen %(rolle)s.") % {
                "bruker": rolle.bruker.email, "rolle": rolle.get_rolle_display()})
            return redirect("kommune:brukere")
    return render(request, "kommune/tilgang/brukere.html", {
        "kommune": kommune, "form": form, "roller": selectors.roles_in_kommune()})


@require_POST
@kommune_page(Handling.ADMINISTRER)
def revoke_role(request, rolle_id: int):
    rolle = get_object_or_404(Rolle.objects.select_related("bruker"), pk=rolle_id)
    try:
        services.revoke_role(rolle=rolle)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Rollen er fjernet fra %(bruker)s.") % {"bruker": rolle.bruker.email})
    return redirect("kommune:brukere")


@never_cache
@require_http_methods(["GET", "POST"])
@kommune_page(Handling.ADMINISTRER)
def api_tokens(request):
    kommune = _kommune(request)
    form = IssueTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = services.issue_token(
                navn=form.cleaned_data["navn"], kommuner=[kommune], scopes=form.cleaned_data["scopes"],
                expires_days=form.cleaned_data["utloper_dager"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            # Shown once, on this response only (never cached, never stored).
            return render(request, "kommune/tilgang/token_vist.html", {"kommune": kommune, "token": token, "raw": raw})
    return render(request, "kommune/tilgang/tokener.html", {
        "kommune": kommune, "form": form, "bindinger": selectors.token_bindings_in_kommune()})


@require_POST
@kommune_page(Handling.ADMINISTRER)
def withdraw_token(request, token_id: int):
    binding = get_object_or_404(ApiTokenKommune.objects.select_related("token"), token_id=token_id)
    services.withdraw_token(binding=binding)
    messages.success(request, _("Tokenet «%(navn)s» har ikke lenger tilgang til kommunen.") % {"navn": binding.token.navn})
    return redirect("kommune:tokener")
