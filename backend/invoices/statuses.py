"""Invoice statuses: labels, categories, reform codes, what to do (data in status_catalogue).

Reform codes map to the portal's status of the same meaning (the mapping published with
DOMAIN.md) or are stored under their number. The portal's list is not closed: codes missing
here are stored as sent and shown with a label made from the code (`status_label`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from backend.invoices import status_catalogue as catalogue


class Category(enum.StrEnum):
    """How a status concerns the supplier."""

    IN_PROGRESS = "in_progress"
    ACTION_REQUIRED = "action_required"
    PAID = "paid"
    CLOSED = "closed"


CATEGORY_LABELS = {
    Category.IN_PROGRESS: ("En cours de traitement", "In progress"),
    Category.ACTION_REQUIRED: ("Action requise", "Action required"),
    Category.PAID: ("Payée", "Paid"),
    Category.CLOSED: ("Clôturée", "Closed"),
}


@dataclass(frozen=True)
class StatusInfo:
    """What Relais knows about one status code."""

    code: str
    label_fr: str
    label_en: str
    category: Category
    lifecycle_code: int | None = None
    final: bool = False
    explanation_fr: str = ""
    action_fr: str = ""
    explanation_en: str = ""
    action_en: str = ""

    @property
    def action_required(self) -> bool:
        return self.category is Category.ACTION_REQUIRED

    def label(self, locale: str) -> str:
        return self.label_en if locale == "en" else self.label_fr

    def explanation(self, locale: str) -> str:
        return (
            (self.explanation_en or self.explanation_fr) if locale == "en" else self.explanation_fr
        )

    def action(self, locale: str) -> str:
        return (self.action_en or self.action_fr) if locale == "en" else self.action_fr


STATUSES: dict[str, StatusInfo] = {
    code: StatusInfo(code, fr, en, Category(cat), *rest)
    for code, fr, en, cat, *rest in catalogue.CORE
}
STATUSES.update(
    {
        code: StatusInfo(
            code,
            fr,
            en,
            Category(cat),
            None,
            cat == Category.CLOSED or code in catalogue.REFUSALS,
        )
        for code, fr, en, cat in catalogue.OTHER
    }
)
STATUSES.update(
    {
        code: StatusInfo(
            code,
            fr,
            en,
            Category(cat),
            int(code),
            final,
            action_fr=catalogue.REFORM_ACTIONS.get(code, ("", ""))[0],
            action_en=catalogue.REFORM_ACTIONS.get(code, ("", ""))[1],
        )
        for code, fr, en, cat, final in catalogue.REFORM_ONLY
    }
)
# Reform code -> the status Relais stores for it: the portal's status when it means the same.
REFORM_TO_STATUS: dict[int, str] = {
    200: "DEPOSEE",
    203: "MISE_A_DISPOSITION",
    204: "PRISE_EN_COMPTE_DESTINATAIRE",
    208: "SUSPENDUE",
    209: "COMPLETEE",
    211: "MISE_EN_PAIEMENT",
    **{int(code): code for code, *_ in catalogue.REFORM_ONLY},
}

# The Synthèse: what waits for the supplier, in the portal's order.
TODO_CODES = ("BROUILLON", "A_RECYCLER", "SUSPENDUE", "REJETEE", "A_COMPLETER")
# Statuses the portal asks the supplier to acknowledge at login: after ACK_DAYS days the
# acknowledgement is mandatory (a pop-up, not a legal deadline).
ACK_CODES = frozenset({"SUSPENDUE", "REJETEE"})
ACK_DAYS = 7


def status_info(code: str) -> StatusInfo | None:
    """Return what Relais knows of a code, or None for an unknown one."""
    return STATUSES.get(code)


def status_label(code: str, lang: str) -> str:
    """A status's label; an unknown code reads as words (EN_ATTENTE_VISA_ORDONNATEUR:
    « En attente visa ordonnateur »), never as a raw code in a push or a page."""
    info = STATUSES.get(code)
    if info is not None:
        return info.label(lang)
    words = code.replace("_", " ").strip().lower()
    return words[:1].upper() + words[1:] if words else code


def normalize_code(code: str | int) -> str:
    """Map a reform lifecycle code (200–228, 501) to the stored status; keep others as
    given."""
    text = str(code).strip()
    # isdecimal, not isdigit: "²" is a digit to Python but int() refuses it.
    if text.isascii() and text.isdecimal() and int(text) in REFORM_TO_STATUS:
        return REFORM_TO_STATUS[int(text)]
    return text.upper()


def codes_in_category(category: Category) -> list[str]:
    return sorted(code for code, info in STATUSES.items() if info.category is category)
