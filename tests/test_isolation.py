"""Tenant isolation over every URL the project serves — pages and API, every method.

Discovers every URL pattern, fills each URL argument with an object belonging to kommune B, and
requests it as kommune A's kommuneoverlege (a session) and, for the API, with A's integration token
holding every scope:
- a URL naming B's objects answers 404 and changes no row anywhere;
- a URL without such arguments (lists, forms) shows nothing of B and changes none of B's rows.
The positive control sends the same requests as B's own kommuneoverlege and token: they must
succeed (reads 200 showing B's data, writes changing B's rows), so this cannot pass by
everything failing. A new URL argument or route the maps below do not know fails the test.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from avtaler import alis_services, introduksjon_services, okonomi_services
from avtaler import services as avtaler_services
from avtaler.models import (
    Alisavtale,
    AlisElement,
    AlisFravaer,
    AlisSats,
    AlisTjeneste,
    AlisVeiledning,
    Fastlegeavtale,
    HelfoMelding,
    Introduksjonsavtale,
    IntroduksjonsFastlege,
    KommunalOppgave,
    ListetakEndring,
    ListetakTrinn,
    Okonomiavtale,
    Okonomibetaling,
    Oppsigelse,
    Vedtak,
)
from core.context import scope
from core.tenancy import unscoped
from kommune import services as kommune_services
from kommune.models import (
    ApiToken,
    ApiTokenKommune,
    Bakgrunnsjobb,
    Innbyggertall,
    Kommune,
    Lege,
    LegeKommune,
    Rolle,
    User,
)
from legevakt import distrikt_services, fritak_services, tillegg_services, vakt_services
from legevakt.models import (
    Belastningsvarsel,
    Fritak,
    Kalendernokkel,
    Legevaktdistrikt,
    Medlemskap,
    Stasjon,
    Vakt,
    Vaktavtale,
    Vaktbytte,
    Vakttillegg,
)
from legevakt.tid import OSLO
from lister import sak_services, vikar_services
from lister import services as lister_services
from lister.api.views import periode_etag
from lister.models import (
    Dekning,
    Ledighetssak,
    Ledighetsvarsel,
    Legekontor,
    Legeperiode,
    Listetall,
    Pasientliste,
    Soker,
    Tilgjengelighet,
    Utlysning,
    Vikar,
)
from lonn import feed as lonn_feed
from lonn import perioder as lonn_perioder
from lonn import webhooks as lonn_webhooks
from lonn.models import (
    Hendelse,
    Korreksjon,
    Kvittering,
    Lonnobjekt,
    Lonnsartregel,
    Lonnslinje,
    Lonnsperiode,
    Periodebeslutning,
    Webhookendepunkt,
    Webhookforsok,
    Webhooklevering,
)
from tests import register
from tests.conftest import in_kommune, kommune, token_client, user_with_role

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
ALL_SCOPES = ["lister:les", "lister:skriv", "avtaler:les", "avtaler:skriv", "legevakt:les", "legevakt:skriv", "lonn:les"]
MARKERS = ("Sunnfjord", "987654", "b-markor@sunnfjord.test", "B-markor-klient")


def _walk(resolver, prefix="", namespaces=()):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = (*namespaces, pattern.namespace) if pattern.namespace else namespaces
            yield from _walk(pattern, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            yield ":".join((*namespaces, pattern.name or "")), list(pattern.pattern.regex.groupindex), prefix + str(pattern.pattern)


ROUTES = sorted({(name, tuple(args), path) for name, args, path in _walk(get_resolver())})


@dataclasses.dataclass
class World:
    a: Kommune
    b: Kommune
    b_figure: Innbyggertall
    b_rolle: Rolle
    b_token: ApiToken
    a_user: User
    b_user: User
    # Kommune B's GP register (doctors, office, lists, periods, figures, avtaler and what hangs on
    # them), made through the services; see _b_register.
    r: SimpleNamespace = dataclasses.field(default_factory=SimpleNamespace)


# Routes that are not kommune data, and why. Their arguments get harmless values; A's requests
# must still reveal nothing of B and change none of B's rows.
NOT_KOMMUNE_DATA = {
    "admin": "operator admin: superusers only, national by design (A's user is refused)",
    "account_": "the person's own account (allauth)",
    "mfa_": "the person's own second factor (allauth)",
    "set_language": "language choice",
    "health": "health check, no data",
    "accessibility": "accessibility statement",
    "schema": "the public API contract",
    "swagger-ui": "API documentation",
    "redoc": "API documentation",
    "avtaler:offentlig": "the public page of free places (fastlegeforskriften § 6): public by design, no login",
    "legevakt:kalender_feed": "a doctor's private calendar feed: the secret in the URL identifies the doctor, no login",
    "legevakt:tilskudd": "the national grant criteria: every kommune's public population and sentralitet (A's own districts "
                         "only for the priority)",
    "legevakt:tilskudd_csv": "the same list as CSV",
}
NON_TENANT_ARGS = {"kommunenummer": "4601", "app_label": "kommune", "object_id": "1", "content_type_id": "1", "id": "1", "url": "x/", "key": "abc", "uidb36": "1", "nokkel": "ukjent-nokkel"}

# URL arguments of kommune data: (route basename or "*", argument) -> B's object.
TENANT_ARGS = {
    ("*", "kommunenummer"): lambda w: w.b.kommunenummer,
    ("innbyggertall", "pk"): lambda w: w.b_figure.pk,
    ("kommune:fjern_rolle", "rolle_id"): lambda w: w.b_rolle.pk,
    ("kommune:trekk_tilbake_token", "token_id"): lambda w: w.b_token.pk,
    # The register API (a full route name first, where one route needs an object in another state).
    ("lege", "pk"): lambda w: w.r.lege.pk,
    ("legekontor", "pk"): lambda w: w.r.kontor.pk,
    ("pasientliste", "pk"): lambda w: w.r.liste.pk,
    ("legeperiode", "liste_pk"): lambda w: w.r.liste.pk,
    ("legeperiode", "pk"): lambda w: w.r.vikarperiode.pk,
    ("listetall", "liste_pk"): lambda w: w.r.liste.pk,
    ("listetall", "pk"): lambda w: w.r.listetall.pk,
    ("fastlegeavtale", "pk"): lambda w: w.r.avtale.pk,
    ("fastlegeavtale-signer", "pk"): lambda w: w.r.utkast.pk,
    ("listetaksendring", "avtale_pk"): lambda w: w.r.avtale.pk,
    ("listetaksendring", "pk"): lambda w: w.r.endring.pk,
    ("kommunal-oppgave", "avtale_pk"): lambda w: w.r.avtale.pk,
    ("kommunal-oppgave", "pk"): lambda w: w.r.oppgave.pk,
    ("vedtak", "pk"): lambda w: w.r.vedtak.pk,
    ("helfomelding", "pk"): lambda w: w.r.melding_utkast.pk,
    ("helfomelding-bekreftet", "pk"): lambda w: w.r.melding_sendt.pk,
    # The register pages.
    ("*", "liste_id"): lambda w: w.r.liste.pk,
    ("*", "kontor_id"): lambda w: w.r.kontor.pk,
    ("*", "lege_id"): lambda w: w.r.lege.pk,
    **{(f"avtaler:{name}", "pk"): (lambda w: w.r.avtale.pk) for name in (
        "detalj", "historikk", "listetak", "avslag", "oppsigelse", "forlengelse", "oppgave_ny")},
    ("avtaler:signer", "pk"): lambda w: w.r.utkast.pk,
    ("avtaler:avslag", "endring_id"): lambda w: w.r.endring.pk,
    ("avtaler:klage", "vedtak_id"): lambda w: w.r.vedtak.pk,
    ("avtaler:helfo", "melding_id"): lambda w: w.r.melding_utkast.pk,
    ("avtaler:helfo_sendt", "melding_id"): lambda w: w.r.melding_utkast.pk,
    ("avtaler:helfo_bekreftet", "melding_id"): lambda w: w.r.melding_sendt.pk,
    # ALIS.
    ("alisavtale", "pk"): lambda w: w.r.alis.pk,
    **{(basename, "avtale_pk"): (lambda w: w.r.alis.pk)
       for basename in ("alis-element", "alis-fravaer", "alis-tjeneste", "alis-veiledning")},
    ("alis-element", "pk"): lambda w: w.r.element.pk,
    ("alis-fravaer", "pk"): lambda w: w.r.fravaer.pk,
    ("alis-tjeneste", "pk"): lambda w: w.r.tjeneste.pk,
    ("alis-veiledning", "pk"): lambda w: w.r.veiledning.pk,
    ("alis-sats", "pk"): lambda w: w.r.sats.pk,
    **{(f"avtaler:alis_{name}", "pk"): (lambda w: w.r.alis.pk) for name in (
        "detalj", "historikk", "endre", "avslutt", "tilskuddsvedtak", "element_ny", "element_avslutt", "fravaer_ny",
        "fravaer_slett", "tjeneste_ny", "veiledning")},
    ("avtaler:alis_element_avslutt", "element_id"): lambda w: w.r.element.pk,
    ("avtaler:alis_fravaer_slett", "fravaer_id"): lambda w: w.r.fravaer.pk,
    ("avtaler:alis_sats_endre", "sats_id"): lambda w: w.r.sats.pk,
    # Introduksjonsavtaler and 8.2-avtaler.
    ("introduksjonsavtale", "pk"): lambda w: w.r.intro.pk,
    **{(f"avtaler:introduksjon_{name}", "pk"): (lambda w: w.r.intro.pk) for name in ("detalj", "endre", "avslutt", "historikk")},
    ("okonomiavtale", "pk"): lambda w: w.r.okonomi.pk,
    ("okonomibetaling", "avtale_pk"): lambda w: w.r.okonomi.pk,
    **{(f"avtaler:okonomi_{name}", "pk"): (lambda w: w.r.okonomi.pk) for name in (
        "detalj", "endre", "avslutt", "historikk", "betaling_ny", "betaling_endre", "betaling_historikk", "eksport_csv",
        "eksport_xlsx")},
    ("okonomibetaling", "pk"): lambda w: w.r.betaling.pk,
    ("*", "betaling_id"): lambda w: w.r.betaling.pk,
    # Background jobs (the list figure import).
    ("bakgrunnsjobb", "pk"): lambda w: w.r.jobb.pk,
    ("*", "jobb_id"): lambda w: w.r.jobb.pk,
    # Vacancy cases, advertisements, applicants, cover; the bortfall of an avtale (its own avtale).
    ("ledighetssak", "pk"): lambda w: w.r.sak.pk,
    ("*", "sak_id"): lambda w: w.r.sak.pk,
    ("utlysning", "sak_pk"): lambda w: w.r.sak.pk,
    ("utlysning", "pk"): lambda w: w.r.utlysning.pk,
    ("*", "utlysning_id"): lambda w: w.r.utlysning.pk,
    ("soker", "sak_pk"): lambda w: w.r.sak.pk,
    ("soker", "pk"): lambda w: w.r.soker.pk,
    ("*", "soker_id"): lambda w: w.r.soker.pk,
    ("dekning", "pk"): lambda w: w.r.dekning.pk,
    ("*", "dekning_id"): lambda w: w.r.dekning.pk,
    ("avtaler:bortfall", "pk"): lambda w: w.r.avtale3.pk,
    ("fastlegeavtale-bortfall", "pk"): lambda w: w.r.avtale3.pk,
    # The vikar pool, assignment and the Helfo confirmation.
    ("vikar", "pk"): lambda w: w.r.poolvikar.pk,
    ("vikar-tilgjengelighet", "vikar_pk"): lambda w: w.r.poolvikar.pk,
    ("vikar-tilgjengelighet", "pk"): lambda w: w.r.vindu.pk,
    ("*", "vikar_id"): lambda w: w.r.poolvikar.pk,
    ("*", "tilgjengelighet_id"): lambda w: w.r.vindu.pk,
    ("vikartildeling", "liste_pk"): lambda w: w.r.liste.pk,
    ("vikarkandidater", "liste_pk"): lambda w: w.r.liste.pk,
    ("vikarperiode-bekreftelse", "pk"): lambda w: w.r.vikarperiode.pk,
    ("*", "periode_id"): lambda w: w.r.vikarperiode.pk,
    # Flags of the nightly vacancy job.
    ("ledighetsvarsel", "pk"): lambda w: w.r.varsel.pk,
    ("*", "varsel_id"): lambda w: w.r.varsel.pk,
    # Office hours of a period.
    ("lister:kontortid", "periode_id"): lambda w: w.r.vikarperiode.pk,
    # Legevakt (issue 7).
    ("*", "distrikt_id"): lambda w: w.r.distrikt.pk,
    ("legevaktdistrikt", "pk"): lambda w: w.r.distrikt.pk,
    ("legevakt-medlemskap", "distrikt_pk"): lambda w: w.r.distrikt.pk,
    ("legevakt-medlemskap", "pk"): lambda w: w.r.medlemskap.pk,
    ("legevakt-stasjon", "distrikt_pk"): lambda w: w.r.distrikt.pk,
    ("legevakt-stasjon", "pk"): lambda w: w.r.stasjon.pk,
    ("vaktavtale", "distrikt_pk"): lambda w: w.r.distrikt.pk,
    ("vaktavtale", "pk"): lambda w: w.r.vaktavtale.pk,
    ("belastning", "distrikt_pk"): lambda w: w.r.distrikt.pk,
    ("legevaktfritak", "pk"): lambda w: w.r.fritak.pk,
    ("vakt", "pk"): lambda w: w.r.vakt.pk,
    ("vakt-tillegg", "vakt_pk"): lambda w: w.r.vakt.pk,
    ("vakt-tillegg", "pk"): lambda w: w.r.vakttillegg.pk,
    ("*", "tillegg_id"): lambda w: w.r.vakttillegg.pk,
    ("vaktbytte", "pk"): lambda w: w.r.bytte.pk,
    ("belastningsvarsel", "pk"): lambda w: w.r.lvvarsel.pk,
    ("legevakt:varsel_sett", "varsel_id"): lambda w: w.r.lvvarsel.pk,
    ("*", "medlemskap_id"): lambda w: w.r.medlemskap.pk,
    ("*", "stasjon_id"): lambda w: w.r.stasjon.pk,
    ("*", "vaktavtale_id"): lambda w: w.r.vaktavtale.pk,
    ("*", "fritak_id"): lambda w: w.r.fritak.pk,
    ("*", "vakt_id"): lambda w: w.r.vakt.pk,
    ("*", "bytte_id"): lambda w: w.r.bytte.pk,
    ("legevakt:lege_belastning", "lege_id"): lambda w: w.r.vaktlege.pk,
    ("legevakt:lege_bruker", "lege_id"): lambda w: w.r.vaktlege.pk,
    # Pay periods (issue 9): the month is a parameter of the kommune in scope, not an object (see MISSING).
    ("*", "periode"): lambda w: B_LUKKET_MANED,
    # Webhooks (issue 9).
    ("*", "webhook_id"): lambda w: w.r.webhook.pk,
    ("lonn:webhook_aktiver", "webhook_id"): lambda w: w.r.webhook_av.pk,
    ("*", "regel_id"): lambda w: w.r.lonnsartregel.pk,
    ("lonn:lonnsart_slett", "regel_id"): lambda w: w.r.lonnsartregel_ny.pk,
}

# What B's own GET must show when the object holds none of the MARKERS (no free text).
B_SHOWS = {
    "alis-fravaer-detail": lambda w: "2026-03-13",
    "alis-fravaer-historikk": lambda w: "2026-03-13",
    "alis-fravaer-list": lambda w: "2026-03-13",
    "alisavtale-progresjon": lambda w: f'"avtale":{w.r.alis.pk},',
    "belastning-udekket": lambda w: f'"distrikt_id":{w.r.distrikt.pk},',
    "legevakt-medlemskap-historikk": lambda w: "2040-01-01",
    "legevaktfritak-historikk": lambda w: "2098-07-06",
    # the feed serves only finished transactions: inside this module's one transaction B sees the feed's shape
    # (that A never sees B's events is tested with real commits in tests/lonn/test_feed_api.py)
    "lonn-hendelser": lambda w: '"hendelser":[',
    "lonn-kvitteringer": lambda w: B_KVITTERING,
    "lonn-perioder": lambda w: f'"periode":"{B_LUKKET_MANED}"',
    "lonn-lonnsfil": lambda w: "ansattnummer;lonnsart;antall",
    "lonn:lonnsfil": lambda w: "ansattnummer;lonnsart;antall",
}
B_KVITTERING = "0badc0de.0.4647"
B_LUKKET_MANED = "2001-02"  # B closed January and February 2001 (no lines: B's data lies later)

# A valid request per write (route name, method) -> (body, headers), so B's positive control
# really changes B's data.
def _if_match(version):
    return {"HTTP_IF_MATCH": f'"{version}"'}


PAYLOADS: dict[tuple[str, str], Any] = {
    ("kommune-detail", "PUT"): lambda w: (
        {"sentralitetsklasse": 3, "avtaleregime": "asa4310", "malform": "bokmal"}, _if_match(w.b.versjon)),
    ("kommune-detail", "PATCH"): lambda w: ({"sentralitetsklasse": 3}, _if_match(w.b.versjon)),
    ("innbyggertall-list", "POST"): lambda w: ({"gjelder_fra": "2030-01-01", "antall": 5, "kilde": "test"}, {}),
    ("innbyggertall-detail", "DELETE"): lambda w: (None, _if_match(w.b_figure.versjon)),
    ("kommune:edit", "POST"): lambda w: (
        {"sentralitetsklasse": "3", "avtaleregime": "asa4310", "malform": "bokmal", "versjon": str(w.b.versjon)}, {}),
    ("kommune:velg", "POST"): lambda w: ({"kommune": w.b.kommunenummer}, {}),
    ("kommune:brukere", "POST"): lambda w: ({"email": "ny.person@test.no", "navn": "Ny Person", "rolle": "lesetilgang"}, {}),
    ("kommune:fjern_rolle", "POST"): lambda w: ({}, {}),
    ("kommune:tokener", "POST"): lambda w: ({"navn": "Ny klient", "scopes": ["lister:les"], "utloper_dager": "30"}, {}),
    ("kommune:trekk_tilbake_token", "POST"): lambda w: ({}, {}),
    # The register API.
    ("lege-list", "POST"): lambda w: (
        {"hpr_nummer": "1234567", "fornavn": "Ny", "etternavn": "Lege", "fodselsdato": "1980-01-01"}, {}),
    ("lege-detail", "PUT"): lambda w: (
        {"fornavn": "Kari", "etternavn": "Sunnfjordsen", "fodselsdato": "1975-05-17", "kurs_akuttmedisin": "2020-01-01"},
        _if_match(w.r.lege.versjon)),
    ("lege-detail", "PATCH"): lambda w: ({"fornavn": "Kari Anne"}, _if_match(w.r.lege.versjon)),
    ("legekontor-list", "POST"): lambda w: (
        {"navn": "Nytt kontor", "organisasjonsnummer": "974760673", "adresse": "Gate 1", "postnummer": "6800",
         "poststed": "Førde"}, {}),
    ("legekontor-detail", "PUT"): lambda w: (
        {"navn": "Sunnfjord legesenter", "organisasjonsnummer": w.r.kontor.organisasjonsnummer, "adresse": "Ny gate 2",
         "postnummer": "6800", "poststed": "Førde"}, _if_match(w.r.kontor.versjon)),
    ("legekontor-detail", "PATCH"): lambda w: ({"telefon": "57 00 00 00"}, _if_match(w.r.kontor.versjon)),
    ("pasientliste-list", "POST"): lambda w: ({"legekontor": w.r.kontor.pk, "listetak": 1000, "gyldig_fra": "2026-01-01"}, {}),
    ("pasientliste-detail", "PUT"): lambda w: (
        {"legekontor": w.r.kontor.pk, "listetak": w.r.liste.listetak, "navn": "Sunnfjordlista", "manuelt_last": True},
        _if_match(w.r.liste.versjon)),
    ("pasientliste-detail", "PATCH"): lambda w: ({"manuelt_last": True}, _if_match(w.r.liste.versjon)),
    ("legeperiode-list", "POST"): lambda w: (
        {"lege": w.r.vikar.pk, "rolle": "LPVI", "fra": "2026-06-01", "til": "2026-07-01", "stillingsprosent": 50}, {}),
    ("legeperiode-detail", "PATCH"): lambda w: ({"til": "2026-05-01"}, {"HTTP_IF_MATCH": periode_etag(w.r.vikarperiode)}),
    ("listetall-list", "POST"): lambda w: ({"dato": "2025-06-01", "listelengde": 10}, {}),
    ("fastlegeavtale-list", "POST"): lambda w: (
        {"lege": w.r.lege2.pk, "pasientliste": w.r.liste.pk, "tilknytningsform": "naeringsdrivende",
         "okonomisk_modell": "asa4310_8_1", "startdato": "2026-02-01", "listetak": 1200}, {}),
    ("fastlegeavtale-detail", "PATCH"): lambda w: ({"apningstid": "man–fre 08–15"}, _if_match(w.r.avtale.versjon)),
    ("fastlegeavtale-signer", "POST"): lambda w: ({"signert": "2026-06-01"}, _if_match(w.r.utkast.versjon)),
    ("fastlegeavtale-oppsigelse", "POST"): lambda w: ({"part": "lege", "mottatt": "2026-11-01"}, {}),
    ("fastlegeavtale-forlengelse", "POST"): lambda w: (
        {"forlenget_til": "2047-01-01", "begrunnelse": "Rekruttering", "vedtaksdato": "2026-11-01"}, {}),
    ("listetaksendring-list", "POST"): lambda w: ({"initiativ": "lege", "mottatt": "2026-11-01", "til_listetak": 1400}, {}),
    ("listetaksendring-avslag", "POST"): lambda w: (
        {"begrunnelse": "Kapasitet", "vedtaksdato": "2026-11-20"}, _if_match(w.r.endring.versjon)),
    ("kommunal-oppgave-list", "POST"): lambda w: (
        {"oppgavetype": "sykehjem", "institusjon": "Førde sjukeheim", "timer_per_uke": "2", "form": "avtalt",
         "lonnsgrunnlag": "asa4310_12_5", "fra": "2026-03-01"}, {}),
    ("kommunal-oppgave-detail", "PATCH"): lambda w: ({"til": "2027-01-01"}, _if_match(w.r.oppgave.versjon)),
    ("vedtak-detail", "PATCH"): lambda w: (
        {"klagestatus": "mottatt", "klage_mottatt": "2026-11-20"}, _if_match(w.r.vedtak.versjon)),
    ("helfomelding-sendt", "POST"): lambda w: (
        {"sendt": dt.date.today().isoformat()}, _if_match(w.r.melding_utkast.versjon)),
    ("helfomelding-bekreftet", "POST"): lambda w: (
        {"bekreftet": dt.date.today().isoformat()}, _if_match(w.r.melding_sendt.versjon)),
    # The register pages (form posts).
    ("lister:ny", "POST"): lambda w: (
        {"legekontor": w.r.kontor.pk, "navn": "Ny liste", "listetak": "1200", "gyldig_fra": "2026-01-01", "samarbeidskommuner": ""}, {}),
    ("lister:endre", "POST"): lambda w: (
        {"legekontor": w.r.liste.legekontor_id, "navn": "Endret", "listetak": str(w.r.liste.listetak), "samarbeidskommuner": "",
         "versjon": str(w.r.liste.versjon)}, {}),
    ("lister:vikar", "POST"): lambda w: (
        {"lege": w.r.vikar.pk, "stillingsprosent": "50", "fra": "2026-06-01", "til": "2026-07-01", "begrunnelse_over_100": "test"}, {}),
    ("lister:listetall", "POST"): lambda w: ({"dato": "2030-01-01", "listelengde": "100", "venteliste": "0"}, {}),
    ("lister:legekontor_ny", "POST"): lambda w: (
        {"navn": "Nytt kontor", "organisasjonsnummer": "974760673", "adresse": "Gate 1", "postnummer": "6800", "poststed": "Førde",
         "telefon": ""}, {}),
    ("lister:legekontor_endre", "POST"): lambda w: (
        {"navn": "Nytt navn", "organisasjonsnummer": w.r.kontor.organisasjonsnummer, "adresse": "Gate 2", "postnummer": "6800",
         "poststed": "Førde", "telefon": "", "versjon": str(w.r.kontor.versjon)}, {}),
    ("kommune:lege_ny", "POST"): lambda w: (
        {"hpr_nummer": "9144889", "fornavn": "Ny", "etternavn": "Lege", "fodselsdato": "1980-01-01", "ansattnummer": ""}, {}),
    ("kommune:lege_endre", "POST"): lambda w: (
        {"fornavn": w.r.lege.fornavn, "etternavn": w.r.lege.etternavn, "fodselsdato": w.r.lege.fodselsdato.isoformat(),
         "ansattnummer": "", "kurs_akuttmedisin": "2024-01-01", "versjon": str(w.r.lege.versjon)}, {}),
    ("avtaler:ny", "POST"): lambda w: (
        {"lege": w.r.lege2.pk, "pasientliste": w.r.liste.pk, "tilknytningsform": "naeringsdrivende", "okonomisk_modell": "asa4310_8_1",
         "startdato": dt.date.today().isoformat(), "listetak": "1500", "omfang_prosent": "100"}, {}),
    ("avtaler:signer", "POST"): lambda w: ({"signert": dt.date.today().isoformat(), "versjon": str(w.r.utkast.versjon)}, {}),
    ("avtaler:listetak", "POST"): lambda w: (
        {"initiativ": "lege", "mottatt": dt.date.today().isoformat(), "til_listetak": "1200"}, {}),
    ("avtaler:avslag", "POST"): lambda w: ({"begrunnelse": "Mangler kontorplass", "vedtaksdato": dt.date.today().isoformat()}, {}),
    ("avtaler:oppsigelse", "POST"): lambda w: ({"part": "lege", "type": "oppsigelse", "mottatt": dt.date.today().isoformat()}, {}),
    ("avtaler:forlengelse", "POST"): lambda w: (
        {"forlenget_til": "2046-01-01", "begrunnelse": "Rekruttering", "vedtaksdato": dt.date.today().isoformat()}, {}),
    ("avtaler:oppgave_ny", "POST"): lambda w: (
        {"oppgavetype": "sykehjem", "institusjon": "Fana sykehjem", "timer_per_uke": "5", "form": "avtalt",
         "lonnsgrunnlag": "asa4310_12_5", "fra": dt.date.today().isoformat()}, {}),
    ("avtaler:klage", "POST"): lambda w: (
        {"klagestatus": "mottatt", "klage_mottatt": dt.date.today().isoformat(), "versjon": str(w.r.vedtak.versjon)}, {}),
    ("avtaler:helfo_sendt", "POST"): lambda w: ({"sendt": dt.date.today().isoformat(), "versjon": str(w.r.melding_utkast.versjon)}, {}),
    ("avtaler:helfo_bekreftet", "POST"): lambda w: (
        {"bekreftet": dt.date.today().isoformat(), "versjon": str(w.r.melding_sendt.versjon)}, {}),
    # ALIS.
    ("alisavtale-list", "POST"): lambda w: (
        {"lege": w.r.alis_lege2.pk, "relasjon": "annen", "stilling": "Sykehjemslege", "arbeidssted": "Førde sjukeheim",
         "stillingsprosent": 80, "signert": "2026-01-05"}, {}),
    ("alisavtale-detail", "PATCH"): lambda w: ({"arbeidssted": "Førde legevakt"}, _if_match(w.r.alis.versjon)),
    ("alisavtale-avslutt", "POST"): lambda w: ({"sluttdato": "2026-10-01", "sluttarsak": "oppsagt"}, _if_match(w.r.alis.versjon)),
    ("alisavtale-tilskudd", "POST"): lambda w: ({"tilskuddsstatus": "sokt"}, _if_match(w.r.alis.versjon)),
    ("alis-element-list", "POST"): lambda w: ({"element": "kurs", "finansiering": "kommune", "fra": "2026-02-01"}, {}),
    ("alis-element-detail", "PATCH"): lambda w: ({"til": "2026-09-01"}, _if_match(w.r.element.versjon)),
    ("alis-fravaer-list", "POST"): lambda w: ({"type": "sykdom", "fra": "2026-04-01", "til": "2026-04-10"}, {}),
    ("alis-fravaer-detail", "DELETE"): lambda w: (None, _if_match(w.r.fravaer.versjon)),
    ("alis-tjeneste-list", "POST"): lambda w: (
        {"type": "institusjon", "sted": "Førde sjukehus", "stillingsprosent": 100, "fra": "2025-01-01", "til": "2025-07-01"}, {}),
    ("alis-veiledning-list", "POST"): lambda w: (
        {"maned": "2026-03-01", "individuelle_timer": "4.00", "gruppetimer": "3.00"}, {}),
    ("alis-sats-list", "POST"): lambda w: ({"element": "veiledning", "gyldig_fra": "2030-01-01", "manedsbelop": "1000.00"}, {}),
    ("alis-sats-detail", "PATCH"): lambda w: ({"manedsbelop": "1200.00"}, _if_match(w.r.sats.versjon)),
    ("avtaler:alis_ny", "POST"): lambda w: (
        {"lege": w.r.alis_lege2.pk, "relasjon": "annen", "stilling": "Sykehjemslege", "arbeidssted": "Førde sjukeheim",
         "stillingsprosent": "80", "signert": "2026-01-05", "tilskuddsstatus": "ikke_sokt"}, {}),
    ("avtaler:alis_endre", "POST"): lambda w: (
        {"versjon": str(w.r.alis.versjon), "arbeidssted": "Førde legevakt", "stillingsprosent": "100",
         "stilling": w.r.alis.stilling, "veileder": str(w.r.alis.veileder_id)}, {}),
    ("avtaler:alis_avslutt", "POST"): lambda w: (
        {"versjon": str(w.r.alis.versjon), "sluttdato": "2026-10-01", "sluttarsak": "oppsagt"}, {}),
    ("avtaler:alis_tilskuddsvedtak", "POST"): lambda w: ({"versjon": str(w.r.alis.versjon), "tilskuddsstatus": "sokt"}, {}),
    ("avtaler:alis_element_ny", "POST"): lambda w: ({"element": "kurs", "finansiering": "kommune", "fra": "2026-02-01"}, {}),
    ("avtaler:alis_element_avslutt", "POST"): lambda w: ({"versjon": str(w.r.element.versjon), "til": "2026-09-01"}, {}),
    ("avtaler:alis_fravaer_ny", "POST"): lambda w: ({"type": "sykdom", "fra": "2026-04-01", "til": "2026-04-10"}, {}),
    ("avtaler:alis_fravaer_slett", "POST"): lambda w: ({}, {}),
    ("avtaler:alis_tjeneste_ny", "POST"): lambda w: (
        {"type": "institusjon", "sted": "Førde sjukehus", "stillingsprosent": "100", "fra": "2025-01-01", "til": "2025-07-01"}, {}),
    ("avtaler:alis_veiledning", "POST"): lambda w: ({"maned": "2026-03", "individuelle_timer": "4", "gruppetimer": "3"}, {}),
    ("avtaler:alis_sats_ny", "POST"): lambda w: ({"element": "veiledning", "gyldig_fra": "2030-01-01", "manedsbelop": "1000"}, {}),
    ("avtaler:alis_sats_endre", "POST"): lambda w: (
        {"versjon": str(w.r.sats.versjon), "element": w.r.sats.element, "relasjon": w.r.sats.relasjon,
         "gyldig_fra": w.r.sats.gyldig_fra.isoformat(), "manedsbelop": "1200"}, {}),
    # Introduksjonsavtaler and 8.2-avtaler.
    ("introduksjonsavtale-list", "POST"): lambda w: (
        {"lege": w.r.lege2.pk, "legekontor": w.r.kontor.pk, "godkjenning_referanse": "Helsedir 2", "tilknytning": "naering",
         "kostnadsfordeling": "Delt", "startdato": "2026-03-02", "fastlegeavtaler": [w.r.avtale.pk]}, {}),
    ("avtaler:introduksjon_ny", "POST"): lambda w: (
        {"lege": w.r.lege2.pk, "legekontor": w.r.kontor.pk, "godkjenning_referanse": "Helsedir 2", "tilknytning": "naering",
         "kostnadsfordeling": "Delt", "startdato": "2026-03-02", "fastlegeavtaler": [w.r.avtale.pk]}, {}),
    ("introduksjonsavtale-detail", "PATCH"): lambda w: ({"kostnadsfordeling": "Sunnfjord: endret"}, _if_match(w.r.intro.versjon)),
    ("introduksjonsavtale-avslutt", "POST"): lambda w: ({"sluttdato": "2027-02-01"}, _if_match(w.r.intro.versjon)),
    ("avtaler:introduksjon_endre", "POST"): lambda w: (
        {"legekontor": w.r.kontor.pk, "godkjenning_referanse": "Helsedir 1", "tilknytning": "fastlonn",
         "kostnadsfordeling": "Sunnfjord: endret", "startdato": "2026-02-01", "sluttdato": "2028-02-01",
         "fastlegeavtaler": [w.r.avtale.pk], "versjon": str(w.r.intro.versjon)}, {}),
    ("avtaler:introduksjon_avslutt", "POST"): lambda w: ({"sluttdato": "2027-02-01", "versjon": str(w.r.intro.versjon)}, {}),
    ("okonomiavtale-list", "POST"): lambda w: (
        {"fastlegeavtale": w.r.avtale.pk, "ytelser": ["epj"], "beskrivelse": "", "startdato": "2026-07-01"}, {}),
    ("avtaler:okonomi_ny", "POST"): lambda w: (
        {"fastlegeavtale": w.r.avtale.pk, "ytelser": ["epj"], "beskrivelse": "", "startdato": "2026-07-01"}, {}),
    ("okonomiavtale-detail", "PATCH"): lambda w: ({"beskrivelse": "Sunnfjord: endret"}, _if_match(w.r.okonomi.versjon)),
    ("okonomiavtale-avslutt", "POST"): lambda w: ({"sluttdato": "2026-05-01"}, _if_match(w.r.okonomi.versjon)),
    ("avtaler:okonomi_endre", "POST"): lambda w: (
        {"ytelser": ["lokaler", "epj"], "beskrivelse": "Sunnfjord helsehus", "startdato": "2026-01-05", "sluttdato": "2026-07-01",
         "versjon": str(w.r.okonomi.versjon)}, {}),
    ("avtaler:okonomi_avslutt", "POST"): lambda w: (
        {"sluttdato": "2026-05-01", "avslutning": "Avsluttet", "versjon": str(w.r.okonomi.versjon)}, {}),
    ("okonomibetaling-list", "POST"): lambda w: (
        {"dato": "2026-03-01", "retning": "til_lege", "kategori": "lokaler", "belop": "1000.00"}, {}),
    ("avtaler:okonomi_betaling_ny", "POST"): lambda w: (
        {"dato": "2026-03-01", "retning": "til_lege", "kategori": "lokaler", "belop": "1000.00"}, {}),
    ("okonomibetaling-detail", "PATCH"): lambda w: ({"belop": "1000.00"}, _if_match(w.r.betaling.versjon)),
    ("avtaler:okonomi_betaling_endre", "POST"): lambda w: (
        {"dato": "2026-02-01", "retning": "til_lege", "kategori": "driftstilskudd", "belop": "1000", "referanse": "Sunnfjord-1",
         "versjon": str(w.r.betaling.versjon)}, {}),
    # Vacancy cases (issue 6).
    ("lister:sak_ny", "POST"): lambda w: ({"arsak": "annet", "kjent": "2026-03-02"}, {}),
    ("lister:sak_endre", "POST"): lambda w: (
        {"kjent": w.r.sak.kjent.isoformat(), "arsak": w.r.sak.arsak, "merknad": "B", "versjon": str(w.r.sak.versjon)}, {}),
    ("lister:sak_utlysning", "POST"): lambda w: ({"dato": "2026-03-02", "korrekt": "on"}, {}),
    ("lister:sak_utlysning_endre", "POST"): lambda w: (
        {"dato": w.r.utlysning.dato.isoformat(), "kanal": "B", "korrekt": "on", "versjon": str(w.r.utlysning.versjon)}, {}),
    ("lister:sak_utlysning_slett", "POST"): lambda w: ({"versjon": str(w.r.utlysning.versjon)}, {}),
    ("lister:sak_soker", "POST"): lambda w: ({"navn": "Søker B", "mottatt": "2026-03-02", "vurdering": "til_vurdering"}, {}),
    ("lister:sak_soker_endre", "POST"): lambda w: (
        {"navn": "Søker B", "mottatt": "2026-03-02", "vurdering": "kvalifisert", "versjon": str(w.r.soker.versjon)}, {}),
    ("lister:dekning_ny", "POST"): lambda w: ({"type": "kontoret", "fra": "2026-05-04", "til": "2026-05-08"}, {}),
    ("lister:dekning_endre", "POST"): lambda w: ({"til": "2026-02-05", "versjon": str(w.r.dekning.versjon)}, {}),
    ("lister:dekning_slett", "POST"): lambda w: ({"versjon": str(w.r.dekning.versjon)}, {}),
    ("avtaler:bortfall", "POST"): lambda w: ({"arsak": "dodsfall", "dato": "2026-06-01"}, {}),
    ("fastlegeavtale-bortfall", "POST"): lambda w: ({"arsak": "dodsfall", "dato": "2026-06-01"}, _if_match(w.r.avtale3.versjon)),
    ("ledighetssak-list", "POST"): lambda w: ({"pasientliste": w.r.liste.pk, "arsak": "annet", "kjent": "2026-03-02"}, {}),
    ("ledighetssak-detail", "PATCH"): lambda w: ({"merknad": "B"}, _if_match(w.r.sak.versjon)),
    ("utlysning-list", "POST"): lambda w: ({"dato": "2026-03-02"}, {}),
    ("utlysning-detail", "PATCH"): lambda w: ({"kanal": "B"}, _if_match(w.r.utlysning.versjon)),
    ("utlysning-detail", "DELETE"): lambda w: (None, _if_match(w.r.utlysning.versjon)),
    ("soker-list", "POST"): lambda w: ({"navn": "Søker B", "mottatt": "2026-03-02"}, {}),
    ("soker-detail", "PATCH"): lambda w: ({"vurdering": "kvalifisert"}, _if_match(w.r.soker.versjon)),
    ("dekning-list", "POST"): lambda w: (
        {"pasientliste": w.r.liste2.pk, "type": "kontoret", "fra": "2026-05-04", "til": "2026-05-08"}, {}),
    ("dekning-detail", "PATCH"): lambda w: ({"til": "2026-02-05"}, _if_match(w.r.dekning.versjon)),
    ("dekning-detail", "DELETE"): lambda w: (None, _if_match(w.r.dekning.versjon)),
    ("lister:varsel_sett", "POST"): lambda w: ({}, {}),
    ("ledighetsvarsel-sett", "POST"): lambda w: ({}, {}),
    # The vikar pool and assignment (issue 6).
    ("vikar-list", "POST"): lambda w: ({"lege": w.r.lege2.pk, "tilknytning": "kommune"}, {}),
    ("vikar-detail", "PATCH"): lambda w: ({"merknad": "Endret"}, _if_match(w.r.poolvikar.versjon)),
    ("vikar-tilgjengelighet-list", "POST"): lambda w: ({"fra": "2031-01-01", "stillingsprosent": 50}, {}),
    ("vikar-tilgjengelighet-detail", "PATCH"): lambda w: ({"stillingsprosent": 70}, _if_match(w.r.vindu.versjon)),
    ("vikar-tilgjengelighet-detail", "DELETE"): lambda w: (None, _if_match(w.r.vindu.versjon)),
    ("vikartildeling", "POST"): lambda w: (
        {"lege": w.r.vikar.pk, "fra": "2027-03-01", "til": "2027-04-01", "stillingsprosent": 10, "begrunnelse_over_100": "test"}, {}),
    ("lister:tildel", "POST"): lambda w: (
        {"fra": "2027-03-01", "til": "2027-04-01", "stillingsprosent": "10", "lege": w.r.vikar.pk, "handling": "tildel",
         "begrunnelse_over_100": "test"}, {}),
    ("lister:vikar_ny", "POST"): lambda w: ({"lege": w.r.lege2.pk, "tilknytning": "kommune", "vikarbyra": ""}, {}),
    ("lister:vikar_endre", "POST"): lambda w: (
        {"tilknytning": "kommune", "vikarbyra": "", "merknad": "Endret", "aktiv": "on", "versjon": str(w.r.poolvikar.versjon)}, {}),
    ("lister:tilgjengelighet_ny", "POST"): lambda w: ({"fra": "2031-01-01", "til": "", "stillingsprosent": "50"}, {}),
    ("lister:tilgjengelighet_endre", "POST"): lambda w: (
        {"fra": "2026-01-01", "til": "", "stillingsprosent": "70", "versjon": str(w.r.vindu.versjon)}, {}),
    ("lister:tilgjengelighet_slett", "POST"): lambda w: ({"versjon": str(w.r.vindu.versjon)}, {}),
    # The list figure import (a file with one valid row for B's list).
    ("lister:import", "POST"): lambda w: ({"fil": _figures_file(w)}, {}),
    ("listetall-import", "POST"): lambda w: ({"fil": _figures_file(w)}, {}),
    ("lister:kontortid", "POST"): lambda w: ({"kontortid_start": "08:30", "kontortid_slutt": "15:30"}, {}),
    # Legevakt (issue 7): districts, memberships, stations, agreements, exemptions.
    ("legevaktdistrikt-list", "POST"): lambda w: ({"navn": "Ny legevakt", "type": "en_kommune", "fra": "2040-01-01",
                                                   "tidsbolk": "dagtid"}, {}),
    ("legevaktdistrikt-detail", "PATCH"): lambda w: ({"merknad": "Endret"}, _if_match(w.r.distrikt.versjon)),
    ("legevakt-medlemskap-list", "POST"): lambda w: ({"kommunenummer": "4602", "fra": "2040-01-01", "tidsbolk": "dogn"}, {}),
    ("legevakt-medlemskap-detail", "PATCH"): lambda w: ({"til": "2041-01-01"}, _if_match(w.r.medlemskap.versjon)),
    ("legevakt-stasjon-list", "POST"): lambda w: ({"navn": "Stasjon 2", "adresse": "Gata 2", "postnummer": "6800"}, {}),
    ("legevakt-stasjon-detail", "PATCH"): lambda w: ({"telefon": "116117"}, _if_match(w.r.stasjon.versjon)),
    ("vaktavtale-list", "POST"): lambda w: ({"lege": w.r.lege2.pk, "fra": "2040-01-01"}, {}),
    ("vaktavtale-detail", "PATCH"): lambda w: ({"merknad": "Endret"}, _if_match(w.r.vaktavtale.versjon)),
    ("legevaktfritak-list", "POST"): lambda w: (
        {"lege": w.r.fritakslege.pk, "type": "rett_alder", "fra": "2031-03-01", "krevd": "2031-03-01"}, {}),
    ("legevaktfritak-detail", "PATCH"): lambda w: ({"til": "2030-01-01"}, _if_match(w.r.fritak.versjon)),
    ("legevakt:distrikt_ny", "POST"): lambda w: (
        {"navn": "Ny legevakt", "type": "en_kommune", "fra": "2040-01-01", "tidsbolk": "dagtid", "medlemmer": "", "merknad": ""}, {}),
    ("legevakt:distrikt_endre", "POST"): lambda w: (
        {"navn": "Sunnfjord legevakt", "type": "interkommunal", "merknad": "Endret", "aktiv": "on",
         "versjon": str(w.r.distrikt.versjon)}, {}),
    ("legevakt:medlemskap_ny", "POST"): lambda w: ({"medlem": "4602", "tidsbolk": "dogn", "fra": "2040-01-01", "til": ""}, {}),
    ("legevakt:medlemskap_endre", "POST"): lambda w: (
        {"tidsbolk": "dogn", "fra": "2026-01-01", "til": "2041-01-01", "versjon": str(w.r.medlemskap.versjon)}, {}),
    ("legevakt:stasjon_ny", "POST"): lambda w: ({"navn": "Stasjon 2", "adresse": "Gata 2", "postnummer": "6800", "poststed": "",
                                                 "telefon": ""}, {}),
    ("legevakt:stasjon_endre", "POST"): lambda w: (
        {"navn": "Sunnfjord legevaktstasjon", "adresse": "Ny gate 3", "postnummer": "", "poststed": "", "telefon": "",
         "aktiv": "on", "versjon": str(w.r.stasjon.versjon)}, {}),
    ("legevakt:vaktavtale_ny", "POST"): lambda w: ({"lege": w.r.lege2.pk, "fra": "2040-01-01", "til": "", "merknad": ""}, {}),
    ("legevakt:vaktavtale_endre", "POST"): lambda w: (
        {"fra": "2026-01-01", "til": "", "merknad": "Endret", "versjon": str(w.r.vaktavtale.versjon)}, {}),
    ("legevakt:fritak_ny", "POST"): lambda w: (
        {"lege": w.r.fritakslege.pk, "type": "rett_alder", "omfang": "utenfor_apningstid", "fra": "2031-03-01", "til": "",
         "krevd": "2031-03-01", "grunnlag": "", "vedtaksdato": "", "saksnummer": "", "utfall": "innvilget",
         "klagestatus": "ingen"}, {}),
    ("legevakt:fritak_endre", "POST"): lambda w: (
        {"type": "rett_alder", "omfang": "utenfor_apningstid", "fra": "2026-01-01", "til": "2030-01-01", "krevd": "2026-01-01",
         "grunnlag": "", "vedtaksdato": "", "saksnummer": "", "utfall": "innvilget", "klagestatus": "ingen",
         "versjon": str(w.r.fritak.versjon)}, {}),
    ("legevakt:lege_bruker", "POST"): lambda w: ({"bruker": "", "versjon": str(w.r.vaktlege.versjon)}, {}),
    # Shifts, swaps, sick calls, the pattern roster, the calendar, flags.
    ("vakt-list", "POST"): lambda w: ({"distrikt": w.r.distrikt.pk, "lege": w.r.vaktlege.pk, "type": "tilstedevakt",
                                       "start": "2031-03-08T08:00", "slutt": "2031-03-08T20:00"}, {}),
    ("vakt-sjekk", "POST"): lambda w: ({"distrikt": w.r.distrikt.pk, "lege": w.r.vaktlege.pk, "type": "tilstedevakt",
                                        "start": "2031-03-08T08:00", "slutt": "2031-03-08T20:00"}, {}),
    ("vakt-detail", "PATCH"): lambda w: ({"merknad": "Endret"}, _if_match(w.r.vakt.versjon)),
    ("vakt-avlys", "POST"): lambda w: ({"arsak": "annet"}, _if_match(w.r.vakt.versjon)),
    ("vakt-syk", "POST"): lambda w: ({"erstatter": w.r.vaktlege2.pk}, _if_match(w.r.vakt.versjon)),
    ("vaktbytte-list", "POST"): lambda w: ({"vakt": w.r.vakt.pk, "mot_vakt": w.r.vakt2.pk}, {}),
    ("vaktbytte-godkjenn", "POST"): lambda w: ({}, _if_match(w.r.bytte.versjon)),
    ("vaktbytte-avslaa", "POST"): lambda w: ({}, _if_match(w.r.bytte.versjon)),
    ("vaktbytte-trekk", "POST"): lambda w: ({}, _if_match(w.r.bytte.versjon)),
    ("legevakt:vakt_ny", "POST"): lambda w: ({"lege": w.r.vaktlege.pk, "type": "tilstedevakt", "start": "2031-03-08T08:00",
                                              "slutt": "2031-03-08T20:00", "handling": "lagre"}, {}),
    ("legevakt:vakt_endre", "POST"): lambda w: (
        {"lege": w.r.vaktlege.pk, "type": "tilstedevakt", "vaktklasse": "3", "start": "2031-03-01T08:00",
         "slutt": "2031-03-01T19:00", "versjon": str(w.r.vakt.versjon), "handling": "lagre"}, {}),
    ("legevakt:vakt_avlys", "POST"): lambda w: ({"arsak": "annet", "versjon": str(w.r.vakt.versjon)}, {}),
    ("legevakt:vakt_syk", "POST"): lambda w: ({"erstatter": w.r.vaktlege2.pk, "versjon": str(w.r.vakt.versjon),
                                               "handling": "lagre"}, {}),
    ("legevakt:vaktplan_monster", "POST"): lambda w: (
        {"fra": "2032-01-03", "til": "2032-01-10", "leger": [w.r.vaktlege.pk], "monster-TOTAL_FORMS": "1",
         "monster-INITIAL_FORMS": "0", "monster-MIN_NUM_FORMS": "0", "monster-MAX_NUM_FORMS": "10",
         "monster-0-ukedager": ["6"], "monster-0-start": "08:00", "monster-0-timer": "12", "monster-0-type": "tilstedevakt"}, {}),
    ("legevakt:bytte_ny", "POST"): lambda w: ({"mot_vakt": w.r.vakt2.pk}, {}),
    ("legevakt:bytte_behandle", "POST"): lambda w: ({"handling": "godkjenn", "versjon": str(w.r.bytte.versjon)}, {}),
    ("legevakt:kalender", "POST"): lambda w: ({"handling": "ny"}, {}),
    ("legevakt:varsel_sett", "POST"): lambda w: ({}, {}),
    ("belastningsvarsel-sett", "POST"): lambda w: ({}, {}),
    ("vakt-tillegg-list", "POST"): lambda w: ({"art": "reise", "minutter_hver_vei": 30}, {}),
    ("vakt-tillegg-detail", "DELETE"): lambda w: (None, _if_match(w.r.vakttillegg.versjon)),
    ("legevakt:vakt_tillegg", "POST"): lambda w: ({"art": "reise", "minutter_hver_vei": "30"}, {}),
    ("legevakt:vakt_tillegg_slett", "POST"): lambda w: ({"versjon": str(w.r.vakttillegg.versjon)}, {}),
    ("lonn:periode_lukk", "POST"): lambda w: ({"periode": "2001-03"}, {}),
    ("lonn:webhooks", "POST"): lambda w: ({"url": "https://1.1.1.2/ny-webhook", "beskrivelse": "Ny"}, {}),
    ("lonn:lonnsart_ny", "POST"): lambda w: (
        {"ny-kategori": "reise", "ny-gyldig_fra": "2040-01-01", "ny-lonnsart": "R1", "ny-sats": "180"}, {}),
    ("lonn:lonnsart_endre_sats", "POST"): lambda w: (
        {"endre-handling": "endre", "endre-versjon": str(w.r.lonnsartregel.versjon), "endre-fra": "2020-01-01",
         "endre-sats": "2"}, {}),
    ("lonn:lonnsart_slett", "POST"): lambda w: ({"versjon": str(w.r.lonnsartregel_ny.versjon)}, {}),
    ("lonn:lonnsarter_eksempel", "POST"): lambda w: ({"eksempel-fra": "2031-01-01"}, {}),
    **{(f"lonn:webhook_{handling}", "POST"): (lambda w: ({}, {}))
       for handling in ("deaktiver", "aktiver", "ny_hemmelighet", "slett", "test")},
    ("lonn:periode_gjenapne", "POST"): lambda w: ({"periode": B_LUKKET_MANED, "arsak": "Isolasjonstest"}, {}),
    ("lonn-kvitteringer", "POST"): lambda w: (
        {"markor": lonn_feed.tilstand().markor(lonn_feed.Posisjon(0, 0))}, {"HTTP_IDEMPOTENCY_KEY": "isolasjon-kvittering"}),
}


def _figures_file(w):
    from django.core.files.uploadedfile import SimpleUploadedFile

    first = dt.date.today().replace(day=1)
    return SimpleUploadedFile("listetall.csv", f"liste;dato;listelengde;venteliste\r\n{w.r.liste.pk};{first};1000;0\r\n".encode())


# Writes whose effect is not in the database (the chosen kommune lives in the session).
SESSION_ONLY_WRITES = {("kommune:velg", "POST"), ("vakt-sjekk", "POST")}  # + a dry run of the shift rules
# What A gets for a write without B in the URL but B in the body.
A_EXPECTED = {("kommune:velg", "POST"): 404}


def _not_kommune_data(name: str) -> bool:
    return any(
        name == key or name.startswith(f"{key}:") or (key.endswith("_") and name.startswith(key))
        for key in NOT_KOMMUNE_DATA
    )


def _basename(name: str) -> str:
    return name.rsplit("-", 1)[0] if "-" in name and ":" not in name else name


MISSING = {"kommunenummer": "9999"}  # for other arguments: an id no row has
# URL arguments that name no object but a parameter of the kommune in scope (every kommune has every month): A's
# request answers for A, may change none of B's rows and may show nothing of B's.
PARAMETER_ARGS = {"periode"}


def _url(name: str, args: tuple[str, ...], path: str, world: World, missing: bool = False) -> str:
    """The URL with B's objects, or (missing=True) with objects that do not exist."""
    kwargs = {}
    for arg in args:
        if missing:
            kwargs[arg] = MISSING.get(arg, 999999999)
            continue
        if _not_kommune_data(name):
            kwargs[arg] = NON_TENANT_ARGS[arg]
            continue
        factory = TENANT_ARGS.get((name, arg)) or TENANT_ARGS.get((_basename(name), arg)) or TENANT_ARGS.get(("*", arg))
        if factory is None:
            pytest.fail(f"URL-argumentet «{arg}» i {name} kan ikke fylles med et objekt fra kommune B: legg det til i TENANT_ARGS.")
        kwargs[arg] = factory(world)
    return "/" + _fill(path, kwargs)


