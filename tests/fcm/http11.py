"""A minimal keep-alive HTTP/1.1 server (h11 over asyncio streams) on its own loop thread.

Given a TLS context it hands connections that negotiated h2 to `tests.fcm.http2`. Why not
http.server: firebase-admin opens up to 100 connections at once, and a thread per connection
sharing the GIL with the client under test crawled. h11 and h2 ship with httpx[http2].
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import h11


@dataclass(frozen=True)
class Request:
    """What a handler receives."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    protocol: str = "HTTP/1.1"


@dataclass(frozen=True)
class Response:
    """What a handler returns."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Request], Awaitable[Response]]


class LoopbackHttpServer:
    """Serve `handler` on 127.0.0.1 (port chosen by the OS) from a daemon thread."""

    def __init__(self, handler: Handler, ssl_context: ssl.SSLContext | None = None) -> None:
        self._handler = handler
        self._loop = asyncio.new_event_loop()
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._connection, "127.0.0.1", 0, backlog=1024, ssl=ssl_context)
        )
        self._writers: set[asyncio.StreamWriter] = set()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self.port: int = self._server.sockets[0].getsockname()[1]

    def start(self) -> None:
        """Start the loop thread."""
        self._thread.start()

    def stop(self) -> None:
        """Close every connection, cancel pending handlers, stop and close the loop."""
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    async def _shutdown(self) -> None:
        self._server.close()
        for writer in list(self._writers):
            writer.close()
        current = asyncio.current_task()
        tasks = [t for t in asyncio.all_tasks() if t is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        conn = h11.Connection(h11.SERVER)
        tls = writer.get_extra_info("ssl_object")
        try:
            if tls is not None and tls.selected_alpn_protocol() == "h2":
                from tests.fcm.http2 import H2Connection

                await H2Connection(self._handler, reader, writer).serve()
                return
            while await self._one_exchange(conn, reader, writer):
                conn.start_next_cycle()
        except (h11.ProtocolError, ConnectionError, ssl.SSLError, asyncio.CancelledError):
            # Cancelled only by stop(); ending normally keeps asyncio's stream callback quiet.
            pass
        finally:
            self._writers.discard(writer)
            writer.close()
            with contextlib.suppress(ConnectionError, ssl.SSLError, asyncio.CancelledError):
                await writer.wait_closed()

    async def _one_exchange(
        self, conn: h11.Connection, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        """Read one request, answer it; False when the connection should end."""
        request: h11.Request | None = None
        body = bytearray()
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                conn.receive_data(await reader.read(65536))
            elif isinstance(event, h11.Request):
                request = event
            elif isinstance(event, h11.Data):
                body += event.data
            elif isinstance(event, h11.EndOfMessage) and request is not None:
                break
            else:  # ConnectionClosed, PAUSED with nothing pending
                return False
        headers = {k.decode().lower(): v.decode() for k, v in request.headers}
        target = request.target.decode().split("?", 1)[0]
        response = await self._handler(
            Request(request.method.decode(), target, headers, bytes(body))
        )
        out_headers = [
            ("content-type", "application/json; charset=UTF-8"),
            ("content-length", str(len(response.body))),
            *response.headers.items(),
        ]
        writer.write(
            conn.send(h11.Response(status_code=response.status, headers=out_headers))
            + conn.send(h11.Data(data=response.body))
            + conn.send(h11.EndOfMessage())
        )
        await writer.drain()
        return conn.our_state is h11.DONE and conn.their_state is h11.DONE
