"""Writes about 8.2-avtaler (økonomiske samarbeidsavtaler, rammeavtalen ASA 4310 pkt. 8.2) and
their payments ledger.

Under ASA 4310 pkt. 8.1 the kommune pays basistilskudd, and by default (pkt. 8.2) the practice is
run fully as private business without economic involvement from the kommune. An 8.2-avtale is the
deviation: the kommune supports the practice financially or practically (lokaler, utstyr,
hjelpepersonell, EPJ, inntektsgaranti, driftstilskudd) and may receive a share of basistilskudd
or refusjoner. Since the 2024 revision, what the GP received from the kommune beyond basistilskudd
in the last three years counts when the practice is sold, so every payment is recorded, dated,
in either direction (the look-back is in avtaler.okonomi_selectors.tilbakeblikk).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from avtaler.models import (
    Betalingskategori,
    Betalingsretning,
    Fastlegeavtale,
    Kommuneytelse,
    Okonomiavtale,
    Okonomibetaling,
    OkonomiskModell,
    Tilknytningsform,
)
from avtaler.services import effective_end
from core.concurrency import update_versioned
from core.constraints import remap_constraint_errors, save_new
from kommune.models import Kommune

ASA4310_8_2 = "rammeavtalen ASA 4310 pkt. 8.2"
ASA4310_8_1 = "rammeavtalen ASA 4310 pkt. 8.1"
# Amounts are kroner with øre: at most 12 digits in all, two of them after the decimal point.
MAX_BELOP = Decimal("9999999999.99")

AVTALE_CONSTRAINT_FIELDS = {
    "okonomiavtale_no_overlap": "fastlegeavtale",
    "okonomiavtale_periode_ordered": "sluttdato",
    "okonomiavtale_has_content": "ytelser",
    "okonomiavtale_ytelser_valid": "ytelser",
}
BETALING_CONSTRAINT_FIELDS = {
    "okonomibetaling_andel_to_kommune": "retning",
    "okonomibetaling_belop_positive": "belop",
}
AVTALE_FIELDS = frozenset({
    "ytelser", "beskrivelse", "kommunen_mottar", "inntektsgaranti_per_ar", "driftstilskudd_per_ar", "startdato", "sluttdato",
    "signert", "avslutning",
})
BETALING_FIELDS = frozenset({"dato", "retning", "kategori", "belop", "referanse", "beskrivelse"})


def _fmt(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _amount(field: str, value: Any, *, positive: bool) -> Decimal | None:
    """Kroner with at most two decimals, within the column's range; positive or not negative."""
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise _error(field, _("Oppgi et beløp i kroner, for eksempel 12500,50."), "ugyldig_belop") from None
    if not amount.is_finite():
        raise _error(field, _("Oppgi et beløp i kroner, for eksempel 12500,50."), "ugyldig_belop")
    if abs(amount) > MAX_BELOP:
        raise _error(field, _("Beløpet kan være høyst %(maks)s kr.") % {"maks": "9 999 999 999,99"}, "belop_for_stort")
    if amount != amount.quantize(Decimal("0.01")):
        raise _error(field, _("Beløpet kan ha høyst to desimaler (øre)."), "for_mange_desimaler")
    if positive and amount <= 0:
        raise _error(field, _("Beløpet må være større enn null; retningen sier hvem som betaler."), "belop_ikke_positivt")
    if not positive and amount < 0:
        raise _error(field, _("Beløpet kan ikke være negativt."), "belop_negativt")
    return amount.quantize(Decimal("0.01"))


def _ytelser(value: Iterable[str] | None) -> list[str]:
    ytelser = list(dict.fromkeys(value or []))
    unknown = [y for y in ytelser if y not in Kommuneytelse.values]
    if unknown:
        raise _error("ytelser", _("Ukjent ytelse: %(verdi)s.") % {"verdi": ", ".join(map(str, unknown))}, "ugyldig")
    return ytelser


