"""ECR operations, one module per group; HANDLERS maps an operation name to its coroutine."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from cargohold.faces.ecr.context import EcrCall
from cargohold.faces.ecr.operations import (
    auth,
    images,
    layers,
    lifecycle,
    policies,
    registry,
    repositories,
    tagging,
)

Handler = Callable[[EcrCall, dict[str, Any]], Awaitable[dict[str, Any]]]

HANDLERS: dict[str, Handler] = {}
for module in (repositories, images, layers, auth, policies, tagging, registry, lifecycle):
    HANDLERS.update(module.OPERATIONS)

# Operations whose IAM action is not ecr:<OperationName> (ecr-api.md, IAM section).
_ACTIONS = {"ListImageReferrers": "ecr:BatchGetImage"}


def action_for(operation: str) -> str:
    return _ACTIONS.get(operation, f"ecr:{operation}")
