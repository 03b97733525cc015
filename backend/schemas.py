"""Base schemas shared by every domain."""

from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields

from backend.accounts.siret import is_valid_siret
from backend.i18n import message


class InputSchema(Schema):
    """Request bodies: unknown fields are refused, not silently dropped."""

    class Meta:
        unknown = RAISE


class QuerySchema(Schema):
    """Query strings."""

    class Meta:
        unknown = RAISE


class OutputSchema(Schema):
    """Response bodies."""


def validate_siret(value: str) -> None:
    if not is_valid_siret(value):
        raise ValidationError(message("invalid_siret", "fr"))


class Siret(fields.String):
    """A SIRET, checked as the domain brief says."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(validate=validate_siret, **kwargs)  # type: ignore[arg-type]
