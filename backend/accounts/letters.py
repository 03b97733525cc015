"""The French e-mails of account management: each says what happened, what to do, and what
to do if the person did not ask for it."""

from __future__ import annotations

import datetime as dt

from backend.accounts.settings import CONFIRM_PAGE, EMAIL_PAGE, PASSWORD_PAGE, AccountSettings
from backend.links import page_url
from backend.mail import Letter
from backend.timeutil import PARIS

SUPPORT_PAGE = "/assistance/"
NOT_YOU = "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : rien ne changera."


def _until(settings: AccountSettings, now: dt.datetime, lifetime: dt.timedelta) -> str:
    end = (now + lifetime).astimezone(PARIS)
    return f"Ce lien fonctionne une seule fois, jusqu'au {end:%d/%m/%Y à %H:%M} (heure de Paris)."


def confirm_sign_up(
    settings: AccountSettings, email: str, full_name: str, token: str, now: dt.datetime
) -> Letter:
    return Letter(
        to=email,
        subject="Confirmez la création de votre compte Relais",
        greeting=f"Bonjour {full_name},",
        paragraphs=[
            "Vous avez demandé à créer un compte Relais avec cette adresse. Pour l'activer, "
            "ouvrez le lien ci-dessous : vous pourrez ensuite vous connecter avec le mot de "
            "passe choisi.",
            _until(settings, now, settings.sign_up_lifetime),
            NOT_YOU,
        ],
        actions=[("Activer mon compte", page_url(settings, CONFIRM_PAGE, token))],
    )


def sign_up_attempt(settings: AccountSettings, email: str) -> Letter:
    """To the owner of an address that already has an account."""
    return Letter(
        to=email,
        subject="Tentative de création de compte avec votre adresse",
        paragraphs=[
            "Quelqu'un a tenté de créer un compte Relais avec votre adresse e-mail. Un compte "
            "existe déjà à cette adresse : aucun autre n'a été créé.",
            "Si c'était vous, connectez-vous avec votre mot de passe habituel ; si vous l'avez "
            "oublié, vous pouvez en choisir un nouveau.",
            "Si ce n'était pas vous, vous n'avez rien à faire : votre compte n'a pas changé.",
        ],
        actions=[("J'ai oublié mon mot de passe", settings.url(PASSWORD_PAGE))],
    )


def reset_password(settings: AccountSettings, email: str, token: str, now: dt.datetime) -> Letter:
    return Letter(
        to=email,
        subject="Choisir un nouveau mot de passe Relais",
        paragraphs=[
            "Vous avez demandé à choisir un nouveau mot de passe pour votre compte Relais. "
            "Ouvrez le lien ci-dessous pour le saisir : vos appareils connectés seront "
            "déconnectés.",
            _until(settings, now, settings.reset_lifetime),
            NOT_YOU,
        ],
        actions=[("Choisir un nouveau mot de passe", page_url(settings, PASSWORD_PAGE, token))],
    )


def reset_without_account(settings: AccountSettings, email: str) -> Letter:
    """A reset asked for an address that has no account (the answer did not say so)."""
    return Letter(
        to=email,
        subject="Demande de nouveau mot de passe Relais",
        paragraphs=[
            "Quelqu'un a demandé un nouveau mot de passe Relais pour cette adresse e-mail, "
            "mais aucun compte ne l'utilise.",
            "Si c'était vous, vous vous êtes peut-être inscrit avec une autre adresse ; vous "
            "pouvez aussi créer un compte depuis l'application Relais.",
            NOT_YOU,
        ],
    )


def password_changed(settings: AccountSettings, email: str) -> Letter:
    return Letter(
        to=email,
        subject="Votre mot de passe Relais a été modifié",
        paragraphs=[
            "Le mot de passe de votre compte Relais vient d'être modifié. Vos autres appareils "
            "ont été déconnectés.",
            "Si vous n'êtes pas à l'origine de ce changement, choisissez sans attendre un "
            "nouveau mot de passe avec le lien ci-dessous.",
        ],
        actions=[("Choisir un nouveau mot de passe", settings.url(PASSWORD_PAGE))],
    )


def confirm_new_email(
    settings: AccountSettings, email: str, full_name: str, token: str, now: dt.datetime
) -> Letter:
    return Letter(
        to=email,
        subject="Confirmez votre nouvelle adresse e-mail Relais",
        greeting=f"Bonjour {full_name},",
        paragraphs=[
            "Vous avez demandé à utiliser cette adresse pour vous connecter à Relais. Ouvrez "
            "le lien ci-dessous pour confirmer le changement.",
            _until(settings, now, settings.email_change_lifetime),
            NOT_YOU,
        ],
        actions=[("Confirmer ma nouvelle adresse", page_url(settings, EMAIL_PAGE, token))],
    )


def email_taken(settings: AccountSettings, email: str) -> Letter:
    """To the owner of an address another account asked to move to."""
    return Letter(
        to=email,
        subject="Tentative d'utilisation de votre adresse sur Relais",
        paragraphs=[
            "Quelqu'un a demandé à utiliser votre adresse e-mail pour un autre compte Relais. "
            "Elle est déjà celle de votre compte : rien n'a changé.",
            "Si c'était vous, connectez-vous avec cette adresse ; sinon, vous n'avez rien à faire.",
        ],
        actions=[("J'ai oublié mon mot de passe", settings.url(PASSWORD_PAGE))],
    )


def email_changed(settings: AccountSettings, old_email: str, new_email: str) -> Letter:
    """To the former address, once the new one is confirmed."""
    return Letter(
        to=old_email,
        subject="L'adresse e-mail de votre compte Relais a changé",
        paragraphs=[
            f"Votre compte Relais utilise désormais l'adresse {new_email} : c'est avec elle "
            "que vous vous connectez, et c'est là que Relais vous écrit.",
            "Si vous n'êtes pas à l'origine de ce changement, prévenez sans attendre "
            "l'assistance de Relais.",
        ],
        actions=[("Contacter l'assistance", settings.url(SUPPORT_PAGE))],
    )


def two_factor_enabled(settings: AccountSettings, email: str) -> Letter:
    return Letter(
        to=email,
        subject="Double authentification activée sur votre compte Relais",
        paragraphs=[
            "La double authentification vient d'être activée sur votre compte Relais : chaque "
            "connexion demandera désormais, en plus du mot de passe, un code de votre "
            "application d'authentification.",
            "Gardez vos codes de secours en lieu sûr : chacun permet une connexion si vous "
            "n'avez plus votre téléphone.",
            "Si vous n'êtes pas à l'origine de ce changement, choisissez sans attendre un "
            "nouveau mot de passe et prévenez l'assistance de Relais.",
        ],
        actions=[("Choisir un nouveau mot de passe", settings.url(PASSWORD_PAGE))],
    )


def two_factor_disabled(settings: AccountSettings, email: str) -> Letter:
    return Letter(
        to=email,
        subject="Double authentification désactivée sur votre compte Relais",
        paragraphs=[
            "La double authentification vient d'être désactivée sur votre compte Relais : "
            "le mot de passe suffit de nouveau pour se connecter, et vos codes de secours ne "
            "servent plus.",
            "Si vous n'êtes pas à l'origine de ce changement, choisissez sans attendre un "
            "nouveau mot de passe et prévenez l'assistance de Relais.",
        ],
        actions=[("Contacter l'assistance", settings.url(SUPPORT_PAGE))],
    )
