"""Writes about kommuner. Pages, the API, commands and tasks all go through these."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.concurrency import delete_versioned, update_versioned
from core.context import current_actor, scope
from core.tenancy import unscoped
from kommune import tokens
from kommune.models import (
    API_SCOPE_NAMES,
    API_TOKEN_MAX_DAYS,
    DUPLICATE_FIGURE_CODE,
    DUPLICATE_FIGURE_MESSAGE,
    ApiToken,
    ApiTokenKommune,
    Innbyggertall,
    Kommune,
    Lege,
    LegeKommune,
    Rolle,
    User,
)

# What a kommune may change about itself; name, number and fylke come from the national register.
EDITABLE_KOMMUNE_FIELDS = frozenset({"sentralitetsklasse", "avtaleregime", "malform"})


def update_kommune(*, kommune: Kommune, expected_version: int, **changes) -> Kommune:
    """Change the kommune's editable settings, if nobody changed it since `expected_version`."""
    unknown = set(changes) - EDITABLE_KOMMUNE_FIELDS
    if unknown:
        raise ValidationError({field: _("Dette feltet kan ikke endres.") for field in sorted(unknown)})
    return update_versioned(kommune, expected_version=expected_version, changes=changes)


def record_innbyggertall(*, kommune: Kommune, gjelder_fra: dt.date, antall: int, kilde: str) -> Innbyggertall:
    """Record the kommune's population from a date. One figure per kommune and date."""
    figure = Innbyggertall(kommune=kommune, gjelder_fra=gjelder_fra, antall=antall, kilde=kilde)
    duplicate = ValidationError({"gjelder_fra": [DUPLICATE_FIGURE_MESSAGE]}, code=DUPLICATE_FIGURE_CODE)
    try:
        figure.full_clean()
    except ValidationError as exc:
        if any(error.code == DUPLICATE_FIGURE_CODE for error in exc.error_dict.get(NON_FIELD_ERRORS, [])):
            raise duplicate from exc
        raise
    try:
        with transaction.atomic():
            figure.save()
    except IntegrityError as exc:  # a concurrent insert of the same date, after full_clean passed
        raise duplicate from exc
    return figure


def delete_innbyggertall(*, innbyggertall: Innbyggertall, expected_version: int) -> None:
    """Delete a wrongly entered figure. The kommune keeps at least one figure."""
    with transaction.atomic():
        # Lock the kommune row so two concurrent deletes cannot remove the last two figures.
        Kommune.objects.select_for_update().get(pk=innbyggertall.kommune_id)
        if not Innbyggertall.objects.filter(kommune_id=innbyggertall.kommune_id).exclude(pk=innbyggertall.pk).exists():
            raise ValidationError(_("Kommunen må ha minst ett innbyggertall; det siste kan ikke slettes."))
        delete_versioned(innbyggertall, expected_version=expected_version)


# --- roles --------------------------------------------------------------------------------------


def grant_role(*, kommune: Kommune, email: str, rolle: str, navn: str = "") -> Rolle:
    """Give a person a role in the kommune, creating the account (without a password: the person
    sets one with "Glemt passord") when the address is new. Granting a role the person already
    holds changes nothing."""
    errors = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = [_("Oppgi en gyldig e-postadresse.")]
    if rolle not in Rolle.Navn.values:
        errors["rolle"] = [_("Ukjent rolle. Gyldige roller: %(roller)s.") % {"roller": ", ".join(Rolle.Navn.values)}]
    if errors:
        raise ValidationError(errors)
    email = email.strip().lower()
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create_user(email, None, navn=navn.strip())
        elif navn.strip() and not user.navn:
            user.navn = navn.strip()
            user.save(update_fields=["navn"])
        role, _created = Rolle.objects.get_or_create(kommune=kommune, bruker=user, rolle=rolle)
    return role


