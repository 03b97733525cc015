"""A private PostgreSQL cluster that a test may stop, restart, or cut connections of.

`initdb` and `pg_ctl` from the installed PostgreSQL, in a temporary directory, on a free
loopback port, trust authentication, fsync off. initdb refuses to run as root: as root
(here and in CI) every server command runs as the `postgres` system user.
"""

from __future__ import annotations

import glob
import os
import pwd
import shlex
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg

SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "60",
    "shared_buffers": "32MB",
    "log_min_messages": "warning",
}


class Unavailable(Exception):
    """No PostgreSQL server binaries here, or no user allowed to run them."""


def _bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    if not found:
        raise Unavailable("PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin")
    return Path(found[-1]).parent


def _version(path: str) -> int:
    return int(Path(path).parent.parent.name.split(".")[0])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class PgCluster:
    """One postmaster in a temporary directory; `url()` names a database on it."""

    def __init__(self) -> None:
        self.bindir = _bindir()
        self.owner = self._owner()
        self.root = Path(tempfile.mkdtemp(prefix="relais-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = _free_port()
        try:
            self._initdb()
        except BaseException:
            shutil.rmtree(self.root, ignore_errors=True)
            raise

    def _initdb(self) -> None:
        if self.owner is not None:
            os.chown(self.root, self.owner.pw_uid, self.owner.pw_gid)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres",
                  "--no-sync", "--no-instructions", "-E", "UTF8")  # fmt: skip
        settings = {**SETTINGS, "port": str(self.port), "unix_socket_directories": f"'{self.root}'"}
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{name} = {value}\n" for name, value in settings.items())

    @staticmethod
    def _owner() -> pwd.struct_passwd | None:
        """Who runs the server: ourselves, or the `postgres` user when we are root."""
        if os.geteuid() != 0:
            return None
        try:
            return pwd.getpwnam("postgres")
        except KeyError:
            raise Unavailable("running as root and there is no `postgres` user") from None

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bindir / tool), *args]
        if self.owner is not None and shutil.which("runuser"):
            command = ["runuser", "-u", self.owner.pw_name, "--", *command]
        elif self.owner is not None:
            command = ["su", self.owner.pw_name, "-c", shlex.join(command)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(f"{tool} failed: {done.stdout}{done.stderr}\n{log[-2000:]}")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _pg_ctl(self, action: str, *args: str) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "30",
                  *args, action)  # fmt: skip

    def start(self) -> None:
        self._pg_ctl("start")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server; "fast" ends every session, "immediate" is a crash."""
        self._pg_ctl("stop", "-m", mode)

    def restart(self, mode: str = "fast") -> None:
        self._pg_ctl("restart", "-m", mode)

    def execute(
        self, sql: str, params: tuple[object, ...] = (), database: str = "postgres"
    ) -> list[tuple[object, ...]]:
        """Run one statement in autocommit on a short-lived connection."""
        conninfo = f"host=127.0.0.1 port={self.port} user=postgres dbname={database}"
        with psycopg.connect(conninfo, autocommit=True) as connection:
            cursor = connection.execute(sql.encode(), params)
            return cursor.fetchall() if cursor.description else []

    def terminate_backends(self, query_like: str) -> int:
        """pg_terminate_backend every other session whose current query matches; how many."""
        rows = self.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE pid <> pg_backend_pid() AND query LIKE %s",
            (query_like,),
        )
        return sum(1 for (done,) in rows if done)

    def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(self.root, ignore_errors=True)
