"""ECR's lifecycle policy language: parsing and validation with ECR's wording.

A bad policy is refused at PutLifecyclePolicy with
`Lifecycle policy validation failure: <what is wrong>` inside an InvalidParameterException.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

MAX_RULES = 50
MAX_WILDCARDS = 4
TAG_STATUSES = ("tagged", "untagged", "any")
COUNT_TYPES = ("imageCountMoreThan", "sinceImagePushed", "sinceImagePulled", "sinceImageTransitioned")
AGE_TYPES = ("sinceImagePushed", "sinceImagePulled", "sinceImageTransitioned")
STORAGE_CLASSES = ("standard", "archive")
_RULE_KEYS = {"rulePriority", "description", "selection", "action"}
_SELECTION_KEYS = {
    "tagStatus",
    "tagPrefixList",
    "tagPatternList",
    "storageClass",
    "countType",
    "countUnit",
    "countNumber",
}
_ACTION_KEYS = {"type", "targetStorageClass"}


class LifecyclePolicyInvalid(ValueError):
    def __init__(self, detail: str) -> None:
        super().__init__(f"Lifecycle policy validation failure: {detail}")
        self.detail = detail


@dataclass(frozen=True)
class Rule:
    priority: int
    description: str
    tag_status: str
    tag_prefixes: tuple[str, ...]
    tag_patterns: tuple[str, ...]
    storage_class: str
    count_type: str
    count_number: int
    action: str  # expire | transition
    target_storage_class: str | None = None

    @property
    def label(self) -> str:
        return f"rule {self.priority}" + (f" ({self.description})" if self.description else "")


@dataclass(frozen=True)
class LifecyclePolicy:
    rules: tuple[Rule, ...]  # sorted by priority


def _fail(detail: str) -> LifecyclePolicyInvalid:
    return LifecyclePolicyInvalid(detail)


def _string_list(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise _fail(f"{where} must be a non-empty array of non-empty strings")
    return tuple(value)


def parse_lifecycle_policy(text: str) -> LifecyclePolicy:
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise _fail(f"the policy is not valid JSON ({exc})") from None
    if not isinstance(document, dict) or set(document) - {"rules"}:
        raise _fail('object has unknown properties; only "rules" is allowed at the top level')
    raw_rules = document.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise _fail('"rules" must be a non-empty array')
    if len(raw_rules) > MAX_RULES:
        raise _fail(f"a policy holds at most {MAX_RULES} rules, found {len(raw_rules)}")
    rules = [_rule(raw, index) for index, raw in enumerate(raw_rules)]
    priorities = [rule.priority for rule in rules]
    duplicates = sorted({p for p in priorities if priorities.count(p) > 1})
    if duplicates:
        raise _fail(f"rulePriority must be unique; {duplicates[0]} is used more than once")
    rules.sort(key=lambda rule: rule.priority)
    for rule in rules[:-1]:
        if rule.tag_status == "any":
            raise _fail(
                f'the rule with tagStatus "any" (rulePriority {rule.priority}) must have the highest '
                "rulePriority and be evaluated last"
            )
    seen_untagged: set[str] = set()
    for rule in rules:
        if rule.tag_status == "untagged":
            if rule.storage_class in seen_untagged:
                raise _fail(
                    f'only one rule with tagStatus "untagged" is allowed per storage class ({rule.storage_class})'
                )
            seen_untagged.add(rule.storage_class)
    return LifecyclePolicy(tuple(rules))


def _rule(raw: Any, index: int) -> Rule:
    where = f"rules[{index}]"
    if not isinstance(raw, dict):
        raise _fail(f"{where} must be an object")
    unknown = set(raw) - _RULE_KEYS
    if unknown:
        raise _fail(f"{where} has unknown properties: {', '.join(sorted(unknown))}")
    for key in ("rulePriority", "selection", "action"):
        if key not in raw:
            raise _fail(f'{where} is missing required property "{key}"')
    priority = raw["rulePriority"]
    if not isinstance(priority, int) or isinstance(priority, bool) or priority < 1:
        raise _fail(f"{where}.rulePriority must be an integer of at least 1 (found {priority!r})")
    description = raw.get("description", "")
    if not isinstance(description, str):
        raise _fail(f"{where}.description must be a string")
    selection, action = raw["selection"], raw["action"]
    if not isinstance(selection, dict):
        raise _fail(f"{where}.selection must be an object")
    if not isinstance(action, dict):
        raise _fail(f"{where}.action must be an object")
    unknown = set(selection) - _SELECTION_KEYS
    if unknown:
        raise _fail(f"{where}.selection has unknown properties: {', '.join(sorted(unknown))}")
    tag_status = selection.get("tagStatus")
    if tag_status not in TAG_STATUSES:
        raise _fail(f"{where}.selection.tagStatus must be one of {', '.join(TAG_STATUSES)} (found {tag_status!r})")
    has_prefixes, has_patterns = "tagPrefixList" in selection, "tagPatternList" in selection
    prefixes = _string_list(selection["tagPrefixList"], f"{where}.selection.tagPrefixList") if has_prefixes else ()
    patterns = _string_list(selection["tagPatternList"], f"{where}.selection.tagPatternList") if has_patterns else ()
    if tag_status == "tagged" and has_prefixes == has_patterns:
        raise _fail(f'{where}: tagStatus "tagged" needs exactly one of tagPrefixList or tagPatternList')
    if tag_status != "tagged" and (has_prefixes or has_patterns):
        raise _fail(f'{where}: tagPrefixList and tagPatternList are only allowed with tagStatus "tagged"')
    for pattern in patterns:
        if pattern.count("*") > MAX_WILDCARDS:
            raise _fail(f"{where}.selection.tagPatternList entry {pattern!r} has more than {MAX_WILDCARDS} wildcards")
    count_type = selection.get("countType")
    if count_type not in COUNT_TYPES:
        raise _fail(f"{where}.selection.countType must be one of {', '.join(COUNT_TYPES)} (found {count_type!r})")
    count_number = selection.get("countNumber")
    if not isinstance(count_number, int) or isinstance(count_number, bool):
        raise _fail(f"{where}.selection.countNumber must be an integer")
    if count_number < 1:
        raise _fail(
            f"{where}.selection.countNumber: numeric instance is lower than the required minimum "
            f"(minimum: 1, found: {count_number})"
        )
    unit = selection.get("countUnit")
    if count_type in AGE_TYPES and unit != "days":
        raise _fail(f'{where}.selection.countUnit must be "days" with countType {count_type}')
    if count_type == "imageCountMoreThan" and unit is not None:
        raise _fail(f"{where}.selection.countUnit is not allowed with countType imageCountMoreThan")
    storage_class = selection.get("storageClass", "archive" if count_type == "sinceImageTransitioned" else "standard")
    if storage_class not in STORAGE_CLASSES:
        raise _fail(f"{where}.selection.storageClass must be standard or archive")
    if count_type == "sinceImageTransitioned" and storage_class != "archive":
        raise _fail(f'{where}: countType sinceImageTransitioned requires storageClass "archive"')
    if count_type != "sinceImageTransitioned" and storage_class != "standard":
        raise _fail(f'{where}: storageClass "archive" is only allowed with countType sinceImageTransitioned')
    unknown = set(action) - _ACTION_KEYS
    if unknown:
        raise _fail(f"{where}.action has unknown properties: {', '.join(sorted(unknown))}")
    kind = action.get("type")
    if kind not in ("expire", "transition"):
        raise _fail(f'{where}.action.type must be "expire" or "transition" (found {kind!r})')
    target = action.get("targetStorageClass")
    if kind == "transition":
        if target != "archive":
            raise _fail(f'{where}.action: "transition" requires targetStorageClass "archive"')
        if storage_class == "archive":
            raise _fail(f"{where}.action: images already in archive cannot transition again")
    elif target is not None:
        raise _fail(f'{where}.action.targetStorageClass is only allowed with type "transition"')
    return Rule(
        priority, description, tag_status, prefixes, patterns, storage_class, count_type, count_number, kind, target
    )
