"""The figures of the privacy and legal pages, printed from the code and the configuration.

How long a link works and when data is deleted are settings (`backend/config.py`, read from
the environment as the server reads them) or constants of the modules that apply them; the
operator's identity is `extra.exploitant` in mkdocs.yml. A page writes `{{ relais:NAME }}`
where a figure goes, and `<!-- relais:editeur -->` or `<!-- relais:hebergeur -->` where the
operator's or the host's details go. An unknown name stops the build: a page cannot quote a
figure the code no longer has.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from limits import parse_many  # noqa: E402

from backend.accounts.emailed import KEPT_AFTER_EXPIRY  # noqa: E402
from backend.announcements.jobs import FORGET_AFTER  # noqa: E402
from backend.config import Config  # noqa: E402
from backend.privacy import retention  # noqa: E402
from backend.push.devices import STALE_AFTER  # noqa: E402
from backend.push.housekeeping import DELIVERIES_KEPT  # noqa: E402

TOKEN = re.compile(r"\{\{ relais:([a-z_]+) \}\}")
BLOCK = re.compile(r"<!-- relais:(editeur|hebergeur) -->")
UNSET = "*à compléter par l'exploitant*"
OPERATOR = "l'exploitant de cette instance Relais"
RATE_LIMITS = (
    "login_rate_limit", "signup_rate_limit", "portal_proof_rate_limit", "account_rate_limit",
    "account_link_rate_limit", "password_check_rate_limit", "invitation_rate_limit",
)  # fmt: skip
# The operator's answers quoted as they are in the prose.
QUOTED = ("prestataire_email", "conservation_journaux")
# What each block shows, in this order: (key of extra.exploitant, label).
BLOCKS = {
    "editeur": (
        ("nom", "Nom ou raison sociale"),
        ("adresse", "Adresse"),
        ("telephone", "Téléphone"),
        ("email", "E-mail"),
        ("immatriculation", "Immatriculation (SIREN, RCS ou RNA)"),
        ("directeur_publication", "Directeur ou directrice de la publication"),
    ),
    "hebergeur": (
        ("hebergeur_nom", "Nom ou raison sociale"),
        ("hebergeur_adresse", "Adresse"),
        ("hebergeur_telephone", "Téléphone"),
    ),
}
DAY = 86400
UNITS = ((DAY, "jour"), (3600, "heure"), (60, "minute"), (1, "seconde"))


def duration(seconds: float) -> str:
    """`604800` → « 7 jours »: the largest unit that counts it whole; under three days, hours
    (« 48 heures » reads better for a link than « 2 jours »)."""
    whole = round(seconds)
    for size, unit in UNITS:
        if size == DAY and whole < 3 * DAY:
            continue
        if whole >= size and whole % size == 0:
            count = whole // size
            return f"{count}\u00a0{unit}{'s' if count > 1 else ''}"
    return f"{whole}\u00a0seconde"


def figures(config: Config) -> dict[str, str]:
    """Every figure a page may quote, by the name it writes."""
    hours, minutes = 3600, 60
    longest_window = max(
        item.get_expiry() for name in RATE_LIMITS for item in parse_many(getattr(config, name))
    )
    return {
        "jeton_acces": duration(config.access_token_ttl),
        "jeton_rafraichissement": duration(config.refresh_token_ttl),
        "lien_activation": duration(config.account_confirm_hours * hours),
        "lien_mot_de_passe": duration(config.password_reset_minutes * minutes),
        "lien_adresse": duration(config.email_change_hours * hours),
        "liens_gardes": duration(KEPT_AFTER_EXPIRY.total_seconds()),
        "invitation": duration(config.invitation_hours * hours),
        "blocage_double_authentification": duration(config.two_factor_lockout_minutes * minutes),
        "confirmation_formation": duration(config.registration_confirm_hours * hours),
        "conservation_formations": duration(config.retention_days * DAY),
        "oubli_lettre": duration(FORGET_AFTER.total_seconds()),
        "appareils_inactifs": duration(STALE_AFTER.total_seconds()),
        "envois_gardes": duration(DELIVERIES_KEPT.total_seconds()),
        "fenetre_limites": duration(longest_window),
        "mot_de_passe_longueur": f"{config.password_min_length} caractères",
        "sessions_terminees": duration(retention.ENDED_SESSIONS_KEPT.total_seconds()),
        "avis_gardes": duration(retention.NOTIFICATIONS_KEPT.total_seconds()),
        "appareils_desactives": duration(retention.INACTIVE_DEVICES_KEPT.total_seconds()),
        "demandes_repondues": duration(retention.ANSWERED_REQUESTS_KEPT.total_seconds()),
    }


def operator_texts(operator: Mapping[str, Any]) -> dict[str, str]:
    """The operator's name and contact as the prose quotes them, or what stands in for them."""
    name = str(operator.get("nom") or "").strip()
    email = str(operator.get("email") or "").strip()
    texts = {
        "exploitant": name or OPERATOR,
        "contact": f"[{email}](mailto:{email})" if email else "l'adresse de contact " + UNSET,
    }
    for key in QUOTED:
        texts[key] = str(operator.get(key) or "").strip() or UNSET
    return texts


def block(kind: str, operator: Mapping[str, Any]) -> str:
    """The operator's or the host's details, as a list; each one missing says so."""
    lines = []
    for key, label in BLOCKS[kind]:
        value = str(operator.get(key) or "").strip()
        lines.append(f"- **{label}**\u00a0: {value or UNSET}")
    return "\n".join(lines)


def render(markdown: str, config: Config, operator: Mapping[str, Any]) -> str:
    """The page with its figures and blocks filled in; PluginError on an unknown name."""
    known = {**figures(config), **operator_texts(operator)}

    def figure(match: re.Match[str]) -> str:
        name = match[1]
        if name not in known:
            raise PluginError(f"{{{{ relais:{name} }}}} : aucune valeur de ce nom.")
        return known[name]

    markdown = BLOCK.sub(lambda m: block(m[1], operator), markdown)
    return TOKEN.sub(figure, markdown)


_config: list[Config] = []


def on_config(config):
    _config.clear()
    _config.append(Config.from_env())
    return config


def on_page_markdown(markdown, page, config, files):
    if "relais:" not in markdown:
        return markdown
    return render(markdown, _config[0], config.extra.get("exploitant") or {})
