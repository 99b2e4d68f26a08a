"""Reads about vikarer: the kommune's vikar pool with availability and current engagements, the
ranked candidates for a vikar period on a list, and the content of the kommune's confirmation of a
vikaravtale (for the vikar's Helfo agreement on direct settlement). Each read is a constant number
of queries whatever the size of the pool.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from core.context import current_kommune_id
from kommune.models import KOMPETANSESTATUS, Lege
from lister import kompetanse
from lister.models import Legeperiode, Pasientliste, Rolle, Tilgjengelighet, Ukedag, Vikar

# --- the pool -------------------------------------------------------------------------------------


def vikar_list(*, bare_aktive: bool = True, on: dt.date | None = None) -> QuerySet[Vikar]:
    """The kommune's vikar pool with each doctor's register record, the availability windows that
    have not ended (`vinduer`) and the doctor's periods on this kommune's lists that have not ended
    (`engasjementer`). Three queries whatever the pool's size."""
    day = on or timezone.localdate()
    not_ended = Q(til__isnull=True) | Q(til__gt=day)
    queryset = Vikar.objects.select_related("lege").prefetch_related(
        Prefetch("tilgjengelighet", queryset=Tilgjengelighet.objects.filter(not_ended).order_by("fra", "id"), to_attr="vinduer"),
        Prefetch("lege__perioder", queryset=Legeperiode.objects.filter(not_ended).select_related(
            "pasientliste__legekontor").order_by("fra", "id"), to_attr="engasjementer"),
    )
    if bare_aktive:
        queryset = queryset.filter(aktiv=True)
    return queryset.order_by("lege__etternavn", "lege__fornavn", "id")


def get_vikar(*, pk: int) -> Vikar:
    return get_object_or_404(vikar_list(bare_aktive=False), pk=pk)


def tilgjengelighet_for(*, vikar: Vikar) -> QuerySet[Tilgjengelighet]:
    return Tilgjengelighet.objects.filter(vikar=vikar).order_by("fra", "id")


def get_tilgjengelighet(*, vikar: Vikar, pk: int) -> Tilgjengelighet:
    return get_object_or_404(tilgjengelighet_for(vikar=vikar), pk=pk)


def kompetanse_tekst(lege: Lege, on: dt.date | None = None) -> str:
    return str(KOMPETANSESTATUS[lege.kompetansestatus(on)])


# --- candidates -----------------------------------------------------------------------------------

# Points of the transparent score (see `kandidater`).
POENG_TILGJENGELIGHET = 60
POENG_KOMPETANSE = {"spesialist": 25, "godkjent_allmennlege": 20, "under_spesialisering": 15, "overgangsregel": 10, "ingen": 0}
KOMPETANSE_RANG = {"spesialist": 4, "godkjent_allmennlege": 3, "under_spesialisering": 2, "overgangsregel": 1, "ingen": 0}
POENG_KONTINUITET = {"liste": 15, "kontor": 8, "": 0}

