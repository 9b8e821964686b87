"""What every part of the registry service shares: the database, the blob store and the settings."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from cargohold.config import Settings
from cargohold.storage.blobs.base import BlobStore
from cargohold.storage.meta.reads import Readers


@dataclass
class RegistryContext:
    engine: AsyncEngine
    blobs: BlobStore
    settings: Settings
    readers: Readers

    def read(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """A connection for read-only queries (inline on SQLite, async on PostgreSQL)."""
        return self.readers.connect()
