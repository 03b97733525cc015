"""Fixtures of the members' tests: the mail inbox, a clock, a structure with its people."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask

from backend.accounts.models import Role, Structure, User
from backend.db import db
from tests.accounts.conftest import STRONG, Clock, clock, token_in
from tests.factories import MembershipFactory, StructureFactory, UserFactory
from tests.mail.smtp import inbox, smtp_server
from tests.onboarding.conftest import bearer

__all__ = ["STRONG", "Clock", "bearer", "clock", "inbox", "smtp_server", "token_in"]


@dataclass
class Team:
    structure: Structure
    main: User
    manager: User
    user: User
    other: Structure  # another structure, with its own main manager
    other_main: User


@pytest.fixture
def team(app_ctx: Flask) -> Team:
    structure = StructureFactory(name="Menuiserie Martin")
    main = UserFactory(full_name="Anne Principale", email="anne@exemple.fr")
    manager = UserFactory(full_name="Bruno Gestion", email="bruno@exemple.fr")
    user = UserFactory(full_name="Chloé Simple", email="chloe@exemple.fr")
    for person, role in ((main, Role.MAIN_MANAGER), (manager, Role.MANAGER), (user, Role.USER)):
        MembershipFactory(user=person, structure=structure, role=role)
    other = StructureFactory(name="Plâtrerie Voisine")
    other_main = UserFactory(full_name="Denis Voisin", email="denis@exemple.fr")
    MembershipFactory(user=other_main, structure=other, role=Role.MAIN_MANAGER)
    db.session.commit()
    return Team(structure, main, manager, user, other, other_main)