KANDIDAT_SQL = """
WITH c AS (
    SELECT * FROM unnest(%(vikarer)s::bigint[], %(leger)s::bigint[]) AS c(vikar_id, lege_id)
),
vinduer AS (
    SELECT t.vikar_id,
           SUM(GREATEST(0, LEAST(COALESCE(t.til, 'infinity'::date), %(til)s::date) - GREATEST(t.fra, %(fra)s::date)))
               FILTER (WHERE t.stillingsprosent >= %(prosent)s) AS dager,
           SUM(GREATEST(0, LEAST(COALESCE(t.til, 'infinity'::date), %(til)s::date) - GREATEST(t.fra, %(fra)s::date)))
               AS dager_alle
      FROM lister_tilgjengelighet t
     WHERE t.kommune_id = %(kommune)s AND t.vikar_id = ANY(%(vikarer)s)
       AND daterange(t.fra, t.til, '[)') && daterange(%(fra)s::date, %(til)s::date, '[)')
     GROUP BY t.vikar_id
),
-- Every engagement of the candidates in the period, in all kommuner. Only each doctor's peak sum
-- leaves this query: nothing about other kommuners' lists.
p AS (
    SELECT lege_id, GREATEST(fra, %(fra)s::date) AS fra, LEAST(COALESCE(til, 'infinity'::date), %(til)s::date) AS til,
           stillingsprosent
      FROM lister_legeperiode
     WHERE lege_id = ANY(%(leger)s) AND daterange(fra, til, '[)') && daterange(%(fra)s::date, %(til)s::date, '[)')
),
topp AS (
    SELECT lege_id, MAX(total)::int AS prosent FROM (
        SELECT s.lege_id, s.dag, SUM(p.stillingsprosent) AS total
          FROM (SELECT DISTINCT lege_id, fra AS dag FROM p) s
          JOIN p ON p.lege_id = s.lege_id AND p.fra <= s.dag AND s.dag < p.til
         GROUP BY s.lege_id, s.dag
    ) totals
     GROUP BY lege_id
),
liste AS (
    -- Continuity counts only service before the period asked about (a future booking is not history).
    SELECT lege_id, MAX(LEAST(COALESCE(til, %(fra)s::date), %(fra)s::date) - 1) FILTER (WHERE fra < %(fra)s::date) AS sist,
           (ARRAY_AGG(rolle ORDER BY COALESCE(til, 'infinity'::date) DESC, fra DESC))[1] AS rolle,
           BOOL_OR(daterange(fra, til, '[)') && daterange(%(fra)s::date, %(til)s::date, '[)')) AS overlapper
      FROM lister_legeperiode
     WHERE kommune_id = %(kommune)s AND pasientliste_id = %(liste)s AND lege_id = ANY(%(leger)s)
     GROUP BY lege_id
),
kontor AS (
    SELECT p.lege_id, MAX(LEAST(COALESCE(p.til, %(fra)s::date), %(fra)s::date) - 1) AS sist
      FROM lister_legeperiode p
      JOIN lister_pasientliste l ON l.id = p.pasientliste_id AND l.kommune_id = p.kommune_id
     WHERE p.kommune_id = %(kommune)s AND l.legekontor_id = %(kontor)s AND p.pasientliste_id <> %(liste)s
       AND p.lege_id = ANY(%(leger)s) AND p.fra < %(fra)s::date
     GROUP BY p.lege_id
)
SELECT c.lege_id, COALESCE(vinduer.dager, 0)::int, COALESCE(vinduer.dager_alle, 0)::int, COALESCE(topp.prosent, 0),
       liste.sist, liste.rolle, COALESCE(liste.overlapper, false), kontor.sist
  FROM c
  LEFT JOIN vinduer ON vinduer.vikar_id = c.vikar_id
  LEFT JOIN topp ON topp.lege_id = c.lege_id
  LEFT JOIN liste ON liste.lege_id = c.lege_id
  LEFT JOIN kontor ON kontor.lege_id = c.lege_id
"""


@dataclass
class Kandidat:
    """One pool doctor's fit for the period, with the score's parts and the reasons in words."""

    vikar: Vikar
    lege: Lege
    poeng: int
    grunner: list[str]
    tilgjengelige_dager: int
    periodedager: int
    andel_tilgjengelig: float
    engasjert_prosent: int  # the doctor's peak engagement in the period, all kommuner
    ledig_prosent: int
    fullt_engasjert: bool  # free capacity below the needed stillingsprosent
    kompetanse: str  # kommune.models.KOMPETANSESTATUS key
    kompetanse_tekst: str
    unntak: kompetanse.Unntaksstatus | None
    over_unntak: bool  # beyond the § 4 limits with this period: needs the kommuneoverlege's justification
    kontinuitet: str  # "liste", "kontor" or ""
    sist: dt.date | None
    overlapper: bool  # already on this list in the period: cannot be assigned again
    poengdeler: dict[str, int] = field(default_factory=dict)

    @property
    def kan_velges(self) -> bool:
        return not self.overlapper


