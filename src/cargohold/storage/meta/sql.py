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


async def insert_or_touch(conn: AsyncConnection, table: Table, row: dict[str, Any], touch: str) -> None:
    """INSERT, or on conflict set `touch` to the row's value: one statement instead of two."""
    stmt: Any
    module = postgresql if conn.dialect.name == "postgresql" else sqlite
    keys = [column.name for column in table.primary_key.columns]
    stmt = module.insert(table).values(**row)
    stmt = stmt.on_conflict_do_update(index_elements=keys, set_={touch: stmt.excluded[touch]})
    await conn.execute(stmt)
