"""Kommune pages through the real middleware: choosing the kommune, landing panels, language,
settings, history. The page client is Bergen's kommuneoverlege."""

import pytest
from django.conf import settings as django_settings

from kommune import access, panels
from kommune.models import Kommune
from tests.conftest import in_kommune, kommune, user_with_role

pytestmark = pytest.mark.django_db

SETTINGS = {"versjon": 1, "sentralitetsklasse": 5, "avtaleregime": "asa4310", "malform": "noytral"}


def bergen_now():
    with in_kommune(kommune("4601")):
        return Kommune.objects.get(kommunenummer="4601")


def test_pages_require_login(client):
    response = client.get("/")
    assert response.status_code == 302 and "/konto/login/" in response["Location"]
    assert client.get("/kommuner/4601/").status_code == 302


def test_login_page_and_accessibility_statement_are_public(client):
    assert client.get("/konto/login/").status_code == 200
    response = client.get("/tilgjengelighet/")
    assert response.status_code == 200
    assert "WCAG 2.1" in response.content.decode()


def test_home_goes_straight_to_the_users_own_kommune(page_client):
    response = page_client.get("/")
    assert response.status_code == 302 and response["Location"] == "/kommuner/4601/"


@pytest.fixture
def two_kommuner_client(client, bergen, sunnfjord):
    """A saksbehandler in Bergen and Sunnfjord, no kommune chosen yet."""
    client.force_login(user_with_role("saksbehandler", bergen, sunnfjord))
    return client


def test_user_with_several_kommuner_chooses_among_their_own(two_kommuner_client, sunnfjord):
    client = two_kommuner_client
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/velg-kommune/"
    landing = client.get("/kommuner/4601/")  # no kommune chosen: to the chooser, and back afterwards
    assert landing.status_code == 302 and landing["Location"].startswith("/velg-kommune/?next=")
    html = client.get("/velg-kommune/").content.decode()
    assert 'value="4601"' in html and 'value="4647"' in html
    assert html.count('name="kommune"') == 2  # only their own kommuner, not the national register
    chosen = client.post("/velg-kommune/", {"kommune": "4647"})
    assert chosen.status_code == 302 and chosen["Location"] == "/kommuner/4647/"
    assert client.session[access.SESSION_KEY] == sunnfjord.pk
    assert client.get("/")["Location"] == "/kommuner/4647/"
    assert client.get("/kommuner/4647/").status_code == 200


