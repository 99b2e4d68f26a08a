"""Demo data for legevakt (run by `manage.py seed_demo` through kommune.demo's registry, after the
register seeders).

- «Indre Helgeland legevakt»: interkommunal, Grane (1825, vertskommune) and Hattfjelldal (1826),
  both sentralitetsklasse 6 and under 5 000 inhabitants, for evenings, nights, weekends and
  holidays (the band «utenfor dagtid»); three doctors share every block of hjemmevakt in turn —
  every third night and every third weekend: overloaded, so the nightly job flags it;
- «Bergen legevakt»: Bergen alone around the clock, tilstedevakt in three shifts a day, the
  Bergen demo doctors plus legevakt doctors by agreement (a large rota); Arne Vik (over 60) has
  claimed his right-based exemption, so the roster leaves him out at night;
- three months of shifts from Monday 2 November 2026 to Monday 1 February 2027 (fixed dates), a
  swap pending and one approved, a sick-call (a cancelled shift and its replacement).

Everything is written through the services (legevakt.distrikt_services, fritak_services,
vakt_services); a shift the rules refuse goes to the next doctor in turn, so the roster is legal
and deterministic. Idempotent: a district that exists is left alone.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError

from core.context import current_actor, scope
from core.tenancy import unscoped
from kommune import regler
from kommune import services as kommune_services
from kommune.demo import Login, Seeder, register
from kommune.models import Kommune, Lege, User
from legevakt import tid

D = dt.date
START = D(2026, 11, 2)
SLUTT = D(2027, 2, 1)
AVTALE_FRA = D(2026, 10, 1)
GRANE_DISTRIKT = "Indre Helgeland legevakt"
BERGEN_DISTRIKT = "Bergen legevakt"
LEGE_LOGIN = "lege.grane@demo.fastlege.no"  # linked to Guri Fjellheim when the login exists (kommune.demo.DEMO_ROLES)

_KURS = {"kurs_akuttmedisin": D(2020, 3, 1), "kurs_vold_overgrep": D(2020, 9, 1)}
# (hpr, fornavn, etternavn, født, kompetanse)
GRANE_LEGER = [
    ("1000301", "Guri", "Fjellheim", D(1978, 3, 3), {"spesialist_allmennmedisin_fra": D(2012, 1, 1), **_KURS}),
    ("1000302", "Mats", "Svenningdal", D(1985, 6, 6), {"spesialist_allmennmedisin_fra": D(2019, 5, 1), **_KURS}),
    ("1000303", "Anita", "Røssvoll", D(1981, 9, 9), {"godkjent_allmennlege_fra": D(2014, 1, 1), **_KURS}),
]
# Legevakt doctors by agreement in Bergen, all meeting § 3a (most demo fastleger lack the two courses, so the
# roster gives their turns to the next doctor).
BERGEN_LEGEVAKTLEGER = [
    (f"10004{n:02d}", fornavn, etternavn, D(1975 + n, 1 + n % 12, 1 + n), {"spesialist_allmennmedisin_fra": D(2012, 1, 1), **_KURS})
    for n, (fornavn, etternavn) in enumerate([
        ("Henrik", "Nordnes"), ("Solveig", "Sandviken"), ("Eirik", "Laksevåg"), ("Marit", "Åsane"), ("Tobias", "Fyllingen"),
        ("Ida", "Arna"), ("Kristian", "Ytrebygda"), ("Live", "Bergenhus"), ("Sindre", "Årstad"), ("Hege", "Løvstakken"),
        ("Jon", "Fana"), ("Synne", "Nygård"), ("Are", "Paradis"), ("Frida", "Minde"),
    ], start=1)
]


def _lege(k: Kommune, hpr: str, fornavn: str, etternavn: str, fodt: dt.date, kompetanse: dict) -> Lege:
    existing = Lege.objects.filter(hpr_nummer=hpr).first()
    if existing is not None:
        return existing
    return kommune_services.register_lege(kommune=k, hpr_nummer=hpr, fornavn=fornavn, etternavn=etternavn, fodselsdato=fodt,
                                          **kompetanse)


def _blokker(fra: dt.date, til: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    """Evenings, nights, weekends and holidays as continuous blocks, none longer than 72 hours
    (a long holiday block is cut in two-day pieces)."""
    result = []
    for start, end in tid.bolk_intervaller("utenfor_dagtid", fra, til):
        while (end - start) > dt.timedelta(hours=regler.verdi("legevakt_vakt_maks_timer")):
            result.append((start, start + dt.timedelta(hours=48)))
            start += dt.timedelta(hours=48)
        result.append((start, end))
    return result


def _roster(distrikt, shifts, pool: list[Lege], *, type_: str, vaktklasse: int | None = None) -> list:
    """Give each shift to the doctors in turn; when the rules refuse one (rest, exemption,
    competence, overlap), the next doctor gets it."""
    from legevakt import vakt_services

    created, turn = [], 0
    for start, end in shifts:
        for attempt in range(len(pool)):
            lege = pool[(turn + attempt) % len(pool)]
            try:
                created.append(vakt_services.create_vakt(distrikt=distrikt, lege=lege, type=type_, start=start, slutt=end,
                                                         vaktklasse=vaktklasse))
            except ValidationError:
                continue
            turn += attempt + 1
            break
    return created


def _seed_grane(grane: Kommune, hattfjelldal: Kommune) -> None:
    from legevakt import distrikt_services, vakt_services

    distrikt = distrikt_services.create_distrikt(
        kommune=grane, navn=GRANE_DISTRIKT, type="interkommunal", fra=D(2026, 1, 1), tidsbolk="utenfor_dagtid",
        medlemmer=[hattfjelldal.kommunenummer],
        merknad="Grane og Hattfjelldal: legevakt utenom ordinær åpningstid; på dagtid tar legekontorene øyeblikkelig hjelp.",
    )
    distrikt_services.create_stasjon(distrikt=distrikt, navn="Grane legevakt", adresse="Grane helsesenter, Sentrumsveien 1",
                                     postnummer="8680", poststed="Trofors")
    leger = [_lege(grane, *row) for row in GRANE_LEGER]
    for lege in leger:
        distrikt_services.create_vaktavtale(distrikt=distrikt, lege=lege, fra=AVTALE_FRA,
                                            merknad="Fastlege i distriktet; deltar i legevakten.")
    shifts = _roster(distrikt, _blokker(START, SLUTT), leger, type_="hjemmevakt")
    # Swaps: one approved, one waiting. Two shifts of different doctors a week apart.
    by_doctor = {lege.pk: [v for v in shifts if v.lege_id == lege.pk] for lege in leger}
    a, b = by_doctor[leger[0].pk], by_doctor[leger[1].pk]
    bytte = vakt_services.be_om_bytte(vakt=a[10], mot_vakt=b[12])
    vakt_services.godkjenn_bytte(bytte=bytte, expected_version=bytte.versjon)
    vakt_services.be_om_bytte(vakt=a[15], mot_vakt=b[17])
    _link_lege_login(grane, leger[0])


def _link_lege_login(k: Kommune, lege: Lege) -> None:
    from legevakt import distrikt_services

    user = User.objects.filter(email=LEGE_LOGIN).first()
    if user is None or lege.bruker_id == user.pk:
        return
    try:
        distrikt_services.koble_bruker(lege, user)
    except ValidationError:
        pass  # the login has no «lege» role in the kommune (not in kommune.demo.DEMO_ROLES)


def _seed_bergen(bergen: Kommune) -> None:
    from legevakt import distrikt_services, fritak_services, vakt_regler, vakt_services

    distrikt = distrikt_services.create_distrikt(kommune=bergen, navn=BERGEN_DISTRIKT, type="en_kommune", fra=D(2026, 1, 1))
    distrikt_services.create_stasjon(distrikt=distrikt, navn="Bergen legevakt", adresse="Vestre Strømkaien 19",
                                     postnummer="5008", poststed="Bergen", telefon="55 56 87 00")
    vik = Lege.objects.filter(hpr_nummer="1000106").first()  # Arne Vik, born 1957
    if vik is not None:
        fritak_services.create_fritak(kommune=bergen, lege=vik, type="rett_alder", fra=D(2026, 10, 1), krevd=D(2026, 9, 15))
    for row in BERGEN_LEGEVAKTLEGER:
        distrikt_services.create_vaktavtale(distrikt=distrikt, lege=_lege(bergen, *row), fra=AVTALE_FRA)
    pool = [d.lege for d in vakt_regler.deltakere(distrikt, START)]
    shifts = []
    day = START
    while day < SLUTT:
        for start_h, end_h, next_day in ((8, 16, False), (16, 23, False), (23, 8, True)):
            start = tid.paa_dag(day, dt.time(start_h))
            end = tid.paa_dag(day + dt.timedelta(days=1) if next_day else day, dt.time(end_h))
            shifts.append((start, end))
        day += dt.timedelta(days=1)
    created = _roster(distrikt, shifts, pool, type_="tilstedevakt", vaktklasse=4)
    # A sick-call: the doctor on an evening shift in December falls ill; the best-ranked candidate takes it.
    sick = next(v for v in created if tid.lokal(v.start) == tid.paa_dag(D(2026, 12, 9), dt.time(16)))
    kandidat = next(k for k in vakt_services.erstattere(vakt=sick) if k.kvalifisert and not k.fritatt)
    vakt_services.meld_syk(vakt=sick, expected_version=sick.versjon, erstatter=kandidat.lege)


def seed_legevakt() -> list[Login]:
    from legevakt import belastning_jobb
    from legevakt.models import Legevaktdistrikt

    with unscoped(reason="demo seed: look up the demo kommuner"):
        kommuner = {k.kommunenummer: k for k in Kommune.objects.filter(kommunenummer__in=["1825", "1826", "4601"])}
    actor = current_actor() or "kommando:seed_demo"
    grane, bergen = kommuner["1825"], kommuner["4601"]
    with scope(kommune_id=grane.pk, actor=actor):
        if not Legevaktdistrikt.objects.filter(kommune=grane, navn=GRANE_DISTRIKT).exists():
            _seed_grane(grane, kommuner["1826"])
            belastning_jobb.run(kommune_id=grane.pk)
    with scope(kommune_id=bergen.pk, actor=actor):
        if not Legevaktdistrikt.objects.filter(kommune=bergen, navn=BERGEN_DISTRIKT).exists():
            _seed_bergen(bergen)
            belastning_jobb.run(kommune_id=bergen.pk)
    return []


register(Seeder(key="legevakt", order=40, run=seed_legevakt))

