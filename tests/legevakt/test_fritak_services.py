"""Exemptions from legevakt through the services: the rules of fastlegeforskriften § 33 for
exemptions by right (claimed; over 60; pregnancy; breastfeeding; only outside opening hours) and
by discretionary decision (an enkeltvedtak with date, grounds, outcome and appeal status)."""

from __future__ import annotations

import datetime as dt

import pytest

from core.exceptions import StaleVersion
from legevakt import fritak_services as services
from legevakt.models import Fritak
from tests import register
from tests.api_helpers import service_messages
from tests.conftest import in_kommune

FRA = dt.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def k(bergen):
    with in_kommune(bergen):
        yield bergen


@pytest.fixture
def lege(k):
    return register.lege(k, fodselsdato=dt.date(1966, 6, 1))  # turns 60 on 1 June 2026


def rett(k, lege, type, **fields):
    values = {"krevd": FRA, "fra": FRA, **fields}
    return services.create_fritak(kommune=k, lege=lege, type=type, **values)


def test_age_exemption_from_the_day_the_doctor_turns_60(k, lege):
    messages = service_messages("fra", lambda: rett(k, lege, "rett_alder", fra=dt.date(2026, 5, 31), krevd=dt.date(2026, 5, 1)))
    assert "fyller 60 år" in messages[0] and "§ 33" in messages[0] and "01.06.2026" in messages[0]
    f = rett(k, lege, "rett_alder")
    assert (f.type, f.omfang, f.utfall, f.til) == ("rett_alder", "utenfor_apningstid", "innvilget", None)


def test_a_right_must_be_claimed_and_covers_only_outside_opening_hours(k, lege):
    assert "krever det" in service_messages("krevd", lambda: rett(k, lege, "rett_alder", krevd=None))[0]
    assert "utenom ordinær åpningstid" in service_messages("omfang", lambda: rett(k, lege, "rett_alder", omfang="all"))[0]
    assert service_messages("utfall", lambda: rett(k, lege, "rett_alder", utfall="avslatt"))
    assert service_messages("klagestatus", lambda: rett(k, lege, "rett_alder", klagestatus="klage_mottatt"))
    assert service_messages("fra", lambda: rett(k, lege, "rett_alder", krevd=dt.date(2026, 7, 1)))
    assert service_messages("svangerskap_hindrer", lambda: rett(k, lege, "rett_alder", svangerskap_hindrer=True))
    assert not Fritak.objects.exists()


def test_pregnancy_at_most_three_months_unless_the_pregnancy_prevents_it(k, lege):
    assert "sluttdato" in service_messages("til", lambda: rett(k, lege, "rett_graviditet"))[0]
    messages = service_messages("til", lambda: rett(k, lege, "rett_graviditet", til=dt.date(2026, 9, 2)))
    assert "3 månedene" in messages[0] and "01.09.2026" in messages[0] and "§ 33" in messages[0]
    assert rett(k, lege, "rett_graviditet", til=dt.date(2026, 9, 1)).til == dt.date(2026, 9, 1)
    f = rett(k, lege, "rett_graviditet", fra=dt.date(2027, 1, 1), krevd=dt.date(2027, 1, 1), til=dt.date(2027, 8, 1),
             svangerskap_hindrer=True)
    assert f.svangerskap_hindrer


def test_breastfeeding_at_most_twelve_months(k, lege):
    assert service_messages("til", lambda: rett(k, lege, "rett_amming"))
    assert "ett år" in service_messages("til", lambda: rett(k, lege, "rett_amming", til=dt.date(2027, 6, 2)))[0]
    assert rett(k, lege, "rett_amming", til=dt.date(2027, 6, 1)).til == dt.date(2027, 6, 1)


def test_discretionary_exemption_is_an_enkeltvedtak(k, lege):
    def skjonn(**fields):
        values = {"fra": FRA, "vedtaksdato": dt.date(2026, 5, 20), "grunnlag": "Kronisk sykdom.", "omfang": "all", **fields}
        return services.create_fritak(kommune=k, lege=lege, type="skjonn_helse", **values)

    assert "enkeltvedtak" in service_messages("vedtaksdato", lambda: skjonn(vedtaksdato=None))[0]
    assert "begrunnes" in service_messages("grunnlag", lambda: skjonn(grunnlag=" "))[0]
    assert service_messages("utfall", lambda: skjonn(utfall="kanskje"))
    assert not Fritak.objects.exists()
    avslag = skjonn(utfall="avslatt", saksnummer="26/123")
    assert (avslag.utfall, avslag.klagestatus, avslag.omfang) == ("avslatt", "ingen", "all")
    avslag = services.sett_klagestatus(fritak=avslag, expected_version=avslag.versjon, klagestatus="klage_mottatt")
    assert avslag.klagestatus == "klage_mottatt"
    avslag = services.update_fritak(fritak=avslag, expected_version=avslag.versjon, klagestatus="tatt_til_folge",
                                    utfall="innvilget")
    assert (avslag.utfall, avslag.klagestatus) == ("innvilget", "tatt_til_folge")
    with pytest.raises(StaleVersion):
        services.update_fritak(fritak=avslag, expected_version=avslag.versjon - 1, klagestatus="ingen")
    assert service_messages("lege", lambda: services.update_fritak(fritak=avslag, expected_version=avslag.versjon,
                                                                    lege=lege))


def test_doctor_must_be_registered_and_period_ordered(k, lege, sunnfjord):
    with in_kommune(sunnfjord):
        fremmed = register.lege(sunnfjord, fodselsdato=dt.date(1950, 1, 1))
    assert "Ukjent lege" in service_messages("lege", lambda: rett(k, fremmed.pk, "rett_alder"))[0]
    assert service_messages("til", lambda: rett(k, lege, "rett_alder", til=FRA))
    assert service_messages("fra", lambda: rett(k, lege, "rett_alder", fra=None))
    assert service_messages("til", lambda: rett(k, lege, "rett_alder", til=dt.date(2500, 1, 1)))
    assert service_messages("type", lambda: rett(k, lege, "ferie"))
    assert not Fritak.objects.exists()


def test_changing_a_right_is_checked_again(k, lege):
    f = rett(k, lege, "rett_graviditet", til=dt.date(2026, 8, 1))
    assert service_messages("til", lambda: services.update_fritak(fritak=f, expected_version=f.versjon,
                                                                   til=dt.date(2027, 1, 1)))
    f = services.update_fritak(fritak=f, expected_version=f.versjon, til=dt.date(2027, 1, 1), svangerskap_hindrer=True)
    assert f.til == dt.date(2027, 1, 1)
