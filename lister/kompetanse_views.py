"""Pages for kompetanseforskriften § 4: the kommune's yearly report to statsforvalteren on its use
of the exceptions (page, CSV, XLSX), and the doctor page's section with the doctor's § 4 status
(registered with kommune.lege_views' registry from lister.kompetanse.ready()).

Thin views over lister.kompetanse. Reading needs Handling.LES.
"""

from __future__ import annotations

from django import forms
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from kommune import regler
from kommune.decorators import kommune_page
from kommune.lege_views import LegeSeksjon
from kommune.models import KOMPETANSESTATUS
from kommune.permissions import Handling
from lister import kompetanse, kompetanse_exports


class RapportArForm(forms.Form):
    """The report year (?ar=); unbound: last year."""

    ar = forms.IntegerField(label=gettext_lazy("År"), help_text=gettext_lazy(
        "Rapporten for et år skal være hos statsforvalteren innen 31. mars året etter."))

    def __init__(self, data=None, **kwargs):
        data = data.copy() if data is not None else {}
        if not data.get("ar"):
            data["ar"] = str(kompetanse.standard_rapport_ar())
        super().__init__(data, **kwargs)

    def clean_ar(self):
        ar = self.cleaned_data["ar"]
        years = kompetanse.rapport_ar_gyldige()
        if ar not in years:
            raise forms.ValidationError(_("Velg et år fra %(fra)d til %(til)d.") % {"fra": years.start, "til": years.stop - 1},
                                        code="ugyldig_ar")
        return ar


def _rapport(request):
    form = RapportArForm(request.GET)
    if not form.is_valid():
        return form, None
    return form, kompetanse.kompetanserapport(kommune_id=request.tilgang.kommune_id, ar=form.cleaned_data["ar"])


def _filename(request, rapport, suffix: str) -> str:
    return f"kompetanseunntak-{request.tilgang.kommune.kommunenummer}-{rapport.ar}.{suffix}"


@require_GET
@kommune_page(Handling.LES)
def kompetanserapport(request):
    """The kommune's use of the § 4 exceptions in a year, with the rule, the interpretation note,
    the due date and links to the CSV and XLSX of the same year."""
    form, rapport = _rapport(request)
    return render(request, "lister/kompetanse/rapport.html", {
        "form": form, "rapport": rapport, "regel": kompetanse.regel_tekst(), "tolkning": kompetanse.tolkning(),
        "plikt_siste_ar": regler.verdi("kompetanse_rapport_siste_ar"),
    }, status=200 if rapport is not None else 400)


def _export(request, respond):
    form, rapport = _rapport(request)
    if rapport is None:
        return render(request, "lister/kompetanse/rapport.html", {
            "form": form, "rapport": None, "regel": kompetanse.regel_tekst(), "tolkning": kompetanse.tolkning()}, status=400)
    return respond(rapport)


@require_GET
@kommune_page(Handling.LES)
def kompetanserapport_csv(request):
    return _export(request, lambda rapport: kompetanse_exports.csv_response(rapport, filename=_filename(request, rapport, "csv")))


@require_GET
@kommune_page(Handling.LES)
def kompetanserapport_xlsx(request):
    return _export(request, lambda rapport: kompetanse_exports.xlsx_response(
        rapport, filename=_filename(request, rapport, "xlsx"), title=_("Unntak § 4 %(ar)d") % {"ar": rapport.ar}))


# --- the doctor page's section ----------------------------------------------------------------------------

def lege_unntak_context(request, lege) -> dict:
    """The doctor's § 4 status today (one query)."""
    today = timezone.localdate()
    status = kompetanse.unntak_oversikt(lege_ids=[lege.pk], on=today).get(lege.pk)
    code = lege.kompetansestatus(today)
    return {
        "status": status, "kompetanse_tekst": KOMPETANSESTATUS[code], "i_unntak": code == "ingen", "today": today,
        "grenser": kompetanse.grenser(today), "tolkning": kompetanse.tolkning(today), "horisont_ar": kompetanse.OVERSIKT_HORISONT_AR,
    }


LEGE_UNNTAK = LegeSeksjon(
    key="lister.kompetanseunntak",
    title=gettext_lazy("Unntak fra kompetansekravet (kompetanseforskriften § 4)"),
    template="lister/kompetanse/_lege_unntak.html",
    context=lege_unntak_context,
    order=15,
)
