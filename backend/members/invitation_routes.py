"""Invitations: sent, listed and revoked by a structure's main managers; accepted from the
e-mailed link with an existing account or a new one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app, g, request
from flask.views import MethodView
from sqlalchemy import select

from backend.accounts.auth import auth_required, current_user, forget_users
from backend.accounts.guard import require
from backend.accounts.models import Membership, Role, User
from backend.accounts.passwords import WeakPassword
from backend.accounts.roles import ROLE_NAMES, Action, reserved_to
from backend.accounts.security import hash_password
from backend.accounts.settings import current_settings, current_time
from backend.accounts.signup import check_password
from backend.api import Blueprint, abort
from backend.db import current_session, db
from backend.extensions import limiter
from backend.members import invitations, letters
from backend.members.member_routes import send, settings
from backend.members.problems import refuse
from backend.members.schemas import (
    InvitationIn,
    InvitationOut,
    InvitationPreviewOut,
    InvitationSignUpIn,
    InvitationsOut,
    JoinedOut,
)
from backend.schemas import TokenIn

blp = Blueprint(
    "invitations",
    __name__,
    url_prefix="/api/v1",
    description="Invitations à rejoindre une structure",
)

BAD_LINK = (
    "Lien invalide, expiré ou annulé (urn:relais:problem:invitation-invalid, -expired, -revoked)"
)
USED = "Invitation déjà acceptée (urn:relais:problem:invitation-used)"


def _config() -> Any:
    return current_app.extensions["relais_config"]


def _invitation_limit() -> str:
    return str(_config().invitation_rate_limit)


def _link_limit() -> str:
    return str(_config().account_link_rate_limit)


def _account_limit() -> str:
    return str(_config().account_rate_limit)


def _per_structure() -> str:
    return f"invite:{(request.view_args or {}).get('structure_id')}"


def _joined(membership: Membership, user: User) -> dict[str, Any]:
    structure = membership.structure
    role = ROLE_NAMES[membership.role].lower()
    message = f"Bienvenue : vous avez rejoint {structure.name} avec le rôle « {role} »."
    return {
        "message": message,
        "email": user.email,
        "structure": structure,
        "role": membership.role,
    }


@blp.route("/structures/<int:structure_id>/invitations")
class Invitations(MethodView):
    # Counted before the login is checked: a request that began writing holds SQLite's lock,
    # which the counters' own connection would wait for.
    decorators = [
        auth_required,
        limiter.limit(_invitation_limit, key_func=_per_structure, methods=["POST"]),
        limiter.limit(_invitation_limit, methods=["POST"]),
    ]

    @blp.response(200, InvitationsOut)
    @blp.problem(403, reserved_to(Action.INVITE))
    @blp.problem(404, "Structure introuvable ou hors de vos structures")
    def get(self, structure_id: int) -> dict[str, Any]:
        """Les invitations en attente : ni acceptées, ni annulées, ni expirées."""
        require(structure_id, Action.INVITE)
        return {"items": invitations.pending(current_session(), structure_id, current_time())}

    @blp.arguments(InvitationIn)
    @blp.response(201, InvitationOut)
    @blp.problem(403, reserved_to(Action.INVITE))
    @blp.problem(404, "Structure introuvable ou hors de vos structures")
    @blp.problem(409, "Cette adresse est déjà celle d'un membre")
    @blp.problem(422, "Adresse ou rôle invalide, ou services qui ne sont pas ceux de la structure")
    @blp.problem(429, "Trop d'invitations envoyées")
    def post(self, body: dict[str, Any], structure_id: int) -> Any:
        """Inviter une adresse e-mail avec un rôle et, au besoin, des services : un e-mail part
        avec le lien ; une invitation précédente de la même adresse est annulée."""
        require(structure_id, Action.INVITE)
        now, config = current_time(), _config()
        try:
            invitation, token = invitations.invite(
                current_session(), actor_id=g.user_id, structure_id=structure_id,
                email=body["email"], role=Role(body["role"]), service_ids=body["service_ids"],
                lifetime=dt.timedelta(hours=config.invitation_hours), now=now,
            )  # fmt: skip
        except invitations.MembersError as exc:
            refuse(exc)
        letter = letters.invitation(
            settings(), to=invitation.email, inviter=current_user().full_name,
            structure=invitation.structure, role=invitation.role,
            services=list(invitation.services), token=token, expires_at=invitation.expires_at,
        )  # fmt: skip
        db.session.commit()
        send([letter])
        return invitation


@blp.route("/structures/<int:structure_id>/invitations/<int:invitation_id>")
class InvitationItem(MethodView):
    decorators = [auth_required]

    @blp.response(204)
    @blp.problem(403, reserved_to(Action.INVITE))
    @blp.problem(404, "Structure ou invitation en attente introuvable")
    def delete(self, structure_id: int, invitation_id: int) -> None:
        """Annuler une invitation en attente : son lien ne fonctionne plus."""
        require(structure_id, Action.INVITE)
        try:
            invitations.revoke(
                current_session(), actor_id=g.user_id, structure_id=structure_id,
                invitation_id=invitation_id, now=current_time(),
            )  # fmt: skip
        except invitations.MembersError as exc:
            refuse(exc)
        db.session.commit()


@blp.route("/invitations/preview")
class PreviewInvitation(MethodView):
    decorators = [limiter.limit(_link_limit)]

    @blp.doc(security=[])
    @blp.arguments(TokenIn)
    @blp.response(200, InvitationPreviewOut)
    @blp.problem(400, BAD_LINK)
    @blp.problem(409, USED)
    @blp.problem(429, "Trop de tentatives")
    def post(self, body: dict[str, Any]) -> Any:
        """Ce qu'offre une invitation, lue avec le jeton de son lien (sans l'accepter)."""
        session = current_session()
        try:
            invitation = invitations.find(session, body["token"], current_time())
        except invitations.MembersError as exc:
            refuse(exc)
        exists = session.scalar(select(User.id).where(User.email == invitation.email))
        return {
            "email": invitation.email,
            "structure": invitation.structure,
            "role": invitation.role,
            "services": invitation.services,
            "invited_by": invitation.invited_by,
            "expires_at": invitation.expires_at,
            "account_exists": exists is not None,
        }


@blp.route("/invitations/accept")
class AcceptInvitation(MethodView):
    decorators = [auth_required, limiter.limit(_link_limit)]

    @blp.arguments(TokenIn)
    @blp.response(200, JoinedOut)
    @blp.problem(400, BAD_LINK)
    @blp.problem(403, "Invitation envoyée à une autre adresse que celle du compte connecté")
    @blp.problem(409, USED + " ; ou vous êtes déjà membre de la structure")
    @blp.problem(429, "Trop de tentatives")
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Accepter une invitation avec le compte connecté (celui de l'adresse invitée)."""
        user = current_user()
        try:
            membership = invitations.accept(
                current_session(), token=body["token"], user=user, now=current_time()
            )
        except invitations.MembersError as exc:
            db.session.rollback()
            refuse(exc)
        answer = _joined(membership, user)
        _commit_joined(user.id)
        return answer