def _check_fastlegeavtale(kommune: Kommune, fastlegeavtale: Fastlegeavtale) -> None:
    """An 8.2-avtale is the deviation from pkt. 8.1 for a næringsdrivende fastlege under ASA 4310."""
    if fastlegeavtale.kommune_id != kommune.pk:
        raise _error("fastlegeavtale", _("Ukjent fastlegeavtale."), "ukjent_fastlegeavtale")
    if fastlegeavtale.tilknytningsform != Tilknytningsform.NAERINGSDRIVENDE:
        raise _error("fastlegeavtale", _(
            "Fastlegen er kommunalt ansatt med fastlønn. En 8.2-avtale (%(kilde)s) gjelder næringsdrivende fastleger etter "
            "ASA 4310.") % {"kilde": ASA4310_8_2}, "ikke_naeringsdrivende")
    if fastlegeavtale.okonomisk_modell != OkonomiskModell.SAMARBEID:
        raise _error("fastlegeavtale", _(
            "Fastlegeavtalen har økonomisk modell «%(modell)s». En 8.2-avtale er avviket fra hovedregelen om at "
            "praksisen drives fullt ut som privat næringsvirksomhet uten økonomisk medvirkning fra kommunen "
            "(%(kilde)s, jf. %(pkt81)s); endre først fastlegeavtalens økonomiske modell til «%(samarbeid)s».") % {
                "modell": fastlegeavtale.get_okonomisk_modell_display(), "kilde": ASA4310_8_2, "pkt81": ASA4310_8_1,
                "samarbeid": OkonomiskModell.SAMARBEID.label}, "ikke_8_2_modell")


def _validate_avtale(*, fastlegeavtale: Fastlegeavtale, ytelser: list[str], beskrivelse: str,
                     inntektsgaranti_per_ar: Decimal | None, driftstilskudd_per_ar: Decimal | None, startdato: dt.date,
                     sluttdato: dt.date | None, signert: dt.date | None) -> None:
    if not ytelser and not beskrivelse.strip():
        raise _error("ytelser", _(
            "Oppgi hva kommunen stiller med (lokaler, utstyr, hjelpepersonell, journalsystem, inntektsgaranti eller "
            "driftstilskudd) eller beskriv det: det er innholdet i en 8.2-avtale (%(kilde)s).") % {"kilde": ASA4310_8_2},
            "uten_innhold")
    for field, ytelse in (("inntektsgaranti_per_ar", Kommuneytelse.INNTEKTSGARANTI),
                          ("driftstilskudd_per_ar", Kommuneytelse.DRIFTSTILSKUDD)):
        value = inntektsgaranti_per_ar if field == "inntektsgaranti_per_ar" else driftstilskudd_per_ar
        if value is not None and ytelse not in ytelser:
            raise _error(field, _("Beløpet gjelder bare når kommunen stiller med «%(ytelse)s»; kryss av for det.") % {
                "ytelse": ytelse.label}, "ytelse_ikke_valgt")
    if sluttdato is not None and sluttdato <= startdato:
        raise _error("sluttdato", _("Avtalen må opphøre etter startdatoen."), "periode")
    fastlege_slutt = effective_end(fastlegeavtale)
    if startdato < fastlegeavtale.startdato:
        raise _error("startdato", _(
            "En 8.2-avtale er en del av fastlegeavtalen og kan ikke begynne før den (%(dato)s).") % {
                "dato": _fmt(fastlegeavtale.startdato)}, "for_fastlegeavtalen")
    if startdato >= fastlege_slutt:
        raise _error("startdato", _("Fastlegeavtalen opphører %(dato)s; 8.2-avtalen må begynne før det.") % {
            "dato": _fmt(fastlege_slutt)}, "etter_fastlegeavtalen")
    if sluttdato is not None and sluttdato > fastlege_slutt:
        raise _error("sluttdato", _(
            "En 8.2-avtale kan ikke vare lenger enn fastlegeavtalen, som opphører %(dato)s.") % {"dato": _fmt(fastlege_slutt)},
            "etter_fastlegeavtalen")
    if signert is not None and signert > timezone.localdate():
        raise _error("signert", _("Signeringsdatoen kan ikke være i fremtiden."), "fremtidig_dato")


