"""Rule parameters from regulation and agreements: one place, each with its source and the dates
it applies between.

Services ask for the value in force on the relevant date (`verdi("listetak_maks", on=dato)`) and
cite the source in their messages (`kilde("listetak_maks")`), so a change of the rules is a new
dated entry here, not a hunt through the code. Database constraints use the widest value any
version allows (`storste`); the services apply the dated one.

Sources (see ../shared/domain.md):
- Fastlegeforskriften 2025: FOR-2025-12-02-2405, in force 1 January 2026; it repealed
  FOR-2012-08-29-842 (the 2012 forskrift, whose paragraphs are given for the older entries).
- Særavtalen SFS 2305 (KS–Legeforeningen), for kommunalt ansatte fastleger.
- Rammeavtalen ASA 4310 (KS–Legeforeningen), for næringsdrivende fastleger outside Oslo.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

FLF_2025 = "fastlegeforskriften (FOR-2025-12-02-2405)"
FLF_2012 = "fastlegeforskriften 2012 (FOR-2012-08-29-842)"
NY_FORSKRIFT = dt.date(2026, 1, 1)


@dataclass(frozen=True)
class Regel:
    kode: str
    verdi: Any
    kilde: str
    gyldig_fra: dt.date
    gyldig_til: dt.date | None = None  # inclusive; None = until further notice
    beskrivelse: Any = ""

    def gjelder(self, on: dt.date) -> bool:
        return self.gyldig_fra <= on and (self.gyldig_til is None or on <= self.gyldig_til)


_BEFORE = dt.date(2012, 9, 1)

REGLER: tuple[Regel, ...] = (
    # --- listetak ---------------------------------------------------------------------------
    Regel("listetak_maks", 2500, f"{FLF_2025} § 10", NY_FORSKRIFT,
          beskrivelse=_("Fastlegen skal ikke ha flere enn 2 500 personer på listen.")),
    Regel("listetak_maks", 2500, f"{FLF_2012} § 34", _BEFORE, NY_FORSKRIFT - dt.timedelta(days=1)),
    Regel("listetak_min", 1, f"{FLF_2025} § 2 bokstav b", NY_FORSKRIFT,
          beskrivelse=_("En fastlegeavtale gjelder et bestemt antall listeinnbyggere (minst én).")),
    Regel("listetak_min", 1, f"{FLF_2012} § 2", _BEFORE, NY_FORSKRIFT - dt.timedelta(days=1)),
    Regel("listetak_godkjenning_under", 500, f"{FLF_2025} § 10", NY_FORSKRIFT,
          beskrivelse=_("Et listetak lavere enn 500 må avtales med (godkjennes av) kommunen.")),
    Regel("listetak_godkjenning_under", 500, f"{FLF_2012} § 34", _BEFORE, NY_FORSKRIFT - dt.timedelta(days=1)),
    Regel("reduksjon_frist_maneder", 6, f"{FLF_2025} § 11 andre ledd", NY_FORSKRIFT,
          beskrivelse=_("Krav om reduksjon av listetaket meldes med seks måneders frist; kortere frist bare etter avtale.")),
    Regel("reduksjon_frist_maneder", 6, f"{FLF_2012} § 35", _BEFORE, NY_FORSKRIFT - dt.timedelta(days=1)),
    Regel("ingen_ensidig_reduksjon", True, f"{FLF_2025} § 11 med merknad", NY_FORSKRIFT,
          beskrivelse=_("Kommunen kan ikke ensidig redusere listetaket på en etablert liste.")),
    Regel("ansatt_listeansvar_maks", 1500, "særavtalen SFS 2305 § 3.1", dt.date(2024, 1, 1),
          beskrivelse=_("Ved heltids kurativ virksomhet kan det ikke stilles vilkår om listeansvar over 1 500 "
                        "(forholdsmessig ved deltid: denne løsningens tolkning); mer må avtales med legen.")),
    # --- avslutning ---------------------------------------------------------------------------
    Regel("oppsigelsesfrist_maneder", 6, f"{FLF_2025} § 12 første ledd", NY_FORSKRIFT,
          beskrivelse=_("Kommunen og næringsdrivende fastlege kan si opp avtalen med seks måneders frist.")),
    Regel("oppsigelsesfrist_maneder", 6, f"{FLF_2012} § 32", _BEFORE, NY_FORSKRIFT - dt.timedelta(days=1)),
    Regel("aldersgrense", 70, f"{FLF_2025} § 12 tredje ledd", NY_FORSKRIFT,
          beskrivelse=_("Avtalen opphører uten oppsigelse når legen fyller 70 år.")),
    Regel("aldersgrense", 70, f"{FLF_2012} § 32", _BEFORE, NY_FORSKRIFT - dt.timedelta(days=1)),
    Regel("aldersgrense_forlengelse_maks", 80, f"{FLF_2025} § 12 tredje ledd", NY_FORSKRIFT,
          beskrivelse=_("Tidsbegrenset avtale ut over 70 år, likevel ikke etter at legen er fylt 80 år.")),
    Regel("aldersgrense_forlengelse_maks", 75, f"{FLF_2012} § 32", _BEFORE, NY_FORSKRIFT - dt.timedelta(days=1)),
    # --- andre allmennlegeoppgaver ------------------------------------------------------------
    Regel("palagt_timer_per_uke", Decimal("7.5"), f"{FLF_2025} § 32", NY_FORSKRIFT,
          beskrivelse=_("Fastlege i fulltidspraksis kan pålegges inntil 7,5 timer per uke; redusert forholdsmessig "
                        "ved redusert åpningstid. Administrative møter regnes med, dialogmøter og legevakt ikke.")),
    Regel("palagt_timer_per_uke", Decimal("7.5"), f"{FLF_2012} § 12", _BEFORE, NY_FORSKRIFT - dt.timedelta(days=1)),
    # --- engasjementer ------------------------------------------------------------------------
    Regel("engasjement_varsel_prosent", 100, _("ingen forskrift setter tak; intern kontroll"), _BEFORE,
          beskrivelse=_("Over 100 % samlet stillingsprosent på en dag er tillatt, men må begrunnes.")),
)

# --- ALIS (allmennlege i spesialisering) ---------------------------------------------------
ALIS_MAL = "Helsedirektoratets mal for ALIS-avtale (obligatorisk fra 2023, revidert juni 2023)"
ALIS_SPESIALISERING = "spesialistforskriften (FOR-2016-12-08-1482) med læringsmål for allmennmedisin (1. mars 2019)"
ALIS_TILSKUDD = "tilskuddsordningen Nasjonal ALIS og veiledning (Helsedirektoratet)"
_ALIS_FRA = dt.date(2019, 3, 1)

REGLER += (
    Regel("alis_stillingsprosent_min", 50, "Den norske legeforening: spesialisering krever minst 50 % stilling", _ALIS_FRA,
          beskrivelse=_("En ALIS-avtale må gjelde minst 50 % stilling.")),
    Regel("alis_varighet_ar", 5, f"{ALIS_MAL}", _ALIS_FRA,
          beskrivelse=_("Avtalen varer inntil fem år ved full tid, forlenget ved deltid og lovfestet fravær.")),
    Regel("alis_apen_praksis_min_maneder", 24, ALIS_SPESIALISERING, _ALIS_FRA,
          beskrivelse=_("Minst to år i åpen uselektert allmennpraksis.")),
    Regel("alis_institusjon_min_maneder", 6, ALIS_SPESIALISERING, _ALIS_FRA,
          beskrivelse=_("Minst seks måneder institusjonstjeneste.")),
    Regel("alis_veiledning_timer_per_maned", Decimal("4"), ALIS_SPESIALISERING, _ALIS_FRA,
          beskrivelse=_("Individuell veiledning: i gjennomsnitt minst fire timer per måned i 10,5 måneder per år.")),
    Regel("alis_veiledningsmaneder_per_ar", Decimal("10.5"), ALIS_SPESIALISERING, _ALIS_FRA,
          beskrivelse=_("Veiledningsåret regnes som 10,5 måneder.")),
    Regel("alis_gruppeveiledning_timer", Decimal("120"), ALIS_SPESIALISERING, _ALIS_FRA,
          beskrivelse=_("Gruppeveiledning over to år, til sammen 120 timer.")),
    Regel("alis_gruppeveiledning_apen_praksis_timer", Decimal("60"), ALIS_SPESIALISERING, _ALIS_FRA,
          beskrivelse=_("Ett av de to årene med gruppeveiledning (60 timer) skal være mens legen er i åpen uselektert praksis.")),
    Regel("alis_vikar_tilskudd_min_maneder", 3, ALIS_TILSKUDD, dt.date(2023, 1, 1),
          beskrivelse=_("En vikar gir rett til tilskudd bare når vikariatet varer mer enn tre måneder.")),
    Regel("alis_vikarbyra_utelukket", True, ALIS_TILSKUDD, dt.date(2023, 1, 1),
          beskrivelse=_("En ALIS som er ansatt i eller tilknyttet et vikarbyrå eller annen kommersiell aktør, har ikke rett til tilskudd.")),
    # --- introduksjonsavtale ----------------------------------------------------------------
    Regel("introduksjonsavtale_varighet_maneder", 24,
          _("denne løsningens standard: to år, tilsvarende kravet til åpen uselektert praksis (ingen fastsatt lengde)"),
          dt.date(2022, 1, 1),
          beskrivelse=_("Standard lengde på en introduksjonsavtale (kan endres i avtalen).")),
    # --- 8.2-avtale (økonomisk samarbeid) ---------------------------------------------------
    Regel("okonomi_tilbakeblikk_ar", 3, "rammeavtalen ASA 4310 (revidert 1. april 2024), overdragelse av praksis",
          dt.date(2024, 4, 1),
          beskrivelse=_("Ytelser fra kommunen ut over basistilskuddet de siste tre årene tas i betraktning "
                        "når godtgjørelsen for praksisen fastsettes.")),
)

# --- ubesatte lister, vikarer og kompetanse ----------------------------------------------------
KOMPETANSEFORSKRIFTEN = "kompetanseforskriften (FOR-2017-02-17-192)"
ASA4310_2024 = "rammeavtalen ASA 4310 (revidert 1. april 2024)"
_JOBB_STANDARD = _("denne løsningens standard (kan endres)")

REGLER += (
    Regel("kompetanse_unntak_tellestart", dt.date(2025, 12, 31), f"{KOMPETANSEFORSKRIFTEN} § 4", NY_FORSKRIFT,
          beskrivelse=_("For arbeids- og avtaleforhold inngått før 31. desember 2025 regnes varigheten fra denne datoen.")),
    Regel("kompetanse_unntak_total_dager", 260,
          f"{KOMPETANSEFORSKRIFTEN} § 4 (ett år; omregnet til 260 arbeidede dager = 52 uker × 5 dager: denne løsningens tolkning)",
          NY_FORSKRIFT,
          beskrivelse=_("Unntak for ett eller flere arbeids- eller avtaleforhold på til sammen inntil ett år, regnet i "
                        "arbeidede dager.")),
    Regel("kompetanse_unntak_kalenderar_dager", 86,
          f"{KOMPETANSEFORSKRIFTEN} § 4 (fire måneder; omregnet til 86 arbeidede dager = 4/12 × 260, rundet ned: "
          "denne løsningens tolkning)",
          NY_FORSKRIFT,
          beskrivelse=_("Unntak for inntil fire måneder per kalenderår, regnet i arbeidede dager.")),
    Regel("kompetanse_rapport_siste_ar", 2029, f"{KOMPETANSEFORSKRIFTEN} § 4", NY_FORSKRIFT,
          beskrivelse=_("Kommunen rapporterer bruken av unntakene til statsforvalteren innen 31. mars hvert år, til og med 2029.")),
    Regel("kollegial_dekning_maks_dager", 56,
          "Helsedirektoratet: kollegial fraværsdekning inntil åtte uker per år registreres ikke som vikarbruk",
          dt.date(2020, 1, 1),
          beskrivelse=_("Kollegial fraværsdekning på en liste: inntil åtte uker (56 dager) per kalenderår.")),
    Regel("vikar_lang_varighet_maneder", 12,
          _("ikke bekreftet: ASA 4310s grense er ikke funnet; tolvmånedersgrensen i ASA 4313 pkt. 16 (fysioterapi) brukes "
            "som varselgrense"),
          dt.date(2012, 9, 1),
          beskrivelse=_("Lister betjent av vikar lenger enn dette vises som langvarig vikarbruk.")),
    Regel("kommune_vikarplikt_maneder", 6, ASA4310_2024, dt.date(2024, 4, 1),
          beskrivelse=_("Kommunen skal sette inn vikar og dekke driftsutgiftene i inntil seks måneder etter at "
                        "oppsigelsestiden er ute (næringsdrivende fastleger).")),
    Regel("hjemfall_maneder", 12, ASA4310_2024, dt.date(2024, 4, 1),
          beskrivelse=_("Hjemfall forutsetter at det er gått minst tolv måneder siden oppsigelsen.")),
    Regel("hjemfall_utlysninger", 3, ASA4310_2024, dt.date(2024, 4, 1),
          beskrivelse=_("Hjemfall forutsetter minst tre korrekte utlysninger uten kvalifisert søker.")),
    Regel("ledig_varsel_dager", (30, 90, 365), _JOBB_STANDARD, dt.date(2012, 9, 1),
          beskrivelse=_("Varsel når en liste har vært uten fastlege lenger enn 30, 90 og 365 dager.")),
    Regel("udekket_horisont_dager", 30, _JOBB_STANDARD, dt.date(2012, 9, 1),
          beskrivelse=_("Udekkede dager varsles for de neste 30 dagene.")),
    Regel("vikar_slutter_varsel_dager", 14, _JOBB_STANDARD, dt.date(2012, 9, 1),
          beskrivelse=_("Varsel når en vikarperiode slutter innen 14 dager uten at noen tar over.")),
    Regel("kostnadsperiode_varsel_dager", 30, _JOBB_STANDARD, dt.date(2012, 9, 1),
          beskrivelse=_("Varsel når kommunens periode med vikarplikt og driftsutgifter slutter innen 30 dager.")),
)

# --- legevakt (issue 7) ------------------------------------------------------------------------
AKUTTMEDISINFORSKRIFTEN = "akuttmedisinforskriften (FOR-2015-03-20-231)"
SFS_2305 = "særavtalen SFS 2305 (KS–Legeforeningen)"
LEGEVAKTTILSKUDD = "tilskudd til styrking av legevakt i distriktskommuner (Helsedirektoratet)"
_LEGEVAKT_FRA = dt.date(2013, 7, 1)

REGLER += (
    Regel("legevakt_fritak_alder", 60, f"{FLF_2025} § 33", NY_FORSKRIFT,
          beskrivelse=_("Rett til fritak fra legevakt utenom ordinær åpningstid for lege over 60 år (må kreves).")),
    Regel("legevakt_fritak_alder", 60, f"{FLF_2012} § 13", _LEGEVAKT_FRA, NY_FORSKRIFT - dt.timedelta(days=1)),
    Regel("legevakt_fritak_vektlegges_alder", 55, f"{FLF_2025} § 33", NY_FORSKRIFT,
          beskrivelse=_("Ved skjønnsmessig fritak legges det særlig vekt på at legen er over 55 år, men alder alene er ikke grunn.")),
    Regel("legevakt_fritak_graviditet_maneder", 3, f"{FLF_2025} § 33", NY_FORSKRIFT,
          beskrivelse=_("Rett til fritak de siste tre månedene av svangerskapet, eller når svangerskapet hindrer deltakelse.")),
    Regel("legevakt_fritak_amming_maneder", 12, f"{FLF_2025} § 33", NY_FORSKRIFT,
          beskrivelse=_("Rett til fritak ved amming av barn under ett år.")),
    Regel("legevakt_hvile_timer", 8, f"{SFS_2305} § 7.4", dt.date(2012, 9, 1),
          beskrivelse=_("Minst åtte timers hvile mellom to arbeidsperioder, også når arbeidet er ordinær praksis.")),
    Regel("legevakt_vakt_maks_timer", 72, _("denne løsningens grense (en helgevakt som hjemmevakt varer omtrent 64 timer)"),
          dt.date(2012, 9, 1), beskrivelse=_("Den lengste vakten som kan registreres.")),
    Regel("legevakt_unntak_kalenderar_maneder", 6, f"{KOMPETANSEFORSKRIFTEN} § 4", NY_FORSKRIFT,
          beskrivelse=_("Legevakt uten at kompetansekravet er oppfylt: inntil seks måneder per kalenderår, regnet i arbeidede dager.")),
    Regel("legevakt_beredskap_varsel_timer_per_uke", 28,
          _("Legeforeningens krav fra 2020 (én vakt per uke = 28 timer beredskap): et synspunkt, ikke en regel"),
          dt.date(2020, 1, 1), beskrivelse=_("Varsel når en lege har mer beredskap enn dette per uke.")),
    Regel("legevakt_hyppighet_varsel", 4, _("denne løsningens varselgrense (ingen offisiell grense er funnet)"), dt.date(2012, 9, 1),
          beskrivelse=_("Varsel når en lege har vakt oftere enn hver fjerde (1:4) de siste eller neste fire ukene.")),
    Regel("legevakt_fa_leger", 3, "Ekspertgruppen om legevakt (2021): en av fire kommuner under 5 000 innbyggere hadde "
          "tre eller færre leger i vaktordningen", dt.date(2021, 1, 1),
          beskrivelse=_("Et distrikt med tre eller færre leger i vaktordningen regnes som lite.")),
    Regel("legevakt_tilskudd_innbyggere_under", 5000, LEGEVAKTTILSKUDD, dt.date(2022, 1, 1),
          beskrivelse=_("Kommuner med færre enn 5 000 innbyggere i sentralitetsklasse 5 eller 6 kan få tilskudd.")),
    Regel("legevakt_tilskudd_sentralitet", (6,), LEGEVAKTTILSKUDD + " (2022)", dt.date(2022, 1, 1), dt.date(2022, 12, 31),
          beskrivelse=_("Sentralitetsklassene som gir rett til tilskudd.")),
    Regel("legevakt_tilskudd_sentralitet", (5, 6), LEGEVAKTTILSKUDD + " (fra 2023)", dt.date(2023, 1, 1),
          beskrivelse=_("Sentralitetsklassene som gir rett til tilskudd.")),
    Regel("legevakt_tilskudd_prioritet_kommuner", 2, LEGEVAKTTILSKUDD + " (fra 2023)", dt.date(2023, 1, 1),
          beskrivelse=_("Prioritet for kommuner med egen legevakt eller som samarbeider med bare én annen kommune.")),
    Regel("legevakt_unntak_dager_per_ar", 130,
          f"{KOMPETANSEFORSKRIFTEN} § 4 (seks måneder regnet som halvparten av 260 arbeidsdager: denne løsningens tolkning)",
          NY_FORSKRIFT, beskrivelse=_("Legevakt under unntaket: inntil seks måneder per kalenderår, her 130 arbeidede dager "
                                      "(en dag med vakt regnes som en arbeidet dag).")),
    Regel("legevakt_unntak_varsel_andel", Decimal("0.8"),
          _("denne løsningens varselgrense (ingen offisiell grense er funnet)"), NY_FORSKRIFT,
          beskrivelse=_("Varsel når en lege har brukt 80 % av dagene unntaket for legevakt tillater i kalenderåret.")),
    Regel("legevakt_dagtid", ("08:00", "16:00"),
          _("denne løsningens tolkning av «ordinær åpningstid» (fastlegeforskriften § 33): hverdager utenom helligdager"),
          dt.date(2012, 9, 1), beskrivelse=_("Tidsbåndet «dagtid» i legevaktdistriktene: hverdager kl. 08–16.")),
    # Payroll feed (issue 8): what the payable detail of a shift is computed with.
    Regel("lonn_natt", ("21:00", "06:00"), _("arbeidsmiljøloven § 10-11 første ledd (nattarbeid er arbeid mellom kl. 21 og kl. 6)"),
          dt.date(2006, 1, 1), beskrivelse=_("Timene i en vakt deles i dag og natt; natt er kl. 21–06 lokal tid.")),
    Regel("lonn_reise_fri_minutter", 30, f"{SFS_2305} § 9.4", dt.date(2021, 1, 1),
          beskrivelse=_("Reisetid godtgjøres per påbegynte halvtime ut over 30 minutter hver vei.")),
    Regel("lonn_reise_enhet_minutter", 30, f"{SFS_2305} § 9.4", dt.date(2021, 1, 1),
          beskrivelse=_("Reisetillegget regnes i påbegynte halvtimer.")),
    Regel("lonn_hendelser_oppbevaring_dager", 90, _("kontrakten for lønnsintegrasjonen (minst 90 dager)"), dt.date(2026, 1, 1),
          beskrivelse=_("Hendelsene i lønnsstrømmen oppbevares i 90 dager; en eldre markør gir 410 og klienten synkroniserer på nytt.")),
    Regel("sfs2305_befolkningsgrupper", (30000, 60000, 90000), f"{SFS_2305} § 9.1", dt.date(2021, 1, 1),
          beskrivelse=_("Timelønn etter distriktets befolkningsgrunnlag: gruppe I under 30 000, II 30–60 000, III 60–90 000, "
                        "IV over 90 000.")),
)

# Definitions the system uses, with their sources (not numbers, but cited where they are shown).
LEDIGE_PLASSER_DEFINISJON = (
    "Helsedirektoratet: «Ledige plasser: summen av listetak minus summen av listelengde», beregnet for "
    "lister med fastlege og for alle lister. https://www.helsedirektoratet.no/rapporter/handlingsplan-for-"
    "allmennlegetjenesten-manedsrapport-november-2023/begrepsforklaringer-og-definisjoner"
)
LUKKET_LISTE_KILDE = f"{FLF_2025} § 10"
OFFENTLIG_INFORMASJON_KILDE = f"{FLF_2025} § 6"
FELLESLISTE_KILDE = f"{FLF_2025} § 20"
HELFO_SKJEMA = "Melding til fastlegeregisteret (Helfo-skjema 05-04.27)"


class UkjentRegel(LookupError):
    pass


def regel(kode: str, on: dt.date | None = None) -> Regel:
    """The version of rule `kode` in force on `on` (default today)."""
    day = on or timezone.localdate()
    versions = [entry for entry in REGLER if entry.kode == kode]
    if not versions:
        raise UkjentRegel(f"Ingen regel «{kode}».")
    for entry in versions:
        if entry.gjelder(day):
            return entry
    # Before the oldest version we know (lists and agreements from before 2012 exist): the oldest
    # version applies; the 2012 forskrift carried over the earlier limits.
    return min(versions, key=lambda entry: entry.gyldig_fra)


def verdi(kode: str, on: dt.date | None = None) -> Any:
    return regel(kode, on).verdi


def kilde(kode: str, on: dt.date | None = None) -> str:
    return regel(kode, on).kilde


def storste(kode: str) -> Any:
    """The widest value any version allows (for database constraints)."""
    return max(entry.verdi for entry in REGLER if entry.kode == kode)


def minste(kode: str) -> Any:
    return min(entry.verdi for entry in REGLER if entry.kode == kode)
