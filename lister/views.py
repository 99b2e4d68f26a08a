"""Register pages: the kommune's lists (filter, search, sort, pages, CSV/XLSX export), a list's page
with its periods and monthly figures, creating and changing lists, adding a vikar, history; the
list-size history exports; the monthly import of list figures (upload, template, recent imports;
the job's own page is kommune.jobb_views); the offices; and the doctor page's section with the
doctor's periods (registered with kommune's section registry, since kommune must not import lister).

Thin views: every write goes through lister.services and every refusal is the service's message,
put on the form (the API refuses the same input with the same message).
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Q, QuerySet
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.exceptions import StaleVersion
from core.history import history_for
from kommune import bakgrunnsjobber, regler
from kommune import selectors as kommune_selectors
from kommune.bakgrunnsjobber import memory_only_uploads
from kommune.decorators import kommune_page
from kommune.lege_views import LegeSeksjon
from kommune.permissions import Handling, tillater
from lister import exports, listetall_import, selectors, services
from lister.filters import ListetallHistorikkFilter
from lister.forms import (
    STATUS_TEKST,
    EndreLegekontorForm,
    EndrePasientlisteForm,
    KontortidForm,
    LegekontorForm,
    ListetallForm,
    ListetallImportForm,
    NyPasientlisteForm,
    PasientlisteFilterForm,
    VikarperiodeForm,
    add_service_error,
)
from lister.models import Rolle, Ukedag
from lister.selectors import Status

PAGE_SIZE = 50
SOK_MAKS = 100

# --- filtering and sorting (one function, so the page can switch to lister.filters' FilterSet) ------

SORTERINGER: dict[str, str] = {
    "nr": "id",
    "kontor": "legekontor__navn",
    "navn": "navn",
    "fastleger": "fastleger",
    "vikarer": "vikarer",
    "listetak": "listetak",
    "listelengde": "listelengde",
    "ledige": "ledige_plasser",
    "venteliste": "venteliste",
    "status": "status",
}
STANDARD_SORTERING = "kontor"
_ID = re.compile(r"^[0-9]{1,18}$")


def _sortering(params) -> tuple[str, bool]:
    """The sort key and whether it is descending; unknown keys fall back to the office."""
    value = (params.get("sortering") or STANDARD_SORTERING).strip()
    key, descending = value.removeprefix("-"), value.startswith("-")
    if key not in SORTERINGER:
        return STANDARD_SORTERING, False
    return key, descending


def filter_pasientlister(queryset: QuerySet, params) -> QuerySet:
    """Filter, search and sort `selectors.pasientliste_list()` by the request's parameters:
    `sok` (doctor, office or list name; every word must match), `status` (apen/lukket/last/opphort),
    `legekontor` (id), `har_fastlege` (true/false), `sortering` (a key of SORTERINGER, "-" for
    descending). Invalid values are ignored, as a django-filter FilterSet's `.qs` does, so this can
    be replaced by `PasientlisteFilter(params, queryset).qs`."""
    sok = (params.get("sok") or "").strip()[:SOK_MAKS]
    for word in sok.split():
        queryset = queryset.filter(
            Q(navn__icontains=word) | Q(legekontor__navn__icontains=word)
            | Q(fastleger__icontains=word) | Q(vikarer__icontains=word) | Q(flo_id=word)
        )
    status = params.get("status")
    if status in STATUS_TEKST:
        queryset = queryset.filter(status=status)
    legekontor = params.get("legekontor") or ""
    if _ID.match(legekontor):
        queryset = queryset.filter(legekontor_id=int(legekontor))
    har_fastlege = params.get("har_fastlege")
    if har_fastlege in ("true", "false"):
        queryset = queryset.filter(har_fastlege=har_fastlege == "true")
    key, descending = _sortering(params)
    field = F(SORTERINGER[key])
    return queryset.order_by(field.desc(nulls_last=True) if descending else field.asc(nulls_last=True), "id")


# Columns of the register's table: (sort key, header, numeric).
KOLONNER = (
    ("nr", gettext_lazy("Nr."), True),
    ("kontor", gettext_lazy("Legekontor"), False),
    ("navn", gettext_lazy("Liste"), False),
    ("fastleger", gettext_lazy("Fastleger"), False),
    ("vikarer", gettext_lazy("Vikarer"), False),
    ("listetak", gettext_lazy("Listetak"), True),
    ("listelengde", gettext_lazy("Listelengde"), True),
    ("ledige", gettext_lazy("Ledige plasser"), True),
    ("venteliste", gettext_lazy("Venteliste"), True),
    ("status", gettext_lazy("Status"), False),
)


def _columns(params) -> list[dict]:
    current, descending = _sortering(params)
    columns = []
    for key, label, numeric in KOLONNER:
        active = key == current
        columns.append({
            "key": key, "label": label, "num": numeric,
            "aria_sort": ("descending" if descending else "ascending") if active else None,
            "sortering": f"-{key}" if active and not descending else key,
            "hint": _("sorter synkende") if active and not descending else _("sorter stigende"),
        })
    return columns


def ledige_visning(ledige: int | None) -> str:
    """Free places for people: a negative figure is written out with a real minus and explained."""
    if ledige is None:
        return "–"
    if ledige < 0:
        return _("−%(antall)s (over listetaket)") % {"antall": formats.number_format(-ledige, force_grouping=True)}
    return formats.number_format(ledige, force_grouping=True)


def _with_display(listes) -> list:
    rows = list(listes)
    for liste in rows:
        liste.ledige_visning = ledige_visning(liste.ledige_plasser)
        liste.status_tekst = STATUS_TEKST.get(liste.status, liste.status)
    return rows


def _definisjon() -> tuple[str, str]:
    """Helsedirektoratet's definition of free places, split into the quotation and its address."""
    text, _sep, url = regler.LEDIGE_PLASSER_DEFINISJON.partition(" https://")
    return text, (f"https://{url}" if url else "")


