"""Deployments the registry knows: ECS task definitions registered with the services that run them.

Lifecycle runs keep the images they name ("kept: in use by service web (cluster prod)").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select

from cargohold.registry.context import RegistryContext
from cargohold.registry.models import utcnow
from cargohold.registry.scope import Scope
from cargohold.storage.meta.schema import deployments

_DIGEST_REF = re.compile(r"^(?P<path>[^@]+)@(?P<digest>sha256:[a-f0-9]{64})$")


@dataclass(frozen=True)
class ImageRef:
    repository: str
    tag: str | None
    digest: str | None


def parse_image_ref(reference: str) -> ImageRef:
    """`host/repo:tag`, `host/repo@sha256:...`, or `repo:tag` -> repository name without the host."""
    digest = None
    match = _DIGEST_REF.match(reference)
    if match:
        reference, digest = match["path"], match["digest"]
    first, _, rest = reference.partition("/")
    path = rest if rest and ("." in first or ":" in first or first == "localhost") else reference
    tag = None
    if digest is None:
        name, _, maybe_tag = path.rpartition(":")
        if name and "/" not in maybe_tag:
            path, tag = name, maybe_tag
        else:
            tag = "latest"
    return ImageRef(path, tag, digest)


def images_of_task_definition(task_definition: dict[str, Any]) -> list[str]:
    definition = task_definition.get("taskDefinition", task_definition)
    containers = definition.get("containerDefinitions")
    if not isinstance(containers, list) or not containers:
        raise ValueError("a task definition needs containerDefinitions with image fields")
    images = [c.get("image") for c in containers if isinstance(c, dict)]
    if not all(isinstance(image, str) and image for image in images):
        raise ValueError("every container definition needs an image")
    return images  # type: ignore[return-value]


class Deployments:
    def __init__(self, ctx: RegistryContext) -> None:
        self.ctx = ctx

    async def register(self, scope: Scope, cluster: str, service: str, task_definition: dict[str, Any]) -> list[str]:
        images = images_of_task_definition(task_definition)
        definition = task_definition.get("taskDefinition", task_definition)
        name = definition.get("taskDefinitionArn") or (
            f"{definition.get('family', 'task')}:{definition.get('revision', 1)}"
        )
        async with self.ctx.engine.begin() as conn:
            await conn.execute(
                delete(deployments).where(
                    deployments.c.account_id == scope.account_id,
                    deployments.c.region == scope.region,
                    deployments.c.cluster == cluster,
                    deployments.c.service == service,
                )
            )
            await conn.execute(
                deployments.insert().values(
                    account_id=scope.account_id,
                    region=scope.region,
                    cluster=cluster,
                    service=service,
                    task_definition=str(name),
                    images=json.dumps(images),
                    registered_at=utcnow(),
                )
            )
        return images

    async def deregister(self, scope: Scope, cluster: str, service: str) -> bool:
        async with self.ctx.engine.begin() as conn:
            result = await conn.execute(
                delete(deployments).where(
                    deployments.c.account_id == scope.account_id,
                    deployments.c.region == scope.region,
                    deployments.c.cluster == cluster,
                    deployments.c.service == service,
                )
            )
            return bool(result.rowcount)

    async def users_of(self, scope: Scope, repository: str) -> list[tuple[str, ImageRef]]:
        """(label, reference) of every registered deployment that runs an image of `repository`."""
        async with self.ctx.read() as conn:
            rows = (
                await conn.execute(
                    select(deployments).where(
                        deployments.c.account_id == scope.account_id, deployments.c.region == scope.region
                    )
                )
            ).all()
        found = []
        for row in rows:
            for image in json.loads(row.images):
                ref = parse_image_ref(image)
                if ref.repository == repository:
                    found.append((f"service {row.service} (cluster {row.cluster})", ref))
        return found
