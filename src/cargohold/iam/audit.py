"""The audit log: every access decision, on every face, like CloudTrail's LookupEvents.

Decisions are buffered in memory and written in one transaction every second (and at shutdown), so
the hot path never waits for a write; a crash can lose at most that last second.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.ext.asyncio import AsyncEngine

from cargohold.periodic import Periodic
from cargohold.storage.meta.schema import audit_events


@dataclass(frozen=True)
class AuditEvent:
    time: datetime
    principal_arn: str
    account_id: str
    action: str
    resource: str
    source_ip: str | None
    decision: str  # Allow | Deny
    reason: str
    deciding: str | None
    face: str


class AuditLog:
    def __init__(self, engine: AsyncEngine, flush_seconds: float = 1.0) -> None:
        self.engine = engine
        self._pending: list[AuditEvent] = []
        self._timer = Periodic("audit flush", flush_seconds, self.flush)

    def record(self, event: AuditEvent) -> None:
        self._pending.append(event)

    async def flush(self) -> None:
        pending, self._pending = self._pending, []
        if not pending:
            return
        # A driver-level executemany: thousands of rows a second must not cost the event loop
        # SQLAlchemy's per-row parameter processing.
        columns = [field.name for field in fields(AuditEvent)]
        sqlite = self.engine.dialect.name == "sqlite"
        marker = "?" if sqlite else "%s"
        sql = f"INSERT INTO audit_events ({', '.join(columns)}) VALUES ({', '.join([marker] * len(columns))})"
        rows = [tuple(_stored(getattr(event, c), sqlite) for c in columns) for event in pending]
        async with self.engine.begin() as conn:
            await conn.exec_driver_sql(sql, rows)

    def start(self) -> None:
        self._timer.start()

    async def stop(self) -> None:
        await self._timer.stop(final_run=True)


def _stored(value: Any, sqlite: bool) -> Any:
    """Datetimes as SQLAlchemy stores them on SQLite (naive UTC text); everything else as is."""
    if sqlite and isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def lookup_events(
    conn: Connection,
    *,
    principal: str | None = None,
    action: str | None = None,
    decision: str | None = None,
    resource: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    query = select(audit_events).order_by(audit_events.c.id.desc()).limit(limit)
    if principal:
        query = query.where(audit_events.c.principal_arn.like(f"%{principal}%"))
    if action:
        query = query.where(audit_events.c.action == action)
    if decision:
        query = query.where(audit_events.c.decision == decision)
    if resource:
        query = query.where(audit_events.c.resource.like(f"%{resource}%"))
    if since:
        query = query.where(audit_events.c.time >= since)
    if until:
        query = query.where(audit_events.c.time <= until)
    return [dict(row._mapping) for row in conn.execute(query)]
