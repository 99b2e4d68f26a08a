"""The SFS 2305 (2024) normtall table ships empty (the numbers were not in our sources) and is
maintained by the operator in the admin; the district page says so while it is empty."""

from __future__ import annotations

import pytest

from legevakt.models import Normtall

pytestmark = pytest.mark.django_db


def test_the_table_ships_empty():
    assert not Normtall.objects.exists()


def test_the_operator_enters_a_number_with_its_source(client, superuser):
    client.force_login(superuser)
    assert client.get("/admin/legevakt/normtall/").status_code == 200
    response = client.post("/admin/legevakt/normtall/add/", {
        "befolkningsgruppe": "I", "vakttype": "tilstedevakt", "min_leger": "6", "kilde": "SFS 2305 (2024) vedlegg",
        "gyldig_fra": "2024-09-01"})
    assert response.status_code == 302
    assert Normtall.objects.get().min_leger == 6


def test_others_cannot_reach_the_admin(client, overlege):
    client.force_login(overlege)
    assert client.get("/admin/legevakt/normtall/").status_code in (302, 403)
