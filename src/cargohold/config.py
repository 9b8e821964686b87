"""Settings from a TOML file and CARGOHOLD_* environment variables.

Environment variables win over the file so that a container or CI job can override one knob without
rewriting the file; the file is named by CARGOHOLD_CONFIG (default ./cargohold.toml when it exists).
"""

from __future__ import annotations

import os
import re
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

ACCOUNT_ID_RE = re.compile(r"^[0-9]{12}$")
REGION_RE = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]+$")


def _config_file() -> Path:
    return Path(os.environ.get("CARGOHOLD_CONFIG", "cargohold.toml"))


class Settings(BaseSettings):
    """Everything a node needs to know at start-up; immutable once loaded."""

    model_config = SettingsConfigDict(env_prefix="CARGOHOLD_", extra="ignore", frozen=True)

    host: str = "127.0.0.1"
    port: int = Field(default=5000, ge=0, le=65535)
    data_dir: Path = Path("./data")
    database_url: str | None = None
    account_id: str = "000000000000"
    region: str = "us-east-1"
    registry_domain: str | None = None
    token_ttl_seconds: int = Field(default=12 * 3600, ge=1)
    max_manifest_bytes: int = 4 * 1024 * 1024
    log_level: str = "info"
    log_format: str = "console"
    workers: int = Field(default=1, ge=1, le=64)
    secret_key: str | None = None  # Fernet key for secrets at rest; default: <data dir>/secret.key
    bootstrap_file: Path | None = None  # declarative IAM (accounts, users, roles, policies) loaded at start
    audit_flush_seconds: float = Field(default=1.0, gt=0, le=60)
    gc_grace_seconds: float = Field(default=3600, ge=0)  # unreferenced this long before removal
    gc_interval_seconds: float = Field(default=3600, gt=0)  # background pass period; 0 passes never
    upload_ttl_seconds: float = Field(default=86400, gt=0)  # abandoned uploads are removed after this
    lifecycle_interval_seconds: float = Field(default=86400, gt=0)  # each repository's policy runs this often
    storage_price_gb_month: float = Field(default=0.10, ge=0)  # for lifecycle previews' savings

    @field_validator("account_id")
    @classmethod
    def _account(cls, value: str) -> str:
        if not ACCOUNT_ID_RE.match(value):
            raise ValueError("account id must be 12 digits, e.g. 000000000000")
        return value

    @field_validator("region")
    @classmethod
    def _region(cls, value: str) -> str:
        if not REGION_RE.match(value):
            raise ValueError("region must look like us-east-1")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, _config_file()))

    @cached_property
    def resolved_data_dir(self) -> Path:
        return self.data_dir.expanduser().resolve()

    @property
    def blob_dir(self) -> Path:
        return self.resolved_data_dir / "blobs"

    @property
    def async_database_url(self) -> str:
        """The URL the server's async engine uses (aiosqlite or psycopg 3)."""
        return to_async_url(self.database_url or f"sqlite:///{self.resolved_data_dir / 'cargohold.db'}")

    @property
    def sync_database_url(self) -> str:
        """The URL migrations and the CLI use; same database, blocking driver."""
        return to_sync_url(self.async_database_url)


def to_async_url(url: str) -> str:
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://", "postgresql+asyncpg://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    if url.startswith("sqlite+aiosqlite://"):
        return url
    if url.startswith("sqlite://"):
        return "sqlite+aiosqlite://" + url[len("sqlite://") :]
    raise ValueError(f"unsupported database URL scheme in {url.split('://')[0]!r}: use sqlite:// or postgresql://")


def to_sync_url(url: str) -> str:
    if url.startswith("sqlite+aiosqlite://"):
        return "sqlite://" + url[len("sqlite+aiosqlite://") :]
    return url


def load_settings(**overrides: Any) -> Settings:
    """Load settings, letting explicit CLI flags (overrides that are not None) win over everything."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
