"""Query strings and bodies of the invoice endpoints."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from backend.accounts.schemas import ServiceOut
from backend.api import MAX_ID
from backend.i18n import message
from backend.invoices.statuses import Category
from backend.payments.queries import PAYMENT_FILTERS, SORTS
from backend.payments.schemas import InterestOwedOut, PaymentOut, PaymentTotalsOut
from backend.schemas import Date, OutputSchema, QuerySchema

CATEGORIES = [c.value for c in Category]
ID_RANGE = validate.Range(min=1, max=MAX_ID)


def _money(**kwargs: Any) -> fields.Decimal:
    return fields.Decimal(as_string=True, places=2, allow_none=True, **kwargs)


def _check_range(data: dict[str, Any], low: str, high: str) -> None:
    if data.get(low) is not None and data.get(high) is not None and data[low] > data[high]:
        raise ValidationError(message("range_order", "fr"), field_name=low)


class InvoiceFilterArgs(QuerySchema):
    status = fields.List(fields.String(validate=validate.Length(min=1, max=60)))
    category = fields.List(fields.String(validate=validate.OneOf(CATEGORIES)))
    structure_id = fields.List(fields.Integer(validate=ID_RANGE))
    recipient_id = fields.List(fields.Integer(validate=ID_RANGE))
    invoice_date_from = Date()
    invoice_date_to = Date()
    changed_from = Date(metadata={"description": "Changement de statut depuis (inclus)"})
    changed_to = Date(metadata={"description": "Changement de statut jusqu'au (inclus)"})
    amount_min = fields.Decimal(places=2, validate=validate.Range(min=0, max=10**12))
    amount_max = fields.Decimal(places=2, validate=validate.Range(min=0, max=10**12))
    q = fields.String(
        validate=validate.Length(min=1, max=100),
        metadata={"description": "Recherche dans le numéro et le nom du destinataire"},
    )
    payment = fields.String(
        validate=validate.OneOf(PAYMENT_FILTERS),
        metadata={"description": "late : non payées, délai dépassé ; paid_late : payées en retard"},
    )
    due_within = fields.Integer(
        validate=validate.Range(min=1, max=365),
        metadata={"description": "Non payées dont la date limite tombe dans les N jours"},
    )

    @validates_schema
    def check_ranges(self, data: dict[str, Any], **kwargs: Any) -> None:
        _check_range(data, "invoice_date_from", "invoice_date_to")
        _check_range(data, "changed_from", "changed_to")
        _check_range(data, "amount_min", "amount_max")


class InvoiceListArgs(InvoiceFilterArgs):
    limit = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))
    cursor = fields.String(validate=validate.Length(min=1, max=500))
    sort = fields.String(
        load_default="changed_at",
        validate=validate.OneOf(SORTS),
        metadata={"description": "changed_at (défaut) ou due_on : date limite la plus proche"},
    )


class RecipientOut(OutputSchema):
    id = fields.Integer(required=True)
    siret = fields.String(required=True)
    name = fields.String(required=True)


class StructureOut(OutputSchema):
    id = fields.Integer(required=True)
    siret = fields.String(required=True)
    name = fields.String(required=True)


class StatusOut(OutputSchema):
    code = fields.String(required=True)
    label = fields.String(required=True)
    known = fields.Boolean(required=True)
    category = fields.String(allow_none=True, required=True)
    category_label = fields.String(allow_none=True, required=True)
    lifecycle_code = fields.Integer(allow_none=True, required=True)
    action_required = fields.Boolean(required=True)
    final = fields.Boolean(required=True)


class CurrentStatusOut(StatusOut):
    comment = fields.String(allow_none=True, required=True)
    changed_at = fields.DateTime(required=True)


class AcknowledgementOut(OutputSchema):
    """On the portal, a rejected or suspended invoice raises a pop-up at login; after 7 days
    acknowledging it becomes mandatory. Not a legal deadline."""

    mandatory_from = fields.Date(
        required=True, metadata={"description": "Jour où l'acquittement devient obligatoire"}
    )
    days_until_mandatory = fields.Integer(required=True)
    mandatory = fields.Boolean(
        required=True, metadata={"description": "Le portail exige l'acquittement à la connexion"}
    )


class InvoiceOut(OutputSchema):
    id = fields.Integer(required=True)
    portal_id = fields.Integer(required=True)
    number = fields.String(required=True)
    type = fields.String(required=True)
    billing_framework = fields.String(required=True)
    structure_id = fields.Integer(required=True)
    recipient = fields.Nested(RecipientOut, required=True)
    service = fields.Nested(ServiceOut, allow_none=True, required=True)
    engagement_number = fields.String(allow_none=True, required=True)
    invoice_date = fields.Date(allow_none=True, required=True)
    deposit_date = fields.Date(allow_none=True, required=True)
    amount_excl_tax = _money(required=True)
    amount_incl_tax = _money(required=True)
    amount_to_pay = _money(required=True)
    currency = fields.String(required=True)
    deposit_mode = fields.String(allow_none=True, required=True)
    status = fields.Nested(CurrentStatusOut, required=True)
    acknowledgement = fields.Nested(
        AcknowledgementOut,
        allow_none=True,
        required=True,
        metadata={
            "description": "Délai de 7 jours pour prendre connaissance "
            "d'un rejet ou d'une suspension"
        },
    )
    due_on = fields.Date(
        allow_none=True,
        required=True,
        metadata={"description": "Date limite de paiement (absente : suspendue, non commencée)"},
    )
    late = fields.Boolean(required=True, metadata={"description": "Non payée, délai dépassé"})


class HistoryStepOut(StatusOut):
    occurred_at = fields.DateTime(required=True)
    comment = fields.String(allow_none=True, required=True)
    source = fields.String(required=True)
    explanation = fields.String(required=True)
    action = fields.String(allow_none=True, required=True)


class InvoiceDetailOut(InvoiceOut):
    structure = fields.Nested(StructureOut, required=True)
    explanation = fields.String(required=True)
    next_action = fields.String(allow_none=True, required=True)
    history = fields.List(fields.Nested(HistoryStepOut), required=True)
    payment = fields.Nested(PaymentOut, required=True)


class InvoicePageOut(OutputSchema):
    items = fields.List(fields.Nested(InvoiceOut), required=True)
    total = fields.Integer(required=True)
    limit = fields.Integer(required=True)
    next_cursor = fields.String(allow_none=True, required=True)
    prev_cursor = fields.String(allow_none=True, required=True)


class SummaryArgs(QuerySchema):
    structure_id = fields.List(fields.Integer(validate=ID_RANGE))


class DashboardArgs(SummaryArgs):
    changed_from = Date()
    changed_to = Date()

    @validates_schema
    def check_ranges(self, data: dict[str, Any], **kwargs: Any) -> None:
        _check_range(data, "changed_from", "changed_to")


class StatusCountOut(OutputSchema):
    code = fields.String(required=True)
    label = fields.String(required=True)
    category = fields.String(allow_none=True, required=True)
    count = fields.Integer(required=True)
    amount_incl_tax = _money(required=True)


class CategoryCountOut(OutputSchema):
    category = fields.String(required=True)
    label = fields.String(required=True)
    count = fields.Integer(required=True)
    amount_incl_tax = _money(required=True)


class ToAcknowledgeOut(OutputSchema):
    invoice_id = fields.Integer(required=True)
    number = fields.String(required=True)
    recipient_name = fields.String(required=True)
    status = fields.Nested(StatusOut, required=True)
    comment = fields.String(allow_none=True, required=True)
    changed_at = fields.DateTime(required=True)
    mandatory_from = fields.Date(required=True)
    days_until_mandatory = fields.Integer(required=True)
    mandatory = fields.Boolean(required=True)


class TotalsOut(OutputSchema):
    count = fields.Integer(required=True)
    amount_incl_tax = _money(required=True)


class SummaryOut(OutputSchema):
    todo = fields.List(fields.Nested(StatusCountOut), required=True)
    action_required = fields.Nested(TotalsOut, required=True)
    to_acknowledge = fields.List(fields.Nested(ToAcknowledgeOut), required=True)
    overdue = fields.Nested(PaymentTotalsOut, required=True)
    interest_owed = fields.Nested(InterestOwedOut, required=True)
    due_this_week = fields.Nested(PaymentTotalsOut, required=True)


class StructureCountOut(OutputSchema):
    structure_id = fields.Integer(required=True)
    name = fields.String(required=True)
    count = fields.Integer(required=True)
    amount_incl_tax = _money(required=True)
    by_category = fields.List(fields.Nested(CategoryCountOut), required=True)


class PeriodOut(OutputSchema):
    changed_from = fields.Date(allow_none=True, required=True)
    changed_to = fields.Date(allow_none=True, required=True)


class DashboardOut(OutputSchema):
    period = fields.Nested(PeriodOut, required=True)
    totals = fields.Nested(TotalsOut, required=True)
    by_status = fields.List(fields.Nested(StatusCountOut), required=True)
    by_category = fields.List(fields.Nested(CategoryCountOut), required=True)
    by_structure = fields.List(fields.Nested(StructureCountOut), required=True)
    overdue = fields.Nested(PaymentTotalsOut, required=True)
    interest_owed = fields.Nested(InterestOwedOut, required=True)
    due_this_week = fields.Nested(PaymentTotalsOut, required=True)
