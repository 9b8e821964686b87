"""The one place a digest string is parsed.

Only sha256 is accepted for content we store: it is what every client sends, what ECR reports, and a
single algorithm keeps the blob store's layout (sha256/<hex>) free of guessing.
"""

from __future__ import annotations

import hashlib
import re

from cargohold.registry.errors import DigestInvalid

_DIGEST_RE = re.compile(r"^(?P<alg>[a-z0-9]+(?:[.+_-][a-z0-9]+)*):(?P<hex>[a-zA-Z0-9=_-]+)$")
_SHA256_HEX = re.compile(r"^[a-f0-9]{64}$")


def parse_digest(value: str) -> str:
    """Return the canonical digest or raise DigestInvalid; the result is safe to use in a path."""
    match = _DIGEST_RE.match(value or "")
    if not match:
        raise DigestInvalid("provided digest did not match uploaded content", {"digest": value})
    if match["alg"] != "sha256":
        raise DigestInvalid(f"unsupported digest algorithm {match['alg']!r}: only sha256 is accepted")
    if not _SHA256_HEX.match(match["hex"]):
        raise DigestInvalid("invalid sha256 digest: expected 64 lowercase hex characters", {"digest": value})
    return value


def is_digest(value: str) -> bool:
    return bool(_DIGEST_RE.match(value))


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


EMPTY_SHA256 = sha256_digest(b"")
