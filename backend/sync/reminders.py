"""The technical password's expiry reminder by e-mail, beside the push (backend/sync/jobs.py),
with links to the app's screen where the new password is entered and to the site's page
that says how to renew it on the portal."""

from __future__ import annotations

from dataclasses import dataclass

from backend.accounts.models import Structure
from backend.french import days_from_now
from backend.mail import Letter, Mailer, deliver

GUIDE = "/application/connexion-au-portail/"
PASSWORD = GUIDE + "#renouveler-le-mot-de-passe"
APP_ACCOUNT = "/app/#/compte"  # where a main manager enters the new password


@dataclass(frozen=True)
class ExpiryMail:
    """How the reminder e-mails go out: transport, sender, and the site's address."""

    mailer: Mailer
    sender: str
    base_url: str

    def send(self, to: str, structure: Structure, days: int) -> bool:
        return deliver(self.mailer, self.sender, password_expiring(to, structure, days, self))


def named(structure: Structure) -> str:
    return f"{structure.name} (SIRET {structure.siret})"


def password_expiring(to: str, structure: Structure, days: int, mail: ExpiryMail) -> Letter:
    if days < 0:
        subject = f"{structure.name} : mot de passe du compte technique expiré"
        first = (
            f"Le mot de passe du compte technique Chorus Pro de {named(structure)} a expiré : "
            "Relais ne peut plus suivre les factures de la structure."
        )
    else:
        subject = f"{structure.name} : mot de passe du compte technique à renouveler"
        first = (
            f"Le mot de passe du compte technique Chorus Pro de {named(structure)} expire "
            f"{days_from_now(days)}."
        )
    return Letter(
        to=to,
        subject=subject,
        paragraphs=[
            first,
            "Renouvelez-le sur Chorus Pro, puis enregistrez le nouveau mot de passe dans "
            "Relais (connexion de la structure au portail, réservée aux gestionnaires "
            "principaux) : le suivi reprend sans rien perdre.",
        ],
        actions=[
            ("Enregistrer le nouveau mot de passe", mail.base_url.rstrip("/") + APP_ACCOUNT),
            ("Comment le renouveler", mail.base_url.rstrip("/") + PASSWORD),
        ],
    )
