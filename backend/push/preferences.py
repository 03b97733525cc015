"""Notification preferences: defaults (no row means everything on), checks, quiet hours."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Protocol
from zoneinfo import ZoneInfo, available_timezones

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.accounts.models import Membership, Role, Structure
from backend.accounts.roles import Action, may
from backend.push.models import NotificationPreference, NotificationSettings

CATEGORIES = ("action_required", "payment", "every_change")
# Billing notifications: the roles table says who may not switch them off (main managers).
BILLING = ("action_required", "payment")
DEFAULT_TIME_ZONE = "Europe/Paris"


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def is_time_zone(name: str) -> bool:
    """A valid IANA time zone name (checked against the installed database, never a path)."""
    return name in _zone_names()


def zone(name: str | None) -> ZoneInfo:
    return ZoneInfo(name if name and is_time_zone(name) else DEFAULT_TIME_ZONE)


def locked(role: Role) -> list[str]:
    return [] if may(role, Action.MUTE_BILLING_NOTIFICATIONS) else list(BILLING)


class QuietSettings(Protocol):
    """What `quiet_until` reads: a NotificationSettings row or an Effective."""

    @property
    def time_zone(self) -> str: ...
    @property
    def quiet_start(self) -> dt.time | None: ...
    @property
    def quiet_end(self) -> dt.time | None: ...
    @property
    def quiet_bypass_action_required(self) -> bool: ...


@dataclass(frozen=True)
class Effective:
    """What one user wants from one structure, defaults and locks applied."""

    user_id: int
    structure_id: int
    role: Role
    action_required: bool = True
    payment: bool = True
    every_change: bool = True
    time_zone: str = DEFAULT_TIME_ZONE
    quiet_start: dt.time | None = None
    quiet_end: dt.time | None = None
    quiet_bypass_action_required: bool = False
    service_notices: bool = True

    def wants(self, category: str) -> bool:
        """Whether a notification of this category is wanted (unknown categories are)."""
        return bool(getattr(self, category, True)) if category in CATEGORIES else True


def effective(session: Session, user_ids: Iterable[int], structure_id: int) -> dict[int, Effective]:
    """Preferences of the structure's members among `user_ids`, in one query."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(Membership.user_id, Membership.role, NotificationPreference, NotificationSettings)
        .outerjoin(
            NotificationPreference,
            (NotificationPreference.user_id == Membership.user_id)
            & (NotificationPreference.structure_id == Membership.structure_id),
        )
        .outerjoin(NotificationSettings, NotificationSettings.user_id == Membership.user_id)
        .where(Membership.structure_id == structure_id, Membership.user_id.in_(ids))
    ).all()
    return {user_id: _effective(user_id, structure_id, role, p, s) for user_id, role, p, s in rows}


def _effective(
    user_id: int,
    structure_id: int,
    role: Role,
    pref: NotificationPreference | None,
    settings: NotificationSettings | None,
) -> Effective:
    on = {c: pref is None or bool(getattr(pref, c)) or c in locked(role) for c in CATEGORIES}
    base = Effective(
        user_id, structure_id, role, on["action_required"], on["payment"], on["every_change"]
    )
    if settings is None:
        return base
    return replace(
        base,
        time_zone=settings.time_zone or DEFAULT_TIME_ZONE,
        quiet_start=settings.quiet_start,
        quiet_end=settings.quiet_end,
        quiet_bypass_action_required=bool(settings.quiet_bypass_action_required),
        service_notices=bool(settings.service_notices),
    )


def quiet_until(
    settings: QuietSettings | None, now: dt.datetime, category: str
) -> dt.datetime | None:
    """End (UTC) of the quiet period `now` falls in; None when not quiet or bypassed."""
    if settings is None or settings.quiet_start is None or settings.quiet_end is None:
        return None
    if category == "action_required" and settings.quiet_bypass_action_required:
        return None
    start, end = settings.quiet_start, settings.quiet_end
    local = now.astimezone(zone(settings.time_zone))
    clock = local.time().replace(tzinfo=None)
    if start < end:
        quiet, end_day = start <= clock < end, local.date()
    elif clock >= start:  # spans midnight, evening part: ends tomorrow
        quiet, end_day = True, local.date() + dt.timedelta(days=1)
    else:
        quiet, end_day = clock < end, local.date()
    if not quiet:
        return None
    # A wall time skipped by a DST change resolves after the gap: never earlier than asked.
    until = dt.datetime.combine(end_day, end, tzinfo=local.tzinfo).astimezone(dt.UTC)
    return until if until > now else None


