"""Two-factor authentication over HTTP: set up with a first code, required at login, codes
checked in a ±1 step window and never replayed, recovery codes single-use, wrong codes lock
the login for a while, turned off with the password and a code; all on a clock the test
holds, with the notices read from a real SMTP server."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from backend.accounts.models import RecoveryCode, TwoFactor
from backend.db import db
from tests.accounts.conftest import Clock
from tests.factories import PASSWORD, UserFactory
from tests.helpers import login
from tests.mail.smtp import Inbox, text_part

LOGIN = "/api/v1/auth/login"
TWO_FACTOR = "/api/v1/me/two-factor"
CONFIRM = "/api/v1/me/two-factor/confirm"
RECOVERY = "/api/v1/me/two-factor/recovery-codes"
REQUIRED = "urn:relais:problem:two-factor-required"
INVALID = "urn:relais:problem:two-factor-invalid"
LOCKED = "urn:relais:problem:two-factor-locked"


@pytest.fixture
def held_clock(clock: Clock) -> Clock:
    """The clock on the start of a 30-second step, so ±1 step is exact."""
    clock.now = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
    return clock


def _bearer(pair: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {pair['access_token']}"}


def _code(secret: str, at: dt.datetime) -> str:
    return pyotp.TOTP(secret).at(at)


def _enable(client: FlaskClient, clock: Clock, email: str) -> tuple[str, list[str], Any]:
    """Turn 2FA on for the account: its secret, recovery codes and the session used."""
    pair = login(client, email)
    started = client.post(TWO_FACTOR, headers=_bearer(pair))
    assert started.status_code == 201, started.get_json()
    secret = started.get_json()["secret"]
    confirmed = client.post(CONFIRM, json={"code": _code(secret, clock.now)}, headers=_bearer(pair))
    assert confirmed.status_code == 200, confirmed.get_json()
    return secret, confirmed.get_json()["recovery_codes"], pair


def _login(
    client: FlaskClient, email: str, otp: str | None = None, password: str = PASSWORD
) -> Any:
    body = {"email": email, "password": password}
    if otp is not None:
        body["otp"] = otp
    return client.post(LOGIN, json=body)


def test_setting_up_gives_a_provisioning_uri_and_is_not_active_until_confirmed(
    client: FlaskClient, held_clock: Clock, inbox: Inbox
) -> None:
    user = UserFactory(email="ines@example.fr")
    pair = login(client, user.email)
    started = client.post(TWO_FACTOR, headers=_bearer(pair))
    assert started.status_code == 201
    body = started.get_json()
    uri = urlsplit(body["otpauth_uri"])
    assert (uri.scheme, uri.netloc, uri.path) == ("otpauth", "totp", "/Relais:ines%40example.fr")
    assert parse_qs(uri.query) == {"secret": [body["secret"]], "issuer": ["Relais"]}
    with client.application.app_context():
        stored = db.session.scalar(select(TwoFactor))
        assert stored is not None and body["secret"].encode() not in stored.secret  # encrypted
    # Not active yet: the password alone still logs in.
    assert _login(client, user.email).status_code == 200
    status = client.get(TWO_FACTOR, headers=_bearer(pair)).get_json()
    assert status == {"enabled": False, "recovery_codes_left": 0}

    wrong = client.post(CONFIRM, json={"code": "000000"}, headers=_bearer(pair))
    assert wrong.status_code == 401 and wrong.get_json()["type"] == INVALID
    code = _code(body["secret"], held_clock.now)
    confirmed = client.post(CONFIRM, json={"code": code}, headers=_bearer(pair))
    assert confirmed.status_code == 200
    codes = confirmed.get_json()["recovery_codes"]
    assert len(codes) == len(set(codes)) == 10
    with client.application.app_context():
        hashes = db.session.scalars(select(RecoveryCode.code_hash)).all()
        assert len(hashes) == 10 and all(h.startswith("$argon2id$") for h in hashes)
        assert not {c.replace("-", "") for c in codes} & set(hashes)
    [notice] = inbox.to("ines@example.fr")
    assert notice["Subject"] == "Double authentification activée sur votre compte Relais"
    assert body["secret"] not in text_part(notice)
    status = client.get(TWO_FACTOR, headers=_bearer(pair)).get_json()
    assert status == {"enabled": True, "recovery_codes_left": 10}
    # Once on, starting again is refused rather than silently replacing the secret.
    assert client.post(TWO_FACTOR, headers=_bearer(pair)).status_code == 409
    # And confirming again has nothing to confirm.
    assert client.post(CONFIRM, json={"code": code}, headers=_bearer(pair)).status_code == 409


def test_once_on_the_password_alone_gets_a_clear_answer_and_a_code_logs_in(
    client: FlaskClient, held_clock: Clock, inbox: Inbox
) -> None:
    user = UserFactory()
    secret, _, _ = _enable(client, held_clock, user.email)
    held_clock.advance(seconds=30)

    alone = _login(client, user.email)
    assert alone.status_code == 401
    assert alone.headers["Content-Type"] == "application/problem+json"
    assert alone.get_json()["type"] == REQUIRED
    assert "code" in alone.get_json()["detail"]
    # A wrong password says nothing about the second factor.
    wrong_password = _login(client, user.email, password="pas le bon")
    assert wrong_password.status_code == 401 and wrong_password.get_json()["type"] == "about:blank"
    wrong_password = _login(client, user.email, _code(secret, held_clock.now), "pas le bon")
    assert wrong_password.get_json()["type"] == "about:blank"

    ok = _login(client, user.email, _code(secret, held_clock.now))
    assert ok.status_code == 200, ok.get_json()
    assert client.get("/api/v1/me", headers=_bearer(ok.get_json())).status_code == 200


@pytest.mark.parametrize(
    ("offset", "accepted"), [(-60, False), (-30, True), (30, True), (60, False)]
)
def test_a_code_is_accepted_one_step_either_side_and_no_further(
    client: FlaskClient, held_clock: Clock, inbox: Inbox, offset: int, accepted: bool
) -> None:
    user = UserFactory()
    secret, _, _ = _enable(client, held_clock, user.email)
    held_clock.advance(minutes=5)
    code = _code(secret, held_clock.now + dt.timedelta(seconds=offset))
    answer = _login(client, user.email, code)
    assert answer.status_code == (200 if accepted else 401)
    if not accepted:
        assert answer.get_json()["type"] == INVALID


def test_a_code_used_once_cannot_be_replayed_in_its_window(
    client: FlaskClient, held_clock: Clock, inbox: Inbox
) -> None:
    user = UserFactory()
    secret, _, _ = _enable(client, held_clock, user.email)
    # The code that confirmed the setup is spent already.
    assert _login(client, user.email, _code(secret, held_clock.now)).status_code == 401
    held_clock.advance(seconds=30)
    code = _code(secret, held_clock.now)
    assert _login(client, user.email, code).status_code == 200
    held_clock.advance(seconds=20)  # still inside its window
    replay = _login(client, user.email, code)
    assert replay.status_code == 401 and replay.get_json()["type"] == INVALID
    # Nor an older step's code, though still within ±1 of now.
    held_clock.advance(seconds=10)
    older = _code(secret, held_clock.now - dt.timedelta(seconds=30))
    assert _login(client, user.email, older).status_code == 401
    assert _login(client, user.email, _code(secret, held_clock.now)).status_code == 200


def test_recovery_codes_are_single_use(
    client: FlaskClient, held_clock: Clock, inbox: Inbox
) -> None:
    user = UserFactory()
    _, codes, pair = _enable(client, held_clock, user.email)
    first = codes[0]
    assert _login(client, user.email, first.upper().replace("-", " ")).status_code == 200
    again = _login(client, user.email, first)
    assert again.status_code == 401 and again.get_json()["type"] == INVALID
    assert _login(client, user.email, codes[1]).status_code == 200
    status = client.get(TWO_FACTOR, headers=_bearer(pair)).get_json()
    assert status["recovery_codes_left"] == 8


def test_wrong_codes_lock_the_login_for_a_while(
    client: FlaskClient, held_clock: Clock, inbox: Inbox, loose_rate_limit: None
) -> None:
    user = UserFactory()
    secret, _, _ = _enable(client, held_clock, user.email)
    for _ in range(4):  # TWO_FACTOR_MAX_FAILURES is 5
        answer = _login(client, user.email, "123456")
        assert answer.status_code == 401 and answer.get_json()["type"] == INVALID
    locked = _login(client, user.email, "654321")
    assert locked.status_code == 429 and locked.get_json()["type"] == LOCKED
    # Flask-Limiter rewrites Retry-After from the wall clock, truncating: a second may go.
    assert int(locked.headers["Retry-After"]) in (15 * 60 - 1, 15 * 60)
    # Even the right code waits, and so do recovery codes.
    held_clock.advance(minutes=14, seconds=30)
    right = _login(client, user.email, _code(secret, held_clock.now))
    assert right.status_code == 429 and int(right.headers["Retry-After"]) >= 29
    held_clock.advance(seconds=30)
    assert _login(client, user.email, _code(secret, held_clock.now)).status_code == 200
    # A success starts the count again.
    for _ in range(4):
        again = _login(client, user.email, "123456")
        assert again.status_code == 401, again.get_json()
    held_clock.advance(seconds=30)
    assert _login(client, user.email, _code(secret, held_clock.now)).status_code == 200


@pytest.fixture
def loose_rate_limit(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Logins limited far away (LOGIN_RATE_LIMIT), so the lockout shows on its own."""
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "100 per minute")


