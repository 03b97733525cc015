"""A manager's view of the structure's sync with the portal; the administrators' view of
the whole fleet's."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from backend.accounts.auth import auth_required, current_user
from backend.accounts.guard import require
from backend.accounts.roles import Action, reserved_to
from backend.api import Blueprint, abort
from backend.db import current_session, utcnow
from backend.sync.fleet import fleet_figures
from backend.sync.schemas import FleetArgs, FleetSyncOut, SyncStatusOut
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


@blp.route("/admin/sync/fleet")
class FleetSync(MethodView):
    decorators = [auth_required]

    @blp.arguments(FleetArgs, location="query", as_kwargs=True)
    @blp.response(200, FleetSyncOut)
    @blp.problem(403, "Réservé aux administrateurs")
    def get(self, minutes: int) -> dict[str, Any]:
        """Synchronisation de toutes les structures (administrateurs).

        Sur les dernières minutes : retard des tours au démarrage (médiane et 99e centile,
        heure de début moins heure prévue), tours et appels au portail par seconde, structures
        dues qui attendent un processus et celles en retard de plus de deux intervalles.
        """
        if not current_user().is_admin:
            abort(403, message="Réservé aux administrateurs.")
        return fleet_figures(current_session(), utcnow(), minutes).as_dict()
