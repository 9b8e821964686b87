"""Declarative IAM: accounts, organization, users, roles, policies and access keys from a YAML file.

Loaded at start (CARGOHOLD_BOOTSTRAP_FILE) or with `cargohold iam load FILE`, for CI and for teams
that keep IAM in git. Idempotent: what the file names is created or brought in line with the file;
what it does not name is left alone.

    organization: {id: o-example}
    accounts:
      - id: "111111111111"
        name: app
        policies:   # customer managed
          - {name: pull-app, document: {Version: "2012-10-17", Statement: [...]}}
        users:
          - name: ci
            access_keys: [{id: AKIAEXAMPLE000000001, secret: ...}]
            managed_policies: [arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser]
            inline_policies: {extra: {Version: "2012-10-17", Statement: [...]}}
        roles:
          - name: ecsTaskExecutionRole
            trust_policy: {Version: "2012-10-17", Statement: [...]}
            managed_policies: [arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy]
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Connection, select

from cargohold.iam import directory
from cargohold.iam.errors import IamError
from cargohold.iam.secrets_box import SecretsBox
from cargohold.storage.meta.schema import access_keys, managed_policies

_ACCOUNT = re.compile(r"^[0-9]{12}$")


class BootstrapError(ValueError):
    pass


def _text(document: Any) -> str:
    return document if isinstance(document, str) else json.dumps(document)


def read_file(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise BootstrapError(f"cannot read bootstrap file {path}: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("accounts", []), list):
        raise BootstrapError(f"{path}: expected a mapping with an 'accounts' list")
    return data


def apply(conn: Connection, box: SecretsBox, data: dict[str, Any]) -> dict[str, int]:
    counts = {"accounts": 0, "users": 0, "roles": 0, "policies": 0, "access_keys": 0}
    org_id = (data.get("organization") or {}).get("id")
    for account in data.get("accounts") or []:
        account_id = str(account.get("id", ""))
        if not _ACCOUNT.match(account_id):
            raise BootstrapError(f"account id {account_id!r} must be 12 digits (quote it in YAML)")
        in_org = account.get("in_organization", True)
        directory.ensure_account(conn, account_id, account.get("name"), org_id if in_org else None)
        counts["accounts"] += 1
        for policy in account.get("policies") or []:
            _managed_policy(conn, account_id, policy)
            counts["policies"] += 1
        for user in account.get("users") or []:
            info = _principal(conn, account_id, "user", user)
            for key in user.get("access_keys") or []:
                _access_key(conn, box, info, key)
                counts["access_keys"] += 1
            counts["users"] += 1
        for role in account.get("roles") or []:
            _principal(conn, account_id, "role", role)
            counts["roles"] += 1
    return counts


def _managed_policy(conn: Connection, account_id: str, policy: dict[str, Any]) -> None:
    name, document = policy.get("name"), _text(policy.get("document"))
    arn = f"arn:aws:iam::{account_id}:policy/{name}"
    existing = conn.execute(select(managed_policies.c.document).where(managed_policies.c.arn == arn)).scalar()
    if existing is None:
        directory.create_managed_policy(conn, account_id, str(name), document, policy.get("description"))
    elif existing != document:
        directory.validate_document(document, "identity")
        conn.execute(managed_policies.update().where(managed_policies.c.arn == arn).values(document=document))


def _principal(conn: Connection, account_id: str, kind: str, spec: dict[str, Any]) -> directory.PrincipalInfo:
    name = str(spec.get("name", ""))
    try:
        info = directory.get_principal(conn, account_id, kind, name)
        if kind == "role" and spec.get("trust_policy") is not None:
            directory.update_trust(conn, info, _text(spec["trust_policy"]))
    except IamError as exc:
        if exc.code != "NoSuchEntity":
            raise
        if kind == "role":
            trust = _text(spec.get("trust_policy") or {"Version": "2012-10-17", "Statement": []})
            info = directory.create_role(conn, account_id, name, trust, int(spec.get("max_session_duration", 3600)))
        else:
            info = directory.create_principal(conn, account_id, kind, name)
    for policy_name, document in (spec.get("inline_policies") or {}).items():
        directory.put_inline_policy(conn, info, str(policy_name), _text(document))
    for arn in spec.get("managed_policies") or []:
        directory.attach_policy(conn, info, str(arn))
    return info


def _access_key(conn: Connection, box: SecretsBox, user: directory.PrincipalInfo, key: dict[str, Any]) -> None:
    key_id, secret = str(key.get("id", "")), str(key.get("secret", ""))
    if not re.fullmatch(r"AKIA[A-Z0-9]{16}", key_id) or len(secret) < 16:
        raise BootstrapError(f"access key {key_id!r}: ids look like AKIA + 16 capitals/digits, secrets 16+ chars")
    owner = conn.execute(select(access_keys.c.principal_id).where(access_keys.c.access_key_id == key_id)).scalar()
    if owner is None:
        directory.create_access_key(conn, box, user, key_id, secret)
    elif owner != user.id:
        raise BootstrapError(f"access key {key_id} already belongs to another principal")
    else:
        conn.execute(access_keys.update().where(access_keys.c.access_key_id == key_id).values(secret=box.seal(secret)))
