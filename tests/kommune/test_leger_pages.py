"""Doctor pages through the real middleware: the kommune's doctors with search, registering a
doctor (the HPR rule on the page), the doctor's page with competence and periods, editing the
shared record (audited) and its history; roles and another kommune's doctors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kommune import lege_views
from kommune.models import Lege, LegeKommune
from lister import services as lister_services
from lister.views import LEGE_PERIODER
from tests import register
from tests.conftest import in_kommune

pytestmark = pytest.mark.django_db

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


@pytest.fixture
def periods_section():
    """The lister app's section on the doctor page (registered from lister's AppConfig.ready())."""
    registered = LEGE_PERIODER.key in lege_views._seksjoner
    lege_views.register_seksjon(LEGE_PERIODER)
    yield
    if not registered:
        lege_views.unregister_seksjon(LEGE_PERIODER.key)


def html(response) -> str:
    return response.content.decode()


def doctors(k, **filters):
    with in_kommune(k):
        return list(Lege.objects.filter(**filters))


@pytest.fixture
def kari(k):
    return register.lege(k, fornavn="Kari", etternavn="Spesialist", spesialist_allmennmedisin_fra=dt.date(2015, 6, 1),
                         kurs_akuttmedisin=dt.date(2012, 3, 1), ansattnummer="A-17")


def registration(**changes):
    return {"hpr_nummer": "9144889", "fornavn": "Per", "etternavn": "Turnus", "fodselsdato": "1990-04-30",
            "ansattnummer": "", "under_spesialisering_fra": "2024-09-01", **changes}


# --- list and search --------------------------------------------------------------------------------

@pytest.mark.parametrize("rolle", ROLES)
def test_doctor_list_renders_for_every_role(as_role, kari, rolle):
    page = html(as_role(rolle).get("/leger/"))
    assert "Spesialist, Kari" in page and kari.hpr_nummer in page and "A-17" in page
    assert "Spesialist i allmennmedisin" in page
    assert ("/leger/ny/" in page) is (rolle != "leser")


def test_doctor_list_searches_name_and_hpr_number(page_client, k, kari):
    other = register.lege(k, fornavn="Ola", etternavn="Annen")
    page = html(page_client.get("/leger/?sok=spesial"))
    assert "Spesialist, Kari" in page and "Annen, Ola" not in page
    page = html(page_client.get(f"/leger/?sok={other.hpr_nummer}"))
    assert "Annen, Ola" in page and "Spesialist, Kari" not in page
    assert page_client.get("/leger/?sok=" + "x" * 500 + "&side=abc").status_code == 200


def test_doctor_list_uses_a_constant_number_of_queries(page_client, k, django_assert_num_queries):
    for _ in range(10):
        register.lege(k, kurs_akuttmedisin=dt.date(2020, 1, 1))
    page_client.get("/leger/")
    with CaptureQueriesContext(connection) as ctx:
        assert page_client.get("/leger/").status_code == 200
    for _ in range(90):
        register.lege(k, godkjent_allmennlege_fra=dt.date(2019, 1, 1))
    with django_assert_num_queries(len(ctx.captured_queries)):
        response = page_client.get("/leger/")
    assert response.status_code == 200 and "100 leger" in html(response)


# --- registering ----------------------------------------------------------------------------------

@pytest.mark.parametrize("rolle", ["overlege", "saksbehandler"])
def test_writers_register_a_doctor(as_role, k, rolle):
    response = as_role(rolle).post("/leger/ny/", registration(ansattnummer="B-9"))
    assert response.status_code == 302
    [lege] = doctors(k, hpr_nummer="9144889")
    assert response["Location"] == f"/leger/{lege.pk}/"
    assert (lege.etternavn, lege.under_spesialisering_fra) == ("Turnus", dt.date(2024, 9, 1))
    with in_kommune(k):
        assert LegeKommune.objects.get(lege=lege).ansattnummer == "B-9"


@pytest.mark.parametrize("hpr", ["123456", "1234567890", "12a4567"])
def test_invalid_hpr_number_shows_the_rule_and_registers_nothing(page_client, k, hpr):
    response = page_client.post("/leger/ny/", registration(hpr_nummer=hpr))
    assert response.status_code == 200
    assert "Helsepersonellregisteret" in html(response) and "7 til 9 siffer" in html(response)
    assert doctors(k) == []


def test_form_uses_date_inputs_and_rejects_an_impossible_date(page_client, k):
    form = html(page_client.get("/leger/ny/"))
    assert 'type="date"' in form and 'name="hpr_nummer"' in form
    response = page_client.post("/leger/ny/", registration(fodselsdato="1990-02-30"))
    assert response.status_code == 200 and 'class="error"' in html(response)
    assert doctors(k) == []


def test_doctor_already_registered_is_refused_with_the_reason(page_client, k, kari):
    response = page_client.post("/leger/ny/", registration(hpr_nummer=kari.hpr_nummer, etternavn="Spesialist",
                                                           fodselsdato=kari.fodselsdato.isoformat()))
    assert response.status_code == 200 and "allerede registrert i kommunen" in html(response)


def test_lesetilgang_cannot_register_or_edit(as_role, k, kari):
    client = as_role("leser")
    assert client.get("/leger/ny/").status_code == 403
    assert client.post("/leger/ny/", registration()).status_code == 403
    assert client.get(f"/leger/{kari.pk}/endre/").status_code == 403
    assert client.post(f"/leger/{kari.pk}/endre/", edit_payload(kari, fornavn="Endret")).status_code == 403
    assert [lege.fornavn for lege in doctors(k)] == ["Kari"]


# --- the doctor's page ----------------------------------------------------------------------------

@pytest.mark.parametrize("rolle", ROLES)
def test_doctor_page_shows_competence_with_dates_and_status(as_role, kari, rolle, periods_section):
    page = html(as_role(rolle).get(f"/leger/{kari.pk}/"))
    assert "Spesialist i allmennmedisin" in page and "kompetanseforskriften" in page
    assert "1.6.2015" in page and "1.3.2012" in page and "Ikke registrert" in page
    assert (f"/leger/{kari.pk}/endre/" in page) is (rolle != "leser")


def test_doctor_page_shows_the_doctors_periods_on_the_kommunes_lists(page_client, k, kari, periods_section):
    liste = register.liste(k, navn="Kari sin liste")
    lister_services.add_legeperiode(liste=liste, lege=kari, rolle="LPFL", via_fastlegeavtale=True, fra=dt.date(2024, 1, 1), til=dt.date(2027, 1, 1),
                                    stillingsprosent=80, arbeidsdager=[1, 2, 5])
    page = html(page_client.get(f"/leger/{kari.pk}/"))
    assert "Perioder på kommunens lister" in page
    assert "Kari sin liste" in page and f"/lister/{liste.pk}/" in page
    assert "80 %" in page and "mandag, tirsdag, fredag" in page and "1.1.2027" in page


def test_doctor_without_competence_yet_is_shown_as_such(page_client, k):
    lege = register.lege(k)
    assert "Oppfyller ikke kompetansekravet" in html(page_client.get(f"/leger/{lege.pk}/"))


# --- editing and history -----------------------------------------------------------------------------

def edit_payload(lege, **changes):
    def d(value):
        return value.isoformat() if value else ""

    return {"fornavn": lege.fornavn, "etternavn": lege.etternavn, "fodselsdato": d(lege.fodselsdato), "ansattnummer": "A-17",
            "spesialist_allmennmedisin_fra": d(lege.spesialist_allmennmedisin_fra), "under_spesialisering_fra": "",
            "godkjent_allmennlege_fra": "", "lis1_fullfort": "", "turnus_godkjent": "", "kurs_akuttmedisin": d(lege.kurs_akuttmedisin),
            "kurs_vold_overgrep": "", "versjon": str(lege.versjon), **changes}


def test_competence_change_is_saved_and_audited(page_client, k, kari, overlege):
    form = html(page_client.get(f"/leger/{kari.pk}/endre/"))
    assert 'value="2015-06-01"' in form and 'name="versjon"' in form
    response = page_client.post(f"/leger/{kari.pk}/endre/", edit_payload(kari, kurs_vold_overgrep="2025-10-01", ansattnummer="A-18"))
    assert response.status_code == 302
    [lege] = doctors(k, pk=kari.pk)
    assert lege.kurs_vold_overgrep == dt.date(2025, 10, 1)
    with in_kommune(k):
        assert LegeKommune.objects.get(lege=lege).ansattnummer == "A-18"
    page = html(page_client.get(f"/leger/{kari.pk}/historikk/"))
    assert "kurs_vold_overgrep" in page and "2025-10-01" in page and overlege.email in page
    assert "ansattnummer" in page and "A-18" in page


def test_edit_with_a_stale_version_explains_and_changes_nothing(page_client, k, kari):
    payload = edit_payload(kari, fornavn="Karianne")
    with in_kommune(k):
        Lege.objects.filter(pk=kari.pk).update(etternavn="Endret-imens")
    response = page_client.post(f"/leger/{kari.pk}/endre/", payload)
    assert response.status_code == 200 and "endret av noen andre" in html(response)
    assert doctors(k, pk=kari.pk)[0].fornavn == "Kari"


def test_employee_number_in_use_refuses_the_whole_edit(page_client, k, kari):
    register.lege(k, ansattnummer="OPPTATT")
    response = page_client.post(f"/leger/{kari.pk}/endre/", edit_payload(kari, fornavn="Karianne", ansattnummer="OPPTATT"))
    assert response.status_code == 200 and "Ansattnummeret er allerede brukt" in html(response)
    assert doctors(k, pk=kari.pk)[0].fornavn == "Kari"  # nothing partially saved


# --- another kommune ---------------------------------------------------------------------------------

def test_another_kommunes_doctor_is_404(page_client, sunnfjord, k):
    with in_kommune(sunnfjord):
        theirs = register.lege(sunnfjord, fornavn="Sunnfjord-lege", etternavn="Ukjent")
    for url in (f"/leger/{theirs.pk}/", f"/leger/{theirs.pk}/endre/", f"/leger/{theirs.pk}/historikk/"):
        response = page_client.get(url)
        assert response.status_code == 404, url
        assert "Sunnfjord-lege" not in html(response)
    response = page_client.post(f"/leger/{theirs.pk}/endre/", edit_payload(theirs, fornavn="Kapret"))
    assert response.status_code == 404
    assert "Sunnfjord-lege" not in html(page_client.get(f"/leger/?sok={theirs.hpr_nummer}"))
    assert doctors(sunnfjord)[0].fornavn == "Sunnfjord-lege"
