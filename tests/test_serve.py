"""The web server's settings, read from the environment as the README's table says."""

from __future__ import annotations

import os

import pytest

from backend import serve

pytestmark = pytest.mark.nodb


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HOST", "PORT", "WEB_WORKERS", "WEB_THREADS", "WEB_ACCESS_LOG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("WEB_ACCESS_LOG_FORMAT", raising=False)
    assert serve.settings() == {
        "address": "127.0.0.1",
        "port": 8000,
        "workers": os.cpu_count() or 1,
        "threads": 1,
        "access_log": "-",
        "access_log_format": serve.ACCESS_LOG_FORMAT,
    }


def test_overrides_and_no_access_log(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEB_WORKERS", "3")
    monkeypatch.setenv("WEB_THREADS", "4")
    monkeypatch.setenv("WEB_ACCESS_LOG", "")
    wanted = serve.settings()
    assert (wanted["workers"], wanted["threads"], wanted["access_log"]) == (3, 4, "")
