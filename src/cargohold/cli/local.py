"""Commands that open the data directory directly, safely beside a running server.

SQLite in WAL mode with a busy timeout (or PostgreSQL) lets these commands and the server write at the
same time, so they work whether or not a server is up; they use the same settings as `serve`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from cargohold.config import Settings
from cargohold.registry.service import Registry
from cargohold.server.app import prepare_storage

T = TypeVar("T")


def with_registry(settings: Settings, work: Callable[[Registry], Awaitable[T]]) -> T:
    prepare_storage(settings)

    async def run() -> T:
        registry = Registry.open(settings)
        try:
            return await work(registry)
        finally:
            await registry.close()

    return asyncio.run(run())
