"""One STS or IAM call after authentication."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import web

from cargohold.faces.request_facts import request_facts
from cargohold.faces.services import Services
from cargohold.iam.errors import IamError
from cargohold.iam.principal import Principal


@dataclass
class QueryCall:
    http: web.Request
    services: Services
    principal: Principal
    service: str
    operation: str

    async def authorize(self, resource_arn: str, action: str | None = None) -> None:
        decision = await self.services.authorizer.authorize(
            self.principal,
            action or f"{self.service}:{self.operation}",
            resource_arn,
            request=request_facts(self.http, self.service),
        )
        if not decision.allowed:
            raise IamError("AccessDenied", decision.message, 403)

    async def run(self, fn: Any) -> Any:
        """Run a blocking directory function in one transaction on the server's engine."""
        async with self.services.registry.ctx.engine.begin() as conn:
            return await conn.run_sync(fn)
