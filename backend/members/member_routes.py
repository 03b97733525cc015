"""A structure's members: the list, a member's role and services, removing one, leaving."""

from __future__ import annotations

from typing import Any

from flask import current_app, g
from flask.views import MethodView

from backend.accounts.auth import auth_required, forget_users
from backend.accounts.guard import require
from backend.accounts.models import Membership, Role, Structure, User
from backend.accounts.roles import Action, reserved_to
from backend.api import Blueprint
from backend.db import current_session, db
from backend.links import LinkSettings
from backend.mail import Letter, current_mailer, deliver
from backend.members import letters, service
from backend.members.problems import refuse
from backend.members.schemas import LeftOut, MemberChangeIn, MemberOut, MembersOut, ServicesOut
from backend.push.broadcast import notify_users

blp = Blueprint(
    "members", __name__, url_prefix="/api/v1", description="Membres d'une structure et rôles"
)

NOT_FOUND = "Structure introuvable ou hors de vos structures ; ou membre introuvable"
LAST_MAIN = "La structure garderait des membres sans gestionnaire principal"


def settings() -> LinkSettings:
    return LinkSettings.from_config(current_app.extensions["relais_config"])


def send(mail: list[Letter]) -> None:
    """After the commit: nobody is told of something that was rolled back."""
    for letter in mail:
        deliver(current_mailer(), settings().mail_from, letter)


def _commit(*user_ids: int) -> None:
    db.session.commit()
    forget_users(*user_ids)


@blp.route("/structures/<int:structure_id>/members")
class Members(MethodView):
    decorators = [auth_required]

    @blp.response(200, MembersOut)
    @blp.problem(403, reserved_to(Action.SEE_MEMBERS))
    @blp.problem(404, "Structure introuvable ou hors de vos structures")
    def get(self, structure_id: int) -> dict[str, Any]:
        """Les membres de la structure, leur rôle et leurs services."""
        require(structure_id, Action.SEE_MEMBERS)
        return {"items": service.members(current_session(), structure_id)}


@blp.route("/structures/<int:structure_id>/services")
class StructureServices(MethodView):
    decorators = [auth_required]

    @blp.response(200, ServicesOut)
    @blp.problem(403, reserved_to(Action.CHANGE_MEMBERS))
    @blp.problem(404, "Structure introuvable ou hors de vos structures")
    def get(self, structure_id: int) -> dict[str, Any]:
        """Les services destinataires des factures de la structure : ceux auxquels on peut
        restreindre un membre ou une invitation."""
        require(structure_id, Action.CHANGE_MEMBERS)
        return {"items": service.structure_services(current_session(), structure_id)}


def _told_of_change(membership: Membership, former: Role) -> Letter:
    """The member hears of it in the app and by e-mail."""
    structure, member = membership.structure, membership.user
    title = f"Votre rôle dans {structure.name} a changé"
    body = "Ce que vous voyez et pouvez faire dans la structure a changé."
    notify_users(current_session(), [member.id], title, body, structure.id)
    return letters.role_changed(
        settings(),
        to=member.email,
        structure=structure,
        former=former,
        role=membership.role,
        services=list(membership.services),
    )


@blp.route("/structures/<int:structure_id>/members/<int:user_id>")
class Member(MethodView):
    decorators = [auth_required]

    @blp.arguments(MemberChangeIn)
    @blp.response(200, MemberOut)
    @blp.problem(403, reserved_to(Action.CHANGE_MEMBERS))
    @blp.problem(404, NOT_FOUND)
    @blp.problem(409, LAST_MAIN)
    @blp.problem(422, "Rôle inconnu, ou services qui ne sont pas ceux de la structure")
    def patch(self, body: dict[str, Any], structure_id: int, user_id: int) -> Any:
        """Changer le rôle d'un membre, ses services, ou les deux ; il en est prévenu."""
        require(structure_id, Action.CHANGE_MEMBERS)
        session = current_session()
        role = Role(body["role"]) if "role" in body else None
        try:
            membership, former = service.change(
                session, actor_id=g.user_id, structure_id=structure_id, user_id=user_id,
                role=role, service_ids=body.get("service_ids"),
            )  # fmt: skip
        except service.MembersError as exc:
            refuse(exc)
        mail = []
        if user_id != g.user_id:
            mail.append(_told_of_change(membership, former))
        _commit(user_id)
        send(mail)
        return membership

    @blp.response(204)
    @blp.problem(403, reserved_to(Action.REMOVE_MEMBERS))
    @blp.problem(404, NOT_FOUND)
    @blp.problem(409, LAST_MAIN)
    def delete(self, structure_id: int, user_id: int) -> None:
        """Retirer un membre de la structure ; il en est prévenu par e-mail."""
        require(structure_id, Action.REMOVE_MEMBERS)
        session = current_session()
        member = session.get(User, user_id)
        structure = session.get(Structure, structure_id)
        try:
            service.remove(session, actor_id=g.user_id, structure_id=structure_id, user_id=user_id)
        except service.MembersError as exc:
            refuse(exc)
        mail = []
        if member is not None and structure is not None and user_id != g.user_id:
            mail.append(letters.removed(settings(), to=member.email, structure=structure))
        _commit(user_id)
        send(mail)


@blp.route("/structures/<int:structure_id>/leave")
class Leave(MethodView):
    decorators = [auth_required]

    @blp.response(200, LeftOut)
    @blp.problem(404, "Structure introuvable ou hors de vos structures")
    @blp.problem(409, "Vous êtes son seul gestionnaire principal : nommez-en un autre d'abord")
    def post(self, structure_id: int) -> dict[str, Any]:
        """Quitter la structure ; son dernier membre la supprime de Relais avec ses données."""
        require(structure_id, Action.LEAVE)
        try:
            departure = service.leave(
                current_session(), user_id=g.user_id, structure_id=structure_id
            )
        except service.MembersError as exc:
            refuse(exc)
        _commit(g.user_id)
        name = departure.structure_name
        if departure.erased:
            message = (
                f"Vous avez quitté {name}. Vous en étiez le dernier membre : son compte "
                "technique, ses factures et leur historique sont effacés de Relais."
            )
        else:
            message = f"Vous avez quitté {name} : vous ne voyez plus ses factures."
        return {"message": message, "erased": departure.erased}
