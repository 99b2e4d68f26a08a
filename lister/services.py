"""Writes about lists: offices, lists, who serves them, and their monthly size. Pages, the API,
the avtaler app and tasks all go through these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from core.concurrency import update_versioned
from core.constraints import full_clean, save_new, translate
from core.dates import check_range
from core.tenancy import unscoped
from kommune import regler
from kommune.models import Kommune, Lege
from lister import kompetanse
from lister.models import Legekontor, Legeperiode, Listetall, Oppdragsgiver, Pasientliste, Rolle, Sluttarsak

# --- offices ------------------------------------------------------------------------------------

LEGEKONTOR_FIELDS = frozenset({"navn", "organisasjonsnummer", "adresse", "postnummer", "poststed", "telefon"})


def create_legekontor(*, kommune: Kommune, navn: str, organisasjonsnummer: str, adresse: str, postnummer: str,
                      poststed: str, telefon: str = "") -> Legekontor:
    return save_new(
        Legekontor(kommune=kommune, navn=navn.strip(), organisasjonsnummer=organisasjonsnummer.strip().replace(" ", ""),
                   adresse=adresse.strip(), postnummer=postnummer.strip(), poststed=poststed.strip(), telefon=telefon.strip()),
        fields={"legekontor_orgnr_unique_per_kommune": "organisasjonsnummer"},
    )


def update_legekontor(*, legekontor: Legekontor, expected_version: int, **changes) -> Legekontor:
    unknown = set(changes) - LEGEKONTOR_FIELDS
    if unknown:
        raise ValidationError({field: _("Dette feltet kan ikke endres.") for field in sorted(unknown)})
    changes = {key: value.strip() if isinstance(value, str) else value for key, value in changes.items()}
    if "organisasjonsnummer" in changes:
        changes["organisasjonsnummer"] = changes["organisasjonsnummer"].replace(" ", "")
    return update_versioned(legekontor, expected_version=expected_version, changes=changes)


# --- lists --------------------------------------------------------------------------------------

def _validate_samarbeidskommuner(kommune: Kommune, numbers: Iterable[str]) -> list[str]:
    numbers = sorted({str(n).strip() for n in numbers if str(n).strip()})
    if not numbers:
        return []
    with unscoped(reason="samarbeidskommuner: check numbers against the national kommune register"):
        known = set(Kommune.objects.filter(kommunenummer__in=numbers).values_list("kommunenummer", flat=True))
    unknown = [n for n in numbers if n not in known]
    if unknown:
        raise ValidationError({"samarbeidskommuner": [_("Ukjente kommunenummer: %(nr)s.") % {"nr": ", ".join(unknown)}]})
    if kommune.kommunenummer in numbers:
        raise ValidationError({"samarbeidskommuner": [_("Kommunen kan ikke samarbeide med seg selv om listen.")]})
    return numbers


def validate_listetak(listetak: int, *, field: str = "listetak", on: dt.date | None = None) -> None:
    """1–2 500 (fastlegeforskriften § 10)."""
    low, high = regler.verdi("listetak_min", on), regler.verdi("listetak_maks", on)
    if listetak is None or not low <= listetak <= high:
        raise ValidationError({field: ValidationError(_("Listetaket må være mellom %(min)d og %(max)s (%(kilde)s).") % {
            "min": low, "max": f"{high:,}".replace(",", "\u00a0"), "kilde": regler.kilde("listetak_maks", on)},
            code="listetak_utenfor")})


FLO_ID_FIELDS = {"pasientliste_flo_id_unique": "flo_id", "pasientliste_flo_id_digits": "flo_id"}


def _clean_flo_id(value: str | None) -> str:
    """The list's number in Fastlegeregisteret as written (spaces removed); the model checks the digits."""
    return "".join(str(value or "").split())


def _refuse_taken_flo_id(flo_id: str, *, exclude_id: int | None = None) -> None:
    if flo_id and Pasientliste.objects.filter(flo_id=flo_id).exclude(pk=exclude_id).exists():
        constraint = next(c for c in Pasientliste._meta.constraints if c.name == "pasientliste_flo_id_unique")
        raise ValidationError({"flo_id": ValidationError(constraint.get_violation_error_message(), code="flo_id_finnes")})


