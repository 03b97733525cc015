"""Proving a structure's technical account against the portal, before anything is stored.

Two calls through the real client, with the credentials the person typed: the structures the
account acts for (`transverses/v1/recuperer/structures/actives/fournisseur`), which must
include the SIRET given, then that structure's consult (`structures/v1/consulter`) for its
name, head office address and the password's expiry date as the portal knows it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from backend.config import Config
from backend.portal import (
    PortalClient,
    PortalError,
    PortalUnavailableError,
    PostalAddress,
    RetryPolicy,
    TechnicalAccount,
)
from backend.sync.accounts import environment

# A person is waiting: two quick attempts, and a Retry-After longer than this is passed on
# to them rather than slept through.
INTERACTIVE = RetryPolicy(attempts=2, initial_wait=0.2, max_wait=1.0, jitter=0.2, max_retry_after=1)
DEFAULT_RETRY_AFTER = 60  # seconds advised when the portal did not say


class NotAttached(PortalError):
    """The account is valid but acts for other structures than the SIRET given."""

    def __init__(self, siret: str) -> None:
        super().__init__(
            f"Ce compte technique n'est pas rattaché à la structure de SIRET {siret} sur "
            "Chorus Pro : vérifiez le SIRET, ou utilisez le compte technique de cette structure."
        )


@dataclass(frozen=True)
class ProvenStructure:
    """What the portal says of the structure whose account was just proven."""

    portal_id: int
    siret: str
    name: str
    address: PostalAddress
    password_expires_on: dt.date | None


def retry_after(error: PortalUnavailableError) -> int:
    """Seconds to advise before another try: the portal's Retry-After, or a minute."""
    seconds = getattr(error.__cause__, "retry_after", None)
    return max(1, int(seconds)) if seconds else DEFAULT_RETRY_AFTER


def prove(config: Config, siret: str, login: str, password: str) -> ProvenStructure:
    """Call the portal as the technical account; raises a PortalError saying what is wrong."""
    account = TechnicalAccount(login, password)
    with PortalClient(
        environment(config),
        config.portal_client_id,
        config.portal_client_secret,
        account=account,
        timeout=config.portal_timeout,
        retry=INTERACTIVE,
    ) as portal:
        mine = next((s for s in portal.active_supplier_structures() if s.identifier == siret), None)
        if mine is None:
            raise NotAttached(siret)
        info = portal.consult_structure(mine.portal_id)
    return ProvenStructure(
        portal_id=mine.portal_id,
        siret=siret,
        name=(info.name or mine.name)[:200],
        address=PostalAddress.from_wire(info.raw),
        password_expires_on=info.technical_password_expires_on,
    )
