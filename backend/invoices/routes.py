"""The phone's invoice endpoints: list, detail, Synthèse, Tableau de bord."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView

from backend import i18n
from backend.accounts.auth import auth_required, current_scope
from backend.api import Blueprint, abort
from backend.db import current_session
from backend.invoices import present, queries, reports
from backend.invoices.schemas import (
    DashboardArgs,
    DashboardOut,
    InvoiceDetailOut,
    InvoiceListArgs,
    InvoicePageOut,
    SummaryArgs,
    SummaryOut,
)

blp = Blueprint("invoices", __name__, url_prefix="/api/v1", description="Suivi des factures")


def set_scope_etag(name: str) -> None:
    """ETag from the user's data versions: a 304 costs no list query."""
    args = sorted((k, request.args.getlist(k)) for k in request.args)
    blp.set_etag([name, current_scope().version_key(), args, i18n.locale()])


@blp.route("/invoices")
class Invoices(MethodView):
    decorators = [auth_required]

    @blp.etag
    @blp.arguments(InvoiceListArgs, location="query", as_kwargs=True)
    @blp.response(200, InvoicePageOut)
    def get(self, limit: int, cursor: str | None = None, **filters: Any) -> dict[str, Any]:
        """Mes factures, du changement de statut le plus récent au plus ancien."""
        set_scope_etag("invoices")
        criteria = queries.InvoiceFilters(
            statuses=filters.pop("status", ()),
            categories=filters.pop("category", ()),
            structure_ids=filters.pop("structure_id", ()),
            recipient_ids=filters.pop("recipient_id", ()),
            **filters,
        )
        try:
            page = queries.list_invoices(
                current_session(), current_scope(), criteria, limit, cursor
            )
        except queries.InvalidCursor:
            abort(400, message=i18n.message("invalid_cursor"))
        lang = i18n.locale()
        return {
            "items": [present.invoice_item(inv, lang) for inv in page.items],
            "total": page.total,
            "limit": limit,
            "next_cursor": page.next_cursor,
            "prev_cursor": page.prev_cursor,
        }


@blp.route("/invoices/<int:invoice_id>")
class InvoiceDetail(MethodView):
    decorators = [auth_required]

    @blp.etag
    @blp.response(200, InvoiceDetailOut)
    @blp.alt_response(404, description="Facture introuvable ou hors de vos structures")
    def get(self, invoice_id: int) -> dict[str, Any]:
        """Le détail d'une facture et tout son historique, expliqué."""
        set_scope_etag(f"invoice:{invoice_id}")
        invoice = queries.get_invoice(current_session(), current_scope(), invoice_id)
        if invoice is None:
            abort(404)
        return present.invoice_detail(invoice, i18n.locale())


@blp.route("/summary")
class Summary(MethodView):
    decorators = [auth_required]

    @blp.etag
    @blp.arguments(SummaryArgs, location="query")
    @blp.response(200, SummaryOut)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """La Synthèse : ce qui attend une action de votre part."""
        set_scope_etag("summary")
        return reports.summary(
            current_session(), current_scope(), args.get("structure_id"), i18n.locale()
        )


@blp.route("/dashboard")
class Dashboard(MethodView):
    decorators = [auth_required]

    @blp.etag
    @blp.arguments(DashboardArgs, location="query")
    @blp.response(200, DashboardOut)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Le Tableau de bord : nombres et montants par statut et par structure."""
        set_scope_etag("dashboard")
        return reports.dashboard(
            current_session(),
            current_scope(),
            args.get("structure_id"),
            args.get("changed_from"),
            args.get("changed_to"),
            i18n.locale(),
        )
