"""Blob uploads: monolithic, streamed and chunked sessions, and cross-repository mounts."""

from __future__ import annotations

import re

from aiohttp import web

from cargohold.faces.oci.request import OciRequest
from cargohold.faces.request_facts import request_facts
from cargohold.registry.blobs import UploadStatus
from cargohold.registry.digests import parse_digest
from cargohold.registry.errors import BlobUploadInvalid, DigestInvalid, RangeInvalid
from cargohold.registry.names import repository_name_problem

_CONTENT_RANGE = re.compile(r"^(?:bytes[ =])?(\d+)-(\d+)(?:/(?:\d+|\*))?$")


def _upload_location(req: OciRequest, upload_id: str) -> str:
    return f"/v2/{req.name}/blobs/uploads/{upload_id}"


def _progress_headers(req: OciRequest, status: UploadStatus) -> dict[str, str]:
    end = status.size - 1 if status.size > 0 else 0
    return {
        "Location": _upload_location(req, status.upload_id),
        "Range": f"0-{end}",
        "Docker-Upload-UUID": status.upload_id,
        "Content-Length": "0",
    }


def _created(req: OciRequest, digest: str) -> web.Response:
    return web.Response(
        status=201,
        headers={
            "Location": f"/v2/{req.name}/blobs/{digest}",
            "Docker-Content-Digest": digest,
            "Content-Length": "0",
        },
    )


def _chunk_start(req: OciRequest) -> int | None:
    """Where a chunk claims to start (Content-Range), checked against Content-Length when both are set."""
    header = req.http.headers.get("Content-Range")
    if header is None:
        return None
    match = _CONTENT_RANGE.match(header.strip())
    if not match:
        raise RangeInvalid(f"invalid Content-Range {header!r}: expected <start>-<end>", {"Content-Range": header})
    start, end = int(match[1]), int(match[2])
    if end < start:
        raise RangeInvalid(f"invalid Content-Range {header!r}: end before start", {"Content-Range": header})
    length = req.http.content_length
    if length is not None and length != end - start + 1:
        raise BlobUploadInvalid(
            f"Content-Range {header!r} covers {end - start + 1} bytes but Content-Length is {length}",
            {"Content-Range": header},
        )
    return start


async def start_upload(req: OciRequest) -> web.StreamResponse:
    blobs = req.services.registry.blobs
    query = req.http.query
    mount, source = query.get("mount"), query.get("from")
    if mount and source:
        parse_digest(mount)
        if await _may_read(req, source) and await blobs.mount(req.scope, req.name, mount, source):
            return _created(req, mount)
    digest = query.get("digest")
    if digest is not None:
        parse_digest(digest)
        await blobs.put_monolithic(
            req.scope, req.name, digest, req.body_chunks(), expected_size=req.http.content_length
        )
        return _created(req, digest)
    upload_id = await blobs.start_upload(req.scope, req.name)
    headers = _progress_headers(req, UploadStatus(upload_id, 0))
    return web.Response(status=202, headers=headers)


async def _may_read(req: OciRequest, source: str) -> bool:
    """Mount only from a repository the caller could pull from; otherwise fall back to an upload."""
    if repository_name_problem(source):
        return False
    decision = await req.services.authorizer.authorize(
        req.principal,
        "ecr:GetDownloadUrlForLayer",
        req.scope.repository_arn(source),
        request=request_facts(req.http, "oci"),
    )
    return decision.allowed


async def patch_upload(req: OciRequest) -> web.StreamResponse:
    start = _chunk_start(req)
    status = await req.services.registry.blobs.append(
        req.scope, req.name, req.params["uuid"], req.body_chunks(), start=start
    )
    return web.Response(status=202, headers=_progress_headers(req, status))


async def finish_upload(req: OciRequest) -> web.StreamResponse:
    digest = req.http.query.get("digest")
    if not digest:
        raise DigestInvalid("digest query parameter is required to complete an upload")
    parse_digest(digest)
    start = _chunk_start(req)
    chunks = req.body_chunks() if req.has_body() else None
    await req.services.registry.blobs.finish_upload(
        req.scope, req.name, req.params["uuid"], digest, chunks, start=start
    )
    return _created(req, digest)


async def upload_status(req: OciRequest) -> web.StreamResponse:
    status = await req.services.registry.blobs.upload_status(req.scope, req.name, req.params["uuid"])
    return web.Response(status=204, headers=_progress_headers(req, status))


async def cancel_upload(req: OciRequest) -> web.StreamResponse:
    await req.services.registry.blobs.cancel_upload(req.scope, req.name, req.params["uuid"])
    return web.Response(status=204)