def _fill(path: str, values: dict) -> str:
    """The route's pattern with its arguments filled in (regex groups and path converters)."""
    out, i = [], 0
    while i < len(path):
        if path.startswith("(?P<", i):
            end_name = path.index(">", i)
            arg = path[i + 4:end_name]
            depth, j = 1, end_name + 1
            while depth:
                depth += {"(": 1, ")": -1}.get(path[j], 0) if path[j - 1] != "\\" else 0
                j += 1
            out.append(str(values[arg]))
            i = j
        elif path[i] == "<":
            end = path.index(">", i)
            out.append(str(values[path[i + 1:end].split(":")[-1]]))
            i = end + 1
        elif path[i] in "^$":
            i += 1
        else:
            out.append(path[i])
            i += 1
    return "".join(out)


# The register's tenant tables (each with a direct kommune column); Lege is shared, bound by LegeKommune.
REGISTER_MODELS = (
    LegeKommune, Legekontor, Pasientliste, Legeperiode, Listetall, Fastlegeavtale, ListetakEndring, ListetakTrinn,
    Oppsigelse, KommunalOppgave, Vedtak, HelfoMelding,
    Introduksjonsavtale, IntroduksjonsFastlege, Alisavtale, AlisElement, AlisFravaer, AlisTjeneste, AlisVeiledning, AlisSats,
    Okonomiavtale, Okonomibetaling, Bakgrunnsjobb,
    Ledighetssak, Utlysning, Soker, Dekning, Vikar, Tilgjengelighet, Ledighetsvarsel,
    Legevaktdistrikt, Medlemskap, Stasjon, Vaktavtale, Fritak, Vakt, Vaktbytte, Belastningsvarsel, Vakttillegg,
    Kvittering, Lonnobjekt, Hendelse, Lonnsartregel, Lonnsperiode, Periodebeslutning, Korreksjon, Lonnslinje,
    Webhookendepunkt, Webhooklevering, Webhookforsok,
)


