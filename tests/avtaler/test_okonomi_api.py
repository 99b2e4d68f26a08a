"""The 8.2-avtale API: avtaler and their payments ledger through the services' rules and messages,
the three-year look-back (tilbakeblikk), amounts as decimal strings, ETag/If-Match,
Idempotency-Key, history, permissions, other kommuner and constant queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from avtaler import okonomi_services
from avtaler.models import Okonomiavtale, Okonomibetaling
from tests import register
from tests.api_helpers import error, if_match, service_messages
from tests.conftest import in_kommune

URL = "/api/v1/okonomiavtaler/"
START = dt.date(2020, 1, 6)


def detail(pk):
    return f"{URL}{pk}/"


def betalinger(avtale_pk):
    return f"{URL}{avtale_pk}/betalinger/"


@pytest.fixture(autouse=True)
def k(bergen):
    with in_kommune(bergen):
        yield bergen


def fastlegeavtale_8_2(k, **fields):
    return register.avtale(k, okonomisk_modell="asa4310_8_2", startdato=START, liste_=register.liste(k, fra=dt.date(2019, 1, 1)),
                           **fields)


@pytest.fixture
def fastlege(k):
    return fastlegeavtale_8_2(k, lege_=register.lege(k, fornavn="Selma", etternavn="Selger"))


@pytest.fixture
def avtale(k, fastlege):
    return okonomi_services.create_okonomiavtale(kommune=k, fastlegeavtale=fastlege, ytelser=["lokaler", "driftstilskudd"],
                                                 beskrivelse="Lokaler", driftstilskudd_per_ar=Decimal("120000"), startdato=START)


def pay(avtale, dato, belop, *, retning="til_lege", kategori="driftstilskudd"):
    return okonomi_services.record_betaling(avtale=avtale, dato=dato, retning=retning, kategori=kategori, belop=Decimal(str(belop)))


def avtale_payload(fastlege, **fields):
    return {"fastlegeavtale": fastlege.pk, "ytelser": ["lokaler", "inntektsgaranti"], "beskrivelse": "Lokaler i helsehuset",
            "inntektsgaranti_per_ar": "450000.50", "startdato": START.isoformat(), **fields}


def betaling_payload(**fields):
    return {"dato": "2025-01-10", "retning": "til_lege", "kategori": "inntektsgaranti", "belop": "12500.50",
            "referanse": "Bilag 17", **fields}


# --- avtaler ------------------------------------------------------------------------------------------------

def test_avtale_is_created_with_amounts_as_decimal_strings(api, fastlege):
    response = api.post(URL, avtale_payload(fastlege), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["inntektsgaranti_per_ar"], body["driftstilskudd_per_ar"], body["tilbakeblikk_sum"]) == ("450000.50", None, "0.00")
    assert (body["ytelser"], body["lege_navn"], body["status"], body["antall_betalinger"]) == (
        ["lokaler", "inntektsgaranti"], "Selma Selger", "utkast", 0)
    assert response["Location"] == detail(body["id"]) and response["ETag"] == f'"{body["versjon"]}"'


def test_idempotency_key_replays_the_first_answer(api, fastlege):
    first = api.post(URL, avtale_payload(fastlege), format="json", HTTP_IDEMPOTENCY_KEY="okonomi-1")
    again = api.post(URL, avtale_payload(fastlege), format="json", HTTP_IDEMPOTENCY_KEY="okonomi-1")
    assert (first.status_code, again.status_code) == (201, 201) and again.json() == first.json()
    assert Okonomiavtale.objects.count() == 1


def test_pure_8_1_fastlegeavtale_is_400_with_the_services_message(api, k):
    ren = register.avtale(k, startdato=START, liste_=register.liste(k, fra=dt.date(2019, 1, 1)))
    body = error(api.post(URL, avtale_payload(ren), format="json"))
    assert body["felt"]["fastlegeavtale"] == service_messages("fastlegeavtale", lambda: okonomi_services.create_okonomiavtale(
        kommune=k, fastlegeavtale=ren, ytelser=["lokaler"], beskrivelse="", startdato=START))
    assert "ASA 4310 pkt. 8.2" in body["felt"]["fastlegeavtale"][0]
    assert not Okonomiavtale.objects.exists()


@pytest.mark.parametrize(("fields", "field"), [
    ({"sluttdato": "2020-01-01"}, "sluttdato"),
    ({"inntektsgaranti_per_ar": "1.005"}, "inntektsgaranti_per_ar"),
    ({"inntektsgaranti_per_ar": "-5"}, "inntektsgaranti_per_ar"),
    ({"inntektsgaranti_per_ar": "99999999999"}, "inntektsgaranti_per_ar"),
    ({"ytelser": ["lokaler"]}, "inntektsgaranti_per_ar"),
    ({"ytelser": ["kaffe"]}, "ytelser"),
    ({"ytelser": [], "beskrivelse": ""}, "ytelser"),
    ({"fastlegeavtale": 987654321}, "fastlegeavtale"),
    ({"startdato": "2019-12-31"}, "startdato"),
])
def test_bad_avtale_is_400_naming_the_field_and_nothing_is_saved(api, fastlege, fields, field):
    body = error(api.post(URL, avtale_payload(fastlege, **fields), format="json"))
    assert field in body["felt"], body
    assert not Okonomiavtale.objects.exists()


def test_patch_needs_if_match_and_refuses_a_stale_version(api, avtale):
    got = api.get(detail(avtale.pk))
    assert got.status_code == 200 and got["ETag"] == f'"{avtale.versjon}"'
    error(api.patch(detail(avtale.pk), {"beskrivelse": "Ny"}, format="json"), status=428)
    changed = api.patch(detail(avtale.pk), {"beskrivelse": "Ny", "driftstilskudd_per_ar": "100000"}, format="json",
                        **if_match(avtale.versjon))
    assert changed.status_code == 200, changed.content
    assert (changed.json()["beskrivelse"], changed.json()["driftstilskudd_per_ar"]) == ("Ny", "100000.00")
    error(api.patch(detail(avtale.pk), {"beskrivelse": "Eldre"}, format="json", **if_match(avtale.versjon)), status=412)
    assert Okonomiavtale.objects.get(pk=avtale.pk).beskrivelse == "Ny"


def test_avslutt_needs_if_match_and_ends_after_the_last_payment(api, avtale):
    pay(avtale, dt.date(2025, 3, 1), 10)
    version = Okonomiavtale.objects.get(pk=avtale.pk).versjon
    body = error(api.post(f"{detail(avtale.pk)}avslutt/", {"sluttdato": "2025-03-01"}, format="json", **if_match(version)))
    assert "sluttdato" in body["felt"]
    response = api.post(f"{detail(avtale.pk)}avslutt/", {"sluttdato": "2025-03-02", "avslutning": "Solgt"}, format="json",
                        **if_match(version))
    assert response.status_code == 200 and (response.json()["sluttdato"], response.json()["avslutning"]) == ("2025-03-02", "Solgt")


# --- the ledger ---------------------------------------------------------------------------------------------

def test_payment_is_recorded_listed_retrieved_and_corrected(api, avtale):
    created = api.post(betalinger(avtale.pk), betaling_payload(), format="json", HTTP_IDEMPOTENCY_KEY="bet-1")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["belop"], body["avtale"], body["utover_basistilskudd"]) == ("12500.50", avtale.pk, True)
    assert created["Location"] == f"{betalinger(avtale.pk)}{body['id']}/"
    replay = api.post(betalinger(avtale.pk), betaling_payload(), format="json", HTTP_IDEMPOTENCY_KEY="bet-1")
    assert replay.json() == body and Okonomibetaling.objects.count() == 1
    assert [b["id"] for b in api.get(betalinger(avtale.pk)).json()["resultater"]] == [body["id"]]
    got = api.get(f"{betalinger(avtale.pk)}{body['id']}/")
    assert got.status_code == 200 and got["ETag"] == f'"{body["versjon"]}"'
    fixed = api.patch(f"{betalinger(avtale.pk)}{body['id']}/", {"belop": "13000"}, format="json", **if_match(body["versjon"]))
    assert fixed.status_code == 200 and fixed.json()["belop"] == "13000.00"
    error(api.patch(f"{betalinger(avtale.pk)}{body['id']}/", {"belop": "1"}, format="json", **if_match(body["versjon"])), status=412)
    history = api.get(f"{betalinger(avtale.pk)}{body['id']}/historikk/").json()["resultater"]
    assert [(c["felt"], Decimal(str(c["fra"])), Decimal(str(c["til"]))) for c in history[0]["endringer"]] == [
        ("belop", Decimal("12500.5"), Decimal("13000"))]


@pytest.mark.parametrize(("fields", "field", "text"), [
    ({"belop": "1.001"}, "belop", "høyst to desimaler"),
    ({"belop": "0"}, "belop", "større enn null"),
    ({"belop": "NaN"}, "belop", ""),
    ({"dato": "2019-12-31"}, "dato", "periode"),
    ({"dato": (dt.date.today() + dt.timedelta(days=1)).isoformat()}, "dato", "fremtiden"),
    ({"kategori": "andel_refusjon"}, "retning", "betales fra legen til kommunen"),
    ({"retning": "sidelengs"}, "retning", ""),
])
def test_bad_payment_is_400_naming_the_field_and_rule_and_nothing_is_saved(api, avtale, fields, field, text):
    body = error(api.post(betalinger(avtale.pk), betaling_payload(**fields), format="json"))
    assert field in body["felt"] and text in body["felt"][field][0]
    assert not Okonomibetaling.objects.exists()


def test_payment_of_another_avtale_is_404_under_this_one(api, k, avtale):
    other = okonomi_services.create_okonomiavtale(kommune=k, fastlegeavtale=fastlegeavtale_8_2(k), ytelser=["epj"],
                                                  beskrivelse="", startdato=START)
    betaling = pay(other, dt.date(2024, 1, 1), 5, kategori="epj")
    error(api.get(f"{betalinger(avtale.pk)}{betaling.pk}/"), status=404)
    error(api.patch(f"{betalinger(avtale.pk)}{betaling.pk}/", {"belop": "6"}, format="json", **if_match(betaling.versjon)), status=404)


# --- the look-back -----------------------------------------------------------------------------------------------

def test_tilbakeblikk_sums_the_three_years_before_the_date(api, k, fastlege, avtale):
    pay(avtale, dt.date(2023, 6, 14), 1)
    pay(avtale, dt.date(2023, 6, 15), 10)
    pay(avtale, dt.date(2026, 6, 14), 100)
    pay(avtale, dt.date(2026, 6, 15), 1000)
    pay(avtale, dt.date(2025, 1, 1), 5000, kategori="basistilskudd")
    pay(avtale, dt.date(2025, 1, 2), 700, retning="til_kommune", kategori="andel_basistilskudd")
    response = api.get(f"{detail(avtale.pk)}tilbakeblikk/", {"per": "2026-06-15"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["fastlegeavtale"], body["lege_navn"], body["per"], body["fra"], body["til"], body["ar"]) == (
        fastlege.pk, "Selma Selger", "2026-06-15", "2023-06-15", "2026-06-15", 3)
    assert (body["utbetalt_utover_basistilskudd"], body["basistilskudd"], body["mottatt_fra_lege"], body["netto"]) == (
        "110.00", "5000.00", "700.00", "-590.00")
    assert [r["ar"] for r in body["per_ar"]] == [2023, 2025, 2026]
    assert sorted(b["belop"] for b in body["betalinger"]) == ["10.00", "100.00", "5000.00", "700.00"]
    assert "ASA 4310" in body["kilde"]


def test_tilbakeblikk_defaults_to_today_and_refuses_a_bad_date(api, avtale):
    assert api.get(f"{detail(avtale.pk)}tilbakeblikk/").json()["per"] == dt.date.today().isoformat()
    assert api.get(f"{detail(avtale.pk)}tilbakeblikk/", {"per": ""}).json()["per"] == dt.date.today().isoformat()
    body = error(api.get(f"{detail(avtale.pk)}tilbakeblikk/", {"per": "2026-02-30"}))
    assert "per" in body["felt"]


# --- access and queries -------------------------------------------------------------------------------------------

def test_reader_reads_but_cannot_write(reader_api, avtale, fastlege):
    betaling = pay(avtale, dt.date(2024, 1, 1), 5)
    for url in (URL, detail(avtale.pk), f"{detail(avtale.pk)}tilbakeblikk/", betalinger(avtale.pk),
                f"{betalinger(avtale.pk)}{betaling.pk}/", f"{detail(avtale.pk)}historikk/"):
        assert reader_api.get(url).status_code == 200, url
    error(reader_api.post(URL, avtale_payload(fastlege, startdato="2027-01-01"), format="json"), status=403)
    error(reader_api.post(betalinger(avtale.pk), betaling_payload(), format="json"), status=403)
    error(reader_api.patch(f"{betalinger(avtale.pk)}{betaling.pk}/", {"belop": "6"}, format="json",
                           **if_match(betaling.versjon)), status=403)
    assert Okonomibetaling.objects.get().belop == Decimal("5.00") and Okonomiavtale.objects.count() == 1


def test_another_kommunes_avtale_and_payments_are_404(api, sunnfjord):
    with in_kommune(sunnfjord):
        theirs = okonomi_services.create_okonomiavtale(kommune=sunnfjord, fastlegeavtale=fastlegeavtale_8_2(sunnfjord),
                                                       ytelser=["lokaler"], beskrivelse="", startdato=START)
        betaling = pay(theirs, dt.date(2024, 1, 1), 987654)
    for url in (detail(theirs.pk), f"{detail(theirs.pk)}historikk/", f"{detail(theirs.pk)}tilbakeblikk/",
                betalinger(theirs.pk), f"{betalinger(theirs.pk)}{betaling.pk}/"):
        body = error(api.get(url), status=404)
        assert "987654" not in str(body)
    error(api.post(betalinger(theirs.pk), betaling_payload(), format="json"), status=404)
    error(api.patch(detail(theirs.pk), {"beskrivelse": "x"}, format="json", **if_match(theirs.versjon)), status=404)
    assert api.get(URL).json()["resultater"] == []
    with in_kommune(sunnfjord):
        assert Okonomibetaling.objects.count() == 1


def test_lists_use_the_same_number_of_queries_for_few_and_many_rows(api, k, avtale):
    avtale_counts, betaling_counts = [], []
    for total in (2, 10):
        while Okonomiavtale.objects.count() < total:
            a = okonomi_services.create_okonomiavtale(kommune=k, fastlegeavtale=fastlegeavtale_8_2(k), ytelser=["utstyr"],
                                                      beskrivelse="", startdato=START)
            pay(a, dt.date(2025, 1, 1), 10, kategori="utstyr")
        while Okonomibetaling.objects.filter(avtale=avtale).count() < total:
            pay(avtale, dt.date(2024, 1, 1) + dt.timedelta(days=Okonomibetaling.objects.count()), 1)
        with CaptureQueriesContext(connection) as ctx:
            response = api.get(URL)
        assert len(response.json()["resultater"]) == total
        avtale_counts.append(len(ctx.captured_queries))
        with CaptureQueriesContext(connection) as ctx:
            response = api.get(betalinger(avtale.pk))
        assert len(response.json()["resultater"]) == total
        betaling_counts.append(len(ctx.captured_queries))
    assert avtale_counts[0] == avtale_counts[1] and betaling_counts[0] == betaling_counts[1]


def test_tilbakeblikk_at_the_start_of_the_calendar_is_not_a_server_error(api, avtale):
    body = api.get(f"{detail(avtale.pk)}tilbakeblikk/", {"per": "0002-06-01"}).json()
    assert (body["fra"], body["utbetalt_utover_basistilskudd"]) == ("0001-01-01", "0.00")