@pytest.fixture
def loose_lockout(app: Flask) -> Iterator[None]:
    """A lockout far away, so the per-account and per-client rate limits show."""
    config = app.extensions["relais_config"]
    app.extensions["relais_config"] = dataclasses.replace(config, two_factor_max_failures=1000)
    yield
    app.extensions["relais_config"] = config


def test_code_guesses_are_rate_limited_per_account_and_per_client(
    client: FlaskClient, held_clock: Clock, inbox: Inbox, loose_lockout: None
) -> None:
    user, other = UserFactory(), UserFactory()
    _enable(client, held_clock, user.email)  # its login counts: LOGIN_RATE_LIMIT 10 per minute
    answers = [_login(client, user.email, f"{n:06d}").status_code for n in range(10)]
    assert answers == [401] * 9 + [429]
    # Another account from another address is not held back by this one's limit...
    other_address = {"REMOTE_ADDR": "192.0.2.7"}
    body = {"email": other.email, "password": PASSWORD}
    assert client.post(LOGIN, json=body, environ_base=other_address).status_code == 200
    # ...but the client that guessed is, whichever account it tries.
    assert _login(client, other.email).status_code == 429


def test_turning_it_off_needs_the_password_and_a_code(
    client: FlaskClient, held_clock: Clock, inbox: Inbox
) -> None:
    user = UserFactory(email="noe@example.fr")
    secret, _, pair = _enable(client, held_clock, user.email)
    inbox.clear()
    held_clock.advance(seconds=30)
    code = _code(secret, held_clock.now)
    headers = _bearer(pair)
    bad_password = client.delete(
        TWO_FACTOR, json={"password": "non", "code": code}, headers=headers
    )
    assert bad_password.status_code == 422
    assert bad_password.get_json()["invalid_params"][0]["name"] == "password"
    bad_code = client.delete(TWO_FACTOR, json={"password": PASSWORD, "code": "1"}, headers=headers)
    assert bad_code.status_code == 401 and bad_code.get_json()["type"] == INVALID
    assert (
        client.delete(TWO_FACTOR, json={"password": PASSWORD}, headers=headers).status_code == 422
    )

    off = client.delete(TWO_FACTOR, json={"password": PASSWORD, "code": code}, headers=headers)
    assert off.status_code == 204
    [notice] = inbox.to("noe@example.fr")
    assert notice["Subject"] == "Double authentification désactivée sur votre compte Relais"
    assert _login(client, user.email).status_code == 200  # the password alone again
    with client.application.app_context():
        assert db.session.scalar(select(RecoveryCode)) is None  # the codes are gone
    again = client.delete(TWO_FACTOR, json={"password": PASSWORD, "code": code}, headers=headers)
    assert again.status_code == 409


