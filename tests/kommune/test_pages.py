"""Kommune pages through the real middleware: list, landing panels, language, settings, history."""

import pytest
from django.conf import settings as django_settings

from kommune import panels
from kommune.models import Kommune

pytestmark = pytest.mark.django_db


def test_pages_require_login(client):
    response = client.get("/")
    assert response.status_code == 302 and "/konto/login/" in response["Location"]
    assert client.get("/kommuner/4601/").status_code == 302


def test_login_page_and_accessibility_statement_are_public(client):
    assert client.get("/konto/login/").status_code == 200
    response = client.get("/tilgjengelighet/")
    assert response.status_code == 200
    assert "WCAG 2.1" in response.content.decode()


def test_kommune_list_filters_with_the_same_filterset_as_the_api(page_client):
    html = page_client.get("/", {"innbyggere_under": 5000}).content.decode()
    assert "174 kommuner" in html
    html = page_client.get("/", {"sok": "sunnfjord"}).content.decode()
    assert "Sunnfjord" in html and "1 kommune" in html


def test_htmx_filter_request_returns_only_the_table(page_client):
    response = page_client.get("/", {"sok": "berg"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<table>" in html and "<html" not in html


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


def test_landing_page_speaks_the_kommunes_malform_unless_the_user_chose(page_client):
    nynorsk = page_client.get("/kommuner/4647/")
    assert nynorsk["Content-Language"] == "nn"
    assert '<html lang="nn">' in nynorsk.content.decode()
    assert page_client.get("/kommuner/4601/")["Content-Language"] == "nb"
    page_client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "nb"
    assert page_client.get("/kommuner/4647/")["Content-Language"] == "nb"


def test_nynorsk_pages_are_translated(page_client):
    page_client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "nn"
    html = page_client.get("/").content.decode()
    assert "Hopp til hovudinnhaldet" in html


def test_unknown_or_malformed_kommune_is_404(page_client):
    assert page_client.get("/kommuner/9999/").status_code == 404
    assert page_client.get("/kommuner/abc/").status_code == 404


def test_settings_form_saves_and_shows_in_history(page_client):
    response = page_client.post(
        "/kommuner/1825/endre/", {"versjon": 1, "sentralitetsklasse": 5, "avtaleregime": "asa4310", "malform": "noytral"}
    )
    assert response.status_code == 302
    assert Kommune.objects.get(kommunenummer="1825").sentralitetsklasse == 5
    html = page_client.get("/kommuner/1825/historikk/").content.decode()
    assert "sentralitetsklasse" in html and "bruker:" in html


def test_settings_form_with_stale_version_explains_and_changes_nothing(page_client):
    Kommune.objects.filter(kommunenummer="1825").update(sentralitetsklasse=4)  # someone else, meanwhile
    response = page_client.post(
        "/kommuner/1825/endre/", {"versjon": 1, "sentralitetsklasse": 5, "avtaleregime": "asa4310", "malform": "noytral"}
    )
    assert response.status_code == 200
    assert "endret av noen andre" in response.content.decode()
    assert Kommune.objects.get(kommunenummer="1825").sentralitetsklasse == 4


def test_settings_form_rejects_invalid_values_with_a_message(page_client):
    response = page_client.post(
        "/kommuner/1825/endre/", {"versjon": 1, "sentralitetsklasse": 9, "avtaleregime": "asa4310", "malform": "noytral"}
    )
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    assert Kommune.objects.get(kommunenummer="1825").versjon == 1


def test_only_superusers_may_change_settings_for_now(client, user):
    client.force_login(user)
    response = client.post("/kommuner/1825/endre/", {"versjon": 1, "sentralitetsklasse": 5})
    assert response.status_code == 403
    assert Kommune.objects.get(kommunenummer="1825").sentralitetsklasse is None


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


def test_page_change_is_attributed_to_the_user_by_the_request_scope(page_client, superuser):
    from pghistory.models import Events

    page_client.post(
        "/kommuner/1825/endre/", {"versjon": 1, "sentralitetsklasse": 5, "avtaleregime": "asa4310", "malform": "noytral"}
    )
    event = Events.objects.tracks(Kommune.objects.get(kommunenummer="1825")).order_by("-pgh_created_at").first()
    assert event.pgh_context["actor"] == f"bruker:{superuser.pk}"
