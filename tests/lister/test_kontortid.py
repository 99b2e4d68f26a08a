"""A period's office hours (kontortid): the default 08–16, changed on the list page or given when
a vikar period is registered over the API; the end must come after the start. Legevakt's rest
check (SFS 2305 § 7.4) reads them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from lister import services
from lister.models import Legeperiode
from tests import register
from tests.conftest import in_kommune

pytestmark = pytest.mark.django_db


@pytest.fixture
def periode(bergen):
    with in_kommune(bergen):
        avtale = register.avtale(bergen, startdato=dt.date(2026, 1, 5))
        return Legeperiode.objects.get(pk=avtale.legeperiode_id)


def test_default_office_hours_are_eight_to_four(periode):
    assert (periode.kontortid_start, periode.kontortid_slutt) == (dt.time(8), dt.time(16))


def test_change_refuses_an_end_before_the_start_and_saves_nothing(bergen, periode):
    with in_kommune(bergen), pytest.raises(ValidationError) as exc:
        services.change_kontortid(periode=periode, kontortid_start=dt.time(15), kontortid_slutt=dt.time(9))
    assert "etter at den begynner" in str(exc.value.message_dict["kontortid_slutt"])
    with in_kommune(bergen):
        assert Legeperiode.objects.get(pk=periode.pk).kontortid_start == dt.time(8)


def test_page_changes_the_office_hours(client, overlege, bergen, periode):
    client.force_login(overlege)
    url = f"/lister/perioder/{periode.pk}/kontortid/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"kontortid_start": "07:30", "kontortid_slutt": "15:00"})
    assert response.status_code == 302
    with in_kommune(bergen):
        changed = Legeperiode.objects.get(pk=periode.pk)
    assert (changed.kontortid_start, changed.kontortid_slutt) == (dt.time(7, 30), dt.time(15))
    page = client.get(f"/lister/{periode.pasientliste_id}/").content.decode()
    assert "07:30–15:00" in page


def test_page_shows_the_rule_on_the_field(client, overlege, periode):
    client.force_login(overlege)
    response = client.post(f"/lister/perioder/{periode.pk}/kontortid/", {"kontortid_start": "16:00", "kontortid_slutt": "08:00"})
    assert response.status_code == 200
    assert "Kontortiden må slutte etter at den begynner" in response.content.decode()


def test_reader_cannot_change(client, leser, periode):
    client.force_login(leser)
    assert client.post(f"/lister/perioder/{periode.pk}/kontortid/", {"kontortid_start": "07:00",
                                                                      "kontortid_slutt": "15:00"}).status_code == 403


def test_api_vikar_period_with_office_hours(api, bergen):
    with in_kommune(bergen):
        liste = register.liste(bergen)
        vikar = register.lege(bergen, fornavn="Vera", etternavn="Vikar")
    response = api.post(f"/api/v1/pasientlister/{liste.pk}/perioder/", {
        "lege": vikar.pk, "rolle": "LPVI", "fra": "2026-06-01", "til": "2026-07-01", "kontortid_start": "09:00",
        "kontortid_slutt": "15:30"}, format="json")
    assert response.status_code == 201, response.content
    assert (response.data["kontortid_start"], response.data["kontortid_slutt"]) == ("09:00:00", "15:30:00")
    bad = api.post(f"/api/v1/pasientlister/{liste.pk}/perioder/", {
        "lege": vikar.pk, "rolle": "LPVI", "fra": "2026-08-01", "til": "2026-09-01", "kontortid_start": "15:00",
        "kontortid_slutt": "09:00"}, format="json")
    assert bad.status_code == 400
    assert "kontortid_slutt" in bad.json()["felt"]
