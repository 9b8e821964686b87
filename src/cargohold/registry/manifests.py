"""Manifests, tags and referrers: the part of the registry that knows what an image is."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from cargohold.manifests.parse import ParsedManifest, parse_manifest
from cargohold.registry.context import RegistryContext
from cargohold.registry.digests import is_digest, parse_digest, sha256_digest
from cargohold.registry.errors import (
    DigestInvalid,
    ManifestBlobUnknown,
    ManifestReferenced,
    ManifestTooLarge,
    ManifestUnknown,
    ReferencedManifestUnknown,
    TagImmutable,
)
from cargohold.registry.models import Manifest, Page, PutManifestResult, Repository, utc, utcnow
from cargohold.registry.names import validate_tag
from cargohold.registry.repositories import Repositories
from cargohold.registry.scope import Scope
from cargohold.registry.tag_mutability import immutable_tag_message, tag_is_immutable
from cargohold.storage.meta.schema import (
    blobs,
    manifest_blobs,
    manifest_children,
    manifests,
    repositories,
    repository_blobs,
    tags,
)
from cargohold.storage.meta.sql import insert_ignore

MANIFEST_COLUMNS = (
    manifests.c.id,
    manifests.c.repository_id,
    manifests.c.digest,
    manifests.c.media_type,
    manifests.c.content,
    manifests.c.artifact_type,
    manifests.c.subject_digest,
    manifests.c.total_size,
    manifests.c.pushed_at,
    manifests.c.last_pulled_at,
    manifests.c.status,
    manifests.c.annotations,
)


def manifest_unknown(reference: str) -> ManifestUnknown:
    return ManifestUnknown("Requested image not found", {"reference": reference})


def _record(row: Any) -> Manifest:
    return Manifest(
        id=row.id,
        repository_id=row.repository_id,
        digest=row.digest,
        media_type=row.media_type,
        content=bytes(row.content),
        artifact_type=row.artifact_type,
        subject_digest=row.subject_digest,
        total_size=int(row.total_size),
        pushed_at=utc(row.pushed_at),  # type: ignore[arg-type]
        last_pulled_at=utc(row.last_pulled_at),
        status=row.status,
        annotations=json.loads(row.annotations) if row.annotations else None,
    )


_SCOPED = and_(
    repositories.c.account_id == bindparam("account"),
    repositories.c.region == bindparam("region"),
    repositories.c.name == bindparam("name"),
)
# Built once: the hot path reuses these statements (and SQLAlchemy's compiled-cache entry for them).
_BY_DIGEST = (
    select(*MANIFEST_COLUMNS)
    .select_from(repositories.join(manifests, manifests.c.repository_id == repositories.c.id))
    .where(_SCOPED, manifests.c.digest == bindparam("ref"))
)
_BY_TAG = (
    select(*MANIFEST_COLUMNS)
    .select_from(
        repositories.join(tags, tags.c.repository_id == repositories.c.id).join(
            manifests, manifests.c.id == tags.c.manifest_id
        )
    )
    .where(_SCOPED, tags.c.name == bindparam("ref"))
)


def _in_scope(scope: Scope, name: str) -> Any:
    return and_(
        repositories.c.account_id == scope.account_id,
        repositories.c.region == scope.region,
        repositories.c.name == name,
    )


class Manifests:
    def __init__(self, ctx: RegistryContext, repos: Repositories) -> None:
        self.ctx = ctx
        self.repos = repos

    # -- reading -----------------------------------------------------------------------------------
    async def get(self, scope: Scope, name: str, reference: str) -> Manifest:
        """A manifest by tag or digest, in one query on the hot path; a second only to explain a miss."""
        if is_digest(reference):
            parse_digest(reference)
            query = _BY_DIGEST
        else:
            validate_tag(reference)
            query = _BY_TAG
        params = {"account": scope.account_id, "region": scope.region, "name": name, "ref": reference}
        async with self.ctx.read() as conn:
            row = (await conn.execute(query, params)).first()
            if row is None:
                await self.repos.get_in(conn, scope, name)
                raise manifest_unknown(reference)
        if row.status != "ACTIVE":
            raise ManifestUnknown(
                "The image is archived; restore it with UpdateImageStorageClass before pulling it",
                {"reference": reference, "imageStatus": row.status},
            )
        return _record(row)

    async def list_tags(self, scope: Scope, name: str, *, last: str | None, limit: int) -> Page:
        query = (
            select(tags.c.name)
            .select_from(repositories.join(tags, tags.c.repository_id == repositories.c.id))
            .where(_in_scope(scope, name))
            .order_by(tags.c.name)
            .limit(limit + 1)
        )
        if last:
            query = query.where(tags.c.name > last)
        async with self.ctx.read() as conn:
            names = [row.name for row in await conn.execute(query)]
            if not names:
                await self.repos.get_in(conn, scope, name)
        return Page(items=names[:limit], has_more=len(names) > limit)

    async def referrers(
        self, scope: Scope, name: str, subject: str, artifact_type: str | None = None
    ) -> list[dict[str, Any]]:
        """Descriptors of the manifests whose subject is `subject`, as the referrers API lists them."""
        parse_digest(subject)
        query = (
            select(*MANIFEST_COLUMNS)
            .select_from(repositories.join(manifests, manifests.c.repository_id == repositories.c.id))
            .where(_in_scope(scope, name), manifests.c.subject_digest == subject)
            .order_by(manifests.c.pushed_at, manifests.c.digest)
        )
        if artifact_type:
            query = query.where(manifests.c.artifact_type == artifact_type)
        async with self.ctx.read() as conn:
            rows = (await conn.execute(query)).all()
            if not rows:
                await self.repos.get_in(conn, scope, name)
        result = []
        for row in rows:
            descriptor: dict[str, Any] = {
                "mediaType": row.media_type,
                "digest": row.digest,
                "size": len(row.content),
            }
            if row.artifact_type:
                descriptor["artifactType"] = row.artifact_type
            if row.annotations:
                descriptor["annotations"] = json.loads(row.annotations)
            result.append(descriptor)
        return result

    # -- writing -----------------------------------------------------------------------------------
    async def put(
        self, scope: Scope, name: str, reference: str, body: bytes, content_type: str | None
    ) -> PutManifestResult:
        limit = self.ctx.settings.max_manifest_bytes
        if len(body) > limit:
            raise ManifestTooLarge(f"manifest invalid: manifest exceeds the {limit} byte limit", {"size": len(body)})
        digest = sha256_digest(body)
        tag: str | None = None
        if is_digest(reference):
            parse_digest(reference)
            if reference != digest:
                raise DigestInvalid(
                    "manifest digest does not match the digest in the URL",
                    {"expected": reference, "actual": digest},
                )
        else:
            tag = validate_tag(reference)
        parsed = parse_manifest(body, content_type)
        for attempt in range(3):
            try:
                async with self.ctx.engine.begin() as conn:
                    repo = await self.repos.get_in(conn, scope, name)
                    created = await self._store(conn, repo, digest, body, parsed)
                    tag_changed = tag is not None and await self._move_tag(conn, repo, tag, digest)
                return PutManifestResult(
                    digest=digest,
                    subject_digest=parsed.subject.digest if parsed.subject else None,
                    created=created,
                    tag_changed=tag_changed,
                    media_type=parsed.media_type,
                )
            except IntegrityError:
                # A concurrent push of the same manifest or tag won the insert; try again on its row.
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _store(
        self, conn: AsyncConnection, repo: Repository, digest: str, body: bytes, parsed: ParsedManifest
    ) -> bool:
        existing = (
            await conn.execute(
                select(manifests.c.id).where(manifests.c.repository_id == repo.id, manifests.c.digest == digest)
            )
        ).first()
        if existing is not None:
            return False
        total_size = len(body)
        blob_digests = parsed.blob_digests
        if blob_digests:
            # Touch the links first: a collection racing this push re-checks last_seen_at and spares them.
            await conn.execute(
                update(repository_blobs)
                .where(repository_blobs.c.repository_id == repo.id, repository_blobs.c.digest.in_(blob_digests))
                .values(last_seen_at=utcnow())
            )
            rows = (
                await conn.execute(
                    select(blobs.c.digest, blobs.c.size)
                    .select_from(repository_blobs.join(blobs, blobs.c.digest == repository_blobs.c.digest))
                    .where(
                        repository_blobs.c.repository_id == repo.id,
                        repository_blobs.c.digest.in_(blob_digests),
                    )
                )
            ).all()
            sizes = {row.digest: int(row.size) for row in rows}
            missing = [d for d in blob_digests if d not in sizes]
            if missing:
                raise ManifestBlobUnknown(
                    f"blob unknown to registry: manifest references {missing[0]}",
                    {"digest": missing[0]},
                )
            total_size += sum(sizes.values())
        child_digests = list(dict.fromkeys(child.digest for child in parsed.children))
        if child_digests:
            rows = (
                await conn.execute(
                    select(manifests.c.digest, manifests.c.total_size).where(
                        manifests.c.repository_id == repo.id, manifests.c.digest.in_(child_digests)
                    )
                )
            ).all()
            child_sizes = {row.digest: int(row.total_size) for row in rows}
            missing = [d for d in child_digests if d not in child_sizes]
            if missing:
                raise ReferencedManifestUnknown(
                    f"manifest unknown: index references {missing[0]}, which this repository does not hold",
                    {"digest": missing[0]},
                )
            total_size += sum(child_sizes.values())
        annotations = json.dumps(parsed.annotations) if parsed.annotations else None
        result = await conn.execute(
            manifests.insert().values(
                repository_id=repo.id,
                digest=digest,
                media_type=parsed.media_type,
                artifact_type=parsed.effective_artifact_type,
                config_media_type=parsed.config.media_type if parsed.config else None,
                subject_digest=parsed.subject.digest if parsed.subject else None,
                annotations=annotations,
                content=body,
                total_size=total_size,
                pushed_at=utcnow(),
                status="ACTIVE",
            )
        )
        manifest_id = result.inserted_primary_key[0]  # type: ignore[index]
        await insert_ignore(conn, manifest_blobs, [{"manifest_id": manifest_id, "digest": d} for d in blob_digests])
        await insert_ignore(
            conn, manifest_children, [{"manifest_id": manifest_id, "child_digest": d} for d in child_digests]
        )
        return True

    async def _move_tag(self, conn: AsyncConnection, repo: Repository, tag: str, digest: str) -> bool:
        """Point `tag` at `digest`; False when it already did."""
        manifest_id = (
            await conn.execute(
                select(manifests.c.id).where(manifests.c.repository_id == repo.id, manifests.c.digest == digest)
            )
        ).scalar_one()
        current = (
            await conn.execute(select(tags.c.manifest_id).where(tags.c.repository_id == repo.id, tags.c.name == tag))
        ).first()
        if current is None:
            await conn.execute(
                tags.insert().values(repository_id=repo.id, name=tag, manifest_id=manifest_id, updated_at=utcnow())
            )
            return True
        if current.manifest_id == manifest_id:
            return False
        if tag_is_immutable(repo, tag):
            raise TagImmutable(immutable_tag_message(repo, tag), {"tag": tag})
        await conn.execute(
            update(tags)
            .where(tags.c.repository_id == repo.id, tags.c.name == tag)
            .values(manifest_id=manifest_id, updated_at=utcnow())
        )
        return True

    async def delete(self, scope: Scope, name: str, reference: str) -> None:
        """By tag: untag. By digest: remove the manifest and every tag on it."""
        async with self.ctx.engine.begin() as conn:
            repo = await self.repos.get_in(conn, scope, name)
            if not is_digest(reference):
                validate_tag(reference)
                result = await conn.execute(
                    delete(tags).where(tags.c.repository_id == repo.id, tags.c.name == reference)
                )
                if not result.rowcount:
                    raise manifest_unknown(reference)
                return
            parse_digest(reference)
            await self.delete_digests_in(conn, repo, [reference])

    async def delete_digests_in(self, conn: AsyncConnection, repo: Repository, digests: Sequence[str]) -> None:
        rows = (
            await conn.execute(
                select(manifests.c.id, manifests.c.digest).where(
                    manifests.c.repository_id == repo.id, manifests.c.digest.in_(list(digests))
                )
            )
        ).all()
        found = {row.digest: row.id for row in rows}
        for digest in digests:
            if digest not in found:
                raise manifest_unknown(digest)
        parents = (
            await conn.execute(
                select(func.count())
                .select_from(manifest_children.join(manifests, manifests.c.id == manifest_children.c.manifest_id))
                .where(
                    manifests.c.repository_id == repo.id,
                    manifest_children.c.child_digest.in_(list(digests)),
                    manifests.c.id.not_in(list(found.values())),
                )
            )
        ).scalar_one()
        if parents:
            raise ManifestReferenced(
                "The image is referenced by a manifest list in this repository; delete the manifest list first",
                {"digests": list(digests)},
            )
        await conn.execute(delete(manifests).where(manifests.c.id.in_(list(found.values()))))

    async def record_pulls(self, pulls: dict[int, Any]) -> None:
        """Persist last-pull times gathered by the PullRecorder, newest wins."""
        if not pulls:
            return
        async with self.ctx.engine.begin() as conn:
            for manifest_id, when in pulls.items():
                await conn.execute(
                    update(manifests)
                    .where(
                        manifests.c.id == manifest_id,
                        (manifests.c.last_pulled_at.is_(None)) | (manifests.c.last_pulled_at < when),
                    )
                    .values(last_pulled_at=when)
                )
