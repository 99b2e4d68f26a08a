"""Vacancy-case pages through the real middleware: the case page (facts, vikar period, hjemfall
conditions, advertisements, applicants, cover, links), the forms for each role, refusals with the
rule's message and nothing saved, the list page's section, the avtale's bortfall page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from avtaler import services as avtaler_services
from avtaler.models import Fastlegeavtale
from core.dates import add_months
from lister import sak_services
from lister.models import Dekning, Ledighetssak, Soker, Utlysning
from tests import register
from tests.conftest import in_kommune

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()
START = TODAY - dt.timedelta(days=900)
MOTTATT = TODAY - dt.timedelta(days=400)
WRITERS = ["overlege", "saksbehandler"]


@pytest.fixture
def k(bergen):
    with in_kommune(bergen):
        yield bergen


@pytest.fixture
def as_role(client, request):
    def login(rolle: str):
        client.force_login(request.getfixturevalue(rolle))
        return client

    return login


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def sak(k):
    a = register.avtale(k, startdato=START)
    avtaler_services.record_oppsigelse(avtale=a, part="lege", mottatt=MOTTATT)
    return Ledighetssak.objects.get(pasientliste=a.pasientliste, fastlege=a.lege)


def url(sak, suffix=""):
    return f"/lister/saker/{sak.pk}/{suffix}"


@pytest.mark.parametrize("rolle", ["overlege", "saksbehandler", "leser"])
def test_case_page_shows_dates_vikar_period_and_each_hjemfall_condition(as_role, sak, rolle):
    page = html(as_role(rolle).get(url(sak)))
    assert sak.fastlege.navn in page and "Fastlegen har sagt opp" in page
    assert sak.fastlege_slutt.strftime("%-d.%-m.%Y") in page
    siste = add_months(sak.fastlege_slutt, 6) - dt.timedelta(days=1)
    assert f"til og med {siste.strftime('%-d.%-m.%Y')}" in page and "ASA 4310" in page
    assert "Hjemfall er ikke mulig" in page
    for condition in ("Kommunen følger rammeavtalen ASA 4310", "næringsdrivende", "Minst 12 måneder siden oppsigelsen",
                      "Minst 3 korrekte utlysninger", "Ingen kvalifisert søker"):
        assert condition in page
    assert "0 av 3 korrekte utlysninger" in page
    assert f'href="/lister/{sak.pasientliste_id}/"' in page
    assert (f"/lister/{sak.pasientliste_id}/tildel/?fra=" in page) is (rolle != "leser")
    assert (url(sak, "utlysninger/ny/") in page) is (rolle != "leser")


def test_case_page_queries_do_not_grow_with_rows(as_role, sak):
    client = as_role("saksbehandler")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            html(client.get(url(sak)))
        return len(ctx.captured_queries)

    sak_services.add_utlysning(sak=sak, dato=MOTTATT + dt.timedelta(days=5))
    sak_services.add_soker(sak=sak, navn="A", mottatt=TODAY, lege=register.lege(sak.kommune))
    few = count()
    for i in range(4):
        sak_services.add_utlysning(sak=sak, dato=MOTTATT + dt.timedelta(days=10 + i))
        sak_services.add_soker(sak=sak, navn=f"S{i}", mottatt=TODAY, lege=register.lege(sak.kommune))
        sak_services.add_dekning(liste=sak.pasientliste, type="kontoret", fra=TODAY + dt.timedelta(days=10 * i),
                                 til=TODAY + dt.timedelta(days=10 * i + 5))
    assert count() == few


def test_hjemfall_possible_is_shown_in_words(as_role, sak):
    for i in range(3):
        sak_services.add_utlysning(sak=sak, dato=MOTTATT + dt.timedelta(days=10 * (i + 1)))
    assert "Hjemfall er mulig" in html(as_role("leser").get(url(sak)))


def test_reader_cannot_open_or_post_forms(as_role, sak):
    client = as_role("leser")
    for path in (url(sak, "utlysninger/ny/"), url(sak, "sokere/ny/"), url(sak, "endre/"), f"/lister/{sak.pasientliste_id}/sak/ny/",
                 f"/lister/{sak.pasientliste_id}/dekning/ny/"):
        assert client.get(path).status_code == 403
        assert client.post(path, {"dato": TODAY.isoformat()}).status_code == 403
    assert not Utlysning.objects.exists()


@pytest.mark.parametrize("rolle", WRITERS)
def test_writer_adds_and_changes_an_advertisement(as_role, sak, rolle):
    client = as_role(rolle)
    response = client.post(url(sak, "utlysninger/ny/"), {"dato": TODAY.isoformat(), "kanal": "Nettsiden", "korrekt": "on"})
    assert response.status_code == 302 and response["Location"].endswith("#utlysninger")
    u = Utlysning.objects.get(sak=sak)
    assert u.korrekt and u.kanal == "Nettsiden"
    response = client.post(url(sak, f"utlysninger/{u.pk}/"), {"dato": TODAY.isoformat(), "kanal": "Avis", "versjon": u.versjon})
    u.refresh_from_db()
    assert response.status_code == 302 and u.kanal == "Avis" and not u.korrekt


def test_a_refused_advertisement_shows_the_message_and_saves_nothing(as_role, sak):
    page = html(as_role("saksbehandler").post(url(sak, "utlysninger/ny/"), {"dato": (TODAY + dt.timedelta(days=2)).isoformat()}))
    assert "kan ikke være i fremtiden" in page
    assert not Utlysning.objects.exists()


def test_stale_version_on_the_case_form_is_shown(as_role, sak):
    page = html(as_role("saksbehandler").post(url(sak, "endre/"), {
        "kjent": sak.kjent.isoformat(), "merknad": "x", "versjon": sak.versjon - 1}))
    assert "endret av noen andre" in page
    sak.refresh_from_db()
    assert sak.merknad == ""


def test_writer_adds_an_applicant_and_changes_the_assessment(as_role, sak):
    client = as_role("saksbehandler")
    assert client.post(url(sak, "sokere/ny/"), {"navn": "Ola Søker", "mottatt": TODAY.isoformat(),
                                                "vurdering": "til_vurdering"}).status_code == 302
    s = Soker.objects.get(sak=sak)
    response = client.post(url(sak, f"sokere/{s.pk}/"), {"navn": s.navn, "mottatt": TODAY.isoformat(), "vurdering": "kvalifisert",
                                                         "versjon": s.versjon})
    s.refresh_from_db()
    assert response.status_code == 302 and s.vurdering == "kvalifisert"
    assert "Det finnes en kvalifisert søker" in html(client.get(url(sak)))
    page = html(client.post(url(sak, "sokere/ny/"), {"navn": " ", "mottatt": TODAY.isoformat(), "vurdering": "til_vurdering"}))
    assert "Oppgi søkerens navn" in page and Soker.objects.count() == 1


def test_writer_registers_cover_from_the_case_and_the_limit_is_explained(as_role, sak):
    client = as_role("saksbehandler")
    path = f"/lister/{sak.pasientliste_id}/dekning/ny/?sak={sak.pk}"
    fra = dt.date(TODAY.year, 1, 5)
    response = client.post(path, {"type": "kollegial", "fra": fra.isoformat(),
                                   "til": (fra + dt.timedelta(days=56)).isoformat(), "sak": sak.pk})
    assert response.status_code == 302 and response["Location"] == url(sak) + "#dekning"
    page = html(client.post(path, {"type": "kollegial", "fra": (fra + dt.timedelta(days=60)).isoformat(),
                                   "til": (fra + dt.timedelta(days=61)).isoformat(), "sak": sak.pk}))
    assert "vikarbruk" in page and "57 dager" in page
    assert Dekning.objects.count() == 1
    d = Dekning.objects.get()
    assert client.post(f"/lister/dekninger/{d.pk}/slett/", {"versjon": d.versjon, "sak": sak.pk}).status_code == 302
    assert not Dekning.objects.exists()


def test_open_a_case_by_hand_and_see_it_on_the_list_page(as_role, k):
    liste = register.liste(k, fra=START)
    a = register.avtale(k, liste_=liste, startdato=START)
    client = as_role("saksbehandler")
    response = client.post(f"/lister/{liste.pk}/sak/ny/", {
        "arsak": "oppsigelse_lege", "kjent": TODAY.isoformat(), "fastlege": a.lege_id, "oppsigelse_mottatt": TODAY.isoformat(),
        "fastlege_slutt": add_months(TODAY, 6).isoformat(), "naeringsdrivende": "on"})
    assert response.status_code == 302
    sak = Ledighetssak.objects.get(pasientliste=liste, fastlege=a.lege)
    assert sak.kostnadsperiode_til == add_months(TODAY, 12)
    page = html(client.get(f"/lister/{liste.pk}/"))
    assert "Ledighetssaker" in page and url(sak) in page and f"/lister/{liste.pk}/sak/ny/" in page
    again = html(client.post(f"/lister/{liste.pk}/sak/ny/", {"arsak": "annet", "kjent": TODAY.isoformat(), "fastlege": a.lege_id}))
    assert "allerede en åpen ledighetssak" in again


def test_history_page(as_role, sak):
    sak_services.update_sak(sak=sak, expected_version=sak.versjon, merknad="Ny merknad")
    page = html(as_role("leser").get(url(sak, "historikk/")))
    assert "Ny merknad" in page


def test_another_kommunes_case_is_404(client, sak, sunnfjord):
    from tests.conftest import user_with_role

    client.force_login(user_with_role("saksbehandler", sunnfjord))
    assert client.get(url(sak)).status_code == 404
    assert client.post(url(sak, "utlysninger/ny/"), {"dato": TODAY.isoformat()}).status_code == 404


# --- the avtale's bortfall page --------------------------------------------------------------------

def test_bortfall_page_ends_the_avtale_and_opens_the_case(as_role, k):
    a = register.avtale(k, startdato=START)
    client = as_role("saksbehandler")
    assert "Registrer bortfall" in html(client.get(f"/avtaler/{a.pk}/"))
    assert client.get(f"/avtaler/{a.pk}/bortfall/").status_code == 200
    response = client.post(f"/avtaler/{a.pk}/bortfall/", {"arsak": "dodsfall", "dato": TODAY.isoformat()})
    assert response.status_code == 302
    assert Fastlegeavtale.objects.get(pk=a.pk).sluttdato == TODAY
    assert Ledighetssak.objects.get(pasientliste=a.pasientliste, fastlege=a.lege).arsak == "dodsfall"


def test_bortfall_page_refusal_and_reader(as_role, k):
    a = register.avtale(k, startdato=START)
    page = html(as_role("saksbehandler").post(f"/avtaler/{a.pk}/bortfall/", {
        "arsak": "dodsfall", "dato": (TODAY + dt.timedelta(days=1)).isoformat()}))
    assert "kan ikke være i fremtiden" in page
    assert Fastlegeavtale.objects.get(pk=a.pk).sluttdato is None
    assert as_role("leser").post(f"/avtaler/{a.pk}/bortfall/", {"arsak": "dodsfall", "dato": TODAY.isoformat()}).status_code == 403
