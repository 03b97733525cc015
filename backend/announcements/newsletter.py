"""Newsletter subscriptions: double opt-in, one-click unsubscribe, nothing revealed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import links
from backend.announcements.models import NewsletterSubscription, SubscriptionState
from backend.links import LinkError, LinkSettings
from backend.mail import Letter, Mailer, deliver

CONFIRM_PAGE = "/lettre-d-information/confirmer/"
UNSUBSCRIBE_PAGE = "/lettre-d-information/desinscription/"


def unsubscribe_token(settings: LinkSettings, sub: NewsletterSubscription) -> str:
    return links.make_token(settings, links.NEWSLETTER_UNSUBSCRIBE, sub.id)


def unsubscribe_headers(settings: LinkSettings, sub: NewsletterSubscription) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe: mail clients POST to this address."""
    token = unsubscribe_token(settings, sub)
    url = settings.url(f"/api/v1/newsletter/unsubscribe/{token}")
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _confirm_letter(settings: LinkSettings, sub: NewsletterSubscription) -> Letter:
    token = links.make_token(settings, links.NEWSLETTER_CONFIRM, sub.id)
    return Letter(
        to=sub.email,
        subject="Confirmez votre abonnement à la lettre d'information",
        paragraphs=[
            "Vous avez demandé à recevoir la lettre d'information de Relais : nouveautés, "
            "formations et opérations de maintenance.",
            "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : sans "
            "confirmation, votre adresse sera effacée.",
        ],
        actions=[("Confirmer mon abonnement", links.page_url(settings, CONFIRM_PAGE, token))],
    )


def _welcome_letter(settings: LinkSettings, sub: NewsletterSubscription) -> Letter:
    url = links.page_url(settings, UNSUBSCRIBE_PAGE, unsubscribe_token(settings, sub))
    return Letter(
        to=sub.email,
        subject="Votre abonnement à la lettre d'information est confirmé",
        paragraphs=[
            "Votre abonnement est confirmé. Chaque lettre contient un lien de désinscription "
            "en un clic."
        ],
        footer=[("Se désabonner", url)],
        headers=unsubscribe_headers(settings, sub),
    )


def subscribe(
    session: Session, mailer: Mailer, settings: LinkSettings, email: str, now: dt.datetime
) -> None:
    """Ask for confirmation unless already subscribed; the caller answers the same anyway."""
    sub = session.scalar(
        select(NewsletterSubscription).where(NewsletterSubscription.email == email)
    )
    if sub is not None and sub.state == SubscriptionState.ACTIVE:
        return
    sub = sub or NewsletterSubscription(email=email)
    sub.state, sub.consent_at, sub.created_at = SubscriptionState.PENDING, now, now
    sub.confirmed_at = sub.unsubscribed_at = None
    session.add(sub)
    session.commit()
    deliver(mailer, settings.mail_from, _confirm_letter(settings, sub))


def _from_token(
    session: Session, settings: LinkSettings, purpose: str, token: str
) -> NewsletterSubscription:
    max_age = settings.confirm_delay if purpose == links.NEWSLETTER_CONFIRM else links.LONG_LIVED
    try:
        sub_id, _version = links.read_token(settings, purpose, token, max_age)
    except links.InvalidLink as exc:
        reason = "a expiré" if exc.expired else "n'est pas valide"
        raise LinkError(f"Ce lien {reason}.") from exc
    sub = session.get(NewsletterSubscription, sub_id)
    if sub is None:
        raise LinkError("Cet abonnement n'existe plus.")
    return sub


def confirm(
    session: Session, mailer: Mailer, settings: LinkSettings, token: str, now: dt.datetime
) -> None:
    sub = _from_token(session, settings, links.NEWSLETTER_CONFIRM, token)
    if sub.state == SubscriptionState.PENDING:
        sub.state, sub.confirmed_at = SubscriptionState.ACTIVE, now
        session.commit()
        deliver(mailer, settings.mail_from, _welcome_letter(settings, sub))


def unsubscribe(session: Session, settings: LinkSettings, token: str, now: dt.datetime) -> None:
    sub = _from_token(session, settings, links.NEWSLETTER_UNSUBSCRIBE, token)
    if sub.state != SubscriptionState.UNSUBSCRIBED:
        sub.state, sub.unsubscribed_at = SubscriptionState.UNSUBSCRIBED, now
        session.commit()
