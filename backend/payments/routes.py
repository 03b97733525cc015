"""The late-payment claim letter, and the admins' ECB rates and recipients' categories."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from sqlalchemy import select

from backend.accounts.auth import auth_required, current_scope, current_user
from backend.accounts.guard import require
from backend.accounts.models import Recipient
from backend.accounts.roles import Action, reserved_to
from backend.api import Blueprint, abort
from backend.db import current_session
from backend.invoices.scoped import find_visible
from backend.payments import admin
from backend.payments.claim import NothingToClaim, claim_data, filename
from backend.payments.letter import letter_pdf, letter_text
from backend.payments.models import EcbRateRow
from backend.payments.present import category_out
from backend.payments.schemas import (
    ClaimArgs,
    EcbRateOut,
    EcbRatesIn,
    PaymentCategoryIn,
    RecipientCategoryOut,
)
from backend.payments.service import CATEGORIES
from backend.responses import Response
from backend.timeutil import paris_today

blp = Blueprint(
    "payments",
    __name__,
    url_prefix="/api/v1",
    description="Délais de paiement et intérêts moratoires",
)
PDF, TEXT = "application/pdf", "text/plain"
# Both renderings of the letter, documented on the one 200 response.
LETTER_DOC = {
    "responses": {
        "200": {
            "description": "Courrier de réclamation, en PDF (défaut) ou en texte (format=text)",
            "content": {
                PDF: {"schema": {"type": "string", "format": "binary"}},
                TEXT: {"schema": {"type": "string"}},
            },
        },
    }
}


def _admin_only() -> None:
    if not current_user().is_admin:
        abort(403, message="Réservé aux administrateurs.")


@blp.route("/invoices/<int:invoice_id>/late-payment-claim")
class LatePaymentClaim(MethodView):
    decorators = [auth_required]

    @blp.arguments(ClaimArgs, location="query")
    @blp.response(200, content_type=PDF)
    @blp.doc(**LETTER_DOC)
    @blp.problem(403, reserved_to(Action.DOWNLOAD_CLAIM_LETTER))
    @blp.problem(404, "Facture introuvable ou hors de vos structures")
    @blp.problem(
        409,
        "Rien à réclamer : facture payée ou à payer dans le délai, avoir, facture déjà payée "
        "(cadre A2) ou montant à payer nul",
    )
    def get(self, args: dict[str, Any], invoice_id: int) -> Response:
        """Le courrier réclamant les intérêts moratoires et l'indemnité forfaitaire."""
        session = current_session()
        invoice = find_visible(session, current_scope(), invoice_id)
        if invoice is None:
            abort(404)
        require(invoice.structure_id, Action.DOWNLOAD_CLAIM_LETTER)
        try:
            data = claim_data(session, invoice, paris_today())
        except NothingToClaim as exc:
            abort(409, message=str(exc))
        if args["format"] == "text":
            body, mimetype, name = letter_text(data).encode(), TEXT, filename(invoice, "txt")
        else:
            body, mimetype, name = letter_pdf(data), PDF, filename(invoice, "pdf")
        # Werkzeug adds "; charset=utf-8" to text types.
        response = Response(body, mimetype=mimetype)
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        response.headers["Cache-Control"] = "private, no-store"
        return response


@blp.route("/admin/ecb-rates")
class EcbRates(MethodView):
    decorators = [auth_required]

    @blp.response(200, EcbRateOut(many=True))
    @blp.problem(403, "Réservé aux administrateurs")
    def get(self) -> list[EcbRateRow]:
        """Les taux BCE par semestre, avec leur source (administrateurs)."""
        _admin_only()
        return list(current_session().scalars(select(EcbRateRow).order_by("half_year_start")))

    @blp.arguments(EcbRatesIn)
    @blp.response(200, EcbRateOut(many=True))
    @blp.problem(403, "Réservé aux administrateurs")
    def put(self, body: dict[str, Any]) -> list[EcbRateRow]:
        """Saisir ou corriger des taux BCE ; les semestres absents restent inchangés."""
        _admin_only()
        session = current_session()
        admin.save_rates(session, body["rates"])
        session.commit()
        return list(session.scalars(select(EcbRateRow).order_by("half_year_start")))


@blp.route("/admin/recipients/<int:recipient_id>/payment-category")
class RecipientPaymentCategory(MethodView):
    decorators = [auth_required]

    @blp.arguments(PaymentCategoryIn)
    @blp.response(200, RecipientCategoryOut)
    @blp.problem(403, "Réservé aux administrateurs")
    @blp.problem(404, "Destinataire introuvable")
    def put(self, body: dict[str, Any], recipient_id: int) -> dict[str, Any]:
        """Fixer la catégorie d'un destinataire (30, 50 ou 60 jours) ; ses factures suivent."""
        _admin_only()
        session = current_session()
        recipient = session.get(Recipient, recipient_id)
        if recipient is None:
            abort(404)
        category = CATEGORIES[body["category"]]
        updated = admin.set_category(session, recipient, category)
        session.commit()
        return {
            "recipient_id": recipient.id,
            "name": recipient.name,
            "category": category_out(category),
            "invoices_updated": updated,
        }
