"""The invoices a user's scope sees, and statements over them built once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from backend.accounts.scope import Scope
from backend.accounts.visibility import granted, unrestricted_ids
from backend.db.direct import DirectSelect
from backend.invoices.models import Invoice


def visible(scope: Scope) -> ColumnElement[bool]:
    """Invoices of the user's structures, within their services when restricted."""
    return granted(scope, Invoice.structure_id, Invoice.service_id)


def find_visible(session: Session, scope: Scope, invoice_id: int) -> Invoice | None:
    """The invoice as an ORM object, or None when the user may not see it."""
    return session.scalars(select(Invoice).where(Invoice.id == invoice_id, visible(scope))).first()


def expanding(name: str) -> Any:
    """An expanding `IN` list parameter (structure ids, status codes)."""
    return bindparam(name, expanding=True)


class ScopedStatement:
    """A statement of columns over the visible invoices, built once for unrestricted scopes.

    `build` takes the visibility condition and returns the statement; its other values are
    bind parameters. Built once, it runs as a `DirectSelect` on PostgreSQL; restricted
    scopes build it per request with their own condition."""

    def __init__(self, build: Callable[[ColumnElement[bool]], Any]) -> None:
        self.build = build
        self.direct = DirectSelect(build(Invoice.structure_id.in_(expanding("structure_ids"))))

    def rows(self, session: Session, scope: Scope, **params: Any) -> list[Any]:
        """Every row, as named tuples."""
        structure_ids = unrestricted_ids(scope)
        if structure_ids is not None:
            return self.direct.rows(session, params | {"structure_ids": structure_ids})
        found = session.connection().execute(self.build(visible(scope)), params).all()
        return [self.direct.Row._make(row) for row in found]
