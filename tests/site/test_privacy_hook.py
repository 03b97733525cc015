"""The privacy and legal pages follow the configuration and the operator's details."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml
from mkdocs.exceptions import PluginError

from backend.config import Config

pytestmark = pytest.mark.nodb

SITE = Path(__file__).resolve().parents[2] / "docs_site"
sys.path.insert(0, str(SITE / "hooks"))

import privacy  # noqa: E402


def test_durations_read_as_people_say_them() -> None:
    assert privacy.duration(600) == "10\u00a0minutes"
    assert privacy.duration(3600) == "1\u00a0heure"
    assert privacy.duration(48 * 3600) == "48\u00a0heures"
    assert privacy.duration(7 * 86400) == "7\u00a0jours"
    assert privacy.duration(90 * 60) == "90\u00a0minutes"


def test_a_changed_setting_changes_the_page() -> None:
    """An operator keeping sign-ups 45 days and links 12 hours: the page says so."""
    config = Config(retention_days=45, account_confirm_hours=12.0, password_min_length=14)
    page = "{{ relais:conservation_formations }} ; {{ relais:lien_activation }}"
    assert privacy.render(page, config, {}) == "45\u00a0jours ; 12\u00a0heures"
    # The password's minimum length, as the sign-up checks it (PASSWORD_MIN_LENGTH).
    assert privacy.render("{{ relais:mot_de_passe_longueur }}", config, {}) == "14 caractères"


def test_an_unknown_figure_stops_the_build() -> None:
    with pytest.raises(PluginError, match="relais:duree_inconnue"):
        privacy.render("{{ relais:duree_inconnue }}", Config(), {})


def test_the_operator_details_are_printed_or_asked_for() -> None:
    operator = {"nom": "Association Relais Ouest", "email": "dpo@relais-ouest.example"}
    page = "{{ relais:exploitant }}, {{ relais:contact }}\n\n<!-- relais:editeur -->"
    filled = privacy.render(page, Config(), operator)
    assert filled.startswith(
        "Association Relais Ouest, [dpo@relais-ouest.example](mailto:dpo@relais-ouest.example)"
    )
    assert "- **Nom ou raison sociale**\u00a0: Association Relais Ouest" in filled
    assert "- **Adresse**\u00a0: *à compléter par l'exploitant*" in filled
    empty = privacy.render(page, Config(), {})
    assert empty.startswith("l'exploitant de cette instance Relais, l'adresse de contact *à")


def test_mkdocs_yml_offers_every_detail_the_pages_print() -> None:
    """The operator fills in `extra.exploitant`: each key there is printed, and each printed
    one is there to fill in."""

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda *_: None)
    config = yaml.load((SITE / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)
    printed = {key for rows in privacy.BLOCKS.values() for key, _ in rows} | set(privacy.QUOTED)
    assert set(config["extra"]["exploitant"]) == printed
    assert all(value == "" for value in config["extra"]["exploitant"].values())
