"""The wire format: Paris date-times, dates, amounts, the search window's end."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from backend.portal.wire import (
    format_datetime,
    parse_amount,
    parse_date,
    parse_datetime,
    window_end,
)

pytestmark = pytest.mark.nodb


def test_datetimes_are_paris_time_read_as_utc() -> None:
    assert parse_datetime("2026-07-14 10:30") == dt.datetime(2026, 7, 14, 8, 30, tzinfo=dt.UTC)
    assert parse_datetime("2026-12-24 10:30") == dt.datetime(2026, 12, 24, 9, 30, tzinfo=dt.UTC)
    assert parse_datetime(None) is None


def test_datetimes_are_written_in_paris_time_to_the_minute() -> None:
    moment = dt.datetime(2026, 3, 29, 1, 15, 42, tzinfo=dt.UTC)  # just after the spring change
    assert format_datetime(moment) == "2026-03-29 03:15"
    with pytest.raises(ValueError):
        format_datetime(dt.datetime(2026, 3, 29, 1, 15))


def test_dates_and_amounts() -> None:
    assert parse_date("2026-11-02") == dt.date(2026, 11, 2)
    assert parse_amount(1234.56) == Decimal("1234.56")
    assert parse_amount(Decimal("0.10")) == Decimal("0.10")
    assert parse_amount(None) is None


def test_window_end_is_the_last_whole_minute() -> None:
    now = dt.datetime(2026, 11, 2, 9, 12, 30, tzinfo=dt.UTC)
    assert window_end(now) == dt.datetime(2026, 11, 2, 9, 11, tzinfo=dt.UTC)
