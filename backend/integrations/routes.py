"""Integration clients post invoice records and status changes (API key)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app, request
from flask.views import MethodView
from marshmallow import ValidationError

from backend import i18n
from backend.api import Blueprint, abort, validation_problem
from backend.db import current_session
from backend.integrations import service
from backend.integrations.schemas import EnvelopeIn, StatusEventsIn, StatusEventsOut

blp = Blueprint("integrations", __name__, url_prefix="/api/v1", description="Intégrations")


@blp.route("/integrations/status-events")
class StatusEvents(MethodView):
    @blp.doc(
        security=[{"apiKey": []}],
        requestBody={"required": True, "content": {"application/json": {"schema": StatusEventsIn}}},
    )
    @blp.response(200, StatusEventsOut)
    @blp.problem(401, "Clé d'API absente, invalide ou révoquée")
    @blp.problem(422, "Enveloppe invalide (la liste items)")
    def post(self) -> Any:
        """Publier des factures et des changements de statut (idempotent, résultat par élément)."""
        api_key = service.find_api_key(current_session(), request.headers.get("X-API-Key", ""))
        if api_key is None:
            abort(401, message=i18n.message("unauthorized"))
        body = request.get_json(silent=True)
        try:
            envelope = EnvelopeIn().load(body if isinstance(body, dict) else {"items": None})
        except ValidationError as err:
            return validation_problem(422, {"json": err.messages})
        config = current_app.extensions["relais_config"]
        push_max_age = dt.timedelta(hours=config.push_max_age_hours)
        results = service.ingest(current_session(), api_key, envelope["items"], push_max_age)
        accepted = sum(1 for r in results if r.status == "ok")
        return {
            "accepted": accepted,
            "rejected": len(results) - accepted,
            "results": service.as_dicts(results),
        }
