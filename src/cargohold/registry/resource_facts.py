"""What the authorizer needs to know about a resource: its policy and its tags.

Repository ARNs answer with the repository policy; the registry-level actions a registry policy may
grant (ReplicateImage, BatchImportUpstreamImage, CreateRepository) answer with the registry policy.
Answers are cached for a second and dropped when this node changes them.
"""

from __future__ import annotations

import re
import time

from sqlalchemy import select

from cargohold.iam.authorizer import REGISTRY_POLICY_ACTIONS, ResourceFacts
from cargohold.registry.context import RegistryContext
from cargohold.storage.meta.schema import registry_settings, repositories, repository_tags

_REPOSITORY_ARN = re.compile(r"^arn:aws[a-z-]*:ecr:([a-z0-9-]+):([0-9]{12}):repository/(.+)$")
_CACHE_SECONDS = 1.0
REGISTRY_POLICY = "registry_policy"


class ResourceFactsLookup:
    def __init__(self, ctx: RegistryContext) -> None:
        self.ctx = ctx
        self._cache: dict[tuple[str, bool], tuple[ResourceFacts, float]] = {}

    def forget(self) -> None:
        self._cache.clear()

    async def __call__(self, resource_arn: str, action: str) -> ResourceFacts:
        registry_level = action in REGISTRY_POLICY_ACTIONS
        key = (resource_arn, registry_level)
        now = time.monotonic()
        cached = self._cache.get(key)
        if cached and cached[1] > now:
            return cached[0]
        facts = await self._load(resource_arn, registry_level)
        if len(self._cache) > 4096:
            self._cache.clear()
        self._cache[key] = (facts, now + _CACHE_SECONDS)
        return facts

    async def _load(self, resource_arn: str, registry_level: bool) -> ResourceFacts:
        parts = resource_arn.split(":")
        if len(parts) < 6 or parts[2] != "ecr":
            return ResourceFacts()
        region, account = parts[3], parts[4]
        async with self.ctx.read() as conn:
            if registry_level:
                text = (
                    await conn.execute(
                        select(registry_settings.c.value).where(
                            registry_settings.c.account_id == account,
                            registry_settings.c.region == region,
                            registry_settings.c.name == REGISTRY_POLICY,
                        )
                    )
                ).scalar()
                return ResourceFacts(policy_text=text)
            match = _REPOSITORY_ARN.match(resource_arn)
            if not match or "*" in match[3]:
                return ResourceFacts()
            row = (
                await conn.execute(
                    select(repositories.c.id, repositories.c.policy_text).where(
                        repositories.c.account_id == account,
                        repositories.c.region == region,
                        repositories.c.name == match[3],
                    )
                )
            ).first()
            if row is None:
                return ResourceFacts()
            tags = {
                r.key: r.value
                for r in await conn.execute(
                    select(repository_tags.c.key, repository_tags.c.value).where(
                        repository_tags.c.repository_id == row.id
                    )
                )
            }
            return ResourceFacts(policy_text=row.policy_text, tags=tags)