def create_pasientliste(*, kommune: Kommune, legekontor: Legekontor, listetak: int, gyldig_fra: dt.date, navn: str = "",
                        er_fellesliste: bool = False, manuelt_last: bool = False,
                        samarbeidskommuner: Iterable[str] = (), flo_id: str = "") -> Pasientliste:
    validate_listetak(listetak, on=gyldig_fra)
    flo_id = _clean_flo_id(flo_id)
    liste = Pasientliste(
        kommune=kommune, legekontor=legekontor, listetak=listetak, gyldig_fra=gyldig_fra, navn=navn.strip(),
        er_fellesliste=er_fellesliste, manuelt_last=manuelt_last, flo_id=flo_id,
        samarbeidskommuner=_validate_samarbeidskommuner(kommune, samarbeidskommuner),
    )
    from lister import sak_services
    from lister.models import Ledighetsarsak

    with transaction.atomic():
        save_new(liste, fields=FLO_ID_FIELDS)
        # A new list has no fastlege yet: a vacancy case opens on its first day (closed by the first avtale).
        sak_services.open_sak(liste=liste, arsak=Ledighetsarsak.NY_LISTE, kjent=gyldig_fra)
    return liste


PASIENTLISTE_FIELDS = frozenset({"legekontor", "navn", "manuelt_last", "er_fellesliste", "samarbeidskommuner", "listetak",
                                 "flo_id"})


def has_fastlege_from(liste: Pasientliste, day: dt.date) -> bool:
    """Does a fastlege period cover `day` or begin after it?"""
    from django.db.models import Q

    return liste.perioder.filter(rolle=Rolle.FASTLEGE).filter(Q(til__isnull=True) | Q(til__gt=day)).exists()


def update_pasientliste(*, liste: Pasientliste, expected_version: int, **changes) -> Pasientliste:
    """Change a list's settings. Its listetak can be set here only while no fastlege serves it
    (a vacant list); an established list's listetak changes through its fastlegeavtale (§ 11)."""
    from django.utils import timezone

    unknown = set(changes) - PASIENTLISTE_FIELDS
    if unknown:
        raise ValidationError({field: _("Dette feltet kan ikke endres.") for field in sorted(unknown)})
    if "samarbeidskommuner" in changes:
        changes["samarbeidskommuner"] = _validate_samarbeidskommuner(liste.kommune, changes["samarbeidskommuner"])
    if "flo_id" in changes:
        changes["flo_id"] = _clean_flo_id(changes["flo_id"])
        if changes["flo_id"] != liste.flo_id:
            _refuse_taken_flo_id(changes["flo_id"], exclude_id=liste.pk)
    if "listetak" in changes and changes["listetak"] != liste.listetak:
        validate_listetak(changes["listetak"])
        if has_fastlege_from(liste, timezone.localdate()):
            raise ValidationError({"listetak": ValidationError(_(
                "Listen har fastlege: listetaket endres gjennom fastlegeavtalen som en listetaksendring, der "
                "reglene i fastlegeforskriften §§ 10–11 gjelder."), code="listetak_via_avtale")})
    if changes.get("er_fellesliste") is False and liste.er_fellesliste:
        _refuse_overlapping_fastleger(liste)
    try:
        return update_versioned(liste, expected_version=expected_version, changes=changes)
    except IntegrityError as exc:  # pragma: no cover - update_versioned translates
        raise translate(exc, Pasientliste, Legeperiode) from exc


