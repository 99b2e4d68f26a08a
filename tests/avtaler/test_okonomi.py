"""8.2-avtaler and their payments ledger: each rule of avtaler.okonomi_services has a test that fails
if the rule is removed, and the three-year look-back sums exactly the payments in the three years
before the given date (services and selectors, real PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from avtaler import okonomi_selectors, okonomi_services, services
from avtaler.models import Okonomiavtale, Okonomibetaling
from core.exceptions import StaleVersion
from core.history import history_for
from tests import register
from tests.conftest import in_kommune

TODAY = dt.date.today()
START = dt.date(2020, 1, 6)


def codes(exc: pytest.ExceptionInfo) -> set[str]:
    return {e.code for errors in exc.value.error_dict.values() for e in errors}


def messages(exc: pytest.ExceptionInfo, field: str) -> str:
    return " ".join(exc.value.message_dict[field])


@pytest.fixture
def k(bergen):
    with in_kommune(bergen):
        yield bergen


def fastlegeavtale_8_2(k, **fields):
    fields.setdefault("liste_", register.liste(k, fra=dt.date(2019, 1, 1)))
    return register.avtale(k, okonomisk_modell="asa4310_8_2", startdato=START, **fields)


@pytest.fixture
def fastlege(k):
    return fastlegeavtale_8_2(k, lege_=register.lege(k, fornavn="Selma", etternavn="Selger"))


def create(k, fastlege, **overrides):
    fields = {"kommune": k, "fastlegeavtale": fastlege, "ytelser": ["lokaler", "driftstilskudd"], "beskrivelse": "Kommunale lokaler",
                  "driftstilskudd_per_ar": Decimal("120000"), "startdato": START}
    return okonomi_services.create_okonomiavtale(**{**fields, **overrides})


def refused(k, fastlege, **overrides) -> pytest.ExceptionInfo:
    with pytest.raises(ValidationError) as exc:
        create(k, fastlege, **overrides)
    assert not Okonomiavtale.objects.exists()
    return exc


@pytest.fixture
def avtale(k, fastlege):
    return create(k, fastlege)


def pay(avtale, dato, belop, *, retning="til_lege", kategori="driftstilskudd", **fields):
    return okonomi_services.record_betaling(avtale=avtale, dato=dato, retning=retning, kategori=kategori,
                                           belop=Decimal(str(belop)), **fields)


# --- the avtale ------------------------------------------------------------------------------------------

def test_avtale_is_created_on_an_8_2_fastlegeavtale(k, fastlege):
    avtale = create(k, fastlege, kommunen_mottar="30 % av basistilskuddet", signert=START, avslutning="Tre måneders oppsigelse")
    assert (avtale.ytelser, avtale.driftstilskudd_per_ar, avtale.sluttdato) == (["lokaler", "driftstilskudd"], Decimal("120000.00"), None)


def test_pure_8_1_fastlegeavtale_is_refused_with_the_reason(k):
    ren = register.avtale(k, okonomisk_modell="asa4310_8_1", startdato=START, liste_=register.liste(k, fra=dt.date(2019, 1, 1)))
    exc = refused(k, ren)
    assert codes(exc) == {"ikke_8_2_modell"}
    text = messages(exc, "fastlegeavtale")
    assert "ASA 4310 pkt. 8.2" in text and "uten økonomisk medvirkning fra kommunen" in text and "Ren næring" in text


def test_kommunalt_ansatt_fastlege_is_refused(k):
    ansatt = register.avtale(k, tilknytningsform="ansatt", startdato=START, listetak=1200,
                             liste_=register.liste(k, fra=dt.date(2019, 1, 1), listetak=1200))
    assert codes(refused(k, ansatt)) == {"ikke_naeringsdrivende"}


def test_another_kommunes_fastlegeavtale_is_refused(k, sunnfjord):
    with in_kommune(sunnfjord):
        theirs = fastlegeavtale_8_2(sunnfjord)
    with in_kommune(k):
        assert codes(refused(k, theirs)) == {"ukjent_fastlegeavtale"}


@pytest.mark.parametrize(("overrides", "field", "code"), [
    ({"ytelser": [], "beskrivelse": " "}, "ytelser", "uten_innhold"),
    ({"ytelser": ["lokaler", "kaffe"]}, "ytelser", "ugyldig"),
    ({"inntektsgaranti_per_ar": Decimal("500000")}, "inntektsgaranti_per_ar", "ytelse_ikke_valgt"),
    ({"ytelser": ["lokaler"]}, "driftstilskudd_per_ar", "ytelse_ikke_valgt"),
    ({"driftstilskudd_per_ar": Decimal("-1")}, "driftstilskudd_per_ar", "belop_negativt"),
    ({"driftstilskudd_per_ar": Decimal("1.005")}, "driftstilskudd_per_ar", "for_mange_desimaler"),
    ({"driftstilskudd_per_ar": Decimal("10000000000")}, "driftstilskudd_per_ar", "belop_for_stort"),
    ({"driftstilskudd_per_ar": "mye"}, "driftstilskudd_per_ar", "ugyldig_belop"),
    ({"sluttdato": START}, "sluttdato", "periode"),
    ({"startdato": dt.date(2020, 1, 5)}, "startdato", "for_fastlegeavtalen"),
    ({"signert": TODAY + dt.timedelta(days=1)}, "signert", "fremtidig_dato"),
])
def test_bad_input_is_refused_on_its_field_and_nothing_is_saved(k, fastlege, overrides, field, code):
    exc = refused(k, fastlege, **overrides)
    assert set(exc.value.message_dict) == {field} and codes(exc) == {code}


def test_description_alone_is_enough_content(k, fastlege):
    avtale = create(k, fastlege, ytelser=[], beskrivelse="Kommunen dekker husleie", driftstilskudd_per_ar=None)
    assert avtale.ytelser == []


def test_period_must_lie_inside_the_fastlegeavtale(k, fastlege):
    services.record_oppsigelse(avtale=fastlege, part="lege", mottatt=dt.date(2026, 1, 10))  # ends 10 July 2026
    exc = refused(k, fastlege, sluttdato=dt.date(2026, 8, 1))
    assert codes(exc) == {"etter_fastlegeavtalen"} and "10.07.2026" in messages(exc, "sluttdato")
    assert codes(refused(k, fastlege, startdato=dt.date(2026, 7, 10))) == {"etter_fastlegeavtalen"}
    assert create(k, fastlege, sluttdato=dt.date(2026, 7, 10)).sluttdato == dt.date(2026, 7, 10)


def test_two_overlapping_8_2_avtaler_on_one_fastlegeavtale_are_refused(k, fastlege):
    create(k, fastlege, sluttdato=dt.date(2023, 1, 1))
    with pytest.raises(ValidationError) as exc:
        create(k, fastlege, startdato=dt.date(2022, 6, 1))
    assert exc.value.message_dict == {"fastlegeavtale": ["Fastlegeavtalen har allerede en 8.2-avtale i perioden."]}
    assert create(k, fastlege, startdato=dt.date(2023, 1, 1))  # back to back


def test_update_keeps_the_payments_inside_the_period(avtale):
    pay(avtale, dt.date(2024, 5, 2), 1000)
    with pytest.raises(ValidationError) as exc:
        okonomi_services.update_okonomiavtale(avtale=avtale, expected_version=avtale.versjon, startdato=dt.date(2024, 6, 1))
    assert codes(exc) == {"betaling_utenfor"} and "02.05.2024" in messages(exc, "startdato")
    with pytest.raises(ValidationError) as exc:
        okonomi_services.update_okonomiavtale(avtale=avtale, expected_version=avtale.versjon, sluttdato=dt.date(2024, 5, 2))
    assert codes(exc) == {"betaling_utenfor"}
    assert Okonomiavtale.objects.get(pk=avtale.pk).sluttdato is None
    updated = okonomi_services.update_okonomiavtale(
        avtale=avtale, expected_version=avtale.versjon, ytelser=["lokaler", "inntektsgaranti"], driftstilskudd_per_ar=None,
        inntektsgaranti_per_ar="450000.50", sluttdato=dt.date(2024, 5, 3))
    assert (updated.ytelser, updated.inntektsgaranti_per_ar, updated.sluttdato) == (
        ["lokaler", "inntektsgaranti"], Decimal("450000.50"), dt.date(2024, 5, 3))


def test_update_checks_the_amount_rule_on_the_avtale_as_changed(avtale):
    with pytest.raises(ValidationError) as exc:
        okonomi_services.update_okonomiavtale(avtale=avtale, expected_version=avtale.versjon, ytelser=["lokaler"])
    assert codes(exc) == {"ytelse_ikke_valgt"}


def test_update_with_a_stale_version_is_refused(avtale):
    version = avtale.versjon
    okonomi_services.update_okonomiavtale(avtale=avtale, expected_version=version, beskrivelse="Ny")
    stale = Okonomiavtale.objects.get(pk=avtale.pk)
    with pytest.raises(StaleVersion):
        okonomi_services.update_okonomiavtale(avtale=stale, expected_version=version, beskrivelse="Eldre")
    assert Okonomiavtale.objects.get(pk=avtale.pk).beskrivelse == "Ny"


def test_fastlegeavtale_cannot_be_changed(avtale, k):
    with pytest.raises(ValidationError) as exc:
        okonomi_services.update_okonomiavtale(avtale=avtale, expected_version=avtale.versjon, fastlegeavtale=fastlegeavtale_8_2(k))
    assert "fastlegeavtale" in exc.value.message_dict


def test_end_sets_the_end_after_the_last_payment(avtale):
    pay(avtale, dt.date(2025, 3, 1), 500)
    with pytest.raises(ValidationError) as exc:
        okonomi_services.end_okonomiavtale(avtale=avtale, expected_version=avtale.versjon, sluttdato=dt.date(2025, 3, 1))
    assert codes(exc) == {"betaling_utenfor"}
    ended = okonomi_services.end_okonomiavtale(avtale=avtale, expected_version=avtale.versjon, sluttdato=dt.date(2025, 3, 2),
                                               avslutning="Sagt opp av kommunen")
    assert (ended.sluttdato, ended.avslutning) == (dt.date(2025, 3, 2), "Sagt opp av kommunen")
    with pytest.raises(ValidationError) as exc:
        okonomi_services.end_okonomiavtale(avtale=ended, expected_version=ended.versjon, sluttdato=dt.date(2025, 6, 1))
    assert codes(exc) == {"ikke_avslutning"}


# --- the ledger ------------------------------------------------------------------------------------------

def test_payment_is_recorded_in_either_direction(avtale):
    out = pay(avtale, dt.date(2025, 1, 15), "10000.50", referanse="Bilag 17")
    back = pay(avtale, dt.date(2025, 2, 1), 2500, retning="til_kommune", kategori="andel_basistilskudd")
    assert (out.belop, out.utover_basistilskudd, back.utover_basistilskudd) == (Decimal("10000.50"), True, False)


@pytest.mark.parametrize(("dato", "belop", "field", "code"), [
    (dt.date(2020, 1, 5), 100, "dato", "utenfor_perioden"),
    (TODAY + dt.timedelta(days=1), 100, "dato", "fremtidig_dato"),
    (dt.date(2024, 1, 1), 0, "belop", "belop_ikke_positivt"),
    (dt.date(2024, 1, 1), -100, "belop", "belop_ikke_positivt"),
    (dt.date(2024, 1, 1), "100.001", "belop", "for_mange_desimaler"),
    (dt.date(2024, 1, 1), "12345678901", "belop", "belop_for_stort"),
    (dt.date(2024, 1, 1), "tusen", "belop", "ugyldig_belop"),
])
def test_bad_payment_is_refused_on_its_field_and_nothing_is_saved(avtale, dato, belop, field, code):
    with pytest.raises(ValidationError) as exc:
        okonomi_services.record_betaling(avtale=avtale, dato=dato, retning="til_lege", kategori="driftstilskudd", belop=belop)
    assert set(exc.value.message_dict) == {field} and codes(exc) == {code}
    assert not Okonomibetaling.objects.exists()


def test_payment_on_the_end_day_is_outside_the_period(k, fastlege):
    avtale = create(k, fastlege, sluttdato=dt.date(2024, 1, 1))
    assert pay(avtale, dt.date(2023, 12, 31), 100)
    with pytest.raises(ValidationError) as exc:
        pay(avtale, dt.date(2024, 1, 1), 100)
    assert codes(exc) == {"utenfor_perioden"}


def test_share_of_basistilskudd_to_the_gp_is_refused_by_the_database_rule(avtale):
    with pytest.raises(ValidationError) as exc:
        pay(avtale, dt.date(2024, 1, 1), 100, retning="til_lege", kategori="andel_refusjon")
    assert exc.value.message_dict == {"retning": ["En andel av basistilskudd eller refusjoner betales fra legen til kommunen."]}
    assert not Okonomibetaling.objects.exists()


def test_corrected_payment_keeps_the_old_values_in_its_history(avtale):
    betaling = pay(avtale, dt.date(2024, 3, 1), 1000)
    first_version = betaling.versjon
    fixed = okonomi_services.update_betaling(betaling=betaling, expected_version=first_version, belop="1500",
                                             referanse="Bilag 9")
    assert (fixed.belop, fixed.referanse) == (Decimal("1500.00"), "Bilag 9")
    changes = {(f, Decimal(str(old)), Decimal(str(new))) for entry in history_for(fixed) for f, old, new in entry.endringer
               if f == "belop"}
    assert changes == {("belop", Decimal("1000"), Decimal("1500"))}
    with pytest.raises(StaleVersion):
        okonomi_services.update_betaling(betaling=Okonomibetaling.objects.get(pk=betaling.pk), expected_version=first_version,
                                         belop="2000")
    with pytest.raises(ValidationError) as exc:
        okonomi_services.update_betaling(betaling=fixed, expected_version=fixed.versjon, kategori="andel_basistilskudd")
    assert list(exc.value.message_dict) == ["retning"]
    with pytest.raises(ValidationError) as exc:
        okonomi_services.update_betaling(betaling=fixed, expected_version=fixed.versjon, dato=dt.date(2019, 1, 1))
    assert codes(exc) == {"utenfor_perioden"}
    assert Okonomibetaling.objects.get(pk=betaling.pk).belop == Decimal("1500.00")


# --- the three-year look-back ---------------------------------------------------------------------------------

ON = dt.date(2026, 6, 15)
FRA = dt.date(2023, 6, 15)


def test_look_back_sums_exactly_the_payments_in_the_three_years_before_the_date(k, fastlege, avtale):
    pay(avtale, FRA - dt.timedelta(days=1), 1)          # 3 years + 1 day before: not counted
    pay(avtale, FRA, 10)                                # the first day of the window: counted
    pay(avtale, dt.date(2024, 2, 29), 100)              # counted
    pay(avtale, ON - dt.timedelta(days=1), 1000)        # the day before: counted
    pay(avtale, ON, 10000)                              # the date itself: not counted
    pay(avtale, dt.date(2025, 1, 1), 100000, kategori="basistilskudd")  # basistilskudd: not counted
    pay(avtale, dt.date(2025, 1, 2), 1000000, retning="til_kommune", kategori="andel_refusjon")  # to the kommune: beside it
    result = okonomi_selectors.tilbakeblikk(fastlegeavtale=fastlege, on=ON)
    assert (result.fra, result.til, result.ar) == (FRA, ON, 3)
    assert result.utbetalt_utover_basistilskudd == Decimal("1110.00")
    assert result.basistilskudd == Decimal("100000.00")
    assert result.mottatt_fra_lege == Decimal("1000000.00")
    assert result.netto == Decimal("1110.00") - Decimal("1000000.00")
    assert sorted(b.belop for b in result.betalinger) == [Decimal(x) for x in ("10.00", "100.00", "1000.00", "100000.00", "1000000.00")]
    assert [(r.ar, r.utover_basistilskudd, r.basistilskudd, r.mottatt_fra_lege) for r in result.per_ar] == [
        (2023, Decimal("10.00"), 0, 0), (2024, Decimal("100.00"), 0, 0), (2025, 0, Decimal("100000.00"), Decimal("1000000.00")),
        (2026, Decimal("1000.00"), 0, 0)]
    assert {(c.retning, c.kategori): c.sum for c in result.per_kategori} == {
        ("til_kommune", "andel_refusjon"): Decimal("1000000.00"), ("til_lege", "basistilskudd"): Decimal("100000.00"),
        ("til_lege", "driftstilskudd"): Decimal("1110.00")}
    assert "ASA 4310" in result.kilde


def test_look_back_moves_with_the_date(k, avtale, fastlege):
    pay(avtale, FRA, 10)
    assert okonomi_selectors.tilbakeblikk(fastlegeavtale=fastlege, on=ON).utbetalt_utover_basistilskudd == Decimal("10.00")
    after = okonomi_selectors.tilbakeblikk(fastlegeavtale=fastlege, on=ON + dt.timedelta(days=1))
    assert (after.fra, after.utbetalt_utover_basistilskudd) == (FRA + dt.timedelta(days=1), Decimal("0.00"))
    assert okonomi_selectors.tilbakeblikk(fastlegeavtale=fastlege, on=FRA).utbetalt_utover_basistilskudd == 0


def test_look_back_from_a_leap_day_starts_on_28_february(k, avtale, fastlege):
    pay(avtale, dt.date(2025, 2, 27), 1)
    pay(avtale, dt.date(2025, 2, 28), 10)
    result = okonomi_selectors.tilbakeblikk(fastlegeavtale=fastlege, on=dt.date(2028, 2, 29))
    assert result.fra == dt.date(2025, 2, 28) and result.utbetalt_utover_basistilskudd == Decimal("10.00")
    assert okonomi_selectors.tilbakeblikk(fastlegeavtale=fastlege, on=dt.date(2024, 2, 29)).fra == dt.date(2021, 2, 28)


def test_look_back_covers_all_the_practices_8_2_avtaler_and_nothing_else(k, fastlege):
    first = create(k, fastlege, sluttdato=dt.date(2024, 1, 1))
    second = create(k, fastlege, startdato=dt.date(2024, 1, 1), ytelser=["epj"], driftstilskudd_per_ar=None)
    pay(first, dt.date(2023, 12, 1), 300, kategori="lokaler")
    pay(second, dt.date(2024, 12, 1), 40, kategori="epj")
    other = create(k, fastlegeavtale_8_2(k))
    pay(other, dt.date(2024, 12, 1), 99999)
    result = okonomi_selectors.tilbakeblikk(fastlegeavtale=fastlege, on=ON)
    assert result.utbetalt_utover_basistilskudd == Decimal("340.00")
    assert {b.avtale_id for b in result.betalinger} == {first.pk, second.pk}


def test_look_back_is_one_aggregate_query(k, avtale, fastlege, django_assert_num_queries):
    for n in range(5):
        pay(avtale, dt.date(2024, 1, 1) + dt.timedelta(days=n), 10)
    with django_assert_num_queries(1):
        assert okonomi_selectors.tilbakeblikk(fastlegeavtale=fastlege, on=ON, med_betalinger=False).utbetalt_utover_basistilskudd == 50


def test_list_shows_the_running_sum_per_practice_as_of_the_date(k, fastlege):
    first = create(k, fastlege, sluttdato=dt.date(2024, 1, 1))
    second = create(k, fastlege, startdato=dt.date(2024, 1, 1))
    pay(first, dt.date(2023, 7, 1), 5)
    pay(second, dt.date(2025, 7, 1), 7)
    pay(second, dt.date(2025, 7, 2), 1000, kategori="basistilskudd")
    rows = {a.pk: a for a in okonomi_selectors.okonomiavtale_list(on=ON)}
    assert rows[first.pk].tilbakeblikk_sum == rows[second.pk].tilbakeblikk_sum == Decimal("12.00")
    assert (rows[first.pk].status, rows[second.pk].status, rows[second.pk].antall_betalinger) == ("opphort", "utkast", 2)


def test_payments_per_year_fill_the_gaps(avtale):
    pay(avtale, dt.date(2022, 5, 1), 10)
    pay(avtale, dt.date(2024, 5, 1), 20, kategori="basistilskudd")
    pay(avtale, dt.date(2024, 6, 1), 30, retning="til_kommune", kategori="andel_refusjon")
    rows = okonomi_selectors.betalinger_per_ar(avtale=avtale)
    assert [(r.ar, r.utover_basistilskudd, r.basistilskudd, r.mottatt_fra_lege) for r in rows] == [
        (2022, Decimal("10.00"), 0, 0), (2023, 0, 0, 0), (2024, 0, Decimal("20.00"), Decimal("30.00"))]
