"""Work a node repeats on a timer: flushing buffered writes, garbage collection, lifecycle runs.

Errors are logged and the loop goes on; `stop` cancels the loop and, when asked, runs the work once
more so nothing buffered is left behind at shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import structlog

log = structlog.get_logger("cargohold.periodic")


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
                await self.work()
            except Exception:
                log.exception("periodic work failed; retrying next interval", work=self.name)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._loop())

    async def stop(self, *, final_run: bool = False) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if final_run:
            await self.work()
