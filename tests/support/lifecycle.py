"""Lifecycle policies the tests share."""

from __future__ import annotations

from typing import Any

# The policy issue #5 checks with: expire untagged images after a day, non-prod images after 30 days.
ISSUE_POLICY_RULES: list[dict[str, Any]] = [
    {
        "rulePriority": 1,
        "description": "Expire untagged images after 1 day",
        "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 1},
        "action": {"type": "expire"},
    },
    {
        "rulePriority": 2,
        "description": "Expire non-prod images after 30 days",
        "selection": {
            "tagStatus": "tagged",
            "tagPrefixList": ["dev", "staging", "pr-"],
            "countType": "sinceImagePushed",
            "countUnit": "days",
            "countNumber": 30,
        },
        "action": {"type": "expire"},
    },
]


def any_older_than(days: int, action: str = "expire") -> dict[str, Any]:
    """One rule acting on every image pushed more than `days` ago."""
    act: dict[str, Any] = {"type": action}
    if action == "transition":
        act["targetStorageClass"] = "archive"
    return {
        "rules": [
            {
                "rulePriority": 1,
                "selection": {
                    "tagStatus": "any",
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": days,
                },
                "action": act,
            }
        ]
    }
