import importlib

import pytest
from django.apps import apps
from rest_framework.test import APIClient

from tests.factories import UserFactory

PASSWORD = "Et-godt-testpassord-123"


@pytest.fixture
def superuser(db):
    return UserFactory(is_superuser=True, is_staff=True, password=PASSWORD)


@pytest.fixture
def user(db):
    return UserFactory(password=PASSWORD)


@pytest.fixture
def api(superuser):
    """An API client logged in as a superuser (writes allowed until roles exist)."""
    client = APIClient()
    client.force_login(superuser)
    return client


@pytest.fixture
def reader_api(user):
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def page_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def kommune_data(transactional_db):
    """For tests with real transactions: the flush after each of them removes the kommuner the data
    migration shipped, so load them again the way the migration does."""
    from kommune.models import Kommune

    if not Kommune.objects.exists():
        migration = importlib.import_module("kommune.migrations.0002_load_kommuner_2025")
        migration.load(apps, None)
