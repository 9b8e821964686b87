"""The one place every request's access is decided.

Deny by default. Until policy evaluation lands (issue #4), the only principal that exists is the
bootstrap admin, who is allowed everything in its own account; anything else is denied with AWS's
wording. Faces call `authorize` before they touch the registry service.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from cargohold.iam.principal import Principal
from cargohold.storage.meta.schema import principals

_CACHE_SECONDS = 5.0


@dataclass(frozen=True)
class Decision:
    allowed: bool
    message: str = ""


def resource_account(resource_arn: str) -> str:
    if resource_arn == "*":
        return "*"
    parts = resource_arn.split(":")
    return parts[4] if len(parts) > 4 else ""


class Authorizer:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._admins: dict[str, tuple[bool, float]] = {}

    async def _is_admin(self, principal: Principal) -> bool:
        cached = self._admins.get(principal.arn)
        now = time.monotonic()
        if cached and cached[1] > now:
            return cached[0]
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(select(principals.c.is_bootstrap_admin).where(principals.c.arn == principal.arn))
            ).first()
        admin = bool(row and row.is_bootstrap_admin)
        self._admins[principal.arn] = (admin, now + _CACHE_SECONDS)
        return admin

    async def authorize(self, principal: Principal, action: str, resource_arn: str) -> Decision:
        if await self._is_admin(principal) and resource_account(resource_arn) in (principal.account_id, "*"):
            return Decision(True)
        return Decision(
            False,
            f"User: {principal.arn} is not authorized to perform: {action} on resource: {resource_arn} "
            f"because no identity-based policy allows the {action} action",
        )
