"""Whether a tag may be moved, from a repository's mutability setting and its exclusion filters."""

from __future__ import annotations

from fnmatch import fnmatchcase

from cargohold.registry.models import Repository


def _matches(tag: str, filters: list[dict[str, str]]) -> bool:
    return any(fnmatchcase(tag, f.get("filter", "")) for f in filters)


def tag_is_immutable(repo: Repository, tag: str) -> bool:
    mode = repo.tag_mutability
    if mode == "IMMUTABLE":
        return True
    if mode == "IMMUTABLE_WITH_EXCLUSION":
        return not _matches(tag, repo.tag_mutability_exclusions)
    if mode == "MUTABLE_WITH_EXCLUSION":
        return _matches(tag, repo.tag_mutability_exclusions)
    return False


def immutable_tag_message(repo: Repository, tag: str) -> str:
    return (
        f"The image tag '{tag}' already exists in the '{repo.name}' repository and cannot be overwritten "
        "because the repository is immutable."
    )
