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
    issued = call.services.tokens.issue(call.principal, call.services.settings.token_ttl_seconds)
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
