"""Running the sandbox: in a thread on loopback (tests), or in the foreground (demos)."""

from __future__ import annotations

import threading
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

from backend.portal.endpoints import PortalEnvironment
from backend.portal.sandbox.app import SandboxApp, create_sandbox_app


class SandboxServer:
    """A sandbox app served by werkzeug in a background thread; port 0 picks a free one."""

    def __init__(self, app: SandboxApp, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self._server: BaseWSGIServer = make_server(host, port, app, threaded=True)
        # A short poll interval keeps stop() quick (shutdown waits for the next poll).
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://{self._server.host}:{self._server.port}"

    @property
    def environment(self) -> PortalEnvironment:
        return PortalEnvironment.local(self.url)

    def start(self) -> SandboxServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.app.sandbox.stop_demo()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve(host: str = "127.0.0.1", port: int = 8790, **options: Any) -> None:
    """Serve the sandbox in the foreground until interrupted; options go to create_sandbox_app."""
    app = create_sandbox_app(**options)
    server = make_server(host, port, app, threaded=True)
    print(f"Bac à sable du portail : http://{host}:{server.port}")
    for account in app.sandbox.accounts():
        print(f"  {account['name']} : {account['login']} / {account['password']}")
    for case, account in app.sandbox.cases().items():
        print(f"  ({case}) {account['name']} : {account['login']} / {account['password']}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        app.sandbox.stop_demo()
        server.server_close()
