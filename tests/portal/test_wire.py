"""The wire format: Paris date-times, dates, amounts, the search window's end."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from backend.portal.wire import (
    SearchPage,
    UnreadableInvoice,
    UnreadableValue,
    format_datetime,
    parse_amount,
    parse_date,
    parse_datetime,
    window_end,
)

pytestmark = pytest.mark.nodb


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        # As recorded by Pastell in search results: seconds, milliseconds, offset.
        ("2019-07-11T15:45:39.674+02:00", utc(2019, 7, 11, 13, 45, 39, 674000)),
        ("2023-01-01T00:00:00Z", utc(2023, 1, 1)),  # go-choruspro's tests
        ("2026-11-02T10:15:00+01:00", utc(2026, 11, 2, 9, 15)),
        ("2026-11-02T10:15+01:00", utc(2026, 11, 2, 9, 15)),
        ("2026-11-02T10:15:07.5-03:00", utc(2026, 11, 2, 13, 15, 7, 500000)),
        # The older spelling, recorded for histoStatutDatePassage: Paris time.
        ("2018-04-19 11:08", utc(2018, 4, 19, 9, 8)),
        ("2026-07-14 10:30", utc(2026, 7, 14, 8, 30)),
        ("2026-12-24 10:30", utc(2026, 12, 24, 9, 30)),
        ("2026-12-24T10:30:00", utc(2026, 12, 24, 9, 30)),  # no offset: Paris time
        ("2026-12-24", utc(2026, 12, 23, 23)),  # a date: midnight in Paris
    ],
)
def test_datetimes_are_read_whichever_way_they_are_spelt(text: str, moment: dt.datetime) -> None:
    parsed = parse_datetime(text)
    assert parsed == moment and parsed.tzinfo is dt.UTC


@pytest.mark.parametrize("text", ["hier", "2026-13-01T00:00:00Z", "11/07/2019 15:45", 42, []])
def test_an_unreadable_datetime_names_its_field(text: object) -> None:
    with pytest.raises(UnreadableValue) as refused:
        parse_datetime(text, "dateHeureEtatCourant")
    assert refused.value.name == "dateHeureEtatCourant"
    assert parse_datetime(None) is None and parse_datetime("") is None


def test_filters_are_written_in_iso_8601_with_the_paris_offset() -> None:
    moment = dt.datetime(2026, 3, 29, 1, 15, 42, tzinfo=dt.UTC)  # just after the spring change
    assert format_datetime(moment) == "2026-03-29T03:15:42+02:00"
    assert format_datetime(utc(2026, 1, 5, 8)) == "2026-01-05T09:00:00+01:00"
    with pytest.raises(ValueError):
        format_datetime(dt.datetime(2026, 3, 29, 1, 15))


def test_dates_that_come_as_datetimes_are_their_paris_day() -> None:
    assert parse_date("2025-03-03T00:00:00.000+01:00") == dt.date(2025, 3, 3)
    assert parse_date("2025-03-02T23:30:00Z") == dt.date(2025, 3, 3)
    assert parse_date("2025-03-03 09:00") == dt.date(2025, 3, 3)
    with pytest.raises(UnreadableValue):
        parse_date("2025-02-30")


def test_paging_is_read_where_it_comes_nulls_tolerated() -> None:
    row = {"identifiantFactureCPP": 1, "statut": "DEPOSEE"}
    nested = {"parametresRetour": {"pages": 3, "total": 7}, "listeFactures": [row]}
    top = {"pages": 3, "total": 7, "pageCourante": 1, "listeFactures": [row]}
    nulls = {"pages": None, "total": None, "parametresRetour": None, "listeFactures": [row]}
    assert (SearchPage.from_wire(nested).pages, SearchPage.from_wire(nested).total) == (3, 7)
    assert (SearchPage.from_wire(top).pages, SearchPage.from_wire(top).page) == (3, 1)
    assert SearchPage.from_wire(nulls).pages is None and SearchPage.from_wire(nulls).total is None


def test_an_unreadable_result_is_kept_aside_with_what_can_be_read() -> None:
    rows = [
        {"identifiantFactureCPP": 7, "dateHeureEtatCourant": "2026-11-02T10:00:00Z",
         "montantTTC": "douze"},
        {"identifiantFactureCPP": "x"},
        "pas un objet",
        {"identifiantFactureCPP": 8, "statut": "DEPOSEE", "dateHeureEtatCourant": "demain"},
    ]  # fmt: skip
    found = SearchPage.from_wire({"listeFactures": rows}).invoices
    assert all(isinstance(item, UnreadableInvoice) for item in found)
    assert [(item.portal_id, item.status_changed_at) for item in found] == [  # type: ignore[union-attr]
        (7, utc(2026, 11, 2, 10)), (None, None), (None, None), (8, None),
    ]  # fmt: skip
    assert "montantTTC" in found[0].reason  # type: ignore[union-attr]


def test_dates_and_amounts() -> None:
    assert parse_date("2026-11-02") == dt.date(2026, 11, 2)
    assert parse_amount(1234.56) == Decimal("1234.56")
    assert parse_amount(Decimal("0.10")) == Decimal("0.10")
    assert parse_amount(None) is None


def test_window_end_is_the_last_whole_minute() -> None:
    now = dt.datetime(2026, 11, 2, 9, 12, 30, tzinfo=dt.UTC)
    assert window_end(now) == dt.datetime(2026, 11, 2, 9, 11, tzinfo=dt.UTC)
