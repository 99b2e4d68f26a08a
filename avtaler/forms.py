"""Forms for the fastlegeavtale pages. They parse input only: the rules (listetak §§ 10–11,
notice § 12, § 32 hours, …) are applied by avtaler.services, whose refusals the views put on the
field they concern (`apply_service_error`), so pages and the API refuse the same input with the
same message."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from avtaler.filters import AVTALESTATUS_CHOICES
from avtaler.models import (
    Initiativ,
    Klagestatus,
    Lonnsgrunnlag,
    OkonomiskModell,
    Oppgaveform,
    Oppgavetype,
    OppsigelseType,
    Part,
    Tilknytningsform,
)
from kommune import selectors as kommune_selectors
from lister import selectors as lister_selectors

TRINN_ROWS = 4

STATUS_LABELS = dict(AVTALESTATUS_CHOICES)


def apply_service_error(form: forms.Form, exc: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """Put a service's refusal on the form: each message on the field it names (or its alias in
    this form), the rest as general errors."""
    aliases = aliases or {}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        target = aliases.get(field, field)
        form.add_error(target if target in form.fields and target != NON_FIELD_ERRORS else None, errors)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def date_field(label, *, required: bool = True, help_text="", initial=None) -> forms.DateField:
    return forms.DateField(label=label, required=required, help_text=help_text, widget=DateInput(), initial=initial)


def text_area(label, *, required: bool = False, help_text="") -> forms.CharField:
    return forms.CharField(label=label, required=required, help_text=help_text, widget=forms.Textarea(attrs={"rows": 3}))


class LegeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.etternavn}, {obj.fornavn} (HPR {obj.hpr_nummer})"


class ListeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj} – {_('listetak')} {obj.listetak}" + (f" ({_('fellesliste')})" if obj.er_fellesliste else "")


class AvtaleForm(forms.Form):
    """A new fastlegeavtale (create_avtale)."""

    lege = LegeChoiceField(label=_("Lege"), queryset=None, help_text=_("Legen må være registrert i kommunen."))
    pasientliste = ListeChoiceField(label=_("Pasientliste"), queryset=None)
    tilknytningsform = forms.ChoiceField(label=_("Tilknytningsform"), choices=Tilknytningsform.choices)
    okonomisk_modell = forms.ChoiceField(label=_("Økonomisk modell"), choices=OkonomiskModell.choices)
    startdato = date_field(_("Startdato"))
    sluttdato = date_field(_("Opphører"), required=False, help_text=_(
        "Bare for en tidsbegrenset avtale: første dag avtalen ikke gjelder. Ellers løper avtalen til oppsigelse eller aldersgrensen."))
    listetak = forms.IntegerField(label=_("Listetak"), help_text=_(
        "1–2 500 (fastlegeforskriften § 10). På en fellesliste: legens del av listens listetak (§ 20)."))
    omfang_prosent = forms.IntegerField(label=_("Omfang i prosent av full tid"), initial=100, help_text=_(
        "Åpningstid (næringsdrivende) eller stillingsprosent (ansatt)."))
    apningstid = forms.CharField(label=_("Åpningstid"), required=False, max_length=300, help_text=_("For eksempel «man–fre 08–16»."))
    lokalisering = forms.CharField(label=_("Lokalisering"), required=False, max_length=300)
    utekontor = forms.CharField(label=_("Utekontor"), required=False, max_length=300)
    listetak_avtalt_over_grense = forms.BooleanField(
        label=_("Legen har avtalt listeansvar over grensen (kommunalt ansatte)"), required=False,
        help_text=_("Særavtalen SFS 2305 § 3.1: listeansvar over 1 500 ved full tid kan ikke pålegges, bare avtales."),
    )
    godkjenning_under_500 = text_area(
        _("Kommunens godkjenning av listetak under 500 — begrunnelse"),
        help_text=_("Et listetak under 500 må godkjennes av kommunen (fastlegeforskriften § 10). Begrunnelsen registreres som vedtak."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lege"].queryset = kommune_selectors.lege_list()
        self.fields["pasientliste"].queryset = lister_selectors.pasientliste_list()


class VersionedForm(forms.Form):
    """Carries the version the user saw (optimistic concurrency)."""

    versjon = forms.IntegerField(widget=forms.HiddenInput)


class SignForm(VersionedForm):
    signert = date_field(_("Signert"), initial=timezone.localdate)
    begrunnelse_over_100 = text_area(_("Begrunnelse for over 100 % engasjement"), help_text=_(
        "Bare når legens engasjementer til sammen blir over 100 % en dag."))


class ListetakForm(forms.Form):
    """A change of listetak (request_listetak_change)."""

    initiativ = forms.ChoiceField(label=_("Hvem endringen kommer fra"), choices=Initiativ.choices)
    mottatt = date_field(_("Krav eller avtale mottatt"), initial=timezone.localdate)
    til_listetak = forms.IntegerField(label=_("Nytt listetak"), help_text=_("1–2 500 (fastlegeforskriften § 10)."))
    kortere_frist_avtalt = forms.BooleanField(label=_("Kortere frist enn seks måneder er avtalt"), required=False, help_text=_(
        "Bare i særlige tilfeller, etter avtale mellom kommunen og legen (fastlegeforskriften § 11)."))
    avtale_notat = text_area(_("Hva som er avtalt"), help_text=_("Påkrevd når kortere frist er avtalt."))
    godkjenning_under_500 = text_area(_("Kommunens godkjenning av listetak under 500 — begrunnelse"), help_text=_(
        "Et listetak under 500 må godkjennes av kommunen (fastlegeforskriften § 10)."))
    # Where the service's refusals of the steps are shown (the steps are the trinn_N_* fields).
    trinn = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, TRINN_ROWS + 1):
            self.fields[f"trinn_{n}_dato"] = date_field(_("Trinn %(n)d: gjelder fra") % {"n": n}, required=False)
            self.fields[f"trinn_{n}_listetak"] = forms.IntegerField(label=_("Trinn %(n)d: listetak") % {"n": n}, required=False)

    @property
    def trinn_rader(self):
        return [(n, self[f"trinn_{n}_dato"], self[f"trinn_{n}_listetak"]) for n in range(1, TRINN_ROWS + 1)]

    @property
    def main_fields(self):
        return [self[name] for name in ("initiativ", "mottatt", "til_listetak")]

    @property
    def agreement_fields(self):
        return [self[name] for name in ("kortere_frist_avtalt", "avtale_notat", "godkjenning_under_500")]

    def clean(self):
        data = super().clean()
        steps = []
        for n in range(1, TRINN_ROWS + 1):
            day, value = data.get(f"trinn_{n}_dato"), data.get(f"trinn_{n}_listetak")
            if day is None and value is None:
                continue
            if day is None and f"trinn_{n}_dato" not in self.errors:
                self.add_error(f"trinn_{n}_dato", _("Oppgi datoen trinnet gjelder fra."))
            elif value is None and f"trinn_{n}_listetak" not in self.errors:
                self.add_error(f"trinn_{n}_listetak", _("Oppgi listetaket for trinnet."))
            elif day is not None and value is not None:
                steps.append((day, value))
        data["trinn_liste"] = steps
        return data


class AvslagForm(forms.Form):
    begrunnelse = text_area(_("Begrunnelse for avslaget"), required=True, help_text=_(
        "Vedtaket må begrunnes (forvaltningsloven § 24). Det kan påklages til statsforvalteren."))
    vedtaksdato = date_field(_("Vedtaksdato"), initial=timezone.localdate)


class OppsigelseForm(forms.Form):
    part = forms.ChoiceField(label=_("Sagt opp av"), choices=Part.choices)
    type = forms.ChoiceField(label=_("Type"), choices=OppsigelseType.choices)
    mottatt = date_field(_("Oppsigelsen mottatt eller gitt"), initial=timezone.localdate)
    saklig_grunn = text_area(_("Saklig grunn"), help_text=_(
        "Påkrevd når kommunen sier opp (fastlegeforskriften § 12, samme standard som arbeidsmiljøloven § 15-7)."))
    mislighold = text_area(_("Vesentlig mislighold"), help_text=_("Påkrevd ved heving (fastlegeforskriften § 12)."))
    virkning = date_field(_("Opphører"), required=False, help_text=_(
        "Næringsdrivende: beregnes (seks måneder, § 12); fyll inn bare en senere dato. "
        "Kommunalt ansatte: datoen arbeidsforholdet opphører etter arbeidsmiljøloven."))


class BortfallForm(forms.Form):
    arsak = forms.ChoiceField(label=_("Årsak"), choices=[
        ("dodsfall", _("Dødsfall")), ("autorisasjon", _("Tap av autorisasjon er endelig")),
    ])
    dato = date_field(_("Avtalen falt bort fra"), help_text=_(
        "Første dag avtalen ikke gjelder: dagen for dødsfallet, eller dagen tapet av autorisasjon ble endelig "
        "(fastlegeforskriften § 12)."))


class ForlengelseForm(forms.Form):
    forlenget_til = date_field(_("Forlenget til (opphører)"), help_text=_(
        "Tidsbegrenset avtale ut over 70 år, høyst til legen fyller 80 (fastlegeforskriften § 12)."))
    begrunnelse = text_area(_("Begrunnelse"), required=True)
    vedtaksdato = date_field(_("Vedtaksdato"), initial=timezone.localdate)


class OppgaveForm(forms.Form):
    oppgavetype = forms.ChoiceField(label=_("Oppgave"), choices=Oppgavetype.choices)
    institusjon = forms.CharField(label=_("Institusjon"), max_length=150, help_text=_("For eksempel «Fana helsestasjon»."))
    timer_per_uke = forms.DecimalField(label=_("Timer per uke"), max_digits=4, decimal_places=2, localize=True)
    form = forms.ChoiceField(label=_("Pålagt eller avtalt"), choices=Oppgaveform.choices)
    frivillig_avtale_forsokt = date_field(_("Frivillig avtale forsøkt"), required=False, help_text=_(
        "Før pålegg skal kommunen søke å inngå frivillig avtale (fastlegeforskriften § 32)."))
    frivillig_notat = text_area(_("Om forsøket på frivillig avtale"))
    lonnsgrunnlag = forms.ChoiceField(label=_("Godtgjøring"), choices=Lonnsgrunnlag.choices)
    fra = date_field(_("Fra"))
    til = date_field(_("Opphører"), required=False, help_text=_("Første dag oppgaven ikke gjelder."))


class KlageForm(VersionedForm):
    klagestatus = forms.ChoiceField(label=_("Klagestatus"), choices=Klagestatus.choices)
    klage_mottatt = date_field(_("Klage mottatt"), required=False)
    klage_avgjort = date_field(_("Klage avgjort"), required=False)


class HelfoSendtForm(VersionedForm):
    sendt = date_field(_("Sendt til Helfo"), initial=timezone.localdate)


class HelfoBekreftetForm(VersionedForm):
    bekreftet = date_field(_("Bekreftet registrert av Helfo"), initial=timezone.localdate)
