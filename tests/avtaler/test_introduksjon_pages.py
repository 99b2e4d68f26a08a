"""The introduksjonsavtale pages through the real middleware and login (the page client is Bergen's
kommuneoverlege): list, new, detail with participants and the ALIS link, change, end, history;
refusals on their field with nothing saved, readers refused writes, other kommuner 404, constant
queries on the list."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from avtaler import introduksjon_services
from avtaler.models import Alisavtale, Introduksjonsavtale, IntroduksjonsFastlege
from core.constraints import save_new
from tests import register
from tests.conftest import in_kommune, user_with_role

pytestmark = pytest.mark.django_db

START = dt.date(2026, 3, 2)


def page(response) -> str:
    return html_lib.unescape(response.content.decode())


def field_error(response, field: str) -> str:
    match = re.search(rf'<p class="error" id="id_{field}_error">(.*?)</p>', response.content.decode(), re.S)
    return html_lib.unescape(match.group(1)) if match else ""


@pytest.fixture
def world(bergen):
    with in_kommune(bergen):
        kontor = register.legekontor(bergen, navn="Fjellsiden legesenter")
        fastlege = register.avtale(bergen, lege_=register.lege(bergen, fornavn="Frida", etternavn="Fastlege"),
                                   liste_=register.liste(bergen, kontor=kontor, navn="Fridas liste"))
        intro_lege = register.lege(bergen, fornavn="Ivar", etternavn="Introlege", under_spesialisering_fra=dt.date(2025, 9, 1))
    return kontor, fastlege, intro_lege


def payload(kontor, fastlege, intro, **overrides):
    data = {
        "lege": intro.pk, "legekontor": kontor.pk, "godkjenning_referanse": "HDIR 22/1234", "godkjent_dato": "2026-01-15",
        "tilknytning": "fastlonn", "kostnadsfordeling": "Kommunen dekker lønn", "startdato": START.isoformat(),
        "sluttdato": "", "signert": "", "fastlegeavtaler": [fastlege.pk],
    }
    return {**data, **overrides}


@pytest.fixture
def avtale(bergen, world):
    kontor, fastlege, lege = world
    with in_kommune(bergen):
        return introduksjon_services.create_introduksjonsavtale(
            kommune=bergen, lege=lege, legekontor=kontor, godkjenning_referanse="HDIR 22/1234", tilknytning="fastlonn",
            kostnadsfordeling="Kommunen dekker lønn", startdato=START, fastlegeavtaler=[fastlege])


def test_kommuneoverlege_registers_an_introduksjonsavtale_and_sees_it(page_client, bergen, world):
    kontor, fastlege, lege = world
    form = page_client.get("/avtaler/introduksjon/ny/")
    assert form.status_code == 200
    html = page(form)
    assert "Frida" in html and "Fridas liste" in html and "24 måneder" in html
    created = page_client.post("/avtaler/introduksjon/ny/", payload(kontor, fastlege, lege))
    assert created.status_code == 302, field_error(created, "fastlegeavtaler")
    with in_kommune(bergen):
        avtale = Introduksjonsavtale.objects.get(lege=lege)
    assert created["Location"] == f"/avtaler/introduksjon/{avtale.pk}/"
    assert avtale.sluttdato == dt.date(2028, 3, 2)
    detail = page(page_client.get(created["Location"]))
    assert "Ivar Introlege" in detail and "HDIR 22/1234" in detail and "Fjellsiden legesenter" in detail
    section = detail[detail.index('id="fastleger"'):detail.index('id="alis"')]
    assert "Frida Fastlege" in section and "Fridas liste" in section and f'href="/avtaler/{fastlege.pk}/"' in section
    assert "Legen har ingen ALIS-avtale i kommunen." in detail
    assert "Ivar" in page(page_client.get("/avtaler/introduksjon/"))


def test_participant_at_another_office_is_refused_on_its_field_and_nothing_is_saved(page_client, bergen, world):
    kontor, _fastlege, lege = world
    with in_kommune(bergen):
        elsewhere = register.avtale(bergen, liste_=register.liste(bergen, kontor=register.legekontor(bergen, navn="Sentrum")))
    response = page_client.post("/avtaler/introduksjon/ny/", payload(kontor, elsewhere, lege))
    assert response.status_code == 200
    error = field_error(response, "fastlegeavtaler")
    assert "Sentrum" in error and "ved siden av" in error and "trygderefusjonsforskriften" in error
    with in_kommune(bergen):
        assert not Introduksjonsavtale.objects.exists() and not IntroduksjonsFastlege.objects.exists()


@pytest.mark.parametrize(("overrides", "field", "text"), [
    ({"sluttdato": "2026-01-01"}, "sluttdato", "Avtalen må opphøre etter startdatoen."),
    ({"godkjent_dato": "2026-04-01"}, "godkjent_dato", "Helsedirektoratets godkjenning må foreligge før avtalen begynner"),
    ({"fastlegeavtaler": []}, "fastlegeavtaler", "Velg minst én deltakende fastlege"),
    ({"lege": "999999"}, "lege", "gyldig"),
    ({"startdato": "2026-13-01"}, "startdato", "dato"),
])
def test_bad_input_is_shown_on_its_field_and_nothing_is_saved(page_client, bergen, world, overrides, field, text):
    kontor, fastlege, lege = world
    response = page_client.post("/avtaler/introduksjon/ny/", payload(kontor, fastlege, lege, **overrides))
    assert response.status_code == 200
    assert text in field_error(response, field)
    with in_kommune(bergen):
        assert not Introduksjonsavtale.objects.exists()


def test_specialist_is_refused_naming_the_scheme(page_client, bergen, world):
    kontor, fastlege, _lege = world
    with in_kommune(bergen):
        spesialist = register.lege(bergen, spesialist_allmennmedisin_fra=dt.date(2020, 1, 1))
    response = page_client.post("/avtaler/introduksjon/ny/", payload(kontor, fastlege, spesialist))
    assert "spesialist i allmennmedisin" in field_error(response, "lege")


def test_detail_links_the_alis_avtale(page_client, bergen, world, avtale):
    _kontor, _fastlege, lege = world
    with in_kommune(bergen):
        alis = save_new(Alisavtale(kommune=bergen, lege=lege, relasjon="introduksjonslege", introduksjonsavtale=avtale,
                                   arbeidssted="Fjellsiden", stillingsprosent=100, signert=START, startdato=START))
    html = page(page_client.get(f"/avtaler/introduksjon/{avtale.pk}/"))
    section = html[html.index('id="alis"'):]
    assert f'<a href="/avtaler/alis/{alis.pk}/">ALIS-avtale {alis.pk}</a>' in section
    assert "Legen har ingen ALIS-avtale" not in section
    listing = page(page_client.get("/avtaler/introduksjon/"))
    assert f'<a href="/avtaler/alis/{alis.pk}/">ALIS-avtale for Ivar Introlege</a>' in listing


def test_change_replaces_participants_and_the_history_shows_it(page_client, bergen, world, avtale):
    kontor, fastlege, lege = world
    with in_kommune(bergen):
        other = register.avtale(bergen, lege_=register.lege(bergen, fornavn="Otto", etternavn="Andrelege"),
                                liste_=register.liste(bergen, kontor=kontor))
        avtale.refresh_from_db()
    form = page(page_client.get(f"/avtaler/introduksjon/{avtale.pk}/endre/"))
    assert "HDIR 22/1234" in form and 'name="versjon"' in form
    data = payload(kontor, other, lege, sluttdato="2028-03-02", kostnadsfordeling="Delt", versjon=avtale.versjon)
    del data["lege"]
    response = page_client.post(f"/avtaler/introduksjon/{avtale.pk}/endre/", data)
    assert response.status_code == 302, page(response)
    with in_kommune(bergen):
        assert list(Introduksjonsavtale.objects.get(pk=avtale.pk).fastleger.all()) == [other]
    history = page(page_client.get(f"/avtaler/introduksjon/{avtale.pk}/historikk/"))
    assert "kostnadsfordeling" in history and "Otto Andrelege" in history and "Frida Fastlege" in history
    assert "Lagt til" in history and "Fjernet" in history
    # A second post with the old version is refused as stale, nothing changed.
    stale = page_client.post(f"/avtaler/introduksjon/{avtale.pk}/endre/", {**data, "kostnadsfordeling": "Eldre"})
    assert stale.status_code == 200 and "endret av noen andre" in page(stale)


def test_end_page_ends_the_avtale_early(page_client, bergen, avtale):
    response = page_client.post(f"/avtaler/introduksjon/{avtale.pk}/avslutt/", {"sluttdato": "2027-01-01", "versjon": avtale.versjon})
    assert response.status_code == 302
    with in_kommune(bergen):
        assert Introduksjonsavtale.objects.get(pk=avtale.pk).sluttdato == dt.date(2027, 1, 1)
    later = page_client.post(f"/avtaler/introduksjon/{avtale.pk}/avslutt/", {"sluttdato": "2029-01-01", "versjon": avtale.versjon + 1})
    assert "en lengre periode registreres som en endring" in field_error(later, "sluttdato")


def test_list_uses_the_same_number_of_queries_for_2_and_12_avtaler(page_client, bergen, world):
    kontor, fastlege, _lege = world
    counts = []
    for total in (2, 12):
        with in_kommune(bergen):
            while Introduksjonsavtale.objects.count() < total:
                introduksjon_services.create_introduksjonsavtale(
                    kommune=bergen, lege=register.lege(bergen), legekontor=kontor, godkjenning_referanse="HDIR",
                    tilknytning="naering", kostnadsfordeling="Delt", startdato=START, fastlegeavtaler=[fastlege])
        with CaptureQueriesContext(connection) as ctx:
            response = page_client.get("/avtaler/introduksjon/")
        assert response.status_code == 200 and f"{total} introduksjonsavtaler" in page(response)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_lesetilgang_reads_but_cannot_write(client, bergen, world, avtale):
    kontor, fastlege, lege = world
    client.force_login(user_with_role("lesetilgang", bergen))
    for url in ("/avtaler/introduksjon/", f"/avtaler/introduksjon/{avtale.pk}/", f"/avtaler/introduksjon/{avtale.pk}/historikk/"):
        assert client.get(url).status_code == 200, url
    assert "Endre avtalen" not in page(client.get(f"/avtaler/introduksjon/{avtale.pk}/"))
    with in_kommune(bergen):
        other_lege = register.lege(bergen)
    posts = {
        "/avtaler/introduksjon/ny/": payload(kontor, fastlege, other_lege),
        f"/avtaler/introduksjon/{avtale.pk}/endre/": {**payload(kontor, fastlege, lege, sluttdato="2027-01-01"), "versjon": avtale.versjon},
        f"/avtaler/introduksjon/{avtale.pk}/avslutt/": {"sluttdato": "2027-01-01", "versjon": avtale.versjon},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 403, url
        assert client.get(url).status_code == 403, url
    with in_kommune(bergen):
        assert Introduksjonsavtale.objects.count() == 1
        assert Introduksjonsavtale.objects.get(pk=avtale.pk).sluttdato == dt.date(2028, 3, 2)


def test_another_kommunes_avtale_is_404(page_client, sunnfjord):
    with in_kommune(sunnfjord):
        kontor = register.legekontor(sunnfjord)
        fastlege = register.avtale(sunnfjord, liste_=register.liste(sunnfjord, kontor=kontor))
        theirs = introduksjon_services.create_introduksjonsavtale(
            kommune=sunnfjord, lege=register.lege(sunnfjord, etternavn="Sunnfjordintro"), legekontor=kontor,
            godkjenning_referanse="HDIR", tilknytning="naering", kostnadsfordeling="Delt", startdato=START,
            fastlegeavtaler=[fastlege])
    for suffix in ("", "endre/", "avslutt/", "historikk/"):
        response = page_client.get(f"/avtaler/introduksjon/{theirs.pk}/{suffix}")
        assert response.status_code == 404 and "Sunnfjordintro" not in page(response)
    assert page_client.post(f"/avtaler/introduksjon/{theirs.pk}/avslutt/", {"sluttdato": "2027-01-01",
                                                                            "versjon": theirs.versjon}).status_code == 404
    assert "Sunnfjordintro" not in page(page_client.get("/avtaler/introduksjon/"))
    with in_kommune(sunnfjord):
        assert Introduksjonsavtale.objects.get(pk=theirs.pk).sluttdato == dt.date(2028, 3, 2)


def test_frister_page_shows_an_unsigned_avtale_and_links_it(page_client, avtale):
    html = page(page_client.get("/frister/"))
    assert f'<a href="/avtaler/introduksjon/{avtale.pk}/">Introduksjonsavtalen med Ivar Introlege er ikke signert</a>' in html
