"""What every part of the registry service shares: the database, the blob store and the settings."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from cargohold.config import Settings
from cargohold.storage.blobs.base import BlobStore


@dataclass
class RegistryContext:
    engine: AsyncEngine
    blobs: BlobStore
    settings: Settings