def _refuse_overlapping_fastleger(liste: Pasientliste) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT EXISTS (SELECT 1 FROM lister_legeperiode a JOIN lister_legeperiode b
                 ON a.pasientliste_id = b.pasientliste_id AND a.id < b.id
                 AND daterange(a.fra, a.til, '[)') && daterange(b.fra, b.til, '[)')
               WHERE a.pasientliste_id = %s AND a.rolle = 'LPFL' AND b.rolle = 'LPFL')""",
            [liste.pk],
        )
        if cursor.fetchone()[0]:
            raise ValidationError({"er_fellesliste": [_(
                "Listen har flere fastleger samtidig og kan ikke gjøres om til en vanlig liste "
                "(fastlegeforskriften § 20).")]})




def set_listetak_bulk(values: dict[int, int]) -> int:
    """Set many lists' listetak in one statement (the avtaler app's nightly application of
    listetak steps, which has checked §§ 10–11). The database's range check still applies."""
    if not values:
        return 0
    for listetak in values.values():
        validate_listetak(listetak)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE lister_pasientliste l SET listetak = v.listetak FROM unnest(%s::bigint[], %s::int[]) AS v(id, listetak) "
            "WHERE l.id = v.id AND l.listetak <> v.listetak",
            [list(values), list(values.values())],
        )
        return cursor.rowcount


def end_pasientliste(*, liste: Pasientliste, expected_version: int, gyldig_til: dt.date, sluttarsak: str) -> Pasientliste:
    if sluttarsak not in Sluttarsak.values:
        raise ValidationError({"sluttarsak": [_("Velg en sluttårsak.")]})
    with transaction.atomic():
        if liste.perioder.filter(til__isnull=True).exists() or liste.perioder.filter(til__gt=gyldig_til).exists():
            raise ValidationError({"gyldig_til": [_("Listen har leger etter denne datoen; avslutt periodene først.")]})
        return update_versioned(liste, expected_version=expected_version, changes={"gyldig_til": gyldig_til, "sluttarsak": sluttarsak})


# --- who serves the list --------------------------------------------------------------------------

@dataclass(frozen=True)
class Engasjementstopp:
    """The highest total stillingsprosent a doctor has on one day of a period, across kommuner."""

    dato: dt.date | None
    prosent: int


PEAK_SQL = """
WITH p AS (
    SELECT fra, COALESCE(til, 'infinity'::date) AS til, stillingsprosent
      FROM lister_legeperiode
     WHERE lege_id = %(lege)s AND id <> %(exclude)s
       AND daterange(fra, til, '[)') && daterange(%(fra)s, %(til)s, '[)')
    UNION ALL
    SELECT %(fra)s::date, COALESCE(%(til)s::date, 'infinity'::date), %(prosent)s
),
points AS (
    SELECT DISTINCT GREATEST(fra, %(fra)s::date) AS dag FROM p
)
SELECT points.dag, SUM(p.stillingsprosent)::int AS total
  FROM points JOIN p ON p.fra <= points.dag AND points.dag < p.til
 GROUP BY points.dag
 ORDER BY total DESC, points.dag
 LIMIT 1
"""


def engagement_peak(*, lege: Lege, fra: dt.date, til: dt.date | None, stillingsprosent: int,
                    exclude_id: int | None = None) -> Engasjementstopp:
    """The doctor's highest total engagement on any day of [fra, til) with a new engagement of
    `stillingsprosent` added: one set-based query over all the doctor's periods in every kommune.
    The total changes only where a period begins, so the peak is at one of those days. Only the
    day and the sum come back: nothing about the other kommuners' lists."""
    with connection.cursor() as cursor:
        cursor.execute(PEAK_SQL, {"lege": lege.pk, "exclude": exclude_id or 0, "fra": fra, "til": til, "prosent": stillingsprosent})
        row = cursor.fetchone()
    return Engasjementstopp(dato=row[0], prosent=row[1]) if row else Engasjementstopp(dato=None, prosent=stillingsprosent)


def lock_lege(lege: Lege) -> None:
    """Serialise engagement changes for one doctor (across kommuner): a row lock on the doctor."""
    Lege.objects.select_for_update().filter(pk=lege.pk).values_list("pk", flat=True).first()


