"""A PostgreSQL server for the test suite: the machine's own on 127.0.0.1:5432 when it answers,
otherwise a throwaway instance started from the Debian server binaries (as pytest-postgresql does).
Each cargohold server under test gets a fresh database of its own.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

DEFAULT_DSN = os.environ.get("CARGOHOLD_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _reachable(dsn: str) -> bool:
    try:
        with psycopg.connect(dsn, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ThrowawayPostgres:
    """initdb + pg_ctl in a temporary directory; run as the postgres user when we are root."""

    def __init__(self) -> None:
        candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        if not candidates:
            raise RuntimeError("no PostgreSQL server binaries: install the Debian package 'postgresql'")
        self.bindir = Path(candidates[-1]).parent
        self.dir = Path(tempfile.mkdtemp(prefix="cargohold-pg-"))
        self.port = _free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_user, *args], check=True, capture_output=True)

    def start(self) -> str:
        data = str(self.dir / "data")
        self._run(str(self.bindir / "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            data,
            "-l",
            str(self.dir / "log"),
            "-w",
            "start",
            "-o",
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off",
        )
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        subprocess.run(
            [*self.as_user, str(self.bindir / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(self.dir, ignore_errors=True)


class PostgresProvider:
    def __init__(self) -> None:
        self.throwaway: ThrowawayPostgres | None = None
        if _reachable(DEFAULT_DSN):
            self.admin_dsn = DEFAULT_DSN
        else:
            self.throwaway = ThrowawayPostgres()
            self.admin_dsn = self.throwaway.start()
            deadline = time.time() + 30
            while not _reachable(self.admin_dsn):
                if time.time() > deadline:
                    raise RuntimeError("throwaway PostgreSQL did not start")
                time.sleep(0.2)
        self.created: list[str] = []

    def new_database(self) -> str:
        name = "cargohold_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        base = self.admin_dsn.rsplit("/", 1)[0]
        return f"{base}/{name}"

    def close(self) -> None:
        try:
            with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
                for name in self.created:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except psycopg.Error:
            pass
        if self.throwaway:
            self.throwaway.stop()