def test_chooser_does_not_follow_a_next_address_on_another_host(two_kommuner_client):
    response = two_kommuner_client.post("/velg-kommune/", {"kommune": "4601", "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/kommuner/4601/"


@pytest.mark.parametrize("nummer", ["1825", "9999", "abc", ""])
def test_choosing_a_kommune_without_a_role_is_404_and_changes_nothing(two_kommuner_client, bergen, nummer):
    client = two_kommuner_client
    client.post("/velg-kommune/", {"kommune": "4601"})
    assert client.post("/velg-kommune/", {"kommune": nummer}).status_code == 404
    assert client.session[access.SESSION_KEY] == bergen.pk
    assert client.get("/")["Location"] == "/kommuner/4601/"


def test_single_kommune_user_cannot_choose_another_kommune(page_client):
    assert page_client.post("/velg-kommune/", {"kommune": "4647"}).status_code == 404
    assert access.SESSION_KEY not in page_client.session
    assert page_client.get("/kommuner/4647/").status_code == 404


@pytest.mark.parametrize("path", ["/kommuner/4647/", "/kommuner/4647/endre/", "/kommuner/4647/historikk/"])
def test_another_kommunes_pages_are_404(page_client, path):
    response = page_client.get(path)
    assert response.status_code == 404
    assert "Sunnfjord" not in response.content.decode()


def test_user_without_any_role_gets_an_explanation_and_no_kommune_page(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    response = client.get("/")
    assert response.status_code == 200 and "ingen rolle" in response.content.decode()
    assert client.get("/kommuner/4601/").status_code == 403


def test_superuser_has_no_kommune_access_only_the_admin(client, superuser):
    client.force_login(superuser)
    assert client.get("/kommuner/4601/").status_code == 403
    assert client.post("/velg-kommune/", {"kommune": "4601"}).status_code == 404
    assert client.post("/kommuner/4601/endre/", SETTINGS).status_code == 403
    assert bergen_now().versjon == 1
    assert client.get("/admin/").status_code == 200


def test_landing_page_shows_registered_panels_in_order(page_client):
    panels.register(
        panels.Panel(key="tests.panel", title="Testpanel", template="kommune/panels/nokkeltall.html",
                     context=lambda request, kommune: {"innbyggertall": []}, order=50)
    )
    try:
        html = page_client.get("/kommuner/4601/").content.decode()
    finally:
        panels.unregister("tests.panel")
    assert html.index("Nøkkeltall") < html.index("Testpanel")
    assert "291" in html and "940" in html  # population, with thousands separator


def test_landing_page_speaks_the_kommunes_malform_unless_the_user_chose(two_kommuner_client):
    client = two_kommuner_client
    client.post("/velg-kommune/", {"kommune": "4647"})
    nynorsk = client.get("/kommuner/4647/")
    assert nynorsk["Content-Language"] == "nn"
    assert '<html lang="nn">' in nynorsk.content.decode()
    client.post("/velg-kommune/", {"kommune": "4601"})
    assert client.get("/kommuner/4601/")["Content-Language"] == "nb"
    client.post("/velg-kommune/", {"kommune": "4647"})
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "nb"
    assert client.get("/kommuner/4647/")["Content-Language"] == "nb"


def test_nynorsk_pages_are_translated(page_client):
    page_client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "nn"
    html = page_client.get("/", follow=True).content.decode()
    assert "Hopp til hovudinnhaldet" in html


def test_unknown_or_malformed_kommune_is_404(page_client):
    assert page_client.get("/kommuner/9999/").status_code == 404
    assert page_client.get("/kommuner/abc/").status_code == 404


def test_settings_form_saves_and_shows_in_history(page_client, overlege):
    response = page_client.post("/kommuner/4601/endre/", SETTINGS)
    assert response.status_code == 302
    assert bergen_now().sentralitetsklasse == 5
    html = page_client.get("/kommuner/4601/historikk/").content.decode()
    assert "sentralitetsklasse" in html and overlege.email in html


def test_settings_form_with_stale_version_explains_and_changes_nothing(page_client, bergen):
    with in_kommune(bergen):
        Kommune.objects.filter(kommunenummer="4601").update(sentralitetsklasse=4)  # someone else, meanwhile
    response = page_client.post("/kommuner/4601/endre/", SETTINGS)
    assert response.status_code == 200
    assert "endret av noen andre" in response.content.decode()
    assert bergen_now().sentralitetsklasse == 4


def test_settings_form_rejects_invalid_values_with_a_message(page_client):
    response = page_client.post("/kommuner/4601/endre/", {**SETTINGS, "sentralitetsklasse": 9})
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    assert bergen_now().versjon == 1


def test_kommuneoverlege_may_open_the_settings_form(page_client):
    assert page_client.get("/kommuner/4601/endre/").status_code == 200


@pytest.mark.parametrize("rolle", ["saksbehandler", "leser"])
def test_only_kommuneoverlege_may_change_settings(client, request, rolle):
    client.force_login(request.getfixturevalue(rolle))
    assert client.get("/kommuner/4601/endre/").status_code == 403
    response = client.post("/kommuner/4601/endre/", SETTINGS)
    assert response.status_code == 403
    assert client.get("/kommuner/4601/").status_code == 200  # they do reach the kommune itself
    kommune = bergen_now()
    assert (kommune.sentralitetsklasse, kommune.versjon) == (None, 1)


def test_admin_is_for_superusers_only(client, user, superuser):
    user.is_staff = True
    user.save()
    client.force_login(user)
    assert client.get("/admin/").status_code == 302
    client.force_login(superuser)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/kommune/kommune/").status_code == 200


def test_page_404_is_html_and_api_404_is_json(page_client):
    assert "text/html" in page_client.get("/finnes-ikke/")["Content-Type"]
    assert page_client.get("/api/v1/finnes-ikke/")["Content-Type"] == "application/json"


def test_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/")
    assert response.status_code == 302 and response["Location"].startswith("/konto/login/")


def test_pages_refuse_methods_they_do_not_serve(page_client):
    assert page_client.delete("/kommuner/4601/").status_code == 405
    assert page_client.put("/kommuner/4601/endre/").status_code == 405
    assert page_client.post("/").status_code == 405


def test_page_change_is_attributed_to_the_user_by_the_request_scope(page_client, overlege):
    from pghistory.models import Events

    assert page_client.post("/kommuner/4601/endre/", SETTINGS).status_code == 302
    event = Events.objects.tracks(bergen_now()).order_by("-pgh_created_at", "-pgh_id").first()
    assert event.pgh_label == "update"
    assert event.pgh_context["actor"] == f"bruker:{overlege.pk}"
