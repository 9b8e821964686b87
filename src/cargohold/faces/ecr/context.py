"""One ECR API call after authentication: who calls, for which registry, and the shared helpers."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiohttp import web

from cargohold.faces.ecr.errors import AccessDenied, InvalidParameter
from cargohold.faces.hosts import registry_host
from cargohold.faces.request_facts import request_facts
from cargohold.faces.services import Services
from cargohold.iam.principal import Principal
from cargohold.registry.models import Repository
from cargohold.registry.scope import Scope


@dataclass
class EcrCall:
    http: web.Request
    services: Services
    principal: Principal
    region: str
    operation: str
    action: str
    credentials_expire_at: datetime | None = None  # role sessions: registry tokens must not outlive them

    def scope(self, params: dict[str, Any]) -> Scope:
        """The registry the call addresses: `registryId`, else the caller's own account."""
        return Scope(params.get("registryId") or self.principal.account_id, self.region)

    async def authorize(
        self, resource_arn: str, action: str | None = None, extra_context: dict[str, Any] | None = None
    ) -> None:
        decision = await self.services.authorizer.authorize(
            self.principal,
            action or self.action,
            resource_arn,
            request=request_facts(self.http, "ecr"),
            extra_context=extra_context,
        )
        if not decision.allowed:
            raise AccessDenied(decision.message)

    async def authorize_repository(
        self, scope: Scope, name: str, action: str | None = None, extra_context: dict[str, Any] | None = None
    ) -> None:
        await self.authorize(scope.repository_arn(name), action, extra_context)

    async def authorize_registry(self, scope: Scope, action: str | None = None) -> None:
        await self.authorize(f"arn:aws:ecr:{scope.region}:{scope.account_id}:*", action)

    def registry_host(self, scope: Scope) -> str:
        return registry_host(self.services.settings, scope, self.http.host)

    def repository_uri(self, repo: Repository) -> str:
        return f"{self.registry_host(Scope(repo.account_id, repo.region))}/{repo.name}"


def encode_token(key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode()


def decode_token(token: str | None, kind: str) -> Any:
    """Opaque nextToken round trip; a token from another call or tampered with is an invalid parameter."""
    if token is None:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(token.encode()))
        if payload.get("k") != kind:
            raise ValueError
        return payload["v"]
    except (ValueError, KeyError, TypeError, AttributeError):
        raise InvalidParameter(
            "Invalid parameter at 'nextToken' failed to satisfy constraint: 'must be a token "
            "returned by a previous call'"
        ) from None


def next_token(kind: str, value: Any) -> str | None:
    return None if value is None else encode_token({"k": kind, "v": value})


def page_size(params: dict[str, Any], default: int = 100) -> int:
    return int(params.get("maxResults") or default)
