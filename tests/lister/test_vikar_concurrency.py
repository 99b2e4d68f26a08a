"""Two concurrent assignments of one doctor are both seen by the percentage check: each request
runs in its own thread and database connection; the test holds the doctor's row lock until both
requests wait on it, so the overlap is certain. Each asks for 60 % on its own list in the same
period: one is made, the other is refused for lacking a reason for going over 100 %."""

from __future__ import annotations

import pytest
from django.db import transaction

from kommune.models import Lege
from lister import vikar_services
from lister.models import Legeperiode
from tests import register
from tests.conftest import in_kommune, kommune, user_with_role
from tests.test_concurrency import Request, wait_until_waiting

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("kommune_data")]


def test_two_concurrent_assignments_of_one_doctor_see_each_other(kommune_data):
    bergen = kommune("4601")
    user = user_with_role("saksbehandler", bergen)
    with in_kommune(bergen):
        lege = register.lege(bergen)
        vikar_services.add_vikar(kommune=bergen, lege=lege)
        first_list, second_list = register.liste(bergen), register.liste(bergen)
    body = {"lege": lege.pk, "fra": "2026-09-01", "til": "2026-10-01", "stillingsprosent": 60}
    first = Request(user, "post", f"/api/v1/pasientlister/{first_list.pk}/vikartildeling/", data=body)
    second = Request(user, "post", f"/api/v1/pasientlister/{second_list.pk}/vikartildeling/", data=body)
    with in_kommune(bergen), transaction.atomic():
        Lege.objects.select_for_update().get(pk=lege.pk)  # both assignments queue behind this lock
        first.start()
        wait_until_waiting(1)
        second.start()
        wait_until_waiting(2)
    first.join(20)
    second.join(20)
    statuses = sorted([first.response.status_code, second.response.status_code])
    assert statuses == [201, 400], (first.response.content, second.response.content)
    refused = first if first.response.status_code == 400 else second
    assert "begrunnelse_over_100" in refused.response.json()["felt"]
    assert "120 %" in refused.response.json()["felt"]["begrunnelse_over_100"][0]
    with in_kommune(bergen):
        assert Legeperiode.objects.filter(lege=lege).count() == 1
        assert sum(Legeperiode.objects.filter(lege=lege).values_list("stillingsprosent", flat=True)) == 60
