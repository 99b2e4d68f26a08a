"""The Kommune API and, through it, the API conventions every later endpoint uses."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework.throttling import UserRateThrottle

from core.history import history_for
from kommune.models import Innbyggertall, Kommune
from tests.conftest import in_kommune, kommune, user_with_role

URL = "/api/v1/kommuner/"


def detail(nr="1826"):
    return f"{URL}{nr}/"


def assert_error_shape(response, status, code=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"feil", "kode", "felt"}, body
    assert isinstance(body["feil"], str) and body["feil"]
    assert isinstance(body["felt"], dict)
    if code:
        assert body["kode"] == code
    return body


# The API user is Hattfjelldal's kommuneoverlege; the test body looks at Hattfjelldal's data.
NR = "1826"


@pytest.fixture
def hattfjelldal(db):
    return kommune(NR)


@pytest.fixture
def overlege(hattfjelldal):
    return user_with_role("kommuneoverlege", hattfjelldal)


@pytest.fixture
def leser(hattfjelldal):
    return user_with_role("lesetilgang", hattfjelldal)


@pytest.fixture(autouse=True)
def _scope(hattfjelldal):
    with in_kommune(hattfjelldal):
        yield


# --- reading ---------------------------------------------------------------------------------


def test_list_has_only_the_kommune_in_scope(api):
    body = api.get(URL).json()
    assert body["antall"] == 1
    assert body["resultater"][0]["kommunenummer"] == NR
    assert body["resultater"][0]["innbyggere"] == 1284


def figures_url(nr=NR):
    return f"{URL}{nr}/innbyggertall/"


def add_figures(k, n):
    import datetime as dt

    Innbyggertall.objects.bulk_create(
        [Innbyggertall(kommune=k, gjelder_fra=dt.date(1900 + i, 1, 1), antall=1000 + i, kilde="test") for i in range(n)]
    )


def test_figure_list_is_paginated(api, hattfjelldal):
    add_figures(hattfjelldal, 14)  # plus the one from the register: 15
    body = api.get(figures_url(), {"antall": 10}).json()
    assert body["antall"] == 15
    assert len(body["resultater"]) == 10
    assert "side=2" in body["neste"] and body["forrige"] is None
    assert body["resultater"][0]["gjelder_fra"] == "2025-01-01"
    assert len(api.get(figures_url(), {"antall": 10, "side": 2}).json()["resultater"]) == 5


@pytest.mark.parametrize(("param", "value"), [("antall", 0), ("antall", 1001), ("antall", "null"), ("side", 0), ("side", "x")])
def test_malformed_paging_is_400_naming_the_parameter(api, param, value):
    body = assert_error_shape(api.get(figures_url(), {param: value}), 400, "ugyldig")
    assert param in body["felt"]


def test_page_beyond_the_end_is_404_in_the_error_shape(api):
    assert_error_shape(api.get(figures_url(), {"side": 99}), 404)


def test_list_uses_the_same_number_of_queries_whatever_the_data_size(api, hattfjelldal):
    counts = []
    for extra in (0, 50):
        add_figures(hattfjelldal, extra) if extra else None
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(figures_url(), {"antall": 1000}).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


@pytest.mark.parametrize(
    ("params", "expected"),
    [({"sok": "hattfjelldal"}, 1), ({"sok": "bergen"}, 0), ({"malform": "nynorsk"}, 0), ({"innbyggere_under": 5000}, 1)],
)
def test_filters(api, params, expected):
    assert api.get(URL, params).json()["antall"] == expected


def test_unknown_filter_value_is_400_naming_the_field(api):
    body = assert_error_shape(api.get(URL, {"malform": "latin"}), 400, "ugyldig")
    assert "malform" in body["felt"]


def test_detail_has_etag_and_answers_304_to_matching_if_none_match(api):
    response = api.get(detail())
    assert response.status_code == 200
    assert response["ETag"] == '"1"'
    assert response.json()["versjon"] == 1
    assert api.get(detail(), HTTP_IF_NONE_MATCH='"1"').status_code == 304
    assert api.get(detail(), HTTP_IF_NONE_MATCH='"2"').status_code == 200


def test_malformed_kommunenummer_is_400_naming_the_field(api):
    body = assert_error_shape(api.get(detail("46x1")), 400, "ugyldig")
    assert "fire siffer" in body["felt"]["kommunenummer"][0]


def test_unknown_kommune_is_404(api):
    assert_error_shape(api.get(detail("9999")), 404)


def test_unknown_api_url_is_404_in_the_error_shape(api):
    assert_error_shape(api.get("/api/v1/finnes-ikke/"), 404, "ikke_funnet")


def test_anonymous_is_refused_with_401_in_the_error_shape():
    response = APIClient().get(URL)
    assert_error_shape(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


# --- bad input -------------------------------------------------------------------------------


def test_wrong_method_is_405(api):
    assert_error_shape(api.delete(detail(), HTTP_IF_MATCH='"1"'), 405, "method_not_allowed")
    assert_error_shape(api.post(URL, {}, format="json"), 405, "method_not_allowed")
    assert Kommune.objects.count() == 1


def test_invalid_json_is_400_and_changes_nothing(api):
    response = api.patch(detail(), data="{ikke json", content_type="application/json", HTTP_IF_MATCH='"1"')
    assert_error_shape(response, 400, "parse_error")
    assert Kommune.objects.get(kommunenummer=NR).versjon == 1


def test_unsupported_media_type_is_415(api):
    response = api.patch(detail(), data="sentralitetsklasse=2", content_type="text/plain", HTTP_IF_MATCH='"1"')
    assert_error_shape(response, 415, "unsupported_media_type")


def test_oversized_body_is_413_and_writes_nothing(api, settings):
    body = json.dumps({"gjelder_fra": "2026-01-01", "antall": 1, "kilde": "x" * (settings.API_MAX_BODY_BYTES + 1)})
    response = api.post(f"{detail()}innbyggertall/", data=body, content_type="application/json")
    assert_error_shape(response, 413, "for_stort")
    assert Innbyggertall.objects.filter(kommune__kommunenummer=NR).count() == 1


def test_throttled_requests_get_429_in_the_error_shape(api, monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "2/min", "anon": "2/min"})
    assert api.get(detail()).status_code == 200
    assert api.get(detail()).status_code == 200
    response = api.get(detail())
    assert_error_shape(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0


# --- optimistic concurrency ------------------------------------------------------------------


def test_update_without_if_match_is_428_and_changes_nothing(api):
    assert_error_shape(api.patch(detail(), {"sentralitetsklasse": 2}, format="json"), 428, "if_match_mangler")
    assert_error_shape(api.patch(detail(), {"sentralitetsklasse": 2}, format="json", HTTP_IF_MATCH="*"), 428)
    assert Kommune.objects.get(kommunenummer=NR).sentralitetsklasse is None


@pytest.mark.parametrize("if_match", ['"7"', 'W/"1"', "1", "tull"])
def test_update_with_stale_or_weak_etag_is_412_and_changes_nothing(api, if_match):
    response = api.patch(detail(), {"sentralitetsklasse": 2}, format="json", HTTP_IF_MATCH=if_match)
    assert_error_shape(response, 412, "versjonskonflikt")
    kommune = Kommune.objects.get(kommunenummer=NR)
    assert (kommune.sentralitetsklasse, kommune.versjon) == (None, 1)


def test_update_with_current_etag_succeeds_and_bumps_the_version(api):
    response = api.patch(detail(), {"sentralitetsklasse": 2}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 200, response.content
    assert response["ETag"] == '"2"'
    assert response.json()["sentralitetsklasse"] == 2
    # The old ETag is now stale.
    again = api.patch(detail(), {"sentralitetsklasse": 3}, format="json", HTTP_IF_MATCH='"1"')
    assert_error_shape(again, 412)
    assert Kommune.objects.get(kommunenummer=NR).sentralitetsklasse == 2


def test_empty_patch_with_current_etag_changes_nothing_and_succeeds(api):
    response = api.patch(detail(), {}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 200 and response["ETag"] == '"1"'
    assert_error_shape(api.patch(detail(), {}, format="json", HTTP_IF_MATCH='"2"'), 412)


def test_any_of_several_if_match_etags_may_match(api):
    response = api.patch(detail(), {"sentralitetsklasse": 2}, format="json", HTTP_IF_MATCH='"9", "1"')
    assert response.status_code == 200


def test_put_replaces_the_editable_settings(api):
    body = {"sentralitetsklasse": 4, "avtaleregime": "asa4310", "malform": "nynorsk"}
    response = api.put(detail(), body, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 200, response.content
    assert Kommune.objects.get(kommunenummer=NR).malform == "nynorsk"


def test_invalid_value_is_400_naming_field_and_rule_and_changes_nothing(api):
    response = api.patch(detail(), {"sentralitetsklasse": 7}, format="json", HTTP_IF_MATCH='"1"')
    body = assert_error_shape(response, 400, "ugyldig")
    assert "sentralitetsklasse" in body["felt"]
    assert Kommune.objects.get(kommunenummer=NR).versjon == 1


def test_read_only_user_cannot_update(reader_api):
    response = reader_api.patch(detail(), {"sentralitetsklasse": 2}, format="json", HTTP_IF_MATCH='"1"')
    assert_error_shape(response, 403, "mangler_tilgang")
    assert Kommune.objects.get(kommunenummer=NR).versjon == 1


def test_update_is_recorded_in_history_with_the_user(api, overlege):
    api.patch(detail(), {"sentralitetsklasse": 5}, format="json", HTTP_IF_MATCH='"1"')
    entry = history_for(Kommune.objects.get(kommunenummer=NR))[0]
    assert entry.hendelse == "update"
    assert entry.aktor == f"bruker:{overlege.pk}"
    assert overlege.email in entry.aktor_navn
    assert ("sentralitetsklasse", None, 5) in entry.endringer


def test_incremental_sync_with_endret_etter(api):
    before = timezone.now().isoformat()
    assert api.get(URL, {"endret_etter": before}).json()["resultater"] == []
    api.patch(detail(), {"sentralitetsklasse": 6}, format="json", HTTP_IF_MATCH='"1"')
    body = api.get(URL, {"endret_etter": before}).json()
    assert [k["kommunenummer"] for k in body["resultater"]] == [NR]


@pytest.mark.parametrize(
    ("value", "fragment"),
    [("2026-03-29T02:30", "finnes ikke"), ("2026-10-25T02:30", "forekommer to ganger")],
)
def test_local_time_at_dst_change_is_refused(api, value, fragment):
    body = assert_error_shape(api.get(URL, {"endret_etter": value}), 400, "ugyldig")
    assert fragment in body["felt"]["endret_etter"][0]


def test_local_time_at_dst_change_with_offset_is_accepted(api):
    assert api.get(URL, {"endret_etter": "2026-10-25T02:30+01:00"}).status_code == 200


# --- population figures: idempotent POST, DELETE with If-Match --------------------------------

FIGURES = f"{detail('1826')}innbyggertall/"
NEW_FIGURE = {"gjelder_fra": "2026-01-01", "antall": 1270, "kilde": "SSB 1.1.2026"}


def test_post_creates_a_figure_with_location_and_etag(api):
    response = api.post(FIGURES, NEW_FIGURE, format="json")
    assert response.status_code == 201, response.content
    figure = Innbyggertall.objects.get(kommune__kommunenummer="1826", gjelder_fra="2026-01-01")
    assert response["Location"].endswith(f"/innbyggertall/{figure.pk}/")
    assert response["ETag"] == '"1"'
    assert api.get(response["Location"]).json()["antall"] == 1270


def test_the_newest_figure_in_force_is_the_kommunes_population(api):
    api.post(FIGURES, {**NEW_FIGURE, "gjelder_fra": "2020-01-01", "antall": 1500}, format="json")
    assert api.get(detail("1826")).json()["innbyggere"] == 1284  # 1.1.2025 is newer
    api.post(FIGURES, {**NEW_FIGURE, "gjelder_fra": "2026-01-01"}, format="json")
    assert api.get(detail("1826")).json()["innbyggere"] == 1270


def test_retried_post_with_same_idempotency_key_is_replayed_not_repeated(api):
    first = api.post(FIGURES, NEW_FIGURE, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    second = api.post(FIGURES, NEW_FIGURE, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Location"] == first["Location"]
    assert second["Idempotent-Replayed"] == "true"
    assert Innbyggertall.objects.filter(kommune__kommunenummer="1826").count() == 2


def test_same_idempotency_key_with_another_body_is_422(api):
    api.post(FIGURES, NEW_FIGURE, format="json", HTTP_IDEMPOTENCY_KEY="abc-2")
    response = api.post(FIGURES, {**NEW_FIGURE, "antall": 9}, format="json", HTTP_IDEMPOTENCY_KEY="abc-2")
    assert_error_shape(response, 422, "kan_ikke_behandles")
    assert Innbyggertall.objects.get(kommune__kommunenummer="1826", gjelder_fra="2026-01-01").antall == 1270


def test_idempotency_keys_are_per_principal(api):
    from core.models import IdempotencyKey
    
    other = APIClient()
    other.force_login(user_with_role("kommuneoverlege", kommune(NR)))
    first = api.post(FIGURES, NEW_FIGURE, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    second = other.post(FIGURES, {**NEW_FIGURE, "gjelder_fra": "2027-01-01"}, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    assert first.status_code == second.status_code == 201
    assert not second.has_header("Idempotent-Replayed")  # another client's key is not a replay
    assert IdempotencyKey.objects.filter(key="shared").count() == 2
    assert Innbyggertall.objects.filter(kommune__kommunenummer="1826").count() == 3


def test_expired_idempotency_key_is_treated_as_new(api, overlege):
    import datetime as dt

    from core.models import IdempotencyKey

    IdempotencyKey.objects.create(
        principal=f"bruker:{overlege.pk}", key="gammel", fingerprint="x" * 64, method="POST", path=FIGURES,
        response_status=201, response_body={}, created=timezone.now() - dt.timedelta(hours=25),
    )
    response = api.post(FIGURES, NEW_FIGURE, format="json", HTTP_IDEMPOTENCY_KEY="gammel")
    assert response.status_code == 201 and not response.has_header("Idempotent-Replayed")
    assert IdempotencyKey.objects.get(key="gammel").fingerprint != "x" * 64


def test_server_error_under_a_key_stores_nothing_and_undoes_the_effect(api, monkeypatch):
    from core.models import IdempotencyKey
    from kommune import services

    real = services.record_innbyggertall

    def fails_after_the_effect(**kwargs):
        real(**kwargs)
        raise RuntimeError("database gone")

    monkeypatch.setattr(services, "record_innbyggertall", fails_after_the_effect)
    api.raise_request_exception = False
    response = api.post(FIGURES, NEW_FIGURE, format="json", HTTP_IDEMPOTENCY_KEY="feil-1")
    assert response.status_code == 500
    assert response.json()["kode"] == "intern_feil"
    assert not IdempotencyKey.objects.filter(key="feil-1").exists()
    assert not Innbyggertall.objects.filter(kommune__kommunenummer="1826", gjelder_fra="2026-01-01").exists()
    monkeypatch.setattr(services, "record_innbyggertall", real)
    retry = api.post(FIGURES, NEW_FIGURE, format="json", HTTP_IDEMPOTENCY_KEY="feil-1")
    assert retry.status_code == 201 and not retry.has_header("Idempotent-Replayed")


def test_5xx_response_returned_by_a_view_is_not_stored(api, monkeypatch):
    from rest_framework import mixins
    from rest_framework.response import Response

    from core.models import IdempotencyKey

    real_create = mixins.CreateModelMixin.create

    def create_then_answer_503(self, request, *args, **kwargs):
        real_create(self, request, *args, **kwargs)
        return Response({"feil": "midlertidig", "kode": "utilgjengelig", "felt": {}}, status=503)

    monkeypatch.setattr(mixins.CreateModelMixin, "create", create_then_answer_503)
    response = api.post(FIGURES, NEW_FIGURE, format="json", HTTP_IDEMPOTENCY_KEY="feil-2")
    assert response.status_code == 503
    assert not IdempotencyKey.objects.filter(key="feil-2").exists()
    assert not Innbyggertall.objects.filter(kommune__kommunenummer="1826", gjelder_fra="2026-01-01").exists()


def test_rejected_post_stores_no_key_so_a_corrected_retry_is_carried_out(api):
    from core.models import IdempotencyKey

    bad = api.post(FIGURES, {**NEW_FIGURE, "antall": -5}, format="json", HTTP_IDEMPOTENCY_KEY="abc-3")
    body = assert_error_shape(bad, 400, "ugyldig")
    assert "antall" in body["felt"]
    assert not IdempotencyKey.objects.filter(key="abc-3").exists()
    good = api.post(FIGURES, NEW_FIGURE, format="json", HTTP_IDEMPOTENCY_KEY="abc-3")
    assert good.status_code == 201


def test_invalid_idempotency_key_is_400(api):
    response = api.post(FIGURES, NEW_FIGURE, format="json", HTTP_IDEMPOTENCY_KEY="x" * 256)
    body = assert_error_shape(response, 400)
    assert "Idempotency-Key" in body["felt"]
    assert not Innbyggertall.objects.filter(gjelder_fra="2026-01-01").exists()


def test_second_figure_for_the_same_date_is_400_on_the_date(api):
    response = api.post(FIGURES, {**NEW_FIGURE, "gjelder_fra": "2025-01-01"}, format="json")
    body = assert_error_shape(response, 400)
    assert "allerede et innbyggertall" in body["felt"]["gjelder_fra"][0]


def test_delete_requires_if_match_and_keeps_the_last_figure(api):
    created = api.post(FIGURES, NEW_FIGURE, format="json")
    location = created["Location"]
    assert_error_shape(api.delete(location), 428)
    assert_error_shape(api.delete(location, HTTP_IF_MATCH='"5"'), 412)
    assert api.delete(location, HTTP_IF_MATCH=created["ETag"]).status_code == 204
    assert api.get(location).status_code == 404
    last = Innbyggertall.objects.get(kommune__kommunenummer="1826")
    response = api.delete(f"{FIGURES}{last.pk}/", HTTP_IF_MATCH='"1"')
    assert_error_shape(response, 400)
    assert Innbyggertall.objects.filter(kommune__kommunenummer="1826").count() == 1


def test_figure_of_another_kommune_is_404_under_this_kommune(api):
    from core.tenancy import unscoped

    with unscoped(reason="test: another kommune's figure"):
        other = Innbyggertall.objects.get(kommune__kommunenummer="4601")
    assert_error_shape(api.get(f"{FIGURES}{other.pk}/"), 404)
    assert_error_shape(api.delete(f"{FIGURES}{other.pk}/", HTTP_IF_MATCH='"1"'), 404)
    assert_error_shape(api.get(f"{URL}4601/innbyggertall/{other.pk}/"), 404)
    with unscoped(reason="test: another kommune's figure"):
        assert Innbyggertall.objects.filter(pk=other.pk).exists()
