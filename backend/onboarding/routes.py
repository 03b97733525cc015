"""Adding a structure by proving its technical account; its portal connection; join requests."""

from __future__ import annotations

from typing import Any, NoReturn

from flask import current_app, g
from flask.views import MethodView

from backend.accounts.auth import auth_required, current_user
from backend.accounts.guard import require
from backend.accounts.models import Role, Structure
from backend.accounts.roles import Action, reserved_to
from backend.api import Blueprint, abort
from backend.config import Config
from backend.db import current_session, db
from backend.mail import Letter, current_mailer, deliver
from backend.onboarding import joins, service
from backend.onboarding.limits import proof_allowed
from backend.onboarding.proof import NotAttached, ProvenStructure, prove, retry_after
from backend.onboarding.schemas import (
    AddedOut,
    ConnectionIn,
    ConnectionOut,
    DecisionIn,
    JoinRequestOut,
    MyRequestsOut,
    PendingRequestsOut,
    StructureIn,
)
from backend.portal import (
    PortalError,
    PortalUnavailableError,
    StructureNotConnectedError,
    TechnicalAccountError,
    TechnicalPasswordExpiredError,
)
from backend.sync.models import SyncState

blp = Blueprint(
    "structures",
    __name__,
    url_prefix="/api/v1",
    description="Structures et connexion au portail",
)

PROBLEM = "urn:relais:problem:"
REFUSALS = (  # most precise first
    (TechnicalPasswordExpiredError, "technical-password-expired"),
    (StructureNotConnectedError, "structure-not-connected"),
    (TechnicalAccountError, "technical-account-refused"),
    (NotAttached, "technical-account-of-another-structure"),
)
UNAVAILABLE = (
    "Le portail Chorus Pro ne répond pas pour le moment ; rien n'a été enregistré. "
    "Réessayez dans quelques minutes."
)
PROOF_DOC = (
    "Compte technique refusé, mot de passe expiré, structure non raccordée en mode API ou "
    "compte d'une autre structure (le champ type les distingue)"
)
MESSAGES = {
    "created": "Structure ajoutée : vous en êtes le gestionnaire principal. La première "
    "synchronisation commence.",
    "joined": "Vous êtes désormais le gestionnaire principal de cette structure. La "
    "synchronisation reprend.",
    "requested": "Cette structure a déjà des membres dans Relais : votre demande d'accès est "
    "envoyée à ses gestionnaires principaux. Vous serez prévenu de leur réponse.",
}


def _config() -> Config:
    config: Config = current_app.extensions["relais_config"]
    return config


def _refuse(error: PortalError) -> NoReturn:
    """The portal's verdict as a problem: what is wrong, and what to do."""
    for kind, name in REFUSALS:
        if isinstance(error, kind):
            abort(422, message=error.message, type=PROBLEM + name)
    wait = retry_after(error) if isinstance(error, PortalUnavailableError) else 300
    headers = {"Retry-After": str(wait)}
    abort(503, message=UNAVAILABLE, type=PROBLEM + "portal-unavailable", headers=headers)


def _proven(siret: str, body: dict[str, Any]) -> ProvenStructure:
    """Ask the portal, with no transaction open (nor SQLite's write lock held meanwhile)."""
    config = _config()
    # Ends the request's transaction first: the counters are written on a connection of
    # their own, which SQLite's write lock, held by this request, would keep waiting.
    current_session().commit()
    wait = proof_allowed(config.portal_proof_rate_limit, siret)
    if wait is not None:
        message = "Trop de vérifications de comptes techniques : réessayez plus tard."
        abort(429, message=message, headers={"Retry-After": str(wait)})
    try:
        return prove(config, siret, body["login"], body["password"])
    except PortalError as exc:
        _refuse(exc)


def _credentials(body: dict[str, Any]) -> service.Credentials:
    return service.Credentials(body["login"], body["password"], body.get("password_expires_on"))


def _send(letters: list[Letter]) -> None:
    """After the commit: nobody is told of something that was rolled back."""
    for letter in letters:
        deliver(current_mailer(), _config().mail_from, letter)


@blp.route("/structures")
class Structures(MethodView):
    decorators = [auth_required]

    @blp.arguments(StructureIn)
    @blp.response(201, AddedOut)
    @blp.alt_response(202, schema=AddedOut, description="Demande d'accès envoyée")
    @blp.problem(409, "Vous êtes déjà membre de cette structure")
    @blp.problem(422, "SIRET invalide ; " + PROOF_DOC)
    @blp.problem(429, "Trop de vérifications auprès du portail")
    @blp.problem(503, "Portail indisponible : réessayer après le délai de Retry-After")
    def post(self, body: dict[str, Any]) -> Any:
        """Ajouter une structure : son compte technique est d'abord vérifié auprès du portail."""
        proven = _proven(body["siret"], body)
        try:
            outcome = service.add_structure(
                current_session(), current_user(), proven, _credentials(body), config=_config()
            )
        except service.AlreadyMember as exc:
            abort(409, message=str(exc), type=PROBLEM + "already-member")
        db.session.commit()
        _send(outcome.letters)
        answer = {
            "outcome": outcome.kind,
            "message": MESSAGES[outcome.kind],
            "structure": outcome.structure,
            "role": outcome.role.value if outcome.role else None,
            "join_request": outcome.join_request,
        }
        return answer, 202 if outcome.kind == "requested" else 201


