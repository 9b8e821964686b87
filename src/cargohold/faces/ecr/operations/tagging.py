"""TagResource, UntagResource, ListTagsForResource on repository ARNs."""

from __future__ import annotations

import re
from typing import Any

from cargohold.faces.ecr.context import EcrCall
from cargohold.faces.ecr.errors import EcrError, InvalidParameter
from cargohold.faces.ecr.operations.repositories import check_resource_tags, request_tag_context
from cargohold.registry.models import Repository
from cargohold.registry.scope import Scope

_ARN_RE = re.compile(r"^arn:aws[a-z-]*:ecr:(?P<region>[a-z0-9-]+):(?P<account>[0-9]{12}):repository/(?P<name>.+)$")


async def _repository(call: EcrCall, arn: str, extra_context: dict[str, Any] | None = None) -> Repository:
    match = _ARN_RE.match(arn)
    if not match:
        raise InvalidParameter(f"Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN {arn}'")
    scope = Scope(match["account"], match["region"])
    await call.authorize_repository(scope, match["name"], extra_context=extra_context)
    return await call.services.registry.repositories.get(scope, match["name"])


async def tag_resource(call: EcrCall, params: dict[str, Any]) -> dict[str, Any]:
    tags = check_resource_tags(params["tags"])
    repo = await _repository(call, params["resourceArn"], request_tag_context(tags))
    await call.services.registry.repositories.set_resource_tags(repo, tags)
    call.services.resource_facts.forget()
    return {}


async def untag_resource(call: EcrCall, params: dict[str, Any]) -> dict[str, Any]:
    keys = params["tagKeys"]
    repo = await _repository(call, params["resourceArn"], {"aws:TagKeys": list(keys)})
    if any(key.lower().startswith("aws:") for key in keys):
        raise EcrError("Tag keys starting with 'aws:' are reserved", type_name="InvalidTagParameterException")
    await call.services.registry.repositories.remove_resource_tags(repo, keys)
    call.services.resource_facts.forget()
    return {}


async def list_tags_for_resource(call: EcrCall, params: dict[str, Any]) -> dict[str, Any]:
    repo = await _repository(call, params["resourceArn"])
    tags = await call.services.registry.repositories.resource_tags(repo)
    return {"tags": [{"Key": key, "Value": value} for key, value in tags.items()]}


OPERATIONS = {
    "TagResource": tag_resource,
    "UntagResource": untag_resource,
    "ListTagsForResource": list_tags_for_resource,
}
