"""Policy documents parsed into statements, validated with the errors IAM gives when a policy is put."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from cargohold.iam.policy.conditions import OPERATORS, split_operator

VERSIONS = ("2012-10-17", "2008-10-17")
_STATEMENT_KEYS = {
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
}


class MalformedPolicy(ValueError):
    """The message says what is wrong, in the terms IAM's MalformedPolicyDocument uses."""


@dataclass(frozen=True)
class Statement:
    effect: str
    sid: str | None = None
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] = ()
    resources: tuple[str, ...] | None = None  # None: the element is absent (resource policies)
    not_resources: tuple[str, ...] | None = None
    principals: dict[str, tuple[str, ...]] | None = None  # {"AWS": (...), "Service": (...)} or {"*": ("*",)}
    not_principals: dict[str, tuple[str, ...]] | None = None
    conditions: dict[str, dict[str, tuple[Any, ...]]] = field(default_factory=dict)


@dataclass(frozen=True)
class Policy:
    version: str
    statements: tuple[Statement, ...]
    name: str = ""  # where it came from (inline name, managed policy ARN, "repository policy" ...)

    @property
    def supports_variables(self) -> bool:
        return self.version == "2012-10-17"


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise MalformedPolicy(f"{where} must be a string or a non-empty list of strings")


def _principal(value: Any, where: str) -> dict[str, tuple[str, ...]]:
    if value == "*":
        return {"*": ("*",)}
    if not isinstance(value, dict) or not value:
        raise MalformedPolicy(f'{where} must be "*" or an object such as {{"AWS": "arn:aws:iam::123456789012:root"}}')
    result: dict[str, tuple[str, ...]] = {}
    for kind, entries in value.items():
        if kind not in ("AWS", "Service", "Federated", "CanonicalUser"):
            raise MalformedPolicy(f"{where} has an unknown principal type {kind!r}")
        result[kind] = _strings(entries, f"{where}.{kind}")
        if kind == "AWS":
            for entry in result[kind]:
                if not (entry == "*" or (entry.isdigit() and len(entry) == 12) or entry.startswith("arn:aws")):
                    raise MalformedPolicy(f'Invalid principal in policy: "AWS":"{entry}"')
    return result


def _conditions(value: Any, where: str) -> dict[str, dict[str, tuple[Any, ...]]]:
    if not isinstance(value, dict):
        raise MalformedPolicy(f"{where} must be an object")
    result: dict[str, dict[str, tuple[Any, ...]]] = {}
    for operator, block in value.items():
        _, base, _ = split_operator(operator)
        if base not in OPERATORS:
            raise MalformedPolicy(f"Invalid Condition type : {operator}")
        if not isinstance(block, dict) or not block:
            raise MalformedPolicy(f"{where}.{operator} must map condition keys to values")
        keys: dict[str, tuple[Any, ...]] = {}
        for key, values in block.items():
            listed = values if isinstance(values, list) else [values]
            if not listed or not all(isinstance(v, (str, int, float, bool)) for v in listed):
                raise MalformedPolicy(f"{where}.{operator}.{key} must be a value or a list of values")
            keys[key] = tuple(listed)
        result[operator] = keys
    return result


def parse_policy(text: str | dict[str, Any], *, kind: str = "identity", name: str = "") -> Policy:
    """kind: identity (Resource required, no Principal), resource (Principal required) or trust."""
    if isinstance(text, dict):
        document = text
    else:
        try:
            document = json.loads(text)
        except ValueError as exc:
            raise MalformedPolicy(f"Syntax errors in policy: {exc}") from None
    if not isinstance(document, dict):
        raise MalformedPolicy("The policy must be a JSON object")
    unknown_top = set(document) - {"Version", "Id", "Statement"}
    if unknown_top:
        raise MalformedPolicy(f"Policy document has unknown fields: {', '.join(sorted(unknown_top))}")
    version = document.get("Version", "2008-10-17")
    if version not in VERSIONS:
        raise MalformedPolicy(f"The policy must contain a valid version string ({' or '.join(VERSIONS)})")
    raw_statements = document.get("Statement")
    if isinstance(raw_statements, dict):
        raw_statements = [raw_statements]
    if not isinstance(raw_statements, list) or not raw_statements:
        raise MalformedPolicy("Policy document must contain at least one Statement")
    statements = []
    sids: set[str] = set()
    for index, raw in enumerate(raw_statements):
        where = f"Statement[{index}]"
        if not isinstance(raw, dict):
            raise MalformedPolicy(f"{where} must be an object")
        unknown = set(raw) - _STATEMENT_KEYS
        if unknown:
            raise MalformedPolicy(f"{where} has unknown fields: {', '.join(sorted(unknown))}")
        effect = raw.get("Effect")
        if effect not in ("Allow", "Deny"):
            raise MalformedPolicy(f"{where}.Effect must be Allow or Deny")
        if ("Action" in raw) == ("NotAction" in raw):
            raise MalformedPolicy(f"{where} must contain exactly one of Action or NotAction")
        sid = raw.get("Sid")
        if sid is not None:
            if not isinstance(sid, str):
                raise MalformedPolicy(f"{where}.Sid must be a string")
            if sid in sids and sid:
                raise MalformedPolicy(f"Statement IDs (SID) in a single policy must be unique: {sid}")
            sids.add(sid)
        has_principal = "Principal" in raw or "NotPrincipal" in raw
        if kind == "identity":
            if has_principal:
                raise MalformedPolicy("Policy document should not specify a principal.")
            if ("Resource" in raw) == ("NotResource" in raw):
                raise MalformedPolicy(f"{where} must contain exactly one of Resource or NotResource")
        else:
            if not has_principal:
                raise MalformedPolicy(f"{where} must contain a Principal (or NotPrincipal)")
            if "Principal" in raw and "NotPrincipal" in raw:
                raise MalformedPolicy(f"{where} cannot contain both Principal and NotPrincipal")
            if "Resource" in raw and "NotResource" in raw:
                raise MalformedPolicy(f"{where} cannot contain both Resource and NotResource")
        for key in ("Action", "NotAction"):
            if key in raw:
                for action in _strings(raw[key], f"{where}.{key}"):
                    if action != "*" and ":" not in action:
                        raise MalformedPolicy(
                            f"Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.: {action}"
                        )
        statements.append(
            Statement(
                effect=effect,
                sid=sid,
                actions=_strings(raw["Action"], f"{where}.Action") if "Action" in raw else (),
                not_actions=_strings(raw["NotAction"], f"{where}.NotAction") if "NotAction" in raw else (),
                resources=_strings(raw["Resource"], f"{where}.Resource") if "Resource" in raw else None,
                not_resources=_strings(raw["NotResource"], f"{where}.NotResource") if "NotResource" in raw else None,
                principals=_principal(raw["Principal"], f"{where}.Principal") if "Principal" in raw else None,
                not_principals=_principal(raw["NotPrincipal"], f"{where}.NotPrincipal")
                if "NotPrincipal" in raw
                else None,
                conditions=_conditions(raw["Condition"], f"{where}.Condition") if "Condition" in raw else {},
            )
        )
    return Policy(version=version, statements=tuple(statements), name=name)
