"""The nightly vacancy job (`lister.vacancy_flags`, 01:30 Oslo time): in every kommune, set-based,

a) closes the open vacancy cases on lists where a new fastlege period has started (avsluttet = the
   first day of the earliest such period) and opens a case for a list without a fastlege that has
   none (årsak "annet", noting that the nightly job found the list vacant);
b) works out the conditions per list and kind (Varseltype) from lister.ledighet_selectors'
   one statement, with the thresholds in force (kommune/regler.py);
c) raises a flag for each new condition (at most one open flag per list and kind: the partial unique
   index), refreshes the details of the open ones and resolves those whose condition has cleared;
d) e-mails each kommune's kommuneoverleger one digest of the flags not yet sent, in the kommune's
   language, and marks them sent.

Steps a)–c) are three statements in one transaction whatever the number of lists or kommuner;
d) reads the flags and the recipients in two queries, sends one e-mail per kommune and marks the
flags in one UPDATE. Running it twice changes nothing the second time. Every row it writes gets a
history row (pghistory triggers) naming the task as actor.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from itertools import groupby

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lister import ledighet_selectors
from lister.ledighet_selectors import Parametre
from lister.models import Ledighetsvarsel, Varseltype

logger = logging.getLogger(__name__)

JOB_NAME = "lister.vacancy_flags"
MAKS_I_EPOST = 200  # flags listed one by one in a digest; the rest are counted (all are on the page)
TASK_NAME = "lister.vacancy_flags"

# a) Close the open cases on lists where a new fastlege period has started (or is signed to start):
# avsluttet = the first day of the earliest LPFL period of another doctor from the day the case opened.
CLOSE_CASES_SQL = """
UPDATE lister_ledighetssak s SET avsluttet = n.fra
  FROM (SELECT s2.id, min(p.fra) AS fra
          FROM lister_ledighetssak s2
          JOIN lister_legeperiode p ON p.pasientliste_id = s2.pasientliste_id AND p.rolle = 'LPFL'
                                   AND p.fra >= s2.kjent AND p.lege_id IS DISTINCT FROM s2.fastlege_id
         WHERE s2.avsluttet IS NULL AND (%(kommune)s::bigint IS NULL OR s2.kommune_id = %(kommune)s::bigint)
         GROUP BY s2.id) n
 WHERE s.id = n.id AND s.avsluttet IS NULL
