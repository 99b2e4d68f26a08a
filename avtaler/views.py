"""Pages for fastlegeavtaler: the register, one avtale with everything hanging on it, the actions
(each its own form page), the Helfo paperwork and the history.

Thin views: reads through avtaler.selectors, writes through avtaler.services, which apply the
rules and name them in their refusals; the views put those messages on the field they concern.
Reads need Handling.LES, writes (decisions included) Handling.SKRIV. Another kommune's objects
are not in the scoped selectors, so they answer 404.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from avtaler import forms, selectors, services
from avtaler.filters import FastlegeavtaleFilter
from avtaler.models import UTENFOR_TIMETAK, EndringStatus, Meldingsstatus, Meldingstype, Oppgaveform
from avtaler.selectors import AvtaleStatus
from core.exceptions import StaleVersion
from core.history import history_for
from kommune import regler
from kommune import selectors as kommune_selectors
from kommune.decorators import kommune_page
from kommune.permissions import Handling, tillater


def _kommune(request):
    return kommune_selectors.get_kommune_by_id(request.tilgang.kommune_id)


def _can_write(request) -> bool:
    return tillater(request.tilgang, Handling.SKRIV)


def _detail_url(avtale, anchor: str = "") -> str:
    return reverse("avtaler:detalj", args=[avtale.pk]) + (f"#{anchor}" if anchor else "")


def _fmt(day: dt.date | None) -> str:
    return day.strftime("%d.%m.%Y") if day else ""


def _form_page(request, *, avtale, form, title, intro="", submit, template="avtaler/skjema.html", **extra):
    return render(request, template, {
        "avtale": avtale, "form": form, "title": title, "intro": intro, "submit": submit,
        "cancel_url": _detail_url(avtale) if avtale else reverse("avtaler:liste"), **extra,
    })


LIST_FILTER_FIELDS = ("sok", "pasientliste", "legekontor", "status", "tilknytningsform", "okonomisk_modell")


# --- the register ------------------------------------------------------------------------------------

@require_GET
@kommune_page(Handling.LES)
def avtale_liste(request):
    """The kommune's fastlegeavtaler, filtered with the API's FilterSet (list, status,
    tilknytningsform, office; search on the doctor's name). `?liste=<id>` is short for
    `?pasientliste=<id>`. Constant queries whatever the number of rows."""
    data = request.GET.copy()
    if data.get("liste") and not data.get("pasientliste"):
        data["pasientliste"] = data["liste"]
    filterset = FastlegeavtaleFilter(data or None, queryset=selectors.avtale_list(), request=request)
    status = 200
    if filterset.is_bound and not filterset.is_valid():
        avtaler, status = [], 400
    else:
        avtaler = list(filterset.qs)
    for avtale in avtaler:
        avtale.status_tekst = forms.STATUS_LABELS.get(avtale.status, avtale.status)
    form = filterset.form
    return render(request, "avtaler/liste.html", {
        "form": form, "fields": [form[name] for name in LIST_FILTER_FIELDS], "avtaler": avtaler,
        "can_write": _can_write(request),
    }, status=status)


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def avtale_ny(request):
    kommune = _kommune(request)
    liste = request.GET.get("liste", "")
    form = forms.AvtaleForm(request.POST or None, initial={"pasientliste": liste} if liste.isdigit() else {})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            avtale = services.create_avtale(
                kommune=kommune, lege=data["lege"], pasientliste=data["pasientliste"],
                tilknytningsform=data["tilknytningsform"], okonomisk_modell=data["okonomisk_modell"],
                startdato=data["startdato"], sluttdato=data["sluttdato"], listetak=data["listetak"],
                omfang_prosent=data["omfang_prosent"], apningstid=data["apningstid"], lokalisering=data["lokalisering"],
                utekontor=data["utekontor"], listetak_avtalt_over_grense=data["listetak_avtalt_over_grense"],
                godkjenning_under_500=data["godkjenning_under_500"],
            )
        except ValidationError as exc:
            forms.apply_service_error(form, exc)
        else:
            messages.success(request, _("Avtalen er registrert som utkast. Signer den for å gjøre legen til fastlege på listen."))
            return redirect(_detail_url(avtale))
    return _form_page(request, avtale=None, form=form, title=_("Ny fastlegeavtale"), submit=_("Registrer avtalen"),
                      intro=_("Avtalen registreres som utkast. Når den signeres, blir legen fastlege på listen fra "
                              "startdatoen, og en melding til Helfo lages."))


# --- one avtale ---------------------------------------------------------------------------------------

def _avtale(pk: int):
    return selectors.get_avtale(pk=pk)


def _slutt(avtale, aktiv_oppsigelse) -> dict:
    """When and why the avtale ends: notice, extension, or the 70th birthday (§ 12)."""
    limit = services.aldersgrense(avtale.lege, avtale.startdato)
    ends = services.effective_end(avtale)
    if aktiv_oppsigelse and aktiv_oppsigelse.virkning <= ends:
        grunn = _("%(type)s mottatt %(mottatt)s") % {
            "type": aktiv_oppsigelse.get_type_display(), "mottatt": _fmt(aktiv_oppsigelse.mottatt)}
    elif avtale.forlenget_til and ends == avtale.forlenget_til:
        grunn = _("tidsbegrenset forlengelse ut over 70 år")
    elif avtale.sluttdato and ends == avtale.sluttdato:
        grunn = _("tidsbegrenset avtale")
    else:
        grunn = _("legen fyller %(alder)d år (%(kilde)s)") % {
            "alder": regler.verdi("aldersgrense", avtale.startdato), "kilde": regler.kilde("aldersgrense", avtale.startdato)}
    return {
        "opphorer": ends, "grunn": grunn, "aldersgrense": limit,
        "ytre_aldersgrense": services.ytre_aldersgrense(avtale.lege),  # the rule in force when extending: today
    }


@require_GET
@kommune_page(Handling.LES)
def avtale_detalj(request, pk: int):
    avtale = _avtale(pk)
    today = timezone.localdate()
    endringer = list(selectors.listetak_endringer_for(avtale=avtale))
    oppsigelser = list(selectors.oppsigelser_for(avtale=avtale))
    aktiv_oppsigelse = next((o for o in oppsigelser if o.trukket is None), None)
    oppgaver = list(selectors.oppgaver_for(avtale=avtale))
    palagt = sum(
        (o.timer_per_uke for o in oppgaver
         if o.form == Oppgaveform.PALAGT and o.oppgavetype not in UTENFOR_TIMETAK and o.fra <= today and (o.til is None or o.til > today)),
        Decimal("0"),
    )
    vedtak = list(selectors.vedtak_list().filter(avtale=avtale))
    meldinger = list(selectors.helfomeldinger().filter(avtale=avtale))
    liste = avtale.pasientliste
    deler, deler_sum = [], 0
    if liste.er_fellesliste:
        deler = list(
            selectors.avtale_list().filter(pasientliste=liste, signert__isnull=False)
            .filter(status__in=[AvtaleStatus.AKTIV, AvtaleStatus.OPPSAGT])
        )
        deler_sum = sum(d.listetak for d in deler)
    return render(request, "avtaler/detalj.html", {
        "avtale": avtale, "status_tekst": forms.STATUS_LABELS.get(avtale.status, avtale.status),
        "slutt": _slutt(avtale, aktiv_oppsigelse) if avtale.signert else None,
        "endringer": endringer, "oppsigelser": oppsigelser, "aktiv_oppsigelse": aktiv_oppsigelse,
        "oppsigelse_melding": next((m for m in meldinger if m.type == Meldingstype.OPPSIGELSE), None),
        "oppgaver": oppgaver, "palagt": palagt, "palagt_grense": services.palagt_grense(avtale, today),
        "palagt_kilde": regler.kilde("palagt_timer_per_uke", today),
        "vedtak": vedtak, "meldinger": meldinger, "liste": liste, "deler": deler, "deler_sum": deler_sum,
        "fellesliste_kilde": regler.FELLESLISTE_KILDE, "registrert": EndringStatus.REGISTRERT,
        "can_write": _can_write(request), "kan_forlenges": avtale.signert and avtale.status in (AvtaleStatus.AKTIV,),
    })


@require_GET
@kommune_page(Handling.LES)
def avtale_historikk(request, pk: int):
    avtale = _avtale(pk)
    return render(request, "avtaler/historikk.html", {"avtale": avtale, "events": history_for(avtale)})


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def avtale_signer(request, pk: int):
    avtale = _avtale(pk)
    form = forms.SignForm(request.POST or None, initial={"versjon": avtale.versjon})
    if request.method == "POST" and form.is_valid():
        try:
            services.sign_avtale(avtale=avtale, expected_version=form.cleaned_data["versjon"], signert=form.cleaned_data["signert"],
                                 begrunnelse_over_100=form.cleaned_data["begrunnelse_over_100"])
        except StaleVersion as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            forms.apply_service_error(form, exc)
        else:
            messages.success(request, _("Avtalen er signert. Legen er fastlege på listen fra %(dato)s, og en melding til Helfo "
                                        "er laget.") % {"dato": _fmt(avtale.startdato)})
            return redirect(_detail_url(avtale, "helfo"))
    return _form_page(request, avtale=avtale, form=form, title=_("Signer fastlegeavtalen"), submit=_("Signer"),
                      intro=_("Når avtalen signeres, blir legen fastlege på listen fra startdatoen, listen får avtalens "
                              "listetak, og en utfylt melding til fastlegeregisteret (Helfo) lages."))


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def avtale_listetak(request, pk: int):
    avtale = _avtale(pk)
    form = forms.ListetakForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            endring = services.request_listetak_change(
                avtale=avtale, initiativ=data["initiativ"], mottatt=data["mottatt"], til_listetak=data["til_listetak"],
                trinn=data["trinn_liste"], kortere_frist_avtalt=data["kortere_frist_avtalt"], avtale_notat=data["avtale_notat"],
                godkjenning_under_500=data["godkjenning_under_500"],
            )
        except ValidationError as exc:
            forms.apply_service_error(form, exc, aliases={"listetak": "til_listetak", "avtale": "__all__"})
        else:
            messages.success(request, _("Listetaksendringen %(fra)d → %(til)d er registrert.") % {
                "fra": endring.fra_listetak, "til": endring.til_listetak})
            return redirect(_detail_url(avtale, "listetak"))
    return _form_page(
        request, avtale=avtale, form=form, title=_("Endre listetak"), submit=_("Registrer endringen"),
        template="avtaler/listetak.html",
        earliest=_("En reduksjon kan tidligst tre i kraft seks måneder etter at kravet er mottatt (%(kilde)s), med mindre "
                   "kortere frist er avtalt.") % {"kilde": regler.kilde("reduksjon_frist_maneder")},
    )


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def listetak_avslag(request, pk: int, endring_id: int):
    avtale = _avtale(pk)
    endring = get_object_or_404(selectors.listetak_endringer_for(avtale=avtale), pk=endring_id)
    form = forms.AvslagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.refuse_listetak_change(endring=endring, begrunnelse=form.cleaned_data["begrunnelse"],
                                            vedtaksdato=form.cleaned_data["vedtaksdato"])
        except ValidationError as exc:
            forms.apply_service_error(form, exc)
        else:
            messages.success(request, _("Avslaget er registrert som vedtak."))
            return redirect(_detail_url(avtale, "vedtak"))
    return _form_page(request, avtale=avtale, form=form, title=_("Avslå endring av listetak"), submit=_("Registrer avslaget"),
                      intro=_("Endring %(fra)d → %(til)d, mottatt %(dato)s. Et avslag er et enkeltvedtak som kan påklages "
                              "til statsforvalteren.") % {"fra": endring.fra_listetak, "til": endring.til_listetak,
                                                         "dato": _fmt(endring.mottatt)})


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def avtale_oppsigelse(request, pk: int):
    avtale = _avtale(pk)
    form = forms.OppsigelseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            oppsigelse = services.record_oppsigelse(
                avtale=avtale, part=data["part"], type=data["type"], mottatt=data["mottatt"], saklig_grunn=data["saklig_grunn"],
                mislighold=data["mislighold"], virkning=data["virkning"],
            )
        except ValidationError as exc:
            forms.apply_service_error(form, exc, aliases={"avtale": "__all__"})
        else:
            messages.success(request, _("Oppsigelsen er registrert. Avtalen opphører %(dato)s. E-posten til Helfo er klar.") % {
                "dato": _fmt(oppsigelse.virkning)})
            return redirect(_detail_url(avtale, "oppsigelse"))
    return _form_page(request, avtale=avtale, form=form, title=_("Registrer oppsigelse"), submit=_("Registrer oppsigelsen"),
                      intro=_("Næringsdrivende: seks måneders oppsigelsesfrist for begge parter; kommunens oppsigelse krever "
                              "saklig grunn, og heving krever vesentlig mislighold (%(kilde)s). Kommunalt ansatte følger "
                              "arbeidsrettslige regler.") % {"kilde": regler.kilde("oppsigelsesfrist_maneder")})


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def avtale_bortfall(request, pk: int):
    """The avtale falls away at once (death, final loss of autorisasjon): it ends, Helfo gets a
    message and the list's vacancy case opens."""
    avtale = _avtale(pk)
    form = forms.BortfallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_bortfall(avtale=avtale, arsak=form.cleaned_data["arsak"], dato=form.cleaned_data["dato"])
        except ValidationError as exc:
            forms.apply_service_error(form, exc, aliases={"avtale": "__all__"})
        else:
            messages.success(request, _("Bortfallet er registrert. Avtalen opphørte %(dato)s; e-posten til Helfo er klar, og "
                                        "listens ledighetssak er åpnet.") % {"dato": _fmt(form.cleaned_data["dato"])})
            return redirect(_detail_url(avtale, "helfo"))
    return _form_page(request, avtale=avtale, form=form, title=_("Registrer bortfall av avtalen"), submit=_("Registrer bortfallet"),
                      intro=_("Avtalen faller bort straks når legen dør, eller når tap av autorisasjon er endelig "
                              "(fastlegeforskriften § 12). Avtalen og fastlegeperioden avsluttes på datoen, en melding til "
                              "Helfo lages, og listens ledighetssak åpnes."))


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def avtale_forlengelse(request, pk: int):
    avtale = _avtale(pk)
    form = forms.ForlengelseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.extend_beyond_70(avtale=avtale, forlenget_til=data["forlenget_til"], begrunnelse=data["begrunnelse"],
                                      vedtaksdato=data["vedtaksdato"])
        except ValidationError as exc:
            forms.apply_service_error(form, exc)
        else:
            messages.success(request, _("Forlengelsen er registrert som vedtak. Avtalen opphører %(dato)s.") % {
                "dato": _fmt(data["forlenget_til"])})
            return redirect(_detail_url(avtale, "vedtak"))
    return _form_page(request, avtale=avtale, form=form, title=_("Forlengelse ut over 70 år"), submit=_("Registrer vedtaket"),
                      intro=_("Legen fyller 70 år %(sytti)s; avtalen kan forlenges tidsbegrenset, men ikke til etter %(atti)s "
                              "(%(kilde)s).") % {"sytti": _fmt(services.aldersgrense(avtale.lege)),
                                                 "atti": _fmt(services.ytre_aldersgrense(avtale.lege)),
                                                 "kilde": regler.kilde("aldersgrense_forlengelse_maks")})


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def oppgave_ny(request, pk: int):
    avtale = _avtale(pk)
    form = forms.OppgaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_kommunal_oppgave(
                avtale=avtale, oppgavetype=data["oppgavetype"], institusjon=data["institusjon"], timer_per_uke=data["timer_per_uke"],
                form=data["form"], lonnsgrunnlag=data["lonnsgrunnlag"], fra=data["fra"], til=data["til"],
                frivillig_avtale_forsokt=data["frivillig_avtale_forsokt"], frivillig_notat=data["frivillig_notat"],
            )
        except ValidationError as exc:
            forms.apply_service_error(form, exc)
        else:
            messages.success(request, _("Oppgaven er registrert."))
            return redirect(_detail_url(avtale, "oppgaver"))
    grense = services.palagt_grense(avtale)
    return _form_page(request, avtale=avtale, form=form, title=_("Ny kommunal oppgave (§ 32)"), submit=_("Registrer oppgaven"),
                      intro=_("Pålagte oppgaver kan til sammen være høyst %(grense)s timer per uke for denne legen "
                              "(7,5 ved full tid, forholdsmessig ved redusert åpningstid; %(kilde)s). Administrative møter "
                              "regnes med, dialogmøter og legevakt ikke. Flere timer kan avtales.") % {
                                  "grense": f"{grense:.2f}".replace(".", ","), "kilde": regler.kilde("palagt_timer_per_uke")})


@require_http_methods(["GET", "POST"])
@kommune_page(Handling.SKRIV)
def vedtak_klage(request, vedtak_id: int):
    vedtak = get_object_or_404(selectors.vedtak_list(), pk=vedtak_id)
    avtale = _avtale(vedtak.avtale_id)
    form = forms.KlageForm(request.POST or None, initial={
        "versjon": vedtak.versjon, "klagestatus": vedtak.klagestatus, "klage_mottatt": vedtak.klage_mottatt,
        "klage_avgjort": vedtak.klage_avgjort})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_klagestatus(vedtak=vedtak, expected_version=data["versjon"], klagestatus=data["klagestatus"],
                                        klage_mottatt=data["klage_mottatt"], klage_avgjort=data["klage_avgjort"])
        except StaleVersion as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            forms.apply_service_error(form, exc)
        else:
            messages.success(request, _("Klagestatusen er oppdatert."))
            return redirect(_detail_url(avtale, "vedtak"))
    return _form_page(request, avtale=avtale, form=form, title=_("Klage på vedtak"), submit=_("Lagre klagestatus"),
                      intro=_("%(vedtak)s, vedtatt %(dato)s. Klage går til statsforvalteren.") % {
                          "vedtak": vedtak.get_type_display(), "dato": _fmt(vedtak.vedtaksdato)})


# --- Helfo ----------------------------------------------------------------------------------------------

@require_GET
@kommune_page(Handling.LES)
def helfo_liste(request):
    """The messages Helfo has not confirmed (what the national register may not show yet); all with ?alle=1."""
    alle = request.GET.get("alle") == "1"
    rows = selectors.helfomeldinger().select_related("avtale__pasientliste__legekontor")
    if not alle:
        rows = rows.exclude(status=Meldingsstatus.BEKREFTET)
    return render(request, "avtaler/helfo_liste.html", {"meldinger": list(rows), "alle": alle})


def _iso(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _skjema(innhold: dict) -> dict:
    """The stored content of the message, with its dates as dates (for display)."""
    avtale = dict(innhold.get("avtale") or {})
    avtale["startdato"], avtale["opphorer"] = _iso(avtale.get("startdato")), _iso(avtale.get("opphorer"))
    endring = innhold.get("listetak_endring")
    if endring:
        endring = {**endring, "mottatt": _iso(endring.get("mottatt")),
                   "trinn": [{**t, "gjelder_fra": _iso(t.get("gjelder_fra"))} for t in endring.get("trinn", [])]}
    oppsigelse = innhold.get("oppsigelse")
    if oppsigelse:
        oppsigelse = {**oppsigelse, "mottatt": _iso(oppsigelse.get("mottatt")), "opphorer": _iso(oppsigelse.get("opphorer"))}
    hjemmelshaver = dict(innhold.get("hjemmelshaver") or {})
    hjemmelshaver["fodselsdato"] = _iso(hjemmelshaver.get("fodselsdato"))
    return {
        "kommune": innhold.get("kommune") or {}, "hjemmelshaver": hjemmelshaver, "praksis": innhold.get("praksis") or {},
        "utekontor": innhold.get("utekontor", ""), "liste": innhold.get("liste") or {}, "avtale": avtale,
        "kompetanse": innhold.get("kompetanse") or {}, "listetak_endring": endring, "oppsigelse": oppsigelse,
    }


def _helfo_page(request, melding, *, sendt_form=None, bekreftet_form=None, status=200):
    """The message page; after a refused POST `melding` must be read again (a refused write may
    have changed the instance in memory)."""
    return render(request, "avtaler/helfo.html", {
        "melding": melding, "skjema": _skjema(melding.innhold or {}), "helfo_skjema": regler.HELFO_SKJEMA,
        "can_write": _can_write(request),
        "sendt_form": sendt_form or forms.HelfoSendtForm(initial={"versjon": melding.versjon}),
        "bekreftet_form": bekreftet_form or forms.HelfoBekreftetForm(initial={"versjon": melding.versjon}),
        "utkast": melding.status == Meldingsstatus.UTKAST, "sendt": melding.status == Meldingsstatus.SENDT,
    }, status=status)


def _melding(melding_id: int):
    return get_object_or_404(selectors.helfomeldinger().select_related("avtale__pasientliste__legekontor"), pk=melding_id)


@require_GET
@kommune_page(Handling.LES)
def helfo_melding(request, melding_id: int):
    """The printable «Melding til fastlegeregisteret (05-04.27)», as it was when it was made; for a
    notice also the e-mail text to Helfo."""
    return _helfo_page(request, _melding(melding_id))


@require_POST
@kommune_page(Handling.SKRIV)
def helfo_sendt(request, melding_id: int):
    melding = _melding(melding_id)
    form = forms.HelfoSendtForm(request.POST)
    if form.is_valid():
        try:
            services.mark_helfo_sent(melding=melding, expected_version=form.cleaned_data["versjon"], sendt=form.cleaned_data["sendt"])
        except StaleVersion as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            forms.apply_service_error(form, exc)
        else:
            messages.success(request, _("Meldingen er merket som sendt."))
            return redirect("avtaler:helfo", melding_id=melding.pk)
    return _helfo_page(request, _melding(melding_id), sendt_form=form)


@require_POST
@kommune_page(Handling.SKRIV)
def helfo_bekreftet(request, melding_id: int):
    melding = _melding(melding_id)
    form = forms.HelfoBekreftetForm(request.POST)
    if form.is_valid():
        try:
            services.mark_helfo_confirmed(melding=melding, expected_version=form.cleaned_data["versjon"],
                                          bekreftet=form.cleaned_data["bekreftet"])
        except StaleVersion as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            forms.apply_service_error(form, exc)
        else:
            messages.success(request, _("Meldingen er merket som bekreftet registrert av Helfo."))
            return redirect("avtaler:helfo", melding_id=melding.pk)
    return _helfo_page(request, _melding(melding_id), bekreftet_form=form)


# --- the landing-page panel ---------------------------------------------------------------------------

def panel_context(request, kommune) -> dict:
    """Counts for the kommune's landing page: avtaler by status and unconfirmed Helfo messages. Two queries."""
    counts = selectors.avtale_list().order_by().aggregate(
        aktive=Count("id", filter=Q(status=AvtaleStatus.AKTIV)),
        oppsagte=Count("id", filter=Q(status=AvtaleStatus.OPPSAGT)),
        utkast=Count("id", filter=Q(status=AvtaleStatus.UTKAST)),
    )
    ubekreftet = selectors.helfomeldinger().exclude(status=Meldingsstatus.BEKREFTET).order_by().count()
    return {**counts, "ubekreftet": ubekreftet}
