"""Who may see a row of a structure: its members; a member restricted to some of the
recipients' services, only the rows of those services (none of a row without a service).

The one home of that rule, in both directions: a scope's grants as a condition on rows
(`granted`, `unrestricted_ids`), and a row's structure and service as a condition on the
memberships that see it (`seen_by`). Rows are named by their columns, so invoices and their
counts use the same rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, false, or_, select
from sqlalchemy.sql import ColumnElement

from backend.accounts.models import Membership, membership_services
from backend.accounts.scope import Scope


def granted(
    scope: Scope,
    structure: Any,
    service: Any,
    whole_structure: ColumnElement[bool] | None = None,
) -> ColumnElement[bool]:
    """Rows (by their `structure` and `service` columns) the scope sees.

    `whole_structure` narrows the rows read for unrestricted grants (the counts' row for all
    services)."""
    whole = [g.structure_id for g in scope.grants if not g.service_ids]
    clauses: list[ColumnElement[bool]] = []
    if whole:
        in_whole = structure.in_(whole)
        clauses.append(in_whole if whole_structure is None else and_(in_whole, whole_structure))
    for grant in scope.grants:
        if grant.service_ids:
            clauses.append(and_(structure == grant.structure_id, service.in_(grant.service_ids)))
    return or_(*clauses) if clauses else false()


def unrestricted_ids(scope: Scope, structure_ids: Sequence[int] = ()) -> list[int] | None:
    """The structures to read when no grant restricts services (the common case), narrowed
    to `structure_ids` when given; None when a grant is restricted to some services.

    Such scopes use statements built once: only their parameters change, and building a
    statement costs more than running it."""
    if any(g.service_ids for g in scope.grants):
        return None
    if not structure_ids:
        return scope.structure_ids
    wanted = set(structure_ids)
    return [i for i in scope.structure_ids if i in wanted]


def seen_by(structure_id: int, service_id: int | None) -> ColumnElement[bool]:
    """Memberships that see a row of this structure and service."""
    restricted = select(membership_services.c.membership_id).where(
        membership_services.c.membership_id == Membership.id
    )
    allowed_service = restricted.where(membership_services.c.service_id == service_id)
    return and_(
        Membership.structure_id == structure_id,
        or_(~restricted.exists(), allowed_service.exists()),
    )