def test_a_recovery_code_turns_it_off_when_the_phone_is_lost(
    client: FlaskClient, held_clock: Clock, inbox: Inbox
) -> None:
    user = UserFactory()
    _, codes, _ = _enable(client, held_clock, user.email)
    pair = _login(client, user.email, codes[0]).get_json()
    body = {"password": PASSWORD, "code": codes[1]}
    assert client.delete(TWO_FACTOR, json=body, headers=_bearer(pair)).status_code == 204


def test_new_recovery_codes_need_a_code_and_void_the_old_ones(
    client: FlaskClient, held_clock: Clock, inbox: Inbox
) -> None:
    user = UserFactory()
    secret, old, pair = _enable(client, held_clock, user.email)
    headers = _bearer(pair)
    refused = client.post(RECOVERY, json={"code": "000000"}, headers=headers)
    assert refused.status_code == 401
    held_clock.advance(seconds=30)
    renewed = client.post(RECOVERY, json={"code": _code(secret, held_clock.now)}, headers=headers)
    assert renewed.status_code == 200
    new = renewed.get_json()["recovery_codes"]
    assert len(new) == 10 and not set(new) & set(old)
    assert _login(client, user.email, old[0]).status_code == 401
    assert _login(client, user.email, new[0]).status_code == 200
    # Without 2FA there is nothing to renew.
    other = login(client, UserFactory().email)
    assert client.post(RECOVERY, json={"code": "123456"}, headers=_bearer(other)).status_code == 409


