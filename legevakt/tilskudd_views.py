"""Legevakt pages of the nightly overload job and the grant:

- «Legevakt: oversikt» (`legevakt:oversikt`, Handling.LES): every district the kommune sees (its
  own and those it is a member of), whether it counts as small and why, its open flags in words,
  marking a flag seen (`legevakt:varsel_sett`, POST, Handling.SKRIV, vertskommune only), links to
  the roster and the load page;
- «Tilskudd til legevakt i distriktskommuner» (`legevakt:tilskudd`, `legevakt:tilskudd_csv`,
  Handling.LES): the kommuner meeting the criteria in a chosen year, with priority, the criteria
  and their source, as a table and CSV.

Thin views over legevakt.belastning_jobb (state, flags, marking) and legevakt.tilskudd.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core.tenancy import unscoped
from kommune import regler
from kommune.decorators import kommune_page
from kommune.models import Kommune
from kommune.permissions import Handling, tillater
from legevakt import belastning_jobb
from legevakt import tilskudd as grant
from legevakt.models import Belastningsvarseltype, Legevaktdistrikt
from legevakt.tilgang import er_vertskommune
from lister import exports
from lister.exports import Kolonne


def _url(name: str, *args) -> str | None:
    """A link to another area's page; None while that page does not exist."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _kommunenavn(ids: set[int]) -> dict[int, str]:
    with unscoped(reason="legevakt overview: names of the kommuner in a visible district (public register)"):
        return dict(Kommune.objects.filter(pk__in=ids).values_list("pk", "navn"))


def _liten_grunner(state, navn_per_nummer: dict[str, str], p) -> list[str]:
    reasons = []
    if state.tilskudd_kommuner:
        kommuner = ", ".join(f"{navn_per_nummer.get(nr, nr)} ({nr})" for nr in state.tilskudd_kommuner)
        reasons.append(_("Betjener %(kommuner)s, som oppfyller kriteriene for tilskudd til legevakt i distriktskommuner "
                         "(under %(grense)s innbyggere, sentralitetsklasse %(klasser)s).")
                       % {"kommuner": kommuner, "grense": p.innbyggere_under,
                          "klasser": "–".join(str(c) for c in (min(p.sentralitet), max(p.sentralitet)))
                          if len(p.sentralitet) > 1 else str(p.sentralitet[0])})
    if state.leger <= p.fa_leger:
        reasons.append(_("%(leger)s leger i vaktordningen de siste og neste fire ukene (%(grense)s eller færre; %(kilde)s).")
                       % {"leger": state.leger, "grense": p.fa_leger, "kilde": regler.kilde("legevakt_fa_leger", p.dag)})
    if state.sentralitet_ukjent:
        reasons.append(_("Sentralitetsklassen er ukjent for %(kommuner)s; vurdert etter innbyggertall alene.")
                       % {"kommuner": ", ".join(state.sentralitet_ukjent)})
    return reasons


@require_GET
@kommune_page(Handling.LES)
def oversikt(request):
    today = timezone.localdate()
    distrikter = list(Legevaktdistrikt.objects.filter(aktiv=True).order_by("navn", "id"))
    states = belastning_jobb.tilstand(on=today, distrikt_ids=[d.pk for d in distrikter])
    varsler = list(belastning_jobb.varsel_list().filter(lost__isnull=True, distrikt__in=distrikter))
    navn = belastning_jobb.lege_navn(varsler)
    nummer = {nr for s in states.values() for nr in (*s.tilskudd_kommuner, *s.sentralitet_ukjent)}
    with unscoped(reason="legevakt overview: names of the kommuner in a visible district (public register)"):
        navn_per_nummer = dict(Kommune.objects.filter(kommunenummer__in=nummer).values_list("kommunenummer", "navn"))
    vertskommuner = _kommunenavn({d.kommune_id for d in distrikter})
    p = belastning_jobb.Parametre.on(today)
    can_write = tillater(request.tilgang, Handling.SKRIV)
    rows = []
    for d in distrikter:
        state = states.get(d.pk)
        egne = [v for v in varsler if v.distrikt_id == d.pk]
        rows.append({
            "d": d, "state": state, "vertskommune": vertskommuner.get(d.kommune_id, ""),
            "er_vert": er_vertskommune(d),
            "grunner": _liten_grunner(state, navn_per_nummer, p) if state and state.liten else [],
            "varsler": [{"v": v, "tekst": Belastningsvarseltype(v.type).label,
                         "linjer": belastning_jobb.detalj_tekst(v.type, v.detaljer, navn)} for v in egne],
            "vaktplan_url": _url("legevakt:vaktplan", d.pk), "belastning_url": _url("legevakt:belastning", d.pk),
        })
    return render(request, "legevakt/oversikt.html", {
        "rows": rows, "dag": today, "can_write": can_write, "neste": request.get_full_path(),
        "antall_sma": sum(1 for r in rows if r["state"] and r["state"].liten),
        "antall_varsler": len(varsler),
    })


