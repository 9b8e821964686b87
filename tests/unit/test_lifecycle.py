"""Lifecycle grammar and evaluation: the rules of ecr-api.md section 5, case by case."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cargohold.lifecycle.evaluate import ImageFacts, Protection, evaluate
from cargohold.lifecycle.policy import LifecyclePolicyInvalid, parse_lifecycle_policy
from tests.support.lifecycle import ISSUE_POLICY_RULES

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def img(name: str, days_old: float, *tags: str, **extra: Any) -> ImageFacts:
    return ImageFacts(digest=f"sha256:{name}", pushed_at=NOW - timedelta(days=days_old), tags=tuple(tags), **extra)


def rule(
    priority: int,
    tag_status: str,
    count_type: str,
    number: int,
    *,
    prefixes: list[str] | None = None,
    patterns: list[str] | None = None,
    action: str = "expire",
    storage: str | None = None,
) -> dict[str, Any]:
    selection: dict[str, Any] = {"tagStatus": tag_status, "countType": count_type, "countNumber": number}
    if count_type != "imageCountMoreThan":
        selection["countUnit"] = "days"
    if prefixes is not None:
        selection["tagPrefixList"] = prefixes
    if patterns is not None:
        selection["tagPatternList"] = patterns
    if storage:
        selection["storageClass"] = storage
    act: dict[str, Any] = {"type": action}
    if action == "transition":
        act["targetStorageClass"] = "archive"
    return {"rulePriority": priority, "description": f"r{priority}", "selection": selection, "action": act}


def run(
    rules: list[dict[str, Any]], images: list[ImageFacts], protection: Protection | None = None, now: datetime = NOW
) -> dict[str, str | None]:
    policy = parse_lifecycle_policy(json.dumps({"rules": rules}))
    return {d.digest.split(":")[1]: d.action for d in evaluate(images, policy, now, protection)}


def reasons(rules: list[dict[str, Any]], images: list[ImageFacts], **kw: Any) -> dict[str, str]:
    policy = parse_lifecycle_policy(json.dumps({"rules": rules}))
    return {d.digest.split(":")[1]: d.reason for d in evaluate(images, policy, NOW, kw.get("protection"))}


ISSUE_POLICY = ISSUE_POLICY_RULES


def test_issue_policy() -> None:
    images = [
        img("untagged-old", 3),
        img("untagged-new", 0.5),
        img("all-three-old", 40, "dev-1", "staging-1", "pr-1"),
        img("all-three-new", 10, "dev-2", "staging-2", "pr-2"),
        img("dev-only-old", 45, "dev-9"),
        img("prod-old", 400, "prod-1"),
    ]
    assert run(ISSUE_POLICY, images) == {
        "untagged-old": "expire",
        "untagged-new": None,
        "all-three-old": "expire",
        "all-three-new": None,
        "dev-only-old": None,
        "prod-old": None,
    }
    why = reasons(ISSUE_POLICY, images)
    assert why["untagged-old"].startswith("expired by rule 1 (Expire untagged images after 1 day): pushed 3.0 days")
    assert why["dev-only-old"] == "kept: no rule selects it"


CASES: list[tuple[str, list[dict[str, Any]], list[ImageFacts], dict[str, str | None]]] = [
    (
        "count keeps the newest N",
        [rule(1, "any", "imageCountMoreThan", 2)],
        [img("a", 1), img("b", 2), img("c", 3), img("d", 4)],
        {"a": None, "b": None, "c": "expire", "d": "expire"},
    ),
    (
        "count exactly N keeps all",
        [rule(1, "any", "imageCountMoreThan", 3)],
        [img("a", 1), img("b", 2), img("c", 3)],
        {"a": None, "b": None, "c": None},
    ),
    (
        "age: older than N days expires",
        [rule(1, "any", "sinceImagePushed", 7)],
        [img("a", 6.9), img("b", 7.1)],
        {"a": None, "b": "expire"},
    ),
    (
        "untagged only",
        [rule(1, "untagged", "sinceImagePushed", 1)],
        [img("a", 5), img("b", 5, "v1")],
        {"a": "expire", "b": None},
    ),
    (
        "tagged prefix",
        [rule(1, "tagged", "sinceImagePushed", 1, prefixes=["dev"])],
        [img("a", 5, "dev-1"), img("b", 5, "prod-1"), img("c", 5)],
        {"a": "expire", "b": None, "c": None},
    ),
    (
        "prefix list needs every prefix",
        [rule(1, "tagged", "sinceImagePushed", 1, prefixes=["dev", "feat"])],
        [img("a", 5, "dev-1"), img("b", 5, "dev-1", "feat-x")],
        {"a": None, "b": "expire"},
    ),
    (
        "prefix on any of several tags",
        [rule(1, "tagged", "sinceImagePushed", 1, prefixes=["rc"])],
        [img("a", 5, "v1", "rc-1")],
        {"a": "expire"},
    ),
    (
        "pattern wildcard",
        [rule(1, "tagged", "sinceImagePushed", 1, patterns=["*-snapshot"])],
        [img("a", 5, "1.0-snapshot"), img("b", 5, "1.0")],
        {"a": "expire", "b": None},
    ),
    (
        "pattern without wildcard is exact",
        [rule(1, "tagged", "sinceImagePushed", 1, patterns=["prod"])],
        [img("a", 5, "prod"), img("b", 5, "prod1")],
        {"a": "expire", "b": None},
    ),
    (
        "pattern list needs every pattern",
        [rule(1, "tagged", "sinceImagePushed", 1, patterns=["v*", "*-rc"])],
        [img("a", 5, "v1"), img("b", 5, "v2", "x-rc")],
        {"a": None, "b": "expire"},
    ),
    (
        "four wildcards",
        [rule(1, "tagged", "sinceImagePushed", 1, patterns=["*a*b*c*"])],
        [img("a", 5, "xaybzc"), img("b", 5, "abx")],
        {"a": "expire", "b": None},
    ),
    (
        "priority: first rule acts",
        [rule(1, "tagged", "sinceImagePushed", 1, prefixes=["v"]), rule(2, "any", "imageCountMoreThan", 1)],
        [img("a", 5, "v1"), img("b", 6, "v2")],
        {"a": "expire", "b": "expire"},
    ),
    (
        "shield: higher rule's selection protects from lower rules",
        [rule(1, "tagged", "imageCountMoreThan", 5, prefixes=["prod"]), rule(2, "any", "sinceImagePushed", 1)],
        [img("p1", 100, "prod-1"), img("x", 100, "dev-1")],
        {"p1": None, "x": "expire"},
    ),
    (
        "lower count rule still counts shielded images",
        [rule(1, "tagged", "imageCountMoreThan", 5, prefixes=["prod"]), rule(2, "any", "imageCountMoreThan", 2)],
        [img("p1", 1, "prod-1"), img("p2", 2, "prod-2"), img("x", 3, "dev"), img("y", 4, "dev")],
        {"p1": None, "p2": None, "x": "expire", "y": "expire"},
    ),
    # The young untagged image is shielded by rule 1 yet still counts as the newest for rule 9.
    (
        "any last counts shielded images",
        [rule(1, "untagged", "sinceImagePushed", 1), rule(9, "any", "imageCountMoreThan", 1)],
        [img("u", 0.5), img("t1", 1, "a"), img("t2", 2, "b")],
        {"u": None, "t1": "expire", "t2": "expire"},
    ),
    (
        "pulled: never pulled falls back to push time",
        [rule(1, "any", "sinceImagePulled", 10)],
        [img("a", 20), img("b", 20, last_pulled_at=NOW - timedelta(days=2))],
        {"a": "expire", "b": None},
    ),
    (
        "pulled: old pull expires",
        [rule(1, "any", "sinceImagePulled", 10)],
        [img("a", 100, last_pulled_at=NOW - timedelta(days=30))],
        {"a": "expire"},
    ),
    (
        "transition to archive",
        [rule(1, "any", "sinceImagePushed", 30, action="transition")],
        [img("a", 40), img("b", 10)],
        {"a": "transition", "b": None},
    ),
    (
        "archived images are not standard-class candidates",
        [rule(1, "any", "sinceImagePushed", 1)],
        [img("a", 40, storage_class="archive", transitioned_at=NOW - timedelta(days=5))],
        {"a": None},
    ),
    (
        "expire archived after transition age",
        [rule(1, "any", "sinceImageTransitioned", 90, storage="archive")],
        [
            img("a", 400, storage_class="archive", transitioned_at=NOW - timedelta(days=91)),
            img("b", 400, storage_class="archive", transitioned_at=NOW - timedelta(days=10)),
        ],
        {"a": "expire", "b": None},
    ),
    (
        "children of a manifest list live with it",
        [rule(1, "untagged", "sinceImagePushed", 1)],
        [img("child", 50, parents=("sha256:index",)), img("orphan", 50)],
        {"child": None, "orphan": "expire"},
    ),
    (
        "in use by a deployment is kept",
        [rule(1, "any", "sinceImagePushed", 1)],
        [img("a", 50, "v1", in_use_by=("service web (cluster prod)",)), img("b", 50, "v0")],
        {"a": None, "b": "expire"},
    ),
    (
        "tagged rule does not select untagged",
        [rule(1, "tagged", "imageCountMoreThan", 1, patterns=["*"])],
        [img("a", 1, "x"), img("b", 2, "y"), img("c", 3)],
        {"a": None, "b": "expire", "c": None},
    ),
    (
        "untagged count",
        [rule(1, "untagged", "imageCountMoreThan", 1)],
        [img("a", 1), img("b", 2), img("c", 3, "v")],
        {"a": None, "b": "expire", "c": None},
    ),
    (
        "one action per image even if two rules qualify",
        [
            rule(1, "tagged", "sinceImagePushed", 1, prefixes=["v"], action="transition"),
            rule(2, "tagged", "sinceImagePushed", 1, prefixes=["v"]),
        ],
        [img("a", 5, "v1")],
        {"a": "transition"},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_evaluation(case: tuple[Any, ...]) -> None:
    _, rules, images, expected = case
    assert run(rules, images) == expected


def test_pulled_within_protection() -> None:
    images = [img("hot", 100, "v1", last_pulled_at=NOW - timedelta(days=3)), img("cold", 100, "v0")]
    result = run([rule(1, "any", "sinceImagePushed", 30)], images, Protection(pulled_within_days=7))
    assert result == {"hot": None, "cold": "expire"}
    why = reasons([rule(1, "any", "sinceImagePushed", 30)], images, protection=Protection(pulled_within_days=7))
    assert why["hot"].startswith("kept: pulled 3.0 days ago, within the repository's 7-day in-use window")


def test_reasons_explain_kept_images() -> None:
    rules = [rule(1, "tagged", "imageCountMoreThan", 1, prefixes=["prod"]), rule(2, "any", "sinceImagePushed", 1)]
    images = [img("p1", 5, "prod-1"), img("p2", 6, "prod-2"), img("new", 0.1, "dev")]
    why = reasons(rules, images)
    assert why["p1"] == "kept: rule 1 (r1) keeps the newest 1 (this is number 1)"
    assert why["p2"].startswith("expired by rule 1 (r1): number 2 by push time")
    assert why["new"].startswith("kept: rule 2 (r2): pushed 0.1 days ago")
    in_use = reasons([rule(1, "any", "sinceImagePushed", 1)], [img("a", 9, in_use_by=("service api (cluster prod)",))])
    assert in_use["a"] == "kept: in use by service api (cluster prod)"


@pytest.mark.parametrize(
    "policy,fragment",
    [
        ("{not json", "not valid JSON"),
        ({"rules": []}, "non-empty"),
        ({"rules": [rule(1, "any", "imageCountMoreThan", 1)], "extra": 1}, "unknown properties"),
        ({"rules": [rule(1, "any", "imageCountMoreThan", 0)]}, "minimum: 1, found: 0"),
        ({"rules": [rule(1, "any", "imageCountMoreThan", 1), rule(1, "untagged", "imageCountMoreThan", 1)]}, "unique"),
        (
            {"rules": [rule(1, "any", "imageCountMoreThan", 1), rule(2, "untagged", "imageCountMoreThan", 1)]},
            "highest rulePriority",
        ),
        ({"rules": [rule(1, "tagged", "imageCountMoreThan", 1)]}, "exactly one of tagPrefixList or tagPatternList"),
        ({"rules": [rule(1, "tagged", "imageCountMoreThan", 1, prefixes=["a"], patterns=["b"])]}, "exactly one"),
        ({"rules": [rule(1, "untagged", "imageCountMoreThan", 1, prefixes=["a"])]}, "only allowed with tagStatus"),
        ({"rules": [rule(1, "tagged", "imageCountMoreThan", 1, patterns=["*a*b*c*d*e"])]}, "more than 4 wildcards"),
        (
            {
                "rules": [
                    {
                        **rule(1, "any", "sinceImagePushed", 1),
                        "selection": {"tagStatus": "any", "countType": "sinceImagePushed", "countNumber": 1},
                    }
                ]
            },
            'countUnit must be "days"',
        ),
        (
            {
                "rules": [
                    {
                        **rule(1, "any", "imageCountMoreThan", 1),
                        "selection": {
                            "tagStatus": "any",
                            "countType": "imageCountMoreThan",
                            "countNumber": 1,
                            "countUnit": "days",
                        },
                    }
                ]
            },
            "not allowed with countType imageCountMoreThan",
        ),
        ({"rules": [rule(1, "any", "sinceImageTransitioned", 1, storage="standard")]}, "requires storageClass"),
        ({"rules": [rule(1, "any", "sinceImagePushed", 1, storage="archive")]}, "only allowed with countType"),
        (
            {"rules": [{**rule(1, "any", "sinceImagePushed", 1), "action": {"type": "transition"}}]},
            'requires targetStorageClass "archive"',
        ),
        ({"rules": [{**rule(1, "any", "sinceImagePushed", 1), "action": {"type": "delete"}}]}, "action.type"),
        (
            {
                "rules": [
                    {
                        **rule(1, "any", "sinceImagePushed", 1),
                        "action": {"type": "expire", "targetStorageClass": "archive"},
                    }
                ]
            },
            "only allowed with type",
        ),
        (
            {"rules": [rule(1, "untagged", "sinceImagePushed", 1), rule(2, "untagged", "imageCountMoreThan", 3)]},
            "only one rule with tagStatus",
        ),
        (
            {
                "rules": [
                    {
                        "rulePriority": 1,
                        "selection": {"tagStatus": "any", "countType": "x", "countNumber": 1},
                        "action": {"type": "expire"},
                    }
                ]
            },
            "countType must be one of",
        ),
        ({"rules": [{"selection": {}, "action": {}}]}, 'missing required property "rulePriority"'),
        (
            {
                "rules": [
                    rule(
                        i,
                        "untagged" if i == 1 else "tagged",
                        "imageCountMoreThan",
                        1,
                        prefixes=None if i == 1 else [f"p{i}"],
                    )
                    for i in range(1, 52)
                ]
            },
            "at most 50 rules",
        ),
    ],
)
def test_validation(policy: Any, fragment: str) -> None:
    text = policy if isinstance(policy, str) else json.dumps(policy)
    with pytest.raises(LifecyclePolicyInvalid) as info:
        parse_lifecycle_policy(text)
    assert str(info.value).startswith("Lifecycle policy validation failure: ")
    assert fragment in str(info.value)


def test_advice_on_multi_entry_tag_lists() -> None:
    from cargohold.lifecycle.advice import advice

    notes = advice(parse_lifecycle_policy(json.dumps({"rules": ISSUE_POLICY})))
    assert len(notes) == 1
    assert "selects only images whose tags match every entry" in notes[0]
    assert notes[0].startswith("rule 2 (Expire non-prod images after 30 days): tagPrefixList ['dev', 'staging', 'pr-']")
    single = [rule(1, "tagged", "sinceImagePushed", 1, prefixes=["dev"])]
    assert advice(parse_lifecycle_policy(json.dumps({"rules": single}))) == []