def check_engagement(*, lege: Lege, fra: dt.date, til: dt.date | None, stillingsprosent: int, begrunnelse: str,
                     exclude_id: int | None = None) -> Engasjementstopp:
    """Refuse an engagement that takes the doctor above 100 % on some day unless a reason is
    recorded. Call inside a transaction after `lock_lege`, so two concurrent assignments of one
    doctor see each other."""
    peak = engagement_peak(lege=lege, fra=fra, til=til, stillingsprosent=stillingsprosent, exclude_id=exclude_id)
    limit = regler.verdi("engasjement_varsel_prosent", fra)
    if peak.prosent > limit and not (begrunnelse or "").strip():
        raise ValidationError({"begrunnelse_over_100": ValidationError(_(
            "Legen får til sammen %(prosent)d %% engasjement %(dato)s (i alle kommuner). Det er tillatt, men "
            "krever en begrunnelse.") % {"prosent": peak.prosent, "dato": peak.dato.strftime("%d.%m.%Y")},
            code="over_100_prosent")})
    return peak


def add_legeperiode(*, liste: Pasientliste, lege: Lege, rolle: str, fra: dt.date, til: dt.date | None = None,
                    stillingsprosent: int = 100, arbeidsdager: Iterable[int] = (), vikar_for: Lege | None = None,
                    begrunnelse_over_100: str = "", via_fastlegeavtale: bool = False,
                    kompetanse_begrunnelse: str = "", kontortid_start: dt.time | None = None,
                    kontortid_slutt: dt.time | None = None, oppdragsgiver: str = "") -> Legeperiode:
    """Put a doctor on the list for a period, as fastlege (LPFL) or vikar (LPVI). A fastlege period
    comes only from signing a fastlegeavtale (the avtaler app passes `via_fastlegeavtale`).
    Office hours (kontortid) default to 08–16 on the working days; legevakt's rest check uses them.
    A vikar's `oppdragsgiver` (who engages and pays: «kommunen», the default, or «fastlegen» — a
    næringsdrivende fastlege paying privately, not payroll) is refused on a fastlege period."""
    if rolle == Rolle.FASTLEGE and not via_fastlegeavtale:
        raise ValidationError({"rolle": ValidationError(_(
            "En fastlege settes på listen ved å signere en fastlegeavtale (fastlegeforskriften § 8); her registreres vikarer."),
            code="fastlege_via_avtale")})
    if rolle not in Rolle.values:
        raise ValidationError({"rolle": [_("Ugyldig rolle: LPFL (fastlege) eller LPVI (vikar).")]})
    if rolle == Rolle.FASTLEGE and vikar_for is not None:
        raise ValidationError({"vikar_for": [_("Bare en vikar kan være vikar for en lege.")]})
    if vikar_for is not None and vikar_for.pk == lege.pk:
        raise ValidationError({"vikar_for": [_("En lege kan ikke være vikar for seg selv.")]})
    oppdragsgiver = _oppdragsgiver(rolle, oppdragsgiver)
    check_range(fra, "fra")
    check_range(til, "til")
    if til is not None and til <= fra:
        raise ValidationError({"til": [_("Perioden må slutte etter at den begynner.")]})
    if fra < liste.gyldig_fra or (liste.gyldig_til and (til is None or til > liste.gyldig_til)):
        raise ValidationError({"fra": [_("Perioden må ligge innenfor listens gyldighet.")]})
    periode = Legeperiode(
        kommune_id=liste.kommune_id, pasientliste=liste, lege=lege, rolle=rolle, fra=fra, til=til,
        stillingsprosent=stillingsprosent, arbeidsdager=sorted(set(arbeidsdager)), vikar_for=vikar_for,
        er_fellesliste=liste.er_fellesliste, begrunnelse_over_100=(begrunnelse_over_100 or "").strip(),
        kompetanse_begrunnelse=(kompetanse_begrunnelse or "").strip(), oppdragsgiver=oppdragsgiver,
        **_kontortid(kontortid_start, kontortid_slutt),
    )
    overlap_fields = {"legeperiode_no_overlapping_fastlege": "fra", "legeperiode_no_overlap_same_doctor": "fra"}
    full_clean(periode, fields=overlap_fields)
    with transaction.atomic():
        lock_lege(lege)
        check_engagement(lege=lege, fra=fra, til=til, stillingsprosent=stillingsprosent, begrunnelse=begrunnelse_over_100)
        if rolle == Rolle.VIKAR:
            kompetanse.check_unntak(lege=lege, fra=fra, til=til, arbeidsdager=periode.arbeidsdager,
                                    kompetanse_begrunnelse=periode.kompetanse_begrunnelse)
        try:
            with transaction.atomic():
                periode.save()
        except IntegrityError as exc:
            raise translate(exc, Legeperiode, fields=overlap_fields) from exc
    return periode


