"""Technical accounts for onboarding's failure paths, kept apart from the demo's suppliers.

`Sandbox.accounts()` (the demo's cast, the sync tests) lists the healthy suppliers only; these
come from `Sandbox.cases()` and `GET /_sandbox/cases`, by name:
- `not_connected`: a right login and password, but the structure is not connected
  (raccordée) to Relais in API mode (HTTP 403, codeRetour 20004: sandbox convention);
- `expired`: a password that expired a month before the seeded day (codeRetour 20001);
- `unclaimed`: a healthy supplier with its own invoices that the demo's cast does not take, so
  whoever starts `make run` can add a structure of their own and watch its first sync.
A wrong password needs no account of its own: any other password of a known login is refused.
Seeded with their own random stream, so the demo's data set does not move; a case missing from
an older store file is added at its next start.
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
from decimal import Decimal

from backend.portal.sandbox.lifecycle import Lifecycle
from backend.portal.sandbox.seed import add_invoice, fake_siret
from backend.portal.sandbox.store import Store, from_text, to_text

# case, name, e-mail, address, postal code, city, days from the seeded day to the expiry
CASES = (
    ("not_connected", "Atelier Kerbrat", "gestion@atelier-kerbrat.fr", "3 rue de Siam",
     "29200", "Brest", 120),
    ("expired", "Traiteur du Léon", "compta@traiteur-leon.fr", "8 place du Kreisker",
     "29250", "Saint-Pol-de-Léon", -30),
    ("unclaimed", "Boulangerie Le Fur", "contact@boulangerie-lefur.fr", "15 rue Saint-Yves",
     "29000", "Quimper", 150),
)  # fmt: skip
# The unclaimed supplier's invoices: how many, their numbers, VAT, and ids apart from the demo's.
UNCLAIMED_INVOICES = 24
UNCLAIMED_FORMAT = "BLF-{n:04d}"
UNCLAIMED_FIRST_ID = 9_100_000


def seed_cases(store: Store, seed: int, now: dt.datetime) -> None:
    """Add the case accounts an older store file lacks (each case once)."""
    known = {row["name"] for row in store.rows("SELECT name FROM account_cases")}
    for index, (case, name, email, address, postal, city, days) in enumerate(CASES):
        if case in known:
            continue
        rng = random.Random(f"{seed}-onboarding-cases-{case}")
        with store.batch():
            siret = fake_siret(rng)
            sid = store.insert("structures", {
                "siret": siret, "name": name, "kind": "supplier", "email": email,
                "address": address, "postal_code": postal, "city": city,
            })  # fmt: skip
            login = f"TECH_1_{siret}@cpro.fr"
            store.insert("accounts", {
                "login": login, "password": f"Relais-Cas-{index + 1}!", "structure_id": sid,
                "password_expires_on": (now.date() + dt.timedelta(days=days)).isoformat(),
            })  # fmt: skip
            store.insert("account_cases", {"login": login, "name": case})
            if case == "not_connected":
                store.insert("api_mode_off", {"structure_id": sid})
        if case == "unclaimed":
            _add_invoices(store, rng, now, sid)


def _add_invoices(store: Store, rng: random.Random, now: dt.datetime, supplier_id: int) -> None:
    """Invoices to the seeded recipients, their history played up to `now` (theirs only)."""
    recipients = [_recipient(store, row) for row in store.rows(
        "SELECT * FROM structures WHERE kind = 'public' ORDER BY id"
    )]  # fmt: skip
    if not recipients:
        return
    supplier = {"id": supplier_id, "format": UNCLAIMED_FORMAT, "vat": Decimal("0.055")}
    with store.batch():
        for n in range(1, UNCLAIMED_INVOICES + 1):
            add_invoice(store, rng, now, UNCLAIMED_FIRST_ID + n, supplier, recipients, n)
    lifecycle = Lifecycle(store, rng)
    while due := store.rows(
        "SELECT id, next_at FROM invoices WHERE supplier_id = ? AND next_at IS NOT NULL "
        "AND next_at <= ? ORDER BY next_at, id", [supplier_id, to_text(now)],
    ):  # fmt: skip
        for row in due:
            lifecycle.step(int(row["id"]), from_text(row["next_at"]))


def _recipient(store: Store, row: sqlite3.Row) -> dict:
    """A seeded public recipient as `add_invoice` takes it: its flags and its services."""
    flags = ("service_code_required", "engagement_required", "engagement_or_service",
             "payment_not_reported")  # fmt: skip
    services = store.rows("SELECT id FROM services WHERE structure_id = ? ORDER BY id", [row["id"]])
    return {
        "id": row["id"],
        "flags": tuple(row[f] for f in flags),
        "services": [s["id"] for s in services],
    }