def _kommune(request):
    return kommune_selectors.get_kommune_by_id(request.tilgang.kommune_id)


def _can_write(request) -> bool:
    return tillater(request.tilgang, Handling.SKRIV)


# --- the register -------------------------------------------------------------------------------


@require_GET
@kommune_page(Handling.LES)
def register(request):
    kontor = list(selectors.legekontor_list())
    form = PasientlisteFilterForm(request.GET or None, kontor=kontor)
    form.is_valid()  # shows what was ignored; the filter itself skips invalid values
    lister = filter_pasientlister(selectors.pasientliste_list(), request.GET)
    page = Paginator(lister, PAGE_SIZE).get_page(request.GET.get("side"))
    definisjon, definisjon_url = _definisjon()
    return render(request, "lister/register.html", {
        "form": form,
        "page": page,
        "rows": _with_display(page.object_list),
        "columns": _columns(request.GET),
        "kapasitet": selectors.kapasitet(),
        "definisjon": definisjon,
        "definisjon_url": definisjon_url,
        "can_write": _can_write(request),
    })


def _export_name(request, suffix: str) -> str:
    return f"pasientlister-{request.tilgang.kommune.kommunenummer}-{timezone.localdate().isoformat()}.{suffix}"


@require_GET
@kommune_page(Handling.LES)
def eksport_csv(request):
    lister = filter_pasientlister(selectors.pasientliste_list(), request.GET)
    return exports.csv_response(lister, filename=_export_name(request, "csv"))


@require_GET
@kommune_page(Handling.LES)
def eksport_xlsx(request):
    lister = filter_pasientlister(selectors.pasientliste_list(), request.GET)
    return exports.xlsx_response(lister, filename=_export_name(request, "xlsx"), title=_("Pasientlister"))


# --- list-size history --------------------------------------------------------------------------------


def _historikk(request):
    return ListetallHistorikkFilter(request.GET, queryset=selectors.listetall_historikk()).qs


def _historikk_name(request, suffix: str) -> str:
    liste = request.GET.get("liste", "")
    del_liste = f"-liste{liste}" if _ID.match(liste) else ""
    return f"listetall-{request.tilgang.kommune.kommunenummer}{del_liste}-{timezone.localdate().isoformat()}.{suffix}"


@require_GET
@kommune_page(Handling.LES)
def listetall_csv(request):
    """The list-size history (every figure; `liste`, `fra`, `til` filter it) as CSV."""
    return exports.csv_response(_historikk(request), filename=_historikk_name(request, "csv"),
                                kolonner=exports.HISTORIKK_KOLONNER)


@require_GET
@kommune_page(Handling.LES)
def listetall_xlsx(request):
    return exports.xlsx_response(_historikk(request), filename=_historikk_name(request, "xlsx"), title=_("Listetall"),
                                 kolonner=exports.HISTORIKK_KOLONNER)


# --- the monthly import ---------------------------------------------------------------------------------

IMPORT_HISTORIKK = 10  # recent imports shown on the page


