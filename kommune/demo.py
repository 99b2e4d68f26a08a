"""Deterministic demo data, extended by later apps without the kommune app importing them.

`manage.py seed_demo` runs every registered seeder in order. Seeders must be idempotent (running
the command twice leaves the same data) and write through services.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from core.context import current_actor, scope
from core.tenancy import unscoped
from kommune import services
from kommune.models import Kommune

# A city, a mid-size kommune, and two small rural kommuner under 5,000 inhabitants. The
# sentralitetsklasse values are demo settings, not authoritative SSB figures.
DEMO_KOMMUNER: dict[str, dict] = {
    "4601": {},  # Bergen — city
    "4647": {},  # Sunnfjord — mid-size, nynorsk målform
    "1825": {"sentralitetsklasse": 6},  # Grane — rural, ~1,450 inhabitants
    "1826": {"sentralitetsklasse": 6},  # Hattfjelldal — rural, ~1,300 inhabitants
}

DEMO_PASSWORD = "Demo-passord-2026!"
DEMO_SUPERUSER = "drift@demo.fastlege.no"


@dataclass(frozen=True)
class Login:
    email: str
    password: str
    description: str


@dataclass(frozen=True)
class Seeder:
    key: str
    order: int
    run: Callable[[], list[Login]]


_seeders: dict[str, Seeder] = {}


def register(seeder: Seeder) -> None:
    _seeders[seeder.key] = seeder


def run_all() -> list[Login]:
    logins: list[Login] = []
    for seeder in sorted(_seeders.values(), key=lambda s: (s.order, s.key)):
        logins.extend(seeder.run())
    return logins


# Demo people and their roles. The kommuneoverlege sets up TOTP at first login (required).
DEMO_ROLES: list[tuple[str, str, str, list[str]]] = [
    ("overlege@demo.fastlege.no", "Kari Overlege", "kommuneoverlege", ["4601", "4647", "1825", "1826"]),
    ("saksbehandler@demo.fastlege.no", "Sander Saksbehandler", "saksbehandler", ["4601"]),
    ("lesetilgang@demo.fastlege.no", "Liv Lesetilgang", "lesetilgang", ["4601"]),
    ("lege@demo.fastlege.no", "Lars Lege", "lege", ["4601"]),
    ("grane@demo.fastlege.no", "Gro Grane", "saksbehandler", ["1825", "1826"]),
    ("lege.grane@demo.fastlege.no", "Guri Fjellheim", "lege", ["1825"]),
]


def seed_kommuner() -> list[Login]:
    with unscoped(reason="demo seed: look up the demo kommuner"):
        kommuner = {k.kommunenummer: k for k in Kommune.objects.filter(kommunenummer__in=list(DEMO_KOMMUNER))}
    for kommunenummer, settings in DEMO_KOMMUNER.items():
        kommune = kommuner[kommunenummer]
        with scope(kommune_id=kommune.pk, actor=current_actor() or "kommando:seed_demo"):
            changes = {field: value for field, value in settings.items() if getattr(kommune, field) != value}
            if changes:
                services.update_kommune(kommune=kommune, expected_version=kommune.versjon, **changes)
    User = get_user_model()
    if not User.objects.filter(email=DEMO_SUPERUSER).exists():
        User.objects.create_superuser(DEMO_SUPERUSER, DEMO_PASSWORD, navn="Drift Demo")
    logins = [Login(DEMO_SUPERUSER, DEMO_PASSWORD, "superbruker (drift og admin, ingen kommunerolle)")]
    for email, navn, rolle, numbers in DEMO_ROLES:
        for kommunenummer in numbers:
            with scope(kommune_id=kommuner[kommunenummer].pk, actor=current_actor() or "kommando:seed_demo"):
                services.grant_role(kommune=kommuner[kommunenummer], email=email, rolle=rolle, navn=navn)
        user = User.objects.get(email=email)
        if not user.has_usable_password():
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        logins.append(Login(email, DEMO_PASSWORD, f"{rolle} i {', '.join(numbers)}"))
    return logins


register(Seeder(key="kommune", order=0, run=seed_kommuner))
