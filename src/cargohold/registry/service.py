"""The registry facade: the one object the faces talk to (Quay's habit, DESIGN.md)."""

from __future__ import annotations

from cargohold.config import Settings
from cargohold.registry.blobs import Blobs
from cargohold.registry.context import RegistryContext
from cargohold.registry.images import Images
from cargohold.registry.manifests import Manifests
from cargohold.registry.pulls import PullRecorder
from cargohold.registry.repositories import Repositories
from cargohold.registry.settings import RegistrySettings
from cargohold.storage.blobs.base import BlobStore
from cargohold.storage.blobs.fs import FilesystemBlobStore
from cargohold.storage.meta.db import create_server_engine, create_sync_engine
from cargohold.storage.meta.reads import Readers


class Registry:
    def __init__(self, ctx: RegistryContext) -> None:
        self.ctx = ctx
        self.repositories = Repositories(ctx)
        self.blobs = Blobs(ctx, self.repositories)
        self.manifests = Manifests(ctx, self.repositories)
        self.images = Images(ctx, self.repositories, self.manifests)
        self.settings = RegistrySettings(ctx)
        self.pulls = PullRecorder(self.manifests.record_pulls)

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
