"""A small world of two suppliers, their users and invoices."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient

from backend.accounts.models import Recipient, RecipientService, Role, Structure, User
from backend.invoices.models import Invoice
from tests.factories import (
    MembershipFactory,
    RecipientFactory,
    ServiceFactory,
    StructureFactory,
    UserFactory,
    at,
    make_invoice,
)
from tests.helpers import auth_headers


@dataclass
class World:
    mine: Structure
    theirs: Structure
    town: Recipient
    hospital: Recipient
    roads: RecipientService
    schools: RecipientService
    me: User
    them: User
    roads_only: User
    paid: Invoice
    rejected: Invoice
    suspended: Invoice
    recycled: Invoice
    in_progress: Invoice
    unknown: Invoice
    foreign: Invoice

    def headers(self, client: FlaskClient, user: User | None = None) -> dict[str, str]:
        return auth_headers(client, (user or self.me).email)


@pytest.fixture
def world(app_ctx: Flask) -> World:
    mine, theirs = StructureFactory(name="Menuiserie Dupont"), StructureFactory(name="Autre SARL")
    town = RecipientFactory(name="Commune de Villeurbanne")
    hospital = RecipientFactory(name="Centre hospitalier de Lyon")
    roads = ServiceFactory(recipient=town, code="VOIRIE", name="Voirie")
    schools = ServiceFactory(recipient=town, code="ECOLES", name="Écoles")
    me, them, roads_only = UserFactory(), UserFactory(), UserFactory()
    MembershipFactory(user=me, structure=mine, role=Role.MAIN_MANAGER)
    MembershipFactory(user=them, structure=theirs, role=Role.MAIN_MANAGER)
    MembershipFactory(user=roads_only, structure=mine, role=Role.USER, services=[roads])
    path = [("DEPOSEE", at(1)), ("EN_COURS_ACHEMINEMENT", at(1, 11)), ("MISE_A_DISPOSITION", at(2))]
    return World(
        mine,
        theirs,
        town,
        hospital,
        roads,
        schools,
        me,
        them,
        roads_only,
        paid=make_invoice(
            mine,
            town,
            [*path, ("MISE_EN_PAIEMENT", at(20))],
            service_code="VOIRIE",
            amount="1500.00",
            number="F-PAYEE",
        ),
        rejected=make_invoice(
            mine,
            hospital,
            [*path, ("REJETEE", at(25), "Montant erroné")],
            amount="300.00",
            number="F-REJET",
        ),
        suspended=make_invoice(
            mine,
            town,
            [*path, ("SUSPENDUE", at(26), "Bon de livraison manquant")],
            service_code="ECOLES",
            amount="820.50",
            number="F-SUSP",
        ),
        recycled=make_invoice(
            mine,
            town,
            [*path, ("A_RECYCLER", at(27), "Code service erroné")],
            service_code="VOIRIE",
            amount="99.99",
            number="F-RECYC",
        ),
        in_progress=make_invoice(mine, hospital, path[:2], amount="2000.00", number="F-ENCOURS"),
        unknown=make_invoice(
            mine,
            town,
            [*path, ("ETAT_INEDIT", at(28))],
            service_code="VOIRIE",
            amount="10.00",
            number="F-INEDIT",
        ),
        foreign=make_invoice(
            theirs,
            town,
            [*path, ("SUSPENDUE", at(29), "secret")],
            amount="5000.00",
            number="F-AUTRE",
        ),
    )