def _maned(day: dt.date | None) -> str:
    return day.strftime("%Y-%m") if day else ""


def arbeidsdager_i(fra: dt.date, til: dt.date, arbeidsdager: Iterable[int]) -> tuple[int, int]:
    """Working days in [fra, til) — the weekdays given (0 = Sunday), or Monday–Friday when none are
    given — in all, and in the calendar year of `fra`."""
    days = set(arbeidsdager) or {1, 2, 3, 4, 5}
    total = in_year = 0
    day = fra
    while day < til:
        if day.isoweekday() % 7 in days:
            total += 1
            if day.year == fra.year:
                in_year += 1
        day += dt.timedelta(days=1)
    return total, in_year


def _over_unntak(status, nye: int, nye_i_ar: int) -> bool:
    """Both § 4 exceptions used up with this period's working days: at most one year in all, or at
    most four months in the calendar year (kompetanseforskriften § 4). An estimate for a status that
    does not say where the proposed period goes beyond the limits (kompetanse does, when it can)."""
    if status is None or not status.i_unntak:
        return False
    return status.dager_totalt + nye > status.grense_totalt and status.dager_i_ar + nye_i_ar > status.grense_ar


MAKS_KANDIDATPERIODE_DAGER = 5 * 366  # ranking looks at every day of the period: five years is plenty


def check_kandidatperiode(fra: dt.date, til: dt.date) -> None:
    """The period asked about must lie in the system's date range and be at most five years (400 otherwise)."""
    from django.core.exceptions import ValidationError

    from core.dates import check_range

    check_range(fra, "fra")
    check_range(til, "til")
    if (til - fra).days > MAKS_KANDIDATPERIODE_DAGER:
        raise ValidationError({"til": [ValidationError(
            _("Forslag kan gis for en periode på høyst fem år."), code="for_lang_periode")]})