def fingerprint(kommune_id: int | None = None) -> list:
    """Every row of the kommune tables (or only kommune B's rows), for before/after comparison."""
    sql, params = _fingerprint_sql(kommune_id)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchone())


@functools.cache
def _fingerprint_sql(kommune_id: int | None) -> tuple[str, tuple]:
    """The fingerprint statement, compiled once per kommune (the ORM's compilation is the slow part)."""
    with unscoped(reason="test: compare rows before and after"):
        if kommune_id is None:
            sets = [
                Kommune.objects.all(), Innbyggertall.objects.all(), Rolle.objects.all(),
                ApiTokenKommune.objects.all(), ApiToken.objects.all(), User.objects.all(),
                Lege.objects.all(), Kalendernokkel.objects.all(), *(model.objects.all() for model in REGISTER_MODELS),
            ]
        else:
            sets = [
                Kommune.objects.filter(pk=kommune_id), Innbyggertall.objects.filter(kommune_id=kommune_id),
                Rolle.objects.filter(kommune_id=kommune_id), ApiTokenKommune.objects.filter(kommune_id=kommune_id),
                ApiToken.objects.filter(kommuner__kommune_id=kommune_id), User.objects.filter(roller__kommune_id=kommune_id),
                Lege.objects.filter(kommuner__kommune_id=kommune_id),
                Kalendernokkel.objects.filter(lege__kommuner__kommune_id=kommune_id),
                *(model.objects.filter(kommune_id=kommune_id) for model in REGISTER_MODELS),
            ]
        # One statement: a digest of each table's rows (every column), compared before and after.
        parts, params = [], []
        for qs in sets:
            sql, qs_params = qs.order_by().values().query.sql_with_params()
            parts.append(f"(SELECT count(*) || ':' || md5(coalesce(string_agg(sub::text, '|' ORDER BY sub::text), '')) "
                         f"FROM ({sql}) sub)")
            params.extend(qs_params)
    return "SELECT " + ", ".join(parts), tuple(params)


