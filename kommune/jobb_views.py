"""A background job's page: title, status, an accessible progress bar and, when the job is done,
its result or its errors per row. While the job waits or runs, htmx polls the status fragment
every second and stops when the job has ended; without JavaScript an «Oppdater» link reloads."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET

from kommune import bakgrunnsjobber, selectors
from kommune.decorators import kommune_page
from kommune.models import Jobbstatus
from kommune.permissions import Handling


def _context(request, jobb_id: int) -> dict:
    jobb = bakgrunnsjobber.get_jobb(pk=jobb_id)
    entry = bakgrunnsjobber.jobbtype(jobb.type)
    lenke = ""
    if entry and entry.lenke:
        try:
            lenke = reverse(entry.lenke)
        except NoReverseMatch:  # pragma: no cover - a registration naming a missing page
            lenke = ""
    # The status text is re-announced (aria-live) only when it changes: the poll sends the last one.
    sist_status = request.GET.get("status", "")
    return {
        "jobb": jobb,
        "resultat": bakgrunnsjobber.resultat_rader(jobb) if jobb.status == Jobbstatus.FULLFORT else [],
        "startet_av": selectors.actor_names({jobb.opprettet_av}).get(jobb.opprettet_av, jobb.opprettet_av),
        "lenke": lenke,
        "lenke_tekst": entry.lenke_tekst if entry else "",
        "ny_status": sist_status != jobb.status,
    }


@require_GET
@kommune_page(Handling.LES)
def jobb_detail(request, jobb_id: int):
    return render(request, "kommune/jobb.html", _context(request, jobb_id))


@require_GET
@kommune_page(Handling.LES)
def jobb_status(request, jobb_id: int):
    """The polled fragment (also readable on its own)."""
    return render(request, "kommune/jobb_status.html", {**_context(request, jobb_id), "fragment": True})