"""

# a) open cases + b) conditions + c) raise, refresh, resolve: one statement over the vacancy state.
FLAGS_SQL = """
WITH tilstand AS MATERIALIZED (
{tilstand}
),
nye_saker AS (
  INSERT INTO lister_ledighetssak (kommune_id, pasientliste_id, fastlege_id, arsak, kjent, fastlege_slutt,
                                   naeringsdrivende, merknad, versjon, endret)
  SELECT ts.kommune_id, ts.liste_id, ts.siste_lege, 'annet', %(dag)s::date, ts.ledig_fra, false,
         CASE WHEN k.malform = 'nynorsk' THEN %(merknad_nn)s ELSE %(merknad_nb)s END, 1, now()
    FROM tilstand ts JOIN kommune_kommune k ON k.id = ts.kommune_id
   WHERE ts.hel
     AND NOT EXISTS (SELECT 1 FROM lister_ledighetssak s
                      WHERE s.pasientliste_id = ts.liste_id AND (s.avsluttet IS NULL OR s.avsluttet > %(dag)s::date))
  ON CONFLICT DO NOTHING
  RETURNING id
),
cond AS (
  SELECT ts.kommune_id, ts.liste_id, c.type, c.detaljer
    FROM tilstand ts
    CROSS JOIN LATERAL (VALUES
      ('ble_ledig', ts.hel OR ts.del, jsonb_build_object('ledig_fra', ts.ledig_fra, 'hel', ts.hel)),
      ('ledig_30', (ts.hel OR ts.del) AND %(dag)s::date - ts.ledig_fra > %(ledig_1)s::int,
       jsonb_build_object('ledig_fra', ts.ledig_fra, 'grense_dager', %(ledig_1)s::int)),
      ('ledig_90', (ts.hel OR ts.del) AND %(dag)s::date - ts.ledig_fra > %(ledig_2)s::int,
       jsonb_build_object('ledig_fra', ts.ledig_fra, 'grense_dager', %(ledig_2)s::int)),
      ('ledig_365', (ts.hel OR ts.del) AND %(dag)s::date - ts.ledig_fra > %(ledig_3)s::int,
       jsonb_build_object('ledig_fra', ts.ledig_fra, 'grense_dager', %(ledig_3)s::int)),
      ('udekket', ts.udekket_dager > 0,
       jsonb_build_object('dager', ts.udekket_dager, 'forste_dag', ts.forste_udekket,
                          'listeinnbyggere', ts.listeinnbyggere, 'horisont_dager', %(horisont)s::int)),
      ('vikar_slutter', ts.vikar_slutter IS NOT NULL,
       jsonb_build_object('til', ts.vikar_slutter_til,
                          'perioder', (SELECT jsonb_agg(e - 'lege_navn') FROM jsonb_array_elements(ts.vikar_slutter) e))),
      ('vikar_lang', ts.vikar_lang_fra IS NOT NULL,
       jsonb_build_object('fra', ts.vikar_lang_fra, 'grense_maneder', %(vikar_lang_maneder)s::int)),
      ('kostnadsperiode', ts.kostnad_sak_id IS NOT NULL,
       jsonb_build_object('sak_id', ts.kostnad_sak_id, 'kostnadsperiode_til', ts.kostnad_til)),
      ('hjemfall', ts.hjemfall_sak_id IS NOT NULL,
       jsonb_build_object('sak_id', ts.hjemfall_sak_id, 'mulig_fra', ts.hjemfall_fra))
    ) AS c(type, gjelder, detaljer)
   WHERE c.gjelder
),
reist AS (
  INSERT INTO lister_ledighetsvarsel (kommune_id, pasientliste_id, type, reist, detaljer)
  SELECT cond.kommune_id, cond.liste_id, cond.type, %(naa)s, cond.detaljer FROM cond
  ON CONFLICT (kommune_id, pasientliste_id, type) WHERE lost IS NULL
  DO UPDATE SET detaljer = EXCLUDED.detaljer
   WHERE lister_ledighetsvarsel.detaljer IS DISTINCT FROM EXCLUDED.detaljer
  RETURNING (xmax = 0) AS ny
),
lost AS (
  UPDATE lister_ledighetsvarsel f SET lost = greatest(%(naa)s, f.reist)
   WHERE f.lost IS NULL AND (%(kommune)s::bigint IS NULL OR f.kommune_id = %(kommune)s::bigint)
     -- NOT IN over the CTE is a hashed subplan: linear, whatever the planner thinks of the row counts
     AND (f.pasientliste_id, f.type::text) NOT IN (SELECT cond.liste_id, cond.type FROM cond)
  RETURNING 1
)
SELECT (SELECT count(*) FROM nye_saker),
       (SELECT count(*) FILTER (WHERE ny) FROM reist),
       (SELECT count(*) FILTER (WHERE NOT ny) FROM reist),
       (SELECT count(*) FROM lost)
"""


def _merknad(language: str) -> str:
    with translation.override(language):
        return _("Nattjobben fant listen uten fastlege og åpnet saken. Fyll inn årsak og datoer.")


def update_cases_and_flags(*, on: dt.date, now: dt.datetime, kommune_id: int | None = None) -> dict[str, int]:
    """Steps a)–c) for every kommune (or one): two statements in one transaction. Call inside
    `unscoped()` (the nightly task) or in the scope of `kommune_id`."""
    parametre = Parametre.on(on)
    kommune = ledighet_selectors._kommune_for_query(kommune_id)
    ledig = (tuple(parametre.ledig_dager) + (None, None, None))[:3]
    params = {
        **parametre.sql(kommune_id=kommune),
        "naa": now, "horisont": parametre.horisont,
        "ledig_1": ledig[0], "ledig_2": ledig[1], "ledig_3": ledig[2],
        "merknad_nb": _merknad("nb"), "merknad_nn": _merknad("nn"),
    }
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(CLOSE_CASES_SQL, {"kommune": kommune})
            avsluttet = cursor.rowcount
        _columns, rows = ledighet_selectors.fetch(FLAGS_SQL.replace("{tilstand}", ledighet_selectors.tilstand_sql()), params)
        apnet, reist, oppdatert, lost = rows[0]
    return {"saker_avsluttet": avsluttet, "saker_apnet": apnet, "varsler_reist": reist, "varsler_oppdatert": oppdatert,
            "varsler_lost": lost}


# --- d) the digest -----------------------------------------------------------------------------------

def _detalj_tekst(varsel: Ledighetsvarsel) -> str:
    """One line of the flag's details for the e-mail."""
    d = varsel.detaljer or {}

    def fmt(value) -> str:
        return dt.date.fromisoformat(value).strftime("%d.%m.%Y") if value else ""

    if varsel.type == Varseltype.UDEKKET:
        return _("%(dager)s udekkede ukedager, første %(dag)s; %(innbyggere)s listeinnbyggere berørt") % {
            "dager": d.get("dager"), "dag": fmt(d.get("forste_dag")), "innbyggere": d.get("listeinnbyggere")}
    if varsel.type in (Varseltype.BLE_LEDIG, Varseltype.LEDIG_30, Varseltype.LEDIG_90, Varseltype.LEDIG_365):
        return _("uten fastlege fra %(dag)s") % {"dag": fmt(d.get("ledig_fra"))}
    if varsel.type == Varseltype.VIKAR_SLUTTER:
        return _("vikarperioden slutter %(dag)s") % {"dag": fmt(d.get("til"))}
    if varsel.type == Varseltype.VIKAR_LANG:
        return _("betjent av vikar sammenhengende fra %(dag)s") % {"dag": fmt(d.get("fra"))}
    if varsel.type == Varseltype.KOSTNADSPERIODE:
        return _("kommunens vikarplikt slutter %(dag)s") % {"dag": fmt(d.get("kostnadsperiode_til"))}
    if varsel.type == Varseltype.HJEMFALL:
        return _("hjemfall mulig fra %(dag)s") % {"dag": fmt(d.get("mulig_fra"))}
    return ""


