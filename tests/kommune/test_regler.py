"""The rule parameters: every rule has a source, versions of one rule never overlap, and the dated
versions resolve as the sources say (legevakt rules added for the legevakt issue)."""

import datetime as dt
from collections import defaultdict

import pytest

from kommune import regler


def test_every_rule_has_a_source_and_its_versions_do_not_overlap():
    versions = defaultdict(list)
    for entry in regler.REGLER:
        assert str(entry.kilde).strip(), entry.kode
        assert entry.gyldig_til is None or entry.gyldig_til >= entry.gyldig_fra, entry.kode
        versions[entry.kode].append(entry)
    for kode, entries in versions.items():
        entries.sort(key=lambda e: e.gyldig_fra)
        for earlier, later in zip(entries, entries[1:], strict=False):
            assert earlier.gyldig_til is not None and earlier.gyldig_til < later.gyldig_fra, kode


@pytest.mark.parametrize(("kode", "dag", "verdi"), [
    ("legevakt_tilskudd_sentralitet", dt.date(2022, 6, 1), (6,)),
    ("legevakt_tilskudd_sentralitet", dt.date(2024, 3, 1), (5, 6)),
    ("legevakt_tilskudd_innbyggere_under", dt.date(2024, 3, 1), 5000),
    ("legevakt_fritak_alder", dt.date(2020, 1, 1), 60),
    ("legevakt_fritak_alder", dt.date(2026, 6, 1), 60),
    ("legevakt_hvile_timer", dt.date(2026, 6, 1), 8),
    ("legevakt_unntak_kalenderar_maneder", dt.date(2026, 6, 1), 6),
    ("sfs2305_befolkningsgrupper", dt.date(2026, 6, 1), (30000, 60000, 90000)),
])
def test_dated_legevakt_rules(kode, dag, verdi):
    assert regler.verdi(kode, dag) == verdi


def test_sources_are_cited():
    assert "§ 33" in regler.kilde("legevakt_fritak_alder", dt.date(2026, 6, 1))
    assert "§ 13" in regler.kilde("legevakt_fritak_alder", dt.date(2020, 1, 1))
    assert "SFS 2305" in regler.kilde("legevakt_hvile_timer") and "§ 7.4" in regler.kilde("legevakt_hvile_timer")
    assert "ikke en regel" in str(regler.kilde("legevakt_beredskap_varsel_timer_per_uke"))
