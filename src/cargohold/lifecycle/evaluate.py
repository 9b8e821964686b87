"""Lifecycle evaluation as ECR documents it, as a pure function with a reason for every image.

- Rules apply in rulePriority order; at most one rule acts on an image.
- An image that a higher rule's tag selection matches is never acted on by a lower rule (lower rules
  still count it for imageCountMoreThan).
- Images referenced by a manifest list live as long as the list.
- Beyond ECR: images in use (pulled within N days, or named by a deployment the registry knows) are
  kept, and the reason says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from cargohold.lifecycle.policy import LifecyclePolicy, Rule


@dataclass(frozen=True)
class ImageFacts:
    digest: str
    pushed_at: datetime
    size: int = 0
    tags: tuple[str, ...] = ()
    last_pulled_at: datetime | None = None
    transitioned_at: datetime | None = None
    storage_class: str = "standard"
    parents: tuple[str, ...] = ()  # manifest lists in the repository that reference this image
    in_use_by: tuple[str, ...] = ()  # deployments (ECS services) that run it


@dataclass(frozen=True)
class Protection:
    pulled_within_days: int | None = None


@dataclass(frozen=True)
class Decision:
    image: ImageFacts
    action: str | None  # expire | transition | None (kept)
    reason: str
    rule: Rule | None = None
    target_storage_class: str | None = None

    @property
    def digest(self) -> str:
        return self.image.digest


@dataclass
class _Outcome:
    decided: dict[str, Decision] = field(default_factory=dict)
    kept: dict[str, str] = field(default_factory=dict)  # why the first rule that saw an image let it be


@lru_cache(maxsize=1024)
def _pattern(pattern: str) -> re.Pattern[str]:
    return re.compile("^" + ".*".join(re.escape(part) for part in pattern.split("*")) + "$")


def tags_match(rule: Rule, tags: Sequence[str]) -> bool:
    if rule.tag_status == "any":
        return True
    if rule.tag_status == "untagged":
        return not tags
    if not tags:
        return False
    if rule.tag_prefixes:  # every prefix must be matched by some tag (ECR: "all specified tags")
        return all(any(tag.startswith(prefix) for tag in tags) for prefix in rule.tag_prefixes)
    return all(any(_pattern(pattern).match(tag) for tag in tags) for pattern in rule.tag_patterns)


def _days(delta: timedelta) -> str:
    days = delta.total_seconds() / 86400
    return f"{days:.1f} days" if days < 10 else f"{int(days)} days"


def _age_reference(rule: Rule, image: ImageFacts) -> tuple[datetime | None, str]:
    if rule.count_type == "sinceImagePushed":
        return image.pushed_at, "pushed"
    if rule.count_type == "sinceImagePulled":
        if image.last_pulled_at:
            return image.last_pulled_at, "last pulled"
        return image.pushed_at, "never pulled; pushed"
    return image.transitioned_at, "archived"


def _protected(image: ImageFacts, protection: Protection, now: datetime) -> str | None:
    if image.parents:
        return f"kept: referenced by manifest list {image.parents[0]}"
    if image.in_use_by:
        return f"kept: in use by {', '.join(image.in_use_by)}"
    if (
        protection.pulled_within_days
        and image.last_pulled_at
        and now - image.last_pulled_at < timedelta(days=protection.pulled_within_days)
    ):
        return (
            f"kept: pulled {_days(now - image.last_pulled_at)} ago, within the repository's "
            f"{protection.pulled_within_days}-day in-use window"
        )
    return None


def evaluate(
    images: Iterable[ImageFacts], policy: LifecyclePolicy, now: datetime, protection: Protection | None = None
) -> list[Decision]:
    """A decision for every image, in the order given."""
    protection = protection or Protection()
    listed = list(images)
    newest_first = sorted(listed, key=lambda image: (image.pushed_at, image.digest), reverse=True)
    outcome = _Outcome()
    shielded: dict[str, Rule] = {}
    for rule in policy.rules:
        matching = [
            image
            for image in newest_first
            if image.storage_class == rule.storage_class and tags_match(rule, image.tags)
        ]
        for position, image in enumerate(matching):
            if image.digest in outcome.decided:
                continue
            if image.digest in shielded:
                outcome.kept.setdefault(
                    image.digest, f"kept: matched by {shielded[image.digest].label}, which does not act on it"
                )
                continue
            if not _criteria_met(rule, image, position, now):
                outcome.kept.setdefault(image.digest, _not_met(rule, image, position, now))
                continue
            reason = _protected(image, protection, now)
            if reason:
                outcome.decided[image.digest] = Decision(image, None, reason)
                continue
            outcome.decided[image.digest] = Decision(
                image, rule.action, _acted(rule, image, position, now), rule, rule.target_storage_class
            )
        for image in matching:
            shielded.setdefault(image.digest, rule)
    decisions = []
    for image in listed:
        decided = outcome.decided.get(image.digest)
        if decided is None:
            decided = Decision(image, None, outcome.kept.get(image.digest, "kept: no rule selects it"))
        decisions.append(decided)
    return decisions


def _criteria_met(rule: Rule, image: ImageFacts, position: int, now: datetime) -> bool:
    if rule.count_type == "imageCountMoreThan":
        return position >= rule.count_number
    reference, _ = _age_reference(rule, image)
    return reference is not None and now - reference > timedelta(days=rule.count_number)


def _acted(rule: Rule, image: ImageFacts, position: int, now: datetime) -> str:
    verb = "expired" if rule.action == "expire" else "archived"
    if rule.count_type == "imageCountMoreThan":
        return f"{verb} by {rule.label}: number {position + 1} by push time, beyond the newest {rule.count_number}"
    reference, what = _age_reference(rule, image)
    assert reference is not None
    return f"{verb} by {rule.label}: {what} {_days(now - reference)} ago, more than {rule.count_number} days"


def _not_met(rule: Rule, image: ImageFacts, position: int, now: datetime) -> str:
    if rule.count_type == "imageCountMoreThan":
        return f"kept: {rule.label} keeps the newest {rule.count_number} (this is number {position + 1})"
    reference, what = _age_reference(rule, image)
    if reference is None:
        return f"kept: {rule.label} needs an archive time"
    return f"kept: {rule.label}: {what} {_days(now - reference)} ago, not more than {rule.count_number} days"
