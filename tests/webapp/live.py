"""The real app on loopback with the demo's data: the portal sandbox, the demo cast seeded
from its technical accounts, and one real sync per structure (as `make run` does)."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select
from werkzeug.serving import make_server

from backend import create_app
from backend.accounts.models import Structure
from backend.config import Config
from backend.db import current_session
from backend.demo.seed import seed
from backend.migrate import upgrade
from backend.portal.sandbox import SandboxServer, create_sandbox_app
from backend.sync.service import sync_structure
from tests.mail.smtp import free_port

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


@contextmanager
def live_app(folder: Path, **settings: Any) -> Iterator[LiveApp]:
    """Serve Relais with the demo's data on a free loopback port until the block ends
    (`settings`: more Config fields)."""
    sandbox = SandboxServer(create_sandbox_app(None, seed=2026, invoices=INVOICES)).start()
    url = f"sqlite:///{folder / 'relais.db'}"
    upgrade(url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    config = Config(
        instance_path=str(folder / "instance"),
        database_url=url,
        demo_mode=True,
        public_base_url=base,
        portal_base_url=sandbox.url,
        site_dir=str(folder / "site"),
        access_token_ttl=ACCESS_TOKEN_TTL,
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
    hits = Hits()
    server = make_server("127.0.0.1", port, counting(app, hits), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveApp(base, app, hits, sandbox.app.sandbox)
    finally:
        server.shutdown()
        thread.join(timeout=5)
        sandbox.stop()
