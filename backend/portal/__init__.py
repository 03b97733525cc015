"""Client for the national invoicing portal (Chorus Pro on the PISTE gateway)."""

from backend.portal.auth import TechnicalAccount
from backend.portal.client import PortalClient
from backend.portal.endpoints import PRODUCTION, QUALIFICATION, PortalEnvironment
from backend.portal.errors import (
    PortalBusinessError,
    PortalCredentialsError,
    PortalError,
    PortalProtocolError,
    PortalUnavailableError,
    StructureNotConnectedError,
    TechnicalAccountError,
    TechnicalPasswordExpiredError,
)
from backend.portal.history import InvoiceHistory, StatusEvent, StructureInfo
from backend.portal.retry import RetryPolicy
from backend.portal.structures import ActiveStructure, PostalAddress
from backend.portal.wire import InvoiceSummary, SearchPage, window_end

__all__ = [
    "PRODUCTION",
    "QUALIFICATION",
    "ActiveStructure",
    "InvoiceHistory",
    "InvoiceSummary",
    "PortalBusinessError",
    "PortalClient",
    "PortalCredentialsError",
    "PortalEnvironment",
    "PortalError",
    "PortalProtocolError",
    "PortalUnavailableError",
    "PostalAddress",
    "RetryPolicy",
    "SearchPage",
    "StatusEvent",
    "StructureInfo",
    "StructureNotConnectedError",
    "TechnicalAccount",
    "TechnicalAccountError",
    "TechnicalPasswordExpiredError",
    "window_end",
]
