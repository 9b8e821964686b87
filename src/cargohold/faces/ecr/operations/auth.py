"""GetAuthorizationToken: the password `aws ecr get-login-password` prints."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from cargohold.faces.ecr.context import EcrCall
from cargohold.registry.scope import Scope


async def get_authorization_token(call: EcrCall, params: dict[str, Any]) -> dict[str, Any]:
    scope = Scope(call.principal.account_id, call.region)
    await call.authorize("*")
    ttl = call.services.settings.token_ttl_seconds
    if call.credentials_expire_at is not None:
        ttl = max(1, min(ttl, int((call.credentials_expire_at - datetime.now(UTC)).total_seconds())))
    issued = call.services.tokens.issue(call.principal, ttl)
    token = base64.b64encode(f"AWS:{issued.token}".encode()).decode()
    return {
        "authorizationData": [
            {
                "authorizationToken": token,
                "expiresAt": datetime.fromtimestamp(issued.expires_at, UTC),
                "proxyEndpoint": f"{call.http.scheme}://{call.registry_host(scope)}",
            }
        ]
    }


OPERATIONS = {"GetAuthorizationToken": get_authorization_token}
