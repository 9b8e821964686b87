"""Online garbage collection, in the spirit of GitLab's registry: nothing is removed until it has been
unreferenced for a grace delay, and every removal re-checks its condition inside the statement that
removes it, so a push that re-references a blob during a collection always wins.

1. Repository links (`repository_blobs`) that no manifest of the repository references any more.
2. Blobs that no repository links: the row is deleted and the bytes removed in one transaction,
   while the row is held; a push of the same digest waits for it, then writes the bytes again.
3. Files in the blob store with no row (a crash between publish and commit), older than the grace.
4. Uploads abandoned for longer than the upload time-to-live.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, exists, func, literal, select

from cargohold.registry.context import RegistryContext
from cargohold.registry.models import utcnow
from cargohold.storage.meta.schema import (
    blobs,
    manifest_blobs,
    manifests,
    repositories,
    repository_blobs,
    uploads,
)

BATCH = 500


@dataclass
class GcReport:
    links_removed: int = 0
    blobs_removed: int = 0
    bytes_freed: int = 0
    orphan_files_removed: int = 0
    uploads_removed: int = 0
    seconds: float = 0.0


@dataclass
class RepositoryUsage:
    account_id: str
    region: str
    name: str
    stored_bytes: int  # distinct blobs linked to the repository plus its manifests


@dataclass
class GcStatus:
    unreferenced_links: int
    unreferenced_blobs: int
    unreferenced_bytes: int
    stored_bytes: int  # every blob once, registry-wide
    repositories: list[RepositoryUsage] = field(default_factory=list)


def _seen(table: Any) -> Any:
    return func.coalesce(table.c.last_seen_at, table.c.created_at)


def _unreferenced_link() -> Any:
    referenced = (
        select(literal(1))
        .select_from(manifest_blobs.join(manifests, manifests.c.id == manifest_blobs.c.manifest_id))
        .where(
            manifests.c.repository_id == repository_blobs.c.repository_id,
            manifest_blobs.c.digest == repository_blobs.c.digest,
        )
    )
    return ~exists(referenced)


def _unlinked_blob() -> Any:
    return ~exists(select(literal(1)).where(repository_blobs.c.digest == blobs.c.digest))


class Collector:
    def __init__(
        self,
        ctx: RegistryContext,
        grace: timedelta,
        upload_ttl: timedelta = timedelta(hours=24),
        on_removed: Callable[[], None] | None = None,
    ) -> None:
        self.ctx = ctx
        self.grace = grace
        self.upload_ttl = upload_ttl
        self.on_removed = on_removed  # caches of "this blob is here" to drop after a removal

    async def status(self) -> GcStatus:
        async with self.ctx.engine.connect() as conn:
            links = (
                await conn.execute(select(func.count()).select_from(repository_blobs).where(_unreferenced_link()))
            ).scalar_one()
            orphan = (
                await conn.execute(
                    select(func.count(), func.coalesce(func.sum(blobs.c.size), 0)).where(_unlinked_blob())
                )
            ).one()
            stored = (await conn.execute(select(func.coalesce(func.sum(blobs.c.size), 0)))).scalar_one()
            rows = await conn.execute(
                select(
                    repositories.c.account_id,
                    repositories.c.region,
                    repositories.c.name,
                    func.coalesce(func.sum(blobs.c.size), 0).label("bytes"),
                )
                .select_from(
                    repositories.outerjoin(
                        repository_blobs, repository_blobs.c.repository_id == repositories.c.id
                    ).outerjoin(blobs, blobs.c.digest == repository_blobs.c.digest)
                )
                .group_by(repositories.c.id, repositories.c.account_id, repositories.c.region, repositories.c.name)
                .order_by(repositories.c.name)
            )
            usage = [RepositoryUsage(r.account_id, r.region, r.name, int(r.bytes)) for r in rows]
            manifest_bytes = {
                r.repository_id: int(r.bytes)
                for r in await conn.execute(
                    select(
                        manifests.c.repository_id, func.sum(func.length(manifests.c.content)).label("bytes")
                    ).group_by(manifests.c.repository_id)
                )
            }
            ids = {r.name: r.id for r in await conn.execute(select(repositories.c.id, repositories.c.name))}
        for item in usage:
            item.stored_bytes += manifest_bytes.get(ids.get(item.name, -1), 0)
        return GcStatus(int(links), int(orphan[0]), int(orphan[1]), int(stored), usage)

    async def run(self, now: datetime | None = None) -> GcReport:
        started = time.perf_counter()
        current = now or utcnow()
        cutoff = current - self.grace
        report = GcReport()
        async with self.ctx.engine.begin() as conn:
            result = await conn.execute(
                delete(repository_blobs).where(_seen(repository_blobs) < cutoff, _unreferenced_link())
            )
            report.links_removed = int(result.rowcount or 0)
        if report.links_removed and self.on_removed:
            self.on_removed()
        await self._collect_blobs(cutoff, report)
        await self._sweep_orphan_files(cutoff, report)
        await self._expire_uploads(current, report)
        report.seconds = time.perf_counter() - started
        return report

    async def _collect_blobs(self, cutoff: datetime, report: GcReport) -> None:
        last = ""
        while True:
            async with self.ctx.engine.connect() as conn:
                candidates = (
                    await conn.execute(
                        select(blobs.c.digest, blobs.c.size)
                        .where(blobs.c.digest > last, _seen(blobs) < cutoff, _unlinked_blob())
                        .order_by(blobs.c.digest)
                        .limit(BATCH)
                    )
                ).all()
            if not candidates:
                return
            for digest, size in candidates:
                async with self.ctx.engine.begin() as conn:
                    removed = await conn.execute(
                        delete(blobs).where(blobs.c.digest == digest, _seen(blobs) < cutoff, _unlinked_blob())
                    )
                    if removed.rowcount:
                        # Still inside the transaction that holds the row: a push of this digest waits.
                        await self.ctx.blobs.delete(digest)
                        report.blobs_removed += 1
                        report.bytes_freed += int(size)
            last = candidates[-1][0]

    async def _sweep_orphan_files(self, cutoff: datetime, report: GcReport) -> None:
        batch: list[str] = []

        async def flush() -> None:
            async with self.ctx.engine.connect() as conn:
                known = set((await conn.execute(select(blobs.c.digest).where(blobs.c.digest.in_(batch)))).scalars())
            for digest in batch:
                if digest in known:
                    continue
                modified = await self.ctx.blobs.modified_at(digest)
                if modified is not None and modified < cutoff.timestamp():
                    async with self.ctx.engine.begin() as conn:
                        # Re-check under a write: a publish in flight holds (or has created) the row.
                        row = (await conn.execute(select(blobs.c.digest).where(blobs.c.digest == digest))).first()
                        if row is None and await self.ctx.blobs.delete(digest):
                            report.orphan_files_removed += 1
            batch.clear()

        async for digest in self.ctx.blobs.iter_digests():
            batch.append(digest)
            if len(batch) >= BATCH:
                await flush()
        if batch:
            await flush()

    async def _expire_uploads(self, now: datetime, report: GcReport) -> None:
        limit = now - self.upload_ttl
        async with self.ctx.engine.begin() as conn:
            stale = list((await conn.execute(select(uploads.c.id).where(uploads.c.started_at < limit))).scalars())
            if stale:
                await conn.execute(delete(uploads).where(uploads.c.id.in_(stale)))
        async with self.ctx.engine.connect() as conn:
            live = set((await conn.execute(select(uploads.c.id))).scalars())
        async for upload_id, modified in self.ctx.blobs.iter_uploads():
            if upload_id in stale or (upload_id not in live and modified < limit.timestamp()):
                await self.ctx.blobs.cancel_upload(upload_id)
                report.uploads_removed += 1