def create_okonomiavtale(*, kommune: Kommune, fastlegeavtale: Fastlegeavtale, ytelser: Iterable[str], beskrivelse: str,
                         kommunen_mottar: str = "", inntektsgaranti_per_ar: Decimal | None = None,
                         driftstilskudd_per_ar: Decimal | None = None, startdato: dt.date, sluttdato: dt.date | None = None,
                         signert: dt.date | None = None, avslutning: str = "") -> Okonomiavtale:
    """A new 8.2-avtale on a fastlegeavtale with the 8.2 model, inside its period. Without
    `sluttdato` it runs as long as the fastlegeavtale."""
    fastlegeavtale = Fastlegeavtale.objects.select_related("lege").filter(pk=fastlegeavtale.pk).first() or fastlegeavtale
    _check_fastlegeavtale(kommune, fastlegeavtale)
    values = {
        "ytelser": _ytelser(ytelser), "beskrivelse": (beskrivelse or "").strip(),
        "inntektsgaranti_per_ar": _amount("inntektsgaranti_per_ar", inntektsgaranti_per_ar, positive=False),
        "driftstilskudd_per_ar": _amount("driftstilskudd_per_ar", driftstilskudd_per_ar, positive=False),
        "startdato": startdato, "sluttdato": sluttdato, "signert": signert,
    }
    _validate_avtale(fastlegeavtale=fastlegeavtale, **values)
    avtale = Okonomiavtale(kommune=kommune, fastlegeavtale=fastlegeavtale, kommunen_mottar=(kommunen_mottar or "").strip(),
                           avslutning=(avslutning or "").strip(), **values)
    return save_new(avtale, fields=AVTALE_CONSTRAINT_FIELDS)


def _check_payments_inside(avtale: Okonomiavtale, startdato: dt.date, sluttdato: dt.date | None) -> None:
    span = Okonomibetaling.objects.filter(avtale=avtale).aggregate(first=Min("dato"), last=Max("dato"))
    if span["first"] is not None and span["first"] < startdato:
        raise _error("startdato", _(
            "Det er registrert en betaling %(dato)s, før den nye startdatoen; betalingene må ligge i avtaleperioden.") % {
                "dato": _fmt(span["first"])}, "betaling_utenfor")
    if span["last"] is not None and sluttdato is not None and span["last"] >= sluttdato:
        raise _error("sluttdato", _(
            "Det er registrert en betaling %(dato)s; avtalen kan tidligst opphøre dagen etter.") % {"dato": _fmt(span["last"])},
            "betaling_utenfor")


def update_okonomiavtale(*, avtale: Okonomiavtale, expected_version: int, **changes: Any) -> Okonomiavtale:
    """Change the 8.2-avtale's content or period. The fastlegeavtale does not change (another
    practice is another avtale); the registered payments must stay inside the period."""
    unknown = set(changes) - AVTALE_FIELDS
    if unknown:
        raise ValidationError({field: _("Dette feltet kan ikke endres.") for field in sorted(unknown)})
    if "ytelser" in changes:
        changes["ytelser"] = _ytelser(changes["ytelser"])
    for field in ("inntektsgaranti_per_ar", "driftstilskudd_per_ar"):
        if field in changes:
            changes[field] = _amount(field, changes[field], positive=False)
    for field in ("beskrivelse", "kommunen_mottar", "avslutning"):
        if field in changes:
            changes[field] = (changes[field] or "").strip()
    fastlegeavtale = Fastlegeavtale.objects.select_related("lege").get(pk=avtale.fastlegeavtale_id)
    merged = {field: changes.get(field, getattr(avtale, field)) for field in (
        "ytelser", "beskrivelse", "inntektsgaranti_per_ar", "driftstilskudd_per_ar", "startdato", "sluttdato", "signert")}
    _validate_avtale(fastlegeavtale=fastlegeavtale, **merged)
    changes = {field: value for field, value in changes.items() if getattr(avtale, field) != value}
    with transaction.atomic():
        Okonomiavtale.objects.select_for_update().filter(pk=avtale.pk).values_list("pk", flat=True).first()
        _check_payments_inside(avtale, merged["startdato"], merged["sluttdato"])
        try:
            return update_versioned(avtale, expected_version=expected_version, changes=changes)
        except ValidationError as exc:
            raise remap_constraint_errors(exc, Okonomiavtale, AVTALE_CONSTRAINT_FIELDS) from exc