def revoke_role(*, rolle: Rolle) -> None:
    """Take a role away. A kommune keeps at least one kommuneoverlege (someone must manage access)."""
    with transaction.atomic():
        Kommune.objects.select_for_update().get(pk=rolle.kommune_id)
        if rolle.rolle == Rolle.Navn.KOMMUNEOVERLEGE and not (
            Rolle.objects.filter(kommune_id=rolle.kommune_id, rolle=Rolle.Navn.KOMMUNEOVERLEGE).exclude(pk=rolle.pk).exists()
        ):
            raise ValidationError(_("Kommunen må ha minst én kommuneoverlege; gi rollen til en annen først."))
        rolle.delete()


# --- integration tokens -----------------------------------------------------------------------

def issue_token(*, navn: str, kommuner: list[Kommune], scopes: list[str], expires_days: int | None) -> tuple[ApiToken, str]:
    """Create a token for a named client, bound to `kommuner` and `scopes`. Returns the token row
    and the token itself, which is never stored and cannot be shown again."""
    errors: dict[str, list[str]] = {}
    navn = (navn or "").strip()
    if not navn:
        errors["navn"] = [_("Gi klienten et navn, for eksempel «Lønnssystemet».")]
    elif len(navn) > 100:
        errors["navn"] = [_("Navnet kan ha høyst 100 tegn.")]
    unknown = sorted(set(scopes) - set(API_SCOPE_NAMES))
    if not scopes:
        errors["scopes"] = [_("Velg minst én tilgang.")]
    elif unknown:
        errors["scopes"] = [_("Ukjente tilganger: %(ukjente)s. Gyldige: %(gyldige)s.") % {
            "ukjente": ", ".join(unknown), "gyldige": ", ".join(API_SCOPE_NAMES)}]
    if not kommuner:
        errors["kommuner"] = [_("Tokenet må gjelde minst én kommune.")]
    if expires_days is not None and not 1 <= expires_days <= API_TOKEN_MAX_DAYS:
        errors["utloper_dager"] = [_("Gyldighet må være mellom 1 og %(max)d dager.") % {"max": API_TOKEN_MAX_DAYS}]
    if errors:
        raise ValidationError(errors)
    raw = tokens.generate()
    now = timezone.now()
    with transaction.atomic():
        token = ApiToken.objects.create(
            navn=navn,
            prefiks=tokens.display_prefix(raw),
            nokkel_hash=tokens.hash_token(raw),
            scopes=sorted(set(scopes)),
            opprettet=now,
            utloper=now + dt.timedelta(days=expires_days) if expires_days else None,
        )
        for kommune in kommuner:  # each binding is written in its own kommune's scope
            with scope(kommune_id=kommune.pk, actor=current_actor()):
                ApiTokenKommune.objects.create(token=token, kommune=kommune)
    return token, raw


def withdraw_token(*, binding: ApiTokenKommune) -> None:
    """The kommune withdraws a token's access to it (other kommuner it serves keep theirs)."""
    if binding.trukket_tilbake is None:
        binding.trukket_tilbake = timezone.now()
        binding.save(update_fields=["trukket_tilbake"])


def revoke_token(*, token: ApiToken) -> None:
    """Revoke a token everywhere (operators, `manage.py revoke_api_token`)."""
    if token.trukket_tilbake is None:
        token.trukket_tilbake = timezone.now()
        token.save(update_fields=["trukket_tilbake"])


# --- doctors ------------------------------------------------------------------------------------

LEGE_FIELDS = frozenset({
    "fornavn", "etternavn", "fodselsdato", "spesialist_allmennmedisin_fra", "under_spesialisering_fra",
    "godkjent_allmennlege_fra", "lis1_fullfort", "turnus_godkjent", "kurs_akuttmedisin", "kurs_vold_overgrep",
    "hjemmel_1_mars_2017",
})


def _check_fodselsdato(fodselsdato: dt.date | None) -> None:
    """A doctor's date of birth: after 1900 and at least 20 years ago (it decides the age limits of § 12)."""
    today = timezone.localdate()
    if fodselsdato is None or not dt.date(1900, 1, 1) <= fodselsdato <= today.replace(year=today.year - 20, day=min(today.day, 28)):
        raise ValidationError({"fodselsdato": [_("Oppgi en gyldig fødselsdato (etter 1900, minst 20 år siden).")]})


