"""The benchmark data set as rows: structures, users, memberships, recipients, invoices.

Everything comes from one `random.Random(seed)`, so a seed always gives the same rows.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate

from backend.siret import make_siret

BENCH_PASSWORD = "bench-password"
BIG_STRUCTURE_ID = 1
# Fixed, so that a seed gives the same timestamps whenever it is generated.
ANCHOR = dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC)
HISTORY_DAYS = 730

Row = tuple[object, ...]


@dataclass(frozen=True)
class Plan:
    """How big the data set is."""

    structures: int
    users: int
    invoices: int
    recipients: int
    big_invoices: int
    seed: int = 2026

    def label(self) -> str:
        return f"{self.structures}s-{self.users}u-{self.invoices}i-seed{self.seed}"


FULL = Plan(
    structures=10_000, users=20_000, invoices=1_000_000, recipients=2_000, big_invoices=100_000
)
SMALL = Plan(structures=200, users=400, invoices=20_000, recipients=100, big_invoices=2_000)

CITIES = [
    ("69003", "Lyon"),
    ("33000", "Bordeaux"),
    ("59000", "Lille"),
    ("13001", "Marseille"),
    ("31000", "Toulouse"),
    ("44000", "Nantes"),
    ("67000", "Strasbourg"),
    ("35000", "Rennes"),
]
TRADES = ["Menuiserie", "Nettoyage", "Conseil", "Transports", "Imprimerie", "Électricité"]
RECIPIENT_KINDS = ["Commune de", "Centre hospitalier de", "Lycée de", "Département de"]
SERVICES = ["VOIRIE", "ECOLES", "BATIMENTS", "ACHATS", "LOGISTIQUE", "CULTURE"]
PATH = ["DEPOSEE", "EN_COURS_ACHEMINEMENT", "MISE_A_DISPOSITION"]
OPTIONAL = ["SERVICE_FAIT", "MANDATEE", "MISE_A_DISPOSITION_COMPTABLE", "COMPTABILISEE"]
COMMENTS = {
    "rejection": [
        "Montant TTC différent du bon de commande n° {ej} : merci d'émettre une nouvelle facture.",
        "Cadre de facturation erroné : une facture de sous-traitant (A9) était attendue.",
        "Facture en double : déjà reçue sous un autre numéro.",
    ],
    "suspension": [
        "Bon de livraison signé manquant : merci de le joindre.",
        "Attestation de service fait à fournir avant traitement.",
        "Relevé d'identité bancaire absent ou illisible.",
    ],
    "recycle": [
        "Code service erroné : utiliser le code ECOLES.",
        "Numéro d'engagement {ej} inconnu : vérifier le bon de commande.",
    ],
}


def structures(plan: Plan, rng: random.Random) -> Iterator[Row]:
    """(id, siret, name, address_line1, address_line2, postal_code, city, country, data_version,
    created_at); data_version is set after loading, from the status changes."""
    for sid in range(1, plan.structures + 1):
        postal, city = rng.choice(CITIES)
        name = f"{rng.choice(TRADES)} {city} {sid}"
        if sid == BIG_STRUCTURE_ID:
            name = "Grand Fournisseur National"
        street = f"{rng.randint(1, 120)} rue de la République"
        created = ANCHOR - dt.timedelta(days=HISTORY_DAYS + rng.randint(1, 900))
        yield (sid, make_siret(100_000 + sid), name, street, None, postal, city, "FR", 0, created)


def users(plan: Plan, password_hash: str) -> Iterator[Row]:
    """(id, email, password_hash, full_name, locale, is_admin, is_trainer, is_demo, active,
    created_at)"""
    created = ANCHOR - dt.timedelta(days=HISTORY_DAYS)
    for uid in range(1, plan.users + 1):
        locale = "en" if uid % 25 == 0 else "fr"
        yield (
            uid,
            email(uid),
            password_hash,
            f"Utilisateur {uid}",
            locale,
            False,
            False,
            False,
            True,
            created,
        )


def email(uid: int) -> str:
    return f"user{uid}@bench.relais.example"


def memberships(plan: Plan, rng: random.Random) -> Iterator[Row]:
    """(id, user_id, structure_id, role): about two users per structure; every 40th
    structure's main manager also manages the next few structures (a supplier group)."""
    mid = 0
    per_structure = max(1, plan.users // plan.structures)
    for sid in range(1, plan.structures + 1):
        for k in range(per_structure):
            uid = (sid - 1) * per_structure + k + 1
            mid += 1
            yield (mid, uid, sid, "main_manager" if k == 0 else "user")
        if sid % 40 == 0:
            owner = (sid - 1) * per_structure + 1
            for other in range(sid + 1, min(plan.structures, sid + rng.randint(1, 4)) + 1):
                mid += 1
                yield (mid, owner, other, "manager")


def recipients(plan: Plan, rng: random.Random) -> Iterator[Row]:
    """(id, siret, name, service_code_required, engagement_required,
    engagement_or_service_required, payment_status_not_reported)"""
    for rid in range(1, plan.recipients + 1):
        name = f"{rng.choice(RECIPIENT_KINDS)} {rng.choice(CITIES)[1]} {rid}"
        yield (rid, make_siret(500_000 + rid), name, rid % 3 == 0, rid % 4 == 0, False, False)


def recipient_services(plan: Plan, rng: random.Random) -> tuple[list[Row], list[list[int]]]:
    """(id, recipient_id, code, name, active) rows and the service ids of each recipient."""
    rows: list[Row] = []
    by_recipient: list[list[int]] = [[] for _ in range(plan.recipients + 1)]
    for rid in range(1, plan.recipients + 1):
        for code in rng.sample(SERVICES, rng.choice([0, 0, 1, 2, 3, 5])):
            rows.append((len(rows) + 1, rid, code, code.capitalize(), True))
            by_recipient[rid].append(len(rows))
    return rows, by_recipient


def membership_services(member_rows: list[Row], services: int, rng: random.Random) -> list[Row]:
    """(membership_id, service_id): one plain user in ten sees only one or two services."""
    rows = []
    for mid, _uid, sid, role in member_rows:
        if role == "user" and sid != BIG_STRUCTURE_ID and rng.random() < 0.1:
            for service_id in sorted(rng.sample(range(1, services + 1), rng.randint(1, 2))):
                rows.append((mid, service_id))
    return rows


def journey(rng: random.Random) -> list[tuple[str, str | None]]:
    """A realistic path of (status, comment kind); about six changes on average."""
    roll = rng.random()
    head: list[tuple[str, str | None]] = [(code, None) for code in PATH]
    if roll < 0.03:
        return [("BROUILLON", None)]
    if roll < 0.08:
        return [*head, ("A_RECYCLER", "recycle")]
    taken = [*head, ("PRISE_EN_COMPTE_DESTINATAIRE", None)]
    if roll < 0.14:
        return [*taken, ("SUSPENDUE", "suspension")]
    if roll < 0.18:
        return [*taken, ("REJETEE", "rejection")]
    if roll < 0.21:
        taken += [("SUSPENDUE", "suspension"), ("COMPLETEE", None)]
    optional = [(code, None) for code in OPTIONAL if rng.random() < 0.45]
    if roll < 0.32:
        return taken + optional[: rng.randint(0, len(optional))]
    return [*taken, *optional, ("MISE_EN_PAIEMENT", None)]


def invoice_structures(plan: Plan, rng: random.Random) -> list[int]:
    """The structure of each invoice: the big supplier's share, then a long tail."""
    others = list(range(2, plan.structures + 1))
    weights = list(accumulate(rng.lognormvariate(0, 1.2) for _ in others))
    owners = [BIG_STRUCTURE_ID] * plan.big_invoices
    owners += rng.choices(others, cum_weights=weights, k=plan.invoices - plan.big_invoices)
    rng.shuffle(owners)
    return owners


def invoices(
    plan: Plan, rng: random.Random, services_of: list[list[int]]
) -> Iterator[tuple[Row, list[Row]]]:
    """Each invoice row with its status-change rows, oldest change first."""
    owners = invoice_structures(plan, rng)
    change_id = 0
    for iid, sid in enumerate(owners, start=1):
        rid = rng.randint(1, plan.recipients)
        options = services_of[rid]
        service_id = rng.choice(options) if options and rng.random() < 0.8 else None
        start = ANCHOR - dt.timedelta(seconds=rng.randint(3600, HISTORY_DAYS * 86_400))
        ej = f"EJ{rng.randint(10**7, 10**8 - 1)}"
        changes: list[Row] = []
        moment, comment = start, None
        for code, kind in journey(rng):
            if moment >= ANCHOR:
                break  # the rest of the journey has not happened yet
            comment = rng.choice(COMMENTS[kind]).format(ej=ej) if kind else None
            change_id += 1
            recorded = moment + dt.timedelta(minutes=rng.randint(1, 90))
            changes.append((change_id, iid, code, moment, comment, "portal", recorded))
            step = dt.timedelta(days=rng.randint(0, 9), hours=rng.randint(1, 8))
            moment += step
        last = changes[-1]
        cents = rng.randint(8_000, 2_500_000)
        amount = f"{cents // 100}.{cents % 100:02d}"
        excl = f"{cents * 5 // 600}.{cents * 5 // 6 % 100:02d}"
        kind = rng.choices(["FACTURE", "AVOIR", "ACOMPTE"], [90, 4, 6])[0]
        invoice = (
            iid,
            10_000_000 + iid,
            f"FA-{start:%Y}-{iid:07d}",
            kind,
            rng.choices(["A1", "A2", "A9", "A12", "A4"], [70, 8, 10, 6, 6])[0],
            sid,
            rid,
            service_id,
            ej if rng.random() < 0.5 else None,
            start.date(),
            start.date(),
            excl,
            amount,
            amount,
            "EUR",
            rng.choice(["SAISIE_API", "DEPOT_PDF_API", "SAISIE_WEB", "DEPOT_PDF_WEB"]),
            last[2],
            last[4],
            last[3],
            start,
            last[6],
        )
        yield invoice, changes
