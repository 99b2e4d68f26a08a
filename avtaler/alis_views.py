"""Pages for ALIS-avtaler: the overview with every ALIS doctor's progress and next shortfall, one
avtale with everything hanging on it, the actions (each its own form page), the grant claim basis
with its CSV/XLSX exports, the kommune's table of grant rates, and the history.

Thin views: reads through avtaler.alis_selectors, writes through avtaler.alis_services, which
apply the rules and name them in their refusals; the views put those messages on the field they
concern. Reads need Handling.LES, writes Handling.SKRIV. Another kommune's objects are not in the
scoped selectors, so they answer 404.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from avtaler import alis_exports, alis_forms, alis_selectors, alis_services
from avtaler.alis_filters import AlisavtaleFilter
from avtaler.alis_selectors import STATUS_TEKST, AlisStatus
from avtaler.forms import apply_service_error
from avtaler.models import Tjenestetype
from core.exceptions import StaleVersion
from core.history import history_for
from kommune import regler
from kommune import selectors as kommune_selectors
from kommune.decorators import kommune_page
from kommune.lege_views import LegeSeksjon, register_seksjon
from kommune.permissions import Handling, kan_se_helseopplysninger, tillater

# A shortfall whose frist is this close is "soon" on the overview.
SNART_DAGER = 90
LIST_FILTER_FIELDS = ("sok", "status", "relasjon", "tilskuddsstatus")


def _kommune(request):
    return kommune_selectors.get_kommune_by_id(request.tilgang.kommune_id)


def _can_write(request) -> bool:
    return tillater(request.tilgang, Handling.SKRIV)


def _detail_url(avtale, anchor: str = "") -> str:
    return reverse("avtaler:alis_detalj", args=[avtale.pk]) + (f"#{anchor}" if anchor else "")


def _fmt(day: dt.date | None) -> str:
    return day.strftime("%d.%m.%Y") if day else ""


def _status(avtale, progresjon, today: dt.date) -> str:
    if avtale.startdato > today:
        return AlisStatus.KOMMENDE
    if progresjon.opphorer is not None and progresjon.opphorer <= today:
        return AlisStatus.OPPHORT
    return AlisStatus.AKTIV


def _urgency(mangel, today: dt.date) -> str:
    """"forfalt" (the frist has passed), "snart" (within SNART_DAGER) or ""."""
    if mangel is None:
        return ""
    if mangel.frist < today:
        return "forfalt"
    if mangel.frist <= today + dt.timedelta(days=SNART_DAGER):
        return "snart"
    return ""


def _summary(avtale, progresjon, today: dt.date) -> dict:
    """What the overview and the doctor page show of one avtale's progress."""
    status = _status(avtale, progresjon, today)
    mangel = progresjon.neste_mangel
    return {
        "avtale": avtale, "p": progresjon, "status": status, "status_tekst": STATUS_TEKST[status],
        "opphorsgrunn": alis_selectors.opphorsgrunn_tekst(progresjon.opphorsgrunn) if progresjon.opphorer else "",
        "apen": progresjon.tjenestetid(Tjenestetype.APEN_USELEKTERT),
        "institusjon": progresjon.tjenestetid(Tjenestetype.INSTITUSJON),
        "ar": progresjon.inneverende_ar,
        "mangel": mangel, "haster": _urgency(mangel, today),
    }


def _form_page(request, *, avtale, form, title, intro="", submit, cancel_url=None, template="avtaler/alis/skjema.html",
               status=200, **extra):
    return render(request, template, {
        "avtale": avtale, "form": form, "title": title, "intro": intro, "submit": submit,
        "cancel_url": cancel_url or (_detail_url(avtale) if avtale else reverse("avtaler:alis_liste")), **extra,
    }, status=status)


# --- the overview --------------------------------------------------------------------------------

