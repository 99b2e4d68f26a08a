"""Forms for the ALIS pages. They parse input only: the rules (at least 50 %, signing before start,
the underlying relationship, the grant's conditions, the supervision month) are applied by
avtaler.alis_services, whose refusals the views put on the field they concern
(`avtaler.forms.apply_service_error`), so the pages and the API refuse the same input with the
same message."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from avtaler import selectors
from avtaler.forms import LegeChoiceField, VersionedForm, date_field, text_area
from avtaler.models import (
    AlisElementtype,
    AlisFinansiering,
    AlisRelasjon,
    AlisSluttarsak,
    Fravaerstype,
    Introduksjonsavtale,
    Tilskuddsstatus,
    Tjenestetype,
)
from kommune import selectors as kommune_selectors
from lister.models import Legeperiode, Rolle

# Which underlying relationship field each relasjon uses (the others are ignored).
RELASJON_FELT = {
    AlisRelasjon.FASTLEGE: "fastlegeavtale",
    AlisRelasjon.VIKAR: "vikarperiode",
    AlisRelasjon.INTRODUKSJONSLEGE: "introduksjonsavtale",
    AlisRelasjon.ANNEN: "stilling",
}
RELASJON_FELTER = ("fastlegeavtale", "vikarperiode", "introduksjonsavtale", "stilling", "stilling_til")


def _fmt(day: dt.date | None) -> str:
    return day.strftime("%d.%m.%Y") if day else "…"


class FastlegeavtaleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.lege.navn} – {obj.pasientliste} ({_('fra')} {_fmt(obj.startdato)})"


class VikarperiodeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.lege.navn} – {_('vikar på')} {obj.pasientliste} ({_fmt(obj.fra)}–{_fmt(obj.til)})"


class IntroduksjonsavtaleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.lege.navn} – {obj.legekontor.navn} ({_fmt(obj.startdato)}–{_fmt(obj.sluttdato)})"


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m")


def month_field(label, *, help_text="") -> forms.DateField:
    return forms.DateField(label=label, help_text=help_text, widget=MonthInput(), input_formats=["%Y-%m", "%Y-%m-%d"])


def hours_field(label, *, help_text="") -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=6, decimal_places=2, localize=True, initial=0, help_text=help_text)


class AlisavtaleForm(forms.Form):
    """A new ALIS-avtale (create_alisavtale). `relasjon` chooses which underlying relationship
    field is used; the others are ignored."""

    lege = LegeChoiceField(label=_("ALIS (legen i spesialisering)"), queryset=None)
    relasjon = forms.ChoiceField(label=_("Tilknytning"), choices=AlisRelasjon.choices, help_text=_(
        "Avtalen opphører av seg selv når det underliggende forholdet opphører (Helsedirektoratets mal)."))
    fastlegeavtale = FastlegeavtaleChoiceField(label=_("Fastlegeavtale (når legen er fastlege)"), queryset=None, required=False)
    vikarperiode = VikarperiodeChoiceField(
        label=_("Vikarperiode (når legen er fastlegevikar)"), queryset=None, required=False,
        help_text=_("Vikarperiodene på kommunens lister."))
    introduksjonsavtale = IntroduksjonsavtaleChoiceField(
        label=_("Introduksjonsavtale (når legen er introduksjonslege)"), queryset=None, required=False)
    stilling = forms.CharField(label=_("Stilling (annen kommunal lege)"), required=False, max_length=200)
    stilling_til = date_field(_("Stillingen opphører"), required=False, help_text=_(
        "Annen kommunal lege: første dag legen ikke lenger har stillingen, om den er tidsbegrenset."))
    arbeidssted = forms.CharField(label=_("Arbeidssted"), max_length=200)
    stillingsprosent = forms.IntegerField(label=_("Stillingsprosent"), help_text=_(
        "Skrives inn i avtalen; spesialisering krever minst 50 %."))
    signert = date_field(_("Signert"), initial=timezone.localdate, help_text=_(
        "Avtalen gjelder fra signering; tilskudd kan ikke kreves for tiden før."))
    startdato = date_field(_("Startdato"), required=False, help_text=_("Tom: signeringsdatoen."))
    veileder = LegeChoiceField(label=_("Veileder"), queryset=None, required=False, help_text=_(
        "Veilederen skal være spesialist i allmennmedisin."))
    veileder_unntak = forms.CharField(label=_("Helsedirektoratets unntak for veileder"), required=False, max_length=200, help_text=_(
        "Referanse til midlertidig unntak når veilederen ikke er spesialist (spesialistforskriften § 25)."))
    vikarbyra = forms.BooleanField(label=_("Ansatt i eller tilknyttet vikarbyrå eller annen kommersiell aktør"), required=False,
                                   help_text=_("Gir ikke rett til tilskudd (Nasjonal ALIS og veiledning)."))
    tilskuddsstatus = forms.ChoiceField(label=_("Tilskudd"), choices=Tilskuddsstatus.choices, initial=Tilskuddsstatus.IKKE_SOKT)
    tilskudd_avslatt = date_field(_("Tilskudd avslått"), required=False, help_text=_("Bare når tilskuddet er avslått."))
    utdanningsplan = text_area(_("Individuell utdanningsplan"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        leger = kommune_selectors.lege_list()
        self.fields["lege"].queryset = leger
        self.fields["veileder"].queryset = leger
        self.fields["fastlegeavtale"].queryset = selectors.avtale_list().filter(signert__isnull=False)
        self.fields["vikarperiode"].queryset = (
            Legeperiode.objects.filter(rolle=Rolle.VIKAR).select_related("lege", "pasientliste__legekontor").order_by("-fra", "id")
        )
        self.fields["introduksjonsavtale"].queryset = (
            Introduksjonsavtale.objects.select_related("lege", "legekontor").order_by("-startdato", "id")
        )

    GRUPPER = (
        (_("Parter og tilknytning"), ("lege", "relasjon")),
        (_("Det underliggende forholdet"), RELASJON_FELTER),
        (_("Avtalen"), ("arbeidssted", "stillingsprosent", "signert", "startdato", "utdanningsplan")),
        (_("Veileder"), ("veileder", "veileder_unntak")),
        (_("Tilskudd"), ("vikarbyra", "tilskuddsstatus", "tilskudd_avslatt")),
    )

    @property
    def grupper(self):
        return [(legend, [self[name] for name in names]) for legend, names in self.GRUPPER]

    def clean(self):
        data = super().clean()
        used = RELASJON_FELT.get(data.get("relasjon"))
        for name in RELASJON_FELTER:
            if name == "stilling_til" and used == "stilling":
                continue
            if name != used:
                data[name] = "" if name == "stilling" else None
        return data


class AlisEndreForm(VersionedForm):
    """The avtale's terms that change during it (update_alisavtale). The doctor, the relationship
    and the signing date do not."""

    arbeidssted = forms.CharField(label=_("Arbeidssted"), max_length=200)
    stillingsprosent = forms.IntegerField(label=_("Stillingsprosent"), help_text=_("Spesialisering krever minst 50 %."))
    stilling = forms.CharField(label=_("Stilling (annen kommunal lege)"), required=False, max_length=200)
    stilling_til = date_field(_("Stillingen opphører"), required=False)
    veileder = LegeChoiceField(label=_("Veileder"), queryset=None, required=False)
    veileder_unntak = forms.CharField(label=_("Helsedirektoratets unntak for veileder"), required=False, max_length=200)
    vikarbyra = forms.BooleanField(label=_("Ansatt i eller tilknyttet vikarbyrå eller annen kommersiell aktør"), required=False)
    utdanningsplan = text_area(_("Individuell utdanningsplan"))

    FIELDS = ("arbeidssted", "stillingsprosent", "stilling", "stilling_til", "veileder", "veileder_unntak", "vikarbyra",
              "utdanningsplan")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["veileder"].queryset = kommune_selectors.lege_list()

    def changes(self, avtale) -> dict:
        """Only what changed (the history then shows what the person did)."""
        return {name: self.cleaned_data[name] for name in self.FIELDS if self.cleaned_data[name] != getattr(avtale, name)}


class AlisAvsluttForm(VersionedForm):
    sluttdato = date_field(_("Opphører"), help_text=_("Første dag avtalen ikke gjelder."))
    sluttarsak = forms.ChoiceField(label=_("Sluttårsak"), choices=AlisSluttarsak.choices)


class TilskuddForm(VersionedForm):
    tilskuddsstatus = forms.ChoiceField(label=_("Tilskudd (Nasjonal ALIS og veiledning)"), choices=Tilskuddsstatus.choices)
    tilskudd_avslatt = date_field(_("Tilskudd avslått"), required=False, help_text=_(
        "Datoen avslaget gjelder fra. Avtalen opphører når tilskudd ikke gis (Helsedirektoratets mal)."))


class ElementForm(forms.Form):
    element = forms.ChoiceField(label=_("Element"), choices=AlisElementtype.choices)
    finansiering = forms.ChoiceField(label=_("Finansiering"), choices=AlisFinansiering.choices)
    fra = date_field(_("Fra"))
    til = date_field(_("Opphører"), required=False, help_text=_("Første dag elementet ikke gjelder. Tom: til avtalen opphører."))
    beskrivelse = forms.CharField(label=_("Beskrivelse"), required=False, max_length=300)


class ElementSluttForm(VersionedForm):
    til = date_field(_("Opphører"), help_text=_("Første dag elementet ikke gjelder."))


class FravaerForm(forms.Form):
    type = forms.ChoiceField(label=_("Fraværstype"), choices=Fravaerstype.choices)
    fra = date_field(_("Fra"))
    til = date_field(_("Tilbake"), help_text=_("Første dag legen er tilbake. Lovfestet fravær forlenger avtalen dag for dag."))


class TjenesteForm(forms.Form):
    type = forms.ChoiceField(label=_("Tjenestetype"), choices=Tjenestetype.choices)
    sted = forms.CharField(label=_("Tjenestested"), max_length=200)
    utenfor_kommunen = forms.BooleanField(label=_("Utenfor kommunen"), required=False, help_text=_(
        "Institusjonstjeneste utenfor kommunen dekkes ikke av ALIS-avtalen (ikke tilskudd)."))
    stillingsprosent = forms.IntegerField(label=_("Stillingsprosent"), help_text=_("Tjeneste teller bare i minst 50 % stilling."))
    fra = date_field(_("Fra"))
    til = date_field(_("Opphører"), help_text=_("Første dag etter tjenesten."))


class VeiledningForm(forms.Form):
    maned = month_field(_("Måned"), help_text=_("Er måneden registrert fra før, erstattes timene."))
    individuelle_timer = hours_field(_("Individuell veiledning (timer)"))
    gruppetimer = hours_field(_("Gruppeveiledning (timer)"))
    merknad = forms.CharField(label=_("Merknad"), required=False, max_length=300)


def last_refusjon_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last complete refusjon period of Nasjonal ALIS og veiledning: 1 September to 31 May
    (both days included, as in the claim)."""
    today = today or timezone.localdate()
    year = today.year if today >= dt.date(today.year, 6, 1) else today.year - 1
    return dt.date(year - 1, 9, 1), dt.date(year, 5, 31)


