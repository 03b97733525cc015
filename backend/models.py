"""Every model, imported once so the metadata (and Alembic) sees the whole schema."""

from backend.accounts.models import (
    ApiKey,
    AuthSession,
    Membership,
    Recipient,
    RecipientService,
    RefreshToken,
    Structure,
    User,
)
from backend.announcements.models import Announcement, NewsletterSubscription
from backend.db import Base
from backend.invoices.models import Invoice, StatusChange
from backend.push.models import (
    Delivery,
    Device,
    Notification,
    NotificationPreference,
    NotificationSettings,
)
from backend.scheduler.models import JobRun, SchedulerLease
from backend.sync.models import PortalAccount, SyncRun, SyncState
from backend.trainings.models import Notice, Registration, TrainingPart, TrainingSession

__all__ = [
    "Delivery",
    "Device",
    "Notification",
    "NotificationPreference",
    "NotificationSettings",
    "Announcement",
    "ApiKey",
    "AuthSession",
    "Base",
    "Invoice",
    "JobRun",
    "Membership",
    "NewsletterSubscription",
    "Notice",
    "Recipient",
    "RecipientService",
    "PortalAccount",
    "RefreshToken",
    "Registration",
    "SchedulerLease",
    "StatusChange",
    "SyncRun",
    "SyncState",
    "Structure",
    "TrainingPart",
    "TrainingSession",
    "User",
]
