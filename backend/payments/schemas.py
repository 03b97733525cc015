"""The payment block of an invoice, summary totals, the claim letter and the admin bodies."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate

from backend.schemas import OutputSchema, QuerySchema

STATES = [
    "credit_note",
    "rejected",
    "not_started",
    "running",
    "suspended",
    "late",
    "paid",
    "paid_on_time",
    "paid_late",
]


def _money(**kwargs: Any) -> fields.Decimal:
    return fields.Decimal(as_string=True, places=2, **kwargs)


def _rate(**kwargs: Any) -> fields.Decimal:
    return fields.Decimal(as_string=True, places=2, **kwargs)


class CategoryOut(OutputSchema):
    code = fields.String(required=True)
    days = fields.Integer(required=True)
    label = fields.String(required=True)
    legal_reference = fields.String(required=True)


class SuspensionOut(OutputSchema):
    start = fields.Date(required=True)
    end = fields.Date(allow_none=True, required=True)
    days = fields.Integer(required=True)


class InterestOut(OutputSchema):
    principal = _money(required=True)
    delay_start = fields.Date(required=True)
    end_date = fields.Date(required=True, metadata={"description": "Paiement, ou aujourd'hui"})
    days = fields.Integer(required=True)
    ecb_half_year_start = fields.Date(required=True)
    ecb_rate_percent = _rate(required=True)
    ecb_source = fields.String(required=True)
    rate_percent = _rate(required=True, metadata={"description": "Taux BCE + 8 points"})
    interest = _money(required=True)
    indemnity = _money(required=True)
    total = _money(required=True)
    final = fields.Boolean(required=True, metadata={"description": "Facture payée : définitif"})
    steps = fields.List(fields.String(), required=True)


class HabitsOut(OutputSchema):
    median_days = fields.Integer(required=True)
    p90_days = fields.Integer(required=True)
    observations = fields.Integer(required=True)
    suppliers = fields.Integer(required=True)
    sentence = fields.String(required=True)


class PaymentOut(OutputSchema):
    category = fields.Nested(CategoryOut, required=True)
    state = fields.String(required=True, validate=validate.OneOf(STATES))
    start_date = fields.Date(allow_none=True, required=True)
    suspensions = fields.List(fields.Nested(SuspensionOut), required=True)
    suspended_days = fields.Integer(required=True)
    due_date = fields.Date(allow_none=True, required=True)
    due_date_provisional = fields.Boolean(required=True)
    paid_on = fields.Date(allow_none=True, required=True)
    days_until_due = fields.Integer(allow_none=True, required=True)
    days_late = fields.Integer(required=True)
    payment_reported = fields.Boolean(required=True)
    interest = fields.Nested(InterestOut, allow_none=True, required=True)
    interest_problem = fields.String(allow_none=True, required=True)
    explanation = fields.List(fields.String(), required=True)
    habits = fields.Nested(HabitsOut, allow_none=True, required=True)
    claim_available = fields.Boolean(required=True)


class PaymentTotalsOut(OutputSchema):
    count = fields.Integer(required=True)
    amount_incl_tax = _money(required=True)


class InterestOwedOut(OutputSchema):
    count = fields.Integer(required=True)
    interest = _money(required=True)
    indemnity = _money(required=True)
    total = _money(required=True)


class ClaimArgs(QuerySchema):
    format = fields.String(load_default="pdf", validate=validate.OneOf(["pdf", "text"]))
