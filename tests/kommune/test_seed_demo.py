from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from pghistory.models import Events

from core.history import history_for
from core.tenancy import unscoped
from kommune.demo import DEMO_KOMMUNER, DEMO_ROLES, DEMO_SUPERUSER
from kommune.models import Kommune, Rolle, User
from tests.conftest import kommune

pytestmark = pytest.mark.django_db


def _demo_kommuner():
    with unscoped(reason="test: the demo kommuner's settings"):
        demo = Kommune.objects.filter(kommunenummer__in=DEMO_KOMMUNER)
        return {k.kommunenummer: (k.sentralitetsklasse, k.versjon) for k in demo}


def _roles():
    with unscoped(reason="test: the demo roles in every kommune"):
        return sorted(Rolle.objects.values_list("bruker__email", "rolle", "kommune__kommunenummer"))


def _event_keys():
    return {(event.pgh_model, event.pgh_id) for event in Events.objects.all()}


@pytest.fixture(scope="module")
def _seeded(django_db_setup, django_db_blocker):
    """The demo seeded once for the module, inside a transaction rolled back at its end (each test runs
    in a savepoint inside it): seeding takes seconds."""
    from io import StringIO

    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        before = _event_keys()
        out = StringIO()
        call_command("seed_demo", "--force", stdout=out)
        yield SimpleNamespace(events_before=before, output=out.getvalue())
        transaction.set_rollback(True)


@pytest.fixture
def seeded(_seeded, db):
    return _seeded


def test_seed_demo_is_deterministic_and_idempotent(seeded):
    first, first_roles, first_users = _demo_kommuner(), _roles(), User.objects.count()
    call_command("seed_demo", "--force", stdout=StringIO())
    assert _demo_kommuner() == first
    assert _roles() == first_roles
    assert User.objects.count() == first_users
    assert first["1825"][0] == first["1826"][0] == 6
    assert User.objects.filter(email=DEMO_SUPERUSER, is_superuser=True).count() == 1
    assert DEMO_SUPERUSER in seeded.output


def test_seed_demo_creates_the_demo_people_with_their_roles(seeded):
    expected = sorted((email, rolle, nr) for email, _navn, rolle, numbers in DEMO_ROLES for nr in numbers)
    assert _roles() == expected
    for email, navn, _rolle, _numbers in DEMO_ROLES:
        user = User.objects.get(email=email)
        assert user.navn == navn and user.has_usable_password() and not user.is_superuser
    # The superuser runs the admin; it has no role in any kommune.
    assert DEMO_SUPERUSER not in {email for email, _rolle, _nr in _roles()}
    assert all(email in seeded.output for email, *_ in DEMO_ROLES)


def test_demo_has_a_city_a_mid_size_and_two_small_rural_kommuner(seeded):
    from kommune.selectors import kommune_list

    with unscoped(reason="test: compare the demo kommuner"):
        sizes = {k.kommunenummer: k for k in kommune_list().filter(kommunenummer__in=DEMO_KOMMUNER)}
    small = [k for k in sizes.values() if k.innbyggere < 5000]
    assert len(small) == 2 and all(k.sentralitetsklasse for k in small)
    assert max(k.innbyggere for k in sizes.values()) > 200_000


def test_seed_demo_writes_are_attributed_to_the_command(seeded):
    assert history_for(kommune("1825"))[0].aktor == "kommando:seed_demo"
    new = [event for event in Events.objects.all() if (event.pgh_model, event.pgh_id) not in seeded.events_before]
    models = {event.pgh_model for event in new}
    assert {"kommune.KommuneEvent", "kommune.UserEvent", "kommune.RolleEvent"} <= models
    assert {(event.pgh_context or {}).get("actor") for event in new} == {"kommando:seed_demo"}


def test_seed_demo_refuses_outside_development_without_force(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="kjente passord"):
        call_command("seed_demo")
