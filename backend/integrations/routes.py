"""Integration clients post invoice records and status changes (API key)."""

from __future__ import annotations

from flask_smorest import Blueprint as _B  # noqa: F401

from backend.api import Blueprint

blp = Blueprint("integrations", __name__, url_prefix="/api/v1", description="Intégrations")
