"""A manager's view of the structure's sync with the portal."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from backend.accounts.auth import auth_required, current_scope
from backend.api import Blueprint, abort
from backend.db import current_session
from backend.sync.schemas import SyncStatusOut
from backend.sync.status import sync_status

blp = Blueprint(
    "sync", __name__, url_prefix="/api/v1", description="Synchronisation avec le portail"
)


@blp.route("/structures/<int:structure_id>/sync")
class StructureSync(MethodView):
    decorators = [auth_required]

    @blp.etag
    @blp.response(200, SyncStatusOut)
    @blp.alt_response(403, description="Réservé aux gestionnaires de la structure")
    @blp.alt_response(404, description="Structure introuvable ou hors de vos structures")
    def get(self, structure_id: int) -> dict[str, Any]:
        """État de la synchronisation : dernière réussite, dernière erreur et sa cause."""
        scope = current_scope()
        if scope.grant(structure_id) is None:
            abort(404)
        if not scope.is_manager_of(structure_id):
            abort(403, message="Seuls les gestionnaires de la structure voient sa synchronisation.")
        return sync_status(current_session(), structure_id)
