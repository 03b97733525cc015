"""Everything Relais holds about one person, as one JSON document (GDPR art. 15 and 20).

The inventory: every table that holds personal data, what the export shows of it and what
deleting the account does with it (backend/privacy/erasure.py). Keep it complete: a new
table about people gets a line here, a key in `export` and a rule in the erasure.

Each line: table — what it holds → what the export shows → what deleting the account does.

- users — address, name, language, roles, password hash → `profile` (never the hash) → deleted
- memberships, membership_services — structure, role, services → `memberships` → the members'
  leave rule (backend/members/service.py: a structure's last member takes it along)
- auth_sessions — device (User-Agent), opened, last use, ended → `sessions` → deleted
- refresh_tokens — token hashes, expiry → nothing (secrets) → deleted with the sessions
- two_factors — encrypted TOTP secret, since when → `two_factor` (never the secret) → deleted
- recovery_codes — code hashes → `two_factor.recovery_codes_left` → deleted
- account_links — e-mailed links: new address, a sign-up's name and password hash → pending
  e-mail changes → deleted, with the sign-ups to the address not yet confirmed
- devices — push token, platform, language, time zone, app version → `devices` (token
  masked) → deleted
- push_deliveries — which notice went to which device → nothing (the inbox says it) →
  deleted with the devices and notices
- notification_settings — time zone, quiet hours → `notification_settings` → deleted
- notification_preferences — categories wanted per structure → `notification_preferences`
  → deleted
- notifications — the inbox → `notifications` → deleted
- join_requests — the person's requests to join a structure, and who answered others' →
  `join_requests` → theirs deleted; answers they gave keep their date, not their name
- training_registrations — by address: name, structure, SIRET, consent, attendance →
  `training_registrations` → cancelled when the session is not over, then anonymised
- training_sessions — the trainer of a session → `trainings_given` → deletion refused until
  an administrator hands the sessions to another trainer
- newsletter_subscriptions — by address: state, consent → `newsletter` → deleted
- invitations, invitation_services — invitations a main manager sent (the sender), to an
  address, with a role and services → `invitations_sent`, `invitations_received` → those to
  the address deleted; those the person sent stay the structures', without their name
- api_keys, api_key_structures — the structures' integration keys, made by the operator, no
  owner → names and dates of the person's structures' keys (never the key) → kept: the
  structures' data
- rate_limits — hashed address or e-mail, hit count → nothing (hashed, gone within a day) →
  left to expire

Not personal, not exported: invoices and their history, counts, payment notices, the portal's
technical accounts and sync runs (the structures' data, which stays for their other members;
the export names the structures), recipients, training notices (which reminder went to
which registration), announcements, ECB rates, scheduler rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from backend.accounts import twofactor
from backend.accounts.emailed import AccountLink, Purpose
from backend.accounts.models import (
    ApiKey,
    AuthSession,
    Membership,
    User,
    api_key_structures,
)
from backend.accounts.roles import ROLE_NAMES
from backend.announcements.models import NewsletterSubscription
from backend.members.models import Invitation
from backend.onboarding.models import JoinRequest
from backend.push.models import (
    Device,
    Notification,
    NotificationPreference,
    NotificationSettings,
)
from backend.trainings.models import Registration, TrainingSession
from notifications import mask_token

FORMAT = "relais-export/1"
ABOUT = (
    "Données personnelles que Relais conserve sur vous, à la date indiquée. Les factures et "
    "leur historique n'y figurent pas : ce sont les données des structures, pas les vôtres ; "
    "les structures dont vous êtes membre sont nommées dans « memberships »."
)


def export(session: Session, user: User, *, now: dt.datetime) -> dict[str, Any]:
    """The person's data, every section present (empty when Relais holds nothing of it)."""
    return {
        "format": FORMAT,
        "generated_at": now,
        "about": ABOUT,
        "profile": _profile(user),
        "memberships": _memberships(session, user.id),
        "sessions": _sessions(session, user.id),
        "api_keys": _api_keys(session, user.id),
        "devices": _devices(session, user.id),
        "notification_settings": session.get(NotificationSettings, user.id),
        "notification_preferences": _rows(session, NotificationPreference, user.id),
        "notifications": _notifications(session, user.id),
        "two_factor": _two_factor(session, user.id),
        "join_requests": _join_requests(session, user.id),
        "email_changes_pending": _email_changes(session, user.id, now),
        "training_registrations": _registrations(session, user.email),
        "trainings_given": _trainings_given(session, user.id),
        "invitations_sent": _invitations(session, Invitation.invited_by_id == user.id),
        "invitations_received": _invitations(session, Invitation.email == user.email),
        "newsletter": session.scalar(
            select(NewsletterSubscription).where(NewsletterSubscription.email == user.email)
        ),
    }


