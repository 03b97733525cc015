"""The person's rights over their data: a copy of it, and the deletion of their account."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app, g
from flask.views import MethodView
from sqlalchemy.orm import Session

from backend import i18n
from backend.accounts.auth import auth_required, current_user
from backend.accounts.models import User
from backend.accounts.settings import current_settings, current_time
from backend.accounts.twofactor import InvalidCode, Locked
from backend.accounts.twofactor_routes import REQUIRED, policy, refuse_code
from backend.api import Blueprint, abort
from backend.db import current_session, db
from backend.extensions import limiter
from backend.mail import current_mailer, deliver
from backend.privacy import erasure, letters
from backend.privacy.export import export
from backend.privacy.schemas import DeleteAccountIn, DeletedOut, ExportOut
from backend.trainings.service import announce_promotions
from backend.trainings.settings import TrainingSettings

blp = Blueprint(
    "privacy", __name__, url_prefix="/api/v1",
    description="Mes données personnelles : copie et suppression du compte (RGPD)",
)  # fmt: skip

PROBLEM = "urn:relais:problem:"
DEMO_REFUSED = "Les comptes de démonstration sont partagés : ils ne peuvent pas être supprimés."
WRONG_PASSWORD = "Mot de passe incorrect."
DELETED = (
    "Votre compte est supprimé et vos données personnelles sont effacées. Un e-mail de "
    "confirmation vient d'être envoyé à votre adresse."
)
EXPORT_HEADERS = {
    "Content-Disposition": {
        "description": "Pièce jointe : relais-mes-donnees.json",
        "schema": {"type": "string"},
    },
    "Cache-Control": {
        "description": "no-store : jamais gardé en cache",
        "schema": {"type": "string"},
    },
}


def _config() -> Any:
    return current_app.extensions["relais_config"]


def _limit() -> str:
    return str(_config().login_rate_limit)


def _proven(session: Session, body: dict[str, Any], now: dt.datetime) -> User:
    """The account, locked, once its password (and 2FA code) prove the request; else abort."""
    try:
        return erasure.authorise(
            session, g.user_id, body["password"], body.get("code"),
            key=_config().credentials_key, policy=policy(), now=now,
        )  # fmt: skip
    except erasure.AccountGone:
        abort(401, message=i18n.message("invalid_token"))
    except erasure.DemoAccount:
        abort(403, message=DEMO_REFUSED)
    except erasure.WrongPassword:
        abort(422, messages={"json": {"password": [WRONG_PASSWORD]}})
    except erasure.CodeRequired:
        abort(401, message=i18n.message("two_factor_required"), type=REQUIRED)
    except (InvalidCode, Locked) as exc:
        refuse_code(exc)


def _erased(
    session: Session, user: User, now: dt.datetime, trainings: TrainingSettings
) -> erasure.Erased:
    """The account erased (not committed yet); a refusal leaves everything as it was."""
    try:
        with session.begin_nested():
            return erasure.erase(session, user, now=now, settings=trainings)
    except erasure.HandOverFirst as exc:
        db.session.commit()  # the 2FA code just used stays used
        abort(409, message=str(exc), type=PROBLEM + "handover-needed")
    except erasure.TrainerWithSessions as exc:
        db.session.commit()
        abort(409, message=str(exc), type=PROBLEM + "trainer-sessions")


@blp.route("/me/export")
class MyData(MethodView):
    @blp.response(200, ExportOut, headers=EXPORT_HEADERS)
    @auth_required
    def get(self) -> Any:
        """Télécharger mes données : tout ce que Relais conserve sur moi, en JSON.

        Les factures n'y figurent pas : ce sont les données des structures (nommées dans
        `memberships`). Aucun secret : ni mot de passe, ni jeton, ni secret TOTP."""
        data = export(current_session(), current_user(), now=current_time())
        headers = {
            "Content-Disposition": 'attachment; filename="relais-mes-donnees.json"',
            "Cache-Control": "private, no-store",
        }
        return data, 200, headers


@blp.route("/me")
class MyAccount(MethodView):
    decorators = [limiter.limit(_limit)]

    @blp.arguments(DeleteAccountIn)
    @blp.response(200, DeletedOut)
    @blp.problem(
        401,
        "Double authentification activée : code manquant (type "
        "urn:relais:problem:two-factor-required) ou incorrect "
        "(urn:relais:problem:two-factor-invalid)",
    )
    @blp.problem(403, "Compte de démonstration")
    @blp.problem(
        409,
        "Seul gestionnaire principal d'une structure qui a d'autres membres (type "
        "urn:relais:problem:handover-needed, structures nommées), ou formateur de sessions",
    )
    @blp.problem(422, "Mot de passe incorrect")
    @blp.problem(
        429,
        "Trop de tentatives ; ou trop de codes incorrects (urn:relais:problem:two-factor-locked)",
    )
    @auth_required
    def delete(self, body: dict[str, Any]) -> dict[str, Any]:
        """Supprimer mon compte : mot de passe (et code de double authentification) demandés.

        Mes données personnelles sont effacées ; je quitte mes structures (la dernière
        personne d'une structure l'emporte avec ses données ; les autres gardent leurs
        factures). Refusé tant que je suis le seul gestionnaire principal d'une structure
        qui a d'autres membres."""
        session, now = current_session(), current_time()
        user = _proven(session, body, now)
        trainings = TrainingSettings.from_config(_config())
        erased = _erased(session, user, now, trainings)
        db.session.commit()
        settings = current_settings()
        deliver(current_mailer(), settings.mail_from, letters.account_deleted(settings, erased))
        announce_promotions(current_mailer(), trainings, erased.promoted)
        return {
            "message": DELETED,
            "structures_left": erased.structures_left,
            "structures_erased": erased.structures_erased,
        }
