"""The Synthèse (what needs the supplier) and the Tableau de bord (counts per status)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, select, true
from sqlalchemy.orm import Session

from backend.accounts.models import Recipient, Structure
from backend.accounts.scope import Scope
from backend.accounts.visibility import unrestricted_ids
from backend.db.direct import DirectSelect
from backend.invoices.models import Invoice, InvoiceCount
from backend.invoices.present import acknowledgement, status
from backend.invoices.scoped import ScopedStatement, expanding
from backend.invoices.statuses import (
    ACK_CODES,
    CATEGORY_LABELS,
    TODO_CODES,
    Category,
    status_info,
)
from backend.invoices.totals import STATUS_COUNT_ROWS, CountRow, counts_by_status, status_counts
from backend.payments.reports import payment_totals, unpaid_parameters, unpaid_totals
from backend.timeutil import paris_today
from backend.tracking.filters import changed_between

ACK_LIST_LIMIT = 50
ZERO = Decimal("0.00")


def _counts_and_unpaid(codes: bool) -> DirectSelect:
    """The counts per structure and status, with the structures' names, and the unpaid
    totals, in one round trip: the totals' single row joined to each count row (alone when
    there is none). Parameters: structure_ids, today, week_end, and codes when `codes`."""
    unpaid = unpaid_totals(Invoice.structure_id.in_(expanding("structure_ids")))
    unpaid = unpaid.subquery("unpaid")
    named = (
        STATUS_COUNT_ROWS[codes]
        .add_columns(Structure.name)
        .join(Structure, Structure.id == InvoiceCount.structure_id)
        .subquery("counts")
    )
    return DirectSelect(select(unpaid, named).select_from(unpaid.outerjoin(named, true())))


_COUNTS_AND_UNPAID = {codes: _counts_and_unpaid(codes) for codes in (False, True)}


@dataclass
class Figures:
    """What the Synthèse and the Tableau de bord count; `names` and `unpaid` are None when
    they were not read with the counts (grants restricted to some services)."""

    counts: list[CountRow]
    names: dict[int, str] | None
    unpaid: Any


def figures(session: Session, scope: Scope, codes: Sequence[str] | None, today: dt.date) -> Figures:
    """The counts of these statuses (all when None), in one statement for whole structures."""
    whole = unrestricted_ids(scope)
    if whole is None:
        return Figures(status_counts(session, scope, codes), None, None)
    params: dict[str, Any] = {"structure_ids": whole, **unpaid_parameters(today)}
    if codes is not None:
        params["codes"] = list(codes)
    rows = _COUNTS_AND_UNPAID[codes is not None].rows(session, params)
    found = [row for row in rows if row.structure_id is not None]
    return Figures(
        [(r.structure_id, r.status_code, int(r.count), Decimal(r.amount_incl_tax)) for r in found],
        {row.structure_id: row.name for row in found},
        rows[0],
    )


# Invoices waiting for the supplier, oldest change first (most urgent): the Synthèse lists up
# to 50, read as rows (ORM objects would cost more than the query).
_TODO = ScopedStatement(
    lambda scoped: (
        select(
            Invoice.id,
            Invoice.number,
            Recipient.name.label("recipient_name"),
            Invoice.status_code,
            Invoice.status_comment,
            Invoice.status_changed_at,
        )
        .join(Recipient, Recipient.id == Invoice.recipient_id)
        .where(scoped, Invoice.status_code.in_(expanding("codes")))
        .order_by(Invoice.status_changed_at, Invoice.id)
        .limit(bindparam("limit"))
    )
)


def structure_names(session: Session, structure_ids: Sequence[int]) -> dict[int, str]:
    if not structure_ids:
        return {}
    rows = session.execute(
        select(Structure.id, Structure.name).where(Structure.id.in_(structure_ids))
    )
    return {row[0]: row[1] for row in rows}


def _restricted(scope: Scope, structure_ids: list[int] | None) -> Scope:
    if not structure_ids:
        return scope
    return Scope(scope.user_id, tuple(g for g in scope.grants if g.structure_id in structure_ids))


def summary(
    session: Session, scope: Scope, structure_ids: list[int] | None, lang: str
) -> dict[str, Any]:
    scope = _restricted(scope, structure_ids)
    today = paris_today()
    found = figures(session, scope, TODO_CODES, today)
    counts: dict[str, tuple[int, Decimal]] = {}
    for _sid, code, count, amount in found.counts:
        old = counts.get(code, (0, ZERO))
        counts[code] = (old[0] + count, old[1] + amount)
    todo = [
        {
            "code": code,
            "label": status(code, lang)["label"],
            "category": Category.ACTION_REQUIRED.value,
            "count": counts.get(code, (0, ZERO))[0],
            "amount_incl_tax": counts.get(code, (0, ZERO))[1],
        }
        for code in TODO_CODES
    ]
    pending = _TODO.rows(session, scope, codes=sorted(ACK_CODES), limit=ACK_LIST_LIMIT)
    to_acknowledge = []
    for invoice in pending:
        ack = acknowledgement(invoice.status_code, invoice.status_changed_at, today)
        assert ack is not None
        to_acknowledge.append(
            {
                "invoice_id": invoice.id,
                "number": invoice.number,
                "recipient_name": invoice.recipient_name,
                "status": status(invoice.status_code, lang),
                "comment": invoice.status_comment,
                "changed_at": invoice.status_changed_at,
                **ack,
            }
        )
    return {
        "todo": todo,
        "action_required": {
            "count": sum(t["count"] for t in todo),
            "amount_incl_tax": sum((t["amount_incl_tax"] for t in todo), ZERO),
        },
        "to_acknowledge": to_acknowledge,
        **payment_totals(session, scope, today, found.unpaid),
    }


def _category_of(code: str) -> str | None:
    info = status_info(code)
    return info.category.value if info else None


def _category_rows(totals: dict[str | None, list[Any]], lang: str) -> list[dict[str, Any]]:
    rows = []
    for category in Category:
        count, amount = totals.get(category.value, [0, ZERO])
        label = CATEGORY_LABELS[category][1 if lang == "en" else 0]
        rows.append(
            {"category": category.value, "label": label, "count": count, "amount_incl_tax": amount}
        )
    return rows


def dashboard(
    session: Session,
    scope: Scope,
    structure_ids: list[int] | None,
    changed_from: dt.date | None,
    changed_to: dt.date | None,
    lang: str,
) -> dict[str, Any]:
    scope = _restricted(scope, structure_ids)
    today = paris_today()
    if changed_from is None and changed_to is None:
        found = figures(session, scope, None, today)
    else:
        period = changed_between(changed_from, changed_to)
        found = Figures(counts_by_status(session, scope, period), None, None)
    rows = found.counts
    by_status: dict[str, list[Any]] = defaultdict(lambda: [0, ZERO])
    by_category: dict[str | None, list[Any]] = defaultdict(lambda: [0, ZERO])
    by_structure: dict[int, dict[str | None, list[Any]]] = defaultdict(
        lambda: defaultdict(lambda: [0, ZERO])
    )
    for sid, code, count, amount in rows:
        category = _category_of(code)
        for bucket in (by_status[code], by_category[category], by_structure[sid][category]):
            bucket[0] += count
            bucket[1] += amount
    names = found.names
    if names is None:
        names = structure_names(session, list(by_structure))
    status_rows = [
        {
            "code": code,
            "label": status(code, lang)["label"],
            "category": _category_of(code),
            "count": count,
            "amount_incl_tax": amount,
        }
        for code, (count, amount) in sorted(by_status.items(), key=lambda kv: (-kv[1][0], kv[0]))
    ]
    structure_rows = []
    for sid in sorted(by_structure):
        cats = by_structure[sid]
        structure_rows.append(
            {
                "structure_id": sid,
                "name": names.get(sid, ""),
                "count": sum(v[0] for v in cats.values()),
                "amount_incl_tax": sum((v[1] for v in cats.values()), ZERO),
                "by_category": _category_rows(cats, lang),
            }
        )
    return {
        "period": {"changed_from": changed_from, "changed_to": changed_to},
        "totals": {
            "count": sum(v[0] for v in by_status.values()),
            "amount_incl_tax": sum((v[1] for v in by_status.values()), ZERO),
        },
        "by_status": status_rows,
        "by_category": _category_rows(by_category, lang),
        "by_structure": structure_rows,
        **payment_totals(session, scope, today, found.unpaid),
    }
