"""CreateRepository, DescribeRepositories, DeleteRepository and the repository settings calls."""

from __future__ import annotations

from typing import Any

from cargohold.faces.ecr.context import EcrCall, decode_token, next_token, page_size
from cargohold.faces.ecr.errors import EcrError, InvalidParameter
from cargohold.registry.errors import NameUnknown
from cargohold.registry.models import Repository
from cargohold.registry.repositories import repository_not_found

EXCLUSION_MODES = {"IMMUTABLE_WITH_EXCLUSION", "MUTABLE_WITH_EXCLUSION"}


def repository_shape(call: EcrCall, repo: Repository) -> dict[str, Any]:
    shape: dict[str, Any] = {
        "repositoryArn": repo.arn,
        "registryId": repo.account_id,
        "repositoryName": repo.name,
        "repositoryUri": call.repository_uri(repo),
        "createdAt": repo.created_at,
        "imageTagMutability": repo.tag_mutability,
        "imageScanningConfiguration": {"scanOnPush": repo.scan_on_push},
        "encryptionConfiguration": {"encryptionType": repo.encryption_type},
    }
    if repo.tag_mutability_exclusions:
        shape["imageTagMutabilityExclusionFilters"] = repo.tag_mutability_exclusions
    if repo.kms_key:
        shape["encryptionConfiguration"]["kmsKey"] = repo.kms_key
    return shape


def check_mutability(mode: str, filters: list[dict[str, str]] | None) -> None:
    if mode in EXCLUSION_MODES and not filters:
        raise InvalidParameter(f"imageTagMutabilityExclusionFilters are required with {mode}")
    if filters and mode not in EXCLUSION_MODES:
        raise InvalidParameter(
            f"imageTagMutabilityExclusionFilters are only valid with {' or '.join(sorted(EXCLUSION_MODES))}"
        )


def check_resource_tags(tags: list[dict[str, str]]) -> dict[str, str]:
    result: dict[str, str] = {}
    for tag in tags:
        key, value = tag.get("Key"), tag.get("Value")
        if not key or value is None or len(key) > 128 or len(value) > 256 or key.lower().startswith("aws:"):
            raise EcrError(
                "The tag key must be 1-128 characters and not start with 'aws:'; the value 0-256 characters",
                type_name="InvalidTagParameterException",
            )
        result[key] = value
    if len(result) > 50:
        raise EcrError("A repository can have at most 50 tags", type_name="TooManyTagsException")
    return result


def request_tag_context(tags: dict[str, str]) -> dict[str, Any]:
    """aws:RequestTag/<key> and aws:TagKeys, for policies that govern tagging."""
    context: dict[str, Any] = {f"aws:RequestTag/{key}": value for key, value in tags.items()}
    context["aws:TagKeys"] = list(tags)
    return context


async def create_repository(call: EcrCall, params: dict[str, Any]) -> dict[str, Any]:
    scope = call.scope(params)
    name = params["repositoryName"]
    tags = check_resource_tags(params.get("tags") or [])
    await call.authorize_repository(scope, name, extra_context=request_tag_context(tags) if tags else None)
    mode = params.get("imageTagMutability", "MUTABLE")
    filters = params.get("imageTagMutabilityExclusionFilters")
    check_mutability(mode, filters)
    encryption = params.get("encryptionConfiguration") or {}
    if encryption.get("kmsKey") and encryption.get("encryptionType") == "AES256":
        raise InvalidParameter("kmsKey can only be set with encryptionType KMS or KMS_DSSE")
    registry = call.services.registry
    repo = await registry.repositories.create(
        scope,
        name,
        tag_mutability=mode,
        tag_mutability_exclusions=filters,
        scan_on_push=bool((params.get("imageScanningConfiguration") or {}).get("scanOnPush", False)),
        encryption_type=encryption.get("encryptionType", "AES256"),
        kms_key=encryption.get("kmsKey")
        or (
            f"arn:aws:kms:{scope.region}:{scope.account_id}:key/aws/ecr"
            if encryption.get("encryptionType", "").startswith("KMS")
            else None
        ),
    )
    if tags:
        await registry.repositories.set_resource_tags(repo, tags)
    return {"repository": repository_shape(call, repo)}