def _oppdragsgiver(rolle: str, value: str | None) -> str:
    value = (value or "").strip()
    if rolle == Rolle.FASTLEGE:
        if value:
            raise ValidationError({"oppdragsgiver": ValidationError(
                _("Bare en vikarperiode har en oppdragsgiver."), code="oppdragsgiver_bare_vikar")})
        return ""
    if not value:
        return Oppdragsgiver.KOMMUNEN
    if value not in Oppdragsgiver.values:
        raise ValidationError({"oppdragsgiver": ValidationError(
            _("Oppdragsgiver må være «kommunen» eller «fastlegen»."), code="ugyldig")})
    return value


def _kontortid(start: dt.time | None, slutt: dt.time | None) -> dict:
    """Validated office hours (empty: the default 08–16)."""
    start = start or dt.time(8, 0)
    slutt = slutt or dt.time(16, 0)
    if not isinstance(start, dt.time) or not isinstance(slutt, dt.time):
        raise ValidationError({"kontortid_start": [_("Oppgi kontortiden som klokkeslett, for eksempel 08:00 og 16:00.")]})
    if slutt <= start:
        raise ValidationError({"kontortid_slutt": [ValidationError(
            _("Kontortiden må slutte etter at den begynner (samme dag)."), code="kontortid_rekkefolge")]})
    return {"kontortid_start": start, "kontortid_slutt": slutt}


def change_kontortid(*, periode: Legeperiode, kontortid_start: dt.time, kontortid_slutt: dt.time) -> Legeperiode:
    """Set the office hours of a period (the working days stay). Used by legevakt's rest check: a
    night on duty followed by office hours is a breach of the 8 hours' rest (SFS 2305 § 7.4)."""
    values = _kontortid(kontortid_start, kontortid_slutt)
    with transaction.atomic():
        locked = Legeperiode.objects.select_for_update().get(pk=periode.pk)
        for field, value in values.items():
            setattr(locked, field, value)
        locked.save(update_fields=list(values))
    return locked


def change_legeperiode_end(*, periode: Legeperiode, til: dt.date | None, begrunnelse_over_100: str = "",
                           via_fastlegeavtale: bool = False, kompetanse_begrunnelse: str = "") -> Legeperiode:
    """Move a period's end (ending it, or extending it: an extension is checked like a new period).
    A fastlege period ends through its fastlegeavtale (notice, heving, age, extension: § 12).
    Extending a vikar period checks its new days against kompetanseforskriften § 4 (lister.kompetanse);
    beyond both exceptions it needs a new `kompetanse_begrunnelse` (the one recorded for the
    period's earlier days does not carry over to the extension)."""
    if periode.rolle == Rolle.FASTLEGE and not via_fastlegeavtale:
        raise ValidationError({"til": ValidationError(_(
            "En fastlegeperiode avsluttes eller forlenges gjennom fastlegeavtalen: oppsigelse, heving, aldersgrensen "
            "eller forlengelse (fastlegeforskriften § 12)."), code="fastlege_via_avtale")})
    check_range(til, "til")
    if til is not None and til <= periode.fra:
        raise ValidationError({"til": [_("Perioden må slutte etter at den begynner.")]})
    with transaction.atomic():
        lock_lege(periode.lege)
        extends = til is None or (periode.til is not None and til > periode.til)
        if extends:
            check_engagement(lege=periode.lege, fra=periode.fra, til=til, stillingsprosent=periode.stillingsprosent,
                             begrunnelse=begrunnelse_over_100 or periode.begrunnelse_over_100, exclude_id=periode.pk)
        if periode.rolle == Rolle.VIKAR and periode.til is not None and (til is None or til > periode.til):
            kompetanse.check_unntak(lege=periode.lege, fra=periode.fra, til=til, arbeidsdager=periode.arbeidsdager,
                                    kompetanse_begrunnelse=kompetanse_begrunnelse, exclude_id=periode.pk,
                                    sjekk_fra=periode.til)
        periode.til = til
        if begrunnelse_over_100:
            periode.begrunnelse_over_100 = begrunnelse_over_100.strip()
        if (kompetanse_begrunnelse or "").strip():
            periode.kompetanse_begrunnelse = kompetanse_begrunnelse.strip()
        try:
            with transaction.atomic():
                periode.save(update_fields=["til", "begrunnelse_over_100", "kompetanse_begrunnelse"])
        except IntegrityError as exc:
            raise translate(exc, Legeperiode, fields={
                "legeperiode_no_overlapping_fastlege": "til", "legeperiode_no_overlap_same_doctor": "til"}) from exc
    return periode


