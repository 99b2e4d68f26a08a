"""The doctor page's legevakt section: the doctor's exemptions (health details only for the
kommuneoverlege) and linking the doctor to the doctor's own user account (kommuneoverlege only;
the user must have the role «lege» in the kommune and not be linked to another doctor)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from kommune.models import Lege
from legevakt import distrikt_services
from legevakt import fritak_services as services
from tests import register
from tests.conftest import in_kommune, user_with_role

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def lege(bergen):
    with in_kommune(bergen):
        lege = register.lege(bergen, fornavn="Per", etternavn="Pensjonist", fodselsdato=dt.date(1960, 1, 1))
        services.create_fritak(kommune=bergen, lege=lege, type="rett_alder", fra=dt.date(2026, 1, 1),
                               krevd=dt.date(2026, 1, 1))
    return lege


def test_the_kommuneoverlege_sees_the_type_and_the_link_form(page_client, lege):
    page = html(page_client.get(reverse("kommune:lege", args=[lege.pk])))
    assert "Legevakt: fritak og brukerkonto" in page and "Rett: over 60 år" in page
    assert "Fritatt fra legevakt fra 1.1.2026" in page and reverse("legevakt:lege_bruker", args=[lege.pk]) in page


def test_a_saksbehandler_sees_the_exemption_without_health_details_and_no_form(client, saksbehandler, lege):
    client.force_login(saksbehandler)
    page = html(client.get(reverse("kommune:lege", args=[lege.pk])))
    assert "Fritatt fra legevakt fra 1.1.2026" in page and "over 60" not in page
    assert reverse("legevakt:lege_bruker", args=[lege.pk]) not in page
    response = client.post(reverse("legevakt:lege_bruker", args=[lege.pk]), {"bruker": "", "versjon": lege.versjon})
    assert response.status_code == 403


def test_link_and_unlink_a_user_account(page_client, bergen, lege):
    med_rolle = user_with_role("lege", bergen, navn="Per Pensjonist")
    uten_rolle = user_with_role("lesetilgang", bergen)
    url = reverse("legevakt:lege_bruker", args=[lege.pk])
    response = page_client.post(url, {"bruker": uten_rolle.pk, "versjon": lege.versjon}, follow=True)
    assert "har ikke rollen «lege»" in html(response)
    with in_kommune(bergen):
        assert Lege.objects.get(pk=lege.pk).bruker_id is None
    page = html(page_client.get(reverse("kommune:lege", args=[lege.pk])))
    assert "Per Pensjonist" in page  # offered in the choice
    response = page_client.post(url, {"bruker": med_rolle.pk, "versjon": lege.versjon}, follow=True)
    assert "koblet til legen" in html(response) and med_rolle.email in html(response)
    with in_kommune(bergen):
        lege.refresh_from_db()
        assert lege.bruker_id == med_rolle.pk
        annen = register.lege(bergen)
    response = page_client.post(reverse("legevakt:lege_bruker", args=[annen.pk]),
                                {"bruker": med_rolle.pk, "versjon": annen.versjon}, follow=True)
    assert "allerede koblet til en annen lege" in html(response)
    response = page_client.post(url, {"bruker": "", "versjon": lege.versjon}, follow=True)
    assert "fjernet" in html(response)
    with in_kommune(bergen):
        assert Lege.objects.get(pk=lege.pk).bruker_id is None
        assert distrikt_services.koble_bruker(lege.pk, med_rolle).bruker_id == med_rolle.pk