class InvalidPreferences(ValueError):
    """A preference change refused; `field` is the dotted path of the culprit."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def view(session: Session, user_id: int) -> dict[str, Any]:
    """The user's settings and, per membership, their categories (defaults all on)."""
    settings = session.get(NotificationSettings, user_id)
    rows = session.execute(
        select(Membership.structure_id, Structure.name, Membership.role, NotificationPreference)
        .join(Structure, Structure.id == Membership.structure_id)
        .outerjoin(
            NotificationPreference,
            (NotificationPreference.user_id == user_id)
            & (NotificationPreference.structure_id == Membership.structure_id),
        )
        .where(Membership.user_id == user_id)
        .order_by(Membership.structure_id)
    ).all()
    quiet = None
    if settings is not None and settings.quiet_start and settings.quiet_end:
        quiet = {
            "start": settings.quiet_start.strftime("%H:%M"),
            "end": settings.quiet_end.strftime("%H:%M"),
            "bypass_for_action_required": settings.quiet_bypass_action_required,
        }
    structures = []
    for structure_id, name, role, pref in rows:
        eff = _effective(user_id, structure_id, role, pref, None)
        flags = {c: getattr(eff, c) for c in CATEGORIES}
        entry = {"structure_id": structure_id, "name": name, "role": role.value, **flags}
        structures.append({**entry, "locked": locked(role)})
    return {
        "time_zone": settings.time_zone if settings else DEFAULT_TIME_ZONE,
        "quiet_hours": quiet,
        "service_notices": settings.service_notices if settings else True,
        "structures": structures,
    }


def update(session: Session, user_id: int, data: dict[str, Any]) -> None:
    """Apply a validated PUT body; raises InvalidPreferences before writing anything."""
    roles = dict(
        session.execute(
            select(Membership.structure_id, Membership.role).where(Membership.user_id == user_id)
        ).all()
    )
    changes = data.get("structures", [])
    _check_structures(changes, roles)
    settings = session.get(NotificationSettings, user_id)
    if settings is None:
        settings = NotificationSettings(
            user_id=user_id, time_zone=DEFAULT_TIME_ZONE, service_notices=True
        )
        session.add(settings)
    _apply_settings(settings, data)
    for change in changes:
        _apply_structure(session, user_id, change)


def _check_structures(changes: list[dict[str, Any]], roles: dict[int, Role]) -> None:
    seen: set[int] = set()
    for index, change in enumerate(changes):
        structure_id = change["structure_id"]
        if structure_id not in roles:
            raise InvalidPreferences(
                f"structures.{index}.structure_id",
                "Vous n'êtes pas membre de cette structure.",
            )
        if structure_id in seen:
            raise InvalidPreferences(
                f"structures.{index}.structure_id", "Cette structure figure deux fois."
            )
        seen.add(structure_id)
        for category in locked(roles[structure_id]):
            if change.get(category) is False:
                raise InvalidPreferences(
                    f"structures.{index}.{category}",
                    "Un gestionnaire principal ne peut pas désactiver "
                    "les notifications de facturation.",
                )


def _apply_settings(settings: NotificationSettings, data: dict[str, Any]) -> None:
    if "time_zone" in data:
        settings.time_zone = data["time_zone"]
    if "service_notices" in data:
        settings.service_notices = data["service_notices"]
    if "quiet_hours" in data:
        quiet = data["quiet_hours"] or {}
        settings.quiet_start = quiet.get("start")
        settings.quiet_end = quiet.get("end")
        settings.quiet_bypass_action_required = bool(quiet.get("bypass_for_action_required"))


def _apply_structure(session: Session, user_id: int, change: dict[str, Any]) -> None:
    pref = session.get(NotificationPreference, (user_id, change["structure_id"]))
    if pref is None:
        pref = NotificationPreference(user_id=user_id, structure_id=change["structure_id"])
        pref.action_required = pref.payment = pref.every_change = True
        session.add(pref)
    for category in CATEGORIES:
        if category in change:
            setattr(pref, category, change[category])
