"""Calendar feeds: the doctor's private iCalendar feed behind a secret URL (only the keyed hash
stored, revocable, own shifts only, UTC times, RFC 5545 folding and escaping) and the district's
roster feed, which requires login."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from legevakt import kalender, tid
from legevakt.models import Kalendernokkel, Legevaktdistrikt, Medlemskap, Stasjon, Vakt
from tests import register
from tests.conftest import in_kommune, user_with_role

pytestmark = pytest.mark.django_db

OSLO = ZoneInfo("Europe/Oslo")
NOW = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)


def oslo(year, month, day, hour=0, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=OSLO)


def lag_vakt(distrikt, lege, start, slutt, *, type="tilstedevakt", vaktklasse=3, stasjon=None, **fields) -> Vakt:
    return Vakt.objects.create(
        kommune_id=distrikt.kommune_id, distrikt=distrikt, lege=lege, type=type, vaktklasse=vaktklasse, start=start,
        slutt=slutt, stasjon=stasjon, dagkategori=tid.dagkategori(start), hoytid=tid.hoytid(start, slutt), **fields,
    )


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def verden(bergen, sunnfjord):
    """Anna has shifts in two districts of two kommuner (Bergen and Sunnfjord); Bjørn has one."""
    with in_kommune(bergen):
        bergen_vakt = Legevaktdistrikt.objects.create(kommune=bergen, navn="Bergen legevakt", type="en_kommune")
        Medlemskap.objects.create(kommune=bergen, distrikt=bergen_vakt, medlem=bergen, fra=dt.date(2020, 1, 1))
        stasjon = Stasjon.objects.create(kommune=bergen, distrikt=bergen_vakt, navn="Legevakten, sentrum; 1. etasje",
                                         adresse="Vestre Strømkaien 19, inngang fra Vaktgata (bak Bystasjonen)",
                                         postnummer="5008", poststed="Bergen")
        anna = register.lege(bergen, fornavn="Anna", etternavn="Aasen")
        bjorn = register.lege(bergen, fornavn="Bjørn", etternavn="Bjørnstad")
        anna_sommer = lag_vakt(bergen_vakt, anna, oslo(2027, 7, 1, 20), oslo(2027, 7, 2, 8), stasjon=stasjon)
        anna_vinter = lag_vakt(bergen_vakt, anna, oslo(2026, 12, 15, 20), oslo(2026, 12, 16, 8), stasjon=stasjon)
        anna_gammel = lag_vakt(bergen_vakt, anna, oslo(2026, 9, 1, 8), oslo(2026, 9, 1, 16))  # > 30 days ago
        anna_avlyst = lag_vakt(bergen_vakt, anna, oslo(2026, 12, 20, 8), oslo(2026, 12, 20, 16), status="avlyst",
                               avlyst_arsak="annet")
        bjorn_vakt = lag_vakt(bergen_vakt, bjorn, oslo(2026, 12, 16, 8), oslo(2026, 12, 16, 16))
    with in_kommune(sunnfjord):
        sunnfjord_vakt = Legevaktdistrikt.objects.create(kommune=sunnfjord, navn="Sunnfjord legevakt", type="en_kommune")
        Medlemskap.objects.create(kommune=sunnfjord, distrikt=sunnfjord_vakt, medlem=sunnfjord, fra=dt.date(2020, 1, 1))
        anna_sunnfjord = lag_vakt(sunnfjord_vakt, anna, oslo(2026, 12, 26, 8), oslo(2026, 12, 27, 8), type="hjemmevakt",
                                  vaktklasse=1)
    return {
        "anna": anna, "bjorn": bjorn, "distrikt": bergen_vakt, "anna_sommer": anna_sommer, "anna_vinter": anna_vinter,
        "anna_gammel": anna_gammel, "anna_avlyst": anna_avlyst, "bjorn_vakt": bjorn_vakt, "anna_sunnfjord": anna_sunnfjord,
        "bergen": bergen,
    }


def link(user, lege, k):
    with in_kommune(k):
        lege.bruker = user
        lege.save(update_fields=["bruker"])
    return user


@pytest.fixture
def anna_user(verden):
    return link(user_with_role("lege", verden["bergen"]), verden["anna"], verden["bergen"])


@pytest.fixture
def bjorn_user(verden):
    return link(user_with_role("lege", verden["bergen"]), verden["bjorn"], verden["bergen"])


def make_key(client, user) -> str:
    client.force_login(user)
    response = client.post(reverse("legevakt:kalender"), {"handling": "ny"})
    assert response.status_code == 200
    match = re.search(r'id="kalenderadresse" [^>]*value="http://testserver(/legevakt/kalender/[A-Za-z0-9_-]+\.ics)"',
                      response.content.decode())
    assert match, "the new address is shown"
    client.logout()
    return match.group(1)


def unfold(body: str) -> list[str]:
    return body.replace("\r\n ", "").split("\r\n")


def test_the_secret_is_shown_once_and_only_its_hash_is_stored(client, anna_user, verden):
    path = make_key(client, anna_user)
    raw = path.removeprefix("/legevakt/kalender/").removesuffix(".ics")
    assert len(raw) >= 43
    nokkel = Kalendernokkel.objects.get()
    assert nokkel.lege_id == verden["anna"].pk and nokkel.nokkel_hash != raw and raw not in nokkel.nokkel_hash
    assert len(nokkel.nokkel_hash) == 64
    client.force_login(anna_user)
    page = client.get(reverse("legevakt:kalender")).content.decode()
    assert raw not in page and "Trekk tilbake" in page


def test_the_feed_has_the_doctors_own_active_shifts_in_every_district_in_utc(client, anna_user, verden):
    path = make_key(client, anna_user)
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode("utf-8")
    lines = unfold(body)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert all("\n" not in line for line in body.split("\r\n"))
    uids = [line for line in lines if line.startswith("UID:")]
    expected = {verden["anna_sommer"], verden["anna_vinter"], verden["anna_sunnfjord"]}
    assert sorted(uids) == sorted(f"UID:vakt-{v.pk}@fastlegeadministrasjon.legevakt" for v in expected)
    # Summer: 20:00 Oslo is 18:00 UTC; winter: 19:00 UTC.
    assert "DTSTART:20270701T180000Z" in lines and "DTEND:20270702T060000Z" in lines
    assert "DTSTART:20261215T190000Z" in lines and "DTEND:20261216T070000Z" in lines
    assert "SUMMARY:Hjemmevakt (beredskap) – Sunnfjord legevakt" in lines
    assert "SUMMARY:Tilstedevakt – Bergen legevakt" in lines
    # No names at all, not the doctor's and never another doctor's.
    assert "Bjørnstad" not in body and "Aasen" not in body
    location = next(line for line in lines if line.startswith("LOCATION:"))
    assert location == ("LOCATION:Legevakten\\, sentrum\\; 1. etasje\\, Vestre Strømkaien 19\\, inngang fra Vaktgata "
                        "(bak Bystasjonen)\\, 5008 Bergen")


def test_sist_brukt_is_recorded(client, anna_user, verden):
    path = make_key(client, anna_user)
    client.get(path)
    assert Kalendernokkel.objects.get().sist_brukt == NOW


def test_the_uid_is_stable_per_shift(client, anna_user, verden):
    path = make_key(client, anna_user)
    first = [line for line in unfold(client.get(path).content.decode()) if line.startswith("UID:")]
    second = [line for line in unfold(client.get(path).content.decode()) if line.startswith("UID:")]
    assert first == second


def test_lines_are_folded_at_75_octets_without_splitting_characters(client, anna_user, verden):
    body = client.get(make_key(client, anna_user)).content
    for line in body.split(b"\r\n"):
        assert len(line) <= 75, line
        line.decode("utf-8")  # no character split across a fold
    assert b"\r\n " in body


def test_fold_and_escape_units():
    line = "SUMMARY:" + "æøå" * 40
    folded = kalender.fold(line)
    assert folded.replace("\r\n ", "") == line
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert kalender.escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    assert kalender.fold("SHORT:x") == "SHORT:x"


def test_a_revoked_key_answers_404_and_a_new_one_works(client, anna_user, verden):
    path = make_key(client, anna_user)
    assert client.get(path).status_code == 200
    client.force_login(anna_user)
    response = client.post(reverse("legevakt:kalender"), {"handling": "trekk"})
    assert "trukket tilbake" in response.content.decode()
    client.logout()
    assert client.get(path).status_code == 404
    new_path = make_key(client, anna_user)
    assert new_path != path
    assert client.get(new_path).status_code == 200
    assert client.get(path).status_code == 404
    # Regenerating replaces the active key.
    newer_path = make_key(client, anna_user)
    assert client.get(new_path).status_code == 404 and client.get(newer_path).status_code == 200
    assert Kalendernokkel.objects.filter(trukket_tilbake__isnull=True).count() == 1


def test_an_unknown_key_answers_404(client, verden):
    assert client.get(reverse("legevakt:kalender_feed", args=["ikke-en-nokkel"])).status_code == 404


def test_another_doctors_key_shows_only_that_doctors_shifts(client, anna_user, bjorn_user, verden):
    anna_path = make_key(client, anna_user)
    bjorn_path = make_key(client, bjorn_user)
    bjorn_body = client.get(bjorn_path).content.decode()
    uids = [line for line in unfold(bjorn_body) if line.startswith("UID:")]
    assert uids == [f"UID:vakt-{verden['bjorn_vakt'].pk}@fastlegeadministrasjon.legevakt"]
    assert f"vakt-{verden['anna_vinter'].pk}@" not in bjorn_body
    assert client.get(anna_path).status_code == 200  # one doctor's key does not revoke another's


def test_the_calendar_page_needs_a_linked_doctor(client, verden):
    client.force_login(user_with_role("lege", verden["bergen"]))
    response = client.get(reverse("legevakt:kalender"))
    assert "ikke knyttet til en lege" in response.content.decode()
    client.post(reverse("legevakt:kalender"), {"handling": "ny"})
    assert not Kalendernokkel.objects.exists()


def test_the_district_feed_requires_login_and_shows_names(client, verden):
    path = reverse("legevakt:distrikt_kalender", args=[verden["distrikt"].pk])
    anonymous = client.get(path)
    assert anonymous.status_code == 302 and "/konto/login/" in anonymous["Location"]
    client.force_login(user_with_role("lesetilgang", verden["bergen"]))
    response = client.get(path)
    assert response.status_code == 200 and response["Content-Type"] == "text/calendar; charset=utf-8"
    body = "\n".join(unfold(response.content.decode()))
    assert "Bjørn Bjørnstad" in body and "Anna Aasen" in body
    # Only this district's active shifts.
    assert f"vakt-{verden['anna_sunnfjord'].pk}@" not in body and f"vakt-{verden['anna_avlyst'].pk}@" not in body


def test_the_district_feed_needs_a_role_that_reads(client, verden):
    client.force_login(user_with_role("lege", verden["bergen"]))
    assert client.get(reverse("legevakt:distrikt_kalender", args=[verden["distrikt"].pk])).status_code == 403
