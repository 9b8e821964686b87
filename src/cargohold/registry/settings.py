"""Registry-level settings of an account in a region: the registry policy and account settings."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from cargohold.registry.context import RegistryContext
from cargohold.registry.models import utcnow
from cargohold.registry.scope import Scope
from cargohold.storage.meta.schema import registry_settings


class RegistrySettings:
    def __init__(self, ctx: RegistryContext) -> None:
        self.ctx = ctx

    async def get(self, scope: Scope, name: str) -> str | None:
        async with self.ctx.read() as conn:
            return (
                await conn.execute(
                    select(registry_settings.c.value).where(
                        registry_settings.c.account_id == scope.account_id,
                        registry_settings.c.region == scope.region,
                        registry_settings.c.name == name,
                    )
                )
            ).scalar()

    async def put(self, scope: Scope, name: str, value: str) -> None:
        key = (
            (registry_settings.c.account_id == scope.account_id)
            & (registry_settings.c.region == scope.region)
            & (registry_settings.c.name == name)
        )
        for _ in range(2):
            try:
                async with self.ctx.engine.begin() as conn:
                    result = await conn.execute(
                        update(registry_settings).where(key).values(value=value, updated_at=utcnow())
                    )
                    if not result.rowcount:
                        await conn.execute(
                            registry_settings.insert().values(
                                account_id=scope.account_id,
                                region=scope.region,
                                name=name,
                                value=value,
                                updated_at=utcnow(),
                            )
                        )
                return
            except IntegrityError:
                continue

    async def delete(self, scope: Scope, name: str) -> str | None:
        async with self.ctx.engine.begin() as conn:
            key = (
                (registry_settings.c.account_id == scope.account_id)
                & (registry_settings.c.region == scope.region)
                & (registry_settings.c.name == name)
            )
            value = (await conn.execute(select(registry_settings.c.value).where(key))).scalar()
            if value is not None:
                await conn.execute(delete(registry_settings).where(key))
            return value
