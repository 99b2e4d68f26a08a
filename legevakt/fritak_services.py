"""Writes about exemptions from legevakt (fastlegeforskriften § 33).

By right, when the doctor claims it (`krevd`): over 60 years; the last three months of a
pregnancy, or longer when the pregnancy prevents taking part; breastfeeding a child under one.
These cover legevakt outside ordinary opening hours only (omfang «utenfor_apningstid»), not the
daytime emergency service. By discretionary decision (health or weighty social grounds; being over
55 is weighed but is not enough alone): an enkeltvedtak with vedtaksdato, outcome and appeal
status; only a granted one exempts.

The type and the grounds are health data: only the kommuneoverlege records and changes
exemptions (Handling.HELSEOPPLYSNINGER, checked by the pages and the API). The doctor must be
registered in the kommune. Refusals are ValidationErrors naming the field and the rule; nothing is
partly saved.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.concurrency import update_versioned
from core.constraints import full_clean, save_new
from core.dates import add_months, age_on, birthday, check_range
from kommune import regler
from kommune.models import Kommune, Lege
from legevakt.distrikt_services import lege_in_scope
from legevakt.models import RETTIGHETSFRITAK, Fritak, Fritaksomfang, Fritakstype, Klagestatus, Vedtaksutfall

PARAGRAF = "fastlegeforskriften § 33"

FRITAK_FIELDS = frozenset({"type", "omfang", "fra", "til", "krevd", "svangerskap_hindrer", "grunnlag", "vedtaksdato",
                           "saksnummer", "utfall", "klagestatus"})
FRITAK_CONSTRAINT_FIELDS = {
    "fritak_periode_ordered": "til", "fritak_type_valid": "type", "fritak_rett_utenfor_apningstid": "omfang",
    "fritak_skjonn_har_vedtak": "vedtaksdato", "fritak_graviditet_amming_har_slutt": "til", "fritak_omfang_valid": "omfang",
    "fritak_utfall_valid": "utfall", "fritak_klagestatus_valid": "klagestatus",
}


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code)]})


def _dato(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def validate(values: dict, lege: Lege) -> dict:
    """Check an exemption's values (all fields) against § 33; returns them normalised."""
    type_ = values.get("type")
    if type_ not in Fritakstype.values:
        raise _error("type", _("Velg grunnlaget for fritaket (rett ved alder, graviditet eller amming, eller vedtak av "
                               "helsemessige eller sosiale grunner)."), "ugyldig")
    fra, til = values.get("fra"), values.get("til")
    if fra is None:
        raise _error("fra", _("Oppgi første dag fritaket gjelder."), "required")
    for field in ("fra", "til", "krevd", "vedtaksdato"):
        check_range(values.get(field), field)
    if til is not None and til <= fra:
        raise _error("til", _("«Opphører» er første dag fritaket ikke gjelder og må være etter «fra»."), "periode_rekkefolge")
    for field, choices in (("omfang", Fritaksomfang), ("utfall", Vedtaksutfall), ("klagestatus", Klagestatus)):
        if values.get(field) not in choices.values:
            raise _error(field, _("Ugyldig verdi."), "ugyldig")
    values["grunnlag"] = (values.get("grunnlag") or "").strip()
    values["saksnummer"] = (values.get("saksnummer") or "").strip()
    if values.get("svangerskap_hindrer") and type_ != Fritakstype.RETT_GRAVIDITET:
        raise _error("svangerskap_hindrer", _("Gjelder bare fritak ved graviditet."), "bare_graviditet")

    if type_ in RETTIGHETSFRITAK:
        _validate_rett(values, lege, type_, fra, til)
    else:
        _validate_skjonn(values)
    return values