def _import_context(request, form) -> dict:
    jobber = list(bakgrunnsjobber.jobb_list(type=listetall_import.JOBBTYPE)[:IMPORT_HISTORIKK])
    names = kommune_selectors.actor_names({j.opprettet_av for j in jobber}) if jobber else {}
    for jobb in jobber:
        jobb.startet_av = names.get(jobb.opprettet_av, jobb.opprettet_av)
    return {
        "form": form,
        "jobber": jobber,
        "dato": timezone.localdate().replace(day=1),
        "maks_mb": listetall_import.MAKS_FILSTORRELSE // (1024 * 1024),
        "maks_antall": listetall_import.MAKS_ANTALL,
        "kilde": listetall_import.KILDE_MANEDLIG,
    }


@require_http_methods(["GET", "POST"])
@memory_only_uploads(listetall_import.MAKS_FILSTORRELSE)
@kommune_page(Handling.SKRIV)
def listetall_import_page(request):
    """Upload this month's figures: the file is checked (type, size, personal data, columns) and the
    import job started; the job's page shows its progress and every row's error."""
    if request.method == "POST":
        form = ListetallImportForm(request.POST, request.FILES, too_large=bool(request.upload_too_large))
        if form.is_valid():
            fil = form.cleaned_data["fil"]
            try:
                jobb = services.start_listetall_import(kommune=_kommune(request), data=fil.read(), filnavn=fil.name)
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                return redirect("kommune:jobb", jobb_id=jobb.pk)
    else:
        form = ListetallImportForm()
    return render(request, "lister/import.html", _import_context(request, form))


def _mal_name(request, suffix: str) -> str:
    return f"listetall-mal-{request.tilgang.kommune.kommunenummer}-{timezone.localdate().replace(day=1).isoformat()}.{suffix}"


def _mal_rows():
    day = timezone.localdate()
    return list(listetall_import.template_rows(selectors.lister_for_template(on=day), dato=day.replace(day=1)))


@require_GET
@kommune_page(Handling.LES)
def import_mal_csv(request):
    """The import template: the kommune's current lists, this month's date, empty figures."""
    return exports.csv_response(_mal_rows(), filename=_mal_name(request, "csv"), kolonner=exports.MAL_KOLONNER)


@require_GET
@kommune_page(Handling.LES)
def import_mal_xlsx(request):
    return exports.xlsx_response(_mal_rows(), filename=_mal_name(request, "xlsx"), title=_("Listetall"),
                                 kolonner=exports.MAL_KOLONNER)


# --- one list -------------------------------------------------------------------------------------


def _dager(arbeidsdager) -> str:
    """Weekdays Monday first (FLR numbers Sunday 0)."""
    return ", ".join(str(Ukedag(d).label) for d in sorted(arbeidsdager or (), key=lambda d: (d == 0, d)))


def _periods_for_display(perioder) -> list:
    today = timezone.localdate()
    rows = list(perioder)
    for periode in rows:
        periode.dager_tekst = _dager(periode.arbeidsdager)
        periode.aktiv = periode.fra <= today and (periode.til is None or periode.til > today)
    return rows


def _status_forklaring(liste) -> str:
    """Why the list has its status, citing the rule (fastlegeforskriften § 10)."""
    kilde = regler.LUKKET_LISTE_KILDE
    if liste.status == Status.OPPHORT:
        return _("Listen gjelder ikke på dagens dato.")
    if liste.status == Status.LAST:
        return _("Kommunen har låst listen for nye listeinnbyggere, uansett ledige plasser.")
    tall = {"kilde": kilde, "tak": formats.number_format(liste.listetak, force_grouping=True),
            "lengde": formats.number_format(liste.listelengde or 0, force_grouping=True)}
    if liste.status == Status.LUKKET:
        return _("Listelengden (%(lengde)s) har nådd listetaket (%(tak)s). En liste er lukket når antall "
                 "listeinnbyggere har nådd listetaket (%(kilde)s).") % tall
    if liste.listelengde is None:
        return _("Ingen listelengde er registrert ennå. En liste er lukket først når antall listeinnbyggere "
                 "har nådd listetaket (%(kilde)s).") % tall
    return _("Listelengden (%(lengde)s) er under listetaket (%(tak)s). En liste er lukket når antall "
             "listeinnbyggere har nådd listetaket (%(kilde)s).") % tall


CHART_MONTHS = 24


