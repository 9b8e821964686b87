"""PutImage, BatchGetImage, BatchDeleteImage, ListImages, DescribeImages, ListImageReferrers."""

from __future__ import annotations

from typing import Any

from cargohold.faces.ecr.context import EcrCall, decode_token, next_token, page_size
from cargohold.faces.ecr.errors import EcrError, InvalidParameter
from cargohold.registry.digests import sha256_digest
from cargohold.registry.errors import (
    DigestInvalid,
    ManifestBlobUnknown,
    ManifestInvalid,
    ReferencedManifestUnknown,
    TagImmutable,
    TagInvalid,
)
from cargohold.registry.images import ImageRecord
from cargohold.registry.models import Repository
from cargohold.registry.scope import Scope


def _image_id_text(image_id: dict[str, Any]) -> str:
    parts = []
    if image_id.get("imageDigest"):
        parts.append(f"imageDigest:'{image_id['imageDigest']}'")
    if image_id.get("imageTag"):
        parts.append(f"imageTag:'{image_id['imageTag']}'")
    return "{" + ", ".join(parts) + "}"


def image_not_found(repo: Repository, image_id: dict[str, Any]) -> EcrError:
    return EcrError(
        f"The image with imageId {_image_id_text(image_id)} does not exist within the repository with name "
        f"'{repo.name}' in the registry with id '{repo.account_id}'",
        type_name="ImageNotFoundException",
    )


async def _repository(call: EcrCall, params: dict[str, Any]) -> tuple[Scope, Repository]:
    scope = call.scope(params)
    await call.authorize_repository(scope, params["repositoryName"])
    return scope, await call.services.registry.repositories.get(scope, params["repositoryName"])


async def put_image(call: EcrCall, params: dict[str, Any]) -> dict[str, Any]:
    scope, repo = await _repository(call, params)
    body = params["imageManifest"].encode()
    digest = sha256_digest(body)
    if params.get("imageDigest") and params["imageDigest"] != digest:
        raise EcrError(
            f"Manifest does not match the provided digest {params['imageDigest']}; the manifest's digest is {digest}",
            type_name="ImageDigestDoesNotMatchException",
        )
    tag = params.get("imageTag")
    media_type = params.get("imageManifestMediaType")
    try:
        result = await call.services.registry.manifests.put(scope, repo.name, tag or digest, body, media_type)
    except ManifestBlobUnknown as exc:
        raise EcrError(
            f"The following layers are not available: {exc.detail}", type_name="LayersNotFoundException"
        ) from None
    except ReferencedManifestUnknown as exc:
        raise EcrError(exc.message, type_name="ReferencedImagesNotFoundException") from None
    except TagImmutable as exc:
        raise EcrError(exc.message, type_name="ImageTagAlreadyExistsException") from None
    except (ManifestInvalid, TagInvalid, DigestInvalid) as exc:
        raise InvalidParameter(
            f"Invalid parameter at 'imageManifest' failed to satisfy constraint: '{exc.message}'"
        ) from None
    if not result.created and not result.tag_changed:
        raise EcrError(
            f"Image with digest '{digest}'"
            + (f" and tag '{tag}'" if tag else "")
            + f" already exists in the repository with name '{repo.name}' in registry with id '{repo.account_id}'",
            type_name="ImageAlreadyExistsException",
        )
    image_id: dict[str, Any] = {"imageDigest": digest}
    if tag:
        image_id["imageTag"] = tag
    return {
        "image": {
            "registryId": repo.account_id,
            "repositoryName": repo.name,
            "imageId": image_id,
            "imageManifest": params["imageManifest"],
            "imageManifestMediaType": result.media_type,
        }
    }


async def batch_get_image(call: EcrCall, params: dict[str, Any]) -> dict[str, Any]:
    _, repo = await _repository(call, params)
    accepted = params.get("acceptedMediaTypes")
    lookups = await call.services.registry.images.resolve(repo, params["imageIds"], with_content=True)
    images, failures = [], []
    for image_id, found in zip(params["imageIds"], lookups, strict=True):
        image = found.image
        if image is None:
            failures.append(
                {"imageId": image_id, "failureCode": found.failure_code, "failureReason": found.failure_reason}
            )
            continue
        if accepted and image.media_type not in accepted:
            failures.append(
                {
                    "imageId": image_id,
                    "failureCode": "ImageNotFound",
                    "failureReason": f"Requested image's media type {image.media_type} is not in acceptedMediaTypes",
                }
            )
            continue
        if image.status != "ACTIVE":
            failures.append(
                {
                    "imageId": image_id,
                    "failureCode": "ImageInaccessible",
                    "failureReason": "The image is archived; restore it with UpdateImageStorageClass",
                }
            )
            continue
        await call.services.registry.pulls.record(image.manifest_id, (call.principal.arn, call.principal.role_arn))
        result_id = {"imageDigest": image.digest}
        if found.tag:
            result_id["imageTag"] = found.tag
        assert image.content is not None
        images.append(
            {
                "registryId": repo.account_id,
                "repositoryName": repo.name,
                "imageId": result_id,
                "imageManifest": image.content.decode(),
                "imageManifestMediaType": image.media_type,
            }
        )
    return {"images": images, "failures": failures}