@require_GET
@kommune_page(Handling.LES)
def alis_liste(request):
    """Every ALIS-avtale of the kommune with its derived end, progress and next shortfall,
    filtered with the API's FilterSet. Constant queries whatever the number of rows."""
    filterset = AlisavtaleFilter(request.GET or None, queryset=alis_selectors.alisavtale_list(), request=request)
    status = 200
    if filterset.is_bound and not filterset.is_valid():
        avtaler, status = [], 400
    else:
        avtaler = list(filterset.qs)
    today = timezone.localdate()
    progresjon = alis_selectors.progresjon_for(avtaler, on=today)
    rows = [_summary(avtale, progresjon[avtale.pk], today) for avtale in avtaler]
    form = filterset.form
    return render(request, "avtaler/alis/liste.html", {
        "form": form, "fields": [form[name] for name in LIST_FILTER_FIELDS], "rows": rows, "today": today,
        "can_write": _can_write(request), "snart_dager": SNART_DAGER,
        "forfalt": sum(1 for r in rows if r["haster"] == "forfalt"), "snart": sum(1 for r in rows if r["haster"] == "snart"),
        "kilde_veiledning": regler.kilde("alis_veiledning_timer_per_maned", today),
    }, status=status)


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def alis_ny(request):
    form = alis_forms.AlisavtaleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            avtale = alis_services.create_alisavtale(
                kommune=_kommune(request), lege=data["lege"], relasjon=data["relasjon"], arbeidssted=data["arbeidssted"],
                stillingsprosent=data["stillingsprosent"], signert=data["signert"], startdato=data["startdato"],
                fastlegeavtale=data["fastlegeavtale"], vikarperiode=data["vikarperiode"],
                introduksjonsavtale=data["introduksjonsavtale"], stilling=data["stilling"], stilling_til=data["stilling_til"],
                veileder=data["veileder"], veileder_unntak=data["veileder_unntak"], vikarbyra=data["vikarbyra"],
                tilskuddsstatus=data["tilskuddsstatus"], tilskudd_avslatt=data["tilskudd_avslatt"],
                utdanningsplan=data["utdanningsplan"],
            )
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("ALIS-avtalen med %(lege)s er registrert.") % {"lege": avtale.lege.navn})
            return redirect(_detail_url(avtale))
    return _form_page(
        request, avtale=None, form=form, title=_("Ny ALIS-avtale"), submit=_("Registrer avtalen"),
        template="avtaler/alis/ny.html",
        intro=_("Avtalen følger Helsedirektoratets mal og gjelder fra signering. Velg tilknytning, og deretter det "
                "underliggende forholdet: fastlegeavtale, vikarperiode, introduksjonsavtale eller stilling. ALIS-avtalen "
                "opphører av seg selv når det forholdet opphører."),
    )


# --- one avtale ------------------------------------------------------------------------------------

def _avtale(pk: int):
    return alis_selectors.get_alisavtale(pk=pk)


def _veiledning_per_ar(progresjon, rader: list, startdato: dt.date) -> list[dict]:
    """The months recorded, grouped by avtale-year, with each year's total and average over the
    supervision months of the year (10.5)."""
    months_per_year = Decimal(regler.verdi("alis_veiledningsmaneder_per_ar", startdato))
    years = []
    for year in progresjon.veiledningsar:
        months = [r for r in rader if year.fra <= max(r.maned, startdato) < year.til]
        snitt = year.snitt if year.snitt is not None else (year.timer / months_per_year).quantize(Decimal("0.01"), ROUND_HALF_UP)
        years.append({
            "ar": year, "maneder": months, "snitt": snitt, "gruppetimer": sum((r.gruppetimer for r in months), Decimal(0)),
            "til_og_med": year.til - dt.timedelta(days=1),
        })
    shown = {r.pk for y in years for r in y["maneder"]}
    rest = [r for r in rader if r.pk not in shown]  # e.g. months after the end, or in the future
    return years + ([{"ar": None, "maneder": rest, "snitt": None, "gruppetimer": sum((r.gruppetimer for r in rest), Decimal(0))}]
                    if rest else [])


