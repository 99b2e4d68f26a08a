"""The lister API: offices, lists (status and free places as of a date), who serves them, list
sizes and capacity — the rules and messages of lister.services, ETags, permissions, constant queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from avtaler.models import Fastlegeavtale
from kommune import regler
from lister import services
from lister.models import Legekontor, Legeperiode, Listetall, Pasientliste
from tests import register
from tests.api_helpers import error, if_match, service_messages
from tests.conftest import in_kommune, token_client

KONTOR = "/api/v1/legekontor/"
LISTER = "/api/v1/pasientlister/"
TODAY = dt.date.today()


def detail(base, pk):
    return f"{base}{pk}/"


def perioder(liste_pk):
    return f"{LISTER}{liste_pk}/perioder/"


def listetall(liste_pk):
    return f"{LISTER}{liste_pk}/listetall/"








@pytest.fixture(autouse=True)
def k(bergen):
    with in_kommune(bergen):
        yield bergen


@pytest.fixture
def kontor(k):
    return register.legekontor(k, navn="Fana legesenter")


# --- offices ------------------------------------------------------------------------------------


def test_office_is_registered_with_location_and_etag(api):
    response = api.post(KONTOR, {"navn": "Åsane legekontor", "organisasjonsnummer": "974 760 673", "adresse": "Åsamyrane 1",
                                 "postnummer": "5116", "poststed": "Ulset"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["organisasjonsnummer"] == "974760673" and body["antall_lister"] == 0
    assert response["Location"] == detail(KONTOR, body["id"]) and response["ETag"] == '"1"'
    assert Legekontor.objects.get(pk=body["id"]).navn == "Åsane legekontor"


def test_invalid_organisasjonsnummer_is_400_naming_the_mod11_rule_and_saves_nothing(api, k):
    body = error(api.post(KONTOR, {"navn": "X", "organisasjonsnummer": "974760674", "adresse": "A", "postnummer": "5003",
                                   "poststed": "Bergen"}, format="json"))
    assert "modulus 11" in body["felt"]["organisasjonsnummer"][0]
    assert body["felt"]["organisasjonsnummer"] == service_messages("organisasjonsnummer", lambda: services.create_legekontor(
        kommune=k, navn="X", organisasjonsnummer="974760674", adresse="A", postnummer="5003", poststed="Bergen"))
    assert not Legekontor.objects.exists()


def test_same_organisasjonsnummer_twice_in_a_kommune_is_400(api, kontor):
    body = error(api.post(KONTOR, {"navn": "Y", "organisasjonsnummer": kontor.organisasjonsnummer, "adresse": "A",
                                   "postnummer": "5003", "poststed": "Bergen"}, format="json"))
    assert "allerede" in body["felt"]["organisasjonsnummer"][0]


def test_office_search_filter(api, kontor, k):
    register.legekontor(k, navn="Sentrum")
    assert [r["navn"] for r in api.get(KONTOR, {"sok": "fana"}).json()["resultater"]] == ["Fana legesenter"]
    assert api.get(KONTOR, {"sok": kontor.organisasjonsnummer}).json()["antall"] == 1


def test_office_update_needs_if_match_and_is_in_history(api, kontor):
    url = detail(KONTOR, kontor.pk)
    assert error(api.patch(url, {"telefon": "55 00 00 00"}, format="json"), 428)["kode"] == "if_match_mangler"
    assert error(api.patch(url, {"telefon": "55 00 00 00"}, format="json", **if_match(kontor.versjon + 1)), 412)
    response = api.patch(url, {"telefon": "55 00 00 00"}, format="json", **if_match(kontor.versjon))
    assert response.status_code == 200 and response["ETag"] == f'"{kontor.versjon + 1}"'
    kontor.refresh_from_db()
    assert kontor.telefon == "55 00 00 00"
    changes = api.get(f"{url}historikk/").json()["resultater"][0]["endringer"]
    assert {"felt": "telefon", "fra": "", "til": "55 00 00 00"} in changes


# --- lists --------------------------------------------------------------------------------------


def test_list_is_created_and_shown_with_status_and_free_places(api, kontor):
    response = api.post(LISTER, {"legekontor": kontor.pk, "listetak": 1200, "gyldig_fra": "2025-01-01", "navn": "Liste A"},
                        format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["listetak"], body["status"], body["ledige_plasser"], body["har_fastlege"]) == (1200, "apen", 1200, False)
    assert body["legekontor_navn"] == "Fana legesenter" and response["ETag"] == '"1"'


def test_listetak_2501_is_refused_with_the_services_message(api, kontor, k):
    body = error(api.post(LISTER, {"legekontor": kontor.pk, "listetak": 2501, "gyldig_fra": "2026-01-01"}, format="json"))
    assert body["felt"]["listetak"] == service_messages("listetak", lambda: services.create_pasientliste(
        kommune=k, legekontor=kontor, listetak=2501, gyldig_fra=dt.date(2026, 1, 1)))
    assert "§ 10" in body["felt"]["listetak"][0]
    assert not Pasientliste.objects.exists()


@pytest.mark.parametrize("value", [999999, "abc", None, 99999999999999999999])
def test_unknown_or_malformed_office_id_is_400_naming_the_field(api, value):
    body = error(api.post(LISTER, {"legekontor": value, "listetak": 1000, "gyldig_fra": "2026-01-01"}, format="json"))
    assert "legekontor" in body["felt"]


def test_another_kommunes_office_is_refused_like_an_unknown_one(api, sunnfjord):
    with in_kommune(sunnfjord):
        theirs = register.legekontor(sunnfjord)
    body = error(api.post(LISTER, {"legekontor": theirs.pk, "listetak": 1000, "gyldig_fra": "2026-01-01"}, format="json"))
    unknown = error(api.post(LISTER, {"legekontor": theirs.pk + 1000, "listetak": 1000, "gyldig_fra": "2026-01-01"},
                             format="json"))
    assert body["felt"]["legekontor"][0].replace(str(theirs.pk), "X") == unknown["felt"]["legekontor"][0].replace(
        str(theirs.pk + 1000), "X")


def test_status_is_closed_at_listetak_and_free_places_go_negative(api, k):
    liste = register.liste(k, listetak=1000)
    services.record_listetall(liste=liste, dato=dt.date(2026, 1, 1), listelengde=1010, venteliste=4)
    body = api.get(detail(LISTER, liste.pk)).json()
    assert (body["status"], body["ledige_plasser"], body["listelengde"], body["venteliste"]) == ("lukket", -10, 1010, 4)
    assert api.get(LISTER, {"status": "lukket"}).json()["antall"] == 1
    assert api.get(LISTER, {"status": "apen"}).json()["antall"] == 0
    assert api.get(LISTER, {"har_ledige_plasser": "true"}).json()["antall"] == 0


def test_figures_and_doctors_as_of_a_date(api, k):
    liste = register.liste(k, listetak=1000)
    services.record_listetall(liste=liste, dato=dt.date(2025, 1, 1), listelengde=400)
    services.record_listetall(liste=liste, dato=dt.date(2026, 1, 1), listelengde=1000)
    lege = register.lege(k, fornavn="Ola", etternavn="Nordmann")
    services.add_legeperiode(liste=liste, lege=lege, rolle="LPFL", via_fastlegeavtale=True, fra=dt.date(2025, 6, 1), til=dt.date(2025, 7, 1))
    then = api.get(LISTER, {"dato": "2025-06-15"}).json()["resultater"][0]
    assert (then["listelengde"], then["status"], then["fastleger"], then["har_fastlege"]) == (400, "apen", "Ola Nordmann", True)
    now = api.get(LISTER).json()["resultater"][0]
    assert (now["listelengde"], now["status"], now["fastleger"], now["har_fastlege"]) == (1000, "lukket", "", False)
    assert api.get(detail(LISTER, liste.pk), {"dato": "2025-06-15"}).json()["fastleger"] == "Ola Nordmann"
    assert api.get(LISTER, {"dato": "2025-06-15", "har_fastlege": "true"}).json()["antall"] == 1
    assert api.get(LISTER, {"sok": "nordmann", "dato": "2025-06-15"}).json()["antall"] == 1
    assert api.get(LISTER, {"sok": "nordmann"}).json()["antall"] == 0


@pytest.mark.parametrize("url", [LISTER, f"{LISTER}{{pk}}/", "/api/v1/kapasitet/"])
def test_malformed_date_is_400_naming_dato(api, k, url):
    liste = register.liste(k)
    body = error(api.get(url.format(pk=liste.pk), {"dato": "2026-13-01"}))
    assert "dato" in body["felt"]


def test_list_detail_has_etag_and_304(api, k):
    liste = register.liste(k)
    response = api.get(detail(LISTER, liste.pk))
    assert response["ETag"] == f'"{liste.versjon}"'
    assert api.get(detail(LISTER, liste.pk), HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_list_settings_change_with_if_match(api, k):
    liste = register.liste(k)
    url = detail(LISTER, liste.pk)
    assert error(api.patch(url, {"manuelt_last": True}, format="json"), 428)
    assert error(api.patch(url, {"manuelt_last": True}, format="json", **if_match(liste.versjon + 5)), 412)
    response = api.patch(url, {"manuelt_last": True, "samarbeidskommuner": ["4647"]}, format="json", **if_match(liste.versjon))
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["samarbeidskommuner"]) == ("last", ["4647"])
    assert response["ETag"] == f'"{liste.versjon + 1}"'


def test_put_replaces_the_settings_but_not_the_start_date(api, k):
    liste = register.liste(k, listetak=1000)
    other = register.legekontor(k, navn="Nytt kontor")
    response = api.put(detail(LISTER, liste.pk), {"legekontor": other.pk, "listetak": 1100, "navn": "Ny", "gyldig_fra": "1999-01-01"},
                       format="json", **if_match(liste.versjon))
    assert response.status_code == 200, response.content
    liste.refresh_from_db()
    assert (liste.legekontor_id, liste.listetak, liste.navn, liste.gyldig_fra) == (other.pk, 1100, "Ny", dt.date(2020, 1, 1))


def test_listetak_of_a_list_with_a_fastlege_changes_only_through_the_avtale(api, k):
    avtale = register.avtale(k, listetak=1500)
    liste = avtale.pasientliste
    liste.refresh_from_db()
    body = error(api.patch(detail(LISTER, liste.pk), {"listetak": 1000}, format="json", **if_match(liste.versjon)))
    assert body["felt"]["listetak"] == service_messages("listetak", lambda: services.update_pasientliste(
        liste=liste, expected_version=liste.versjon, listetak=1000))
    liste.refresh_from_db()
    assert liste.listetak == 1500


def test_unknown_samarbeidskommune_is_400(api, k):
    liste = register.liste(k)
    body = error(api.patch(detail(LISTER, liste.pk), {"samarbeidskommuner": ["9999"]}, format="json", **if_match(liste.versjon)))
    assert "9999" in body["felt"]["samarbeidskommuner"][0]


def test_list_history_names_the_user(api, k, overlege):
    liste = register.liste(k)
    api.patch(detail(LISTER, liste.pk), {"navn": "Endret"}, format="json", **if_match(liste.versjon))
    newest = api.get(f"{detail(LISTER, liste.pk)}historikk/").json()["resultater"][0]
    assert newest["aktor"] == f"bruker:{overlege.pk}"
    assert {"felt": "navn", "fra": "", "til": "Endret"} in newest["endringer"]


def test_idempotent_list_creation_is_replayed(api, kontor):
    body = {"legekontor": kontor.pk, "listetak": 1000, "gyldig_fra": "2026-01-01"}
    first = api.post(LISTER, body, format="json", HTTP_IDEMPOTENCY_KEY="liste-1")
    again = api.post(LISTER, body, format="json", HTTP_IDEMPOTENCY_KEY="liste-1")
    assert (first.status_code, again.status_code, again["Idempotent-Replayed"]) == (201, 201, "true")
    assert first.json() == again.json() and Pasientliste.objects.count() == 1


# --- who serves the list --------------------------------------------------------------------------


def test_vikar_period_is_added_with_an_etag(api, k):
    liste = register.liste(k)
    fastlege, vikar = register.lege(k), register.lege(k, fornavn="Vera", etternavn="Vikar")
    services.add_legeperiode(liste=liste, lege=fastlege, rolle="LPFL", via_fastlegeavtale=True, fra=dt.date(2026, 1, 1))
    response = api.post(perioder(liste.pk), {"lege": vikar.pk, "rolle": "LPVI", "vikar_for": fastlege.pk, "fra": "2026-03-01",
                                             "til": "2026-04-01", "stillingsprosent": 50, "arbeidsdager": [1, 3]}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["lege_navn"], body["vikar_for"], body["arbeidsdager"], body["pasientliste"]) == (
        "Vera Vikar", fastlege.pk, [1, 3], liste.pk)
    assert response["ETag"].startswith('"p') and response["Location"] == f"{perioder(liste.pk)}{body['id']}/"
    assert api.get(response["Location"])["ETag"] == response["ETag"]
    assert [p["rolle"] for p in api.get(perioder(liste.pk)).json()["resultater"]] == ["LPVI", "LPFL"]
    assert api.get(perioder(liste.pk), {"rolle": "LPFL"}).json()["antall"] == 1


def test_period_ending_before_it_starts_is_400_on_til(api, k):
    liste, lege = register.liste(k), register.lege(k)
    body = error(api.post(perioder(liste.pk), {"lege": lege.pk, "rolle": "LPVI", "fra": "2026-03-01", "til": "2026-02-01"},
                          format="json"))
    assert body["felt"]["til"] == ["Perioden må slutte etter at den begynner."]
    assert not Legeperiode.objects.exists()


def test_a_fastlege_period_comes_only_from_signing_an_avtale(api, k):
    liste = register.liste(k)
    body = error(api.post(perioder(liste.pk), {"lege": register.lege(k).pk, "rolle": "LPFL", "fra": "2026-06-01"}, format="json"))
    assert "§ 8" in body["felt"]["rolle"][0]
    assert Legeperiode.objects.count() == 0


def test_overlapping_periods_of_one_doctor_are_refused_on_the_field(api, k):
    liste, lege = register.liste(k), register.lege(k, spesialist_allmennmedisin_fra=dt.date(2015, 1, 1))
    services.add_legeperiode(liste=liste, lege=lege, rolle="LPVI", fra=dt.date(2026, 1, 1), stillingsprosent=40)
    body = error(api.post(perioder(liste.pk), {"lege": lege.pk, "rolle": "LPVI", "fra": "2026-06-01", "stillingsprosent": 40},
                          format="json"))
    assert "overlapper" in body["felt"]["fra"][0]
    assert Legeperiode.objects.count() == 1


def test_unknown_doctor_in_the_body_is_400(api, k):
    liste = register.liste(k)
    body = error(api.post(perioder(liste.pk), {"lege": 987654321, "rolle": "LPVI", "fra": "2026-03-01"}, format="json"))
    assert "lege" in body["felt"]


def test_engagement_over_100_percent_needs_a_reason(api, k):
    lege = register.lege(k)
    services.add_legeperiode(liste=register.liste(k), lege=lege, rolle="LPFL", via_fastlegeavtale=True, fra=dt.date(2026, 1, 1))
    liste = register.liste(k)
    payload = {"lege": lege.pk, "rolle": "LPVI", "fra": "2026-03-01", "til": "2026-04-01", "stillingsprosent": 20}
    body = error(api.post(perioder(liste.pk), payload, format="json"))
    assert "120 %" in body["felt"]["begrunnelse_over_100"][0]
    response = api.post(perioder(liste.pk), {**payload, "begrunnelse_over_100": "Ferieavvikling"}, format="json")
    assert response.status_code == 201, response.content


def test_period_end_moves_with_if_match(api, k):
    liste, lege = register.liste(k), register.lege(k)
    periode = services.add_legeperiode(liste=liste, lege=lege, rolle="LPVI", fra=dt.date(2026, 1, 1), til=dt.date(2026, 2, 1))
    url = f"{perioder(liste.pk)}{periode.pk}/"
    tag = api.get(url)["ETag"]
    assert error(api.patch(url, {"til": "2026-03-01"}, format="json"), 428)
    assert error(api.patch(url, {"til": "2026-03-01"}, format="json", HTTP_IF_MATCH='"p0000"'), 412)
    assert error(api.patch(url, {"til": "2025-12-01"}, format="json", HTTP_IF_MATCH=tag))["felt"]["til"]
    response = api.patch(url, {"til": "2026-03-01"}, format="json", HTTP_IF_MATCH=tag)
    assert response.status_code == 200, response.content
    assert response.json()["til"] == "2026-03-01" and response["ETag"] != tag
    assert error(api.patch(url, {"til": "2026-04-01"}, format="json", HTTP_IF_MATCH=tag), 412)  # the old tag is stale
    periode.refresh_from_db()
    assert periode.til == dt.date(2026, 3, 1)
    assert api.get(f"{url}historikk/").json()["resultater"][0]["endringer"] == [{"felt": "til", "fra": "2026-02-01", "til": "2026-03-01"}]


def test_period_patch_cannot_change_the_doctor(api, k):
    liste, lege = register.liste(k), register.lege(k, spesialist_allmennmedisin_fra=dt.date(2015, 1, 1))
    periode = services.add_legeperiode(liste=liste, lege=lege, rolle="LPVI", fra=dt.date(2026, 1, 1), til=dt.date(2026, 2, 1))
    url = f"{perioder(liste.pk)}{periode.pk}/"
    response = api.patch(url, {"til": None, "lege": register.lege(k).pk}, format="json", HTTP_IF_MATCH=api.get(url)["ETag"])
    assert response.status_code == 200, response.content
    periode.refresh_from_db()
    assert (periode.lege_id, periode.til) == (lege.pk, None)


def test_periods_of_another_kommunes_list_are_404(api, sunnfjord):
    with in_kommune(sunnfjord):
        theirs = register.liste(sunnfjord)
        periode = services.add_legeperiode(liste=theirs, lege=register.lege(sunnfjord, spesialist_allmennmedisin_fra=dt.date(2015, 1, 1)), rolle="LPVI",
                                           fra=dt.date(2026, 1, 1))
    assert error(api.get(perioder(theirs.pk)), 404)
    assert error(api.get(f"{perioder(theirs.pk)}{periode.pk}/"), 404)
    assert error(api.post(perioder(theirs.pk), {"rolle": "LPVI"}, format="json"), 404)
    assert error(api.get(detail(LISTER, theirs.pk)), 404)


def test_period_of_one_list_is_not_found_under_another(api, k):
    liste, other = register.liste(k), register.liste(k)
    periode = services.add_legeperiode(liste=liste, lege=register.lege(k, spesialist_allmennmedisin_fra=dt.date(2015, 1, 1)), rolle="LPVI",
                                       fra=dt.date(2026, 1, 1))
    assert error(api.get(f"{perioder(other.pk)}{periode.pk}/"), 404)


def test_huge_ids_in_the_url_are_404(api):
    assert error(api.get(f"{LISTER}99999999999999999999/"), 404)
    assert error(api.get(f"{perioder('99999999999999999999')}1/"), 404)


# --- list size and capacity -------------------------------------------------------------------------


def test_list_size_is_recorded_once_per_date(api, k):
    liste = register.liste(k, listetak=1000)
    response = api.post(listetall(liste.pk), {"dato": "2026-10-01", "listelengde": 1000, "venteliste": 12}, format="json")
    assert response.status_code == 201, response.content
    assert api.get(response["Location"])["ETag"] == '"1"'
    body = error(api.post(listetall(liste.pk), {"dato": "2026-10-01", "listelengde": 900}, format="json"))
    assert "dato" in body["felt"]
    assert Listetall.objects.count() == 1
    assert api.get(detail(LISTER, liste.pk)).json()["status"] == "lukket"
    assert api.get(listetall(liste.pk), {"fra": "2026-10-01"}).json()["antall"] == 1
    assert api.get(listetall(liste.pk), {"til": "2026-10-01"}).json()["antall"] == 0


def test_negative_list_size_is_400(api, k):
    liste = register.liste(k)
    assert "listelengde" in error(api.post(listetall(liste.pk), {"dato": "2026-10-01", "listelengde": -1}, format="json"))["felt"]


def test_capacity_follows_helsedirektoratets_definition(api, k):
    with_gp = register.avtale(k, listetak=1500).pasientliste
    services.record_listetall(liste=with_gp, dato=dt.date(2026, 2, 1), listelengde=1400, venteliste=3)
    vacant = register.liste(k, listetak=1000)
    services.record_listetall(liste=vacant, dato=dt.date(2026, 2, 1), listelengde=1100)
    body = api.get("/api/v1/kapasitet/").json()
    assert body["lister"] == 2 and body["lister_uten_fastlege"] == 1
    assert (body["listetak"], body["listelengde"], body["ledige_plasser"]) == (2500, 2500, 0)
    assert (body["listetak_med_fastlege"], body["ledige_plasser_med_fastlege"], body["venteliste"]) == (1500, 100, 3)
    assert body["definisjon"] == regler.LEDIGE_PLASSER_DEFINISJON and body["dato"] == TODAY.isoformat()


# --- permissions ------------------------------------------------------------------------------------


def test_token_with_lister_les_reads_but_cannot_write(k, kontor):
    client = token_client(["lister:les"], k)
    assert client.get(LISTER).status_code == 200
    assert client.get(KONTOR).json()["antall"] == 1
    response = client.post(LISTER, {"legekontor": kontor.pk, "listetak": 1000, "gyldig_fra": "2026-01-01"}, format="json")
    assert error(response, 403)["kode"] == "mangler_tilgang"
    assert error(client.patch(detail(KONTOR, kontor.pk), {"telefon": "1"}, format="json", **if_match(kontor.versjon)), 403)
    assert not Pasientliste.objects.exists()


def test_token_with_only_avtaler_scopes_cannot_read_lists(k):
    assert error(token_client(["avtaler:les", "avtaler:skriv"], k).get(LISTER), 403)


def test_read_only_user_cannot_write(reader_api, kontor):
    assert reader_api.get(LISTER).status_code == 200
    response = reader_api.post(LISTER, {"legekontor": kontor.pk, "listetak": 1000, "gyldig_fra": "2026-01-01"}, format="json")
    assert error(response, 403)["kode"] == "mangler_tilgang"


# --- constant queries ---------------------------------------------------------------------------------


def _count(client, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"antall": 1000})
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries), response.json()["antall"]


def test_list_of_lists_uses_the_same_number_of_queries_for_10_and_100_rows(api, k, django_assert_num_queries):
    kontor = register.legekontor(k)

    def add(n):
        for _ in range(n):
            liste = services.create_pasientliste(kommune=k, legekontor=kontor, listetak=1000, gyldig_fra=dt.date(2020, 1, 1))
            services.record_listetall(liste=liste, dato=dt.date(2026, 1, 1), listelengde=900)
            services.add_legeperiode(liste=liste, lege=register.lege(k), rolle="LPFL", via_fastlegeavtale=True, fra=dt.date(2025, 1, 1))

    add(10)
    api.get(LISTER)  # warm-up: session and per-process caches
    queries, rows = _count(api, LISTER)
    assert rows == 10
    add(90)
    with django_assert_num_queries(queries):
        assert len(api.get(LISTER, {"antall": 1000}).json()["resultater"]) == 100


def test_list_of_periods_uses_the_same_number_of_queries_for_10_and_100_rows(api, k, django_assert_num_queries):
    liste, lege, vikar_for = register.liste(k), register.lege(k), register.lege(k)
    start = dt.date(2020, 1, 1)

    def add(first, n):
        for i in range(first, first + n):
            services.add_legeperiode(liste=liste, lege=lege, rolle="LPVI", vikar_for=vikar_for,
                                     fra=start + dt.timedelta(days=10 * i), til=start + dt.timedelta(days=10 * i + 5))

    add(0, 10)
    api.get(perioder(liste.pk))
    queries, rows = _count(api, perioder(liste.pk))
    assert rows == 10
    add(10, 90)
    with django_assert_num_queries(queries):
        assert len(api.get(perioder(liste.pk), {"antall": 1000}).json()["resultater"]) == 100


def test_office_list_uses_the_same_number_of_queries_for_10_and_100_rows(api, k, django_assert_num_queries):
    for _ in range(10):
        register.legekontor(k)
    api.get(KONTOR)
    queries, rows = _count(api, KONTOR)
    assert rows == 10
    for _ in range(90):
        register.legekontor(k)
    with django_assert_num_queries(queries):
        assert len(api.get(KONTOR, {"antall": 1000}).json()["resultater"]) == 100


def test_avtale_period_is_visible_on_the_list(api, k):
    avtale = register.avtale(k)
    periode = api.get(perioder(avtale.pasientliste_id)).json()["resultater"][0]
    assert periode["rolle"] == "LPFL" and periode["lege"] == avtale.lege_id
    assert Fastlegeavtale.objects.get(pk=avtale.pk).legeperiode_id == periode["id"]


def test_wrong_method_on_a_nested_route_is_405_and_anonymous_is_401(api, k):
    from rest_framework.test import APIClient

    liste = register.liste(k)
    assert error(api.delete(perioder(liste.pk)), 405)
    assert error(api.put(listetall(liste.pk), {}, format="json"), 405)
    assert error(APIClient().put(perioder(liste.pk), {}, format="json"), 405)
    assert error(APIClient().get(perioder(liste.pk)), 401)
    assert error(APIClient().get("/api/v1/kapasitet/"), 401)


@pytest.mark.parametrize("value", ["abc", "99999999999999999999", "-1"])
def test_malformed_choice_filters_are_400_naming_the_filter(api, value):
    assert "legekontor" in error(api.get(LISTER, {"legekontor": value}))["felt"]
    assert "lege" in error(api.get("/api/v1/fastlegeavtaler/", {"lege": value}))["felt"]
