"""Authentication on /v2: `Authorization: Basic base64(AWS:<registry token>)`, as ECR expects."""

from __future__ import annotations

import base64
import binascii

from aiohttp import web

from cargohold.faces.services import Services
from cargohold.iam.principal import Principal
from cargohold.iam.tokens import TokenInvalid
from cargohold.registry.errors import Unauthorized


def challenge(request: web.Request) -> dict[str, str]:
    host = request.host
    return {"WWW-Authenticate": f'Basic realm="{request.scheme}://{host}/",service="ecr.amazonaws.com"'}


def authenticate(request: web.Request, services: Services) -> Principal:
    header = request.headers.get("Authorization", "")
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() != "basic" or not credentials:
        raise Unauthorized("authentication required: log in with the password from get-login-password")
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise Unauthorized("authentication required: the Basic credentials are not valid base64") from None
    username, colon, token = decoded.partition(":")
    if not colon or username != "AWS":
        raise Unauthorized("authentication required: the user name must be AWS")
    try:
        return services.tokens.verify(token)
    except TokenInvalid as exc:
        raise Unauthorized(f"authentication required: {exc}") from None
