"""Lifecycle policies through the ECR API: put, get, delete, preview; storage classes; pull-time
update exclusions."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select

from cargohold.faces.ecr.context import EcrCall, decode_token, next_token, page_size
from cargohold.faces.ecr.errors import EcrError, InvalidParameter
from cargohold.lifecycle.policy import LifecyclePolicyInvalid, parse_lifecycle_policy
from cargohold.registry.lifecycle_runs import preview_payload
from cargohold.registry.models import Repository, utc, utcnow
from cargohold.registry.scope import Scope
from cargohold.storage.meta.schema import lifecycle_previews, manifests, pull_time_exclusions, repositories


async def _repository(call: EcrCall, params: dict[str, Any]) -> tuple[Scope, Repository]:
    scope = call.scope(params)
    await call.authorize_repository(scope, params["repositoryName"])
    return scope, await call.services.registry.repositories.get(scope, params["repositoryName"])


def _validated(text: str) -> str:
    try:
        parse_lifecycle_policy(text)
    except LifecyclePolicyInvalid as exc:
        raise InvalidParameter(
            f"Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: '{exc}'"
        ) from None
    return text


def _not_found(repo: Repository) -> EcrError:
    return EcrError(
        f"Lifecycle policy does not exist for the repository with name '{repo.name}' in the registry with id "
        f"'{repo.account_id}'",
        type_name="LifecyclePolicyNotFoundException",
    )


async def _policy(call: EcrCall, repo: Repository) -> tuple[str | None, datetime | None]:
    async with call.services.registry.ctx.read() as conn:
        row = (
            await conn.execute(
                select(repositories.c.lifecycle_policy_text, repositories.c.lifecycle_evaluated_at).where(
                    repositories.c.id == repo.id
                )
            )
        ).one()
    return row.lifecycle_policy_text, utc(row.lifecycle_evaluated_at)


async def put_lifecycle_policy(call: EcrCall, params: dict[str, Any]) -> dict[str, Any]:
    scope, repo = await _repository(call, params)
    text = _validated(params["lifecyclePolicyText"])
    await call.services.registry.repositories.update(scope, repo.name, lifecycle_policy_text=text)
    return {"registryId": repo.account_id, "repositoryName": repo.name, "lifecyclePolicyText": text}


async def get_lifecycle_policy(call: EcrCall, params: dict[str, Any]) -> dict[str, Any]:
    _, repo = await _repository(call, params)
    text, evaluated = await _policy(call, repo)
    if text is None:
        raise _not_found(repo)
    return {
        "registryId": repo.account_id,
        "repositoryName": repo.name,
        "lifecyclePolicyText": text,
        "lastEvaluatedAt": evaluated,
    }


async def delete_lifecycle_policy(call: EcrCall, params: dict[str, Any]) -> dict[str, Any]:
    scope, repo = await _repository(call, params)
    text, evaluated = await _policy(call, repo)
    if text is None:
        raise _not_found(repo)
    await call.services.registry.repositories.update(scope, repo.name, lifecycle_policy_text=None)
    return {
        "registryId": repo.account_id,
        "repositoryName": repo.name,
        "lifecyclePolicyText": text,
        "lastEvaluatedAt": evaluated,
    }


async def start_lifecycle_policy_preview(call: EcrCall, params: dict[str, Any]) -> dict[str, Any]:
    _, repo = await _repository(call, params)
    text = params.get("lifecyclePolicyText")
    if text is None:
        text, _ = await _policy(call, repo)
        if text is None:
            raise _not_found(repo)
    else:
        _validated(text)
    decisions = await call.services.registry.lifecycle.preview(repo, text, utcnow())
    payload = preview_payload(decisions)
    async with call.services.registry.ctx.engine.begin() as conn:
        await conn.execute(delete(lifecycle_previews).where(lifecycle_previews.c.repository_id == repo.id))
        await conn.execute(
            lifecycle_previews.insert().values(
                repository_id=repo.id,
                policy_text=text,
                status="COMPLETE",
                results=json.dumps(payload),
                created_at=utcnow(),
            )
        )
    return {
        "registryId": repo.account_id,
        "repositoryName": repo.name,
        "lifecyclePolicyText": text,
        "status": "COMPLETE",
    }


async def get_lifecycle_policy_preview(call: EcrCall, params: dict[str, Any]) -> dict[str, Any]:
    _, repo = await _repository(call, params)
    async with call.services.registry.ctx.read() as conn:
        row = (
            await conn.execute(select(lifecycle_previews).where(lifecycle_previews.c.repository_id == repo.id))
        ).first()
    if row is None:
        raise EcrError(
            f"There is no preview for the repository with name '{repo.name}' in the registry with id "
            f"'{repo.account_id}'",
            type_name="LifecyclePolicyPreviewNotFoundException",
        )
    payload = json.loads(row.results)
    results = payload["previewResults"]
    tag_status = (params.get("filter") or {}).get("tagStatus")
    if tag_status == "TAGGED":
        results = [r for r in results if r["imageTags"]]
    elif tag_status == "UNTAGGED":
        results = [r for r in results if not r["imageTags"]]
    if params.get("imageIds"):
        wanted_digests = {i.get("imageDigest") for i in params["imageIds"]}
        wanted_tags = {i.get("imageTag") for i in params["imageIds"]}
        results = [r for r in results if r["imageDigest"] in wanted_digests or set(r["imageTags"]) & wanted_tags]
    start = int(decode_token(params.get("nextToken"), f"preview:{repo.id}") or 0)
    limit = page_size(params)
    page = results[start : start + limit]
    for entry in page:
        entry["imagePushedAt"] = datetime.fromtimestamp(entry["imagePushedAt"], UTC)
        if not entry["imageTags"]:
            del entry["imageTags"]
    return {
        "registryId": repo.account_id,
        "repositoryName": repo.name,
        "lifecyclePolicyText": row.policy_text,
        "status": row.status,
        "previewResults": page,
        "summary": payload["summary"],
        "nextToken": next_token(f"preview:{repo.id}", start + limit) if start + limit < len(results) else None,
    }


async def update_image_storage_class(call: EcrCall, params: dict[str, Any]) -> dict[str, Any]:
    _, repo = await _repository(call, params)
    found = (await call.services.registry.images.resolve(repo, [params["imageId"]]))[0]
    if found.image is None:
        raise EcrError(
            f"The image with imageId {params['imageId']} does not exist within the repository with name "
            f"'{repo.name}' in the registry with id '{repo.account_id}'",
            type_name="ImageNotFoundException",
        )
    target = params["targetStorageClass"]
    status = "ARCHIVED" if target == "ARCHIVE" else "ACTIVE"
    async with call.services.registry.ctx.engine.begin() as conn:
        await conn.execute(
            manifests.update()
            .where(manifests.c.id == found.image.manifest_id)
            .values(status=status, transitioned_at=utcnow() if status == "ARCHIVED" else None)
        )
    call.services.registry.events.record(
        Scope(repo.account_id, repo.region),
        "ECR Image Action",
        {
            "result": "SUCCESS",
            "repository-name": repo.name,
            "image-digest": found.image.digest,
            "action-type": "UPDATE_STORAGE_CLASS",
            "target-storage-class": target,
        },
    )
    await call.services.registry.events.flush()
    return {
        "registryId": repo.account_id,
        "repositoryName": repo.name,
        "imageId": {"imageDigest": found.image.digest, **({"imageTag": found.tag} if found.tag else {})},
        "imageStatus": status,
    }


async def register_pull_time_update_exclusion(call: EcrCall, params: dict[str, Any]) -> dict[str, Any]:
    scope = Scope(call.principal.account_id, call.region)
    await call.authorize_registry(scope)
    arn = params["principalArn"]
    now = utcnow()
    async with call.services.registry.ctx.engine.begin() as conn:
        exists = (
            await conn.execute(
                select(pull_time_exclusions).where(
                    pull_time_exclusions.c.account_id == scope.account_id,
                    pull_time_exclusions.c.region == scope.region,
                    pull_time_exclusions.c.principal_arn == arn,
                )
            )
        ).first()
        if exists:
            raise EcrError(f"The principal {arn} is already excluded", type_name="ExclusionAlreadyExistsException")
        await conn.execute(
            pull_time_exclusions.insert().values(
                account_id=scope.account_id, region=scope.region, principal_arn=arn, created_at=now
            )
        )
    call.services.registry.pulls.forget_exclusions()
    return {"principalArn": arn, "createdAt": now}


async def deregister_pull_time_update_exclusion(call: EcrCall, params: dict[str, Any]) -> dict[str, Any]:
    scope = Scope(call.principal.account_id, call.region)
    await call.authorize_registry(scope)
    arn = params["principalArn"]
    async with call.services.registry.ctx.engine.begin() as conn:
        result = await conn.execute(
            delete(pull_time_exclusions).where(
                pull_time_exclusions.c.account_id == scope.account_id,
                pull_time_exclusions.c.region == scope.region,
                pull_time_exclusions.c.principal_arn == arn,
            )
        )
    if not result.rowcount:
        raise EcrError(f"The principal {arn} is not excluded", type_name="ExclusionNotFoundException")
    call.services.registry.pulls.forget_exclusions()
    return {"principalArn": arn}


async def list_pull_time_update_exclusions(call: EcrCall, params: dict[str, Any]) -> dict[str, Any]:
    scope = Scope(call.principal.account_id, call.region)
    await call.authorize_registry(scope)
    async with call.services.registry.ctx.read() as conn:
        arns = list(
            (
                await conn.execute(
                    select(pull_time_exclusions.c.principal_arn)
                    .where(
                        pull_time_exclusions.c.account_id == scope.account_id,
                        pull_time_exclusions.c.region == scope.region,
                    )
                    .order_by(pull_time_exclusions.c.principal_arn)
                )
            ).scalars()
        )
    start = int(decode_token(params.get("nextToken"), "exclusions") or 0)
    limit = page_size(params)
    return {
        "pullTimeUpdateExclusions": arns[start : start + limit],
        "nextToken": next_token("exclusions", start + limit) if start + limit < len(arns) else None,
    }


OPERATIONS = {
    "PutLifecyclePolicy": put_lifecycle_policy,
    "GetLifecyclePolicy": get_lifecycle_policy,
    "DeleteLifecyclePolicy": delete_lifecycle_policy,
    "StartLifecyclePolicyPreview": start_lifecycle_policy_preview,
    "GetLifecyclePolicyPreview": get_lifecycle_policy_preview,
    "UpdateImageStorageClass": update_image_storage_class,
    "RegisterPullTimeUpdateExclusion": register_pull_time_update_exclusion,
    "DeregisterPullTimeUpdateExclusion": deregister_pull_time_update_exclusion,
    "ListPullTimeUpdateExclusions": list_pull_time_update_exclusions,
}
