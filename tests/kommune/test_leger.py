"""The doctor's national record under tenancy: seen and corrected only where registered."""

import datetime as dt

import pytest

from core.tenancy import NoTenantScope
from kommune import services
from kommune.models import Lege, LegeKommune
from tests import register
from tests.conftest import in_kommune


def test_a_doctor_is_invisible_and_read_only_where_not_registered(bergen, sunnfjord):
    with in_kommune(bergen):
        doctor = register.lege(bergen)
    with in_kommune(sunnfjord):
        assert not Lege.objects.filter(hpr_nummer=doctor.hpr_nummer).exists()
        assert not LegeKommune.objects.filter(lege_id=doctor.pk).exists()
        doctor.fornavn = "Endret"
        with pytest.raises(NoTenantScope):
            doctor.save()
        with pytest.raises(NoTenantScope):
            doctor.delete()
    with in_kommune(bergen):
        assert Lege.objects.get(pk=doctor.pk).fornavn != "Endret"


def test_competence_change_is_in_the_history_with_the_actor(bergen):
    from core.history import history_for

    with in_kommune(bergen):
        doctor = register.lege(bergen)
        services.update_lege(lege=doctor, expected_version=doctor.versjon, kurs_vold_overgrep=dt.date(2025, 2, 1))
        entry = history_for(Lege.objects.get(pk=doctor.pk))[0]
    assert entry.hendelse == "update" and entry.aktor == "test"
    assert ("kurs_vold_overgrep", None, "2025-02-01") in entry.endringer


def test_employee_number_is_per_kommune_and_unique_there(bergen, sunnfjord):
    with in_kommune(bergen):
        a, b = register.lege(bergen, ansattnummer="B-1"), register.lege(bergen)
        with pytest.raises(Exception) as exc:
            services.set_ansattnummer(lege=b, kommune=bergen, ansattnummer="B-1")
        assert "Ansattnummeret" in str(exc.value)
    with in_kommune(sunnfjord):
        services.register_lege(kommune=sunnfjord, hpr_nummer=a.hpr_nummer, fornavn=a.fornavn, etternavn=a.etternavn,
                               fodselsdato=a.fodselsdato, ansattnummer="B-1")
        assert LegeKommune.objects.get(lege=a).ansattnummer == "B-1"


@pytest.mark.parametrize("born", [dt.date(9990, 1, 1), dt.date(1850, 1, 1), dt.date.today()])
def test_impossible_birth_dates_refused(bergen, born):
    from django.core.exceptions import ValidationError

    with in_kommune(bergen), pytest.raises(ValidationError) as exc:
        services.register_lege(kommune=bergen, hpr_nummer="7654321", fornavn="A", etternavn="B", fodselsdato=born)
    assert "fodselsdato" in exc.value.message_dict
