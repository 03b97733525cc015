"""The payment block of an invoice, summary totals, the claim letter and the admin bodies."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from backend.payments.service import CATEGORIES
from backend.schemas import Date, InputSchema, OutputSchema, QuerySchema

STATES = [
    "credit_note",
    "nothing_to_pay",
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
    """L'interruption du délai de paiement (article R2192-27 du Code de la commande publique)."""

    start = fields.Date(
        required=True, metadata={"description": "Suspension de la facture : délai interrompu"}
    )
    end = fields.Date(
        allow_none=True,
        required=True,
        metadata={"description": "Réception des pièces (nouveau délai) ; null tant qu'attendues"},
    )
    days = fields.Integer(
        required=True,
        metadata={"description": "Durée de l'attente des pièces, pour information seulement"},
    )
    balance_days = fields.Integer(
        required=True, metadata={"description": "Jours qui restaient du délai initial"}
    )
    new_period_days = fields.Integer(
        required=True,
        metadata={
            "description": "Nouveau délai (R2192-29) : 30 jours, ou le solde s'il est plus long"
        },
    )


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
    state = fields.String(
        required=True,
        validate=validate.OneOf(STATES),
        metadata={
            "description": "credit_note : avoir ; nothing_to_pay : rien à payer (facture déjà "
            "payée, cadre A2, ou montant à payer nul), ni délai ni retard ; rejected : facture "
            "close sans paiement (rejetée, refusée, annulée, remplacée…) ; suspended : délai "
            "interrompu, pièces attendues"
        },
    )
    start_date = fields.Date(allow_none=True, required=True)
    suspensions = fields.List(
        fields.Nested(SuspensionOut),
        required=True,
        metadata={
            "description": "L'interruption retenue, au plus une : le délai ne peut être "
            "interrompu qu'une fois, et avant le mandatement (R2192-27). Une suspension non "
            "retenue n'y figure pas ; l'explication dit pourquoi."
        },
    )
    suspended_days = fields.Integer(
        required=True,
        metadata={
            "description": "Durée de l'interruption, pour information : elle ne s'ajoute pas au "
            "délai ; un nouveau délai court à la réception des pièces (R2192-29)"
        },
    )
    due_date = fields.Date(allow_none=True, required=True)
    due_date_provisional = fields.Boolean(
        required=True,
        metadata={"description": "Pièces attendues : date limite si elles arrivaient ce jour"},
    )
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


def _half_year_start(value: dt.date) -> None:
    if value.day != 1 or value.month not in (1, 7):
        raise ValidationError("Un semestre commence le 1er janvier ou le 1er juillet.")


def _two_decimals(value: Decimal) -> None:
    # Compare exponents, not quantize(): quantizing a huge value raises InvalidOperation.
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise ValidationError("Le taux s'écrit avec deux décimales au plus (par exemple 2.15).")


class EcbRateIn(InputSchema):
    half_year_start = Date(required=True, validate=_half_year_start)
    rate_percent = fields.Decimal(
        required=True,
        validate=[
            validate.Range(min=-5, max=25, error="Le taux doit être compris entre -5 et 25 %."),
            _two_decimals,
        ],
        metadata={"description": "Taux de refinancement principal de la BCE, en %"},
    )
    source = fields.String(
        required=True,
        validate=validate.Length(
            min=3, max=1000, error="Indiquez la source (3 à 1000 caractères)."
        ),
    )


class EcbRatesIn(InputSchema):
    rates = fields.List(
        fields.Nested(EcbRateIn),
        required=True,
        validate=validate.Length(min=1, max=100, error="Entre 1 et 100 taux par envoi."),
    )

    @validates_schema
    def check_unique(self, data: dict[str, Any], **kwargs: Any) -> None:
        starts = [rate["half_year_start"] for rate in data.get("rates", [])]
        if len(starts) != len(set(starts)):
            raise ValidationError("Chaque semestre ne peut figurer qu'une fois.", "rates")


class EcbRateOut(OutputSchema):
    half_year_start = fields.Date(required=True)
    rate_percent = _rate(required=True)
    source = fields.String(required=True)
    updated_at = fields.DateTime(required=True)


class PaymentCategoryIn(InputSchema):
    category = fields.String(
        required=True,
        validate=validate.OneOf(sorted(CATEGORIES), error="Catégorie inconnue : {choices}."),
    )


class RecipientCategoryOut(OutputSchema):
    recipient_id = fields.Integer(required=True)
    name = fields.String(required=True)
    category = fields.Nested(CategoryOut, required=True)
    invoices_updated = fields.Integer(required=True)
