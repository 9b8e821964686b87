"""Repository and registry policies: stored and validated as IAM policy JSON."""

from __future__ import annotations

from typing import Any

from cargohold.faces.ecr.context import EcrCall
from cargohold.faces.ecr.errors import EcrError, InvalidParameter
from cargohold.iam.authorizer import REGISTRY_POLICY_ACTIONS
from cargohold.iam.policy.language import MalformedPolicy, parse_policy

REGISTRY_POLICY = "registry_policy"


def _repo_policy_missing(name: str, registry_id: str) -> EcrError:
    return EcrError(
        f"Repository policy does not exist for the repository with name '{name}' in the registry with id "
        f"'{registry_id}'",
        type_name="RepositoryPolicyNotFoundException",
    )


async def set_repository_policy(call: EcrCall, params: dict[str, Any]) -> dict[str, Any]:
    scope = call.scope(params)
    name = params["repositoryName"]
    await call.authorize_repository(scope, name)
    try:
        parse_policy(params["policyText"], kind="resource")
    except MalformedPolicy as exc:
        raise InvalidParameter(
            f"Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository "
            f"policy provided: {exc}'"
        ) from None
    repo = await call.services.registry.repositories.update(scope, name, policy_text=params["policyText"])
    call.services.resource_facts.forget()
    return {"registryId": repo.account_id, "repositoryName": repo.name, "policyText": params["policyText"]}


async def get_repository_policy(call: EcrCall, params: dict[str, Any]) -> dict[str, Any]:
    scope = call.scope(params)
    name = params["repositoryName"]
    await call.authorize_repository(scope, name)
    text = await call.services.registry.repositories.policy(scope, name)
    if text is None:
        raise _repo_policy_missing(name, scope.account_id)
    return {"registryId": scope.account_id, "repositoryName": name, "policyText": text}


async def delete_repository_policy(call: EcrCall, params: dict[str, Any]) -> dict[str, Any]:
    scope = call.scope(params)
    name = params["repositoryName"]
    await call.authorize_repository(scope, name)
    text = await call.services.registry.repositories.policy(scope, name)
    if text is None:
        raise _repo_policy_missing(name, scope.account_id)
    await call.services.registry.repositories.update(scope, name, policy_text=None)
    call.services.resource_facts.forget()
    return {"registryId": scope.account_id, "repositoryName": name, "policyText": text}


def _registry_policy_missing(registry_id: str) -> EcrError:
    return EcrError(
        f"Registry policy does not exist in the registry with id '{registry_id}'",
        type_name="RegistryPolicyNotFoundException",
    )


async def put_registry_policy(call: EcrCall, params: dict[str, Any]) -> dict[str, Any]:
    scope = call.scope(params)
    await call.authorize_registry(scope)
    try:
        document = parse_policy(params["policyText"], kind="resource")
    except MalformedPolicy as exc:
        raise InvalidParameter(
            f"Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid registry policy provided: {exc}'"
        ) from None
    granted = [a for statement in document.statements for a in statement.actions or statement.not_actions]
    outside = [a for a in granted if a not in REGISTRY_POLICY_ACTIONS and a != "ecr:*"]
    if outside:
        raise InvalidParameter(
            "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'A registry policy may only grant "
            f"{', '.join(sorted(REGISTRY_POLICY_ACTIONS))}; found {', '.join(outside)}'"
        )
    await call.services.registry.settings.put(scope, REGISTRY_POLICY, params["policyText"])
    call.services.resource_facts.forget()
    return {"registryId": scope.account_id, "policyText": params["policyText"]}


async def get_registry_policy(call: EcrCall, params: dict[str, Any]) -> dict[str, Any]:
    scope = call.scope(params)
    await call.authorize_registry(scope)
    text = await call.services.registry.settings.get(scope, REGISTRY_POLICY)
    if text is None:
        raise _registry_policy_missing(scope.account_id)
    return {"registryId": scope.account_id, "policyText": text}


async def delete_registry_policy(call: EcrCall, params: dict[str, Any]) -> dict[str, Any]:
    scope = call.scope(params)
    await call.authorize_registry(scope)
    text = await call.services.registry.settings.delete(scope, REGISTRY_POLICY)
    call.services.resource_facts.forget()
    if text is None:
        raise _registry_policy_missing(scope.account_id)
    return {"registryId": scope.account_id, "policyText": text}


OPERATIONS = {
    "SetRepositoryPolicy": set_repository_policy,
    "GetRepositoryPolicy": get_repository_policy,
    "DeleteRepositoryPolicy": delete_repository_policy,
    "PutRegistryPolicy": put_registry_policy,
    "GetRegistryPolicy": get_registry_policy,
    "DeleteRegistryPolicy": delete_registry_policy,
}