@require_GET
@kommune_page(Handling.LES)
def alis_detalj(request, pk: int):
    avtale = _avtale(pk)
    today = timezone.localdate()
    elementer = list(alis_selectors.elementer_for(avtale=avtale))
    fravaer = list(alis_selectors.fravaer_for(avtale=avtale))
    for periode in fravaer:
        periode.dager = (periode.til - periode.fra).days
    tjeneste = list(alis_selectors.tjeneste_for(avtale=avtale))
    veiledning = list(alis_selectors.veiledning_for(avtale=avtale))
    progresjon = alis_selectors.progresjon(avtale, on=today)
    berettiget, grunner = alis_selectors.tilskudd_berettiget(avtale, on=today)
    summary = _summary(avtale, progresjon, today)
    return render(request, "avtaler/alis/detalj.html", {
        **summary, "today": today, "can_write": _can_write(request),
        "relasjon_slutt": alis_selectors.relasjon_slutt(avtale),
        "berettiget": berettiget, "grunner": grunner,
        "elementer": elementer, "fravaer": fravaer, "tjeneste": tjeneste,
        # The kind of absence (sick leave, parental leave) is health-related: the kommuneoverlege only.
        "vis_fravaerstype": kan_se_helseopplysninger(request.tilgang),
        "veiledningsar": _veiledning_per_ar(progresjon, veiledning, avtale.startdato),
        "veiledning_krav": regler.verdi("alis_veiledning_timer_per_maned", avtale.startdato),
        "veiledning_maneder": regler.verdi("alis_veiledningsmaneder_per_ar", avtale.startdato),
        "kilde_veiledning": regler.kilde("alis_veiledning_timer_per_maned", avtale.startdato),
        "kilde_gruppe": regler.kilde("alis_gruppeveiledning_timer", avtale.startdato),
        "kilde_varighet": regler.kilde("alis_varighet_ar", avtale.startdato),
        "lopende": summary["status"] != AlisStatus.OPPHORT,
    })


