"""Routing for /v2: match the path, validate the name, authenticate, authorise, then handle.

One dispatcher instead of framework routes because repository names contain '/', and because every
request must pass the same gate in the same order: no handler runs without an access decision.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import unquote

import structlog
from aiohttp import web

from cargohold.faces.hosts import scope_for_host
from cargohold.faces.oci import blobs, listing, manifests, uploads
from cargohold.faces.oci.auth import authenticate, challenge
from cargohold.faces.oci.errors import oci_error, render
from cargohold.faces.oci.request import OciRequest
from cargohold.faces.request_facts import request_facts
from cargohold.faces.services import SERVICES
from cargohold.registry.errors import Denied, NameInvalid, RegistryError, Unauthorized
from cargohold.registry.names import repository_name_problem

Handler = Callable[[OciRequest], Awaitable[web.StreamResponse]]
log = structlog.get_logger("cargohold.oci")


@dataclass(frozen=True)
class Route:
    pattern: re.Pattern[str]
    methods: dict[str, tuple[Handler, str]]  # method -> (handler, ECR IAM action)


_NAME = r"(?P<name>[^?#]+?)"
ROUTES = [
    Route(
        re.compile(rf"^/v2/{_NAME}/blobs/uploads/?$"),
        {"POST": (uploads.start_upload, "ecr:InitiateLayerUpload")},
    ),
    Route(
        re.compile(rf"^/v2/{_NAME}/blobs/uploads/(?P<uuid>[^/]+)$"),
        {
            "PATCH": (uploads.patch_upload, "ecr:UploadLayerPart"),
            "PUT": (uploads.finish_upload, "ecr:CompleteLayerUpload"),
            "GET": (uploads.upload_status, "ecr:UploadLayerPart"),
            "DELETE": (uploads.cancel_upload, "ecr:UploadLayerPart"),
        },
    ),
    Route(
        re.compile(rf"^/v2/{_NAME}/blobs/(?P<digest>[^/]+)$"),
        {
            "GET": (blobs.get_blob, "ecr:GetDownloadUrlForLayer"),
            "HEAD": (blobs.head_blob, "ecr:BatchCheckLayerAvailability"),
            "DELETE": (blobs.delete_blob, "ecr:BatchDeleteImage"),
        },
    ),
    Route(
        re.compile(rf"^/v2/{_NAME}/manifests/(?P<reference>[^/]+)$"),
        {
            "GET": (manifests.get_manifest, "ecr:BatchGetImage"),
            "HEAD": (manifests.head_manifest, "ecr:BatchGetImage"),
            "PUT": (manifests.put_manifest, "ecr:PutImage"),
            "DELETE": (manifests.delete_manifest, "ecr:BatchDeleteImage"),
        },
    ),
    Route(re.compile(rf"^/v2/{_NAME}/tags/list$"), {"GET": (listing.list_tags, "ecr:ListImages")}),
    Route(
        re.compile(rf"^/v2/{_NAME}/referrers/(?P<digest>[^/]+)$"),
        {"GET": (listing.referrers, "ecr:BatchGetImage")},
    ),
]
CATALOG_ACTION = "ecr:DescribeRepositories"


def _match(raw_path: str) -> tuple[Route, dict[str, str]] | None:
    """Match on the raw path so an encoded '/' never splits a segment, then decode each part."""
    for route in ROUTES:
        found = route.pattern.match(raw_path)
        if found:
            return route, {key: unquote(value) for key, value in found.groupdict().items()}
    return None


async def dispatch(request: web.Request) -> web.StreamResponse:
    try:
        return await _dispatch(request)
    except Unauthorized as exc:
        return render(exc, challenge(request))
    except RegistryError as exc:
        return render(exc)
    except ConnectionResetError:
        raise
    except Exception:
        log.exception("unhandled error", path=request.path, method=request.method)
        return oci_error(500, "UNKNOWN", "internal server error; the request id is in the server log")


async def _dispatch(request: web.Request) -> web.StreamResponse:
    services = request.app[SERVICES]
    path = request.path
    principal = authenticate(request, services)
    scope = scope_for_host(services.settings, request.host)
    if path in ("/v2", "/v2/"):
        if request.method not in ("GET", "HEAD"):
            return oci_error(405, "UNSUPPORTED", "The operation is unsupported.")
        return web.Response(status=200, body=b"{}", content_type="application/json")
    if path == "/v2/_catalog":
        if request.method != "GET":
            return oci_error(405, "UNSUPPORTED", "The operation is unsupported.")
        decision = await services.authorizer.authorize(
            principal, CATALOG_ACTION, scope.repository_arn("*"), request=request_facts(request, "oci")
        )
        if not decision.allowed:
            raise Denied(decision.message)
        return await listing.catalog(OciRequest(request, services, principal, scope, "", {}))
    matched = _match(request.rel_url.raw_path)
    if matched is None:
        return oci_error(404, "UNSUPPORTED", "no such endpoint in the distribution API", {"path": path})
    route, params = matched
    name = params.pop("name")
    problem = repository_name_problem(name)
    if problem:
        raise NameInvalid(f"invalid repository name: {problem}", {"name": name})
    target = route.methods.get(request.method)
    if target is None:
        return oci_error(405, "UNSUPPORTED", "The operation is unsupported.", {"method": request.method})
    handler, action = target
    decision = await services.authorizer.authorize(
        principal, action, scope.repository_arn(name), request=request_facts(request, "oci")
    )
    if not decision.allowed:
        raise Denied(decision.message)
    return await handler(OciRequest(request, services, principal, scope, name, params))


def add_routes(app: web.Application) -> None:
    app.router.add_route("*", "/v2", dispatch)
    app.router.add_route("*", "/v2/{tail:.*}", dispatch)
