"""Plain records the registry service hands to its faces."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


def utc(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; every timestamp cargohold hands out is aware UTC."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Repository:
    id: int
    account_id: str
    region: str
    name: str
    created_at: datetime
    tag_mutability: str = "MUTABLE"
    tag_mutability_exclusions: list[dict[str, str]] = field(default_factory=list)
    scan_on_push: bool = False
    encryption_type: str = "AES256"
    kms_key: str | None = None

    @property
    def arn(self) -> str:
        return f"arn:aws:ecr:{self.region}:{self.account_id}:repository/{self.name}"


@dataclass(frozen=True)
class Manifest:
    id: int
    repository_id: int
    digest: str
    media_type: str
    content: bytes
    artifact_type: str | None
    subject_digest: str | None
    total_size: int
    pushed_at: datetime
    last_pulled_at: datetime | None
    status: str
    annotations: dict[str, Any] | None = None


@dataclass(frozen=True)
class PutManifestResult:
    digest: str
    subject_digest: str | None
    created: bool
    tag_changed: bool = False
    media_type: str = ""


@dataclass(frozen=True)
class Page:
    items: list[str]
    has_more: bool
