"""The person's login sessions: list them, end one, end all the others."""

from __future__ import annotations

from typing import Any

from flask import current_app, g
from flask.views import MethodView

from backend.accounts import sessions
from backend.accounts.account_schemas import RevokedOut, SessionListOut
from backend.accounts.auth import auth_required
from backend.accounts.settings import current_time
from backend.api import Blueprint, abort
from backend.db import current_session, db

blp = Blueprint("sessions", __name__, url_prefix="/api/v1", description="Sessions de connexion")


def _refresh_ttl() -> int:
    return int(current_app.extensions["relais_config"].refresh_token_ttl)


@blp.route("/me/sessions")
class MySessions(MethodView):
    @blp.response(200, SessionListOut)
    @auth_required
    def get(self) -> dict[str, Any]:
        """Mes sessions ouvertes : appareil, ouverture, dernière utilisation."""
        found = sessions.list_open(
            current_session(), g.user_id, g.session_id, now=current_time(),
            refresh_ttl=_refresh_ttl(),
        )  # fmt: skip
        return {"items": found}


@blp.route("/me/sessions/<int:session_id>")
class MySession(MethodView):
    @blp.response(204)
    @blp.problem(404, "Session inconnue, terminée ou d'un autre utilisateur")
    @auth_required
    def delete(self, session_id: int) -> None:
        """Fermer une de mes sessions : ses jetons ne fonctionnent plus."""
        ended = sessions.revoke_one(
            current_session(), g.user_id, session_id, now=current_time(),
            refresh_ttl=_refresh_ttl(),
        )  # fmt: skip
        if not ended:
            abort(404)
        db.session.commit()


@blp.route("/me/sessions/revoke-others")
class RevokeOtherSessions(MethodView):
    @blp.response(200, RevokedOut)
    @auth_required
    def post(self) -> dict[str, Any]:
        """Fermer toutes mes autres sessions ; celle-ci reste ouverte."""
        count = sessions.revoke_all(
            current_session(), g.user_id, keep=g.session_id, reason="revoked by its user"
        )
        db.session.commit()
        return {"revoked": count}
