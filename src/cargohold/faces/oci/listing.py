"""Tag lists, the catalog and the referrers API, with `n`/`last` pagination and Link headers."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from cargohold.faces.oci.request import OciRequest
from cargohold.manifests import media_types as mt
from cargohold.registry.errors import PaginationInvalid

MAX_PAGE = 1000


def _page_args(req: OciRequest) -> tuple[int, str | None]:
    raw = req.http.query.get("n")
    if raw is None or raw == "":
        limit = MAX_PAGE
    else:
        try:
            limit = int(raw)
        except ValueError:
            raise PaginationInvalid("invalid number of results requested: n must be an integer", {"n": raw}) from None
        if limit < 0:
            raise PaginationInvalid("invalid number of results requested: n must not be negative", {"n": raw})
        limit = min(limit, MAX_PAGE)
    return limit, req.http.query.get("last") or None


def _json(payload: Any, headers: dict[str, str] | None = None, content_type: str = "application/json") -> web.Response:
    return web.Response(body=json.dumps(payload).encode(), content_type=content_type, headers=headers)


def _link(path: str, last: str, limit: int) -> dict[str, str]:
    return {"Link": f'<{path}?{urlencode({"last": last, "n": limit})}>; rel="next"'}


async def list_tags(req: OciRequest) -> web.StreamResponse:
    limit, last = _page_args(req)
    page = await req.services.registry.manifests.list_tags(req.scope, req.name, last=last, limit=limit)
    headers = _link(f"/v2/{req.name}/tags/list", page.items[-1], limit) if page.has_more and page.items else None
    return _json({"name": req.name, "tags": page.items}, headers)


async def catalog(req: OciRequest) -> web.StreamResponse:
    limit, last = _page_args(req)
    page = await req.services.registry.repositories.list_names(req.scope, last=last, limit=limit)
    headers = _link("/v2/_catalog", page.items[-1], limit) if page.has_more and page.items else None
    return _json({"repositories": page.items}, headers)


async def referrers(req: OciRequest) -> web.StreamResponse:
    artifact_type = req.http.query.get("artifactType") or None
    descriptors = await req.services.registry.manifests.referrers(
        req.scope, req.name, req.params["digest"], artifact_type
    )
    headers = {"OCI-Filters-Applied": "artifactType"} if artifact_type else None
    index = {"schemaVersion": 2, "mediaType": mt.OCI_INDEX, "manifests": descriptors}
    return _json(index, headers, content_type=mt.OCI_INDEX)
