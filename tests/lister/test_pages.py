"""The register's pages through the real middleware: the lists (filter, search, sort, pages,
exports), a list's page, creating and changing lists, vikar periods, monthly figures, history and
offices. Refusals show the rule's message; reads are open to every role, writes are not."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lister import services, views
from lister.models import Legekontor, Legeperiode, Listetall, Pasientliste
from tests import register
from tests.conftest import in_kommune

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()
ROLES = ["overlege", "saksbehandler", "leser"]


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
    return response.content.decode()


def fastlege(k, liste, *, lege=None, fra=dt.date(2024, 1, 1), prosent=100):
    lege = lege or register.lege(k)
    services.add_legeperiode(liste=liste, lege=lege, rolle="LPFL", via_fastlegeavtale=True, fra=fra, stillingsprosent=prosent)
    return lege


def fetch(model, k, **filters):
    with in_kommune(k):
        return list(model.objects.filter(**filters))


@pytest.fixture
def sample(k):
    """Three lists at two offices: one over its listetak with a fastlege, one open without one,
    one locked."""
    sentrum = register.legekontor(k, navn="Sentrum legekontor")
    fjell = register.legekontor(k, navn="Fjellsiden legesenter")
    over = register.liste(k, listetak=1000, kontor=sentrum, navn="Liste Nord")
    fastlege(k, over, lege=register.lege(k, fornavn="Ola", etternavn="Nordmann"))
    services.record_listetall(liste=over, dato=TODAY, listelengde=1120, venteliste=35)
    ledig = register.liste(k, listetak=1500, kontor=fjell, navn="Liste Fjell")
    services.record_listetall(liste=ledig, dato=TODAY, listelengde=1000)
    last = register.liste(k, listetak=800, kontor=sentrum, navn="Liste Sør", manuelt_last=True)
    return {"over": over, "ledig": ledig, "last": last, "sentrum": sentrum, "fjell": fjell}


# --- the register ---------------------------------------------------------------------------------

@pytest.mark.parametrize("rolle", ROLES)
def test_register_renders_for_every_role_and_offers_writes_only_to_writers(as_role, sample, rolle):
    response = as_role(rolle).get("/lister/")
    assert response.status_code == 200
    page = html(response)
    assert "Liste Nord" in page and "Liste Fjell" in page and "Ola Nordmann" in page
    assert ("/lister/ny/" in page) is (rolle != "leser")


def test_register_shows_negative_free_places_and_status_as_text(page_client, sample):
    page = html(page_client.get("/lister/"))
    assert "−120 (over listetaket)" in page
    for status in ("Lukket", "Åpen", "Låst"):
        assert f"<td>{status}</td>" in page


def test_register_summarises_capacity_with_the_cited_definition(page_client, sample):
    page = html(page_client.get("/lister/"))
    assert "summen av listetak minus summen av listelengde" in page
    assert "helsedirektoratet.no" in page
    # 1000 + 1500 + 800 listetak, 1120 + 1000 on the lists: 1 180 free places.
    assert "1\u00a0180" in page or "1 180" in page


@pytest.mark.parametrize(("query", "shown", "hidden"), [
    ("status=lukket", ["Liste Nord"], ["Liste Fjell", "Liste Sør"]),
    ("status=last", ["Liste Sør"], ["Liste Nord", "Liste Fjell"]),
    ("har_fastlege=true", ["Liste Nord"], ["Liste Fjell", "Liste Sør"]),
    ("har_fastlege=false", ["Liste Fjell", "Liste Sør"], ["Liste Nord"]),
    ("sok=nordmann", ["Liste Nord"], ["Liste Fjell", "Liste Sør"]),
    ("sok=fjellsiden", ["Liste Fjell"], ["Liste Nord", "Liste Sør"]),
    ("sok=liste+sør", ["Liste Sør"], ["Liste Nord", "Liste Fjell"]),
])
def test_register_filters_and_searches(page_client, sample, query, shown, hidden):
    page = html(page_client.get(f"/lister/?{query}"))
    for name in shown:
        assert name in page
    for name in hidden:
        assert name not in page


def test_register_filters_by_office(page_client, sample):
    page = html(page_client.get(f"/lister/?legekontor={sample['fjell'].pk}"))
    assert "Liste Fjell" in page and "Liste Nord" not in page


def test_register_sorts_by_clickable_headers_with_aria_sort(page_client, sample):
    page = html(page_client.get("/lister/?sortering=-listetak"))
    assert page.index("Liste Fjell") < page.index("Liste Nord") < page.index("Liste Sør")
    assert 'aria-sort="descending"' in page and page.count("aria-sort=") == 1
    assert "?sortering=listetak" in page  # the active column's link turns the order around
    page = html(page_client.get("/lister/?sortering=ledige"))  # −120, 500, 800 (no figure: all places free)
    assert page.index("Liste Nord") < page.index("Liste Fjell") < page.index("Liste Sør")
    assert 'aria-sort="ascending"' in page


def test_register_paginates_and_keeps_the_filter_in_page_links(page_client, sample, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    first = html(page_client.get("/lister/?sortering=listetak"))
    assert "Side 1 av 2" in first and "sortering=listetak&amp;side=2" in first
    second = html(page_client.get("/lister/?sortering=listetak&side=2"))
    assert "Liste Fjell" in second and "Liste Sør" not in second


def test_register_ignores_malformed_parameters_instead_of_failing(page_client, sample):
    response = page_client.get("/lister/?legekontor=abc&status=zzz&har_fastlege=kanskje&side=x&sortering=hemmelig&sok=" + "a" * 500)
    assert response.status_code == 200
    response = page_client.get("/lister/?legekontor=99999999999999999999")
    assert response.status_code == 200


# --- exports ----------------------------------------------------------------------------------------

def parse_csv(response) -> list[list[str]]:
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:]), delimiter=";"))


def test_csv_export_has_the_filtered_rows_for_norwegian_excel(page_client, sample):
    response = page_client.get("/lister/eksport.csv?har_fastlege=false&sortering=navn")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'attachment; filename="pasientlister-4601-' in response["Content-Disposition"]
    rows = parse_csv(response)
    header, data = rows[0], rows[1:]
    assert header[:3] == ["Legekontor", "Organisasjonsnummer", "Liste"]
    assert [row[2] for row in data] == ["Liste Fjell", "Liste Sør"]
    fjell = dict(zip(header, data[0], strict=True))
    assert (fjell["Listetak"], fjell["Listelengde"], fjell["Ledige plasser"], fjell["Status"]) == ("1500", "1000", "500", "Åpen")


def test_csv_export_writes_negative_free_places_as_a_number(page_client, sample):
    rows = parse_csv(page_client.get("/lister/eksport.csv?status=lukket"))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["Ledige plasser"], row["Fastleger"], row["Venteliste"]) == ("-120", "Ola Nordmann", "35")


def test_exports_write_formula_like_text_as_text(page_client, k):
    register.liste(k, navn="=HYPERLINK(\"http://x\")")
    rows = parse_csv(page_client.get("/lister/eksport.csv"))
    assert rows[1][2] == "'=HYPERLINK(\"http://x\")"
    sheet = openpyxl.load_workbook(io.BytesIO(page_client.get("/lister/eksport.xlsx").content)).active
    cell = sheet.cell(row=2, column=3)
    assert cell.value == "=HYPERLINK(\"http://x\")" and cell.data_type == "s"


def test_xlsx_export_has_the_filtered_rows(page_client, sample):
    response = page_client.get(f"/lister/eksport.xlsx?legekontor={sample['sentrum'].pk}&sortering=navn")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    header, data = values[0], values[1:]
    assert [row[2] for row in data] == ["Liste Nord", "Liste Sør"]
    nord = dict(zip(header, data[0], strict=True))
    assert (nord["Listetak"], nord["Listelengde"], nord["Ledige plasser"], nord["Status"]) == (1000, 1120, -120, "Lukket")
    assert nord["Gyldig fra"].date() == dt.date(2020, 1, 1)


@pytest.mark.parametrize("rolle", ROLES)
def test_exports_are_open_to_every_role(as_role, sample, rolle):
    client = as_role(rolle)
    assert client.get("/lister/eksport.csv").status_code == 200
    assert client.get("/lister/eksport.xlsx").status_code == 200


# --- constant queries -------------------------------------------------------------------------------

def add_lists(k, count: int, kontor: Legekontor) -> None:
    """Lists with a fastlege, a vikar and a figure each, so a per-row lookup would show."""
    for i in range(count):
        liste = register.liste(k, listetak=1000 + i, kontor=kontor, navn=f"Masse {i}")
        fastlege(k, liste, prosent=50)
        vikar = register.lege(k, spesialist_allmennmedisin_fra=dt.date(2015, 1, 1))
        services.add_legeperiode(liste=liste, lege=vikar, rolle="LPVI", fra=dt.date(2025, 1, 1), stillingsprosent=50)
        services.record_listetall(liste=liste, dato=TODAY, listelengde=900 + i, venteliste=i)


def queries(client, url: str) -> int:
    client.get(url)  # warm up (session, caches)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


COUNTED_URLS = ["/lister/", "/lister/?har_fastlege=true&sok=masse&sortering=-ledige", "/lister/eksport.csv",
                "/lister/eksport.xlsx?status=apen"]


def test_register_and_exports_use_a_constant_number_of_queries(page_client, k, django_assert_num_queries):
    kontor = register.legekontor(k)
    add_lists(k, 10, kontor)
    at_10 = {url: queries(page_client, url) for url in COUNTED_URLS}
    add_lists(k, 90, kontor)
    for url in COUNTED_URLS:
        with django_assert_num_queries(at_10[url]):
            response = page_client.get(url)
        assert response.status_code == 200
    assert len(parse_csv(page_client.get("/lister/eksport.csv"))) == 101
    assert "100 pasientlister" in html(page_client.get("/lister/"))


# --- a list's page --------------------------------------------------------------------------------

@pytest.mark.parametrize("rolle", ROLES)
def test_list_page_shows_facts_status_with_the_rule_periods_and_figures(as_role, sample, rolle):
    liste = sample["over"]
    page = html(as_role(rolle).get(f"/lister/{liste.pk}/"))
    assert "Lukket" in page and "§ 10" in page
    assert "−120 (over listetaket)" in page
    assert "Ola Nordmann" in page and "Fastlege" in page
    assert f'href="/avtaler/?liste={liste.pk}"' in page
    assert "1\u00a0120" in page or "1 120" in page
    assert ("Registrer listetall" in page) is (rolle != "leser")
    assert (f"/lister/{liste.pk}/vikar/" in page) is (rolle != "leser")


def test_list_history_page_shows_changes(page_client, sample, overlege):
    liste = sample["ledig"]
    response = page_client.post(f"/lister/{liste.pk}/endre/", edit_payload(liste, navn="Omdøpt liste"))
    assert response.status_code == 302
    page = html(page_client.get(f"/lister/{liste.pk}/historikk/"))
    assert "Omdøpt liste" in page and overlege.email in page


# --- creating and changing lists --------------------------------------------------------------------

def new_list_payload(kontor, **changes):
    return {"legekontor": kontor.pk, "navn": "Ny liste", "listetak": "1200", "gyldig_fra": TODAY.isoformat(),
            "samarbeidskommuner": "", **changes}


@pytest.mark.parametrize("rolle", ["overlege", "saksbehandler"])
def test_writers_create_a_list(as_role, k, rolle):
    kontor = register.legekontor(k)
    response = as_role(rolle).post("/lister/ny/", new_list_payload(kontor, er_fellesliste="on", samarbeidskommuner="4647"))
    assert response.status_code == 302
    [liste] = fetch(Pasientliste, k, navn="Ny liste")
    assert response["Location"] == f"/lister/{liste.pk}/"
    assert (liste.listetak, liste.er_fellesliste, liste.samarbeidskommuner) == (1200, True, ["4647"])


def test_listetak_2501_is_refused_naming_paragraph_10(page_client, k):
    kontor = register.legekontor(k)
    response = page_client.post("/lister/ny/", new_list_payload(kontor, listetak="2501"))
    assert response.status_code == 200
    assert "§ 10" in html(response) and "2\u00a0500" in html(response)
    assert fetch(Pasientliste, k) == []


def test_unknown_samarbeidskommune_is_refused_on_the_form(page_client, k):
    kontor = register.legekontor(k)
    response = page_client.post("/lister/ny/", new_list_payload(kontor, samarbeidskommuner="9999"))
    assert response.status_code == 200 and "Ukjente kommunenummer: 9999" in html(response)
    assert fetch(Pasientliste, k) == []


def test_a_list_from_before_the_2012_forskrift_is_accepted_under_the_oldest_known_rule(page_client, k):
    kontor = register.legekontor(k)
    response = page_client.post("/lister/ny/", new_list_payload(kontor, gyldig_fra="2001-06-01"))
    assert response.status_code == 302
    assert [liste.gyldig_fra.isoformat() for liste in fetch(Pasientliste, k)] == ["2001-06-01"]


def test_another_kommunes_office_cannot_be_chosen(page_client, k, sunnfjord):
    with in_kommune(sunnfjord):
        theirs = register.legekontor(sunnfjord)
    response = page_client.post("/lister/ny/", new_list_payload(theirs))
    assert response.status_code == 200 and 'class="error"' in html(response)
    assert fetch(Pasientliste, k) == []


def test_lesetilgang_cannot_open_or_post_write_forms(as_role, sample):
    client = as_role("leser")
    liste = sample["ledig"]
    for url in ("/lister/ny/", f"/lister/{liste.pk}/endre/", f"/lister/{liste.pk}/vikar/", "/legekontor/ny/",
                f"/legekontor/{sample['fjell'].pk}/endre/"):
        assert client.get(url).status_code == 403, url
    assert client.post("/lister/ny/", new_list_payload(sample["fjell"])).status_code == 403
    assert client.post(f"/lister/{liste.pk}/endre/", edit_payload(liste, navn="X")).status_code == 403
    assert client.post(f"/lister/{liste.pk}/listetall/", {"dato": "2026-02-01", "listelengde": "5"}).status_code == 403
    assert client.post("/legekontor/ny/", office_payload()).status_code == 403
    assert len(fetch(Pasientliste, sample["over"].kommune)) == 3
    assert len(fetch(Listetall, sample["over"].kommune)) == 2


def edit_payload(liste, **changes):
    return {"legekontor": liste.legekontor_id, "navn": liste.navn, "listetak": str(liste.listetak),
            "samarbeidskommuner": ", ".join(liste.samarbeidskommuner), "versjon": str(liste.versjon),
            **({"er_fellesliste": "on"} if liste.er_fellesliste else {}),
            **({"manuelt_last": "on"} if liste.manuelt_last else {}), **changes}


def test_edit_form_saves_and_the_page_shows_it(page_client, sample):
    liste = sample["ledig"]
    form = html(page_client.get(f"/lister/{liste.pk}/endre/"))
    assert 'name="versjon"' in form and 'type="hidden"' in form
    response = page_client.post(f"/lister/{liste.pk}/endre/", edit_payload(liste, listetak="1400", manuelt_last="on"))
    assert response.status_code == 302
    [stored] = fetch(Pasientliste, sample["ledig"].kommune, pk=liste.pk)
    assert (stored.listetak, stored.manuelt_last) == (1400, True)
    assert "Låst" in html(page_client.get(f"/lister/{liste.pk}/"))


def test_edit_with_a_stale_version_explains_and_changes_nothing(page_client, sample):
    liste = sample["ledig"]
    payload = edit_payload(liste, navn="Mitt navn")
    with in_kommune(liste.kommune):
        Pasientliste.objects.filter(pk=liste.pk).update(navn="Noen andres navn")
    response = page_client.post(f"/lister/{liste.pk}/endre/", payload)
    assert response.status_code == 200 and "endret av noen andre" in html(response)
    [stored] = fetch(Pasientliste, liste.kommune, pk=liste.pk)
    assert stored.navn == "Noen andres navn"


def test_listetak_of_a_list_with_a_fastlege_is_changed_through_the_agreement(page_client, sample):
    liste = sample["over"]
    response = page_client.post(f"/lister/{liste.pk}/endre/", edit_payload(liste, listetak="900"))
    assert response.status_code == 200
    assert "§§ 10–11" in html(response)
    [stored] = fetch(Pasientliste, liste.kommune, pk=liste.pk)
    assert stored.listetak == 1000


# --- vikar periods ------------------------------------------------------------------------------------

def vikar_payload(lege, **changes):
    return {"lege": lege.pk, "stillingsprosent": "50", "arbeidsdager": ["1", "3"], "fra": "2026-02-01", "til": "2026-05-01",
            **changes}


def test_vikar_period_is_added_and_shown(page_client, k, sample):
    liste = sample["ledig"]
    vikar = register.lege(k, fornavn="Vera", etternavn="Vikar")
    response = page_client.post(f"/lister/{liste.pk}/vikar/", vikar_payload(vikar))
    assert response.status_code == 302
    [periode] = fetch(Legeperiode, k, pasientliste=liste)
    assert (periode.rolle, periode.stillingsprosent, periode.arbeidsdager, periode.til) == ("LPVI", 50, [1, 3], dt.date(2026, 5, 1))
    page = html(page_client.get(f"/lister/{liste.pk}/"))
    assert "Vera Vikar" in page and "mandag, onsdag" in page and "1.5.2026" in page


def test_vikar_over_100_percent_asks_for_a_reason_then_saves_it(page_client, k, sample):
    fulltid = register.lege(k, fornavn="Full", etternavn="Tid")
    fastlege(k, sample["last"], lege=fulltid, prosent=100)
    liste = sample["ledig"]
    form = html(page_client.get(f"/lister/{liste.pk}/vikar/"))
    assert "Opphører" in form and 'type="date"' in form and "Begrunnelse for over 100 %" not in form
    response = page_client.post(f"/lister/{liste.pk}/vikar/", vikar_payload(fulltid))
    page = html(response)
    assert response.status_code == 200
    assert "Begrunnelse for over 100 %" in page and "150 %" in page and "krever en begrunnelse" in page
    assert '<textarea name="begrunnelse_over_100"' in page
    assert fetch(Legeperiode, k, pasientliste=liste) == []
    response = page_client.post(f"/lister/{liste.pk}/vikar/", vikar_payload(fulltid, begrunnelse_over_100="Sommerferie, avtalt"))
    assert response.status_code == 302
    [periode] = fetch(Legeperiode, k, pasientliste=liste)
    assert periode.begrunnelse_over_100 == "Sommerferie, avtalt"


def test_vikar_period_with_end_before_start_is_refused_on_the_field(page_client, k, sample):
    liste = sample["ledig"]
    response = page_client.post(f"/lister/{liste.pk}/vikar/", vikar_payload(register.lege(k), til="2026-01-01"))
    assert response.status_code == 200 and "Perioden må slutte etter at den begynner." in html(response)
    assert fetch(Legeperiode, k, pasientliste=liste) == []


# --- monthly figures -----------------------------------------------------------------------------------

def test_monthly_figure_is_recorded_and_changes_the_status(page_client, k, sample):
    liste = sample["ledig"]
    response = page_client.post(f"/lister/{liste.pk}/listetall/", {"dato": TODAY.isoformat(), "listelengde": "1500", "venteliste": "4"})
    assert response.status_code == 200  # the fixture has a figure for today already
    assert "allerede et tall for denne datoen" in html(response)
    day = TODAY - dt.timedelta(days=1) if TODAY.day == 1 else TODAY.replace(day=1)
    response = page_client.post(f"/lister/{liste.pk}/listetall/", {"dato": day.isoformat(), "listelengde": "1500"})
    assert response.status_code == 302
    assert len(fetch(Listetall, k, pasientliste=liste)) == 2


def test_monthly_figure_must_not_be_negative(page_client, k, sample):
    liste = sample["ledig"]
    response = page_client.post(f"/lister/{liste.pk}/listetall/", {"dato": "2026-03-01", "listelengde": "-5"})
    assert response.status_code == 200 and 'class="error"' in html(response)
    assert len(fetch(Listetall, k, pasientliste=liste)) == 1


# --- offices ------------------------------------------------------------------------------------------

def office_payload(**changes):
    return {"navn": "Havnen legesenter", "organisasjonsnummer": "974 760 673", "adresse": "Kaien 2", "postnummer": "5003",
            "poststed": "Bergen", "telefon": "", **changes}


@pytest.mark.parametrize("rolle", ROLES)
def test_office_list_renders_for_every_role(as_role, sample, rolle):
    page = html(as_role(rolle).get("/legekontor/"))
    assert "Sentrum legekontor" in page and "Fjellsiden legesenter" in page
    assert ("/legekontor/ny/" in page) is (rolle != "leser")


def test_office_is_created_and_edited(page_client, k):
    response = page_client.post("/legekontor/ny/", office_payload())
    assert response.status_code == 302
    [kontor] = fetch(Legekontor, k)
    assert kontor.organisasjonsnummer == "974760673"
    form = html(page_client.get(f"/legekontor/{kontor.pk}/endre/"))
    assert 'value="Havnen legesenter"' in form
    response = page_client.post(f"/legekontor/{kontor.pk}/endre/", office_payload(navn="Havnen legesenter AS", versjon=str(kontor.versjon)))
    assert response.status_code == 302
    assert fetch(Legekontor, k)[0].navn == "Havnen legesenter AS"


def test_invalid_organisasjonsnummer_shows_the_modulus_11_rule(page_client, k):
    response = page_client.post("/legekontor/ny/", office_payload(organisasjonsnummer="974760674"))
    assert response.status_code == 200 and "modulus 11" in html(response)
    assert fetch(Legekontor, k) == []


def test_office_edit_with_stale_version_is_refused(page_client, k):
    kontor = register.legekontor(k)
    response = page_client.post(f"/legekontor/{kontor.pk}/endre/", office_payload(versjon=str(kontor.versjon + 5)))
    assert response.status_code == 200 and "endret av noen andre" in html(response)


# --- another kommune ---------------------------------------------------------------------------------

def test_another_kommunes_list_and_office_are_404(page_client, k, sunnfjord):
    with in_kommune(sunnfjord):
        kontor = register.legekontor(sunnfjord, navn="Sunnfjord-kontor")
        liste = register.liste(sunnfjord, kontor=kontor, navn="Sunnfjord-liste")
        services.record_listetall(liste=liste, dato=TODAY, listelengde=10)
    for url in (f"/lister/{liste.pk}/", f"/lister/{liste.pk}/endre/", f"/lister/{liste.pk}/vikar/",
                f"/lister/{liste.pk}/historikk/", f"/legekontor/{kontor.pk}/endre/"):
        response = page_client.get(url)
        assert response.status_code == 404, url
        assert "Sunnfjord-" not in html(response)
    assert page_client.post(f"/lister/{liste.pk}/listetall/", {"dato": "2026-02-01", "listelengde": "5"}).status_code == 404
    assert page_client.post(f"/lister/{liste.pk}/endre/", edit_payload(liste, navn="Kapret")).status_code == 404
    assert "Sunnfjord-" not in html(page_client.get("/lister/")) + html(page_client.get("/legekontor/"))
    assert "Sunnfjord-" not in page_client.get("/lister/eksport.csv").content.decode()
    with in_kommune(sunnfjord):
        assert Pasientliste.objects.get(pk=liste.pk).navn == "Sunnfjord-liste"
        assert Listetall.objects.filter(pasientliste=liste).count() == 1


def test_the_list_page_charts_its_size_against_the_listetak_with_the_table_as_alternative(page_client, bergen):
    import re

    from lister import services as lister_services
    from tests.conftest import in_kommune
    from tests.register import liste as make_liste

    with in_kommune(bergen):
        liste = make_liste(bergen, listetak=1000)
        for month, length in ((9, 900), (10, 950), (11, 1000)):
            lister_services.record_listetall(liste=liste, dato=dt.date(2026, month, 1), listelengde=length, venteliste=month)
    page = page_client.get(f"/lister/{liste.pk}/").content.decode()
    assert 'role="img"' in page and "listetall-chart-desc" in page
    points = re.search(r'<polyline points="([^"]+)"', page).group(1).split()
    ys = [float(p.split(",")[1]) for p in points]
    assert len(points) == 3 and ys[0] > ys[1] > ys[2]  # growing list: the line rises (SVG y grows downwards)
    listetak_y = float(re.search(r'<line x1="\d+" y1="([\d.]+)"[^>]*stroke="#8a3b00"', page).group(1))
    assert listetak_y == ys[2]  # the last figure is exactly the listetak
    assert "1.000" in page or "1 000" in page or "1000" in page  # the table alternative keeps the numbers
