"""Small builders for legevakt tests: a district with its memberships, fastleger (through the
register, so a signed fastlegeavtale gives the LPFL period with office hours Monday–Friday 08–16),
and doctors with or without the competence for legevakt without bakvakt (kompetanseforskriften § 3a).

Call them inside `in_kommune(k)` of the kommune they belong to (the builders do it themselves)."""

from __future__ import annotations

import datetime as dt
import itertools

from legevakt.models import Legevaktdistrikt, Medlemskap, Vaktavtale
from tests import register
from tests.conftest import in_kommune

FRA = dt.date(2020, 1, 1)
KVALIFISERT = {
    "spesialist_allmennmedisin_fra": dt.date(2015, 1, 1),
    "kurs_akuttmedisin": dt.date(2015, 1, 1),
    "kurs_vold_overgrep": dt.date(2015, 1, 1),
}
_navn = itertools.count(1)


def distrikt(vert, *medlemmer, navn: str | None = None, fra: dt.date = FRA, tidsbolk: str = "dogn") -> Legevaktdistrikt:
    """A district owned by `vert` with memberships for `vert` and each of `medlemmer` from `fra`
    (made directly with the ORM: the district services are not under test here)."""
    with in_kommune(vert):
        d = Legevaktdistrikt.objects.create(
            kommune=vert, navn=navn or f"Legevakt {next(_navn)}", type="interkommunal" if medlemmer else "en_kommune")
        for k in (vert, *medlemmer):
            Medlemskap.objects.create(kommune=vert, distrikt=d, medlem=k, tidsbolk=tidsbolk, fra=fra)
    return d


def fastlege(k, *, startdato: dt.date = dt.date(2025, 1, 6), **fields):
    """A fastlege in kommune `k` (LPFL period from `startdato`, office hours Monday–Friday 08–16)."""
    with in_kommune(k):
        lege = register.lege(k, **fields)
        register.avtale(k, lege_=lege, startdato=startdato)
        lege.refresh_from_db()
    return lege


def kvalifisert(k, **fields):
    """A fastlege who may have legevakt without bakvakt (spesialist in allmennmedisin and both courses)."""
    return fastlege(k, **{**KVALIFISERT, **fields})


def ukvalifisert(k, **fields):
    """A fastlege without § 3 competence, LIS1, turnus or courses: legevakt only with a kompetansebakvakt."""
    return fastlege(k, **fields)


def vaktavtale(distrikt_, lege, *, fra: dt.date = FRA, til: dt.date | None = None) -> Vaktavtale:
    with in_kommune(distrikt_.kommune):
        return Vaktavtale.objects.create(kommune=distrikt_.kommune, distrikt=distrikt_, lege=lege, fra=fra, til=til)


def oslo(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """An aware Oslo time."""
    from legevakt.tid import OSLO

    return dt.datetime(year, month, day, hour, minute, tzinfo=OSLO)
