"""Request and response bodies of devices, preferences, the inbox and dead letters."""

from __future__ import annotations

import datetime as dt
from typing import Any

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from backend.api import MAX_ID
from backend.push.devices import PLATFORMS
from backend.push.preferences import CATEGORIES, is_time_zone
from backend.schemas import InputSchema, OutputSchema, QuerySchema

ID_RANGE = validate.Range(min=1, max=MAX_ID)
HH_MM = validate.Regexp(
    r"^([01]\d|2[0-3]):[0-5]\d$", error="Heure invalide (format HH:MM attendu)."
)


def validate_time_zone(value: str) -> None:
    if not is_time_zone(value):
        raise ValidationError("Fuseau horaire inconnu (nom IANA attendu, par ex. Europe/Paris).")


def _time_zone(**kwargs: Any) -> fields.String:
    return fields.String(
        validate=[validate.Length(min=1, max=64), validate_time_zone],
        metadata={"description": "Fuseau horaire IANA, par ex. Europe/Paris"},
        **kwargs,
    )


class DeviceIn(InputSchema):
    token = fields.String(
        required=True,
        validate=[
            validate.Length(min=1, max=4096),
            validate.Regexp(r"^\S+$", error="Le jeton ne doit pas contenir d'espace."),
        ],
        metadata={"description": "Jeton d'enregistrement FCM ou identifiant d'installation"},
    )
    platform = fields.String(required=True, validate=validate.OneOf(PLATFORMS))
    locale = fields.String(
        validate=validate.Regexp(
            r"^[a-z]{2}(-[A-Z]{2})?$", error="Langue invalide (par ex. fr, fr-FR ou en)."
        )
    )
    time_zone = _time_zone()
    app_version = fields.String(validate=validate.Length(min=1, max=40))


class DeviceOut(OutputSchema):
    id = fields.Integer(required=True)
    platform = fields.String(required=True)
    locale = fields.String(required=True)
    time_zone = fields.String(required=True, allow_none=True)
    app_version = fields.String(required=True, allow_none=True)
    created_at = fields.DateTime(required=True)
    last_seen_at = fields.DateTime(required=True)
    current = fields.Boolean(
        required=True, metadata={"description": "Enregistré par la session de cette requête"}
    )


class QuietHoursIn(InputSchema):
    start = fields.String(required=True, validate=HH_MM, metadata={"example": "22:00"})
    end = fields.String(required=True, validate=HH_MM, metadata={"example": "07:00"})
    bypass_for_action_required = fields.Boolean(load_default=False)

    @validates_schema
    def check_span(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["start"] == data["end"]:
            raise ValidationError("Le début et la fin doivent différer.", field_name="end")

    @post_load
    def to_times(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        for key in ("start", "end"):
            data[key] = dt.time.fromisoformat(data[key])
        return data


class StructurePreferenceIn(InputSchema):
    structure_id = fields.Integer(required=True, validate=ID_RANGE)
    action_required = fields.Boolean()
    payment = fields.Boolean()
    every_change = fields.Boolean()
    # Accepted so the phone can send back what GET gave it; ignored.
    name = fields.String(load_only=True, metadata={"description": "Ignoré"})
    role = fields.String(load_only=True, metadata={"description": "Ignoré"})
    locked = fields.List(fields.String(), load_only=True, metadata={"description": "Ignoré"})


class PreferencesIn(InputSchema):
    time_zone = _time_zone()
    quiet_hours = fields.Nested(
        QuietHoursIn, allow_none=True, metadata={"description": "null : pas d'heures calmes"}
    )
    service_notices = fields.Boolean()
    structures = fields.List(
        fields.Nested(StructurePreferenceIn),
        validate=validate.Length(max=500),
        metadata={"description": "Les structures à modifier (les autres restent inchangées)"},
    )


class QuietHoursOut(OutputSchema):
    start = fields.String(required=True)
    end = fields.String(required=True)
    bypass_for_action_required = fields.Boolean(required=True)


class StructurePreferenceOut(OutputSchema):
    structure_id = fields.Integer(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True)
    action_required = fields.Boolean(required=True)
    payment = fields.Boolean(required=True)
    every_change = fields.Boolean(required=True)
    locked = fields.List(
        fields.String(validate=validate.OneOf(CATEGORIES)),
        required=True,
        metadata={"description": "Catégories que votre rôle ne permet pas de désactiver"},
    )


class PreferencesOut(OutputSchema):
    time_zone = fields.String(required=True)
    quiet_hours = fields.Nested(QuietHoursOut, required=True, allow_none=True)
    service_notices = fields.Boolean(required=True)
    structures = fields.List(fields.Nested(StructurePreferenceOut), required=True)


class InboxArgs(QuerySchema):
    unread = fields.Boolean(load_default=False, metadata={"description": "Non lues seulement"})
    limit = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))
    cursor = fields.String(validate=validate.Length(min=1, max=500))


class NotificationOut(OutputSchema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    category = fields.String(required=True)
    status_code = fields.String(required=True, allow_none=True)
    title = fields.String(required=True)
    body = fields.String(required=True)
    invoice_id = fields.Integer(required=True, allow_none=True)
    structure_id = fields.Integer(required=True, allow_none=True)
    created_at = fields.DateTime(required=True)
    read_at = fields.DateTime(required=True, allow_none=True)


class InboxOut(OutputSchema):
    items = fields.List(fields.Nested(NotificationOut), required=True)
    unread_count = fields.Integer(required=True)
    next_cursor = fields.String(required=True, allow_none=True)


class DeadLettersArgs(QuerySchema):
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class DeadLetterOut(OutputSchema):
    id = fields.Integer(required=True)
    notification_id = fields.Integer(required=True)
    title = fields.String(required=True)
    device_id = fields.Integer(required=True)
    platform = fields.String(required=True)
    token = fields.String(required=True, metadata={"description": "Jeton masqué"})
    device_active = fields.Boolean(required=True)
    attempts = fields.Integer(required=True)
    last_error = fields.String(required=True, allow_none=True)
    created_at = fields.DateTime(required=True)


class WebPushConfigOut(OutputSchema):
    enabled = fields.Boolean(
        required=True, metadata={"description": "Faux : pas de notification web, la boîte se relit"}
    )
    firebase = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        allow_none=True,
        metadata={"description": "Configuration de l'application web Firebase (initializeApp)"},
    )
    vapid_key = fields.String(
        required=True, allow_none=True, metadata={"description": "Clé publique VAPID (getToken)"}
    )
