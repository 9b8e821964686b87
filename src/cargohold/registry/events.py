"""Registry events in EventBridge's shape (source aws.ecr), kept in the database for consumers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cargohold.registry.context import RegistryContext
from cargohold.registry.models import utcnow
from cargohold.registry.scope import Scope
from cargohold.storage.meta.schema import events


@dataclass(frozen=True)
class Event:
    time: datetime
    scope: Scope
    detail_type: str
    detail: dict[str, Any]


class EventLog:
    def __init__(self, ctx: RegistryContext) -> None:
        self.ctx = ctx
        self._pending: list[Event] = []

    def record(self, scope: Scope, detail_type: str, detail: dict[str, Any]) -> None:
        self._pending.append(Event(utcnow(), scope, detail_type, detail))

    async def flush(self) -> None:
        pending, self._pending = self._pending, []
        if not pending:
            return
        async with self.ctx.engine.begin() as conn:
            await conn.execute(
                events.insert(),
                [
                    {
                        "time": e.time,
                        "account_id": e.scope.account_id,
                        "region": e.scope.region,
                        "source": "aws.ecr",
                        "detail_type": e.detail_type,
                        "detail": json.dumps(e.detail),
                    }
                    for e in pending
                ],
            )
