"""Notices that are not about one invoice, and the scheduler's registry of jobs."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from sqlalchemy import select

from backend.accounts.models import Role
from backend.announcements.models import Announcement, Category
from backend.db import current_session, utcnow
from backend.push.models import Delivery, Notification, NotificationSettings
from backend.scheduler import registry
from backend.scheduler.process import JobContext
from backend.sync.jobs import warn_expiring_passwords
from backend.sync.models import PortalAccount
from backend.timeutil import paris_today
from tests.factories import MembershipFactory, UserFactory
from tests.push_delivery.conftest import World, add_device


def context(app: Flask, now: dt.datetime | None = None) -> JobContext:
    return JobContext(current_session(), now or utcnow(), app.extensions["relais_config"], app)


def test_a_maintenance_announcement_reaches_devices_that_accept_service_notices(
    world: World, app_ctx: Flask
) -> None:
    add_device(world.manager, "tok-manager")
    add_device(world.outsider, "tok-outsider")
    session = current_session()
    session.add(NotificationSettings(user_id=world.outsider.id, service_notices=False))
    now = utcnow()
    tomorrow = now + dt.timedelta(days=1)
    session.add(
        Announcement(
            category=Category.MAINTENANCE,
            title="Maintenance du portail samedi",
            body="Le portail sera indisponible de 13 h à 15 h.",
            published_at=now - dt.timedelta(hours=1),
            window_starts_at=tomorrow,
            window_ends_at=tomorrow + dt.timedelta(hours=2),
        )
    )
    session.commit()
    registry.maintenance_push(context(app_ctx))
    registry.maintenance_push(context(app_ctx))  # once only
    notes = session.scalars(select(Notification)).all()
    assert {n.user_id for n in notes} == {world.manager.id, world.roads_only.id}
    assert {n.kind for n in notes} == {"service_notice"}
    pushes = session.scalars(select(Delivery)).all()
    assert [d.device.token for d in pushes] == ["tok-manager"]


def test_managers_are_told_before_the_technical_password_expires(
    world: World, app_ctx: Flask
) -> None:
    from backend.sync.accounts import register_account

    config = app_ctx.extensions["relais_config"]
    deputy = UserFactory()
    MembershipFactory(user=deputy, structure=world.structure, role=Role.MANAGER)
    add_device(world.manager, "tok-manager")
    today = dt.datetime.now(dt.UTC)
    # Days left count in Paris days (between 23:00 and midnight UTC, Paris is a day ahead).
    expires_on = paris_today(today) + dt.timedelta(days=12)
    register_account(current_session(), world.structure, "TECH_1@cpro.fr", "s3cret",
                     expires_on, config=config)  # fmt: skip
    current_session().commit()
    warn_expiring_passwords(current_session(), today)
    warn_expiring_passwords(current_session(), today)  # same day: nothing more
    warn_expiring_passwords(current_session(), today + dt.timedelta(days=2))  # 10 days: quiet
    notes = current_session().scalars(select(Notification)).all()
    assert {n.user_id for n in notes} == {world.manager.id, deputy.id}  # not simple users
    assert all("expire dans 12 jours" in n.title for n in notes)
    warn_expiring_passwords(current_session(), today + dt.timedelta(days=5))  # 7 days left
    assert len(current_session().scalars(select(Notification)).all()) == 4
    account = current_session().get(PortalAccount, world.structure.id)
    assert account.expiry_warned_on is not None


def test_every_job_has_a_stable_unique_id_and_runs_on_an_empty_database(app_ctx: Flask) -> None:
    jobs = registry.jobs(app_ctx.extensions["relais_config"])
    ids = [job.id for job in jobs]
    assert len(ids) == len(set(ids))
    assert {"portal-sync", "trainings-reminders", "maintenance-push"} <= set(ids)
    for job in jobs:
        job.run(context(app_ctx))
        current_session().commit()
