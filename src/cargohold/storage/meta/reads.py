"""Read connections for the hot path.

On SQLite, reads run inline on the event loop through the blocking driver: in WAL mode a reader never
waits for a writer, a point query takes microseconds, and skipping aiosqlite's thread hop is what
lets manifest GETs and blob HEADs run at several thousand per second. Writes still go through the
async engine. On PostgreSQL, reads use the async engine like everything else.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine


class InlineReadConnection:
    """The slice of AsyncConnection's interface the registry's read queries use."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def execute(self, statement: Any, parameters: Any = None) -> Any:
        return self._conn.execute(statement, parameters)


class Readers:
    def __init__(self, engine: AsyncEngine, inline_engine: Engine | None) -> None:
        self.engine = engine
        self.inline_engine = inline_engine

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[AsyncConnection]:
        if self.inline_engine is not None:
            with self.inline_engine.connect() as conn:
                yield InlineReadConnection(conn)  # type: ignore[misc]
        else:
            async with self.engine.connect() as conn:
                yield conn

    def dispose(self) -> None:
        if self.inline_engine is not None:
            self.inline_engine.dispose()
