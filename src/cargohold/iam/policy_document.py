"""Structural validation of IAM policy JSON when it is stored (repository and registry policies).

Evaluation comes with the IAM issue; what is stored must already be a well-formed policy, so a bad
document is refused with a clear error at Set/Put time, as AWS does.
"""

from __future__ import annotations

import json
from typing import Any


class PolicyInvalid(ValueError):
    pass


_EFFECTS = {"Allow", "Deny"}
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


def _strings(value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return value
    raise PolicyInvalid(f"{where} must be a string or a non-empty list of strings")


def parse_policy(text: str, *, resource_policy: bool) -> dict[str, Any]:
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise PolicyInvalid(f"the policy is not valid JSON ({exc})") from None
    if not isinstance(document, dict):
        raise PolicyInvalid("the policy must be a JSON object")
    version = document.get("Version")
    if version is not None and version not in ("2012-10-17", "2008-10-17"):
        raise PolicyInvalid("Version must be 2012-10-17 or 2008-10-17")
    statements = document.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        raise PolicyInvalid("Statement must be a non-empty list")
    for index, statement in enumerate(statements):
        where = f"Statement[{index}]"
        if not isinstance(statement, dict):
            raise PolicyInvalid(f"{where} must be an object")
        unknown = set(statement) - _STATEMENT_KEYS
        if unknown:
            raise PolicyInvalid(f"{where} has unknown keys: {', '.join(sorted(unknown))}")
        if statement.get("Effect") not in _EFFECTS:
            raise PolicyInvalid(f"{where}.Effect must be Allow or Deny")
        if ("Action" in statement) == ("NotAction" in statement):
            raise PolicyInvalid(f"{where} needs exactly one of Action or NotAction")
        for key in ("Action", "NotAction", "Resource", "NotResource"):
            if key in statement:
                _strings(statement[key], f"{where}.{key}")
        if resource_policy and ("Principal" in statement) == ("NotPrincipal" in statement):
            raise PolicyInvalid(f"{where} needs exactly one of Principal or NotPrincipal in a resource policy")
        condition = statement.get("Condition")
        if condition is not None and not isinstance(condition, dict):
            raise PolicyInvalid(f"{where}.Condition must be an object")
    return document


def actions_of(document: dict[str, Any]) -> list[str]:
    statements = document["Statement"]
    if isinstance(statements, dict):
        statements = [statements]
    found: list[str] = []
    for statement in statements:
        found += _strings(statement.get("Action") or statement.get("NotAction"), "Action")
    return found