def _b_register(b: Kommune) -> SimpleNamespace:
    """Kommune B's GP register, made through the services. Objects with a history route also get
    a change that puts a marker in their history (an insert alone shows no field values); where no
    service changes such a field, the row is updated directly, as for B's population figure."""
    today = dt.date.today()
    with in_kommune(b):
        lege = register.lege(b, fornavn="Kari", etternavn="Lege")
        kommune_services.update_lege(lege=lege, expected_version=lege.versjon, etternavn="Sunnfjordsen")
        vikar = register.lege(b, fornavn="Vera", etternavn="Sunnfjordvikar")
        lege2 = register.lege(b, fornavn="Per", etternavn="Sunnfjordlege")
        kontor = lister_services.create_legekontor(
            kommune=b, navn="Legekontoret", organisasjonsnummer=register.valid_orgnr(900), adresse="Storgata 1",
            postnummer="6800", poststed="Førde",
        )
        lister_services.update_legekontor(legekontor=kontor, expected_version=kontor.versjon, navn="Sunnfjord legesenter")
        liste = lister_services.create_pasientliste(kommune=b, legekontor=kontor, listetak=1500, gyldig_fra=dt.date(2020, 1, 1))
        lister_services.update_pasientliste(liste=liste, expected_version=liste.versjon, navn="Sunnfjordlista", flo_id="987654")
        liste2 = lister_services.create_pasientliste(
            kommune=b, legekontor=kontor, listetak=1000, gyldig_fra=dt.date(2020, 1, 1), navn="Sunnfjordlista 2",
        )
        listetall = lister_services.record_listetall(liste=liste, dato=dt.date(2026, 1, 1), listelengde=1)
        Listetall.objects.filter(pk=listetall.pk).update(listelengde=987654)
        avtale = register.avtale(b, lege_=lege, liste_=liste, startdato=dt.date(2026, 1, 5), listetak=1500,
                                 okonomisk_modell="asa4310_8_2")
        avtale = avtaler_services.update_avtale(avtale=avtale, expected_version=avtale.versjon, lokalisering="Sunnfjord helsehus")
        vikarperiode = lister_services.add_legeperiode(
            liste=liste, lege=vikar, rolle="LPVI", vikar_for=lege, fra=dt.date(2026, 2, 1), til=dt.date(2026, 3, 1),
            stillingsprosent=50,
        )
        lister_services.change_legeperiode_end(periode=vikarperiode, til=dt.date(2026, 4, 1), begrunnelse_over_100="Sunnfjord: ferie")
        utkast = avtaler_services.create_avtale(
            kommune=b, lege=lege2, pasientliste=liste2, tilknytningsform="naeringsdrivende", okonomisk_modell="asa4310_8_1",
            startdato=dt.date(2026, 6, 1), listetak=1000,
        )
        oppgave = avtaler_services.add_kommunal_oppgave(
            avtale=avtale, oppgavetype="helsestasjon", institusjon="Helsestasjonen", timer_per_uke=2, form="avtalt",
            lonnsgrunnlag="asa4310_12_5", fra=dt.date(2026, 2, 1),
        )
        KommunalOppgave.objects.filter(pk=oppgave.pk).update(institusjon="Sunnfjord helsestasjon")
        endring = avtaler_services.request_listetak_change(  # an increase not yet in force: it can be refused
            avtale=Fastlegeavtale.objects.get(pk=avtale.pk), initiativ="lege", mottatt=dt.date(2026, 11, 1), til_listetak=1600,
            trinn=[(max(today, dt.date(2026, 11, 1)) + dt.timedelta(days=60), 1600)],
        )
        ListetakEndring.objects.filter(pk=endring.pk).update(avtale_notat="Sunnfjord: legen ønsker flere")
        vedtak = avtaler_services.record_vedtak(
            avtale=avtale, type="avslag_listetak", utfall="avslatt", begrunnelse="Avslått", vedtaksdato=dt.date(2026, 6, 1),
        )
        Vedtak.objects.filter(pk=vedtak.pk).update(begrunnelse="Sunnfjord: kapasitet")
        melding_sendt = HelfoMelding.objects.get(avtale=avtale, type="ny_avtale")
        avtaler_services.mark_helfo_sent(melding=melding_sendt, expected_version=melding_sendt.versjon,
                                         sendt=today - dt.timedelta(days=10))
        melding_utkast = HelfoMelding.objects.get(avtale=avtale, type="endring")
        HelfoMelding.objects.filter(pk=melding_utkast.pk).update(epost_tekst="Sunnfjord: ny lokalisering")
        # ALIS, introduksjonsavtale, 8.2-avtale and a finished background job.
        veileder = register.lege(b, fornavn="Vidar", etternavn="Sunnfjordveileder", spesialist_allmennmedisin_fra=dt.date(2010, 1, 1))
        intro = introduksjon_services.create_introduksjonsavtale(
            kommune=b, lege=vikar, legekontor=kontor, godkjenning_referanse="Helsedir 1", tilknytning="fastlonn",
            kostnadsfordeling="Delt", startdato=dt.date(2026, 2, 1), fastlegeavtaler=[avtale],
        )
        Introduksjonsavtale.objects.filter(pk=intro.pk).update(kostnadsfordeling="Sunnfjord: delt likt")
        alis = alis_services.create_alisavtale(
            kommune=b, lege=lege, relasjon="fastlege", fastlegeavtale=avtale, arbeidssted="Legekontoret", stillingsprosent=100,
            signert=dt.date(2026, 1, 5), veileder=veileder,
        )
        alis = alis_services.update_alisavtale(avtale=alis, expected_version=alis.versjon, arbeidssted="Sunnfjord legesenter")
        element = alis_services.add_alis_element(avtale=alis, element="veiledning", finansiering="standard", fra=dt.date(2026, 1, 5))
        AlisElement.objects.filter(pk=element.pk).update(beskrivelse="Sunnfjord: veiledning")
        fravaer = alis_services.add_alis_fravaer(avtale=alis, type="permisjon", fra=dt.date(2026, 3, 3), til=dt.date(2026, 3, 10))
        AlisFravaer.objects.filter(pk=fravaer.pk).update(til=dt.date(2026, 3, 13))  # a change, so its history shows values
        alis_lege2 = register.lege(b, fornavn="Alis", etternavn="Sunnfjordalis")
        tjeneste = alis_services.add_alis_tjeneste(avtale=alis, type="apen_uselektert", sted="Sunnfjord legesenter", stillingsprosent=100,
                                                   fra=dt.date(2026, 1, 5), til=dt.date(2028, 1, 5))
        veiledning = alis_services.record_veiledning(avtale=alis, maned=dt.date(2026, 2, 1), individuelle_timer=4, gruppetimer=3,
                                                     merknad="Sunnfjord: veiledning")
        AlisTjeneste.objects.filter(pk=tjeneste.pk).update(sted="Sunnfjord: legesenteret")
        AlisVeiledning.objects.filter(pk=veiledning.pk).update(merknad="Sunnfjord: endret")
        sats = alis_services.create_alis_sats(kommune=b, element="veiledning", gyldig_fra=dt.date(2026, 1, 1), manedsbelop=1000,
                                              kilde="Sunnfjord: eksempel")
        okonomi = okonomi_services.create_okonomiavtale(
            kommune=b, fastlegeavtale=avtale, ytelser=["lokaler"], beskrivelse="Helsehuset", startdato=dt.date(2026, 1, 5),
            sluttdato=dt.date(2026, 7, 1),
        )
        okonomi = okonomi_services.update_okonomiavtale(avtale=okonomi, expected_version=okonomi.versjon,
                                                        beskrivelse="Sunnfjord helsehus")
        betaling = okonomi_services.record_betaling(avtale=okonomi, dato=dt.date(2026, 2, 1), retning="til_lege",
                                                    kategori="driftstilskudd", belop="987654.00", referanse="Sunnfjord-1")
        AlisSats.objects.filter(pk=sats.pk).update(kilde="Sunnfjord: endret")
        Okonomibetaling.objects.filter(pk=betaling.pk).update(referanse="Sunnfjord-2")
        jobb = Bakgrunnsjobb.objects.create(
            kommune=b, type="lister.listetall_import", tittel="Sunnfjord: import", status="feilet", ferdig=dt.datetime.now(dt.UTC),
            totalt=1, behandlet=1, feil=[{"rad": 2, "felt": "liste", "melding": "Sunnfjord: ukjent liste"}], opprettet_av="test",
        )
        # Issue 6: a vacancy case with an advertisement and an applicant, cover, a pool vikar with a window,
        # and a third avtale for the bortfall routes.
        sak = Ledighetssak.objects.get(pasientliste=liste2)  # opened with the new list (no fastlege yet)
        # A vikariat over New Year 2025 by a doctor without specialisation: last year's § 4 report shows it.
        lister_services.add_legeperiode(liste=liste2, lege=vikar, rolle="LPVI", fra=dt.date(2025, 12, 1), til=dt.date(2026, 1, 1),
                                        stillingsprosent=50)
        Ledighetssak.objects.filter(pk=sak.pk).update(merknad="Sunnfjord: saken")
        utlysning = sak_services.add_utlysning(sak=sak, dato=dt.date(2026, 2, 9), kanal="Sunnfjord avis")
        Utlysning.objects.filter(pk=utlysning.pk).update(kanal="Sunnfjord: avisa")
        soker = sak_services.add_soker(sak=sak, navn="Sunnfjord søker", mottatt=dt.date(2026, 2, 20))
        Soker.objects.filter(pk=soker.pk).update(navn="Sunnfjord: søkeren")
        dekning = sak_services.add_dekning(liste=liste2, type="kontoret", fra=dt.date(2026, 2, 2), til=dt.date(2026, 2, 9),
                                           leger="Sunnfjord kolleger")
        Dekning.objects.filter(pk=dekning.pk).update(leger="Sunnfjord: kollegene")
        poolvikar = vikar_services.add_vikar(kommune=b, lege=vikar, merknad="Sunnfjord pool")
        Vikar.objects.filter(pk=poolvikar.pk).update(merknad="Sunnfjord: poolen")
        vindu = vikar_services.add_tilgjengelighet(vikar=poolvikar, fra=dt.date(2026, 1, 1), til=dt.date(2027, 1, 1),
                                                   merknad="Sunnfjord vindu")
        Tilgjengelighet.objects.filter(pk=vindu.pk).update(merknad="Sunnfjord: vinduet")
        varsel = Ledighetsvarsel.objects.create(kommune=b, pasientliste=liste2, type="udekket", reist=dt.datetime.now(dt.UTC))
        Ledighetsvarsel.objects.filter(pk=varsel.pk).update(detaljer={"dager": 987654})
        lege3 = register.lege(b, fornavn="Berit", etternavn="Sunnfjordbortfall")
        liste3 = lister_services.create_pasientliste(kommune=b, legekontor=kontor, listetak=800, gyldig_fra=dt.date(2020, 1, 1),
                                                     navn="Sunnfjordlista 3")
        avtale3 = register.avtale(b, lege_=lege3, liste_=liste3, startdato=dt.date(2026, 1, 5), listetak=800)
        legevakt = _b_legevakt(b, lege2=lege2)
        objects = SimpleNamespace(
            **vars(legevakt), varsel=varsel, sak=sak, utlysning=utlysning, soker=soker, dekning=dekning, poolvikar=poolvikar, vindu=vindu, avtale3=avtale3,
            lege=lege, vikar=vikar, lege2=lege2, kontor=kontor, liste=liste, liste2=liste2, listetall=listetall,
            avtale=avtale, vikarperiode=vikarperiode, utkast=utkast, oppgave=oppgave, endring=endring, vedtak=vedtak,
            melding_sendt=melding_sendt, melding_utkast=melding_utkast, veileder=veileder, intro=intro, alis=alis,
            element=element, fravaer=fravaer, tjeneste=tjeneste, veiledning=veiledning, sats=sats, okonomi=okonomi,
            betaling=betaling, jobb=jobb, alis_lege2=alis_lege2,
        )
        for obj in vars(objects).values():
            obj.refresh_from_db()  # the versions and values the payloads' If-Match and ETags need
    return objects


