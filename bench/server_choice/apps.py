"""The same three endpoints on aiohttp and on Starlette (for Granian), for the server-choice bench.

GET /small: a 300-byte JSON body (the shape of a manifest GET); GET /blob: a file sent zero-copy
(aiohttp FileResponse -> sendfile, Starlette FileResponse -> Granian's pathsend extension);
PUT /upload: stream the body to a file, hashing it, as a blob upload does.
"""

from __future__ import annotations

import hashlib
import os

BLOB = os.environ.get("BENCH_BLOB", "/tmp/bench-blob")
SINK = os.environ.get("BENCH_SINK", "/tmp/bench-sink")
SMALL = b'{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{}}' * 3


def make_aiohttp():  # type: ignore[no-untyped-def]
    from aiohttp import web

    async def small(_request: web.Request) -> web.Response:
        return web.Response(body=SMALL, content_type="application/json")

    async def blob(_request: web.Request) -> web.StreamResponse:
        return web.FileResponse(BLOB, chunk_size=1 << 20)

    async def upload(request: web.Request) -> web.Response:
        digest = hashlib.sha256()
        with open(SINK, "wb") as out:
            async for chunk in request.content.iter_any():
                digest.update(chunk)
                out.write(chunk)
        return web.Response(status=201, text=digest.hexdigest())

    app = web.Application(client_max_size=1 << 40)
    app.router.add_get("/small", small)
    app.router.add_get("/blob", blob)
    app.router.add_put("/upload", upload)
    return app


def make_starlette():  # type: ignore[no-untyped-def]
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import FileResponse, PlainTextResponse, Response
    from starlette.routing import Route

    async def small(_request: Request) -> Response:
        return Response(SMALL, media_type="application/json")

    async def blob(_request: Request) -> Response:
        return FileResponse(BLOB)

    async def upload(request: Request) -> Response:
        digest = hashlib.sha256()
        with open(SINK, "wb") as out:
            async for chunk in request.stream():
                digest.update(chunk)
                out.write(chunk)
        return PlainTextResponse(digest.hexdigest(), status_code=201)

    return Starlette(routes=[Route("/small", small), Route("/blob", blob), Route("/upload", upload, methods=["PUT"])])


starlette_app = make_starlette()
