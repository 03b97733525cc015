"""How sandbox invoices move along the portal's lifecycle as time passes."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from backend.portal.sandbox import comments as c
from backend.portal.sandbox.store import Store, from_text, to_text

FORWARD = (
    "DEPOSEE",
    "EN_COURS_ACHEMINEMENT",
    "MISE_A_DISPOSITION",
    "PRISE_EN_COMPTE_DESTINATAIRE",
    "SERVICE_FAIT",
    "MANDATEE",
    "MISE_A_DISPOSITION_COMPTABLE",
    "COMPTABILISEE",
    "MISE_EN_PAIEMENT",
)
OPTIONAL = frozenset(FORWARD[3:8])
# A sandbox invention, on purpose not in the portal's published list: it checks that
# Relais stores and shows a code it has never seen instead of crashing.
UNKNOWN_CODE = "EN_ATTENTE_VISA_ORDONNATEUR"

# Hours between a status and the next one (min, max), by status.
DELAYS_H = {
    "DEPOSEE": (0.03, 0.3),
    "EN_COURS_ACHEMINEMENT": (0.2, 6),
    "A_RECYCLER": (20, 96),
    "SUSPENDUE": (20, 160),
    "MISE_EN_PAIEMENT": (24, 240),
}
DEFAULT_DELAY_H = (24, 130)


@dataclass
class Move:
    """What happens next to one invoice (code None: it silently stops moving)."""

    code: str | None
    comment: str | None
    stage: int
    flags: set[str] = field(default_factory=set)
    done: bool = False


@dataclass(frozen=True)
class Change:
    invoice_id: int
    code: str
    at: dt.datetime
    comment: str | None


def next_move(inv: dict[str, object], flags: set[str], rng: random.Random) -> Move:
    """The next status of an invoice: normal path, recycling, suspension, rejection…"""
    status, stage = str(inv["status"]), int(str(inv["stage"]))
    values = {
        "service": inv.get("service_code") or "FACTURES",
        "ej": inv.get("engagement") or "(non renseigné)",
        "number": inv["number"],
        "mandate": f"M{2026}-{int(str(inv['id'])) % 9000 + 1000}",
    }
    if status == "A_RECYCLER":
        return Move("MISE_A_DISPOSITION", c.pick(rng, c.RECYCLED), 2, flags)
    if status == "SUSPENDUE":
        return Move("COMPLETEE", c.pick(rng, c.COMPLETION), stage, flags)
    if "late" in flags:
        return Move("MANDATEE", c.LATE_MANDATE.format(**values), stage, flags - {"late"}, True)
    if stage < 2:
        return Move(FORWARD[stage + 1], None, stage + 1, flags)
    roll = rng.random()
    if stage <= 3 and "recycled" not in flags and roll < 0.05:
        return Move("A_RECYCLER", c.pick(rng, c.RECYCLING, **values), stage, flags | {"recycled"})
    if stage <= 6 and "suspended" not in flags and roll < 0.11:
        return Move("SUSPENDUE", c.pick(rng, c.SUSPENSION), stage, flags | {"suspended"})
    if stage <= 6 and roll < 0.135:
        return Move("REJETEE", c.pick(rng, c.REJECTION, **values), stage, flags, True)
    if "unknown" not in flags and roll < 0.14:
        return Move(UNKNOWN_CODE, c.UNKNOWN, stage, flags | {"unknown"})
    return _forward(stage, flags, rng, values, bool(inv.get("payment_not_reported")))


def _forward(
    stage: int, flags: set[str], rng: random.Random, values: dict[str, object], silent: bool
) -> Move:
    """The next step of the normal path; the recipient skips optional ones at will."""
    for index in range(stage + 1, len(FORWARD)):
        code = FORWARD[index]
        if code in OPTIONAL and rng.random() < 0.35:
            continue
        if code != "MISE_EN_PAIEMENT":
            return Move(code, None, index, flags)
        if silent:  # statutMiseEnPaiementNestPasRemonte: the payment is never reported
            return Move(None, None, stage, flags, True)
        late = rng.random() < 0.12  # a payment order stamped after the payment (out of order)
        comment = c.pick(rng, c.PAYMENT, **values)
        return Move(code, comment, index, flags | ({"late"} if late else set()), not late)
    raise AssertionError("the normal path always ends with MISE_EN_PAIEMENT")


class Lifecycle:
    """Moves the store's invoices; deterministic for a given seed and clock."""

    def __init__(self, store: Store, rng: random.Random) -> None:
        self.store, self.rng = store, rng

    def step(self, invoice_id: int, at: dt.datetime) -> Change | None:
        """Apply the next move of one invoice at `at` and schedule the following one."""
        with self.store.lock:
            row = self.store.row(
                "SELECT v.*, r.payment_not_reported FROM invoice_view v "
                "JOIN structures r ON r.id = v.recipient_id WHERE v.id = ?",
                [invoice_id],
            )
            if row is None or row["next_at"] is None:
                return None
            inv = dict(row)
            flags = set(filter(None, str(inv["flags"]).split(",")))
            move = next_move(inv, flags, self.rng)
            if move.code is not None:
                self.store.add_change(invoice_id, move.code, at, move.comment)
            next_at = None if move.done else to_text(at + self.delay_after(move.code))
            values = {
                "stage": move.stage,
                "flags": ",".join(sorted(move.flags)),
                "next_at": next_at,
            }
            self.store.update("invoices", invoice_id, values)
        return Change(invoice_id, move.code, at, move.comment) if move.code else None

    def delay_after(self, code: str | None) -> dt.timedelta:
        low, high = DELAYS_H.get(code or "", DEFAULT_DELAY_H)
        return dt.timedelta(seconds=int(self.rng.uniform(low, high) * 3600))

    def advance(self, now: dt.datetime) -> list[Change]:
        """Play every move due up to `now`, each stamped at its own due time."""
        changes: list[Change] = []
        while True:
            due = self.store.rows(
                "SELECT id, next_at FROM invoices WHERE next_at IS NOT NULL AND next_at <= ? "
                "ORDER BY next_at, id LIMIT 500",
                [to_text(now)],
            )
            if not due:
                return changes
            for row in due:
                change = self.step(int(row["id"]), from_text(row["next_at"]))
                if change is not None:
                    changes.append(change)

    def tick(self, now: dt.datetime, count: int = 3) -> list[Change]:
        """Move `count` random live invoices right now (the live demo's heartbeat)."""
        live = [
            int(r["id"])
            for r in self.store.rows(
                "SELECT id FROM invoices WHERE next_at IS NOT NULL ORDER BY id"
            )
        ]
        picked = self.rng.sample(live, min(count, len(live)))
        with self.store.batch():  # one commit for the lot (benchmarks tick thousands)
            changes = [self.step(invoice_id, now) for invoice_id in sorted(picked)]
        return [change for change in changes if change is not None]