class GrunnlagForm(forms.Form):
    """The claim period of the grant basis (both days included, as in the claim). Unbound fields
    get the last complete refusjon period."""

    fra = date_field(_("Fra og med"))
    til = date_field(_("Til og med"), help_text=_("Refusjonsperioden er 1. september–31. mai."))

    def __init__(self, data=None, **kwargs):
        fra, til = last_refusjon_period()
        data = data.copy() if data is not None else {}
        data.setdefault("fra", fra.isoformat())
        data.setdefault("til", til.isoformat())
        super().__init__(data, **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("fra") and data.get("til") and data["til"] < data["fra"]:
            self.add_error("til", _("Perioden må slutte etter at den begynner."))
        return data


class SatsForm(forms.Form):
    element = forms.ChoiceField(label=_("Element"), choices=AlisElementtype.choices)
    relasjon = forms.ChoiceField(label=_("Gjelder tilknytning"), required=False,
                                 choices=[("", _("Alle tilknytninger")), *AlisRelasjon.choices])
    gyldig_fra = date_field(_("Gyldig fra"))
    manedsbelop = forms.DecimalField(label=_("Beløp per måned ved full stilling (kr)"), max_digits=12, decimal_places=2,
                                     localize=True)
    kilde = forms.CharField(label=_("Kilde"), required=False, max_length=300, help_text=_(
        "For eksempel Helsedirektoratets regelverk for året."))

    FIELDS = ("element", "relasjon", "gyldig_fra", "manedsbelop", "kilde")


class SatsEndreForm(VersionedForm, SatsForm):
    def changes(self, sats) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS if self.cleaned_data[name] != getattr(sats, name)}

