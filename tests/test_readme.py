"""The README stays true: every configuration variable is documented there."""

from pathlib import Path

import pytest

from backend.config import ROOT, Config

pytestmark = pytest.mark.nodb


def test_every_variable_is_in_the_readme() -> None:
    readme = (Path(ROOT) / "README.md").read_text()
    missing = [env for env, _default, _doc in Config.documented() if f"`{env}`" not in readme]
    assert missing == []


def test_readme_names_the_two_commands() -> None:
    readme = (Path(ROOT) / "README.md").read_text()
    assert "make run" in readme and "make test" in readme