def _listetall_chart(figures: list, listetak: int) -> dict | None:
    """A line chart of the list length (and waiting list) over the last two years against the
    listetak: inline SVG coordinates; the table under it carries the same figures."""
    points = sorted(figures, key=lambda f: f.dato)[-CHART_MONTHS:]
    if len(points) < 2:
        return None
    width, height, left, top, bottom = 640, 220, 48, 12, 28
    top_value = max([listetak, *(p.listelengde + p.venteliste for p in points)]) * 1.1 or 1
    span = (points[-1].dato - points[0].dato).days or 1

    def x(day) -> float:
        return round(left + (width - left - 8) * (day - points[0].dato).days / span, 1)

    def y(value) -> float:
        return round(top + (height - top - bottom) * (1 - value / top_value), 1)

    return {
        "width": width, "height": height, "left": left, "baseline": height - bottom,
        "lengde": " ".join(f"{x(p.dato)},{y(p.listelengde)}" for p in points),
        "venteliste": " ".join(f"{x(p.dato)},{y(p.venteliste)}" for p in points),
        # Coordinates as text: the template would localise a float with a decimal comma.
        "listetak_y": str(y(listetak)), "listetak": listetak,
        "fra": points[0].dato, "til": points[-1].dato, "fra_x": left, "til_x": str(x(points[-1].dato)),
        "maks": int(top_value), "maks_y": top,
    }


def _detail_context(request, liste, listetall_form=None) -> dict:
    listetall = list(selectors.listetall_for(liste=liste))
    return {
        "liste": liste,
        "status_tekst": STATUS_TEKST.get(liste.status, liste.status),
        "status_forklaring": _status_forklaring(liste),
        "ledige_visning": ledige_visning(liste.ledige_plasser),
        "perioder": _periods_for_display(selectors.perioder_for(liste=liste)),
        "listetall": listetall,
        "chart": _listetall_chart(listetall, liste.listetak),
        "listetall_form": listetall_form or ListetallForm(initial={"dato": timezone.localdate().replace(day=1)}),
        "can_write": _can_write(request),
        "fastlege": Rolle.FASTLEGE,
    }


@require_GET
@kommune_page(Handling.LES)
def liste_detail(request, liste_id: int):
    liste = selectors.get_pasientliste(pk=liste_id)
    return render(request, "lister/detail.html", _detail_context(request, liste))


@require_POST
@kommune_page(Handling.SKRIV)
def listetall(request, liste_id: int):
    liste = selectors.get_pasientliste(pk=liste_id)
    form = ListetallForm(request.POST)
    if form.is_valid():
        try:
            services.record_listetall(liste=liste, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Listetallet for %(dato)s er registrert.") % {
                "dato": formats.date_format(form.cleaned_data["dato"], "j.n.Y")})
            return redirect("lister:liste", liste_id=liste.pk)
    return render(request, "lister/detail.html", _detail_context(request, liste, listetall_form=form))




