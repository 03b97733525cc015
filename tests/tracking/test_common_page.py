"""The common list page (statements built once) pages exactly as sqlakeyset does."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import dateutil.parser
from flask import Flask
from sqlakeyset.results import Paging, serialize_bookmark
from sqlalchemy import select

from backend import ingest
from backend.accounts.models import Role
from backend.accounts.scope import load_scope
from backend.accounts.visibility import unrestricted_ids
from backend.db import db
from backend.invoices import service
from backend.invoices.models import Invoice
from backend.invoices.scoped import visible
from backend.invoices.totals import counted
from backend.paging import decode_cursor, encode_cursor
from backend.tracking import listing
from backend.tracking.filters import InvoiceFilters
from tests.factories import MembershipFactory, RecipientFactory, StructureFactory, UserFactory, at

CODES = ["DEPOSEE", "SUSPENDUE", "REJETEE", "MANDATEE"]


def _ids(paging: Paging[Any]) -> list[int]:
    return [row.id for row in paging.rows]


def test_common_pages_match_sqlakeyset_both_ways(app_ctx: Flask) -> None:
    first, second, other = StructureFactory(), StructureFactory(), StructureFactory()
    recipient, user = RecipientFactory(), UserFactory()
    MembershipFactory(user=user, structure=first, role=Role.MANAGER)
    MembershipFactory(user=user, structure=second, role=Role.USER)
    rng = random.Random(3)
    for portal_id in range(60):
        data = service.InvoiceRecord(
            portal_id=portal_id,
            number=f"F-{portal_id}",
            recipient_siret=recipient.siret,
            service_code=rng.choice([None, "ATELIER"]),
        )
        # Few distinct times: many ties, which the id breaks.
        change = service.ChangeIn(rng.choice(CODES), at(rng.randrange(1, 4), rng.randrange(2)))
        structure = rng.choice([first, second, other])
        ingest.record(db.session, structure.id, data, [change], source="t")
    db.session.commit()
    scope = load_scope(db.session, user.id)
    ids = unrestricted_ids(scope)
    assert ids is not None
    for codes in (None, ["SUSPENDUE", "REJETEE"]):
        filters = InvoiceFilters(statuses=codes or ())
        marker = None
        seen: list[int] = []
        pages = 0
        while True:
            common, total = listing._common_page(db.session, ids, codes, 7, marker)
            general = listing._any_page(db.session, scope, filters, 7, marker, "changed_at")
            assert total == counted(db.session, scope, codes)  # in the same query
            assert _ids(common) == _ids(general)
            assert common.bookmark_next == general.bookmark_next
            assert common.bookmark_previous == general.bookmark_previous
            assert common.has_next == general.has_next
            assert common.has_previous == general.has_previous
            seen += _ids(common)
            pages += 1
            if not common.has_next:
                break
            marker = common.next
        expected = sorted(
            (
                (inv.status_changed_at, inv.id)
                for inv in db.session.scalars(
                    select(Invoice).where(visible(scope), *filters.conditions())
                )
            ),
            reverse=True,
        )
        assert seen == [i for _, i in expected] and pages > 2
        # And back from the last page to the first.
        last = _ids(common)
        back: list[int] = []
        marker = common.previous
        while True:
            common, _ = listing._common_page(db.session, ids, codes, 7, marker)
            general = listing._any_page(db.session, scope, filters, 7, marker, "changed_at")
            assert _ids(common) == _ids(general)
            assert common.bookmark_next == general.bookmark_next
            assert common.bookmark_previous == general.bookmark_previous
            assert common.has_previous == general.has_previous
            back = _ids(common) + back
            if not common.has_previous:
                break
            marker = common.previous
        assert back + last == seen
    # An empty first page is an empty list; past the end, the list counts apart.
    nobody = listing._common_page(db.session, [other.id + 1000], None, 7, None)
    assert nobody[0].rows == [] and nobody[1] == 0
    past_end = listing._common_page(db.session, ids, codes, 7, common.previous)
    assert past_end[0].rows == [] and past_end[1] is None


def test_cursor_datetimes_read_back_exactly_without_dateutil(monkeypatch: Any) -> None:
    """A cursor's datetime is read by `fromisoformat`; dateutil only for other spellings."""
    at_ = dt.datetime(2026, 11, 2, 9, 15, 3, 123456, tzinfo=dt.UTC)
    cursor = encode_cursor(serialize_bookmark(((at_, 42), False)))
    calls: list[str] = []
    real_parse = dateutil.parser.parse
    monkeypatch.setattr(
        dateutil.parser, "parse", lambda text: calls.append(text) or real_parse(text)
    )
    marker = decode_cursor(cursor)
    assert marker.place == (at_, 42) and marker.place[0].utcoffset() == dt.timedelta(0)
    assert calls == []
    # Another spelling of the same instant (a cursor made by an older release) still reads.
    other = encode_cursor(">dt:Mon Nov  2 09:15:03 2026 +0000~i:42")
    assert decode_cursor(other).place == (at_.replace(microsecond=0), 42)
    assert len(calls) == 1
