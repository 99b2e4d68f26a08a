"""Deterministic demo data, extended by later apps without the kommune app importing them.

`manage.py seed_demo` runs every registered seeder in order. Seeders must be idempotent (running
the command twice leaves the same data) and write through services.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from kommune import selectors, services

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


def seed_kommuner() -> list[Login]:
    for kommunenummer, settings in DEMO_KOMMUNER.items():
        kommune = selectors.get_kommune(kommunenummer=kommunenummer)
        changes = {field: value for field, value in settings.items() if getattr(kommune, field) != value}
        if changes:
            services.update_kommune(kommune=kommune, expected_version=kommune.versjon, **changes)
    User = get_user_model()
    if not User.objects.filter(email=DEMO_SUPERUSER).exists():
        User.objects.create_superuser(DEMO_SUPERUSER, DEMO_PASSWORD, navn="Drift Demo")
    return [Login(DEMO_SUPERUSER, DEMO_PASSWORD, "superbruker (drift og admin)")]


register(Seeder(key="kommune", order=0, run=seed_kommuner))