def kandidater(*, liste: Pasientliste, fra: dt.date, til: dt.date, stillingsprosent: int,
               arbeidsdager: Iterable[int] = ()) -> list[Kandidat]:
    """The kommune's active pool doctors ranked for a vikar period [fra, til) on `liste` at
    `stillingsprosent` on `arbeidsdager`, best first, each with a score (0–100) and its reasons.

    Scoring (each part is shown as a reason):

    - **Availability, 0–60 points**: 60 × the share of the period's calendar days that lie inside
      the vikar's availability windows whose stillingsprosent is at least the needed one, × the
      share of the needed stillingsprosent the doctor has free (free capacity = 100 − the doctor's
      peak total engagement on any day of the period, across all kommuner, computed in one
      set-based query for all candidates; only the sums are read). A doctor whose free capacity is
      below the needed percentage is marked *fully engaged* (the assignment would then need a
      reason for going over 100 %); with no free capacity the part is 0.
    - **Competence, 0–25 points** from the register (kompetanseforskriften § 3 and § 5):
      spesialist i allmennmedisin 25, godkjent allmennlege 20, under spesialisering 15, § 5
      overgangsregel 10, none of these 0. For "none" the § 4 status (days worked in exception
      relationships, lister.kompetanse.unntak_oversikt, asked with the proposed period) is shown
      when known ("unknown" when the overview has no entry), and the doctor is marked *beyond the
      § 4 limits* when the overview finds a day of the proposed period beyond both the total (one
      year) and the calendar-year limit (four months) — the assignment then needs the
      kommuneoverlege's justification. These doctors get 0 competence points either way.
    - **Continuity, 0–15 points**: has served this list before (any period on it) 15, has served
      another list at the same office 8, neither 0; the latest day served is shown.

    Ties are broken by competence, continuity, the latest day served and the name. A doctor already
    on this list in an overlapping period cannot be assigned again and is put last. Constant number
    of queries: the pool (one), the figures (one), the § 4 overview (kompetanse's own constant).
    """
    pool = list(Vikar.objects.filter(aktiv=True).select_related("lege").order_by("lege__etternavn", "lege__fornavn", "id"))
    if not pool:
        return []
    periodedager = (til - fra).days
    with connection.cursor() as cursor:
        cursor.execute(KANDIDAT_SQL, {
            "vikarer": [v.pk for v in pool], "leger": [v.lege_id for v in pool], "kommune": current_kommune_id(),
            "liste": liste.pk, "kontor": liste.legekontor_id, "fra": fra, "til": til, "prosent": stillingsprosent,
        })
        figures = {row[0]: row[1:] for row in cursor.fetchall()}
    # The § 4 counts as of the day before the period (what the doctor has used before it starts),
    # with the proposed period counted for where it would go beyond the limits.
    dagen_for = fra - dt.timedelta(days=1)
    unntak = kompetanse.unntak_oversikt(lege_ids=[v.lege_id for v in pool], on=dagen_for, fra=fra, til=til,
                                        arbeidsdager=list(arbeidsdager)) or {}
    nye, nye_i_ar = arbeidsdager_i(fra, til, arbeidsdager)
    result = [
        _kandidat(vikar, figures[vikar.lege_id], unntak.get(vikar.lege_id), fra=fra, ar=dagen_for.year, periodedager=periodedager,
                  stillingsprosent=stillingsprosent, nye=nye, nye_i_ar=nye_i_ar)
        for vikar in pool
    ]
    result.sort(key=lambda k: (k.overlapper, -k.poeng, -KOMPETANSE_RANG[k.kompetanse], -POENG_KONTINUITET[k.kontinuitet],
                               -(k.sist.toordinal() if k.sist else 0), k.lege.etternavn, k.lege.fornavn, k.vikar.pk))
    return result


