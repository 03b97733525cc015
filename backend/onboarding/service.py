"""Adding a structure to Relais once its technical account is proven, changing that account,
disconnecting it.

The portal is called first (backend/onboarding/proof.py), outside any transaction; only then
is anything written. Whoever proves the account of a structure without members becomes its
main manager; when it has members, the proof only files a join request for its main managers
(backend/onboarding/joins.py). The same structure added twice at once stays one structure: its
insert runs in a savepoint, and the loser of the race reads the winner's row, locked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import delete, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.accounts.models import Membership, Role, Structure, User
from backend.config import Config
from backend.mail import Letter
from backend.onboarding.joins import ask_to_join
from backend.onboarding.models import JoinRequest
from backend.onboarding.proof import ProvenStructure
from backend.sync.accounts import register_account
from backend.sync.models import PortalAccount, SyncState


class AlreadyMember(Exception):
    """The person already belongs to the structure they try to add."""

    def __init__(self, structure: Structure) -> None:
        super().__init__(
            f"Vous êtes déjà membre de {structure.name} dans Relais. Pour changer son compte "
            "technique, un gestionnaire principal modifie la connexion de la structure au portail."
        )
        self.structure = structure


class SiretMismatch(Exception):
    """The account proven is another structure's."""


@dataclass(frozen=True)
class Credentials:
    login: str
    password: str
    expires_on: dt.date | None


@dataclass
class Outcome:
    """`created` (new structure), `joined` (it had no members) or `requested` (a join request
    waits for its main managers); the e-mails go out once the transaction is committed."""

    kind: str
    structure: Structure
    role: Role | None = None
    join_request: JoinRequest | None = None
    letters: list[Letter] = field(default_factory=list)


def add_structure(
    session: Session,
    user: User,
    proven: ProvenStructure,
    credentials: Credentials,
    *,
    config: Config,
) -> Outcome:
    """Record what the proof found; the caller commits, then sends `letters`."""
    structure, created = _structure_for(session, proven)
    if session.scalar(
        select(Membership.id).where(
            Membership.structure_id == structure.id, Membership.user_id == user.id
        )
    ):
        raise AlreadyMember(structure)
    has_members = session.scalar(select(exists().where(Membership.structure_id == structure.id)))
    if has_members:
        request, letters = ask_to_join(session, user, structure, base_url=config.public_base_url)
        return Outcome("requested", structure, join_request=request, letters=letters)
    _describe(structure, proven)
    session.add(Membership(user_id=user.id, structure_id=structure.id, role=Role.MAIN_MANAGER))
    _store(session, structure, proven, credentials, config)
    return Outcome("created" if created else "joined", structure, role=Role.MAIN_MANAGER)


def change_credentials(
    session: Session,
    structure: Structure,
    proven: ProvenStructure,
    credentials: Credentials,
    *,
    config: Config,
) -> PortalAccount:
    """Store a technical account just proven for this structure; its next sync starts now."""
    if proven.siret != structure.siret:
        raise SiretMismatch(structure.siret)
    _describe(structure, proven)
    return _store(session, structure, proven, credentials, config)


def disconnect(session: Session, structure_id: int) -> None:
    """Forget the technical account and stop the sync; invoices and history stay."""
    session.execute(delete(PortalAccount).where(PortalAccount.structure_id == structure_id))
    session.execute(delete(SyncState).where(SyncState.structure_id == structure_id))


def _structure_for(session: Session, proven: ProvenStructure) -> tuple[Structure, bool]:
    """The structure of this SIRET, locked for this transaction; created if new."""
    found = _locked(session, proven.siret)
    if found is not None:
        return found, False
    address = proven.address
    structure = Structure(
        siret=proven.siret,
        name=proven.name,
        address_line1=address.line1 or "",
        address_line2=address.line2,
        postal_code=address.postal_code or "",
        city=address.city or "",
        country=address.country or "FR",
        portal_structure_id=proven.portal_id,
    )
    try:
        with session.begin_nested():
            session.add(structure)
    except IntegrityError:
        # Added at the same moment by someone else: theirs is the structure.
        found = _locked(session, proven.siret)
        assert found is not None  # the unique SIRET that refused ours
        return found, False
    return structure, True


def _locked(session: Session, siret: str) -> Structure | None:
    # FOR UPDATE (PostgreSQL): two people proving a memberless structure's account at once
    # take turns, so only the first becomes its main manager. SQLite writes one at a time.
    return session.scalar(
        select(Structure)
        .where(Structure.siret == siret)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _describe(structure: Structure, proven: ProvenStructure) -> None:
    """What the portal says of the structure replaces what Relais had (names change)."""
    structure.name = proven.name
    structure.portal_structure_id = proven.portal_id


def _store(
    session: Session,
    structure: Structure,
    proven: ProvenStructure,
    credentials: Credentials,
    config: Config,
) -> PortalAccount:
    state = session.get(SyncState, structure.id)
    return register_account(
        session,
        structure,
        credentials.login,
        credentials.password,
        credentials.expires_on or proven.password_expires_on,
        config=config,
        interval_seconds=state.interval_seconds if state is not None else None,
    )