@blp.route("/structures/<int:structure_id>/connection")
class StructureConnection(MethodView):
    decorators = [auth_required]

    @blp.arguments(ConnectionIn)
    @blp.response(200, ConnectionOut)
    @blp.problem(403, reserved_to(Action.UPDATE_TECHNICAL_ACCOUNT))
    @blp.problem(404, "Structure introuvable ou hors de vos structures")
    @blp.problem(422, PROOF_DOC)
    @blp.problem(429, "Trop de vérifications auprès du portail")
    @blp.problem(503, "Portail indisponible : réessayer après le délai de Retry-After")
    def put(self, body: dict[str, Any], structure_id: int) -> dict[str, Any]:
        """Changer le compte technique (mot de passe, expiration), vérifié auprès du portail."""
        require(structure_id, Action.UPDATE_TECHNICAL_ACCOUNT)
        structure = current_session().get(Structure, structure_id)
        assert structure is not None  # the grant's membership references it
        siret = structure.siret
        proven = _proven(siret, body)
        session = current_session()
        structure = session.get(Structure, structure_id)
        if structure is None:  # deleted while the portal answered
            abort(404)
        account = service.change_credentials(
            session, structure, proven, _credentials(body), config=_config()
        )
        state = session.get(SyncState, structure_id)
        db.session.commit()
        return {
            "structure": structure,
            "login": account.login,
            "password_expires_on": account.password_expires_on,
            "next_sync_at": state.next_sync_at if state else None,
            "message": "Compte technique vérifié et enregistré : la synchronisation reprend.",
        }

    @blp.response(204)
    @blp.problem(403, reserved_to(Action.DISCONNECT_STRUCTURE))
    @blp.problem(404, "Structure introuvable ou hors de vos structures")
    def delete(self, structure_id: int) -> None:
        """Déconnecter la structure : compte technique effacé, synchronisation arrêtée."""
        require(structure_id, Action.DISCONNECT_STRUCTURE)
        service.disconnect(current_session(), structure_id)
        db.session.commit()


@blp.route("/structures/<int:structure_id>/join-requests")
class StructureJoinRequests(MethodView):
    decorators = [auth_required]

    @blp.response(200, PendingRequestsOut)
    @blp.problem(403, reserved_to(Action.ANSWER_JOIN_REQUESTS))
    @blp.problem(404, "Structure introuvable ou hors de vos structures")
    def get(self, structure_id: int) -> dict[str, Any]:
        """Demandes d'accès en attente de réponse."""
        require(structure_id, Action.ANSWER_JOIN_REQUESTS)
        return {"items": joins.pending_requests(current_session(), structure_id)}


@blp.route("/me/join-requests")
class MyJoinRequests(MethodView):
    decorators = [auth_required]

    @blp.response(200, MyRequestsOut)
    def get(self) -> dict[str, Any]:
        """Mes demandes d'accès en attente de réponse (les structures que j'ai demandé à
        rejoindre)."""
        return {"items": joins.my_pending(current_session(), g.user_id)}


def _decide(structure_id: int, request_id: int, role: Role | None) -> Any:
    require(structure_id, Action.ANSWER_JOIN_REQUESTS)
    try:
        request, letters = joins.decide(
            current_session(), structure_id, request_id, g.user_id, role,
            base_url=_config().public_base_url,
        )  # fmt: skip
    except joins.RequestNotFound:
        abort(404, message="Demande d'accès introuvable.")
    except joins.AlreadyDecided as exc:
        abort(409, message=str(exc))
    db.session.commit()
    _send(letters)
    return request


@blp.route("/structures/<int:structure_id>/join-requests/<int:request_id>/approve")
class ApproveJoinRequest(MethodView):
    decorators = [auth_required]

    @blp.arguments(DecisionIn)
    @blp.response(200, JoinRequestOut)
    @blp.problem(403, reserved_to(Action.ANSWER_JOIN_REQUESTS))
    @blp.problem(404, "Structure ou demande introuvable")
    @blp.problem(409, "Demande déjà traitée")
    def post(self, body: dict[str, Any], structure_id: int, request_id: int) -> Any:
        """Accepter une demande d'accès, avec le rôle donné (utilisateur par défaut)."""
        return _decide(structure_id, request_id, Role(body["role"]))


@blp.route("/structures/<int:structure_id>/join-requests/<int:request_id>/refuse")
class RefuseJoinRequest(MethodView):
    decorators = [auth_required]

    @blp.response(200, JoinRequestOut)
    @blp.problem(403, reserved_to(Action.ANSWER_JOIN_REQUESTS))
    @blp.problem(404, "Structure ou demande introuvable")
    @blp.problem(409, "Demande déjà traitée")
    def post(self, structure_id: int, request_id: int) -> Any:
        """Refuser une demande d'accès ; la personne en est prévenue."""
        return _decide(structure_id, request_id, None)
