"""Background work each node runs: garbage collection and lifecycle passes on a timer.

Safe on several nodes at once: collection re-checks every removal, and a lifecycle run claims a
repository by moving its lastEvaluatedAt forward in the database before it works on it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import structlog

log = structlog.get_logger("cargohold.background")


class Periodic:
    def __init__(self, name: str, interval: float, work: Callable[[], Awaitable[object]]) -> None:
        self.name = name
        self.interval = interval
        self.work = work
        self._task: asyncio.Task[None] | None = None

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                result = await self.work()
                log.debug(f"{self.name} pass", result=str(result))
            except Exception:
                log.exception(f"{self.name} pass failed; will retry next interval")

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._loop())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
