"""Blobs as a repository sees them: visible only when linked to that repository.

The bytes are global and deduplicated in the BlobStore; `repository_blobs` decides who may see them,
which is what makes cross-repository mounts and per-repository cost attribution possible.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from cargohold.registry.context import RegistryContext
from cargohold.registry.digests import parse_digest
from cargohold.registry.errors import BlobUnknown, BlobUploadUnknown, SizeInvalid
from cargohold.registry.models import utc, utcnow
from cargohold.registry.repositories import Repositories
from cargohold.registry.scope import Scope
from cargohold.storage.meta.schema import blobs, repositories, repository_blobs, uploads
from cargohold.storage.meta.sql import insert_or_touch


@dataclass(frozen=True)
class UploadStatus:
    upload_id: str
    size: int


_BLOB_SIZE = (
    select(
        blobs.c.size,
        repository_blobs.c.repository_id,
        func.coalesce(repository_blobs.c.last_seen_at, repository_blobs.c.created_at).label("seen"),
    )
    .select_from(
        repositories.join(repository_blobs, repository_blobs.c.repository_id == repositories.c.id).join(
            blobs, blobs.c.digest == repository_blobs.c.digest
        )
    )
    .where(
        and_(
            repositories.c.account_id == bindparam("account"),
            repositories.c.region == bindparam("region"),
            repositories.c.name == bindparam("name"),
            repository_blobs.c.digest == bindparam("digest"),
        )
    )
)


def blob_unknown(digest: str) -> BlobUnknown:
    return BlobUnknown("blob unknown to registry", {"digest": digest})


def upload_unknown(upload_id: str) -> BlobUploadUnknown:
    return BlobUploadUnknown("blob upload unknown to registry", {"uuid": upload_id})


_STAT_CACHE_SECONDS = 1.0
_STAT_CACHE_SIZE = 65536


class Blobs:
    def __init__(self, ctx: RegistryContext, repos: Repositories) -> None:
        self.ctx = ctx
        self.repos = repos
        # (account, region, name, digest) -> (row, expiry): a second-long cache of positive answers,
        # like Distribution's blob descriptor cache; unlinks and collections through this node clear it.
        self._stat_cache: dict[tuple[str, str, str, str], tuple[Any, float]] = {}

    def forget(self) -> None:
        self._stat_cache.clear()

    # -- reading -----------------------------------------------------------------------------------
    async def stat(self, scope: Scope, name: str, digest: str, *, referencing: bool = False) -> int:
        """Size of a blob linked to the repository; NAME_UNKNOWN or BLOB_UNKNOWN otherwise.

        referencing: the caller is about to reference the blob (a client's HEAD before it pushes a
        manifest, a layer availability check). The link's last_seen_at is then refreshed when it is
        older than a quarter of the GC grace, so a collection spares it for most of a grace period: a
        read almost always, a write at most four times per grace per link.
        """
        parse_digest(digest)
        key = (scope.account_id, scope.region, name, digest)
        now = time.monotonic()
        cached = self._stat_cache.get(key)
        if cached is not None and cached[1] > now:
            row = cached[0]
        else:
            params = {"account": scope.account_id, "region": scope.region, "name": name, "digest": digest}
            async with self.ctx.read() as conn:
                row = (await conn.execute(_BLOB_SIZE, params)).first()
                if row is None:
                    await self.repos.get_in(conn, scope, name)
                    raise blob_unknown(digest)
            if len(self._stat_cache) >= _STAT_CACHE_SIZE:
                self._stat_cache.clear()
            self._stat_cache[key] = (row, now + _STAT_CACHE_SECONDS)
        if referencing:
            grace = timedelta(seconds=self.ctx.settings.gc_grace_seconds)
            seen = utc(row.seen)
            if seen is None or utcnow() - seen > grace / 4:
                async with self.ctx.engine.begin() as conn:
                    touched = await conn.execute(
                        update(repository_blobs)
                        .where(
                            repository_blobs.c.repository_id == row.repository_id, repository_blobs.c.digest == digest
                        )
                        .values(last_seen_at=utcnow())
                    )
                if not touched.rowcount:  # collected between our read and the touch
                    self._stat_cache.pop(key, None)
                    raise blob_unknown(digest)
                self._stat_cache.pop(key, None)  # the cached row's last_seen_at is now stale
        return int(row.size)

    async def unlink(self, scope: Scope, name: str, digest: str) -> None:
        """DELETE /v2/<name>/blobs/<digest>: the repository forgets the blob; GC reclaims the bytes."""
        parse_digest(digest)
        async with self.ctx.engine.begin() as conn:
            repo = await self.repos.get_in(conn, scope, name)
            result = await conn.execute(
                delete(repository_blobs).where(
                    repository_blobs.c.repository_id == repo.id, repository_blobs.c.digest == digest
                )
            )
            if not result.rowcount:
                raise blob_unknown(digest)
        self.forget()

    async def mount(self, scope: Scope, name: str, digest: str, from_name: str) -> bool:
        """Link a blob another repository of the same registry holds; False when it cannot be mounted."""
        parse_digest(digest)
        async with self.ctx.engine.begin() as conn:
            repo = await self.repos.get_in(conn, scope, name)
            source = await self.repos.find_in(conn, scope, from_name)
            if source is None:
                return False
            linked = (
                await conn.execute(
                    select(repository_blobs.c.digest).where(
                        repository_blobs.c.repository_id == source.id, repository_blobs.c.digest == digest
                    )
                )
            ).first()
            if not linked:
                return False
            touched = await conn.execute(update(blobs).where(blobs.c.digest == digest).values(last_seen_at=utcnow()))
            if not touched.rowcount:  # collected a moment ago
                return False
            await self._link(conn, repo.id, digest)
        return True

    # -- uploads -----------------------------------------------------------------------------------
    async def start_upload(self, scope: Scope, name: str) -> str:
        upload_id = str(uuid.uuid4())
        async with self.ctx.engine.begin() as conn:
            repo = await self.repos.get_in(conn, scope, name)
            await self.ctx.blobs.start_upload(upload_id)
            await conn.execute(uploads.insert().values(id=upload_id, repository_id=repo.id, started_at=utcnow()))
        return upload_id

    async def _check_upload(self, conn: AsyncConnection, scope: Scope, name: str, upload_id: str) -> int:
        try:
            uuid.UUID(upload_id)
        except ValueError:
            raise upload_unknown(upload_id) from None
        repo = await self.repos.get_in(conn, scope, name)
        row = (
            await conn.execute(
                select(uploads.c.repository_id).where(uploads.c.id == upload_id, uploads.c.repository_id == repo.id)
            )
        ).first()
        if row is None:
            raise upload_unknown(upload_id)
        return repo.id

    async def upload_status(self, scope: Scope, name: str, upload_id: str) -> UploadStatus:
        async with self.ctx.read() as conn:
            await self._check_upload(conn, scope, name, upload_id)
        return UploadStatus(upload_id, await self.ctx.blobs.upload_size(upload_id))

    async def append(
        self,
        scope: Scope,
        name: str,
        upload_id: str,
        chunks: AsyncIterable[bytes],
        *,
        start: int | None = None,
    ) -> UploadStatus:
        async with self.ctx.read() as conn:
            await self._check_upload(conn, scope, name, upload_id)
        size = await self.ctx.blobs.append(upload_id, chunks, expected_offset=start)
        return UploadStatus(upload_id, size)

    async def finish_upload(
        self,
        scope: Scope,
        name: str,
        upload_id: str,
        digest: str,
        chunks: AsyncIterable[bytes] | None = None,
        *,
        start: int | None = None,
        expected_size: int | None = None,
    ) -> int:
        """Append an optional last chunk, verify the digest, make the blob durable and link it."""
        parse_digest(digest)
        async with self.ctx.read() as conn:
            await self._check_upload(conn, scope, name, upload_id)
        if chunks is not None:
            await self.ctx.blobs.append(upload_id, chunks, expected_offset=start)
        if expected_size is not None:
            received = await self.ctx.blobs.upload_size(upload_id)
            if received != expected_size:
                await self.ctx.blobs.cancel_upload(upload_id)
                raise SizeInvalid(
                    f"blob size {received} does not match Content-Length {expected_size}",
                    {"size": received},
                )
        size = await self.ctx.blobs.seal_upload(upload_id, digest)
        async with self.ctx.engine.begin() as conn:
            repo_id = await self._check_upload(conn, scope, name, upload_id)
            # Hold the blob's row (insert or touch) before the bytes become visible, so a garbage
            # collection of the same digest either finished before us or waits for us and re-checks.
            await self._claim(conn, digest, size)
            await self.ctx.blobs.publish_upload(upload_id, digest)
            await self._link(conn, repo_id, digest)
            await conn.execute(delete(uploads).where(uploads.c.id == upload_id))
        return size

    async def put_monolithic(
        self, scope: Scope, name: str, digest: str, chunks: AsyncIterable[bytes], expected_size: int | None
    ) -> int:
        parse_digest(digest)
        upload_id = await self.start_upload(scope, name)
        try:
            return await self.finish_upload(scope, name, upload_id, digest, chunks, expected_size=expected_size)
        except BaseException:
            await self.cancel_upload_quietly(upload_id)
            raise

    async def cancel_upload(self, scope: Scope, name: str, upload_id: str) -> None:
        async with self.ctx.engine.begin() as conn:
            await self._check_upload(conn, scope, name, upload_id)
            await conn.execute(delete(uploads).where(uploads.c.id == upload_id))
        await self.ctx.blobs.cancel_upload(upload_id)

    async def cancel_upload_quietly(self, upload_id: str) -> None:
        async with self.ctx.engine.begin() as conn:
            await conn.execute(delete(uploads).where(uploads.c.id == upload_id))
        await self.ctx.blobs.cancel_upload(upload_id)

    @staticmethod
    async def _claim(conn: AsyncConnection, digest: str, size: int) -> None:
        now = utcnow()
        row = {"digest": digest, "size": size, "created_at": now, "last_seen_at": now}
        await insert_or_touch(conn, blobs, row, "last_seen_at")

    @staticmethod
    async def _link(conn: AsyncConnection, repository_id: int, digest: str) -> None:
        now = utcnow()
        row = {"repository_id": repository_id, "digest": digest, "created_at": now, "last_seen_at": now}
        await insert_or_touch(conn, repository_blobs, row, "last_seen_at")
