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


def test_seed_demo_is_deterministic_and_idempotent(capsys):
    call_command("seed_demo", "--force")
    first, first_roles, first_users = _demo_kommuner(), _roles(), User.objects.count()
    call_command("seed_demo", "--force")
    assert _demo_kommuner() == first
    assert _roles() == first_roles
    assert User.objects.count() == first_users
    assert first["1825"][0] == first["1826"][0] == 6
    assert User.objects.filter(email=DEMO_SUPERUSER, is_superuser=True).count() == 1
    assert DEMO_SUPERUSER in capsys.readouterr().out


def test_seed_demo_creates_the_demo_people_with_their_roles(capsys):
    call_command("seed_demo", "--force")
    expected = sorted((email, rolle, nr) for email, _navn, rolle, numbers in DEMO_ROLES for nr in numbers)
    assert _roles() == expected
    for email, navn, _rolle, _numbers in DEMO_ROLES:
        user = User.objects.get(email=email)
        assert user.navn == navn and user.has_usable_password() and not user.is_superuser
    # The superuser runs the admin; it has no role in any kommune.
    assert DEMO_SUPERUSER not in {email for email, _rolle, _nr in _roles()}
    out = capsys.readouterr().out
    assert all(email in out for email, *_ in DEMO_ROLES)


def test_demo_has_a_city_a_mid_size_and_two_small_rural_kommuner():
    call_command("seed_demo", "--force")
    from kommune.selectors import kommune_list

    with unscoped(reason="test: compare the demo kommuner"):
        sizes = {k.kommunenummer: k for k in kommune_list().filter(kommunenummer__in=DEMO_KOMMUNER)}
    small = [k for k in sizes.values() if k.innbyggere < 5000]
    assert len(small) == 2 and all(k.sentralitetsklasse for k in small)
    assert max(k.innbyggere for k in sizes.values()) > 200_000


def _event_keys():
    return {(event.pgh_model, event.pgh_id) for event in Events.objects.all()}


def test_seed_demo_writes_are_attributed_to_the_command():
    before = _event_keys()
    call_command("seed_demo", "--force")
    assert history_for(kommune("1825"))[0].aktor == "kommando:seed_demo"
    new = [event for event in Events.objects.all() if (event.pgh_model, event.pgh_id) not in before]
    models = {event.pgh_model for event in new}
    assert {"kommune.KommuneEvent", "kommune.UserEvent", "kommune.RolleEvent"} <= models
    assert {(event.pgh_context or {}).get("actor") for event in new} == {"kommando:seed_demo"}


def test_seed_demo_refuses_outside_development_without_force(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="kjente passord"):
        call_command("seed_demo")
