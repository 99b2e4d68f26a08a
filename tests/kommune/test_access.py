"""Roles, integration tokens, MFA for kommuneoverleger, login throttling and the access commands."""

import datetime as dt
import io

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from core.history import history_for
from core.tenancy import unscoped
from kommune import access, tokens
from kommune.models import ApiToken, ApiTokenKommune, Innbyggertall, Rolle, User
from kommune.permissions import Handling, kan_se_helseopplysninger, tillater
from tests.conftest import PASSWORD, api_client_for, in_kommune, kommune, token_client, user_with_role

FIGURES = "/api/v1/kommuner/4601/innbyggertall/"
NEW = {"gjelder_fra": "2031-01-01", "antall": 10, "kilde": "test"}

# --- role matrix --------------------------------------------------------------------------------

MATRIX = {
    #                  read   write  manage users  issue tokens
    "kommuneoverlege": (True, True, True, True),
    "saksbehandler": (True, True, False, False),
    "lesetilgang": (True, False, False, False),
    "lege": (False, False, False, False),
}


def _figure_count(k):
    with in_kommune(k):
        return Innbyggertall.objects.count()


@pytest.mark.parametrize("rolle", list(MATRIX))
def test_role_matrix(bergen, rolle):
    can_read, can_write, can_manage, can_issue = MATRIX[rolle]
    user = user_with_role(rolle, bergen)
    api, page = api_client_for(user), Client()
    page.force_login(user)

    assert (api.get(FIGURES).status_code == 200) is can_read
    assert (page.get("/kommuner/4601/historikk/").status_code == 200) is can_read

    before = _figure_count(bergen)
    response = api.post(FIGURES, NEW, format="json")
    assert response.status_code == (201 if can_write else 403)
    assert _figure_count(bergen) == before + (1 if can_write else 0)

    response = page.post("/tilgang/brukere/", {"email": f"ny-{rolle}@test.no", "rolle": "lesetilgang"})
    assert response.status_code == (302 if can_manage else 403)
    with in_kommune(bergen):
        assert Rolle.objects.filter(bruker__email=f"ny-{rolle}@test.no").exists() is can_manage

    response = page.post("/tilgang/tokener/", {"navn": f"Klient {rolle}", "scopes": ["lister:les"], "utloper_dager": "30"})
    assert response.status_code == (200 if can_issue else 403)
    assert ApiToken.objects.filter(navn=f"Klient {rolle}").exists() is can_issue
    if can_issue:
        assert "Kopier tokenet nå" in response.content.decode()
        assert response["Cache-Control"].startswith("max-age=0")

    assert (page.get("/kommuner/4601/endre/").status_code == 200) is (rolle == "kommuneoverlege")
    # Everyone with a role reaches the kommune's landing page.
    assert page.get("/kommuner/4601/").status_code == 200


def test_only_the_kommuneoverlege_sees_health_related_details(bergen):
    for rolle in MATRIX:
        tilgang = access.Tilgang(aktor="x", kommune_id=bergen.pk, roller=frozenset({rolle}))
        assert kan_se_helseopplysninger(tilgang) is (rolle == "kommuneoverlege")
    token = access.Tilgang(aktor="klient:1", kommune_id=bergen.pk, er_klient=True, scopes=frozenset({"legevakt:les"}))
    assert not kan_se_helseopplysninger(token)
    assert not tillater(access.Tilgang(aktor="x", roller=frozenset({"kommuneoverlege"})), Handling.LES)  # no kommune


def test_a_user_without_any_role_gets_an_explanation_and_no_data(db, client):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    response = client.get("/")
    assert response.status_code == 200 and "ingen rolle" in response.content.decode()
    assert client.get("/kommuner/4601/").status_code == 403
    assert api_client_for(UserFactory()).get(FIGURES).status_code == 403


def test_a_user_with_several_kommuner_chooses_and_cannot_forge_the_choice(bergen, sunnfjord, client):
    user = user_with_role("saksbehandler", bergen, sunnfjord)
    client.force_login(user)
    assert client.get("/").url == "/velg-kommune/"
    assert client.get("/kommuner/4601/").status_code == 302  # to the chooser
    assert client.post("/velg-kommune/", {"kommune": "1825"}).status_code == 404  # no role there
    assert access.SESSION_KEY not in client.session
    assert client.post("/velg-kommune/", {"kommune": "4647"}).url == "/kommuner/4647/"
    assert client.get("/kommuner/4647/").status_code == 200
    assert client.get("/kommuner/4601/").status_code == 404  # the other kommune is not in scope now
    # The API takes the kommune from the Kommunenummer header, or the session's choice.
    api = api_client_for(user)
    assert api.get("/api/v1/kommuner/").status_code == 403
    assert api.get("/api/v1/kommuner/", HTTP_KOMMUNENUMMER="4601").json()["resultater"][0]["kommunenummer"] == "4601"
    forged = api.get("/api/v1/kommuner/", HTTP_KOMMUNENUMMER="1825")
    assert forged.status_code == 404 and forged.json()["kode"] == "kommune_ikke_tilgjengelig"


