"""HTTP/2 over TLS (h2 + asyncio) for the loopback FCM server, as the real endpoint speaks.

firebase-admin's httpx client asks for HTTP/2 but can only get it through TLS ALPN; over
plain http it falls back to HTTP/1.1 with up to 100 connections, whose pool bookkeeping
costs more than FCM itself. With TLS the SDK multiplexes every send on one connection, as in
production. The certificate is self-signed for 127.0.0.1; the client trusts it through
SSL_CERT_FILE, which httpx reads when the SDK creates its client.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import ipaddress
import ssl
from pathlib import Path

import h2.config
import h2.connection
import h2.events
import h2.exceptions
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.fcm.http11 import Handler, Request


def write_self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, as PEM files in `directory`."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fcm.loopback")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "fcm-loopback.pem", directory / "fcm-loopback.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def server_ssl_context(cert_path: Path, key_path: Path) -> ssl.SSLContext:
    """TLS context offering h2 (and http/1.1) through ALPN."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    context.set_alpn_protocols(["h2", "http/1.1"])
    return context


class H2Connection:
    """Serve one client connection: one task per stream, answers written as they finish."""

    def __init__(
        self, handler: Handler, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self._handler = handler
        self._reader = reader
        self._writer = writer
        config = h2.config.H2Configuration(client_side=False, header_encoding="utf-8")
        self._conn = h2.connection.H2Connection(config=config)
        self._streams: dict[int, tuple[dict[str, str], bytearray]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def serve(self) -> None:
        """Read frames until the client goes away."""
        self._conn.initiate_connection()
        self._flush()
        try:
            while data := await self._reader.read(65536):
                for event in self._conn.receive_data(data):
                    self._on_event(event)
                self._flush()
        finally:
            for task in self._tasks:
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def _on_event(self, event: h2.events.Event) -> None:
        if isinstance(event, h2.events.RequestReceived):
            headers = {str(k): str(v) for k, v in event.headers or []}
            self._streams[event.stream_id] = (headers, bytearray())
        elif isinstance(event, h2.events.DataReceived) and event.stream_id in self._streams:
            self._streams[event.stream_id][1].extend(event.data or b"")
            self._conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
        elif isinstance(event, h2.events.StreamEnded) and event.stream_id in self._streams:
            task = asyncio.create_task(self._respond(event.stream_id))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        elif isinstance(event, h2.events.StreamReset):
            self._streams.pop(event.stream_id, None)

    async def _respond(self, stream_id: int) -> None:
        headers, body = self._streams[stream_id]
        request = Request(
            headers.get(":method", ""),
            headers.get(":path", "").split("?", 1)[0],
            {k.lower(): v for k, v in headers.items() if not k.startswith(":")},
            bytes(body),
            "HTTP/2",
        )
        response = await self._handler(request)
        if self._streams.pop(stream_id, None) is None:
            return  # reset by the client (timeout) while we were busy
        out = [
            (":status", str(response.status)),
            ("content-type", "application/json; charset=UTF-8"),
            ("content-length", str(len(response.body))),
            *((k.lower(), v) for k, v in response.headers.items()),
        ]
        with contextlib.suppress(h2.exceptions.StreamClosedError, h2.exceptions.ProtocolError):
            self._conn.send_headers(stream_id, out)
            self._conn.send_data(stream_id, response.body, end_stream=True)
        self._flush()

    def _flush(self) -> None:
        data = self._conn.data_to_send()
        if data and not self._writer.is_closing():
            self._writer.write(data)
