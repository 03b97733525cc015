"""Authentication and the current user."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import current_app, request
from flask.views import MethodView
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from backend import i18n
from backend.accounts import service, twofactor
from backend.accounts.account_schemas import ProfileIn
from backend.accounts.auth import auth_required, current_auth_session, current_user
from backend.accounts.models import Membership, Role, User
from backend.accounts.roles import ROLE_NAMES, Action, may
from backend.accounts.schemas import LoginIn, MeOut, RefreshIn, TokenPairOut
from backend.accounts.settings import current_time
from backend.accounts.twofactor_routes import REQUIRED, policy, refuse_code
from backend.api import Blueprint, abort
from backend.db import current_session, db
from backend.extensions import limiter
from backend.ratelimits.keys import email_key

blp = Blueprint("auth", __name__, url_prefix="/api/v1", description="Connexion et compte")

# French names from the roles table; English ones for an English-speaking phone.
ROLE_LABELS = {
    Role.MAIN_MANAGER: (ROLE_NAMES[Role.MAIN_MANAGER], "Main manager"),
    Role.MANAGER: (ROLE_NAMES[Role.MANAGER], "Manager"),
    Role.USER: (ROLE_NAMES[Role.USER], "User"),
}


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


@blp.route("/auth/login")
class Login(MethodView):
    decorators = [
        limiter.limit(_login_limit, key_func=email_key("login")),
        limiter.limit(_login_limit),
    ]

    @blp.doc(security=[])
    @blp.arguments(LoginIn)
    @blp.response(200, TokenPairOut)
    @blp.problem(
        401,
        "Identifiants incorrects ; ou, si la double authentification est activée, code "
        "manquant (type urn:relais:problem:two-factor-required) ou incorrect "
        "(urn:relais:problem:two-factor-invalid)",
    )
    @blp.problem(
        429,
        "Trop de tentatives ; ou trop de codes incorrects : connexion bloquée un moment "
        "(urn:relais:problem:two-factor-locked, en-tête Retry-After)",
    )
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Se connecter : jetons d'accès et de rafraîchissement.

        Avec la double authentification, le mot de passe seul reçoit un 401 de type
        `urn:relais:problem:two-factor-required` : renvoyer la demande avec `otp`."""
        config = current_app.extensions["relais_config"]
        user = service.authenticate(
            current_session(), body["email"], body["password"], config=config
        )
        if user is None:
            abort(401, message=i18n.message("invalid_credentials"))
        factor = twofactor.enabled(current_session(), user.id)
        if factor is not None:
            if not body.get("otp"):
                db.session.commit()  # a rehashed password is kept
                abort(401, message=i18n.message("two_factor_required"), type=REQUIRED)
            try:
                twofactor.check(
                    current_session(), factor, body["otp"], config.credentials_key, policy(),
                    now=current_time(),
                )  # fmt: skip
            except (twofactor.InvalidCode, twofactor.Locked) as exc:
                refuse_code(exc)
        agent = request.headers.get("User-Agent")
        pair = service.start_session(
            current_session(), user, config=config, user_agent=agent, now=current_time()
        )
        db.session.commit()
        return asdict(pair)


@blp.route("/auth/refresh")
class Refresh(MethodView):
    @blp.doc(security=[])
    @blp.arguments(RefreshIn)
    @blp.response(200, TokenPairOut)
    @blp.problem(401, "Jeton invalide, expiré, déjà utilisé ou révoqué")
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Échanger un jeton de rafraîchissement contre une nouvelle paire (rotation)."""
        config = current_app.extensions["relais_config"]
        try:
            pair = service.rotate(
                current_session(), body["refresh_token"], config=config, now=current_time()
            )
        except service.InvalidRefreshToken:
            abort(401, message=i18n.message("invalid_token"))
        db.session.commit()
        return asdict(pair)


@blp.route("/auth/logout")
class Logout(MethodView):
    @blp.response(204)
    @auth_required
    def post(self) -> None:
        """Se déconnecter : la session et ses jetons sont révoqués, ses appareils désinscrits."""
        service.revoke(current_session(), current_auth_session())
        db.session.commit()


def _sole_member_of(user_id: int) -> set[int]:
    """The structures where this person is the only member (leaving them erases them)."""
    mine = select(Membership.structure_id).where(Membership.user_id == user_id)
    return set(
        db.session.scalars(
            select(Membership.structure_id)
            .where(Membership.structure_id.in_(mine.scalar_subquery()))
            .group_by(Membership.structure_id)
            .having(func.count(Membership.id) == 1)
        )
    )


@blp.route("/me")
class Me(MethodView):
    @blp.etag
    @blp.response(200, MeOut)
    @auth_required
    def get(self) -> dict[str, Any]:
        """L'utilisateur connecté, ses structures et ses rôles."""
        return _me(current_user())

    @blp.arguments(ProfileIn)
    @blp.response(200, MeOut)
    @blp.problem(403, "Compte de démonstration")
    @blp.problem(422, "Nom vide, sur plusieurs lignes ou trop long")
    @auth_required
    def patch(self, body: dict[str, Any]) -> dict[str, Any]:
        """Corriger mon nom (celui des e-mails et de la liste des membres de mes structures)."""
        user = current_user()
        if user.is_demo:
            abort(403, message="Le nom d'un compte de démonstration ne se change pas.")
        user.full_name = body["full_name"].strip()
        db.session.commit()
        return _me(user)


def _me(user: User) -> dict[str, Any]:
    """The person, their structures and what their role allows in each."""
    lang = i18n.locale()
    memberships = db.session.scalars(
        select(Membership)
        .where(Membership.user_id == user.id)
        .options(selectinload(Membership.structure), selectinload(Membership.services))
        .order_by(Membership.structure_id)
    ).all()
    alone = _sole_member_of(user.id)
    structures = [
        {
            "structure": m.structure,
            "role": m.role.value,
            "role_label": ROLE_LABELS[m.role][1 if lang == "en" else 0],
            "services": m.services or None,
            "actions": [action.value for action in Action if may(m.role, action)],
            "sole_member": m.structure_id in alone,
        }
        for m in memberships
    ]
    return {
        "id": user.id,
        "email": user.email,
        "full_name": user.full_name,
        "locale": user.locale,
        "is_admin": user.is_admin,
        "is_trainer": user.is_trainer,
        "structures": structures,
    }
