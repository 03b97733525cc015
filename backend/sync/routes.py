"""A manager's view of the structure's sync with the portal."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from backend.accounts.auth import auth_required
from backend.accounts.guard import require
from backend.accounts.roles import Action, reserved_to
from backend.api import Blueprint
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
    @blp.alt_response(403, description=reserved_to(Action.SEE_SYNC))
    @blp.alt_response(404, description="Structure introuvable ou hors de vos structures")
    def get(self, structure_id: int) -> dict[str, Any]:
        """État de la synchronisation : dernière réussite, dernière erreur et sa cause."""
        require(structure_id, Action.SEE_SYNC)
        return sync_status(current_session(), structure_id)
