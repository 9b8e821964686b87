"""The AWS Query protocol (form-encoded in, XML out) driven by botocore's service models.

Used by STS and IAM: `POST /` with `Action=...&Version=...`, SigV4-signed with the service's name.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

import botocore.session
from aiohttp import web
from botocore.model import ServiceModel, Shape

from cargohold.iam.errors import IamError

NAMESPACES = {"sts": "https://sts.amazonaws.com/doc/2011-06-15/", "iam": "https://iam.amazonaws.com/doc/2010-05-08/"}


@lru_cache(maxsize=4)
def service_model(name: str) -> ServiceModel:
    return botocore.session.get_session().get_service_model(name)


def parse_params(shape: Shape | None, form: Mapping[str, str], prefix: str = "") -> dict[str, Any]:
    """Unflatten `Name`, `Name.member.N`, `Name.member.N.Sub` into the input shape's structure."""
    result: dict[str, Any] = {}
    if shape is None:
        return result
    for name, member in shape.members.items():
        key = f"{prefix}{name}"
        value = _parse_value(member, form, key)
        if value is not None:
            result[name] = value
    return result


def _parse_value(shape: Shape, form: Mapping[str, str], key: str) -> Any:
    kind = shape.type_name
    if kind == "structure":
        nested = parse_params(shape, form, key + ".")
        return nested or None
    if kind == "list":
        items = []
        index = 1
        while True:
            item = _parse_value(shape.member, form, f"{key}.member.{index}")  # type: ignore[attr-defined]
            if item is None:
                break
            items.append(item)
            index += 1
        return items or None
    raw = form.get(key)
    if raw is None:
        return None
    if kind in ("integer", "long"):
        try:
            return int(raw)
        except ValueError:
            raise IamError(
                "ValidationError", f"Value '{raw}' at '{key}' failed to satisfy constraint: Member must be a number"
            ) from None
    if kind == "boolean":
        return raw.lower() == "true"
    return raw


def check_constraints(shape: Shape | None, params: Mapping[str, Any]) -> None:
    """Required members, lengths, patterns and ranges, with AWS's ValidationError wording."""
    if shape is None:
        return
    for name in shape.required_members:
        if params.get(name) is None:
            raise IamError(
                "ValidationError",
                f"1 validation error detected: Value null at '{_camel(name)}' failed "
                "to satisfy constraint: Member must not be null",
            )
    for name, value in params.items():
        member = shape.members.get(name)
        if member is None or value is None:
            continue
        meta = member.metadata
        where = _camel(name)
        if member.type_name == "string":
            if ("min" in meta and len(value) < meta["min"]) or ("max" in meta and len(value) > meta["max"]):
                raise IamError(
                    "ValidationError",
                    f"1 validation error detected: Value at '{where}' failed to "
                    f"satisfy constraint: Member must have length between {meta.get('min', 0)} and "
                    f"{meta.get('max', 'unbounded')}",
                )
            pattern = meta.get("pattern")
            if pattern and not re.fullmatch(pattern, value, re.S):
                raise IamError(
                    "ValidationError",
                    f"1 validation error detected: Value '{value}' at '{where}' "
                    f"failed to satisfy constraint: Member must satisfy regular expression pattern: "
                    f"{pattern}",
                )
        if member.type_name in ("integer", "long") and (
            ("min" in meta and value < meta["min"]) or ("max" in meta and value > meta["max"])
        ):
            raise IamError(
                "ValidationError",
                f"1 validation error detected: Value '{value}' at '{where}' "
                f"failed to satisfy constraint: Member must have value between {meta.get('min')} "
                f"and {meta.get('max')}",
            )


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def _xml_value(shape: Shape, value: Any) -> str:
    kind = shape.type_name
    if kind == "structure":
        return "".join(
            f"<{name}>{_xml_value(shape.members[name], item)}</{name}>"
            for name, item in value.items()
            if name in shape.members and item is not None
        )
    if kind == "list":
        return "".join(f"<member>{_xml_value(shape.member, item)}</member>" for item in value)  # type: ignore[attr-defined]
    if kind == "timestamp":
        moment = value if isinstance(value, datetime) else datetime.fromtimestamp(float(value), UTC)
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if kind == "boolean":
        return "true" if value else "false"
    return escape(str(value))


def xml_response(
    service: str, operation: str, output_shape: Shape | None, result: Mapping[str, Any], request_id: str
) -> web.Response:
    namespace = NAMESPACES[service]
    body = f'<{operation}Response xmlns="{namespace}">'
    if output_shape is not None and output_shape.members:
        body += f"<{operation}Result>{_xml_value(output_shape, result)}</{operation}Result>"
    body += f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{operation}Response>"
    return web.Response(body=body.encode(), content_type="text/xml", headers={"x-amzn-RequestId": request_id})


def xml_error(code: str, message: str, status: int, request_id: str, sender: bool = True) -> web.Response:
    body = (
        f"<ErrorResponse><Error><Type>{'Sender' if sender else 'Receiver'}</Type><Code>{escape(code)}</Code>"
        f"<Message>{escape(message)}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
    )
    return web.Response(
        status=status, body=body.encode(), content_type="text/xml", headers={"x-amzn-RequestId": request_id}
    )


QueryHandler = Callable[[Any, dict[str, Any]], Awaitable[dict[str, Any]]]


def new_request_id() -> str:
    return str(uuid.uuid4())
