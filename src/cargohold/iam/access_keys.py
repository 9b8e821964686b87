"""Access key lookup for SigV4: secret and principal by access key id, cached briefly."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from cargohold.iam.principal import Principal
from cargohold.storage.meta.schema import access_keys, principals

_CACHE_SECONDS = 10.0


class AccessKeys:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._cache: dict[str, tuple[tuple[str, Principal] | None, float]] = {}
        self._last_used_written: dict[str, float] = {}

    async def find(self, access_key_id: str) -> tuple[str, Principal] | None:
        cached = self._cache.get(access_key_id)
        now = time.monotonic()
        if cached and cached[1] > now:
            return cached[0]
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(
                    select(access_keys.c.secret, access_keys.c.status, principals)
                    .select_from(access_keys.join(principals, principals.c.id == access_keys.c.principal_id))
                    .where(access_keys.c.access_key_id == access_key_id)
                )
            ).first()
        found = None
        if row is not None and row.status == "Active":
            found = (
                row.secret,
                Principal(
                    arn=row.arn,
                    account_id=row.account_id,
                    unique_id=row.unique_id,
                    kind=row.kind,
                    is_bootstrap_admin=bool(row.is_bootstrap_admin),
                ),
            )
        self._cache[access_key_id] = (found, now + _CACHE_SECONDS)
        return found

    async def secret(self, access_key_id: str) -> str | None:
        found = await self.find(access_key_id)
        return found[0] if found else None

    async def touch(self, access_key_id: str) -> None:
        """Record last use at most once a minute per key (for `iam lint`'s unused-key check)."""
        now = time.monotonic()
        if self._last_used_written.get(access_key_id, 0) > now - 60:
            return
        self._last_used_written[access_key_id] = now
        async with self.engine.begin() as conn:
            await conn.execute(
                update(access_keys)
                .where(access_keys.c.access_key_id == access_key_id)
                .values(last_used_at=datetime.now(UTC))
            )