@require_GET
@kommune_page(Handling.LES)
def alis_historikk(request, pk: int):
    avtale = _avtale(pk)
    return render(request, "avtaler/alis/historikk.html", {"avtale": avtale, "events": history_for(avtale)})


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def alis_endre(request, pk: int):
    avtale = _avtale(pk)
    initial = {name: getattr(avtale, name) for name in alis_forms.AlisEndreForm.FIELDS}
    form = alis_forms.AlisEndreForm(request.POST or None, initial={**initial, "versjon": avtale.versjon})
    if request.method == "POST" and form.is_valid():
        try:
            alis_services.update_alisavtale(avtale=avtale, expected_version=form.cleaned_data["versjon"],
                                            **form.changes(avtale))
        except StaleVersion as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Avtalen er oppdatert."))
            return redirect(_detail_url(avtale))
    return _form_page(request, avtale=avtale, form=form, title=_("Endre ALIS-avtalen"), submit=_("Lagre endringene"),
                      intro=_("Legen, tilknytningen og signeringsdatoen endres ikke her. En ny veileder må være spesialist "
                              "i allmennmedisin, eller ha Helsedirektoratets unntak."))


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def alis_avslutt(request, pk: int):
    avtale = _avtale(pk)
    form = alis_forms.AlisAvsluttForm(request.POST or None, initial={"versjon": avtale.versjon})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            alis_services.end_alisavtale(avtale=avtale, expected_version=data["versjon"], sluttdato=data["sluttdato"],
                                         sluttarsak=data["sluttarsak"])
        except StaleVersion as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Avtalen er avsluttet; den opphører %(dato)s.") % {"dato": _fmt(data["sluttdato"])})
            return redirect(_detail_url(avtale))
    end, grunn = alis_selectors.opphorer(avtale)
    return _form_page(request, avtale=avtale, form=form, title=_("Avslutt ALIS-avtalen"), submit=_("Avslutt avtalen"),
                      intro=_("Uten avslutning opphører avtalen %(dato)s (%(grunn)s). Den kan ikke avsluttes senere enn det; "
                              "elementer som løper lenger, avsluttes samtidig.") % {
                          "dato": _fmt(end), "grunn": alis_selectors.opphorsgrunn_tekst(grunn).lower()})


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def alis_tilskuddsvedtak(request, pk: int):
    avtale = _avtale(pk)
    form = alis_forms.TilskuddForm(request.POST or None, initial={
        "versjon": avtale.versjon, "tilskuddsstatus": avtale.tilskuddsstatus, "tilskudd_avslatt": avtale.tilskudd_avslatt})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            alis_services.record_tilskudd(avtale=avtale, expected_version=data["versjon"],
                                          tilskuddsstatus=data["tilskuddsstatus"], tilskudd_avslatt=data["tilskudd_avslatt"])
        except StaleVersion as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Tilskuddsstatusen er registrert."))
            return redirect(_detail_url(avtale, "tilskudd"))
    berettiget, grunner = alis_selectors.tilskudd_berettiget(avtale)
    intro = _("Nasjonal ALIS og veiledning. Et avslag avslutter avtalen fra datoen avslaget gjelder (%(kilde)s).") % {
        "kilde": regler.ALIS_MAL}
    return _form_page(request, avtale=avtale, form=form, title=_("Tilskudd for ALIS-avtalen"), submit=_("Lagre tilskuddsstatus"),
                      intro=intro, grunner=[] if berettiget else grunner)


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def alis_element_ny(request, pk: int):
    avtale = _avtale(pk)
    form = alis_forms.ElementForm(request.POST or None, initial={"fra": max(avtale.startdato, timezone.localdate())})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            alis_services.add_alis_element(avtale=avtale, element=data["element"], finansiering=data["finansiering"],
                                           fra=data["fra"], til=data["til"], beskrivelse=data["beskrivelse"])
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Elementet er registrert."))
            return redirect(_detail_url(avtale, "elementer"))
    return _form_page(request, avtale=avtale, form=form, title=_("Nytt element i ALIS-avtalen"), submit=_("Registrer elementet"),
                      intro=_("Standardelementer gir statlig tilskudd; tilleggselementer gjelder kommuner med særskilte "
                              "rekrutteringsutfordringer; elementer kommunen finansierer selv, kreves ikke refundert."))


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def alis_element_avslutt(request, pk: int, element_id: int):
    avtale = _avtale(pk)
    element = get_object_or_404(alis_selectors.elementer_for(avtale=avtale), pk=element_id)
    form = alis_forms.ElementSluttForm(request.POST or None, initial={"versjon": element.versjon, "til": element.til})
    if request.method == "POST" and form.is_valid():
        try:
            alis_services.end_alis_element(element=element, expected_version=form.cleaned_data["versjon"],
                                           til=form.cleaned_data["til"])
        except StaleVersion as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Elementet er avsluttet."))
            return redirect(_detail_url(avtale, "elementer"))
    return _form_page(request, avtale=avtale, form=form, title=_("Avslutt elementet «%(element)s»") % {
        "element": element.get_element_display()}, submit=_("Avslutt elementet"),
        intro=_("%(finansiering)s, fra %(fra)s.") % {"finansiering": element.get_finansiering_display(), "fra": _fmt(element.fra)})


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def alis_fravaer_ny(request, pk: int):
    avtale = _avtale(pk)
    form = alis_forms.FravaerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            alis_services.add_alis_fravaer(avtale=avtale, type=data["type"], fra=data["fra"], til=data["til"])
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Fraværet er registrert; femårsgrensen er forlenget tilsvarende."))
            return redirect(_detail_url(avtale, "fravaer"))
    return _form_page(request, avtale=avtale, form=form, title=_("Registrer lovfestet fravær"), submit=_("Registrer fraværet"),
                      intro=_("Lovfestet fravær forlenger avtalens femårsgrense dag for dag (%(kilde)s).") % {
                          "kilde": regler.kilde("alis_varighet_ar", avtale.startdato)})


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def alis_fravaer_slett(request, pk: int, fravaer_id: int):
    avtale = _avtale(pk)
    fravaer = get_object_or_404(alis_selectors.fravaer_for(avtale=avtale), pk=fravaer_id)
    if request.method == "POST":
        alis_services.delete_alis_fravaer(fravaer=fravaer)
        messages.success(request, _("Fraværet er slettet."))
        return redirect(_detail_url(avtale, "fravaer"))
    return render(request, "avtaler/alis/slett_fravaer.html", {"avtale": avtale, "fravaer": fravaer,
                                                                "cancel_url": _detail_url(avtale, "fravaer")})


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def alis_tjeneste_ny(request, pk: int):
    avtale = _avtale(pk)
    form = alis_forms.TjenesteForm(request.POST or None, initial={"stillingsprosent": avtale.stillingsprosent})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            alis_services.add_alis_tjeneste(avtale=avtale, type=data["type"], sted=data["sted"],
                                            stillingsprosent=data["stillingsprosent"], fra=data["fra"], til=data["til"],
                                            utenfor_kommunen=data["utenfor_kommunen"])
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Tjenesteperioden er registrert."))
            return redirect(_detail_url(avtale, "tjeneste"))
    return _form_page(request, avtale=avtale, form=form, title=_("Registrer tjenestetid"), submit=_("Registrer perioden"),
                      intro=_("Spesialiseringen krever minst %(apen)d måneder i åpen uselektert allmennpraksis og minst "
                              "%(inst)d måneder institusjonstjeneste (%(kilde)s). Tjeneste i deltid teller forholdsmessig.") % {
                          "apen": regler.verdi("alis_apen_praksis_min_maneder", avtale.startdato),
                          "inst": regler.verdi("alis_institusjon_min_maneder", avtale.startdato),
                          "kilde": regler.kilde("alis_apen_praksis_min_maneder", avtale.startdato)})


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def alis_veiledning(request, pk: int):
    """Record a month's supervision (individual and group hours). A month recorded before is
    replaced; `?maned=YYYY-MM` opens it with its hours."""
    avtale = _avtale(pk)
    rader = list(alis_selectors.veiledning_for(avtale=avtale))
    initial = {"maned": alis_selectors.month_start(timezone.localdate())}
    wanted = _month(request.GET.get("maned"))
    if wanted:
        initial["maned"] = wanted.replace(day=1)
        existing = next((r for r in rader if r.maned == initial["maned"]), None)
        if existing:
            initial.update(individuelle_timer=existing.individuelle_timer, gruppetimer=existing.gruppetimer,
                           merknad=existing.merknad)
    form = alis_forms.VeiledningForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            alis_services.record_veiledning(avtale=avtale, maned=data["maned"], individuelle_timer=data["individuelle_timer"],
                                            gruppetimer=data["gruppetimer"], merknad=data["merknad"])
        except StaleVersion as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Veiledningen for %(maned)s er registrert.") % {"maned": data["maned"].strftime("%m.%Y")})
            return redirect(_detail_url(avtale, "veiledning"))
    return _form_page(
        request, avtale=avtale, form=form, title=_("Registrer veiledning for en måned"), submit=_("Lagre veiledningen"),
        template="avtaler/alis/veiledning.html", rader=rader,
        intro=_("Individuell veiledning: i snitt minst %(timer)s timer per måned i %(mnd)s måneder per år (%(kilde)s). "
                "Gruppeveiledning: %(gruppe)s timer over to år, hvorav %(apen)s i åpen uselektert praksis.") % {
            "timer": regler.verdi("alis_veiledning_timer_per_maned", avtale.startdato),
            "mnd": str(regler.verdi("alis_veiledningsmaneder_per_ar", avtale.startdato)).replace(".", ","),
            "kilde": regler.kilde("alis_veiledning_timer_per_maned", avtale.startdato),
            "gruppe": regler.verdi("alis_gruppeveiledning_timer", avtale.startdato),
            "apen": regler.verdi("alis_gruppeveiledning_apen_praksis_timer", avtale.startdato)},
    )


