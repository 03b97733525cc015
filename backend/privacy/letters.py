"""The e-mail that confirms an account is gone: the last message Relais sends to the address."""

from __future__ import annotations

from backend.accounts.settings import AccountSettings
from backend.mail import Letter
from backend.privacy.erasure import Erased

SUPPORT_PAGE = "/assistance/"


def _names(names: list[str]) -> str:
    return ", ".join(f"« {name} »" for name in names)


def account_deleted(settings: AccountSettings, erased: Erased) -> Letter:
    paragraphs = [
        "Votre compte Relais a été supprimé à votre demande. Vos données personnelles ont été "
        "effacées : votre profil, vos connexions et appareils, vos notifications et leurs "
        "réglages, votre double authentification. Les jetons de l'application ne fonctionnent "
        "plus sur aucun appareil.",
    ]
    if erased.structures_left:
        paragraphs.append(
            f"Vous avez quitté {_names(erased.structures_left)} : les factures de la structure "
            "restent consultables par ses autres membres."
        )
    if erased.structures_erased:
        paragraphs.append(
            f"Vous étiez le dernier membre de {_names(erased.structures_erased)} : la structure "
            "a été retirée de Relais avec ses données. Ses factures restent sur le portail ; "
            "quiconque prouvera à nouveau son compte technique la retrouvera."
        )
    if erased.registrations:
        paragraphs.append(
            "Vos inscriptions aux formations à venir sont annulées et votre nom n'apparaît plus "
            "dans aucune liste de participants."
        )
    if erased.newsletter:
        paragraphs.append(
            "Votre adresse a été retirée de la lettre d'information : vous pouvez vous y "
            "réinscrire à tout moment sur le site."
        )
    paragraphs += [
        "Relais ne vous écrira plus. Vous pouvez créer un nouveau compte quand vous le "
        "souhaitez, avec la même adresse.",
        "Si vous n'êtes pas à l'origine de cette suppression, prévenez sans attendre "
        "l'assistance de Relais.",
    ]
    return Letter(
        to=erased.email,
        subject="Votre compte Relais a été supprimé",
        greeting=f"Bonjour {erased.full_name},",
        paragraphs=paragraphs,
        actions=[("Contacter l'assistance", settings.url(SUPPORT_PAGE))],
    )
