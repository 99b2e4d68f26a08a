"""Kommune pages: choosing the kommune, its landing page with panels, settings and history."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.exceptions import StaleVersion
from core.history import history_for
from kommune import access, panels, selectors, services
from kommune.decorators import kommune_page
from kommune.forms import KommuneSettingsForm
from kommune.permissions import Handling, tillater


def _kommune_or_404(kommunenummer: str):
    try:
        return selectors.get_kommune(kommunenummer=kommunenummer)
    except ValidationError as exc:
        raise Http404(_("Ugyldig kommunenummer.")) from exc


def _use_kommune_language(request, kommune) -> None:
    """Show the page in the kommune's målform unless the user has chosen a language."""
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        translation.activate(kommune.language_code)
        request.LANGUAGE_CODE = kommune.language_code


@require_GET
@login_required
def home(request):
    """Straight to the kommune one works in; the chooser when there are several; else an explanation."""
    tilgang = request.tilgang
    if tilgang.kommune is not None:
        return redirect("kommune:landing", kommunenummer=tilgang.kommune.kommunenummer)
    if tilgang.kommuner:
        return redirect("kommune:velg")
    return render(request, "kommune/home.html")


@require_http_methods(["GET", "POST"])
@login_required
def choose_kommune(request):
    """Choose the kommune to work in, among those where one holds a role. Any other number
    (another kommune's, or one that does not exist) answers 404 and changes nothing."""
    tilgang = request.tilgang
    if request.method == "POST":
        nummer = request.POST.get("kommune", "")
        valg = next((k for k in tilgang.kommuner if k.kommunenummer == nummer), None)
        if valg is None:
            raise Http404(_("Ingen kommune med dette nummeret er tilgjengelig for deg."))
        request.session[access.SESSION_KEY] = valg.id
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
            target = reverse("kommune:landing", kwargs={"kommunenummer": valg.kommunenummer})
        return redirect(target)
    return render(request, "kommune/velg.html", {"kommuner": tilgang.kommuner, "next": request.GET.get("next", "")})


@require_GET
@kommune_page(Handling.EGNE)
def landing(request, kommunenummer: str):
    kommune = _kommune_or_404(kommunenummer)
    _use_kommune_language(request, kommune)
    context = {
        "kommune": kommune,
        "panels": panels.render_context(request, kommune),
        "can_change": tillater(request.tilgang, Handling.ADMINISTRER),
        "can_read": tillater(request.tilgang, Handling.LES),
    }
    return render(request, "kommune/landing.html", context)


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.ADMINISTRER)
def edit(request, kommunenummer: str):
    kommune = _kommune_or_404(kommunenummer)
    _use_kommune_language(request, kommune)
    form = KommuneSettingsForm(request.POST or None, instance=kommune, initial={"versjon": kommune.versjon})
    if request.method == "POST" and form.is_valid():
        changes = {field: form.cleaned_data[field] for field in form.Meta.fields}
        try:
            services.update_kommune(kommune=kommune, expected_version=form.cleaned_data["versjon"], **changes)
        except StaleVersion as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Innstillingene er lagret."))
            return redirect("kommune:landing", kommunenummer=kommune.kommunenummer)
    return render(request, "kommune/edit.html", {"kommune": kommune, "form": form})


@require_GET
@kommune_page(Handling.LES)
def history(request, kommunenummer: str):
    kommune = _kommune_or_404(kommunenummer)
    _use_kommune_language(request, kommune)
    return render(request, "kommune/history.html", {"kommune": kommune, "events": history_for(kommune)})
