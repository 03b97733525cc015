"""The real app on loopback with the demo's data: the portal sandbox, the demo cast seeded
from its technical accounts, and one real sync per structure (as `make run` does).

For the getting-in screens it can also send its e-mails to a loopback SMTP server, build the
community site (the e-mailed links open its pages) and sync the structures due, as the
scheduler does (a new account adds the sandbox's unclaimed supplier)."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from backend import create_app
from backend.accounts.models import Structure
from backend.config import Config
from backend.db import current_session, unit_of_work
from backend.demo.seed import seed
from backend.invoices.models import Invoice
from backend.migrate import upgrade
from backend.portal.sandbox import SandboxServer, create_sandbox_app
from backend.portal.sandbox.lifecycle import FORWARD
from backend.site.build import last_built, rebuild_site_on_change
from backend.sync.jobs import sync_due
from backend.sync.models import SyncState
from backend.sync.service import sync_structure
from tests.mail.smtp import Inbox, free_port

# Where a recipient can still reject an invoice (as the sandbox's own lifecycle does): made
# available to it, and not yet paid.
REJECTABLE = FORWARD[2:7]
# Enough invoices that each structure's list has a second page.
INVOICES = 150
# Short-lived access tokens: the app's silent refresh on a 401 is seen within the test.
ACCESS_TOKEN_TTL = 8


@dataclass
class Hits:
    """What the server answered, counted in the WSGI layer."""

    seen: list[Hit] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, hit: Hit) -> None:
        with self.lock:
            self.seen.append(hit)

    def mark(self) -> int:
        with self.lock:
            return len(self.seen)

    def since(self, mark: int) -> list[Hit]:
        with self.lock:
            return self.seen[mark:]


@dataclass(frozen=True)
class Hit:
    method: str
    path: str
    query: str
    status: int


def statuses(hits: Iterable[Hit], method: str, prefix: str) -> Counter[int]:
    """How many answers of each status the requests `method prefix…` got."""
    return Counter(h.status for h in hits if h.method == method and h.path.startswith(prefix))


def counting(app: Any, hits: Hits) -> Callable[..., Any]:
    """WSGI middleware writing each answer's status into `hits`."""

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        def start(status: str, headers: Any, *args: Any) -> Any:
            method, path = environ["REQUEST_METHOD"], environ["PATH_INFO"]
            hits.add(Hit(method, path, environ.get("QUERY_STRING", ""), int(status[:3])))
            return start_response(status, headers, *args)

        return app(environ, start)

    return wsgi


@dataclass
class LiveApp:
    base: str
    app: Flask
    hits: Hits
    sandbox: Any = None  # the portal sandbox's app state (set_status, tick…)

    def url(self, path: str) -> str:
        return self.base + path

    def reject(self, structure_id: int, others: int = 0) -> tuple[int, str]:
        """An invoice of the structure rejected in the portal sandbox (after `others` more of
        the same structure), brought in by the real sync: (its Relais id, its number)."""
        with self.app.app_context():
            session = current_session()
            # The one shown is where a recipient can reject it; the others (only there to
            # fill an inbox's pages) are any invoice sent and not yet rejected.
            candidates = session.execute(
                select(Invoice.id, Invoice.portal_id, Invoice.number, Invoice.status_code)
                .where(
                    Invoice.structure_id == structure_id,
                    Invoice.status_code.not_in(("BROUILLON", "REJETEE")),
                )
                .order_by(Invoice.id)
            ).all()
            shown = next(row for row in candidates if row.status_code in REJECTABLE)
            rows = [*[row for row in candidates if row is not shown][:others], shown]
            assert len(rows) == others + 1
            # Stamped just past where the structure's sync stands (its watermark: a minute or
            # more ago), and synced two minutes later, as the scheduler would: the portal's
            # search works to the minute and a sync reads up to the last whole minute before
            # its time.
            watermark = session.scalars(
                select(SyncState.watermark).where(SyncState.structure_id == structure_id)
            ).one()
            assert watermark is not None, "the structure has not been synced yet"
            at = watermark + dt.timedelta(seconds=1)
            for i, (_, portal_id, _, _) in enumerate(rows):  # the last one last
                self.sandbox.store.add_change(
                    portal_id, "REJETEE", at + dt.timedelta(seconds=i), "Code service absent."
                )
            config = self.app.extensions["relais_config"]
            sync_structure(session, structure_id, config=config, now=at + dt.timedelta(minutes=2))
            session.commit()
            invoice_id, _, number, _ = rows[-1]
            return invoice_id, number


@contextmanager
def _own_session(app: Flask) -> Iterator[Session]:
    """A session in an app context of its own, for a sync's thread (as the scheduler's)."""
    with app.app_context():
        yield current_session()


def _syncing(app: Flask, config: Config, stop: threading.Event) -> None:
    """The scheduler's portal-sync job, every half second: structures due are synced."""
    while not stop.wait(0.5):
        with app.app_context(), unit_of_work() as session:
            sync_due(session, config, sessions=partial(_own_session, app), stop=stop)


@contextmanager
def _mail_server(inbox: Inbox | None) -> Iterator[dict[str, Any]]:
    """A loopback SMTP server keeping the messages in `inbox`; its settings for the app."""
    if inbox is None:
        yield {}
        return
    from aiosmtpd.controller import Controller

    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    try:
        yield {"smtp_host": "127.0.0.1", "smtp_port": smtp.port, "smtp_security": "none"}
    finally:
        smtp.stop()


@contextmanager
def live_app(
    folder: Path,
    *,
    inbox: Inbox | None = None,
    site: bool = False,
    scheduler: bool = False,
    **settings: Any,
) -> Iterator[LiveApp]:
    """Serve Relais with the demo's data on a free loopback port until the block ends.

    `inbox`: e-mails go there through a loopback SMTP server; `site`: the community site is
    built; `scheduler`: structures due are synced in the background; `settings`: more of the
    configuration (rate limits…)."""
    sandbox = SandboxServer(create_sandbox_app(None, seed=2026, invoices=INVOICES)).start()
    url = f"sqlite:///{folder / 'relais.db'}"
    upgrade(url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    stop = threading.Event()
    with _mail_server(inbox) as mail:
        config = Config(
            instance_path=str(folder / "instance"),
            database_url=url,
            demo_mode=True,
            public_base_url=base,
            portal_base_url=sandbox.url,
            site_dir=str(folder / "site"),
            access_token_ttl=ACCESS_TOKEN_TTL,
            **mail,
            **settings,
        ).resolved()
        app = create_app(config)
        with app.app_context():
            session = current_session()
            seed(session, sandbox.app.sandbox.accounts(), config=config)
            session.commit()
            now = dt.datetime.now(dt.UTC)
            for structure_id in session.scalars(select(Structure.id)).all():
                sync_structure(session, structure_id, config=config, now=now)
                session.commit()
            if site:
                rebuild_site_on_change(session, now, config)
                assert last_built(config), "le site n'a pas été construit"
        hits = Hits()
        server = make_server("127.0.0.1", port, counting(app, hits), threaded=True)
        threads = [threading.Thread(target=server.serve_forever, daemon=True)]
        if scheduler:
            threads.append(threading.Thread(target=_syncing, args=(app, config, stop), daemon=True))
        for thread in threads:
            thread.start()
        try:
            yield LiveApp(base, app, hits, sandbox.app.sandbox)
        finally:
            stop.set()
            server.shutdown()
            for thread in threads:
                thread.join(timeout=10)
            sandbox.stop()
