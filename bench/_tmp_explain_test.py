import os
import pytest
from django.db import connection
from bench.test_ledighet_bench import _generate, D, NOW
from lister import ledighet_jobb, ledighet_selectors
from lister.ledighet_selectors import Parametre
from tests.conftest import in_kommune

@pytest.mark.django_db
def test_explain(bergen):
    n = int(os.environ.get("N", "1000"))
    with in_kommune(bergen):
        _generate(bergen, n)
        p = Parametre.on(D)
        params = {**p.sql(kommune_id=bergen.pk), "naa": NOW, "horisont": p.horisont, "ledig_1": 30, "ledig_2": 90, "ledig_3": 365,
                  "merknad_nb": "x", "merknad_nn": "y"}
        with connection.cursor() as c:
            if os.environ.get("ANALYZE"):
                c.execute("ANALYZE")
            c.execute("SET LOCAL jit = off")
            c.execute(os.environ.get("EXPLAIN", "EXPLAIN (ANALYZE) ") + ledighet_jobb.FLAGS_SQL.replace("{tilstand}", ledighet_selectors.tilstand_sql()), params)
            print("\n".join(r[0] for r in c.fetchall()))