# --- MFA ------------------------------------------------------------------------------------------


def test_a_kommuneoverlege_without_totp_is_sent_to_set_it_up(bergen, client):
    user = user_with_role("kommuneoverlege", bergen, mfa=False)
    client.force_login(user)
    response = client.get("/kommuner/4601/")
    assert response.status_code == 302 and response.url.startswith("/konto/2fa/totp/activate/")
    assert client.get("/konto/2fa/totp/activate/").status_code == 200
    api = api_client_for(user)
    response = api.get(FIGURES)
    assert response.status_code == 403 and response.json()["kode"] == "mfa_kreves"
    user.totp_secret = None
    from tests.conftest import activate_totp

    activate_totp(user)
    assert client.get("/kommuner/4601/").status_code == 200
    assert api.get(FIGURES).status_code == 200


def test_totp_secrets_are_stored_encrypted(bergen):
    user = user_with_role("kommuneoverlege", bergen)
    stored = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP).data["secret"]
    assert stored.startswith("fernet:") and user.totp_secret not in stored
    from allauth.mfa.utils import decrypt

    assert decrypt(stored) == user.totp_secret


def test_login_with_totp(bergen):
    from tests.conftest import totp_code

    user = user_with_role("kommuneoverlege", bergen)
    client = Client()
    response = client.post("/konto/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302 and response.url.startswith("/konto/2fa/authenticate/")
    assert client.get("/kommuner/4601/").status_code == 302  # not logged in before the second factor
    assert client.post("/konto/2fa/authenticate/", {"code": "000000"}).status_code == 200  # wrong code
    response = client.post("/konto/2fa/authenticate/", {"code": totp_code(user.totp_secret)})
    assert response.status_code == 302
    assert client.get("/kommuner/4601/").status_code == 200


# --- login throttling and password reset ------------------------------------------------------------


def test_too_many_failed_logins_get_429_even_with_the_right_password(leser):
    client = Client(REMOTE_ADDR="10.20.30.40")
    for _ in range(5):
        assert client.post("/konto/login/", {"login": leser.email, "password": "feil"}).status_code == 200
    response = client.post("/konto/login/", {"login": leser.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_password_reset_by_email(leser, client):
    response = client.post("/konto/password/reset/", {"email": leser.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and leser.email in mail.outbox[0].to
    assert "/konto/password/reset/key/" in mail.outbox[0].body


# --- integration tokens ---------------------------------------------------------------------------


def test_a_token_works_only_within_its_scopes(bergen):
    reader = token_client(["lister:les"], bergen)
    assert reader.get(FIGURES).status_code == 200
    response = reader.post(FIGURES, NEW, format="json")
    assert response.status_code == 403 and response.json()["kode"] == "mangler_tilgang"
    assert token_client(["avtaler:les"], bergen).get(FIGURES).status_code == 403
    writer = token_client(["lister:skriv"], bergen)
    assert writer.post(FIGURES, NEW, format="json").status_code == 201
    # The kommune's own settings are for its kommuneoverlege, never a token.
    everything = token_client(["lister:les", "lister:skriv"], bergen)
    response = everything.patch("/api/v1/kommuner/4601/", {"sentralitetsklasse": 2}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 403


def test_a_token_works_only_within_its_kommuner(bergen, sunnfjord):
    client = token_client(["lister:les"], bergen)
    assert client.get("/api/v1/kommuner/4647/").status_code == 404
    response = client.get("/api/v1/kommuner/", HTTP_KOMMUNENUMMER="4647")
    assert response.status_code == 404 and "4647" not in response.json()["feil"]
    both = token_client(["lister:les"], bergen, sunnfjord)
    response = both.get("/api/v1/kommuner/")
    assert response.status_code == 403 and response.json()["kode"] == "kommune_ikke_valgt"
    assert both.get("/api/v1/kommuner/", HTTP_KOMMUNENUMMER="4647").json()["resultater"][0]["kommunenummer"] == "4647"
    me = both.get("/api/v1/meg/", HTTP_KOMMUNENUMMER="4601").json()
    assert me["aktor"] == f"klient:{both.token.pk}" and me["kommunenummer"] == "4601" and me["scopes"] == ["lister:les"]


@pytest.mark.parametrize(
    ("header", "message"),
    [("Bearer fl_finnesikke", "Ukjent token."), ("Bearer", "Ugyldig Authorization-header"), ("Bearer a b", "Ugyldig")],
)
def test_bad_tokens_are_401(db, header, message):
    response = APIClient().get(FIGURES, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert message in response.json()["feil"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_expired_revoked_and_withdrawn_tokens_are_401(bergen, time_machine):
    expiring = token_client(["lister:les"], bergen, expires_days=1)
    assert expiring.get(FIGURES).status_code == 200
    revoked = token_client(["lister:les"], bergen)
    call_command("revoke_api_token", revoked.token.prefiks, stdout=io.StringIO())
    withdrawn = token_client(["lister:les"], bergen)
    with in_kommune(bergen):
        from kommune import services

        services.withdraw_token(binding=ApiTokenKommune.objects.get(token=withdrawn.token))
    assert revoked.get(FIGURES).json()["feil"] == "Tokenet er trukket tilbake."
    assert withdrawn.get(FIGURES).status_code == 401
    time_machine.move_to(timezone.now() + dt.timedelta(days=1, seconds=1))
    response = expiring.get(FIGURES)
    assert response.status_code == 401 and response.json()["feil"] == "Tokenet er utløpt."


def test_tokens_are_stored_as_a_keyed_hash_only(bergen):
    client = token_client(["lister:les"], bergen)
    row = ApiToken.objects.get(pk=client.token.pk)
    assert client.raw not in str(ApiToken.objects.filter(pk=row.pk).values().get())
    assert row.nokkel_hash == tokens.hash_token(client.raw)
    assert row.nokkel_hash != __import__("hashlib").sha256(client.raw.encode()).hexdigest()  # keyed, not a plain hash


def test_token_keeps_working_while_the_secret_key_rotates(bergen, settings):
    client = token_client(["lister:les"], bergen)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40
    assert client.get(FIGURES).status_code == 200


def test_writes_by_a_token_are_attributed_to_the_client(bergen):
    client = token_client(["lister:skriv"], bergen)
    response = client.post(FIGURES, NEW, format="json")
    with in_kommune(bergen):
        entry = history_for(Innbyggertall.objects.get(pk=response.json()["id"]))[0]
    assert entry.aktor == f"klient:{client.token.pk}"
    assert "Testklient" in entry.aktor_navn


# --- commands -----------------------------------------------------------------------------------------


def test_grant_role_creates_the_user_and_is_audited(db):
    out = io.StringIO()
    call_command("grant_role", "--email", "Ny.Saksbehandler@Kommune.no", "--kommune", "4601", "--role", "saksbehandler", stdout=out)
    call_command("grant_role", "--email", "ny.saksbehandler@kommune.no", "--kommune", "4601", "--role", "saksbehandler", stdout=out)
    user = User.objects.get(email="ny.saksbehandler@kommune.no")
    assert not user.has_usable_password()
    with in_kommune(kommune("4601")):
        rolle = Rolle.objects.get(bruker=user)
        assert rolle.rolle == "saksbehandler"
        assert history_for(rolle)[0].aktor == "kommando:grant_role"


def test_grant_role_refuses_unknown_kommune_and_role(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="9999"):
        call_command("grant_role", "--email", "a@b.no", "--kommune", "9999", "--role", "lege", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("grant_role", "--email", "a@b.no", "--kommune", "4601", "--role", "sjef", stdout=io.StringIO())
    assert not User.objects.filter(email="a@b.no").exists()


def test_create_api_token_prints_the_token_alone_on_the_last_line_and_it_works(db):
    out = io.StringIO()
    call_command(
        "create_api_token", "--name", "Lønn", "--kommune", "4601", "--kommune", "4647",
        "--scope", "lister:les", "--scope", "lonn:les", "--expires-days", "30", stdout=out,
    )
    raw = out.getvalue().strip().splitlines()[-1]
    assert raw.startswith("fl_") and " " not in raw
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_KOMMUNENUMMER="4647")
    assert client.get("/api/v1/kommuner/").json()["resultater"][0]["kommunenummer"] == "4647"
    token = ApiToken.objects.get(navn="Lønn")
    assert token.scopes == ["lister:les", "lonn:les"]
    assert history_for(token)[0].aktor == "kommando:create_api_token"
    with unscoped(reason="test: both bindings"):
        assert ApiTokenKommune.objects.filter(token=token).count() == 2


def test_create_api_token_refuses_bad_input_and_writes_nothing(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("create_api_token", "--name", "X", "--kommune", "4601", "--scope", "lister:les", "--expires-days", "0", stdout=io.StringIO())
    assert not ApiToken.objects.exists()


def test_the_last_kommuneoverlege_cannot_be_removed(bergen, overlege, page_client):
    with in_kommune(bergen):
        rolle = Rolle.objects.get(bruker=overlege)
    response = page_client.post(f"/tilgang/roller/{rolle.pk}/fjern/", follow=True)
    assert "minst én kommuneoverlege" in response.content.decode()
    with in_kommune(bergen):
        assert Rolle.objects.filter(pk=rolle.pk).exists()
