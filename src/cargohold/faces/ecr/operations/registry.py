"""DescribeRegistry, GetAccountSetting, PutAccountSetting."""

from __future__ import annotations

from typing import Any

from cargohold.faces.ecr.context import EcrCall
from cargohold.faces.ecr.errors import ValidationError

ACCOUNT_SETTINGS = {
    "BASIC_SCAN_TYPE_VERSION": ({"AWS_NATIVE", "CLAIR"}, "AWS_NATIVE"),
    "REGISTRY_POLICY_SCOPE": ({"V1", "V2"}, "V2"),
    "BLOB_MOUNTING": ({"ENABLED", "DISABLED"}, "DISABLED"),
}


async def describe_registry(call: EcrCall, params: dict[str, Any]) -> dict[str, Any]:
    scope = call.scope(params)
    await call.authorize_registry(scope)
    return {"registryId": scope.account_id, "replicationConfiguration": {"rules": []}}


def _setting(name: str) -> tuple[set[str], str]:
    if name not in ACCOUNT_SETTINGS:
        raise ValidationError(
            f"Account setting name '{name}' is not valid; valid names: {', '.join(sorted(ACCOUNT_SETTINGS))}"
        )
    return ACCOUNT_SETTINGS[name]


async def get_account_setting(call: EcrCall, params: dict[str, Any]) -> dict[str, Any]:
    scope = call.scope(params)
    await call.authorize_registry(scope)
    _, default = _setting(params["name"])
    value = await call.services.registry.settings.get(scope, f"account:{params['name']}")
    return {"name": params["name"], "value": value or default}


async def put_account_setting(call: EcrCall, params: dict[str, Any]) -> dict[str, Any]:
    scope = call.scope(params)
    await call.authorize_registry(scope)
    allowed, _ = _setting(params["name"])
    if params["value"] not in allowed:
        raise ValidationError(
            f"Value '{params['value']}' is not valid for {params['name']}; valid values: {', '.join(sorted(allowed))}"
        )
    await call.services.registry.settings.put(scope, f"account:{params['name']}", params["value"])
    return {"name": params["name"], "value": params["value"]}


OPERATIONS = {
    "DescribeRegistry": describe_registry,
    "GetAccountSetting": get_account_setting,
    "PutAccountSetting": put_account_setting,
}
