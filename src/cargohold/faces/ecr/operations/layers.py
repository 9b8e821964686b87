"""Layer uploads and downloads through the ECR API (what `docker push` does behind ECR's scenes)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from cargohold.faces.ecr.context import EcrCall
from cargohold.faces.ecr.errors import EcrError
from cargohold.faces.ecr.model import decode_blob
from cargohold.registry.errors import BlobUnknown, BlobUploadUnknown, DigestInvalid, RangeInvalid
from cargohold.registry.models import Repository
from cargohold.registry.scope import Scope

PART_SIZE = 10 * 1024 * 1024
DOWNLOAD_URL_TTL = 3600


async def _repository(call: EcrCall, params: dict[str, Any]) -> tuple[Scope, Repository]:
    scope = call.scope(params)
    await call.authorize_repository(scope, params["repositoryName"])
    return scope, await call.services.registry.repositories.get(scope, params["repositoryName"])


def _upload_not_found(upload_id: str, repo: Repository) -> EcrError:
    return EcrError(
        f"Upload with id '{upload_id}' is not found in the repository with name '{repo.name}' in the registry "
        f"with id '{repo.account_id}'",
        type_name="UploadNotFoundException",
    )


async def batch_check_layer_availability(call: EcrCall, params: dict[str, Any]) -> dict[str, Any]:
    scope, repo = await _repository(call, params)
    layers, failures = [], []
    for digest in params["layerDigests"]:
        try:
            size = await call.services.registry.blobs.stat(scope, repo.name, digest, referencing=True)
        except DigestInvalid:
            failures.append(
                {"layerDigest": digest, "failureCode": "InvalidLayerDigest", "failureReason": "Invalid layer digest"}
            )
            continue
        except BlobUnknown:
            failures.append(
                {"layerDigest": digest, "failureCode": "MissingLayerDigest", "failureReason": "Could not find layer"}
            )
            continue
        layers.append(
            {
                "layerDigest": digest,
                "layerAvailability": "AVAILABLE",
                "layerSize": size,
                "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
            }
        )
    return {"layers": layers, "failures": failures}


async def initiate_layer_upload(call: EcrCall, params: dict[str, Any]) -> dict[str, Any]:
    scope, repo = await _repository(call, params)
    upload_id = await call.services.registry.blobs.start_upload(scope, repo.name)
    return {"uploadId": upload_id, "partSize": PART_SIZE}


async def _one(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def upload_layer_part(call: EcrCall, params: dict[str, Any]) -> dict[str, Any]:
    scope, repo = await _repository(call, params)
    data = decode_blob(params["layerPartBlob"], "layerPartBlob")
    first, last = params["partFirstByte"], params["partLastByte"]
    blobs = call.services.registry.blobs
    upload_id = params["uploadId"]
    try:
        status = await blobs.upload_status(scope, repo.name, upload_id)
        if last - first + 1 != len(data) or first != status.size:
            raise EcrError(
                f"The layer part size is not valid, or the first byte specified is not consecutive to the last "
                f"byte of a previous layer part upload. Last valid byte received: {status.size - 1}",
                type_name="InvalidLayerPartException",
                registryId=repo.account_id,
                repositoryName=repo.name,
                uploadId=upload_id,
                lastValidByteReceived=max(status.size - 1, 0),
            )
        await blobs.append(scope, repo.name, upload_id, _one(data), start=first)
    except BlobUploadUnknown:
        raise _upload_not_found(upload_id, repo) from None
    except RangeInvalid as exc:
        raise EcrError(exc.message, type_name="InvalidLayerPartException") from None
    return {"registryId": repo.account_id, "repositoryName": repo.name, "uploadId": upload_id, "lastByteReceived": last}


async def complete_layer_upload(call: EcrCall, params: dict[str, Any]) -> dict[str, Any]:
    scope, repo = await _repository(call, params)
    blobs = call.services.registry.blobs
    upload_id = params["uploadId"]
    digests = params["layerDigests"]
    digest = digests[0]
    try:
        status = await blobs.upload_status(scope, repo.name, upload_id)
    except BlobUploadUnknown:
        raise _upload_not_found(upload_id, repo) from None
    if status.size == 0:
        raise EcrError(
            f"The upload with id '{upload_id}' does not contain any layer parts", type_name="EmptyUploadException"
        )
    try:
        await blobs.stat(scope, repo.name, digest)
        await blobs.cancel_upload(scope, repo.name, upload_id)
        raise EcrError(
            f"The layer with digest '{digest}' already exists in the repository with name '{repo.name}' in the "
            f"registry with id '{repo.account_id}'",
            type_name="LayerAlreadyExistsException",
        )
    except (BlobUnknown, DigestInvalid):
        pass
    try:
        await blobs.finish_upload(scope, repo.name, upload_id, digest)
    except DigestInvalid as exc:
        raise EcrError(
            f"The layer digest calculated for the upload does not match {digest}: {exc.detail}",
            type_name="InvalidLayerException",
        ) from None
    return {"registryId": repo.account_id, "repositoryName": repo.name, "uploadId": upload_id, "layerDigest": digest}


async def get_download_url_for_layer(call: EcrCall, params: dict[str, Any]) -> dict[str, Any]:
    scope, repo = await _repository(call, params)
    digest = params["layerDigest"]
    try:
        await call.services.registry.blobs.stat(scope, repo.name, digest)
    except (BlobUnknown, DigestInvalid):
        raise EcrError(
            f"The specified layer {digest} does not exist in the repository with name '{repo.name}' in the "
            f"registry with id '{repo.account_id}'",
            type_name="LayersNotFoundException",
        ) from None
    path = f"/_layers/{repo.account_id}/{repo.region}/{digest}/{repo.name}"
    signed = call.services.urls.sign(path, DOWNLOAD_URL_TTL)
    return {"downloadUrl": f"{call.http.scheme}://{call.http.host}{signed}", "layerDigest": digest}


OPERATIONS = {
    "BatchCheckLayerAvailability": batch_check_layer_availability,
    "InitiateLayerUpload": initiate_layer_upload,
    "UploadLayerPart": upload_layer_part,
    "CompleteLayerUpload": complete_layer_upload,
    "GetDownloadUrlForLayer": get_download_url_for_layer,
}
