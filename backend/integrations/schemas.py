"""Bodies of the status-events ingestion endpoint."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate

from backend.invoices.models import InvoiceType
from backend.invoices.statuses import REFORM_TO_STATUS
from backend.schemas import AwareDateTime, Date, InputSchema, OutputSchema, Siret

MAX_ITEMS = 500
REFORM_CODES = sorted(REFORM_TO_STATUS)


class StatusCode(fields.Field):
    """A portal code (letters and underscores) or a reform lifecycle code (200–228, 501)."""

    default_error_messages = {
        "invalid": "Code de statut invalide : un code du portail (ex. MISE_A_DISPOSITION) "
        "ou un code du cycle de vie de la réforme (200 à 228, 501) est attendu."
    }

    def _deserialize(self, value: object, attr: str | None, data: object, **kwargs: object) -> str:
        if isinstance(value, bool):
            raise self.make_error("invalid")
        if isinstance(value, int) and value in REFORM_CODES:
            return str(value)
        if isinstance(value, str):
            text = value.strip()
            # isdecimal, not isdigit: "²" is a digit to Python but int() refuses it.
            if text.isascii() and text.isdecimal() and int(text) in REFORM_CODES:
                return text
            if 1 <= len(text) <= 60 and text.replace("_", "").isalnum() and text.isascii():
                return text.upper()
        raise self.make_error("invalid")


NAIVE_DATETIME = "Le fuseau horaire est obligatoire (ex. 2026-11-02T10:15:00+01:00)."


def _aware(value: object) -> None:
    if getattr(value, "tzinfo", None) is None:
        raise ValidationError(NAIVE_DATETIME)


def _money() -> fields.Decimal:
    return fields.Decimal(
        places=2, allow_none=True, validate=validate.Range(min=-(10**11), max=10**11)
    )


class InvoiceIn(InputSchema):
    portal_id = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=2**62)
    )
    number = fields.String(required=True, validate=validate.Length(min=1, max=60))
    structure_siret = Siret(required=True)
    recipient_siret = Siret(required=True)
    recipient_name = fields.String(validate=validate.Length(min=1, max=200))
    service_code = fields.String(validate=validate.Length(min=1, max=100))
    service_name = fields.String(validate=validate.Length(min=1, max=200))
    type = fields.String(validate=validate.OneOf([t.value for t in InvoiceType]))
    billing_framework = fields.String(validate=validate.Regexp(r"^A([1-9]|1[0-9]|2[0-5])$"))
    engagement_number = fields.String(validate=validate.Length(min=1, max=60))
    invoice_date = Date()
    deposit_date = Date()
    amount_excl_tax = _money()
    amount_incl_tax = _money()
    amount_to_pay = _money()
    deposit_mode = fields.String(validate=validate.Length(min=1, max=30))


class ChangeIn(InputSchema):
    code = StatusCode(required=True, metadata={"type": "string", "example": "MISE_A_DISPOSITION"})
    # Without a time zone the instant is ambiguous: say so in French, not marshmallow's English.
    occurred_at = AwareDateTime(
        required=True, validate=_aware, error_messages={"invalid_awareness": NAIVE_DATETIME}
    )
    comment = fields.String(allow_none=True, validate=validate.Length(max=2000))


class ItemIn(InputSchema):
    invoice = fields.Nested(InvoiceIn, required=True)
    changes = fields.List(
        fields.Nested(ChangeIn), load_default=list, validate=validate.Length(max=200)
    )


class StatusEventsIn(InputSchema):
    """The documented body; items are checked one by one so a bad one fails alone."""

    items = fields.List(
        fields.Nested(ItemIn), required=True, validate=validate.Length(min=1, max=MAX_ITEMS)
    )


class EnvelopeIn(InputSchema):
    items = fields.List(fields.Raw(), required=True, validate=validate.Length(min=1, max=MAX_ITEMS))


class ItemResultOut(OutputSchema):
    index = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"enum": ["ok", "error"]})
    invoice_id = fields.Integer(allow_none=True, required=True)
    created = fields.Boolean(required=True)
    recorded = fields.Integer(required=True, metadata={"description": "Changements nouveaux"})
    duplicates = fields.Integer(required=True, metadata={"description": "Changements déjà connus"})
    detail = fields.String(allow_none=True, required=True)
    invalid_params = fields.List(fields.Dict(), allow_none=True, required=True)


class StatusEventsOut(OutputSchema):
    accepted = fields.Integer(required=True)
    rejected = fields.Integer(required=True)
    results = fields.List(fields.Nested(ItemResultOut), required=True)
