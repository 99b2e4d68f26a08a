"""The kommune's deadlines page ("Frister"): what the registered sources (kommune.frister) report
for the next twelve months, plus what is overdue, in one list sorted by date."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.dates import add_months
from kommune import frister, selectors
from kommune.decorators import kommune_page
from kommune.permissions import Handling

WINDOW_MONTHS = 12


@require_GET
@kommune_page(Handling.LES)
def frister_page(request):
    kommune = selectors.get_kommune_by_id(request.tilgang.kommune_id)
    fra = timezone.localdate()
    til = add_months(fra, WINDOW_MONTHS)
    items = frister.collect(kommune, fra, til)
    return render(request, "kommune/frister.html", {
        "kommune": kommune, "frister": items, "fra": fra, "til": til, "maneder": WINDOW_MONTHS,
    })
