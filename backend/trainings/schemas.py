"""Request and response bodies of the training endpoints."""

from __future__ import annotations

import datetime as dt
from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from backend.schemas import InputSchema, OutputSchema, ParisDateTime, QuerySchema, Siret
from backend.trainings.models import Format, RegistrationState, SessionState
from backend.trainings.present import AUDIENCES

MAX_PART = dt.timedelta(hours=8)


class PartIn(InputSchema):
    starts_at = ParisDateTime(required=True)
    ends_at = ParisDateTime(required=True)

    @validates_schema
    def check_order(self, data: dict[str, Any], **kwargs: Any) -> None:
        length = data["ends_at"] - data["starts_at"]
        if length <= dt.timedelta(0):
            raise ValidationError("La fin doit suivre le début.", field_name="ends_at")
        if length > MAX_PART:
            raise ValidationError("Une séance dure au plus 8 heures.", field_name="ends_at")


_PARTS = {Format.WEBINAR.value: 1, Format.COACHING.value: 2}
PART_COUNT = {
    Format.WEBINAR.value: "Un webinaire compte une seule séance.",
    Format.COACHING.value: "Un accompagnement compte deux séances.",
}
SECOND_BEFORE_FIRST = "La séance 2 est datée avant la séance 1 : indiquez les séances dans l'ordre."
SECOND_OVERLAPS = "La séance 2 commence avant la fin de la séance 1."
_HTTPS = validate.URL(schemes={"https"}, error="Adresse web en https:// attendue.")


class TrainingPatchIn(InputSchema):
    title = fields.String(validate=validate.Length(min=3, max=200))
    format = fields.String(validate=validate.OneOf(list(_PARTS)))
    audiences = fields.List(
        fields.String(validate=validate.OneOf(list(AUDIENCES))), validate=validate.Length(max=10)
    )
    description = fields.String(
        validate=validate.Length(max=20_000), metadata={"description": "Markdown"}
    )
    trainer_id = fields.Integer(
        validate=validate.Range(min=1, max=2**53),
        metadata={"description": "Formateur (par défaut : vous)"},
    )
    capacity = fields.Integer(validate=validate.Range(min=1, max=1000))
    visio_url = fields.String(
        validate=[validate.Length(max=500), _HTTPS],
        metadata={
            "description": "Lien de la classe virtuelle, montré aux seuls inscrits confirmés"
        },
    )
    parts = fields.List(
        fields.Nested(PartIn),
        validate=validate.Length(min=1, max=2),
        metadata={"description": "Une séance (webinaire) ou deux (accompagnement)"},
    )

    @validates_schema(skip_on_field_errors=False)
    def check_parts(self, data: dict[str, Any], **kwargs: Any) -> None:
        """Run even when other fields are wrong, so that a form hears every error at once."""
        parts = data.get("parts") or []
        if "format" in data and len(parts) != _PARTS[data["format"]]:
            raise ValidationError(PART_COUNT[data["format"]], field_name="parts")
        dated = len(parts) == 2 and all("starts_at" in p and "ends_at" in p for p in parts)
        if dated and parts[1]["starts_at"] < parts[0]["ends_at"]:
            swapped = parts[1]["starts_at"] < parts[0]["starts_at"]
            reason = SECOND_BEFORE_FIRST if swapped else SECOND_OVERLAPS
            # Named on the second part's start: the form shows it beside that field.
            raise ValidationError({"1": {"starts_at": [reason]}}, field_name="parts")


class TrainingIn(TrainingPatchIn):
    title = fields.String(required=True, validate=validate.Length(min=3, max=200))
    format = fields.String(required=True, validate=validate.OneOf(list(_PARTS)))
    capacity = fields.Integer(required=True, validate=validate.Range(min=1, max=1000))
    parts = fields.List(
        fields.Nested(PartIn), required=True, validate=validate.Length(min=1, max=2)
    )


