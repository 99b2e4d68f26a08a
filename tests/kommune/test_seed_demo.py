import pytest
from django.core.management import CommandError, call_command

from core.history import history_for
from kommune.demo import DEMO_KOMMUNER, DEMO_SUPERUSER
from kommune.models import Kommune, User

pytestmark = pytest.mark.django_db


def test_seed_demo_is_deterministic_and_idempotent(capsys):
    call_command("seed_demo", "--force")
    first = {k.kommunenummer: (k.sentralitetsklasse, k.versjon) for k in Kommune.objects.filter(kommunenummer__in=DEMO_KOMMUNER)}
    call_command("seed_demo", "--force")
    second = {k.kommunenummer: (k.sentralitetsklasse, k.versjon) for k in Kommune.objects.filter(kommunenummer__in=DEMO_KOMMUNER)}
    assert first == second
    assert first["1825"][0] == first["1826"][0] == 6
    assert User.objects.filter(email=DEMO_SUPERUSER, is_superuser=True).count() == 1
    assert DEMO_SUPERUSER in capsys.readouterr().out


def test_demo_has_a_city_a_mid_size_and_two_small_rural_kommuner():
    call_command("seed_demo", "--force")
    from kommune.selectors import kommune_list

    sizes = {k.kommunenummer: k for k in kommune_list().filter(kommunenummer__in=DEMO_KOMMUNER)}
    small = [k for k in sizes.values() if k.innbyggere < 5000]
    assert len(small) == 2 and all(k.sentralitetsklasse for k in small)
    assert max(k.innbyggere for k in sizes.values()) > 200_000


def test_seed_demo_writes_are_attributed_to_the_command():
    call_command("seed_demo", "--force")
    assert history_for(Kommune.objects.get(kommunenummer="1825"))[0].aktor == "kommando:seed_demo"


def test_seed_demo_refuses_outside_development_without_force(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="kjente passord"):
        call_command("seed_demo")
