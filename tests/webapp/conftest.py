"""The app's browser tests: one e-mail inbox and one phone tab per module (a module's tests
follow one another on it); tests/webapp/screens.py has what they share."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.mail.smtp import Inbox
from tests.site.test_browser import browser  # noqa: F401 (the fixture, for every module)
from tests.webapp.screens import new_phone


@pytest.fixture(scope="module")
def inbox() -> Inbox:
    return Inbox()


@pytest.fixture(scope="module")
def tab(browser: Any) -> Iterator[Any]:  # noqa: F811 (the fixture imported above)
    """A phone's page; any script error on it fails the module."""
    context = new_phone(browser)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, errors