@require_POST
@kommune_page(Handling.SKRIV)
def varsel_sett(request, varsel_id: int):
    """Mark a flag seen (vertskommune only: a deltakerkommune gets 403). With htmx the flag's item
    is swapped in place; a plain form post returns to the page it came from."""
    varsel = get_object_or_404(belastning_jobb.varsel_list(), pk=varsel_id)
    varsel = belastning_jobb.mark_varsel_sett(varsel=varsel, av=request.user)
    item = {"v": varsel, "tekst": Belastningsvarseltype(varsel.type).label,
            "linjer": belastning_jobb.detalj_tekst(varsel.type, varsel.detaljer, belastning_jobb.lege_navn([varsel]))}
    if request.htmx:
        return render(request, "legevakt/jobb/_varsel.html", {"item": item, "can_write": True, "er_vert": True})
    messages.success(request, _("Varselet «%(tekst)s» er merket som sett.") % {"tekst": item["tekst"]})
    neste = request.POST.get("neste", "")
    if neste and url_has_allowed_host_and_scheme(neste, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(neste)
    return redirect("legevakt:oversikt")


# --- the grant ------------------------------------------------------------------------------------

class ArForm(forms.Form):
    ar = forms.TypedChoiceField(label=gettext_lazy("År"), coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ar"].choices = [(y, str(y)) for y in grant.ar_valg(timezone.localdate())]


def _valgt_ar(request):
    form = ArForm(request.GET or None)
    if form.is_bound:
        return form, (form.cleaned_data["ar"] if form.is_valid() else None)
    year = timezone.localdate().year
    form = ArForm(initial={"ar": year})
    return form, year


def _prioritet_tekst(k: grant.Tilskuddskommune, kriterier: grant.Kriterier) -> str:
    if kriterier.prioritet_kommuner is None:
        return str(_("Ingen prioriteringsregel dette året"))
    if k.distriktsstorrelse is None:
        return str(_("Ukjent (kommunens legevaktdistrikt er ikke registrert)"))
    if k.distriktsstorrelse <= 1:
        return str(_("Ja: egen legevakt"))
    if k.prioritet:
        return str(_("Ja: samarbeider med én annen kommune"))
    return str(_("Nei: samarbeider med %(antall)s andre kommuner") % {"antall": k.andre_kommuner})


@require_GET
@kommune_page(Handling.LES)
def tilskudd(request):
    form, year = _valgt_ar(request)
    context = {"form": form}
    if year is None:
        return render(request, "legevakt/tilskudd.html", context, status=400)
    data = grant.oversikt(year)
    k = data.kriterier
    context.update({
        "ar": year, "k": k,
        "klasser": ", ".join(str(c) for c in k.sentralitet),
        "oppfyller": [{"k": row, "prioritet": _prioritet_tekst(row, k)} for row in data.oppfyller],
        "ukjent": [{"k": row, "prioritet": _prioritet_tekst(row, k)} for row in data.ukjent_sentralitet],
        "antall_prioritet": sum(1 for row in data.oppfyller if row.prioritet),
        "csv_query": request.GET.urlencode(),
    })
    return render(request, "legevakt/tilskudd.html", context)


def _kriterium(row) -> str:
    return str(_("Ja")) if row["k"].sentralitetsklasse is not None else str(_("Ukjent sentralitet"))


CSV_KOLONNER: tuple[Kolonne, ...] = (
    Kolonne(gettext_lazy("Kommunenummer"), lambda r: r["k"].kommunenummer, 8),
    Kolonne(gettext_lazy("Kommune"), lambda r: r["k"].navn, 24),
    Kolonne(gettext_lazy("Fylke"), lambda r: r["k"].fylkesnavn, 20),
    Kolonne(gettext_lazy("Innbyggere"), lambda r: r["k"].innbyggere, 10),
    Kolonne(gettext_lazy("Innbyggertall per"), lambda r: r["k"].innbyggere_fra, 12),
    Kolonne(gettext_lazy("Sentralitetsklasse"), lambda r: r["k"].sentralitetsklasse, 8),
    Kolonne(gettext_lazy("Oppfyller kriteriene"), _kriterium, 14),
    Kolonne(gettext_lazy("Prioritet"), lambda r: r["prioritet"], 40),
)


@require_GET
@kommune_page(Handling.LES)
def tilskudd_csv(request):
    form, year = _valgt_ar(request)
    if year is None:
        errors = "; ".join(f"{name}: {' '.join(errs)}" for name, errs in form.errors.items())
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    data = grant.oversikt(year)
    rows = [{"k": row, "prioritet": _prioritet_tekst(row, data.kriterier)} for row in (*data.oppfyller, *data.ukjent_sentralitet)]
    return exports.csv_response(rows, filename=f"legevakttilskudd-{year}.csv", kolonner=CSV_KOLONNER)
