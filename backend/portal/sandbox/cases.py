"""Technical accounts for onboarding's failure paths, kept apart from the demo's suppliers.

`Sandbox.accounts()` (the demo's cast, the sync tests) lists the healthy suppliers only; these
come from `Sandbox.cases()` and `GET /_sandbox/cases`, by name:
- `not_connected`: a right login and password, but the structure is not connected
  (raccordée) to Relais in API mode (HTTP 403, codeRetour 20004: sandbox convention);
- `expired`: a password that expired a month before the seeded day (codeRetour 20001).
A wrong password needs no account of its own: any other password of a known login is refused.
Seeded with their own random stream, so the demo's data set does not move.
"""

from __future__ import annotations

import datetime as dt
import random

from backend.portal.sandbox.seed import fake_siret
from backend.portal.sandbox.store import Store

# case, name, e-mail, address, postal code, city, days from the seeded day to the expiry
CASES = (
    ("not_connected", "Atelier Kerbrat", "gestion@atelier-kerbrat.fr", "3 rue de Siam",
     "29200", "Brest", 120),
    ("expired", "Traiteur du Léon", "compta@traiteur-leon.fr", "8 place du Kreisker",
     "29250", "Saint-Pol-de-Léon", -30),
)  # fmt: skip


def seed_cases(store: Store, seed: int, now: dt.datetime) -> None:
    """Add the case accounts once (an older store file gets them at its next start)."""
    if store.row("SELECT 1 FROM account_cases LIMIT 1") is not None:
        return
    rng = random.Random(f"{seed}-onboarding-cases")
    with store.batch():
        for index, (case, name, email, address, postal, city, days) in enumerate(CASES):
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
