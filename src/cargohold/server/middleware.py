"""Request id, access log, metrics and the Distribution API version header on every response."""

from __future__ import annotations

import time
import uuid

import structlog
from aiohttp import web
from aiohttp.typedefs import Handler

from cargohold.server.metrics import LATENCY, REQUESTS, face_of

log = structlog.get_logger("cargohold.http")


@web.middleware
async def request_context(request: web.Request, handler: Handler) -> web.StreamResponse:
    request_id = request.headers.get("X-Request-Id") or str(uuid.uuid4())
    started = time.perf_counter()
    face = face_of(request.path)
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        elapsed = time.perf_counter() - started
        REQUESTS.labels(face, request.method, str(status)).inc()
        LATENCY.labels(face, request.method).observe(elapsed)
        log.debug(
            "request",
            request_id=request_id,
            method=request.method,
            path=request.path,
            status=status,
            ms=round(elapsed * 1000, 2),
            remote=request.remote,
        )


async def on_prepare(request: web.Request, response: web.StreamResponse) -> None:
    response.headers.setdefault("Docker-Distribution-API-Version", "registry/2.0")
    response.headers.setdefault("X-Request-Id", request.headers.get("X-Request-Id") or str(uuid.uuid4()))
