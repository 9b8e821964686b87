"""Access key lookup for SigV4: the secret and the caller behind a long-term key or a role session."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from cargohold.iam import directory
from cargohold.iam.directory import KeyMatch
from cargohold.iam.principal import Principal, session_arn
from cargohold.iam.secrets_box import SecretsBox
from cargohold.storage.meta.schema import access_keys

_CACHE_SECONDS = 10.0


def principal_for(match: KeyMatch) -> Principal:
    info = match.principal
    if match.session_name is not None:
        return Principal(
            arn=session_arn(info.account_id, info.name, match.session_name),
            account_id=info.account_id,
            unique_id=info.unique_id,
            kind="assumed-role",
        )
    return Principal(arn=info.arn, account_id=info.account_id, unique_id=info.unique_id, kind="user")


class AccessKeys:
    def __init__(self, engine: AsyncEngine, box: SecretsBox) -> None:
        self.engine = engine
        self.box = box
        self._cache: dict[str, tuple[KeyMatch | None, float]] = {}
        self._last_used_written: dict[str, float] = {}

    async def find(self, access_key_id: str) -> KeyMatch | None:
        cached = self._cache.get(access_key_id)
        now = time.monotonic()
        if cached and cached[1] > now:
            match = cached[0]
        else:
            async with self.engine.connect() as conn:
                match = await conn.run_sync(lambda c: directory.find_key(c, self.box, access_key_id))
            self._cache[access_key_id] = (match, now + _CACHE_SECONDS)
        if match and match.expires_at and match.expires_at <= datetime.now(UTC):
            return None
        return match

    async def secret(self, access_key_id: str) -> str | None:
        match = await self.find(access_key_id)
        return match.secret if match else None

    def forget(self, access_key_id: str | None = None) -> None:
        if access_key_id is None:
            self._cache.clear()
        else:
            self._cache.pop(access_key_id, None)

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
