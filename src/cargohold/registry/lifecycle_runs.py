"""Running lifecycle policies against a repository: gather facts, evaluate (pure), apply, record."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update

from cargohold.lifecycle.evaluate import Decision, ImageFacts, Protection, evaluate
from cargohold.lifecycle.policy import parse_lifecycle_policy
from cargohold.registry.context import RegistryContext
from cargohold.registry.deployments import Deployments
from cargohold.registry.events import EventLog
from cargohold.registry.manifests import Manifests
from cargohold.registry.models import Repository, utc, utcnow
from cargohold.registry.repositories import Repositories
from cargohold.registry.scope import Scope
from cargohold.storage.meta.schema import (
    audit_events,
    blobs,
    manifest_blobs,
    manifest_children,
    manifests,
    repositories,
    tags,
)


@dataclass(frozen=True)
class RunResult:
    repository: str
    decisions: list[Decision]
    expired: int
    transitioned: int
    bytes_expired: int


class LifecycleRuns:
    def __init__(
        self,
        ctx: RegistryContext,
        repos: Repositories,
        manifests_service: Manifests,
        deployments: Deployments,
        events: EventLog,
    ) -> None:
        self.ctx = ctx
        self.repos = repos
        self.manifests = manifests_service
        self.deployments = deployments
        self.events = events

    async def facts(self, repo: Repository) -> list[ImageFacts]:
        async with self.ctx.read() as conn:
            rows = (
                await conn.execute(
                    select(
                        manifests.c.id,
                        manifests.c.digest,
                        manifests.c.pushed_at,
                        manifests.c.last_pulled_at,
                        manifests.c.total_size,
                        manifests.c.status,
                        manifests.c.transitioned_at,
                    ).where(manifests.c.repository_id == repo.id)
                )
            ).all()
            tag_rows = (
                await conn.execute(select(tags.c.manifest_id, tags.c.name).where(tags.c.repository_id == repo.id))
            ).all()
            child_rows = (
                await conn.execute(
                    select(manifest_children.c.child_digest, manifests.c.digest)
                    .select_from(manifest_children.join(manifests, manifests.c.id == manifest_children.c.manifest_id))
                    .where(manifests.c.repository_id == repo.id)
                )
            ).all()
        tags_by_id: dict[int, list[str]] = defaultdict(list)
        for manifest_id, name in tag_rows:
            tags_by_id[manifest_id].append(name)
        parents: dict[str, list[str]] = defaultdict(list)
        for child, parent in child_rows:
            parents[child].append(parent)
        users = await self.deployments.users_of(Scope(repo.account_id, repo.region), repo.name)
        facts = []
        for row in rows:
            image_tags = tuple(sorted(tags_by_id.get(row.id, [])))
            in_use = tuple(
                label
                for label, ref in users
                if ref.digest == row.digest or (ref.digest is None and ref.tag in image_tags)
            )
            facts.append(
                ImageFacts(
                    digest=row.digest,
                    pushed_at=utc(row.pushed_at),  # type: ignore[arg-type]
                    size=int(row.total_size),
                    tags=image_tags,
                    last_pulled_at=utc(row.last_pulled_at),
                    transitioned_at=utc(row.transitioned_at),
                    storage_class="archive" if row.status == "ARCHIVED" else "standard",
                    parents=tuple(parents.get(row.digest, ())),
                    in_use_by=in_use,
                )
            )
        return facts

    async def preview(self, repo: Repository, policy_text: str, now: datetime) -> list[Decision]:
        policy = parse_lifecycle_policy(policy_text)
        protection = Protection(pulled_within_days=await self._protection_days(repo))
        return evaluate(await self.facts(repo), policy, now, protection)

    async def _protection_days(self, repo: Repository) -> int | None:
        async with self.ctx.read() as conn:
            value = (
                await conn.execute(
                    select(repositories.c.protect_pulled_within_days).where(repositories.c.id == repo.id)
                )
            ).scalar()
        return int(value) if value else None

    async def freed_bytes(self, repo: Repository, expiring: set[str]) -> int:
        """Bytes the repository stops storing when `expiring` go: blobs no remaining image references
        (layers shared with a kept image are not freed), plus the manifests themselves."""
        async with self.ctx.read() as conn:
            rows = (
                await conn.execute(
                    select(manifests.c.digest, manifest_blobs.c.digest.label("blob"), blobs.c.size)
                    .select_from(
                        manifests.join(manifest_blobs, manifest_blobs.c.manifest_id == manifests.c.id).join(
                            blobs, blobs.c.digest == manifest_blobs.c.digest
                        )
                    )
                    .where(manifests.c.repository_id == repo.id)
                )
            ).all()
            manifest_sizes = {
                r.digest: int(r.size)
                for r in await conn.execute(
                    select(manifests.c.digest, func.length(manifests.c.content).label("size")).where(
                        manifests.c.repository_id == repo.id
                    )
                )
            }
        kept_blobs = {r.blob for r in rows if r.digest not in expiring}
        freed = {r.blob: int(r.size) for r in rows if r.digest in expiring and r.blob not in kept_blobs}
        return sum(freed.values()) + sum(size for digest, size in manifest_sizes.items() if digest in expiring)

    async def run(self, repo: Repository, now: datetime | None = None) -> RunResult | None:
        """Apply the saved policy; None when the repository has none."""
        async with self.ctx.read() as conn:
            text = (
                await conn.execute(select(repositories.c.lifecycle_policy_text).where(repositories.c.id == repo.id))
            ).scalar()
        if not text:
            return None
        current = now or utcnow()
        decisions = await self.preview(repo, text, current)
        expired = [d for d in decisions if d.action == "expire"]
        transitioned = [d for d in decisions if d.action == "transition"]
        freed = await self.freed_bytes(repo, {d.digest for d in expired})
        async with self.ctx.engine.begin() as conn:
            # Children first would fail (parents reference them); parents and images go in one step.
            if expired:
                await self.manifests.delete_digests_in(conn, repo, [d.digest for d in expired])
            for decision in transitioned:
                await conn.execute(
                    update(manifests)
                    .where(manifests.c.repository_id == repo.id, manifests.c.digest == decision.digest)
                    .values(status="ARCHIVED", transitioned_at=current)
                )
            await conn.execute(
                update(repositories).where(repositories.c.id == repo.id).values(lifecycle_evaluated_at=current)
            )
            if expired or transitioned:
                await conn.execute(audit_events.insert(), _audit_rows(repo, expired + transitioned, current))
        for decision in expired + transitioned:
            self.events.record(
                Scope(repo.account_id, repo.region),
                "ECR Image Action",
                {
                    "result": "SUCCESS",
                    "repository-name": repo.name,
                    "image-digest": decision.digest,
                    "image-tag": list(decision.image.tags),
                    "action-type": "DELETE" if decision.action == "expire" else "UPDATE_STORAGE_CLASS",
                    **({"target-storage-class": "ARCHIVE"} if decision.action == "transition" else {}),
                    "lifecycle-rule-priority": decision.rule.priority if decision.rule else None,
                    "reason": decision.reason,
                },
            )
        await self.events.flush()
        return RunResult(repo.name, decisions, len(expired), len(transitioned), freed)

    async def due(self, interval_seconds: float, now: datetime | None = None) -> list[Repository]:
        """Repositories whose policy has not run for an interval, claimed by moving lastEvaluatedAt."""
        current = now or utcnow()
        before = current - timedelta(seconds=interval_seconds)
        claimed = []
        async with self.ctx.engine.connect() as conn:
            candidates = (
                await conn.execute(
                    select(
                        repositories.c.id, repositories.c.account_id, repositories.c.region, repositories.c.name
                    ).where(
                        repositories.c.lifecycle_policy_text.is_not(None),
                        or_(
                            repositories.c.lifecycle_evaluated_at.is_(None),
                            repositories.c.lifecycle_evaluated_at < before,
                        ),
                    )
                )
            ).all()
        for row in candidates:
            async with self.ctx.engine.begin() as conn:
                result = await conn.execute(
                    update(repositories)
                    .where(
                        repositories.c.id == row.id,
                        or_(
                            repositories.c.lifecycle_evaluated_at.is_(None),
                            repositories.c.lifecycle_evaluated_at < before,
                        ),
                    )
                    .values(lifecycle_evaluated_at=current)
                )
            if result.rowcount:
                claimed.append(await self.repos.get(Scope(row.account_id, row.region), row.name))
        return claimed

    async def run_due(self, interval_seconds: float) -> list[RunResult]:
        results = []
        for repo in await self.due(interval_seconds):
            result = await self.run(repo)
            if result:
                results.append(result)
        return results


def _audit_rows(repo: Repository, decisions: list[Decision], when: datetime) -> list[dict[str, Any]]:
    """Lifecycle actions in the audit log, as the service role ECR acts with."""
    actor = f"arn:aws:iam::{repo.account_id}:role/aws-service-role/ecr.amazonaws.com/lifecycle"
    return [
        {
            "time": when,
            "principal_arn": actor,
            "account_id": repo.account_id,
            "action": "ecr:BatchDeleteImage" if d.action == "expire" else "ecr:UpdateImageStorageClass",
            "resource": f"{repo.arn}@{d.digest}",
            "source_ip": None,
            "decision": "Allow",
            "reason": "lifecycle",
            "deciding": d.rule.label if d.rule else None,
            "face": "lifecycle",
        }
        for d in decisions
    ]


def preview_payload(decisions: list[Decision]) -> dict[str, Any]:
    """ECR's previewResults and summary shapes, from decisions."""
    results = []
    for decision in decisions:
        if decision.action is None:
            continue
        action: dict[str, Any] = {"type": decision.action.upper()}
        if decision.action == "transition":
            action["targetStorageClass"] = "ARCHIVE"
        results.append(
            {
                "imageTags": list(decision.image.tags),
                "imageDigest": decision.digest,
                "imagePushedAt": decision.image.pushed_at.timestamp(),
                "action": action,
                "appliedRulePriority": decision.rule.priority if decision.rule else None,
                "storageClass": decision.image.storage_class.upper(),
            }
        )
    transitioning = sum(1 for d in decisions if d.action == "transition")
    summary: dict[str, Any] = {"expiringImageTotalCount": sum(1 for d in decisions if d.action == "expire")}
    if transitioning:
        summary["transitioningImageTotalCounts"] = [{"targetStorageClass": "ARCHIVE", "imageTotalCount": transitioning}]
    return {"previewResults": results, "summary": summary}
