"""Issue 9: signing in through the organisations' OpenID providers, against real providers on
loopback: the whole code flow, every refusal as a clear page (never a 500), PKCE enforced."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from oidc_provider_mock import User
from sqlmodel import select
from starlette.testclient import TestClient

from council import invitations
from council.app import create_app
from council.database import Database, utcnow
from council.middleware import session_cookie_name
from council.models import AuditRecord, AuthSession, Identity, Invitation, Person, SignInFlow
from council.settings import OidcProvider, Settings, SettingsError
from tests.conftest import make_settings, post_form, sign_in
from tests.factories import make_council, make_person, make_seat, make_secretariat
from tests.oidc_providers import (
    CLIENT_ID,
    CLIENT_SECRET,
    choose_user_at_mock,
    follow_provider,
    mock_provider,
    node_provider,
    tampering_provider,
)

ALICE = User(
    sub="alice-at-gov",
    claims={"email": "alice@gov.example", "email_verified": True, "name": "Alice Moreno"},
)
UNVERIFIED = User(
    sub="unverified-at-gov", claims={"email": "unverified@gov.example", "email_verified": False}
)
STRANGER = User(
    sub="stranger-at-gov", claims={"email": "stranger@gov.example", "email_verified": True}
)
ELSEWHERE = User(
    sub="elsewhere", claims={"email": "someone@elsewhere.example", "email_verified": True}
)


@pytest.fixture(scope="module")
def mock_issuer() -> Iterator[str]:
    with mock_provider([ALICE, UNVERIFIED, STRANGER, ELSEWHERE]) as issuer:
        yield issuer


@pytest.fixture(scope="module")
def proxy(mock_issuer):
    with tampering_provider(mock_issuer) as provider:
        yield provider


@pytest.fixture
def tamper(proxy):
    yield proxy
    proxy.reset()


def provider(name: str, issuer: str, **fields) -> OidcProvider:
    return OidcProvider(
        name=name,
        display_name=fields.pop("display_name", name.title()),
        issuer=issuer,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        **fields,
    )


@pytest.fixture
def providers(mock_issuer, proxy) -> tuple[OidcProvider, ...]:
    return (
        provider("gov", mock_issuer, display_name="Government ID"),
        provider("proxied", proxy.issuer, display_name="Proxied ID"),
        provider(
            "strict", mock_issuer, display_name="Strict ID", allowed_domains=("ministry.example",)
        ),
    )


@pytest.fixture
def settings(database_url, tmp_path, providers):
    return make_settings(database_url, tmp_path, oidc_providers=providers)


def start(client: TestClient, name: str = "gov", query: str = "") -> str:
    response = client.get(f"/auth/oidc/{name}/start{query}", follow_redirects=False)
    assert response.status_code == 303, response.text
    return response.headers["location"]


def sign_in_through(client: TestClient, user: User, name: str = "gov", query: str = ""):
    callback = choose_user_at_mock(start(client, name, query), user.sub)
    return client.get(callback, follow_redirects=False)


def invite(db, email: str, **fields) -> tuple[Invitation, str]:
    inviter = fields.pop("by", None) or make_secretariat(db)
    form = invitations.InvitationForm(
        email=email, name=fields.pop("name", "Invited Person"), **fields
    )
    invitation, token = invitations.invite(
        db, by=inviter, form=form, languages=("en", "es"), now=utcnow()
    )
    db.commit()
    return invitation, token


def assert_refused(response, status: int, *words: str) -> None:
    assert response.status_code == status, response.text
    assert response.template.name == "auth/oidc_refused.html"
    assert "You were not signed in" in response.text
    for word in words:
        assert word in response.text


def count(db, model) -> int:
    return len(db.exec(select(model)).all())


def test_sign_in_page_shows_a_link_per_provider_beside_the_form(client, db):
    make_council(db)
    db.commit()
    page = client.get("/sign-in?next=/groups/x")
    assert page.status_code == 200
    for label in ("Government ID", "Proxied ID", "Strict ID"):
        assert f"Sign in with {label}" in page.text
    assert 'href="http://testserver/auth/oidc/gov/start?next=%2Fgroups%2Fx"' in page.text
    assert 'name="password"' in page.text


def test_the_council_can_switch_the_local_form_off(database, database_url, tmp_path, providers, db):
    make_council(db)
    person = make_person(db)
    db.commit()
    settings = make_settings(database_url, tmp_path, oidc_providers=providers, local_sign_in=False)
    with TestClient(create_app(settings, database=database)) as client:
        page = client.get("/sign-in")
        assert "Sign in with Government ID" in page.text
        assert 'name="password"' not in page.text
        refused = post_form(
            client, "/sign-in", {"email": person.email, "password": "correct horse battery staple"}
        )
        assert refused.status_code == 404
        assert client.get("/password-reset").status_code == 404


def test_without_providers_the_oidc_routes_answer_404(database, database_url, tmp_path, db):
    make_council(db)
    db.commit()
    with TestClient(create_app(make_settings(database_url, tmp_path), database=database)) as c:
        assert c.get("/auth/oidc/gov/start").status_code == 404
        assert c.get("/auth/oidc/gov/callback?code=x&state=y").status_code == 404
        assert "Sign in with" not in c.get("/sign-in").text


def test_an_unknown_provider_answers_404(client, db):
    make_council(db)
    db.commit()
    assert client.get("/auth/oidc/nobody/start").status_code == 404
    assert client.get("/auth/oidc/nobody/callback").status_code == 404


def test_the_authorization_request_uses_pkce_state_and_nonce(client, db, mock_issuer):
    make_council(db)
    db.commit()
    url = start(client)
    assert url.startswith(mock_issuer + "/oauth2/authorize?")
    query = parse_qs(urlsplit(url).query)
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert query["state"][0] and query["nonce"][0]
    assert set(query["scope"][0].split()) == {"openid", "email", "profile"}
    assert query["redirect_uri"] == ["http://testserver/auth/oidc/gov/callback"]
    flow = db.exec(select(SignInFlow)).one()
    saved = json.loads(flow.data)["authlib"]
    assert saved["nonce"] == query["nonce"][0] and saved["code_verifier"]
    assert saved["code_verifier"] not in url


def test_an_invited_person_signs_in_through_the_provider_and_is_linked(client, db, mock_issuer):
    make_council(db)
    seat = make_seat(db, name="Guatemala")
    invitation, _ = invite(
        db,
        "Alice@Gov.example",
        name="Alice Moreno",
        seat_id=seat.id,
        seat_role="head",
        language="es",
    )

    response = sign_in_through(client, ALICE, query="?next=/account")
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/account"
    assert session_cookie_name("http") in response.cookies
    person = db.exec(select(Person).where(Person.email == "alice@gov.example")).one()
    assert (person.name, person.seat_id, person.seat_role, person.language) == (
        "Alice Moreno",
        seat.id,
        "head",
        "es",
    )
    assert person.password_hash is None
    identity = db.exec(select(Identity)).one()
    assert (identity.person_id, identity.issuer, identity.subject, identity.email) == (
        person.id,
        mock_issuer,
        ALICE.sub,
        "alice@gov.example",
    )
    db.refresh(invitation)
    assert invitation.used_at is not None and invitation.person_id == person.id
    actions = db.exec(select(AuditRecord.action)).all()
    assert {"invitation.accepted", "identity.linked", "person.created"} <= set(actions)
    account = client.get("/account")
    assert account.status_code == 200
    assert "Government ID" in account.text and "alice@gov.example" in account.text
    assert count(db, SignInFlow) == 0

    client.post("/sign-out", data={"csrf_token": _csrf(client)})
    again = sign_in_through(client, ALICE)
    assert again.status_code == 303
    assert count(db, Person) == 2 and count(db, Identity) == 1  # matched by issuer and subject
    assert client.get("/").template.name == "council/home.html"


def _csrf(client: TestClient) -> str:
    from tests.conftest import csrf_from

    return csrf_from(client.get("/account").text)


def test_the_invitation_page_offers_the_providers(client, db):
    make_council(db)
    _, token = invite(db, "alice@gov.example")
    page = client.get(f"/invitations/{token}")
    assert page.status_code == 200
    assert f"/auth/oidc/gov/start?invitation={token}" in page.text
    callback = choose_user_at_mock(start(client, query=f"?invitation={token}"), ALICE.sub)
    response = client.get(callback, follow_redirects=False)
    assert response.status_code == 303
    assert db.exec(select(Person).where(Person.email == "alice@gov.example")).one()
    assert client.get(f"/invitations/{token}").status_code == 404  # used once


def test_accepting_an_invitation_needs_the_invited_email(client, db):
    make_council(db)
    _, token = invite(db, "someone.else@gov.example")
    callback = choose_user_at_mock(start(client, query=f"?invitation={token}"), ALICE.sub)
    response = client.get(callback, follow_redirects=False)
    assert_refused(response, 403, "This invitation was sent to someone.else@gov.example")
    assert count(db, Identity) == 0
    assert db.exec(select(Invitation)).one().used_at is None


def test_a_replayed_callback_is_refused(client, db):
    make_council(db)
    invite(db, "alice@gov.example")
    callback = choose_user_at_mock(start(client), ALICE.sub)
    assert client.get(callback, follow_redirects=False).status_code == 303
    replay = client.get(callback, follow_redirects=False)
    assert_refused(replay, 400, "mismatching_state")


def test_a_callback_carried_to_another_browser_is_refused(client, app, db):
    make_council(db)
    invite(db, "alice@gov.example")
    callback = choose_user_at_mock(start(client), ALICE.sub)
    with TestClient(app) as other_browser:
        response = other_browser.get(callback, follow_redirects=False)
    assert_refused(response, 400, "mismatching_state")
    assert count(db, Person) == 1 and count(db, Identity) == 0


def test_an_unverified_email_is_refused_and_nothing_is_created(client, db):
    make_council(db)
    invite(db, "unverified@gov.example")
    response = sign_in_through(client, UNVERIFIED)
    assert_refused(response, 403, "does not have a verified email address")
    assert count(db, Person) == 1  # the inviter only
    assert count(db, Identity) == 0
    assert db.exec(select(Invitation)).one().used_at is None
    assert count(db, AuthSession) == 0


def test_an_unknown_subject_without_invitation_is_refused(client, db):
    make_council(db)
    make_person(db, email="stranger@gov.example")  # an account, but never invited
    db.commit()
    response = sign_in_through(client, STRANGER)
    assert_refused(response, 403, "No invitation to this council was sent to stranger@gov.example")
    assert count(db, Identity) == 0 and count(db, AuthSession) == 0


def test_a_provider_with_allowed_domains_refuses_other_domains(client, db):
    make_council(db)
    invite(db, "someone@elsewhere.example")
    response = sign_in_through(client, ELSEWHERE, name="strict")
    assert_refused(response, 403, "ministry.example")
    assert count(db, Identity) == 0


def test_cancelling_at_the_provider_is_a_clear_page(client, db):
    make_council(db)
    db.commit()
    callback = choose_user_at_mock(start(client), "", deny=True)
    assert_refused(client.get(callback, follow_redirects=False), 400, "was cancelled")


def test_an_unreachable_provider_is_a_clear_page(database, database_url, tmp_path, db):
    import socket

    make_council(db)
    db.commit()
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings = make_settings(
        database_url,
        tmp_path,
        oidc_providers=(provider("down", f"http://127.0.0.1:{port}", display_name="Down ID"),),
    )
    with TestClient(create_app(settings, database=database)) as client:
        response = client.get("/auth/oidc/down/start", follow_redirects=False)
    assert_refused(response, 502, "Down ID could not be reached")


def test_the_tampering_provider_signs_in_when_it_changes_nothing(client, db, tamper):
    make_council(db)
    invite(db, "alice@gov.example")
    assert sign_in_through(client, ALICE, name="proxied").status_code == 303
    assert db.exec(select(Identity)).one().issuer == tamper.issuer


TAMPERED = {
    "wrong audience": (lambda claims: claims.update(aud="another-client"), False, "aud"),
    "wrong audience naming us as authorized party": (
        lambda claims: claims.update(aud="another-client", azp=CLIENT_ID),
        False,
        "aud",
    ),
    "expired token": (
        lambda claims: claims.update(exp=claims["iat"] - 3600, iat=claims["iat"] - 7200),
        False,
        "expired",
    ),
    "bad nonce": (lambda claims: claims.update(nonce="not-the-nonce"), False, "nonce"),
    "wrong issuer": (lambda claims: claims.update(iss="https://impostor.example"), False, "iss"),
    "forged signature": (lambda claims: None, True, "BadSignatureError"),
}


@pytest.mark.parametrize("case", TAMPERED, ids=list(TAMPERED))
def test_a_tampered_id_token_is_refused_and_nothing_is_created(case, client, db, tamper):
    make_council(db)
    invite(db, "alice@gov.example")
    tamper.tamper, tamper.forge, reason = TAMPERED[case]
    response = sign_in_through(client, ALICE, name="proxied")
    assert_refused(response, 400, "could not be verified", reason)
    assert count(db, Identity) == 0 and count(db, AuthSession) == 0
    assert db.exec(select(Invitation)).one().used_at is None


def test_a_signed_in_person_links_an_account_and_removes_it(client, db, mock_issuer):
    make_council(db)
    member = make_person(db, seat=make_seat(db))
    db.commit()
    sign_in(client, member)
    response = sign_in_through(client, STRANGER, query="?link=1")
    assert response.status_code == 303
    assert response.headers["location"] == "http://testserver/account"
    identity = db.exec(select(Identity)).one()
    assert (identity.person_id, identity.subject) == (member.id, STRANGER.sub)
    page = client.get("/account")
    assert "Linked accounts" in page.text and "stranger@gov.example" in page.text

    client.cookies.clear()
    assert sign_in_through(client, STRANGER).status_code == 303  # now it signs the member in
    assert client.get("/account").text.count(member.email) >= 1

    removed = post_form(
        client, f"/account/identities/{identity.id}/remove", page="/account", follow_redirects=False
    )
    assert removed.status_code == 303
    assert count(db, Identity) == 0
    assert "identity.removed" in db.exec(select(AuditRecord.action)).all()


def test_linking_needs_a_signed_in_person(client, db):
    make_council(db)
    db.commit()
    response = client.get("/auth/oidc/gov/start?link=1", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("http://testserver/sign-in")


def test_the_only_way_to_sign_in_cannot_be_removed(client, db):
    make_council(db)
    invite(db, "alice@gov.example")
    sign_in_through(client, ALICE)
    identity = db.exec(select(Identity)).one()
    response = post_form(client, f"/account/identities/{identity.id}/remove", page="/account")
    assert response.status_code == 409
    assert "only way to sign in" in response.text
    assert count(db, Identity) == 1


def test_a_deactivated_person_cannot_sign_in_through_the_provider(client, db):
    make_council(db)
    invite(db, "alice@gov.example")
    assert sign_in_through(client, ALICE).status_code == 303
    person = db.exec(select(Person).where(Person.email == "alice@gov.example")).one()
    person.is_active = False
    db.add(person)
    db.commit()
    client.cookies.clear()
    assert_refused(sign_in_through(client, ALICE), 403, "not active")


def test_pkce_is_enforced_by_a_real_provider(database, database_url, tmp_path, db):
    """The npm oidc-provider refuses an authorization request without PKCE and a token
    request with the wrong verifier: the first sign-in passes, the tampered one does not."""
    make_council(db)
    invite(db, "nora@ministry.example")
    account = {"sub": "nora-at-node", "email": "nora@ministry.example", "email_verified": True}
    redirect_uri = "http://testserver/auth/oidc/node/callback"
    with node_provider(redirect_uri, account) as issuer:
        settings = make_settings(
            database_url,
            tmp_path,
            oidc_providers=(provider("node", issuer, display_name="Ministry ID"),),
        )
        with TestClient(create_app(settings, database=database)) as client:
            callback = follow_provider(start(client, "node"), redirect_uri)
            assert client.get(callback, follow_redirects=False).status_code == 303
            assert db.exec(select(Identity)).one().subject == "nora-at-node"

            client.cookies.clear()
            authorize_url = start(client, "node")
            flow = db.exec(select(SignInFlow)).one()
            data = json.loads(flow.data)
            data["authlib"]["code_verifier"] = "x" * 64  # not the one the challenge was made of
            flow.data = json.dumps(data)
            db.add(flow)
            db.commit()
            callback = follow_provider(authorize_url, redirect_uri)
            response = client.get(callback, follow_redirects=False)
    assert_refused(response, 400, "invalid_grant")
    assert count(db, AuthSession) == 1  # only the first sign-in's


def test_a_flow_started_on_one_worker_finishes_on_another(fresh_databases, tmp_path, providers):
    """Two app instances with their own engines, like two server processes: the flow lives in
    the shared database, not in the process that started it."""
    url = fresh_databases.create()
    databases = [Database.from_url(url), Database.from_url(url)]
    try:
        with databases[0].transaction() as session:
            make_council(session)
            invite(session, "alice@gov.example")
        settings = make_settings(url, tmp_path, oidc_providers=providers)
        first, second = (create_app(settings, database=d, extensions=[]) for d in databases)
        with TestClient(first) as browser_on_first, TestClient(second) as browser_on_second:
            callback = choose_user_at_mock(start(browser_on_first), ALICE.sub)
            browser_on_second.cookies = browser_on_first.cookies  # one browser, two workers
            response = browser_on_second.get(callback, follow_redirects=False)
        assert response.status_code == 303, response.text
        with databases[1].transaction() as session:
            assert session.exec(select(Identity)).one().subject == ALICE.sub
    finally:
        for database in databases:
            database.dispose()


PROVIDER_JSON = json.dumps(
    [
        {
            "name": "gov",
            "display_name": "Government ID",
            "issuer": "https://id.gov.example",
            "client_id": "council",
            "client_secret": "s",
            "allowed_domains": ["Gov.example"],
        }
    ]
)


def test_providers_are_read_from_the_environment(tmp_path):
    settings = Settings.from_env(
        {
            "COUNCIL_SECRET_KEY": "k" * 40,
            "COUNCIL_VAR_DIR": str(tmp_path),
            "COUNCIL_OIDC_PROVIDERS": PROVIDER_JSON,
            "COUNCIL_LOCAL_SIGN_IN": "false",
        }
    )
    (gov,) = settings.oidc_providers
    assert (gov.name, gov.display_name, gov.issuer, gov.allowed_domains) == (
        "gov",
        "Government ID",
        "https://id.gov.example",
        ("gov.example",),
    )
    assert gov.metadata_url == "https://id.gov.example/.well-known/openid-configuration"
    assert settings.local_sign_in is False


@pytest.mark.parametrize(
    ("environ", "complaint"),
    [
        ({"COUNCIL_OIDC_PROVIDERS": "[{"}, "not valid JSON"),
        ({"COUNCIL_OIDC_PROVIDERS": PROVIDER_JSON[:-1] + "," + PROVIDER_JSON[1:]}, "used twice"),
        (
            {
                "COUNCIL_OIDC_PROVIDERS": (
                    '[{"name": "Gov ID", "issuer": "https://x", "client_id": "c"}]'
                )
            },
            "lowercase",
        ),
        ({"COUNCIL_OIDC_PROVIDERS": '[{"name": "gov", "issuer": "https://x"}]'}, "client_id"),
        ({"COUNCIL_LOCAL_SIGN_IN": "off"}, "nobody could sign in"),
        (
            {"COUNCIL_ENV": "production", "COUNCIL_OIDC_PROVIDERS": PROVIDER_JSON},
            "COUNCIL_BASE_URL",
        ),
        (
            {
                "COUNCIL_ENV": "production",
                "COUNCIL_BASE_URL": "https://council.example",
                "COUNCIL_OIDC_PROVIDERS": PROVIDER_JSON.replace("https://id", "http://id"),
            },
            "https",
        ),
    ],
)
def test_a_wrong_provider_setting_is_refused_with_a_reason(environ, complaint, tmp_path):
    with pytest.raises(SettingsError, match=complaint):
        Settings.from_env(
            {"COUNCIL_SECRET_KEY": "k" * 40, "COUNCIL_VAR_DIR": str(tmp_path), **environ}
        )
