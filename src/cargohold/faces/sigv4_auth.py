"""SigV4 authentication shared by the ECR JSON face and the Query face (STS, IAM).

Each face turns SignatureError into its own protocol's error; this module only decides who signed.
"""

from __future__ import annotations

from aiohttp import web

from cargohold.faces.services import Services
from cargohold.iam.directory import KeyMatch, token_matches
from cargohold.iam.sigv4 import IncomingRequest, SignatureError, SignedIdentity, verify


async def authenticate(request: web.Request, body: bytes, services: Services) -> tuple[SignedIdentity, KeyMatch]:
    incoming = IncomingRequest(
        method=request.method,
        host=request.headers.get("Host", request.host),
        raw_path=request.rel_url.raw_path,
        raw_query=request.rel_url.raw_query_string,
        headers=request.headers,
        body=body,
    )
    identity = await verify(incoming, services.access_keys.secret)
    found = await services.access_keys.find(identity.access_key_id)
    if found is None or not token_matches(found, identity.session_token):
        raise SignatureError("UnrecognizedClient", "The security token included in the request is invalid.")
    await services.access_keys.touch(identity.access_key_id)
    return identity, found
