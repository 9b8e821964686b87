"""Batched pull bookkeeping.

A manifest GET must not pay for a database write. Pulls are gathered in memory and written every few
seconds (and on shutdown); like ECR's lastRecordedPullTime the value is a recent, not an exact, time.
Losing a few seconds of pull times on a crash loses nothing that anything else depends on.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import datetime

from cargohold.registry.models import utcnow

Flush = Callable[[dict[int, datetime]], Awaitable[None]]


class PullRecorder:
    def __init__(self, flush: Flush, interval: float = 2.0) -> None:
        self._flush = flush
        self._interval = interval
        self._pending: dict[int, datetime] = {}
        self._task: asyncio.Task[None] | None = None

    def record(self, manifest_id: int) -> None:
        self._pending[manifest_id] = utcnow()

    async def flush(self) -> None:
        pending, self._pending = self._pending, {}
        if pending:
            await self._flush(pending)

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            with contextlib.suppress(Exception):
                await self.flush()

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._loop())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.flush()