async def describe_repositories(call: EcrCall, params: dict[str, Any]) -> dict[str, Any]:
    scope = call.scope(params)
    registry = call.services.registry
    names = params.get("repositoryNames")
    if names:
        if params.get("maxResults") or params.get("nextToken"):
            raise InvalidParameter("maxResults and nextToken cannot be used with repositoryNames")
        repos = []
        for name in names:
            await call.authorize_repository(scope, name)
            repos.append(await registry.repositories.get(scope, name))
        return {"repositories": [repository_shape(call, repo) for repo in repos]}
    await call.authorize_repository(scope, "*")
    limit = page_size(params)
    page = await registry.repositories.list_names(
        scope, last=decode_token(params.get("nextToken"), "repos"), limit=limit
    )
    repos = [await registry.repositories.get(scope, name) for name in page.items]
    return {
        "repositories": [repository_shape(call, repo) for repo in repos],
        "nextToken": next_token("repos", page.items[-1]) if page.has_more and page.items else None,
    }


async def delete_repository(call: EcrCall, params: dict[str, Any]) -> dict[str, Any]:
    scope = call.scope(params)
    await call.authorize_repository(scope, params["repositoryName"])
    repo = await call.services.registry.repositories.delete(
        scope, params["repositoryName"], force=bool(params.get("force"))
    )
    call.services.registry.blobs.forget()
    return {"repository": repository_shape(call, repo)}


async def put_image_tag_mutability(call: EcrCall, params: dict[str, Any]) -> dict[str, Any]:
    scope = call.scope(params)
    name = params["repositoryName"]
    await call.authorize_repository(scope, name)
    mode = params["imageTagMutability"]
    filters = params.get("imageTagMutabilityExclusionFilters")
    check_mutability(mode, filters)
    repo = await call.services.registry.repositories.update(
        scope, name, tag_mutability=mode, tag_mutability_exclusions=filters or []
    )
    result: dict[str, Any] = {"registryId": repo.account_id, "repositoryName": repo.name, "imageTagMutability": mode}
    if filters:
        result["imageTagMutabilityExclusionFilters"] = filters
    return result


async def put_image_scanning_configuration(call: EcrCall, params: dict[str, Any]) -> dict[str, Any]:
    scope = call.scope(params)
    name = params["repositoryName"]
    await call.authorize_repository(scope, name)
    scan_on_push = bool(params["imageScanningConfiguration"].get("scanOnPush", False))
    repo = await call.services.registry.repositories.update(scope, name, scan_on_push=scan_on_push)
    return {
        "registryId": repo.account_id,
        "repositoryName": repo.name,
        "imageScanningConfiguration": {"scanOnPush": repo.scan_on_push},
    }


async def batch_get_repository_scanning_configuration(call: EcrCall, params: dict[str, Any]) -> dict[str, Any]:
    scope = call.scope(params)
    configurations, failures = [], []
    for name in params["repositoryNames"]:
        await call.authorize_repository(scope, name)
        try:
            repo = await call.services.registry.repositories.get(scope, name)
        except NameUnknown:
            failures.append(
                {
                    "repositoryName": name,
                    "failureCode": "REPOSITORY_NOT_FOUND",
                    "failureReason": repository_not_found(scope, name).message,
                }
            )
            continue
        configurations.append(
            {
                "repositoryArn": repo.arn,
                "repositoryName": repo.name,
                "scanOnPush": repo.scan_on_push,
                "scanFrequency": "SCAN_ON_PUSH" if repo.scan_on_push else "MANUAL",
                "appliedScanFilters": [],
            }
        )
    return {"scanningConfigurations": configurations, "failures": failures}


OPERATIONS = {
    "CreateRepository": create_repository,
    "DescribeRepositories": describe_repositories,
    "DeleteRepository": delete_repository,
    "PutImageTagMutability": put_image_tag_mutability,
    "PutImageScanningConfiguration": put_image_scanning_configuration,
    "BatchGetRepositoryScanningConfiguration": batch_get_repository_scanning_configuration,
}