def test_starting_again_before_confirming_replaces_the_pending_secret(
    client: FlaskClient, held_clock: Clock
) -> None:
    user = UserFactory()
    pair = login(client, user.email)
    first = client.post(TWO_FACTOR, headers=_bearer(pair)).get_json()["secret"]
    second = client.post(TWO_FACTOR, headers=_bearer(pair)).get_json()["secret"]
    assert first != second
    stale = client.post(CONFIRM, json={"code": _code(first, held_clock.now)}, headers=_bearer(pair))
    assert stale.status_code == 401
    fresh = client.post(
        CONFIRM, json={"code": _code(second, held_clock.now)}, headers=_bearer(pair)
    )
    assert fresh.status_code == 200


def test_demo_accounts_cannot_turn_it_on(app: Flask, client: FlaskClient) -> None:
    from backend.accounts.service import start_session

    demo = UserFactory(is_demo=True)
    pair = start_session(db.session, demo, config=app.extensions["relais_config"])
    db.session.commit()
    answer = client.post(TWO_FACTOR, headers=_bearer(dataclasses.asdict(pair)))
    assert answer.status_code == 403
    assert "démonstration" in answer.get_json()["detail"]


def test_bad_input_is_a_clear_422(client: FlaskClient) -> None:
    pair = login(client, UserFactory().email)
    answer = client.post(CONFIRM, json={"code": "1" * 40}, headers=_bearer(pair))
    assert answer.status_code == 422
    assert answer.get_json()["invalid_params"][0]["name"] == "code"
    assert _login(client, "x@example.fr", "1" * 40).status_code == 422


def test_confirming_codes_is_rate_limited_too(client: FlaskClient, held_clock: Clock) -> None:
    pair = login(client, UserFactory().email)
    client.post(TWO_FACTOR, headers=_bearer(pair))
    answers = [
        client.post(CONFIRM, json={"code": f"{n:06d}"}, headers=_bearer(pair)).status_code
        for n in range(11)
    ]
    assert answers == [401] * 10 + [429]  # LOGIN_RATE_LIMIT: 10 per minute
