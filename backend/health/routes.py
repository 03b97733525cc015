"""Liveness and readiness probes."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from flask.views import MethodView
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from backend.api import Blueprint, abort
from backend.db import db
from backend.health.schemas import HealthOut, ReadyOut

blp = Blueprint("health", __name__, description="Santé du service")


@blp.route("/healthz")
class Health(MethodView):
    @blp.doc(security=[])
    @blp.response(200, HealthOut)
    def get(self) -> Response:
        """Le processus répond."""
        # As HealthOut dumps it (tested): probes call it often, a dump per call buys nothing.
        return jsonify(status="ok")


@blp.route("/readyz")
class Ready(MethodView):
    @blp.doc(security=[])
    @blp.response(200, ReadyOut)
    @blp.problem(503, "Base de données injoignable")
    def get(self) -> dict[str, Any]:
        """La base de données répond."""
        try:
            db.session.execute(text("SELECT 1"))
        except SQLAlchemyError:
            db.session.rollback()
            abort(503)
        return {"status": "ok", "database": "ok"}
