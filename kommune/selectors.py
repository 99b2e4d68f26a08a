"""Reads about kommuner. Population is always the dated figure in force on the day asked about."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from kommune.models import ApiToken, ApiTokenKommune, Innbyggertall, Kommune, Rolle, kommunenummer_validator


def _figure_on(day: dt.date, field: str) -> Subquery:
    return Subquery(
        Innbyggertall.objects.filter(kommune=OuterRef("pk"), gjelder_fra__lte=day)
        .order_by("-gjelder_fra")
        .values(field)[:1]
    )


def kommune_list(*, on: dt.date | None = None) -> QuerySet[Kommune]:
    """All kommuner with `innbyggere` and `innbyggere_gjelder_fra` as of `on` (default today).

    One query whatever the number of kommuner or figures.
    """
    day = on or timezone.localdate()
    return Kommune.objects.annotate(
        innbyggere=_figure_on(day, "antall"), innbyggere_gjelder_fra=_figure_on(day, "gjelder_fra")
    ).order_by("kommunenummer")


def get_kommune(*, kommunenummer: str) -> Kommune:
    """The kommune with this number (annotated as in kommune_list). Django ValidationError when
    the number is malformed, Http404 when no such kommune exists."""
    try:
        kommunenummer_validator(kommunenummer)
    except ValidationError as exc:
        raise ValidationError({"kommunenummer": exc.messages}) from exc
    try:
        return kommune_list().get(kommunenummer=kommunenummer)
    except Kommune.DoesNotExist as exc:
        raise Http404("Fant ingen kommune med dette kommunenummeret.") from exc


def innbyggertall_for(*, kommune: Kommune) -> QuerySet[Innbyggertall]:
    return Innbyggertall.objects.filter(kommune=kommune).order_by("-gjelder_fra")


def get_kommune_by_id(kommune_id: int) -> Kommune:
    """The kommune in scope (annotated as in kommune_list)."""
    return kommune_list().get(pk=kommune_id)


def roles_in_kommune() -> QuerySet[Rolle]:
    """Everyone's roles in the kommune in scope. One query."""
    return Rolle.objects.select_related("bruker").order_by("bruker__navn", "bruker__email", "rolle")


def token_bindings_in_kommune() -> QuerySet[ApiTokenKommune]:
    """The integration tokens serving the kommune in scope, newest first. One query."""
    return ApiTokenKommune.objects.select_related("token").order_by("-token__opprettet")


def actor_names(actors: set[str]) -> dict[str, str]:
    """Readable names for history actors: people by name (e-mail), clients by token name. Two
    queries at most. Inside a kommune only that kommune's own people and clients are named; a
    shared record's change by another kommune (a doctor's competence) shows as "another kommune"."""
    from django.contrib.auth import get_user_model

    from core.context import current_kommune_id
    from core.tenancy import is_unscoped

    def ids(kind: str) -> list[int]:
        return [int(a.split(":", 1)[1]) for a in actors if a.startswith(f"{kind}:") and a.split(":", 1)[1].isdigit()]

    kommune_id = None if is_unscoped() else current_kommune_id()
    names: dict[str, str] = {}
    user_ids, client_ids = ids("bruker"), ids("klient")
    if user_ids:
        users = get_user_model().objects.filter(pk__in=user_ids)
        if kommune_id is not None:
            users = users.filter(roller__kommune_id=kommune_id).distinct()
        for pk, navn, email in users.values_list("pk", "navn", "email"):
            names[f"bruker:{pk}"] = f"{navn} ({email})" if navn else email
        for pk in user_ids:
            names.setdefault(f"bruker:{pk}", _("En bruker i en annen kommune"))
    if client_ids:
        clients = ApiToken.objects.filter(pk__in=client_ids)
        if kommune_id is not None:
            clients = clients.filter(kommuner__kommune_id=kommune_id).distinct()
        for pk, navn in clients.values_list("pk", "navn"):
            names[f"klient:{pk}"] = _("API-klient «%(navn)s»") % {"navn": navn}
        for pk in client_ids:
            names.setdefault(f"klient:{pk}", _("En API-klient i en annen kommune"))
    return names


def lege_list() -> QuerySet:
    """The doctors registered in the kommune in scope, with the kommune's employee number. One query."""
    from kommune.models import Lege, LegeKommune

    return Lege.objects.annotate(
        ansattnummer=Subquery(LegeKommune.objects.filter(lege=OuterRef("pk")).values("ansattnummer")[:1])
    ).order_by("etternavn", "fornavn", "hpr_nummer")


def get_lege(*, pk: int):
    from django.shortcuts import get_object_or_404

    return get_object_or_404(lege_list(), pk=pk)


def public_kommune(*, kommunenummer: str) -> Kommune:
    """A kommune by its public number, for the public pages (no login, no scope); 404 for a
    malformed or unknown number. Only the public facts are loaded."""
    from core.tenancy import unscoped

    try:
        kommunenummer_validator(kommunenummer)
    except ValidationError as exc:
        raise Http404(_("Ugyldig kommunenummer.")) from exc
    with unscoped(reason="public page (fastlegeforskriften § 6): the kommune register is public"):
        kommune = Kommune.objects.only("id", "kommunenummer", "navn", "malform").filter(kommunenummer=kommunenummer).first()
    if kommune is None:
        raise Http404(_("Fant ingen kommune med dette kommunenummeret."))
    return kommune
