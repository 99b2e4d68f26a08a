"""Duty-load pages, CSV and API (legevakt.belastning_views, legevakt.api.belastning_views)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.api_helpers import error
from tests.conftest import api_client_for, kommune, token_client, user_with_role
from tests.legevakt.test_belastning import distrikt, lege, lokal, medlem, vakt

pytestmark = pytest.mark.django_db

FRA, TIL = "2026-03-02", "2026-03-09"  # Monday to Monday, no DST change, no holidays
PERIODE = {"fra": FRA, "til": TIL}


@pytest.fixture
def vefsn():
    """An interkommunal district hosted by Vefsn with Grane as deltakerkommune at night. Anne Aas has a
    weekend hjemmevakt Fri 6 March 16:00 – Mon 9 March 08:00 (56 h in the window); Bjørn Berg a
    tilstedevakt Mon 2 March 08–16."""
    vert, deltaker, annen = kommune("1824"), kommune("1825"), kommune("1826")
    d = distrikt(vert, "Helgeland sør", "interkommunal")
    medlem(d, vert, "dogn", fra=dt.date(2026, 1, 1))
    medlem(d, deltaker, "utenfor_dagtid", fra=dt.date(2026, 1, 1))
    a, b = lege(vert, "Anne", "Aas"), lege(vert, "Bjørn", "Berg")
    vakt(d, a, "hjemmevakt", lokal(2026, 3, 6, 16), lokal(2026, 3, 9, 8))
    vakt(d, b, "tilstedevakt", lokal(2026, 3, 2, 8), lokal(2026, 3, 2, 16))
    egen = distrikt(annen, "Hattfjelldal legevakt")
    return {"vert": vert, "deltaker": deltaker, "annen": annen, "d": d, "a": a, "b": b, "egen": egen}


def _client(client, rolle, k):
    client.force_login(user_with_role(rolle, k))
    return client


def test_load_page_for_the_vertskommune(client, vefsn):
    c = _client(client, "saksbehandler", vefsn["vert"])
    response = c.get(reverse("legevakt:belastning", args=[vefsn["d"].pk]), PERIODE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Anne Aas" in html and "Bjørn Berg" in html
    assert "1:2,3" in html  # 7 days / 3 vaktdøgn
    assert "oftere enn 1:4" in html
    assert "Legeforeningens krav (2020), ikke en regel" in html  # the reference line's label
    assert "et synspunkt, ikke en regel" in html  # regler.kilde of the 28 h figure
    assert 'role="img"' in html and "<title id=\"diagram-tittel\">" in html
    assert "Tidsrom uten lege på vakt" in html and "Grane" in html  # Grane's night band is uncovered
    assert reverse("legevakt:lege_belastning", args=[vefsn["d"].pk, vefsn["a"].pk]) in html
    # the heatmap says each day's figures in text: Bjørn on Monday, nobody Tuesday–Thursday, Anne Friday–Sunday
    days = dict(re.findall(r"<strong>(\d+)\.</strong>(?:\s*<abbr[^>]*>[^<]*</abbr>)?<br>\s*(\d+) leger?", html))
    assert days == {"2": "1", "3": "0", "4": "0", "5": "0", "6": "1", "7": "1", "8": "1"}


def test_load_page_for_a_deltakerkommune(client, vefsn):
    c = _client(client, "lesetilgang", vefsn["deltaker"])
    response = c.get(reverse("legevakt:belastning", args=[vefsn["d"].pk]), PERIODE)
    assert response.status_code == 200
    assert "Anne Aas" in response.content.decode()


def test_load_page_default_window_and_constant_queries(client, vefsn):
    c = _client(client, "saksbehandler", vefsn["vert"])
    url = reverse("legevakt:belastning", args=[vefsn["d"].pk])
    assert c.get(url).status_code == 200
    with CaptureQueriesContext(connection) as small:
        assert c.get(url, PERIODE).status_code == 200
    for i in range(30):
        start = lokal(2026, 3, 2, 16) + dt.timedelta(hours=6 * i)
        vakt(vefsn["d"], lege(vefsn["vert"], "Ny", f"Lege{i}"), "tilstedevakt", start, start + dt.timedelta(hours=6))
    with CaptureQueriesContext(connection) as large:
        assert c.get(url, PERIODE).status_code == 200
    assert len(large) == len(small)


def test_load_page_refuses_a_bad_window(client, vefsn):
    c = _client(client, "saksbehandler", vefsn["vert"])
    url = reverse("legevakt:belastning", args=[vefsn["d"].pk])
    response = c.get(url, {"fra": "2026-03-09", "til": "2026-03-02"})
    assert response.status_code == 400
    assert "«Til» må være etter «fra»" in response.content.decode()
    response = c.get(url, {"fra": "2025-01-01", "til": "2026-03-02"})
    assert response.status_code == 400
    assert "Perioden kan være høyst 366 dager." in response.content.decode()


def test_another_kommunes_district_is_404(client, vefsn):
    c = _client(client, "kommuneoverlege", vefsn["annen"])
    for name, args in (("belastning", [vefsn["d"].pk]), ("belastning_csv", [vefsn["d"].pk]),
                       ("lege_belastning", [vefsn["d"].pk, vefsn["a"].pk])):
        assert c.get(reverse(f"legevakt:{name}", args=args), PERIODE).status_code == 404


def test_doctor_page_shows_the_months(client, vefsn):
    c = _client(client, "lesetilgang", vefsn["deltaker"])
    response = c.get(reverse("legevakt:lege_belastning", args=[vefsn["d"].pk, vefsn["a"].pk]),
                     {"fra": "2026-02-01", "til": "2026-04-01"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Vaktbelastning for Anne Aas i Helgeland sør" in html
    assert "Februar 2026" in html and "Mars 2026" in html
    assert 'role="img"' in html


def test_doctor_page_without_shifts_in_the_district_is_404(client, vefsn):
    c = _client(client, "saksbehandler", vefsn["vert"])
    utenfor = lege(vefsn["vert"], "Uten", "Vakt")
    assert c.get(reverse("legevakt:lege_belastning", args=[vefsn["d"].pk, utenfor.pk])).status_code == 404


def test_csv_of_the_per_doctor_figures(client, vefsn):
    c = _client(client, "saksbehandler", vefsn["vert"])
    response = c.get(reverse("legevakt:belastning_csv", args=[vefsn["d"].pk]), PERIODE)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = response.content.decode("utf-8").lstrip("\ufeff").split("\r\n")
    assert lines[0] == ("Lege;Fra;Til (ikke medregnet);Dager;Vakter;Timer;Timer per 4 uker;Beredskapstimer;"
                        "Beredskapstimer per uke;Tilstedevakttimer;Netter;Helger;Helligdager;Juledager;Påskedager;"
                        "Vaktdøgn;Hyppighet (1 av N dager)")
    assert lines[1] == "Anne Aas;2026-03-02;2026-03-09;7;1;56,00;224,00;56,00;56,00;0,00;2;1;0;0;0;3;2,33"
    assert lines[2] == "Bjørn Berg;2026-03-02;2026-03-09;7;1;8,00;32,00;0,00;0,00;8,00;0;0;0;0;0;1;7,00"
    assert lines[3:] == [""]


def test_csv_refuses_a_bad_window(client, vefsn):
    c = _client(client, "saksbehandler", vefsn["vert"])
    response = c.get(reverse("legevakt:belastning_csv", args=[vefsn["d"].pk]), {"fra": "2026-03-09", "til": "2026-03-09"})
    assert response.status_code == 400
    assert "«Til» må være etter «fra»" in response.content.decode()


# --- API ------------------------------------------------------------------------------------------------------

def _api_url(d):
    return f"/api/v1/legevaktdistrikter/{d.pk}/belastning/"


def test_api_district_load(vefsn):
    api = token_client(["legevakt:les"], vefsn["vert"])
    response = api.get(_api_url(vefsn["d"]), PERIODE)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["fra"], body["til"]) == (FRA, TIL)
    assert body["distrikt"]["leger_i_vaktordning"] == 2
    assert body["distrikt"]["vakthavende_timer"] == 64.0
    assert body["distrikt"]["andel_en_lege"] == 1.0
    anne = next(r for r in body["leger"] if r["lege_navn"] == "Anne Aas")
    assert {k: anne[k] for k in ("vakter", "timer", "netter", "helger", "vaktdogn", "hyppighet", "beredskapstimer_per_uke")} == {
        "vakter": 1, "timer": 56.0, "netter": 2, "helger": 1, "vaktdogn": 3, "hyppighet": 2.33, "beredskapstimer_per_uke": 56.0}
    assert body["grenser"]["beredskap"]["verdi"] == 28
    assert "ikke en regel" in body["grenser"]["beredskap"]["kilde"]
    grane = [u for u in body["distrikt"]["udekket"] if u["kommune_id"] == vefsn["deltaker"].pk]
    assert grane and all(u["arsak"] == "ingen_lege" for u in grane)


def test_api_deltakerkommune_reads_and_other_kommune_gets_404(vefsn):
    deltaker = api_client_for(user_with_role("lesetilgang", vefsn["deltaker"]))
    assert deltaker.get(_api_url(vefsn["d"]), PERIODE).status_code == 200
    annen = token_client(["legevakt:les"], vefsn["annen"])
    error(annen.get(_api_url(vefsn["d"]), PERIODE), 404)
    assert annen.get(_api_url(vefsn["egen"]), PERIODE).status_code == 200


def test_api_needs_the_legevakt_scope(vefsn):
    api = token_client(["lister:les"], vefsn["vert"])
    error(api.get(_api_url(vefsn["d"]), PERIODE), 403)


@pytest.mark.parametrize("params, felt", [
    ({"fra": "2026-03-09", "til": "2026-03-02"}, "til"),
    ({"fra": "2026-03-02", "til": "2026-03-02"}, "til"),
    ({"fra": "2025-01-01", "til": "2026-03-02"}, "til"),
    ({"fra": "ikke-en-dato", "til": "2026-03-02"}, "fra"),
    ({"fra": "1800-01-01", "til": "1800-02-01"}, "fra"),
])
def test_api_refuses_bad_windows(vefsn, params, felt):
    api = token_client(["legevakt:les"], vefsn["vert"])
    for url in (_api_url(vefsn["d"]), "/api/v1/legevakt/udekket/"):
        body = error(api.get(url, params), 400)
        assert felt in body["felt"], body


def test_api_uncovered_intervals_for_the_deltakerkommune(vefsn):
    api = token_client(["legevakt:les"], vefsn["deltaker"])
    response = api.get("/api/v1/legevakt/udekket/", PERIODE)
    assert response.status_code == 200, response.content
    rows = response.json()["resultater"]
    grane = [r for r in rows if r["kommune_id"] == vefsn["deltaker"].pk and r["arsak"] == "ingen_lege"]
    # Grane's night band Mon 2 March 00:00 – Mon 9 March 00:00 minus Anne's hjemmevakt from Fri 16:00:
    # first the nights Mon–Fri, the last gap Fri 6 March 00:00–08:00 (dagtid is not Grane's band here).
    assert grane[0] == {"kommune_id": vefsn["deltaker"].pk, "distrikt_id": vefsn["d"].pk,
                        "start": "2026-03-02T00:00:00+01:00", "slutt": "2026-03-02T08:00:00+01:00", "timer": 8.0,
                        "arsak": "ingen_lege"}
    assert grane[-1]["start"] == "2026-03-05T16:00:00+01:00" and grane[-1]["slutt"] == "2026-03-06T08:00:00+01:00"
    assert len(grane) == 5  # the nights before Monday 08, and Mon–Thu 16 to the next morning 08
    dagtid = [(r["start"], r["slutt"]) for r in rows if r["arsak"] == "ingen_distrikt"]
    assert dagtid[0] == ("2026-03-02T08:00:00+01:00", "2026-03-02T16:00:00+01:00")  # Grane has no daytime district
    assert len(dagtid) == 5
    assert all(r["kommune_id"] in {vefsn["deltaker"].pk, vefsn["vert"].pk} for r in rows)