def _validate_rett(values: dict, lege: Lege, type_: str, fra: dt.date, til: dt.date | None) -> None:
    krevd = values.get("krevd")
    if krevd is None:
        raise _error("krevd", _("Fritak etter rett gjelder når legen krever det (%(kilde)s): oppgi datoen legen krevde "
                                "fritaket.") % {"kilde": PARAGRAF}, "ikke_krevd")
    if fra < krevd:
        raise _error("fra", _("Fritak etter rett gjelder fra legen krever det (%(kilde)s): «fra» kan ikke være før "
                              "%(dato)s.") % {"kilde": PARAGRAF, "dato": _dato(krevd)}, "for_kravet")
    if values.get("omfang") != Fritaksomfang.UTENFOR_APNINGSTID:
        raise _error("omfang", _("Fritak etter rett gjelder bare legevakt utenom ordinær åpningstid, ikke øyeblikkelig "
                                 "hjelp på dagtid (%(kilde)s).") % {"kilde": PARAGRAF}, "rett_omfang")
    if values.get("utfall") != Vedtaksutfall.INNVILGET:
        raise _error("utfall", _("Et fritak etter rett gjelder når legen krever det og vilkåret er oppfylt; det "
                                 "registreres ikke som avslått (%(kilde)s).") % {"kilde": PARAGRAF}, "rett_utfall")
    if values.get("klagestatus") != Klagestatus.INGEN:
        raise _error("klagestatus", _("Klagestatus gjelder enkeltvedtak om skjønnsmessig fritak."), "rett_klage")
    if type_ == Fritakstype.RETT_ALDER:
        alder = regler.verdi("legevakt_fritak_alder", on=fra)
        if age_on(lege.fodselsdato, fra) < alder:
            raise _error("fra", _("Rett til fritak fra legevakt på grunn av alder gjelder fra legen fyller %(alder)d år "
                                  "(%(kilde)s); legen fyller %(alder)d år %(dato)s.") % {
                "alder": alder, "kilde": regler.kilde("legevakt_fritak_alder", on=fra),
                "dato": _dato(birthday(lege.fodselsdato, alder))}, "under_alder")
    elif type_ == Fritakstype.RETT_GRAVIDITET:
        if til is None:
            raise _error("til", _("Fritak ved graviditet må ha en sluttdato («opphører»)."), "required")
        maneder = regler.verdi("legevakt_fritak_graviditet_maneder", on=fra)
        if not values.get("svangerskap_hindrer") and til > add_months(fra, maneder):
            raise _error("til", _("Fritak ved graviditet gjelder de siste %(n)d månedene av svangerskapet (%(kilde)s): "
                                  "«opphører» kan være høyst %(dato)s, med mindre svangerskapet hindrer deltakelse.") % {
                "n": maneder, "kilde": regler.kilde("legevakt_fritak_graviditet_maneder", on=fra),
                "dato": _dato(add_months(fra, maneder))}, "graviditet_for_lang")
    elif type_ == Fritakstype.RETT_AMMING:
        if til is None:
            raise _error("til", _("Fritak ved amming må ha en sluttdato («opphører»)."), "required")
        maneder = regler.verdi("legevakt_fritak_amming_maneder", on=fra)
        if til > add_months(fra, maneder):
            raise _error("til", _("Fritak ved amming gjelder til barnet fyller ett år (%(kilde)s): «opphører» kan være "
                                  "høyst %(dato)s.") % {"kilde": regler.kilde("legevakt_fritak_amming_maneder", on=fra),
                                                        "dato": _dato(add_months(fra, maneder))}, "amming_for_lang")


def _validate_skjonn(values: dict) -> None:
    if values.get("vedtaksdato") is None:
        raise _error("vedtaksdato", _("Et skjønnsmessig fritak er et enkeltvedtak (%(kilde)s, forvaltningsloven): oppgi "
                                      "vedtaksdatoen.") % {"kilde": PARAGRAF}, "required")
    if not values["grunnlag"]:
        raise _error("grunnlag", _("Et enkeltvedtak skal begrunnes (forvaltningsloven § 24): skriv begrunnelsen."),
                     "required")


def _defaults(type_: str | None) -> dict:
    return {"omfang": Fritaksomfang.UTENFOR_APNINGSTID, "til": None, "krevd": None, "svangerskap_hindrer": False,
            "grunnlag": "", "vedtaksdato": None, "saksnummer": "", "utfall": Vedtaksutfall.INNVILGET,
            "klagestatus": Klagestatus.INGEN}


def create_fritak(*, kommune: Kommune, lege, type: str, fra: dt.date, **fields) -> Fritak:
    """Record an exemption for a doctor registered in the kommune (see the module for the rules).
    Unknown keyword fields are refused."""
    unknown = set(fields) - FRITAK_FIELDS
    if unknown:
        raise ValidationError({f: [ValidationError(_("Ukjent felt."), code="ukjent")] for f in sorted(unknown)})
    lege = lege_in_scope(lege)
    values = {**_defaults(type), **{k: v for k, v in fields.items() if v is not None or k in ("til", "krevd", "vedtaksdato")},
              "type": type, "fra": fra}
    values = validate(values, lege)
    with transaction.atomic():
        return save_new(Fritak(kommune=kommune, lege=lege, **values), fields=FRITAK_CONSTRAINT_FIELDS)


def update_fritak(*, fritak: Fritak, expected_version: int, **changes) -> Fritak:
    """Change an exemption (If-Match/expected_version), e.g. the appeal status after a complaint;
    the merged values are checked as when recording it."""
    unknown = set(changes) - FRITAK_FIELDS
    if unknown:
        raise ValidationError({f: [ValidationError(_("Dette feltet kan ikke endres."), code="kan_ikke_endres")]
                               for f in sorted(unknown)})
    lege = lege_in_scope(fritak.lege_id)
    values = {f: getattr(fritak, f) for f in FRITAK_FIELDS}
    values.update(changes)
    values = validate(values, lege)
    changes = {f: values[f] for f in changes}
    candidate = Fritak(**{f.attname: getattr(fritak, f.attname) for f in Fritak._meta.concrete_fields})
    candidate._state.adding = False
    for key, value in changes.items():
        setattr(candidate, key, value)
    full_clean(candidate, fields=FRITAK_CONSTRAINT_FIELDS)
    return update_versioned(fritak, expected_version=expected_version, changes=changes)


def sett_klagestatus(*, fritak: Fritak, expected_version: int, klagestatus: str) -> Fritak:
    """Record the appeal status of a discretionary decision."""
    return update_fritak(fritak=fritak, expected_version=expected_version, klagestatus=klagestatus)


def ready() -> None:
    """Registrations made from LegevaktConfig.ready(): the doctor page's legevakt section."""
    from kommune.lege_views import register_seksjon
    from legevakt.lege_seksjon import LEGE_LEGEVAKT

    register_seksjon(LEGE_LEGEVAKT)
