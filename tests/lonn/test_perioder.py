"""Pay periods, the monthly payroll file and corrections (lonn/perioder.py, lonn/sql.py lonn_korriger).

A fixed data set in Grane for October 2026, a wage-type mapping, and hand-computed expectations: the file's lines
and totals; closing freezes them and publishes lonnsperiode.lukket; a change in the closed month gives a correction
pair in the feed and a difference line in November's file; re-opening needs a reason; a rate change mid-month splits
by date; the bad input of closing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from avtaler.models import AlisVeiledning
from kommune.models import LegeKommune
from legevakt.models import Vakt
from lister import services as lister_services
from lonn import perioder
from lonn.models import Hendelse, Korreksjon, Lonnsartregel, Lonnslinje, Lonnsperiode, Periodebeslutning
from tests import alis_helpers, register
from tests.conftest import in_kommune, kommune, user_with_role
from tests.legevakt.helpers import distrikt, kvalifisert, oslo

pytestmark = pytest.mark.django_db

OKT = dt.date(2026, 10, 1)
NOV = dt.date(2026, 11, 1)
NOW = oslo(2026, 11, 5, 12)  # payroll closes October in early November
D = Decimal


@pytest.fixture
def grane(db):
    return kommune("1825")


@pytest.fixture
def overlege_grane(grane):
    return user_with_role("kommuneoverlege", grane)


def regel(k, kategori, lonnsart, sats, *, fra=dt.date(2026, 1, 1), til=None, **dims):
    with in_kommune(k):
        return Lonnsartregel.objects.create(kommune=k, kategori=kategori, lonnsart=lonnsart, sats=D(sats), gyldig_fra=fra,
                                            gyldig_til=til, **dims)


@pytest.fixture
def satser(grane):
    return {
        "vakt": regel(grane, "vakt", "V100", "100"),
        "hjemmevakt": regel(grane, "vakt", "V200", "168", vakttype="hjemmevakt"),
        "natt": regel(grane, "vakt", "V300", "150", tid="natt"),
        "hviletid": regel(grane, "hviletid", "H100", "348.375"),
        "vikar": regel(grane, "vikar", "D100", "2500"),
        "alis": regel(grane, "alis_veiledning", "A100", "600"),
        "reise": regel(grane, "reise", "R100", "180"),
        "sentral": regel(grane, "legevaktsentral", "S100", "54"),
    }


def ansatt(k, lege, nummer):
    with in_kommune(k):
        LegeKommune.objects.filter(kommune=k, lege=lege).update(ansattnummer=nummer)


def vakt(d, lege, start, slutt, type_="tilstedevakt", vaktklasse=3) -> Vakt:
    with in_kommune(d.kommune):
        return Vakt.objects.create(kommune=d.kommune, distrikt=d, lege=lege, type=type_, start=start, slutt=slutt,
                                   vaktklasse=vaktklasse, dagkategori="hverdag")


@pytest.fixture
def oktober(grane, satser):
    """October 2026 in Grane: three shifts of one doctor, a vikariat and ALIS supervision."""
    d = distrikt(grane, navn="Grane legevakt")
    lege = kvalifisert(grane)  # office hours Monday–Friday 08–16
    ansatt(grane, lege, "A-1")
    dag = vakt(d, lege, oslo(2026, 10, 14, 8), oslo(2026, 10, 14, 16))  # Wednesday, 8 h day
    natt = vakt(d, lege, oslo(2026, 10, 15, 20), oslo(2026, 10, 16, 6))  # Thursday night: 1 h day, 9 h night
    helg = vakt(d, lege, oslo(2026, 10, 17, 10), oslo(2026, 10, 17, 14), type_="hjemmevakt", vaktklasse=1)  # Saturday
    with in_kommune(grane):
        vikar = register.lege(grane)
        ansatt(grane, vikar, "A-2")
        lister_services.add_legeperiode(liste=register.liste(grane), lege=vikar, rolle="LPVI", fra=dt.date(2026, 10, 19),
                                        til=dt.date(2026, 10, 24), stillingsprosent=100, arbeidsdager=[1, 2, 3, 4, 5])
        veileder = alis_helpers.veileder(grane)
        ansatt(grane, veileder, "A-3")
        alis = alis_helpers.alisavtale(grane, veileder=veileder)
        AlisVeiledning.objects.create(kommune=grane, avtale=alis, maned=OKT, individuelle_timer=D("4"), gruppetimer=D("2.5"))
    return {"distrikt": d, "lege": lege, "dag": dag, "natt": natt, "helg": helg, "vikar": vikar, "veileder": veileder}


def linjer(fil) -> set[tuple]:
    return {(li.ansattnummer, li.lonnsart, li.antall, li.sats, li.belop, f"{li.periode:%Y-%m}") for li in fil.linjer}


# The payable items of the data set, each computed by hand: (employee, wage type, quantity, rate)
OKTOBER_POSTER = [
    ("A-1", "V100", D("8.00"), D("100")),  # Wednesday 08–16, tilstedevakt klasse 3, weekday day
    ("A-1", "V100", D("1.00"), D("100")),  # Thursday 20–21 (day)
    ("A-1", "V300", D("9.00"), D("150")),  # Thursday 21–06 (night)
    ("A-1", "H100", D("6.00"), D("348.375")),  # rest 06–14 Friday inside office hours 08–16: 6 h (SFS 2305 § 7.4)
    ("A-1", "V200", D("4.00"), D("168")),  # Saturday hjemmevakt 10–14
    ("A-2", "D100", D("5.00"), D("2500")),  # vikar Monday 19 – Friday 23 October at 100 %
    ("A-3", "A100", D("6.50"), D("600")),  # ALIS supervision in October, paid to the veileder
]


def test_the_months_file_totals_equal_the_sum_of_the_payable_items(grane, oktober):
    with in_kommune(grane):
        fil = perioder.lonnsfil(kommune=grane, maned=OKT)
    expected_total = sum((q * r for _a, _w, q, r in OKTOBER_POSTER), D(0)).quantize(D("0.01"))
    assert fil.sum_belop == expected_total == D("21412.25")
    # one line per person and payable category: the two weekday-day parts of A-1's shifts are one line of 9 h
    assert linjer(fil) == {
        ("A-1", "V100", D("9.00"), D("100"), D("900.00"), "2026-10"),
        ("A-1", "V300", D("9.00"), D("150"), D("1350.00"), "2026-10"),
        ("A-1", "H100", D("6.00"), D("348.375"), D("2090.25"), "2026-10"),
        ("A-1", "V200", D("4.00"), D("168"), D("672.00"), "2026-10"),
        ("A-2", "D100", D("5.00"), D("2500"), D("12500.00"), "2026-10"),
        ("A-3", "A100", D("6.50"), D("600"), D("3900.00"), "2026-10"),
    }
    assert {art: belop for art, _n, belop in fil.sum_per_lonnsart}["V100"] == D("900.00")
    csv = perioder.lonnsfil_csv(fil)
    assert csv.splitlines()[0] == "ansattnummer;lonnsart;antall;sats;belop;periode;kostnadssted"
    assert "A-1;H100;6,00;348,375;2090,25;2026-10;" in csv.splitlines()
    assert "A-2;D100;5,00;2500,00;12500,00;2026-10;" in csv.splitlines()
    assert csv.endswith("\r\n") and len(csv.splitlines()) == 7


def test_a_change_in_a_closed_month_is_a_correction_in_the_feed_and_the_next_months_file(grane, oktober, overlege_grane):
    with in_kommune(grane):
        periode = perioder.lukk_periode(kommune=grane, maned=OKT, av=overlege_grane, now=NOW)
        assert periode.status == "lukket" and periode.sum_belop == D("21412.25") and periode.antall_linjer == 6
        lukket = Hendelse.objects.get(type="lonnsperiode.lukket")
        assert lukket.objekt_id == "lonnsperiode:2026-10" and lukket.data["sum"] == "21412.25"
        attestert = perioder.lonnsfil(kommune=grane, maned=OKT)
        assert attestert.lukket and attestert.sum_belop == D("21412.25")
        # in November the Saturday shift in October turns out to have lasted until 16:00
        Vakt.objects.filter(pk=oktober["helg"].pk).update(slutt=oslo(2026, 10, 17, 16))

        korreksjon = Korreksjon.objects.get()
        assert (korreksjon.objekt_id, korreksjon.periode, korreksjon.posteres_i) == (f"vakt:{oktober['helg'].pk}", OKT, NOV)
        hendelse = Hendelse.objects.get(type="korreksjon.vakt")
        assert hendelse.objekt_id == f"korreksjon:{korreksjon.pk}" and hendelse.versjon == 1
        data = hendelse.data
        assert data["objekt_id"] == f"vakt:{oktober['helg'].pk}" and data["periode"] == "2026-10"
        assert data["posteres_i"] == "2026-11"
        assert data["objekt_versjon"] == Hendelse.objects.filter(objekt_id=f"vakt:{oktober['helg'].pk}").latest("id").versjon
        assert [(r["lonnsart"], r["antall"], r["belop"], r["ansattnummer"]) for r in data["reversering"]] == \
            [("V200", "-4.00", "-672.00", "A-1")]
        assert [(r["lonnsart"], r["antall"], r["belop"]) for r in data["ny"]] == [("V200", "6.00", "1008.00")]

        # what was attested for October does not change
        assert perioder.lonnsfil(kommune=grane, maned=OKT).linjer == attestert.linjer
        november = perioder.lonnsfil(kommune=grane, maned=NOV)
        assert linjer(november) == {("A-1", "V200", D("2.00"), D("168"), D("336.00"), "2026-10")}
        assert november.linjer[0].korreksjon and november.sum_korreksjoner == D("336.00")
        assert "A-1;V200;2,00;168,00;336,00;2026-10;" in perioder.lonnsfil_csv(november).splitlines()

        # a second change corrects the corrected values, not the attested ones
        Vakt.objects.filter(pk=oktober["helg"].pk).update(slutt=oslo(2026, 10, 17, 15))
        siste = Hendelse.objects.filter(type="korreksjon.vakt").latest("id").data
        assert [r["antall"] for r in siste["reversering"]] == ["-6.00"] and [r["antall"] for r in siste["ny"]] == ["5.00"]
        assert linjer(perioder.lonnsfil(kommune=grane, maned=NOV)) == {
            ("A-1", "V200", D("1.00"), D("168"), D("168.00"), "2026-10")}

        # a change that does not touch what is paid makes no correction
        Vakt.objects.filter(pk=oktober["helg"].pk).update(merknad="Ny merknad")
        assert Korreksjon.objects.count() == 2


def test_deleting_or_adding_work_in_a_closed_month(grane, oktober, overlege_grane):
    with in_kommune(grane):
        perioder.lukk_periode(kommune=grane, maned=OKT, av=overlege_grane, now=NOW)
        Vakt.objects.filter(pk=oktober["dag"].pk).delete()
        ny = vakt(oktober["distrikt"], oktober["lege"], oslo(2026, 10, 28, 8), oslo(2026, 10, 28, 12))
        reversert, lagt_til = Hendelse.objects.filter(type="korreksjon.vakt").order_by("id")
    assert reversert.data["objekt_id"] == f"vakt:{oktober['dag'].pk}" and reversert.data["ny"] == []
    assert [r["antall"] for r in reversert.data["reversering"]] == ["-8.00"]
    assert lagt_til.data["objekt_id"] == f"vakt:{ny.pk}" and lagt_til.data["reversering"] == []
    with in_kommune(grane):
        assert linjer(perioder.lonnsfil(kommune=grane, maned=NOV)) == {
            ("A-1", "V100", D("-4.00"), D("100"), D("-400.00"), "2026-10")}


def test_work_in_november_is_an_ordinary_line_beside_the_corrections(grane, oktober, overlege_grane):
    with in_kommune(grane):
        perioder.lukk_periode(kommune=grane, maned=OKT, av=overlege_grane, now=NOW)
        # the Wednesday shift moves to November: October is reversed, November pays it as its own work
        Vakt.objects.filter(pk=oktober["dag"].pk).update(start=oslo(2026, 11, 4, 8), slutt=oslo(2026, 11, 4, 16))
        fil = perioder.lonnsfil(kommune=grane, maned=NOV)
    assert linjer(fil) == {
        ("A-1", "V100", D("-8.00"), D("100"), D("-800.00"), "2026-10"),
        ("A-1", "V100", D("8.00"), D("100"), D("800.00"), "2026-11"),
    }
    assert fil.sum_belop == 0 and fil.sum_korreksjoner == D("-800.00")


def test_reopening_needs_a_reason_and_annuls_the_pending_corrections(grane, oktober, overlege_grane):
    with in_kommune(grane):
        perioder.lukk_periode(kommune=grane, maned=OKT, av=overlege_grane, now=NOW)
        Vakt.objects.filter(pk=oktober["helg"].pk).update(slutt=oslo(2026, 10, 17, 16))
        for arsak in ("", "   "):
            with pytest.raises(ValidationError) as err:
                perioder.gjenapne_periode(kommune=grane, maned=OKT, av=overlege_grane, arsak=arsak)
            assert "begrunnelse" in err.value.message_dict["arsak"][0]
        assert Lonnsperiode.objects.get(maned=OKT).status == "lukket"

        perioder.gjenapne_periode(kommune=grane, maned=OKT, av=overlege_grane, arsak="Feil i vaktlisten for uke 42")
        periode = Lonnsperiode.objects.get(maned=OKT)
        assert periode.status == "gjenapnet"
        beslutning = Periodebeslutning.objects.filter(periode=periode).latest("id")
        assert (beslutning.handling, beslutning.arsak, beslutning.av) == ("gjenapnet", "Feil i vaktlisten for uke 42",
                                                                          overlege_grane)
        hendelse = Hendelse.objects.get(type="lonnsperiode.gjenapnet")
        assert hendelse.data["annullerte_korreksjoner"] == [f"korreksjon:{Korreksjon.objects.get().pk}"]
        assert hendelse.versjon == 2
        # October is live again (with the 6-hour shift), November carries no correction
        assert perioder.lonnsfil(kommune=grane, maned=NOV).linjer == []
        oktober_fil = perioder.lonnsfil(kommune=grane, maned=OKT)
        assert not oktober_fil.lukket and oktober_fil.sum_belop == D("21412.25") + 2 * D("168")
        assert not Lonnslinje.objects.filter(annullert=False).exists()
        # a change now is no correction; closing again attests the new figures
        Vakt.objects.filter(pk=oktober["dag"].pk).update(slutt=oslo(2026, 10, 14, 15))
        assert Korreksjon.objects.filter(annullert=False).count() == 0
        igjen = perioder.lukk_periode(kommune=grane, maned=OKT, av=overlege_grane, now=NOW)
        assert igjen.sum_belop == D("21412.25") + 2 * D("168") - D("100")
        assert Hendelse.objects.filter(type="lonnsperiode.lukket").latest("id").versjon == 3


def test_a_rate_change_mid_month_splits_by_the_date_of_the_work(grane, oktober, overlege_grane):
    with in_kommune(grane):
        gammel = Lonnsartregel.objects.get(lonnsart="V100")
        gammel.gyldig_til = dt.date(2026, 10, 19)
        gammel.save()
    regel(grane, "vakt", "V100", "120", fra=dt.date(2026, 10, 20))
    vakt(oktober["distrikt"], oktober["lege"], oslo(2026, 10, 21, 8), oslo(2026, 10, 21, 16))
    # a shift across the change: 19 October 20:00 – 20 October 06:00 (Monday night): 1 h day on the 19th at the old rate
    vakt(oktober["distrikt"], oktober["lege"], oslo(2026, 10, 19, 18), oslo(2026, 10, 20, 8))
    with in_kommune(grane):
        fil = perioder.lonnsfil(kommune=grane, maned=OKT)
    v100 = {(li.sats, li.antall, li.belop) for li in fil.linjer if li.lonnsart == "V100"}
    # old rate: 9 h of the first shifts + 19 Oct 18–21 (3 h); new rate: 21 Oct 8 h + 20 Oct 06–08 (2 h)
    assert v100 == {(D("100"), D("12.00"), D("1200.00")), (D("120"), D("10.00"), D("1200.00"))}


def test_closing_refuses_bad_input_and_saves_nothing(grane, oktober, overlege_grane):
    with in_kommune(grane):
        with pytest.raises(ValidationError) as err:
            perioder.lukk_periode(kommune=grane, maned=dt.date(2026, 12, 1), av=overlege_grane, now=NOW)
        assert "ikke begynt" in err.value.message_dict["periode"][0]

        # a category without a wage type: ALIS supervision loses its rule
        Lonnsartregel.objects.filter(kategori="alis_veiledning").delete()
        with pytest.raises(ValidationError) as err:
            perioder.lukk_periode(kommune=grane, maned=OKT, av=overlege_grane, now=NOW)
        assert "ingen lønnsart" in err.value.message_dict["periode"][0] and "ALIS" in err.value.message_dict["periode"][0]
        regel(grane, "alis_veiledning", "A100", "600")

        # a doctor without an employee number
        LegeKommune.objects.filter(kommune=grane, lege=oktober["vikar"]).update(ansattnummer="")
        with pytest.raises(ValidationError) as err:
            perioder.lukk_periode(kommune=grane, maned=OKT, av=overlege_grane, now=NOW)
        assert "mangler ansattnummer" in err.value.message_dict["periode"][0]
        assert oktober["vikar"].etternavn in err.value.message_dict["periode"][0]
        assert not Lonnsperiode.objects.exists() and not Lonnslinje.objects.exists()
        assert not Hendelse.objects.filter(objekt_type="lonnsperiode").exists()
        LegeKommune.objects.filter(kommune=grane, lege=oktober["vikar"]).update(ansattnummer="A-2")

        perioder.lukk_periode(kommune=grane, maned=OKT, av=overlege_grane, now=NOW)
        linjer_etter_lukking = Lonnslinje.objects.count()
        with pytest.raises(ValidationError) as err:
            perioder.lukk_periode(kommune=grane, maned=OKT, av=overlege_grane, now=NOW)
        assert "allerede lukket" in err.value.message_dict["periode"][0]
        with pytest.raises(ValidationError) as err:
            perioder.lukk_periode(kommune=grane, maned=dt.date(2026, 9, 1), av=overlege_grane, now=NOW)
        assert "rekkefølge" in err.value.message_dict["periode"][0]
        with pytest.raises(ValidationError) as err:
            perioder.gjenapne_periode(kommune=grane, maned=dt.date(2026, 9, 1), av=overlege_grane, arsak="feil")
        assert "ikke lukket" in err.value.message_dict["periode"][0]
        assert Lonnslinje.objects.count() == linjer_etter_lukking
        assert Periodebeslutning.objects.count() == 1


def test_a_month_must_follow_the_last_closed_one(grane, satser, overlege_grane):
    with in_kommune(grane):
        perioder.lukk_periode(kommune=grane, maned=dt.date(2026, 8, 1), av=overlege_grane, now=NOW)
        with pytest.raises(ValidationError) as err:
            perioder.lukk_periode(kommune=grane, maned=OKT, av=overlege_grane, now=NOW)
        assert err.value.message_dict["periode"][0].startswith("September 2026 må lukkes før oktober 2026")
        perioder.lukk_periode(kommune=grane, maned=dt.date(2026, 9, 1), av=overlege_grane, now=NOW)
        with pytest.raises(ValidationError) as err:
            perioder.gjenapne_periode(kommune=grane, maned=dt.date(2026, 8, 1), av=overlege_grane, arsak="feil")
        assert "Bare den sist lukkede" in err.value.message_dict["periode"][0]


@pytest.mark.parametrize("tekst", ["2026-13", "2026-1", "26-10", "oktober", ""])
def test_a_malformed_month_is_refused(tekst):
    with pytest.raises(ValidationError) as err:
        perioder.les_maned(tekst)
    assert "ÅÅÅÅ-MM" in err.value.message_dict["periode"][0]


# --- pages and API ---------------------------------------------------------------------------------------

def test_the_pages_close_reopen_and_download(grane, oktober, overlege_grane, client):
    from tests.conftest import user_with_role as role

    client.force_login(overlege_grane)
    side = client.get("/lonn/perioder/2026-10/")
    assert side.status_code == 200
    html = side.content.decode()
    assert "21412,25" in html.replace("\xa0", "") or "21412.25" in html
    assert "Lukk oktober 2026" in html
    csv = client.get("/lonn/perioder/2026-10/lonnsfil.csv")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    assert 'filename="lonnsfil-1825-2026-10.csv"' in csv["Content-Disposition"]
    assert csv.content.decode().splitlines()[0] == "ansattnummer;lonnsart;antall;sats;belop;periode;kostnadssted"

    svar = client.post("/lonn/perioder/lukk/", {"periode": "2026-10"})
    assert svar.status_code == 302
    with in_kommune(grane):
        assert Lonnsperiode.objects.get(maned=OKT).status == "lukket"
    # closing twice: a clear error on the page, nothing saved
    svar = client.post("/lonn/perioder/lukk/", {"periode": "2026-10"})
    assert svar.status_code == 400 and "allerede lukket" in svar.content.decode()
    # re-opening without a reason
    svar = client.post("/lonn/perioder/gjenapne/", {"periode": "2026-10", "arsak": " "})
    assert svar.status_code == 400 and "krever en begrunnelse" in svar.content.decode()
    svar = client.post("/lonn/perioder/gjenapne/", {"periode": "2026-10", "arsak": "Vaktlisten var feil"})
    assert svar.status_code == 302
    with in_kommune(grane):
        assert Lonnsperiode.objects.get(maned=OKT).status == "gjenapnet"
    assert "Vaktlisten var feil" in client.get("/lonn/perioder/2026-10/").content.decode()
    assert client.get("/lonn/perioder/2026-13/").status_code == 404
    svar = client.post("/lonn/perioder/lukk/", {"periode": "oktober"})
    assert svar.status_code == 400 and "ÅÅÅÅ-MM" in svar.content.decode()

    # a saksbehandler reads and downloads but may not close
    saksbehandler = role("saksbehandler", grane)
    client.force_login(saksbehandler)
    assert client.get("/lonn/perioder/").status_code == 200
    assert "Lukk oktober 2026" not in client.get("/lonn/perioder/2026-10/").content.decode()
    assert client.post("/lonn/perioder/lukk/", {"periode": "2026-10"}).status_code == 403


def test_the_api_file_needs_lonn_les_and_stays_in_its_kommune(grane, oktober, overlege_grane):
    from tests.conftest import token_client

    bergen = kommune("4601")
    les = token_client(["lonn:les"], grane)
    svar = les.get("/api/v1/lonn/lonnsfiler/2026-10/")
    assert svar.status_code == 200 and svar["Content-Type"].startswith("text/csv")
    assert "A-2;D100;5,00;2500,00;12500,00;2026-10;" in svar.content.decode().splitlines()
    assert les.get("/api/v1/lonn/lonnsfiler/2026-1/").status_code == 400
    # a token of another kommune downloads its own (empty) file, never Grane's
    annen = token_client(["lonn:les"], bergen)
    svar = annen.get("/api/v1/lonn/lonnsfiler/2026-10/")
    assert svar.status_code == 200 and svar.content.decode().splitlines() == [
        "ansattnummer;lonnsart;antall;sats;belop;periode;kostnadssted"]
    assert token_client(["legevakt:les"], grane).get("/api/v1/lonn/lonnsfiler/2026-10/").status_code == 403
    with in_kommune(grane):
        perioder.lukk_periode(kommune=grane, maned=OKT, av=overlege_grane, now=NOW)
    assert [(p["periode"], p["status"], p["sum_belop"]) for p in les.get("/api/v1/lonn/perioder/").json()["resultater"]] == [
        ("2026-10", "lukket", "21412.25")]
    assert annen.get("/api/v1/lonn/perioder/").json()["resultater"] == []


def test_the_file_takes_a_constant_number_of_queries(grane, satser):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.conftest import token_client

    d = distrikt(grane, navn="Grane legevakt")
    lege = kvalifisert(grane)
    ansatt(grane, lege, "A-1")
    les = token_client(["lonn:les"], grane)
    counts = []
    for dager in (range(1, 3), range(3, 23)):  # 2 shifts, then 20 more
        for dag in dager:
            vakt(d, lege, oslo(2026, 10, dag, 8), oslo(2026, 10, dag, 16))
        with CaptureQueriesContext(connection) as ctx:
            svar = les.get("/api/v1/lonn/lonnsfiler/2026-10/")
        assert svar.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
    # 16 weekdays and 6 weekend days of 8 hours: one wage type at one rate is one line of the file
    assert svar.content.decode().splitlines()[1:] == ["A-1;V100;176,00;100,00;17600,00;2026-10;"]


def test_a_rate_cannot_change_inside_a_closed_month(grane, oktober, overlege_grane):
    from lonn import lonnsarter

    with in_kommune(grane):
        perioder.lukk_periode(kommune=grane, maned=OKT, av=overlege_grane, now=NOW)
        v100 = Lonnsartregel.objects.get(lonnsart="V100")
        for kall, felt in (
            (lambda: lonnsarter.endre_sats(regel=v100, fra=dt.date(2026, 10, 20), sats=D("120")), "fra"),
            (lambda: lonnsarter.opprett_regel(kommune=grane, kategori="vakt", vakttype="bakvakt",
                                              gyldig_fra=dt.date(2026, 10, 1), lonnsart="B1", sats=D("1")), "gyldig_fra"),
            (lambda: lonnsarter.avslutt_regel(regel=v100, til=dt.date(2026, 10, 15)), "gyldig_til"),
        ):
            with pytest.raises(ValidationError) as err:
                kall()
            assert "Oktober 2026 er lukket" in err.value.message_dict[felt][0]
            assert "1. november 2026" in err.value.message_dict[felt][0] or "01.11.2026" in err.value.message_dict[felt][0]
        assert Lonnsartregel.objects.get(pk=v100.pk).gyldig_til is None
        # ending a rule on the last day of the closed month changes nothing attested
        assert lonnsarter.avslutt_regel(regel=v100, til=dt.date(2026, 10, 31)).gyldig_til == dt.date(2026, 10, 31)
        lonnsarter.avslutt_regel(regel=v100, til=None)
        v100.refresh_from_db()
        # from the first open month it is a rate change like any other
        ny = lonnsarter.endre_sats(regel=v100, fra=NOV, sats=D("120"))
        assert (ny.gyldig_fra, ny.sats) == (NOV, D("120"))


def test_a_new_employee_number_does_not_re_post_closed_months(grane, oktober, overlege_grane):
    with in_kommune(grane):
        perioder.lukk_periode(kommune=grane, maned=OKT, av=overlege_grane, now=NOW)
        LegeKommune.objects.filter(kommune=grane, lege=oktober["lege"]).update(ansattnummer="A-100")
        assert not Korreksjon.objects.exists()
        assert perioder.lonnsfil(kommune=grane, maned=NOV).linjer == []
        # a later real change is posted: the reversal under the attested number, the new values under the new one
        Vakt.objects.filter(pk=oktober["helg"].pk).update(slutt=oslo(2026, 10, 17, 16))
        data = Hendelse.objects.get(type="korreksjon.vakt").data
    assert [(r["ansattnummer"], r["antall"]) for r in data["reversering"]] == [("A-1", "-4.00")]
    assert [(r["ansattnummer"], r["antall"]) for r in data["ny"]] == [("A-100", "6.00")]


def test_supervision_recorded_outside_the_agreements_dates_is_still_paid_and_corrected(grane, oktober, overlege_grane):
    from avtaler.models import Alisavtale

    with in_kommune(grane):
        Alisavtale.objects.filter(veileder=oktober["veileder"]).update(sluttdato=dt.date(2026, 9, 20), sluttarsak="annet")
        assert ("A-3", "A100", D("6.50"), D("600"), D("3900.00"), "2026-10") in linjer(
            perioder.lonnsfil(kommune=grane, maned=OKT))
        perioder.lukk_periode(kommune=grane, maned=OKT, av=overlege_grane, now=NOW)
        AlisVeiledning.objects.filter(maned=OKT).update(gruppetimer=D("1"))
        data = Hendelse.objects.get(type="korreksjon.alisavtale").data
    assert [r["antall"] for r in data["reversering"]] == ["-6.50"] and [r["antall"] for r in data["ny"]] == ["5.00"]


@pytest.mark.parametrize("tekst", ["0000-01", "1999-12", "2101-01", "9999-12"])
def test_a_month_outside_the_years_is_refused_not_a_500(tekst, grane, overlege_grane, client):
    with pytest.raises(ValidationError):
        perioder.les_maned(tekst)
    client.force_login(overlege_grane)
    assert client.get(f"/lonn/perioder/{tekst}/").status_code == 404
    assert client.post("/lonn/perioder/lukk/", {"periode": tekst}).status_code == 400


@pytest.mark.parametrize(("felt", "verdi"), [("lonnsart", "V;2"), ("lonnsart", "=SUM(A1)"), ("kostnadssted", "4110;x"),
                                             ("kostnadssted", "a\nb"), ("lonnsart", "-1")])
def test_codes_that_would_break_the_file_are_refused(grane, felt, verdi):
    from lonn import lonnsarter

    verdier = {"lonnsart": "V1", "kostnadssted": "", felt: verdi}
    with in_kommune(grane), pytest.raises(ValidationError) as err:
        lonnsarter.opprett_regel(kommune=grane, kategori="reise", gyldig_fra=dt.date(2030, 1, 1), sats=D("1"), **verdier)
    assert "lønnsfilen" in err.value.message_dict[felt][0]


def test_an_employee_number_that_would_break_the_file_is_refused(grane):
    from kommune import services as kommune_services

    with in_kommune(grane):
        lege = register.lege(grane)
        with pytest.raises(ValidationError) as err:
            kommune_services.set_ansattnummer(lege=lege, kommune=grane, ansattnummer="=1+1;A")
    assert "lønnsfil" in err.value.message_dict["ansattnummer"][0]


def test_the_file_quotes_a_field_holding_the_separator():
    linje = perioder.Fillinje(ansattnummer='A;"1"', lege_id=None, lege_navn="", kategorier=(), lonnsart="V1",
                              sats=D("1"), kostnadssted="", periode=OKT, antall=D("1.00"), belop=D("1.00"), korreksjon=False)
    fil = perioder.Lonnsfil(kommune=None, maned=OKT, lukket=False, linjer=[linje])
    assert perioder.lonnsfil_csv(fil).splitlines()[1] == '"A;""1""";V1;1,00;1,00;1,00;2026-10;'
