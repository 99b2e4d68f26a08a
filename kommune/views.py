"""Kommune pages: the list, the landing page with panels, settings and history."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.exceptions import StaleVersion
from core.history import history_for
from kommune import panels, selectors, services
from kommune.filters import KommuneFilter
from kommune.forms import KommuneSettingsForm
from kommune.permissions import can_change_kommune

PAGE_SIZE = 50


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
    filterset = KommuneFilter(request.GET or None, queryset=selectors.kommune_list())
    queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else selectors.kommune_list()
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("side"))
    query = request.GET.copy()
    query.pop("side", None)
    context = {"filter": filterset, "page": page, "query": query.urlencode()}
    template = "kommune/_kommune_table.html" if request.htmx else "kommune/home.html"
    return render(request, template, context)


@require_GET
@login_required
def landing(request, kommunenummer: str):
    kommune = _kommune_or_404(kommunenummer)
    _use_kommune_language(request, kommune)
    context = {
        "kommune": kommune,
        "panels": panels.render_context(request, kommune),
        "can_change": can_change_kommune(request.user),
    }
    return render(request, "kommune/landing.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def edit(request, kommunenummer: str):
    if not can_change_kommune(request.user):
        raise PermissionDenied
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
@login_required
def history(request, kommunenummer: str):
    kommune = _kommune_or_404(kommunenummer)
    _use_kommune_language(request, kommune)
    return render(request, "kommune/history.html", {"kommune": kommune, "events": history_for(kommune)})
