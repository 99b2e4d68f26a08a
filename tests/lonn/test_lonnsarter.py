"""The kommune's dated wage-type mapping (issue 9, «Wage types and rates»): the services and selectors in
lonn.lonnsarter and the page /lonn/lonnsarter/ (lonn.lonnsart_views)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection
from django.urls import reverse

from core.exceptions import StaleVersion
from lonn import lonnsarter
from lonn.lonnsarter import (
    avslutt_regel,
    dekning,
    endre_sats,
    finn_regel,
    last_eksempeltabell,
    opprett_regel,
    slett_regel,
)
from lonn.models import Lonnsartregel, Lonnskategori, Lonnslinje
from tests.conftest import in_kommune, user_with_role

D = dt.date
URL = "/lonn/lonnsarter/"


def _regel(kommune, **kwargs) -> Lonnsartregel:
    values = {"kategori": "vakt", "gyldig_fra": D(2025, 1, 1), "lonnsart": "1001", "sats": Decimal("100")}
    values.update(kwargs)
    with in_kommune(kommune):
        return opprett_regel(kommune=kommune, **values)


def _rows(kommune) -> list[tuple]:
    with in_kommune(kommune):
        return list(Lonnsartregel.objects.order_by("kategori", "vakttype", "vaktklasse", "dagkategori", "tid", "gyldig_fra")
                    .values_list("kategori", "vakttype", "vaktklasse", "dagkategori", "tid", "gyldig_fra", "gyldig_til",
                                 "lonnsart", "sats"))


def _messages(exc: ValidationError, field: str) -> str:
    return " ".join(m for e in exc.error_dict[field] for m in e.messages)


# --- overlap ------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_an_overlapping_row_is_refused_naming_the_conflicting_row_and_nothing_is_saved(bergen):
    _regel(bergen, vaktklasse=1, dagkategori="helg", gyldig_fra=D(2025, 1, 1), gyldig_til=D(2025, 6, 30), lonnsart="2010",
           sats=Decimal("223"))
    before = _rows(bergen)
    with pytest.raises(ValidationError) as exc:
        _regel(bergen, vaktklasse=1, dagkategori="helg", gyldig_fra=D(2025, 6, 1), lonnsart="2011", sats=Decimal("230"))
    message = _messages(exc.value, "gyldig_fra")
    assert "overlapper" in message
    assert "01.01.2025–30.06.2025" in message and "lønnsart 2010" in message and "223,00" in message
    assert "vaktklasse 1, helg" in message
    assert "01.06.2025–30.06.2025" in message  # the days both would apply
    assert _rows(bergen) == before


@pytest.mark.django_db
def test_an_open_ended_row_before_an_existing_one_is_refused_on_its_end(bergen):
    _regel(bergen, kategori="reise", gyldig_fra=D(2025, 3, 1))
    with pytest.raises(ValidationError) as exc:
        _regel(bergen, kategori="reise", gyldig_fra=D(2025, 1, 1))  # open-ended: runs into March
    assert "overlapper" in _messages(exc.value, "gyldig_til")
    assert len(_rows(bergen)) == 1


@pytest.mark.django_db
def test_rows_of_different_kinds_may_overlap(bergen):
    _regel(bergen, vaktklasse=1)
    _regel(bergen, vakttype="hjemmevakt")
    _regel(bergen, vaktklasse=1, tid="natt")
    _regel(bergen, kategori="reise")
    assert len(_rows(bergen)) == 4


@pytest.mark.django_db
def test_a_concurrent_overlap_caught_by_the_database_gets_the_constraint_message(bergen, monkeypatch):
    _regel(bergen, kategori="hviletid", gyldig_fra=D(2025, 1, 1))
    monkeypatch.setattr(lonnsarter, "_sjekk_tidslinje", lambda *args, **kwargs: None)  # as if a writer slipped past
    with pytest.raises(ValidationError) as exc:
        _regel(bergen, kategori="hviletid", gyldig_fra=D(2025, 2, 1))
    assert "overlappende datoer" in _messages(exc.value, "gyldig_fra")
    assert len(_rows(bergen)) == 1


# --- gaps ---------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_gap_after_the_previous_row_of_the_kind_is_refused_naming_the_uncovered_days(bergen):
    _regel(bergen, kategori="legevaktsentral", gyldig_fra=D(2025, 1, 1), gyldig_til=D(2025, 6, 30))
    with pytest.raises(ValidationError) as exc:
        _regel(bergen, kategori="legevaktsentral", gyldig_fra=D(2025, 8, 1))
    message = _messages(exc.value, "gyldig_fra")
    assert "opphold uten regel" in message and "01.07.2025 til og med 31.07.2025" in message
    assert len(_rows(bergen)) == 1
    _regel(bergen, kategori="legevaktsentral", gyldig_fra=D(2025, 7, 1))  # contiguous: accepted
    assert len(_rows(bergen)) == 2


@pytest.mark.django_db
def test_a_gap_before_the_next_row_of_the_kind_is_refused_on_the_end_date(bergen):
    _regel(bergen, vakttype="bakvakt", gyldig_fra=D(2025, 7, 1))
    with pytest.raises(ValidationError) as exc:
        _regel(bergen, vakttype="bakvakt", gyldig_fra=D(2025, 1, 1), gyldig_til=D(2025, 5, 31))
    assert "01.06.2025 til og med 30.06.2025" in _messages(exc.value, "gyldig_til")
    _regel(bergen, vakttype="bakvakt", gyldig_fra=D(2025, 1, 1), gyldig_til=D(2025, 6, 30))
    assert len(_rows(bergen)) == 2


@pytest.mark.django_db
def test_a_kind_may_start_and_end_but_rows_of_other_kinds_are_not_its_neighbours(bergen):
    _regel(bergen, vaktklasse=2, gyldig_fra=D(2025, 1, 1), gyldig_til=D(2025, 3, 31))
    _regel(bergen, vaktklasse=3, gyldig_fra=D(2025, 6, 1))  # another kind: no gap to vaktklasse 2
    assert len(_rows(bergen)) == 2


@pytest.mark.django_db
def test_bad_input_is_refused_on_its_field(bergen):
    with pytest.raises(ValidationError) as exc:
        _regel(bergen, kategori="reise", vaktklasse=2, sats=Decimal("-1"), lonnsart=" ", gyldig_til=D(2024, 1, 1))
    errors = exc.value.error_dict
    assert "bare kategorien legevakt" in _messages(exc.value, "vaktklasse")
    assert "negativ" in _messages(exc.value, "sats")
    assert "lønnsart" in _messages(exc.value, "lonnsart")
    assert "før «gjelder fra»" in _messages(exc.value, "gyldig_til")
    assert set(errors) == {"vaktklasse", "sats", "lonnsart", "gyldig_til"}
    with pytest.raises(ValidationError) as exc:
        _regel(bergen, vaktklasse=5, sats=Decimal("1.00001"), kategori="vakt")
    assert "1, 2, 3 eller 4" in _messages(exc.value, "vaktklasse")
    assert "fire desimaler" in _messages(exc.value, "sats")
    with pytest.raises(ValidationError) as exc:
        _regel(bergen, kategori="bonus")
    assert "Velg en kategori" in _messages(exc.value, "kategori")
    assert _rows(bergen) == []


# --- a changed rate applies from its date -----------------------------------------------------------------

@pytest.mark.django_db
def test_endre_sats_splits_the_row_at_the_date(bergen):
    gammel = _regel(bergen, vakttype="hjemmevakt", dagkategori="hverdag", gyldig_fra=D(2025, 1, 1),
                    gyldig_til=D(2025, 12, 31), lonnsart="2100", sats=Decimal("168"), kostnadssted="4100")
    with in_kommune(bergen):
        ny = endre_sats(regel=gammel, fra=D(2025, 5, 15), sats=Decimal("172.5"), expected_version=gammel.versjon)
        gammel.refresh_from_db()
        assert (gammel.gyldig_fra, gammel.gyldig_til, gammel.sats) == (D(2025, 1, 1), D(2025, 5, 14), Decimal("168"))
        assert (ny.gyldig_fra, ny.gyldig_til, ny.sats, ny.lonnsart, ny.kostnadssted) == (
            D(2025, 5, 15), D(2025, 12, 31), Decimal("172.5"), "2100", "4100")  # keeps the old row's end
        assert (ny.vakttype, ny.vaktklasse, ny.dagkategori, ny.tid) == ("hjemmevakt", None, "hverdag", "")
        dims = {"kategori": "vakt", "vakttype": "hjemmevakt", "vaktklasse": 1, "dagkategori": "hverdag", "tid": "natt"}
        assert finn_regel(kommune=bergen, dato=D(2025, 5, 14), **dims).pk == gammel.pk
        assert finn_regel(kommune=bergen, dato=D(2025, 5, 15), **dims).pk == ny.pk
        assert finn_regel(kommune=bergen, dato=D(2026, 1, 1), **dims) is None


@pytest.mark.django_db
def test_endre_sats_on_an_open_row_with_a_new_wage_type_and_cost_centre(bergen):
    gammel = _regel(bergen, kategori="reise", lonnsart="3000", sats=Decimal("180"), kostnadssted="A")
    with in_kommune(bergen):
        ny = endre_sats(regel=gammel, fra=D(2026, 1, 1), sats=Decimal("190"), lonnsart="3001", kostnadssted="")
    assert _rows(bergen) == [
        ("reise", "", None, "", "", D(2025, 1, 1), D(2025, 12, 31), "3000", Decimal("180.0000")),
        ("reise", "", None, "", "", D(2026, 1, 1), None, "3001", Decimal("190.0000")),
    ]
    assert ny.kostnadssted == ""


@pytest.mark.django_db
@pytest.mark.parametrize("fra", [D(2025, 1, 1), D(2024, 12, 31), D(2025, 7, 1)])
def test_endre_sats_needs_a_date_inside_the_row_after_its_start(bergen, fra):
    gammel = _regel(bergen, kategori="hviletid", gyldig_fra=D(2025, 1, 1), gyldig_til=D(2025, 6, 30))
    before = _rows(bergen)
    with in_kommune(bergen), pytest.raises(ValidationError) as exc:
        endre_sats(regel=gammel, fra=fra, sats=Decimal("300"))
    assert "01.01.2025–30.06.2025" in _messages(exc.value, "fra")
    assert _rows(bergen) == before


@pytest.mark.django_db
def test_endre_sats_refuses_a_stale_version_and_bad_input_and_saves_nothing(bergen):
    gammel = _regel(bergen, kategori="reise")
    before = _rows(bergen)
    with in_kommune(bergen):
        with pytest.raises(StaleVersion):
            endre_sats(regel=gammel, fra=D(2025, 6, 1), sats=Decimal("1"), expected_version=gammel.versjon + 1)
        with pytest.raises(ValidationError) as exc:
            endre_sats(regel=gammel, fra=D(2025, 6, 1), sats=Decimal("-5"))
        assert "negativ" in _messages(exc.value, "sats")
        with pytest.raises(ValidationError) as exc:
            endre_sats(regel=gammel, fra=D(2025, 6, 1), sats=Decimal("5"), kostnadssted="x" * 31)
        assert "kostnadssted" in exc.value.error_dict
    assert _rows(bergen) == before


# --- ending and deleting ------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_avslutt_regel_refuses_a_gap_or_an_overlap_with_the_next_row(bergen):
    forste = _regel(bergen, kategori="reise", gyldig_fra=D(2025, 1, 1), gyldig_til=D(2025, 6, 30))
    _regel(bergen, kategori="reise", gyldig_fra=D(2025, 7, 1))
    with in_kommune(bergen):
        with pytest.raises(ValidationError) as exc:
            avslutt_regel(regel=forste, til=D(2025, 5, 31))
        assert "01.06.2025 til og med 30.06.2025" in _messages(exc.value, "gyldig_til")
        with pytest.raises(ValidationError) as exc:
            avslutt_regel(regel=forste, til=D(2025, 7, 31))
        assert "overlapper" in _messages(exc.value, "gyldig_til")
        siste = Lonnsartregel.objects.get(gyldig_fra=D(2025, 7, 1))
        avslutt_regel(regel=siste, til=D(2025, 12, 31))  # a kind may end
        siste.refresh_from_db()
        assert siste.gyldig_til == D(2025, 12, 31)
        forste.refresh_from_db()
        assert forste.gyldig_til == D(2025, 6, 30)


@pytest.mark.django_db
def test_deleting_a_middle_row_is_refused_unless_the_row_before_takes_over_its_period(bergen):
    a = _regel(bergen, kategori="reise", gyldig_fra=D(2025, 1, 1), sats=Decimal("180"))
    with in_kommune(bergen):
        b = endre_sats(regel=a, fra=D(2025, 4, 1), sats=Decimal("185"))
        c = endre_sats(regel=b, fra=D(2025, 8, 1), sats=Decimal("190"))
        b.refresh_from_db()
        with pytest.raises(ValidationError) as exc:
            slett_regel(regel=b)
        assert "01.04.2025 til og med 31.07.2025" in _messages(exc.value, NON_FIELD_ERRORS)
        assert Lonnsartregel.objects.count() == 3
        slett_regel(regel=b, forleng_forrige=True)  # undo the rate change of 1 April
        a.refresh_from_db()
        assert a.gyldig_til == D(2025, 7, 31)
        assert finn_regel(kommune=bergen, kategori="reise", dato=D(2025, 5, 1)).pk == a.pk
        slett_regel(regel=c)  # the last row: the kind just ends earlier
        assert list(Lonnsartregel.objects.values_list("pk", flat=True)) == [a.pk]


@pytest.mark.django_db
def test_a_row_used_in_frozen_payroll_lines_cannot_be_deleted(bergen):
    regel = _regel(bergen, kategori="reise")
    with in_kommune(bergen):
        Lonnslinje.objects.create(kommune=bergen, periode=D(2025, 3, 1), posteres_i=D(2025, 3, 1), kilde="attestert",
                                  objekt_id="vakt:1", kategori="reise", regel=regel, lonnsart="1001", sats=regel.sats,
                                  mengde=Decimal("2"))
        with pytest.raises(ValidationError) as exc:
            slett_regel(regel=regel)
        assert "lønnslinjer for en lukket måned" in _messages(exc.value, NON_FIELD_ERRORS)
        assert Lonnsartregel.objects.filter(pk=regel.pk).exists()


# --- precedence -----------------------------------------------------------------------------------------------

# (the line's vakttype, vaktklasse, dagkategori, tid) → the lonnsart of the row that must win
PRESEDENS = [
    (("tilstedevakt", 4, "hverdag", "dag"), "GENERELL"),
    (("tilstedevakt", 3, "hverdag", "dag"), "K3-HVERDAG"),
    (("tilstedevakt", 3, "helg", "dag"), "K3"),
    (("tilstedevakt", 3, "helg", "natt"), "K3-NATT"),  # vaktklasse + tid beats vaktklasse alone
    (("tilstedevakt", 4, "helg", "natt"), "HELG-NATT"),
    (("tilstedevakt", 4, "helligdag", "natt"), "NATT"),
    (("hjemmevakt", 1, "helg", "natt"), "HJV"),  # vakttype beats vaktklasse + dagkategori + tid
    (("hjemmevakt", 1, "helligdag", "dag"), "HJV-HELLIGDAG"),  # vakttype + dagkategori beats vakttype alone
    (("bakvakt", 1, "helligdag", "dag"), "K1-HELLIGDAG-DAG"),
    (("bakvakt", 1, "hverdag", "dag"), "GENERELL"),
    (("legevaktsentral", 3, "hverdag", "natt"), "K3-HVERDAG"),  # vaktklasse + dagkategori beats vaktklasse + tid
]


def _presedensregler(kommune):
    for lonnsart, dims in [
        ("GENERELL", {}),
        ("NATT", {"tid": "natt"}),
        ("HELG-NATT", {"dagkategori": "helg", "tid": "natt"}),
        ("K3", {"vaktklasse": 3}),
        ("K3-NATT", {"vaktklasse": 3, "tid": "natt"}),
        ("K3-HVERDAG", {"vaktklasse": 3, "dagkategori": "hverdag"}),
        ("K1-HELLIGDAG-DAG", {"vaktklasse": 1, "dagkategori": "helligdag", "tid": "dag"}),
        ("HJV", {"vakttype": "hjemmevakt"}),
        ("HJV-HELLIGDAG", {"vakttype": "hjemmevakt", "dagkategori": "helligdag"}),
    ]:
        _regel(kommune, lonnsart=lonnsart, **dims)


@pytest.mark.django_db
def test_finn_regel_picks_the_most_specific_row_in_the_documented_order(bergen):
    _presedensregler(bergen)
    with in_kommune(bergen):
        for (vakttype, klasse, dag, tid), expected in PRESEDENS:
            regel = finn_regel(kommune=bergen, kategori="vakt", vakttype=vakttype, vaktklasse=klasse, dagkategori=dag,
                               tid=tid, dato=D(2025, 3, 1))
            assert regel is not None and regel.lonnsart == expected, (vakttype, klasse, dag, tid)
        assert finn_regel(kommune=bergen, kategori="vakt", vakttype="tilstedevakt", vaktklasse=3, dagkategori="helg",
                          tid="dag", dato=D(2024, 12, 31)) is None  # before every row
        assert finn_regel(kommune=bergen, kategori="reise", dato=D(2025, 3, 1)) is None  # another kategori


@pytest.mark.django_db
def test_finn_regel_agrees_with_the_pricing_sql(bergen):
    _presedensregler(bergen)
    with in_kommune(bergen):
        for (vakttype, klasse, dag, tid), _expected in PRESEDENS:
            with connection.cursor() as cursor:
                cursor.execute("SELECT id FROM lonn_regel(%s, 'vakt', %s, %s, %s, %s, %s)",
                               [bergen.pk, vakttype, klasse, dag, tid, D(2025, 3, 1)])
                row = cursor.fetchone()
            python = finn_regel(kommune=bergen, kategori="vakt", vakttype=vakttype, vaktklasse=klasse, dagkategori=dag,
                                tid=tid, dato=D(2025, 3, 1))
            assert row is not None and row[0] == python.pk, (vakttype, klasse, dag, tid)


# --- the example table and coverage ---------------------------------------------------------------------------

SATSER_2021 = [  # (vakttype, vaktklasse, dagkategori) → (sats, lonnsart), SFS 2305 per 1.1.2021 (../shared/domain.md § 5.3)
    (("tilstedevakt", 3, "hverdag"), ("31", "EKS-VK3-HVERDAG")),
    (("tilstedevakt", 3, "helg"), ("55", "EKS-VK3-HELG")),
    (("tilstedevakt", 4, "helligdag"), ("0", "EKS-VK4-HELLIGDAG")),
    (("tilstedevakt", 2, "helligdag"), ("97", "EKS-VK2-HELLIGDAG")),
    (("legevaktsentral", 1, "helg"), ("223", "EKS-VK1-HELG")),
    (("bakvakt", 1, "helligdag"), ("256", "EKS-VK1-HELLIGDAG")),
    (("hjemmevakt", 1, "hverdag"), ("168", "EKS-HJV-HVERDAG")),
    (("hjemmevakt", 1, "helligdag"), ("256", "EKS-HJV-HELLIGDAG")),
    (("kompetansebakvakt", 1, "helg"), ("223", "EKS-KBV-HELG")),
]


@pytest.mark.django_db
def test_the_example_table_loads_the_documented_2021_rates_clearly_labelled(bergen, overlege):
    with in_kommune(bergen):
        nye = last_eksempeltabell(kommune=bergen, fra=D(2026, 1, 1), av=overlege)
        assert len(nye) == 21 and Lonnsartregel.objects.count() == 21
        for regel in Lonnsartregel.objects.all():
            assert regel.eksempel and regel.lonnsart.startswith("EKS-")
            assert regel.gyldig_fra == D(2026, 1, 1) and regel.gyldig_til is None
            assert "SFS 2305 §" in regel.kilde
            assert "satser per 1.1.2021, KS; senere tabeller er ikke publisert i våre kilder" in regel.kilde
        for tid in ("dag", "natt"):
            for (vakttype, klasse, dag), (sats, lonnsart) in SATSER_2021:
                regel = finn_regel(kommune=bergen, kategori="vakt", vakttype=vakttype, vaktklasse=klasse, dagkategori=dag,
                                   tid=tid, dato=D(2026, 3, 1))
                assert (regel.sats, regel.lonnsart) == (Decimal(sats), lonnsart), (vakttype, klasse, dag)
        hjv = finn_regel(kommune=bergen, kategori="vakt", vakttype="hjemmevakt", vaktklasse=1, dagkategori="helg",
                         tid="natt", dato=D(2026, 3, 1))
        assert "§ 8.3" in hjv.kilde and "vaktklasse 1" in hjv.kilde
        assert "§ 8.5" in finn_regel(kommune=bergen, kategori="vakt", vakttype="kompetansebakvakt", vaktklasse=1,
                                     dagkategori="hverdag", tid="dag", dato=D(2026, 3, 1)).kilde
        for kategori, sats, paragraf in [("legevaktsentral", "54", "§ 8.2"), ("reise", "180", "§ 9.4"),
                                         ("hviletid", "348.375", "§ 7.4")]:
            regel = finn_regel(kommune=bergen, kategori=kategori, dato=D(2026, 3, 1))
            assert regel.sats == Decimal(sats) and paragraf in regel.kilde
        for kategori in ("vikar", "alis_veiledning"):  # no rate in our sources: not invented
            assert finn_regel(kommune=bergen, kategori=kategori, dato=D(2026, 3, 1)) is None


@pytest.mark.django_db
def test_coverage_lists_every_category_without_a_row_and_vikar_and_alis_after_the_example(bergen):
    with in_kommune(bergen):
        alle = dekning(kommune=bergen, dato=D(2026, 3, 1))
        assert len(alle) == len(lonnsarter.konkrete_kategorier()) == 65
        assert {u.kategori for u in alle} == set(Lonnskategori.values)
        last_eksempeltabell(kommune=bergen, fra=D(2026, 1, 1), av=None)
        assert [u.kategori for u in dekning(kommune=bergen, dato=D(2026, 3, 1))] == ["vikar", "alis_veiledning"]
        assert len(dekning(kommune=bergen, dato=D(2025, 12, 31))) == 65  # before the table
        opprett_regel(kommune=bergen, kategori="vikar", gyldig_fra=D(2026, 1, 1), lonnsart="V1", sats=Decimal("3000"))
        assert [u.tekst for u in dekning(kommune=bergen, dato=D(2026, 3, 1))] == ["ALIS-veiledning"]


@pytest.mark.django_db
def test_coverage_names_the_missing_legevakt_combinations(bergen):
    _regel(bergen, vaktklasse=1)
    _regel(bergen, vakttype="tilstedevakt", tid="dag")
    with in_kommune(bergen):
        vakt = {u.tekst for u in dekning(kommune=bergen, dato=D(2025, 3, 1)) if u.kategori == "vakt"}
    # legevaktsentral klasse 2–4 × 3 days × 2, tilstedevakt at night 3 klasser × 3 days
    assert len(vakt) == 3 * 3 * 2 + 3 * 3
    assert "Legevakt: Tilstedevakt, vaktklasse 3, helg, natt" in vakt
    assert not any("Hjemmevakt" in t for t in vakt)


@pytest.mark.django_db
def test_the_example_is_refused_where_the_kommune_has_rows_and_nothing_is_saved(bergen):
    _regel(bergen, kategori="vikar", gyldig_fra=D(2025, 1, 1), gyldig_til=D(2026, 1, 31), lonnsart="V1")
    with in_kommune(bergen), pytest.raises(ValidationError) as exc:
        last_eksempeltabell(kommune=bergen, fra=D(2026, 1, 1), av=None)
    message = _messages(exc.value, "fra")
    assert "allerede regler" in message and "Vikardager" in message
    assert len(_rows(bergen)) == 1
    with in_kommune(bergen):  # from after the kommune's rows: fine (vikar is not in the table)
        assert len(last_eksempeltabell(kommune=bergen, fra=D(2026, 2, 1), av=None)) == 21


@pytest.mark.django_db
def test_the_example_is_refused_when_it_would_leave_a_gap_after_older_rows(bergen):
    _regel(bergen, kategori="reise", gyldig_fra=D(2024, 1, 1), gyldig_til=D(2024, 12, 31))
    with in_kommune(bergen), pytest.raises(ValidationError) as exc:
        last_eksempeltabell(kommune=bergen, fra=D(2026, 1, 1), av=None)
    assert "01.01.2025 til og med 31.12.2025" in _messages(exc.value, "gyldig_fra")
    assert len(_rows(bergen)) == 1


@pytest.mark.django_db
def test_endre_sats_of_an_example_row_needs_the_kommunes_own_wage_type(bergen):
    with in_kommune(bergen):
        last_eksempeltabell(kommune=bergen, fra=D(2026, 1, 1), av=None)
        reise = Lonnsartregel.objects.get(kategori="reise")
        with pytest.raises(ValidationError) as exc:
            endre_sats(regel=reise, fra=D(2026, 2, 1), sats=Decimal("185"))
        assert "plassholder" in _messages(exc.value, "lonnsart")
        ny = endre_sats(regel=reise, fra=D(2026, 2, 1), sats=Decimal("185"), lonnsart="4711")
        assert not ny.eksempel and ny.lonnsart == "4711" and ny.kilde == ""


# --- the page -------------------------------------------------------------------------------------------------

def test_the_url_names():
    assert reverse("lonn:lonnsarter") == URL
    assert reverse("lonn:lonnsart_ny") == "/lonn/lonnsarter/ny/"
    assert reverse("lonn:lonnsart_endre_sats", args=[7]) == "/lonn/lonnsarter/7/endre-sats/"
    assert reverse("lonn:lonnsart_slett", args=[7]) == "/lonn/lonnsarter/7/slett/"
    assert reverse("lonn:lonnsarter_eksempel") == "/lonn/lonnsarter/eksempel/"
    assert reverse("lonn:lonnsarter_csv") == "/lonn/lonnsarter/lonnsarter.csv"


def _ny(**kwargs) -> dict:
    data = {"kategori": "vakt", "vakttype": "", "vaktklasse": "", "dagkategori": "", "tid": "", "gyldig_fra": "2025-01-01",
            "gyldig_til": "", "lonnsart": "1001", "sats": "100", "kostnadssted": "", "kilde": ""}
    data.update(kwargs)
    return {f"ny-{k}": v for k, v in data.items()}


@pytest.mark.django_db
def test_the_page_shows_the_rows_in_force_the_example_badge_and_the_coverage_warning(page_client, bergen):
    html = page_client.get(URL).content.decode()
    assert "Lønnsarter og satser for Bergen" in html
    assert "Kategorier uten lønnsart" in html and "Vikardager" in html
    response = page_client.post(reverse("lonn:lonnsarter_eksempel"), {"eksempel-fra": "2026-01-01"})
    assert response.status_code == 302
    html = page_client.get(URL, {"dato": "2026-03-01"}).content.decode()
    assert html.count("Eksempel – ikke gjeldende sats") == 21
    assert "Eksempelsatser er i bruk." in html
    assert "EKS-HVILE" in html and "348,375" in html and "EKS-VK1-HELLIGDAG" in html
    assert "2 utbetalingskategorier har ingen regel som gjelder 1.3.2026" in html
    assert "<li>Vikardager</li>" in html and "<li>ALIS-veiledning</li>" in html
    html = page_client.get(URL, {"dato": "2025-12-31"}).content.decode()  # before the table: listed as future rows
    assert "21 regler begynner senere" in html and "Eksempelsatser er i bruk." not in html
    assert page_client.get(URL, {"dato": "ikke-en-dato"}).status_code == 400


@pytest.mark.django_db
def test_adding_an_overlapping_row_on_the_page_is_refused_with_the_message_and_nothing_saved(page_client, bergen):
    assert page_client.post(reverse("lonn:lonnsart_ny"), _ny(vaktklasse="1", sats="168")).status_code == 302
    response = page_client.post(reverse("lonn:lonnsart_ny"), _ny(vaktklasse="1", gyldig_fra="2025-06-01", sats="170,5"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "overlapper" in html and "lønnsart 1001, sats 168,00" in html
    assert 'href="#id_ny-gyldig_fra"' in html  # the error summary links to the field
    assert len(_rows(bergen)) == 1
    response = page_client.post(reverse("lonn:lonnsart_ny"), _ny(kategori="reise", gyldig_fra="2025-01-01",
                                                                 gyldig_til="2025-03-31"))
    assert response.status_code == 302
    response = page_client.post(reverse("lonn:lonnsart_ny"), _ny(kategori="reise", gyldig_fra="2025-05-01"))
    assert response.status_code == 400 and "opphold uten regel" in response.content.decode()
    assert len(_rows(bergen)) == 2
    response = page_client.post(reverse("lonn:lonnsart_ny"), _ny(kategori="reise", gyldig_fra="2025-04-01", sats="348,375"))
    assert response.status_code == 302
    assert [r[-1] for r in _rows(bergen) if r[0] == "reise"] == [Decimal("100"), Decimal("348.375")]


@pytest.mark.django_db
def test_changing_a_rate_from_a_date_on_the_page_splits_the_row(page_client, bergen):
    regel = _regel(bergen, kategori="hviletid", sats=Decimal("348.375"), lonnsart="H1")
    url = reverse("lonn:lonnsart_endre_sats", args=[regel.pk])
    html = page_client.get(url).content.decode()
    assert "Endre sats fra dato" in html and "348,375" in html
    data = {"endre-handling": "endre", "endre-versjon": regel.versjon, "endre-fra": "2025-01-01", "endre-sats": "360",
            "endre-lonnsart": "H1", "endre-kostnadssted": "", "endre-kilde": ""}
    response = page_client.post(url, data)
    assert response.status_code == 400 and "må ligge etter at regelen begynte" in response.content.decode()
    response = page_client.post(url, {**data, "endre-fra": "2025-09-01"})
    assert response.status_code == 302
    assert _rows(bergen) == [
        ("hviletid", "", None, "", "", D(2025, 1, 1), D(2025, 8, 31), "H1", Decimal("348.3750")),
        ("hviletid", "", None, "", "", D(2025, 9, 1), None, "H1", Decimal("360.0000")),
    ]
    response = page_client.post(url, {**data, "endre-fra": "2025-06-01"})  # the page is stale now
    assert response.status_code == 400 and "endret av noen andre" in response.content.decode()


@pytest.mark.django_db
def test_ending_and_deleting_on_the_page(page_client, bergen):
    regel = _regel(bergen, kategori="reise")
    url = reverse("lonn:lonnsart_endre_sats", args=[regel.pk])
    response = page_client.post(url, {"avslutt-handling": "avslutt", "avslutt-versjon": regel.versjon,
                                      "avslutt-gyldig_til": "2024-12-01"})
    assert response.status_code == 400 and "før «gjelder fra»" in response.content.decode()
    response = page_client.post(url, {"avslutt-handling": "avslutt", "avslutt-versjon": regel.versjon,
                                      "avslutt-gyldig_til": "2025-12-31"})
    assert response.status_code == 302
    with in_kommune(bergen):
        regel.refresh_from_db()
    assert regel.gyldig_til == D(2025, 12, 31)
    response = page_client.post(reverse("lonn:lonnsart_slett", args=[regel.pk]), {"versjon": regel.versjon - 1})
    assert response.status_code == 409 and len(_rows(bergen)) == 1  # stale: refused
    assert "endret av noen andre" in response.content.decode()
    response = page_client.post(reverse("lonn:lonnsart_slett", args=[regel.pk]), {"versjon": regel.versjon}, follow=True)
    assert "Regelen er slettet." in response.content.decode()
    assert _rows(bergen) == []


@pytest.mark.django_db
def test_loading_the_example_twice_is_refused_on_the_page(page_client, bergen):
    assert page_client.post(reverse("lonn:lonnsarter_eksempel"), {"eksempel-fra": "2026-01-01"}).status_code == 302
    response = page_client.post(reverse("lonn:lonnsarter_eksempel"), {"eksempel-fra": "2026-06-01"})
    assert response.status_code == 400 and "allerede regler" in response.content.decode()
    assert len(_rows(bergen)) == 21


@pytest.mark.django_db
def test_the_csv_export_has_the_whole_mapping_with_semicolons_and_decimal_commas(page_client, bergen):
    gammel = _regel(bergen, kategori="hviletid", sats=Decimal("348.375"), lonnsart="H1", kostnadssted="4100",
                    kilde="=vedtak 12/2025")
    with in_kommune(bergen):
        endre_sats(regel=gammel, fra=D(2025, 7, 1), sats=Decimal("360"))
    _regel(bergen, vakttype="hjemmevakt", vaktklasse=1, dagkategori="helg", tid="natt", lonnsart="2200", sats=Decimal("223"))
    response = page_client.get(reverse("lonn:lonnsarter_csv"))
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="lonnsarter-4601-' in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows == [
        ["kategori", "vakttype", "vaktklasse", "dagkategori", "tid", "gyldig_fra", "gyldig_til", "lonnsart", "sats",
         "kostnadssted", "eksempel", "kilde"],
        ["vakt", "hjemmevakt", "1", "helg", "natt", "2025-01-01", "", "2200", "223,00", "", "nei", ""],
        ["hviletid", "", "", "", "", "2025-01-01", "2025-06-30", "H1", "348,375", "4100", "nei", "'=vedtak 12/2025"],
        ["hviletid", "", "", "", "", "2025-07-01", "", "H1", "360,00", "4100", "nei", ""],
    ]


# --- permissions and isolation ---------------------------------------------------------------------------------

def _alle_forespørsler(regel_id: int) -> list[tuple[str, str, dict]]:
    return [
        ("get", URL, {}),
        ("get", reverse("lonn:lonnsarter_csv"), {}),
        ("post", reverse("lonn:lonnsart_ny"), _ny(kategori="reise", gyldig_fra="2030-01-01")),
        ("get", reverse("lonn:lonnsart_endre_sats", args=[regel_id]), {}),
        ("post", reverse("lonn:lonnsart_endre_sats", args=[regel_id]),
         {"endre-handling": "endre", "endre-versjon": 1, "endre-fra": "2025-06-01", "endre-sats": "1"}),
        ("post", reverse("lonn:lonnsart_slett", args=[regel_id]), {"versjon": 1}),
        ("post", reverse("lonn:lonnsarter_eksempel"), {"eksempel-fra": "2030-01-01"}),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("rolle", ["saksbehandler", "lesetilgang", "lege"])
def test_other_roles_are_refused_everywhere_and_nothing_changes(client, bergen, rolle):
    regel = _regel(bergen, kategori="vikar")
    before = _rows(bergen)
    client.force_login(user_with_role(rolle, bergen))
    for method, url, data in _alle_forespørsler(regel.pk):
        assert getattr(client, method)(url, data).status_code == 403, (method, url)
    assert _rows(bergen) == before


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/konto/login/" in response["Location"]


@pytest.mark.django_db
def test_another_kommune_cannot_see_or_change_the_rows(client, bergen, sunnfjord):
    regel = _regel(bergen, kategori="vikar", lonnsart="BERGEN-VIKAR", sats=Decimal("4321"), kostnadssted="BGO-77")
    before = _rows(bergen)
    client.force_login(user_with_role("kommuneoverlege", sunnfjord))
    html = client.get(URL).content.decode()
    assert "BERGEN-VIKAR" not in html and "BGO-77" not in html and "Lønnsarter og satser for Sunnfjord" in html
    assert "BERGEN-VIKAR" not in client.get(reverse("lonn:lonnsarter_csv")).content.decode()
    assert client.get(reverse("lonn:lonnsart_endre_sats", args=[regel.pk])).status_code == 404
    requests = [r for r in _alle_forespørsler(regel.pk) if str(regel.pk) in r[1]]
    for method, url, data in requests:
        assert getattr(client, method)(url, data).status_code == 404, (method, url)
    assert _rows(bergen) == before
    # B's own writes land in B
    assert client.post(reverse("lonn:lonnsarter_eksempel"), {"eksempel-fra": "2026-01-01"}).status_code == 302
    assert _rows(bergen) == before and len(_rows(sunnfjord)) == 21
