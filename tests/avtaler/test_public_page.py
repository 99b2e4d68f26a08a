"""The public page (fastlegeforskriften § 6): without login, per kommune, the fastleger with free
places and their office — and nothing else about them."""

from __future__ import annotations

import datetime as dt
import html as html_lib

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lister import services as lister_services
from tests import register
from tests.conftest import in_kommune

pytestmark = pytest.mark.django_db

BORN = dt.date(1968, 3, 14)
URL = "/offentlig/4601/ledige-plasser/"


def page(response) -> str:
    return html_lib.unescape(response.content.decode())


@pytest.fixture
def bergen_register(bergen):
    """Three signed avtaler: one with free places, one on a full list, one on a locked list."""
    with in_kommune(bergen):
        kontor = lister_services.create_legekontor(
            kommune=bergen, navn="Nordnes legesenter", organisasjonsnummer=register.valid_orgnr(901), adresse="Haugeveien 3",
            postnummer="5005", poststed="Bergen", telefon="55 11 22 33")
        open_list = register.liste(bergen, listetak=1500, kontor=kontor)
        free = register.avtale(bergen, liste_=open_list, lege_=register.lege(bergen, fornavn="Astrid", etternavn="Ledigsen", fodselsdato=BORN))
        lister_services.record_listetall(liste=open_list, dato=dt.date.today(), listelengde=1420)
        full_list = register.liste(bergen, listetak=1500)
        full = register.avtale(bergen, liste_=full_list, lege_=register.lege(bergen, fornavn="Bjørn", etternavn="Fullsen"))
        lister_services.record_listetall(liste=full_list, dato=dt.date.today(), listelengde=1500)
        locked_list = register.liste(bergen, listetak=1500, manuelt_last=True)
        register.avtale(bergen, liste_=locked_list, lege_=register.lege(bergen, fornavn="Cecilie", etternavn="Låstsen"))
        return {"free": free, "hpr": free.lege.hpr_nummer, "full": full}


def test_public_page_shows_doctors_with_free_places_without_login(client, bergen_register):
    response = client.get(URL)
    assert response.status_code == 200
    html = page(response)
    assert "Fastleger med ledige plasser i Bergen" in html
    assert "Astrid Ledigsen" in html and "Nordnes legesenter" in html and "Haugeveien 3, 5005 Bergen" in html
    assert "55 11 22 33" in html and '<td class="num">80</td>' in html
    assert "§ 6" in html


def test_public_page_hides_lists_without_free_places(client, bergen_register):
    html = page(client.get(URL))
    assert "Fullsen" not in html and "Låstsen" not in html


def test_public_page_never_shows_birth_dates_or_hpr_numbers(client, bergen_register):
    html = page(client.get(URL))
    assert bergen_register["hpr"] not in html
    for shown in (BORN.isoformat(), BORN.strftime("%d.%m.%Y"), BORN.strftime("%-d.%-m.%Y"), "1968"):
        assert shown not in html
    assert "HPR" not in html and "fødsel" not in html.lower()


def test_public_page_is_for_the_kommune_in_the_address_only(client, bergen_register, sunnfjord):
    html = page(client.get("/offentlig/4647/ledige-plasser/"))
    assert "Sunnfjord" in html and "Ledigsen" not in html
    assert "Ingen fastlegar i kommunen har ledige plassar no." in html  # Sunnfjord: nynorsk


def test_logged_in_user_of_another_kommune_sees_the_same_public_page(client, bergen_register, sunnfjord):
    from tests.conftest import user_with_role

    client.force_login(user_with_role("saksbehandler", sunnfjord))
    html = page(client.get(URL))
    assert "Astrid Ledigsen" in html and bergen_register["hpr"] not in html


@pytest.mark.parametrize("nummer", ["9999", "abc", "46011", "0000"])
def test_unknown_or_malformed_kommune_is_404(client, db, nummer):
    assert client.get(f"/offentlig/{nummer}/ledige-plasser/").status_code == 404


def test_page_speaks_the_kommunes_malform_unless_the_visitor_chose(client, sunnfjord, bergen):
    nynorsk = client.get("/offentlig/4647/ledige-plasser/")
    assert nynorsk["Content-Language"] == "nn" and '<html lang="nn">' in nynorsk.content.decode()
    assert '<html lang="nb">' in client.get(URL).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nb"
    assert '<html lang="nb">' in client.get("/offentlig/4647/ledige-plasser/").content.decode()


def test_public_page_uses_the_same_number_of_queries_for_10_and_100_doctors(client, bergen):
    counts = []
    for total in (10, 100):
        with in_kommune(bergen):
            from avtaler.models import Fastlegeavtale

            while Fastlegeavtale.objects.count() < total:
                register.avtale(bergen)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(URL)
        assert page(response).count('<th scope="row">') == total
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