@blp.route("/invitations/sign-up")
class SignUpFromInvitation(MethodView):
    decorators = [limiter.limit(_link_limit), limiter.limit(_account_limit)]

    @blp.doc(security=[])
    @blp.arguments(InvitationSignUpIn)
    @blp.response(201, JoinedOut)
    @blp.problem(400, BAD_LINK)
    @blp.problem(409, USED + " ; ou un compte existe déjà pour l'adresse invitée")
    @blp.problem(422, "Nom invalide ou mot de passe trop faible")
    @blp.problem(429, "Trop de tentatives")
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Créer son compte depuis une invitation (le lien prouve l'adresse) et rejoindre la
        structure : il n'y a pas d'e-mail de confirmation à attendre."""
        session, now = current_session(), current_time()
        try:
            email = invitations.find(session, body["token"], now).email
            check_password(current_settings(), body["password"], email, body["full_name"])
            membership = invitations.sign_up(
                session, token=body["token"], full_name=body["full_name"],
                password_hash=hash_password(body["password"]), now=now,
            )  # fmt: skip
        except WeakPassword as exc:
            abort(422, messages={"json": {"password": [str(exc)]}})
        except invitations.MembersError as exc:
            db.session.rollback()
            refuse(exc)
        answer = _joined(membership, membership.user)
        answer["message"] += (
            " Connectez-vous dans l'application avec votre adresse et ce mot de passe."
        )
        _commit_joined(membership.user_id)
        return answer


def _commit_joined(user_id: int) -> None:
    db.session.commit()
    forget_users(user_id)
