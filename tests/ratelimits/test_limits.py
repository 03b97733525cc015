"""Rate limits hold as documented with several workers, and their keys keep no address."""

from __future__ import annotations

import time
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from backend.db import db
from backend.ratelimits.models import RateLimitCounter
from backend.ratelimits.storage import prune
from tests.conftest import sibling_app

LOGIN = "/api/v1/auth/login"


def _attempt(client: FlaskClient, email: str = "x@example.fr", **kw: object) -> int:
    body = {"email": email, "password": "bad"}
    return client.post(LOGIN, json=body, **kw).status_code  # type: ignore[arg-type]


def test_the_login_limit_holds_across_two_workers(
    app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    """ "10 per minute" let 20 of 30 through with two workers keeping counts in memory."""
    with sibling_app(app, tmp_path) as other:
        second = other.test_client()
        statuses = [_attempt(client if n % 2 else second) for n in range(30)]
    assert statuses.count(401) == 10
    assert statuses.count(429) == 20


def test_keys_are_hashed_and_bounded(app_ctx: Flask, client: FlaskClient) -> None:
    long_address = "a" * 100_000 + "@example.fr"
    assert _attempt(client, long_address) == 422
    assert _attempt(client, "Claire.Lefevre@Example.fr ") == 401
    keys = list(db.session.scalars(select(RateLimitCounter.key)))
    assert keys and all(len(key) <= 255 for key in keys)
    assert not any("@" in key or "lefevre" in key.lower() for key in keys), keys


def test_client_addresses_are_kept_only_as_keyed_hashes(app: Flask, app_ctx: Flask) -> None:
    """Neither the address nor its plain SHA-256 (reversible over IPv4) is stored, nor the
    e-mail address's; two addresses get two keys, the same address the same key."""
    import hashlib

    client = app.test_client()
    for address in ("192.0.2.10", "192.0.2.10", "192.0.2.11"):
        _attempt(client, "ip@example.fr", environ_base={"REMOTE_ADDR": address})
    keys = " ".join(db.session.scalars(select(RateLimitCounter.key)))
    plain = hashlib.sha256(b"192.0.2.10").hexdigest()[:32]
    assert "192.0.2" not in keys and plain not in keys, keys
    assert hashlib.sha256(b"ip@example.fr").hexdigest()[:32] not in keys, keys
    hashed = {part for part in keys.replace("/", " ").split() if "ip:" in part}
    assert len({part.split("ip:")[1][:32] for part in hashed}) == 2, keys


def test_the_same_address_however_written_shares_its_limit(client: FlaskClient) -> None:
    spellings = ["claire@example.fr", "CLAIRE@example.fr", " Claire@Example.FR"]
    # Ten per minute per address: from three client addresses, so only the e-mail key counts.
    statuses = [
        _attempt(client, spellings[n % 3], environ_base={"REMOTE_ADDR": f"10.0.0.{n % 3}"})
        for n in range(12)
    ]
    assert statuses.count(401) == 10 and statuses[-2:] == [429, 429]


def test_without_trusted_proxies_a_forwarded_address_is_ignored(client: FlaskClient) -> None:
    statuses = [
        _attempt(client, f"u{n}@example.fr", headers={"X-Forwarded-For": f"203.0.113.{n}"})
        for n in range(12)
    ]
    assert statuses.count(429) == 2  # one client address, whatever the header says


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(
    app: Flask, app_ctx: Flask, tmp_path: Path
) -> None:
    with sibling_app(app, tmp_path, trusted_proxies=1) as proxied:
        client = proxied.test_client()
        statuses = [
            _attempt(client, f"u{n}@example.fr", headers={"X-Forwarded-For": f"203.0.113.{n}"})
            for n in range(12)
        ]
        assert statuses.count(429) == 0
        same = [
            _attempt(client, f"v{n}@example.fr", headers={"X-Forwarded-For": "198.51.100.7"})
            for n in range(11)
        ]
        assert same.count(429) == 1


def test_ended_windows_are_pruned(app_ctx: Flask, client: FlaskClient) -> None:
    _attempt(client)
    assert db.session.scalars(select(RateLimitCounter)).all()
    assert prune(db.session, time.time()) == 0  # windows still open stay
    assert prune(db.session, time.time() + 3 * 3600) >= 1
    db.session.commit()
    assert db.session.scalars(select(RateLimitCounter)).all() == []
