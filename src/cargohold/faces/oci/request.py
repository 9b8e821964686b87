"""A /v2 request after routing and authentication: what every handler receives."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from aiohttp import web

from cargohold.faces.services import Services
from cargohold.iam.principal import Principal
from cargohold.registry.scope import Scope


@dataclass
class OciRequest:
    http: web.Request
    services: Services
    principal: Principal
    scope: Scope
    name: str
    params: dict[str, str]

    @property
    def registry(self):  # type: ignore[no-untyped-def]
        return self.services.registry

    async def body_chunks(self) -> AsyncIterator[bytes]:
        async for chunk in self.http.content.iter_any():
            yield chunk

    def has_body(self) -> bool:
        length = self.http.content_length
        if length is not None:
            return length > 0
        return self.http.headers.get("Transfer-Encoding", "").lower() == "chunked"
