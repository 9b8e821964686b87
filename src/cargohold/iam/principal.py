"""The authenticated caller of a request."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Principal:
    arn: str  # a user ARN, or arn:aws:sts::<account>:assumed-role/<role>/<session>
    account_id: str
    unique_id: str
    kind: str = "user"  # user | assumed-role
    is_bootstrap_admin: bool = False

    @property
    def name(self) -> str:
        return self.arn.rsplit("/", 1)[-1]

    @property
    def role_arn(self) -> str | None:
        """For a role session, the role's IAM ARN (what policies and trust name)."""
        if self.kind != "assumed-role":
            return None
        role = self.arn.split(":assumed-role/", 1)[1].rsplit("/", 1)[0]
        return f"arn:aws:iam::{self.account_id}:role/{role}"

    @property
    def identity_arn(self) -> str:
        """The IAM entity whose policies apply: the user, or the role behind a session."""
        return self.role_arn or self.arn


def session_arn(account_id: str, role_name: str, session_name: str) -> str:
    return f"arn:aws:sts::{account_id}:assumed-role/{role_name}/{session_name}"
