"""The vikar pages through the real middleware: the pool, adding and changing vikarer and their
availability, assigning a vikar with the ranked suggestions, and the printable confirmation of the
vikaravtale. Reads are open to every role, writes to saksbehandler and kommuneoverlege; only the
kommuneoverlege may record a justification beyond the § 4 exceptions."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lister import services, vikar_services
from lister.models import Legeperiode, Tilgjengelighet, Vikar
from tests import register
from tests.conftest import in_kommune

pytestmark = pytest.mark.django_db

FRA = dt.date(2026, 9, 1)
TIL = dt.date(2026, 10, 1)
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


@pytest.fixture
def world(k):
    kontor = register.legekontor(k, navn="Sentrum legekontor")
    liste = register.liste(k, kontor=kontor, navn="Liste Ledig", flo_id="123456")
    spesialist = register.lege(k, fornavn="Siri", etternavn="Spesialistsen", spesialist_allmennmedisin_fra=dt.date(2010, 1, 1))
    ny = register.lege(k, fornavn="Nils", etternavn="Nybakt")
    best = vikar_services.add_vikar(kommune=k, lege=spesialist, tilknytning="vikarbyra", vikarbyra="Legevikar AS")
    vikar_services.add_tilgjengelighet(vikar=best, fra=dt.date(2026, 8, 1), til=dt.date(2026, 12, 1), stillingsprosent=100,
                                       merknad="Høsten")
    other = vikar_services.add_vikar(kommune=k, lege=ny)
    return {"liste": liste, "kontor": kontor, "spesialist": spesialist, "ny": ny, "best": best, "other": other}


def count(model, k) -> int:
    with in_kommune(k):
        return model.objects.count()


# --- the pool -------------------------------------------------------------------------------------

@pytest.mark.parametrize("rolle", ROLES)
def test_the_pool_shows_competence_tilknytning_and_availability_to_every_role(as_role, world, rolle):
    page = html(as_role(rolle).get("/vikarer/"))
    assert "Spesialistsen, Siri" in page and "Nybakt, Nils" in page
    assert "Spesialist i allmennmedisin" in page and "Oppfyller ikke kompetansekravet ennå" in page
    assert "Gjennom vikarbyrå: Legevikar AS" in page
    assert "1.8.2026–1.12.2026" in page and "Høsten" in page
    assert ("/vikarer/ny/" in page) is (rolle != "leser")


def test_the_pool_shows_current_engagements_in_the_kommune(as_role, world, k):
    with in_kommune(k):
        vikar_services.tildel_vikar(liste=world["liste"], lege=world["ny"], fra=dt.date(2030, 1, 1), til=dt.date(2030, 3, 1),
                                    stillingsprosent=50)
    page = html(as_role("leser").get("/vikarer/"))
    assert "Liste Ledig" in page and "50 %" in page


def test_the_pool_page_is_a_constant_number_of_queries(as_role, world, k):
    client = as_role("leser")

    def add(n):
        with in_kommune(k):
            for _ in range(n):
                vikar = vikar_services.add_vikar(kommune=k, lege=register.lege(k))
                vikar_services.add_tilgjengelighet(vikar=vikar, fra=dt.date(2030, 1, 1))
                vikar_services.tildel_vikar(liste=world["liste"], lege=vikar.lege, fra=dt.date(2030, 1, 1), til=dt.date(2030, 2, 1),
                                            stillingsprosent=10)

    add(1)
    with CaptureQueriesContext(connection) as small:
        client.get("/vikarer/")
    add(8)
    with CaptureQueriesContext(connection) as large:
        assert html(client.get("/vikarer/")).count("/bekreftelse/") == 9
    assert len(small.captured_queries) == len(large.captured_queries)


def test_a_saksbehandler_adds_a_vikar_and_a_reader_cannot(as_role, k):
    lege = register.lege(k, etternavn="Poolsen")
    response = as_role("saksbehandler").post("/vikarer/ny/", {"lege": lege.pk, "tilknytning": "kommune", "vikarbyra": ""})
    assert response.status_code == 302
    with in_kommune(k):
        vikar = Vikar.objects.get(lege=lege)
    assert response["Location"] == f"/vikarer/{vikar.pk}/"
    assert as_role("leser").post("/vikarer/ny/", {"lege": lege.pk, "tilknytning": "kommune"}).status_code == 403
    assert as_role("leser").get("/vikarer/ny/").status_code == 403


def test_adding_a_doctor_of_another_kommune_is_refused(as_role, k, sunnfjord):
    with in_kommune(sunnfjord):
        foreign = register.lege(sunnfjord)
    response = as_role("saksbehandler").post("/vikarer/ny/", {"lege": foreign.pk, "tilknytning": "kommune"})
    assert response.status_code == 200 and 'id="id_lege_error"' in html(response)
    assert count(Vikar, k) == 0


def test_change_deactivate_and_availability_through_the_pages(as_role, world, k):
    client = as_role("saksbehandler")
    vikar = world["other"]
    response = client.post(f"/vikarer/{vikar.pk}/endre/", {"tilknytning": "kommune", "vikarbyra": "", "merknad": "Kun dagtid",
                                                          "versjon": vikar.versjon})
    assert response.status_code == 302
    with in_kommune(k):
        vikar.refresh_from_db()
    assert vikar.merknad == "Kun dagtid" and vikar.aktiv is False  # the checkbox was not sent
    response = client.post(f"/vikarer/{vikar.pk}/tilgjengelighet/ny/", {"fra": "2026-09-01", "til": "2026-10-01", "stillingsprosent": "60"})
    assert response.status_code == 302
    response = client.post(f"/vikarer/{vikar.pk}/tilgjengelighet/ny/", {"fra": "2026-09-15", "til": "", "stillingsprosent": "60"})
    assert "Vikaren har allerede tilgjengelighet registrert i denne perioden." in html(response)
    with in_kommune(k):
        vindu = Tilgjengelighet.objects.get(vikar=vikar)
    response = client.post(f"/vikarer/{vikar.pk}/tilgjengelighet/{vindu.pk}/endre/",
                           {"fra": "2026-09-01", "til": "2026-09-01", "stillingsprosent": "60", "versjon": vindu.versjon})
    assert "Perioden må slutte etter at den begynner" in html(response)
    detail = html(client.get(f"/vikarer/{vikar.pk}/"))
    assert "1.9.2026" in detail and "60 %" in detail
    assert client.post(f"/vikarer/{vikar.pk}/tilgjengelighet/{vindu.pk}/slett/", {"versjon": vindu.versjon}).status_code == 302
    assert count(Tilgjengelighet, k) == 1  # the other vikar's window
    assert "Kun dagtid" in html(client.get(f"/vikarer/{vikar.pk}/historikk/"))


# --- assignment -----------------------------------------------------------------------------------

def tildel_url(liste, **params) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"/lister/{liste.pk}/tildel/" + (f"?{query}" if query else "")


def selected_lege(page: str) -> str | None:
    select = re.search(r'<select name="lege"[^>]*>(.*?)</select>', page, re.S).group(1)
    match = re.search(r'<option value="(\d+)" selected>', select)
    return match.group(1) if match else None


def test_the_assignment_page_prefills_from_the_query_and_preselects_the_top_candidate(as_role, world):
    response = as_role("saksbehandler").get(tildel_url(world["liste"], fra="2026-09-01", til="2026-10-01", stillingsprosent="60",
                                                       arbeidsdager="1,3"))
    assert response.status_code == 200
    page = html(response)
    assert 'value="2026-09-01"' in page and 'value="2026-10-01"' in page and 'value="60"' in page
    assert re.search(r'value="1"[^>]*checked', page) and re.search(r'value="3"[^>]*checked', page)
    assert not re.search(r'value="2"[^>]*checked', page)
    kandidater = page[page.index('id="kandidater"'):]
    assert kandidater.index("Spesialistsen, Siri") < kandidater.index("Nybakt, Nils")
    assert "Tilgjengelig hele perioden" in page and "Ikke registrert som tilgjengelig i perioden" in page
    assert "Listen er uten fastlege i hele perioden (ubesatt liste)." in page
    assert selected_lege(page) == str(world["spesialist"].pk)
    assert '<textarea name="kompetanse_begrunnelse"' not in page  # only the kommuneoverlege sees it


def test_the_candidates_refresh_as_an_htmx_fragment(as_role, world):
    response = as_role("saksbehandler").get(tildel_url(world["liste"], fra="2026-09-01", til="2026-10-01", stillingsprosent="60"),
                                            HTTP_HX_REQUEST="true")
    page = html(response)
    assert page.lstrip().startswith("<section") and "<html" not in page
    assert "Spesialistsen, Siri" in page and 'hx-trigger="change from:#id_fra' in page


def test_the_default_weekdays_apply_only_on_the_first_visit(as_role, world):
    client = as_role("saksbehandler")
    first = html(client.get(tildel_url(world["liste"])))
    assert all(re.search(rf'value="{d}"[^>]*checked', first) for d in (1, 2, 3, 4, 5))
    sent = html(client.post(tildel_url(world["liste"]), {"fra": "2026-09-01", "til": "2026-10-01", "stillingsprosent": "60",
                                                         "handling": "forslag"}))
    assert not re.search(r'name="arbeidsdager" value="\d"[^>]*checked', sent)


def test_vis_forslag_and_velg_do_not_save(as_role, world, k):
    client = as_role("saksbehandler")
    data = {"fra": "2026-09-01", "til": "2026-10-01", "stillingsprosent": "60", "arbeidsdager": ["1", "2"]}
    page = html(client.post(tildel_url(world["liste"]), {**data, "handling": "forslag"}))
    assert "Spesialistsen, Siri" in page
    page = html(client.post(tildel_url(world["liste"]), {**data, "velg": str(world["ny"].pk)}))
    assert selected_lege(page) == str(world["ny"].pk)
    assert count(Legeperiode, k) == 0


def test_a_saksbehandler_assigns_the_top_candidate_and_gets_the_confirmation(as_role, world, k):
    client = as_role("saksbehandler")
    response = client.post(tildel_url(world["liste"]), {
        "fra": "2026-09-01", "til": "2026-10-01", "stillingsprosent": "60", "arbeidsdager": ["1", "3"],
        "lege": world["spesialist"].pk, "handling": "tildel"})
    with in_kommune(k):
        periode = Legeperiode.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/lister/vikarperioder/{periode.pk}/bekreftelse/"
    assert (periode.rolle, periode.lege_id, periode.stillingsprosent, periode.arbeidsdager) == ("LPVI", world["spesialist"].pk, 60, [1, 3])


def test_a_reader_cannot_assign(as_role, world, k):
    client = as_role("leser")
    assert client.get(tildel_url(world["liste"])).status_code == 403
    response = client.post(tildel_url(world["liste"]), {"fra": "2026-09-01", "til": "2026-10-01", "stillingsprosent": "60",
                                                        "lege": world["spesialist"].pk})
    assert response.status_code == 403
    assert count(Legeperiode, k) == 0


@pytest.mark.parametrize(("data", "message"), [
    ({"til": "2026-08-01"}, "Perioden må slutte etter at den begynner"),
    ({"stillingsprosent": "0"}, "Stillingsprosenten må være et helt tall fra 1 til 100."),
    ({"stillingsprosent": "120"}, "Stillingsprosenten må være et helt tall fra 1 til 100."),
])
def test_bad_input_on_the_page_shows_the_rule_and_saves_nothing(as_role, world, k, data, message):
    response = as_role("saksbehandler").post(tildel_url(world["liste"]), {
        "fra": "2026-09-01", "til": "2026-10-01", "stillingsprosent": "60", "lege": world["spesialist"].pk, "handling": "tildel",
        **data})
    assert response.status_code == 200 and message in html(response)
    assert count(Legeperiode, k) == 0


def test_over_100_percent_shows_the_reason_field_and_needs_a_reason(as_role, world, k):
    with in_kommune(k):
        services.add_legeperiode(liste=register.liste(k), lege=world["spesialist"], rolle="LPVI", fra=FRA, til=TIL,
                                 stillingsprosent=60)
    client = as_role("saksbehandler")
    data = {"fra": "2026-09-01", "til": "2026-10-01", "stillingsprosent": "60", "lege": world["spesialist"].pk, "handling": "tildel"}
    page = html(client.post(tildel_url(world["liste"]), data))
    assert '<textarea name="begrunnelse_over_100"' in page and "120 %" in page
    assert count(Legeperiode, k) == 1
    response = client.post(tildel_url(world["liste"]), {**data, "begrunnelse_over_100": "Kort overlapp"})
    assert response.status_code == 302
    assert count(Legeperiode, k) == 2


def test_a_fully_engaged_choice_shows_the_reason_field_before_submitting(as_role, world, k):
    with in_kommune(k):
        services.add_legeperiode(liste=register.liste(k), lege=world["ny"], rolle="LPVI", fra=FRA, til=TIL, stillingsprosent=100)
    page = html(as_role("saksbehandler").post(tildel_url(world["liste"]), {
        "fra": "2026-09-01", "til": "2026-10-01", "stillingsprosent": "60", "velg": world["ny"].pk}))
    assert '<textarea name="begrunnelse_over_100"' in page and "Fullt engasjert" in page


def test_a_competence_justification_is_refused_from_a_saksbehandler_and_accepted_from_the_kommuneoverlege(as_role, world, k):
    data = {"fra": "2026-09-01", "til": "2026-10-01", "stillingsprosent": "60", "lege": world["ny"].pk, "handling": "tildel",
            "kompetanse_begrunnelse": "Ingen andre"}
    page = html(as_role("saksbehandler").post(tildel_url(world["liste"]), data))
    assert "Bare kommuneoverlegen kan registrere en begrunnelse" in page
    assert count(Legeperiode, k) == 0
    overlege_page = html(as_role("overlege").get(tildel_url(world["liste"])))
    assert '<textarea name="kompetanse_begrunnelse"' in overlege_page
    assert as_role("overlege").post(tildel_url(world["liste"]), data).status_code == 302
    with in_kommune(k):
        assert Legeperiode.objects.get().kompetanse_begrunnelse == "Ingen andre"


def test_another_kommunes_list_is_not_found(as_role, world, sunnfjord):
    with in_kommune(sunnfjord):
        foreign = register.liste(sunnfjord)
    assert as_role("saksbehandler").get(f"/lister/{foreign.pk}/tildel/").status_code == 404


# --- the confirmation ------------------------------------------------------------------------------

@pytest.fixture
def vikarperiode(world, k):
    with in_kommune(k):
        return vikar_services.tildel_vikar(liste=world["liste"], lege=world["spesialist"], fra=FRA, til=TIL, stillingsprosent=60,
                                           arbeidsdager=[3, 1])


@pytest.mark.parametrize("rolle", ROLES)
def test_the_confirmation_has_the_helfo_content_and_prints_on_a4(as_role, world, vikarperiode, rolle, request):
    response = as_role(rolle).get(f"/lister/vikarperioder/{vikarperiode.pk}/bekreftelse/")
    assert response.status_code == 200
    page = html(response)
    user = request.getfixturevalue(rolle)
    for text in ("Bekreftelse på vikaravtale", "Bergen kommune", "Kommunenummer 4601", "Siri Spesialistsen",
                 world["spesialist"].hpr_nummer, "Sentrum legekontor", "Storgata 1", "5003 Bergen", "Liste Ledig", "123456",
                 "Ubesatt liste (liste uten fast lege)", "1.9.2026 – 30.9.2026", "60 %", "mandag, onsdag",
                 "avtale om direkte oppgjør med Helfo", user.navn):
        assert text in page, text
    assert {"overlege": "kommuneoverlege", "saksbehandler": "saksbehandler", "leser": "lesetilgang"}[rolle] in page
    assert "@media print" in page and "size: A4" in page and ".site-header" in page


def test_the_confirmation_names_the_fastlege_the_vikar_stands_in_for(as_role, world, k):
    with in_kommune(k):
        fastlege = register.lege(k, fornavn="Frank", etternavn="Fastlegesen")
        services.add_legeperiode(liste=world["liste"], lege=fastlege, rolle="LPFL", via_fastlegeavtale=True, fra=dt.date(2024, 1, 1))
        periode = vikar_services.tildel_vikar(liste=world["liste"], lege=world["ny"], fra=FRA, til=TIL, stillingsprosent=50,
                                              vikar_for=fastlege)
    page = html(as_role("leser").get(f"/lister/vikarperioder/{periode.pk}/bekreftelse/"))
    assert "Frank Fastlegesen" in page and "Ubesatt liste" not in page


def test_no_confirmation_for_a_fastlege_period_or_another_kommunes_period(as_role, world, k, sunnfjord):
    with in_kommune(k):
        fastlege = services.add_legeperiode(liste=world["liste"], lege=register.lege(k), rolle="LPFL", via_fastlegeavtale=True,
                                            fra=dt.date(2024, 1, 1))
    assert as_role("overlege").get(f"/lister/vikarperioder/{fastlege.pk}/bekreftelse/").status_code == 404
    with in_kommune(sunnfjord):
        foreign = vikar_services.tildel_vikar(liste=register.liste(sunnfjord), lege=register.lege(sunnfjord), fra=FRA, til=TIL,
                                              stillingsprosent=50)
    assert as_role("overlege").get(f"/lister/vikarperioder/{foreign.pk}/bekreftelse/").status_code == 404
