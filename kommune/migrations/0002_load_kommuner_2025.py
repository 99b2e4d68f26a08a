"""Load the 357 kommuner of 2025 and their population on 1 January 2025.

The data file beside this migration is frozen: every installation must load the same rows, so it
is never edited. Later changes (mergers, new population figures) come as new migrations or through
the API. Source: Statistics Norway / Kartverket figures as compiled in the public dataset
`aprestmo/norway-geodata` (`data/municipalities-2025.json`, MIT licence): 5,550,203 inhabitants,
174 kommuner under 5,000. Sentralitetsklasse is not in the file; each kommune fills it in.
"""

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pghistory
from django.db import migrations

DATA_FILE = Path(__file__).with_name("0002_kommuner_2025.csv")
MALFORM = {"Bokmål": "bokmal", "Nynorsk": "nynorsk", "Nøytral": "noytral"}
OSLO = "0301"  # Oslo has its own framework agreement with its GPs instead of ASA 4310
POPULATION_DATE = dt.date(2025, 1, 1)
SOURCE = "SSB/Kartverket 1.1.2025 (aprestmo/norway-geodata)"


def load(apps, schema_editor):
    Kommune = apps.get_model("kommune", "Kommune")
    Innbyggertall = apps.get_model("kommune", "Innbyggertall")
    with DATA_FILE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with pghistory.context(actor="migrering:kommune.0002_load_kommuner_2025"):
        kommuner = Kommune.objects.bulk_create(
            Kommune(
                kommunenummer=row["kommunenummer"],
                navn=row["kommunenavn"],
                fylkesnummer=row["fylkesnummer"],
                fylkesnavn=row["fylkesnavn"],
                administrasjonssenter=row["administrasjonssenter"],
                areal_km2=Decimal(row["areal_km2"]),
                malform=MALFORM[row["malform"]],
                avtaleregime="oslo" if row["kommunenummer"] == OSLO else "asa4310",
            )
            for row in rows
        )
        by_number = {k.kommunenummer: k for k in kommuner}
        Innbyggertall.objects.bulk_create(
            Innbyggertall(
                kommune=by_number[row["kommunenummer"]],
                gjelder_fra=POPULATION_DATE,
                antall=int(row["innbyggere"]),
                kilde=SOURCE,
            )
            for row in rows
        )


def unload(apps, schema_editor):
    apps.get_model("kommune", "Innbyggertall").objects.filter(gjelder_fra=POPULATION_DATE, kilde=SOURCE).delete()
    apps.get_model("kommune", "Kommune").objects.filter(innbyggertall__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("kommune", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
