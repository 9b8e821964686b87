"""The one place every request's access is decided, on every face.

Deny by default: the caller's identity policies (inline and attached, of the user or of the role
behind a session) and the resource's policy (repository policy, or the registry policy for the
registry-level actions it may grant) are evaluated as AWS does (iam/policy/evaluate.py), and the
decision is written to the audit log.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from cargohold.iam import directory
from cargohold.iam.audit import AuditEvent, AuditLog
from cargohold.iam.policy.evaluate import AccessRequest, Caller, Decision, evaluate
from cargohold.iam.policy.language import MalformedPolicy, Policy, parse_policy
from cargohold.iam.principal import Principal

_CACHE_SECONDS = 5.0
REGISTRY_POLICY_ACTIONS = frozenset({"ecr:ReplicateImage", "ecr:BatchImportUpstreamImage", "ecr:CreateRepository"})


@dataclass(frozen=True)
class ResourceFacts:
    """What the registry knows about a resource that policies may look at."""

    policy_text: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)


ResourceLookup = Callable[[str, str], Awaitable[ResourceFacts]]  # (resource ARN, action) -> facts


@dataclass(frozen=True)
class RequestFacts:
    face: str = "ecr"
    source_ip: str | None = None
    secure_transport: bool = False


def resource_account(resource_arn: str) -> str | None:
    parts = resource_arn.split(":")
    return parts[4] if len(parts) > 4 and parts[4] else None


def _parse_all(documents: list[tuple[str, str]], kind: str) -> list[Policy]:
    policies = []
    for name, text in documents:
        try:
            policies.append(parse_policy(text, kind=kind, name=name))
        except MalformedPolicy:
            continue  # stored policies were validated when put; a bad one grants nothing
    return policies


class Authorizer:
    def __init__(self, engine: AsyncEngine, resources: ResourceLookup, audit: AuditLog) -> None:
        self.engine = engine
        self.resources = resources
        self.audit = audit
        self._identity: dict[str, tuple[tuple[directory.PrincipalInfo | None, list[Policy]], float]] = {}
        self._resource_policies: dict[str, Policy | None] = {}

    async def _identity_of(self, principal: Principal) -> tuple[directory.PrincipalInfo | None, list[Policy]]:
        key = principal.identity_arn
        now = time.monotonic()
        cached = self._identity.get(key)
        if cached and cached[1] > now:
            return cached[0]

        def load(conn: Any) -> tuple[directory.PrincipalInfo | None, list[tuple[str, str]]]:
            info = directory.find_principal(conn, key)
            return info, (directory.identity_documents(conn, info) if info else [])

        async with self.engine.connect() as conn:
            info, documents = await conn.run_sync(load)
        value = (info, _parse_all(documents, "identity"))
        self._identity[key] = (value, now + _CACHE_SECONDS)
        return value

    def _resource_policy(self, text: str | None) -> Policy | None:
        if not text:
            return None
        if text not in self._resource_policies:
            if len(self._resource_policies) > 1024:
                self._resource_policies.clear()
            try:
                self._resource_policies[text] = parse_policy(text, kind="resource", name="resource policy")
            except MalformedPolicy:
                self._resource_policies[text] = None
        return self._resource_policies[text]

    def forget(self, principal_arn: str | None = None) -> None:
        """Drop cached identities (after an IAM change made through this node)."""
        if principal_arn is None:
            self._identity.clear()
        else:
            self._identity.pop(principal_arn, None)

    async def authorize(
        self,
        principal: Principal,
        action: str,
        resource_arn: str,
        *,
        request: RequestFacts | None = None,
        extra_context: Mapping[str, Any] | None = None,
        resource_policy: Policy | None = None,
    ) -> Decision:
        """resource_policy: the policy of a resource this module does not look up (a role's trust policy)."""
        facts = request or RequestFacts()
        info, identity_policies = await self._identity_of(principal)
        resource = ResourceFacts() if resource_policy is not None else await self.resources(resource_arn, action)
        now = datetime.now(UTC)
        context: dict[str, Any] = {
            "aws:CurrentTime": now,
            "aws:EpochTime": str(int(now.timestamp())),
            "aws:SecureTransport": facts.secure_transport,
        }
        if facts.source_ip:
            context["aws:SourceIp"] = facts.source_ip
        for key, value in resource.tags.items():
            context[f"aws:ResourceTag/{key}"] = value
            context[f"ecr:ResourceTag/{key}"] = value
        context.update(extra_context or {})
        caller = Caller(
            arn=principal.arn,
            account_id=principal.account_id,
            kind="assumed-role" if principal.kind == "assumed-role" else "user",
            role_arn=principal.role_arn,
            username=principal.name if principal.kind == "user" else None,
            userid=f"{info.unique_id}:{principal.name}"
            if info and principal.kind == "assumed-role"
            else (info.unique_id if info else principal.unique_id),
            org_id=info.org_id if info else None,
        )
        decision = evaluate(
            AccessRequest(caller, action, resource_arn, resource_account(resource_arn), context),
            identity_policies if info else [],
            resource_policy if resource_policy is not None else self._resource_policy(resource.policy_text),
        )
        self.audit.record(
            AuditEvent(
                time=now,
                principal_arn=principal.arn,
                account_id=principal.account_id,
                action=action,
                resource=resource_arn,
                source_ip=facts.source_ip,
                decision=decision.effect,
                reason=decision.reason,
                deciding=decision.deciding,
                face=facts.face,
            )
        )
        return decision