def _month(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return alis_forms.month_field("").clean(value)
    except ValidationError:
        return None


# --- the grant claim basis ------------------------------------------------------------------------------

def _grunnlag(request):
    form = alis_forms.GrunnlagForm(request.GET)
    if not form.is_valid():
        return form, None
    try:
        rows = alis_selectors.tilskuddsgrunnlag(fra=form.cleaned_data["fra"], til=form.cleaned_data["til"])
    except ValidationError as exc:
        apply_service_error(form, exc)
        return form, None
    return form, rows


def _export_name(request, form, suffix: str) -> str:
    data = form.cleaned_data
    return (f"alis-tilskuddsgrunnlag-{request.tilgang.kommune.kommunenummer}-{data['fra'].isoformat()}-"
            f"{data['til'].isoformat()}.{suffix}")


@require_GET
@kommune_page(Handling.LES)
def alis_tilskudd(request):
    """The basis of the refusjon claim (Nasjonal ALIS og veiledning) for a claim period, with
    totals and links to the CSV and XLSX of the same period."""
    form, rows = _grunnlag(request)
    totals = None
    if rows is not None:
        totals = {
            "belop": sum((r.total for r in rows), Decimal(0)),
            "maneder": sum((r.maneder for r in rows), Decimal(0)),
            "berettigede": sum(1 for r in rows if r.berettiget),
            "mangler_sats": any(e.mangler_sats for r in rows for e in r.elementer),
        }
    query = f"fra={form.cleaned_data['fra'].isoformat()}&til={form.cleaned_data['til'].isoformat()}" if rows is not None else ""
    return render(request, "avtaler/alis/tilskudd.html", {
        "form": form, "rows": rows, "totals": totals, "query": query, "can_write": _can_write(request),
        "kilde": regler.ALIS_TILSKUDD,
    }, status=200 if rows is not None else 400)


def _export(request, respond):
    form, rows = _grunnlag(request)
    if rows is None:
        return render(request, "avtaler/alis/tilskudd.html", {"form": form, "rows": None, "kilde": regler.ALIS_TILSKUDD},
                      status=400)
    return respond(form, rows)


@require_GET
@kommune_page(Handling.LES)
def alis_tilskudd_csv(request):
    return _export(request, lambda form, rows: alis_exports.grunnlag_csv_response(
        rows, filename=_export_name(request, form, "csv")))


@require_GET
@kommune_page(Handling.LES)
def alis_tilskudd_xlsx(request):
    return _export(request, lambda form, rows: alis_exports.grunnlag_xlsx_response(
        rows, filename=_export_name(request, form, "xlsx"), title=_("ALIS-tilskudd")))


# --- the kommune's rates ------------------------------------------------------------------------------

SATS_INTRO = gettext_lazy(
    "Kommunen vedlikeholder satsene selv. Helsedirektoratet fastsetter beløpene i regelverket for tilskuddsordningen "
    "Nasjonal ALIS og veiledning; de følger ikke med systemet. Et beløp gjelder per måned ved full stilling fra datoen "
    "det gjelder fra, for én tilknytning eller (tomt) alle. Tilskuddsgrunnlaget bruker satsen som gjelder den første "
    "dagen i hver måned."
)


@require_GET
@kommune_page(Handling.LES)
def alis_satser(request):
    return render(request, "avtaler/alis/satser.html", {
        "satser": list(alis_selectors.sats_list()), "can_write": _can_write(request), "intro": SATS_INTRO,
    })


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def alis_sats_ny(request):
    form = alis_forms.SatsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            alis_services.create_alis_sats(kommune=_kommune(request), **{name: data[name] for name in form.FIELDS})
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Satsen er registrert."))
            return redirect("avtaler:alis_satser")
    return _form_page(request, avtale=None, form=form, title=_("Ny tilskuddssats"), submit=_("Registrer satsen"),
                      intro=SATS_INTRO, cancel_url=reverse("avtaler:alis_satser"))


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def alis_sats_endre(request, sats_id: int):
    sats = get_object_or_404(alis_selectors.sats_list(), pk=sats_id)
    initial = {name: getattr(sats, name) for name in alis_forms.SatsEndreForm.FIELDS}
    form = alis_forms.SatsEndreForm(request.POST or None, initial={**initial, "versjon": sats.versjon})
    if request.method == "POST" and form.is_valid():
        try:
            alis_services.update_alis_sats(sats=sats, expected_version=form.cleaned_data["versjon"], **form.changes(sats))
        except StaleVersion as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Satsen er oppdatert."))
            return redirect("avtaler:alis_satser")
    return _form_page(request, avtale=None, form=form, title=_("Endre tilskuddssats"), submit=_("Lagre satsen"),
                      intro=SATS_INTRO, cancel_url=reverse("avtaler:alis_satser"))


# --- the doctor page's section (kommune.lege_views registry) --------------------------------------------

def lege_alis_context(request, lege) -> dict:
    """The doctor's ALIS-avtaler in this kommune with progress (a constant number of queries)."""
    today = timezone.localdate()
    avtaler = list(alis_selectors.alisavtale_list().filter(lege_id=lege.pk))
    progresjon = alis_selectors.progresjon_for(avtaler, on=today)
    return {"alis_rader": [_summary(a, progresjon[a.pk], today) for a in avtaler], "today": today}


LEGE_ALIS = LegeSeksjon(
    key="avtaler.alis",
    title=gettext_lazy("ALIS-avtaler"),
    template="avtaler/alis/_lege_alis.html",
    context=lege_alis_context,
    order=30,
)


def register_lege_seksjon() -> None:
    """Call from AvtalerConfig.ready(): the doctor page shows the doctor's ALIS-avtaler."""
    register_seksjon(LEGE_ALIS)