def _b_legevakt(b: Kommune, *, lege2) -> SimpleNamespace:
    """Kommune B's legevakt: an interkommunal district (only B is a member) with a station, two doctors
    taking part by agreement, an exempt doctor, shifts, a pending swap and a flag — made through the
    services (called inside B's scope)."""
    kompetent = {"spesialist_allmennmedisin_fra": dt.date(2010, 1, 1), "kurs_akuttmedisin": dt.date(2020, 1, 1),
                 "kurs_vold_overgrep": dt.date(2020, 1, 1)}
    vaktlege = register.lege(b, fornavn="Vilde", etternavn="Sunnfjordvakt", **kompetent)
    vaktlege2 = register.lege(b, fornavn="Vegard", etternavn="Sunnfjordvakt", **kompetent)
    fritakslege = register.lege(b, fornavn="Frida", etternavn="Sunnfjordfritak", fodselsdato=dt.date(1950, 1, 1))
    distrikt = distrikt_services.create_distrikt(kommune=b, navn="Sunnfjord legevakt", type="interkommunal",
                                                 fra=dt.date(2026, 1, 1))
    medlemskap = Medlemskap.objects.get(distrikt=distrikt)
    # Until 2040, so a new district of B's from then is allowed (one district per band at a time).
    medlemskap = distrikt_services.avslutt_medlemskap(medlemskap=medlemskap, expected_version=medlemskap.versjon,
                                                      til=dt.date(2040, 1, 1))
    Legevaktdistrikt.objects.filter(pk=distrikt.pk).update(merknad="Sunnfjord: distriktet")
    stasjon = distrikt_services.create_stasjon(distrikt=distrikt, navn="Sunnfjord legevaktstasjon", adresse="Sunnfjordvegen 1")
    Stasjon.objects.filter(pk=stasjon.pk).update(adresse="Sunnfjordvegen 2")
    vaktavtale = distrikt_services.create_vaktavtale(distrikt=distrikt, lege=vaktlege, fra=dt.date(2026, 1, 1))
    Vaktavtale.objects.filter(pk=vaktavtale.pk).update(merknad="Sunnfjord: avtalen")
    distrikt_services.create_vaktavtale(distrikt=distrikt, lege=vaktlege2, fra=dt.date(2026, 1, 1))
    distrikt_services.create_vaktavtale(distrikt=distrikt, lege=fritakslege, fra=dt.date(2026, 1, 1))
    fritak = fritak_services.create_fritak(kommune=b, lege=fritakslege, type="rett_alder", fra=dt.date(2026, 1, 1),
                                           krevd=dt.date(2026, 1, 1))

    def vakt(lege, day):
        return vakt_services.create_vakt(
            distrikt=distrikt, lege=lege, type="tilstedevakt", stasjon=stasjon,
            start=dt.datetime.combine(day, dt.time(8), tzinfo=OSLO), slutt=dt.datetime.combine(day, dt.time(20), tzinfo=OSLO))

    Fritak.objects.filter(pk=fritak.pk).update(til=dt.date(2098, 7, 6))  # a value B's history must show
    vakt(vaktlege2, dt.date.today() + dt.timedelta(days=3))  # in the load pages' default window
    vakt1 = vakt(vaktlege, dt.date(2031, 3, 1))
    vakt2 = vakt(vaktlege2, dt.date(2031, 3, 2))
    bytte = vakt_services.be_om_bytte(vakt=vakt(vaktlege, dt.date(2031, 3, 15)), mot_vakt=vakt(vaktlege2, dt.date(2031, 3, 16)))
    Vaktbytte.objects.filter(pk=bytte.pk).update(merknad="Sunnfjord: byttet")
    Vakt.objects.filter(pk=vakt1.pk).update(merknad="Sunnfjord: vakten")
    lvvarsel = Belastningsvarsel.objects.create(kommune=b, distrikt=distrikt, type="fa_leger", reist=dt.datetime.now(dt.UTC))
    Belastningsvarsel.objects.filter(pk=lvvarsel.pk).update(detaljer={"leger": 987654})
    return SimpleNamespace(distrikt=distrikt, medlemskap=medlemskap, stasjon=stasjon, vaktavtale=vaktavtale, fritak=fritak,
                           vaktlege=vaktlege, vaktlege2=vaktlege2, fritakslege=fritakslege, vakt=vakt1, vakt2=vakt2,
                           bytte=bytte, lvvarsel=lvvarsel)


