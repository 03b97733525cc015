"""Bearer-token authentication of phone requests."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import jwt
from flask import current_app, g, request
from sqlalchemy import select

from backend import i18n
from backend.accounts.models import AuthSession, Membership, Structure, User, membership_services
from backend.accounts.scope import SCOPE_COLUMNS, SCOPE_ORDER, Scope, load_scope, scope_from_rows
from backend.accounts.security import decode_access_token
from backend.api import AUTH_MARKER, abort
from backend.db import current_session, db

F = TypeVar("F", bound=Callable[..., Any])
BEARER_SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}]


class Unauthorized(Exception):
    """Raised when a request carries no valid access token."""


def _authenticate() -> tuple[User, AuthSession, Scope]:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized(i18n.message("unauthorized"))
    try:
        claims = jwt_claims(token.strip())
        user_id, session_id = int(claims["sub"]), int(claims["sid"])
    except (jwt.InvalidTokenError, KeyError, ValueError, TypeError) as exc:
        raise Unauthorized(i18n.message("invalid_token")) from exc
    # One round trip: the login session, its user, and what the user may see.
    rows = db.session.execute(
        select(User, AuthSession, *SCOPE_COLUMNS)
        .join(AuthSession, AuthSession.user_id == User.id)
        .outerjoin(Membership, Membership.user_id == User.id)
        .outerjoin(Structure, Structure.id == Membership.structure_id)
        .outerjoin(membership_services, membership_services.c.membership_id == Membership.id)
        .where(AuthSession.id == session_id, User.id == user_id)
        .order_by(*SCOPE_ORDER)
    ).all()
    if not rows or rows[0][1].revoked_at is not None or not rows[0][0].active:
        raise Unauthorized(i18n.message("invalid_token"))
    user, auth_session = rows[0][0], rows[0][1]
    return user, auth_session, scope_from_rows(user.id, [tuple(r[2:]) for r in rows])


def jwt_claims(token: str) -> dict[str, Any]:
    return decode_access_token(token, current_app.config["SECRET_KEY"])


def auth_required(func: F) -> F:
    """Require a valid access token; expose the user as `g.user`."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            g.user, g.auth_session, g.scope = _authenticate()
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
