"""Images as ECR presents them: a manifest with its tags, listed, described, fetched and deleted by
image id ({imageDigest, imageTag}). Pagination is keyset-based, so page 100 costs what page 1 does."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from cargohold.registry.context import RegistryContext
from cargohold.registry.digests import is_digest
from cargohold.registry.errors import ManifestReferenced
from cargohold.registry.manifests import Manifests
from cargohold.registry.models import Repository, utc
from cargohold.registry.names import is_valid_tag
from cargohold.registry.repositories import Repositories
from cargohold.registry.scope import Scope
from cargohold.storage.meta.schema import manifest_children, manifests, tags


@dataclass
class ImageRecord:
    manifest_id: int
    digest: str
    media_type: str
    config_media_type: str | None
    artifact_type: str | None
    size: int
    pushed_at: datetime
    last_pulled_at: datetime | None
    status: str
    tags: list[str] = field(default_factory=list)
    content: bytes | None = None
    archived_at: datetime | None = None


@dataclass(frozen=True)
class ImageIdPage:
    ids: list[tuple[str, str | None]]  # (digest, tag)
    next_key: tuple[int, str] | None


@dataclass(frozen=True)
class ImagePage:
    images: list[ImageRecord]
    next_key: int | None


@dataclass(frozen=True)
class Lookup:
    """The outcome of resolving one image id: the image, or a failure code and reason."""

    image: ImageRecord | None
    tag: str | None
    failure_code: str | None = None
    failure_reason: str | None = None


_TAG_FILTERS = {"TAGGED", "UNTAGGED", "ANY"}


class Images:
    def __init__(self, ctx: RegistryContext, repos: Repositories, manifests_service: Manifests) -> None:
        self.ctx = ctx
        self.repos = repos
        self.manifests = manifests_service

    async def repository(self, scope: Scope, name: str) -> Repository:
        return await self.repos.get(scope, name)

    async def list_ids(
        self, repo: Repository, tag_status: str | None, after: tuple[int, str] | None, limit: int
    ) -> ImageIdPage:
        """One entry per tag, and one per untagged manifest, in (manifest id, tag) order."""
        tag_name = func.coalesce(tags.c.name, "")
        query = (
            select(manifests.c.id, manifests.c.digest, tags.c.name.label("tag"))
            .select_from(manifests.outerjoin(tags, tags.c.manifest_id == manifests.c.id))
            .where(manifests.c.repository_id == repo.id)
            .order_by(manifests.c.id, tag_name)
            .limit(limit + 1)
        )
        if tag_status == "TAGGED":
            query = query.where(tags.c.name.is_not(None))
        elif tag_status == "UNTAGGED":
            query = query.where(tags.c.name.is_(None))
        if after is not None:
            query = query.where(or_(manifests.c.id > after[0], and_(manifests.c.id == after[0], tag_name > after[1])))
        async with self.ctx.read() as conn:
            rows = (await conn.execute(query)).all()
        page = rows[:limit]
        next_key = (page[-1].id, page[-1].tag or "") if len(rows) > limit and page else None
        return ImageIdPage([(row.digest, row.tag) for row in page], next_key)

    async def describe_page(
        self, repo: Repository, tag_status: str | None, after: int | None, limit: int, status: str = "ACTIVE"
    ) -> ImagePage:
        query = (
            select(*_IMAGE_COLUMNS)
            .where(manifests.c.repository_id == repo.id)
            .order_by(manifests.c.id)
            .limit(limit + 1)
        )
        if status != "ANY":
            query = query.where(manifests.c.status == status)
        tagged = select(tags.c.manifest_id).where(tags.c.repository_id == repo.id)
        if tag_status == "TAGGED":
            query = query.where(manifests.c.id.in_(tagged))
        elif tag_status == "UNTAGGED":
            query = query.where(manifests.c.id.not_in(tagged))
        if after is not None:
            query = query.where(manifests.c.id > after)
        async with self.ctx.read() as conn:
            rows = (await conn.execute(query)).all()
            images = [_image(row) for row in rows[:limit]]
            await self._attach_tags(conn, images)
        next_key = images[-1].manifest_id if len(rows) > limit and images else None
        return ImagePage(images, next_key)

    async def resolve(self, repo: Repository, ids: list[dict[str, Any]], with_content: bool = False) -> list[Lookup]:
        """Resolve ECR image ids; each miss becomes a failure entry, as BatchGetImage reports them."""
        results: list[Lookup] = []
        async with self.ctx.read() as conn:
            for image_id in ids:
                results.append(await self._resolve_one(conn, repo, image_id, with_content))
            await self._attach_tags(conn, [r.image for r in results if r.image])
        return results

    async def _resolve_one(
        self, conn: AsyncConnection, repo: Repository, image_id: dict[str, Any], with_content: bool
    ) -> Lookup:
        digest, tag = image_id.get("imageDigest"), image_id.get("imageTag")
        if not digest and not tag:
            return Lookup(
                None, None, "MissingDigestAndTag", "Invalid request parameters: both tag and digest cannot be null"
            )
        if digest and not (is_digest(digest) and digest.startswith("sha256:") and len(digest) == 71):
            return Lookup(
                None,
                tag,
                "InvalidImageDigest",
                "Invalid request parameters: image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'",
            )
        if tag and not is_valid_tag(tag):
            return Lookup(None, tag, "InvalidImageTag", "Invalid request parameters: image tag is not valid")
        columns = [*_IMAGE_COLUMNS, manifests.c.content] if with_content else list(_IMAGE_COLUMNS)
        query = select(*columns).where(manifests.c.repository_id == repo.id)
        if tag:
            query = query.select_from(manifests.join(tags, tags.c.manifest_id == manifests.c.id)).where(
                tags.c.repository_id == repo.id, tags.c.name == tag
            )
        else:
            query = query.where(manifests.c.digest == digest)
        row = (await conn.execute(query)).first()
        if row is None:
            return Lookup(None, tag, "ImageNotFound", "Requested image not found")
        if tag and digest and row.digest != digest:
            return Lookup(
                None,
                tag,
                "ImageTagDoesNotMatchDigest",
                "Invalid request parameters: given tag does not match given digest",
            )
        image = _image(row)
        if with_content:
            image.content = bytes(row.content)
        return Lookup(image, tag)

    async def _attach_tags(self, conn: AsyncConnection, images: list[ImageRecord]) -> None:
        if not images:
            return
        by_id = {image.manifest_id: image for image in images}
        rows = await conn.execute(
            select(tags.c.manifest_id, tags.c.name).where(tags.c.manifest_id.in_(list(by_id))).order_by(tags.c.name)
        )
        for image in images:
            image.tags = []
        for row in rows:
            by_id[row.manifest_id].tags.append(row.name)

    async def delete(
        self, repo: Repository, ids: list[dict[str, Any]]
    ) -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
        """BatchDeleteImage: a tag untags (and deletes the image with its last tag); a digest deletes."""
        lookups = await self.resolve(repo, ids)
        deleted: list[dict[str, str]] = []
        failures: list[dict[str, Any]] = []
        async with self.ctx.engine.begin() as conn:
            for image_id, found in zip(ids, lookups, strict=True):
                if found.image is None:
                    failures.append(
                        {"imageId": image_id, "failureCode": found.failure_code, "failureReason": found.failure_reason}
                    )
                    continue
                image = found.image
                current_tags = list(
                    (await conn.execute(select(tags.c.name).where(tags.c.manifest_id == image.manifest_id))).scalars()
                )
                if image_id.get("imageTag") and len(current_tags) > 1:
                    await conn.execute(
                        delete(tags).where(tags.c.repository_id == repo.id, tags.c.name == image_id["imageTag"])
                    )
                    deleted.append({"imageDigest": image.digest, "imageTag": image_id["imageTag"]})
                    continue
                exists = (await conn.execute(select(manifests.c.id).where(manifests.c.id == image.manifest_id))).first()
                if exists is None:  # already removed by an earlier id in this batch
                    deleted.append({"imageDigest": image.digest})
                    continue
                parents = (
                    (
                        await conn.execute(
                            select(manifests.c.digest)
                            .select_from(
                                manifest_children.join(manifests, manifests.c.id == manifest_children.c.manifest_id)
                            )
                            .where(
                                manifests.c.repository_id == repo.id, manifest_children.c.child_digest == image.digest
                            )
                        )
                    )
                    .scalars()
                    .all()
                )
                if parents:
                    failures.append(
                        {
                            "imageId": image_id,
                            "failureCode": "ImageReferencedByManifestList",
                            "failureReason": f"Requested image referenced by manifest list: {list(parents)}",
                        }
                    )
                    continue
                try:
                    await self.manifests.delete_digests_in(conn, repo, [image.digest])
                except ManifestReferenced as exc:
                    failures.append(
                        {
                            "imageId": image_id,
                            "failureCode": "ImageReferencedByManifestList",
                            "failureReason": exc.message,
                        }
                    )
                    continue
                deleted.extend({"imageDigest": image.digest, "imageTag": t} for t in current_tags)
                if not current_tags:
                    deleted.append({"imageDigest": image.digest})
        return deleted, failures


_IMAGE_COLUMNS = (
    manifests.c.id,
    manifests.c.digest,
    manifests.c.media_type,
    manifests.c.config_media_type,
    manifests.c.artifact_type,
    manifests.c.total_size,
    manifests.c.pushed_at,
    manifests.c.last_pulled_at,
    manifests.c.status,
    manifests.c.transitioned_at,
)


def _image(row: Any) -> ImageRecord:
    return ImageRecord(
        manifest_id=row.id,
        digest=row.digest,
        media_type=row.media_type,
        config_media_type=row.config_media_type,
        artifact_type=row.artifact_type,
        size=int(row.total_size),
        pushed_at=utc(row.pushed_at),  # type: ignore[arg-type]
        last_pulled_at=utc(row.last_pulled_at),
        status=row.status,
        archived_at=utc(row.transitioned_at),
    )
