"""Forms for the vikar pages. They parse input only; the rules are lister.vikar_services' (so the
pages refuse the same input with the same message as the API). Numbers carry no range checks here
for that reason."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kommune.lege_forms import date_input
from kommune.models import Lege
from kommune.selectors import lege_list
from lister.forms import LegeChoiceField
from lister.models import Legeperiode, Oppdragsgiver, Tilgjengelighet, Ukedag, Vikar, Vikartilknytning
from lister.vikar_selectors import check_kandidatperiode

MERKNAD_HJELP = _("Praktiske opplysninger om vikaren. Ikke skriv helseopplysninger eller grunner til fravær her.")
OPPDRAGSGIVER_HJELP = _("Kommunen: kommunen engasjerer vikaren og betaler lønn (med i lønnsgrunnlaget). Fastlegen: en "
                        "næringsdrivende fastlege engasjerer vikaren og betaler vikaren privat; kommunen betaler ikke "
                        "lønn for perioden.")


def _label(model, name: str):
    return model._meta.get_field(name).verbose_name


def _help(model, name: str):
    return model._meta.get_field(name).help_text


# Monday first, as people read a week (FLR numbers Sunday 0).
UKEDAGER = sorted(Ukedag.choices, key=lambda choice: (choice[0] == 0, choice[0]))
HVERDAGER = [1, 2, 3, 4, 5]


class VikarForm(forms.Form):
    lege = LegeChoiceField(label=_("Lege"), queryset=Lege.objects.none(),
                           help_text=_("Legen må være registrert i kommunen (Leger). Kompetansen hentes derfra."))
    tilknytning = forms.ChoiceField(label=_label(Vikar, "tilknytning"), choices=Vikartilknytning.choices)
    vikarbyra = forms.CharField(label=_label(Vikar, "vikarbyra"), max_length=150, required=False,
                                help_text=_("Bare når vikaren kommer gjennom et vikarbyrå."))
    merknad = forms.CharField(label=_label(Vikar, "merknad"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=MERKNAD_HJELP)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lege"].queryset = lege_list()


class EndreVikarForm(forms.Form):
    tilknytning = forms.ChoiceField(label=_label(Vikar, "tilknytning"), choices=Vikartilknytning.choices)
    vikarbyra = forms.CharField(label=_label(Vikar, "vikarbyra"), max_length=150, required=False,
                                help_text=_("Bare når vikaren kommer gjennom et vikarbyrå."))
    merknad = forms.CharField(label=_label(Vikar, "merknad"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=MERKNAD_HJELP)
    aktiv = forms.BooleanField(label=_label(Vikar, "aktiv"), required=False,
                               help_text=_("En inaktiv vikar foreslås ikke ved tildeling, men beholdes med historikken."))
    versjon = forms.IntegerField(widget=forms.HiddenInput)


class TilgjengelighetForm(forms.Form):
    fra = forms.DateField(label=_("Fra"), widget=date_input())
    til = forms.DateField(label=_("Opphører"), widget=date_input(), required=False,
                          help_text=_help(Tilgjengelighet, "til") + " " + str(_("Tomt: inntil videre.")))
    stillingsprosent = forms.IntegerField(label=_label(Tilgjengelighet, "stillingsprosent"), initial=100, help_text=_("1–100."))
    merknad = forms.CharField(label=_label(Tilgjengelighet, "merknad"), max_length=300, required=False, help_text=MERKNAD_HJELP)


class EndreTilgjengelighetForm(TilgjengelighetForm):
    versjon = forms.IntegerField(widget=forms.HiddenInput)


class SlettForm(forms.Form):
    versjon = forms.IntegerField(widget=forms.HiddenInput)


class ArbeidsdagerField(forms.TypedMultipleChoiceField):
    """Weekday checkboxes; also accepts "1,2,3" in one value (links with ?arbeidsdager=1,2,3)."""

    def to_python(self, value):
        values = super().to_python(value)
        return [part.strip() for item in values for part in str(item).split(",") if part.strip()]


class TildelingForm(forms.Form):
    """Assigning a vikar to a list. `kompetanse_begrunnelse` exists only for the kommuneoverlege;
    `begrunnelse_over_100` is hidden until it is needed (the view shows it)."""

    fra = forms.DateField(label=_("Fra"), widget=date_input(), help_text=_("Første dag vikaren arbeider på listen."))
    til = forms.DateField(label=_("Opphører"), widget=date_input(),
                          help_text=_("Første dag perioden ikke gjelder (dagen etter siste arbeidsdag)."))
    stillingsprosent = forms.IntegerField(label=_label(Legeperiode, "stillingsprosent"), initial=100, help_text=_("1–100."))
    arbeidsdager = ArbeidsdagerField(
        label=_label(Legeperiode, "arbeidsdager"), choices=UKEDAGER, coerce=int, required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("Ingen valgt: ikke begrenset til bestemte ukedager."),
    )
    vikar_for = LegeChoiceField(label=_label(Legeperiode, "vikar_for"), queryset=Lege.objects.none(), required=False,
                                help_text=_("Fastlegen vikaren erstatter (for eksempel ved permisjon). Tomt: ubesatt liste."))
    lege = LegeChoiceField(label=_("Vikar"), queryset=Lege.objects.none(), required=False,
                           help_text=_("Forslaget øverst i rangeringen er valgt på forhånd."))
    oppdragsgiver = forms.ChoiceField(
        label=_("Oppdragsgiver"), choices=Oppdragsgiver.choices, initial=Oppdragsgiver.KOMMUNEN, required=False,
        widget=forms.RadioSelect, help_text=OPPDRAGSGIVER_HJELP,
        error_messages={"invalid_choice": _("Oppdragsgiver må være «kommunen» eller «fastlegen».")},
    )
    begrunnelse_over_100 = forms.CharField(
        label=_("Begrunnelse for over 100 %"), required=False, widget=forms.HiddenInput, max_length=2000,
        help_text=_help(Legeperiode, "begrunnelse_over_100"),
    )
    kompetanse_begrunnelse = forms.CharField(
        label=_("Kommuneoverlegens begrunnelse ut over unntakene i kompetanseforskriften § 4"), required=False,
        max_length=4000, widget=forms.Textarea(attrs={"rows": 3}), help_text=_help(Legeperiode, "kompetanse_begrunnelse"),
    )

    PERIODEFELT = ("fra", "til", "stillingsprosent", "arbeidsdager")

    def __init__(self, *args, kan_begrunne_kompetanse: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lege"].queryset = lege_list()
        self.fields["vikar_for"].queryset = lege_list()
        if not kan_begrunne_kompetanse:
            # Not shown; a value posted anyway goes to the service, which refuses it (only the kommuneoverlege).
            self.fields["kompetanse_begrunnelse"].widget = forms.HiddenInput()
        if self.data.get("begrunnelse_over_100"):
            self.show_reason()

    def show_reason(self) -> None:
        self.fields["begrunnelse_over_100"].widget = forms.Textarea(attrs={"rows": 3})

    @property
    def reason_shown(self) -> bool:
        return not self.fields["begrunnelse_over_100"].widget.is_hidden

    def periode(self) -> dict | None:
        """The period fields when they are valid and make a period (for the candidates), else None."""
        if any(name in self.errors for name in self.PERIODEFELT):
            return None
        data = self.cleaned_data
        fra, til, prosent = data.get("fra"), data.get("til"), data.get("stillingsprosent")
        if not isinstance(fra, dt.date) or not isinstance(til, dt.date) or til <= fra or prosent is None or not 1 <= prosent <= 100:
            return None
        try:
            check_kandidatperiode(fra, til)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                self.add_error(field, messages)
            return None
        return {"fra": fra, "til": til, "stillingsprosent": prosent, "arbeidsdager": data.get("arbeidsdager") or []}

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "lege": data.get("lege"), "fra": data["fra"], "til": data["til"], "stillingsprosent": data["stillingsprosent"],
            "arbeidsdager": data.get("arbeidsdager") or [], "vikar_for": data.get("vikar_for"),
            "begrunnelse_over_100": data.get("begrunnelse_over_100") or "",
            "kompetanse_begrunnelse": data.get("kompetanse_begrunnelse") or "",
            "oppdragsgiver": data.get("oppdragsgiver") or Oppdragsgiver.KOMMUNEN,
        }
