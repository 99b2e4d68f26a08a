"""Exemption pages: the kommuneoverlege records, changes and reads everything (type, grounds, the
decision, history); saksbehandler and lesetilgang see granted exemptions as «Fritatt fra legevakt
fra–til» with the scope and can change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from legevakt import fritak_services as services
from legevakt.models import Fritak
from tests import register
from tests.conftest import in_kommune

pytestmark = pytest.mark.django_db
GRUNNLAG = "Alvorlig kronisk sykdom (test)."


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def world(bergen):
    with in_kommune(bergen):
        lege = register.lege(bergen, fornavn="Gro", etternavn="Granli", fodselsdato=dt.date(1960, 1, 1))
        innvilget = services.create_fritak(kommune=bergen, lege=lege, type="skjonn_helse", fra=dt.date(2026, 1, 1),
                                           til=dt.date(2027, 1, 1), vedtaksdato=dt.date(2025, 12, 1), grunnlag=GRUNNLAG,
                                           omfang="all")
        avslatt = services.create_fritak(kommune=bergen, lege=lege, type="skjonn_sosial", fra=dt.date(2027, 1, 1),
                                         vedtaksdato=dt.date(2026, 12, 1), grunnlag="Omsorg for barn (test).",
                                         utfall="avslatt")
    return {"lege": lege, "innvilget": innvilget, "avslatt": avslatt}


def test_the_kommuneoverlege_sees_everything(page_client, bergen, world):
    with in_kommune(bergen):
        f = world["innvilget"]
        services.update_fritak(fritak=f, expected_version=f.versjon, grunnlag=GRUNNLAG + " Oppdatert.")
    page = html(page_client.get(reverse("legevakt:fritak_liste")))
    assert "Vedtak: helsemessige grunner" in page and "Avslått" in page
    detail = html(page_client.get(reverse("legevakt:fritak", args=[world["innvilget"].pk])))
    assert GRUNNLAG in detail and "Fritatt fra legevakt 1.1.2026–31.12.2026" in detail
    history = page_client.get(reverse("legevakt:fritak_historikk", args=[world["innvilget"].pk]))
    assert history.status_code == 200 and "Oppdatert." in html(history)


@pytest.mark.parametrize("rolle", ["saksbehandler", "leser"])
def test_others_see_only_granted_exemptions_without_health_details(client, request, rolle, world):
    client.force_login(request.getfixturevalue(rolle))
    page = html(client.get(reverse("legevakt:fritak_liste")))
    assert "Fritatt fra legevakt 1.1.2026–31.12.2026" in page and "All legevakt" in page
    assert "helsemessige" not in page and "sosiale" not in page and GRUNNLAG not in page and "Avslått" not in page
    detail = html(client.get(reverse("legevakt:fritak", args=[world["innvilget"].pk])))
    assert GRUNNLAG not in detail and "helsemessige" not in detail and "Fritatt fra legevakt" in detail
    assert client.get(reverse("legevakt:fritak", args=[world["avslatt"].pk])).status_code == 404
    for url in (reverse("legevakt:fritak_ny"), reverse("legevakt:fritak_endre", args=[world["innvilget"].pk]),
                reverse("legevakt:fritak_historikk", args=[world["innvilget"].pk])):
        assert client.get(url).status_code == 403
    response = client.post(reverse("legevakt:fritak_ny"), {"lege": world["lege"].pk, "type": "rett_alder",
                                                           "fra": "2026-01-01", "krevd": "2026-01-01",
                                                           "omfang": "utenfor_apningstid", "utfall": "innvilget",
                                                           "klagestatus": "ingen"})
    assert response.status_code == 403
    with in_kommune(request.getfixturevalue("bergen")):
        assert Fritak.objects.count() == 2


def test_form_with_the_note_and_the_rules_on_the_fields(page_client, bergen, world):
    form = html(page_client.get(reverse("legevakt:fritak_ny")))
    assert "over 55 år, men alder alene er ikke grunn til fritak" in form
    data = {"lege": world["lege"].pk, "type": "rett_graviditet", "fra": "2026-06-01", "til": "2026-12-01",
            "krevd": "2026-06-01", "omfang": "utenfor_apningstid", "utfall": "innvilget", "klagestatus": "ingen"}
    response = page_client.post(reverse("legevakt:fritak_ny"), data)
    assert response.status_code == 200 and "3 månedene" in html(response)
    response = page_client.post(reverse("legevakt:fritak_ny"), {**data, "til": "2026-09-01"})
    assert response.status_code == 302
    f = world["avslatt"]
    response = page_client.post(reverse("legevakt:fritak_endre", args=[f.pk]), {
        "type": f.type, "fra": "2027-01-01", "vedtaksdato": "2026-12-01", "grunnlag": "Omsorg for barn (test).",
        "omfang": "utenfor_apningstid", "utfall": "avslatt", "klagestatus": "oversendt", "versjon": f.versjon})
    assert response.status_code == 302
    with in_kommune(bergen):
        assert Fritak.objects.get(pk=f.pk).klagestatus == "oversendt"
        assert Fritak.objects.count() == 3
