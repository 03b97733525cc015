"""Bearer-token authentication of phone requests."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import jwt
from flask import current_app, g, request
from sqlalchemy import select

from backend import i18n
from backend.accounts.models import AuthSession, User
from backend.accounts.scope import Scope, load_scope
from backend.accounts.security import decode_access_token
from backend.api import AUTH_MARKER, abort
from backend.db import current_session, db

F = TypeVar("F", bound=Callable[..., Any])
BEARER_SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}]


class Unauthorized(Exception):
    """Raised when a request carries no valid access token."""


def _authenticate() -> tuple[User, AuthSession]:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized(i18n.message("unauthorized"))
    try:
        claims = jwt_claims(token.strip())
        user_id, session_id = int(claims["sub"]), int(claims["sid"])
    except (jwt.InvalidTokenError, KeyError, ValueError, TypeError) as exc:
        raise Unauthorized(i18n.message("invalid_token")) from exc
    row = db.session.execute(
        select(User, AuthSession)
        .join(AuthSession, AuthSession.user_id == User.id)
        .where(AuthSession.id == session_id, User.id == user_id)
    ).first()
    if row is None or row[1].revoked_at is not None or not row[0].active:
        raise Unauthorized(i18n.message("invalid_token"))
    return row[0], row[1]


def jwt_claims(token: str) -> dict[str, Any]:
    return decode_access_token(token, current_app.config["SECRET_KEY"])


def auth_required(func: F) -> F:
    """Require a valid access token; expose the user as `g.user`."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            g.user, g.auth_session = _authenticate()
        except Unauthorized as exc:
            abort(401, message=str(exc), headers={"WWW-Authenticate": 'Bearer realm="relais"'})
        return func(*args, **kwargs)

    setattr(wrapper, AUTH_MARKER, True)
    return wrapper  # type: ignore[return-value]


# Also marks views that list it in a MethodView's `decorators`.
setattr(auth_required, AUTH_MARKER, True)


def current_user() -> User:
    user: User = g.user
    return user


def current_scope() -> Scope:
    """The current user's scope, loaded once per request."""
    if "scope" not in g:
        g.scope = load_scope(current_session(), g.user.id)
    scope: Scope = g.scope
    return scope