@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def liste_ny(request):
    form = NyPasientlisteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            liste = services.create_pasientliste(
                kommune=_kommune(request), gyldig_fra=form.cleaned_data["gyldig_fra"], **form.service_arguments())
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Listen er opprettet."))
            return redirect("lister:liste", liste_id=liste.pk)
    return render(request, "lister/form.html", {
        "form": form, "title": _("Ny pasientliste"), "submit": _("Opprett listen"), "avbryt": "lister:register",
    })


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def liste_endre(request, liste_id: int):
    liste = selectors.get_pasientliste(pk=liste_id)
    form = EndrePasientlisteForm(request.POST or None, initial={
        "legekontor": liste.legekontor_id, "navn": liste.navn, "flo_id": liste.flo_id, "listetak": liste.listetak,
        "er_fellesliste": liste.er_fellesliste, "manuelt_last": liste.manuelt_last,
        "samarbeidskommuner": liste.samarbeidskommuner, "versjon": liste.versjon,
    })
    if request.method == "POST" and form.is_valid():
        try:
            services.update_pasientliste(liste=liste, expected_version=form.cleaned_data["versjon"], **form.service_arguments())
        except StaleVersion as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Endringene er lagret."))
            return redirect("lister:liste", liste_id=liste.pk)
    return render(request, "lister/form.html", {
        "form": form, "liste": liste, "title": _("Endre %(liste)s") % {"liste": liste}, "submit": _("Lagre"),
        "note": _("Listetaket kan endres her bare mens listen ikke har fastlege. Har listen fastlege, endres "
                  "listetaket gjennom fastlegeavtalen (fastlegeforskriften §§ 10–11)."),
    })


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def liste_vikar(request, liste_id: int):
    liste = selectors.get_pasientliste(pk=liste_id)
    form = VikarperiodeForm(request.POST or None, initial={"fra": timezone.localdate(), "stillingsprosent": 100})
    if request.method == "POST" and form.is_valid():
        try:
            services.add_legeperiode(liste=liste, rolle=Rolle.VIKAR, **form.service_arguments())
        except ValidationError as exc:
            if "begrunnelse_over_100" in getattr(exc, "error_dict", {}):
                form.show_reason()
            add_service_error(form, exc)
        else:
            messages.success(request, _("Vikarperioden er registrert."))
            return redirect("lister:liste", liste_id=liste.pk)
    return render(request, "lister/form.html", {
        "form": form, "liste": liste, "title": _("Legg til vikar på %(liste)s") % {"liste": liste},
        "submit": _("Registrer vikarperioden"),
        "note": _("En lege kan ha engasjementer på over 100 % til sammen (i alle kommuner). Det er tillatt, "
                  "men krever en begrunnelse, som du blir bedt om."),
    })


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def kontortid(request, periode_id: int):
    periode = get_object_or_404(selectors.periode_queryset(), pk=periode_id)
    form = KontortidForm(request.POST or None, initial={"kontortid_start": periode.kontortid_start,
                                                         "kontortid_slutt": periode.kontortid_slutt})
    if request.method == "POST" and form.is_valid():
        try:
            services.change_kontortid(periode=periode, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Kontortiden er endret."))
            return redirect("lister:liste", liste_id=periode.pasientliste_id)
    return render(request, "lister/form.html", {
        "form": form, "liste": periode.pasientliste,
        "title": _("Kontortid for %(lege)s på %(liste)s") % {"lege": periode.lege.navn, "liste": periode.pasientliste},
        "submit": _("Lagre kontortiden"),
        "note": _("Legevaktens hviletidskontroll regner kontortiden på arbeidsdagene som arbeid: en nattevakt som slutter "
                  "mindre enn åtte timer før kontortiden begynner, er et brudd på hviletiden (SFS 2305 § 7.4)."),
    })


@require_GET
@kommune_page(Handling.LES)
def liste_history(request, liste_id: int):
    liste = selectors.get_pasientliste(pk=liste_id)
    return render(request, "lister/history.html", {"liste": liste, "events": history_for(liste)})


# --- offices -----------------------------------------------------------------------------------------


@require_GET
@kommune_page(Handling.LES)
def legekontor_list(request):
    return render(request, "lister/legekontor_list.html", {
        "kontor": selectors.legekontor_list(), "can_write": _can_write(request),
    })


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def legekontor_ny(request):
    form = LegekontorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            kontor = services.create_legekontor(kommune=_kommune(request), **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Legekontoret «%(navn)s» er opprettet.") % {"navn": kontor.navn})
            return redirect("lister:legekontor")
    return render(request, "lister/form.html", {
        "form": form, "title": _("Nytt legekontor"), "submit": _("Opprett legekontoret"), "avbryt": "lister:legekontor",
    })


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def legekontor_endre(request, kontor_id: int):
    kontor = get_object_or_404(selectors.legekontor_list(), pk=kontor_id)
    initial = {name: getattr(kontor, name) for name in LegekontorForm.base_fields}
    form = EndreLegekontorForm(request.POST or None, initial={**initial, "versjon": kontor.versjon})
    if request.method == "POST" and form.is_valid():
        changes = {name: value for name, value in form.cleaned_data.items() if name != "versjon"}
        try:
            services.update_legekontor(legekontor=kontor, expected_version=form.cleaned_data["versjon"], **changes)
        except StaleVersion as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Legekontoret «%(navn)s» er lagret.") % {"navn": kontor.navn})
            return redirect("lister:legekontor")
    return render(request, "lister/form.html", {
        "form": form, "title": _("Endre %(navn)s") % {"navn": kontor.navn}, "submit": _("Lagre"), "avbryt": "lister:legekontor",
    })


# --- the doctor page's section (kommune.lege_views registry) --------------------------------------


def lege_perioder_context(request, lege) -> dict:
    """The doctor's periods on this kommune's lists (one query)."""
    return {"perioder": _periods_for_display(selectors.perioder_for_lege(lege_id=lege.pk)), "fastlege": Rolle.FASTLEGE}


LEGE_PERIODER = LegeSeksjon(
    key="lister.perioder",
    title=gettext_lazy("Perioder på kommunens lister"),
    template="lister/_lege_perioder.html",
    context=lege_perioder_context,
    order=10,
)
