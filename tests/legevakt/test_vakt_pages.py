"""The roster pages through the real middleware: the week and month views (Oslo time, correct across
the daylight-saving changes), the shift form with its dry run of the rules and the service's
refusals on the right field, cancelling, the sick call with ranked replacements, the pattern roster
job, the doctors' own shifts and swaps. The vertskommune writes; a deltakerkommune reads the same
pages without buttons and gets 403 on every write, with nothing saved."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from legevakt import tid
from legevakt.models import Legevaktdistrikt, Medlemskap, Stasjon, Vakt, Vaktbytte
from tests import register
from tests.conftest import in_kommune, kommune, user_with_role

pytestmark = pytest.mark.django_db

OSLO = ZoneInfo("Europe/Oslo")
# Specialist with both courses: may do legevakt without bakvakt (kompetanseforskriften § 3a).
KVALIFISERT = {"spesialist_allmennmedisin_fra": dt.date(2010, 1, 1), "kurs_akuttmedisin": dt.date(2015, 1, 1),
               "kurs_vold_overgrep": dt.date(2015, 1, 1)}


def oslo(year, month, day, hour=0, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=OSLO)


def html(response) -> str:
    return response.content.decode()


def lag_vakt(distrikt, lege, start, slutt, *, type="tilstedevakt", vaktklasse=3, stasjon=None, **fields) -> Vakt:
    """A shift written directly (the read pages do not depend on the services' rules)."""
    return Vakt.objects.create(
        kommune_id=distrikt.kommune_id, distrikt=distrikt, lege=lege, type=type, vaktklasse=vaktklasse, start=start,
        slutt=slutt, stasjon=stasjon, dagkategori=tid.dagkategori(start), hoytid=tid.hoytid(start, slutt), **fields,
    )


@pytest.fixture
def verden(bergen, sunnfjord):
    """An interkommunal district owned by Bergen with Sunnfjord as deltakerkommune, a station and
    two fastleger in Bergen (office hours Monday–Friday 08–16)."""
    with in_kommune(bergen):
        distrikt = Legevaktdistrikt.objects.create(kommune=bergen, navn="Vestvakt", type="interkommunal")
        for medlem in (bergen, sunnfjord):
            Medlemskap.objects.create(kommune=bergen, distrikt=distrikt, medlem=medlem, fra=dt.date(2020, 1, 1))
        stasjon = Stasjon.objects.create(kommune=bergen, distrikt=distrikt, navn="Sentrum legevakt", adresse="Vaktgata 1",
                                         postnummer="5003", poststed="Bergen")
        anna = register.avtale(bergen, lege_=register.lege(bergen, fornavn="Anna", etternavn="Aasen", **KVALIFISERT),
                               startdato=dt.date(2026, 1, 5)).lege
        bjorn = register.avtale(bergen, lege_=register.lege(bergen, fornavn="Bjørn", etternavn="Berg", **KVALIFISERT),
                                startdato=dt.date(2026, 1, 5)).lege
    return {"distrikt": distrikt, "stasjon": stasjon, "anna": anna, "bjorn": bjorn, "vert": bergen, "deltaker": sunnfjord}


@pytest.fixture
def vert_user(bergen):
    return user_with_role("saksbehandler", bergen)


@pytest.fixture
def deltaker_user(sunnfjord):
    return user_with_role("saksbehandler", sunnfjord)


def url(name, *args) -> str:
    from django.urls import reverse

    return reverse(f"legevakt:{name}", args=args)


def count(model, k) -> int:
    with in_kommune(k):
        return model.objects.count()


# --- reading ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("sprak", ["nb", "nn"])
@pytest.mark.parametrize("hvem", ["vert", "deltaker"])
def test_roster_pages_render_for_vertskommune_and_deltakerkommune(client, verden, vert_user, deltaker_user, hvem, sprak):
    distrikt = verden["distrikt"]
    with in_kommune(verden["vert"]):
        vakt = lag_vakt(distrikt, verden["anna"], oslo(2026, 11, 24, 16), oslo(2026, 11, 25, 8), stasjon=verden["stasjon"])
    client.force_login(vert_user if hvem == "vert" else deltaker_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = sprak

    week = client.get(url("vaktplan", distrikt.pk), {"uke": "2026-W48"})
    assert week.status_code == 200
    body = html(week)
    assert f'<html lang="{sprak}">' in body
    assert "Anna Aasen" in body and "16:00 – 25.11. 08:00" in body and "Sentrum legevakt" in body
    assert "?uke=2026-W47" in body and "?uke=2026-W49" in body
    ny_url = url("vakt_ny", distrikt.pk)
    assert (ny_url in body) is (hvem == "vert")

    month = client.get(url("vaktplan", distrikt.pk), {"maned": "2026-11"})
    assert month.status_code == 200
    assert "Anna Aasen" in html(month) and "?maned=2026-10" in html(month) and "?maned=2026-12" in html(month)
    assert "November 2026" in html(month)

    detail = client.get(url("vakt", vakt.pk))
    assert detail.status_code == 200
    assert "Anna Aasen" in html(detail)
    assert (url("vakt_syk", vakt.pk) in html(detail)) is (hvem == "vert")

    feed = client.get(url("distrikt_kalender", distrikt.pk))
    assert feed.status_code == 200 and feed["Content-Type"] == "text/calendar; charset=utf-8"


def test_the_default_is_the_current_week_with_a_link_to_today(client, verden, vert_user):
    client.force_login(vert_user)
    response = client.get(url("vaktplan", verden["distrikt"].pk))
    assert response.status_code == 200
    assert 'href="#i-dag"' in html(response) and 'id="i-dag"' in html(response)


def test_a_bad_week_parameter_shows_the_current_week_and_says_so(client, verden, vert_user):
    client.force_login(vert_user)
    response = client.get(url("vaktplan", verden["distrikt"].pk), {"uke": "2026-W99"})
    assert response.status_code == 200
    assert "Ugyldig uke" in html(response)


def test_another_kommunes_district_is_not_found(client, verden):
    client.force_login(user_with_role("saksbehandler", kommune("0301")))
    assert client.get(url("vaktplan", verden["distrikt"].pk)).status_code == 404


@pytest.mark.parametrize("uke, maned, start, slutt, tekst, timer", [
    # Summer time ends on 25 October 2026: the night has 13 hours.
    ("2026-W43", "2026-10", oslo(2026, 10, 24, 20), oslo(2026, 10, 25, 8), "20:00 (UTC+02:00) – 25.10. 08:00 (UTC+01:00)", "13 t"),
    # Summer time starts on 29 March 2026: the night has 11 hours.
    ("2026-W13", "2026-03", oslo(2026, 3, 28, 20), oslo(2026, 3, 29, 8), "20:00 (UTC+01:00) – 29.3. 08:00 (UTC+02:00)", "11 t"),
])
def test_week_and_month_across_a_dst_change_show_correct_local_times(client, verden, vert_user, uke, maned, start, slutt,
                                                                      tekst, timer):
    with in_kommune(verden["vert"]):
        lag_vakt(verden["distrikt"], verden["anna"], start, slutt)
        # An ordinary day earlier in the week: no offsets.
        lag_vakt(verden["distrikt"], verden["bjorn"], start - dt.timedelta(days=3, hours=12),
                 start - dt.timedelta(days=3, hours=4))
    client.force_login(vert_user)
    for params in ({"uke": uke}, {"maned": maned}):
        body = html(client.get(url("vaktplan", verden["distrikt"].pk), params))
        assert tekst in body, params
        assert timer in body
        assert "08:00 – 16:00" in body  # the ordinary day, in local time without offsets
        assert "Sommertid" in body
    # Navigating from the week before reaches the week of the change.
    before = html(client.get(url("vaktplan", verden["distrikt"].pk), {"uke": f"{uke[:6]}{int(uke[6:]) - 1:02d}"}))
    assert f"?uke={uke}" in before


# --- the deltakerkommune may not write ------------------------------------------------------------------

def test_a_deltakerkommune_user_gets_403_on_every_write_and_nothing_is_saved(client, verden, deltaker_user):
    distrikt = verden["distrikt"]
    with in_kommune(verden["vert"]):
        vakt = lag_vakt(distrikt, verden["anna"], oslo(2026, 12, 1, 16), oslo(2026, 12, 2, 8))
    before = count(Vakt, verden["vert"])
    client.force_login(deltaker_user)
    payload = {"lege": verden["bjorn"].pk, "type": "tilstedevakt", "start": "2026-12-03T16:00", "slutt": "2026-12-04T08:00",
               "handling": "lagre"}
    for name, arg, data in [
        ("vakt_ny", distrikt.pk, payload),
        ("vakt_endre", vakt.pk, {**payload, "versjon": vakt.versjon}),
        ("vakt_avlys", vakt.pk, {"arsak": "annet", "versjon": vakt.versjon}),
        ("vakt_syk", vakt.pk, {"erstatter": verden["bjorn"].pk, "versjon": vakt.versjon, "handling": "lagre"}),
        ("vaktplan_monster", distrikt.pk, {"fra": "2027-01-01", "til": "2027-02-01", "leger": [verden["bjorn"].pk]}),
    ]:
        assert client.post(url(name, arg), data).status_code == 403, name
        assert client.get(url(name, arg)).status_code == 403, name
    assert count(Vakt, verden["vert"]) == before
    with in_kommune(verden["vert"]):
        vakt.refresh_from_db()
        assert vakt.status == "aktiv"


def test_a_reader_gets_no_write_pages(client, verden, bergen):
    client.force_login(user_with_role("lesetilgang", bergen))
    assert client.get(url("vaktplan", verden["distrikt"].pk)).status_code == 200
    assert client.get(url("vakt_ny", verden["distrikt"].pk)).status_code == 403


# --- the shift form -------------------------------------------------------------------------------------

def post_ny(client, distrikt, **data):
    payload = {"type": "tilstedevakt", "handling": "lagre", **data}
    return client.post(url("vakt_ny", distrikt.pk), payload)


def summary(response) -> str:
    """The error summary and field errors of a form page (for assertion messages)."""
    body = html(response)
    parts = re.findall(r'<div class="feiloppsummering".*?</div>|<p class="error"[^>]*>.*?</p>|<div class="error".*?</div>', body, re.S)
    return "\n".join(parts) or body[-3000:]


def field_error(body: str, field: str) -> str:
    match = re.search(rf'<p class="error" id="id_{field}_error">(.*?)</p>', body, re.S)
    return match.group(1) if match else ""


def test_a_shift_is_saved_in_oslo_time(client, verden, vert_user):
    client.force_login(vert_user)
    response = post_ny(client, verden["distrikt"], lege=verden["anna"].pk, start="2026-12-05T08:00",
                       slutt="2026-12-05T20:00", stasjon=verden["stasjon"].pk)
    assert response.status_code == 302, summary(response)
    assert "uke=2026-W49" in response["Location"]
    with in_kommune(verden["vert"]):
        vakt = Vakt.objects.get()
    assert vakt.start == dt.datetime(2026, 12, 5, 7, 0, tzinfo=dt.UTC)
    assert (vakt.lege_id, vakt.stasjon_id, vakt.vaktklasse) == (verden["anna"].pk, verden["stasjon"].pk, 3)


@pytest.mark.parametrize("data, field, message", [
    ({"start": "2026-12-05T20:00", "slutt": "2026-12-05T08:00"}, "slutt", "slutte etter"),
    ({"start": "2026-03-29T02:30", "slutt": "2026-03-29T10:00"}, "start", "finnes ikke i norsk tid"),
    ({"lege": 999999999, "start": "2026-12-05T08:00", "slutt": "2026-12-05T16:00"}, "lege", "gyldig"),
    ({"start": "2026-12-05T08:00", "slutt": "2026-12-05T16:00", "type": "nattevakt"}, "type", "gyldig"),
])
def test_bad_input_lands_on_the_field_and_nothing_is_saved(client, verden, vert_user, data, field, message):
    client.force_login(vert_user)
    response = post_ny(client, verden["distrikt"], **{"lege": verden["anna"].pk, **data})
    assert response.status_code == 200
    body = html(response)
    assert message in field_error(body, field), body[:4000]
    assert 'role="alert"' in body and f'href="#id_{field}"' in body
    assert count(Vakt, verden["vert"]) == 0


def test_another_kommunes_doctor_is_not_offered_and_refused(client, verden, vert_user):
    with in_kommune(verden["deltaker"]):
        fremmed = register.lege(verden["deltaker"], fornavn="Frida", etternavn="Fremmed")
    client.force_login(vert_user)
    form = html(client.get(url("vakt_ny", verden["distrikt"].pk)))
    assert "Aasen, Anna" in form and "Fremmed" not in form
    response = post_ny(client, verden["distrikt"], lege=fremmed.pk, start="2026-12-05T08:00", slutt="2026-12-05T16:00")
    assert field_error(html(response), "lege")
    assert count(Vakt, verden["vert"]) == 0


def night_then_office_day(verden) -> dict:
    # Monday 30 November 2026 20:00 – Tuesday 08:00; Anna's office day starts at 08:00 on Tuesday.
    return {"lege": verden["anna"].pk, "type": "tilstedevakt", "start": "2026-11-30T20:00", "slutt": "2026-12-01T08:00"}


def test_the_dry_run_shows_the_rest_breach_with_its_source_before_saving(client, verden, vert_user):
    client.force_login(vert_user)
    preview = client.get(url("vakt_ny", verden["distrikt"].pk), {**night_then_office_day(verden), "handling": "sjekk"},
                         HTTP_HX_REQUEST="true")
    assert preview.status_code == 200
    body = html(preview)
    assert "avvist" in body and "7.4" in body
    assert count(Vakt, verden["vert"]) == 0
    # Without JavaScript: the «Kontroller reglene» button does the same in the page, in a live region.
    page = html(client.post(url("vakt_ny", verden["distrikt"].pk), {**night_then_office_day(verden), "handling": "sjekk"}))
    assert 'aria-live="polite"' in page and "7.4" in page
    assert count(Vakt, verden["vert"]) == 0


def test_a_rest_breach_is_refused_on_submit_and_saved_with_a_reason(client, verden, vert_user):
    client.force_login(vert_user)
    refused = client.post(url("vakt_ny", verden["distrikt"].pk), {**night_then_office_day(verden), "handling": "lagre"})
    assert refused.status_code == 200
    body = html(refused)
    assert 'role="alert"' in body and "7.4" in body
    assert count(Vakt, verden["vert"]) == 0
    saved = client.post(url("vakt_ny", verden["distrikt"].pk), {
        **night_then_office_day(verden), "handling": "lagre",
        "hvilebrudd_begrunnelse": "Ingen andre leger tilgjengelig; kontordagen starter kl. 10."})
    assert saved.status_code == 302
    with in_kommune(verden["vert"]):
        assert Vakt.objects.get().hvilebrudd_begrunnelse.startswith("Ingen andre")
    week = html(client.get(saved["Location"]))
    assert "Kortere hvile (SFS 2305 § 7.4)" in week


def test_a_shift_is_changed_and_cancelled(client, verden, vert_user):
    with in_kommune(verden["vert"]):
        vakt = lag_vakt(verden["distrikt"], verden["anna"], oslo(2026, 12, 8, 8), oslo(2026, 12, 8, 16))
    client.force_login(vert_user)
    form = html(client.get(url("vakt_endre", vakt.pk)))
    assert 'value="2026-12-08T08:00"' in form
    preview = client.get(url("vakt_endre", vakt.pk), {"lege": verden["bjorn"].pk, "type": "tilstedevakt",
                                                      "start": "2026-12-08T09:00", "slutt": "2026-12-08T16:00"},
                         HTTP_HX_REQUEST="true")
    assert "Ingen regler hindrer vakten" in html(preview)
    changed = client.post(url("vakt_endre", vakt.pk), {
        "lege": verden["bjorn"].pk, "type": "tilstedevakt", "vaktklasse": 3, "start": "2026-12-08T09:00",
        "slutt": "2026-12-08T16:00", "versjon": vakt.versjon, "handling": "lagre"})
    assert changed.status_code == 302, summary(changed)
    with in_kommune(verden["vert"]):
        vakt.refresh_from_db()
    assert (vakt.lege_id, vakt.start) == (verden["bjorn"].pk, oslo(2026, 12, 8, 9))
    stale = client.post(url("vakt_avlys", vakt.pk), {"arsak": "annet", "versjon": vakt.versjon - 1})
    assert stale.status_code == 200
    cancelled = client.post(url("vakt_avlys", vakt.pk), {"arsak": "annet", "versjon": vakt.versjon})
    assert cancelled.status_code == 302
    with in_kommune(verden["vert"]):
        vakt.refresh_from_db()
    assert (vakt.status, vakt.avlyst_arsak) == ("avlyst", "annet")
    detail = html(client.get(url("vakt", vakt.pk)))
    assert "Historikk" in detail and url("vakt_syk", vakt.pk) not in detail


def test_a_sick_doctor_is_replaced_by_the_preselected_top_candidate(client, verden, vert_user):
    with in_kommune(verden["vert"]):
        vakt = lag_vakt(verden["distrikt"], verden["anna"], oslo(2026, 12, 12, 8), oslo(2026, 12, 12, 20))
    client.force_login(vert_user)
    page = html(client.get(url("vakt_syk", vakt.pk)))
    checked = re.search(r'<input type="radio" name="erstatter" value="(\d+)" id="id_erstatter_0" checked>', page)
    assert checked, page[:4000]
    assert int(checked.group(1)) == verden["bjorn"].pk
    response = client.post(url("vakt_syk", vakt.pk), {"erstatter": checked.group(1), "versjon": vakt.versjon,
                                                      "handling": "lagre"})
    assert response.status_code == 302, summary(response)
    with in_kommune(verden["vert"]):
        vakt.refresh_from_db()
        ny = Vakt.objects.get(erstatter=vakt)
    assert (vakt.status, vakt.avlyst_arsak) == ("avlyst", "sykdom")
    assert (ny.lege_id, ny.start, ny.slutt, ny.status) == (verden["bjorn"].pk, vakt.start, vakt.slutt, "aktiv")


def test_a_pattern_roster_starts_the_background_job(client, verden, vert_user, django_capture_on_commit_callbacks):
    client.force_login(vert_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("vaktplan_monster", verden["distrikt"].pk), {
            "fra": "2027-01-04", "til": "2027-01-11", "leger": [verden["anna"].pk, verden["bjorn"].pk],
            "monster-TOTAL_FORMS": "3", "monster-INITIAL_FORMS": "0", "monster-MIN_NUM_FORMS": "0", "monster-MAX_NUM_FORMS": "10",
            # Weekend days 08–20 (FLR: 6 = Saturday, 0 = Sunday): 9 and 10 January, one doctor each.
            "monster-0-ukedager": ["6", "0"], "monster-0-start": "08:00", "monster-0-timer": "12",
            "monster-0-type": "tilstedevakt",
            "monster-1-type": "", "monster-2-type": "",
        })
    assert response.status_code == 302, summary(response)
    assert re.match(r"^/jobber/\d+/$", response["Location"])
    with in_kommune(verden["vert"]):
        vakter = list(Vakt.objects.filter(distrikt=verden["distrikt"]).order_by("start"))
    assert [(v.start, v.slutt) for v in vakter] == [(oslo(2027, 1, 9, 8), oslo(2027, 1, 9, 20)),
                                                    (oslo(2027, 1, 10, 8), oslo(2027, 1, 10, 20))]
    assert {v.lege_id for v in vakter} == {verden["anna"].pk, verden["bjorn"].pk}


def test_a_pattern_line_without_end_or_length_is_refused(client, verden, vert_user):
    client.force_login(vert_user)
    response = client.post(url("vaktplan_monster", verden["distrikt"].pk), {
        "fra": "2027-01-04", "til": "2027-01-11", "leger": [verden["anna"].pk],
        "monster-TOTAL_FORMS": "1", "monster-INITIAL_FORMS": "0", "monster-MIN_NUM_FORMS": "0", "monster-MAX_NUM_FORMS": "10",
        "monster-0-ukedager": ["1"], "monster-0-start": "16:00", "monster-0-type": "hjemmevakt",
    })
    assert response.status_code == 200
    assert "Oppgi sluttid eller varighet" in html(response)


# --- doctors ----------------------------------------------------------------------------------------------

@pytest.fixture
def lege_user(verden):
    user = user_with_role("lege", verden["vert"])
    with in_kommune(verden["vert"]):
        anna = verden["anna"]
        anna.bruker = user
        anna.save(update_fields=["bruker"])
    return user


def test_a_doctor_sees_own_shifts_only(client, verden, lege_user):
    with in_kommune(verden["vert"]):
        lag_vakt(verden["distrikt"], verden["anna"], oslo(2026, 12, 14, 16), oslo(2026, 12, 15, 8))
        lag_vakt(verden["distrikt"], verden["bjorn"], oslo(2026, 12, 16, 16), oslo(2026, 12, 17, 8))
    client.force_login(lege_user)
    body = html(client.get(url("mine_vakter")))
    assert "mandag 14.12.2026" in body and "Vestvakt" in body
    assert "16.12.2026" not in body
    # The roster itself needs Handling.LES, which the doctor role does not have.
    assert client.get(url("vaktplan", verden["distrikt"].pk)).status_code == 403


def test_a_user_without_a_linked_doctor_gets_a_clear_message(client, verden, bergen):
    client.force_login(user_with_role("lege", bergen))
    response = client.get(url("mine_vakter"))
    assert response.status_code == 200
    assert "ikke knyttet til en lege" in html(response)


def test_a_swap_is_requested_by_the_doctor_and_approved_by_the_saksbehandler(client, verden, lege_user, vert_user):
    with in_kommune(verden["vert"]):
        # Saturday and Sunday daytime: the swap keeps both doctors rested.
        egen = lag_vakt(verden["distrikt"], verden["anna"], oslo(2026, 12, 12, 8), oslo(2026, 12, 12, 20))
        annen = lag_vakt(verden["distrikt"], verden["bjorn"], oslo(2026, 12, 13, 8), oslo(2026, 12, 13, 20))
    client.force_login(lege_user)
    assert url("bytte_ny", egen.pk) in html(client.get(url("mine_vakter")))
    assert client.get(url("bytte_ny", annen.pk)).status_code == 403  # not one's own shift
    response = client.post(url("bytte_ny", egen.pk), {"mot_vakt": annen.pk})
    assert response.status_code == 302, summary(response)
    with in_kommune(verden["vert"]):
        bytte = Vaktbytte.objects.get()
    assert "Venter" in html(client.get(url("bytter")))
    # The doctor may not approve.
    client.post(url("bytte_behandle", bytte.pk), {"handling": "godkjenn", "versjon": bytte.versjon})
    with in_kommune(verden["vert"]):
        bytte.refresh_from_db()
        assert bytte.status == "foreslatt"

    client.force_login(vert_user)
    page = html(client.get(url("bytter")))
    assert "Bytteønsker som venter på godkjenning" in page and url("bytte_behandle", bytte.pk) in page
    response = client.post(url("bytte_behandle", bytte.pk), {"handling": "godkjenn", "versjon": bytte.versjon})
    assert response.status_code == 302
    with in_kommune(verden["vert"]):
        egen.refresh_from_db()
        annen.refresh_from_db()
        bytte.refresh_from_db()
    assert (egen.lege_id, annen.lege_id, bytte.status) == (verden["bjorn"].pk, verden["anna"].pk, "godkjent")


def test_a_doctor_withdraws_a_swap_request(client, verden, lege_user):
    with in_kommune(verden["vert"]):
        # Saturday and Sunday daytime: the swap keeps both doctors rested.
        egen = lag_vakt(verden["distrikt"], verden["anna"], oslo(2026, 12, 12, 8), oslo(2026, 12, 12, 20))
        annen = lag_vakt(verden["distrikt"], verden["bjorn"], oslo(2026, 12, 13, 8), oslo(2026, 12, 13, 20))
    client.force_login(lege_user)
    client.post(url("bytte_ny", egen.pk), {"mot_vakt": annen.pk})
    with in_kommune(verden["vert"]):
        bytte = Vaktbytte.objects.get()
    assert client.post(url("bytte_behandle", bytte.pk), {"handling": "trekk", "versjon": bytte.versjon}).status_code == 302
    with in_kommune(verden["vert"]):
        bytte.refresh_from_db()
    assert bytte.status == "trukket"


def test_the_roster_shows_uncovered_intervals(client, verden, vert_user):
    with in_kommune(verden["vert"]):
        lag_vakt(verden["distrikt"], verden["anna"], oslo(2026, 11, 24, 8), oslo(2026, 11, 24, 16))
    client.force_login(vert_user)
    body = html(client.get(url("vaktplan", verden["distrikt"].pk), {"uke": "2026-W48"}))
    assert "Ingen lege på vakt 00:00 – 08:00 (Bergen" in body
    assert "Ingen lege på vakt 16:00 – 24:00 (Sunnfjord" in body


def test_the_roster_reads_in_constant_queries(client, verden, vert_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(vert_user)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url("vaktplan", verden["distrikt"].pk), {"maned": "2026-12"}).status_code == 200
        return len(ctx.captured_queries)

    with in_kommune(verden["vert"]):
        lag_vakt(verden["distrikt"], verden["anna"], oslo(2026, 12, 5, 8), oslo(2026, 12, 5, 20))
    few = queries()
    with in_kommune(verden["vert"]):
        for day in range(6, 27, 2):
            lag_vakt(verden["distrikt"], verden["bjorn" if day % 4 else "anna"], oslo(2026, 12, day, 8),
                     oslo(2026, 12, day, 20), stasjon=verden["stasjon"])
    assert queries() == few


def test_a_swap_that_breaks_the_rest_rule_is_approved_on_the_page_only_with_a_reason(client, verden, vert_user):
    """After the swap Anna would have Bjørn's weeknight ending at 07:00 before her office day at 08:00."""
    with in_kommune(verden["vert"]):
        lordag = lag_vakt(verden["distrikt"], verden["anna"], oslo(2026, 12, 12, 8), oslo(2026, 12, 12, 20))
        natt = lag_vakt(verden["distrikt"], verden["bjorn"], oslo(2026, 12, 9, 20), oslo(2026, 12, 10, 7))
        bytte = Vaktbytte.objects.create(kommune=verden["vert"], vakt=lordag, mot_vakt=natt)
    client.force_login(vert_user)
    assert 'name="hvilebrudd_begrunnelse"' in html(client.get(url("bytter")))
    client.post(url("bytte_behandle", bytte.pk), {"handling": "godkjenn", "versjon": bytte.versjon})
    with in_kommune(verden["vert"]):
        bytte.refresh_from_db()
        natt.refresh_from_db()
    assert bytte.status == "foreslatt" and natt.lege_id == verden["bjorn"].pk
    response = client.post(url("bytte_behandle", bytte.pk), {"handling": "godkjenn", "versjon": bytte.versjon,
                                                             "hvilebrudd_begrunnelse": "Legen har fri fra kontoret til kl. 12"})
    assert response.status_code == 302
    with in_kommune(verden["vert"]):
        bytte.refresh_from_db()
        natt.refresh_from_db()
    assert bytte.status == "godkjent" and natt.lege_id == verden["anna"].pk
    assert natt.hvilebrudd_begrunnelse == "Legen har fri fra kontoret til kl. 12"