def end_okonomiavtale(*, avtale: Okonomiavtale, expected_version: int, sluttdato: dt.date,
                      avslutning: str | None = None) -> Okonomiavtale:
    """End the 8.2-avtale: `sluttdato` is the first day it no longer applies, not later than an
    agreed end; `avslutning` says how it ended (kept when not given)."""
    if avtale.sluttdato is not None and sluttdato > avtale.sluttdato:
        raise _error("sluttdato", _(
            "Avtalen opphører allerede %(dato)s; en lengre periode registreres som en endring av avtalen.") % {
                "dato": _fmt(avtale.sluttdato)}, "ikke_avslutning")
    changes: dict[str, Any] = {"sluttdato": sluttdato}
    if avslutning is not None and avslutning.strip():
        changes["avslutning"] = avslutning
    return update_okonomiavtale(avtale=avtale, expected_version=expected_version, **changes)


# --- the payments ledger -------------------------------------------------------------------------------

def _validate_betaling(*, avtale: Okonomiavtale, dato: dt.date, retning: str, kategori: str) -> None:
    if retning not in Betalingsretning.values:
        raise _error("retning", _("Velg hvem som betaler: kommunen til legen, eller legen til kommunen."), "ugyldig")
    if kategori not in Betalingskategori.values:
        raise _error("kategori", _("Velg hva betalingen gjelder."), "ugyldig")
    if dato > timezone.localdate():
        raise _error("dato", _("En betaling registreres når den er gjort: datoen kan ikke være i fremtiden."), "fremtidig_dato")
    if dato < avtale.startdato or (avtale.sluttdato is not None and dato >= avtale.sluttdato):
        periode = _fmt(avtale.startdato) + (f"–{_fmt(avtale.sluttdato)}" if avtale.sluttdato else "–")
        raise _error("dato", _(
            "Betalingen må ligge i 8.2-avtalens periode (%(periode)s; opphørsdatoen er første dag avtalen ikke gjelder).") % {
                "periode": periode}, "utenfor_perioden")


def record_betaling(*, avtale: Okonomiavtale, dato: dt.date, retning: str, kategori: str, belop: Decimal | str,
                    referanse: str = "", beskrivelse: str = "") -> Okonomibetaling:
    """Record one payment under the 8.2-avtale, in either direction: positive, in kroner with at
    most two decimals, dated inside the avtale's period and not in the future. A share of
    basistilskudd or refusjoner goes from the GP to the kommune (a database rule)."""
    amount = _amount("belop", belop, positive=True)
    if amount is None:
        raise _error("belop", _("Oppgi beløpet."), "belop_mangler")
    with transaction.atomic():
        locked = Okonomiavtale.objects.select_for_update().get(pk=avtale.pk)  # the period cannot move meanwhile
        _validate_betaling(avtale=locked, dato=dato, retning=retning, kategori=kategori)
        return save_new(Okonomibetaling(
            kommune_id=locked.kommune_id, avtale=locked, dato=dato, retning=retning, kategori=kategori, belop=amount,
            referanse=(referanse or "").strip(), beskrivelse=(beskrivelse or "").strip(),
        ), fields=BETALING_CONSTRAINT_FIELDS)


def update_betaling(*, betaling: Okonomibetaling, expected_version: int, **changes: Any) -> Okonomibetaling:
    """Correct a recorded payment; its history keeps the old values."""
    unknown = set(changes) - BETALING_FIELDS
    if unknown:
        raise ValidationError({field: _("Dette feltet kan ikke endres.") for field in sorted(unknown)})
    if "belop" in changes:
        changes["belop"] = _amount("belop", changes["belop"], positive=True)
        if changes["belop"] is None:
            raise _error("belop", _("Oppgi beløpet."), "belop_mangler")
    for field in ("referanse", "beskrivelse"):
        if field in changes:
            changes[field] = (changes[field] or "").strip()
    merged = {field: changes.get(field, getattr(betaling, field)) for field in ("dato", "retning", "kategori")}
    with transaction.atomic():
        avtale = Okonomiavtale.objects.select_for_update().get(pk=betaling.avtale_id)
        _validate_betaling(avtale=avtale, **merged)
        changes = {field: value for field, value in changes.items() if getattr(betaling, field) != value}
        try:
            return update_versioned(betaling, expected_version=expected_version, changes=changes)
        except ValidationError as exc:
            raise remap_constraint_errors(exc, Okonomibetaling, BETALING_CONSTRAINT_FIELDS) from exc
