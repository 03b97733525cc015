"""The words of a status push: French by default, English for an English device."""

from __future__ import annotations

from dataclasses import dataclass

from backend.invoices.statuses import Category, status_info, status_label

# Notification categories a user can switch on or off, per structure.
ACTION_REQUIRED, PAYMENT, EVERY_CHANGE = "action_required", "payment", "every_change"
# Notices not about one invoice (their kind and category).
SERVICE_NOTICE, ACCOUNT_NOTICE = "service_notice", "account_notice"
HIGH_PRIORITY = frozenset({ACTION_REQUIRED, PAYMENT})
TTL_SECONDS = {ACTION_REQUIRED: 7 * 86400, PAYMENT: 3 * 86400, EVERY_CHANGE: 86400}


def category_of(code: str) -> str:
    """Which preference governs a status: action required, payment, or any change."""
    info = status_info(code)
    if info is not None and info.category is Category.ACTION_REQUIRED:
        return ACTION_REQUIRED
    if info is not None and info.category is Category.PAID:
        return PAYMENT
    return EVERY_CHANGE


@dataclass(frozen=True)
class Words:
    title: str
    body: str


def status_words(code: str, number: str, recipient: str, lang: str) -> Words:
    """Title names the invoice and its new status; the body, the recipient and what to do."""
    info = status_info(code)
    label = status_label(code, lang)
    english = lang.startswith("en")
    title = f"Invoice {number}: {label}" if english else f"Facture {number} : {label}"
    action = info.action(lang) if info else ""
    if action:
        body = f"{recipient}. {action}"
    elif info and info.category is Category.PAID:
        body = f"{recipient}. " + (
            "Payment is on its way." if english else "Le paiement est en route."
        )
    else:
        body = f"{recipient}. " + ("New status: " if english else "Nouveau statut : ") + label + "."
    return Words(title, body)
