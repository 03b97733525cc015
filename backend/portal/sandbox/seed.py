"""The demo data set: suppliers with technical accounts, public recipients, invoices.

Names of places are real, SIRETs are generated (valid checksums, not real establishments).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from backend.portal.sandbox.lifecycle import Lifecycle
from backend.portal.sandbox.store import Store, to_text
from backend.siret import luhn_complete

OAUTH_CLIENT = ("relais-sandbox", "relais-sandbox-secret")

# name, e-mail, address, postal code, city, number format, VAT rate
SUPPLIERS = (
    ("Menuiserie Leroux et Fils", "compta@menuiserie-leroux.fr", "12 rue des Tanneurs",
     "35400", "Saint-Malo", "F2026-{n:04d}", Decimal("0.20")),
    ("Les Saveurs d'Armor", "factures@saveurs-armor.fr", "4 quai de la Douane",
     "29200", "Brest", "SA-{n:05d}", Decimal("0.10")),
    ("Bérard Informatique Conseil", "contact@berard-ic.fr", "27 boulevard Guist'hau",
     "44000", "Nantes", "BIC-2026-{n:03d}", Decimal("0.20")),
)  # fmt: skip
# name, street address (a second line is the portal's complement), postal code, city,
# (service code, EJ, EJ or service, payment not reported), payment period in days, services
RECIPIENTS = (
    ("Commune de Saint-Malo", "Place Chateaubriand", "35400", "Saint-Malo",
     (True, False, False, False), 30,
     (("SERV_TECH", "Services techniques"), ("RESTAU_SCO", "Restauration scolaire"),
      ("DSI", "Direction des systèmes d'information"))),
    ("Département d'Ille-et-Vilaine", "1 avenue de la Préfecture\nCS 24218", "35000", "Rennes",
     (False, True, False, False), 30,
     (("DIR_ROUTES", "Direction des routes"), ("COLLEGES", "Service des collèges"))),
    ("Centre hospitalier universitaire de Brest", "2 avenue Foch", "29200", "Brest",
     (False, False, True, False), 50,
     (("ACHATS", "Direction des achats"), ("DSN", "Direction du numérique"))),
    ("Université de Nantes", "1 quai de Tourville", "44000", "Nantes",
     (True, True, False, False), 30,
     (("DAF", "Direction des affaires financières"), ("FC", "Formation continue"))),
    ("Préfecture de la région Bretagne", "3 avenue de la Préfecture", "35000", "Rennes",
     (False, True, False, True), 30,
     (("SGAR", "Secrétariat général pour les affaires régionales"),)),
    ("Lycée Chateaubriand", "136 boulevard de Vitré", "35700", "Rennes",
     (False, False, False, True), 30, ()),
)  # fmt: skip
TYPES = (("FACTURE", 80), ("AVOIR", 10), ("ACOMPTE", 10))
FRAMEWORKS = (("A1", 72), ("A2", 8), ("A9", 12), ("A12", 8))
DEPOSIT_MODES = (
    "DEPOT_PDF_API",
    "SAISIE_API",
    "UPLOAD_PORTAIL",
    "DEPOT_PDF_PORTAIL",
    "SAISIE_PORTAIL",
)
FIRST_INVOICE_ID = 4_813_000


def fake_siret(rng: random.Random) -> str:
    """A SIRET whose SIREN and 14 digits both pass Luhn (see research §4.1)."""
    first = str(rng.randint(2, 8)) + "".join(str(rng.randint(0, 9)) for _ in range(7))
    siren = luhn_complete(first)
    return luhn_complete(siren + "000" + str(rng.randint(1, 9)))


def seed_demo(
    store: Store, rng: random.Random, now: dt.datetime, invoices: int = 300, suppliers: int = 3
) -> None:
    """Fill an empty store with the demo data set, then let its history play up to `now`.

    More than three `suppliers` (the sync's load simulation) repeat the three with a number."""
    store.insert(
        "oauth_clients", dict(zip(("client_id", "client_secret"), OAUTH_CLIENT, strict=True))
    )
    added = [_add_supplier(store, rng, now, i, _supplier_row(i)) for i in range(suppliers)]
    recipients = [_add_recipient(store, rng, row) for row in RECIPIENTS]
    counters = [0] * len(added)
    for k in range(invoices):
        which = k % len(added)
        counters[which] += 1
        add_invoice(store, rng, now, FIRST_INVOICE_ID + k, added[which], recipients,
                     counters[which])  # fmt: skip
    Lifecycle(store, rng).advance(now)


def _supplier_row(index: int) -> tuple:
    row = SUPPLIERS[index % len(SUPPLIERS)]
    if index < len(SUPPLIERS):
        return row
    return (f"{row[0]} n° {index + 1}", *row[1:])


def _add_supplier(
    store: Store, rng: random.Random, now: dt.datetime, index: int, row: tuple
) -> dict:
    name, email, address, postal, city, fmt, vat = row
    siret = fake_siret(rng)
    sid = store.insert("structures", {
        "siret": siret, "name": name, "kind": "supplier", "email": email,
        "address": address, "postal_code": postal, "city": city,
    })  # fmt: skip
    expiry = now.date() + dt.timedelta(days=(180, 12, 90)[index % 3])
    store.insert("accounts", {
        "login": f"TECH_1_{siret}@cpro.fr", "password": f"Relais-Sandbox-{index + 1}!",
        "structure_id": sid, "password_expires_on": expiry.isoformat(),
    })  # fmt: skip
    return {"id": sid, "format": fmt, "vat": vat}


def _add_recipient(store: Store, rng: random.Random, row: tuple) -> dict:
    name, address, postal, city, flags, days, services = row
    rid = store.insert("structures", {
        "siret": fake_siret(rng), "name": name, "kind": "public", "address": address,
        "postal_code": postal, "city": city, "service_code_required": flags[0],
        "engagement_required": flags[1], "engagement_or_service": flags[2],
        "payment_not_reported": flags[3], "payment_days": days,
    })  # fmt: skip
    ids = [store.insert("services", {"structure_id": rid, "code": code, "name": label})
           for code, label in services]  # fmt: skip
    return {"id": rid, "flags": flags, "services": ids}


def _weighted(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


def add_invoice(
    store: Store, rng: random.Random, now: dt.datetime, invoice_id: int,
    supplier: dict, recipients: list[dict], n: int,
) -> None:  # fmt: skip
    recipient = rng.choice(recipients)
    needs_service, needs_ej, either, _ = recipient["flags"]
    with_ej = needs_ej or (either and rng.random() < 0.5) or rng.random() < 0.2
    with_service = recipient["services"] and (needs_service or not with_ej or rng.random() < 0.5)
    # Squared: recent deposits are more numerous, so every status of the path shows up.
    deposited = now - dt.timedelta(minutes=30 + int(150 * 24 * 60 * rng.random() ** 2))
    ht = Decimal(rng.randint(8_000, 4_800_000)) / 100
    ttc = (ht * (1 + supplier["vat"])).quantize(Decimal("0.01"))
    framework = _weighted(rng, FRAMEWORKS)
    draft = rng.random() < 0.03
    store.insert("invoices", {
        "id": invoice_id, "supplier_id": supplier["id"], "recipient_id": recipient["id"],
        "service_id": rng.choice(recipient["services"]) if with_service else None,
        "number": supplier["format"].format(n=n), "type": _weighted(rng, TYPES),
        "framework": framework,
        "engagement": f"1300{rng.randint(100000, 999999)}" if with_ej else None,
        "invoice_date": (deposited - dt.timedelta(days=rng.randint(0, 10))).date().isoformat(),
        "deposit_date": None if draft else deposited.date().isoformat(),
        "currency": "EUR", "amount_ht": str(ht), "amount_ttc": str(ttc),
        "amount_to_pay": "0.00" if framework == "A2" else str(ttc),
        "deposit_mode": rng.choice(DEPOSIT_MODES), "status": "BROUILLON",
        "status_at": to_text(deposited), "stage": 0,
        "next_at": None if draft else to_text(deposited + dt.timedelta(minutes=rng.randint(2, 20))),
    })  # fmt: skip
    store.add_change(invoice_id, "BROUILLON" if draft else "DEPOSEE", deposited)
