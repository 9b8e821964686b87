"""STS: GetCallerIdentity and AssumeRole (trust policies decide, as AWS documents)."""

from __future__ import annotations

import re
from typing import Any

from cargohold.faces.aws.call import QueryCall
from cargohold.faces.request_facts import request_facts
from cargohold.iam import directory
from cargohold.iam.errors import IamError
from cargohold.iam.policy.language import MalformedPolicy, parse_policy
from cargohold.iam.principal import session_arn

_ROLE_ARN = re.compile(r"^arn:aws:iam::([0-9]{12}):role/(?:.*/)?([\w+=,.@-]+)$")


async def get_caller_identity(call: QueryCall, params: dict[str, Any]) -> dict[str, Any]:
    principal = call.principal
    user_id = principal.unique_id if principal.kind == "user" else f"{principal.unique_id}:{principal.name}"
    return {"UserId": user_id, "Account": principal.account_id, "Arn": principal.arn}


async def assume_role(call: QueryCall, params: dict[str, Any]) -> dict[str, Any]:
    role_arn, session_name = params["RoleArn"], params["RoleSessionName"]
    match = _ROLE_ARN.match(role_arn)
    denied = IamError(
        "AccessDenied",
        f"User: {call.principal.arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
        403,
    )
    if not match:
        raise IamError("ValidationError", f"{role_arn} is not a valid role ARN")
    account, role_name = match[1], match[2]

    def load(conn: Any) -> tuple[directory.PrincipalInfo, str, int] | None:
        try:
            role = directory.get_principal(conn, account, "role", role_name)
        except IamError:
            return None
        trust, max_session = directory.trust_of(conn, role)
        return role, trust, max_session

    loaded = await call.run(load)
    if loaded is None:
        raise denied
    role, trust_text, max_session = loaded
    duration = int(params.get("DurationSeconds") or 3600)
    if duration > max_session:
        raise IamError(
            "ValidationError",
            f"The requested DurationSeconds exceeds the MaxSessionDuration set for this role ({max_session}).",
        )
    # The trust policy is the role's resource policy; the caller's identity policies count as well.
    try:
        trust = parse_policy(trust_text, kind="trust", name=f"trust policy of {role_arn}")
    except MalformedPolicy:
        raise denied from None
    decision = await call.services.authorizer.authorize(
        call.principal, "sts:AssumeRole", role_arn, request=request_facts(call.http, "sts"), resource_policy=trust
    )
    if not decision.allowed:
        raise denied
    credentials = await call.run(
        lambda conn: directory.create_session(conn, call.services.box, role, session_name, duration)
    )
    return {
        "Credentials": credentials,
        "AssumedRoleUser": {
            "AssumedRoleId": f"{role.unique_id}:{session_name}",
            "Arn": session_arn(account, role_name, session_name),
        },
    }


OPERATIONS = {"GetCallerIdentity": get_caller_identity, "AssumeRole": assume_role}