def _profile(user: User) -> dict[str, Any]:
    fields = ("id", "email", "full_name", "locale", "is_admin", "is_trainer", "created_at")
    return {name: getattr(user, name) for name in fields}


def _memberships(session: Session, user_id: int) -> list[dict[str, Any]]:
    memberships = session.scalars(
        select(Membership)
        .where(Membership.user_id == user_id)
        .options(selectinload(Membership.structure), selectinload(Membership.services))
        .order_by(Membership.structure_id)
    )
    return [
        {
            "structure": m.structure,
            "role": m.role.value,
            "role_label": ROLE_NAMES[m.role],
            "services": m.services or None,
        }
        for m in memberships
    ]


def _sessions(session: Session, user_id: int) -> list[AuthSession]:
    query = select(AuthSession).where(AuthSession.user_id == user_id)
    return list(session.scalars(query.order_by(AuthSession.id)))


def _api_keys(session: Session, user_id: int) -> list[dict[str, Any]]:
    """The integration keys of the person's structures: names and dates, never the key."""
    mine = select(Membership.structure_id).where(Membership.user_id == user_id)
    keys = session.scalars(
        select(ApiKey)
        .join(api_key_structures, api_key_structures.c.api_key_id == ApiKey.id)
        .where(api_key_structures.c.structure_id.in_(mine))
        .options(selectinload(ApiKey.structures))
        .distinct()
        .order_by(ApiKey.id)
    )
    own = set(session.scalars(mine))
    return [
        {
            "name": key.name,
            "structure_ids": sorted(s.id for s in key.structures if s.id in own),
            "created_at": key.created_at,
            "revoked_at": key.revoked_at,
        }
        for key in keys
    ]


def _devices(session: Session, user_id: int) -> list[dict[str, Any]]:
    """The phones and browsers that receive pushes; the token cut short (too little to reuse)."""
    fields = (
        "id", "platform", "locale", "time_zone", "app_version", "active",
        "deactivated_reason", "created_at", "last_seen_at",
    )  # fmt: skip
    return [
        {name: getattr(d, name) for name in fields} | {"token": mask_token(d.token)}
        for d in _rows(session, Device, user_id, Device.id)
    ]


def _notifications(session: Session, user_id: int) -> list[Notification]:
    order = (Notification.created_at, Notification.id)
    return _rows(session, Notification, user_id, *order)


def _rows(session: Session, model: Any, user_id: int, *order: Any) -> list[Any]:
    return list(session.scalars(select(model).where(model.user_id == user_id).order_by(*order)))


def _two_factor(session: Session, user_id: int) -> dict[str, Any]:
    factor = twofactor.find(session, user_id)
    on = factor is not None and factor.enabled_at is not None
    return {
        "enabled": on,
        "enabled_since": factor.enabled_at if factor is not None else None,
        "recovery_codes_left": twofactor.remaining_recovery_codes(session, user_id) if on else 0,
    }


def _join_requests(session: Session, user_id: int) -> list[JoinRequest]:
    return list(
        session.scalars(
            select(JoinRequest)
            .where(JoinRequest.user_id == user_id)
            .options(selectinload(JoinRequest.structure))
            .order_by(JoinRequest.id)
        )
    )


def _email_changes(session: Session, user_id: int, now: dt.datetime) -> list[AccountLink]:
    return list(
        session.scalars(
            select(AccountLink)
            .where(
                AccountLink.user_id == user_id,
                AccountLink.purpose == Purpose.EMAIL_CHANGE,
                AccountLink.used_at.is_(None),
                AccountLink.expires_at > now,
            )
            .order_by(AccountLink.id)
        )
    )


def _registrations(session: Session, email: str) -> list[Registration]:
    return list(
        session.scalars(
            select(Registration)
            .where(Registration.email == email)
            .options(selectinload(Registration.training))
            .order_by(Registration.id)
        )
    )


def _invitations(session: Session, which: Any) -> list[Invitation]:
    query = select(Invitation).where(which).options(selectinload(Invitation.structure))
    return list(session.scalars(query.order_by(Invitation.id)))


def _trainings_given(session: Session, user_id: int) -> list[TrainingSession]:
    query = select(TrainingSession).where(TrainingSession.trainer_id == user_id)
    return list(session.scalars(query.order_by(TrainingSession.starts_at, TrainingSession.id)))
