"""Errors in the Distribution spec's JSON form."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from cargohold.registry.errors import RegistryError


def oci_error(
    status: int, code: str, message: str, detail: Any = None, headers: dict[str, str] | None = None
) -> web.Response:
    body = {"errors": [{"code": code, "message": message, "detail": detail if detail is not None else {}}]}
    return web.Response(
        status=status,
        body=json.dumps(body).encode(),
        content_type="application/json",
        headers=headers,
    )


def render(exc: RegistryError, headers: dict[str, str] | None = None) -> web.Response:
    return oci_error(exc.http_status, exc.oci_code, exc.message, exc.detail, headers)
