"""The district API: districts (list with members and population in constant queries, ETag,
create, PATCH with If-Match, history) and, nested under a district, memberships, stations and
agreements — the services' rules as 400 with the field, 403 for a deltakerkommune and for read-only
tokens, nothing saved on a refusal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from legevakt import distrikt_services as services
from legevakt.models import Legevaktdistrikt, Medlemskap, Stasjon, Vaktavtale
from tests import register
from tests.api_helpers import error, if_match
from tests.conftest import api_client_for, in_kommune, kommune, token_client, user_with_role
from tests.legevakt.test_distrikt_services import innbyggere, sentralitet_6

pytestmark = pytest.mark.django_db
URL = "/api/v1/legevaktdistrikter/"
FRA = dt.date(2026, 1, 1)


@pytest.fixture
def sb_api(saksbehandler):
    return api_client_for(saksbehandler)


@pytest.fixture
def vest(bergen, sunnfjord):
    with in_kommune(bergen):
        return services.create_distrikt(kommune=bergen, navn="Vest", type="interkommunal", fra=FRA, medlemmer=["4647"])


def test_create_read_patch_and_history(sb_api, bergen):
    smaa = sentralitet_6(3)
    for k in smaa:
        innbyggere(k, 1500)
    response = sb_api.post(URL, {"navn": "Bergen legevakt", "type": "interkommunal", "fra": "2026-01-01",
                                 "medlemmer": [k.kommunenummer for k in smaa]}, format="json", HTTP_IDEMPOTENCY_KEY="d-1")
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"] == f"{URL}{body['id']}/" and response["ETag"] == f'"{body["versjon"]}"'
    assert body["vertskommune"] == "4601" and len(body["medlemmer"]) == 4
    url = f"{URL}{body['id']}/"
    got = sb_api.get(url + "?dato=2026-06-01")
    assert got["ETag"] == f'"{body["versjon"]}"'
    bergen_figure = got.json()["befolkning"] - 4500
    assert bergen_figure > 0 and got.json()["befolkningsgruppe"] in ("III", "IV")
    assert error(sb_api.patch(url, {"navn": "Ny"}, format="json"), 428)
    assert error(sb_api.patch(url, {"navn": "Ny"}, format="json", **if_match(body["versjon"] + 5)), 412)
    body2 = sb_api.patch(url, {"navn": "Vest legevakt"}, format="json", **if_match(body["versjon"])).json()
    assert body2["navn"] == "Vest legevakt"
    assert {e["hendelse"] for e in sb_api.get(url + "historikk/").json()["resultater"]} >= {"insert", "update"}


def test_bad_input_is_400_with_the_field_and_nothing_saved(sb_api, bergen, vest):
    assert "type" in error(sb_api.post(URL, {"navn": "X", "type": "tull", "fra": "2026-01-01"}, format="json"))["felt"]
    assert "medlemmer" in error(sb_api.post(URL, {"navn": "X", "type": "en_kommune", "fra": "2026-01-01",
                                                  "medlemmer": ["4647"]}, format="json"))["felt"]
    assert "dato" in error(sb_api.get(URL + "?dato=1800-01-01"))["felt"]
    nested = f"{URL}{vest.pk}/"
    body = error(sb_api.post(nested + "medlemskap/", {"kommunenummer": "4647", "tidsbolk": "dagtid", "fra": "2026-02-01"},
                             format="json"))
    assert "ett distrikt per tidsbånd" in body["felt"]["tidsbolk"][0]
    assert "medlem" in error(sb_api.post(nested + "medlemskap/", {"kommunenummer": "0000", "fra": "2026-02-01"},
                                         format="json"))["felt"]
    assert "til" in error(sb_api.post(nested + "medlemskap/", {"kommunenummer": "4602", "fra": "2026-02-01",
                                                               "til": "2026-01-01"}, format="json"))["felt"]
    assert "postnummer" in error(sb_api.post(nested + "stasjoner/", {"navn": "S", "adresse": "Gata 1", "postnummer": "12"},
                                             format="json"))["felt"]
    with in_kommune(bergen):
        assert Medlemskap.objects.filter(distrikt=vest).count() == 2 and not Stasjon.objects.exists()
        assert Legevaktdistrikt.objects.count() == 1


def test_nested_resources(sb_api, bergen, sunnfjord, vest):
    nested = f"{URL}{vest.pk}/"
    response = sb_api.post(nested + "medlemskap/", {"kommunenummer": "4602", "tidsbolk": "utenfor_dagtid",
                                                    "fra": "2026-02-01"}, format="json")
    assert response.status_code == 201, response.content
    m = response.json()
    assert (m["kommunenavn"], m["tidsbolk"]) == ("Kinn", "utenfor_dagtid")
    ended = sb_api.patch(f"{nested}medlemskap/{m['id']}/", {"til": "2026-07-01"}, format="json", **if_match(m["versjon"]))
    assert ended.status_code == 200 and ended.json()["til"] == "2026-07-01"
    s = sb_api.post(nested + "stasjoner/", {"navn": "Sentrum", "adresse": "Gata 1", "postnummer": "5003"}, format="json")
    assert s.status_code == 201, s.content
    s = s.json()
    assert sb_api.patch(f"{nested}stasjoner/{s['id']}/", {"aktiv": False}, format="json",
                        **if_match(s["versjon"])).json()["aktiv"] is False
    with in_kommune(bergen):
        lege = register.lege(bergen)
    with in_kommune(sunnfjord):
        fremmed = register.lege(sunnfjord)
    assert "lege" in error(sb_api.post(nested + "vaktavtaler/", {"lege": fremmed.pk, "fra": "2026-01-01"},
                                       format="json"))["felt"]
    a = sb_api.post(nested + "vaktavtaler/", {"lege": lege.pk, "fra": "2026-01-01"}, format="json")
    assert a.status_code == 201, a.content
    a = a.json()
    assert "fra" in error(sb_api.post(nested + "vaktavtaler/", {"lege": lege.pk, "fra": "2026-03-01"},
                                      format="json"))["felt"]
    assert sb_api.get(f"{nested}vaktavtaler/{a['id']}/")["ETag"] == f'"{a["versjon"]}"'
    assert sb_api.patch(f"{nested}vaktavtaler/{a['id']}/", {"til": "2027-01-01"}, format="json",
                        **if_match(a["versjon"])).json()["til"] == "2027-01-01"
    assert len(sb_api.get(nested + "medlemskap/").json()["resultater"]) == 3
    assert sb_api.get(f"{nested}stasjoner/{s['id']}/historikk/").status_code == 200


def test_a_deltakerkommune_reads_but_every_write_is_403(bergen, sunnfjord, vest):
    with in_kommune(bergen):
        stasjon = services.create_stasjon(distrikt=vest, navn="Sentrum", adresse="Gata 1")
        lege = register.lege(bergen)
        avtale = services.create_vaktavtale(distrikt=vest, lege=lege, fra=FRA)
        m = Medlemskap.objects.get(distrikt=vest, medlem=sunnfjord)
    api = api_client_for(user_with_role("saksbehandler", sunnfjord))
    nested = f"{URL}{vest.pk}/"
    assert [d["navn"] for d in api.get(URL).json()["resultater"]] == ["Vest"]
    body = api.get(nested).json()
    assert body["vertskommune"] == "4601"
    assert api.get(nested + "vaktavtaler/").json()["resultater"][0]["lege"] == lege.pk
    writes = [
        api.patch(nested, {"navn": "Kapret"}, format="json", **if_match(vest.versjon)),
        api.post(nested + "medlemskap/", {"kommunenummer": "4602", "fra": "2026-01-01"}, format="json"),
        api.patch(f"{nested}medlemskap/{m.pk}/", {"til": "2026-02-01"}, format="json", **if_match(m.versjon)),
        api.post(nested + "stasjoner/", {"navn": "Kapret", "adresse": "Gata 2"}, format="json"),
        api.patch(f"{nested}stasjoner/{stasjon.pk}/", {"navn": "Kapret"}, format="json", **if_match(stasjon.versjon)),
        api.post(nested + "vaktavtaler/", {"lege": lege.pk, "fra": "2030-01-01"}, format="json"),
        api.patch(f"{nested}vaktavtaler/{avtale.pk}/", {"merknad": "Kapret"}, format="json", **if_match(avtale.versjon)),
    ]
    for response in writes:
        error(response, 403)
    with in_kommune(bergen):
        assert Legevaktdistrikt.objects.get(pk=vest.pk).navn == "Vest"
        assert Medlemskap.objects.filter(distrikt=vest).count() == 2 and Medlemskap.objects.get(pk=m.pk).til is None
        assert list(Stasjon.objects.values_list("navn", flat=True)) == ["Sentrum"]
        assert list(Vaktavtale.objects.values_list("merknad", flat=True)) == [""]
    # the vertskommune's doctors are not the deltakerkommune's
    assert api.get(f"/api/v1/leger/{lege.pk}/").status_code == 404


def test_a_district_the_kommune_is_not_in_is_404(bergen, sunnfjord, vest):
    kinn = kommune("4602")
    with in_kommune(kinn):
        own = services.create_distrikt(kommune=kinn, navn="Kinn legevakt", type="en_kommune", fra=FRA)
    api = api_client_for(user_with_role("saksbehandler", bergen))
    assert api.get(f"{URL}{own.pk}/").status_code == 404
    assert api.get(f"{URL}{own.pk}/stasjoner/").status_code == 404
    assert api.post(f"{URL}{own.pk}/stasjoner/", {"navn": "X", "adresse": "Y"}, format="json").status_code == 404


def test_tokens(bergen, vest):
    les = token_client(["legevakt:les"], bergen)
    assert les.get(URL).status_code == 200
    error(les.post(URL, {"navn": "X", "type": "en_kommune", "fra": "2040-01-01"}, format="json"), 403)
    skriv = token_client(["legevakt:les", "legevakt:skriv"], bergen)
    response = skriv.post(f"{URL}{vest.pk}/stasjoner/", {"navn": "S", "adresse": "Gata 1"}, format="json")
    assert response.status_code == 201, response.content
    assert token_client(["lister:les"], bergen).get(URL).status_code == 403


def test_list_is_constant_queries(sb_api, bergen, vest):
    with CaptureQueriesContext(connection) as small:
        assert sb_api.get(URL + "?dato=2026-06-01").status_code == 200
    with in_kommune(bergen):
        egen = Medlemskap.objects.get(distrikt=vest, medlem=bergen)
        services.avslutt_medlemskap(medlemskap=egen, expected_version=egen.versjon, til=dt.date(2027, 1, 1))
        for i in range(6):
            d = services.create_distrikt(kommune=bergen, navn=f"Ekstra {i}", type="interkommunal",
                                         fra=dt.date(2030 + i, 1, 1), tidsbolk="dagtid")
            egen = Medlemskap.objects.get(distrikt=d)
            services.avslutt_medlemskap(medlemskap=egen, expected_version=egen.versjon, til=dt.date(2031 + i, 1, 1))
    with CaptureQueriesContext(connection) as large:
        assert len(sb_api.get(URL + "?dato=2026-06-01").json()["resultater"]) == 7
    assert len(small.captured_queries) == len(large.captured_queries)
    nested = f"{URL}{vest.pk}/medlemskap/"
    with CaptureQueriesContext(connection) as small:
        sb_api.get(nested)
    with in_kommune(bergen):
        for nummer in ("4602", "4611", "4612"):
            services.add_medlemskap(distrikt=vest, medlem=nummer, fra=FRA)
    with CaptureQueriesContext(connection) as large:
        assert len(sb_api.get(nested).json()["resultater"]) == 5
    assert len(small.captured_queries) == len(large.captured_queries)
