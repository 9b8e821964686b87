"""Prometheus metrics for the HTTP server, served on /metrics."""

from __future__ import annotations

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

REQUESTS = Counter("cargohold_http_requests_total", "HTTP requests", ["face", "method", "status"])
LATENCY = Histogram(
    "cargohold_http_request_seconds",
    "HTTP request latency",
    ["face", "method"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)


def face_of(path: str) -> str:
    if path.startswith("/v2"):
        return "oci"
    if path == "/":
        return "ecr"
    return "other"


async def metrics_handler(_request: web.Request) -> web.Response:
    return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})
