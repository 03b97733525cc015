"""Ingest batches of invoice records and status changes, one item at a time."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session, selectinload

from backend import i18n
from backend.accounts.models import ApiKey, Structure
from backend.accounts.security import new_opaque_token, token_digest
from backend.api import flatten_messages
from backend.db import utcnow
from backend.ingest import FutureChange
from backend.ingest import record_isolated as ingest_record
from backend.integrations.schemas import ItemIn
from backend.invoices.service import ChangeIn, ForeignInvoice, InvoiceRecord

SOURCE = "integration"
log = logging.getLogger(__name__)


@dataclass
class ItemResult:
    index: int
    status: str
    invoice_id: int | None = None
    created: bool = False
    recorded: int = 0
    duplicates: int = 0
    detail: str | None = None
    invalid_params: list[dict[str, str]] | None = None


def create_api_key(session: Session, name: str, structures: list[Structure]) -> tuple[ApiKey, str]:
    """A new key; the clear value is returned once and never stored."""
    key, digest = new_opaque_token("rk_")
    api_key = ApiKey(name=name, prefix=key[:10], key_hash=digest, structures=structures)
    session.add(api_key)
    session.flush()
    return api_key, key


def find_api_key(session: Session, key: str) -> ApiKey | None:
    api_key = session.scalar(
        select(ApiKey)
        .where(ApiKey.key_hash == token_digest(key), ApiKey.revoked_at.is_(None))
        .options(selectinload(ApiKey.structures))
    )
    return api_key


def revoke_api_key(session: Session, api_key: ApiKey) -> None:
    api_key.revoked_at = api_key.revoked_at or utcnow()


def ingest(
    session: Session, api_key: ApiKey, raw_items: list[Any], push_max_age: dt.timedelta
) -> list[ItemResult]:
    """Record each item in its own savepoint: a bad item never sinks the good ones."""
    allowed = {s.siret: s.id for s in api_key.structures}
    results = []
    for index, raw in enumerate(raw_items):
        results.append(_ingest_one(session, allowed, index, raw, push_max_age))
    session.commit()
    return results


def _ingest_one(
    session: Session, allowed: dict[str, int], index: int, raw: Any, push_max_age: dt.timedelta
) -> ItemResult:
    if not isinstance(raw, dict):
        # The item itself is wrong, not one of its fields: an empty name says so.
        return _invalid(index, [("", "Not a valid mapping type.")])
    try:
        item = ItemIn().load(raw)
    except ValidationError as err:
        return _invalid(index, flatten_messages(err.messages))
    data = item["invoice"]
    structure_id = allowed.get(data.pop("structure_siret"))
    if structure_id is None:
        return ItemResult(index, "error", detail=_text("structure_not_allowed"))
    changes = [ChangeIn(c["code"], c["occurred_at"], c.get("comment")) for c in item["changes"]]
    try:
        outcome = ingest_record(
            session, structure_id, InvoiceRecord(**data), changes, source=SOURCE,
            push_max_age=push_max_age,
        )  # fmt: skip
    except IntegrityError:
        return ItemResult(index, "error", detail=i18n.message("conflict"))
    except ForeignInvoice:
        return ItemResult(index, "error", detail=_text("foreign_invoice"))
    except FutureChange as exc:
        when = exc.change.occurred_at.isoformat(timespec="seconds")
        return ItemResult(index, "error", detail=_text("future_change").format(when=when))
    except DataError as exc:
        # A value the database refuses that validation let through: this item fails alone.
        log.warning("integration item %d refused by the database: %s", index, exc.orig)
        return ItemResult(index, "error", detail=i18n.message("unprocessable"))
    return ItemResult(
        index,
        "ok",
        invoice_id=outcome.invoice.id,
        created=outcome.created,
        recorded=len(outcome.new_changes),
        duplicates=outcome.duplicates,
    )


def _invalid(index: int, messages: Iterable[tuple[str, str]]) -> ItemResult:
    params = [{"name": name, "reason": i18n.translate(text)} for name, text in messages]
    return ItemResult(index, "error", detail=i18n.message("unprocessable"), invalid_params=params)


_TEXTS = {
    "structure_not_allowed": (
        "Cette clé d'API n'est pas autorisée pour la structure (SIRET) indiquée.",
        "This API key is not allowed for the given structure (SIRET).",
    ),
    "foreign_invoice": (
        "Cette facture (portal_id) appartient à une autre structure.",
        "This invoice (portal_id) belongs to another structure.",
    ),
    "future_change": (
        "Changement de statut daté dans le futur ({when}) : refusé. Envoyez-le une fois survenu.",
        "Status change dated in the future ({when}): refused. Send it once it has happened.",
    ),
}


def _text(key: str) -> str:
    fr, en = _TEXTS[key]
    return en if i18n.locale() == "en" else fr


def as_dicts(results: list[ItemResult]) -> list[dict[str, Any]]:
    return [asdict(r) for r in results]
