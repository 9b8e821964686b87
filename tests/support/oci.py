"""Raw /v2 helpers for tests that speak HTTP directly."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import httpx

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
EMPTY_CONFIG = "application/vnd.oci.empty.v1+json"


def digest_of(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def push_blob(client: httpx.Client, repo: str, data: bytes) -> str:
    digest = digest_of(data)
    response = client.post(f"/v2/{repo}/blobs/uploads/", params={"digest": digest}, content=data)
    assert response.status_code == 201, response.text
    return digest


def manifest_for(
    client: httpx.Client,
    repo: str,
    layers: list[bytes],
    config: bytes = b'{"os":"linux"}',
    media_type: str = OCI_MANIFEST,
    config_type: str = "application/vnd.oci.image.config.v1+json",
    **extra: Any,
) -> bytes:
    layer_type = (
        "application/vnd.oci.image.layer.v1.tar"
        if media_type == OCI_MANIFEST
        else ("application/vnd.docker.image.rootfs.diff.tar.gzip")
    )
    if media_type == DOCKER_MANIFEST:
        config_type = "application/vnd.docker.container.image.v1+json"
    document: dict[str, Any] = {
        "schemaVersion": 2,
        "mediaType": media_type,
        "config": {"mediaType": config_type, "digest": push_blob(client, repo, config), "size": len(config)},
        "layers": [
            {"mediaType": layer_type, "digest": push_blob(client, repo, layer), "size": len(layer)} for layer in layers
        ],
    }
    document.update(extra)
    return json.dumps(document).encode()


def put_manifest(
    client: httpx.Client, repo: str, ref: str, body: bytes, media_type: str = OCI_MANIFEST
) -> httpx.Response:
    return client.put(f"/v2/{repo}/manifests/{ref}", content=body, headers={"Content-Type": media_type})


def error_code(response: httpx.Response) -> str:
    return str(response.json()["errors"][0]["code"])
