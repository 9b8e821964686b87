"""The authenticated caller of a request."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Principal:
    arn: str
    account_id: str
    unique_id: str
    kind: str = "user"
    is_bootstrap_admin: bool = False

    @property
    def name(self) -> str:
        return self.arn.rsplit("/", 1)[-1]
