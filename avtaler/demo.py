"""Demo data for the GP register (run by `manage.py seed_demo` through kommune.demo's registry).

Bergen (ASA 4310) gets lists and agreements of both tilknytningsformer, a fellesliste, a GP near
70, a pending listetak reduction, a notice, a § 32 task, a vacant list with a vikar and a Helfo
message awaiting confirmation; Sunnfjord a smaller register. Fixed dates, written through the
services; idempotent (a kommune whose register exists is left alone).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from avtaler import services
from avtaler.models import Fastlegeavtale, HelfoMelding, Meldingstype
from core.context import current_actor, scope
from core.dates import add_months
from core.tenancy import unscoped
from kommune import services as kommune_services
from kommune.demo import Login, Seeder, register
from kommune.models import Kommune, Lege
from lister import services as lister_services
from lister.models import Legekontor

D = dt.date

# (hpr, fornavn, etternavn, født, kompetanse)
DOCTORS = {
    "4601": [
        ("1000101", "Ingrid", "Haugland", D(1972, 4, 2), {"spesialist_allmennmedisin_fra": D(2008, 6, 1), "kurs_akuttmedisin": D(2024, 3, 1),
                                                          "kurs_vold_overgrep": D(2023, 9, 1)}),
        ("1000102", "Per", "Aasen", D(1968, 11, 20), {"spesialist_allmennmedisin_fra": D(2001, 1, 15), "hjemmel_1_mars_2017": True}),
        ("1000103", "Nina", "Dahl", D(1989, 8, 30), {"under_spesialisering_fra": D(2023, 9, 1), "lis1_fullfort": D(2019, 3, 1)}),
        ("1000104", "Ola", "Berg", D(1980, 2, 14), {"spesialist_allmennmedisin_fra": D(2014, 5, 1)}),
        ("1000105", "Sara", "Lunde", D(1985, 7, 7), {"godkjent_allmennlege_fra": D(2016, 1, 1)}),
        ("1000106", "Arne", "Vik", D(1957, 3, 15), {"spesialist_allmennmedisin_fra": D(1992, 1, 1), "hjemmel_1_mars_2017": True}),
        ("1000107", "Eva", "Moe", D(1976, 12, 1), {"spesialist_allmennmedisin_fra": D(2010, 1, 1)}),
        ("1000108", "Jonas", "Strand", D(1993, 5, 5), {"lis1_fullfort": D(2020, 9, 1)}),
    ],
    "4647": [
        ("1000201", "Marte", "Førde", D(1979, 1, 9), {"spesialist_allmennmedisin_fra": D(2012, 1, 1)}),
        ("1000202", "Knut", "Naustdal", D(1966, 6, 6), {"spesialist_allmennmedisin_fra": D(1999, 1, 1), "hjemmel_1_mars_2017": True}),
    ],
}

OFFICES = {
    "4601": [("Fana legesenter", "974760673", "Fanaveien 10", "5244", "Fana", "55 00 00 01"),
             ("Sentrum legekontor", "971524960", "Torgallmenningen 2", "5014", "Bergen", "55 00 00 02"),
             ("Bergen kommunale legekontor", "983887457", "Rådhusgaten 10", "5014", "Bergen", "55 00 00 03")],
    "4647": [("Førde legesenter", "912345602", "Hafstadvegen 1", "6800", "Førde", "57 00 00 01")],
}


def _seed_bergen(k: Kommune) -> None:
    offices = [lister_services.create_legekontor(kommune=k, navn=n, organisasjonsnummer=o, adresse=a, postnummer=p, poststed=s, telefon=t)
               for n, o, a, p, s, t in OFFICES["4601"]]
    doctors = {e: kommune_services.register_lege(kommune=k, hpr_nummer=h, fornavn=f, etternavn=e, fodselsdato=b, **comp)
               for h, f, e, b, comp in DOCTORS["4601"]}
    fana, sentrum, kommunal = offices

    def liste(kontor, listetak, **kw):
        return lister_services.create_pasientliste(kommune=k, legekontor=kontor, listetak=listetak, gyldig_fra=D(2001, 6, 1), **kw)

    def avtale(lege, lst, listetak, start, *, ansatt=False, modell="asa4310_8_1", **kw):
        a = services.create_avtale(
            kommune=k, lege=lege, pasientliste=lst, tilknytningsform="ansatt" if ansatt else "naeringsdrivende",
            okonomisk_modell="fastlonn" if ansatt else modell, startdato=start, listetak=listetak,
            apningstid="man–fre 08.00–15.30", lokalisering=lst.legekontor.adresse, **kw,
        )
        return services.sign_avtale(avtale=a, expected_version=a.versjon, signert=start)

    l1, l2, l3 = liste(fana, 1500), liste(fana, 2000), liste(kommunal, 1200)
    felles = liste(sentrum, 2400, er_fellesliste=True, navn="Fellesliste Sentrum")
    l5, l6, vacant = liste(sentrum, 1800), liste(sentrum, 1400), liste(kommunal, 1300, navn="Ubesatt liste Rådhuset")

    haugland = avtale(doctors["Haugland"], l1, 1500, D(2016, 3, 1))
    aasen = avtale(doctors["Aasen"], l2, 2000, D(2013, 9, 1), modell="asa4310_8_2")
    avtale(doctors["Dahl"], l3, 1200, D(2024, 1, 1), ansatt=True, omfang_prosent=100)
    avtale(doctors["Berg"], felles, 1200, D(2018, 1, 1))
    avtale(doctors["Lunde"], felles, 1200, D(2019, 8, 1))
    avtale(doctors["Vik"], l5, 1800, D(2013, 1, 1))  # turns 70 on 15 March 2027
    moe = avtale(doctors["Moe"], l6, 1400, D(2012, 5, 1))

    # A vacant list run by a vikar.
    lister_services.add_legeperiode(liste=vacant, lege=doctors["Strand"], rolle="LPVI", fra=D(2026, 9, 1), til=D(2027, 3, 1),
                                    stillingsprosent=100, arbeidsdager=[1, 2, 3, 4, 5])
    # A GP's reduction request, pending (six months' frist).
    services.request_listetak_change(avtale=aasen, initiativ="lege", mottatt=D(2026, 9, 15), til_listetak=1600,
                                     trinn=[(D(2027, 3, 15), 1800), (D(2027, 6, 15), 1600)])
    # Notice from a GP.
    services.record_oppsigelse(avtale=moe, part="lege", mottatt=D(2026, 10, 1))
    # Other municipal GP work (§ 32).
    services.add_kommunal_oppgave(avtale=haugland, oppgavetype="sykehjem", institusjon="Fana sykehjem", timer_per_uke=Decimal("4"),
                                  form="palagt", lonnsgrunnlag="sfs2305_4_1", fra=D(2025, 1, 1),
                                  frivillig_avtale_forsokt=D(2024, 11, 1), frivillig_notat="Ingen meldte seg frivillig.")
    services.add_kommunal_oppgave(avtale=haugland, oppgavetype="administrative_moter", institusjon="Bergen kommune",
                                  timer_per_uke=Decimal("1"), form="avtalt", lonnsgrunnlag="asa4310_12_5", fra=D(2025, 1, 1))
    # Helfo: the older messages are confirmed; Haugland's is sent and awaits confirmation.
    for melding in HelfoMelding.objects.filter(type=Meldingstype.NY).exclude(avtale=haugland):
        melding = services.mark_helfo_sent(melding=melding, expected_version=melding.versjon, sendt=melding.avtale.startdato)
        services.mark_helfo_confirmed(melding=melding, expected_version=melding.versjon, bekreftet=melding.sendt)
    melding = HelfoMelding.objects.get(avtale=haugland, type=Meldingstype.NY)
    services.mark_helfo_sent(melding=melding, expected_version=melding.versjon, sendt=D(2026, 11, 2))
    # Monthly list figures.
    # Twelve months of list figures (Helfo updates the lists on the 1st of each month).
    lengths = {l1: 1480, l2: 2010, l3: 1100, felles: 2350, l5: 1750, l6: 1390, vacant: 1240}
    trend = {l1: 2, l2: -1, l3: 9, felles: 4, l5: -3, l6: 1, vacant: -6}
    for number, (lst, length) in enumerate(lengths.items(), start=1):
        lst.refresh_from_db()  # signing the avtaler gave the lists their listetak (a new version)
        lister_services.update_pasientliste(liste=lst, expected_version=lst.versjon, flo_id=str(460100 + number))
        for back in range(11, -1, -1):
            day = add_months(D(2026, 11, 1), -back)
            value = length - trend[lst] * back
            lister_services.record_listetall(liste=lst, dato=day, listelengde=value, venteliste=max(0, value - lst.listetak))
    _seed_alis_bergen(k, doctors=doctors, offices=offices, avtaler={"haugland": haugland, "aasen": aasen})


def _month(first: dt.date, n: int) -> dt.date:
    return add_months(first, n)


def _seed_alis_bergen(k: Kommune, *, doctors: dict, offices: list, avtaler: dict) -> None:
    """Two ALIS doctors (Dahl, fastlege, on track; Myklebust, introduksjonslege, behind on
    supervision), an introduksjonsavtale at Fana legesenter, example grant rates, and Aasen's
    8.2-avtale with four years of payments in both directions."""
    from avtaler import alis_services, introduksjon_services, okonomi_services

    fana = offices[0]
    dahl_avtale = Fastlegeavtale.objects.get(lege=doctors["Dahl"])
    myklebust = kommune_services.register_lege(
        kommune=k, hpr_nummer="1000109", fornavn="Hanne", etternavn="Myklebust", fodselsdato=D(1990, 10, 12),
        under_spesialisering_fra=D(2025, 9, 1), lis1_fullfort=D(2018, 9, 1),
    )
    intro = introduksjon_services.create_introduksjonsavtale(
        kommune=k, lege=myklebust, legekontor=fana, godkjenning_referanse="Helsedirektoratet 25/04711",
        godkjent_dato=D(2026, 1, 20), tilknytning="fastlonn",
        kostnadsfordeling="Kommunen dekker lønn; fastlegene stiller kontor og utstyr mot 30 % av refusjonene.",
        startdato=D(2026, 3, 1), signert=D(2026, 2, 15),
        fastlegeavtaler=[avtaler["haugland"], avtaler["aasen"]],
    )
    dahl = alis_services.create_alisavtale(
        kommune=k, lege=doctors["Dahl"], relasjon="fastlege", fastlegeavtale=dahl_avtale, arbeidssted="Bergen kommunale legekontor",
        stillingsprosent=100, signert=D(2024, 1, 1), veileder=doctors["Haugland"], tilskuddsstatus="innvilget",
        utdanningsplan="Individuell utdanningsplan vedtatt 15.01.2024.",
    )
    mykl = alis_services.create_alisavtale(
        kommune=k, lege=myklebust, relasjon="introduksjonslege", introduksjonsavtale=intro, arbeidssted="Fana legesenter",
        stillingsprosent=80, signert=D(2026, 3, 1), veileder=doctors["Aasen"], tilskuddsstatus="sokt",
    )
    for avtale, start in ((dahl, D(2024, 1, 1)), (mykl, D(2026, 3, 1))):
        for element, finansiering in (("veiledning", "standard"), ("gruppeveiledning", "standard"), ("praksiskompensasjon", "standard")):
            alis_services.add_alis_element(avtale=avtale, element=element, finansiering=finansiering, fra=start)
    alis_services.add_alis_element(avtale=dahl, element="kurs", finansiering="kommune", fra=D(2024, 1, 1),
                                   beskrivelse="Kommunen dekker kurs utover standardelementene.")
    alis_services.add_alis_tjeneste(avtale=dahl, type="apen_uselektert", sted="Bergen kommunale legekontor", stillingsprosent=100,
                                    fra=D(2024, 1, 1), til=D(2026, 1, 1))
    alis_services.add_alis_tjeneste(avtale=dahl, type="institusjon", sted="Haukeland universitetssjukehus", utenfor_kommunen=True,
                                    stillingsprosent=100, fra=D(2026, 1, 1), til=D(2026, 7, 1))
    alis_services.add_alis_tjeneste(avtale=dahl, type="apen_uselektert", sted="Bergen kommunale legekontor", stillingsprosent=100,
                                    fra=D(2026, 7, 1), til=D(2028, 1, 1))
    alis_services.add_alis_fravaer(avtale=dahl, type="foreldrepermisjon", fra=D(2025, 3, 1), til=D(2025, 6, 1))
    alis_services.add_alis_tjeneste(avtale=mykl, type="apen_uselektert", sted="Fana legesenter", stillingsprosent=80,
                                    fra=D(2026, 3, 1), til=D(2028, 3, 1))
    # Dahl: about 4.5 hours a month and group supervision every month; Myklebust: behind.
    for n in range(34):
        month = _month(D(2024, 1, 1), n)
        if D(2025, 3, 1) <= month < D(2025, 6, 1) or month.month == 7:
            continue  # parental leave; summer
        alis_services.record_veiledning(avtale=dahl, maned=month, individuelle_timer=Decimal("4.5"), gruppetimer=Decimal("6"))
    for n, hours in enumerate((Decimal("2"), Decimal("1.5"), Decimal("2"), Decimal("1"), Decimal("0"), Decimal("2"), Decimal("1"),
                               Decimal("1.5"))):
        alis_services.record_veiledning(avtale=mykl, maned=_month(D(2026, 3, 1), n), individuelle_timer=hours,
                                        gruppetimer=Decimal("3") if n % 2 else Decimal("0"))
    for element, amount in (("veiledning", "4200.00"), ("gruppeveiledning", "1500.00"), ("praksiskompensasjon", "9500.00")):
        alis_services.create_alis_sats(kommune=k, element=element, gyldig_fra=D(2024, 1, 1), manedsbelop=Decimal(amount),
                                       kilde="Eksempelsats i demodata, ikke Helsedirektoratets sats")
    # Aasen's 8.2-avtale: premises and equipment from the kommune, a yearly driftstilskudd, rent back.
    okonomi = okonomi_services.create_okonomiavtale(
        kommune=k, fastlegeavtale=avtaler["aasen"], ytelser=["lokaler", "utstyr", "driftstilskudd"],
        beskrivelse="Kommunen leier ut lokaler i Fana helsehus, stiller med laboratorieutstyr og gir driftstilskudd.",
        kommunen_mottar="Husleie per kvartal.", driftstilskudd_per_ar=Decimal("120000"), startdato=D(2022, 1, 1),
        signert=D(2021, 12, 1), avslutning="Tre måneders gjensidig oppsigelse; opphører med fastlegeavtalen.",
    )
    for year in (2023, 2024, 2025, 2026):
        for quarter in range(4):
            day = D(year, 1 + quarter * 3, 15)
            if day > D(2026, 11, 1):
                break
            okonomi_services.record_betaling(avtale=okonomi, dato=day, retning="til_lege", kategori="driftstilskudd",
                                             belop=Decimal("30000"), referanse=f"DT-{year}-{quarter + 1}")
            okonomi_services.record_betaling(avtale=okonomi, dato=day, retning="til_kommune", kategori="lokaler",
                                             belop=Decimal("18500"), referanse=f"HL-{year}-{quarter + 1}")
    okonomi_services.record_betaling(avtale=okonomi, dato=D(2023, 5, 10), retning="til_lege", kategori="utstyr",
                                     belop=Decimal("45000"), referanse="UT-2023-1", beskrivelse="Nytt EKG-apparat")


def _seed_sunnfjord(k: Kommune) -> None:
    (n, o, a, p, s, t), = OFFICES["4647"]
    kontor = lister_services.create_legekontor(kommune=k, navn=n, organisasjonsnummer=o, adresse=a, postnummer=p, poststed=s, telefon=t)
    doctors = [kommune_services.register_lege(kommune=k, hpr_nummer=h, fornavn=f, etternavn=e, fodselsdato=b, **comp)
               for h, f, e, b, comp in DOCTORS["4647"]]
    for lege, listetak, start in zip(doctors, (1100, 900), (D(2013, 1, 1), D(2014, 4, 1)), strict=True):
        lst = lister_services.create_pasientliste(kommune=k, legekontor=kontor, listetak=listetak, gyldig_fra=D(2001, 1, 1))
        a = services.create_avtale(kommune=k, lege=lege, pasientliste=lst, tilknytningsform="naeringsdrivende",
                                   okonomisk_modell="asa4310_8_1", startdato=start, listetak=listetak)
        services.sign_avtale(avtale=a, expected_version=a.versjon, signert=start)
        for back in range(11, -1, -1):
            lister_services.record_listetall(liste=lst, dato=add_months(D(2026, 11, 1), -back), listelengde=listetak - 40 - back * 2)


SEEDS = {"4601": _seed_bergen, "4647": _seed_sunnfjord}


def _seed_ubesatte_bergen(k: Kommune) -> None:
    """Vacancies in several states, a vikar pool (one doctor near the § 4 limits) and the flags the
    nightly job raises for them:
    - Moe's notice (from the register seed): announced, the list still served;
    - Lie's list at Fana: vacant since September, a part-time vikar (Mon–Wed) ending soon, a week of
      kollegial cover, gaps on Thursdays and Fridays; the kommune's vikar and cost period runs;
    - Rønning's list at Sentrum: vacant since May 2025, a vikarbyrå vikar for over a year, three correct
      advertisements and no qualified applicant: hjemfall possible;
    - the never-filled list at Rådhuset with Strand as vikar; Strand (LIS1 only) has used most of the
      one-year exception of kompetanseforskriften § 4."""
    from lister import ledighet_jobb, sak_services, vikar_services
    from lister.models import Ledighetssak

    fana, sentrum, _kommunal = (Legekontor.objects.get(organisasjonsnummer=o) for _n, o, *_rest in OFFICES["4601"])
    new = {}
    for hpr, fornavn, etternavn, born, comp in (
        ("1000110", "Tor", "Lie", D(1962, 9, 9), {"spesialist_allmennmedisin_fra": D(1998, 1, 1), "hjemmel_1_mars_2017": True}),
        ("1000111", "Hilde", "Rønning", D(1960, 2, 2), {"spesialist_allmennmedisin_fra": D(1995, 1, 1), "hjemmel_1_mars_2017": True}),
        ("1000112", "Emil", "Sund", D(1984, 4, 4), {"godkjent_allmennlege_fra": D(2015, 6, 1)}),
        ("1000113", "Tone", "Fjell", D(1978, 8, 8), {"spesialist_allmennmedisin_fra": D(2012, 3, 1)}),
        ("1000114", "Rune", "Bakke", D(1991, 1, 21), {"under_spesialisering_fra": D(2024, 8, 1), "lis1_fullfort": D(2019, 9, 1)}),
    ):
        new[etternavn] = kommune_services.register_lege(kommune=k, hpr_nummer=hpr, fornavn=fornavn, etternavn=etternavn,
                                                        fodselsdato=born, **comp)
    strand = Lege.objects.get(hpr_nummer="1000108")

    def signed(lege, lst, start):
        a = services.create_avtale(kommune=k, lege=lege, pasientliste=lst, tilknytningsform="naeringsdrivende",
                                   okonomisk_modell="asa4310_8_1", startdato=start, listetak=lst.listetak)
        return services.sign_avtale(avtale=a, expected_version=a.versjon, signert=start)

    lie_liste = lister_services.create_pasientliste(kommune=k, legekontor=fana, listetak=1600, gyldig_fra=D(2015, 2, 1),
                                                    navn="Fana 4", flo_id="460108")
    lie = signed(new["Lie"], lie_liste, D(2015, 2, 1))
    ronning_liste = lister_services.create_pasientliste(kommune=k, legekontor=sentrum, listetak=1500, gyldig_fra=D(2010, 1, 1),
                                                        navn="Sentrum 4", flo_id="460109")
    ronning = signed(new["Rønning"], ronning_liste, D(2010, 1, 1))
    # Strand's earlier vikariat (Lie's leave in the spring) before his vikariat at Rådhuset: near the § 4 limit.
    lister_services.add_legeperiode(liste=lie_liste, lege=strand, rolle="LPVI", vikar_for=new["Lie"], fra=D(2026, 1, 5),
                                    til=D(2026, 6, 27), stillingsprosent=100, arbeidsdager=[1, 2, 3, 4, 5])
    services.record_oppsigelse(avtale=lie, part="lege", mottatt=D(2026, 3, 2))
    services.record_oppsigelse(avtale=ronning, part="lege", mottatt=D(2024, 11, 1))

    pool = {}
    for lege, tilknytning, byra, windows in (
        (strand, "kommune", "", [(D(2026, 1, 1), D(2027, 3, 1), 100)]),
        (new["Sund"], "kommune", "", [(D(2026, 9, 1), D(2027, 6, 1), 60)]),
        (new["Fjell"], "vikarbyra", "Legevikarer Vest AS", [(D(2025, 5, 1), D(2027, 5, 1), 100)]),
        (new["Bakke"], "kommune", "", [(D(2026, 12, 1), None, 100)]),
    ):
        pool[lege.etternavn] = vikar = vikar_services.add_vikar(kommune=k, lege=lege, tilknytning=tilknytning, vikarbyra=byra)
        for fra, til, prosent in windows:
            vikar_services.add_tilgjengelighet(vikar=vikar, fra=fra, til=til, stillingsprosent=prosent)

    # Lie's list: a part-time vikar Monday–Wednesday until 4 December, a week of kollegial cover.
    vikar_services.tildel_vikar(liste=lie_liste, lege=new["Sund"], fra=D(2026, 9, 2), til=D(2026, 12, 4), stillingsprosent=60,
                                arbeidsdager=[1, 2, 3])
    sak_services.add_dekning(liste=lie_liste, type="kollegial", fra=D(2026, 11, 26), til=D(2026, 11, 28),
                             leger="Kollegene ved Fana legesenter")
    lie_sak = Ledighetssak.objects.get(pasientliste=lie_liste, fastlege=new["Lie"])
    for dato, korrekt in ((D(2026, 3, 16), True), (D(2026, 6, 1), True), (D(2026, 9, 14), False)):
        sak_services.add_utlysning(sak=lie_sak, dato=dato, kanal="Kommunens nettside og Legeforeningens stillingsportal",
                                   korrekt=korrekt, merknad="" if korrekt else "Opplysningsskjema om overdragelse manglet.")
    sak_services.add_soker(sak=lie_sak, navn="Søker Eksempel", mottatt=D(2026, 9, 30))

    # Rønning's list: a vikarbyrå vikar since May 2025, three correct advertisements, no qualified applicant.
    vikar_services.tildel_vikar(liste=ronning_liste, lege=new["Fjell"], fra=D(2025, 5, 1), til=D(2027, 5, 1), stillingsprosent=100,
                                arbeidsdager=[1, 2, 3, 4, 5])
    ronning_sak = Ledighetssak.objects.get(pasientliste=ronning_liste, fastlege=new["Rønning"])
    for dato in (D(2024, 11, 18), D(2025, 3, 3), D(2025, 9, 1)):
        sak_services.add_utlysning(sak=ronning_sak, dato=dato, kanal="Kommunens nettside", korrekt=True)
    soker = sak_services.add_soker(sak=ronning_sak, navn="Søker Uten Godkjenning", mottatt=D(2025, 9, 20))
    sak_services.update_soker(soker=soker, expected_version=soker.versjon, vurdering="ikke_kvalifisert")
    # The nightly job raises the flags for the kommune now (as it will every night).
    ledighet_jobb.run(kommune_id=k.pk)


def seed_ubesatte() -> list[Login]:
    from lister.models import Vikar

    with unscoped(reason="demo seed: look up the demo kommune"):
        k = Kommune.objects.get(kommunenummer="4601")
    with scope(kommune_id=k.pk, actor=current_actor() or "kommando:seed_demo"):
        if Legekontor.objects.exists() and not Vikar.objects.exists():
            _seed_ubesatte_bergen(k)
    return []


def seed_register() -> list[Login]:
    with unscoped(reason="demo seed: look up the demo kommuner"):
        kommuner = {k.kommunenummer: k for k in Kommune.objects.filter(kommunenummer__in=list(SEEDS))}
    for number, seed in SEEDS.items():
        k = kommuner[number]
        with scope(kommune_id=k.pk, actor=current_actor() or "kommando:seed_demo"):
            if Legekontor.objects.exists():
                continue  # already seeded
            seed(k)
    return []


register(Seeder(key="register", order=20, run=seed_register))
register(Seeder(key="ubesatte", order=30, run=seed_ubesatte))
