"""Seed realistic demo data once (only in demo mode)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.accounts.models import Membership, Recipient, RecipientService, Role, Structure, User
from backend.accounts.security import hash_password
from backend.accounts.siret import make_siret
from backend.demo import data
from backend.invoices import service
from backend.trainings.demo import seed_trainings

DEMO_PASSWORD = "demo"
DEMO_USERS = {
    "demo": "demo@relais.example",
    "trainer": "formateur@relais.example",
    "admin": "admin@relais.example",
}
INVOICES = 300


def seed(session: Session, *, now: dt.datetime | None = None, invoices: int = INVOICES) -> bool:
    """Create the demo cast and invoices; return False when already seeded."""
    if session.scalar(select(User).where(User.email == DEMO_USERS["demo"])):
        return False
    rng = random.Random(2026)
    structures = _structures(session)
    recipients = _recipients(session)
    _users(session, structures)
    session.flush()
    now = now or dt.datetime.now(dt.UTC)
    for n in range(invoices):
        structure = structures[n % len(structures)]
        _invoice(session, rng, structure, rng.choice(recipients), n, now)
    seed_trainings(session, dt.datetime.now(dt.UTC))
    session.commit()
    return True


def _structures(session: Session) -> list[Structure]:
    rows = [
        Structure(
            siret=make_siret(900 + i),
            name=name,
            address_line1=street,
            postal_code=postal_code,
            city=city,
        )
        for i, (name, street, postal_code, city) in enumerate(data.STRUCTURES)
    ]
    session.add_all(rows)
    return rows


def _recipients(session: Session) -> list[Recipient]:
    rows = []
    for i, (name, services, (needs_service, needs_ej)) in enumerate(data.RECIPIENTS):
        recipient = Recipient(
            siret=make_siret(5000 + i),
            name=name,
            service_code_required=needs_service,
            engagement_required=needs_ej,
        )
        recipient.services = [RecipientService(code=c, name=n) for c, n in services]
        rows.append(recipient)
    session.add_all(rows)
    return rows


def _users(session: Session, structures: list[Structure]) -> None:
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
    session.add_all(
        [
            Membership(user=demo, structure=structures[0], role=Role.MAIN_MANAGER),
            Membership(user=demo, structure=structures[1], role=Role.MANAGER),
            Membership(user=demo, structure=structures[2], role=Role.USER),
        ]
    )


# Journeys: the statuses an invoice goes through, ending where it stands today.
_PATH = ["DEPOSEE", "EN_COURS_ACHEMINEMENT", "MISE_A_DISPOSITION"]
_PAYMENT = [
    "PRISE_EN_COMPTE_DESTINATAIRE",
    "SERVICE_FAIT",
    "MANDATEE",
    "MISE_A_DISPOSITION_COMPTABLE",
    "COMPTABILISEE",
    "MISE_EN_PAIEMENT",
]


def _journey(rng: random.Random) -> list[tuple[str, str | None]]:
    """A realistic sequence of (status, comment kind)."""
    roll = rng.random()
    steps: list[tuple[str, str | None]] = [(s, None) for s in _PATH]
    if roll < 0.04:
        return [("BROUILLON", None)]
    if roll < 0.12:
        return [*steps, ("A_RECYCLER", "recycle")]
    if roll < 0.20:
        return [*steps, ("SUSPENDUE", "suspension")]
    if roll < 0.27:
        return [*steps, ("REJETEE", "rejection")]
    if roll < 0.33:
        steps += [("A_RECYCLER", "recycle"), ("MISE_A_DISPOSITION", None)]
    if roll < 0.40:
        steps += [("SUSPENDUE", "suspension"), ("COMPLETEE", None)]
    optional = [s for s in _PAYMENT[:-1] if rng.random() < 0.6]
    stop = rng.randint(0, len(optional) + 1)
    steps += [(s, None) for s in optional[:stop]]
    if stop > len(optional):
        steps.append(("MISE_EN_PAIEMENT", None))
    return steps


def _comment(rng: random.Random, kind: str | None, ej: str) -> str | None:
    pools = {
        "rejection": data.REJECTION_COMMENTS,
        "suspension": data.SUSPENSION_COMMENTS,
        "recycle": data.RECYCLE_COMMENTS,
    }
    return rng.choice(pools[kind]).format(ej=ej) if kind else None


def _invoice(
    session: Session,
    rng: random.Random,
    structure: Structure,
    recipient: Recipient,
    n: int,
    now: dt.datetime,
) -> None:
    start = now - dt.timedelta(days=rng.randint(2, 180), hours=rng.randint(0, 23))
    ej = f"EJ{rng.randint(10**7, 10**8 - 1)}"
    amount = Decimal(rng.randint(8_000, 2_500_000)) / 100
    services = recipient.services
    changes = []
    moment = start
    for code, kind in _journey(rng):
        changes.append(service.ChangeIn(code, moment, _comment(rng, kind, ej)))
        moment = min(moment + dt.timedelta(days=rng.randint(0, 9), hours=rng.randint(1, 8)), now)
    record = service.InvoiceRecord(
        portal_id=9_000_000 + n,
        number=f"FA-{start:%Y}-{n + 1:04d}",
        recipient_siret=recipient.siret,
        recipient_name=recipient.name,
        service_code=rng.choice(services).code if services else None,
        type=rng.choices(["FACTURE", "AVOIR", "ACOMPTE"], [90, 4, 6])[0],
        billing_framework=rng.choices(["A1", "A2", "A9", "A12", "A4"], [70, 8, 10, 6, 6])[0],
        engagement_number=ej if recipient.engagement_required or rng.random() < 0.5 else None,
        invoice_date=start.date(),
        deposit_date=start.date(),
        amount_excl_tax=(amount / Decimal("1.2")).quantize(Decimal("0.01")),
        amount_incl_tax=amount,
        amount_to_pay=amount,
        deposit_mode=rng.choice(["SAISIE_API", "DEPOT_PDF_API", "SAISIE_WEB", "DEPOT_PDF_WEB"]),
    )
    service.record(session, structure.id, record, changes, source="demo")
