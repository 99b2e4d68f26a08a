"""The kommune's integration page for the payroll feed (kommuneoverlege): the feed's state in the
kommune and each integration client's last receipt and lag. A thin view over lonn.selectors."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from kommune.decorators import kommune_page
from kommune.permissions import Handling
from lonn import feed, selectors


@never_cache
@require_safe
@kommune_page(Handling.ADMINISTRER)
def integrasjon(request):
    t = feed.tilstand()
    return render(request, "lonn/integrasjon.html", {
        "kommune": request.tilgang.kommune,
        "strom": selectors.strom(t),
        "integrasjoner": selectors.integrasjoner(t),
        "tellegrense": feed.TELLEGRENSE,
    })
