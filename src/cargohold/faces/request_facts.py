"""The request facts a policy may look at (aws:SourceIp, aws:SecureTransport), taken from HTTP."""

from __future__ import annotations

from aiohttp import web

from cargohold.iam.authorizer import RequestFacts


def request_facts(request: web.Request, face: str) -> RequestFacts:
    return RequestFacts(face=face, source_ip=request.remote, secure_transport=request.scheme == "https")
