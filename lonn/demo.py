"""Demo data for the payroll feed: a payroll client's token for Bergen and Grane, printed by
`seed_demo` (a new one each run; the previous demo token is revoked), so the example client can be
pointed at `make run` at once."""

from __future__ import annotations

from core.tenancy import unscoped
from kommune import demo, services
from kommune.models import ApiToken, Kommune

DEMO_TOKEN_NAVN = "Lønnssystemet (demo)"


def seed() -> list[demo.Login]:
    with unscoped(reason="demo: the demo payroll client's token for two kommuner"):
        for old in ApiToken.objects.filter(navn=DEMO_TOKEN_NAVN, trukket_tilbake__isnull=True):
            services.revoke_token(token=old)
        kommuner = list(Kommune.objects.filter(kommunenummer__in=["4601", "1825"]).order_by("kommunenummer"))
        _token, raw = services.issue_token(navn=DEMO_TOKEN_NAVN, kommuner=kommuner, scopes=["lonn:les"], expires_days=30)
    return [demo.Login("lønns-token (lonn:les)", raw,
                       "python scripts/lonnsklient.py --url http://127.0.0.1:8000 --token <dette> --kommune 1825 "
                       "--fil /tmp/lonn.json")]


demo.register(demo.Seeder(key="lonn", order=90, run=seed))
