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
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from core.tenancy import unscoped
from kommune.models import ApiToken, ApiTokenKommune, Innbyggertall, Kommune, Rolle, User
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
}
NON_TENANT_ARGS = {"app_label": "kommune", "object_id": "1", "content_type_id": "1", "id": "1", "url": "x/", "key": "abc", "uidb36": "1"}

# URL arguments of kommune data: (route basename or "*", argument) -> B's object.
TENANT_ARGS = {
    ("*", "kommunenummer"): lambda w: w.b.kommunenummer,
    ("innbyggertall", "pk"): lambda w: w.b_figure.pk,
    ("kommune:fjern_rolle", "rolle_id"): lambda w: w.b_rolle.pk,
    ("kommune:trekk_tilbake_token", "token_id"): lambda w: w.b_token.pk,
}

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
}
# Writes whose effect is not in the database (the chosen kommune lives in the session).
SESSION_ONLY_WRITES = {("kommune:velg", "POST")}
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
        factory = TENANT_ARGS.get((_basename(name), arg)) or TENANT_ARGS.get(("*", arg))
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


def fingerprint(kommune_id: int | None = None) -> list:
    """Every row of the kommune tables (or only kommune B's rows), for before/after comparison."""
    with unscoped(reason="test: compare rows before and after"):
        if kommune_id is None:
            sets = [
                Kommune.objects.all(), Innbyggertall.objects.all(), Rolle.objects.all(),
                ApiTokenKommune.objects.all(), ApiToken.objects.all(), User.objects.all(),
            ]
        else:
            sets = [
                Kommune.objects.filter(pk=kommune_id), Innbyggertall.objects.filter(kommune_id=kommune_id),
                Rolle.objects.filter(kommune_id=kommune_id), ApiTokenKommune.objects.filter(kommune_id=kommune_id),
                ApiToken.objects.filter(kommuner__kommune_id=kommune_id), User.objects.filter(roller__kommune_id=kommune_id),
            ]
        return [list(qs.order_by("pk").values()) for qs in sets]


@pytest.fixture
def world(db):
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
    return World(a=a, b=b, b_figure=figure, b_rolle=rolle, b_token=b_tok.token, a_user=a_user, b_user=b_user)


def _send(client, method: str, url: str, body, headers: dict):
    is_api = url.startswith("/api/")
    kwargs = dict(headers)
    if body is not None:
        if is_api:
            kwargs.update(data=body, format="json")
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


def _text(response) -> str:
    return response.content.decode(errors="replace") if not getattr(response, "streaming", False) else ""


@pytest.mark.parametrize(("name", "args", "path"), ROUTES, ids=[p or "/" for _n, _a, p in ROUTES])
def test_another_kommunes_data_is_invisible_and_untouchable(world, name, args, path):
    url = _url(name, args, path, world)
    is_api = url.startswith("/api/")
    tenant_url = bool(args) and not _not_kommune_data(name)
    a_clients = [("A-bruker", _session(world.a_user, is_api))]
    b_clients = [("B-bruker", _session(world.b_user, is_api))]
    if is_api:
        a_clients.append(("A-token", _token(world.a)))
        b_clients.append(("B-token", _token(world.b)))

    accepted = []
    for method in METHODS:
        body, headers = PAYLOADS[(name, method)](world) if (name, method) in PAYLOADS else (None, {})

        for who, client in a_clients:
            with transaction.atomic():
                before_all, before_b = fingerprint(), fingerprint(world.b.pk)
                response = _send(client, method, url, body, headers)
                after_all, after_b = fingerprint(), fingerprint(world.b.pk)
                transaction.set_rollback(True)
            where = f"{who} {method} {url}"
            assert response.status_code < 500, f"{where}: {response.status_code}"
            assert after_b == before_b, f"{where} endret kommune Bs data"
            for marker in MARKERS:
                assert marker not in _text(response), f"{where} viste «{marker}» fra kommune B"
            if tenant_url:
                if response.status_code not in (404, 405):
                    # Only a refusal that B's data cannot have caused: the same as for objects that do not exist.
                    missing = _send(client, method, _url(name, args, path, world, missing=True), body, headers)
                    assert (response.status_code, _text(response)) == (missing.status_code, _text(missing)), (
                        f"{where}: {response.status_code}, ventet 404 eller samme svar som for et objekt som ikke finnes"
                    )
                assert after_all == before_all, f"{where} endret rader"
            elif (name, method) in A_EXPECTED:
                assert response.status_code == A_EXPECTED[(name, method)], f"{where}: {response.status_code}"

        if _not_kommune_data(name):
            continue
        # Positive control: the same request by B's own principals succeeds.
        for who, client in b_clients:
            with transaction.atomic():
                before_b = fingerprint(world.b.pk)
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
                assert any(m in shown for m in (*MARKERS, world.b.kommunenummer)), f"{where} viste ingenting av B"
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
