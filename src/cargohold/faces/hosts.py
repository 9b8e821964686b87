"""Which registry (account, region) a request's Host names.

With CARGOHOLD_REGISTRY_DOMAIN=example.test, `123456789012.dkr.ecr.eu-west-1.example.test` selects that
account and region, as ECR's hostnames do. Any other host (localhost:5000) means the default account
and region from the settings.
"""

from __future__ import annotations

import re
from functools import lru_cache

from cargohold.config import Settings
from cargohold.registry.scope import Scope


@lru_cache(maxsize=16)
def _host_pattern(domain: str) -> re.Pattern[str]:
    return re.compile(
        r"^(?P<account>[0-9]{12})\.dkr\.ecr\.(?P<region>[a-z]{2}(?:-[a-z]+)+-[0-9]+)\."
        + re.escape(domain.lower())
        + r"(?::[0-9]+)?$"
    )


def scope_for_host(settings: Settings, host: str | None) -> Scope:
    if settings.registry_domain and host:
        match = _host_pattern(settings.registry_domain).match(host.lower())
        if match:
            return Scope(match["account"], match["region"])
    return Scope(settings.account_id, settings.region)


def registry_host(settings: Settings, scope: Scope, request_host: str | None) -> str:
    """The host a client should put in an image reference for `scope`."""
    if settings.registry_domain:
        port = ""
        if request_host and ":" in request_host:
            port = ":" + request_host.rsplit(":", 1)[1]
        return f"{scope.account_id}.dkr.ecr.{scope.region}.{settings.registry_domain}{port}"
    return request_host or f"{settings.host}:{settings.port}"
