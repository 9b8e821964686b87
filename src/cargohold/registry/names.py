"""Validation of repository names and tags before they touch a path or a query."""

from __future__ import annotations

import re

from cargohold.registry.errors import NameInvalid, TagInvalid

# ECR's pattern from botocore's model (ecr-api.md section 3): lowercase path components separated by '/'.
_REPOSITORY_RE = re.compile(r"^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$")
_TAG_RE = re.compile(r"^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$")
MIN_NAME, MAX_NAME = 2, 256


def repository_name_problem(name: str) -> str | None:
    """Why a name is not a valid ECR repository name, or None when it is."""
    if len(name) < MIN_NAME or len(name) > MAX_NAME:
        return f"repository name must be {MIN_NAME} to {MAX_NAME} characters long"
    if not _REPOSITORY_RE.match(name):
        return (
            "repository name must be lowercase letters, digits and separators ('.', '_', '__', '-') "
            "in components joined by '/'"
        )
    return None


def validate_repository_name(name: str) -> str:
    problem = repository_name_problem(name)
    if problem:
        raise NameInvalid(f"invalid repository name: {problem}", {"name": name})
    return name


def validate_tag(tag: str) -> str:
    if not _TAG_RE.match(tag):
        raise TagInvalid(
            "invalid tag: use 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'",
            {"tag": tag},
        )
    return tag


def is_valid_tag(tag: str) -> bool:
    return bool(_TAG_RE.match(tag))
