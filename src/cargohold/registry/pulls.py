"""Batched pull bookkeeping.

A manifest GET must not pay for a database write. Pulls are gathered in memory and written every few
seconds (and on shutdown); like ECR's lastRecordedPullTime the value is a recent, not an exact, time.
Losing a few seconds of pull times on a crash loses nothing that anything else depends on.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import datetime

from cargohold.periodic import Periodic
from cargohold.registry.models import utcnow

Flush = Callable[[dict[int, datetime]], Awaitable[None]]


Exclusions = Callable[[], Awaitable[set[str]]]
_EXCLUSIONS_SECONDS = 5.0


class PullRecorder:
    """Pulls by principals on the pull-time update exclusion list (scanners, replicators) are not
    recorded, so they do not keep images alive under sinceImagePulled rules."""

    def __init__(self, flush: Flush, exclusions: Exclusions | None = None, interval: float = 2.0) -> None:
        self._flush = flush
        self._exclusions = exclusions
        self._excluded: set[str] = set()
        self._excluded_until = 0.0
        self._pending: dict[int, datetime] = {}
        self._timer = Periodic("pull times", interval, self.flush)

    def forget_exclusions(self) -> None:
        self._excluded_until = 0.0

    async def record(self, manifest_id: int, principal_arns: tuple[str | None, ...] = ()) -> None:
        """principal_arns: the caller's ARN and, for a role session, the role's."""
        if principal_arns and self._exclusions is not None:
            now = time.monotonic()
            if now >= self._excluded_until:
                self._excluded = await self._exclusions()
                self._excluded_until = now + _EXCLUSIONS_SECONDS
            if any(arn in self._excluded for arn in principal_arns if arn):
                return
        self._pending[manifest_id] = utcnow()

    async def flush(self) -> None:
        pending, self._pending = self._pending, {}
        if pending:
            await self._flush(pending)

    def start(self) -> None:
        self._timer.start()

    async def stop(self) -> None:
        await self._timer.stop(final_run=True)
