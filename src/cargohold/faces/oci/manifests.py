"""GET, HEAD, PUT and DELETE of manifests, with content negotiation by Accept."""

from __future__ import annotations

from aiohttp import web

from cargohold.faces.oci.request import OciRequest
from cargohold.manifests import media_types as mt
from cargohold.registry.errors import ManifestTooLarge, ManifestUnknown
from cargohold.registry.models import Manifest


def _accepted(req: OciRequest) -> set[str] | None:
    """The media types the client accepts, or None when it accepts anything."""
    values = req.http.headers.getall("Accept", [])
    types = {part.split(";")[0].strip().lower() for value in values for part in value.split(",")}
    types.discard("")
    if not types or "*/*" in types or "application/*" in types:
        return None
    return types


def _negotiate(req: OciRequest, manifest: Manifest) -> None:
    """Refuse, as Distribution does, to hand an OCI manifest to a client that did not ask for OCI."""
    accepted = _accepted(req)
    if accepted is None or manifest.media_type in accepted:
        return
    if manifest.media_type in mt.OCI_TYPES or manifest.media_type in mt.INDEXES:
        raise ManifestUnknown(
            f"the manifest is {manifest.media_type}, which the Accept header does not include",
            {"mediaType": manifest.media_type},
        )


def _headers(manifest: Manifest) -> dict[str, str]:
    return {
        "Content-Type": manifest.media_type,
        "Docker-Content-Digest": manifest.digest,
        "ETag": f'"{manifest.digest}"',
        "Content-Length": str(len(manifest.content)),
    }


async def head_manifest(req: OciRequest) -> web.StreamResponse:
    manifest = await req.services.registry.manifests.get(req.scope, req.name, req.params["reference"])
    _negotiate(req, manifest)
    return web.Response(status=200, headers=_headers(manifest))


async def get_manifest(req: OciRequest) -> web.StreamResponse:
    registry = req.services.registry
    manifest = await registry.manifests.get(req.scope, req.name, req.params["reference"])
    _negotiate(req, manifest)
    await registry.pulls.record(manifest.id, (req.principal.arn, req.principal.role_arn))
    headers = _headers(manifest)
    del headers["Content-Length"]
    return web.Response(status=200, body=manifest.content, headers=headers)


async def _read_limited(req: OciRequest, limit: int) -> bytes:
    declared = req.http.content_length
    if declared is not None and declared > limit:
        raise ManifestTooLarge(f"manifest invalid: manifest exceeds the {limit} byte limit", {"size": declared})
    parts: list[bytes] = []
    received = 0
    async for chunk in req.http.content.iter_any():
        received += len(chunk)
        if received > limit:
            raise ManifestTooLarge(f"manifest invalid: manifest exceeds the {limit} byte limit")
        parts.append(chunk)
    return b"".join(parts)


async def put_manifest(req: OciRequest) -> web.StreamResponse:
    registry = req.services.registry
    body = await _read_limited(req, req.services.settings.max_manifest_bytes)
    result = await registry.manifests.put(
        req.scope, req.name, req.params["reference"], body, req.http.headers.get("Content-Type")
    )
    headers = {
        "Location": f"/v2/{req.name}/manifests/{result.digest}",
        "Docker-Content-Digest": result.digest,
        "Content-Length": "0",
    }
    if result.subject_digest:
        headers["OCI-Subject"] = result.subject_digest
    return web.Response(status=201, headers=headers)


async def delete_manifest(req: OciRequest) -> web.StreamResponse:
    await req.services.registry.manifests.delete(req.scope, req.name, req.params["reference"])
    return web.Response(status=202, headers={"Content-Length": "0"})
