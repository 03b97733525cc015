"""What a manager sees of a structure's sync."""

from __future__ import annotations

from marshmallow import fields, validate

from backend.schemas import OutputSchema, QuerySchema


class SyncRunOut(OutputSchema):
    id = fields.Integer(required=True)
    started_at = fields.DateTime(required=True)
    finished_at = fields.DateTime(allow_none=True, required=True)
    status = fields.String(required=True, metadata={"enum": ["running", "ok", "partial", "failed"]})
    invoices_seen = fields.Integer(required=True)
    changes = fields.Integer(required=True)
    errors = fields.Integer(required=True)
    error = fields.String(allow_none=True, required=True)
    duration_ms = fields.Integer(allow_none=True, required=True)
    due_at = fields.DateTime(
        allow_none=True,
        required=True,
        metadata={"description": "Heure prévue : le retard du tour est started_at − due_at"},
    )


class TechnicalAccountOut(OutputSchema):
    login = fields.String(required=True)
    password_expires_on = fields.Date(allow_none=True, required=True)
    days_left = fields.Integer(allow_none=True, required=True)
    warning = fields.String(allow_none=True, required=True)


class SyncStatusOut(OutputSchema):
    structure_id = fields.Integer(required=True)
    state = fields.String(
        required=True,
        metadata={"enum": ["not_configured", "scheduled", "running", "ok", "failing"]},
    )
    invoices_stored = fields.Integer(
        required=True, metadata={"description": "Factures de la structure déjà dans Relais"}
    )
    configured = fields.Boolean(required=True)
    message = fields.String(required=True)
    late_seconds = fields.Integer(
        allow_none=True,
        required=True,
        metadata={
            "description": "Retard, quand la synchronisation attend depuis plus de deux "
            "intervalles (sinon null)"
        },
    )
    last_success_at = fields.DateTime(allow_none=True, required=True)
    last_error_at = fields.DateTime(allow_none=True, required=True)
    last_error = fields.String(allow_none=True, required=True)
    next_sync_at = fields.DateTime(allow_none=True, required=True)
    interval_seconds = fields.Integer(allow_none=True, required=True)
    running = fields.Boolean(required=True)
    technical_account = fields.Nested(TechnicalAccountOut, allow_none=True, required=True)
    recent_runs = fields.List(fields.Nested(SyncRunOut), required=True)


class FleetArgs(QuerySchema):
    minutes = fields.Integer(
        load_default=5,
        validate=validate.Range(min=1, max=60),
        metadata={"description": "Fenêtre observée, en minutes (1 à 60)"},
    )


class FleetSyncOut(OutputSchema):
    window_minutes = fields.Integer(required=True, metadata={"description": "Fenêtre observée"})
    runs = fields.Integer(
        required=True, metadata={"description": "Tours de synchronisation terminés dans la fenêtre"}
    )
    failed_runs = fields.Integer(required=True, metadata={"description": "Dont tours en échec"})
    runs_per_second = fields.Float(
        required=True, metadata={"description": "Tours terminés par seconde"}
    )
    portal_calls_per_second = fields.Float(
        required=True, metadata={"description": "Appels au portail par seconde (tours terminés)"}
    )
    lag_p50_seconds = fields.Float(
        allow_none=True,
        required=True,
        metadata={"description": "Retard médian au démarrage (started_at − due_at), en s"},
    )
    lag_p99_seconds = fields.Float(
        allow_none=True,
        required=True,
        metadata={"description": "Retard au 99e centile, en s (null : aucun tour commencé)"},
    )
    structures_due = fields.Integer(
        required=True, metadata={"description": "Structures dues qui attendent un processus"}
    )
    structures_late = fields.Integer(
        required=True, metadata={"description": "Dont en attente depuis plus de deux intervalles"}
    )
