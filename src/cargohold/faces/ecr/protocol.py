"""AWS JSON 1.1 on `POST /`: authenticate (SigV4), route by X-Amz-Target, validate against the model,
call the operation, encode the answer per the model; every error as `__type` + `message`."""

from __future__ import annotations

import json
import uuid
from typing import Any

import structlog
from aiohttp import web

from cargohold.faces.ecr.context import EcrCall
from cargohold.faces.ecr.errors import (
    AccessDenied,
    EcrError,
    IncompleteSignature,
    InvalidParameter,
    InvalidSignature,
    MissingAuthenticationToken,
    SerializationError,
    UnknownOperation,
    UnrecognizedClient,
)
from cargohold.faces.ecr.model import operation, serialize, validate
from cargohold.faces.ecr.operations import HANDLERS, action_for
from cargohold.faces.services import SERVICES
from cargohold.faces.sigv4_auth import authenticate
from cargohold.iam.access_keys import principal_for
from cargohold.iam.sigv4 import SignatureError
from cargohold.registry.errors import RegistryError

TARGET_PREFIX = "AmazonEC2ContainerRegistry_V20150921."
CONTENT_TYPE = "application/x-amz-json-1.1"
log = structlog.get_logger("cargohold.ecr")

_SIGNATURE_ERRORS: dict[str, type[EcrError]] = {
    "IncompleteSignature": IncompleteSignature,
    "InvalidSignature": InvalidSignature,
    "MissingAuthenticationToken": MissingAuthenticationToken,
    "UnrecognizedClient": UnrecognizedClient,
}


def _response(status: int, payload: dict[str, Any], request_id: str) -> web.Response:
    return web.Response(
        status=status,
        body=json.dumps(payload).encode(),
        headers={"Content-Type": CONTENT_TYPE, "x-amzn-RequestId": request_id},
    )


def _error(exc: EcrError, request_id: str) -> web.Response:
    payload: dict[str, Any] = {"__type": exc.type_name, "message": exc.message}
    payload.update(exc.extra)
    response = _response(exc.status, payload, request_id)
    response.headers["x-amzn-ErrorType"] = exc.type_name
    return response


def registry_error_to_ecr(exc: RegistryError) -> EcrError:
    status = 500 if exc.ecr_type == "ServerException" else 400
    return EcrError(exc.message, type_name=exc.ecr_type, status=status)


async def handle(request: web.Request) -> web.StreamResponse:
    request_id = str(uuid.uuid4())
    try:
        return await _handle(request, request_id)
    except EcrError as exc:
        return _error(exc, request_id)
    except RegistryError as exc:
        return _error(registry_error_to_ecr(exc), request_id)
    except Exception:
        log.exception("unhandled error", request_id=request_id)
        return _error(
            EcrError("An internal error occurred; the request id is in the server log", status=500), request_id
        )


async def _handle(request: web.Request, request_id: str) -> web.StreamResponse:
    services = request.app[SERVICES]
    body = await request.read()
    try:
        identity, found = await authenticate(request, body, services)
    except SignatureError as exc:
        raise _SIGNATURE_ERRORS.get(exc.code, InvalidSignature)(exc.message) from None
    if identity.service != "ecr":
        raise InvalidSignature(f"Credential should be scoped to correct service: 'ecr', not '{identity.service}'.")
    principal = principal_for(found)

    target = request.headers.get("X-Amz-Target", "")
    name = target[len(TARGET_PREFIX) :] if target.startswith(TARGET_PREFIX) else ""
    model = operation(name) if name else None
    handler = HANDLERS.get(name)
    if model is None or handler is None:
        raise UnknownOperation(f"Unknown operation {target!r}" if target else "Missing X-Amz-Target header")
    try:
        params = json.loads(body or b"{}")
    except ValueError:
        raise SerializationError("The request body is not valid JSON") from None
    if not isinstance(params, dict):
        raise SerializationError("The request body must be a JSON object")
    validate(model.input_shape, params)
    call = EcrCall(request, services, principal, identity.region, name, action_for(name), found.expires_at)
    result = await handler(call, params)
    return _response(200, serialize(model.output_shape, result) or {}, request_id)


__all__ = ["AccessDenied", "InvalidParameter", "handle"]
