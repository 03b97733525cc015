"""Quiet hours arithmetic: spanning midnight, DST change days, other time zones, bypass."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest

from backend.push.preferences import is_time_zone, quiet_until

pytestmark = pytest.mark.nodb
PARIS = ZoneInfo("Europe/Paris")


@dataclass
class Settings:
    quiet_start: dt.time | None = dt.time(22)
    quiet_end: dt.time | None = dt.time(7)
    time_zone: str = "Europe/Paris"
    quiet_bypass_action_required: bool = False


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def paris(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)


def test_spanning_midnight() -> None:
    s = Settings()
    assert quiet_until(s, paris(2026, 11, 10, 23), "every_change") == paris(2026, 11, 11, 7)
    assert quiet_until(s, paris(2026, 11, 11, 3), "payment") == paris(2026, 11, 11, 7)
    assert quiet_until(s, paris(2026, 11, 10, 22), "payment") == paris(2026, 11, 11, 7)
    assert quiet_until(s, paris(2026, 11, 11, 7), "payment") is None  # the end is not quiet
    assert quiet_until(s, paris(2026, 11, 11, 12), "payment") is None
    assert quiet_until(s, paris(2026, 11, 10, 21, 59), "payment") is None


def test_within_one_day() -> None:
    s = Settings(quiet_start=dt.time(12), quiet_end=dt.time(14))
    assert quiet_until(s, paris(2026, 6, 1, 13, 15), "payment") == paris(2026, 6, 1, 14)
    assert quiet_until(s, paris(2026, 6, 1, 11, 59), "payment") is None
    assert quiet_until(s, paris(2026, 6, 1, 23), "payment") is None


def test_result_is_utc() -> None:
    until = quiet_until(Settings(), utc(2026, 1, 15, 23), "payment")
    assert until == utc(2026, 1, 16, 6) and until.tzinfo is dt.UTC


def test_dst_spring_forward_night() -> None:
    """29 March 2026: 02:00 CET becomes 03:00 CEST; the night is an hour shorter."""
    s = Settings()
    assert quiet_until(s, utc(2026, 3, 28, 22), "payment") == utc(2026, 3, 29, 5)
    assert quiet_until(s, utc(2026, 3, 29, 1, 30), "payment") == utc(2026, 3, 29, 5)


def test_dst_fall_back_night() -> None:
    """25 October 2026: 03:00 CEST becomes 02:00 CET; the night is an hour longer."""
    s = Settings()
    assert quiet_until(s, utc(2026, 10, 24, 21), "payment") == utc(2026, 10, 25, 6)
    # 02:30 happens twice; both are quiet and end at 07:00 CET.
    assert quiet_until(s, utc(2026, 10, 25, 0, 30), "payment") == utc(2026, 10, 25, 6)
    assert quiet_until(s, utc(2026, 10, 25, 1, 30), "payment") == utc(2026, 10, 25, 6)


def test_an_end_inside_the_skipped_hour_is_never_early() -> None:
    s = Settings(quiet_start=dt.time(1), quiet_end=dt.time(2, 30))
    until = quiet_until(s, utc(2026, 3, 29, 0, 30), "payment")  # 01:30 CET
    assert until is not None and until >= utc(2026, 3, 29, 1)  # not before 03:00 CEST


def test_user_in_another_time_zone() -> None:
    s = Settings(time_zone="Pacific/Noumea")  # UTC+11, no DST
    assert quiet_until(s, utc(2026, 11, 10, 12), "payment") == utc(2026, 11, 10, 20)
    assert quiet_until(s, utc(2026, 11, 10, 2), "payment") is None  # 13:00 in Nouméa
    reunion = Settings(time_zone="Indian/Reunion", quiet_start=dt.time(20), quiet_end=dt.time(6))
    assert quiet_until(reunion, utc(2026, 11, 10, 17), "payment") == utc(2026, 11, 11, 2)


def test_bypass_only_for_action_required() -> None:
    s = Settings(quiet_bypass_action_required=True)
    night = paris(2026, 11, 10, 23)
    assert quiet_until(s, night, "action_required") is None
    assert quiet_until(s, night, "payment") == paris(2026, 11, 11, 7)
    assert quiet_until(Settings(), night, "action_required") == paris(2026, 11, 11, 7)


def test_no_quiet_hours_or_no_settings() -> None:
    night = paris(2026, 11, 10, 23)
    assert quiet_until(None, night, "payment") is None
    assert quiet_until(Settings(quiet_start=None, quiet_end=None), night, "payment") is None


def test_an_unknown_stored_zone_falls_back_to_paris() -> None:
    s = Settings(time_zone="Nowhere/Land")
    assert quiet_until(s, paris(2026, 11, 10, 23), "payment") == paris(2026, 11, 11, 7)


def test_time_zone_names() -> None:
    assert is_time_zone("Europe/Paris") and is_time_zone("America/Guadeloupe")
    assert not is_time_zone("Paris") and not is_time_zone("../../etc/passwd")
    assert not is_time_zone("")
