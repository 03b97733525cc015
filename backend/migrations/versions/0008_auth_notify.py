"""PostgreSQL tells the web workers when a login or a scope changes (NOTIFY relais_auth)

Revision ID: 0008_auth_notify
Revises: 0001
Create Date: 2026-11-28 09:50:00

Every change that alters who a bearer token is, or what it may see, sends a notification on
the `relais_auth` channel, whoever makes it (the API, the sync, a script, psql):

- `s:<session id>` when a login session is updated or deleted (revocation);
- `u:<user id>` when a user, one of their memberships or service restrictions changes;
- `v:<structure id>:<data version>` when a structure's data version moves.

The workers' authentication cache (backend/accounts/authcache.py) applies them. NOTIFY is
transactional: it is delivered at commit, never for a rolled-back change. SQLite has no
NOTIFY; the cache is off there.
"""

from __future__ import annotations

from alembic import op

revision = "0008_auth_notify"
down_revision = "0001"
branch_labels = None
depends_on = None

FUNCTIONS = {
    "relais_notify_session": """
        BEGIN
            PERFORM pg_notify('relais_auth', 's:' || OLD.id);
            RETURN NULL;
        END
    """,
    "relais_notify_user": """
        BEGIN
            PERFORM pg_notify('relais_auth', 'u:' || OLD.id);
            RETURN NULL;
        END
    """,
    "relais_notify_membership": """
        BEGIN
            IF TG_OP <> 'INSERT' THEN
                PERFORM pg_notify('relais_auth', 'u:' || OLD.user_id);
            END IF;
            IF TG_OP <> 'DELETE' THEN
                PERFORM pg_notify('relais_auth', 'u:' || NEW.user_id);
            END IF;
            RETURN NULL;
        END
    """,
    "relais_notify_membership_service": """
        DECLARE
            changed_membership bigint;
        BEGIN
            IF TG_OP = 'DELETE' THEN
                changed_membership := OLD.membership_id;
            ELSE
                changed_membership := NEW.membership_id;
            END IF;
            -- Gone with a deleted membership: the membership's own trigger told its user.
            PERFORM pg_notify('relais_auth', 'u:' || m.user_id)
                FROM memberships m WHERE m.id = changed_membership;
            IF TG_OP = 'UPDATE' AND OLD.membership_id <> NEW.membership_id THEN
                PERFORM pg_notify('relais_auth', 'u:' || m.user_id)
                    FROM memberships m WHERE m.id = OLD.membership_id;
            END IF;
            RETURN NULL;
        END
    """,
    "relais_notify_data_version": """
        BEGIN
            PERFORM pg_notify('relais_auth', 'v:' || NEW.id || ':' || NEW.data_version);
            RETURN NULL;
        END
    """,
}

TRIGGERS = {
    "auth_sessions_notify": (
        "AFTER UPDATE OR DELETE ON auth_sessions FOR EACH ROW",
        "relais_notify_session",
    ),
    "users_notify": ("AFTER UPDATE OR DELETE ON users FOR EACH ROW", "relais_notify_user"),
    "memberships_notify": (
        "AFTER INSERT OR UPDATE OR DELETE ON memberships FOR EACH ROW",
        "relais_notify_membership",
    ),
    "membership_services_notify": (
        "AFTER INSERT OR UPDATE OR DELETE ON membership_services FOR EACH ROW",
        "relais_notify_membership_service",
    ),
    "structures_data_version_notify": (
        "AFTER UPDATE OF data_version ON structures FOR EACH ROW"
        " WHEN (OLD.data_version IS DISTINCT FROM NEW.data_version)",
        "relais_notify_data_version",
    ),
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, body in FUNCTIONS.items():
        op.execute(
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $${body}$$"
        )
    for name, (when, function) in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {when} EXECUTE FUNCTION {function}()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, (when, _function) in TRIGGERS.items():
        table = when.split(" ON ", 1)[1].split()[0]
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    for name in FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {name}()")