class TrainingListArgs(QuerySchema):
    month = fields.String(
        validate=validate.Regexp(
            r"^20\d\d-(0[1-9]|1[0-2])$", error="Mois attendu au format AAAA-MM."
        ),
        metadata={"description": "Mois (AAAA-MM, heure de Paris)"},
    )
    format = fields.String(validate=validate.OneOf(list(_PARTS)))
    audience = fields.String(validate=validate.OneOf(list(AUDIENCES)))


class ManageListArgs(QuerySchema):
    state = fields.String(validate=validate.OneOf([s.value for s in SessionState]))


class PartOut(OutputSchema):
    position = fields.Integer(required=True)
    starts_at = ParisDateTime(required=True)
    ends_at = ParisDateTime(required=True)


class AudienceOut(OutputSchema):
    code = fields.String(required=True)
    label = fields.String(required=True)


class TrainingOut(OutputSchema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    format = fields.String(required=True)
    format_label = fields.String(required=True)
    audiences = fields.List(fields.Nested(AudienceOut), required=True)
    description = fields.String(required=True, metadata={"description": "Markdown"})
    trainer_name = fields.String(required=True)
    starts_at = ParisDateTime(required=True)
    ends_at = ParisDateTime(required=True)
    parts = fields.List(fields.Nested(PartOut), required=True)
    capacity = fields.Integer(required=True)
    seats_left = fields.Integer(required=True)
    waiting_list_open = fields.Boolean(required=True)
    registration_open = fields.Boolean(required=True)
    state = fields.String(required=True)
    calendar_url = fields.String(required=True)


class TrainingListOut(OutputSchema):
    items = fields.List(fields.Nested(TrainingOut), required=True)


class ManagedTrainingOut(TrainingOut):
    trainer_id = fields.Integer(required=True)
    visio_url = fields.String(required=True)
    sequence = fields.Integer(required=True)
    confirmed = fields.Integer(required=True)
    pending = fields.Integer(required=True)
    waiting = fields.Integer(required=True)


class ManagedListOut(OutputSchema):
    items = fields.List(fields.Nested(ManagedTrainingOut), required=True)


class RegistrationIn(InputSchema):
    full_name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    email = fields.Email(required=True, validate=validate.Length(max=254))
    structure = fields.String(required=True, validate=validate.Length(min=2, max=200))
    siret = Siret(allow_none=True)
    consent = fields.Boolean(
        required=True,
        validate=validate.Equal(True, error="Votre accord est nécessaire pour vous inscrire."),
    )
    form_token = fields.String(
        required=True,
        validate=validate.Length(min=10, max=200),
        metadata={"description": "Jeton de GET /api/v1/forms/token, obtenu à l'affichage"},
    )
    website = fields.String(
        validate=validate.Length(max=200),
        metadata={"description": "Piège à robots : champ caché, toujours vide"},
    )


class AcceptedOut(OutputSchema):
    message = fields.String(required=True)


class FormTokenOut(OutputSchema):
    form_token = fields.String(required=True)
    min_seconds = fields.Float(required=True)


class OutcomeOut(OutputSchema):
    state = fields.String(
        required=True, validate=validate.OneOf([s.value for s in RegistrationState])
    )
    message = fields.String(required=True)
    waiting_rank = fields.Integer(allow_none=True)
    email_confirmed = fields.Boolean(
        required=True, metadata={"description": "L'adresse a été confirmée par le lien reçu"}
    )
    training = fields.Nested(TrainingOut, required=True)


class ParticipantOut(OutputSchema):
    id = fields.Integer(required=True)
    full_name = fields.String(required=True)
    email = fields.String(required=True)
    structure_name = fields.String(required=True)
    siret = fields.String(allow_none=True)
    state = fields.String(required=True)
    position = fields.Integer(required=True)
    created_at = ParisDateTime(required=True)
    email_confirmed_at = ParisDateTime(allow_none=True)
    attended = fields.Boolean(allow_none=True)


class ParticipantListOut(OutputSchema):
    items = fields.List(fields.Nested(ParticipantOut), required=True)


class AttendanceIn(InputSchema):
    attended = fields.Boolean(required=True, allow_none=True)