def _kandidat(vikar: Vikar, row, status, *, fra, ar, periodedager, stillingsprosent, nye, nye_i_ar) -> Kandidat:
    dager, dager_alle, topp, liste_sist, liste_rolle, overlapper, kontor_sist = row
    lege = vikar.lege
    grunner: list[str] = []

    andel = dager / periodedager if periodedager else 0.0
    if dager >= periodedager:
        grunner.append(_("Tilgjengelig hele perioden"))
    elif dager > 0:
        grunner.append(_("Tilgjengelig %(dager)d av %(alle)d dager i perioden") % {"dager": dager, "alle": periodedager})
    else:
        grunner.append(_("Ikke registrert som tilgjengelig i perioden"))
    if dager_alle > dager:
        grunner.append(_("%(dager)d dager bare med lavere stillingsprosent enn %(prosent)d %%") % {
            "dager": dager_alle - dager, "prosent": stillingsprosent})
    ledig = max(0, 100 - topp)
    fullt = ledig < stillingsprosent
    if topp == 0:
        grunner.append(_("Ingen andre engasjementer i perioden"))
    elif fullt:
        grunner.append(_("Allerede %(prosent)d %% engasjert i perioden – over 100 %% krever begrunnelse") % {"prosent": topp})
    else:
        grunner.append(_("Allerede %(prosent)d %% engasjert i perioden (ledig %(ledig)d %%)") % {"prosent": topp, "ledig": ledig})
    kapasitet = min(1.0, ledig / stillingsprosent) if stillingsprosent else 0.0
    poeng_a = round(POENG_TILGJENGELIGHET * andel * kapasitet)

    kode = lege.kompetansestatus(fra)
    tekst = str(KOMPETANSESTATUS[kode])
    grunner.append(tekst)
    over = False
    if kode == "ingen":
        if status is not None and status.i_unntak:
            grunner.append(_("Unntak etter § 4: %(totalt)d av %(grense_totalt)d dager til sammen, %(ar)d av %(grense_ar)d "
                             "dager i %(aar)d") % {"totalt": status.dager_totalt, "grense_totalt": status.grense_totalt,
                                                    "ar": status.dager_i_ar, "grense_ar": status.grense_ar, "aar": ar})
        elif status is None:
            grunner.append(_("Bruken av unntakene i § 4 er ukjent"))
        utover = getattr(status, "forste_dag_utover_i_perioden", None)
        over = utover is not None if hasattr(status, "forste_dag_utover_i_perioden") else _over_unntak(status, nye, nye_i_ar)
        if over and utover is not None:
            grunner.append(_("Ut over grensene i kompetanseforskriften § 4 fra %(dato)s – krever kommuneoverlegens "
                             "begrunnelse") % {"dato": utover.strftime("%d.%m.%Y")})
        elif over:
            grunner.append(_("Ut over grensene i kompetanseforskriften § 4 med denne perioden – krever kommuneoverlegens "
                             "begrunnelse"))
    poeng_k = POENG_KOMPETANSE[kode]

    if liste_sist is not None:
        kontinuitet, sist = "liste", liste_sist
        if liste_rolle == Rolle.FASTLEGE:
            grunner.append(_("Har vært fastlege på denne listen (sist %(maned)s)") % {"maned": _maned(sist)})
        else:
            grunner.append(_("Har vært vikar på denne listen (sist %(maned)s)") % {"maned": _maned(sist)})
    elif kontor_sist is not None:
        kontinuitet, sist = "kontor", kontor_sist
        grunner.append(_("Har arbeidet ved dette legekontoret (sist %(maned)s)") % {"maned": _maned(sist)})
    else:
        kontinuitet, sist = "", None
        grunner.append(_("Har ikke arbeidet på listen eller ved kontoret før"))
    poeng_c = POENG_KONTINUITET[kontinuitet]
    if overlapper:
        grunner.insert(0, _("Har allerede en periode på denne listen i perioden"))

    return Kandidat(
        vikar=vikar, lege=lege, poeng=poeng_a + poeng_k + poeng_c, grunner=grunner, tilgjengelige_dager=dager,
        periodedager=periodedager, andel_tilgjengelig=andel, engasjert_prosent=topp, ledig_prosent=ledig, fullt_engasjert=fullt,
        kompetanse=kode, kompetanse_tekst=tekst, unntak=status, over_unntak=over, kontinuitet=kontinuitet, sist=sist,
        overlapper=bool(overlapper),
        poengdeler={"tilgjengelighet": poeng_a, "kompetanse": poeng_k, "kontinuitet": poeng_c},
    )


@dataclass(frozen=True)
class Behov:
    """What the list has in a period: its fastleger and vikarer there, and whether it is without a
    fastlege on some day (vacant). Assigning a vikar is allowed either way."""

    fastleger: list[str]
    vikarer: list[str]
    uten_fastlege_dager: int
    periodedager: int
    fastlege_ids: list[int]

    @property
    def ubesatt_hele_perioden(self) -> bool:
        return self.uten_fastlege_dager >= self.periodedager


def behov(*, liste: Pasientliste, fra: dt.date, til: dt.date) -> Behov:
    """The list's fastleger and vikarer overlapping [fra, til) and the days in it without a
    fastlege. One query."""
    perioder = list(
        Legeperiode.objects.filter(pasientliste=liste, fra__lt=til).filter(Q(til__isnull=True) | Q(til__gt=fra))
        .select_related("lege").order_by("fra", "id")
    )
    dekket: set[int] = set()
    for periode in perioder:
        if periode.rolle == Rolle.FASTLEGE:
            start = max(periode.fra, fra)
            slutt = min(periode.til or til, til)
            dekket.update(range(start.toordinal(), slutt.toordinal()))
    periodedager = (til - fra).days
    fastleger = [p for p in perioder if p.rolle == Rolle.FASTLEGE]
    return Behov(
        fastleger=list(dict.fromkeys(p.lege.navn for p in fastleger)),
        vikarer=list(dict.fromkeys(p.lege.navn for p in perioder if p.rolle == Rolle.VIKAR)),
        uten_fastlege_dager=periodedager - len(dekket),
        periodedager=periodedager,
        fastlege_ids=list(dict.fromkeys(p.lege_id for p in fastleger)),
    )


