"""What one user may see: their structures, roles and service restrictions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.accounts.models import Membership, Role, Structure, membership_services
from backend.accounts.roles import Action, may


@dataclass(frozen=True)
class Grant:
    """A user's access to one structure; no service ids means every service."""

    structure_id: int
    role: Role
    service_ids: tuple[int, ...]
    data_version: int


@dataclass(frozen=True)
class Scope:
    user_id: int
    grants: tuple[Grant, ...]

    @property
    def structure_ids(self) -> list[int]:
        return [g.structure_id for g in self.grants]

    def grant(self, structure_id: int) -> Grant | None:
        return next((g for g in self.grants if g.structure_id == structure_id), None)

    def may(self, structure_id: int, action: Action) -> bool:
        """Whether the user's role in that structure allows the action (roles table)."""
        grant = self.grant(structure_id)
        return grant is not None and may(grant.role, action)

    def version_key(self) -> list[object]:
        """Changes whenever anything this user can see changes (ETag material)."""
        return [
            [g.structure_id, g.data_version, g.role.value, list(g.service_ids)] for g in self.grants
        ]


# Columns of one scope row: structure, role, data version, allowed service (or None).
SCOPE_COLUMNS = (
    Membership.structure_id,
    Membership.role,
    Structure.data_version,
    membership_services.c.service_id,
)
SCOPE_ORDER = (Membership.structure_id, membership_services.c.service_id)


def load_scope(session: Session, user_id: int) -> Scope:
    """One query: memberships, roles, restrictions and data versions."""
    rows = session.execute(
        select(*SCOPE_COLUMNS)
        .join(Structure, Structure.id == Membership.structure_id)
        .outerjoin(membership_services, membership_services.c.membership_id == Membership.id)
        .where(Membership.user_id == user_id)
        .order_by(*SCOPE_ORDER)
    ).all()
    return scope_from_rows(user_id, [tuple(r) for r in rows])


def scope_from_rows(user_id: int, rows: Sequence[tuple[Any, ...]]) -> Scope:
    """Build a scope from (structure, role, version, service) rows; None structures skipped."""
    grouped: dict[int, tuple[Role, int, list[int]]] = {}
    for structure_id, role, version, service_id in rows:
        if structure_id is None:
            continue
        entry = grouped.setdefault(structure_id, (role, version, []))
        if service_id is not None:
            entry[2].append(service_id)
    grants = tuple(
        Grant(sid, role, tuple(services), version)
        for sid, (role, version, services) in grouped.items()
    )
    return Scope(user_id, grants)
