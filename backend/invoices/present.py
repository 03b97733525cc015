"""The phone's words for statuses (French, or English on request), and the JSON values every
invoice answer shares: amounts, dates, the acknowledgement on the portal."""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from typing import Any

from backend.invoices.statuses import (
    ACK_CODES,
    ACK_DAYS,
    CATEGORY_LABELS,
    status_info,
    status_label,
)
from backend.timeutil import PARIS

UNKNOWN_EXPLANATION = (
    "Statut non répertorié par Relais : il est affiché tel que le portail l'a transmis.",
    "Status unknown to Relais: shown as the portal sent it.",
)


@functools.lru_cache(maxsize=1024)
def status(code: str, lang: str) -> dict[str, Any]:
    """Label, category and reform code of a status; an unknown code keeps its code and reads
    as words. Computed once per code and language: shared, so merged (`|`), never changed."""
    info = status_info(code)
    if info is None:
        return {
            "code": code,
            "label": status_label(code, lang),
            "known": False,
            "category": None,
            "category_label": None,
            "lifecycle_code": None,
            "action_required": False,
            "final": False,
        }
    return {
        "code": code,
        "label": info.label(lang),
        "known": True,
        "category": info.category.value,
        "category_label": CATEGORY_LABELS[info.category][1 if lang == "en" else 0],
        "lifecycle_code": info.lifecycle_code,
        "action_required": info.action_required,
        "final": info.final,
    }


def explanation(code: str, lang: str) -> str:
    """What a status means for the supplier."""
    info = status_info(code)
    return info.explanation(lang) if info else UNKNOWN_EXPLANATION[lang == "en"]


def next_action(code: str, lang: str) -> str | None:
    """What the supplier can do about a status, if anything."""
    info = status_info(code)
    return (info.action(lang) or None) if info else None


def acknowledgement(code: str, changed_at: dt.datetime, today: dt.date) -> dict[str, Any] | None:
    """A rejected or suspended invoice's acknowledgement on the portal: its login pop-up
    makes it mandatory 7 days after the status (counted in Paris days; not a legal deadline,
    the portal then asks for it before anything else). None for other statuses."""
    if code not in ACK_CODES:
        return None
    mandatory_from = changed_at.astimezone(PARIS).date() + dt.timedelta(days=ACK_DAYS)
    days = (mandatory_from - today).days
    return {"mandatory_from": mandatory_from, "days_until_mandatory": days, "mandatory": days <= 0}


CENT = Decimal("0.01")


def money(value: Decimal | None) -> str | None:
    """An amount as the schemas write it: text, two decimals."""
    return None if value is None else format(value.quantize(CENT), "f")


_AS_IS = frozenset({str, int, float, bool, type(None)})


def plain_json(value: Any) -> Any:
    """A report (dicts, lists, numbers, text, amounts, dates) as its schema dumps it.

    Every amount is shown with two decimals, dates and times in ISO 8601: what the Synthèse,
    the Tableau de bord and the detail hold. Walking the dict costs a fraction of a schema
    dump (the Synthèse lists up to 50 invoices); tests check each answer is its schema's dump.
    Text, numbers and None, most of the leaves, are kept without a call."""
    if isinstance(value, dict):
        return {k: v if type(v) in _AS_IS else plain_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [v if type(v) in _AS_IS else plain_json(v) for v in value]
    if isinstance(value, Decimal):
        return money(value)
    if isinstance(value, dt.date):  # datetimes too
        return value.isoformat()
    return value
