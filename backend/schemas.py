"""Base schemas shared by every domain."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate

from backend.i18n import message
from backend.siret import is_valid_siret
from backend.timeutil import PARIS

# C0 controls but tab, line feed and carriage return; DEL; lone UTF-16 surrogates (JSON's
# "\ud800" decodes to one, which no database can store). PostgreSQL refuses NUL in text
# (a DataError, so a 500) and SQLite cuts a LIKE pattern at it (`q=%00` matched everything).
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _has_control_characters(value: Any) -> bool:
    if isinstance(value, str):
        return CONTROL_CHARACTERS.search(value) is not None
    if isinstance(value, list | tuple):
        return any(_has_control_characters(item) for item in value)
    if isinstance(value, dict):
        return any(_has_control_characters(v) for pair in value.items() for v in pair)
    return False


def _holds_text(field: fields.Field) -> bool:
    """Whether the field's values are checked here (not by a nested schema or a later load)."""
    while isinstance(field, fields.List):
        field = field.inner
    return not isinstance(field, fields.Nested | fields.Raw)


class _CheckedSchema(Schema):
    """Every text a client sends is free of control characters, whatever the field.

    Nested schemas check their own fields; a raw field is checked by whoever loads it (the
    integration endpoint loads each item alone, so a bad item fails alone)."""

    class Meta:
        unknown = RAISE

    @pre_load
    def refuse_control_characters(self, data: Any, **_: Any) -> Any:
        if not hasattr(data, "get"):
            return data
        errors = {
            key: [message("control_characters", "fr")]
            for name, field in self.load_fields.items()
            if _holds_text(field)
            and _has_control_characters(data.get(key := field.data_key or name))
        }
        if errors:
            raise ValidationError(errors)
        return data


class InputSchema(_CheckedSchema):
    """Request bodies: unknown fields are refused, not silently dropped."""


class QuerySchema(_CheckedSchema):
    """Query strings."""


class OutputSchema(Schema):
    """Response bodies."""


def validate_siret(value: str) -> None:
    if not is_valid_siret(value):
        raise ValidationError(message("invalid_siret", "fr"))


class Siret(fields.String):
    """A SIRET, checked as the domain brief says."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(validate=validate_siret, **kwargs)  # type: ignore[arg-type]


# Dates Relais accepts from clients: the portal opened in 2017; beyond these years an
# addition of a few days overflows Python's dates (year 1 or 9999 gave a 500).
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


def check_year(value: dt.date) -> None:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValidationError(message("date_out_of_range", "fr"))


class Date(fields.Date):
    """A date sent by a client (body or query), within the years Relais handles."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> dt.date:
        parsed: dt.date = super()._deserialize(value, attr, data, **kwargs)
        check_year(parsed)
        return parsed


class AwareDateTime(fields.AwareDateTime):
    """A date and time with its offset, sent by a client, within the years Relais handles."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> dt.datetime:
        parsed: dt.datetime = super()._deserialize(value, attr, data, **kwargs)
        check_year(parsed)
        return parsed


class ParisDateTime(fields.DateTime):
    """ISO 8601; without an offset the time is read in Europe/Paris; shown in Paris time."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> dt.datetime:
        parsed = super()._deserialize(value, attr, data, **kwargs)
        check_year(parsed)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=PARIS)
        return parsed.astimezone(dt.UTC)

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else value.astimezone(PARIS).isoformat()


# The token of a link received by e-mail.
class TokenIn(InputSchema):
    token = fields.String(required=True, validate=validate.Length(min=10, max=300))
