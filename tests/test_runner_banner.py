"""The startup banner names every demo login: the supplier, the trainer and the admin."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.config import Config
from backend.demo.seed import DEMO_PASSWORD, DEMO_USERS
from backend.runner import _banner

pytestmark = pytest.mark.nodb


def test_the_banner_names_the_trainer_and_admin_demo_logins(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = Config(instance_path=str(tmp_path), demo_mode=True, port=18300).resolved()
    _banner(config)
    banner = capsys.readouterr().out
    assert "http://127.0.0.1:18300/espace-formateurs/" in banner
    for key in ("demo", "trainer", "admin"):
        assert f"{DEMO_USERS[key]} / {DEMO_PASSWORD}" in banner
    assert "formateur@relais.example / demo" in banner


def test_without_the_demo_no_login_is_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _banner(Config(instance_path=str(tmp_path), demo_mode=False).resolved())
    assert "@relais.example /" not in capsys.readouterr().out


def test_the_banner_gives_the_apps_address(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _banner(Config(instance_path=str(tmp_path), demo_mode=False, port=18301).resolved())
    assert "Application          http://127.0.0.1:18301/app/" in capsys.readouterr().out