async def batch_delete_image(call: EcrCall, params: dict[str, Any]) -> dict[str, Any]:
    _, repo = await _repository(call, params)
    deleted, failures = await call.services.registry.images.delete(repo, params["imageIds"])
    return {"imageIds": deleted, "failures": failures}


async def list_images(call: EcrCall, params: dict[str, Any]) -> dict[str, Any]:
    _, repo = await _repository(call, params)
    tag_status = (params.get("filter") or {}).get("tagStatus")
    after = decode_token(params.get("nextToken"), f"list:{repo.id}:{tag_status}")
    page = await call.services.registry.images.list_ids(
        repo, tag_status, tuple(after) if after else None, page_size(params)
    )
    ids = []
    for digest, tag in page.ids:
        entry = {"imageDigest": digest}
        if tag:
            entry["imageTag"] = tag
        ids.append(entry)
    return {"imageIds": ids, "nextToken": next_token(f"list:{repo.id}:{tag_status}", page.next_key)}


def image_detail(repo: Repository, image: ImageRecord) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "registryId": repo.account_id,
        "repositoryName": repo.name,
        "imageDigest": image.digest,
        "imageSizeInBytes": image.size,
        "imagePushedAt": image.pushed_at,
        "imageManifestMediaType": image.media_type,
        "imageStatus": image.status,
    }
    if image.tags:
        detail["imageTags"] = image.tags
    if image.last_pulled_at:
        detail["lastRecordedPullTime"] = image.last_pulled_at
    if image.config_media_type:
        detail["artifactMediaType"] = image.config_media_type
    if image.archived_at and image.status == "ARCHIVED":
        detail["lastArchivedAt"] = image.archived_at
    return detail


async def describe_images(call: EcrCall, params: dict[str, Any]) -> dict[str, Any]:
    _, repo = await _repository(call, params)
    registry = call.services.registry
    if params.get("imageIds"):
        if params.get("maxResults") or params.get("nextToken"):
            raise InvalidParameter("maxResults and nextToken cannot be used with imageIds")
        details, seen = [], set()
        for image_id, found in zip(
            params["imageIds"], await registry.images.resolve(repo, params["imageIds"]), strict=True
        ):
            if found.image is None:
                if found.failure_code in ("InvalidImageDigest", "InvalidImageTag", "MissingDigestAndTag"):
                    raise InvalidParameter(found.failure_reason or "Invalid image id")
                raise image_not_found(repo, image_id)
            if found.image.digest not in seen:
                seen.add(found.image.digest)
                details.append(image_detail(repo, found.image))
        return {"imageDetails": details}
    filters = params.get("filter") or {}
    tag_status = filters.get("tagStatus")
    status = filters.get("imageStatus", "ACTIVE")
    kind = f"describe:{repo.id}:{tag_status}:{status}"
    page = await registry.images.describe_page(
        repo, tag_status, decode_token(params.get("nextToken"), kind), page_size(params), status
    )
    return {
        "imageDetails": [image_detail(repo, image) for image in page.images],
        "nextToken": next_token(kind, page.next_key),
    }


async def list_image_referrers(call: EcrCall, params: dict[str, Any]) -> dict[str, Any]:
    scope, repo = await _repository(call, params)
    subject = params["subjectId"]["imageDigest"]
    artifact_types = (params.get("filter") or {}).get("artifactTypes") or []
    descriptors = await call.services.registry.manifests.referrers(scope, repo.name, subject)
    if artifact_types:
        descriptors = [d for d in descriptors if d.get("artifactType") in artifact_types]
    start = int(decode_token(params.get("nextToken"), f"referrers:{repo.id}:{subject}") or 0)
    limit = page_size(params, 50)
    page = descriptors[start : start + limit]
    more = start + limit < len(descriptors)
    return {
        "referrers": [
            {
                "digest": d["digest"],
                "mediaType": d["mediaType"],
                "artifactType": d.get("artifactType"),
                "size": d["size"],
                "annotations": d.get("annotations"),
            }
            for d in page
        ],
        "nextToken": next_token(f"referrers:{repo.id}:{subject}", start + limit) if more else None,
    }


OPERATIONS = {
    "PutImage": put_image,
    "BatchGetImage": batch_get_image,
    "BatchDeleteImage": batch_delete_image,
    "ListImages": list_images,
    "DescribeImages": describe_images,
    "ListImageReferrers": list_image_referrers,
}
