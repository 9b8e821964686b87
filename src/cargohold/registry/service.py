"""The registry facade: the one object the faces talk to (Quay's habit, DESIGN.md)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from cargohold.config import Settings
from cargohold.gc.collector import Collector
from cargohold.registry.blobs import Blobs
from cargohold.registry.context import RegistryContext
from cargohold.registry.deployments import Deployments
from cargohold.registry.events import EventLog
from cargohold.registry.images import Images
from cargohold.registry.lifecycle_runs import LifecycleRuns
from cargohold.registry.manifests import Manifests
from cargohold.registry.pulls import PullRecorder
from cargohold.registry.repositories import Repositories
from cargohold.registry.settings import RegistrySettings
from cargohold.storage.blobs.base import BlobStore
from cargohold.storage.blobs.fs import FilesystemBlobStore
from cargohold.storage.meta.db import create_server_engine, create_sync_engine
from cargohold.storage.meta.reads import Readers
from cargohold.storage.meta.schema import pull_time_exclusions


class Registry:
    def __init__(self, ctx: RegistryContext) -> None:
        self.ctx = ctx
        self.repositories = Repositories(ctx)
        self.blobs = Blobs(ctx, self.repositories)
        self.manifests = Manifests(ctx, self.repositories)
        self.images = Images(ctx, self.repositories, self.manifests)
        self.settings = RegistrySettings(ctx)
        self.pulls = PullRecorder(self.manifests.record_pulls, self._pull_exclusions)
        self.deployments = Deployments(ctx)
        self.events = EventLog(ctx)
        self.lifecycle = LifecycleRuns(ctx, self.repositories, self.manifests, self.deployments, self.events)
        self.collector = Collector(
            ctx,
            grace=timedelta(seconds=ctx.settings.gc_grace_seconds),
            upload_ttl=timedelta(seconds=ctx.settings.upload_ttl_seconds),
            on_removed=self.blobs.forget,
        )

    async def _pull_exclusions(self) -> set[str]:
        async with self.ctx.read() as conn:
            return set((await conn.execute(select(pull_time_exclusions.c.principal_arn))).scalars())

    @classmethod
    def open(cls, settings: Settings, blob_store: BlobStore | None = None) -> Registry:
        engine = create_server_engine(settings.async_database_url)
        inline = (
            create_sync_engine(settings.sync_database_url) if settings.sync_database_url.startswith("sqlite") else None
        )
        store = blob_store or FilesystemBlobStore(settings.blob_dir)
        return cls(RegistryContext(engine=engine, blobs=store, settings=settings, readers=Readers(engine, inline)))

    async def start(self) -> None:
        self.pulls.start()

    async def close(self) -> None:
        await self.pulls.stop()
        await self.ctx.engine.dispose()
        self.ctx.readers.dispose()