def register_lege(*, kommune: Kommune, hpr_nummer: str, fornavn: str, etternavn: str, fodselsdato: dt.date,
                  ansattnummer: str = "", **kompetanse) -> Lege:
    """Register a doctor in the kommune. The doctor's record is national (one per HPR number): if
    another kommune has registered the doctor, the kommune is bound to that record, which must
    agree on name and date of birth (HPR numbers are public; a mismatch is a typing error)."""
    unknown = set(kompetanse) - LEGE_FIELDS
    if unknown:
        raise ValidationError({field: _("Ukjent felt.") for field in sorted(unknown)})
    hpr_nummer = (hpr_nummer or "").strip()
    _check_fodselsdato(fodselsdato)
    lege = Lege(hpr_nummer=hpr_nummer, fornavn=fornavn.strip(), etternavn=etternavn.strip(), fodselsdato=fodselsdato, **kompetanse)
    with transaction.atomic():
        with unscoped(reason="a doctor's national record is looked up by HPR number when a kommune registers the doctor"):
            existing = Lege.objects.select_for_update().filter(hpr_nummer=hpr_nummer).first()
        if existing is None:
            lege.full_clean()
            try:
                with transaction.atomic():
                    lege.save()
            except IntegrityError as exc:
                raise ValidationError({"hpr_nummer": [_("En lege med dette HPR-nummeret ble registrert samtidig. Prøv igjen.")]}) from exc
        else:
            if (existing.fodselsdato, existing.etternavn.lower()) != (fodselsdato, lege.etternavn.lower()):
                raise ValidationError({"hpr_nummer": [_(
                    "HPR-nummeret er registrert på en lege med et annet etternavn eller en annen fødselsdato. Kontroller "
                    "HPR-nummeret i Helsepersonellregisteret.")]}, code="hpr_ulik_lege")
            lege = existing
            if LegeKommune.objects.filter(lege=existing).exists():
                raise ValidationError({"hpr_nummer": [_("Legen er allerede registrert i kommunen.")]}, code="lege_finnes")
        binding = LegeKommune(lege=lege, kommune=kommune, ansattnummer=(ansattnummer or "").strip())
        _clean_binding(binding)
        try:
            with transaction.atomic():
                binding.save()
        except IntegrityError as exc:
            raise ValidationError({"ansattnummer": [_("Ansattnummeret er allerede brukt for en annen lege i kommunen.")]}) from exc
    with unscoped(reason="return the record just registered"):
        return Lege.objects.get(pk=lege.pk)


def _clean_binding(binding: LegeKommune) -> None:
    from core.constraints import remap_constraint_errors

    try:
        binding.full_clean(exclude=["lege"])
    except ValidationError as exc:
        raise remap_constraint_errors(exc, LegeKommune, {"legekommune_ansattnummer_unique": "ansattnummer"}) from exc


def update_lege(*, lege: Lege, expected_version: int, **changes) -> Lege:
    """Correct a doctor's national record (name, date of birth, competence). Audited; the other
    kommuner that registered the doctor see the change."""
    unknown = set(changes) - LEGE_FIELDS
    if unknown:
        raise ValidationError({field: _("Dette feltet kan ikke endres.") for field in sorted(unknown)})
    if "fodselsdato" in changes:
        _check_fodselsdato(changes["fodselsdato"])
    return update_versioned(lege, expected_version=expected_version, changes=changes)


def set_ansattnummer(*, lege: Lege, kommune: Kommune, ansattnummer: str) -> LegeKommune:
    binding = LegeKommune.objects.get(lege=lege, kommune=kommune)
    binding.ansattnummer = (ansattnummer or "").strip()
    _clean_binding(binding)
    try:
        with transaction.atomic():
            binding.save(update_fields=["ansattnummer"])
    except IntegrityError as exc:
        raise ValidationError({"ansattnummer": [_("Ansattnummeret er allerede brukt for en annen lege i kommunen.")]}) from exc
    return binding
