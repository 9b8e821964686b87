"""Serving the download URLs GetDownloadUrlForLayer hands out: signed, expiring, zero-copy."""

from __future__ import annotations

from aiohttp import web

from cargohold.faces.services import SERVICES
from cargohold.registry.errors import RegistryError
from cargohold.registry.scope import Scope


def _denied(status: int, message: str) -> web.Response:
    body = f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>{message}</Message></Error>'
    return web.Response(status=status, text=body, content_type="application/xml")


async def download_layer(request: web.Request) -> web.StreamResponse:
    services = request.app[SERVICES]
    path = request.rel_url.raw_path
    expires = request.query.get("X-Cargohold-Expires", "")
    signature = request.query.get("X-Cargohold-Signature", "")
    if not services.urls.valid(path, expires, signature):
        return _denied(403, "Request has expired or the signature does not match")
    account, region, digest, name = (
        request.match_info["account"],
        request.match_info["region"],
        request.match_info["digest"],
        request.match_info["name"],
    )
    try:
        size = await services.registry.blobs.stat(Scope(account, region), name, digest)
    except RegistryError:
        return _denied(404, "The specified key does not exist.")
    local = services.registry.ctx.blobs.local_path(digest)
    if local is None or not local.exists():
        return _denied(404, "The specified key does not exist.")
    headers = {"Content-Type": "application/octet-stream", "ETag": f'"{digest}"', "x-amz-content-length": str(size)}
    return web.FileResponse(local, chunk_size=1 << 20, headers=headers)


def add_routes(app: web.Application) -> None:
    app.router.add_get(r"/_layers/{account:[0-9]{12}}/{region}/{digest:sha256:[a-f0-9]{64}}/{name:.+}", download_layer)
