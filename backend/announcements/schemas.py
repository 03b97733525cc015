"""Bodies of the announcement and newsletter endpoints."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from backend.announcements.models import Category
from backend.schemas import InputSchema, OutputSchema, ParisDateTime

CATEGORIES = [c.value for c in Category]


class AnnouncementPatchIn(InputSchema):
    category = fields.String(validate=validate.OneOf(CATEGORIES))
    title = fields.String(validate=validate.Length(min=3, max=200))
    body = fields.String(validate=validate.Length(max=10_000), metadata={"description": "Markdown"})
    published_at = ParisDateTime(
        metadata={"description": "Visible à partir de (défaut : maintenant)"}
    )
    expires_at = ParisDateTime(allow_none=True)
    window_starts_at = ParisDateTime(allow_none=True, metadata={"description": "Maintenance"})
    window_ends_at = ParisDateTime(allow_none=True, metadata={"description": "Maintenance"})

    @validates_schema
    def check_window(self, data: dict[str, Any], **kwargs: Any) -> None:
        start, end = data.get("window_starts_at"), data.get("window_ends_at")
        if start is not None and end is not None and end <= start:
            raise ValidationError("La fin de la fenêtre doit suivre son début.", "window_ends_at")
        if data.get("category") == Category.MAINTENANCE and (start is None or end is None):
            missing = "window_starts_at" if start is None else "window_ends_at"
            raise ValidationError("Obligatoire pour une maintenance.", field_name=missing)


class AnnouncementIn(AnnouncementPatchIn):
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    title = fields.String(required=True, validate=validate.Length(min=3, max=200))


class AnnouncementOut(OutputSchema):
    id = fields.Integer(required=True)
    category = fields.String(required=True)
    category_label = fields.String(required=True)
    title = fields.String(required=True)
    body = fields.String(required=True)
    published_at = ParisDateTime(required=True)
    expires_at = ParisDateTime(allow_none=True)
    window_starts_at = ParisDateTime(allow_none=True)
    window_ends_at = ParisDateTime(allow_none=True)
    in_progress = fields.Boolean(
        required=True, metadata={"description": "Vrai pendant la fenêtre de maintenance"}
    )


class AnnouncementListOut(OutputSchema):
    items = fields.List(fields.Nested(AnnouncementOut), required=True)


class SubscriptionIn(InputSchema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    consent = fields.Boolean(
        required=True,
        validate=validate.Equal(True, error="Votre accord est nécessaire pour vous abonner."),
    )
    form_token = fields.String(required=True, validate=validate.Length(min=10, max=200))
    website = fields.String(validate=validate.Length(max=200))


class NewsletterOut(OutputSchema):
    message = fields.String(required=True)