@pytest.fixture(scope="module")
def _world(django_db_setup, django_db_blocker):
    """The two kommuner's world, built once for the module inside a transaction that is rolled back at
    its end. Each test runs in a savepoint inside it (pytest-django's `db`), and each request in its
    own rolled-back block, so no test sees another's changes."""
    with django_db_blocker.unblock(), transaction.atomic():
        with scope(kommune_id=None, actor="test"):
            built = _build_world()
        yield built
        transaction.set_rollback(True)


@pytest.fixture
def world(_world, db):
    return _world


def _build_world() -> World:
    a, b = kommune("4601"), kommune("4647")
    with in_kommune(b):
        # Changed after creation, so B's history (kommune and figure) shows the markers.
        figure = Innbyggertall.objects.create(kommune=b, gjelder_fra="2024-01-01", antall=1, kilde="markør")
        Innbyggertall.objects.filter(pk=figure.pk).update(antall=987654)
        figure.refresh_from_db()
        Kommune.objects.filter(pk=b.pk).update(administrasjonssenter="Sunnfjord rådhus")
        b.refresh_from_db()
    a_user = user_with_role("kommuneoverlege", a)
    b_user = user_with_role("kommuneoverlege", b, email="b-markor@sunnfjord.test")
    b_extra = user_with_role("lesetilgang", b)
    with in_kommune(b):
        rolle = Rolle.objects.get(bruker=b_extra)
    b_tok = token_client(ALL_SCOPES, b)
    ApiToken.objects.filter(pk=b_tok.token.pk).update(navn="B-markor-klient")
    b_tok.token.refresh_from_db()
    r = _b_register(b)
    with in_kommune(b):  # B's kommuneoverlege is also the doctor on B's shift (own shifts, swaps, calendar)
        Lege.objects.filter(pk=r.vaktlege.pk).update(bruker=b_user)
        r.vaktlege.refresh_from_db()
        # a receipt from B's payroll client (the payroll state and events come from B's data via the triggers)
        r.vakttillegg = tillegg_services.add_tillegg(vakt=r.vakt, art="reise", minutter_hver_vei=30)
        Vakttillegg.objects.filter(pk=r.vakttillegg.pk).update(merknad="Sunnfjord: reisen")  # shows in the history
        r.vakttillegg.refresh_from_db()
        r.kvittering = Kvittering.objects.create(kommune=b, klient=b_tok.token, markor=B_KVITTERING, xid=0, hendelse_id=0)
        # B's wage-type mapping (its cost centre names B) and two closed months; a correction of B's shift in them
        r.lonnsartregel = Lonnsartregel.objects.create(
            kommune=b, kategori="vakt", lonnsart="V1", sats=1, gyldig_fra=dt.date(2000, 1, 1), gyldig_til=dt.date(2030, 12, 31),
            kostnadssted="Sunnfjord lv")
        # a row that lies after the closed months, so B may delete it (a row in force in a closed month may not be)
        r.lonnsartregel_ny = Lonnsartregel.objects.create(
            kommune=b, kategori="legevaktsentral", lonnsart="LS1", sats=1, gyldig_fra=dt.date(2002, 1, 1),
            gyldig_til=dt.date(2030, 12, 31), kostnadssted="Sunnfjord lv")
        for maned in (dt.date(2001, 1, 1), dt.date(2001, 2, 1)):
            lonn_perioder.lukk_periode(kommune=b, maned=maned, av=b_user)
        # B's webhook endpoints (IP literals: no DNS), one of them deactivated
        r.webhook, _h = lonn_webhooks.register(kommune=b, url="https://1.1.1.1/sunnfjord-lonn",
                                               beskrivelse="Sunnfjord lønnssystem", av=b_user)
        r.webhook_av, _h = lonn_webhooks.register(kommune=b, url="https://1.1.1.1/sunnfjord-gammel",
                                                  beskrivelse="Sunnfjord gammelt system", av=b_user)
        lonn_webhooks.deactivate(endepunkt=r.webhook_av)
    return World(a=a, b=b, b_figure=figure, b_rolle=rolle, b_token=b_tok.token, a_user=a_user, b_user=b_user, r=r)


