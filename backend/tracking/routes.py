"""The phone's invoice endpoints: list, detail, Synthèse, Tableau de bord."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Response, jsonify, request
from flask.views import MethodView

from backend import cache, i18n
from backend.accounts.auth import auth_required, current_scope
from backend.api import Blueprint, abort
from backend.db import current_session, read_only
from backend.invoices.present import plain_json
from backend.paging import InvalidCursor
from backend.timeutil import paris_today
from backend.tracking import detail, listing, reports
from backend.tracking.filters import InvoiceFilters
from backend.tracking.item import item_json
from backend.tracking.schemas import (
    DashboardArgs,
    DashboardOut,
    InvoiceDetailOut,
    InvoiceListArgs,
    InvoicePageOut,
    SummaryArgs,
    SummaryOut,
)

blp = Blueprint("invoices", __name__, url_prefix="/api/v1", description="Suivi des factures")
F = TypeVar("F", bound=Callable[..., Any])


def scope_etag(name: str) -> str:
    """The answer's ETag, and its key in the response cache: a hash of its material, the
    user's data versions among them, so a 304 costs no list query."""
    args = sorted((k, request.args.getlist(k)) for k in request.args)
    # The Paris day: acknowledgement deadlines count days left.
    material = [name, current_scope().version_key(), args, i18n.locale(), str(paris_today())]
    return cache.key_for(material)


def scope_cached(name: str) -> Callable[[F], F]:
    """The scope ETag (`name` formatted with the view's arguments), then the answer from the
    response cache while the data is unchanged."""

    def decorator(func: F) -> F:
        def answer(*args: Any, etag: str, **kwargs: Any) -> Response:
            return cache.cached(etag, lambda: func(*args, **kwargs))

        etag_of = blp.hashed_etag(lambda **kwargs: scope_etag(name.format(**kwargs)))
        return etag_of(cast(F, wraps(func)(answer)))

    return decorator


@blp.route("/invoices")
class Invoices(MethodView):
    decorators = [auth_required]

    @read_only
    @scope_cached("invoices")
    @blp.arguments(InvoiceListArgs, location="query", as_kwargs=True)
    @blp.response(200, InvoicePageOut)
    @blp.problem(400, "Curseur de pagination invalide")
    def get(self, limit: int, sort: str, cursor: str | None = None, **filters: Any) -> Response:
        """Mes factures, du changement de statut le plus récent au plus ancien."""
        criteria = InvoiceFilters(
            statuses=filters.pop("status", ()),
            categories=filters.pop("category", ()),
            structure_ids=filters.pop("structure_id", ()),
            recipient_ids=filters.pop("recipient_id", ()),
            **filters,
        )
        try:
            page = listing.list_invoices(
                current_session(), current_scope(), criteria, limit, cursor, sort
            )
        except InvalidCursor:
            abort(400, message=i18n.message("invalid_cursor"))
        lang, today = i18n.locale(), paris_today()
        # Built as JSON directly (the schema documents it; a test checks it is its dump).
        return jsonify(
            {
                "items": [item_json(row, lang, today) for row in page.items],
                "total": page.total,
                "limit": limit,
                "next_cursor": page.next_cursor,
                "prev_cursor": page.prev_cursor,
            }
        )


@blp.route("/invoices/<int:invoice_id>")
class InvoiceDetail(MethodView):
    decorators = [auth_required]

    @read_only
    @scope_cached("invoice:{invoice_id}")
    @blp.response(200, InvoiceDetailOut)
    @blp.problem(404, "Facture introuvable ou hors de vos structures")
    def get(self, invoice_id: int) -> Response:
        """Le détail d'une facture et tout son historique, expliqué."""
        session = current_session()
        found = detail.find(session, current_scope(), invoice_id)
        if found is None:
            abort(404)
        # As InvoiceDetailOut dumps it (tested).
        return jsonify(detail.invoice_detail(found, i18n.locale(), session))


@blp.route("/summary")
class Summary(MethodView):
    decorators = [auth_required]

    @read_only
    @scope_cached("summary")
    @blp.arguments(SummaryArgs, location="query")
    @blp.response(200, SummaryOut)
    def get(self, args: dict[str, Any]) -> Response:
        """La Synthèse : ce qui attend une action de votre part."""
        report = reports.summary(
            current_session(), current_scope(), args.get("structure_id"), i18n.locale()
        )
        return jsonify(plain_json(report))  # as SummaryOut dumps it (tested)


@blp.route("/dashboard")
class Dashboard(MethodView):
    decorators = [auth_required]

    @read_only
    @scope_cached("dashboard")
    @blp.arguments(DashboardArgs, location="query")
    @blp.response(200, DashboardOut)
    def get(self, args: dict[str, Any]) -> Response:
        """Le Tableau de bord : nombres et montants par statut et par structure."""
        report = reports.dashboard(
            current_session(),
            current_scope(),
            args.get("structure_id"),
            args.get("changed_from"),
            args.get("changed_to"),
            i18n.locale(),
        )
        return jsonify(plain_json(report))  # as DashboardOut dumps it (tested)
