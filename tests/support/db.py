"""Direct access to a test server's database, for fixture set-up only (backdating pushes)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import sqlalchemy

from tests.support.server import RunningServer


@contextmanager
def connect(server: RunningServer) -> Iterator[sqlalchemy.Connection]:
    url = server.database_url or f"sqlite:///{server.data_dir / 'cargohold.db'}"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.begin() as conn:
            yield conn
    finally:
        engine.dispose()


def backdate(server: RunningServer, digest: str, pushed_at: datetime, pulled_at: datetime | None = None) -> None:
    with connect(server) as conn:
        conn.execute(
            sqlalchemy.text("update manifests set pushed_at = :p, last_pulled_at = :l where digest = :d"),
            {"p": pushed_at, "l": pulled_at, "d": digest},
        )
