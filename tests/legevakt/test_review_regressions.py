"""Regressions found in review (issue 7): bad input that gave 500, rule and privacy defects."""

from __future__ import annotations

import datetime as dt

import pytest

from legevakt import tid, vakt_services, vaktplan_jobb
from legevakt.models import Fritak, Vakt
from tests import register
from tests.conftest import in_kommune, kommune
from tests.legevakt import helpers
from tests.legevakt.helpers import oslo

pytestmark = pytest.mark.django_db


@pytest.fixture
def d(bergen):
    return helpers.distrikt(bergen, kommune("1825"), navn="Bergen og Grane legevakt")


@pytest.fixture
def aas(bergen):
    return helpers.kvalifisert(bergen, etternavn="Aas")


@pytest.fixture
def berg(bergen):
    return helpers.kvalifisert(bergen, etternavn="Berg")


@pytest.fixture
def vakt(d, aas):
    # Friday evening to Saturday morning: no office hours after it.
    with in_kommune(d.kommune):
        return vakt_services.create_vakt(distrikt=d, lege=aas, type="tilstedevakt", start=oslo(2026, 11, 6, 16),
                                         slutt=oslo(2026, 11, 7, 8))


def _antall(k) -> int:
    with in_kommune(k):
        return Vakt.objects.count()


# --- 500s from bad input -------------------------------------------------------------------------------

@pytest.mark.parametrize("start", ["9999-12-31", "0001-01-01", "2200-01-01"])
def test_new_shift_page_ignores_a_prefill_day_outside_the_accepted_dates(page_client, d, start):
    # 9999-12-31 gave OverflowError (the prefilled end is the next morning).
    response = page_client.get(f"/legevakt/distrikter/{d.pk}/vaktplan/ny-vakt/", {"start": start})
    assert response.status_code == 200


def test_sick_call_page_with_a_start_after_the_shift_shows_the_rule_instead_of_500(page_client, bergen, d, vakt, berg):
    url = f"/legevakt/vakter/{vakt.pk}/syk/"
    response = page_client.get(url, {"fra": "2026-11-07T09:00"})
    assert response.status_code == 200
    assert "Tidspunktet må være før vakten slutter" in response.content.decode()

    response = page_client.post(url, {"versjon": vakt.versjon, "erstatter": berg.pk, "fra": "2200-01-01T00:00",
                                      "handling": "lagre"})
    assert response.status_code == 200
    assert "Tidspunktet må være før vakten slutter" in response.content.decode()
    assert _antall(bergen) == 1
    with in_kommune(bergen):
        vakt.refresh_from_db()
    assert vakt.status == "aktiv"


# --- rule bugs ------------------------------------------------------------------------------------------

def test_pattern_roster_duration_in_hours_is_real_hours_across_the_october_change(bergen, d,
                                                                                   django_capture_on_commit_callbacks):
    # A 64-hour weekend from Friday 23 October 2026 16:00 ends Monday 07:00 (the night of the 25th has
    # 25 hours); adding to the Oslo time gave 65 real hours, and a 72-hour line was refused as too long.
    with in_kommune(bergen):  # a doctor by agreement: no office hours on Monday morning
        lege = register.lege(bergen, **helpers.KVALIFISERT)
    helpers.vaktavtale(d, lege)
    helg = {"ukedager": [5], "start": "16:00", "timer": 64, "type": "hjemmevakt"}
    with django_capture_on_commit_callbacks(execute=True), in_kommune(bergen):
        jobb = vaktplan_jobb.start_vaktplan(distrikt=d, fra=dt.date(2026, 10, 23), til=dt.date(2026, 10, 24),
                                            monster=[helg], leger=[lege], startet_av="test")
    with in_kommune(bergen):
        jobb.refresh_from_db()
        assert jobb.resultat["opprettet"] == 1, (jobb.status, jobb.feil, jobb.resultat)
        vakt = Vakt.objects.get()
    assert tid.elapsed_hours(vakt.start, vakt.slutt) == 64
    assert tid.lokal(vakt.slutt).replace(tzinfo=None) == dt.datetime(2026, 10, 26, 7, 0)


def test_an_exemption_is_shown_with_its_last_day_not_the_first_day_after_it(api, page_client, bergen, aas):
    # `til` is the first day not covered; «Fritatt fra legevakt 1.1.2026–1.4.2026» read as one day too many.
    with in_kommune(bergen):
        f = Fritak.objects.create(kommune=bergen, lege=aas, type="skjonn_helse", omfang="all", fra=dt.date(2026, 1, 1),
                                  til=dt.date(2026, 4, 1), vedtaksdato=dt.date(2025, 12, 1), grunnlag="g")
    assert api.get(f"/api/v1/legevaktfritak/{f.pk}/").json()["tekst"] == "Fritatt fra legevakt 01.01.2026–31.03.2026"
    assert "Fritatt fra legevakt 1.1.2026–31.3.2026" in page_client.get(f"/legevakt/fritak/{f.pk}/").content.decode()