# --- list size ------------------------------------------------------------------------------------

def record_listetall(*, liste: Pasientliste, dato: dt.date, listelengde: int, venteliste: int = 0) -> Listetall:
    """The list's size on a date (one figure per list and date)."""
    return save_new(
        Listetall(kommune_id=liste.kommune_id, pasientliste=liste, dato=dato, listelengde=listelengde, venteliste=venteliste),
        fields={"listetall_unique_per_date": "dato"},
    )


UPSERT_LISTETALL_SQL = """
INSERT INTO lister_listetall AS t (kommune_id, pasientliste_id, dato, listelengde, venteliste, versjon, endret)
SELECT %s, v.liste, v.dato, v.lengde, v.vente, 1, clock_timestamp()
  FROM unnest(%s::bigint[], %s::date[], %s::int[], %s::int[]) AS v(liste, dato, lengde, vente)
ON CONFLICT (kommune_id, pasientliste_id, dato) DO UPDATE
   SET listelengde = EXCLUDED.listelengde, venteliste = EXCLUDED.venteliste
 WHERE (t.listelengde, t.venteliste) IS DISTINCT FROM (EXCLUDED.listelengde, EXCLUDED.venteliste)
RETURNING (xmax = 0) AS ny
"""


def upsert_listetall(*, kommune_id: int, tall: Iterable) -> dict[str, int]:
    """Write many lists' figures in ONE statement (the monthly import, which has checked every row:
    lister.listetall_import): a new list and date is inserted, an existing figure that differs is
    updated, an identical one is left alone. The rows' lists must be the kommune's own (the import
    looked them up in the kommune's register). Every row is in the history (pghistory triggers),
    attributed to the actor in scope. Returns how many were new, updated and unchanged."""
    from core.context import current_kommune_id

    if current_kommune_id() != kommune_id:
        raise PermissionError("upsert_listetall: kommunen er ikke den i konteksten.")
    rows = list(tall)
    if not rows:
        return {"nye": 0, "oppdaterte": 0, "uendret": 0}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(UPSERT_LISTETALL_SQL, [
            kommune_id, [r.liste_id for r in rows], [r.dato for r in rows], [r.listelengde for r in rows],
            [r.venteliste for r in rows],
        ])
        returned = [row[0] for row in cursor.fetchall()]
    nye = sum(1 for ny in returned if ny)
    return {"nye": nye, "oppdaterte": len(returned) - nye, "uendret": len(rows) - len(returned)}


def start_listetall_import(*, kommune: Kommune, data: bytes, filnavn: str):
    """Check the uploaded file (type, size, personal data, columns) and start the import job
    (kommune.bakgrunnsjobber). A refused file is not stored: ValidationError on `fil`. The rows are
    checked by the job, which reports every row's error."""
    from kommune import bakgrunnsjobber
    from lister import listetall_import

    try:
        listetall_import.read(data, filnavn)
    except listetall_import.Filfeil as exc:
        raise ValidationError({"fil": [ValidationError(m, code="fil") for m in exc.meldinger]}) from exc
    return bakgrunnsjobber.start_job(
        kommune=kommune, type=listetall_import.JOBBTYPE, tittel=str(listetall_import.TITTEL), inndata=bytes(data),
        inndata_navn=filnavn,
    )
