"""The "Ubesatte lister" page: every vacancy of the kommune on a chosen day with its case, today's
cover, the uncovered weekdays ahead, the listeinnbyggere affected and the open flags, most urgent
first, each one click from assigning a vikar; the vikar periods ending soon without a successor and
the lists served by vikar beyond the (unconfirmed) limit; marking a flag seen; the CSV export.

Thin views over lister.ledighet_selectors (one query for the whole page) and
lister.ledighet_services. Reading needs Handling.LES, marking a flag seen Handling.SKRIV.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from kommune import regler
from kommune.decorators import kommune_page
from kommune.permissions import Handling, tillater
from lister import exports, ledighet_selectors, ledighet_services
from lister.exports import Kolonne
from lister.ledighet_forms import UbesatteFilterForm
from lister.models import Dekningstype, Ledighetsarsak, Ukedag, Varseltype
from lister.selectors import legekontor_list

LEDIGHET_TEKST = {
    "hel": gettext_lazy("Uten fastlege"),
    "del": gettext_lazy("Ledig del av fellesliste"),
    "varslet": gettext_lazy("Avgang varslet"),
    "kommer": gettext_lazy("Blir uten fastlege"),
}


def _can_write(request) -> bool:
    return tillater(request.tilgang, Handling.SKRIV)


def _dager(arbeidsdager) -> str:
    """Weekdays Monday first (FLR numbers Sunday 0); empty: every day."""
    return ", ".join(str(Ukedag(d).label) for d in sorted(arbeidsdager or (), key=lambda d: (d == 0, d)))


def _fmt(day: dt.date | None) -> str:
    return formats.date_format(day, "j.n.Y") if day else ""


def vikarer_tekst(row) -> str:
    parts = []
    for v in row.vikarer_i_dag:
        dager = _dager(v.arbeidsdager)
        parts.append(f"{v.lege_navn} ({v.stillingsprosent} %{', ' + dager if dager else ''})")
    return "; ".join(parts)


def dekning_tekst(row) -> str:
    return "; ".join(
        f"{Dekningstype(d.type).label}{' (' + d.leger + ')' if d.leger else ''}, {_('til')} {_fmt(d.til)}"
        for d in row.dekning_i_dag
    )


def varsler_tekst(row) -> str:
    return "; ".join(v.tekst for v in row.varsler)


def _tildel_url(liste_id: int, fra: dt.date) -> str:
    return f"{reverse('lister:tildel', args=[liste_id])}?{urlencode({'fra': fra.isoformat(), 'stillingsprosent': 100})}"


def _display(row, day: dt.date) -> dict:
    """What the page shows of one vacancy."""
    fra = row.forste_udekket or row.ledig_fra or row.sak_fastlege_slutt or day
    return {
        "r": row,
        "status": LEDIGHET_TEKST[row.ledighet],
        "ledig_dager": (day - row.ledig_fra).days if row.ledig_fra else None,
        "arsak": Ledighetsarsak(row.sak_arsak).label if row.sak_arsak else "",
        "tildel_url": _tildel_url(row.liste_id, max(fra, day)),
        "tildel_fra": max(fra, day),
        "varsler": row.varsler,
    }


def _vikar_slutter_display(row) -> list[dict]:
    return [{"r": row, "p": p, "siste_dag": p.til - dt.timedelta(days=1), "tildel_url": _tildel_url(row.liste_id, p.til)}
            for p in row.vikar_slutter]


def _filtered(request):
    """(form, overview or None when the filter is invalid)."""
    form = UbesatteFilterForm(request.GET or None, kontor=list(legekontor_list()))
    if form.is_bound and not form.is_valid():
        return form, None
    data = form.cleaned_data if form.is_bound else {}
    return form, ledighet_selectors.oversikt(
        on=data.get("dato") or timezone.localdate(), legekontor_id=data.get("legekontor"),
        kun_udekket=bool(data.get("kun_udekket")),
    )


@require_GET
@kommune_page(Handling.LES)
def ubesatte(request):
    form, oversikt = _filtered(request)
    today = timezone.localdate()
    context = {"form": form, "can_write": _can_write(request), "oversikt": oversikt, "today": today}
    if oversikt is None:
        return render(request, "lister/ubesatte.html", context, status=400)
    day = oversikt.dag
    rows = [_display(row, day) for row in oversikt.ubesatte]
    context.update({
        "dag": day,
        "rows": rows,
        "udekket_totalt": sum(r["r"].udekket_dager for r in rows),
        "uten_dekning_i_dag": sum(1 for r in rows if r["r"].hel and not r["r"].dekket_i_dag),
        "slutter": [item for row in oversikt.vikar_slutter for item in _vikar_slutter_display(row)],
        "lang": [{"r": row, "maneder": _months_between(row.vikar_lang_fra, day)} for row in oversikt.vikar_lang],
        "p": oversikt.parametre,
        "kilde_lang": regler.kilde("vikar_lang_varighet_maneder", day),
        "kilde_horisont": regler.kilde("udekket_horisont_dager", day),
        "csv_query": request.GET.urlencode(),
        "neste": request.get_full_path(),
    })
    return render(request, "lister/ubesatte.html", context)


def _months_between(start: dt.date, end: dt.date) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - (1 if end.day < start.day else 0)


# --- CSV ------------------------------------------------------------------------------------------

CSV_KOLONNER: tuple[Kolonne, ...] = (
    Kolonne(gettext_lazy("Legekontor"), lambda d: d["r"].legekontor_navn, 30),
    Kolonne(gettext_lazy("Liste"), lambda d: d["r"].liste_navn, 24),
    Kolonne(gettext_lazy("Listenummer"), lambda d: d["r"].liste_id, 12),
    Kolonne(gettext_lazy("Status"), lambda d: str(d["status"]), 20),
    Kolonne(gettext_lazy("Uten fastlege fra"), lambda d: d["r"].ledig_fra, 12),
    Kolonne(gettext_lazy("Ledighetssak"), lambda d: d["r"].sak_id, 12),
    Kolonne(gettext_lazy("Årsak"), lambda d: str(d["arsak"]), 24),
    Kolonne(gettext_lazy("Fastlegen slutter"), lambda d: d["r"].sak_fastlege_slutt, 12),
    Kolonne(gettext_lazy("Kommunens vikarplikt til"), lambda d: d["r"].sak_kostnadsperiode_til, 12),
    Kolonne(gettext_lazy("Hjemfall mulig"), lambda d: exports._yes_no(d["r"].sak_hjemfall), 8),
    Kolonne(gettext_lazy("Vikarer på datoen"), lambda d: vikarer_tekst(d["r"]), 40),
    Kolonne(gettext_lazy("Annen dekning på datoen"), lambda d: dekning_tekst(d["r"]), 40),
    Kolonne(gettext_lazy("Udekkede ukedager"), lambda d: d["r"].udekket_dager, 10),
    Kolonne(gettext_lazy("Første udekkede dag"), lambda d: d["r"].forste_udekket, 12),
    Kolonne(gettext_lazy("Listeinnbyggere berørt"), lambda d: d["r"].listeinnbyggere, 10),
    Kolonne(gettext_lazy("Åpne varsler"), lambda d: varsler_tekst(d["r"]), 40),
)


@require_GET
@kommune_page(Handling.LES)
def ubesatte_csv(request):
    """The same rows as the page (same filter), as CSV for Norwegian Excel."""
    form, oversikt = _filtered(request)
    if oversikt is None:
        errors = "; ".join(f"{name}: {' '.join(errs)}" for name, errs in form.errors.items())
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    rows = [_display(row, oversikt.dag) for row in oversikt.ubesatte]
    filename = f"ubesatte-lister-{request.tilgang.kommune.kommunenummer}-{oversikt.dag.isoformat()}.csv"
    return exports.csv_response(rows, filename=filename, kolonner=CSV_KOLONNER)


# --- marking a flag seen ----------------------------------------------------------------------------

@require_POST
@kommune_page(Handling.SKRIV)
def varsel_sett(request, varsel_id: int):
    """Mark a flag seen. With htmx the flag's item is swapped in place; a plain form post returns
    to the page it came from."""
    varsel = get_object_or_404(ledighet_selectors.varsel_list(), pk=varsel_id)
    varsel = ledighet_services.mark_varsel_sett(varsel=varsel, av=request.user)
    if request.htmx:
        return render(request, "lister/ubesatte_varsel.html", {
            "v": ledighet_selectors.Varsel(id=varsel.pk, type=varsel.type, reist=varsel.reist, sett=varsel.sett,
                                           detaljer=varsel.detaljer),
            "can_write": True,
        })
    messages.success(request, _("Varselet «%(tekst)s» er merket som sett.") % {"tekst": Varseltype(varsel.type).label})
    neste = request.POST.get("neste", "")
    if neste and url_has_allowed_host_and_scheme(neste, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(neste)
    return redirect("lister:ubesatte")