def send_digest(*, now: dt.datetime, kommune_id: int | None = None) -> tuple[int, int]:
    """Step d): one e-mail per kommune to its kommuneoverleger listing the open flags not yet sent,
    then mark them sent. Kommuner without a kommuneoverlege keep their flags unsent (they go in the
    first digest once one is appointed). Returns (sent, failed)."""
    from kommune.models import Rolle

    varsler = Ledighetsvarsel.objects.filter(lost__isnull=True, varslet__isnull=True)
    if kommune_id is not None:
        varsler = varsler.filter(kommune_id=kommune_id)
    varsler = list(varsler.select_related("kommune", "pasientliste__legekontor")
                   .order_by("kommune_id", "type", "pasientliste__legekontor__navn", "pasientliste_id"))
    if not varsler:
        return 0, 0
    mottakere: dict[int, set[str]] = {}
    for k_id, email in (Rolle.objects.filter(rolle=Rolle.Navn.KOMMUNEOVERLEGE, kommune_id__in={v.kommune_id for v in varsler},
                                             bruker__is_active=True)
                        .values_list("kommune_id", "bruker__email")):
        mottakere.setdefault(k_id, set()).add(email)
    sendt_ids: list[int] = []
    sendt = feilet = 0
    for k_id, group in groupby(varsler, key=lambda v: v.kommune_id):
        rows = list(group)
        til = sorted(mottakere.get(k_id, ()))
        if not til:
            continue
        kommune = rows[0].kommune
        with translation.override(kommune.language_code):
            per_type = Counter(v.type for v in rows)
            context = {
                "kommune": kommune, "lenke": settings.PUBLIC_BASE_URL + reverse("lister:ubesatte"),
                "per_type": [(Varseltype(t).label, per_type[t]) for t in Varseltype.values if per_type[t]],
                "varsler": [{"v": v, "tekst": Varseltype(v.type).label, "detaljer": _detalj_tekst(v)}
                            for v in rows[:MAKS_I_EPOST]],
                "flere": max(0, len(rows) - MAKS_I_EPOST),
            }
            subject = _("Ubesatte lister i %(kommune)s: %(antall)s nye varsler") % {"kommune": kommune.navn, "antall": len(rows)}
            body = render_to_string("lister/varsel_epost.txt", context)
        try:
            EmailMessage(subject=subject.replace("\n", " "), body=body, to=til).send()
        except Exception:  # one kommune's mail server trouble must not stop the others
            logger.exception("E-postoversikten over ledighetsvarsler kunne ikke sendes", extra={"kommune_id": k_id})
            feilet += 1
            continue
        sendt += 1
        sendt_ids.extend(v.pk for v in rows)
    if sendt_ids:
        Ledighetsvarsel.objects.filter(pk__in=sendt_ids).update(varslet=now)
    return sendt, feilet


def run(*, on: dt.date | None = None, now: dt.datetime | None = None, kommune_id: int | None = None) -> dict[str, int]:
    """The whole job (a–d). Set-based: a constant number of queries whatever the number of lists."""
    now = now or timezone.now()
    on = on or timezone.localdate(now)
    counts = update_cases_and_flags(on=on, now=now, kommune_id=kommune_id)
    sendt, feilet = send_digest(now=now, kommune_id=kommune_id)
    return {**counts, "eposter_sendt": sendt, "eposter_feilet": feilet}


def ready() -> None:
    """Registrations made from ListerConfig.ready(): the nightly vacancy job."""
    from core.jobs import ScheduledJob, register

    register(
        ScheduledJob(
            name=JOB_NAME,
            task=TASK_NAME,
            hour=1,
            minute=30,
            description="Varsler om ubesatte lister (uten fastlege, udekkede dager, vikarperioder som slutter, langvarig "
                        "vikarbruk, kommunens vikarplikt, hjemfall), åpner og avslutter ledighetssaker, i alle kommuner.",
        )
    )
