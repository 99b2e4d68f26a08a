"""The optimistic-concurrency helpers that every service uses."""

import pytest
from django.core.exceptions import ValidationError

from core.concurrency import delete_versioned, update_versioned
from core.exceptions import StaleVersion
from kommune.models import Kommune
from tests.conftest import in_kommune

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _scope(bergen):
    """Kommune is tenant data: the helpers work on Bergen, in Bergen's scope."""
    with in_kommune(bergen):
        yield


def test_delete_of_a_row_others_depend_on_is_a_validation_error_and_deletes_nothing():
    kommune = Kommune.objects.get(kommunenummer="4601")  # its Innbyggertall rows PROTECT it
    with pytest.raises(ValidationError, match="andre opplysninger"):
        delete_versioned(kommune, expected_version=1)
    assert Kommune.objects.filter(kommunenummer="4601").exists()


def test_delete_with_stale_version_is_refused():
    kommune = Kommune.objects.get(kommunenummer="4601")
    with pytest.raises(StaleVersion):
        delete_versioned(kommune, expected_version=2)


def test_update_without_changes_checks_the_version_and_writes_nothing():
    kommune = Kommune.objects.get(kommunenummer="4601")
    assert update_versioned(kommune, expected_version=1, changes={}).versjon == 1
    with pytest.raises(StaleVersion):
        update_versioned(kommune, expected_version=5, changes={})
    assert Kommune.objects.get(kommunenummer="4601").versjon == 1
