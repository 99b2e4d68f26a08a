"""The kommune's deadlines page (/frister/): one list sorted by date from the registered sources,
each linking to its object, in a constant number of queries."""

from __future__ import annotations

import datetime as dt
import html as html_lib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from avtaler import services
from avtaler.models import HelfoMelding
from core.dates import add_months, birthday
from kommune import frister
from tests import register
from tests.conftest import in_kommune

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()


def page(response) -> str:
    return html_lib.unescape(response.content.decode())


def d(day: dt.date) -> str:
    return day.strftime("%-d.%-m.%Y")


def test_frister_lists_notice_steps_age_limits_and_unconfirmed_helfo_messages_sorted_by_date(page_client, bergen):
    seventy_in = add_months(TODAY, 4)
    with in_kommune(bergen):
        notice = register.avtale(bergen, lege_=register.lege(bergen, etternavn="Oppsagtsen"))
        services.record_oppsigelse(avtale=notice, part="lege", mottatt=TODAY)
        reduction = register.avtale(bergen, lege_=register.lege(bergen, etternavn="Reduksjonsen"), listetak=1500)
        services.request_listetak_change(avtale=reduction, initiativ="lege", mottatt=TODAY, til_listetak=1200)
        old = register.avtale(bergen, lege_=register.lege(bergen, etternavn="Eldresen", fodselsdato=birthday(seventy_in, -70)))
        melding = HelfoMelding.objects.filter(avtale=old).first()
        # Confirmed messages are not deadlines.
        confirmed = register.avtale(bergen, lege_=register.lege(bergen, etternavn="Bekreftetsen"))
        m = HelfoMelding.objects.get(avtale=confirmed)
        m = services.mark_helfo_sent(melding=m, expected_version=m.versjon, sendt=TODAY)
        services.mark_helfo_confirmed(melding=m, expected_version=m.versjon, bekreftet=TODAY)

    response = page_client.get("/frister/")
    assert response.status_code == 200
    html = page(response)
    notice_end, step = add_months(TODAY, 6), add_months(TODAY, 6)
    assert f'<a href="/avtaler/{notice.pk}/">Fastlegeavtalen med Kari Oppsagtsen opphører</a>' in html
    assert f'<a href="/avtaler/{reduction.pk}/">Nytt listetak for Kari Reduksjonsen</a>' in html
    assert f'<a href="/avtaler/{old.pk}/">Kari Eldresen fyller 70 år</a>' in html and d(seventy_in) in html
    assert "fastlegeforskriften (FOR-2025-12-02-2405) § 12 tredje ledd" in html
    assert f'href="/avtaler/helfo/{melding.pk}/"' in html and "Utkast, ikke sendt til Helfo." in html
    assert "Bekreftetsen" not in html
    assert d(notice_end) in html and d(step) in html
    # Sorted by date: today's drafts, the 70th birthday in four months, then the six-month deadlines.
    assert html.index("Melding til Helfo") < html.index("Eldresen fyller 70") < html.index("Oppsagtsen opphører")


def test_a_doctor_turning_80_with_an_extension_is_a_deadline(page_client, bergen):
    born = birthday(add_months(TODAY, 2), -80)
    with in_kommune(bergen):
        lege = register.lege(bergen, etternavn="Forlengetsen", fodselsdato=born)
        # Started long before turning 70, extended to 80 by a decision.
        avtale = services.create_avtale(kommune=bergen, lege=lege, pasientliste=register.liste(bergen, fra=dt.date(2013, 1, 1)),
                                        tilknytningsform="naeringsdrivende", okonomisk_modell="asa4310_8_1",
                                        startdato=dt.date(2013, 1, 1), listetak=1000)
        avtale = services.sign_avtale(avtale=avtale, expected_version=avtale.versjon, signert=dt.date(2013, 1, 1))
        services.extend_beyond_70(avtale=avtale, forlenget_til=birthday(born, 80), begrunnelse="Rekruttering", vedtaksdato=TODAY)
    html = page(page_client.get("/frister/"))
    assert "Kari Forlengetsen fyller 80 år" in html
    assert "Forlengelsen for Kari Forlengetsen utløper" in html


def test_deadlines_outside_the_window_and_of_ended_avtaler_are_not_shown(page_client, bergen):
    with in_kommune(bergen):
        register.avtale(bergen, lege_=register.lege(bergen, etternavn="Ungesen", fodselsdato=dt.date(1980, 1, 1)))
    html = page(page_client.get("/frister/"))
    assert "Ungesen fyller" not in html


def _unit(k, i: int) -> None:
    """One avtale with a deadline of each kind in turn (plus its Helfo messages)."""
    if i % 3 == 2:
        register.avtale(k, lege_=register.lege(k, fodselsdato=birthday(add_months(TODAY, 1 + i % 10), -70)))
        return
    avtale = register.avtale(k)
    if i % 3 == 0:
        services.record_oppsigelse(avtale=avtale, part="lege", mottatt=TODAY)
    else:
        services.request_listetak_change(avtale=avtale, initiativ="lege", mottatt=TODAY, til_listetak=1200)


def test_frister_uses_the_same_number_of_queries_for_10_and_100_units(page_client, bergen):
    page_client.get("/frister/")  # warm up (session, content types)
    counts, made = [], 0
    for total in (10, 100):
        with in_kommune(bergen):
            while made < total:
                _unit(bergen, made)
                made += 1
        with CaptureQueriesContext(connection) as ctx:
            response = page_client.get("/frister/")
        assert response.status_code == 200
        rows = page(response).count('<th scope="row"><a href="/avtaler/')
        assert rows >= 2 * total  # each unit: its deadline and its unconfirmed Helfo message(s)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_registry_collects_sources_sorted_by_date(bergen):
    day = dt.date(2030, 1, 1)

    def later(kommune, fra, til):
        return [frister.Frist(dato=day + dt.timedelta(days=5), type="test", tittel="B")]

    def earlier(kommune, fra, til):
        return [frister.Frist(dato=day, type="test", tittel="A", url="/x/")]

    frister.register(later)
    frister.register(earlier)
    frister.register(earlier)  # idempotent
    try:
        with in_kommune(bergen):
            items = [f for f in frister.collect(bergen, day, day + dt.timedelta(days=30)) if f.type == "test"]
    finally:
        frister.unregister(later)
        frister.unregister(earlier)
    assert [f.tittel for f in items] == ["A", "B"]
    assert later not in frister.registered()


def test_frister_needs_a_login_and_a_role(client):
    response = client.get("/frister/")
    assert response.status_code == 302 and "/konto/login/" in response["Location"]
