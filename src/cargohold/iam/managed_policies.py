"""AWS managed policies cargohold ships, with their real action lists (ecr-api.md, managed policies)."""

from __future__ import annotations

import json
from typing import Any

_READ_ONLY = [
    "ecr:GetAuthorizationToken",
    "ecr:BatchCheckLayerAvailability",
    "ecr:GetDownloadUrlForLayer",
    "ecr:GetRepositoryPolicy",
    "ecr:DescribeRepositories",
    "ecr:ListImages",
    "ecr:DescribeImages",
    "ecr:BatchGetImage",
    "ecr:GetLifecyclePolicy",
    "ecr:GetLifecyclePolicyPreview",
    "ecr:ListTagsForResource",
    "ecr:DescribeImageScanFindings",
]


def _allow(actions: list[str], sid: str | None = None) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": actions, "Resource": "*"}
    if sid:
        statement["Sid"] = sid
    return statement


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


AWS_MANAGED: dict[str, str] = {
    "AmazonECSTaskExecutionRolePolicy": _doc(
        _allow(
            [
                "ecr:GetAuthorizationToken",
                "ecr:BatchCheckLayerAvailability",
                "ecr:GetDownloadUrlForLayer",
                "ecr:BatchGetImage",
                "logs:CreateLogStream",
                "logs:PutLogEvents",
            ]
        )
    ),
    "AmazonEC2ContainerRegistryPullOnly": _doc(
        _allow(
            [
                "ecr:GetAuthorizationToken",
                "ecr:BatchGetImage",
                "ecr:GetDownloadUrlForLayer",
                "ecr:BatchImportUpstreamImage",
            ]
        )
    ),
    "AmazonEC2ContainerRegistryReadOnly": _doc(_allow(_READ_ONLY)),
    "AmazonEC2ContainerRegistryPowerUser": _doc(
        _allow(
            [*_READ_ONLY, "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"]
        )
    ),
    "AmazonEC2ContainerRegistryFullAccess": _doc(
        _allow(["ecr:*", "cloudtrail:LookupEvents"]),
        {
            "Effect": "Allow",
            "Action": ["iam:CreateServiceLinkedRole"],
            "Resource": "*",
            "Condition": {"StringEquals": {"iam:AWSServiceName": ["replication.ecr.amazonaws.com"]}},
        },
    ),
    "AdministratorAccess": _doc(_allow(["*"])),
}


_PATHS = {"AmazonECSTaskExecutionRolePolicy": "service-role/"}


def managed_policy_arn(name: str) -> str:
    return f"arn:aws:iam::aws:policy/{_PATHS.get(name, '')}{name}"


ARN_TO_DOCUMENT = {managed_policy_arn(name): text for name, text in AWS_MANAGED.items()}