# --- the confirmation of the vikaravtale ------------------------------------------------------------

def ukedager_tekst(arbeidsdager: Iterable[int]) -> str:
    """Weekdays Monday first (FLR numbers Sunday 0); empty: not limited to particular weekdays."""
    days = sorted(set(arbeidsdager or ()), key=lambda d: (d == 0, d))
    if not days:
        return _("Ikke begrenset til bestemte ukedager")
    return ", ".join(str(Ukedag(d).label) for d in days)


@dataclass(frozen=True)
class Vikarbekreftelse:
    """The kommune's confirmation of a vikaravtale: what the vikar attaches to the Helfo agreement
    on direct settlement (avtale om direkte oppgjør)."""

    periode_id: int
    kommune_navn: str
    kommunenummer: str
    vikar_navn: str
    vikar_hpr_nummer: str
    legekontor: str
    adresse: str
    postnummer: str
    poststed: str
    liste_id: int
    liste_navn: str
    flo_id: str
    vikar_for_navn: str
    vikar_for_hpr_nummer: str
    ubesatt_liste: bool
    fastleger_i_perioden: list[str]
    fra: dt.date
    til: dt.date | None
    siste_dag: dt.date | None
    stillingsprosent: int
    arbeidsdager: list[int]
    arbeidsdager_tekst: str


def bekreftelse(*, periode_id: int) -> Vikarbekreftelse:
    """The confirmation's content for a vikar period (LPVI) on the kommune's lists; 404 for a
    fastlege period, another kommune's period or none. Two queries."""
    periode = get_object_or_404(
        Legeperiode.objects.select_related("lege", "vikar_for", "pasientliste__legekontor", "kommune"), pk=periode_id)
    if periode.rolle != Rolle.VIKAR:
        raise Http404
    liste = periode.pasientliste
    slutt = periode.til or dt.date.max
    fastleger = list(
        Legeperiode.objects.filter(pasientliste=liste, rolle=Rolle.FASTLEGE, fra__lt=slutt)
        .filter(Q(til__isnull=True) | Q(til__gt=periode.fra)).select_related("lege").order_by("fra", "id")
    )
    kontor = liste.legekontor
    return Vikarbekreftelse(
        periode_id=periode.pk,
        kommune_navn=periode.kommune.navn, kommunenummer=periode.kommune.kommunenummer,
        vikar_navn=periode.lege.navn, vikar_hpr_nummer=periode.lege.hpr_nummer,
        legekontor=kontor.navn, adresse=kontor.adresse, postnummer=kontor.postnummer, poststed=kontor.poststed,
        liste_id=liste.pk, liste_navn=str(liste), flo_id=liste.flo_id,
        vikar_for_navn=periode.vikar_for.navn if periode.vikar_for else "",
        vikar_for_hpr_nummer=periode.vikar_for.hpr_nummer if periode.vikar_for else "",
        ubesatt_liste=periode.vikar_for is None and not fastleger,
        fastleger_i_perioden=list(dict.fromkeys(p.lege.navn for p in fastleger)),
        fra=periode.fra, til=periode.til, siste_dag=periode.til - dt.timedelta(days=1) if periode.til else None,
        stillingsprosent=periode.stillingsprosent, arbeidsdager=list(periode.arbeidsdager),
        arbeidsdager_tekst=ukedager_tekst(periode.arbeidsdager),
    )
