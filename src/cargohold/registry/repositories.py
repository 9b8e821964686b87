"""Repositories: create, find, list and delete, scoped by account and region."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from cargohold.registry.context import RegistryContext
from cargohold.registry.errors import NameUnknown, RepositoryAlreadyExists, RepositoryNotEmpty, TooManyTags
from cargohold.registry.models import Page, Repository, utc, utcnow
from cargohold.registry.names import validate_repository_name
from cargohold.registry.scope import Scope
from cargohold.storage.meta.schema import manifests, repositories, repository_tags


def repository_not_found(scope: Scope, name: str) -> NameUnknown:
    return NameUnknown(
        f"The repository with name '{name}' does not exist in the registry with id '{scope.account_id}'",
        {"name": name},
    )


def _record(row: Any) -> Repository:
    return Repository(
        id=row.id,
        account_id=row.account_id,
        region=row.region,
        name=row.name,
        created_at=utc(row.created_at),  # type: ignore[arg-type]
        tag_mutability=row.tag_mutability,
        tag_mutability_exclusions=json.loads(row.tag_mutability_exclusions or "[]"),
        scan_on_push=bool(row.scan_on_push),
        encryption_type=row.encryption_type,
        kms_key=row.kms_key,
    )


class Repositories:
    def __init__(self, ctx: RegistryContext) -> None:
        self.ctx = ctx

    async def create(
        self,
        scope: Scope,
        name: str,
        *,
        tag_mutability: str = "MUTABLE",
        tag_mutability_exclusions: list[dict[str, str]] | None = None,
        scan_on_push: bool = False,
        encryption_type: str = "AES256",
        kms_key: str | None = None,
    ) -> Repository:
        validate_repository_name(name)
        values = {
            "account_id": scope.account_id,
            "region": scope.region,
            "name": name,
            "created_at": utcnow(),
            "tag_mutability": tag_mutability,
            "tag_mutability_exclusions": json.dumps(tag_mutability_exclusions or []),
            "scan_on_push": scan_on_push,
            "encryption_type": encryption_type,
            "kms_key": kms_key,
        }
        try:
            async with self.ctx.engine.begin() as conn:
                await conn.execute(repositories.insert().values(**values))
                return await self.get_in(conn, scope, name)
        except IntegrityError:
            raise RepositoryAlreadyExists(
                f"The repository with name '{name}' already exists in the registry with id '{scope.account_id}'",
                {"name": name},
            ) from None

    @staticmethod
    async def find_in(conn: AsyncConnection, scope: Scope, name: str) -> Repository | None:
        row = (
            await conn.execute(
                select(repositories).where(
                    and_(
                        repositories.c.account_id == scope.account_id,
                        repositories.c.region == scope.region,
                        repositories.c.name == name,
                    )
                )
            )
        ).first()
        return _record(row) if row else None

    async def get_in(self, conn: AsyncConnection, scope: Scope, name: str) -> Repository:
        repo = await self.find_in(conn, scope, name)
        if repo is None:
            raise repository_not_found(scope, name)
        return repo

    async def get(self, scope: Scope, name: str) -> Repository:
        async with self.ctx.read() as conn:
            return await self.get_in(conn, scope, name)

    async def list_names(self, scope: Scope, *, last: str | None = None, limit: int = 100) -> Page:
        query = (
            select(repositories.c.name)
            .where(repositories.c.account_id == scope.account_id, repositories.c.region == scope.region)
            .order_by(repositories.c.name)
            .limit(limit + 1)
        )
        if last:
            query = query.where(repositories.c.name > last)
        async with self.ctx.read() as conn:
            names = [row.name for row in await conn.execute(query)]
        return Page(items=names[:limit], has_more=len(names) > limit)

    async def update(self, scope: Scope, name: str, **values: Any) -> Repository:
        """Change repository settings (tag mutability, scanning, policy text ...)."""
        if "tag_mutability_exclusions" in values:
            values["tag_mutability_exclusions"] = json.dumps(values["tag_mutability_exclusions"] or [])
        async with self.ctx.engine.begin() as conn:
            repo = await self.get_in(conn, scope, name)
            await conn.execute(update(repositories).where(repositories.c.id == repo.id).values(**values))
            return await self.get_in(conn, scope, name)

    async def policy(self, scope: Scope, name: str) -> str | None:
        async with self.ctx.read() as conn:
            repo = await self.get_in(conn, scope, name)
            return (await conn.execute(select(repositories.c.policy_text).where(repositories.c.id == repo.id))).scalar()

    async def lifecycle_policy(self, scope: Scope, name: str) -> str | None:
        async with self.ctx.read() as conn:
            repo = await self.get_in(conn, scope, name)
            return (
                await conn.execute(select(repositories.c.lifecycle_policy_text).where(repositories.c.id == repo.id))
            ).scalar()

    async def resource_tags(self, repo: Repository) -> dict[str, str]:
        async with self.ctx.read() as conn:
            rows = await conn.execute(
                select(repository_tags.c.key, repository_tags.c.value)
                .where(repository_tags.c.repository_id == repo.id)
                .order_by(repository_tags.c.key)
            )
            return {row.key: row.value for row in rows}

    async def set_resource_tags(self, repo: Repository, tags: dict[str, str], max_tags: int = 50) -> None:
        async with self.ctx.engine.begin() as conn:
            current = {
                row.key
                for row in await conn.execute(
                    select(repository_tags.c.key).where(repository_tags.c.repository_id == repo.id)
                )
            }
            if len(current | set(tags)) > max_tags:
                raise TooManyTags(f"A resource can have at most {max_tags} tags")
            for key, value in tags.items():
                await conn.execute(
                    delete(repository_tags).where(
                        repository_tags.c.repository_id == repo.id, repository_tags.c.key == key
                    )
                )
                await conn.execute(repository_tags.insert().values(repository_id=repo.id, key=key, value=value))

    async def remove_resource_tags(self, repo: Repository, keys: list[str]) -> None:
        async with self.ctx.engine.begin() as conn:
            await conn.execute(
                delete(repository_tags).where(
                    repository_tags.c.repository_id == repo.id, repository_tags.c.key.in_(keys)
                )
            )

    async def delete(self, scope: Scope, name: str, *, force: bool = False) -> Repository:
        async with self.ctx.engine.begin() as conn:
            repo = await self.get_in(conn, scope, name)
            if not force:
                count = (
                    await conn.execute(
                        select(func.count()).select_from(manifests).where(manifests.c.repository_id == repo.id)
                    )
                ).scalar_one()
                if count:
                    raise RepositoryNotEmpty(
                        f"The repository with name '{name}' in registry with id '{scope.account_id}' cannot be "
                        "deleted because it still contains images",
                        {"name": name},
                    )
            await conn.execute(delete(repositories).where(repositories.c.id == repo.id))
            return repo
