"""Condition operators of the IAM policy language.

Within one statement every operator must hold and, within an operator, every key (AND); the values
listed for one key are alternatives (OR). A key absent from the request makes a condition false,
except for negated operators (StringNotEquals, ArnNotLike ...), `...IfExists`, `Null` and
`ForAllValues:`, as the IAM documentation describes.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

ContextValue = str | list[str]


def _glob(pattern: str, *, ignore_case: bool = False) -> re.Pattern[str]:
    return _compiled_glob(pattern, ignore_case)


@lru_cache(maxsize=4096)
def _compiled_glob(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(f"^{regex}$", re.S | (re.I if ignore_case else 0))


def glob_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    return bool(_glob(pattern, ignore_case=ignore_case).match(value))


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def parse_date(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    text = str(value).strip()
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return datetime.fromtimestamp(float(text), UTC)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _arn_like(value: str, pattern: str) -> bool:
    pattern_parts = pattern.split(":", 5)
    value_parts = value.split(":", 5)
    if len(pattern_parts) != 6 or len(value_parts) != 6:
        return glob_match(pattern, value)
    return all(glob_match(p, v) for p, v in zip(pattern_parts, value_parts, strict=True))


def _ip(value: str, cidr: str) -> bool:
    try:
        return ipaddress.ip_address(value) in ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False


def _compare_numbers(op: Callable[[float, float], bool]) -> Callable[[str, str], bool]:
    def check(ctx: str, policy: str) -> bool:
        left, right = _number(ctx), _number(policy)
        return left is not None and right is not None and op(left, right)

    return check


def _compare_dates(op: Callable[[datetime, datetime], bool]) -> Callable[[str, str], bool]:
    def check(ctx: str, policy: str) -> bool:
        left, right = parse_date(ctx), parse_date(policy)
        return left is not None and right is not None and op(left, right)

    return check


# base operator -> (positive matcher, negated?)
_MATCHERS: dict[str, tuple[Callable[[str, str], bool], bool]] = {
    "StringEquals": (lambda c, p: c == p, False),
    "StringNotEquals": (lambda c, p: c == p, True),
    "StringEqualsIgnoreCase": (lambda c, p: c.lower() == p.lower(), False),
    "StringNotEqualsIgnoreCase": (lambda c, p: c.lower() == p.lower(), True),
    "StringLike": (lambda c, p: glob_match(p, c), False),
    "StringNotLike": (lambda c, p: glob_match(p, c), True),
    "NumericEquals": (_compare_numbers(lambda a, b: a == b), False),
    "NumericNotEquals": (_compare_numbers(lambda a, b: a == b), True),
    "NumericLessThan": (_compare_numbers(lambda a, b: a < b), False),
    "NumericLessThanEquals": (_compare_numbers(lambda a, b: a <= b), False),
    "NumericGreaterThan": (_compare_numbers(lambda a, b: a > b), False),
    "NumericGreaterThanEquals": (_compare_numbers(lambda a, b: a >= b), False),
    "DateEquals": (_compare_dates(lambda a, b: a == b), False),
    "DateNotEquals": (_compare_dates(lambda a, b: a == b), True),
    "DateLessThan": (_compare_dates(lambda a, b: a < b), False),
    "DateLessThanEquals": (_compare_dates(lambda a, b: a <= b), False),
    "DateGreaterThan": (_compare_dates(lambda a, b: a > b), False),
    "DateGreaterThanEquals": (_compare_dates(lambda a, b: a >= b), False),
    "Bool": (lambda c, p: c.lower() == p.lower(), False),
    "IpAddress": (_ip, False),
    "NotIpAddress": (_ip, True),
    "ArnEquals": (_arn_like, False),
    "ArnLike": (_arn_like, False),
    "ArnNotEquals": (_arn_like, True),
    "ArnNotLike": (_arn_like, True),
}
OPERATORS = frozenset(_MATCHERS) | {"Null"}


def split_operator(operator: str) -> tuple[str | None, str, bool]:
    """'ForAnyValue:StringLikeIfExists' -> ('ForAnyValue', 'StringLike', True)."""
    qualifier = None
    if ":" in operator:
        qualifier, operator = operator.split(":", 1)
        if qualifier not in ("ForAnyValue", "ForAllValues"):
            return qualifier, "", False
    if_exists = operator.endswith("IfExists") and operator != "IfExists"
    base = operator[: -len("IfExists")] if if_exists else operator
    return qualifier, base, if_exists


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


Substitute = Callable[[str], str | None]


def _value_matches(matcher: Callable[[str, str], bool], negated: bool, value: str, policy_values: list[str]) -> bool:
    hit = any(matcher(value, policy) for policy in policy_values)
    return not hit if negated else hit


def condition_holds(
    operator: str, key_values: Mapping[str, tuple[Any, ...]], context: Mapping[str, Any], substitute: Substitute
) -> bool:
    qualifier, base, if_exists = split_operator(operator)
    for key, policy_values in key_values.items():
        present = key.lower() in context
        raw = context.get(key.lower())
        if base == "Null":
            wants_absent = any(_as_text(v).lower() == "true" for v in policy_values)
            absent = not present or raw in (None, "", [])
            if absent != wants_absent:
                return False
            continue
        matcher, negated = _MATCHERS[base]
        values = [text for v in policy_values if (text := substitute(_as_text(v))) is not None]
        if not present or raw is None:
            if if_exists or negated or qualifier == "ForAllValues":
                continue
            return False
        context_values = [_as_text(v) for v in raw] if isinstance(raw, list) else [_as_text(raw)]

        results = [_value_matches(matcher, negated, value, values) for value in context_values]
        ok = all(results) if qualifier == "ForAllValues" else any(results)
        if not ok:
            return False
    return True


def conditions_hold(
    conditions: Mapping[str, Mapping[str, tuple[Any, ...]]], context: Mapping[str, Any], substitute: Substitute
) -> bool:
    return all(condition_holds(op, keys, context, substitute) for op, keys in conditions.items())
