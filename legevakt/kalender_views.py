"""Calendar pages (issue 7): the doctor's own feed management (make a secret address, shown once;
revoke; make a new one), the private feed itself (no login: the secret identifies the doctor; an
unknown or revoked secret is 404) and the district's roster feed for signed-in readers."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from kommune.decorators import kommune_page
from kommune.permissions import Handling
from legevakt import kalender as kalender_services
from legevakt.models import Legevaktdistrikt
from legevakt.vakt_forms import KalenderForm
from legevakt.vakt_views import egen_lege

CONTENT_TYPE = "text/calendar; charset=utf-8"


def _ics(body: str, filnavn: str) -> HttpResponse:
    response = HttpResponse(body.encode("utf-8"), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filnavn}"'
    response["Cache-Control"] = "private, no-cache"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
@kommune_page(Handling.EGNE)
def kalender(request):
    """Own feed: status of the address, make (or remake) it, revoke it. The address is shown once,
    in the answer to the POST that made it; only its keyed hash is stored."""
    lege = egen_lege(request)
    if lege is None:
        return render(request, "legevakt/vakt/uten_lege.html")
    adresse = ""
    status_tekst = ""
    if request.method == "POST":
        form = KalenderForm(request.POST)
        if form.is_valid() and form.cleaned_data["handling"] == "ny":
            _nokkel, raw = kalender_services.ny_nokkel(lege=lege)
            adresse = request.build_absolute_uri(reverse("legevakt:kalender_feed", args=[raw]))
            status_tekst = _("En ny kalenderadresse er laget. Eventuelle tidligere adresser virker ikke lenger.")
        elif form.is_valid():
            antall = kalender_services.trekk_tilbake(lege=lege)
            status_tekst = (_("Kalenderadressen er trukket tilbake og virker ikke lenger.") if antall
                            else _("Det fantes ingen aktiv kalenderadresse."))
    return render(request, "legevakt/kalender/kalender.html", {
        "lege": lege, "aktiv": kalender_services.aktiv_nokkel(lege), "adresse": adresse, "status_tekst": status_tekst,
    })


@require_safe
def kalender_feed(request, nokkel: str):
    """The doctor's own active shifts as iCalendar. No login; 404 for an unknown or revoked secret."""
    row = kalender_services.finn_nokkel(nokkel)
    if row is None:
        raise Http404(_("Ukjent eller tilbaketrukket kalenderadresse."))
    return _ics(kalender_services.lege_feed(row.lege), "legevakt.ics")


@require_safe
@kommune_page(Handling.LES)
def distrikt_kalender(request, distrikt_id: int):
    """The district's roster as iCalendar, with the doctors' names (the reader is signed in)."""
    distrikt = get_object_or_404(Legevaktdistrikt, pk=distrikt_id)
    return _ics(kalender_services.distrikt_feed(distrikt), f"legevakt-{distrikt.pk}.ics")
