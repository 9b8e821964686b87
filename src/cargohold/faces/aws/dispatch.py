"""`POST /`: the ECR JSON API (X-Amz-Target) or the Query protocol (STS, IAM), told apart by the request."""

from __future__ import annotations

from urllib.parse import parse_qsl

import structlog
from aiohttp import web

from cargohold.faces.aws import iam_api, sts
from cargohold.faces.aws.call import QueryCall
from cargohold.faces.aws.query import (
    check_constraints,
    new_request_id,
    parse_params,
    service_model,
    xml_error,
    xml_response,
)
from cargohold.faces.ecr.protocol import handle as handle_ecr
from cargohold.faces.services import SERVICES
from cargohold.faces.sigv4_auth import authenticate
from cargohold.iam.access_keys import principal_for
from cargohold.iam.errors import IamError
from cargohold.iam.sigv4 import SignatureError

log = structlog.get_logger("cargohold.query")
HANDLERS = {"sts": sts.OPERATIONS, "iam": iam_api.OPERATIONS}
_SIGNATURE_CODES = {
    "UnrecognizedClient": "InvalidClientTokenId",
    "InvalidSignature": "SignatureDoesNotMatch",
    "IncompleteSignature": "IncompleteSignature",
    "MissingAuthenticationToken": "MissingAuthenticationToken",
}


async def root(request: web.Request) -> web.StreamResponse:
    if "X-Amz-Target" in request.headers:
        return await handle_ecr(request)
    return await handle_query(request)


async def handle_query(request: web.Request) -> web.StreamResponse:
    request_id = new_request_id()
    try:
        return await _handle(request, request_id)
    except IamError as exc:
        return xml_error(exc.code, exc.message, exc.status, request_id)
    except SignatureError as exc:
        return xml_error(_SIGNATURE_CODES.get(exc.code, "SignatureDoesNotMatch"), exc.message, 403, request_id)
    except Exception:
        log.exception("unhandled error", request_id=request_id)
        return xml_error(
            "InternalFailure",
            "An internal error occurred; the request id is in the server log",
            500,
            request_id,
            sender=False,
        )


async def _handle(request: web.Request, request_id: str) -> web.StreamResponse:
    services = request.app[SERVICES]
    body = await request.read()
    form = dict(parse_qsl(request.rel_url.raw_query_string, keep_blank_values=True))
    if request.content_type == "application/x-www-form-urlencoded":
        form.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    identity, found = await authenticate(request, body, services)
    service = identity.service
    if service not in HANDLERS:
        raise IamError("InvalidAction", f"cargohold does not answer the {service!r} service here", 400)
    action = form.get("Action", "")
    handler = HANDLERS[service].get(action)
    if handler is None:
        raise IamError("InvalidAction", f"Could not find operation {action} for version {form.get('Version')}", 400)
    model = service_model(service).operation_model(action)
    params = parse_params(model.input_shape, form)
    check_constraints(model.input_shape, params)
    call = QueryCall(request, services, principal_for(found), service, action)
    result = await handler(call, params)
    return xml_response(service, action, model.output_shape, result, request_id)
