"""Seed the demo once: people and structures here; invoices come from the portal sandbox."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.accounts.models import Membership, Role, Structure, User
from backend.accounts.security import hash_password
from backend.config import Config
from backend.demo.announcements import seed_announcements
from backend.demo.data import ADDRESSES
from backend.sync.accounts import register_account
from backend.trainings.demo import seed_trainings

DEMO_PASSWORD = "demo"
DEMO_USERS = {
    "demo": "demo@relais.example",
    "trainer": "formateur@relais.example",
    "admin": "admin@relais.example",
}
# The demo user's role in each sandbox supplier, in order.
DEMO_ROLES = (Role.MAIN_MANAGER, Role.MANAGER, Role.USER)


def seed(session: Session, accounts: Sequence[Mapping[str, Any]], *, config: Config) -> bool:
    """Create the demo cast from the sandbox's technical accounts; False when already there.

    The caller's unit of work commits (or rolls back) what this adds."""
    if session.scalar(select(User).where(User.email == DEMO_USERS["demo"])):
        return False
    demo = _users(session)
    for index, account in enumerate(accounts):
        street, postal_code, city = ADDRESSES[index % len(ADDRESSES)]
        structure = Structure(
            siret=account["siret"], name=account["name"], address_line1=street,
            postal_code=postal_code, city=city,
        )  # fmt: skip
        session.add(structure)
        session.flush()
        session.add(Membership(user=demo, structure=structure, role=DEMO_ROLES[index % 3]))
        expires = account.get("password_expires_on")
        register_account(
            session, structure, account["login"], account["password"],
            dt.date.fromisoformat(expires) if expires else None, config=config,
        )  # fmt: skip
    now = dt.datetime.now(dt.UTC)
    seed_trainings(session, now)
    seed_announcements(session, now)
    return True


def _users(session: Session) -> User:
    password = hash_password(DEMO_PASSWORD)

    def user(key: str, name: str, **flags: bool) -> User:
        return User(
            email=DEMO_USERS[key], full_name=name, password_hash=password, is_demo=True, **flags
        )

    demo = user("demo", "Claire Lefèvre")
    session.add_all(
        [
            demo,
            user("trainer", "Julien Formateur", is_trainer=True),
            user("admin", "Sophie Administratrice", is_admin=True),
        ]
    )
    return demo
