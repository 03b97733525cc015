"""What the probes answer."""

from __future__ import annotations

from marshmallow import fields, validate

from backend.schemas import OutputSchema


class HealthOut(OutputSchema):
    status = fields.String(required=True, validate=validate.Equal("ok"))


class ReadyOut(HealthOut):
    database = fields.String(required=True, validate=validate.Equal("ok"))
