"""Configuration defaults that follow other settings."""

from pathlib import Path

import pytest

from backend.config import Config

pytestmark = pytest.mark.nodb


def test_links_follow_the_port_the_server_listens_on(tmp_path: Path) -> None:
    env = {"RELAIS_INSTANCE": str(tmp_path), "PORT": "18300"}
    assert Config.from_env(env).public_base_url == "http://127.0.0.1:18300"
    env |= {"HOST": "0.0.0.0"}  # listening everywhere: links name loopback
    assert Config.from_env(env).public_base_url == "http://127.0.0.1:18300"
    env |= {"HOST": "::1"}
    assert Config.from_env(env).public_base_url == "http://[::1]:18300"
    env |= {"PUBLIC_BASE_URL": "https://relais.example"}
    assert Config.from_env(env).public_base_url == "https://relais.example"


def test_the_sandbox_address_follows_its_port(tmp_path: Path) -> None:
    env = {"RELAIS_INSTANCE": str(tmp_path), "SANDBOX_PORT": "18490"}
    assert Config.from_env(env).portal_base_url == "http://127.0.0.1:18490"
    env |= {"PORTAL_BASE_URL": "http://10.0.0.5:8790"}
    assert Config.from_env(env).portal_base_url == "http://10.0.0.5:8790"
