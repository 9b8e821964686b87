"""`cargohold iam lint`: what an auditor would circle. Pure: facts in, findings out.

- a resource policy that allows "Principal": "*" with no condition;
- an organization-wide grant (aws:PrincipalOrgID) on a repository or registry;
- a task role that can pull from ECR while the execution role (which ECS pulls with) cannot;
- access keys never used, or not used for a long time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from cargohold.iam.policy.evaluate import AccessRequest, Caller, evaluate
from cargohold.iam.policy.language import Policy, Statement

PULL_ACTIONS = ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")
ECS_TASKS = "ecs-tasks.amazonaws.com"
EXECUTION_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"


@dataclass(frozen=True)
class Finding:
    severity: str  # high | medium | low
    resource: str
    finding: str
    fix: str


@dataclass(frozen=True)
class ResourcePolicyFact:
    resource: str  # repository ARN, or "registry <account>/<region>"
    policy: Policy


@dataclass(frozen=True)
class RoleFact:
    arn: str
    account_id: str
    name: str
    trust: Policy | None
    identity: list[Policy]
    attached: list[str]


@dataclass(frozen=True)
class KeyFact:
    access_key_id: str
    user_arn: str
    created_at: datetime
    last_used_at: datetime | None


def _principal_is_star(statement: Statement) -> bool:
    principals = statement.principals or {}
    return "*" in principals or "*" in principals.get("AWS", ())


def _uses_org_id(statement: Statement) -> str | None:
    for block in statement.conditions.values():
        for key, values in block.items():
            if key.lower() == "aws:principalorgid":
                return ", ".join(str(v) for v in values)
    return None


def lint_resource_policies(facts: Iterable[ResourcePolicyFact]) -> list[Finding]:
    findings = []
    for fact in facts:
        for index, statement in enumerate(fact.policy.statements):
            if statement.effect != "Allow":
                continue
            label = statement.sid or f"statement {index}"
            org = _uses_org_id(statement)
            if _principal_is_star(statement) and not statement.conditions:
                findings.append(
                    Finding(
                        "high",
                        fact.resource,
                        f'{label} allows "Principal": "*" with no condition: anyone with any AWS account can '
                        f"{', '.join(statement.actions or ('(NotAction)',))}",
                        "name the accounts or roles that need access, or add a condition such as aws:PrincipalOrgID",
                    )
                )
            elif org:
                findings.append(
                    Finding(
                        "medium",
                        fact.resource,
                        f"{label} grants every account in organization {org} "
                        f"{', '.join(statement.actions or ('(NotAction)',))}",
                        "scope the grant to the accounts or OUs that deploy this image "
                        "(aws:PrincipalOrgPaths or account ids)",
                    )
                )
    return findings


def _trusted_by_ecs(role: RoleFact) -> bool:
    if role.trust is None:
        return False
    return any(
        ECS_TASKS in (s.principals or {}).get("Service", ()) for s in role.trust.statements if s.effect == "Allow"
    )


def _is_execution_role(role: RoleFact) -> bool:
    return EXECUTION_POLICY in role.attached or "execution" in role.name.lower()


def _can_pull(role: RoleFact, region: str) -> bool:
    caller = Caller(
        arn=f"arn:aws:sts::{role.account_id}:assumed-role/{role.name}/lint",
        account_id=role.account_id,
        kind="assumed-role",
        role_arn=role.arn,
    )
    resource = f"arn:aws:ecr:{region}:{role.account_id}:repository/*"
    return (
        all(
            evaluate(AccessRequest(caller, action, resource, role.account_id), role.identity).allowed
            for action in PULL_ACTIONS
        )
        and evaluate(AccessRequest(caller, "ecr:GetAuthorizationToken", "*"), role.identity).allowed
    )


def lint_roles(roles: Iterable[RoleFact], region: str) -> list[Finding]:
    ecs_roles = [role for role in roles if _trusted_by_ecs(role)]
    execution = [role for role in ecs_roles if _is_execution_role(role)]
    tasks = [role for role in ecs_roles if not _is_execution_role(role)]
    findings = []
    for task_role in tasks:
        if not _can_pull(task_role, region):
            continue
        for exec_role in execution:
            if exec_role.account_id == task_role.account_id and not _can_pull(exec_role, region):
                findings.append(
                    Finding(
                        "high",
                        exec_role.arn,
                        f"task role {task_role.name} can pull from ECR but execution role {exec_role.name} cannot; "
                        "ECS pulls images with the execution role, so tasks fail with CannotPullContainerError",
                        f"attach {EXECUTION_POLICY} to {exec_role.name} (and drop pull rights from the task role "
                        "if the application does not need them)",
                    )
                )
    return findings


def lint_keys(keys: Iterable[KeyFact], now: datetime, unused_days: int = 90) -> list[Finding]:
    findings = []
    limit = timedelta(days=unused_days)
    for key in keys:
        if key.last_used_at is None and now - key.created_at > limit:
            findings.append(
                Finding(
                    "medium",
                    key.user_arn,
                    f"access key {key.access_key_id} was created {(now - key.created_at).days} days ago and never used",
                    f"delete it: aws iam delete-access-key --access-key-id {key.access_key_id}",
                )
            )
        elif key.last_used_at is not None and now - key.last_used_at > limit:
            findings.append(
                Finding(
                    "low",
                    key.user_arn,
                    f"access key {key.access_key_id} has not been used for {(now - key.last_used_at).days} days",
                    f"deactivate or delete it: aws iam delete-access-key --access-key-id {key.access_key_id}",
                )
            )
    return findings
