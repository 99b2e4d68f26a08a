"""Who engages and pays a vikar (Legeperiode.oppdragsgiver, issue 8): «kommunen» (payroll, the
default) or «fastlegen» (a næringsdrivende fastlege pays the vikar privately, not payroll) — in the
periods API (writable on create, read-only on the PATCH of `til`), the assignment service, API and
page, and shown in the list's period table."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from lister import services, vikar_services
from lister.models import Legeperiode
from tests import register
from tests.api_helpers import error
from tests.conftest import api_client_for, in_kommune

pytestmark = pytest.mark.django_db

LISTER = "/api/v1/pasientlister/"
FEIL = "Oppdragsgiver må være «kommunen» eller «fastlegen»."


@pytest.fixture(autouse=True)
def k(bergen):
    with in_kommune(bergen):
        yield bergen


@pytest.fixture
def liste(k):
    return register.liste(k, navn="Liste Ledig")


@pytest.fixture
def lege(k):
    return register.lege(k, fornavn="Vera", etternavn="Vikar", spesialist_allmennmedisin_fra=dt.date(2010, 1, 1))


@pytest.fixture
def saksbehandler_api(saksbehandler):
    return api_client_for(saksbehandler)


def perioder(liste) -> str:
    return f"{LISTER}{liste.pk}/perioder/"


def tildeling(liste) -> str:
    return f"{LISTER}{liste.pk}/vikartildeling/"


def _periode_body(lege, **overrides) -> dict:
    return {"lege": lege.pk, "rolle": "LPVI", "fra": "2026-09-01", "til": "2026-10-01", "stillingsprosent": 50, **overrides}


# --- the periods API --------------------------------------------------------------------------------

def test_a_vikar_period_engaged_by_the_fastlege_is_created_and_read_back(saksbehandler_api, liste, lege):
    response = saksbehandler_api.post(perioder(liste), _periode_body(lege, oppdragsgiver="fastlegen"), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["oppdragsgiver"] == "fastlegen"
    assert Legeperiode.objects.get().oppdragsgiver == "fastlegen"
    assert saksbehandler_api.get(response["Location"]).json()["oppdragsgiver"] == "fastlegen"
    assert [p["oppdragsgiver"] for p in saksbehandler_api.get(perioder(liste)).json()["resultater"]] == ["fastlegen"]


@pytest.mark.parametrize("body", [{}, {"oppdragsgiver": ""}, {"oppdragsgiver": "kommunen"}])
def test_a_vikar_period_defaults_to_the_kommune(saksbehandler_api, liste, lege, body):
    response = saksbehandler_api.post(perioder(liste), _periode_body(lege, **body), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["oppdragsgiver"] == "kommunen"
    assert Legeperiode.objects.get().oppdragsgiver == "kommunen"


@pytest.mark.parametrize("value", ["privat", "KOMMUNEN", 1])
def test_a_nonsense_oppdragsgiver_is_400_on_the_field_and_nothing_is_saved(saksbehandler_api, liste, lege, value):
    body = error(saksbehandler_api.post(perioder(liste), _periode_body(lege, oppdragsgiver=value), format="json"))
    assert body["felt"]["oppdragsgiver"] == [FEIL]
    assert not Legeperiode.objects.exists()


def test_a_fastlege_period_has_no_oppdragsgiver_and_the_patch_cannot_change_it(saksbehandler_api, k, liste, lege):
    fastlege = register.lege(k)
    services.add_legeperiode(liste=liste, lege=fastlege, rolle="LPFL", via_fastlegeavtale=True, fra=dt.date(2026, 1, 1))
    created = saksbehandler_api.post(perioder(liste), _periode_body(lege, oppdragsgiver="fastlegen", vikar_for=fastlege.pk),
                                     format="json")
    assert created.status_code == 201, created.content
    by_rolle = {p["rolle"]: p["oppdragsgiver"] for p in saksbehandler_api.get(perioder(liste)).json()["resultater"]}
    assert by_rolle == {"LPFL": "", "LPVI": "fastlegen"}

    url = created["Location"]
    response = saksbehandler_api.patch(url, {"til": "2026-11-01", "oppdragsgiver": "kommunen"}, format="json",
                                       HTTP_IF_MATCH=saksbehandler_api.get(url)["ETag"])
    assert response.status_code == 200, response.content
    assert (response.json()["til"], response.json()["oppdragsgiver"]) == ("2026-11-01", "fastlegen")
    assert Legeperiode.objects.get(pk=created.json()["id"]).oppdragsgiver == "fastlegen"


# --- assignment: the service and the API ------------------------------------------------------------

def test_tildel_vikar_records_the_oppdragsgiver_and_defaults_to_the_kommune(k, liste, lege):
    privat = vikar_services.tildel_vikar(liste=liste, lege=lege, fra=dt.date(2026, 9, 1), til=dt.date(2026, 10, 1),
                                         stillingsprosent=50, oppdragsgiver="fastlegen")
    kommunal = vikar_services.tildel_vikar(liste=liste, lege=lege, fra=dt.date(2026, 10, 1), til=dt.date(2026, 11, 1),
                                           stillingsprosent=50)
    assert (privat.rolle, privat.oppdragsgiver, kommunal.oppdragsgiver) == ("LPVI", "fastlegen", "kommunen")
    with pytest.raises(ValidationError) as exc:
        vikar_services.tildel_vikar(liste=liste, lege=lege, fra=dt.date(2027, 1, 1), til=dt.date(2027, 2, 1),
                                    stillingsprosent=50, oppdragsgiver="privat")
    assert exc.value.message_dict["oppdragsgiver"] == [FEIL]
    assert Legeperiode.objects.count() == 2


def test_the_assignment_api_takes_the_oppdragsgiver(saksbehandler_api, liste, lege):
    body = {"lege": lege.pk, "fra": "2026-09-01", "til": "2026-10-01", "stillingsprosent": 60}
    response = saksbehandler_api.post(tildeling(liste), {**body, "oppdragsgiver": "fastlegen"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["oppdragsgiver"] == "fastlegen"
    default = saksbehandler_api.post(tildeling(liste), {**body, "fra": "2026-10-01", "til": "2026-11-01"}, format="json")
    assert default.status_code == 201 and default.json()["oppdragsgiver"] == "kommunen"
    refused = error(saksbehandler_api.post(tildeling(liste), {**body, "fra": "2027-01-01", "til": "2027-02-01",
                                                                 "oppdragsgiver": "privat"}, format="json"))
    assert refused["felt"]["oppdragsgiver"] == [FEIL]
    assert sorted(Legeperiode.objects.values_list("oppdragsgiver", flat=True)) == ["fastlegen", "kommunen"]


# --- the pages ----------------------------------------------------------------------------------------

def _tildel_url(liste) -> str:
    return reverse("lister:tildel", args=[liste.pk])


def _checked(page: str) -> list[str]:
    return re.findall(r'<input type="radio" name="oppdragsgiver" value="(\w+)"[^>]*checked', page)


def test_the_assignment_form_has_the_choice_with_kommunen_preselected(client, saksbehandler, liste):
    client.force_login(saksbehandler)
    page = client.get(_tildel_url(liste)).content.decode()
    assert _checked(page) == ["kommunen"]
    assert 'name="oppdragsgiver" value="fastlegen"' in page
    assert "<legend>Oppdragsgiver</legend>" in page
    assert "næringsdrivende fastlege engasjerer vikaren og betaler vikaren privat" in page


def test_the_assignment_page_saves_the_choice_and_refuses_nonsense(client, saksbehandler, liste, lege):
    client.force_login(saksbehandler)
    data = {"fra": "2026-09-01", "til": "2026-10-01", "stillingsprosent": "60", "lege": lege.pk, "handling": "tildel"}
    response = client.post(_tildel_url(liste), {**data, "oppdragsgiver": "privat"})
    assert response.status_code == 200 and FEIL in response.content.decode()
    assert not Legeperiode.objects.exists()

    response = client.post(_tildel_url(liste), {**data, "oppdragsgiver": "fastlegen"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Legeperiode.objects.get().oppdragsgiver == "fastlegen"


def test_the_list_page_shows_a_privately_engaged_vikar(client, saksbehandler, k, liste, lege):
    annen = register.lege(k, fornavn="Kåre", etternavn="Kommunal", spesialist_allmennmedisin_fra=dt.date(2010, 1, 1))
    vikar_services.tildel_vikar(liste=liste, lege=lege, fra=dt.date(2026, 9, 1), til=dt.date(2026, 10, 1),
                                stillingsprosent=50, oppdragsgiver="fastlegen")
    vikar_services.tildel_vikar(liste=liste, lege=annen, fra=dt.date(2026, 9, 1), til=dt.date(2026, 10, 1),
                                stillingsprosent=50)
    client.force_login(saksbehandler)
    page = client.get(reverse("lister:liste", args=[liste.pk])).content.decode()
    rows = {navn: rad for rad in re.findall(r"<tr>(.*?)</tr>", page, re.S)
            for navn in ("Vera Vikar", "Kåre Kommunal") if navn in rad}
    assert "privat (fastlegen)" in rows["Vera Vikar"]
    assert "privat (fastlegen)" not in rows["Kåre Kommunal"]
