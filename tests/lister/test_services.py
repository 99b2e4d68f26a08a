"""Lists, offices and doctors: validation, the shared doctor record, derived status, the
set-based nightly application of listetak steps, and concurrent engagements."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connections, transaction

from avtaler import services as avtaler_services
from avtaler.models import ListetakTrinn
from core.context import scope
from core.history import history_for
from core.models import JobRun
from kommune import services as kommune_services
from kommune.models import Lege
from lister import selectors, services
from lister.models import Legeperiode, organisasjonsnummer_valid
from tests import register
from tests.conftest import in_kommune, kommune, user_with_role
from tests.test_concurrency import wait_until_waiting

TODAY = dt.date.today()


@pytest.fixture
def k(bergen):
    with in_kommune(bergen):
        yield bergen


@pytest.mark.parametrize(("number", "valid"), [
    ("974760673", True), ("971524960", True), ("974760674", False), ("97476067", False), ("97476067a", False),
])
def test_organisasjonsnummer_modulus_11(number, valid):
    assert organisasjonsnummer_valid(number) is valid


def test_office_with_invalid_organisasjonsnummer_refused_naming_the_rule(k):
    with pytest.raises(ValidationError) as exc:
        services.create_legekontor(kommune=k, navn="X", organisasjonsnummer="974760674", adresse="A", postnummer="5003", poststed="B")
    assert "modulus 11" in exc.value.message_dict["organisasjonsnummer"][0]


@pytest.mark.parametrize("hpr", ["123456", "1234567890", "12a4567", ""])
def test_invalid_hpr_refused(k, hpr):
    with pytest.raises(ValidationError) as exc:
        kommune_services.register_lege(kommune=k, hpr_nummer=hpr, fornavn="A", etternavn="B", fodselsdato=dt.date(1980, 1, 1))
    assert "hpr_nummer" in exc.value.message_dict


def test_doctor_record_is_shared_by_the_kommuner_that_registered_it(k, sunnfjord):
    doctor = register.lege(k, etternavn="Hansen")
    with in_kommune(sunnfjord):
        assert not Lege.objects.filter(pk=doctor.pk).exists()
        with pytest.raises(ValidationError) as exc:
            kommune_services.register_lege(kommune=sunnfjord, hpr_nummer=doctor.hpr_nummer, fornavn="Kari", etternavn="Olsen",
                                           fodselsdato=doctor.fodselsdato)
        assert "annet etternavn" in exc.value.message_dict["hpr_nummer"][0]
        linked = kommune_services.register_lege(kommune=sunnfjord, hpr_nummer=doctor.hpr_nummer, fornavn="Kari", etternavn="Hansen",
                                                fodselsdato=doctor.fodselsdato, ansattnummer="S-1")
        assert linked.pk == doctor.pk
        kommune_services.update_lege(lege=linked, expected_version=linked.versjon, spesialist_allmennmedisin_fra=dt.date(2020, 1, 1))
    doctor.refresh_from_db()
    assert doctor.spesialist_allmennmedisin_fra == dt.date(2020, 1, 1)
    assert doctor.kompetansestatus() == "spesialist"


def test_doctors_history_does_not_name_another_kommunes_users(k, sunnfjord):
    doctor = register.lege(k, etternavn="Berg")
    other = user_with_role("kommuneoverlege", sunnfjord, navn="Sunnfjord-Person")
    with in_kommune(sunnfjord):
        kommune_services.register_lege(kommune=sunnfjord, hpr_nummer=doctor.hpr_nummer, fornavn=doctor.fornavn, etternavn="Berg",
                                       fodselsdato=doctor.fodselsdato)
    with scope(kommune_id=sunnfjord.pk, actor=f"bruker:{other.pk}"):
        linked = Lege.objects.get(pk=doctor.pk)
        kommune_services.update_lege(lege=linked, expected_version=linked.versjon, kurs_akuttmedisin=dt.date(2024, 5, 1))
    with in_kommune(sunnfjord):
        assert any("Sunnfjord-Person" in e.aktor_navn for e in history_for(Lege.objects.get(pk=doctor.pk)))
    entries = history_for(Lege.objects.get(pk=doctor.pk))
    assert not any("Sunnfjord-Person" in e.aktor_navn for e in entries)
    assert any(e.aktor_navn == "En bruker i en annen kommune" for e in entries)


def test_doctor_cannot_be_registered_twice_in_a_kommune(k):
    doctor = register.lege(k)
    with pytest.raises(ValidationError) as exc:
        kommune_services.register_lege(kommune=k, hpr_nummer=doctor.hpr_nummer, fornavn=doctor.fornavn, etternavn=doctor.etternavn,
                                       fodselsdato=doctor.fodselsdato)
    assert "allerede registrert" in exc.value.message_dict["hpr_nummer"][0]


def test_samarbeidskommuner_must_exist_and_not_be_the_kommune(k):
    with pytest.raises(ValidationError) as exc:
        register.liste(k, samarbeidskommuner=["9999"])
    assert "9999" in exc.value.message_dict["samarbeidskommuner"][0]
    with pytest.raises(ValidationError):
        register.liste(k, samarbeidskommuner=["4601"])
    assert register.liste(k, samarbeidskommuner=["4647"]).samarbeidskommuner == ["4647"]


def test_listetall_one_per_date_error_on_the_date_field(k):
    liste = register.liste(k)
    services.record_listetall(liste=liste, dato=dt.date(2026, 1, 1), listelengde=1000)
    with pytest.raises(ValidationError) as exc:
        services.record_listetall(liste=liste, dato=dt.date(2026, 1, 1), listelengde=1001)
    assert "dato" in exc.value.message_dict


def test_status_and_free_places_are_derived(k):
    open_, full, locked = register.liste(k, listetak=1000), register.liste(k, listetak=1000), register.liste(k, listetak=1000, manuelt_last=True)
    services.record_listetall(liste=open_, dato=TODAY, listelengde=900, venteliste=0)
    services.record_listetall(liste=full, dato=TODAY, listelengde=1120, venteliste=35)
    services.record_listetall(liste=locked, dato=TODAY, listelengde=10)
    rows = {row.pk: row for row in selectors.pasientliste_list()}
    assert (rows[open_.pk].status, rows[open_.pk].ledige_plasser) == ("apen", 100)
    assert (rows[full.pk].status, rows[full.pk].ledige_plasser, rows[full.pk].venteliste) == ("lukket", -120, 35)
    assert rows[locked.pk].status == "last"
    capacity = selectors.kapasitet()
    assert (capacity.lister, capacity.ledige_plasser, capacity.lister_uten_fastlege) == (3, 3000 - 2030, 3)
    assert "Helsedirektoratet" in capacity.definisjon


def test_established_list_listetak_not_changed_directly(k):
    a = register.avtale(k, listetak=1500)
    liste = a.pasientliste
    with pytest.raises(ValidationError) as exc:
        services.update_pasientliste(liste=liste, expected_version=liste.versjon, listetak=1000)
    assert "fastlegeavtalen" in exc.value.message_dict["listetak"][0]
    vacant = register.liste(k, listetak=1500)
    assert services.update_pasientliste(liste=vacant, expected_version=vacant.versjon, listetak=1000).listetak == 1000


def test_fellesliste_with_two_fastleger_cannot_become_ordinary(k):
    liste = register.liste(k, er_fellesliste=True)
    register.avtale(k, liste_=liste, listetak=700)
    register.avtale(k, liste_=liste, listetak=700)
    liste.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.update_pasientliste(liste=liste, expected_version=liste.versjon, er_fellesliste=False)
    assert "§ 20" in exc.value.message_dict["er_fellesliste"][0]


def test_changing_the_list_flag_cascades_to_its_periods(k):
    liste = register.liste(k, er_fellesliste=False)
    register.avtale(k, liste_=liste)
    services.update_pasientliste(liste=liste, expected_version=liste.versjon, er_fellesliste=True)
    assert list(Legeperiode.objects.filter(pasientliste=liste).values_list("er_fellesliste", flat=True)) == [True]


def test_public_free_places_lists_only_open_lists_with_room(k):
    open_ = register.avtale(k, listetak=1000)
    full = register.avtale(k, listetak=1000)
    services.record_listetall(liste=open_.pasientliste, dato=TODAY, listelengde=950)
    services.record_listetall(liste=full.pasientliste, dato=TODAY, listelengde=1000)
    rows = list(selectors.public_free_places())
    assert [(r.lege_id, r.ledige_plasser) for r in rows] == [(open_.lege_id, 50)]


def test_nightly_job_applies_steps_set_based_with_constant_queries(k, sunnfjord, django_assert_max_num_queries):
    from avtaler.tasks import apply_listetak_steps

    when = dt.date(2026, 1, 10)
    for _ in range(3):
        a = register.avtale(k, listetak=1500)
        avtaler_services.request_listetak_change(avtale=a, initiativ="enighet", mottatt=when, til_listetak=1400,
                                                 trinn=[(when, 1400)], kortere_frist_avtalt=True, avtale_notat="Avtalt")
    with in_kommune(sunnfjord):
        b = register.avtale(sunnfjord, listetak=1500)
        avtaler_services.request_listetak_change(avtale=b, initiativ="lege", mottatt=dt.date(2026, 1, 10), til_listetak=1200,
                                                 trinn=[(dt.date(2026, 2, 1), 1200)], kortere_frist_avtalt=True,
                                                 avtale_notat="Avtalt")
    # All steps above are already due today and were applied when recorded; make them pending again.
    from core.tenancy import unscoped

    with unscoped(reason="test: reset steps"):
        ListetakTrinn.objects.update(gjennomfort=None)
        from avtaler.models import ListetakEndring

        ListetakEndring.objects.update(status="registrert")
    with django_assert_max_num_queries(12):
        result = apply_listetak_steps.apply().get()
    assert result == {"trinn_gjennomfort": 4, "lister_endret": 0, "lister_over_tak": 0}  # lists already had the steps
    assert apply_listetak_steps.apply().get() == {"trinn_gjennomfort": 0, "lister_endret": 0, "lister_over_tak": 0}
    with in_kommune(sunnfjord):
        b.pasientliste.refresh_from_db()
        assert b.pasientliste.listetak == 1200
    run = JobRun.objects.filter(job__icontains="listetak").order_by("-started").first()
    assert run is not None and run.counts == {"trinn_gjennomfort": 0, "lister_endret": 0, "lister_over_tak": 0}


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("kommune_data")
def test_two_concurrent_assignments_of_one_doctor_both_see_each_other():
    bergen, sunnfjord = kommune("4601"), kommune("4647")
    with in_kommune(bergen):
        doctor = register.lege(bergen, spesialist_allmennmedisin_fra=dt.date(2015, 1, 1))
        liste_a = register.liste(bergen)
    with in_kommune(sunnfjord):
        linked = kommune_services.register_lege(kommune=sunnfjord, hpr_nummer=doctor.hpr_nummer, fornavn=doctor.fornavn,
                                                etternavn=doctor.etternavn, fodselsdato=doctor.fodselsdato)
        liste_b = register.liste(sunnfjord)
    results: dict[str, object] = {}

    def assign(name, k, liste, lege):
        try:
            with scope(kommune_id=k.pk, actor="test"):
                services.add_legeperiode(liste=liste, lege=lege, rolle="LPVI", fra=dt.date(2026, 3, 1), stillingsprosent=60)
            results[name] = "ok"
        except ValidationError as exc:
            results[name] = exc
        finally:
            connections.close_all()

    first = threading.Thread(target=assign, args=("a", bergen, liste_a, doctor))
    second = threading.Thread(target=assign, args=("b", sunnfjord, liste_b, linked))
    with in_kommune(bergen), transaction.atomic():
        Lege.objects.select_for_update().get(pk=doctor.pk)  # both assignments queue behind this lock
        first.start()
        wait_until_waiting(1)
        second.start()
        wait_until_waiting(2)
    first.join(10)
    second.join(10)
    outcomes = sorted(str(type(v).__name__) for v in results.values())
    assert outcomes == ["ValidationError", "str"], results
    refused = next(v for v in results.values() if isinstance(v, ValidationError))
    assert "120 %" in refused.message_dict["begrunnelse_over_100"][0]
