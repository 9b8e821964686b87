"""Policy evaluation as AWS documents it for one account and across accounts.

1. An explicit Deny in any applicable policy (identity or resource) decides: denied.
2. Within one account, an Allow in an identity policy, or in the resource policy naming the caller
   (not merely its account), is enough.
3. Across accounts, both must allow: the caller's identity policy and the owner's resource policy
   (which may name the caller's account).
4. Otherwise the implicit deny.
Every decision carries the message AWS would print and the statement that decided it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cargohold.iam.policy.conditions import conditions_hold, glob_match
from cargohold.iam.policy.language import Policy, Statement

_VARIABLE = re.compile(r"\$\{([^}]+)\}")
_SPECIAL = {"*": "*", "?": "?", "$": "$"}


@dataclass(frozen=True)
class Caller:
    arn: str  # as presented: user ARN, or arn:aws:sts::<acct>:assumed-role/<role>/<session>
    account_id: str
    kind: str = "user"  # user | assumed-role | root
    role_arn: str | None = None
    username: str | None = None
    userid: str = ""
    org_id: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    @property
    def principal_arn(self) -> str:
        """aws:PrincipalArn: the role's ARN for a role session, as IAM reports it."""
        return self.role_arn or self.arn


@dataclass(frozen=True)
class AccessRequest:
    caller: Caller
    action: str
    resource: str
    resource_account: str | None = None
    context: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str  # allowed | explicit-deny | implicit-deny
    message: str
    deciding: str | None = None  # "<policy name>#<sid or index>"

    @property
    def effect(self) -> str:
        return "Allow" if self.allowed else "Deny"


def request_context(request: AccessRequest) -> dict[str, Any]:
    """The global condition keys every request carries, lower-cased, then the caller's extras."""
    caller = request.caller
    context: dict[str, Any] = {
        "aws:principalarn": caller.principal_arn,
        "aws:principalaccount": caller.account_id,
        "aws:principaltype": {"user": "User", "assumed-role": "AssumedRole", "root": "Account"}.get(
            caller.kind, "User"
        ),
        "aws:userid": caller.userid,
    }
    if caller.username:
        context["aws:username"] = caller.username
    if caller.org_id:
        context["aws:principalorgid"] = caller.org_id
    for key, value in caller.tags.items():
        context[f"aws:principaltag/{key.lower()}"] = value
    for key, value in request.context.items():
        context[key.lower()] = value
    return context


def _substituter(policy: Policy, context: Mapping[str, Any]):  # type: ignore[no-untyped-def]
    def substitute(text: str) -> str | None:
        if not policy.supports_variables or "${" not in text:
            return text
        missing = False

        def replace(match: re.Match[str]) -> str:
            nonlocal missing
            name = match[1].strip()
            default = None
            if "," in name:
                name, default = (part.strip() for part in name.split(",", 1))
                default = default.strip("'\"")
            if name in _SPECIAL:
                return _SPECIAL[name]
            value = context.get(name.lower())
            if value is None or isinstance(value, list):
                if default is not None:
                    return default
                missing = True
                return ""
            return str(value)

        result = _VARIABLE.sub(replace, text)
        return None if missing else result

    return substitute


def _action_matches(statement: Statement, action: str) -> bool:
    if statement.actions:
        return any(glob_match(pattern, action, ignore_case=True) for pattern in statement.actions)
    return not any(glob_match(pattern, action, ignore_case=True) for pattern in statement.not_actions)


def _resource_matches(statement: Statement, resource: str, substitute) -> bool:  # type: ignore[no-untyped-def]
    def any_match(patterns: Iterable[str]) -> bool:
        for pattern in patterns:
            resolved = substitute(pattern)
            if resolved is not None and (resolved == "*" or glob_match(resolved, resource)):
                return True
        return False

    if statement.resources is not None:
        return any_match(statement.resources)
    if statement.not_resources is not None:
        return not any_match(statement.not_resources)
    return True  # resource policies may omit Resource: the statement is about this resource


def principal_match(principals: Mapping[str, tuple[str, ...]], caller: Caller) -> str | None:
    """'specific' when the caller itself is named, 'account' when only its account is, else None."""
    if "*" in principals:
        return "specific"
    best: str | None = None
    for entry in principals.get("AWS", ()):
        if entry == "*":
            return "specific"
        if entry in (caller.account_id, f"arn:aws:iam::{caller.account_id}:root"):
            best = best or "account"
            if caller.kind == "root":
                return "specific"
            continue
        if entry in (caller.arn, caller.role_arn):
            return "specific"
        if "*" in entry and (glob_match(entry, caller.arn) or (caller.role_arn and glob_match(entry, caller.role_arn))):
            return "specific"
    return best


def _applies(statement: Statement, request: AccessRequest, context: Mapping[str, Any], substitute) -> bool:  # type: ignore[no-untyped-def]
    return (
        _action_matches(statement, request.action)
        and _resource_matches(statement, request.resource, substitute)
        and conditions_hold(statement.conditions, context, substitute)
    )


def _label(policy: Policy, index: int, statement: Statement) -> str:
    return f"{policy.name or 'policy'}#{statement.sid or index}"


def evaluate(
    request: AccessRequest, identity_policies: Iterable[Policy], resource_policy: Policy | None = None
) -> Decision:
    caller = request.caller
    context = request_context(request)
    identity_allow: str | None = None
    resource_allow: tuple[str, str] | None = None  # (match kind, label)
    head = f"User: {caller.arn} is not authorized to perform: {request.action} on resource: {request.resource}"
    for policy in identity_policies:
        substitute = _substituter(policy, context)
        for index, statement in enumerate(policy.statements):
            if not _applies(statement, request, context, substitute):
                continue
            if statement.effect == "Deny":
                return Decision(
                    False,
                    "explicit-deny",
                    f"{head} with an explicit deny in an identity-based policy",
                    _label(policy, index, statement),
                )
            identity_allow = identity_allow or _label(policy, index, statement)
    if resource_policy is not None:
        substitute = _substituter(resource_policy, context)
        for index, statement in enumerate(resource_policy.statements):
            if statement.principals is not None:
                matched = principal_match(statement.principals, caller)
            else:
                matched = None if principal_match(statement.not_principals or {}, caller) else "specific"
            if matched is None or not _applies(statement, request, context, substitute):
                continue
            if statement.effect == "Deny":
                return Decision(
                    False,
                    "explicit-deny",
                    f"{head} with an explicit deny in a resource-based policy",
                    _label(resource_policy, index, statement),
                )
            if resource_allow is None or (matched == "specific" and resource_allow[0] != "specific"):
                resource_allow = (matched, _label(resource_policy, index, statement))
    same_account = request.resource_account in (None, "", caller.account_id)
    if same_account:
        if caller.kind == "root":
            return Decision(True, "allowed", "", "account root")
        if identity_allow:
            return Decision(True, "allowed", "", identity_allow)
        if resource_allow and resource_allow[0] == "specific":
            return Decision(True, "allowed", "", resource_allow[1])
        return Decision(
            False, "implicit-deny", f"{head} because no identity-based policy allows the {request.action} action"
        )
    if identity_allow and resource_allow:
        return Decision(True, "allowed", "", f"{identity_allow} + {resource_allow[1]}")
    if not identity_allow and caller.kind != "root":
        return Decision(
            False, "implicit-deny", f"{head} because no identity-based policy allows the {request.action} action"
        )
    return Decision(
        False, "implicit-deny", f"{head} because no resource-based policy allows the {request.action} action"
    )
