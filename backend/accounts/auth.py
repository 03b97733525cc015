"""Bearer-token authentication of phone requests."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import jwt
from flask import current_app, g, request
from sqlalchemy import bindparam, select

from backend import i18n
from backend.accounts.authcache import AuthCache
from backend.accounts.models import AuthSession, Membership, Structure, User, membership_services
from backend.accounts.scope import SCOPE_COLUMNS, SCOPE_ORDER, Scope, scope_from_rows
from backend.accounts.security import decode_access_token
from backend.api import AUTH_MARKER, abort
from backend.db import current_session
from backend.db.direct import DirectSelect

F = TypeVar("F", bound=Callable[..., Any])
AUTH_CACHE_EXTENSION = "relais_auth_cache"
VERIFIED_EXTENSION = "relais_verified_tokens"


# One round trip: the login session, its user, and what the user may see. Built once: the
# statement is the same for every request, only its parameters change.
AUTH_QUERY = DirectSelect(
    select(User.active, AuthSession.revoked_at, *SCOPE_COLUMNS)
    .join(AuthSession, AuthSession.user_id == User.id)
    .outerjoin(Membership, Membership.user_id == User.id)
    .outerjoin(Structure, Structure.id == Membership.structure_id)
    .outerjoin(membership_services, membership_services.c.membership_id == Membership.id)
    .where(AuthSession.id == bindparam("session_id"), User.id == bindparam("user_id"))
    .order_by(*SCOPE_ORDER)
)


class Unauthorized(Exception):
    """Raised when a request carries no valid access token."""


def _authenticate() -> tuple[int, int, Scope]:
    """(user id, login session id, scope) of the request's bearer token."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized(i18n.message("unauthorized"))
    try:
        claims = jwt_claims(token.strip())
        user_id, session_id = int(claims["sub"]), int(claims["sid"])
    except (jwt.InvalidTokenError, KeyError, ValueError, TypeError) as exc:
        raise Unauthorized(i18n.message("invalid_token")) from exc
    # Reads may trust the worker's cache, which PostgreSQL keeps fresh; writes never do.
    cache = auth_cache() if request.method in ("GET", "HEAD") else None
    if cache is not None:
        scope = cache.lookup(session_id, user_id)
        if scope is not None:
            return user_id, session_id, scope
        generation = cache.begin()
    params = {"session_id": session_id, "user_id": user_id}
    rows = AUTH_QUERY.rows(current_session(), params)
    if not rows or rows[0][1] is not None or not rows[0][0]:
        raise Unauthorized(i18n.message("invalid_token"))
    scope = scope_from_rows(user_id, [tuple(r[2:]) for r in rows])
    if cache is not None:
        cache.store(generation, session_id, scope)
    return user_id, session_id, scope


def auth_cache() -> AuthCache | None:
    """This application's authentication cache; None on SQLite or when switched off."""
    extensions = current_app.extensions
    if AUTH_CACHE_EXTENSION not in extensions:
        config = extensions["relais_config"]
        # Its listener starts on first use: in each worker, once the web server started it.
        wanted = config.auth_cache and config.is_postgresql
        made = AuthCache(config.database_url) if wanted else None
        extensions.setdefault(AUTH_CACHE_EXTENSION, made)
    cache: AuthCache | None = extensions[AUTH_CACHE_EXTENSION]
    return cache


def forget_users(*user_ids: int) -> None:
    """This worker's cache drops these users' scopes now, after a committed change to their
    memberships: their next request here reads the database. Other workers hear the same
    change from PostgreSQL (migration 0008's `u:` notification)."""
    cache = auth_cache()
    if cache is None:
        return
    for user_id in user_ids:
        cache.apply(f"u:{user_id}")


class VerifiedTokens:
    """Access tokens whose signature this worker checked, with their claims (bounded)."""

    def __init__(self, secret: str, size: int = 20_000) -> None:
        self.secret = secret
        self.size = size
        self._claims: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def claims(self, token: str) -> dict[str, Any]:
        with self._lock:
            known = self._claims.get(token)
        if known is not None:
            if known["exp"] <= time.time():
                raise jwt.ExpiredSignatureError("Signature has expired")
            return known
        claims = decode_access_token(token, self.secret)
        with self._lock:
            self._claims[token] = claims
            if len(self._claims) > self.size:
                self._claims.popitem(last=False)
        return claims


def jwt_claims(token: str) -> dict[str, Any]:
    """The claims of a valid access token, its signature checked once per worker.

    A phone sends the same token for its whole life (minutes): later requests only check
    its expiry again. Revocation is the login session's business, checked on every request.
    """
    extensions = current_app.extensions
    verified: VerifiedTokens | None = extensions.get(VERIFIED_EXTENSION)
    if verified is None:
        made = VerifiedTokens(current_app.config["SECRET_KEY"])
        verified = extensions.setdefault(VERIFIED_EXTENSION, made)
    assert verified is not None
    return verified.claims(token)


def auth_required(func: F) -> F:
    """Require a valid access token; expose the user as `g.user`."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            g.user_id, g.session_id, g.scope = _authenticate()
        except Unauthorized as exc:
            abort(401, message=str(exc), headers={"WWW-Authenticate": 'Bearer realm="relais"'})
        return func(*args, **kwargs)

    setattr(wrapper, AUTH_MARKER, True)
    return wrapper  # type: ignore[return-value]


# Also marks views that list it in a MethodView's `decorators`.
setattr(auth_required, AUTH_MARKER, True)


def current_user() -> User:
    """The authenticated user, loaded on first use."""
    if "user" not in g:
        g.user = current_session().get(User, g.user_id)
    user: User = g.user
    return user


def current_auth_session() -> AuthSession:
    """The request's login session, loaded on first use."""
    if "auth_session" not in g:
        g.auth_session = current_session().get(AuthSession, g.session_id)
    auth_session: AuthSession = g.auth_session
    return auth_session


def current_scope() -> Scope:
    """The current user's scope, read by `auth_required` with the login session."""
    scope: Scope = g.scope
    return scope
