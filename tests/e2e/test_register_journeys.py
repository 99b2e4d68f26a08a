"""The register in the browser (issue 4's «done when»): a kommuneoverlege registers a new fastlege
on a list and prints the Helfo message, changes a listetak within the rules (a refused change names
the rule), records a notice and sees its deadline. Every page visited passes axe-core."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from avtaler.models import Fastlegeavtale
from core.dates import add_months
from tests import register
from tests.conftest import in_kommune, user_with_role
from tests.e2e.flows import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("kommune_data")]


def test_kommuneoverlege_registers_a_fastlege_changes_listetak_and_records_notice(page, live_server, axe, bergen):
    user = user_with_role("kommuneoverlege", bergen)
    with in_kommune(bergen):
        lege = register.lege(bergen, fornavn="Sigrid", etternavn="Aalvik")
        liste = register.liste(bergen, listetak=1500, navn="Ledig liste Fana")
    log_in(page, live_server.url, user, axe=axe)

    # The register: lists and the doctor.
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Lister", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_text("Ledig liste Fana").first).to_be_visible()
    axe.check(page)

    # A new fastlegeavtale on the vacant list, signed.
    page.goto(f"{live_server.url}/avtaler/ny/")
    axe.check(page)
    page.get_by_label("Lege", exact=True).select_option(str(lege.pk))
    page.get_by_label("Pasientliste").select_option(str(liste.pk))
    page.get_by_label("Tilknytningsform").select_option("naeringsdrivende")
    page.get_by_label("Økonomisk modell").select_option("asa4310_8_1")
    page.get_by_label("Startdato").fill("2026-01-05")
    page.get_by_label("Listetak", exact=True).fill("2501")
    page.get_by_role("button").filter(has_text=re.compile("Lagre|Opprett|Registrer")).first.click()
    expect(page.locator(".error").first).to_contain_text("§ 10")  # the refusal names the rule
    axe.check(page)
    page.get_by_label("Listetak", exact=True).fill("1500")
    page.get_by_role("button").filter(has_text=re.compile("Lagre|Opprett|Registrer")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sigrid Aalvik")
    axe.check(page)
    page.get_by_role("link", name="Signer avtalen").click()
    axe.check(page)
    page.get_by_role("button").filter(has_text=re.compile("Signer")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sigrid Aalvik")
    with in_kommune(bergen):
        avtale = Fastlegeavtale.objects.get(lege=lege)
        assert avtale.signert is not None and avtale.legeperiode.lege_id == lege.pk

    # The printable Helfo message (form 05-04.27).
    page.locator("#helfo").locator("xpath=following::a[1]").click()
    expect(page.get_by_text("05-04.27").first).to_be_visible()
    expect(page.get_by_text(lege.hpr_nummer).first).to_be_visible()
    axe.check(page)

    # A listetak change within the rules; the kommune alone cannot reduce it (§ 11).
    page.goto(f"{live_server.url}/avtaler/{avtale.pk}/listetak/")
    axe.check(page)
    page.get_by_label("Hvem endringen kommer fra").select_option("kommune")
    page.get_by_label("Nytt listetak").fill("1200")
    page.get_by_role("button").filter(has_text=re.compile("Lagre|Registrer")).first.click()
    expect(page.locator(".error").first).to_contain_text("§ 11")
    axe.check(page)
    page.get_by_label("Hvem endringen kommer fra").select_option("lege")
    page.get_by_role("button").filter(has_text=re.compile("Lagre|Registrer")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sigrid Aalvik")
    expect(page.locator("#listetak").locator("xpath=following::table[1]")).to_contain_text("1200")

    # A notice from the GP: six months, and the deadline appears under «Frister».
    page.goto(f"{live_server.url}/avtaler/{avtale.pk}/oppsigelse/")
    axe.check(page)
    page.get_by_label("Sagt opp av").select_option("lege")
    page.get_by_label("Oppsigelsen mottatt eller gitt").fill(dt.date.today().isoformat())
    page.get_by_role("button").filter(has_text=re.compile("Lagre|Registrer")).first.click()
    ends = add_months(dt.date.today(), 6)
    expect(page.get_by_text(ends.strftime("%d.%m.%Y")).first).to_be_visible()
    axe.check(page)
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Frister").click()
    expect(page.get_by_role("main")).to_contain_text("Sigrid Aalvik")
    expect(page.get_by_role("main")).to_contain_text(ends.strftime("%d.%m.%Y"))
    axe.check(page)


def test_public_page_lists_free_places_without_login(page, live_server, axe, bergen):
    from lister import services as lister_services

    with in_kommune(bergen):
        a = register.avtale(bergen, lege_=register.lege(bergen, fornavn="Åse", etternavn="Ledigsen"), listetak=1000)
        lister_services.record_listetall(liste=a.pasientliste, dato=dt.date.today(), listelengde=900)
    page.goto(f"{live_server.url}/offentlig/4601/ledige-plasser/")
    expect(page.get_by_role("main")).to_contain_text("Åse Ledigsen")
    expect(page.get_by_role("main")).to_contain_text("100")
    axe.check(page)
