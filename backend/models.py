"""Every model, imported once so the metadata (and Alembic) sees the whole schema."""

from backend.accounts.emailed import AccountLink
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
from backend.members.models import Invitation
from backend.onboarding.models import JoinRequest
from backend.payments.models import EcbRateRow, PaymentNotice, RecipientHabits
from backend.push.models import (
    Delivery,
    Device,
    Notification,
    NotificationPreference,
    NotificationSettings,
)
from backend.ratelimits.models import RateLimitCounter
from backend.scheduler.models import JobRun, SchedulerLease
from backend.sync.models import PortalAccount, SyncRun, SyncState
from backend.trainings.models import Notice, Registration, TrainingPart, TrainingSession

__all__ = [
    "AccountLink",
    "Announcement",
    "ApiKey",
    "AuthSession",
    "Base",
    "Delivery",
    "Device",
    "EcbRateRow",
    "Invitation",
    "Invoice",
    "JobRun",
    "JoinRequest",
    "Membership",
    "NewsletterSubscription",
    "Notice",
    "Notification",
    "NotificationPreference",
    "NotificationSettings",
    "PaymentNotice",
    "PortalAccount",
    "RateLimitCounter",
    "Recipient",
    "RecipientHabits",
    "RecipientService",
    "RefreshToken",
    "Registration",
    "SchedulerLease",
    "StatusChange",
    "Structure",
    "SyncRun",
    "SyncState",
    "TrainingPart",
    "TrainingSession",
    "User",
]
