"""Introduksjonsavtaler: each rule of avtaler.introduksjon_services has a test that fails if the rule
is removed (services, real PostgreSQL), plus the selectors and the deadlines."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from avtaler import introduksjon_selectors, introduksjon_services, services
from avtaler.introduksjon_frister import introduksjonsavtaler as frister_source
from avtaler.models import Alisavtale, Introduksjonsavtale, IntroduksjonsFastlege
from core.constraints import save_new
from core.dates import add_months
from core.exceptions import StaleVersion
from kommune import frister
from tests import register
from tests.conftest import in_kommune

START = dt.date(2026, 3, 2)
TODAY = dt.date.today()


def codes(exc: pytest.ExceptionInfo) -> set[str]:
    return {e.code for errors in exc.value.error_dict.values() for e in errors}


def messages(exc: pytest.ExceptionInfo, field: str) -> str:
    return " ".join(exc.value.message_dict[field])


@pytest.fixture
def k(bergen):
    with in_kommune(bergen):
        yield bergen


@pytest.fixture
def kontor(k):
    return register.legekontor(k, navn="Fjellsiden legesenter")


@pytest.fixture
def fastlege(k, kontor):
    """A signed fastlegeavtale on a list at the office, running from 5 January 2026."""
    return register.avtale(k, lege_=register.lege(k, fornavn="Frida", etternavn="Fastlege"),
                           liste_=register.liste(k, kontor=kontor))


@pytest.fixture
def intro_lege(k):
    return register.lege(k, fornavn="Ivar", etternavn="Introlege", under_spesialisering_fra=dt.date(2025, 9, 1))


def create(k, kontor, intro_lege, fastleger, **overrides):
    fields = {
        "kommune": k, "lege": intro_lege, "legekontor": kontor, "godkjenning_referanse": "HDIR 22/1234", "tilknytning": "fastlonn",
        "kostnadsfordeling": "Kommunen dekker lønn; fastlegene stiller kontor og utstyr.", "startdato": START,
        "godkjent_dato": dt.date(2026, 1, 15), "fastlegeavtaler": fastleger,
    }
    return introduksjon_services.create_introduksjonsavtale(**{**fields, **overrides})


def refused(k, kontor, intro_lege, fastleger, **overrides) -> pytest.ExceptionInfo:
    with pytest.raises(ValidationError) as exc:
        create(k, kontor, intro_lege, fastleger, **overrides)
    assert not Introduksjonsavtale.objects.exists() and not IntroduksjonsFastlege.objects.exists()
    return exc


# --- creating ---------------------------------------------------------------------------------------

def test_avtale_is_created_with_its_participants_and_the_default_length(k, kontor, fastlege, intro_lege):
    avtale = create(k, kontor, intro_lege, [fastlege])
    assert avtale.sluttdato == add_months(START, 24) == dt.date(2028, 3, 2)
    assert list(avtale.fastleger.all()) == [fastlege]
    assert (avtale.godkjenning_referanse, avtale.tilknytning, avtale.signert) == ("HDIR 22/1234", "fastlonn", None)


def test_default_length_follows_the_rule_parameter(k, kontor, fastlege, intro_lege, monkeypatch):
    from kommune import regler

    original = regler.verdi
    monkeypatch.setattr(regler, "verdi", lambda kode, on=None: 12 if kode == "introduksjonsavtale_varighet_maneder"
                        else original(kode, on))
    assert create(k, kontor, intro_lege, [fastlege]).sluttdato == dt.date(2027, 3, 2)


def test_an_explicit_end_is_kept(k, kontor, fastlege, intro_lege):
    assert create(k, kontor, intro_lege, [fastlege], sluttdato=dt.date(2027, 1, 1)).sluttdato == dt.date(2027, 1, 1)


def test_at_least_one_participating_fastlege(k, kontor, intro_lege):
    exc = refused(k, kontor, intro_lege, [])
    assert codes(exc) == {"ingen_fastleger"} and "trygderefusjonsforskriften" in messages(exc, "fastlegeavtaler")


def test_participant_must_be_at_the_same_office_and_the_message_says_why(k, kontor, intro_lege):
    elsewhere = register.avtale(k, liste_=register.liste(k, kontor=register.legekontor(k, navn="Sentrum legekontor")))
    exc = refused(k, kontor, intro_lege, [elsewhere])
    assert codes(exc) == {"annet_legekontor"}
    text = messages(exc, "fastlegeavtaler")
    assert "Sentrum legekontor" in text and "Fjellsiden legesenter" in text and "ved siden av" in text


def test_participant_must_be_signed(k, kontor, intro_lege):
    draft = register.avtale(k, liste_=register.liste(k, kontor=kontor), signed=False)
    assert codes(refused(k, kontor, intro_lege, [draft])) == {"fastlegeavtale_ikke_signert"}


def test_participant_must_run_during_the_period(k, kontor, fastlege, intro_lege):
    services.record_oppsigelse(avtale=fastlege, part="lege", mottatt=dt.date(2026, 1, 10))  # ends 10 July 2026
    exc = refused(k, kontor, intro_lege, [fastlege], startdato=dt.date(2026, 8, 3), godkjent_dato=None)
    assert codes(exc) == {"fastlegeavtale_utenfor_perioden"} and "10.07.2026" in messages(exc, "fastlegeavtaler")
    # Overlapping by one day is enough: the fastlege has listeansvar when the avtale starts.
    assert create(k, kontor, intro_lege, [fastlege], startdato=dt.date(2026, 7, 9), godkjent_dato=None)


def test_fastlegeavtale_starting_after_the_period_does_not_take_part(k, kontor, intro_lege):
    later = register.avtale(k, liste_=register.liste(k, kontor=kontor), startdato=dt.date(2026, 6, 1), signed=False)
    later = services.sign_avtale(avtale=later, expected_version=later.versjon, signert=TODAY)
    exc = refused(k, kontor, intro_lege, [later], sluttdato=dt.date(2026, 6, 1))
    assert codes(exc) == {"fastlegeavtale_utenfor_perioden"}


def test_introduksjonslege_cannot_be_a_participating_fastlege(k, kontor, fastlege):
    exc = refused(k, kontor, fastlege.lege, [fastlege])
    assert codes(exc) == {"introduksjonslege_er_fastlege"}


def test_a_specialist_in_allmennmedisin_cannot_be_introduksjonslege(k, kontor, fastlege):
    spesialist = register.lege(k, spesialist_allmennmedisin_fra=dt.date(2020, 1, 1))
    exc = refused(k, kontor, spesialist, [fastlege])
    assert codes(exc) == {"allerede_spesialist"} and "spesialisering" in messages(exc, "lege")
    # Becoming a specialist later (during the avtale) is the goal, not a bar.
    later = register.lege(k, spesialist_allmennmedisin_fra=dt.date(2027, 6, 1))
    assert create(k, kontor, later, [fastlege])


@pytest.mark.parametrize(("overrides", "field", "code"), [
    ({"sluttdato": START}, "sluttdato", "periode"),
    ({"sluttdato": dt.date(2026, 1, 1)}, "sluttdato", "periode"),
    ({"godkjent_dato": dt.date(2026, 3, 3)}, "godkjent_dato", "godkjent_etter_start"),
    ({"startdato": dt.date(2027, 3, 1), "godkjent_dato": TODAY + dt.timedelta(days=1)}, "godkjent_dato", "fremtidig_dato"),
    ({"signert": TODAY + dt.timedelta(days=1)}, "signert", "fremtidig_dato"),
    ({"signert": dt.date(2026, 1, 14)}, "signert", "signert_for_godkjenning"),
    ({"godkjenning_referanse": "  "}, "godkjenning_referanse", "godkjenning_mangler"),
    ({"kostnadsfordeling": ""}, "kostnadsfordeling", "kostnadsfordeling_mangler"),
    ({"tilknytning": "ansatt"}, "tilknytning", "ugyldig"),
])
def test_bad_input_is_refused_on_its_field_and_nothing_is_saved(k, kontor, fastlege, intro_lege, overrides, field, code):
    exc = refused(k, kontor, intro_lege, [fastlege], **overrides)
    assert set(exc.value.message_dict) == {field} and codes(exc) == {code}


def test_approval_on_the_start_day_is_accepted(k, kontor, fastlege, intro_lege):
    assert create(k, kontor, intro_lege, [fastlege], godkjent_dato=START, signert=START)


def test_another_kommunes_fastlegeavtale_is_unknown(k, kontor, intro_lege, sunnfjord):
    with in_kommune(sunnfjord):
        theirs = register.avtale(sunnfjord)
    with in_kommune(k):
        exc = refused(k, kontor, intro_lege, [theirs.pk])
    assert codes(exc) == {"ukjent_fastlegeavtale"}


def test_same_doctor_cannot_have_two_overlapping_avtaler(k, kontor, fastlege, intro_lege):
    create(k, kontor, intro_lege, [fastlege])
    with pytest.raises(ValidationError) as exc:
        create(k, kontor, intro_lege, [fastlege], startdato=dt.date(2027, 1, 4), godkjent_dato=None)
    assert exc.value.message_dict == {"lege": ["Legen har allerede en introduksjonsavtale i perioden."]}
    assert Introduksjonsavtale.objects.count() == 1
    # Back to back is fine (the end is the first day the first no longer applies).
    assert create(k, kontor, intro_lege, [fastlege], startdato=dt.date(2028, 3, 2), godkjent_dato=None)


def test_duplicate_participants_are_kept_once(k, kontor, fastlege, intro_lege):
    avtale = create(k, kontor, intro_lege, [fastlege, fastlege.pk])
    assert IntroduksjonsFastlege.objects.filter(introduksjonsavtale=avtale).count() == 1


# --- changing ---------------------------------------------------------------------------------------

@pytest.fixture
def avtale(k, kontor, fastlege, intro_lege):
    return create(k, kontor, intro_lege, [fastlege])


def test_update_changes_terms_and_bumps_the_version(avtale):
    updated = introduksjon_services.update_introduksjonsavtale(
        avtale=avtale, expected_version=avtale.versjon, tilknytning="naering", kostnadsfordeling="Delt likt",
        signert=dt.date(2026, 2, 1))
    assert (updated.tilknytning, updated.kostnadsfordeling, updated.signert) == ("naering", "Delt likt", dt.date(2026, 2, 1))
    assert updated.versjon == avtale.versjon + 1 or updated.versjon > 1


def test_update_with_a_stale_version_is_refused(avtale):
    version = avtale.versjon
    introduksjon_services.update_introduksjonsavtale(avtale=avtale, expected_version=version, kostnadsfordeling="A")
    stale = Introduksjonsavtale.objects.get(pk=avtale.pk)
    with pytest.raises(StaleVersion):
        introduksjon_services.update_introduksjonsavtale(avtale=stale, expected_version=version, kostnadsfordeling="B")
    assert Introduksjonsavtale.objects.get(pk=avtale.pk).kostnadsfordeling == "A"


def test_participants_are_replaced_and_the_version_moves(k, kontor, avtale, fastlege):
    other = register.avtale(k, lege_=register.lege(k, etternavn="Andrelege"), liste_=register.liste(k, kontor=kontor))
    before = Introduksjonsavtale.objects.get(pk=avtale.pk).versjon
    updated = introduksjon_services.update_introduksjonsavtale(avtale=avtale, expected_version=before, fastlegeavtaler=[other])
    assert list(updated.fastleger.all()) == [other] and updated.versjon > before
    history = introduksjon_selectors.deltaker_historikk(avtale=updated)
    assert [(h.hendelse, h.lege) for h in history][:2] in (
        [("insert", other.lege.navn), ("delete", fastlege.lege.navn)], [("delete", fastlege.lege.navn), ("insert", other.lege.navn)])


def test_replacing_participants_with_none_is_refused(avtale, fastlege):
    with pytest.raises(ValidationError) as exc:
        introduksjon_services.update_introduksjonsavtale(avtale=avtale, expected_version=avtale.versjon, fastlegeavtaler=[])
    assert codes(exc) == {"ingen_fastleger"}
    assert list(Introduksjonsavtale.objects.get(pk=avtale.pk).fastleger.all()) == [fastlege]


def test_moving_the_office_needs_participants_there(k, avtale):
    annet = register.legekontor(k, navn="Annet kontor")
    with pytest.raises(ValidationError) as exc:
        introduksjon_services.update_introduksjonsavtale(avtale=avtale, expected_version=avtale.versjon, legekontor=annet)
    assert codes(exc) == {"annet_legekontor"}
    there = register.avtale(k, liste_=register.liste(k, kontor=annet))
    moved = introduksjon_services.update_introduksjonsavtale(
        avtale=avtale, expected_version=avtale.versjon, legekontor=annet, fastlegeavtaler=[there])
    assert moved.legekontor == annet


def test_doctor_cannot_be_changed(avtale, k):
    with pytest.raises(ValidationError) as exc:
        introduksjon_services.update_introduksjonsavtale(avtale=avtale, expected_version=avtale.versjon, lege=register.lege(k))
    assert "lege" in exc.value.message_dict


def test_update_to_an_overlap_with_the_doctors_other_avtale_is_a_field_error(k, kontor, fastlege, intro_lege, avtale):
    second = create(k, kontor, intro_lege, [fastlege], startdato=dt.date(2028, 3, 2), godkjent_dato=None)
    with pytest.raises(ValidationError) as exc:
        introduksjon_services.update_introduksjonsavtale(avtale=avtale, expected_version=avtale.versjon,
                                                         sluttdato=dt.date(2028, 6, 1))
    assert exc.value.message_dict == {"lege": ["Legen har allerede en introduksjonsavtale i perioden."]}
    assert Introduksjonsavtale.objects.get(pk=avtale.pk).sluttdato == dt.date(2028, 3, 2) and second.pk


def test_end_shortens_but_does_not_extend(avtale):
    ended = introduksjon_services.end_introduksjonsavtale(avtale=avtale, expected_version=avtale.versjon,
                                                          sluttdato=dt.date(2027, 1, 1))
    assert ended.sluttdato == dt.date(2027, 1, 1)
    with pytest.raises(ValidationError) as exc:
        introduksjon_services.end_introduksjonsavtale(avtale=ended, expected_version=ended.versjon, sluttdato=dt.date(2027, 6, 1))
    assert codes(exc) == {"ikke_avslutning"}
    with pytest.raises(ValidationError) as exc:
        introduksjon_services.end_introduksjonsavtale(avtale=ended, expected_version=ended.versjon, sluttdato=START)
    assert codes(exc) == {"periode"}


# --- selectors and deadlines --------------------------------------------------------------------------

def test_list_counts_participants_and_links_the_alis_avtale(k, kontor, fastlege, intro_lege, avtale):
    alis = save_new(Alisavtale(
        kommune=k, lege=intro_lege, relasjon="introduksjonslege", introduksjonsavtale=avtale, arbeidssted="Fjellsiden",
        stillingsprosent=100, signert=START, startdato=START,
    ))
    row = introduksjon_selectors.introduksjonsavtale_list(on=dt.date(2026, 2, 1)).get(pk=avtale.pk)
    assert (row.antall_fastleger, row.alisavtale_id, row.status) == (1, alis.pk, "utkast")
    assert list(introduksjon_selectors.alisavtaler_for(avtale=avtale)) == [alis]
    introduksjon_services.update_introduksjonsavtale(avtale=avtale, expected_version=avtale.versjon, signert=dt.date(2026, 2, 1))
    assert introduksjon_selectors.introduksjonsavtale_list(on=dt.date(2026, 2, 1)).get(pk=avtale.pk).status == "kommende"
    assert introduksjon_selectors.introduksjonsavtale_list(on=START).get(pk=avtale.pk).status == "aktiv"
    assert introduksjon_selectors.introduksjonsavtale_list(on=dt.date(2028, 3, 2)).get(pk=avtale.pk).status == "opphort"


def test_deadlines_show_unsigned_starts_and_the_end_and_join_the_kommunes_list(k, kontor, fastlege, intro_lege, avtale):
    assert frister_source in frister.registered()
    unsigned = frister_source(k, dt.date(2026, 2, 1), dt.date(2026, 3, 31))
    assert [(f.dato, f.type, f.url) for f in unsigned] == [
        (START, "introduksjonsavtale_signering", f"/avtaler/introduksjon/{avtale.pk}/")]
    assert "Ivar Introlege" in str(unsigned[0].tittel)
    assert frister_source(k, dt.date(2026, 1, 1), dt.date(2026, 3, 1)) == []  # starts after the window
    # Still outstanding after the start day; gone when signed.
    assert [f.type for f in frister_source(k, dt.date(2026, 6, 1), dt.date(2026, 7, 1))] == ["introduksjonsavtale_signering"]
    introduksjon_services.update_introduksjonsavtale(avtale=avtale, expected_version=avtale.versjon, signert=dt.date(2026, 2, 1))
    assert frister_source(k, dt.date(2026, 2, 1), dt.date(2026, 7, 1)) == []
    ending = [f for f in frister.collect(k, dt.date(2028, 1, 1), dt.date(2028, 6, 1)) if f.type.startswith("introduksjonsavtale")]
    assert [(f.dato, f.type, f.url) for f in ending] == [
        (dt.date(2028, 3, 2), "introduksjonsavtale_slutt", f"/avtaler/introduksjon/{avtale.pk}/")]
    assert "ALIS" not in str(ending[0].beskrivelse)
    assert frister_source(k, dt.date(2028, 3, 3), dt.date(2028, 6, 1)) == []


def test_deadline_for_the_end_says_the_alis_avtale_ends_too(k, intro_lege, avtale):
    save_new(Alisavtale(
        kommune=k, lege=intro_lege, relasjon="introduksjonslege", introduksjonsavtale=avtale, arbeidssted="Fjellsiden",
        stillingsprosent=100, signert=START, startdato=START,
    ))
    [frist] = [f for f in frister_source(k, dt.date(2028, 3, 1), dt.date(2028, 3, 31)) if f.type == "introduksjonsavtale_slutt"]
    assert "ALIS-avtalen" in str(frist.beskrivelse)


def test_deadline_source_uses_one_query_whatever_the_rows(k, kontor, fastlege, django_assert_num_queries):
    for n in range(3):
        create(k, kontor, register.lege(k, etternavn=f"Intro{n}"), [fastlege])
    with django_assert_num_queries(1):
        assert len(frister_source(k, dt.date(2028, 1, 1), dt.date(2028, 6, 1))) == 6  # ending, and still unsigned