def _send(client, method: str, url: str, body, headers: dict):
    is_api = url.startswith("/api/")
    kwargs = dict(headers)
    if body is not None:
        files = [value for value in body.values() if hasattr(value, "seek")] if isinstance(body, dict) else []
        for upload in files:
            upload.seek(0)  # the same payload is sent by several clients
        if is_api:
            kwargs.update(data=body, format="multipart" if files else "json")
        else:
            kwargs.update(data=body)
    return getattr(client, method.lower())(url, **kwargs)


def _session(user, api: bool):
    client = APIClient() if api else Client()
    client.force_login(user)
    client.raise_request_exception = True
    return client


def _token(k: Kommune):
    return token_client(ALL_SCOPES, k)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _text(response) -> str:
    """The response as text; a spreadsheet export as the text of its cells."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    if response.get("Content-Type", "").startswith(XLSX):
        import io

        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join(str(cell) for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row if cell)
    return response.content.decode(errors="replace")


@pytest.mark.parametrize(("name", "args", "path"), ROUTES, ids=[p or "/" for _n, _a, p in ROUTES])
def test_another_kommunes_data_is_invisible_and_untouchable(world, name, args, path):
    url = _url(name, args, path, world)
    is_api = url.startswith("/api/")
    tenant_url = bool(set(args) - PARAMETER_ARGS) and not _not_kommune_data(name)
    a_clients = [("A-bruker", _session(world.a_user, is_api))]
    b_clients = [("B-bruker", _session(world.b_user, is_api))]
    if is_api:
        a_clients.append(("A-token", _token(world.a)))
        b_clients.append(("B-token", _token(world.b)))

    # A URL naming B's objects may change nothing at all (which covers B's rows); any other URL may
    # change A's rows but none of B's.
    snapshot_kommune = None if tenant_url else world.b.pk

    def snapshot():
        return fingerprint(snapshot_kommune)

    # Each request below runs in a block that is rolled back, so the rows before any request are the rows
    # before the first: each fingerprint before a request is taken once, and again only after a request
    # outside such a block (`missing`). Halves the fingerprints, the bulk of this test's database time.
    unchanged: dict = {}

    def before_request(kommune_id):
        if kommune_id not in unchanged:
            unchanged[kommune_id] = fingerprint(kommune_id)
        return unchanged[kommune_id]

    accepted = []
    for method in METHODS:
        body, headers = PAYLOADS[(name, method)](world) if (name, method) in PAYLOADS else (None, {})

        for who, client in a_clients:
            with transaction.atomic():
                before = before_request(snapshot_kommune)
                response = _send(client, method, url, body, headers)
                after = snapshot()
                transaction.set_rollback(True)
            where = f"{who} {method} {url}"
            assert response.status_code < 500, f"{where}: {response.status_code}"
            assert after == before, f"{where} endret {'rader' if tenant_url else 'kommune Bs data'}"
            for marker in MARKERS:
                assert marker not in _text(response), f"{where} viste «{marker}» fra kommune B"
            if tenant_url:
                if response.status_code not in (404, 405):
                    # Only a refusal that B's data cannot have caused: the same as for objects that do not exist.
                    missing = _send(client, method, _url(name, args, path, world, missing=True), body, headers)
                    unchanged.clear()
                    assert (response.status_code, _text(response)) == (missing.status_code, _text(missing)), (
                        f"{where}: {response.status_code}, ventet 404 eller samme svar som for et objekt som ikke finnes"
                    )
            elif (name, method) in A_EXPECTED:
                assert response.status_code == A_EXPECTED[(name, method)], f"{where}: {response.status_code}"

        if _not_kommune_data(name):
            continue
        # Positive control: the same request by B's own principals succeeds.
        for who, client in b_clients:
            with transaction.atomic():
                before_b = before_request(world.b.pk)
                response = _send(client, method, url, body, headers)
                after_b = fingerprint(world.b.pk)
                transaction.set_rollback(True)
            where = f"{who} {method} {url}"
            if response.status_code == 405:
                continue
            if who == "B-token" and response.status_code == 403 and method not in ("GET",):
                continue  # writes that need a person (the kommune's settings) are refused to every token
            accepted.append(method)
            assert response.status_code < 400, f"{where}: {response.status_code} {_text(response)[:300]}"
            if method == "GET":
                shown = _text(response) + response.get("Location", "")
                expected = (B_SHOWS[name](world),) if name in B_SHOWS else (*MARKERS, world.b.kommunenummer)
                assert any(m in shown for m in expected), f"{where} viste ingenting av B"
            elif (name, method) not in SESSION_ONLY_WRITES:
                assert after_b != before_b, f"{where} endret ikke Bs data: positiv kontroll mislyktes"
            if (name, method) not in PAYLOADS and method != "GET":
                pytest.fail(f"{name} {method}: legg inn en gyldig forespørsel i PAYLOADS")
    if not _not_kommune_data(name):
        assert accepted, f"{name}: ingen metode lyktes for kommune B — positiv kontroll mangler"


def test_every_route_is_covered():
    """The parametrisation above is the whole URL configuration (guards against a filtered list)."""
    names = {name for name, _args, _path in ROUTES}
    assert {"kommune-detail", "innbyggertall-detail", "kommune:landing", "kommune:fjern_rolle", "meg"} <= names
    assert len(ROUTES) > 100
