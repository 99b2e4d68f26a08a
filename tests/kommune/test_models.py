"""Kommune data as shipped, and the invariants the database holds."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from core.tenancy import unscoped
from kommune import selectors, services
from kommune.models import Innbyggertall, Kommune
from tests.conftest import in_kommune, kommune

pytestmark = pytest.mark.django_db


def test_the_357_kommuner_of_2025_are_shipped_with_their_population():
    with unscoped(reason="test: the national register as shipped"):
        kommuner = selectors.kommune_list()
        assert kommuner.count() == 357
        assert sum(k.innbyggere for k in kommuner) == 5_550_203
        assert kommuner.filter(innbyggere__lt=5000).count() == 174
        bergen = kommuner.get(kommunenummer="4601")
    assert (bergen.navn, bergen.fylkesnavn, bergen.malform, bergen.innbyggere) == ("Bergen", "Vestland", "noytral", 291940)


def test_oslo_has_its_own_agreement_regime_and_the_rest_asa_4310():
    with unscoped(reason="test: the national register as shipped"):
        assert Kommune.objects.get(kommunenummer="0301").avtaleregime == "oslo"
        assert Kommune.objects.exclude(kommunenummer="0301").filter(avtaleregime="asa4310").count() == 356


def test_data_migration_history_has_an_actor():
    from core.history import history_for

    assert history_for(kommune("4601"))[0].aktor.startswith("migrering:")


@pytest.mark.parametrize(
    ("sql", "constraint"),
    [
        ("UPDATE kommune_kommune SET sentralitetsklasse = 7 WHERE kommunenummer = '4601'", "sentralitetsklasse"),
        ("UPDATE kommune_kommune SET kommunenummer = '46a1' WHERE kommunenummer = '4601'", "4_digits"),
        ("UPDATE kommune_kommune SET fylkesnummer = '11' WHERE kommunenummer = '4601'", "fylke_matches"),
        ("UPDATE kommune_kommune SET malform = 'latin' WHERE kommunenummer = '4601'", "malform"),
        ("UPDATE kommune_innbyggertall SET antall = -1", "antall"),
    ],
)
def test_database_refuses_invalid_rows_whatever_the_writer(sql, constraint):
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)


def test_version_is_bumped_by_the_database_for_bulk_and_raw_writes_but_not_for_no_ops(bergen):
    with in_kommune(bergen):
        Kommune.objects.filter(kommunenummer="4601").update(sentralitetsklasse=2)
        assert Kommune.objects.get(kommunenummer="4601").versjon == 2
        with connection.cursor() as cursor:
            cursor.execute("UPDATE kommune_kommune SET sentralitetsklasse = 3 WHERE kommunenummer = '4601'")
        assert Kommune.objects.get(kommunenummer="4601").versjon == 3
        Kommune.objects.filter(kommunenummer="4601").update(sentralitetsklasse=3)  # no change
        assert Kommune.objects.get(kommunenummer="4601").versjon == 3


def test_service_refuses_fields_a_kommune_may_not_change(bergen):
    with in_kommune(bergen):
        with pytest.raises(ValidationError) as info:
            services.update_kommune(kommune=bergen, expected_version=1, navn="Bjørgvin")
        assert "navn" in info.value.message_dict
        assert Kommune.objects.get(kommunenummer="4601").navn == "Bergen"


def test_population_on_a_date_uses_the_figure_in_force_then():
    import datetime as dt

    hattfjelldal = kommune("1826")
    with in_kommune(hattfjelldal):
        services.record_innbyggertall(kommune=hattfjelldal, gjelder_fra=dt.date(2026, 1, 1), antall=1270, kilde="SSB")
        assert selectors.kommune_list(on=dt.date(2025, 6, 1)).get(pk=hattfjelldal.pk).innbyggere == 1284
        assert selectors.kommune_list(on=dt.date(2026, 6, 1)).get(pk=hattfjelldal.pk).innbyggere == 1270
        assert selectors.kommune_list(on=dt.date(2024, 6, 1)).get(pk=hattfjelldal.pk).innbyggere is None


def test_duplicate_figure_for_a_date_is_a_validation_error_on_the_date():
    import datetime as dt

    hattfjelldal = kommune("1826")
    with in_kommune(hattfjelldal):
        with pytest.raises(ValidationError) as info:
            services.record_innbyggertall(kommune=hattfjelldal, gjelder_fra=dt.date(2025, 1, 1), antall=1, kilde="x")
        assert Innbyggertall.objects.filter(kommune=hattfjelldal).count() == 1
    assert "allerede et innbyggertall" in info.value.message_dict["gjelder_fra"][0]
