"""GET, HEAD and DELETE of blobs. GET sends the file with sendfile(2) when the store is local."""

from __future__ import annotations

from aiohttp import web

from cargohold.faces.oci.request import OciRequest
from cargohold.registry.blobs import blob_unknown


def _blob_headers(digest: str) -> dict[str, str]:
    return {
        "Docker-Content-Digest": digest,
        "Content-Type": "application/octet-stream",
        "Accept-Ranges": "bytes",
        "ETag": f'"{digest}"',
        "Cache-Control": "max-age=31536000",
    }


async def head_blob(req: OciRequest) -> web.StreamResponse:
    digest = req.params["digest"]
    # Clients HEAD a blob to decide not to upload it again, then reference it in a manifest.
    size = await req.services.registry.blobs.stat(req.scope, req.name, digest, referencing=True)
    headers = _blob_headers(digest)
    headers["Content-Length"] = str(size)
    return web.Response(status=200, headers=headers)


async def get_blob(req: OciRequest) -> web.StreamResponse:
    digest = req.params["digest"]
    size = await req.services.registry.blobs.stat(req.scope, req.name, digest)
    store = req.services.registry.ctx.blobs
    path = store.local_path(digest)
    if path is not None:
        if not path.exists():
            raise blob_unknown(digest)
        response = web.FileResponse(path, chunk_size=1 << 20, headers=_blob_headers(digest))
        return response
    stream = web.StreamResponse(status=200, headers=_blob_headers(digest))
    stream.content_length = size
    await stream.prepare(req.http)
    async for chunk in store.read(digest):
        await stream.write(chunk)
    await stream.write_eof()
    return stream


async def delete_blob(req: OciRequest) -> web.StreamResponse:
    await req.services.registry.blobs.unlink(req.scope, req.name, req.params["digest"])
    return web.Response(status=202, headers={"Content-Length": "0"})
