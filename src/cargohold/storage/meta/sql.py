"""Small SQL helpers that differ between SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection


async def insert_ignore(conn: AsyncConnection, table: Table, rows: list[dict[str, Any]] | dict[str, Any]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING: idempotent links (blob to repository, manifest to layer)."""
    if not rows:
        return
    stmt: Any
    if conn.dialect.name == "postgresql":
        stmt = postgresql.insert(table).on_conflict_do_nothing()
    else:
        stmt = sqlite.insert(table).on_conflict_do_nothing()
    await conn.execute(stmt, rows if isinstance(rows, list) else [rows])
