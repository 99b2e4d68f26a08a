"""The exemption API: only the kommuneoverlege records, changes and reads the type, grounds and
decision; saksbehandler, lesetilgang and integration tokens see granted exemptions with period and
scope only (history with the health fields hidden); refusals are 400 with the field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from legevakt import fritak_services as services
from legevakt.models import Fritak
from tests import register
from tests.api_helpers import error, if_match
from tests.conftest import api_client_for, in_kommune, token_client

pytestmark = pytest.mark.django_db
URL = "/api/v1/legevaktfritak/"
HELSE = {"type", "grunnlag", "krevd", "svangerskap_hindrer", "vedtaksdato", "saksnummer", "utfall", "klagestatus"}


@pytest.fixture
def lege(bergen):
    with in_kommune(bergen):
        return register.lege(bergen, fodselsdato=dt.date(1960, 3, 1))


@pytest.fixture
def fritak(bergen, lege):
    with in_kommune(bergen):
        return services.create_fritak(kommune=bergen, lege=lege, type="skjonn_helse", fra=dt.date(2026, 1, 1),
                                      vedtaksdato=dt.date(2025, 12, 1), grunnlag="Første (test).", omfang="all")


def test_the_kommuneoverlege_records_and_changes_exemptions(api, bergen, lege):
    response = api.post(URL, {"lege": lege.pk, "type": "rett_alder", "fra": "2026-03-01", "krevd": "2026-02-01"},
                        format="json", HTTP_IDEMPOTENCY_KEY="f-1")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["type"], body["omfang"], body["tekst"]) == ("rett_alder", "utenfor_apningstid", "Fritatt fra legevakt fra 01.03.2026")
    url = f"{URL}{body['id']}/"
    assert "omfang" in error(api.patch(url, {"omfang": "all"}, format="json", **if_match(body["versjon"])))["felt"]
    changed = api.patch(url, {"til": "2030-01-01"}, format="json", **if_match(body["versjon"]))
    assert changed.status_code == 200 and changed["ETag"] == f'"{changed.json()["versjon"]}"'
    history = api.get(url + "historikk/").json()["resultater"]
    assert any(change["felt"] == "til" and change["til"] == "2030-01-01" for e in history for change in e["endringer"])


def test_bad_input_is_400_with_the_field_and_nothing_saved(api, bergen, lege):
    cases = [
        ({"lege": lege.pk, "type": "rett_alder", "fra": "2026-03-01"}, "krevd"),
        ({"lege": lege.pk, "type": "rett_alder", "fra": "2019-03-01", "krevd": "2019-03-01"}, "fra"),
        ({"lege": lege.pk, "type": "rett_amming", "fra": "2026-03-01", "krevd": "2026-03-01", "til": "2027-04-01"}, "til"),
        ({"lege": lege.pk, "type": "skjonn_sosial", "fra": "2026-03-01", "grunnlag": "x"}, "vedtaksdato"),
        ({"lege": lege.pk, "type": "ukjent", "fra": "2026-03-01"}, "type"),
        ({"lege": 999999, "type": "rett_alder", "fra": "2026-03-01", "krevd": "2026-03-01"}, "lege"),
    ]
    for payload, field in cases:
        assert field in error(api.post(URL, payload, format="json"))["felt"], payload
    with in_kommune(bergen):
        assert not Fritak.objects.exists()


def test_only_the_kommuneoverlege_sees_health_details(api, saksbehandler, leser, bergen, fritak):
    with in_kommune(bergen):
        fritak = services.update_fritak(fritak=fritak, expected_version=fritak.versjon, grunnlag="Helse (test).",
                                        type="skjonn_sosial")
        fritak = services.update_fritak(fritak=fritak, expected_version=fritak.versjon, type="skjonn_helse")
    full = api.get(f"{URL}{fritak.pk}/").json()
    assert full["grunnlag"] == "Helse (test)." and full["type"] == "skjonn_helse"
    clients = [api_client_for(saksbehandler), api_client_for(leser), token_client(["legevakt:les"], bergen)]
    for client in clients:
        listed = client.get(URL).json()["resultater"]
        assert len(listed) == 1 and not HELSE & set(listed[0])
        one = client.get(f"{URL}{fritak.pk}/").json()
        assert not HELSE & set(one) and one["tekst"] == "Fritatt fra legevakt fra 01.01.2026" and one["omfang"] == "all"
        history = client.get(f"{URL}{fritak.pk}/historikk/").json()["resultater"]
        changes = {c["felt"]: c for e in history for c in e["endringer"]}
        assert changes["grunnlag"]["til"] == "(skjult)" and changes["type"]["til"] == "(skjult)"
    with in_kommune(bergen):
        services.update_fritak(fritak=fritak, expected_version=fritak.versjon, utfall="avslatt")
    for client in clients:
        assert client.get(URL).json()["resultater"] == []
        assert client.get(f"{URL}{fritak.pk}/").status_code == 404


def test_nobody_else_may_write(saksbehandler, bergen, lege, fritak):
    payload = {"lege": lege.pk, "type": "rett_alder", "fra": "2026-03-01", "krevd": "2026-03-01"}
    for client in (api_client_for(saksbehandler), token_client(["legevakt:les", "legevakt:skriv"], bergen)):
        error(client.post(URL, payload, format="json"), 403)
        error(client.patch(f"{URL}{fritak.pk}/", {"klagestatus": "oversendt"}, format="json", **if_match(fritak.versjon)), 403)
    with in_kommune(bergen):
        assert Fritak.objects.count() == 1 and Fritak.objects.get().klagestatus == "ingen"


def test_list_is_constant_queries(api, bergen, fritak):
    with CaptureQueriesContext(connection) as small:
        api.get(URL)
    with in_kommune(bergen):
        for _i in range(4):
            services.create_fritak(kommune=bergen, lege=register.lege(bergen, fodselsdato=dt.date(1950, 1, 1)),
                                   type="rett_alder", fra=dt.date(2026, 1, 1), krevd=dt.date(2026, 1, 1))
    with CaptureQueriesContext(connection) as large:
        assert len(api.get(URL).json()["resultater"]) == 5
    assert len(small.captured_queries) == len(large.captured_queries)
