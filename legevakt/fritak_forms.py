"""Forms for exemptions from legevakt. They parse input only; the rules are
legevakt.fritak_services' (the same message on the page and in the API)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kommune import regler
from kommune.lege_forms import date_input
from kommune.models import Lege
from kommune.selectors import lege_list
from legevakt.models import Fritak, Fritaksomfang, Fritakstype, Klagestatus, Vedtaksutfall
from lister.forms import LegeChoiceField


def _label(name: str):
    return Fritak._meta.get_field(name).verbose_name


def _help(name: str):
    return Fritak._meta.get_field(name).help_text


def alder_merknad() -> str:
    """The note on discretionary exemptions: age over 55 is weighed but is not enough alone."""
    return str(_("Ved skjønnsmessig fritak legges det særlig vekt på om legen er over %(alder)d år, men alder alene er "
                 "ikke grunn til fritak (%(kilde)s).")) % {
        "alder": regler.verdi("legevakt_fritak_vektlegges_alder"), "kilde": regler.kilde("legevakt_fritak_vektlegges_alder")}


class FritakForm(forms.Form):
    """All fields of an exemption (only the kommuneoverlege sees this form)."""

    type = forms.ChoiceField(label=_label("type"), choices=Fritakstype.choices)
    omfang = forms.ChoiceField(label=_label("omfang"), choices=Fritaksomfang.choices,
                               initial=Fritaksomfang.UTENFOR_APNINGSTID,
                               help_text=_("Fritak etter rett gjelder bare legevakt utenom ordinær åpningstid."))
    fra = forms.DateField(label=_label("fra"), widget=date_input())
    til = forms.DateField(label=_label("til"), widget=date_input(), required=False,
                          help_text=_("Første dag fritaket ikke gjelder. Påkrevd ved graviditet og amming."))
    krevd = forms.DateField(label=_label("krevd"), widget=date_input(), required=False, help_text=_help("krevd"))
    svangerskap_hindrer = forms.BooleanField(label=_label("svangerskap_hindrer"), required=False,
                                             help_text=_help("svangerskap_hindrer"))
    grunnlag = forms.CharField(label=_label("grunnlag"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                               help_text=_("Helseopplysninger: bare kommuneoverlegen ser dette. Påkrevd ved vedtak."))
    vedtaksdato = forms.DateField(label=_label("vedtaksdato"), widget=date_input(), required=False,
                                  help_text=_("Påkrevd ved skjønnsmessig fritak (enkeltvedtak)."))
    saksnummer = forms.CharField(label=_label("saksnummer"), max_length=50, required=False)
    utfall = forms.ChoiceField(label=_label("utfall"), choices=Vedtaksutfall.choices, initial=Vedtaksutfall.INNVILGET)
    klagestatus = forms.ChoiceField(label=_label("klagestatus"), choices=Klagestatus.choices, initial=Klagestatus.INGEN,
                                    help_text=_("Kan oppdateres senere når vedtaket påklages."))


class NyttFritakForm(FritakForm):
    lege = LegeChoiceField(label=_("Lege"), queryset=Lege.objects.none(),
                           help_text=_("Legen må være registrert i kommunen."))
    field_order = ["lege"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lege"].queryset = lege_list()


class EndreFritakForm(FritakForm):
    versjon = forms.IntegerField(widget=forms.HiddenInput)
