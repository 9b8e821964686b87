"""Warnings about lifecycle policies that are valid but rarely mean what their authors think."""

from __future__ import annotations

from cargohold.lifecycle.policy import LifecyclePolicy


def advice(policy: LifecyclePolicy) -> list[str]:
    notes = []
    for rule in policy.rules:
        for kind, entries in (("tagPrefixList", rule.tag_prefixes), ("tagPatternList", rule.tag_patterns)):
            if len(entries) > 1:
                notes.append(
                    f"{rule.label}: {kind} {list(entries)} selects only images whose tags match every entry "
                    f"(ECR's documented behaviour); to select images matching any of them, write one rule per entry"
                )
    return notes
