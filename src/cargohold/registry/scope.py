"""Who owns a repository: an account in a region (DESIGN.md, "Identity of a request")."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Scope:
    account_id: str
    region: str

    def repository_arn(self, name: str) -> str:
        return f"arn:aws:ecr:{self.region}:{self.account_id}:repository/{name}"
